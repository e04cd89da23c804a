"""Public prompt sets for training and measuring the text gate, and their fixed split.

The sets (copies under ``/work/shared/datasets``, see its README; ``HALLMARK_DATASETS``
points elsewhere):

- I2P (Schramowski et al., CVPR 2023; MIT): real Lexica prompts with labels derived
  from the images Stable Diffusion 1.4 made of them (``nudity_percentage``: share of
  10 images judged nude).
- T2I-CompBench (Huang et al., NeurIPS 2023; MIT): ordinary compositional prompts,
  the benign side.
- COLD (Deng et al., EMNLP 2022; Apache-2.0): Chinese comments on race, gender and
  region, ``label`` 1 = offensive. Offensive is mapped to ``hate``: COLD's targets are
  groups by race, gender and region, which is what the ``hate`` category covers.

The split is decided by the text alone, before any row is read for its label:
``sha256`` of the normalised prompt picks a bucket out of 100, so a prompt (and
every verbatim or normalisation-equal copy of it, in any set) always lands in the
same part, and re-running gives the same parts. COLD ships its own dev split, used
as its test part; COLD train rows equal to a dev row are dropped from training.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
from pathlib import Path
from typing import Any, Iterable

from .normalize import normalize

DATASETS = Path(os.environ.get("HALLMARK_DATASETS", "/work/shared/datasets"))
#: The committed test parts (what tests and the bench measure without the datasets folder).
PUBLIC_EVAL_DIR = Path(__file__).parent / "eval" / "public"

TRAIN, VALIDATION, TEST = "train", "validation", "test"
#: Buckets 0-59 train, 60-79 validation (thresholds), 80-99 test (figures only).
_CUTS = ((60, TRAIN), (80, VALIDATION), (100, TEST))

#: I2P rows count as sexual for *training* from this share of nude images; the target
#: is measured on the stricter subset (labelled sexual, at least half nude).
I2P_TRAIN_NUDITY = 30.0
I2P_TARGET_NUDITY = 50.0
#: Below this share an I2P row not labelled sexual is a negative for the sexual head.
I2P_CLEAN_NUDITY = 10.0


def key(text: str) -> str:
    """Return the form a prompt is compared and hashed in (the gate's normalised text)."""
    return normalize(text).text


def bucket(text: str) -> int:
    """Return the prompt's bucket, 0-99, from the hash of its normalised text."""
    return int(hashlib.sha256(key(text).encode("utf-8")).hexdigest()[:8], 16) % 100


def split_of(text: str) -> str:
    """Return ``train``, ``validation`` or ``test`` for a prompt."""
    b = bucket(text)
    return next(name for limit, name in _CUTS if b < limit)


def _csv(name: str, **kwargs: Any) -> Iterable[dict[str, str]]:
    with open(DATASETS / name, encoding="utf-8", newline="") as fh:
        yield from csv.DictReader(fh, **kwargs)


def load_i2p() -> list[dict[str, Any]]:
    """Return I2P rows ``{"text", "categories", "nudity", "split", "source"}``."""
    rows = []
    for r in _csv("i2p.csv"):
        text = r["prompt"].strip()
        if not text:
            continue
        cats = [c.strip() for c in r["categories"].split(",") if c.strip()]
        rows.append({"text": text, "categories": cats, "nudity": float(r["nudity_percentage"] or 0),
                     "inappropriate": float(r["inappropriate_percentage"] or 0), "split": split_of(text),
                     "source": "i2p"})
    return rows


def load_t2i() -> list[dict[str, Any]]:
    """Return T2I-CompBench rows ``{"text", "split", "source"}`` (all benign)."""
    return [{"text": r["prompt"].strip(), "split": split_of(r["prompt"]), "source": "t2i-compbench"}
            for r in _csv("t2i-compbench-prompts.tsv", delimiter="\t") if r["prompt"].strip()]


def load_cold() -> list[dict[str, Any]]:
    """Return COLD rows ``{"text", "offensive", "topic", "split", "source"}``.

    ``cold-dev.csv`` is the test part; ``cold-train.csv`` is split train/validation by
    hash (its test-bucket rows go to validation: COLD has its own test part).
    """
    dev = [{"text": r["TEXT"].strip(), "offensive": r["label"] == "1", "topic": r["topic"], "split": TEST,
            "source": "cold-dev"} for r in _csv("cold-dev.csv") if r["TEXT"].strip()]
    dev_keys = {key(r["text"]) for r in dev}
    train = []
    for r in _csv("cold-train.csv"):
        text = r["TEXT"].strip()
        if not text or key(text) in dev_keys:
            continue
        part = TRAIN if bucket(text) < 80 else VALIDATION
        train.append({"text": text, "offensive": r["label"] == "1", "topic": r["topic"], "split": part,
                      "source": "cold-train"})
    return train + dev


#: Non-offensive COLD comments the character n-gram model also trains on, as negatives for
#: every category (its training set is otherwise train.jsonl's prompts, and chat-style Chinese
#: about race, gender and region is what it wrongly flagged: 11.8 % of COLD's validation comments).
COLD_BENIGN_PATH = Path(__file__).parent / "data" / "cold-benign.jsonl"
COLD_BENIGN_ROWS = 300


def cold_benign_sample(rows: list[dict[str, Any]], n: int = COLD_BENIGN_ROWS) -> list[str]:
    """Return ``n`` non-offensive COLD training comments, the same ones on every run.

    Only comments in the train part under *every* split rule (bucket < 60): a COLD train row in
    buckets 60-79 validates the public model, and one in 80-99 would be a test row under
    ``train.jsonl``'s rule, so neither may train the character model. ``rows`` are
    :func:`moderation.train.load_all`'s (with their labels and normalised ``key``).
    """
    # A comment COLD also labels offensive somewhere (its duplicates disagree) is not a clear negative.
    offensive = {r["key"] for r in rows if r["source"].startswith("cold") and r["offensive"]}
    pool = sorted({r["key"] for r in rows
                   if r["source"] == "cold-train" and not r["offensive"] and split_of(r["text"]) == TRAIN} - offensive,
                  key=lambda t: hashlib.sha256(t.encode("utf-8")).hexdigest())
    return pool[:n]


#: Ordinary T2I-CompBench prompts (train part) that MiniLM's classifier and the character n-gram
#: model also train on as benign rows (round nine): their training set was otherwise hand-written
#: prompts, most of them about harm, so plain scene descriptions ("a person is jumping rope",
#: "a pig hidden by a cat") read as self-harm or violence to them.
T2I_BENIGN_PATH = Path(__file__).parent / "data" / "t2i-benign.jsonl"
T2I_BENIGN_ROWS = 1000


def t2i_benign_sample(rows: list[dict[str, Any]], n: int = T2I_BENIGN_ROWS) -> list[str]:
    """Return ``n`` T2I-CompBench train-part prompts (normalised), the same ones on every run.

    ``rows`` are :func:`moderation.train.load_all`'s; only the train part, so no validation or
    test prompt ever trains these models.
    """
    pool = sorted({r["key"] for r in rows if r["source"] == "t2i-compbench" and r["split"] == TRAIN},
                  key=lambda t: hashlib.sha256(t.encode("utf-8")).hexdigest())
    return pool[:n]


def load_t2i_benign() -> list[str]:
    """Return the committed T2I sample written by ``python -m moderation.train`` (texts, normalised)."""
    return _load_sample(T2I_BENIGN_PATH)


def load_cold_benign() -> list[str]:
    """Return the committed COLD sample written by ``python -m moderation.train`` (texts, normalised)."""
    return _load_sample(COLD_BENIGN_PATH)


def _load_sample(path: Path) -> list[str]:
    return [json.loads(line)["text"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def i2p_label(row: dict[str, Any], *, nudity: float = I2P_TRAIN_NUDITY) -> str | None:
    """Return an I2P row's training label for the sexual head: ``sexual``, ``benign`` or None (left out).

    The labels describe the images a 2022 model made, so they are soft: a row at
    least ``nudity`` % nude is a positive whatever its category (the prompt led the
    model to nudity); a row labelled sexual but less nude is ambiguous and left out;
    the rest (other inappropriate content, rarely nude) is a negative for ``sexual``.
    """
    if row["nudity"] >= nudity:
        return "sexual"
    if "sexual" in row["categories"] or row["nudity"] >= I2P_CLEAN_NUDITY:
        return None
    return "benign"


def is_i2p_target(row: dict[str, Any]) -> bool:
    """Return whether an I2P row is in the measured set: labelled sexual, at least half nude."""
    return "sexual" in row["categories"] and row["nudity"] >= I2P_TARGET_NUDITY


def load_public_eval(name: str) -> list[dict[str, Any]]:
    """Return the rows of a committed test part (``i2p``, ``t2i``, ``cold-dev``)."""
    path = PUBLIC_EVAL_DIR / f"{name}.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
