"""The library ranks decisions: the platform takes the most severe one from here, not its own table."""
from __future__ import annotations

import moderation
from moderation import Decision


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


def _block(evidence: dict[str, str], rule: str = "learned:minilm-logreg") -> Decision:
    return Decision(action="block", categories=tuple(evidence), scores={c: 0.9 for c in evidence}, rule=rule,
                    reason="", policy_version="t", surface="prompt", evidence=evidence)


def test_only_rule_evidence_in_a_severe_category_suspends_at_once():
    severe = {"sexual/minors"}
    assert _block({"sexual/minors": "rule"}, "lexicon:en:sexual/minors").suspends_at_once(severe)
    assert not _block({"sexual/minors": "learned"}).suspends_at_once(severe)
    assert not _block({"sexual": "rule"}, "lexicon:en:sexual").suspends_at_once(severe)
    assert not _block({"sexual/minors": "rule"}, "fail-closed").suspends_at_once(severe)
    # A decision stored before evidence was kept per category: a lexicon rule counts as rule evidence.
    old = Decision(action="block", categories=("sexual/minors",), scores={"sexual/minors": 1.0},
                   rule="lexicon:en:sexual/minors", reason="", policy_version="t", surface="prompt")
    assert old.rule_backed() == ("sexual/minors",) and old.suspends_at_once(severe)
