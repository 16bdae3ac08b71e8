"""Pure coverage rules: the country axis and the gap rule (no database, stdlib only).

Countries are the 27 member states plus ``EU`` (`COUNTRIES`); items without a country count
under ``EU``. A cell's history is its count in each of the previous periods of the same length
(oldest first). The gap rule: a cell is a gap when its usual count (the median of its history)
is at least `MIN_USUAL` and the current count is at most `RATIO` times the usual (default: no
Polish Economic Participation item in 30 days where there were usually ten -> gap; 3 where
there were usually 10 -> not a gap at 0.25, since 3 > 2.5).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from statistics import median

from crawler.text import counted

MEMBER_STATES = (
    *("AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE"),
    *("IT", "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE"),
)
"""The 27 EU member states (ISO 3166-1 alpha-2; Greece is GR, as the operator YAML writes it)."""
COUNTRIES = ("EU", *sorted(MEMBER_STATES))
MIN_USUAL = 3.0
RATIO = 0.25

Cell = tuple[str, str]
"""(country, theme or language)."""


@dataclass(frozen=True)
class GapAlert:
    """A cell well below its own history, with the sources that used to fill it (most first)."""

    country: str
    key: str
    current: int
    usual: float
    sources: tuple[str, ...] = field(default=())

    def line(self) -> str:
        filled = f"; used to come from {', '.join(self.sources)}" if self.sources else ""
        return f"{self.country} x {self.key}: {counted(self.current, 'item')}, usually {self.usual:g}{filled}"


def country_of(value: str | None) -> str:
    """The matrix row of an item's country: a member state's code, else ``EU``."""
    code = (value or "").strip().upper()
    code = "GR" if code == "EL" else code
    return code if code in MEMBER_STATES else "EU"


def is_gap(
    current: int, history: Sequence[int], *, min_usual: float = MIN_USUAL, ratio: float = RATIO
) -> bool:
    """True when the usual count (median of `history`) is at least `min_usual` and `current` is at
    most `ratio` times it. An empty history is never a gap."""
    if not history:
        return False
    usual = float(median(history))
    return usual >= min_usual and current <= usual * ratio


def gaps(
    current: Mapping[Cell, int],
    history: Mapping[Cell, Sequence[int]],
    sources: Mapping[Cell, Iterable[str]] | None = None,
    *,
    min_usual: float = MIN_USUAL,
    ratio: float = RATIO,
) -> list[GapAlert]:
    """Every gap among the cells with a history, largest shortfall first."""
    alerts = []
    for cell, past in history.items():
        now = int(current.get(cell, 0))
        if is_gap(now, past, min_usual=min_usual, ratio=ratio):
            alerts.append(
                GapAlert(cell[0], cell[1], now, float(median(past)), tuple((sources or {}).get(cell, ())))
            )
    return sorted(alerts, key=lambda a: (a.current - a.usual, a.country, a.key))
