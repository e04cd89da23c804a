"""Cross-job batches: what one item of a batch is, what it gets back, and how a worker groups them.

No torch import here: the worker groups queued requests before the model is touched.
A batch shares one pass through every network, so its items must share ``kind`` and ``size``;
each item keeps its own seed (its own ``torch.Generator``), progress callback and cancel, so its
pixels are the same alone or batched (see sampling.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable, Sequence

from .progress import ProgressCallback

KINDS = ("generate", "vary", "edit", "restyle")

# Rough per-image working memory (bytes) of one batched pass, by output size, for the Karlo-sized
# cascade in fp16; the weights are not included. Set from a GPU measurement when one is taken
# (bench/gpu.sh: bench/generation.py --device cuda prints peak memory per batch); until then a guess.
DEFAULT_BYTES_PER_IMAGE = {256: 600 * 2**20, 512: 1500 * 2**20, 1024: 1500 * 2**20}


@dataclass
class BatchItem:
    """One job in a batch. ``image``/``mask`` as for `Generator.vary`/`edit`; ``key`` is the worker's
    own handle (e.g. the job id), echoed in the result."""

    kind: str
    prompt: str = ""
    image: Any = None
    mask: Any = None
    n: int = 1
    size: int | str = 256
    seed: int | None = None
    steps: int | None = None
    guidance: float | None = None
    progress: ProgressCallback | None = None
    key: Any = None
    options: dict = field(default_factory=dict)  # restyle: from_prompt, amount


@dataclass
class BatchResult:
    """What one item got: ``images`` on success, else ``error`` (Cancelled, InvalidRequest, ...)."""

    item: BatchItem
    images: list | None = None
    error: BaseException | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def images_that_fit(size: int, budget_bytes: int, bytes_per_image: dict[int, int] | None = None) -> int:
    """Return how many images of ``size`` fit ``budget_bytes`` of working memory (at least 1)."""
    per_image = (bytes_per_image or DEFAULT_BYTES_PER_IMAGE)[int(size)]
    return max(1, budget_bytes // per_image)


def batch_key(item: BatchItem) -> tuple:
    """Return what items must share to run in one pass: kind, output size, steps and guidance
    (one scheduler and one guidance scale per pass)."""
    from .inputs import check_size  # cheap: no torch

    return item.kind, check_size(item.size), item.steps, item.guidance


def group_compatible(items: Iterable[BatchItem], *, max_images: int) -> list[list[BatchItem]]:
    """Group queued items into batches of the same kind and size, in queue order, each holding at
    most ``max_images`` images (an item is never split; one larger than the cap runs alone).
    Restyles are never grouped (they run item by item)."""
    groups: list[list[BatchItem]] = []
    open_groups: dict[tuple, list[BatchItem]] = {}
    for item in items:
        key = batch_key(item)
        current = open_groups.get(key)
        if item.kind == "restyle" or current is None or sum(i.n for i in current) + item.n > max_images:
            current = [item]
            groups.append(current)
            open_groups[key] = current
        else:
            current.append(item)
    return groups


def check_compatible(items: Sequence[BatchItem]) -> None:
    """Raise ValueError unless every item shares kind and size (mixed batches are refused)."""
    keys = {batch_key(item) for item in items}
    if len(keys) > 1:
        raise ValueError(f"a batch must share kind and size, got {sorted(keys)}; use group_compatible()")
    for item in items:
        if item.kind not in KINDS:
            raise ValueError(f"unknown kind {item.kind!r}")
