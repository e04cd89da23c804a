"""The image transformations the watermark is specified to survive (used by tests and the benchmark)."""

from __future__ import annotations

import io
import random
from collections.abc import Callable

import numpy as np
from PIL import Image

__all__ = ["ATTACKS", "RESIZE_SCALES", "STRETCH", "resave_png", "jpeg", "webp", "resize", "resize_to_width",
           "screenshot", "brightness", "contrast", "random_crop", "rotate", "centre_crop", "half_size"]

Attack = Callable[[Image.Image], Image.Image]
RESIZE_SCALES = (0.3, 0.4, 0.6, 0.75, 0.8, 0.9, 1.1, 1.25, 1.5, 2.0)


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


def webp(image: Image.Image, quality: int = 75) -> Image.Image:
    """Return the image after a lossy WebP round trip at ``quality``."""
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, "WEBP", quality=quality)
    return Image.open(io.BytesIO(buffer.getvalue())).convert("RGB")


def resize(scale: float, resample: Image.Resampling = Image.Resampling.BICUBIC) -> Attack:
    """Return an attack that resizes both sides by ``scale`` (PIL's default bicubic, antialiased)."""

    def attack(image: Image.Image) -> Image.Image:
        return image.convert("RGB").resize((max(1, round(image.width * scale)), max(1, round(image.height * scale))),
                                           resample)

    return attack


def resize_to_width(width: int) -> Attack:
    """Return an attack that resizes to ``width`` pixels wide, keeping the aspect ratio (a feed's rule)."""

    def attack(image: Image.Image) -> Image.Image:
        return image.convert("RGB").resize((width, max(1, round(image.height * width / image.width))),
                                           Image.Resampling.BICUBIC)

    return attack


def screenshot(scale: float, quality: int | None) -> Attack:
    """Return a screenshot-like attack: bilinear rescale by ``scale``, then JPEG at ``quality`` (or PNG)."""
    scaled = resize(scale, Image.Resampling.BILINEAR)
    return lambda image: jpeg(scaled(image), quality) if quality else resave_png(scaled(image))


def half_size(image: Image.Image) -> Image.Image:
    """Return the image resized to half its width and height (Lanczos)."""
    return resize(0.5, Image.Resampling.LANCZOS)(image)


def brightness(factor: float) -> Attack:
    """Return an attack that multiplies every channel by ``factor`` (clipped to 0..255)."""

    def attack(image: Image.Image) -> Image.Image:
        pixels = np.asarray(image.convert("RGB"), dtype=np.float64) * factor
        return Image.fromarray(np.clip(np.rint(pixels), 0, 255).astype(np.uint8))

    return attack


def contrast(factor: float) -> Attack:
    """Return an attack that scales every channel's distance from mid-grey (128) by ``factor``."""

    def attack(image: Image.Image) -> Image.Image:
        pixels = (np.asarray(image.convert("RGB"), dtype=np.float64) - 128.0) * factor + 128.0
        return Image.fromarray(np.clip(np.rint(pixels), 0, 255).astype(np.uint8))

    return attack


def random_crop(area: float = 0.8, seed: int | None = None) -> Attack:
    """Return an attack that keeps ``area`` of the image (each side times its square root) at a random offset."""
    rng = random.Random(seed)

    def attack(image: Image.Image) -> Image.Image:
        w, h = image.size
        cw, ch = round(w * area**0.5), round(h * area**0.5)
        x, y = rng.randint(0, w - cw), rng.randint(0, h - ch)
        return image.crop((x, y, x + cw, y + ch))

    return attack


def centre_crop(image: Image.Image, keep: float = 0.9) -> Image.Image:
    """Return the centred crop keeping ``keep`` of each side."""
    w, h = image.size
    cw, ch = round(w * keep), round(h * keep)
    x, y = (w - cw) // 2, (h - ch) // 2
    return image.crop((x, y, x + cw, y + ch))


def rotate(degrees: float) -> Attack:
    """Return an attack that rotates by ``degrees`` (bicubic) and crops away the empty corners."""

    def attack(image: Image.Image) -> Image.Image:
        w, h = image.size
        turned = image.convert("RGB").rotate(degrees, Image.Resampling.BICUBIC)
        m = int(np.ceil(np.tan(np.radians(abs(degrees))) * max(w, h))) + 1
        return turned.crop((m, m, w - m, h - m))

    return attack


ATTACKS: dict[str, Attack] = {
    "png-resave": resave_png,
    **{f"resize-x{s:g}": resize(s) for s in RESIZE_SCALES},
    "width-1080": resize_to_width(1080),
    "width-720": resize_to_width(720),
    "screenshot-x0.8-jpeg70": screenshot(0.8, 70),
    "screenshot-x1.25-png": screenshot(1.25, None),
    "jpeg-50": jpeg,
    "webp-75": webp,
    "brightness+20%": brightness(1.2),
    "brightness-20%": brightness(0.8),
    "contrast+20%": contrast(1.2),
    "contrast-20%": contrast(0.8),
    "crop-80%-area": random_crop(0.8, seed=12),
}
# Beyond the specification: reported, not required.
STRETCH: dict[str, Attack] = {"rotate+1deg": rotate(1.0), "rotate-1deg": rotate(-1.0)}
