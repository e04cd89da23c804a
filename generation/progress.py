"""Progress reporting and cancellation for one job."""

from __future__ import annotations

from typing import Callable, Optional

from .errors import Cancelled

# progress(stage, step, total) -> None | bool; returning False (or raising Cancelled) cancels.
ProgressCallback = Callable[[str, int, int], Optional[bool]]

# Stage names the callback sees, in the order a job runs them.
PRIOR = "prior"
IMAGE_ENCODER = "image_encoder"
DECODER = "decoder"
SUPER_RESOLUTION = "super_resolution"
UPSCALE_1024 = "upscale_1024"
# Restyles only: DDIM inversion of the decoder, between image_encoder and decoder.
INVERSION = "inversion"


class Progress:
    """Forward per-step progress to a callback and turn its cancel signal into `Cancelled`.

    Each stage reports ``(stage, 0, total)`` when it starts and ``(stage, i, total)`` after step
    ``i``, so steps are monotonic and end at ``total``. Checking happens between denoising steps:
    a cancel takes effect within one step of the running stage.
    """

    def __init__(self, callback: ProgressCallback | None) -> None:
        self._callback = callback

    def __call__(self, stage: str, step: int, total: int) -> None:
        """Report a step; raise `Cancelled` if the callback asks to stop."""
        if self._callback is None:
            return
        # A callback raising Cancelled propagates untouched; any other exception is its own bug
        # and propagates too, since swallowing it would hide a broken worker.
        if self._callback(stage, step, total) is False:
            raise Cancelled(f"cancelled during {stage} at step {step}/{total}")

    def steps(self, stage: str, total: int):
        """Yield 0..total-1 for a stage's loop, reporting the start and each finished step."""
        self(stage, 0, total)
        for i in range(total):
            yield i
            self(stage, i + 1, total)
