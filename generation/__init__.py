"""Hallmark's image generation library: DALL-E 2's generations, variations and edits on unCLIP.

Plain Python on diffusers + transformers + torch (no web framework). Load once per process::

    from generation import Generator
    gen = Generator.from_pretrained()            # kakaobrain/karlo-v1-alpha + x4 upscaler
    images = gen.generate("a corgi astronaut", n=4, size=1024, seed=7)

See docs/generation.md.
"""

from .errors import Cancelled, GenerationError, InvalidRequest, ModelLoadError
from .generator import Generator, StepDefaults
from .loading import DEFAULT_IMAGE_ENCODER_SOURCE, DEFAULT_SOURCE, DEFAULT_UPSCALER_SOURCE
from .progress import DECODER, IMAGE_ENCODER, PRIOR, SUPER_RESOLUTION, UPSCALE_1024, ProgressCallback

__all__ = [
    "Cancelled",
    "DECODER",
    "DEFAULT_IMAGE_ENCODER_SOURCE",
    "DEFAULT_SOURCE",
    "DEFAULT_UPSCALER_SOURCE",
    "GenerationError",
    "Generator",
    "IMAGE_ENCODER",
    "InvalidRequest",
    "ModelLoadError",
    "PRIOR",
    "ProgressCallback",
    "SUPER_RESOLUTION",
    "StepDefaults",
    "UPSCALE_1024",
]
