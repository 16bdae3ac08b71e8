"""Bytes of a harvested document (HTML page or feed) to text: choose the encoding as a careful browser would.

Order of evaluation (first match wins):
1. a byte order mark (UTF-8, UTF-16, UTF-32);
2. UTF-8, when the body is valid UTF-8 and has multi-byte sequences while the header or the body names
   an 8-bit encoding (servers default to ISO-8859-1; legacy text almost never forms valid UTF-8
   sequences by chance); also when it has more valid multi-byte characters than invalid bytes (UTF-8
   with a few pasted Windows-1252 bytes, "Mixed encodings" below);
3. the HTTP header charset, if the body decodes in it without errors;
3a. rule for every 8-bit label (header or body, ISO-8859-x, windows-125x): a label that decodes the
   body without errors is not proof, since nearly any byte is valid in windows-1252, and servers send
   ``ISO-8859-1`` by default for pages written in windows-1250, ISO-8859-2, windows-1257 or
   windows-1253. The label's reading is compared with the body's own 8-bit declaration and with the
   8-bit encodings of the EU languages, by `_plausibility` plus `_coherence` (step 7's scores); the
   best wins; a tie keeps the label, then the declaration, but a windows-1252 label (the servers'
   default) loses a tie to the body's own declaration. So a Polish ISO-8859-2 page under
   ``charset=iso-8859-1`` reads ``ł ą ż``, not ``³ ± ¿``, with or without its own ``<meta charset>``,
   and a windows-1252 French or German page keeps windows-1252 (its letters score best there);
4. the charset the body declares (``<meta charset>``, ``http-equiv`` Content-Type, XML declaration,
   first 4096 bytes as scanned by w3lib; when none is there, the same scan over the first 256 KiB
   with scripts, styles and comments removed, so a declaration after a large inline CSS is found),
   if the body decodes in it without errors; this is what wins when the header names a charset the
   body is not valid in (../shared/cases B12, scrapy/scrapy#4933);
5. UTF-8, if the body decodes in it without errors;
6. when the body is mostly valid UTF-8 (labelled UTF-8: a valid multi-byte character and at most four
   bad bytes per valid one; unlabelled: more valid than bad), UTF-8 with U+FFFD for the bad bytes
   only: a few invalid bytes never switch the whole document to a legacy decoding (no ``Ã©`` for
   ``é``); a body whose non-ASCII bytes are nearly all invalid UTF-8 is a legacy document, whatever
   its label says (B12);
7. detection among the 8-bit encodings of the EU languages (and charset_normalizer's verdict), scored
   by `_plausibility` and by `_coherence` (the non-ASCII letters should belong to one language's
   alphabet: Czech ``ř ě ů`` in windows-1250, not ``ø ì ù`` in windows-1252). The verdict is a
   candidate only when it is an encoding of the WHATWG Encoding Standard (`WEB_ENCODINGS`): no
   browser decodes a page in a DOS or other code page outside it, so no page is written in one,
   while charset_normalizer names them for short samples (jawah/charset_normalizer#130, #477): an
   English page whose only non-ASCII bytes are windows-1252 quotes and dashes (``\x93 \x94 \x96``)
   read ``ōquotedö`` in cp775 and ``Ц`` for the dash in cp1125. A UTF-16 verdict counts only for a
   body with NUL bytes in its first 1024 bytes, as a UTF-16 label does (a 16-byte Polish
   ``<p>Pomagają</p>`` is not CJK);
8. the header, declared or UTF-8 encoding with U+FFFD for undecodable bytes.

Mixed encodings (rule for every UTF-8 reading above: the mark, rules 2, 5, 6 and 8): a document
written in UTF-8 into which a few Windows-1252 bytes were pasted (smart quotes ``93 94``, ``92``,
the dash ``96``, ``85``, the euro ``80``, a Latin-1 ``E9``) is read with each run of bytes that is
not valid UTF-8 decoded as Windows-1252, the rest as UTF-8: ``Migrants’ rights “ok”``, not
``�ok�``. This is feedparser's and ftfy's repair of such feeds (the WHATWG decoder, which browsers
use, gives U+FFFD). It is the codecs error handler `MIXED_ENCODING` (``codecs.register_error``),
so every reader of harvested bytes (feeds, pages, JSON answers, calendars: all decode through
`decode_html`) applies it, and `mixed_encoding_bytes` counts the repaired bytes for the source's
warning ``parse.mixed_encoding``. The five bytes Windows-1252 leaves undefined (``81 8D 8F 90
9D``) stay U+FFFD (read as Latin-1 they would be C1 controls, which the text rules strip anyway,
losing the byte without a trace); an incomplete sequence cut at the very end of the body (a size
cap) stays U+FFFD too, and so does one cut in the middle (a lead byte with some of its
continuation bytes, ``E2 80`` then ASCII, and a lone ``C2`` or ``C3`` lead, `_CUT_LEADS`): it is a
cut UTF-8 character, not a legacy byte, and as Windows-1252 it would be mojibake (``â€``, ``Ã``).
Valid UTF-8 (4-byte emoji, CJK) never reaches the handler; overlong forms (``C0 AF``), encoded
surrogates (``ED A0 80``) and lone continuation bytes are invalid UTF-8 and so are read byte by
byte as Windows-1252. `mixed_encoding_bytes` counts every byte that was not UTF-8, cut ones too.

Declared language (rules 3a and 7): when the document declares its language (`declared_language`:
``<html lang>`` or ``xml:lang`` on the root, ``<meta http-equiv="content-language">``, an RSS
``<language>`` or ``<dc:language>``, an Atom ``xml:lang``) and that language is one of `ALPHABETS`,
an 8-bit reading whose non-ASCII letters are all letters of that language beats every reading that
gives a letter the language does not use, or no non-ASCII letter at all (`_fits_language`); the
scores decide among readings alike in this. So a short Slovene or Croatian ISO-8859-2 text whose
only letter is ``š`` (byte B9) or ``ž`` (BE) reads ``š``/``ž``, not windows-1250 ``ą``/``ľ``, when
it says ``lang="sl"``; a Polish windows-1250 ``ą`` stays ``ą`` under ``lang="pl"``, and its
``ś ź Ś`` (9C 9F 8C) are not windows-1252 ``œ Ÿ Œ``; a Slovak ISO-8859-2 ``Ľ`` (A5) is not read as
``Ą``; a Hungarian ``ő`` (F5) is not windows-1252 ``õ`` under ``lang="hu"``. Where both readings
are letters of the language the declaration cannot decide: Slovak writes both ``ž`` (ISO-8859-2
BE) and ``ľ`` (windows-1250 BE), and the scores choose as without it. Without a declaration, or
with one of a language outside `ALPHABETS` (``en``, ``el``, ``bg``), the choice is as before: the
bytes alone cannot tell ``š`` from ``ą``, and windows-1250 wins the tie. A Content-Language HTTP
header is not seen here (the callers hand over the body and the Content-Type only).

Labels are resolved as the WHATWG Encoding Standard says, through w3lib: ``latin-1``/``iso-8859-1``
and ``ascii`` mean windows-1252, ``gb2312`` means gb18030, ``utf-7`` is refused. UTF-16 and UTF-32
labels (rule, WHATWG "prescan" and "decode"): a body's own declaration of UTF-16 or UTF-32 is read as
UTF-8 (the declaration was readable as ASCII, so the body is not UTF-16: Word's "Save as web page"
writes ``charset=unicode``/``utf-16`` into UTF-8 and windows-125x pages); a header's UTF-16 or
UTF-32 label counts only for a body with NUL bytes in its first 1024 bytes (wide markup always has
them; an ASCII-compatible body under a wrong label is decoded by the other rules), and without a
byte order mark its byte order is read from where the NULs stand (``<`` as ``00 3C`` is big-endian,
else little-endian). No label makes decoding raise. An incomplete
multi-byte sequence at the very end of the body (a body cut at a size cap) is not counted as an error.

A header that names its charset twice (rule, `_resolve_header`): RFC 6838 section 4.3 makes a
parameter given more than once an error, and browsers disagree on which one wins
(``text/html;charset=gbk;charset=utf-8``: whatwg/mimesniff#41; thunderbird/thunderbird-android#5958
keeps only charsets that agree). A Content-Type whose charset parameters name different encodings
(resolved as above; an unknown label does not count) labels nothing: the body's own declaration
and the rules after it decide, as without a header charset. Equal ones are one label.
"""

from __future__ import annotations

import codecs
import functools
import re
import unicodedata

from charset_normalizer import from_bytes
from w3lib.encoding import (
    html_body_declared_encoding,
    http_content_type_encoding,
    read_bom,
    resolve_encoding,
)

_DETECT_SAMPLE = 256 * 1024
"""Bytes handed to charset_normalizer: enough for a verdict, bounded cost on multi-MiB bodies."""
_SCRIPTS = re.compile(rb"(?is)<(script|style)\b.*?</\1\s*>")
_MARKUP = re.compile(rb"(?s)<!--.*?-->|<[^>]*>")
_COMMENTS = re.compile(rb"(?s)<!--.*?-->")
_SINGLE_BYTE = re.compile(r"^(cp12\d\d|cp[89]\d\d|cp437|iso8859-\d+|latin_1|koi8.*|mac.*|tis-620)$")
_LEGACY = (
    "cp1252",
    "cp1250",
    "iso8859-2",
    "cp1253",
    "iso8859-7",
    "cp1251",
    "cp1257",
    "iso8859-13",
    "iso8859-16",
)
"""8-bit encodings of EU languages, most used first (the tie-break order of `_detect`; windows-1253
before windows-1251 because Greek bytes are all valid windows-1251 while common Bulgarian letters
are undefined in windows-1253)."""
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_NEUTRAL = frozenset({"Pd", "Pi", "Pf", "Ps", "Pe", "Zs", "Sc"})
"""Unicode categories of typographic dashes, quotes, brackets, spaces and currency signs."""
_NEUTRAL_CHARS = frozenset("\u2026\u2022\u00b7\u00b0\u00a9\u00ae\u2122\u00a7\u00bf\u00a1")
"""Other signs common in running text: ellipsis, bullets, degree, copyright, trademark, section, and
Spanish inverted question and exclamation marks."""
ONE_LETTER_WORDS = frozenset("àèéåø")
"""Non-ASCII letters that are words by themselves in an EU language (lowercased): French, Italian
and Portuguese ``à``, Italian ``è`` (``È``), Portuguese ``é``, Danish and Swedish ``å``, Danish
``ø``. No Central-European language has such a word, so ``Č`` standing alone is no evidence."""


MIXED_ENCODING = "ewsi-utf8-cp1252"
"""Name of the codecs error handler that reads bytes invalid in UTF-8 as Windows-1252 (module
docstring, "Mixed encodings"): ``body.decode("utf-8", MIXED_ENCODING)``."""


def _windows_1252_for_invalid_utf8(exc: UnicodeError) -> tuple[str, int]:
    """The `MIXED_ENCODING` handler: the bad run of a UTF-8 decoding as Windows-1252 (U+FFFD for
    its five undefined bytes), and U+FFFD for a sequence cut at the end of the input."""
    if not isinstance(exc, UnicodeDecodeError) or codecs.lookup(exc.encoding).name != "utf-8":
        raise exc
    run = bytes(exc.object[exc.start : exc.end])
    after = bytes(exc.object[exc.end : exc.end + 1])
    if len(run) > 1 or (run in _CUT_LEADS and not after.isalnum()):  # a UTF-8 sequence cut short
        return "\ufffd", exc.end
    return run.decode("cp1252", "replace"), exc.end


_CUT_LEADS = (b"\xc2", b"\xc3")
"""Lone bytes read as a cut UTF-8 sequence, not as Windows-1252 ``Â`` ``Ã``, unless an ASCII letter or
digit follows: the lead bytes of UTF-8's Latin-1 letters, whose continuation byte was lost (often an
``A0`` no-break space turned into a space: ``Ã `` is ``à``, as ftfy reads it; or cut at the end of
a text, before a tag). Before a letter or a digit they are Windows-1252 letters ("NAÇÃO",
"CHÂTEAU", "SÃ2")."""


codecs.register_error(MIXED_ENCODING, _windows_1252_for_invalid_utf8)


def mixed_encoding_bytes(body: bytes, encoding: str) -> int:
    """How many bytes of `body`, read in `encoding` by `decode_html`, were not valid UTF-8 and so
    read as Windows-1252 (its five undefined bytes as U+FFFD); 0 for another encoding, for valid
    UTF-8, and for a body whose only bad bytes are a sequence cut at its very end."""
    if codecs.lookup(encoding).name != "utf-8" or body.isascii():
        return 0
    bad = len(body) - len(body.decode("utf-8", "ignore").encode("utf-8"))
    if bad == 0:
        return 0
    try:
        codecs.getincrementaldecoder("utf-8")().decode(body, final=False)
    except UnicodeDecodeError:
        return bad
    return 0  # the only bad bytes are a sequence cut at the end


def decode_html(body: bytes, header_charset: str | None) -> tuple[str, str]:
    """Decode an HTML body; returns ``(text, encoding)`` with the Python codec name actually used.

    `header_charset` is the charset parameter of the Content-Type header (``"utf-8"``) or the whole
    header value (``"text/html; charset=utf-8"``), or None. The rules are in the module docstring.
    Never raises for any input: undecodable bytes become U+FFFD in the last resort.
    """
    bom_encoding, bom = read_bom(body)
    if bom_encoding is not None and bom is not None:
        return body[len(bom) :].decode(bom_encoding, _errors(bom_encoding)), bom_encoding

    header = _resolve_header(header_charset)
    if header is not None and _wide(header):
        header = _wide_order(body, header)
    declared = _declared(body)
    labels = [e for e in (header, declared) if e]
    if labels and all(_single_byte(e) for e in labels) and (_multibyte_utf8(body) or _mostly_utf8(body)):
        return body.decode("utf-8", MIXED_ENCODING), "utf-8"
    for encoding in _unique(header, declared, "utf-8"):
        if _decodes_cleanly(body, encoding):
            if _single_byte(encoding) and not body.isascii():
                encoding = _best_8bit(body, encoding, declared)
            return body.decode(encoding, "replace"), encoding

    if _mostly_utf8(body, labelled="utf-8" in labels):
        return body.decode("utf-8", MIXED_ENCODING), "utf-8"
    detected = _detect(body)
    if detected is not None and _decodes_cleanly(body, detected):
        return body.decode(detected, "replace"), detected
    fallback = header or declared or "utf-8"
    return body.decode(fallback, _errors(fallback)), fallback


def _errors(encoding: str) -> str:
    """The error handler for a final decoding in `encoding`: `MIXED_ENCODING` for UTF-8, else
    U+FFFD for the bytes that do not decode."""
    return MIXED_ENCODING if codecs.lookup(encoding).name == "utf-8" else "replace"


def _best_8bit(body: bytes, label: str, declared: str | None) -> str:
    """The 8-bit reading of `body` to use when `label` (the first label that decodes it) is 8-bit
    (rule 3a of the module docstring): `label`, the body's own declaration or an EU legacy encoding,
    whichever gives the letters of the declared language (module docstring, "Declared language"),
    then the most plausible and coherent letters. Ties keep `label`, then the declaration,
    except that windows-1252 (what ``ISO-8859-1`` and ``ASCII`` mean, a server's default) loses a tie
    to the body's own declaration."""
    sample = _MARKUP.sub(b" ", _SCRIPTS.sub(b" ", body[:_DETECT_SAMPLE]))
    language = declared_language(body)
    scored: list[tuple[bool, int, int, str]] = []
    own = declared if declared and _single_byte(declared) else None
    first = (own, label) if label == "cp1252" else (label, own)
    candidates = _unique(*first, *_LEGACY, "iso8859-15")
    for position, encoding in enumerate(candidates):
        if not _decodes_cleanly(body, encoding):
            continue
        text = sample.decode(encoding, "replace")
        score = _plausibility(text) + _coherence(text, encoding)
        scored.append((_fits_language(text, language), score, -position, encoding))
    return max(scored)[3] if scored else label


_CHARSET_PARAMS = re.compile(r"""(?:^|[;,])\s*charset\s*[=:]\s*["']?([^"';,\s=]+)""", re.I)
"""Every ``charset`` parameter of a Content-Type value (also ``charset: x``, quoted, or in a second
value joined by a comma)."""


def _resolve_header(value: str | None) -> str | None:
    """The encoding the Content-Type value names, None when it names none or names two (module
    docstring, "a header that names its charset twice")."""
    if not value:
        return None
    named = {resolve_encoding(label) for label in _CHARSET_PARAMS.findall(value)} - {None}
    if len(named) > 1:
        return None
    if ";" in value or "=" in value:
        encoding = http_content_type_encoding(value)
    else:
        encoding = resolve_encoding(value.strip("\"' "))
    return encoding


def _declared(body: bytes) -> str | None:
    """The body's own charset declaration (rule 4 of the module docstring), resolved, or None; a
    declared UTF-16 or UTF-32 is UTF-8 (module docstring)."""
    declared = html_body_declared_encoding(body)
    if declared is None and len(body) > 4096:
        head = _COMMENTS.sub(b" ", _SCRIPTS.sub(b" ", body[:_DETECT_SAMPLE]))
        declared = html_body_declared_encoding(head)
    if declared is not None and _wide(declared):
        return "utf-8"
    return declared


def _wide_order(body: bytes, encoding: str) -> str | None:
    """A header's UTF-16/UTF-32 label as the codec with the body's byte order, or None when the body
    has no NUL byte in its first 1024 bytes and so is not wide (module docstring)."""
    head = body[:1024]
    if b"\x00" not in head:
        return None
    name = codecs.lookup(encoding).name
    if name not in ("utf-16", "utf-32"):
        return name  # the label names the byte order itself
    return f"{name}-be" if head[:1] == b"\x00" else f"{name}-le"


def _wide(encoding: str) -> bool:
    """True for the UTF-16 and UTF-32 codecs (whatever the byte order)."""
    try:
        return codecs.lookup(encoding).name.startswith(("utf-16", "utf-32"))
    except LookupError:
        return False


def _single_byte(encoding: str) -> bool:
    """True for the 8-bit encodings (windows-125x, ISO-8859-x, KOI8, Mac, DOS code pages)."""
    try:
        name = codecs.lookup(encoding).name
    except LookupError:
        return False
    return bool(_SINGLE_BYTE.match(name))


def _multibyte_utf8(body: bytes) -> bool:
    """True when `body` is valid UTF-8 (a sequence cut at the end tolerated) with a non-ASCII character."""
    return not body.isascii() and _decodes_cleanly(body, "utf-8")


def _unique(*encodings: str | None) -> list[str]:
    seen: list[str] = []
    for encoding in encodings:
        if encoding and encoding not in seen:
            seen.append(encoding)
    return seen


def _decodes_cleanly(body: bytes, encoding: str) -> bool:
    """True when `body` is valid in `encoding`, tolerating a sequence cut short at the end."""
    try:
        decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
        decoder.decode(body, final=False)
    except (UnicodeError, LookupError):  # UnicodeError: "UTF-16 stream does not start with BOM"
        return False
    return True


def _mostly_utf8(body: bytes, labelled: bool = False) -> bool:
    """UTF-8 with a few bad bytes rather than a legacy document (rule 6 of the module docstring).

    Unlabelled: more valid non-ASCII UTF-8 characters than invalid bytes (a legacy 8-bit page has
    almost none). Labelled UTF-8 by the header or the body: at least one valid non-ASCII character
    and no more than four invalid bytes per valid one (a mislabelled legacy page has hundreds of
    invalid bytes and, by chance, a handful of valid pairs).
    """
    text = body.decode("utf-8", "replace")
    replaced = text.count("\ufffd")
    bad = replaced - body.count(b"\xef\xbf\xbd")
    valid = len(text) - len(text.encode("ascii", "ignore")) - replaced
    if labelled:
        return valid >= 1 and 4 * valid >= bad
    return valid > bad


WEB_ENCODINGS = frozenset(
    codecs.lookup(name).name
    for name in (
        "utf-8", "utf-16-be", "utf-16-le", "cp866", "iso8859-2", "iso8859-3", "iso8859-4",
        "iso8859-5", "iso8859-6", "iso8859-7", "iso8859-8", "iso8859-10", "iso8859-13",
        "iso8859-14", "iso8859-15", "iso8859-16", "koi8-r", "koi8-u", "mac-roman", "mac-cyrillic",
        "cp874", "cp1250", "cp1251", "cp1252", "cp1253", "cp1254", "cp1255", "cp1256", "cp1257",
        "cp1258", "gbk", "gb18030", "big5", "big5hkscs", "euc_jp", "iso2022_jp", "shift_jis",
        "cp932", "euc_kr", "cp949",
    )
)  # fmt: skip
"""The encodings of the WHATWG Encoding Standard (what browsers decode), as Python codec names."""


def _web_encoding(encoding: str) -> bool:
    """True when `encoding` is one of `WEB_ENCODINGS` (rule 7 of the module docstring)."""
    try:
        return codecs.lookup(encoding).name in WEB_ENCODINGS
    except LookupError:
        return False


def _detect(body: bytes) -> str | None:
    """Best-scoring encoding for the page's text (markup and scripts removed), or None.

    Candidates are the 8-bit encodings of EU languages plus charset_normalizer's verdict (which covers
    the rest of the world). charset_normalizer alone cannot tell ISO-8859-2 from windows-1250 or
    ISO-8859-10 on a Polish page (measured on gazeta.pl with its declaration removed), so each
    candidate is scored by `_plausibility` plus `_coherence` and the highest wins; a tie goes to the
    earlier candidate, the more used encoding (`_LEGACY`): a short Polish text whose only letter is
    ``ą`` (byte B9, ISO-8859-2 ``š``) is windows-1250; so is a Slovene ISO-8859-2 text whose only
    letter is ``š``: the bytes cannot tell them apart, unless the document declares its language
    (module docstring, "Declared language"), which comes first. Where two encodings give letters
    alike (Czech windows-1250 or Lithuanian windows-1257 read as windows-1252: ``ř`` becomes ``ø``,
    ``ų`` becomes ``ø``), coherence decides.
    """
    sample = _MARKUP.sub(b" ", _SCRIPTS.sub(b" ", body[:_DETECT_SAMPLE]))
    candidates = list(_LEGACY)
    best = from_bytes(sample).best()
    verdict = resolve_encoding(best.encoding) if best is not None else None
    wide_ok = verdict is not None and (not _wide(verdict) or b"\x00" in body[:1024])
    if verdict and verdict not in candidates and _web_encoding(verdict) and wide_ok:
        candidates.append(verdict)  # a wide reading needs NUL bytes, as a wide label does
    language = declared_language(body)
    scored = []
    for position, encoding in enumerate(candidates):
        try:
            text = sample.decode(encoding)
        except UnicodeDecodeError:
            continue
        score = _plausibility(text) + _coherence(text, encoding)
        scored.append((_fits_language(text, language), score, -position, encoding))
    return max(scored)[3] if scored else None


def _plausibility(text: str) -> int:
    """Non-ASCII characters that look right minus those that look wrong.

    Right: a Latin letter in a word that also has ASCII letters (``gęślą``), or a non-Latin letter in
    a word without ASCII letters (``Интеграция``). Neutral: a Latin letter in a word of non-ASCII
    letters only (``żółć``, but also windows-1251 bytes read as windows-1252), a non-Latin letter
    standing alone (the euro sign ``\x80`` of windows-1252 is ``Ђ`` in windows-1251: a one-letter
    word of another script between Latin words is no evidence), typographic punctuation and spaces
    (quotes, dashes, ellipsis, euro, no-break space, Spanish ``¿ ¡``). A Latin letter standing alone
    is right when it is a word of an EU language (`ONE_LETTER_WORDS`: Italian ``È``, not ``Č``).
    Wrong: C1 controls, symbols, digits such as ``³``, a lowercase Latin letter directly before an
    uppercase one (`_unlikely_pair`: ``żQuién``), a non-Latin letter inside a Latin word
    (windows-1251 bytes read in Polish text), and the Greek final sigma ``ς`` inside a word, where
    Greek never writes it: it is the Bulgarian ``т`` (byte F2) of windows-1251 text read as
    windows-1253, and a short Bulgarian page whose bytes all happen to be valid windows-1253 read as
    Greek (``Ολΰνϊς`` for ``Планът``).
    """
    score = 0
    for match in _NON_ASCII.finditer(text):
        char = match.group()
        category = unicodedata.category(char)
        if category.startswith("L"):
            word = _word_around(text, match.start())
            mixed = any(c.isascii() for c in word)
            latin = unicodedata.name(char, "").startswith("LATIN")
            if latin and _unlikely_pair(text, match.start()):
                score -= 1  # "żQuién": Spanish "¿" read as windows-1250
            elif latin:
                score += 1 if mixed or word.lower() in ONE_LETTER_WORDS else 0
            elif mixed or (char == "\u03c2" and text[match.end() : match.end() + 1].isalpha()):
                score -= 1  # a final sigma inside a word: windows-1251 "т" read as windows-1253
            elif len(word) > 1:
                score += 1
        elif category in _NEUTRAL or char in _NEUTRAL_CHARS:
            continue
        else:
            score -= 1
    return score


# fmt: off
ALPHABETS: dict[str, str] = {
    "cs": "áčďéěíňóřšťúůýž", "da": "æøåé", "de": "äöüß", "es": "áéíñóúü", "et": "äöõüšž",
    "fi": "äöåšž", "fr": "àâæçéèêëîïôœùûüÿ", "ga": "áéíóú", "hr": "čćđšž", "hu": "áéíóöőúüű",
    "it": "àèéìíîòóù", "lt": "ąčęėįšųūž", "lv": "āčēģīķļņšūž", "mt": "ċġħżàèìòù", "nl": "áéèëïóöü",
    "pl": "ąćęłńóśźż", "pt": "áâãàçéêíóôõú", "ro": "ăâîșț", "ro-cedilla": "ăâîşţ",
    "sk": "áäčďéíĺľňóôŕšťúýž", "sl": "čšž", "sv": "åäöé",
}
# fmt: on
"""Non-ASCII lowercase Latin letters of each EU language written in Latin script (Greek and
Bulgarian are told apart by `_plausibility`: their letters are not Latin). Romanian twice: with the
comma below of its standard and the cedilla of windows-1250 and ISO-8859-2, which lack the comma."""


@functools.lru_cache(maxsize=64)
def _writable(encoding: str) -> tuple[str, ...]:
    """The alphabets of `ALPHABETS` that `encoding` can write whole, upper and lower case (all of
    them for an encoding that is not 8-bit); a page is written in an encoding its language fits."""
    if not _single_byte(encoding):
        return tuple(ALPHABETS.values())
    fits = []
    for letters in ALPHABETS.values():
        try:
            (letters + letters.upper().replace("SS", "")).encode(encoding)
        except UnicodeEncodeError:
            continue
        fits.append(letters)
    return tuple(fits)


def _coherence(text: str, encoding: str) -> int:
    """Minus twice the non-ASCII Latin letters outside the alphabet of the language that covers most,
    among the languages `encoding` can write (`_writable`).

    A right decoding gives letters of one language (``ř ě ů`` all Czech); a wrong 8-bit decoding mixes
    letters of several (``ø`` Danish, ``ì`` Italian, ``ð`` Icelandic). 0 when every such letter fits.
    A language the encoding cannot write is no cover: Croatian ISO-8859-2 ``š č`` read as
    windows-1250 gives ``ą č``, Lithuanian letters, but no Lithuanian page is in windows-1250.
    """
    counts: dict[str, int] = {}
    for char in text:
        if char.isascii() or not char.isalpha():
            continue
        lower = char.lower()
        if len(lower) != 1:  # "İ".lower() is two code points: i and a combining dot
            lower = char
        if unicodedata.name(lower, "").startswith("LATIN"):
            counts[lower] = counts.get(lower, 0) + 1
    if not counts:
        return 0
    total = sum(counts.values())
    best = max(
        (sum(n for c, n in counts.items() if c in letters) for letters in _writable(encoding)), default=0
    )
    return -2 * (total - best)


_LANGUAGE_SAMPLE = 8192
"""Bytes of the body searched for a language declaration (they stand in the head or the channel)."""
_TAG = rb"([A-Za-z]{2,3})(?![A-Za-z])"
_LANGUAGE_DECLARATIONS = (
    re.compile(rb"(?is)<(?:html|rss|feed|rdf:rdf|channel)\b[^>]*?\s(?:xml:)?lang\s*=\s*[\"']?\s*" + _TAG),
    re.compile(
        rb"(?is)<meta\b[^>]*?http-equiv\s*=\s*[\"']?content-language\b[^>]*?\scontent\s*=\s*[\"']?\s*" + _TAG
    ),
    re.compile(
        rb"(?is)<meta\b[^>]*?\scontent\s*=\s*[\"']?\s*"
        + _TAG
        + rb"[^>]*?http-equiv\s*=\s*[\"']?content-language"
    ),
    re.compile(rb"(?is)<(?:dc:)?language\s*>\s*" + _TAG),
)
"""Where a page or feed declares its language, most specific first: the root's ``lang``/``xml:lang``
(HTML, RSS, Atom, RSS 1.0, an RSS channel), ``<meta http-equiv="content-language">`` (either
attribute order), RSS ``<language>`` or ``<dc:language>``; the primary subtag is kept (``sl-SI``)."""


def declared_language(body: bytes) -> str | None:
    """The language `body` declares (`_LANGUAGE_DECLARATIONS`, the first that matches in the first
    `_LANGUAGE_SAMPLE` bytes, comments removed), lowercased primary subtag, or None."""
    head = _COMMENTS.sub(b" ", body[:_LANGUAGE_SAMPLE])
    for pattern in _LANGUAGE_DECLARATIONS:
        found = pattern.search(head)
        if found:
            return found.group(1).decode("ascii").lower()
    return None


def _language_letters(language: str | None) -> str | None:
    """The non-ASCII lowercase letters `language` uses (`ALPHABETS`; Romanian with both its comma
    and its cedilla letters), or None for a language without an entry, or none declared."""
    if language == "ro":
        return ALPHABETS["ro"] + ALPHABETS["ro-cedilla"]
    return ALPHABETS.get(language) if language else None


def _fits_language(text: str, language: str | None) -> bool:
    """True when `language` has an alphabet (`_language_letters`) and `text` has a non-ASCII letter,
    all of them letters of that language (case aside): the reading the declared language prefers
    (module docstring, "Declared language"). False when no language, or one without an alphabet,
    is declared: then every reading is alike in this, and the scores decide as without one."""
    letters = _language_letters(language)
    if letters is None:
        return False
    found = False
    for char in text:
        if char.isascii() or not char.isalpha():
            continue
        lower = char.lower()
        if lower not in letters:
            return False
        found = True
    return found


def _unlikely_pair(text: str, index: int) -> bool:
    """True when the letter at `index` is lowercase and directly followed by an uppercase letter
    (``żQuién``: Spanish ``¿`` read as windows-1250): no EU language writes that pair inside a word.
    (The reverse pair is Irish: ``i nÉirinn``.)"""
    return text[index].islower() and text[index + 1 : index + 2].isupper()


def _word_around(text: str, index: int) -> str:
    start = index
    while start > 0 and text[start - 1].isalpha():
        start -= 1
    end = index + 1
    while end < len(text) and text[end].isalpha():
        end += 1
    return text[start:end]
