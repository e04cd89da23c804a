"""MiniLM's one-prompt encode: the gate's ONNX Runtime int8 encoder vs torch fp32; prints, asserts nothing.

Run: ``.venv/bin/python bench/minilm.py``. One thread each (as a CPU worker runs), the same
English prompts of the eval and held-out sets, the two encoders alternated prompt by prompt so
that load from other processes falls on both alike. Prints load time, latency p50 / p99, their
ratio, and the cosine of the int8 embeddings to fp32's.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import torch  # noqa: E402
from transformers import AutoModel, AutoTokenizer  # noqa: E402

from moderation.evaluation import load_eval_set, load_heldout_sets  # noqa: E402
from moderation.learned import SentenceEncoder  # noqa: E402


def main() -> None:
    torch.set_num_threads(1)
    texts = [r["text"] for r in load_eval_set() + load_heldout_sets() if r["lang"] == "en"]
    t0 = time.perf_counter()
    int8 = SentenceEncoder()
    t1 = time.perf_counter()
    tok = AutoTokenizer.from_pretrained(int8.model_dir)
    fp32 = AutoModel.from_pretrained(int8.model_dir).eval()
    t2 = time.perf_counter()

    def torch_fp32(text: str) -> np.ndarray:
        with torch.inference_mode():
            enc = tok([text], return_tensors="pt", truncation=True, max_length=int8.max_tokens)
            h = fp32(**enc).last_hidden_state
            m = enc["attention_mask"].unsqueeze(-1).to(h.dtype)
            return torch.nn.functional.normalize((h * m).sum(1) / m.sum(1), dim=-1).numpy()

    for t in texts[:10]:  # warm up both
        int8.encode([t]), torch_fp32(t)
    lat: dict[str, list[float]] = {"onnx int8": [], "torch fp32": []}
    cos = []
    for t in texts:
        s = time.perf_counter()
        a = int8.encode([t])
        m = time.perf_counter()
        b = torch_fp32(t)
        e = time.perf_counter()
        lat["onnx int8"].append((m - s) * 1000)
        lat["torch fp32"].append((e - m) * 1000)
        cos.append(float(a[0] @ b[0]))
    print(f"## MiniLM one-prompt encode, {len(texts)} English prompts, one thread")
    print(f"load: onnx int8 {t1 - t0:.2f} s (file present), torch fp32 {t2 - t1:.2f} s")
    p = {k: (np.percentile(v, 50), np.percentile(v, 99)) for k, v in lat.items()}
    for k, (p50, p99) in p.items():
        print(f"{k}: p50 {p50:.2f} ms, p99 {p99:.2f} ms")
    print(f"torch fp32 / onnx int8: p50 {p['torch fp32'][0] / p['onnx int8'][0]:.2f}x, "
          f"p99 {p['torch fp32'][1] / p['onnx int8'][1]:.2f}x")
    print(f"cosine onnx int8 to torch fp32: mean {np.mean(cos):.4f}, min {np.min(cos):.4f}")


if __name__ == "__main__":
    main()
