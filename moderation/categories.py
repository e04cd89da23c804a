"""Category names: OpenAI's moderation categories plus Hallmark's own."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

#: OpenAI ``/v1/moderations`` categories, spelled exactly as the API does.
OPENAI_CATEGORIES: tuple[str, ...] = (
    "sexual",
    "sexual/minors",
    "harassment",
    "harassment/threatening",
    "hate",
    "hate/threatening",
    "illicit",
    "illicit/violent",
    "self-harm",
    "self-harm/intent",
    "self-harm/instructions",
    "violence",
    "violence/graphic",
)

#: Categories the text gate scores.
TEXT_CATEGORIES: tuple[str, ...] = OPENAI_CATEGORIES + ("public-figure", "deception")

#: Categories only the image gate scores (nudity maps to ``sexual``).
IMAGE_CATEGORIES: tuple[str, ...] = ("sexual", "face-edit")

#: Every category a decision can carry, in a stable order.
CATEGORIES: tuple[str, ...] = TEXT_CATEGORIES + ("face-edit",)

#: A sub-category's score also counts for its parent, as in OpenAI's API
#: (``sexual/minors`` content is also ``sexual``).
PARENTS: dict[str, str] = {c: c.split("/")[0] for c in CATEGORIES if "/" in c}

SURFACES: tuple[str, ...] = ("prompt", "upload", "output")
ACTIONS: tuple[str, ...] = ("allow", "review", "block")


def severity(action: str) -> int:
    """Return the rank of an action: allow < review < block."""
    return ACTIONS.index(action)


def most_severe(decisions: Iterable[Any]) -> Any | None:
    """Return the decision (a ``Decision`` or its ``to_dict()``) whose action is most severe, the first on a tie; None if empty.

    An action this library does not know ranks as a block: a stored decision that cannot be
    read never lets a request through."""
    def rank(decision: Any) -> int:
        action = decision["action"] if isinstance(decision, Mapping) else decision.action
        return severity(action) if action in ACTIONS else len(ACTIONS) - 1

    return max(decisions, key=rank, default=None)
