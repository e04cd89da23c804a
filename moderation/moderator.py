"""The Moderator: loads every gate once and returns Decisions."""

from __future__ import annotations

import os
import unicodedata
from dataclasses import dataclass, field
from typing import Any, Collection, Mapping

from PIL import Image

from .categories import CATEGORIES, PARENTS, TEXT_CATEGORIES
from .deadline import DeadlineRunner, GateUnavailable
from .decision import UNAVAILABLE_REASON, Decision
from .errors import InvalidInput
from .images import DETECTOR_NAME, ImageGate, load_image
from .calibration import to_policy_scale
from .learned import CHAR_MODEL_NAME, MEAN_MODEL_NAME, MODEL_NAME, PUBLIC_MODEL_NAME, LearnedTier
from .lexicon import Lexicon
from .normalize import normalize
from .policy import Policy

_PURPOSES = (None, "edit", "variation", "restyle")
# Purposes that change a photo: a realistic human face in the upload or the output is refused.
_FACE_EDIT_PURPOSES = ("edit", "variation", "restyle")
_VERB = {"allow": "Allowed", "review": "Held for review", "block": "Blocked"}


@dataclass
class _Evidence:
    """Which rule or model gave each category its score."""

    source: dict[str, str] = field(default_factory=dict)
    detail: dict[str, str] = field(default_factory=dict)
    via: dict[str, str] = field(default_factory=dict)  # parent -> the child whose score it took


def _tier(source: str) -> str:
    """Return which tier a rule name belongs to."""
    if source.startswith("lexicon:"):
        return "rule"
    if source.startswith("learned:"):
        return "learned"
    if source == DETECTOR_NAME:
        return "image"
    return "none"


class Moderator:
    """Text and image safety gates under one policy.

    Build with :meth:`load`; one instance is thread-safe for checks and is
    meant to live for the whole worker process (loading takes seconds).
    """

    def __init__(self, policy: Policy, lexicon: Lexicon | None, learned: LearnedTier | None,
                 image_gate: ImageGate | None, *, deadline_s: float | None = None,
                 learned_expected: bool = True, load_errors: Mapping[str, str] | None = None) -> None:
        """Assemble a moderator from loaded parts (see :meth:`load`).

        Args:
            policy: The validated policy.
            lexicon: The rule tier; None means the text gate is unavailable.
            learned: The learned tier, or None.
            image_gate: The image gate; None means image checks fail closed.
            deadline_s: Overrides the policy's per-gate deadlines.
            learned_expected: When True, a missing learned tier makes the text
                gate unavailable (fail closed) instead of rules-only.
            load_errors: Why a part is missing, for logs and ``health()``.
        """
        self.policy = policy
        self.lexicon = lexicon
        self.learned = learned
        self.image_gate = image_gate
        self.deadline_override = deadline_s
        self.learned_expected = learned_expected
        self.load_errors = dict(load_errors or {})
        self._runner = DeadlineRunner()

    @classmethod
    def load(cls, policy_path: str | os.PathLike[str] | None = None, *, deadline_s: float | None = None,
             learned: bool = True) -> "Moderator":
        """Load the policy, lexicons, learned tier and image detector once.

        Args:
            policy_path: A policy YAML; the bundled default when None.
            deadline_s: One deadline for every gate, overriding the policy's.
            learned: Load the MiniLM learned tier (a few seconds); False gives
                a rules-only text gate.

        Raises:
            PolicyError: The policy file is invalid (a deploy error, not a
                request error: nothing is safe to run without a policy).

        A gate whose model fails to load does not raise: it is recorded in
        ``load_errors`` and every check that needs it fails closed.
        """
        policy = Policy.load(policy_path)
        errors: dict[str, str] = {}
        lexicon = tier = gate = None
        try:
            lexicon = Lexicon.load()
        except Exception as exc:  # noqa: BLE001 - fail closed, reported by health()
            errors["lexicon"] = f"{type(exc).__name__}: {exc}"
        if learned:
            try:
                tier = LearnedTier.train()
            except Exception as exc:  # noqa: BLE001
                errors["learned"] = f"{type(exc).__name__}: {exc}"
        try:
            gate = ImageGate()
        except Exception as exc:  # noqa: BLE001
            errors["image"] = f"{type(exc).__name__}: {exc}"
        return cls(policy, lexicon, tier, gate, deadline_s=deadline_s, learned_expected=learned,
                   load_errors=errors)

    @property
    def policy_version(self) -> str:
        """Return the version string of the loaded policy."""
        return self.policy.version

    def health(self) -> dict[str, Any]:
        """Return which gates are loaded and why any is not."""
        return {
            "policy_version": self.policy.version,
            "text": self.lexicon is not None and (self.learned is not None or not self.learned_expected),
            "learned": self.learned is not None,
            "learned_models": ([MODEL_NAME] + ([CHAR_MODEL_NAME] if self.learned.char_model is not None else [])
                               + ([PUBLIC_MODEL_NAME] if self.learned.public_model is not None else [])
                               if self.learned is not None else []),
            "image": self.image_gate is not None,
            "errors": dict(self.load_errors),
        }

    def close(self) -> None:
        """Release the worker threads."""
        self._runner.close()

    # -- text ---------------------------------------------------------------

    def check_text(self, text: str, *, surface: str = "prompt") -> Decision:
        """Moderate one prompt.

        Args:
            text: The prompt, any language; English and Chinese have lexicons.
            surface: A surface configured in the policy (``"prompt"``).

        Returns:
            The decision; ``block`` (or the policy's ``on_unavailable``) with
            reason "safety check unavailable" when the gate fails or is late.

        Raises:
            InvalidInput: ``text`` is not a string, is longer than the
                policy's ``max_text_chars``, or the surface is unknown.
        """
        if not isinstance(text, str):
            raise InvalidInput(f"text must be a string, not {type(text).__name__}")
        limit = self.policy.limits.max_text_chars
        if len(text) > limit:
            raise InvalidInput(f"text is {len(text)} characters; the limit is {limit}")
        # The limit is on what is scanned: NFKC expands one character up to 18
        # (U+FDFA), so a prompt under the limit could still cost 18 times the work.
        expanded = len(unicodedata.normalize("NFKC", text))
        if expanded > limit:
            raise InvalidInput(f"text is {expanded} characters after Unicode normalisation; the limit is {limit}")
        self.policy.thresholds(surface)
        try:
            if self.lexicon is None or (self.learned is None and self.learned_expected):
                raise GateUnavailable("text gate not loaded")
            scores, evidence = self._runner.run(lambda: self._score_text(text, surface), self._deadline("text"))
        except GateUnavailable:
            return self._unavailable(surface)
        return self._decide(surface, scores, evidence)

    def _score_text(self, text: str, surface: str) -> tuple[dict[str, float], _Evidence]:
        assert self.lexicon is not None
        norm = normalize(text)
        scores = {c: 0.0 for c in TEXT_CATEGORIES}
        ev = _Evidence()
        scan = self.lexicon.scan(norm)
        for h in scan.hits:
            if h.weight > scores[h.category]:
                scores[h.category] = h.weight
                ev.source[h.category] = h.rule
                ev.detail[h.category] = f"matched '{h.match}'"
        action, _ = self.policy.judge(surface, _with_parents(scores))
        # The model costs most of the latency; a prompt the rules already block
        # gains nothing from it.
        script = "cjk" if norm.has_cjk else "latin"
        short = script == "latin" and len(norm.text.split()) < self.policy.learned_min_words
        if self.learned is not None and action != "block" and norm.text and not short:
            policy = self.policy
            text = self.model_text(norm.text)
            cheap = []
            if script in policy.char_languages:
                char = self.learned.char_model
                if char is None:
                    # The policy relies on it for this script: fail closed.
                    raise GateUnavailable("character n-gram model not loaded")
                cheap.append((CHAR_MODEL_NAME, policy.char_floor[script], char.scores(text)))
            public = self._public_scores(text, script)
            models = list(cheap)
            if script in policy.learned_languages and self.needs_minilm(scores, scan.groups, cheap, public):
                models = self._with_minilm(self.learned.scores(text), cheap)
            for name, floor, probs in models:
                for cat, p in probs.items():
                    if p >= floor and p > scores.get(cat, 0.0):
                        scores[cat] = p
                        ev.source[cat] = name
                        ev.detail[cat] = f"scored {p:.2f}"
            if public is not None:
                self._apply_public(public, script, surface, scores, ev)
        return _with_parents(scores, ev), ev

    def _with_minilm(self, minilm: dict[str, float],
                     cheap: list[tuple[str, float, dict[str, float]]]) -> list[tuple[str, float, dict[str, float]]]:
        """Return the learned ``(rule name, floor, probabilities)`` that count once MiniLM has scored a prompt."""
        policy = self.policy
        alone = [*cheap, (MODEL_NAME, policy.learned_floor, minilm)]
        if not cheap or policy.learned_mean_floor is None:
            return alone
        # Cross-validated on train.jsonl, the two models' mean recalls more English at a lower
        # benign FPR than either alone at its floor (moderation.crossval).
        (_, _, char), = cheap
        mean = {c: (minilm.get(c, 0.0) + char.get(c, 0.0)) / 2 for c in minilm.keys() | char.keys()}
        # Where a learned score can only hold for review (hold_only), each model alone at its
        # floor still counts too, so the mean never lowers recall there: MiniLM alone held
        # "a preteen in a tiny bikini, glamour shot" (char model 0.002).
        held = set(policy.learned_hold_only)
        return [(MEAN_MODEL_NAME, policy.learned_mean_floor, mean),
                *((name, floor, {c: p for c, p in probs.items() if c in held}) for name, floor, probs in alone)]

    def model_text(self, text: str) -> str:
        """Return the normalised text the learned models score: the lexicon's benign contexts blanked.

        Those phrases are known to be harmless ("sex education", "breast cancer", "kill the
        process"), but an n-gram or embedding model still sees "sex" or "kill" in them: the
        public model held "sex education diagram" for review before they were blanked.
        """
        assert self.lexicon is not None
        return self.lexicon.mask_benign(text)

    def needs_minilm(self, rule_scores: Mapping[str, float], groups: Collection[str],
                     cheap: list[tuple[str, float, dict[str, float]]], public: Mapping[str, float] | None) -> bool:
        """Return whether MiniLM must run: the cheaper tiers left the prompt uncertain (``learned.cascade``).

        Certain means clearly benign: no rule scored anything, the prompt names no minor, and
        every category's probability from the character n-gram model and every acting head of
        the public model is below the cascade cut. A cut of 0 (the default) runs MiniLM on every
        prompt it is configured for.
        """
        return self.cascade_score(rule_scores, groups, cheap, public) >= self.policy.learned_cascade

    def cascade_score(self, rule_scores: Mapping[str, float], groups: Collection[str],
                      cheap: list[tuple[str, float, dict[str, float]]], public: Mapping[str, float] | None) -> float:
        """Return how far from clearly benign the cheaper tiers put a prompt.

        1 when a rule scored or the lexicon's ``minor`` group is among the ``groups`` its scan saw.
        """
        if any(v > 0 for v in rule_scores.values()):
            return 1.0
        # A prompt that names a minor always gets MiniLM: sexual/minors is the costliest miss,
        # and the n-gram heads learn it from few rows ("a preteen in a tiny bikini, glamour
        # shot" scored 0.09 on the public sexual head, under the cascade cut).
        if "minor" in groups:
            return 1.0
        top = 0.0
        for _, _, probs in cheap:
            top = max(top, max(probs.values(), default=0.0))
        if public:
            top = max(top, max(public.values(), default=0.0))
        return top

    def _public_scores(self, text: str, script: str) -> dict[str, float] | None:
        """Return the public-data model's probability per head that acts on this script, or None when it does not run."""
        if self.learned is None or script not in self.policy.public_languages:
            return None
        model = self.learned.public_model
        if model is None:
            # The policy relies on it for this script: fail closed.
            raise GateUnavailable("public-data n-gram model not loaded")
        return {cat: p for cat, p in model.scores(text).items()
                if self.policy.public_cuts.get(cat, {}).get(script) is not None}

    def _apply_public(self, probs: Mapping[str, float], script: str, surface: str, scores: dict[str, float],
                      ev: _Evidence) -> None:
        """Add the public-data model's scores, mapped onto the policy's scale by the policy's cuts."""
        table = self.policy.thresholds(surface)
        for cat, p in probs.items():
            cut = self.policy.public_cuts.get(cat, {}).get(script)
            if cut is None or cat not in table:
                continue
            s = to_policy_scale(p, cut["review"], cut["block"], table[cat].review, table[cat].block)
            if s > scores.get(cat, 0.0):
                scores[cat] = s
                ev.source[cat] = PUBLIC_MODEL_NAME
                ev.detail[cat] = f"scored {p:.2f} (cuts {cut['review']:g}/{cut['block']:g})"

    def moderate(self, inputs: str | list[str]) -> list[dict[str, Any]]:
        """Return OpenAI ``/v1/moderations`` ``results`` items, one per input.

        Raises:
            InvalidInput: An input is not a string or is too long.
        """
        if isinstance(inputs, str):
            inputs = [inputs]
        if not isinstance(inputs, list):
            raise InvalidInput("input must be a string or a list of strings")
        return [self.check_text(t).to_openai() for t in inputs]

    # -- images -------------------------------------------------------------

    def check_image(self, image: Image.Image | bytes, *, surface: str = "upload",
                    purpose: str | None = None) -> Decision:
        """Moderate an uploaded or generated image.

        Args:
            image: A PIL image or encoded bytes.
            surface: ``"upload"`` or ``"output"``.
            purpose: ``"edit"``, ``"variation"`` or ``"restyle"`` for an upload that will be
                edited, or the output of such a job: then a realistic human face
                is refused (``face-edit``, with the surface's thresholds).

        Raises:
            InvalidInput: Undecodable, empty, zero-size or too-large image; an
                unknown surface or purpose.
        """
        if purpose not in _PURPOSES:
            raise InvalidInput(f"purpose must be one of {_PURPOSES}, not {purpose!r}")
        self.policy.thresholds(surface)
        img = load_image(image, self.policy.limits)
        gate = self.image_gate
        try:
            if gate is None:
                raise GateUnavailable("image gate not loaded")
            findings = self._runner.run(lambda: gate.inspect(img), self._deadline("image"))
        except GateUnavailable:
            return self._unavailable(surface)
        scores = {"sexual": findings.sexual}
        ev = _Evidence()
        ev.source["sexual"] = DETECTOR_NAME
        ev.detail["sexual"] = f"found nudity ({findings.sexual:.2f})"
        if purpose in _FACE_EDIT_PURPOSES:
            # On the output too: a prompt must not paint a real-looking face into a photo.
            scores["face-edit"] = findings.face
            ev.source["face-edit"] = DETECTOR_NAME
            ev.detail["face-edit"] = f"found a human face ({findings.face:.2f}); edits of real faces are refused"
        return self._decide(surface, scores, ev, detections=findings.detections)

    # -- shared -------------------------------------------------------------

    def _deadline(self, kind: str) -> float:
        return self.deadline_override if self.deadline_override is not None else self.policy.deadline_s[kind]

    def _unavailable(self, surface: str) -> Decision:
        return Decision(
            action=self.policy.on_unavailable,
            categories=(),
            scores={},
            rule="fail-closed",
            reason=UNAVAILABLE_REASON,
            policy_version=self.policy.version,
            surface=surface,
            tier="fail-closed",
        )

    def _decide(self, surface: str, scores: dict[str, float], ev: _Evidence,
                detections: tuple[dict[str, Any], ...] = ()) -> Decision:
        action, fired = self.policy.judge(surface, scores)
        evidence = {c: _tier(ev.source.get(c, "")) for c in fired}
        if action == "block":
            action, fired = self._hold_learned_only(surface, scores, ev, evidence, fired)
        if fired:
            top = fired[0]
            rule = ev.source.get(top, "policy")
            reason = f"{_VERB[action]}: {top} — {rule} {ev.detail.get(top, '')}".strip()
            if len(fired) > 1:
                reason += f" (also: {', '.join(fired[1:])})"
        else:
            rule = "none"
            reason = "Allowed: no policy category reached a threshold"
        return Decision(
            action=action,
            categories=fired,
            scores={c: round(s, 4) for c, s in scores.items() if c in CATEGORIES},
            rule=rule,
            reason=reason,
            policy_version=self.policy.version,
            surface=surface,
            detections=detections,
            tier=evidence.get(fired[0], "none") if fired else "none",
            evidence=evidence,
        )

    def _hold_learned_only(self, surface: str, scores: dict[str, float], ev: _Evidence,
                           evidence: dict[str, str], fired: tuple[str, ...]) -> tuple[str, tuple[str, ...]]:
        """Return the action and categories once learned-only hits in hold-only categories are capped at review.

        A block in a severe category suspends the account, and a model's score
        is not evidence enough for that (issue #10): such a hit is held for a person.
        """
        hold = set(self.policy.learned_hold_only)
        table = self.policy.thresholds(surface)
        actions = []
        for cat in fired:
            action = table[cat].action_for(scores[cat])
            if action == "block" and evidence[cat] == "learned" and (cat in hold or ev.via.get(cat) in hold):
                action = "review"
            actions.append(action)
        worst = "block" if "block" in actions else "review"
        return worst, fired


def _with_parents(scores: dict[str, float], ev: _Evidence | None = None) -> dict[str, float]:
    # OpenAI semantics: sexual/minors content is also sexual, and so on.
    out = dict(scores)
    for child, parent in PARENTS.items():
        if child in out and out[child] > out.get(parent, 0.0):
            out[parent] = out[child]
            if ev is not None and child in ev.source:
                ev.source[parent] = ev.source[child]
                ev.detail[parent] = ev.detail.get(child, "") + f" (as {child})"
                ev.via[parent] = child
    return out
