"""The committed evaluation set meets the issue's targets, and stays separate from training."""

import json

import pytest

from moderation.evaluation import EVAL_PATH, HELDOUT_PATHS, evaluate, load_eval_set, load_heldout_set
from moderation.learned import TRAIN_PATH, load_fit_rows, load_own_rows, load_retired_rows, retired_paths
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
    train = {normalize(t).text for t, _ in load_own_rows()}
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
    train = {normalize(t).text for t, _ in load_own_rows()}
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


def test_the_retired_heldout_sets_train_the_learned_tier_and_are_no_longer_measured():
    """heldout-1 to -23 were read and fixed for rounds; they now train, and no measured file is one of them."""
    paths = retired_paths()
    assert [int(p.stem.rsplit("-", 1)[1]) for p in paths] == list(range(1, 24))
    assert not {p.name for p in paths} & {p.name for p in HELDOUT_PATHS}
    fit = set(load_fit_rows())
    retired = load_retired_rows()
    assert len(retired) > 10000 and set(retired) <= fit
    # Every harmful row keeps its category as the label, every benign row is benign.
    assert {lab for _, lab in retired} >= {"benign", "sexual", "self-harm/intent", "deception"}


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
