"""Hallmark's image generation library: DALL-E 2's generations, variations and edits on unCLIP.

Plain Python on diffusers + transformers + torch (no web framework). Load once per process::

    from generation import Generator
    gen = Generator.from_pretrained()            # kakaobrain/karlo-v1-alpha + x4 upscaler
    images = gen.generate("a corgi astronaut", n=4, size=1024, seed=7)

Importing the package is cheap: torch and diffusers load only when `Generator` is first touched,
so a web process can import the error types and defaults without them. See docs/generation.md.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .defaults import DEFAULT_IMAGE_ENCODER_SOURCE, DEFAULT_SOURCE, DEFAULT_UPSCALER_SOURCE, StepDefaults
from .batching import BatchItem, BatchResult, group_compatible, images_that_fit
from .errors import Cancelled, GenerationError, InvalidRequest, ModelLoadError
from .progress import DECODER, IMAGE_ENCODER, PRIOR, SUPER_RESOLUTION, UPSCALE_1024, ProgressCallback
from .progress import INVERSION

if TYPE_CHECKING:
    from .generator import Generator

__all__ = [
    "BatchItem",
    "BatchResult",
    "group_compatible",
    "images_that_fit",
    "Cancelled",
    "DECODER",
    "DEFAULT_IMAGE_ENCODER_SOURCE",
    "DEFAULT_SOURCE",
    "DEFAULT_UPSCALER_SOURCE",
    "GenerationError",
    "Generator",
    "IMAGE_ENCODER",
    "INVERSION",
    "InvalidRequest",
    "ModelLoadError",
    "PRIOR",
    "ProgressCallback",
    "SUPER_RESOLUTION",
    "StepDefaults",
    "UPSCALE_1024",
]


def __getattr__(name: str) -> Any:
    if name == "Generator":
        from .generator import Generator

        return Generator
    raise AttributeError(f"module 'generation' has no attribute {name!r}")
