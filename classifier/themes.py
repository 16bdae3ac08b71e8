"""Load and validate config/themes.yaml, the editable definition of relevance cues and the six themes.

The file format is documented at the top of config/themes.yaml. Validation is by hand (the classifier
may only import crawler.types, the standard library, PyYAML and scikit-learn) and every error names
the field, e.g. ``themes[2].terms.de["wohn"]: weight must be a number > 0, got 'x'``.

Patterns are stored normalised (case-folded, accents removed, punctuation turned into spaces) with the
same function the rule engine applies to texts, so editors may write "Flüchtling*" or "fluchtling*".
"""

from __future__ import annotations

import ast
import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn

import yaml

from crawler.errors import ThemesConfigError
from crawler.types import EU_LANGUAGES, THEMES
from crawler.yamlerrors import yaml_error_line

EXTRA_LANGUAGES: tuple[str, ...] = ("ar", "ru", "tr", "uk")
"""Languages of large migrant communities, accepted for relevance cues (and any term list)."""

LANGUAGES: frozenset[str] = frozenset(EU_LANGUAGES + EXTRA_LANGUAGES)

ANY_LANGUAGE = "any"
"""Term-list key of language-neutral terms (acronyms, programme names) matched in every language."""

MIN_STEM = 4
"""Shortest stem (letters around the ``*``) of a one-word pattern, so a wildcard never matches half the
language; inside a phrase a stem needs 2 letters."""

SCORING_DEFAULTS: dict[str, float] = {
    "title_boost": 1.5,
    "count_cap": 3.0,
    "relevance_scale": 2.0,
    "theme_scale": 3.0,
    "negative_scale": 2.0,
    "theme_area_factor": 0.5,
    "theme_relative": 0.45,
    "max_themes": 4,
    "negative_area_scale": 0.0,
    "negative_area_cap": 0.0,
}
"""Defaults of the ``scoring`` block; the meaning of each is commented in config/themes.yaml."""

RELEVANCE_GROUPS: tuple[str, ...] = (
    "migrant",
    "ambiguous",
    "origin",
    "abroad",
    "area",
    "integration",
    "negative",
    "elsewhere",
    "europe",
)
"""``ambiguous``: migrant words with a common second sense (Italian "asilo", a kindergarten); they
count as migrant cues only beside another migrant or integration cue (classifier.rules step 7).
``origin``: people named by a non-European nationality or origin ("Eritrean", "vietnamci"); they count
as migrant cues only in an item with integration-area evidence and no ``abroad`` word (foreign affairs,
economy, sport, tourism, recipes, weather and nature), relevance negative or setting outside Europe
(classifier.rules step 7).
``elsewhere``: places outside Europe where migrants settle; they count as negatives only when no
``europe`` term (a European country, city or the EU) is in the item (classifier.rules step 7)."""

DEFAULT_PATH = Path(__file__).resolve().parents[1] / "config" / "themes.yaml"
YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's safe loader where PyYAML was built with it (ten times faster: the file is read at every
crawl's start), else the pure-Python one; both give the same data."""

TermMap = dict[str, dict[str, float]]
"""language code -> {normalised pattern: weight}"""


# --- text normalisation (shared with classifier.rules) -------------------------------------------------

_FOLD = str.maketrans(
    {
        "ß": "ss",
        "đ": "d",
        "ł": "l",
        "ø": "o",
        "æ": "ae",
        "œ": "oe",
        "ı": "i",
        "ħ": "h",
        "þ": "th",
        "ð": "d",
        "ŀ": "l",
        "ſ": "s",
        "’": " ",
        "'": " ",
    }
)
# combining marks of Latin, Greek, Cyrillic (accents, tonos, breve, diaeresis) and Arabic (harakat, hamza)
_MARKS = re.compile("[\u0300-\u036f\u0483-\u0489\u064b-\u065f\u0670]")


def normalize(text: str) -> str:
    """Case-fold, remove accents and map special letters (ß->ss, ł->l, ø->o ...); keeps length-agnostic.

    The same function is applied to texts and to patterns, so matching is accent- and case-insensitive.
    """
    text = unicodedata.normalize("NFKD", text)
    text = _MARKS.sub("", text)
    return text.casefold().translate(_FOLD)


_WORD = re.compile(r"\*?\w+\*?")


def normalize_pattern(pattern: str) -> str:
    """Normalise one term pattern to space-separated words that may carry a leading/trailing ``*``.

    Raises ValueError with a human-readable reason when the pattern has no word, a ``*`` inside a word,
    or a wildcard stem shorter than MIN_STEM letters.
    """
    text = normalize(pattern)
    if re.search(r"\w\*\w", text):
        raise ValueError("'*' may only start or end a word")
    words = _WORD.findall(text)
    if not words:
        raise ValueError("pattern has no word")
    leftover = _WORD.sub(" ", text)
    if "*" in leftover:
        raise ValueError("'*' may only start or end a word")
    # inside a phrase the other words anchor a short stem ("equality bod*"); alone it must be longer
    min_stem = MIN_STEM if len(words) == 1 else 2
    for word in words:
        core = word.strip("*")
        if "*" in core:
            raise ValueError("'*' may only start or end a word")
        if word != core and len(core) < min_stem:
            raise ValueError(f"wildcard stem {word!r} is shorter than {min_stem} letters")
    return " ".join(words)


# --- typed configuration --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scoring:
    """Constants of the scoring formulae in classifier.rules (see config/themes.yaml ``scoring``)."""

    title_boost: float
    count_cap: float
    relevance_scale: float
    theme_scale: float
    negative_scale: float
    theme_area_factor: float
    theme_relative: float
    max_themes: int
    negative_area_scale: float = 0.0
    negative_area_cap: float = 0.0


@dataclass(frozen=True)
class Thresholds:
    """Decision thresholds in [0, 1]: defaults plus per-language overrides (calibrated per language)."""

    relevance: float
    theme: float
    by_language: dict[str, dict[str, float]] = field(default_factory=dict)

    def relevance_for(self, language: str | None) -> float:
        """Relevance threshold for `language` (ISO 639-1 or None)."""
        return self.by_language.get(language or "", {}).get("relevance", self.relevance)

    def theme_for(self, language: str | None) -> float:
        """Theme threshold for `language` (ISO 639-1 or None)."""
        return self.by_language.get(language or "", {}).get("theme", self.theme)


@dataclass(frozen=True)
class Theme:
    """One of the six themes: stable id, portal name (one of crawler.types.THEMES), labels, terms."""

    id: str
    name: str
    labels: dict[str, str]
    subtopics: tuple[str, ...]
    terms: TermMap
    negative: TermMap
    area: float = 1.0
    """Share of scoring.theme_area_factor at which the theme's cues count towards the
    integration-area side of relevance (``area:`` in themes.yaml, 0 to 1, default 1): less for a
    theme whose cues name the form of an item (a report, statistics, a conference) rather than an
    area of migrants' lives."""


@dataclass(frozen=True)
class ThemeConfig:
    """The validated content of config/themes.yaml.

    relevance: group name (`RELEVANCE_GROUPS`) -> TermMap.
    sha256: hex digest of the file bytes (the rules' model version is ``rules-<first 8>``).
    """

    schema: int
    scoring: Scoring
    thresholds: Thresholds
    relevance: dict[str, TermMap]
    themes: tuple[Theme, ...]
    sha256: str
    path: str

    @property
    def version(self) -> str:
        """Model version of the rules built from this file, e.g. ``rules-1a2b3c4d``."""
        return f"rules-{self.sha256[:8]}"

    def theme(self, name_or_id: str) -> Theme:
        """The theme with this portal name or id; KeyError if none."""
        for theme in self.themes:
            if name_or_id in (theme.name, theme.id):
                return theme
        raise KeyError(name_or_id)


# --- validation -------------------------------------------------------------------------------------------


class _FieldError(ThemesConfigError):
    """A rule broken at field `where` (``relevance.migrant.de['asyl*']``, ``themes[2].labels``):
    `load` adds the line of that field, `parse` alone (no text) cannot."""

    def __init__(self, source: str, where: str, message: str):
        super().__init__(f"{source}: {where}: {message}")
        self.source, self.where, self.message = source, where, message


_PATH_PART = re.compile(r"""\.?([A-Za-z_][\w-]*)|\[(\d+)\]|\[('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")\]""")


def line_of(text: str | bytes, where: str) -> int:
    """The 1-based line of field `where` (as `_Checker` names it) in the YAML `text`: the line of the
    deepest key or list element of the path that exists (a missing key: its parent's line; the
    ``top level``: 1). Only called on the error path, so it may compose the whole file again."""
    try:
        node: yaml.Node | None = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return 1
    line = 1
    pos = 0
    while node is not None and pos < len(where):
        m = _PATH_PART.match(where, pos)
        if m is None:
            break
        pos = m.end()
        key: object = m.group(1) if m.group(1) is not None else None
        if m.group(2) is not None:
            key = int(m.group(2))
        elif m.group(3) is not None:
            key = ast.literal_eval(m.group(3))
        found: yaml.Node | None = None
        if isinstance(node, yaml.MappingNode) and isinstance(key, str):
            for k, v in node.value:
                if isinstance(k, yaml.ScalarNode) and k.value == key:
                    line, found = k.start_mark.line + 1, v
                    break
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and 0 <= key < len(node.value):
            found = node.value[key]
            line = found.start_mark.line + 1
        node = found
    return line


class _Checker:
    """Collects nothing: raises at the first error, prefixed with the file name."""

    def __init__(self, source: str):
        self.source = source

    def fail(self, where: str, message: str) -> NoReturn:
        raise _FieldError(self.source, where, message)

    def mapping(self, value: Any, where: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            self.fail(where, f"must be a mapping, got {type(value).__name__}")
        for key in value:
            if not isinstance(key, str):
                self.fail(where, f"keys must be strings, got {key!r} (quote it in YAML)")
        mapping: dict[str, Any] = value
        return mapping

    def number(self, value: Any, where: str, low: float, high: float | None = None) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.fail(where, f"must be a number, got {value!r}")
        if value < low or (high is not None and value > high):
            bounds = f"in [{low}, {high}]" if high is not None else f">= {low}"
            self.fail(where, f"must be {bounds}, got {value!r}")
        return float(value)

    def unknown_keys(self, value: dict[str, Any], allowed: set[str], where: str) -> None:
        extra = sorted(set(value) - allowed)
        if extra:
            self.fail(where, f"unknown key(s) {', '.join(extra)}; allowed: {', '.join(sorted(allowed))}")

    def term_map(self, value: Any, where: str, masks: bool = False) -> TermMap:
        """language -> {pattern: weight}; with `masks` (negative lists) a weight may be 0: the words
        are another sense and count for nothing, without lowering the score."""
        out: TermMap = {}
        for lang, terms in self.mapping(value, where).items():
            if lang not in LANGUAGES and lang != ANY_LANGUAGE:
                self.fail(
                    f"{where}.{lang}",
                    f"unknown language code; allowed: {', '.join(sorted(LANGUAGES))} or {ANY_LANGUAGE}",
                )
            seen: dict[str, str] = {}
            for raw, weight in self.mapping(terms if terms is not None else {}, f"{where}.{lang}").items():
                here = f"{where}.{lang}[{raw!r}]"
                try:
                    pattern = normalize_pattern(raw)
                except ValueError as exc:
                    self.fail(here, str(exc))
                w = self.number(weight, here, 0.0)
                if w == 0 and not masks:
                    self.fail(here, "weight must be > 0 (delete the term instead)")
                if pattern in seen:
                    self.fail(here, f"same pattern as {seen[pattern]!r} once accents and case are ignored")
                seen[pattern] = raw
                out.setdefault(lang, {})[pattern] = w
        return out


def parse(data: Any, source: str = "themes.yaml", sha256: str = "") -> ThemeConfig:
    """Validate the parsed YAML `data` and build a ThemeConfig. Raises ThemesConfigError naming the field."""
    c = _Checker(source)
    root = c.mapping(data, "top level")
    c.unknown_keys(root, {"schema", "scoring", "thresholds", "relevance", "themes"}, "top level")
    if root.get("schema") != 1:
        c.fail("schema", f"must be 1, got {root.get('schema')!r}")

    raw_scoring = c.mapping(root.get("scoring") or {}, "scoring")
    c.unknown_keys(raw_scoring, set(SCORING_DEFAULTS), "scoring")
    values = {k: c.number(raw_scoring.get(k, d), f"scoring.{k}", 0.0) for k, d in SCORING_DEFAULTS.items()}
    for key in ("theme_relative", "theme_area_factor"):
        c.number(values[key], f"scoring.{key}", 0.0, 1.0)
    for key in ("relevance_scale", "theme_scale", "negative_scale"):
        if values[key] <= 0:
            c.fail(f"scoring.{key}", "must be > 0")
    if values["max_themes"] < 1 or values["max_themes"] != int(values["max_themes"]):
        c.fail("scoring.max_themes", f"must be a whole number >= 1, got {values['max_themes']!r}")
    scoring = Scoring(**{**values, "max_themes": int(values["max_themes"])})  # type: ignore[arg-type]

    raw_thr = c.mapping(root.get("thresholds") or {}, "thresholds")
    c.unknown_keys(raw_thr, {"relevance", "theme", "by_language"}, "thresholds")
    by_language: dict[str, dict[str, float]] = {}
    for lang, over in c.mapping(raw_thr.get("by_language") or {}, "thresholds.by_language").items():
        if lang not in LANGUAGES:
            c.fail(f"thresholds.by_language.{lang}", "unknown language code")
        over = c.mapping(over, f"thresholds.by_language.{lang}")
        c.unknown_keys(over, {"relevance", "theme"}, f"thresholds.by_language.{lang}")
        by_language[lang] = {
            k: c.number(v, f"thresholds.by_language.{lang}.{k}", 0.0, 1.0) for k, v in over.items()
        }
    thresholds = Thresholds(
        relevance=c.number(raw_thr.get("relevance", 0.5), "thresholds.relevance", 0.0, 1.0),
        theme=c.number(raw_thr.get("theme", 0.4), "thresholds.theme", 0.0, 1.0),
        by_language=by_language,
    )

    raw_rel = c.mapping(root.get("relevance"), "relevance")
    c.unknown_keys(raw_rel, set(RELEVANCE_GROUPS), "relevance")
    for group in ("migrant", "area"):
        if not raw_rel.get(group):
            c.fail(f"relevance.{group}", "is required and may not be empty (THEMES.md 1.5 needs both cues)")
    relevance = {
        g: c.term_map(raw_rel.get(g) or {}, f"relevance.{g}", masks=g == "negative") for g in RELEVANCE_GROUPS
    }

    raw_themes = root.get("themes")
    if not isinstance(raw_themes, list):
        c.fail("themes", "must be a list of the six themes")
    themes: list[Theme] = []
    ids: set[str] = set()
    for i, raw in enumerate(raw_themes):
        where = f"themes[{i}]"
        t = c.mapping(raw, where)
        c.unknown_keys(t, {"id", "name", "labels", "subtopics", "terms", "negative", "area"}, where)
        tid, name = t.get("id"), t.get("name")
        if not isinstance(tid, str) or not re.fullmatch(r"[a-z][a-z0-9_]*", tid):
            c.fail(f"{where}.id", f"must be a lower-case identifier like 'social_cohesion', got {tid!r}")
        if not isinstance(name, str):
            c.fail(f"{where}.name", f"must be one of {', '.join(THEMES)}; got {name!r}")
        if tid in ids:
            c.fail(f"{where}.id", f"duplicate id {tid!r}")
        ids.add(tid)
        if name not in THEMES:
            c.fail(f"{where}.name", f"must be one of {', '.join(THEMES)}; got {name!r}")
        labels = c.mapping(t.get("labels"), f"{where}.labels")
        missing = [lang for lang in EU_LANGUAGES if not isinstance(labels.get(lang), str) or not labels[lang]]
        if missing:
            c.fail(f"{where}.labels", f"needs a label in every EU language; missing: {', '.join(missing)}")
        subtopics = t.get("subtopics") or []
        if not isinstance(subtopics, list) or not all(isinstance(s, str) and s for s in subtopics):
            c.fail(f"{where}.subtopics", "must be a list of non-empty strings")
        terms = c.term_map(t.get("terms"), f"{where}.terms")
        if not terms:
            c.fail(f"{where}.terms", "needs at least one language with terms")
        negative = c.term_map(t.get("negative") or {}, f"{where}.negative", masks=True)
        area = c.number(t.get("area", 1.0), f"{where}.area", 0.0, 1.0)
        themes.append(Theme(tid, name, dict(labels), tuple(subtopics), terms, negative, area))
    names = [t.name for t in themes]
    if sorted(names) != sorted(THEMES):
        missing_names = sorted(set(THEMES) - set(names))
        c.fail("themes", f"must define each of the six themes exactly once; missing: {missing_names}")
    order = {name: i for i, name in enumerate(THEMES)}
    themes.sort(key=lambda t: order[t.name])
    return ThemeConfig(1, scoring, thresholds, relevance, tuple(themes), sha256, source)


def load(path: str | Path | None = None) -> ThemeConfig:
    """Read and validate themes.yaml (default: config/themes.yaml next to the package).

    Raises ThemesConfigError when the file is missing, is not valid YAML, or breaks a rule; the
    message reads ``FILE:LINE: field: problem`` (``FILE: cannot read: ...`` for an unreadable file).
    """
    p = Path(path) if path is not None else DEFAULT_PATH
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise ThemesConfigError(f"{p}: cannot read: {exc.strerror or exc}") from exc
    try:
        data = yaml.load(raw, Loader=YAML_LOADER)  # noqa: S506 (both loaders are safe ones)
    except yaml.YAMLError as exc:  # FILE:LINE:COLUMN (crawler.yamlerrors)
        raise ThemesConfigError(yaml_error_line(str(p), exc, raw, "not valid YAML")) from exc
    try:
        return parse(data, str(p), hashlib.sha256(raw).hexdigest())
    except _FieldError as exc:
        line = line_of(raw, exc.where)
        raise ThemesConfigError(f"{p}:{line}: {exc.where}: {exc.message}") from None
