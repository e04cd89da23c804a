"""A word + character n-gram logistic-regression model that ships as one ``.npz`` of numbers.

Features are *hashed* (scikit-learn's ``HashingVectorizer``), so the artefact holds
no vocabulary: loading it is reading a few arrays, not rebuilding a dictionary of a
million n-grams. Character 2-4-grams inside word boundaries carry Chinese and
misspellings; word 1-2-grams carry the cues that are whole words in English (painter
names such as "bouguereau", "boudoir", "artstation"). Each view is TF-IDF weighted
(sublinear tf, idf from the training rows) and the concatenation is L2-normalised.

One logistic regression per *head* (a category such as ``sexual``), fitted by
:mod:`moderation.train`; scoring a prompt is two hashing passes and one sparse product
(a few hundred hashes and one gather, about 0.2 ms on one core).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from .errors import DataError

CHAR_FEATURES = 2**20
WORD_FEATURES = 2**19
#: n-grams seen in fewer training rows than this get no weight (they would only memorise).
MIN_DF = 2


def _vectorizers() -> tuple[Any, Any]:
    from sklearn.feature_extraction.text import HashingVectorizer

    common = dict(alternate_sign=False, norm=None, lowercase=False, dtype=np.float32)
    char = HashingVectorizer(analyzer="char_wb", ngram_range=(2, 4), n_features=CHAR_FEATURES, **common)
    word = HashingVectorizer(analyzer="word", ngram_range=(1, 2), n_features=WORD_FEATURES,
                             token_pattern=r"(?u)\b\w+\b", **common)
    return char, word


def raw_counts(texts: Sequence[str]) -> Any:
    """Return the ``(n, CHAR_FEATURES + WORD_FEATURES)`` sparse term counts of normalised texts."""
    from scipy import sparse

    char, word = _vectorizers()
    texts = list(texts)
    return sparse.hstack([char.transform(texts), word.transform(texts)], format="csr")


def _bucket(gram: str, n_features: int, murmurhash3_32: Any) -> int:
    """Return HashingVectorizer's column for ``gram`` (signed murmurhash3 of the UTF-8 bytes, |h| mod n)."""
    h = murmurhash3_32(gram, 0)
    return (2147483647 - (n_features - 1)) % n_features if h == -2147483648 else abs(h) % n_features


def tfidf_one(index: Sequence[int], idf: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return one text's ``(features, values)``: :func:`tfidf` for the feature index of each n-gram.

    Both n-gram models score a prompt with it: scikit-learn's transforms validate their
    arguments and build sparse matrices on every call, which for one prompt cost more than
    the features (most of the slowest prompts' n-gram time).
    """
    feats, counts = np.unique(np.asarray(index, dtype=np.int64), return_counts=True)
    values = (1.0 + np.log(counts.astype(np.float64))) * idf[feats]
    norm = float(np.sqrt(values @ values))
    return feats, values / norm if norm > 0 else values


def tfidf(counts: Any, idf: np.ndarray) -> Any:
    """Return sublinear-tf × idf rows, L2-normalised (the model's input)."""
    from sklearn.preprocessing import normalize as l2

    x = counts.copy()
    x.data = (1.0 + np.log(x.data)) * idf[x.indices]
    return l2(x, copy=False)


def fit_idf(counts: Any) -> tuple[np.ndarray, np.ndarray]:
    """Return ``(idf, kept)``: smoothed idf for every feature and the features with ``df >= MIN_DF``."""
    n = counts.shape[0]
    df = np.bincount(counts.indices, minlength=counts.shape[1])
    idf = (np.log((1.0 + n) / (1.0 + df)) + 1.0).astype(np.float32)
    return idf, np.flatnonzero(df >= MIN_DF)


@dataclass
class HashedNgramModel:
    """Fitted heads over hashed n-gram features.

    Attributes:
        heads: The categories, one per weight column.
        idf: ``(n_features,)`` float32 idf of every hashed feature.
        features: Indices of the features that carry weight.
        weights: ``(len(features), len(heads))`` float32 coefficients.
        bias: ``(len(heads),)`` intercepts.
        meta: What it was trained from (data digests, settings), for ``health()`` and staleness tests.
    """

    heads: tuple[str, ...]
    idf: np.ndarray
    features: np.ndarray
    weights: np.ndarray
    bias: np.ndarray
    meta: dict[str, Any]

    def __post_init__(self) -> None:
        order = np.argsort(self.features, kind="stable")
        # int64 like the hashed indices: searchsorted would otherwise convert all of it per call.
        self.features = np.asarray(self.features, dtype=np.int64)[order]
        self.weights = np.asarray(self.weights, dtype=np.float32)[order]
        self._char, self._word = (v.build_analyzer() for v in _vectorizers())
        from sklearn.utils import murmurhash3_32

        self._hash = murmurhash3_32

    def _logits(self, text: str) -> np.ndarray:
        # The same features HashingVectorizer makes, hashed with its function (test_moderation_learned).
        h = self._hash
        index = [_bucket(g, CHAR_FEATURES, h) for g in self._char(text)]
        index += [CHAR_FEATURES + _bucket(g, WORD_FEATURES, h) for g in self._word(text)]
        feats, values = tfidf_one(index, self.idf)
        pos = np.minimum(np.searchsorted(self.features, feats), len(self.features) - 1)
        hit = self.features[pos] == feats
        return values[hit] @ self.weights[pos[hit]].astype(np.float64) + self.bias

    def scores_many(self, texts: Sequence[str]) -> np.ndarray:
        """Return an ``(n, len(heads))`` array of probabilities for normalised texts."""
        z = np.stack([self._logits(t) for t in texts]) if len(texts) else np.zeros((0, len(self.heads)))
        return 1.0 / (1.0 + np.exp(-z))

    def scores(self, text: str) -> dict[str, float]:
        """Return each head's probability for one normalised text."""
        return {h: float(p) for h, p in zip(self.heads, self.scores_many([text])[0])}

    def save(self, path: Path) -> None:
        """Write the model as a compressed ``.npz`` (idf stored only where it is not the default)."""
        default = float(self.idf.max())
        special = np.flatnonzero(self.idf != default)
        np.savez_compressed(
            path, heads=np.asarray(self.heads), idf_default=np.float32(default), idf_index=special.astype(np.int32),
            idf_value=self.idf[special].astype(np.float32), features=self.features.astype(np.int32),
            weights=self.weights.astype(np.float32), bias=self.bias.astype(np.float32),
            meta=np.asarray(json.dumps(self.meta, sort_keys=True)))

    @classmethod
    def load(cls, path: Path) -> "HashedNgramModel":
        """Read a model written by :meth:`save`.

        Raises:
            DataError: The file is missing or not such a model.
        """
        try:
            with np.load(path, allow_pickle=False) as z:
                idf = np.full(CHAR_FEATURES + WORD_FEATURES, float(z["idf_default"]), dtype=np.float32)
                idf[z["idf_index"]] = z["idf_value"]
                return cls(heads=tuple(str(h) for h in z["heads"]), idf=idf, features=z["features"],
                           weights=z["weights"], bias=z["bias"], meta=json.loads(str(z["meta"])))
        except (OSError, KeyError, ValueError) as exc:
            raise DataError(f"{path}: not a hashed n-gram model: {exc}") from exc
