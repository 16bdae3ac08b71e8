"""Contributions (news, event, funding, good practice, document): the fields of each kind and their
validation, the good-practice template and the publication criteria (both data in config/).

Rules:
- `validate(kind, fields, contributor, pdf)` returns a `Submission` or raises
  `crawler.errors.SubmissionInvalid` with every offending field at once; nothing is stored before.
- Every text value is made plain text: HTML tags and the content of script/style removed (nh3 with
  no tag allowed), entities decoded, control and bidirectional control characters removed, then
  checked against its maximum length (characters). Markup is never kept, so nothing to escape later
  but what any template escapes anyway.
- Links are absolute http(s) URLs (crawler.urls.is_web_url). Dates are ISO 8601 (a date means
  midnight UTC). An uploaded PDF is at most `MAX_PDF_BYTES` and must start with ``%PDF-``; it is
  never parsed here (the bounded extraction worker does, in crawler.intake).
- Kind fields map onto the structured item fields: event -> event_start, event_end, place (JSON
  ``{"name", "city", "country", "online"}``); funding -> deadline, programme, call_id.
- The contributor: name and email required, email of a plain ``local@domain.tld`` shape; country,
  organisation and language optional; ``consent`` (to be credited by name) false unless given.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import nh3
import yaml

from crawler.errors import ConfigError, SubmissionInvalid
from crawler.fetch.addresses import is_public, never_resolves, parse_ip
from crawler.sources import country_hint, is_country_code
from crawler.text import clean_text, strip_bidi_controls
from crawler.urls import is_web_url
from crawler.yamlerrors import load_yaml_file

CONFIG_DIR = Path(__file__).resolve().parents[1] / "config"
KINDS: tuple[str, ...] = ("news", "event", "funding", "good_practice", "document")
LANGUAGES: tuple[str, ...] = ("en", "fr", "de")
"""The portal's interface languages (labels of the template and the criteria)."""
PDF_KINDS: tuple[str, ...] = KINDS
"""The kinds that take an uploaded PDF (the form shows its file field only for these); a PDF sent
with another kind is refused naming ``pdf``, never taken for an unknown text field."""
MAX_PDF_BYTES = 10 * 1024 * 1024
"""Largest uploaded PDF (10 MiB); a larger upload is refused before it is read further."""
MAX_BODY_BYTES = MAX_PDF_BYTES + 256 * 1024
"""Largest request body of the form or the API (the PDF plus its fields)."""
MAX_FIELD_BYTES = 256 * 1024
"""Largest text field of a form (bytes as sent; the longest field holds 5000 characters)."""
_EMAIL = re.compile(r"^[^@\s<>\"']{1,64}@[A-Za-z0-9.-]{1,253}\.[A-Za-z]{2,63}$")
_LANG = re.compile(r"^[a-z]{2,3}$")


@dataclass(frozen=True)
class FieldSpec:
    """One field of a kind: id, type (text | textarea | date | url | url_list | list | bool), whether
    required, its maximum length in characters and its labels by language."""

    id: str
    type: str = "text"
    required: bool = False
    max_chars: int = 300
    labels: dict[str, str] = field(default_factory=dict)

    def label(self, language: str = "en") -> str:
        return self.labels.get(language) or self.labels.get("en") or self.id


def _spec(
    id: str, type: str = "text", required: bool = False, max_chars: int = 300, en: str = ""
) -> FieldSpec:
    return FieldSpec(id, type, required, max_chars, {"en": en or id.replace("_", " ").capitalize()})


_COMMON = (
    _spec("title", required=True, max_chars=300),
    _spec("summary", "textarea", required=True, max_chars=5000),
    _spec("link", "url", max_chars=2000),
)
_KIND_FIELDS: dict[str, tuple[FieldSpec, ...]] = {
    "news": _COMMON,
    "document": _COMMON,
    "event": (
        *_COMMON,
        _spec("event_start", "date", required=True, en="Start"),
        _spec("event_end", "date", en="End"),
        _spec("place_name", en="Venue"),
        _spec("place_city", en="City"),
        _spec("place_country", max_chars=8, en="Country of the venue"),
        _spec("place_online", "bool", en="Online"),
    ),
    "funding": (
        *_COMMON,
        _spec("deadline", "date", required=True, en="Deadline"),
        _spec("programme", en="Programme"),
        _spec("call_id", max_chars=255, en="Call identifier"),
    ),
}


@cache
def good_practice_fields(path: Path | None = None) -> tuple[FieldSpec, ...]:
    """The good-practice template (config/good_practice.yaml); ConfigError when malformed."""
    path = path or CONFIG_DIR / "good_practice.yaml"
    try:
        data = load_yaml_file(path)
        specs = tuple(
            FieldSpec(
                str(f["id"]),
                str(f.get("type", "text")),
                bool(f.get("required", False)),
                int(f.get("max_chars", 300)),
                {lang: str(f[lang]) for lang in LANGUAGES if lang in f},
            )
            for f in data["fields"]
        )
    except (OSError, yaml.YAMLError, KeyError, TypeError, ValueError) as exc:
        raise ConfigError([f"{path.name}: {exc}"]) from exc
    missing = [s.id for s in specs if set(s.labels) != set(LANGUAGES)]
    if missing:
        raise ConfigError([f"{path.name}: fields without a label in each of {LANGUAGES}: {missing}"])
    return specs


@cache
def criteria(path: Path | None = None) -> tuple[dict[str, str], ...]:
    """The publication criteria (config/criteria.yaml): dicts with ``id`` and a label per language."""
    path = path or CONFIG_DIR / "criteria.yaml"
    try:
        items = load_yaml_file(path)["criteria"]
        result = tuple({k: str(v) for k, v in c.items()} for c in items)
    except (OSError, yaml.YAMLError, KeyError, TypeError, AttributeError) as exc:
        raise ConfigError([f"{path.name}: {exc}"]) from exc
    if any("id" not in c or set(LANGUAGES) - set(c) for c in result):
        raise ConfigError([f"{path.name}: every criterion needs an id and labels {LANGUAGES}"])
    return result


def kind_fields(kind: str) -> tuple[FieldSpec, ...]:
    """The fields of `kind` (good practice: the template); KeyError for an unknown kind."""
    if kind == "good_practice":
        return good_practice_fields()
    return _KIND_FIELDS[kind]


def plain_text(value: Any) -> str:
    """`value` as plain text: tags and script/style content removed, entities decoded, controls and
    bidirectional controls removed (an override in a title reorders what an editor reads:
    ``gnp.exe`` shown as ``exe.png``; crawler.text.BIDI_CONTROLS), whitespace at the ends stripped."""
    text = clean_text(str(value)) or ""
    if "<" in text or "&" in text:
        text = html.unescape(nh3.clean(text, tags=set()))
        text = text.replace("<", "").replace(">", "")  # what decoding brought back is not markup either
    return (strip_bidi_controls(text) or "").strip()


def parse_when(value: str) -> datetime:
    """ISO 8601 date or datetime as aware UTC (a date: midnight UTC; naive: UTC); ValueError else.
    An instant outside the years held (``9999-12-31T23:59:59-05:00``) is the last (or first) one,
    which the deadline rule then refuses (pipelines.deadlines), never an error of the form."""
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        when = datetime.combine(date.fromisoformat(value), datetime.min.time())
    try:
        return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)
    except OverflowError:
        return (datetime.min if when.year == 1 else datetime.max).replace(tzinfo=UTC)


@dataclass
class Submission:
    """A validated contribution: kind, its plain-text `fields`, the contributor and an optional PDF."""

    kind: str
    fields: dict[str, Any]
    name: str
    email: str
    organisation: str | None = None
    country: str | None = None
    language: str | None = None
    consent: bool = False
    pdf: bytes | None = None
    pdf_name: str | None = None

    @property
    def title(self) -> str:
        return str(self.fields.get("title") or "")

    def item_fields(self) -> dict[str, Any]:
        """The structured item fields (deadline, programme, call_id, event_start, event_end, place)."""
        f = self.fields
        out: dict[str, Any] = {}
        for key in ("deadline", "event_start", "event_end"):
            if f.get(key):
                out[key] = parse_when(f[key])
        for key in ("programme", "call_id"):
            if f.get(key):
                out[key] = f[key]
        if self.kind == "event":
            place = {
                "name": f.get("place_name") or None,
                "city": f.get("place_city") or None,
                "country": f.get("place_country") or None,
                "online": bool(f.get("place_online")),
            }
            out["place"] = place
        return out


def _truthy(value: Any) -> bool:
    return str(value).strip().lower() in ("1", "true", "yes", "on")


def _field(spec: FieldSpec, raw: Any, errors: dict[str, str]) -> Any:
    if spec.type == "bool":
        return _truthy(raw) if raw is not None else False
    if spec.type in ("list", "url_list"):
        values = raw if isinstance(raw, list) else re.split(r"[\n,]", str(raw or ""))
        out = [plain_text(v) for v in values if plain_text(v)]
        if sum(len(v) for v in out) > spec.max_chars:
            errors[spec.id] = f"at most {spec.max_chars} characters"
        if spec.type == "url_list" and any(not is_web_url(v) for v in out):
            errors[spec.id] = "every link must be an absolute http(s) URL"
        elif spec.type == "url_list" and any(not is_public_link(v) for v in out):
            errors[spec.id] = PRIVATE_LINK
        if spec.required and not out:
            errors[spec.id] = "required"
        return out
    if isinstance(raw, list | dict):
        errors[spec.id] = "must be text"
        return None
    text = plain_text(raw) if raw is not None else ""
    if not text:
        if spec.required:
            errors[spec.id] = "required"
        return None
    if len(text) > spec.max_chars:
        errors[spec.id] = f"at most {spec.max_chars} characters"
    elif spec.type == "url" and not is_web_url(text):
        errors[spec.id] = "must be an absolute http(s) URL"
    elif spec.type == "url" and not is_public_link(text):
        errors[spec.id] = PRIVATE_LINK
    elif spec.type == "date":
        try:
            parse_when(text)
        except ValueError:
            errors[spec.id] = "must be an ISO 8601 date, e.g. 2026-05-14 or 2026-05-14T09:30+02:00"
    return text


PRIVATE_LINK = "must be a public web address (not localhost, a private network or a reserved address)"


def is_public_link(url: str) -> bool:
    """Whether a contributed link may name a public site: not ``localhost`` (or a name under it),
    not a name that never resolves (``.invalid``, ``.onion``), not an IP literal outside the public
    internet in any spelling (the crawl's SSRF rules, crawler.fetch.addresses). Names are not
    looked up: the form never fetches the link."""
    host = (urlsplit(url).hostname or "").rstrip(".").lower()
    if not host or host == "localhost" or host.endswith(".localhost") or never_resolves(host):
        return False
    address = parse_ip(host)
    return address is None or is_public(address)


def validate(
    kind: str,
    fields: dict[str, Any],
    contributor: dict[str, Any],
    pdf: bytes | None = None,
    pdf_name: str | None = None,
) -> Submission:
    """A `Submission` from raw input (see the module docstring); SubmissionInvalid listing every error."""
    errors: dict[str, str] = {}
    if kind not in KINDS:
        raise SubmissionInvalid({"kind": f"must be one of {', '.join(KINDS)}"})
    specs = kind_fields(kind)
    known = {s.id for s in specs}
    unknown = sorted(set(fields) - known)
    if unknown:
        errors["fields"] = f"unknown field(s) for {kind}: {', '.join(unknown[:10])}"
    values = {s.id: _field(s, fields.get(s.id), errors) for s in specs}
    values = {k: v for k, v in values.items() if v not in (None, [], "")}
    dated = (
        values.get("event_start")
        and values.get("event_end")
        and not {"event_start", "event_end"} & set(errors)
    )
    if dated and parse_when(values["event_end"]) < parse_when(values["event_start"]):
        errors["event_end"] = "before the start"
    if pdf is not None and kind not in PDF_KINDS:
        errors["pdf"] = f"a {kind.replace('_', ' ')} contribution takes no PDF; send it without one"
    elif pdf is not None:
        if len(pdf) > MAX_PDF_BYTES:
            errors["pdf"] = f"larger than {MAX_PDF_BYTES // (1024 * 1024)} MiB"
        elif not pdf.startswith(b"%PDF-"):
            errors["pdf"] = "not a PDF file"
    if kind == "document" and not values.get("link") and not pdf:
        errors["link"] = "a document needs a link or an uploaded PDF"
    name = plain_text(contributor.get("name") or "")
    email = plain_text(contributor.get("email") or "").lower()
    if not name or len(name) > 200:
        errors["name"] = "required, at most 200 characters"
    if not _EMAIL.match(email) or len(email) > 254:
        errors["email"] = "a valid email address is required"
    organisation = plain_text(contributor.get("organisation") or "")[:301] or None
    if organisation and len(organisation) > 300:
        errors["organisation"] = "at most 300 characters"
    country = plain_text(contributor.get("country") or "").upper() or None
    if country and not is_country_code(country):  # the rule of a source's `country`
        errors["country"] = "a two-letter country code (ISO 3166-1, Greece is GR) or EU" + country_hint(
            country
        )
    language = plain_text(contributor.get("language") or "").lower() or None
    if language and not _LANG.match(language):
        errors["language"] = "a two- or three-letter language code (ISO 639)"
    if errors:
        raise SubmissionInvalid(errors)
    return Submission(
        kind=kind,
        fields=values,
        name=name,
        email=email,
        organisation=organisation,
        country=country,
        language=language,
        consent=_truthy(contributor.get("consent", False)),
        pdf=pdf,
        pdf_name=plain_text(pdf_name)[:200] if pdf_name else None,
    )
