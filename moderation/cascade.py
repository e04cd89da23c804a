"""Choose the MiniLM cascade cut on validation rows: ``python -m moderation.cascade``.

MiniLM is most of the text gate's latency. The cascade (``learned.cascade`` in
``policy.yaml``) runs it only when the cheaper tiers leave a prompt uncertain: a rule scored
something, or the character n-gram model's probability for some category, or a public-model
head's, is at least the cut (:meth:`moderation.Moderator.cascade_score`). This command picks
that cut on rows no model it judges was fitted on:

- MiniLM's classifier and the character n-gram model are refitted on their hand-written rows
  (``train.jsonl`` and the retired held-out sets) *without* their validation bucket (the shipped
  ones are fitted on all of them); the public model is the shipped one (fitted on the train parts
  only).
- Validation rows: the hand-written rows' validation bucket (all categories, both languages), and the
  validation parts of I2P (harmful: images at least 30 % nude; or labelled sexual and at least
  half nude, the target's definition), T2I-CompBench (benign) and Lexica prompts whose images
  showed no nudity (benign). Never the test parts.

A harmful row is *decided by MiniLM* when the gate flags it with MiniLM and allows it without.
The cut is the highest (3 decimals) that keeps every such row (so validation recall does not
drop), and no higher than ``2 * learned.mean_floor - 1`` where that is set: a mean of the two
models at the floor needs the character model's probability at that bound at least, so a lower
cut cannot lose a mean-decided flag on any data, seen or not (in ``hold_only`` categories, where
MiniLM alone still counts, only the validation rows vouch for it). The command prints, per
candidate cut, the rows it would lose, the share of Latin prompts that skip MiniLM, and the
benign false positives it removes. Copy the cut into
``policy.yaml`` by hand, like the other cuts.
"""

from __future__ import annotations

import argparse
import dataclasses
import math
import sys
from typing import Any

import numpy as np

from . import public_data as pdata
from .categories import TEXT_CATEGORIES
from .learned import (CharNgramModel, LearnedTier, SentenceEncoder, fit_minilm_classifier, load_own_rows,
                      t2i_benign_rows)
from .moderator import Moderator, _with_parents
from .normalize import normalize
from .policy import Policy

CANDIDATES = (0.02, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5)


def validation_rows() -> tuple[list[tuple[str, str]], list[dict[str, Any]]]:
    """Return ``(train_rows, validation_rows)``: the hand-written rows' train bucket, and every validation row."""
    own = load_own_rows()
    # The T2I sample (train part only) trains the refitted models, as it trains the shipped ones.
    train = [(t, lab) for t, lab in own if pdata.split_of(t) != pdata.VALIDATION] + t2i_benign_rows()
    val: list[dict[str, Any]] = [{"text": t, "harmful": lab != "benign", "set": "own", "label": lab}
                                 for t, lab in own if pdata.split_of(t) == pdata.VALIDATION]
    if (pdata.DATASETS / "i2p.csv").exists():
        for r in pdata.load_i2p():
            if r["split"] != pdata.VALIDATION:
                continue
            if r["nudity"] >= pdata.I2P_TRAIN_NUDITY or pdata.is_i2p_target(r):
                val.append({"text": r["text"], "harmful": True, "set": "i2p", "target": pdata.is_i2p_target(r)})
            elif r["nudity"] == 0 and "sexual" not in r["categories"]:
                val.append({"text": r["text"], "harmful": False, "set": "lexica"})
        val += [{"text": r["text"], "harmful": False, "set": "t2i"} for r in pdata.load_t2i()
                if r["split"] == pdata.VALIDATION]
    return train, val


def probe(mod: Moderator, text: str) -> tuple[float, str]:
    """Return the cascade score of a prompt and its script, computed as the gate does."""
    assert mod.lexicon is not None and mod.learned is not None
    norm = normalize(text)
    scores = {c: 0.0 for c in TEXT_CATEGORIES}
    scan = mod.lexicon.scan(norm)
    for h in scan.hits:
        scores[h.category] = max(scores[h.category], h.weight)
    script = "cjk" if norm.has_cjk else "latin"
    text = mod.model_text(norm.text)
    cheap = []
    if script in mod.policy.char_languages and mod.learned.char_model is not None:
        cheap.append(("char", 0.0, mod.learned.char_model.scores(text)))
    return mod.cascade_score(_with_parents(scores), scan.groups, cheap, mod._public_scores(text, script)), script


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Choose learned.cascade on validation rows.")
    ap.parse_args(argv)
    train, val = validation_rows()
    print(f"hand-written train bucket {len(train)} rows; validation rows {len(val)}: "
          + ", ".join(f"{s} {sum(r['set'] == s for r in val)}" for s in ("own", "i2p", "t2i", "lexica")),
          flush=True)
    full = Moderator.load(learned=False)
    encoder = SentenceEncoder()
    clf = fit_minilm_classifier(encoder, train)
    from .hashed_ngram import HashedNgramModel
    from .learned import PUBLIC_MODEL_PATH

    tier = LearnedTier(encoder=encoder, classifier=clf, labels=tuple(clf.classes_),
                       char_model=CharNgramModel.train(train), public_model=HashedNgramModel.load(PUBLIC_MODEL_PATH))
    policy = dataclasses.replace(Policy.load(), learned_cascade=0.0)
    with_minilm = Moderator(policy, full.lexicon, tier, None)
    without = Moderator(dataclasses.replace(policy, learned_languages=()), full.lexicon, tier, None)
    for r in val:
        r["g"], r["script"] = probe(with_minilm, r["text"])
        a, b = with_minilm.check_text(r["text"]), without.check_text(r["text"])
        r["flag_with"], r["flag_without"] = not a.allowed, not b.allowed
        r["block_with"], r["block_without"] = a.blocked, b.blocked
    latin = [r for r in val if r["script"] == "latin"]
    decisive = [r for r in val if r["harmful"] and r["flag_with"] and not r["flag_without"]]
    harmful = [r for r in val if r["harmful"]]
    print(f"harmful validation rows {len(harmful)}; flagged with MiniLM {sum(r['flag_with'] for r in harmful)}, "
          f"without {sum(r['flag_without'] for r in harmful)}; decided by MiniLM: {len(decisive)}")
    for r in sorted(decisive, key=lambda r: r["g"]):
        print(f"  g {r['g']:.3f} [{r['set']}] {r['text'][:110]!r}")
    benign_fp = [r for r in val if not r["harmful"] and r["flag_with"] and not r["flag_without"]]
    print(f"benign validation rows flagged only because of MiniLM: {len(benign_fp)}")
    cut = math.floor(min((r["g"] for r in decisive), default=1.0) * 1000) / 1000
    mean_floor = policy.learned_mean_floor
    if mean_floor is not None:
        bound = round(2 * mean_floor - 1, 3)
        print(f"validation allows {cut:.3f}; lossless on any data under mean_floor {mean_floor:g}: up to {bound:.3f}")
        cut = min(cut, bound)
    print("\n| cut | MiniLM-decided harmful rows lost | Latin prompts skipping MiniLM | MiniLM-only benign flags removed |")
    print("|---|---|---|---|")
    for c in sorted(set(CANDIDATES) | {cut}):
        lost = sum(r["g"] < c for r in decisive)
        skip = np.mean([r["g"] < c for r in latin]) if latin else float("nan")
        removed = sum(r["g"] < c for r in benign_fp)
        mark = " (chosen)" if c == cut else ""
        print(f"| {c:.3f}{mark} | {lost} of {len(decisive)} | {skip:.3f} | {removed} of {len(benign_fp)} |")
    print(f"\n# policy.yaml, learned.cascade (python -m moderation.cascade): {cut:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
