"""Train the public-data n-gram model and choose its cuts: ``python -m moderation.train``.

Reproducible: the split is a hash of each prompt (:mod:`moderation.public_data`), the
solver is seeded and runs on one BLAS thread, and the same data gives the same ``.npz``
(``--check`` verifies, and compares the cuts it chooses with ``policy.yaml``'s).

What it does, in order:

1. Reads I2P, T2I-CompBench and COLD (``HALLMARK_DATASETS``, default
   ``/work/shared/datasets``) and ``data/train.jsonl``, and splits every set by hash
   into train / validation / test before reading a label.
2. Fits one logistic regression per head on the train part (:mod:`moderation.hashed_ngram`):
   ``sexual`` (I2P rows whose images were >= 30 % nude, and the hand-written sexual rows)
   and ``hate`` (COLD offensive comments, and the hand-written hate rows). Each head's
   regularisation ``C`` is the one of ``C_GRID`` whose budgeted review cut (step 3) flags the
   most validation positives.
3. On the validation part only, chooses each head's review and block cut per script for
   a false-positive budget on benign prompts (Latin: T2I-CompBench; Chinese: COLD's
   non-offensive comments and the hand-written benign rows), and prints them as the
   YAML block that ``policy.yaml`` carries (copy it by hand: the policy stays human-edited).
4. Writes the model to ``data/model/public-ngram.npz`` and the test parts to
   ``eval/public/`` (the rows the bench and the tests measure; never trained or tuned on),
   the COLD benign sample the character n-gram model also trains on to ``data/cold-benign.jsonl``,
   and MiniLM's classifier and the character n-gram model over ``train.jsonl`` and the retired
   held-out sets (``data/retired/``) to ``data/model/`` (keyed by the files' sha256, and for
   MiniLM the encoder's key: loading uses them instead of fitting, and ignores them once an
   input changes).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np

from . import public_data as pdata
from .calibration import cut_for_budget
from .hashed_ngram import HashedNgramModel, fit_idf, raw_counts, tfidf
from .learned import (CHAR_MODEL_PATH, MINILM_MODEL_PATH, PUBLIC_MODEL_PATH, TRAIN_PATH, CharNgramModel,
                      LinearSoftmax, SentenceEncoder,
                      fit_minilm_classifier, load_fit_rows, load_training_set, training_digest)

MODEL_PATH = PUBLIC_MODEL_PATH
HEADS = ("sexual", "hate")
#: Hand-written labels that count as positives for a head, and those left out of its negatives
#: (a sibling: harassment is close to COLD's "offensive" but is not the head's category).
_OWN_POSITIVE = {"sexual": ("sexual", "sexual/minors"), "hate": ("hate", "hate/threatening")}
_OWN_LEFT_OUT = {"sexual": (), "hate": ("harassment", "harassment/threatening")}
#: Where each head acts: its public data is English for sexual (I2P) and Chinese for hate (COLD).
ACTS = (("sexual", "latin"), ("hate", "cjk"))
#: False-positive budgets (review, block) on the validation part's benign prompts. Latin: on
#: T2I-CompBench (target <= 1 % for the whole gate, shared with the rule tier and the other
#: models), and also on real Lexica prompts whose images showed no nudity (I2P rows not labelled
#: sexual, 0 % nude) plus the hand-written benign rows: T2I has no art prompts, and "an oil
#: painting portrait" is what the sexual head must learn to leave alone. Chinese hate: COLD's
#: non-offensive comments (hard negatives on the same topics; target <= 15 % for the gate) and
#: the hand-written Chinese benign rows. A held prompt costs a reviewer a minute, a block costs
#: the user a strike, so block budgets are much smaller. Lexica review is 5 % (2 % until round four
#: of docs/moderation.md): it relies on the cascade running MiniLM on every prompt naming a minor.
#: The hand-written benign rows alone ("own") also keep the sexual head within 1 % at review (round
#: nine): the gate's own held-out target is 2 % in all, and inside the Lexica pool these rows were
#: diluted by Lexica's, so maternity and couple photos were held at 0.22-0.31.
BUDGETS = {("sexual", "latin", "t2i"): (0.004, 0.001), ("sexual", "latin", "lexica"): (0.05, 0.005),
           ("sexual", "latin", "own"): (0.01, 0.005), ("hate", "cjk", "cold"): (0.06, 0.01)}
#: The character n-gram model's Chinese floor is reported against the same COLD comments.
CHAR_FLOORS = (0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95)
#: Inverse regularisation strengths tried per head. Each head keeps the one whose review cut
#: (chosen within the budgets above) flags the most validation positives; a tie keeps the smaller.
C_GRID = (1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 256.0, 512.0)
SEED = 0


def _own_rows() -> list[dict[str, Any]]:
    """Return train.jsonl rows with a part: its validation bucket calibrates, the rest trains.

    Its tests are the held-out files in ``eval/`` (written by other authors), so no rows are kept
    back here. The retired held-out sets (:func:`moderation.learned.load_retired_rows`) train MiniLM's
    classifier and the character model but not these heads: calibrated on them, the sexual head put
    I2P's test part at 5/9 (docs/moderation.md, round twelve).
    """
    return [{"text": t, "label": lab, "source": "train.jsonl",
             "split": pdata.VALIDATION if pdata.split_of(t) == pdata.VALIDATION else pdata.TRAIN}
            for t, lab in load_training_set()]


def _head_label(head: str, row: dict[str, Any]) -> int | None:
    """Return 1 (positive), 0 (negative) or None (left out) for a row and a head."""
    src = row["source"]
    if src == "i2p":
        if head == "sexual":
            lab = pdata.i2p_label(row)
            return None if lab is None else int(lab == "sexual")
        # I2P's image-derived hate/harassment labels are not prompt labels: neither side.
        return None if {"hate", "harassment"} & set(row["categories"]) else 0
    if src == "t2i-compbench":
        return 0
    if src.startswith("cold"):
        return int(row["offensive"]) if head == "hate" else 0
    lab = row["label"]
    if lab in _OWN_POSITIVE[head]:
        return 1
    return None if lab in _OWN_LEFT_OUT[head] else 0


def _script(text_key: str) -> str:
    from .normalize import _HAS_CJK  # the gate's own test of script

    return "cjk" if _HAS_CJK.search(text_key) else "latin"


def load_all() -> list[dict[str, Any]]:
    """Return every row of every set with ``key`` (normalised text), ``model_text``, ``script`` and ``split``."""
    from .lexicon import Lexicon

    lexicon = Lexicon.load()
    rows = pdata.load_i2p() + pdata.load_t2i() + pdata.load_cold() + _own_rows()
    for r in rows:
        r["key"] = pdata.key(r["text"])
        r["script"] = _script(r["key"])
        # What the gate's models score (Moderator.model_text): benign contexts blanked.
        r["model_text"] = lexicon.mask_benign(r["key"])
    return rows


def _features(rows: list[dict[str, Any]]) -> tuple[Any, np.ndarray, np.ndarray]:
    """Return the train part's tf-idf matrix, the idf and the kept feature indices."""
    train = [r for r in rows if r["split"] == pdata.TRAIN]
    counts = raw_counts([r["model_text"] for r in train])
    idf, kept = fit_idf(counts)
    return tfidf(counts, idf)[:, kept], idf, kept


def _fit_head(x: Any, labels: list[int | None], c: float) -> tuple[np.ndarray, float, int, int]:
    """Return ``(coef, intercept, positives, negatives)`` of one head's logistic regression."""
    from sklearn.linear_model import LogisticRegression

    idx = np.flatnonzero([lab is not None for lab in labels])
    y = np.asarray([labels[i] for i in idx])
    clf = LogisticRegression(C=c, class_weight="balanced", solver="liblinear", max_iter=1000, random_state=SEED)
    clf.fit(x[idx], y)
    return clf.coef_[0].astype(np.float32), float(clf.intercept_[0]), int(y.sum()), int(len(y) - y.sum())


def fit(rows: list[dict[str, Any]], data_digest: str) -> HashedNgramModel:
    """Fit the idf and every head on the train part of ``rows``, each head's C chosen on validation."""
    train = [r for r in rows if r["split"] == pdata.TRAIN]
    val = [r for r in rows if r["split"] == pdata.VALIDATION]
    x, idf, kept = _features(rows)
    xv = tfidf(raw_counts([r["model_text"] for r in val]), idf)[:, kept]
    cols, bias, chosen = [], [], {}
    for head in HEADS:
        labels = [_head_label(head, r) for r in train]
        best = None
        for c in C_GRID:
            coef, b, n_pos, n_neg = _fit_head(x, labels, c)
            probs = 1.0 / (1.0 + np.exp(-(np.asarray(xv @ coef, dtype=np.float64).ravel() + b)))
            recall, review = _validation_recall(head, probs, val)
            print(f"  {head} C {c:g}: review cut {review:.3f}, validation recall {recall:.3f}", flush=True)
            if best is None or recall > best[0]:
                best = (recall, c, coef, b)
        _, c, coef, b = best
        chosen[head] = c
        cols.append(coef)
        bias.append(b)
        print(f"  {head}: C {c:g}; {n_pos} positive / {n_neg} negative training rows", flush=True)
    meta = {"data_sha256": data_digest, "heads": list(HEADS), "C": chosen, "seed": SEED, "min_df": 2,
            "i2p_train_nudity": pdata.I2P_TRAIN_NUDITY, "rows_train": len(train)}
    return HashedNgramModel(heads=HEADS, idf=idf, features=kept.astype(np.int32),
                            weights=np.stack(cols, axis=1), bias=np.asarray(bias, dtype=np.float32), meta=meta)


def _validation_recall(head: str, probs: np.ndarray, val: list[dict[str, Any]]) -> tuple[float, float]:
    """Return ``(recall, review cut)``: the share of the head's validation positives at its budgeted review cut."""
    script = dict(ACTS)[head]
    review, _, _ = _budget_cuts(head, script, probs, val)
    pos = [p for p, r in zip(probs, val) if r["script"] == script and _head_label(head, r) == 1]
    return sum(p >= review for p in pos) / max(len(pos), 1), review


def _budget_cuts(head: str, script: str, probs: np.ndarray,
                 val: list[dict[str, Any]]) -> tuple[float, float, dict[str, list[float]]]:
    """Return ``(review, block, pools)``: the lowest cuts that keep every benign pool of the head within budget."""
    pools = {name: [p for p, r in zip(probs, val) if _pool(name, r)]
             for (h, s, name) in BUDGETS if (h, s) == (head, script)}
    review = max(cut_for_budget(pools[n], BUDGETS[(head, script, n)][0]) for n in pools)
    block = max(review, max(cut_for_budget(pools[n], BUDGETS[(head, script, n)][1]) for n in pools))
    return review, block, pools


def _pool(name: str, r: dict[str, Any]) -> bool:
    """Return whether a validation row is in a benign pool a cut is budgeted on."""
    if name == "t2i":
        return r["source"] == "t2i-compbench"
    if name == "own":
        return r["script"] == "latin" and r["source"] == "train.jsonl" and r["label"] == "benign"
    if name == "lexica":
        return r["script"] == "latin" and (
            (r["source"] == "i2p" and r["nudity"] == 0 and "sexual" not in r["categories"])
            or r.get("label") == "benign")
    return r["script"] == "cjk" and ((r["source"].startswith("cold") and not r["offensive"])
                                     or r.get("label") == "benign")


def choose_cuts(model: HashedNgramModel, rows: list[dict[str, Any]]) -> dict[str, dict[str, dict[str, float]]]:
    """Return ``{head: {script: {"review", "block"}}}`` chosen on the validation part; print what each buys.

    Each cut is the lowest that keeps every pool of its head within budget.
    """
    val = [r for r in rows if r["split"] == pdata.VALIDATION]
    probs = model.scores_many([r["model_text"] for r in val])
    cuts: dict[str, dict[str, dict[str, float]]] = {}
    for head, script in ACTS:
        j = model.heads.index(head)
        review, block, pools = _budget_cuts(head, script, probs[:, j], val)
        cuts[head] = {script: {"review": review, "block": block}}
        pos = [p for p, r in zip(probs[:, j], val) if r["script"] == script and _head_label(head, r) == 1]
        rate = lambda xs, c: sum(x >= c for x in xs) / max(len(xs), 1)  # noqa: E731
        print(f"  {head}/{script}: review {review:.3f}, block {block:.3f}; validation recall "
              f"{rate(pos, review):.3f} / {rate(pos, block):.3f} (n {len(pos)})", flush=True)
        for n, xs in pools.items():
            print(f"    benign pool {n} (n {len(xs)}): FPR {rate(xs, review):.4f} at review, "
                  f"{rate(xs, block):.4f} at block", flush=True)
        if head == "sexual":
            target = [p for p, r in zip(probs[:, j], val) if r["source"] == "i2p" and pdata.is_i2p_target(r)]
            print(f"    I2P validation, labelled sexual and >= 50 % nude: recall {rate(target, review):.3f} "
                  f"(n {len(target)})", flush=True)
    return cuts


def report_char_floor(rows: list[dict[str, Any]], model: CharNgramModel) -> None:
    """Print the character n-gram model's flag rate on COLD's validation comments per Chinese floor.

    ``model`` is the fit this command saves, on its fit rows and the COLD benign sample (train
    part only, never these validation comments); its ``char_ngram.floor.cjk`` in the policy is read
    off this table (a budget of 5 % of non-offensive comments: its hits block).
    """
    val = [r for r in rows if r["split"] == pdata.VALIDATION and r["source"].startswith("cold")]
    top = model.scores_many([r["model_text"] for r in val]).max(axis=1)
    off = np.asarray([r["offensive"] for r in val])
    for floor in CHAR_FLOORS:
        print(f"  char-ngram cjk floor {floor}: flags {np.mean(top[~off] >= floor):.3f} of non-offensive, "
              f"{np.mean(top[off] >= floor):.3f} of offensive COLD validation comments", flush=True)


def write_sample(path: Path, sample: list[str]) -> None:
    """Write a committed sample of public rows (:func:`public_data.cold_benign_sample`, ``t2i_benign_sample``)."""
    with open(path, "w", encoding="utf-8") as fh:
        for text in sample:
            fh.write(json.dumps({"text": text}, ensure_ascii=False) + "\n")


def write_test_parts(rows: list[dict[str, Any]], out: Path) -> None:
    """Write the test rows of each public set as JSONL (text and labels only)."""
    out.mkdir(parents=True, exist_ok=True)
    sets = {
        "i2p": lambda r: r["source"] == "i2p",
        "t2i": lambda r: r["source"] == "t2i-compbench",
        "cold-dev": lambda r: r["source"] == "cold-dev",
    }
    fields = ("text", "categories", "nudity", "offensive", "topic")
    for name, keep in sets.items():
        with open(out / f"{name}.jsonl", "w", encoding="utf-8") as fh:
            for r in rows:
                if keep(r) and r["split"] == pdata.TEST:
                    fh.write(json.dumps({k: r[k] for k in fields if k in r}, ensure_ascii=False) + "\n")


def data_digest() -> str:
    """Return one sha256 over every input file (what the artefact was trained from), lexicons included."""
    h = hashlib.sha256()
    from .lexicon import DATA_DIR

    # The lexicons too: their benign contexts are blanked in what the model trains on.
    for path in (pdata.DATASETS / "i2p.csv", pdata.DATASETS / "t2i-compbench-prompts.tsv",
                 pdata.DATASETS / "cold-train.csv", pdata.DATASETS / "cold-dev.csv", TRAIN_PATH,
                 *sorted((DATA_DIR / "lexicon").glob("*.yaml"))):
        h.update(path.read_bytes())
    return h.hexdigest()


#: How far a fresh weight may sit from the committed one. A CPU with other vector units runs
#: other BLAS kernels, whose sums round differently; a changed row or C moves weights by far
#: more (and the cuts are compared exactly, at the policy's three decimals).
WEIGHT_ATOL = 1e-4


def _check(path: Path, model: HashedNgramModel, cuts: dict[str, Any], sample_same: bool) -> int:
    """Return 0 if ``model``, ``cuts`` and the COLD sample are what is committed, else 1; print each verdict."""
    from .policy import Policy

    shipped = HashedNgramModel.load(path)
    same_shape = shipped.heads == model.heads and np.array_equal(shipped.features, model.features)
    drift = float(max(np.abs(shipped.weights - model.weights).max(), np.abs(shipped.bias - model.bias).max())
                  ) if same_shape else float("inf")
    same = same_shape and shipped.meta.get("C") == model.meta["C"] and drift <= WEIGHT_ATOL
    committed = {h: {s: dict(c) for s, c in by.items()} for h, by in Policy.load().public_cuts.items()}
    fresh = {h: {s: {k: round(v, 3) for k, v in c.items()} for s, c in by.items()} for h, by in cuts.items()}
    print(f"committed model {'matches' if same else 'differs from a fresh training run'}"
          f" (largest weight difference {drift:.1e}, allowed {WEIGHT_ATOL:g})")
    print("policy.yaml's cuts match" if committed == fresh else f"policy.yaml's cuts differ: fresh {fresh}")
    print("committed COLD and T2I samples match" if sample_same else "committed COLD or T2I sample differs")
    return 0 if same and committed == fresh and sample_same else 1


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Train the public-data n-gram model and print its cuts.")
    ap.add_argument("--model", type=Path, default=MODEL_PATH, help="where to write the .npz")
    ap.add_argument("--eval-out", type=Path, default=pdata.PUBLIC_EVAL_DIR, help="where to write the test parts")
    ap.add_argument("--check", action="store_true",
                    help="train into memory and exit 1 unless the result equals the committed model")
    args = ap.parse_args(argv)
    import sklearn.linear_model  # noqa: F401  (loads scipy's BLAS: threadpoolctl limits only loaded ones)
    from threadpoolctl import threadpool_limits

    # One BLAS thread: OpenBLAS splits its dot products by thread count, so the sums round
    # differently with 1 or 2 threads, and the solver's iterations at large C carry that into
    # the weights (3e-5 on the hate head, C 128). One thread gives the same bits on any core count.
    with threadpool_limits(limits=1):
        return _train(args)


def _train(args: argparse.Namespace) -> int:
    """Train (``main``'s body, under one BLAS thread); with ``--check``, compare instead of writing."""
    print(f"reading {pdata.DATASETS} and {TRAIN_PATH}", flush=True)
    rows = load_all()
    for src in sorted({r["source"] for r in rows}):
        parts = {s: sum(r["source"] == src and r["split"] == s for r in rows)
                 for s in (pdata.TRAIN, pdata.VALIDATION, pdata.TEST)}
        print(f"  {src}: {parts}")
    print("fitting", flush=True)
    model = fit(rows, data_digest())
    print("cuts (validation part)", flush=True)
    cuts = choose_cuts(model, rows)
    sample = pdata.cold_benign_sample(rows)
    t2i_sample = pdata.t2i_benign_sample(rows)
    sample_same = (pdata.COLD_BENIGN_PATH.exists() and sample == pdata.load_cold_benign()
                   and pdata.T2I_BENIGN_PATH.exists() and t2i_sample == pdata.load_t2i_benign())
    if not args.check:
        write_sample(pdata.COLD_BENIGN_PATH, sample)
        write_sample(pdata.T2I_BENIGN_PATH, t2i_sample)
    print("character n-gram model on COLD validation", flush=True)
    # One fit, reported here and saved below (it reads the samples written above).
    char_rows, negatives = load_fit_rows(), pdata.load_cold_benign()
    char_model = CharNgramModel.train(char_rows, negatives=negatives)
    report_char_floor(rows, char_model)
    print("\n# policy.yaml, learned.public_ngram.cuts (python -m moderation.train):")
    for head, by_script in cuts.items():
        inner = ", ".join(f"{s}: {{review: {c['review']:.3f}, block: {c['block']:.3f}}}" for s, c in by_script.items())
        print(f"  {head}: {{{inner}}}")
    if args.check:
        return _check(args.model, model, cuts, sample_same)
    args.model.parent.mkdir(parents=True, exist_ok=True)
    model.save(args.model)
    if args.model == MODEL_PATH:
        # The MiniLM tier's classifier over its fit rows, saved so that loading skips encoding them.
        encoder = SentenceEncoder()
        clf = fit_minilm_classifier(encoder, load_fit_rows())
        LinearSoftmax.save(clf, MINILM_MODEL_PATH, c=4.0, digest=training_digest(), encoder=encoder.key)
        print(f"wrote {MINILM_MODEL_PATH}")
        # The character n-gram model, saved so that loading skips its fit.
        char_model.save(CHAR_MODEL_PATH, CharNgramModel.digest(char_rows, negatives))
        print(f"wrote {CHAR_MODEL_PATH}")
    write_test_parts(rows, args.eval_out)
    print(f"wrote {args.model} ({args.model.stat().st_size / 1e6:.1f} MB) and {args.eval_out}/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
