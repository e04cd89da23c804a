"""Validate and decode job parameters; every rejection is an `InvalidRequest` naming its parameter.

Limits follow OpenAI's Images API for DALL-E 2 so that the platform's ``/v1/images/*`` endpoints
behave like the real ones: prompts up to 1000 characters, ``n`` in 1..10, square sizes 256, 512,
1024, and edit masks whose fully transparent pixels mark the area to regenerate.
"""

from __future__ import annotations

import io
from typing import BinaryIO, Union

import numpy as np
from PIL import Image, UnidentifiedImageError

from .errors import InvalidRequest

MAX_PROMPT_CHARS = 1000
MAX_N = 10
SIZES = (256, 512, 1024)
# unCLIP's scheduler spaces its timesteps by (1000 - 1) / (steps - 1): one step is undefined.
MIN_STEPS = 2
MAX_STEPS = 1000
# Decoding is done before any size check, so cap the pixel count to refuse decompression bombs
# early (a 4096x4096 upload is already 16x what the largest output needs).
MAX_INPUT_PIXELS = 4096 * 4096

ImageInput = Union[Image.Image, bytes, bytearray, BinaryIO]


def check_prompt(prompt: object, *, param: str = "prompt") -> str:
    """Return the prompt stripped of surrounding whitespace, or raise if empty or too long."""
    if not isinstance(prompt, str):
        raise InvalidRequest("prompt must be a string", param=param)
    text = prompt.strip()
    if not text:
        raise InvalidRequest("prompt must not be empty", param=param)
    if len(text) > MAX_PROMPT_CHARS:
        raise InvalidRequest(
            f"prompt is {len(text)} characters long; the maximum is {MAX_PROMPT_CHARS}", param=param
        )
    return text


def check_n(n: object) -> int:
    """Return ``n`` if it is an integer in 1..10."""
    # bool is an int subclass; True as "one image" would hide a caller bug.
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or not 1 <= n <= MAX_N:
        raise InvalidRequest(f"n must be an integer from 1 to {MAX_N}, got {n!r}", param="n")
    return int(n)


def check_size(size: object) -> int:
    """Return the edge length for ``256``, ``512``, ``1024`` or OpenAI's ``"1024x1024"`` spelling."""
    edge: object = size
    if isinstance(size, str):
        width, sep, height = size.lower().partition("x")
        edge = int(width) if sep and width == height and width.isdigit() else size
    if isinstance(edge, bool) or not isinstance(edge, (int, np.integer)) or edge not in SIZES:
        allowed = ", ".join(f"{s}x{s}" for s in SIZES)
        raise InvalidRequest(f"size must be one of {allowed}, got {size!r}", param="size")
    return int(edge)


def check_seed(seed: object) -> int | None:
    """Return the seed if it is None or an integer in [0, 2**63)."""
    if seed is None:
        return None
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or not 0 <= seed < 2**63:
        raise InvalidRequest(f"seed must be an integer in [0, 2**63), got {seed!r}", param="seed")
    return int(seed)


def check_steps(steps: object) -> int | None:
    """Return the step override if it is None or an integer in 2..1000."""
    if steps is None:
        return None
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or not MIN_STEPS <= steps <= MAX_STEPS:
        raise InvalidRequest(
            f"steps must be an integer from {MIN_STEPS} to {MAX_STEPS}, got {steps!r}", param="steps"
        )
    return int(steps)


def check_guidance(guidance: object) -> float | None:
    """Return the guidance scale if it is None or a number in [1, 50]."""
    if guidance is None:
        return None
    if isinstance(guidance, bool) or not isinstance(guidance, (int, float)) or not 1.0 <= guidance <= 50.0:
        raise InvalidRequest(f"guidance must be a number from 1 to 50, got {guidance!r}", param="guidance")
    return float(guidance)


def open_image(data: object, *, param: str = "image") -> Image.Image:
    """Decode a PIL image, bytes or a binary file object into a fully loaded PIL image.

    Raises:
        InvalidRequest: the data is not a decodable image, or is absurdly large.
    """
    if isinstance(data, Image.Image):
        image = data
    else:
        if isinstance(data, (bytes, bytearray, memoryview)):
            stream: BinaryIO = io.BytesIO(bytes(data))
        elif hasattr(data, "read"):
            stream = data  # type: ignore[assignment]
        else:
            raise InvalidRequest(
                f"{param} must be a PIL image, bytes or a binary file, got {type(data).__name__}", param=param
            )
        try:
            image = Image.open(stream)
            if image.width * image.height > MAX_INPUT_PIXELS:
                raise InvalidRequest(
                    f"{param} is {image.width}x{image.height}; at most {MAX_INPUT_PIXELS} pixels are accepted",
                    param=param,
                )
            image.load()
        except InvalidRequest:
            raise
        except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError) as exc:
            raise InvalidRequest(f"{param} could not be decoded as an image: {exc}", param=param) from exc
    if image.width < 1 or image.height < 1:
        raise InvalidRequest(f"{param} is empty", param=param)
    return image


def has_alpha(image: Image.Image) -> bool:
    """Return True if the image carries transparency (an alpha channel or a transparent palette entry)."""
    return image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info) or (
        image.mode in ("RGB", "L") and "transparency" in image.info
    )


def regenerate_mask(image: Image.Image, mask: Image.Image | None) -> np.ndarray:
    """Return the area to regenerate as a bool array (H, W): the mask's fully transparent pixels.

    Args:
        image: The decoded edit image (its alpha is the mask when ``mask`` is None).
        mask: The decoded mask image, or None.

    Raises:
        InvalidRequest: sizes differ, the mask has no alpha, or nothing in it is transparent.
    """
    param = "image" if mask is None else "mask"
    source = image if mask is None else mask
    if mask is not None and mask.size != image.size:
        raise InvalidRequest(
            f"mask is {mask.width}x{mask.height} but image is {image.width}x{image.height}; they must match",
            param="mask",
        )
    if not has_alpha(source):
        what = "image has no alpha channel; pass a mask" if mask is None else "mask has no alpha channel"
        raise InvalidRequest(
            f"{what} (fully transparent pixels mark the area to edit)", param=param, code="missing_alpha"
        )
    alpha = np.asarray(source.convert("RGBA"))[..., 3]
    area = alpha == 0
    if not area.any():
        raise InvalidRequest(
            f"{param} has no fully transparent pixels, so there is nothing to edit", param=param, code="empty_mask"
        )
    return area


def check_area(area: np.ndarray, image: Image.Image) -> np.ndarray:
    """Return a regeneration area given as a bool (H, W) array, or raise if it fits no edit of ``image``."""
    if area.dtype != bool or area.shape != (image.height, image.width):
        raise InvalidRequest(
            f"mask must be a bool array of shape {(image.height, image.width)}, got {area.dtype} {area.shape}",
            param="mask",
        )
    if not area.any():
        raise InvalidRequest("mask marks nothing to regenerate", param="mask", code="empty_mask")
    return area


def square_rgb(image: Image.Image, *, param: str = "image") -> Image.Image:
    """Return the image as RGB, refusing non-square ones (edits keep pixel positions, so no cropping)."""
    if image.width != image.height:
        raise InvalidRequest(f"{param} must be square, got {image.width}x{image.height}", param=param)
    return image.convert("RGB")
