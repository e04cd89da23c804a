"""The decision shape, the OpenAI view, input errors and the operator CLI."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from moderation import CATEGORIES, Decision, InvalidInput, ModerationError

ROOT = Path(__file__).resolve().parents[2]


def test_a_decision_serialises_to_json_with_every_field(mod):
    d = mod.check_text("a photo of a naked woman")
    out = json.loads(json.dumps(d.to_dict()))
    assert out["action"] == "block" and out["categories"] == ["sexual"]
    assert out["policy_version"] == mod.policy_version and out["surface"] == "prompt"
    assert "naked" in out["reason"] and out["rule"] == "lexicon:en:sexual"


def test_decisions_are_frozen(mod):
    d = mod.check_text("a fox")
    with pytest.raises(AttributeError):
        d.action = "block"  # type: ignore[misc]


def test_moderate_returns_openai_results_for_every_category(mod):
    results = mod.moderate(["a photo of a naked woman", "a watercolor painting of a fox in the snow"])
    assert [r["flagged"] for r in results] == [True, False]
    for r in results:
        assert set(r["categories"]) == set(CATEGORIES) == set(r["category_scores"])
    assert results[0]["categories"]["sexual"] and results[0]["category_scores"]["sexual"] >= 0.7


def test_held_prompts_are_flagged_in_the_openai_view(mod):
    d = mod.check_text("a realistic photo of Joe Biden")
    assert d.held and d.to_openai()["flagged"] is True


def test_absurdly_long_text_is_invalid_input(mod):
    with pytest.raises(InvalidInput, match="limit"):
        mod.check_text("a" * 1_000_000)


def test_non_string_text_is_invalid_input(mod):
    with pytest.raises(InvalidInput):
        mod.check_text(b"bytes")  # type: ignore[arg-type]


def test_an_unknown_surface_is_invalid_input_and_a_moderation_error(mod):
    with pytest.raises(ModerationError):
        mod.check_text("a fox", surface="email")


def test_an_empty_prompt_is_allowed(mod):
    assert mod.check_text("").allowed


def test_the_cli_prints_the_decision_and_exits_with_its_severity():
    proc = subprocess.run([sys.executable, "-m", "moderation.check", "--no-learned", "一张裸体女人的照片"],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2, proc.stderr
    assert json.loads(proc.stdout)["action"] == "block"
