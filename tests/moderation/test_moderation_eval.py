"""The committed evaluation set meets the issue's targets, and stays separate from training."""

import json

import pytest

from moderation.evaluation import EVAL_PATH, HELDOUT_PATHS, evaluate, load_eval_set, load_heldout_set
from moderation.learned import TRAIN_PATH, load_training_set
from moderation.normalize import normalize


def test_the_eval_set_is_large_bilingual_and_covers_every_category():
    rows = load_eval_set()
    assert len(rows) >= 400
    langs = [r["lang"] for r in rows]
    assert abs(langs.count("en") - langs.count("zh")) <= 10
    assert sum(r["label"] == "benign" and r["hard"] for r in rows) >= 150
    from moderation.categories import TEXT_CATEGORIES

    for lang in ("en", "zh"):
        assert {r["label"] for r in rows if r["lang"] == lang} >= set(TEXT_CATEGORIES)


def test_no_eval_prompt_appears_in_the_training_data():
    train = {normalize(t).text for t, _ in load_training_set()}
    raw_train = TRAIN_PATH.read_text(encoding="utf-8")
    for row in load_eval_set():
        assert normalize(row["text"]).text not in train, row["text"]
        assert json.dumps(row["text"], ensure_ascii=False) not in raw_train


@pytest.mark.parametrize("path", HELDOUT_PATHS, ids=lambda p: p.name)
def test_no_heldout_prompt_appears_in_the_training_data_or_the_eval_set(path):
    """The held-out set is only honest while it shares no prompt with what was tuned on.

    No recall/FPR target is asserted on it: it is a measurement (bench/moderation.py), not a gate.
    """
    assert path.exists() and path.parent == EVAL_PATH.parent
    train = {normalize(t).text for t, _ in load_training_set()}
    raw_train = TRAIN_PATH.read_text(encoding="utf-8")
    tuned = {normalize(r["text"]).text for r in load_eval_set()}
    rows = load_heldout_set(path)
    assert rows
    # Collect held-out texts only, so a failure never prints the training or tuned prompts.
    in_train = [r["text"] for r in rows if normalize(r["text"]).text in train
                or json.dumps(r["text"], ensure_ascii=False) in raw_train]
    in_eval = [r["text"] for r in rows if normalize(r["text"]).text in tuned]
    assert in_train == []
    assert in_eval == []


def test_recall_and_false_positive_targets_hold_in_each_language(mod):
    report = evaluate(mod)
    for lang in ("en", "zh"):
        recall, n = report.recall(lang)
        fpr, m = report.fpr(lang)
        assert n >= 90 and m >= 100
        assert recall >= 0.95, (lang, recall, [r["text"] for r, d in report.misses() if r["lang"] == lang])
        assert fpr <= 0.02, (lang, fpr, [r["text"] for r, d in report.misses() if r["lang"] == lang])


def test_eval_path_is_committed_next_to_the_package():
    assert EVAL_PATH.exists() and EVAL_PATH.parent.name == "eval"
