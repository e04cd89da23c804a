"""Stratified cross-validation of the learned tier on its hand-written rows.

Run: ``.venv/bin/python -m moderation.crossval`` (a few minutes on two cores).
Only the training rows are used (``data/train.jsonl`` and the retired held-out
sets, :func:`moderation.learned.load_own_rows`) — never ``eval/`` — so the floors
chosen from this output are not tuned on any evaluation set.

For each fold, both learned models (MiniLM + logistic regression, and the
character n-gram model) are trained on the other folds and score the held
fold; each out-of-fold row is then judged as the gate would judge it (rules
first, learned scores at or above a floor added, the policy's thresholds), and
recall on harmful rows and the false-positive rate on benign rows are printed
per language for a grid of floors.
"""

from __future__ import annotations

import argparse
import re

import numpy as np

from .categories import TEXT_CATEGORIES
from .learned import BENIGN, CharNgramModel, SentenceEncoder, load_own_rows, t2i_benign_rows
from .lexicon import Lexicon
from .normalize import normalize
from .policy import Policy

_CJK = re.compile(r"[\u4e00-\u9fff]")


def _parents(scores: dict[str, float]) -> dict[str, float]:
    out = dict(scores)
    for c, s in scores.items():
        if "/" in c:
            p = c.split("/")[0]
            out[p] = max(out.get(p, 0.0), s)
    return out


def out_of_fold(folds: int = 5, seed: int = 0, minilm: bool = True):
    """Return rows, rule scores and out-of-fold learned scores (char, minilm)."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold

    rows = load_own_rows()
    labels = [lab for _, lab in rows]
    lex = Lexicon.load()
    rule = []
    for text, _ in rows:
        s = {c: 0.0 for c in TEXT_CATEGORIES}
        for h in lex.scan(normalize(text)).hits:
            s[h.category] = max(s[h.category], h.weight)
        rule.append(s)
    cats = list(TEXT_CATEGORIES)
    char = np.zeros((len(rows), len(cats)))
    mini = np.zeros((len(rows), len(cats)))
    # The T2I sample trains every fold, as it trains the shipped models, but is never scored:
    # the floors' false-positive budget is on the hand-written benign rows.
    extra = t2i_benign_rows()
    encoder = SentenceEncoder() if minilm else None
    emb = encoder.encode([normalize(t).text for t, _ in rows]) if encoder else None
    extra_emb = encoder.encode([normalize(t).text for t, _ in extra]) if encoder else None
    skf = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    for tr, te in skf.split(np.zeros(len(rows)), labels):
        m = CharNgramModel.train([rows[i] for i in tr] + extra)
        probs = m.scores_many([normalize(rows[i][0]).text for i in te])
        for j, lab in enumerate(m.labels):
            char[te, cats.index(lab)] = probs[:, j]
        if emb is not None:
            clf = LogisticRegression(C=4.0, max_iter=2000, class_weight="balanced")
            clf.fit(np.concatenate([emb[tr], extra_emb]), [labels[i] for i in tr] + [BENIGN] * len(extra))
            p = clf.predict_proba(emb[te])
            for j, lab in enumerate(clf.classes_):
                if lab != BENIGN:
                    mini[te, cats.index(lab)] = p[:, j]
    return rows, rule, char, mini


def judge(policy: Policy, rows, rule, learned: np.ndarray, floor_en: float, floor_zh: float,
          extra: np.ndarray | None = None, extra_floor: float = 1.1) -> dict[str, tuple[float, int, float, int]]:
    """Return ``lang -> (recall, n_harmful, fpr, n_benign)`` for the given floors."""
    cats = list(TEXT_CATEGORIES)
    res: dict[str, list[int]] = {"en": [0, 0, 0, 0], "zh": [0, 0, 0, 0]}
    for i, (text, label) in enumerate(rows):
        lang = "zh" if _CJK.search(text) else "en"
        floor = floor_zh if lang == "zh" else floor_en
        s = dict(rule[i])
        for j, c in enumerate(cats):
            if learned[i, j] >= floor:
                s[c] = max(s[c], float(learned[i, j]))
            if extra is not None and lang == "en" and extra[i, j] >= extra_floor:
                s[c] = max(s[c], float(extra[i, j]))
        action, _ = policy.judge("prompt", _parents(s))
        flagged = action != "allow"
        r = res[lang]
        if label == BENIGN:
            r[2] += flagged
            r[3] += 1
        else:
            r[0] += flagged
            r[1] += 1
    return {k: (v[0] / v[1], v[1], v[2] / v[3], v[3]) for k, v in res.items()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--seeds", type=int, default=2)
    args = ap.parse_args()
    policy = Policy.load()
    floors = (0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9)
    mini_floors = (0.5, 0.6, 0.7, 0.8, 1.1)
    mean_floors = (0.45, 0.5, 0.55, 0.6, 0.65, 0.7)
    agg: dict[tuple, list] = {}
    for seed in range(args.seeds):
        rows, rule, char, mini = out_of_fold(args.folds, seed)
        none = np.zeros_like(char)
        agg.setdefault(("rules only", "-", "-"), []).append(judge(policy, rows, rule, none, 2, 2))
        for g in mini_floors[:-1]:
            agg.setdefault(("minilm only", "-", g), []).append(judge(policy, rows, rule, mini, g, 2))
        for f in floors:
            for g in mini_floors:
                agg.setdefault(("char + minilm", f, g), []).append(
                    judge(policy, rows, rule, char, f, f, extra=mini, extra_floor=g))
        # learned.mean_floor: on English both models run and their mean counts; Chinese is the
        # char model alone, at the policy's cjk floor.
        is_en = np.array([not _CJK.search(t) for t, _ in rows])[:, None]
        mean = np.where(is_en, (char + mini) / 2, char)
        for f in mean_floors:
            agg.setdefault(("mean(char,mini)", f, "-"), []).append(
                judge(policy, rows, rule, mean, f, policy.char_floor["cjk"]))
    print(f"{args.folds}-fold stratified CV x {args.seeds} seeds on the hand-written rows: rules + out-of-fold learned "
          "scores, policy thresholds; minilm runs on English only (floor 1.1 = off)")
    print(f"{'models':15} {'char floor':>10} {'minilm floor':>12} {'en recall':>9} {'en FPR':>7} "
          f"{'zh recall':>9} {'zh FPR':>7}")
    for key, runs in agg.items():
        en = np.mean([r["en"][0] for r in runs]), np.mean([r["en"][2] for r in runs])
        zh = np.mean([r["zh"][0] for r in runs]), np.mean([r["zh"][2] for r in runs])
        print(f"{key[0]:15} {key[1]!s:>10} {key[2]!s:>12} {en[0]:9.3f} {en[1]:7.4f} {zh[0]:9.3f} {zh[1]:7.4f}")
    r = runs[0]
    print(f"n: en {r['en'][1]} harmful / {r['en'][3]} benign; zh {r['zh'][1]} harmful / {r['zh'][3]} benign")


if __name__ == "__main__":
    main()
