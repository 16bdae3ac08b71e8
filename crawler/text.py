"""Text hygiene shared by the pipelines and the store, and the one text form of timestamps and
token digests (stdlib only).

Rules (../shared/RELIABILITY.md §2, "Text normalisation before store"): NUL and C0 control
characters other than TAB, LF and CR are removed; lone surrogates become U+FFFD; long values are
truncated at a character boundary whose UTF-8 encoding fits the byte budget, before any sanitising.
PostgreSQL refuses NUL in text and both drivers refuse lone surrogates, so this runs on every text
field on its way to either database, giving byte-identical values on both.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from datetime import UTC, date, datetime
from typing import Any

_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SURROGATES = re.compile("[\ud800-\udfff]")
_SPACES = re.compile(r"[^\S\n]+")
_INLINE_SPACES = re.compile(r"\s+")
_BLANK_LINES = re.compile(r"\n\s*\n+")
_INVISIBLE = re.compile("[\u00ad\u200b\u200c\u200d\u2060\ufeff]")  # soft hyphen, zero-width characters


def clean_text(value: str | None) -> str | None:
    """Remove NUL and C0/DEL controls (keeping TAB, LF, CR) and replace lone surrogates with U+FFFD.

    A valid surrogate pair that arrived split (as from JSON ``\\ud83d\\udc4d``) is joined into its
    character first. Returns None for None.
    """
    if value is None:
        return None
    if _SURROGATES.search(value):
        # join valid pairs, then replace whatever is still unpaired
        value = value.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
        value = _SURROGATES.sub("\ufffd", value)
    if _CONTROLS.search(value):
        value = _CONTROLS.sub("", value)
    return value


BIDI_CONTROLS = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
"""Bidirectional controls: the Arabic letter mark, LRM/RLM, embeddings, overrides and isolates."""


_LINE_ENDS = frozenset("\r\n\u2029\u0085")
_MIRRORED = str.maketrans("()[]{}<>«»‹›", ")(][}{><»«›‹")
"""Brackets a right-to-left run shows mirrored (Unicode's Bidi_Mirrored pairs in common use)."""
_JOINERS = frozenset("\u200d\ufe0e\ufe0f")


def _clusters(text: str) -> list[str]:
    """`text` in user-perceived characters: a base with its combining marks, joiner sequences
    (emoji with ZWJ or variation selectors) and regional-indicator pairs (flags) kept together."""
    out: list[str] = []
    for ch in text:
        regional = "\U0001f1e6" <= ch <= "\U0001f1ff"
        joins = bool(out) and (
            unicodedata.category(ch) in ("Mn", "Mc", "Me")
            or ch in _JOINERS
            or out[-1][-1] == "\u200d"
            or (regional and "\U0001f1e6" <= out[-1][-1] <= "\U0001f1ff" and len(out[-1]) == 1)
        )
        if joins:
            out[-1] += ch
        else:
            out.append(ch)
    return out


def _as_read(run: str) -> str:
    """An override run as a reader saw it: left-to-right text reversed by user-perceived character
    with its brackets mirrored; a run holding right-to-left letters reads as written (they run
    right to left anyway), so only its controls go."""
    run = BIDI_CONTROLS.sub("", run)
    if any(unicodedata.bidirectional(ch) in ("R", "AL") for ch in run):
        return run
    return "".join(reversed(_clusters(run))).translate(_MIRRORED)


def strip_bidi_controls(value: str | None) -> str | None:
    """`value` without `BIDI_CONTROLS`: typed into a field, or left in a place that cannot isolate it
    (an HTML ``<title>``), they can reorder the text around it (Trojan Source, CVE-2021-42574).

    Rule: what a reader saw is what is kept. A right-to-left override shows a left-to-right run
    reversed (``‮seegufeR rof sesruoC‬`` reads "Courses for Refugees"; ``Integration ‮evil‬`` reads
    "Integration live"), so such a run is reversed as it is unwrapped (`_as_read`: by perceived
    character, brackets mirrored; Arabic or Hebrew in a run is kept as written); every other control
    (marks, embeddings, a left-to-right override, isolates) only moves neutral characters and is
    dropped. An override nested in another is read with it as one run. None for None."""
    if value is None:
        return None
    if "\u202e" in value:
        value = _unwrap_overrides(value)
    return BIDI_CONTROLS.sub("", value)


def _unwrap_overrides(value: str) -> str:
    """`value` with each right-to-left override run replaced by `_as_read` of it. A run ends at its
    pop (U+202C; embeddings and overrides opened inside it pop first), at the close (U+2069) of an
    isolate around it, or at the end of its line or paragraph."""
    out: list[str] = []
    i, n = 0, len(value)
    while i < n:
        start = value.find("\u202e", i)
        if start < 0:
            out.append(value[i:])
            break
        out.append(value[i:start])
        j, pushes, isolates = start + 1, 0, 0
        while j < n and value[j] not in _LINE_ENDS:
            ch = value[j]
            if ch in "\u202a\u202b\u202d\u202e":
                pushes += 1
            elif ch == "\u202c":
                if pushes == 0:
                    break
                pushes -= 1
            elif ch in "\u2066\u2067\u2068":
                isolates += 1
            elif ch == "\u2069":
                if isolates == 0:
                    break
                isolates -= 1
            j += 1
        out.append(_as_read(value[start + 1 : j]))
        i = j + 1 if j < n and value[j] == "\u202c" else j
    return "".join(out)


def has_dirty_chars(value: str | None) -> bool:
    """True when `clean_text` would change the value (used to count cleaned items)."""
    return bool(value) and bool(_CONTROLS.search(value) or _SURROGATES.search(value))  # type: ignore[arg-type]


def shorten(text: str, limit: int) -> str:
    """`text` when it has at most `limit` characters, else cut to `limit` - 1 at the last space past
    half of it (mid-word when there is none) with trailing punctuation dropped, plus "…"."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" .,;:–—-") + "…"


def squash_whitespace(value: str | None) -> str | None:
    """One-line text: every Unicode space (U+00A0 included) and newline becomes one U+0020; soft hyphens
    and zero-width characters are removed; stripped."""
    if value is None:
        return None
    value = _INVISIBLE.sub("", unicodedata.normalize("NFC", value))
    return _INLINE_SPACES.sub(" ", value).strip()


def tidy_paragraphs(value: str | None) -> str | None:
    """Multi-line text: spaces collapsed within lines, at most one blank line between paragraphs."""
    if value is None:
        return None
    value = unicodedata.normalize("NFC", value).replace("\r\n", "\n").replace("\r", "\n")
    lines = [_SPACES.sub(" ", line).strip() for line in value.split("\n")]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


def truncate_utf8(value: str | None, max_bytes: int) -> tuple[str | None, bool]:
    """Cut `value` so its UTF-8 encoding is at most `max_bytes` bytes, never inside a character.

    Returns (value, truncated). `max_bytes` must be >= 0.
    """
    if value is None:
        return None, False
    encoded = value.encode("utf-8", "surrogatepass")
    if len(encoded) <= max_bytes:
        return value, False
    return encoded[:max_bytes].decode("utf-8", "ignore"), True


PRECISION_FORMATS = {
    "year": "%Y",
    "month": "%Y-%m",
    "day": "%Y-%m-%d",
    "minute": "%Y-%m-%d %H:%M UTC",
    "second": "%Y-%m-%d %H:%M:%S UTC",
}
"""How `when` shows a moment at each precision: a time of day always names its zone (UTC, the zone the
store keeps), a date alone (day, month, year) never shows a time or a zone."""


def _parse_when(value: str) -> datetime | date | None:
    text = value.strip()
    try:
        if len(text) == 10 and "T" not in text and " " not in text:
            return date.fromisoformat(text)
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


def when(value: Any, precision: str = "minute", flags: Any = None) -> str:
    """The one way a date or a time is shown to people (the desk's Jinja filter ``dt``, the digests,
    the changes by a source).

    `value` is an aware datetime (shown in UTC), a naive one (taken as UTC, as the store keeps them),
    a `date`, or an ISO 8601 string of either; None shows "—", any other string as it is.
    `precision` is one of `PRECISION_FORMATS`: "minute" gives ``2023-07-01 09:16 UTC``, "second"
    ``2023-07-01 09:16:05 UTC``, "day" ``2023-07-01``, "month" ``2023-07``, "year" ``2023``. A `date`
    (or a date-only string) has no time of day, so it never shows more than the day. `flags` are an
    item's flags: its date precision flags (crawler.types `PRECISION_FLAGS`: ``date_only``,
    ``date_month``, ``date_year``) cut the precision to the day, month or year the source gave.
    """
    if value is None or value == "":
        return "—"
    if isinstance(value, str):
        parsed = _parse_when(value)
        if parsed is None:
            return value
        value = parsed
    if not isinstance(value, date):
        return str(value)
    shown = precision if precision in PRECISION_FORMATS else "minute"
    flag_set = set(flags or [])
    if "date_year" in flag_set:
        shown = "year"
    elif "date_month" in flag_set and shown != "year":
        shown = "month"
    elif "date_only" in flag_set and shown in ("minute", "second"):
        shown = "day"
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        value = value.astimezone(UTC)
    elif shown in ("minute", "second"):
        shown = "day"
    return value.strftime(PRECISION_FORMATS[shown])


def iso_z(value: datetime | None) -> str | None:
    """ISO 8601 in UTC with a ``Z`` suffix (naive values are taken as UTC); None for None.

    The one text form of a timestamp in API answers, exports, CLI output and stored JSON:
    ``2025-03-04T09:00:00Z``, microseconds kept when present.
    """
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def token_hash(token: str) -> str:
    """SHA-256 hex (64 characters) of a bearer secret: an API token or a session cookie token.

    Only this digest is stored (api_tokens.token_hash, web_sessions.id), never the token. Text that
    is not valid UTF-8 (lone surrogates) is encoded with replacement, so any input gives a digest.
    """
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


def counted(n: int, singular: str, plural: str | None = None) -> str:
    """``n`` and its noun in English number: ``counted(1, "item")`` is "1 item", 0 and 2 give "items"
    (``plural`` when the plural is not singular + "s", e.g. ``counted(2, "day left", "days left")``).
    Thousands get a comma ("1,000 items"), as the desk prints its capped counts."""
    noun = singular if abs(n) == 1 else (plural or singular + "s")
    return f"{n:,} {noun}"


METADATA_LABELS = (
    # en, de, fr, it, es, pt, nl, pl, cs, sv, da, fi, ro, hu, el: a parliamentary document's rapporteur,
    # author and procedure as its cover page and the EP's and EUR-Lex's listings print them
    "rapporteur", "rapporteurs", "co-rapporteur", "rapporteure", "berichterstatter",
    "berichterstatterin", "mitberichterstatter", "relatore", "relatrice", "relatori", "relator",
    "relatora", "ponente", "rapporteurs fictifs", "sprawozdawca", "sprawozdawczyni", "zpravodaj",
    "zpravodajka", "föredragande", "ordfører", "esittelijä", "raportor", "előadó", "εισηγητής",
    "εισηγήτρια", "author", "authors", "autor", "autorin", "auteur", "auteurs", "autore", "autori",
    "autora", "procedure", "procédure", "verfahren", "procedura", "procedimiento", "procedimento",
    "procedure file", "procedure reference", "verfahrensnummer", "numéro de procédure",
    "date of document", "datum des dokuments", "date du document",
    # the rapporteur of a committee's opinion, as the EP's documents name them
    "rapporteur for the opinion", "draftsperson", "draftsman", "draftswoman", "rapporteur pour avis",
    "rapporteure pour avis", "verfasser der stellungnahme", "verfasserin der stellungnahme",
    "relatore per parere", "relatrice per parere", "ponente de opinión", "relator de parecer",
    "rapporteur voor advies", "sprawozdawca komisji opiniodawczej", "föredragande av yttrandet",
)  # fmt: skip
"""Labels of a document's metadata in the EU languages (lower case), written "Label:" (French
"Label :"); a title that runs into one is cut before it (pipelines.titles.cut_headline)."""
METADATA_LABEL = re.compile(
    r"(?<![\w-])(?:"
    + "|".join(sorted(map(re.escape, METADATA_LABELS), key=len, reverse=True))
    + r")\s?:(?!\w)",
    re.IGNORECASE,
)
COMMITTEE_NAME = re.compile(
    r"(?<!\w)(?:committee (?:on|for|of)|special committee|subcommittee on|ausschuss für|"
    r"haushaltskontrollausschuss|rechtsausschuss|commission (?:des?|du|de la|de l['’])|"
    r"commissione|comisión de|comissão (?:de|dos|das)|komisja|commissie (?:voor|)|výbor pro|utskottet för)"
    r"(?:\W+\w+){0,12}?\W*$",
    re.IGNORECASE,
)
"""A committee's name at the end of what precedes a metadata label ("Committee on Budgetary Control
Rapporteur:"): it belongs to the metadata, not to the headline."""
