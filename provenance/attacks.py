"""The image transformations the watermark is specified to survive (used by tests and the benchmark)."""

from __future__ import annotations

import io
from collections.abc import Callable

import numpy as np
from PIL import Image

__all__ = ["ATTACKS", "resave_png", "jpeg", "half_size", "brightness", "centre_crop"]


def resave_png(image: Image.Image) -> Image.Image:
    """Return the pixels re-encoded as a fresh PNG (drops every metadata chunk, C2PA included)."""
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, "PNG")
    return Image.open(io.BytesIO(buffer.getvalue()))


def jpeg(image: Image.Image, quality: int = 50) -> Image.Image:
    """Return the image after a JPEG round trip at ``quality``."""
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, "JPEG", quality=quality)
    return Image.open(io.BytesIO(buffer.getvalue())).convert("RGB")


def half_size(image: Image.Image) -> Image.Image:
    """Return the image resized to half its width and height (Lanczos)."""
    return image.resize((image.width // 2, image.height // 2), Image.Resampling.LANCZOS)


def brightness(factor: float) -> Callable[[Image.Image], Image.Image]:
    """Return an attack that multiplies every channel by ``factor`` (clipped to 0..255)."""

    def attack(image: Image.Image) -> Image.Image:
        pixels = np.asarray(image.convert("RGB"), dtype=np.float64) * factor
        return Image.fromarray(np.clip(np.rint(pixels), 0, 255).astype(np.uint8))

    return attack


def centre_crop(image: Image.Image, keep: float = 0.9) -> Image.Image:
    """Return the centred crop keeping ``keep`` of each side."""
    w, h = image.size
    cw, ch = round(w * keep), round(h * keep)
    x, y = (w - cw) // 2, (h - ch) // 2
    return image.crop((x, y, x + cw, y + ch))


ATTACKS: dict[str, Callable[[Image.Image], Image.Image]] = {
    "png-resave": resave_png,
    "jpeg-50": jpeg,
    "resize-0.5": half_size,
    "brightness+20%": brightness(1.2),
    "brightness-20%": brightness(0.8),
    "crop-90%": centre_crop,
}
