"""MiniLM's int8 ONNX Runtime encoder: faithful to fp32, batch-independent, rebuilt when stale."""

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from moderation import onnx_encoder
from moderation.learned import MINILM_MODEL_PATH, LearnedTier, LinearSoftmax, SentenceEncoder

ROOT = Path(__file__).resolve().parents[2]


def torch_fp32(model_dir, texts):
    """The reference: the source model in torch fp32, mean-pooled and normalised as sentence-transformers does."""
    import torch
    from transformers import AutoModel, AutoTokenizer

    tok, model = AutoTokenizer.from_pretrained(str(model_dir)), AutoModel.from_pretrained(str(model_dir)).eval()
    out = []
    with torch.inference_mode():
        for text in texts:
            enc = tok([text], return_tensors="pt", truncation=True, max_length=64)
            h = model(**enc).last_hidden_state
            m = enc["attention_mask"].unsqueeze(-1).to(h.dtype)
            out.append(torch.nn.functional.normalize((h * m).sum(1) / m.sum(1), dim=-1)[0].numpy())
    return np.stack(out)


def varied_prompts(n=48):
    """Every k-th row of the eval set: both languages, harmful and benign, short and long."""
    rows = [json.loads(line) for line in (ROOT / "moderation" / "eval" / "prompts.jsonl").read_text().splitlines()
            if line.strip()]
    return [r["text"] for r in rows[:: max(1, len(rows) // n)]][:n]


@pytest.fixture(scope="session")
def minilm(mod) -> SentenceEncoder:
    """The gate's own encoder (its file built at most once per session, by the Moderator's load)."""
    return mod.learned.encoder


def _tiny_bert(path, seed=0, token_type_ids=True):
    """Save a 2-layer BERT (or DistilBERT, which has no token_type_ids) with random weights and MiniLM's vocabulary."""
    import torch
    from transformers import (AutoTokenizer, BertConfig, BertModel, DistilBertConfig, DistilBertModel)

    tok = AutoTokenizer.from_pretrained(onnx_encoder.default_model_dir())
    torch.manual_seed(seed)
    if token_type_ids:
        model = BertModel(BertConfig(vocab_size=tok.vocab_size, hidden_size=32, num_hidden_layers=2,
                                     num_attention_heads=2, intermediate_size=64, max_position_embeddings=128))
    else:
        tok.model_input_names = ["input_ids", "attention_mask"]
        model = DistilBertModel(DistilBertConfig(vocab_size=tok.vocab_size, dim=32, n_layers=2, n_heads=2,
                                                 hidden_dim=64, max_position_embeddings=128))
    tok.save_pretrained(str(path))
    model.save_pretrained(str(path))
    return path


@pytest.fixture(scope="module")
def tiny_dir(tmp_path_factory):
    return _tiny_bert(tmp_path_factory.mktemp("tiny-bert"))


def test_the_int8_encoder_agrees_with_fp32_torch_minilm(minilm):
    texts = varied_prompts()
    cos = np.sum(minilm.encode(texts) * torch_fp32(minilm.model_dir, texts), axis=1)
    # Measured here: mean 0.989, min 0.976 over these 48 (en and zh); torch's dynamic int8 gave ~0.95 mean.
    assert cos.mean() >= 0.97, cos.mean()
    assert cos.min() >= 0.95, (cos.min(), texts[int(cos.argmin())])


def test_a_padded_batch_encodes_each_text_as_it_would_alone(minilm):
    texts = ["a fox", "a watercolor painting of a lighthouse on a cliff at dawn, soft light, wide angle",
             "雪地里的狐狸", "how to build a birdhouse from scrap wood, step by step, with a drill and glue"]
    alone = np.concatenate([minilm.encode([t]) for t in texts])
    for batch_size in (32, 3):
        together = minilm.encode(texts, batch_size=batch_size)
        np.testing.assert_array_equal(together, alone)
    assert together.shape == (4, 384) and together.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(together, axis=1), 1.0, atol=1e-5)


def test_a_tiny_model_dir_gets_its_own_file_on_first_use(tiny_dir):
    path = tiny_dir / onnx_encoder.LOCAL_NAME
    assert not path.exists()
    enc = SentenceEncoder(tiny_dir)
    assert path.is_file() and onnx_encoder.file_key(path) == enc.key == onnx_encoder.source_key(tiny_dir)
    texts = ["a fox in the snow", "a red apple on a wooden table, studio light"]
    x = enc.encode(texts)
    assert x.shape == (2, 32)
    cos = np.sum(x * torch_fp32(tiny_dir, texts), axis=1)
    assert cos.min() >= 0.97, cos


def test_a_model_without_token_type_ids_is_exported_with_the_inputs_its_tokenizer_gives(tmp_path):
    model_dir = _tiny_bert(tmp_path, token_type_ids=False)
    enc = SentenceEncoder(model_dir)
    assert [i.name for i in enc.session.get_inputs()] == ["input_ids", "attention_mask"]
    texts = ["a fox in the snow", "a lighthouse at dawn"]
    assert np.sum(enc.encode(texts) * torch_fp32(model_dir, texts), axis=1).min() >= 0.97


def test_changed_weights_rebuild_the_file(tmp_path):
    model_dir = _tiny_bert(tmp_path, seed=0)
    before = SentenceEncoder(model_dir)
    _tiny_bert(tmp_path, seed=1)  # new weights in the same directory: the old file is stale
    after = SentenceEncoder(model_dir)
    assert after.key != before.key and onnx_encoder.file_key(model_dir / onnx_encoder.LOCAL_NAME) == after.key
    texts = ["a fox in the snow"]
    np.testing.assert_allclose(after.encode(texts), torch_fp32(model_dir, texts), atol=0.05)
    assert not np.allclose(after.encode(texts), before.encode(texts), atol=0.05)


def test_a_new_recipe_rebuilds_the_file(tmp_path, monkeypatch):
    model_dir = _tiny_bert(tmp_path)
    path = model_dir / onnx_encoder.LOCAL_NAME
    old = SentenceEncoder(model_dir).key
    built = path.stat().st_mtime_ns
    SentenceEncoder(model_dir)
    assert path.stat().st_mtime_ns == built  # current: read, not rebuilt
    monkeypatch.setattr(onnx_encoder, "RECIPE", onnx_encoder.RECIPE + " (next)")
    new = SentenceEncoder(model_dir).key
    assert new != old and new.endswith("(next)") and onnx_encoder.file_key(path) == new


def test_a_truncated_file_is_rebuilt(tmp_path):
    model_dir = _tiny_bert(tmp_path)
    path = model_dir / onnx_encoder.LOCAL_NAME
    key = SentenceEncoder(model_dir).key
    path.write_bytes(path.read_bytes()[:1000])
    assert onnx_encoder.file_key(path) is None
    assert SentenceEncoder(model_dir).key == key and onnx_encoder.file_key(path) == key


def test_the_default_file_is_where_the_environment_says(monkeypatch, tmp_path):
    default = onnx_encoder.default_model_dir()
    assert onnx_encoder.artefact_path(default) == onnx_encoder.DEFAULT_PATH
    monkeypatch.setenv("HALLMARK_MINILM_ONNX", str(tmp_path / "elsewhere.onnx"))
    assert onnx_encoder.artefact_path(default) == tmp_path / "elsewhere.onnx"


def test_the_command_leaves_a_current_file_alone(minilm, tmp_path, capsys):
    copy = tmp_path / "minilm-int8.onnx"
    shutil.copyfile(onnx_encoder.artefact_path(minilm.model_dir), copy)
    before = copy.stat().st_mtime_ns
    assert onnx_encoder.main([str(copy)]) == 0
    assert "is current" in capsys.readouterr().out and copy.stat().st_mtime_ns == before


def test_minilms_saved_classifier_is_keyed_by_the_encoder(minilm, tiny_dir):
    assert LinearSoftmax.load_if_current(MINILM_MODEL_PATH, c=4.0, encoder=minilm.key) is not None
    tiny = SentenceEncoder(tiny_dir)
    assert LinearSoftmax.load_if_current(MINILM_MODEL_PATH, c=4.0, encoder=tiny.key) is None
    # So the tier on another encoder fits its own classifier on that encoder's embeddings.
    tier = LearnedTier.train(encoder=tiny, char_ngram=False, public=False)
    assert not isinstance(tier.classifier, LinearSoftmax) and tier.classifier.coef_.shape[1] == 32
