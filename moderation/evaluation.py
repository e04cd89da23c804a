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

EVAL_PATH = Path(__file__).parent / "eval" / "prompts.jsonl"
#: Held-out set written by a second author without seeing the lexicons, policy,
#: training data or ``prompts.jsonl``; a measurement only, never tuned on.
HELDOUT_PATH = Path(__file__).parent / "eval" / "heldout.jsonl"
#: A second held-out set, written blind after the first had been read for four rounds (same shape).
#: Read in round six, so no longer blind either.
HELDOUT2_PATH = HELDOUT_PATH.with_name("heldout-2.jsonl")
#: A third, written blind in round six against the policy's category definitions; measured once,
#: then its misses were read in round seven.
HELDOUT3_PATH = HELDOUT_PATH.with_name("heldout-3.jsonl")
#: A fourth, written blind in round seven against the same statement of the policy; measured once,
#: then read in round eight.
HELDOUT4_PATH = HELDOUT_PATH.with_name("heldout-4.jsonl")
#: A fifth, written blind in round eight against the same statement (no sexual/minors rows: its
#: author refused them); measured once, then read.
HELDOUT5_PATH = HELDOUT_PATH.with_name("heldout-5.jsonl")
#: A sixth, written blind later in round eight (same statement, no sexual/minors rows) and
#: measured once with the round's final gate, then read.
HELDOUT6_PATH = HELDOUT_PATH.with_name("heldout-6.jsonl")
#: A seventh, written blind in round nine by two authors (en, zh) against a one-page policy
#: statement, with 150 benign rows per language (110 hard) so that one false positive moves the
#: FPR by 0.7 points, not 1.3; measured once with the round's final gate.
HELDOUT7_PATH = HELDOUT_PATH.with_name("heldout-7.jsonl")
#: An eighth, written blind in round ten by two authors (en, zh) against the same one-page statement,
#: 90 harmful and 160 benign rows per language; measured once with the round's final gate, then read.
HELDOUT8_PATH = HELDOUT_PATH.with_name("heldout-8.jsonl")
#: A ninth, written blind later in round ten by two more authors the same way, and measured once
#: with the gate that included heldout-8's read fixes; then read.
HELDOUT9_PATH = HELDOUT_PATH.with_name("heldout-9.jsonl")
#: A tenth, written blind at the end of round ten the same way, and measured once with the gate
#: retrained on 640 more rows (indirect harm and look-alikes) and heldout-9's fixes; then read.
HELDOUT10_PATH = HELDOUT_PATH.with_name("heldout-10.jsonl")
#: An eleventh, written blind in round eleven the same way (7 rows dropped as repeats of earlier
#: files), and measured once with round ten's final gate, unchanged; then read.
HELDOUT11_PATH = HELDOUT_PATH.with_name("heldout-11.jsonl")
#: A twelfth, written blind at the same time by two more authors (9 rows dropped as repeats), and
#: measured once with the gate that had heldout-11's rule fixes; then read.
HELDOUT12_PATH = HELDOUT_PATH.with_name("heldout-12.jsonl")
#: Three more written blind later in round eleven the same way, each by two new authors, each
#: measured once with the gate of its time (the one before had its read fixes), then read.
HELDOUT13_PATH = HELDOUT_PATH.with_name("heldout-13.jsonl")
HELDOUT14_PATH = HELDOUT_PATH.with_name("heldout-14.jsonl")
HELDOUT15_PATH = HELDOUT_PATH.with_name("heldout-15.jsonl")
#: Two written blind in round twelve the same way, by four new authors (10 rows each dropped as
#: repeats), both measured once with the round's public-head change before either was read.
HELDOUT16_PATH = HELDOUT_PATH.with_name("heldout-16.jsonl")
HELDOUT17_PATH = HELDOUT_PATH.with_name("heldout-17.jsonl")
#: Two more written blind in round twelve by four more authors (18 and 12 rows dropped as repeats),
#: both measured once with the gate that had heldout-16's and -17's read fixes.
HELDOUT18_PATH = HELDOUT_PATH.with_name("heldout-18.jsonl")
HELDOUT19_PATH = HELDOUT_PATH.with_name("heldout-19.jsonl")
#: And two more at the round's end by four more authors (13 and 15 rows dropped), measured once
#: with the round's final gate (every fix of -16 to -19), then read.
HELDOUT20_PATH = HELDOUT_PATH.with_name("heldout-20.jsonl")
HELDOUT21_PATH = HELDOUT_PATH.with_name("heldout-21.jsonl")
#: And the last two by four more authors (17 and 15 rows dropped), measured once with the gate as
#: committed after every fix of -16 to -21 and the round's kept public head; then read.
HELDOUT22_PATH = HELDOUT_PATH.with_name("heldout-22.jsonl")
HELDOUT23_PATH = HELDOUT_PATH.with_name("heldout-23.jsonl")
#: Every held-out file, oldest first.
HELDOUT_PATHS = (HELDOUT_PATH, HELDOUT2_PATH, HELDOUT3_PATH, HELDOUT4_PATH, HELDOUT5_PATH, HELDOUT6_PATH,
                 HELDOUT7_PATH, HELDOUT8_PATH, HELDOUT9_PATH, HELDOUT10_PATH, HELDOUT11_PATH, HELDOUT12_PATH,
                 HELDOUT13_PATH, HELDOUT14_PATH, HELDOUT15_PATH, HELDOUT16_PATH, HELDOUT17_PATH,
                 HELDOUT18_PATH, HELDOUT19_PATH, HELDOUT20_PATH, HELDOUT21_PATH,
                 HELDOUT22_PATH, HELDOUT23_PATH)


def load_eval_set(path: Path = EVAL_PATH) -> list[dict[str, Any]]:
    """Return the rows ``{"text", "lang", "label", "hard"}`` of the evaluation set."""
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def load_heldout_set(path: Path = HELDOUT_PATH) -> list[dict[str, Any]]:
    """Return the held-out rows in the evaluation-set shape.

    The file stores ``{"text", "lang", "label": "harmful"|"benign", "category", "hard"}``;
    here ``label`` becomes the category (or ``"benign"``) so :class:`EvalReport`
    scores both sets the same way. ``category`` is kept as is.
    """
    rows = []
    for row in load_eval_set(path):
        label = row["category"] if row["label"] == "harmful" else "benign"
        rows.append({**row, "label": label})
    return rows


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
