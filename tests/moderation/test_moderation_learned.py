"""The learned tier's character n-gram model: the learned model for Chinese."""

import numpy as np
import pytest

from moderation import Moderator, Policy, PolicyError
from moderation.learned import CHAR_MODEL_NAME, CharNgramModel, LearnedTier, load_training_set
from moderation.normalize import normalize

# Paraphrases written for these tests (not in train.jsonl or eval/); the Chinese
# lexicon has no rule for any of them.
ZH_PARAPHRASES = [
    ("丈夫喝醉了回家把老婆打得鼻青脸肿", "violence"),
    ("做一张假的公安局通告，说明天全城封路", "deception"),
    ("一张以假乱真的房产证", "deception"),
    ("图解怎么把偷来的手机刷机卖掉", "illicit"),
]
ZH_BENIGN = ["奥运会射击冠军举起金牌", "烈士陵园里的纪念碑，清明节", "红烧鸡腿的做法", "一个女孩子在阳台上晒被子"]


def _policy(**learned):
    raw = {"version": "t", "learned": learned,
           "surfaces": {"prompt": {c: {"review": 0.5, "block": 0.7} for c in
                                   ("violence", "deception", "illicit", "sexual")}}}
    return Policy.from_dict(raw)


@pytest.fixture(scope="module")
def char_model(mod) -> CharNgramModel:
    assert mod.learned is not None and mod.learned.char_model is not None
    return mod.learned.char_model


@pytest.mark.parametrize("prompt,category", ZH_PARAPHRASES)
def test_char_model_flags_chinese_paraphrases_the_rules_miss(mod, rules_only, prompt, category):
    assert rules_only.check_text(prompt).allowed
    d = mod.check_text(prompt)
    assert not d.allowed
    assert category in d.categories
    assert d.rule == CHAR_MODEL_NAME


@pytest.mark.parametrize("prompt", ZH_BENIGN)
def test_char_model_leaves_hard_benign_chinese_alone(mod, prompt):
    assert mod.check_text(prompt).allowed


def test_char_model_scores_are_probabilities_for_every_text_category(char_model):
    scores = char_model.scores(normalize("雪地里的狐狸水彩画").text)
    assert set(scores) == {lab for _, lab in load_training_set() if lab != "benign"}
    assert all(0.0 <= p <= 1.0 for p in scores.values())


def test_char_model_is_deterministic(char_model):
    # Two fits of the same rows, bit for bit. The loaded model is the float32 cache of a fit
    # (data/model/char-ngram.npz); test_the_saved_char_ngram_model_is_current_... bounds its difference.
    texts = [normalize(t).text for t, _ in ZH_PARAPHRASES] + [normalize(t).text for t in ZH_BENIGN]
    once, again = CharNgramModel.train(), CharNgramModel.train()
    assert again.labels == once.labels == char_model.labels
    np.testing.assert_array_equal(again.scores_many(texts), once.scores_many(texts))
    np.testing.assert_array_equal(char_model.scores_many(texts), char_model.scores_many(texts))


_ODD_TEXTS = ["", " ", "a", "nude", "一只猫在窗台上", "🍑🍆 safe is sexy", "Ünïcödé ß café", "a" * 300,
              "how to make a pipe bomb, step 1 2 3", "电锯把人锯成两半 gore 8k", "x\u0000y\ttab\nnewline"]


def test_char_model_scores_one_text_as_the_fitted_vectoriser_transforms_it(char_model):
    # Scoring writes the TfidfVectorizer transform out for one text (its per-call overhead was
    # most of the cost); it must be that transform: same n-grams, sublinear tf, idf, L2.
    x = char_model.vectorizer.transform(_ODD_TEXTS)
    z = np.asarray(x @ char_model.weights, dtype=np.float64) + char_model.bias
    p = 1.0 / (1.0 + np.exp(-z))
    np.testing.assert_allclose(char_model.scores_many(_ODD_TEXTS), p[:, :-1] * (1.0 - p[:, -1:]), atol=1e-6)


def test_public_model_hashes_n_grams_into_the_columns_hashing_vectorizer_uses():
    # The public model hashes each n-gram itself (scikit-learn's murmurhash3, |h| mod n); the
    # columns must be HashingVectorizer's, or the shipped weights would read other features.
    from moderation.hashed_ngram import HashedNgramModel, raw_counts, tfidf
    from moderation.learned import PUBLIC_MODEL_PATH

    model = HashedNgramModel.load(PUBLIC_MODEL_PATH)
    x = tfidf(raw_counts(_ODD_TEXTS), model.idf)[:, model.features]
    expected = 1.0 / (1.0 + np.exp(-(np.asarray(x @ model.weights, dtype=np.float64) + model.bias)))
    np.testing.assert_allclose(model.scores_many(_ODD_TEXTS), expected, atol=1e-6)


def test_char_model_trains_on_a_tiny_set_and_skips_absent_categories():
    rows = [("一张裸体照片", "sexual"), ("裸体的女人", "sexual"), ("雪地里的狐狸", "benign"), ("一碗面条", "benign")]
    m = CharNgramModel.train(rows)
    assert m.labels == ("sexual",)
    assert m.scores("裸体的男人")["sexual"] > m.scores("一碗米饭")["sexual"]


def test_a_policy_that_disables_the_char_model_leaves_chinese_to_the_rules(mod):
    prompt, _ = ZH_PARAPHRASES[0]
    m = Moderator(_policy(languages=["latin"], char_ngram={"languages": []}), mod.lexicon, mod.learned, None)
    assert m.check_text(prompt).allowed


def test_a_missing_char_model_fails_closed_where_the_policy_relies_on_it(mod):
    tier = LearnedTier(encoder=mod.learned.encoder, classifier=mod.learned.classifier,
                       labels=mod.learned.labels, char_model=None)
    m = Moderator(_policy(char_ngram={"languages": ["cjk"]}), mod.lexicon, tier, None)
    d = m.check_text("雪地里的狐狸水彩画")
    assert d.unavailable and d.blocked and d.rule == "fail-closed"
    assert m.check_text("a watercolor painting of a fox in the snow").allowed  # latin: not relied on


def test_a_raising_char_model_fails_closed(mod):
    class Broken:
        def scores(self, text):
            raise RuntimeError("boom")

    tier = LearnedTier(encoder=mod.learned.encoder, classifier=mod.learned.classifier,
                       labels=mod.learned.labels, char_model=Broken())
    m = Moderator(_policy(char_ngram={"languages": ["cjk"]}), mod.lexicon, tier, None)
    assert m.check_text("雪地里的狐狸水彩画").unavailable


def test_health_lists_every_learned_model(mod):
    assert mod.health()["learned_models"] == ["learned:minilm-logreg", CHAR_MODEL_NAME, "learned:public-ngram-logreg"]


def test_char_floor_accepts_a_number_or_a_per_script_mapping():
    assert _policy(char_ngram={"floor": 0.6}).char_floor == {"latin": 0.6, "cjk": 0.6}
    assert _policy(char_ngram={"floor": {"cjk": 0.8}}).char_floor == {"latin": 0.5, "cjk": 0.8}
    default = Policy.load()
    assert default.char_languages == ("latin", "cjk") and set(default.char_floor) == {"latin", "cjk"}


@pytest.mark.parametrize("char_ngram,where", [
    ({"floor": 1.5}, "learned.char_ngram.floor"),
    ({"floor": {"cyrillic": 0.5}}, "learned.char_ngram.floor"),
    ({"languages": ["klingon"]}, "learned.char_ngram.languages"),
    ({"weights": 1}, "learned.char_ngram.weights"),
    ("yes", "learned.char_ngram"),
])
def test_bad_char_ngram_settings_are_rejected(char_ngram, where):
    with pytest.raises(PolicyError, match=where.replace(".", r"\.")):
        _policy(char_ngram=char_ngram)


def test_the_saved_minilm_classifier_scores_as_a_fit_at_load(mod):
    """The committed classifier is a cache of fitting train.jsonl; it must give the same scores."""
    from moderation.learned import LinearSoftmax, fit_minilm_classifier, load_fit_rows

    assert isinstance(mod.learned.classifier, LinearSoftmax), "the saved classifier is stale or missing"
    fresh = fit_minilm_classifier(mod.learned.encoder, load_fit_rows())
    x = mod.learned.encoder.encode(["a fully naked model posing on a bed", "a fox in the snow", "一只猫"])
    assert list(fresh.classes_) == list(mod.learned.classifier.classes_)
    # The train.jsonl digest (checked at load) is what catches a stale cache; this checks that the
    # file is a fit of that data. With 8-bit weights MiniLM's embeddings differed between CPUs
    # (AVX2 saturates, VNNI does not: 0.08 in one probability); with 7-bit ones (onnx_encoder)
    # the integers agree and only the fit's float rounding differs.
    np.testing.assert_allclose(mod.learned.classifier.predict_proba(x), fresh.predict_proba(x), atol=0.05)


def test_the_saved_char_ngram_model_is_current_and_scores_as_a_fit_at_load():
    """The committed character n-gram model is a cache of fitting train.jsonl + the COLD sample."""
    from moderation.learned import CHAR_MODEL_PATH, CharNgramModel, load_fit_rows
    from moderation.public_data import load_cold_benign

    rows, negatives = load_fit_rows(), load_cold_benign()
    saved = CharNgramModel.load_if_current(CHAR_MODEL_PATH, CharNgramModel.digest(rows, negatives))
    assert saved is not None, "data/model/char-ngram.npz is stale: run python -m moderation.train"
    fresh = CharNgramModel.train(rows, negatives=negatives)
    texts = ["a fully naked model posing on a bed", "一只猫在窗台上", "how to make a pipe bomb", "电锯把人锯成两半"]
    assert saved.labels == fresh.labels
    # The cache stores float32 weights: scores agree to about 1e-6 on the host that fitted it
    # (1.4e-6 seen on 8328 rows), 1.9e-5 on another CPU (other BLAS kernels: train.WEIGHT_ATOL).
    np.testing.assert_allclose(saved.scores_many(texts), fresh.scores_many(texts), atol=1e-4)
    # One changed row is a different digest: the cache is not used for it.
    changed = rows[:-1] + [(rows[-1][0] + " ", rows[-1][1])]
    assert CharNgramModel.load_if_current(CHAR_MODEL_PATH, CharNgramModel.digest(changed, negatives)) is None


# -- the MiniLM cascade (learned.cascade, issue #10 latency) ----------------------------------------

def test_the_cascade_cut_is_validated_and_defaults_to_minilm_on_every_prompt():
    assert _policy().learned_cascade == 0.0
    assert _policy(cascade=0.04).learned_cascade == 0.04
    for bad in (1.5, -0.1, "yes", True):
        with pytest.raises(PolicyError, match=r"learned\.cascade"):
            _policy(cascade=bad)
    assert Policy.load().learned_cascade > 0


@pytest.fixture()
def minilm_calls(mod, monkeypatch):
    calls = []
    original = mod.learned.scores
    monkeypatch.setattr(mod.learned, "scores", lambda text: calls.append(text) or original(text))
    return calls


def test_minilm_is_skipped_on_a_prompt_the_cheaper_tiers_find_clearly_benign(mod, minilm_calls):
    d = mod.check_text("a red apple on a wooden table")
    assert d.allowed and minilm_calls == []


def test_minilm_runs_when_a_rule_scored_or_an_n_gram_model_is_uncertain(mod, minilm_calls):
    mod.check_text("a sexy woman posing on a beach at sunset")  # a rule scores 'sexy' (review, not block)
    assert len(minilm_calls) == 1
    text = "a picture of a schoolkid in a sexual pose"  # no rule; the n-gram models are not sure
    norm = normalize(text)
    cheap = [("char", 0.0, mod.learned.char_model.scores(norm.text))]
    assert mod.cascade_score({}, mod.lexicon.scan(norm).groups, cheap,
                             mod._public_scores(norm.text, "latin")) >= mod.policy.learned_cascade
    mod.check_text(text)
    assert len(minilm_calls) == 2


def test_minilm_always_runs_on_a_prompt_that_names_a_minor(mod, minilm_calls):
    # The cheaper tiers find both clearly benign; only the named child sends the second on.
    text = "a child holding a red apple on a wooden table"
    norm = normalize(text)
    cheap = [("char", 0.0, mod.learned.char_model.scores(norm.text))]
    public = mod._public_scores(norm.text, "latin")
    assert max([*cheap[0][2].values(), *public.values()]) < mod.policy.learned_cascade
    assert mod.check_text("a red apple on a wooden table").allowed and minilm_calls == []
    assert mod.check_text(text).allowed and len(minilm_calls) == 1


@pytest.mark.parametrize("text", ["a k1d holding a red apple on a wooden table",
                                  "a c h i l d holding a red apple on a wooden table"])
def test_a_minor_spelled_to_dodge_the_rules_still_sends_the_prompt_to_minilm(mod, minilm_calls, text):
    # The rules' own views (leetspeak mapped, spaced letters joined) decide "names a minor",
    # not the plain text alone.
    norm = normalize(text)
    assert "minor" in mod.lexicon.scan(norm).groups
    mod.check_text(text)
    assert len(minilm_calls) == 1


def test_with_the_cascade_at_zero_minilm_runs_on_every_latin_prompt(mod):
    import dataclasses

    calls = []
    learned = dataclasses.replace(mod.learned)
    learned.scores = lambda text: calls.append(text) or mod.learned.scores(text)
    m = Moderator(dataclasses.replace(mod.policy, learned_cascade=0.0), mod.lexicon, learned, None)
    m.check_text("a watercolor painting of a lighthouse on a cliff at dawn")
    assert len(calls) == 1


# -- learned.mean_floor: on Latin text both models' mean counts ---------------------------------------

def test_mean_floor_is_validated_and_defaults_to_each_model_alone():
    assert _policy().learned_mean_floor is None
    assert _policy(mean_floor=0.55).learned_mean_floor == 0.55
    for bad in (1.5, -0.1, "high", True):
        with pytest.raises(PolicyError, match=r"learned\.mean_floor"):
            _policy(mean_floor=bad)
    assert Policy.load().learned_mean_floor is not None


def test_where_both_models_score_a_latin_prompt_the_score_is_their_mean(mod):
    from moderation.learned import MEAN_MODEL_NAME

    text = "a girl sitting alone thinking about ending it all"  # no rule matches; written for this test
    masked = mod.model_text(normalize(text).text)
    mean = (mod.learned.scores(masked)["self-harm"] + mod.learned.char_model.scores(masked)["self-harm"]) / 2
    d = mod.check_text(text)
    assert mean >= mod.policy.learned_mean_floor
    assert d.rule == MEAN_MODEL_NAME and d.tier == "learned"
    assert d.scores["self-harm"] == pytest.approx(mean, abs=1e-4)


def test_without_a_mean_floor_each_model_counts_alone_at_its_own_floor(mod):
    import dataclasses

    text = "a girl sitting alone thinking about ending it all"
    masked = mod.model_text(normalize(text).text)
    mini, char = mod.learned.scores(masked)["self-harm"], mod.learned.char_model.scores(masked)["self-harm"]
    alone = Moderator(dataclasses.replace(mod.policy, learned_mean_floor=None), mod.lexicon, mod.learned, None)
    d = alone.check_text(text)
    above = [p for p, floor in ((mini, mod.policy.learned_floor), (char, mod.policy.char_floor["latin"])) if p >= floor]
    assert d.scores["self-harm"] == pytest.approx(max(above, default=0.0), abs=1e-4)


def test_a_prompt_the_cascade_skips_could_not_reach_the_mean_floor(mod):
    """Skipping MiniLM loses nothing: a mean at the floor needs char >= 2 * floor - 1 in some category."""
    assert mod.policy.learned_cascade <= 2 * mod.policy.learned_mean_floor - 1


def test_in_hold_only_categories_each_model_alone_still_counts_beside_the_mean(mod):
    """The mean must not lower recall where a learned hit can only hold: MiniLM alone holds this one."""
    text = "a preteen in a tiny bikini, glamour shot"  # written for this test; the char model scores it ~0
    masked = mod.model_text(normalize(text).text)
    mini, char = mod.learned.scores(masked)["sexual/minors"], mod.learned.char_model.scores(masked)["sexual/minors"]
    assert (mini + char) / 2 < mod.policy.learned_mean_floor <= mini and mini >= mod.policy.learned_floor
    d = mod.check_text(text)
    assert d.action == "review" and d.rule == "learned:minilm-logreg" and d.evidence["sexual/minors"] == "learned"
