"""Cuts on a model's probability, and the map from probability to the policy's score scale.

A cut is chosen on the validation part for a false-positive budget on benign prompts
(:func:`cut_for_budget`); the policy file holds the cuts. The gate then maps the
model's probability onto the policy's scale piecewise linearly (:func:`to_policy_scale`),
so that the review cut lands on the surface's ``review`` threshold and the block cut
on its ``block`` threshold: the model's score is comparable with the rule tier's and
the policy's thresholds decide, as for every other score. The map is monotone, so the
order of scores (and so every precision-recall curve) is unchanged.
"""

from __future__ import annotations

import math
from typing import Sequence


def cut_for_budget(benign_scores: Sequence[float], budget: float) -> float:
    """Return the lowest cut (3 decimals, rounded up) that flags at most ``budget`` of ``benign_scores``."""
    ranked = sorted(benign_scores, reverse=True)
    allowed = int(math.floor(budget * len(ranked) + 1e-9))
    if allowed >= len(ranked):
        return 0.0
    # Strictly above the first benign score that must stay under it.
    return min(1.0, math.floor(ranked[allowed] * 1000) / 1000 + 0.001)


def to_policy_scale(p: float, review_cut: float | None, block_cut: float | None,
                    review_at: float | None, block_at: float | None) -> float:
    """Return the model probability ``p`` on the policy's scale.

    Args:
        p: The model's probability.
        review_cut, block_cut: The model's cuts (either may be None).
        review_at, block_at: The surface's thresholds for the category (either may be None).
    """
    knots = [(0.0, 0.0)]
    for cut, at in ((review_cut, review_at), (block_cut, block_at)):
        if cut is not None and at is not None and cut > knots[-1][0] and at > knots[-1][1]:
            knots.append((cut, at))
    knots.append((1.0, 1.0))
    out = 1.0
    for (x0, y0), (x1, y1) in zip(knots, knots[1:]):
        if p <= x1:
            out = y0 + (p - x0) / (x1 - x0) * (y1 - y0) if x1 > x0 else y1
            break
    # A probability at a cut must reach that cut's threshold exactly, whatever the rounding.
    for cut, at in knots[1:-1]:
        if p >= cut:
            out = max(out, at)
    return min(out, 1.0)
