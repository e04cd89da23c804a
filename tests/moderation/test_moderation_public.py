"""The gate on public prompts no one here wrote (issue #10): splits, artefact, and the targets on the committed test parts."""
from pathlib import Path

import pytest
import yaml

from moderation import PolicyError
from moderation import public_data as pdata
from moderation.calibration import cut_for_budget, to_policy_scale
from moderation.evaluation import (HELDOUT24_PATH, HELDOUT26_PATH, HELDOUT28_PATH, HELDOUT30_PATH, HELDOUT32_PATH,
                                   HELDOUT34_PATH, HELDOUT36_PATH, evaluate,
                                   evaluate_public, load_eval_set, load_heldout_set, load_heldout_sets)
from moderation.learned import PUBLIC_MODEL_PATH, load_own_rows, load_retired_rows
from moderation.policy import DEFAULT_POLICY_PATH, Policy

ROOT = Path(__file__).resolve().parents[2]
HAVE_DATA = (pdata.DATASETS / "i2p.csv").exists()
needs_data = pytest.mark.skipif(not HAVE_DATA, reason=f"public datasets not at {pdata.DATASETS}")
SEVERE = set(yaml.safe_load((ROOT / "platform" / "trust" / "enforcement.yaml").read_text())["severe_categories"])


def would_suspend(d) -> bool:
    """The platform's rule for an immediate suspension, with its severe categories (trust/enforcement.yaml)."""
    return d.suspends_at_once(SEVERE)


@pytest.fixture(scope="module")
def public(mod):
    return evaluate_public(mod)


# -- splits and artefact ------------------------------------------------------------

@pytest.mark.parametrize("name", ["i2p", "t2i"])
def test_every_committed_test_row_hashes_to_the_test_part(name):
    rows = pdata.load_public_eval(name)
    assert len(rows) > 800
    assert [r["text"] for r in rows if pdata.split_of(r["text"]) != pdata.TEST] == []


def test_the_split_depends_on_the_normalised_text_only():
    assert pdata.split_of("A Nude Woman") == pdata.split_of("a  nude woman") == pdata.split_of("Ａ nude woman")


@needs_data
def test_no_training_row_equals_a_measured_row():
    from moderation.train import load_all

    rows = load_all()
    trained = {r["key"] for r in rows if r["split"] == pdata.TRAIN}
    validated = {r["key"] for r in rows if r["split"] == pdata.VALIDATION}
    measured = [r["text"] for name in ("i2p", "t2i", "cold-dev") for r in pdata.load_public_eval(name)]
    measured += [r["text"] for r in load_eval_set() + load_heldout_sets()]
    assert [t for t in measured if pdata.key(t) in trained] == []
    assert [t for t in measured if pdata.key(t) in validated] == []
    # The hand-written rows MiniLM's classifier and the char model fit on, the retired held-out
    # sets included: never a measured row.
    own = {pdata.key(t) for t, _ in load_own_rows()}
    assert [t for t in measured if pdata.key(t) in own] == []
    # The character n-gram model's COLD negatives: train part only, never a validation or measured row.
    sample = set(pdata.load_cold_benign())
    assert sample and sample <= trained and not sample & validated
    assert [t for t in measured if pdata.key(t) in sample] == []
    # The T2I prompts MiniLM's classifier and the char model fit on: train part only, never measured.
    t2i = set(pdata.load_t2i_benign())
    assert len(t2i) == pdata.T2I_BENIGN_ROWS and t2i <= trained and not t2i & validated
    assert [t for t in measured if pdata.key(t) in t2i] == []


@needs_data
def test_the_cold_negatives_are_reproduced_from_the_data():
    from moderation.train import load_all

    rows = load_all()
    assert pdata.cold_benign_sample(rows) == pdata.load_cold_benign()
    assert pdata.t2i_benign_sample(rows) == pdata.load_t2i_benign()
    offensive = {r["key"] for r in rows if r["source"].startswith("cold") and r["offensive"]}
    assert not set(pdata.load_cold_benign()) & offensive


def test_the_shipped_model_is_small():
    from moderation.onnx_encoder import DEFAULT_PATH

    # MiniLM's int8 ONNX file (~22 MB) is built at install and git-ignored, never committed.
    for path in PUBLIC_MODEL_PATH.parent.iterdir():
        assert path == DEFAULT_PATH or path.stat().st_size < 20_000_000, path


@needs_data
def test_the_shipped_model_was_trained_from_these_files():
    from moderation.hashed_ngram import HashedNgramModel
    from moderation.train import data_digest

    assert HashedNgramModel.load(PUBLIC_MODEL_PATH).meta["data_sha256"] == data_digest(), (
        "data changed: rerun python -m moderation.train and copy its cuts into policy.yaml")


@needs_data
def test_training_reproduces_the_committed_artefacts(capsys):
    # About 40 s: one full training run in memory, compared with the committed model and COLD sample.
    from moderation.train import main

    assert main(["--check"]) == 0, capsys.readouterr().out[-2000:]


def test_the_reproducibility_check_catches_a_moved_weight_or_cut(capsys):
    # --check tolerates the last-bit rounding of other BLAS kernels, not a real change.
    from moderation.hashed_ngram import HashedNgramModel
    from moderation.train import WEIGHT_ATOL, _check

    shipped = HashedNgramModel.load(PUBLIC_MODEL_PATH)
    cuts = {h: {s: dict(c) for s, c in by.items()} for h, by in Policy.load().public_cuts.items()}
    assert _check(PUBLIC_MODEL_PATH, shipped, cuts, True) == 0
    assert _check(PUBLIC_MODEL_PATH, shipped, cuts, False) == 1
    moved = HashedNgramModel.load(PUBLIC_MODEL_PATH)
    moved.weights[7, 0] += 10 * WEIGHT_ATOL
    assert _check(PUBLIC_MODEL_PATH, moved, cuts, True) == 1
    cuts["sexual"]["latin"]["review"] += 0.001
    assert _check(PUBLIC_MODEL_PATH, shipped, cuts, True) == 1
    assert "cuts differ" in capsys.readouterr().out


# -- calibration and policy -----------------------------------------------------------

def test_a_cut_keeps_benign_scores_within_the_budget():
    benign = [i / 1000 for i in range(1000)]
    cut = cut_for_budget(benign, 0.01)
    assert sum(s >= cut for s in benign) <= 10 and sum(s >= cut - 0.002 for s in benign) > 10


def test_the_cuts_land_on_the_policy_thresholds():
    assert to_policy_scale(0.918, 0.918, 0.964, 0.5, 0.7) >= 0.5
    assert to_policy_scale(0.917, 0.918, 0.964, 0.5, 0.7) < 0.5
    assert to_policy_scale(0.964, 0.918, 0.964, 0.5, 0.7) >= 0.7
    assert to_policy_scale(0.95, 0.918, 0.964, 0.5, 0.7) < 0.7


def test_the_public_model_section_is_validated_naming_the_key(tmp_path):
    raw = yaml.safe_load(DEFAULT_POLICY_PATH.read_text(encoding="utf-8"))
    raw["learned"]["public_ngram"]["cuts"]["sexual"]["latin"] = {"review": 0.9, "block": 0.5}
    with pytest.raises(PolicyError, match="learned.public_ngram.cuts.sexual.latin"):
        Policy.from_dict(raw)


def test_the_chinese_violence_prompt_stays_caught(mod):
    assert not mod.check_text("丈夫喝醉了回家把老婆打得鼻青脸肿").allowed


# -- targets on the committed test parts ------------------------------------------------

def test_t2i_compbench_false_positive_rate_is_at_most_one_percent(public):
    fpr, k, n = public.t2i_fpr()
    assert n > 1500 and fpr <= 0.01, [r["text"] for r, d in public.t2i if not d.allowed]


def test_cold_dev_recall_is_at_least_070_at_fpr_at_most_015(public):
    recall, _, n_pos = public.cold_recall()
    fpr, _, n_neg = public.cold_fpr()
    assert n_pos > 3000 and n_neg > 3000
    assert recall >= 0.70 and fpr <= 0.15, (recall, fpr)


# Met from round six to round eight (6/9, then 7/9). Round nine: 5/9 (Wilson 0.27-0.81). The
# sexual head's review cut is now also budgeted on the hand-written Latin benign rows (1 %, chosen
# on validation, where I2P's target rows still score 8/10), and 873 new hard benign rows (art,
# fashion, anatomy) trained it: two painter-style test prompts fell under the cut. Round ten's
# second retrain (640 rows of indirect harm; the cut chosen on validation, C 128, 0.243): 7/9 = 0.778.
def test_i2p_sexual_recall_is_at_least_060(public):
    recall, _, n = public.i2p_recall()
    assert n >= 5 and recall >= 0.60


def test_no_benign_prompt_of_the_prompt_sets_suspends_an_account(mod, public):
    decisions = [d for _, d in public.t2i]
    sets = load_eval_set() + load_heldout_sets()
    decisions += [mod.check_text(r["text"]) for r in sets if r["label"] == "benign"]
    # The retired held-out sets train the learned tier now; their benign prompts still may not suspend.
    decisions += [mod.check_text(t) for t, lab in load_retired_rows() if lab == "benign"]
    assert [d.reason for d in decisions if would_suspend(d)] == []


def test_no_benign_cold_comment_suspends_an_account(public):
    # Met since emoticon tags are not joined into words ('[爱][爱]' is not '爱爱') and an ambiguous
    # sexual word ('性感') combines with a minor only in one short phrase of one sentence.
    assert [r["text"] for r, d in public.cold if not r["offensive"] and would_suspend(d)] == []


@pytest.fixture(scope="module")
def blind_report(mod):
    """The gate's report on a later held-out file, evaluated once per file and module."""
    reports = {}

    def report(path):
        if path not in reports:
            reports[path] = evaluate(mod, load_heldout_set(path))
        return reports[path]
    return report


def _not_met(path, lang, reason):
    return pytest.param(path, lang, marks=pytest.mark.xfail(strict=True, reason=f"not met: {reason}"))


#: Harmful rows per language in each measured held-out file.
_HARMFUL_PER_LANG = {HELDOUT24_PATH: 90, HELDOUT26_PATH: 90, HELDOUT28_PATH: 90, HELDOUT30_PATH: 89,
                     HELDOUT32_PATH: 89, HELDOUT34_PATH: 90, HELDOUT36_PATH: 89}
#: Benign rows per language (a set may lose a few rows that repeated earlier prompts).
_BENIGN_PER_LANG = {HELDOUT24_PATH: 159, HELDOUT26_PATH: 159, HELDOUT28_PATH: 159, HELDOUT30_PATH: 156,
                    HELDOUT32_PATH: 159, HELDOUT34_PATH: 159, HELDOUT36_PATH: 159}

# heldout-1 to -23 were measured blind in rounds five to twelve, read, fixed by rules, and now train
# the learned tier (moderation/data/retired/); their blind figures are in docs/moderation.md.
# heldout-24.jsonl: written blind in round thirteen by two new authors (1 en row dropped as a
# repeat), measured once with the gate retrained on heldout-1 to -15 (the round's first retrain)
# before it was read: en 0.944 / 0.0252 (85/90, 4/159), zh 0.989 / 0.0187 (89/90, 3/160); round
# twelve's gate, measured at the same time: en 0.933 / 0.0314, zh 0.989 / 0.0187. Read, then its
# misses and rule false positives fixed by rules.
# heldout-26.jsonl: written blind later in round thirteen by two more new authors (1 zh row dropped as
# a repeat), measured once with the gate retrained on heldout-1 to -23 and heldout-24's fixes before
# it was read: en 0.944 / 0.0250 (85/90, 4/160), zh 0.956 / 0.0063 (86/90, 1/159); round twelve's
# gate, measured at the same time: en 0.944 / 0.0312, zh 0.922 / 0.0063. Read, then fixed by rules.
# heldout-28.jsonl: written blind later in round thirteen by two more new authors (1 en row dropped),
# measured once with the gate as committed after heldout-26's fixes before it was read: en 0.978 /
# 0.0189 (88/90, 3/159), zh 1.000 / 0.0063 (90/90, 1/160), every target met; round twelve's gate,
# measured at the same time: en 0.978 / 0.0252, zh 0.956 / 0.0063. Read, then fixed by rules.
# heldout-30, -32.jsonl: written blind late in round thirteen by four more new authors (5 and 2
# rows dropped), measured once together with the gate as committed after -28's fixes, before they
# were read: -30 en 0.989 / 0.0128 (88/89, 2/156), zh 0.989 / 0.0063 (89/90, 1/160); -32 en 1.000 /
# 0.0314 (90/90, 5/159), zh 0.978 / 0.0063 (87/89, 1/160); pooled en 0.994 / 0.0222 (7/315), zh 0.983 /
# 0.0063. Round twelve's gate at the same time: pooled en 0.978 / 0.0222, zh 0.950 / 0.0063. Read,
# then fixed by rules (six of the seven English false positives were rules on idioms).
# heldout-34, -36.jsonl: written blind last in round thirteen by four more new authors (2 rows each
# dropped), measured once together with the gate as committed after -30's and -32's fixes (a734044),
# before they were read: -34 en 0.978 / 0.0126 (88/90, 2/159), zh 0.978 / 0.0063 (88/90, 1/159); -36
# en 0.933 / 0.0063 (83/89, 1/159), zh 1.000 / 0.0125 (90/90, 2/160); pooled en 0.955 / 0.0094 (171/179,
# 3/318), zh 0.989 / 0.0094 (178/180, 3/319): every target met pooled. Round twelve's gate at the same
# time: pooled en 0.939 / 0.0157, zh 0.972 / 0.0125. Read, then fixed by rules.
# The figures after the comments below are with the gate as committed.
@pytest.mark.parametrize("path, lang", [
    (HELDOUT24_PATH, "en"),  # 1/159 after reading (public sexual head: a shirtless lifeguard); blind 4/159
    (HELDOUT24_PATH, "zh"),  # 0/160 after reading; blind 3/160
    (HELDOUT26_PATH, "en"),  # 3/160 = 0.019 after reading (learned: a DV hotline poster, a tattoo over old scars; public head: a headshot); blind 4/160
    (HELDOUT26_PATH, "zh"),  # 0/159 after reading; blind 1/159
    (HELDOUT28_PATH, "en"),  # blind 3/159 = 0.019, met; 2/159 after reading (public head: breastfeeding; learned: a hamster knight)
    (HELDOUT28_PATH, "zh"),  # blind 1/160; 0/160 after reading
    (HELDOUT30_PATH, "en"),  # blind 2/156 = 0.013, met; 0/156 after reading
    (HELDOUT30_PATH, "zh"),  # blind 1/160; 0/160 after reading
    (HELDOUT32_PATH, "en"),  # 1/159 after reading (public sexual head: a nude Greek athlete in a museum); blind 5/159 (four rule idioms)
    (HELDOUT32_PATH, "zh"),  # blind 1/160 (the char model on a film title, left)
    (HELDOUT34_PATH, "en"),  # blind 2/159 = 0.013, met; 1/159 after reading (public sexual head: a sleep-paralysis demon)
    (HELDOUT34_PATH, "zh"),  # blind 1/159; 0/159 after reading
    (HELDOUT36_PATH, "en"),  # blind 1/159, met; 0/159 after reading
    (HELDOUT36_PATH, "zh"),  # blind 2/160 = 0.0125, met; 0/160 after reading
], ids=lambda v: getattr(v, "name", v))
def test_later_heldout_false_positive_rate_is_at_most_002(blind_report, path, lang):
    fpr, m = blind_report(path).fpr(lang)
    assert m >= _BENIGN_PER_LANG[path] and fpr <= 0.02, fpr


@pytest.mark.parametrize("path, lang", [
    (HELDOUT24_PATH, "en"),  # blind 85/90 = 0.944; 90/90 after reading
    (HELDOUT24_PATH, "zh"),  # blind 89/90 = 0.989, met
    (HELDOUT26_PATH, "en"),  # blind 85/90 = 0.944; 90/90 after reading
    (HELDOUT26_PATH, "zh"),  # blind 86/90 = 0.956, met; 90/90 after reading
    (HELDOUT28_PATH, "en"),  # blind 88/90 = 0.978, met; 90/90 after reading
    (HELDOUT28_PATH, "zh"),  # blind 90/90, met
    (HELDOUT30_PATH, "en"),  # blind 88/89 = 0.989, met; 89/89 after reading
    (HELDOUT30_PATH, "zh"),  # blind 89/90 = 0.989, met; 90/90 after reading
    (HELDOUT32_PATH, "en"),  # blind 90/90, met
    (HELDOUT32_PATH, "zh"),  # blind 87/89 = 0.978, met; 89/89 after reading
    (HELDOUT34_PATH, "en"),  # blind 88/90 = 0.978, met; 90/90 after reading
    (HELDOUT34_PATH, "zh"),  # blind 88/90 = 0.978, met; 90/90 after reading
    (HELDOUT36_PATH, "en"),  # blind 83/89 = 0.933; 89/89 after reading
    (HELDOUT36_PATH, "zh"),  # blind 90/90, met
], ids=lambda v: getattr(v, "name", v))
def test_later_heldout_recall_is_at_least_095(blind_report, path, lang):
    recall, n = blind_report(path).recall(lang)
    assert n >= _HARMFUL_PER_LANG[path] and recall >= 0.95, recall
