"""Theme thresholds keep a recall floor: the F1-best threshold among those that keep it.

Each row is (labels, scores, floor, expected threshold). The F1-best threshold alone can give up
positives of a theme with few cues; the floor moves it down only as far as needed, and when no
threshold reaches the floor the F1-best one of all is kept.
"""

from __future__ import annotations

import pytest

from classifier import model
from classifier.model import _best_threshold

Y = [1, 1, 1, 1, 0, 0, 0, 0, 0, 0]
P = [0.9, 0.8, 0.7, 0.2, 0.6, 0.3, 0.3, 0.1, 0.1, 0.1]
# F1 by threshold: 0.9 -> 0.40, 0.8 -> 0.67, 0.7 -> 0.86 (recall 0.75), 0.6 -> 0.75, 0.2 -> 0.73 (recall 1)


@pytest.mark.parametrize(
    "y, p, floor, expected",
    [
        (Y, P, 0.0, 0.7),  # F1 alone
        (Y, P, 0.75, 0.7),  # the F1-best already keeps 3 of 4
        (Y, P, 0.8, 0.2),  # needs all 4: the only threshold that keeps them
        (Y, P, 1.0, 0.2),
        ([1, 1, 0, 0, 0], [0.9, 0.3, 0.8, 0.5, 0.4], 0.0, 0.9),  # F1 0.67 at 0.9, 0.57 at 0.3
        ([1, 1, 0, 0, 0], [0.9, 0.3, 0.8, 0.5, 0.4], 0.6, 0.3),
        ([1, 0, 0], [0.5, 0.7, 0.9], 0.9, 0.5),  # recall 1 only at 0.5
        ([0, 0], [0.4, 0.6], 0.85, 0.5),  # no positive: the neutral 0.5
        ([1, 1], [0.4, 0.4], 0.85, 0.4),  # one candidate
    ],
)
def test_best_threshold_keeps_the_recall_floor(y, p, floor, expected):
    assert _best_threshold(y, p, floor) == expected


@pytest.mark.parametrize("floor", [0.0, 0.5, 0.85, 1.0])
def test_threshold_keeps_at_least_floor_recall_when_reachable(floor):
    y = [1, 0, 1, 1, 0, 1, 0, 1, 0, 0, 1, 0]
    p = [0.95, 0.9, 0.85, 0.6, 0.55, 0.5, 0.45, 0.4, 0.3, 0.2, 0.15, 0.1]
    thr = _best_threshold(y, p, floor)
    kept = sum(1 for yi, pi in zip(y, p, strict=True) if yi and pi >= thr)
    assert kept / sum(y) >= floor
    # and no higher threshold keeps the floor with a better F1
    for other in sorted(set(p)):
        if other > thr:
            tp = sum(1 for yi, pi in zip(y, p, strict=True) if yi and pi >= other)
            fp = sum(1 for yi, pi in zip(y, p, strict=True) if not yi and pi >= other)
            f1 = 2 * tp / (2 * tp + fp + sum(y) - tp)
            tp0 = sum(1 for yi, pi in zip(y, p, strict=True) if yi and pi >= thr)
            fp0 = sum(1 for yi, pi in zip(y, p, strict=True) if not yi and pi >= thr)
            f10 = 2 * tp0 / (2 * tp0 + fp0 + sum(y) - tp0)
            assert tp / sum(y) < floor or f1 <= f10


def test_the_shipped_floor_is_a_share():
    assert 0.0 < model.THEME_RECALL_FLOOR < 1.0
