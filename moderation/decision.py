"""The one decision shape every gate returns."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable

from .categories import CATEGORIES

UNAVAILABLE_REASON = "safety check unavailable"


@dataclass(frozen=True)
class Decision:
    """What a gate decided about one text or image.

    Attributes:
        action: ``"allow"``, ``"review"`` (held for a person) or ``"block"``.
        categories: The categories that reached a review or block threshold.
        scores: Score in [0, 1] per category the gate scored.
        rule: The rule or model that fired (``"lexicon:en:sexual"``,
            ``"learned:minilm-logreg"``, ``"nudenet:320n"``, ``"fail-closed"``).
        reason: One English line a person can read.
        policy_version: The ``version`` of the policy that decided.
        surface: ``"prompt"``, ``"upload"`` or ``"output"``.
        detections: For images, what the detector found
            (``{"label", "score", "box": [x, y, w, h]}``); empty for text.
        tier: Which tier gave the top category its score: ``"rule"`` (an
            explicit lexicon or combination match), ``"learned"`` (a model's
            score alone), ``"image"`` (the image detector), ``"fail-closed"``
            or ``"none"``. Enforcement reads it: only rule evidence may suspend.
        evidence: The tier behind each fired category (same values).
    """

    action: str
    categories: tuple[str, ...]
    scores: dict[str, float]
    rule: str
    reason: str
    policy_version: str
    surface: str
    detections: tuple[dict[str, Any], ...] = field(default=())
    tier: str = "none"
    evidence: dict[str, str] = field(default_factory=dict)

    @property
    def allowed(self) -> bool:
        """Return True when the input may proceed."""
        return self.action == "allow"

    @property
    def blocked(self) -> bool:
        """Return True when the input is refused."""
        return self.action == "block"

    @property
    def held(self) -> bool:
        """Return True when the input waits for human review."""
        return self.action == "review"

    @property
    def unavailable(self) -> bool:
        """Return True when a gate failed and the decision is fail-closed."""
        return self.rule == "fail-closed"

    @property
    def fail_closed(self) -> bool:
        """Return True when nothing was judged (gate missing, raised or late): never evidence against a user."""
        return self.unavailable

    def rule_backed(self) -> tuple[str, ...]:
        """Return the fired categories that rest on rule-tier evidence (an explicit lexicon or combination match).

        Only these may suspend an account at once. A category without an evidence entry
        counts as rule-backed only when a lexicon fired."""
        fallback = "rule" if self.rule.startswith("lexicon:") else ""
        return tuple(c for c in self.categories if self.evidence.get(c, fallback) == "rule")

    def suspends_at_once(self, severe_categories: Iterable[str]) -> bool:
        """Return whether this is a block that suspends at once: rule-backed in one of ``severe_categories``."""
        severe = set(severe_categories)
        return self.blocked and not self.fail_closed and any(c in severe for c in self.rule_backed())

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-serialisable dict of every field."""
        return {
            "action": self.action,
            "categories": list(self.categories),
            "scores": {k: round(float(v), 4) for k, v in self.scores.items()},
            "rule": self.rule,
            "reason": self.reason,
            "policy_version": self.policy_version,
            "surface": self.surface,
            "detections": [dict(d) for d in self.detections],
            "tier": self.tier,
            "evidence": dict(self.evidence),
            "fail_closed": self.fail_closed,
        }

    def to_openai(self) -> dict[str, Any]:
        """Return one OpenAI ``/v1/moderations`` ``results`` item.

        ``flagged`` is true for review and block alike: OpenAI's field means
        "a policy was touched", and a held prompt did touch one.
        """
        fired = set(self.categories)
        return {
            "flagged": self.action != "allow",
            "categories": {c: c in fired for c in CATEGORIES},
            "category_scores": {c: round(float(self.scores.get(c, 0.0)), 6) for c in CATEGORIES},
        }
