"""What one compact queue row shows besides its columns: a one-line snippet, the top reasons for the
relevance score, and the claim line; and the claim line of the item page.

Rules:
- snippet: the row's ``snippet_source`` (editor's summary, else harvested summary, else text; the
  store cuts it to `crawler.store.queue.SNIPPET_SOURCE_CHARS`) on one line (`squash_whitespace`, bidi
  controls removed), starting where the document's own words start: leading copies of the title
  are dropped (a summary that repeats the title, then the text's own), each recognised word by word
  whatever the punctuation and case between the words (a kicker and headline printed as two lines,
  "Schnellere Integration" / "Job-Turbo" hilft..., are the title "Schnellere Integration: Job-Turbo
  hilft..."), and so are leading lines of at most one word while a line follows (a page's label or
  badge, "Článek", "REKLAMA", a comment count "47") and leading lines of site chrome
  (crawler.web.chrome_lines: a host name or URL alone, "www.make-it-in-germany.com"; a number or
  counter, "1", "Page 1 of 3", "3 min read"; a breadcrumb, "Home > News > Job-Turbo"); then the
  snippet starts at the first line of prose (`PROSE_WORDS` words or more, or a sentence's final
  stop; never a chrome line), so a document's reference lines ("ID-nummer: SOU 2013:75",
  "Ansvarig: Näringsdepartementet", "Ladda ner:") are left out, unless no line is prose; then it
  is cut at a word boundary to at most `SNIPPET_CHARS` characters with "…"; "" when nothing is left.
  Not prose either: form fields (`is_label_run`), table rows (`is_table_row`), lists of names; a line
  that is the title cut short is a copy of it, a badge before " | " is dropped and a start inside a
  bracket begins after it (`_opening`). A harvested summary with no prose, or a site's description
  (`is_generic`: another item of the source has it, or it shares no word with the text), gives way
  to the text (EP and EUR-Lex document pages, news sites' meta descriptions).
  The page escapes it like every harvested string, and CSS ellipsis keeps it to one line on any
  width.
- reasons: at most `REASONS_SHOWN` evidence terms of the relevance score (crawler.store.queue rows'
  ``relevance_evidence``: ``[{term, weight, language, count}]``), the ones that weigh most in the
  score first (|weight| x count, count 1 when absent); ties by term. The side that decided leads:
  for an item the classifier judged not relevant, the negative terms (negative contexts such as
  "neue chefin", the marker `classifier.model.NO_MIGRANT_CUE`) come first, heaviest first, then the
  positive ones, so a low score never opens with the words that pushed it up. Otherwise, when the
  evidence has a negative term and none is among the heaviest, the heaviest negative takes the
  last slot: it is what held the score down.
  Each is ``{term, written, language, pushes, weight, count}`` (written: the words as the item writes
  them, shown instead of the rule's pattern when known) with pushes "up" (weight > 0) or "down"
  (weight < 0); weights that round to 0.00 (`weighs`), a learned model's words that move its
  log-odds by less than `MODEL_REASON_MIN` and entries that are not mappings with a text term are
  skipped, so evidence from older classifier versions still shows. The queue rows and the
  item page (up to `REASONS_ON_ITEM`) both show these.
- published line: the item page's publication date in words, with how precise it is and where it
  came from (``20 Jan 2022 (the page gives the day only)``, ``No publication date found``, which the
  queue shows as "undated"). The queue's Published column shows the date as precise as the source
  gave it, from the item's precision flags and never guessed from a time of 00:00 (the ``dt``
  filter, crawler.text `when`, with ``r.flags``: ``2025``, ``2025-03``, ``2025-03-04``), as
  ``ewsi queue``'s table does (crawler.commands.queue `published_cell`).
- claim line: the same words for every viewer, with the time as absolute UTC (``14:05 UTC``) rather
  than a local or relative time, so two editors in different time zones read the same line.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from crawler.text import COMMITTEE_NAME as _COMMITTEE
from crawler.text import METADATA_LABEL as _LABEL
from crawler.text import shorten, squash_whitespace, strip_bidi_controls, when
from crawler.types import EU_LANGUAGES
from crawler.web.chrome_lines import is_chrome_line

SNIPPET_CHARS = 240
"""Longest snippet in characters: more than one line of the widest queue column holds."""
PROSE_WORDS = 6
"""A line of at least this many words of two letters or more reads as prose, not as a label or a
reference line (``European Parliament: 12016E077 ; 12016E218`` has two)."""
REASONS_SHOWN = 3
"""Evidence terms a queue row shows."""
REASONS_ON_ITEM = 12
"""Evidence terms the item page shows."""
MODEL_REASON_MIN = 0.04
"""Least a learned model's word (``model:...``, classifier.model.MODEL_PREFIX) must add to or take
from the model's log-odds to be a reason: 0.04 moves the model's probability by one point at even
odds. Half the model words the classifier lists weigh 0.01 or less (the relevant items of
themes_train: median 0.010, 90th percentile 0.031): function words and place names ("uden",
"vente", "Nitre") that took the second and third chips beside a rule term of weight 3."""


_WORD = re.compile(r"[^\W_]+")
_LETTER_WORD = re.compile(r"[^\W\d_]{2,}")
_SENTENCE_STOP = re.compile(r"[^\W\d_]{2}[.!?…][\"'»”’)\]]*(?:\s|$)")
"""A sentence's end: a word of two letters or more, its stop, closing quotes, then a space or the end
(not the dots of ``europa.eu`` or ``12.10.2022``)."""
_FIELD_LABEL = re.compile(r"(?:^|(?<=[\s,;|]))[^\W\d_][\w'’.()/-]*(?:[ \t][\w'’.()/-]+){0,3}[ \t]?:(?=\s|$)")
"""A form field's label: one to four words and a colon ("Total supporters:", "Date of document:",
French "Rapporteur :")."""
_EMPTY_FIELD = re.compile(r":\s*(?:[-–—]\s*)?(?:[-–—]|$)")
"""A label with no value: "Rapporteur: -", "Form: -", "Author:" at the line's end."""
_DATE = re.compile(r"(?<!\w)(?:\d{1,2}[./]\d{1,2}[./]\d{4}|\d{4}-\d{2}-\d{2})(?!\w)")
_CODE = re.compile(r"(?<!\S)(?=[^\s]*\d)(?:[^\W\d_]+\d*[-/][\w/()-]*\d[\w/()-]*|\d+/\d+[\w/()-]*)(?!\S)")
"""A document reference: "B9-0462/2022", "T9-0364/2022", "2022/2852(RSP)"."""
_BADGE = re.compile(r"[^|\n]{1,40}?\s+\|\s+")
"""A segment before " | " at the start: a section badge ("Université | Le décret ...")."""
_SEPARATOR_START = re.compile(r"^\s*(?:\||-|–|—|·|•)\s+")
_SWITCHER = re.compile(
    r"^\s*(?:(?:" + "|".join(code.upper() for code in sorted(EU_LANGUAGES)) + r")(?:\s*[|/·•,]\s*|\s+)){5,}"
)
"""A leading run of five or more of the EU's language codes in capitals ("BG CS DA DE EL EN ...",
"DE | EN | FR | NL | IT"): a page's language switcher, not its text."""
GENERIC_MIN_WORDS = 5
"""A description of at least this many words of five letters or more that shares none of them with
the item's text describes the site, not the item (short words, "from", "with", are every text's)."""
_WORD5 = re.compile(r"[^\W\d_]{5,}")


def _title_copy(title: str | None) -> re.Pattern[str] | None:
    """A pattern matching `title` at a text's start word by word, any punctuation or line breaks
    between the words, case ignored, and the rest of its line up to the next word; None for a title
    without words."""
    words = _WORD.findall(strip_bidi_controls(title or "") or "")
    if not words:
        return None
    return re.compile(r"\W*" + r"[\W_]+".join(map(re.escape, words)) + r"(?!\w)[^\w\n]*", re.IGNORECASE)


def _title_head(line: str, title: str | None) -> bool:
    """Whether `line` is the start of `title` cut short (a summary that is the title's first 120
    characters): its words, at least four or all of the title's, are the title's first words."""
    words = [w.casefold() for w in _WORD.findall(line)]
    titled = [w.casefold() for w in _WORD.findall(strip_bidi_controls(title or "") or "")]
    return len(words) >= min(4, len(titled)) > 0 and titled[: len(words)] == words


def is_label_run(line: str) -> bool:
    """Whether `line` is a run of form fields rather than prose: no sentence's end, and two labels
    or more ("Total supporters: 15429 Support link: https://..."), a label without a value
    ("Rapporteur: - Ryszard CZARNECKI - Form: -"), or a document metadata label
    (`crawler.text.METADATA_LABELS`: "Committee on Constitutional Affairs Rapporteur: ...") or
    a committee's name ("European Parliament, Committee on Budgetary Control")."""
    if _SENTENCE_STOP.search(line):
        return False
    return (
        len(_FIELD_LABEL.findall(line)) >= 2
        or bool(_EMPTY_FIELD.search(line))
        or bool(_LABEL.search(line))
        or bool(_COMMITTEE.search(line))
    )


def is_table_row(line: str) -> bool:
    """Whether `line` is a table's row or header rather than prose: cells between " | " (two or
    more), or, with no sentence's end, two dates and two document references ("Motion for a
    resolution B9-0462/2022 12/10/2022 Motion for a resolution B9-0463/2022 12/10/2022")."""
    if line.lstrip().startswith("|") or line.count(" | ") >= 2:
        return True
    if _SENTENCE_STOP.search(line):
        return False
    return len(_DATE.findall(line)) >= 2 and len(_CODE.findall(line)) >= 2


def _names_list(line: str) -> bool:
    """A list of names (a motion's signatories): two commas or more, no sentence's end, and nearly
    every word capitalised."""
    words = _LETTER_WORD.findall(line)
    if line.count(",") < 2 or _SENTENCE_STOP.search(line) or not words:
        return False
    return sum(w[0].isupper() for w in words) >= 0.85 * len(words)


def _skip_labels(lines: list[str]) -> list[str]:
    """`lines` without their leading lines of at most one word or of site chrome (a host name or URL,
    a counter, a breadcrumb: crawler.web.chrome_lines), the last line always kept."""
    while len(lines) > 1 and (len(_WORD.findall(lines[0])) <= 1 or is_chrome_line(lines[0])):
        lines = lines[1:]
    return lines


def _is_prose(line: str) -> bool:
    """Whether `line` reads as prose: `PROSE_WORDS` words or more, or ending with a sentence's stop;
    never site chrome (``www.make-it-in-germany.com`` has six words, ``Page 1 of 3.`` a stop), a
    label run, a table row or a list of names."""
    if is_chrome_line(line) or is_label_run(line) or is_table_row(line) or _names_list(line):
        return False
    return len(_LETTER_WORD.findall(line)) >= PROSE_WORDS or line.rstrip("\"'»«”“’‘)]").endswith(
        (".", "!", "?", "…")
    )


OPEN_BRACKET_CHARS = 30
"""A closing bracket without its opening one this close to a line's start means the line starts
inside a bracket; further on it is a list's marker ("Buchstaben a) und b)")."""


def _after_open_bracket(line: str) -> str:
    """`line` from after its first bracket that closes one opened before the line, when that is in
    its first `OPEN_BRACKET_CHARS` characters ("2024/2006(REG)) Committee on ...": the text started
    inside the bracket)."""
    depth = 0
    for i, char in enumerate(line[:OPEN_BRACKET_CHARS]):
        if char in "([":
            depth += 1
        elif char in ")]":
            depth -= 1
            if depth < 0:
                return line[i + 1 :].lstrip(" ,;:.-–—)]")
    return line


def _opening(text: str, title: str | None) -> str:
    """`text` (one line per paragraph) from where its own words start: leading labels, copies of
    the title (whole, or cut short when it is the whole line) and a badge before " | " skipped."""
    lines = [
        line
        for line in (squash_whitespace(part) for part in (strip_bidi_controls(text) or "").splitlines())
        if line
    ]
    lines = _skip_labels(lines)
    copy = _title_copy(title)
    while lines:
        joined = "\n".join(lines)
        found = copy.match(joined) if copy is not None else None
        if found and found.end():
            rest = joined[found.end() :].lstrip()
            if found.group().rstrip().endswith(("|", "-", "–", "—")):  # a site suffix: "Title | PSL"
                rest = re.sub(r"^[^\n|]{1,40}?(?:\s+\||\n)", "", rest, count=1).lstrip() or rest
            lines = _skip_labels(rest.splitlines())
            continue
        if len(lines) > 1 and _title_head(lines[0], title):
            lines = _skip_labels(lines[1:])
            continue
        if len(lines) == 1 and _title_head(lines[0], title):
            return ""
        break
    if lines:
        lines[0] = _SWITCHER.sub("", lines[0], count=1)
    if lines and (badge := _BADGE.match(lines[0])) and len(_WORD.findall(badge.group())) <= 3:
        lines[0] = lines[0][badge.end() :]
    if lines:
        lines[0] = _SEPARATOR_START.sub("", _after_open_bracket(lines[0]), count=1)
    return "\n".join(line for line in lines if line)


def _from_prose(lines: list[str]) -> list[str] | None:
    """`lines` from the first line of prose (its start inside a bracket skipped); None when none is."""
    start = next((i for i, line in enumerate(lines) if _is_prose(_after_open_bracket(line))), None)
    if start is None:
        return None
    return [_after_open_bracket(lines[start]), *lines[start + 1 :]]


def _fallback(lines: list[str]) -> list[str]:
    """`lines` without their leading labels, label runs and table rows: what shows when no line is
    prose."""
    kept = [line for line in lines if not (is_label_run(line) or is_table_row(line))]
    return _skip_labels(kept) if kept else []


def is_generic(summary: str | None, text: str | None, shared: bool = False) -> bool:
    """Whether a harvested description describes the site rather than the item, when the item has
    text: the same description on another item of its source (`shared`), or one of at least
    `GENERIC_MIN_WORDS` words of five letters or more that shares none of them with the text ("The latest
    headlines and information from Costa Rica ..." above an article on migration)."""
    if not summary or not (text or "").strip():
        return False
    if shared:
        return True
    words = {w.casefold() for w in _WORD5.findall(summary)}
    return len(words) >= GENERIC_MIN_WORDS and not words & {w.casefold() for w in _WORD5.findall(text or "")}


def snippet(
    source: str | None,
    title: str | None = None,
    limit: int = SNIPPET_CHARS,
    text: str | None = None,
    shared: bool = False,
) -> str:
    """The one-line snippet of a row (module docstring); "" when there is no text. `source` is the
    summary (or the text when there is none), `text` the item's text when `source` is its summary,
    `shared` whether the summary is also another item's of the same source."""
    sources = [source, text]
    if text is not None and is_generic(source, text, shared):
        sources = [text]
    openings = [_opening(s or "", title).splitlines() for s in sources if s]
    chosen = next((found for lines in openings if (found := _from_prose(lines))), None)
    if chosen is None:
        chosen = next((found for lines in openings if (found := _fallback(lines))), [])
    return shorten(squash_whitespace("\n".join(chosen)) or "", limit)


def weighs(weight: Any) -> bool:
    """Whether an evidence weight shows as a reason: a number that does not round to 0.00."""
    try:
        return round(float(weight or 0), 2) != 0
    except (TypeError, ValueError):
        return False


def reasons(evidence: Any, shown: int = REASONS_SHOWN, relevant: bool | None = None) -> list[dict[str, Any]]:
    """The top reasons of a relevance score (module docstring), heaviest first, one per word as it is
    shown and direction (the heaviest of a rule term and a model word matching the same written
    word); `relevant` False (the classifier judged the item not relevant) puts the negative terms
    first."""
    scored: list[tuple[float, str, dict[str, Any]]] = []
    for entry in evidence if isinstance(evidence, list) else []:
        if not isinstance(entry, dict) or not isinstance(entry.get("term"), str) or not entry["term"]:
            continue
        try:
            weight = float(entry.get("weight") or 0)
            count = float(entry.get("count") or 1)
        except (TypeError, ValueError):
            continue
        if not weighs(weight) or (entry["term"].startswith("model:") and abs(weight) < MODEL_REASON_MIN):
            continue
        reason = {
            "term": entry["term"],
            "written": entry.get("written") if isinstance(entry.get("written"), str) else None,
            "language": entry.get("language") if isinstance(entry.get("language"), str) else None,
            "pushes": "up" if weight > 0 else "down",
            "weight": weight,
            "count": entry.get("count") or 1,
        }
        scored.append((-abs(weight) * max(count, 1.0), entry["term"], reason))
    scored.sort(key=lambda t: (t[0], t[1]))
    seen: set[tuple[str, str]] = set()
    unique = []
    for item in scored:  # one chip per word as shown: a rule term and a model word of "Integrationskurse"
        shown_as = ((item[2]["written"] or item[2]["term"]).casefold(), item[2]["pushes"])
        if shown_as not in seen:
            seen.add(shown_as)
            unique.append(item)
    scored = unique
    if relevant is False:
        scored.sort(key=lambda t: t[2]["pushes"] == "up")  # stable: heaviest first on each side
    top = scored[: max(shown, 0)]
    if top and not any(r["pushes"] == "down" for _, _, r in top):
        heaviest_down = next((t for t in scored if t[2]["pushes"] == "down"), None)
        if heaviest_down is not None:
            top[-1] = heaviest_down
    return [reason for _, _, reason in top]


def weighing(evidence: Any) -> list[Any]:
    """Evidence entries (of a theme score) to show: mappings whose weight rounds to 0.00 left out, and
    a learned model's words that move its log-odds by less than `MODEL_REASON_MIN` (as `reasons`)."""
    entries = evidence if isinstance(evidence, list) else []
    return [e for e in entries if not isinstance(e, dict) or _shown_weight(e)]


def _shown_weight(entry: dict[str, Any]) -> bool:
    weight = entry.get("weight")
    if not weighs(weight):
        return False
    term = entry.get("term")
    return not (
        isinstance(term, str) and term.startswith("model:") and abs(float(weight or 0)) < MODEL_REASON_MIN
    )


def utc_time(value: datetime) -> str:
    """``14:05 UTC`` for an aware datetime (a naive one is taken as UTC)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).strftime("%H:%M UTC")


def claim_line(holder: str, until: datetime, viewer: str | None = None) -> str:
    """``Claimed by alice until 14:05 UTC``; ``Claimed by you (alice) until ...`` for the holder."""
    who = f"you ({holder})" if viewer == holder else holder
    return f"Claimed by {who} until {utc_time(until)}"


def compact(rows: list[dict[str, Any]], viewer: str | None = None) -> list[dict[str, Any]]:
    """Add ``snippet``, ``reasons`` and ``claim_line`` (None unless the row's claim is live) to queue
    rows of crawler.store.queue (`queue_page` / `uncertain_page` shape); returns the same list."""
    for row in rows:
        editor = row.get("snippet_editor_summary")
        row["snippet"] = snippet(
            editor or row.get("snippet_summary") or row.get("snippet_text"),
            row.get("display_title"),
            text=None if editor or not row.get("snippet_summary") else row.get("snippet_text"),
            shared=bool(row.get("summary_shared")),
        )
        row["reasons"] = reasons(row.get("relevance_evidence"), relevant=row.get("relevant"))
        live = row.get("claimed") and row.get("claimed_by") and row.get("claim_expires_at")
        row["claim_line"] = claim_line(row["claimed_by"], row["claim_expires_at"], viewer) if live else None
    return rows


MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
DATE_ORIGINS: dict[str, str] = {
    "page": "the page",
    "feed": "the feed",
    "feed_updated": "the feed's update date",
    "sitemap": "the sitemap's last-modified date",
    "sitemap_news": "the news sitemap's publication date",
    "api": "the source's API",
    "submission": "the contributor",
}
"""Where an item's publication date came from (its ``date_method``), in words."""
NO_DATE = "No publication date found"


def published_line(value: datetime | None, flags: Any, method: str | None) -> str:
    """The item page's publication date in words (module docstring): the date as precise as the
    source gave it (day, month or year alone from the item's precision flags), then its origin."""
    if value is None:
        return NO_DATE
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    value = value.astimezone(UTC)
    flag_set = set(flags or [])
    day = f"{value.day} {MONTHS[value.month - 1]} {value.year}"
    if "date_year" in flag_set:
        shown, only = str(value.year), "year"
    elif "date_month" in flag_set:
        shown, only = f"{MONTHS[value.month - 1]} {value.year}", "month"
    elif "date_only" in flag_set:
        shown, only = day, "day"
    else:
        shown, only = f"{day} {when(value).split(' ', 1)[1]}", None  # the time of day as `when` gives it
    if method == "fetch_time":
        return f"{shown} (when it was fetched: the source's date lay in the future)"
    if "date_relative" in flag_set:
        return f"{shown} (about: the page says how long before it was fetched, as in \u201c2 days ago\u201d)"
    origin = DATE_ORIGINS.get(method or "")
    if only and origin:
        return f"{shown} ({origin} gives the {only} only)"
    if only:
        return f"{shown} (the {only} only; where the date came from is not recorded)"
    if origin:
        return f"{shown} (from {origin})"
    return f"{shown} (where the date came from is not recorded)"
