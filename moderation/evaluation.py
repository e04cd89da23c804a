"""Score a Moderator against the committed evaluation set.

Used by ``bench/moderation.py`` (prints the table) and by the test that
asserts the targets, so both measure the same thing the same way.
"""

from __future__ import annotations

import json
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .decision import Decision
from .learned import heldout_label

EVAL_PATH = Path(__file__).parent / "eval" / "prompts.jsonl"
#: The held-out files still measured: each written blind, by authors who saw only
#: ``eval/heldout-7-policy.md`` and a short brief, and measured once before it was read. Once read
#: and fixed by rules, a file retires into the learned tier's training rows at the start of a later
#: round (:data:`moderation.learned.RETIRED_DIR`: ``heldout-1`` to ``-23`` so far); their blind
#: figures are in docs/moderation.md.
EVAL_DIR = EVAL_PATH.parent
#: Written blind in round thirteen by two new authors (one en, one zh; 1 row dropped as a repeat),
#: measured once with the gate retrained on heldout-1 to -15 before it was read; then read.
HELDOUT24_PATH = EVAL_DIR / "heldout-24.jsonl"
#: Written blind in round thirteen by two more new authors (1 zh row dropped as a repeat), measured
#: once with the gate retrained on heldout-1 to -23 and heldout-24's rule fixes; then read.
HELDOUT26_PATH = EVAL_DIR / "heldout-26.jsonl"
#: Written blind later in round thirteen by two more new authors (1 en row dropped as a repeat),
#: measured once with the gate as committed after heldout-26's fixes; then read.
HELDOUT28_PATH = EVAL_DIR / "heldout-28.jsonl"
#: Written blind late in round thirteen by four more new authors (5 and 2 rows dropped as
#: repeats), measured once together with the gate as committed after heldout-28's fixes; then read.
HELDOUT30_PATH = EVAL_DIR / "heldout-30.jsonl"
HELDOUT32_PATH = EVAL_DIR / "heldout-32.jsonl"
#: And the last two by four more new authors (2 rows each dropped), measured once together with the
#: gate as committed after heldout-30's and -32's fixes; then read.
HELDOUT34_PATH = EVAL_DIR / "heldout-34.jsonl"
HELDOUT36_PATH = EVAL_DIR / "heldout-36.jsonl"
#: Every measured held-out file, oldest first.
HELDOUT_PATHS = (HELDOUT24_PATH, HELDOUT26_PATH, HELDOUT28_PATH, HELDOUT30_PATH, HELDOUT32_PATH,
                 HELDOUT34_PATH, HELDOUT36_PATH)


def load_eval_set(path: Path = EVAL_PATH) -> list[dict[str, Any]]:
    """Return the rows ``{"text", "lang", "label", "hard"}`` of the evaluation set."""
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def load_heldout_set(path: Path) -> list[dict[str, Any]]:
    """Return the held-out rows in the evaluation-set shape.

    The file stores ``{"text", "lang", "label": "harmful"|"benign", "category", "hard"}``;
    here ``label`` becomes the category (or ``"benign"``) so :class:`EvalReport`
    scores both sets the same way. ``category`` is kept as is.
    """
    return [{**row, "label": heldout_label(row)} for row in load_eval_set(path)]


def load_heldout_sets() -> list[dict[str, Any]]:
    """Return the rows of every held-out file (:data:`HELDOUT_PATHS`), as :func:`load_heldout_set` does."""
    return [row for path in HELDOUT_PATHS for row in load_heldout_set(path)]


@dataclass
class EvalReport:
    """Recall on harmful prompts and false positives on benign ones.

    A harmful prompt counts as caught when the decision is ``review`` or
    ``block`` (held prompts never reach the GPU); a benign prompt is a false
    positive under the same rule.
    """

    rows: list[tuple[dict[str, Any], Decision, float]] = field(default_factory=list)

    def recall(self, lang: str | None = None, label: str | None = None) -> tuple[float, int]:
        """Return (recall, n) over harmful rows, optionally one language/category."""
        sel = [d for r, d, _ in self.rows if r["label"] != "benign" and (lang is None or r["lang"] == lang)
               and (label is None or r["label"] == label)]
        return (sum(not d.allowed for d in sel) / len(sel) if sel else float("nan")), len(sel)

    def fpr(self, lang: str | None = None, hard: bool | None = None) -> tuple[float, int]:
        """Return (false-positive rate, n) over benign rows."""
        sel = [d for r, d, _ in self.rows if r["label"] == "benign" and (lang is None or r["lang"] == lang)
               and (hard is None or r["hard"] == hard)]
        return (sum(not d.allowed for d in sel) / len(sel) if sel else float("nan")), len(sel)

    def misses(self) -> list[tuple[dict[str, Any], Decision]]:
        """Return harmful rows allowed and benign rows flagged."""
        return [(r, d) for r, d, _ in self.rows if (r["label"] == "benign") != d.allowed]

    def false_negatives(self) -> list[tuple[dict[str, Any], Decision]]:
        """Return harmful rows that were allowed."""
        return [(r, d) for r, d in self.misses() if r["label"] != "benign"]

    def false_positives(self) -> list[tuple[dict[str, Any], Decision]]:
        """Return benign rows that were flagged (review or block)."""
        return [(r, d) for r, d in self.misses() if r["label"] == "benign"]

    def latencies_ms(self) -> list[float]:
        """Return per-prompt wall-clock latencies in milliseconds."""
        return [t * 1000 for _, _, t in self.rows]

    def by_category(self) -> dict[tuple[str, str], tuple[float, int]]:
        """Return recall per (language, category)."""
        keys = sorted({(r["lang"], r["label"]) for r, _, _ in self.rows if r["label"] != "benign"})
        return {k: self.recall(*k) for k in keys}


def evaluate(moderator: Any, rows: list[dict[str, Any]] | None = None) -> EvalReport:
    """Run every prompt of the evaluation set through ``check_text``."""
    rows = rows if rows is not None else load_eval_set()
    report = EvalReport()
    by_lang: dict[str, int] = defaultdict(int)
    for row in rows:
        t0 = time.perf_counter()
        d = moderator.check_text(row["text"])
        report.rows.append((row, d, time.perf_counter() - t0))
        by_lang[row["lang"]] += 1
    return report


def wilson(k: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """Return the Wilson score interval (95 % by default) of a proportion ``k / n``."""
    if n == 0:
        return float("nan"), float("nan")
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * ((p * (1 - p) / n + z * z / (4 * n * n)) ** 0.5) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


@dataclass
class PublicReport:
    """The gate on the committed test parts of the public sets (``eval/public/``).

    Each list holds ``(row, decision)``; flagged means ``review`` or ``block``.
    """

    i2p_target: list[tuple[dict[str, Any], Decision]]
    t2i: list[tuple[dict[str, Any], Decision]]
    cold: list[tuple[dict[str, Any], Decision]]

    @staticmethod
    def _rate(pairs: list[tuple[dict[str, Any], Decision]]) -> tuple[float, int, int]:
        k = sum(not d.allowed for _, d in pairs)
        return (k / len(pairs) if pairs else float("nan")), k, len(pairs)

    def i2p_recall(self) -> tuple[float, int, int]:
        """Return (recall, caught, n) on I2P rows labelled sexual with >= 50 % nude images."""
        return self._rate(self.i2p_target)

    def t2i_fpr(self) -> tuple[float, int, int]:
        """Return (false-positive rate, flagged, n) on T2I-CompBench."""
        return self._rate(self.t2i)

    def cold_recall(self) -> tuple[float, int, int]:
        """Return (recall, caught, n) on COLD dev's offensive comments."""
        return self._rate([(r, d) for r, d in self.cold if r["offensive"]])

    def cold_fpr(self) -> tuple[float, int, int]:
        """Return (false-positive rate, flagged, n) on COLD dev's non-offensive comments."""
        return self._rate([(r, d) for r, d in self.cold if not r["offensive"]])


def evaluate_public(moderator: Any) -> PublicReport:
    """Run the committed public test parts through ``check_text``."""
    from .public_data import is_i2p_target, load_public_eval

    def run(rows: list[dict[str, Any]]) -> list[tuple[dict[str, Any], Decision]]:
        return [(r, moderator.check_text(r["text"])) for r in rows]

    return PublicReport(i2p_target=run([r for r in load_public_eval("i2p") if is_i2p_target(r)]),
                        t2i=run(load_public_eval("t2i")), cold=run(load_public_eval("cold-dev")))
