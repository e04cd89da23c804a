"""The declarative policy: thresholds and actions per surface and category.

Operators change what is allowed by editing a YAML file, never code. The file is
validated completely at load so that a typo fails the deploy, not a request.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

import yaml

from .categories import ACTIONS, CATEGORIES, SURFACES, severity
from .errors import PolicyError

DEFAULT_POLICY_PATH = Path(__file__).parent / "data" / "policy.yaml"


def _is_unit(value: object) -> bool:
    """Return whether a YAML value is a number in [0, 1] (a bool is not a number here)."""
    return not isinstance(value, bool) and isinstance(value, (int, float)) and 0 <= value <= 1


_TOP_KEYS = {"version", "on_unavailable", "deadline_s", "limits", "surfaces", "description", "learned"}
_LEARNED_KEYS = {"floor", "languages", "char_ngram", "public_ngram", "hold_only", "min_words", "cascade", "mean_floor"}
_PUBLIC_KEYS = {"languages", "cuts"}
_CHAR_KEYS = {"floor", "languages"}
_LIMIT_KEYS = {"max_text_chars", "max_image_pixels", "max_image_bytes"}
_DEADLINE_KEYS = {"text", "image"}
_RULE_KEYS = {"review", "block"}


@dataclass(frozen=True)
class Threshold:
    """Scores at or above ``block`` block; at or above ``review`` are held."""

    review: float | None = None
    block: float | None = None

    def action_for(self, score: float) -> str:
        """Return the action this threshold gives a score."""
        if self.block is not None and score >= self.block:
            return "block"
        if self.review is not None and score >= self.review:
            return "review"
        return "allow"


@dataclass(frozen=True)
class Limits:
    """Input sizes beyond which the gates refuse to work (InvalidInput)."""

    max_text_chars: int = 20_000
    max_image_pixels: int = 50_000_000
    max_image_bytes: int = 50 * 1024 * 1024


@dataclass(frozen=True)
class Policy:
    """A validated policy.

    Attributes:
        version: Carried on every decision so that audits can replay it.
        on_unavailable: ``"block"`` or ``"review"`` when a gate fails.
        deadline_s: Per gate kind (``"text"``, ``"image"``), in seconds.
        limits: Input size limits.
        surfaces: ``surface -> category -> Threshold``.
        learned_floor: Learned-tier scores below this count as 0: a small
            classifier's low probabilities are noise, not evidence.
        learned_languages: Scripts the learned tier's MiniLM model is
            trusted on (``"latin"``, ``"cjk"``); MiniLM-L6 is an English model.
        char_floor: Floor for the character n-gram model's scores, per
            script (``{"latin": x, "cjk": y}``; one number in YAML sets both).
        char_languages: Scripts the character n-gram model runs on; empty
            disables it. A script listed here with the model missing makes the
            text gate unavailable (fail closed).
        learned_hold_only: Categories in which a learned-tier score alone
            can at most hold for review: only rule-tier evidence blocks them
            (a block there can suspend an account, and a score is not evidence).
        learned_min_words: Latin prompts with fewer words are judged by the
            rules alone: an embedding of "a child" or "a girl" carries no
            context, and MiniLM scored both as sexual/minors.
        public_languages: Scripts the public-data n-gram model runs on; empty
            disables it; a script listed with the model missing fails closed.
        public_cuts: ``category -> script -> {"review": p, "block": p}``: the
            model probabilities that map onto the surface's review and block
            thresholds (chosen by ``python -m moderation.train``).
        learned_cascade: MiniLM runs only when the cheaper tiers leave a prompt
            uncertain: a rule scored something, or a character n-gram or public-model
            probability is at least this cut (chosen by ``python -m moderation.cascade``
            on validation rows). 0 runs MiniLM on every prompt it is configured for.
        learned_mean_floor: Where MiniLM and the character n-gram model both score a
            prompt, a category's learned score is the mean of their two probabilities,
            counted from this floor (``learned_floor`` and ``char_floor`` then apply only in
            ``learned_hold_only`` categories, and wherever one model runs alone). None: each
            model counts alone at its floor.
    """

    version: str
    on_unavailable: str
    deadline_s: Mapping[str, float]
    limits: Limits
    surfaces: Mapping[str, Mapping[str, Threshold]]
    learned_floor: float = 0.5
    learned_languages: tuple[str, ...] = ("latin",)
    char_floor: Mapping[str, float] = field(default_factory=lambda: {"latin": 0.5, "cjk": 0.5})
    char_languages: tuple[str, ...] = ()
    learned_hold_only: tuple[str, ...] = ()
    learned_min_words: int = 1
    public_languages: tuple[str, ...] = ()
    public_cuts: Mapping[str, Mapping[str, Mapping[str, float]]] = field(default_factory=dict)
    learned_cascade: float = 0.0
    learned_mean_floor: float | None = None

    @classmethod
    def load(cls, path: str | os.PathLike[str] | None = None) -> "Policy":
        """Read and validate a policy file.

        Args:
            path: A YAML file; the bundled ``data/policy.yaml`` when None.

        Raises:
            PolicyError: The file is missing, is not YAML, or fails validation;
                the message names the offending key.
        """
        p = Path(path) if path is not None else DEFAULT_POLICY_PATH
        try:
            raw = yaml.safe_load(p.read_text(encoding="utf-8"))
        except OSError as exc:
            raise PolicyError(f"cannot read policy file {p}: {exc}") from exc
        except yaml.YAMLError as exc:
            raise PolicyError(f"policy file {p} is not valid YAML: {exc}") from exc
        return cls.from_dict(raw, source=str(p))

    @classmethod
    def from_dict(cls, raw: Any, *, source: str = "<dict>") -> "Policy":
        """Validate a parsed policy mapping.

        Raises:
            PolicyError: With the path of the first bad key, e.g.
                ``surfaces.prompt.sexual.block: must be a number in [0, 1]``.
        """

        def fail(where: str, msg: str) -> PolicyError:
            return PolicyError(f"{source}: {where}: {msg}")

        if not isinstance(raw, dict):
            raise fail("<top>", "the policy must be a mapping")
        unknown = set(raw) - _TOP_KEYS
        if unknown:
            raise fail(sorted(unknown)[0], f"unknown key (allowed: {', '.join(sorted(_TOP_KEYS))})")
        version = raw.get("version")
        if not isinstance(version, str) or not version.strip():
            raise fail("version", "a non-empty string is required")
        on_unavailable = raw.get("on_unavailable", "block")
        if on_unavailable not in ("block", "review"):
            raise fail("on_unavailable", "must be 'block' or 'review' (never 'allow': gates fail closed)")

        deadlines = {"text": 1.0, "image": 5.0}
        for key, value in (raw.get("deadline_s") or {}).items():
            if key not in _DEADLINE_KEYS:
                raise fail(f"deadline_s.{key}", "unknown gate (allowed: text, image)")
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
                raise fail(f"deadline_s.{key}", "must be a positive number of seconds")
            deadlines[key] = float(value)

        limits_raw = raw.get("limits") or {}
        if not isinstance(limits_raw, dict):
            raise fail("limits", "must be a mapping")
        for key, value in limits_raw.items():
            if key not in _LIMIT_KEYS:
                raise fail(f"limits.{key}", f"unknown limit (allowed: {', '.join(sorted(_LIMIT_KEYS))})")
            if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
                raise fail(f"limits.{key}", "must be a positive integer")
        limits = Limits(**limits_raw)

        learned_raw = raw.get("learned") or {}
        if not isinstance(learned_raw, dict):
            raise fail("learned", "must be a mapping")
        for key in learned_raw:
            if key not in _LEARNED_KEYS:
                raise fail(f"learned.{key}", "unknown key (allowed: floor, languages, char_ngram, public_ngram, hold_only, min_words, cascade, mean_floor)")
        hold_only = learned_raw.get("hold_only", [])
        if not isinstance(hold_only, list) or not set(hold_only) <= set(CATEGORIES):
            raise fail("learned.hold_only", f"must be a list drawn from: {', '.join(CATEGORIES)}")
        min_words = learned_raw.get("min_words", 1)
        if isinstance(min_words, bool) or not isinstance(min_words, int) or min_words < 1:
            raise fail("learned.min_words", "must be a positive integer")
        cascade = learned_raw.get("cascade", 0.0)
        if not _is_unit(cascade):
            raise fail("learned.cascade", "must be a number in [0, 1] (0: MiniLM on every prompt)")
        mean_floor = learned_raw.get("mean_floor")
        if mean_floor is not None and not _is_unit(mean_floor):
            raise fail("learned.mean_floor", "must be a number in [0, 1] or null (each model alone at its floor)")
        floor = learned_raw.get("floor", 0.5)
        if not _is_unit(floor):
            raise fail("learned.floor", "must be a number in [0, 1]")
        langs = learned_raw.get("languages", ["latin"])
        if not isinstance(langs, list) or not set(langs) <= {"latin", "cjk"}:
            raise fail("learned.languages", "must be a list drawn from: latin, cjk")
        char_raw = learned_raw.get("char_ngram") or {}
        if not isinstance(char_raw, dict):
            raise fail("learned.char_ngram", "must be a mapping")
        for key in char_raw:
            if key not in _CHAR_KEYS:
                raise fail(f"learned.char_ngram.{key}", "unknown key (allowed: floor, languages)")
        char_floor_raw = char_raw.get("floor", 0.5)
        if not isinstance(char_floor_raw, dict):
            char_floor_raw = {"latin": char_floor_raw, "cjk": char_floor_raw}
        char_floor: dict[str, float] = {}
        for script in ("latin", "cjk"):
            v = char_floor_raw.get(script, 0.5)
            if not _is_unit(v):
                raise fail("learned.char_ngram.floor", "must be a number in [0, 1] or {latin: x, cjk: y}")
            char_floor[script] = float(v)
        if set(char_floor_raw) - {"latin", "cjk"}:
            raise fail("learned.char_ngram.floor", "scripts allowed: latin, cjk")
        char_langs = char_raw.get("languages", [])
        if not isinstance(char_langs, list) or not set(char_langs) <= {"latin", "cjk"}:
            raise fail("learned.char_ngram.languages", "must be a list drawn from: latin, cjk")
        public_langs, public_cuts = _public_ngram(learned_raw.get("public_ngram") or {}, fail)

        surfaces_raw = raw.get("surfaces")
        if not isinstance(surfaces_raw, dict) or not surfaces_raw:
            raise fail("surfaces", "a mapping of surface -> category -> thresholds is required")
        surfaces: dict[str, dict[str, Threshold]] = {}
        for surface, cats in surfaces_raw.items():
            if surface not in SURFACES:
                raise fail(f"surfaces.{surface}", f"unknown surface (allowed: {', '.join(SURFACES)})")
            if not isinstance(cats, dict):
                raise fail(f"surfaces.{surface}", "must be a mapping of category -> thresholds")
            table: dict[str, Threshold] = {}
            for cat, rule in cats.items():
                where = f"surfaces.{surface}.{cat}"
                if cat not in CATEGORIES:
                    raise fail(where, f"unknown category (allowed: {', '.join(CATEGORIES)})")
                if not isinstance(rule, dict):
                    raise fail(where, "must be a mapping like {review: 0.5, block: 0.8}")
                bad = set(rule) - _RULE_KEYS
                if bad:
                    raise fail(f"{where}.{sorted(bad)[0]}", "unknown key (allowed: review, block)")
                values: dict[str, float | None] = {}
                for key in ("review", "block"):
                    v = rule.get(key)
                    if v is not None and not _is_unit(v):
                        raise fail(f"{where}.{key}", "must be a number in [0, 1] or null")
                    values[key] = None if v is None else float(v)
                if values["review"] is not None and values["block"] is not None and values["review"] > values["block"]:
                    raise fail(where, "review threshold must not exceed block threshold")
                table[cat] = Threshold(**values)
            surfaces[surface] = table
        return cls(
            version=version.strip(),
            on_unavailable=on_unavailable,
            deadline_s=deadlines,
            limits=limits,
            surfaces=surfaces,
            learned_floor=float(floor),
            learned_languages=tuple(langs),
            char_floor=char_floor,
            char_languages=tuple(char_langs),
            learned_hold_only=tuple(hold_only),
            learned_min_words=min_words,
            public_languages=public_langs,
            public_cuts=public_cuts,
            learned_cascade=float(cascade),
            learned_mean_floor=None if mean_floor is None else float(mean_floor),
        )

    def thresholds(self, surface: str) -> Mapping[str, Threshold]:
        """Return the thresholds of a surface.

        Raises:
            InvalidInput: The policy does not configure that surface.
        """
        from .errors import InvalidInput

        if surface not in self.surfaces:
            raise InvalidInput(f"unknown surface {surface!r} (policy has: {', '.join(self.surfaces)})")
        return self.surfaces[surface]

    def judge(self, surface: str, scores: Mapping[str, float]) -> tuple[str, tuple[str, ...]]:
        """Return the action and the fired categories for a set of scores.

        The most severe category wins; fired categories are listed most
        severe first, then by score.
        """
        table = self.thresholds(surface)
        fired: list[tuple[int, float, str]] = []
        for cat, score in scores.items():
            rule = table.get(cat)
            if rule is None:
                continue
            action = rule.action_for(score)
            if action != "allow":
                fired.append((severity(action), score, cat))
        if not fired:
            return "allow", ()
        fired.sort(key=lambda t: (-t[0], -t[1], CATEGORIES.index(t[2])))
        return ACTIONS[fired[0][0]], tuple(c for _, _, c in fired)


def _public_ngram(raw: Any, fail: Any) -> tuple[tuple[str, ...], dict[str, dict[str, dict[str, float]]]]:
    """Validate ``learned.public_ngram``: ``languages`` and ``cuts: {category: {script: {review, block}}}``."""
    where = "learned.public_ngram"
    if not isinstance(raw, dict):
        raise fail(where, "must be a mapping")
    for key in raw:
        if key not in _PUBLIC_KEYS:
            raise fail(f"{where}.{key}", "unknown key (allowed: languages, cuts)")
    langs = raw.get("languages", [])
    if not isinstance(langs, list) or not set(langs) <= {"latin", "cjk"}:
        raise fail(f"{where}.languages", "must be a list drawn from: latin, cjk")
    cuts_raw = raw.get("cuts") or {}
    if not isinstance(cuts_raw, dict):
        raise fail(f"{where}.cuts", "must be a mapping of category -> script -> {review, block}")
    cuts: dict[str, dict[str, dict[str, float]]] = {}
    for cat, by_script in cuts_raw.items():
        if cat not in CATEGORIES:
            raise fail(f"{where}.cuts.{cat}", "unknown category")
        if not isinstance(by_script, dict) or not set(by_script) <= {"latin", "cjk"}:
            raise fail(f"{where}.cuts.{cat}", "must be a mapping of latin/cjk -> {review, block}")
        cuts[cat] = {}
        for script, rule in by_script.items():
            w = f"{where}.cuts.{cat}.{script}"
            if not isinstance(rule, dict) or set(rule) != {"review", "block"}:
                raise fail(w, "must be {review: p, block: p}")
            for k, v in rule.items():
                if isinstance(v, bool) or not isinstance(v, (int, float)) or not 0 < v <= 1:
                    raise fail(f"{w}.{k}", "must be a number in (0, 1]")
            if rule["review"] > rule["block"]:
                raise fail(w, "review cut must not exceed block cut")
            cuts[cat][script] = {"review": float(rule["review"]), "block": float(rule["block"])}
    return tuple(langs), cuts
