"""The library ranks decisions: the platform takes the most severe one from here, not its own table."""
from __future__ import annotations

import moderation


def _d(action: str, surface: str = "output") -> dict:
    return {"action": action, "surface": surface}


def test_the_most_severe_decision_wins_and_the_first_on_a_tie():
    first_review, second_review = _d("review", "prompt"), _d("review", "upload")
    assert moderation.most_severe([_d("allow"), first_review, second_review]) is first_review
    assert moderation.most_severe([_d("allow"), _d("block"), _d("review")])["action"] == "block"


def test_no_decision_gives_none():
    assert moderation.most_severe([]) is None


def test_an_unknown_action_ranks_as_a_block_so_it_never_lets_a_request_through():
    odd = _d("maybe")
    assert moderation.most_severe([_d("allow"), odd]) is odd
    assert moderation.severity("allow") < moderation.severity("review") < moderation.severity("block")
