"""A gate that raises, runs late or is not loaded never allows."""

import numpy as np

from moderation import Moderator, Policy
from moderation.images import ImageGate
from moderation.lexicon import Lexicon

from moderation_samples import sample


def broken_detector(bgr: np.ndarray):
    # A real fault inside the model call: the detector receives the pixels and fails.
    raise RuntimeError("onnxruntime: CUDA_ERROR_OUT_OF_MEMORY (injected)")


def test_an_image_gate_that_raises_blocks_with_a_readable_reason():
    m = Moderator(Policy.load(), Lexicon.load(), None, ImageGate(detect=broken_detector), learned_expected=False)
    d = m.check_image(sample("coffee"), purpose="edit")
    assert d.blocked and d.reason == "safety check unavailable" and d.rule == "fail-closed"


def test_a_one_microsecond_deadline_blocks_text_that_would_pass(rules_only):
    assert rules_only.check_text("a cup of coffee").allowed
    late = Moderator(rules_only.policy, rules_only.lexicon, None, rules_only.image_gate,
                     deadline_s=1e-6, learned_expected=False)
    d = late.check_text("a cup of coffee")
    assert d.blocked and d.reason == "safety check unavailable"


def test_a_one_microsecond_deadline_blocks_an_image_that_would_pass(rules_only):
    late = Moderator(rules_only.policy, rules_only.lexicon, None, rules_only.image_gate,
                     deadline_s=1e-6, learned_expected=False)
    assert late.check_image(sample("coffee")).blocked


def test_a_gate_that_is_not_loaded_fails_closed():
    m = Moderator(Policy.load(), Lexicon.load(), None, None, learned_expected=True)
    assert m.check_text("a cup of coffee").blocked
    assert m.check_image(sample("coffee")).blocked
    assert m.moderate("a cup of coffee")[0]["flagged"] is True


def test_the_policy_can_send_unavailable_checks_to_review_instead(tmp_path):
    raw = Policy.load()
    held = Policy(raw.version, "review", raw.deadline_s, raw.limits, raw.surfaces)
    m = Moderator(held, Lexicon.load(), None, ImageGate(detect=broken_detector), learned_expected=False)
    assert m.check_image(sample("coffee")).held


def test_a_text_gate_whose_lexicon_raises_fails_closed(rules_only):
    class ExplodingLexicon(Lexicon):
        def scan(self, norm):
            raise MemoryError("injected")

    lex = ExplodingLexicon()
    m = Moderator(rules_only.policy, lex, None, None, learned_expected=False)
    assert m.check_text("a cup of coffee").blocked
