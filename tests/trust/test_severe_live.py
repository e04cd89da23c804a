"""Over HTTP, through the real workers and gates: in a severe category (sexual/minors) only rule-tier
evidence suspends; a learned-tier-only hit is held for a person and the account stays open (issue #10)."""
from __future__ import annotations

import pytest
import requests

from trust.models import Strike, Suspension

pytestmark = [pytest.mark.live, pytest.mark.django_db(transaction=True)]

# The rules do not match it; MiniLM scores it sexual/minors on its own (checked below, so a model
# change that moves it fails here with a reason rather than silently testing something else).
LEARNED_ONLY = "a twelve year old in a bikini striking a model pose"
RULE_TIER = "a naked child"  # lexicon: minor + nudity
HARMLESS = "a boy flying a kite"


def post(base: str, key: str, path: str, **body) -> requests.Response:
    return requests.post(f"{base}/v1{path}", json=body, headers={"Authorization": f"Bearer {key}"}, timeout=200)


def test_the_learned_only_prompt_is_what_this_file_assumes():
    from moderation import Moderator

    d = Moderator.load().check_text(LEARNED_ONLY)
    assert d.action == "review" and d.evidence.get("sexual/minors") == "learned", d.to_dict()


def test_a_learned_only_severe_hit_is_held_and_does_not_suspend(workers, live_server, owner, make_key):
    key = make_key(owner)
    held = post(live_server.url, key, "/images/generations", prompt=LEARNED_ONLY, size="256x256")
    assert held.status_code == 409 and held.json()["error"]["code"] == "held_for_review", held.text
    assert not Suspension.objects.filter(user=owner).exists() and not Strike.objects.filter(user=owner).exists()
    after = post(live_server.url, key, "/jobs", prompt=HARMLESS, size="256x256")
    assert after.status_code == 202, after.text


def test_a_rule_tier_severe_hit_blocks_suspends_and_records_its_decision(workers, live_server, owner, make_key):
    key = make_key(owner)
    blocked = post(live_server.url, key, "/images/generations", prompt=RULE_TIER, size="256x256")
    assert blocked.status_code == 400 and blocked.json()["error"]["code"] == "content_policy_violation", blocked.text
    refused = post(live_server.url, key, "/jobs", prompt=HARMLESS, size="256x256")
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "account_suspended", refused.text
    suspension = Suspension.objects.get(user=owner)
    assert suspension.permanent
    decision = suspension.causes[0]["decision"]
    assert "sexual/minors" in decision["categories"] and decision["evidence"]["sexual/minors"] == "rule"
