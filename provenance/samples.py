"""Deterministic image sets for measuring the watermark (tests and ``bench/provenance.py``).

Two kinds, both square at a requested side:

* **natural**: crops of scikit-image's bundled sample pictures (photographs,
  micrographs, textures, a telescope field), each crop placed, sized and
  flipped by a seeded generator, then resized;
* **generated**: procedural renders standing in for model output: fractal
  noise landscapes, soft-shaded shapes on gradients, flat-colour poster
  art (the hardest case for an invisible mark) and smooth colour fields.

Never-marked noise images for the false-positive check come from :func:`noise_images`.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

__all__ = ["NATURAL_SOURCES", "natural_images", "generated_images", "noise_images"]

NATURAL_SOURCES = (
    "astronaut", "camera", "coffee", "chelsea", "rocket", "immunohistochemistry", "coins", "moon",
    "hubble_deep_field", "retina", "colorwheel", "logo", "brick", "grass", "gravel", "clock", "cell",
    "page", "text",
)


def _source(name: str) -> Image.Image:
    import skimage.data

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        array = getattr(skimage.data, name)()
    if array.dtype == bool:
        array = array.astype(np.uint8) * 255
    if array.ndim == 3 and array.shape[2] == 4:
        array = array[..., :3]
    return Image.fromarray(array).convert("RGB")


def natural_images(side: int, count: int, *, seed: int = 0) -> Iterator[tuple[str, Image.Image]]:
    """Yield ``count`` (name, image) crops of scikit-image samples at ``side`` x ``side``."""
    rng = np.random.default_rng(seed)
    sources = {name: _source(name) for name in NATURAL_SOURCES}
    for i in range(count):
        name = NATURAL_SOURCES[i % len(NATURAL_SOURCES)]
        src = sources[name]
        w, h = src.size
        crop = int(min(w, h) * (1.0 if i < len(NATURAL_SOURCES) else rng.uniform(0.55, 0.95)))
        x, y = int(rng.integers(0, w - crop + 1)), int(rng.integers(0, h - crop + 1))
        img = src.crop((x, y, x + crop, y + crop)).resize((side, side), Image.Resampling.LANCZOS)
        if rng.random() < 0.5:
            img = img.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
        yield f"{name}-{i}", img


def _fractal(rng: np.random.Generator, side: int, beta: float) -> np.ndarray:
    f = np.fft.fftfreq(side)
    radius = np.hypot(f[:, None], f[None, :])
    radius[0, 0] = 1.0
    spectrum = (rng.normal(size=(side, side)) + 1j * rng.normal(size=(side, side))) / radius**beta
    field = np.real(np.fft.ifft2(spectrum))
    return (field - field.min()) / (np.ptp(field) + 1e-12)


def _render(kind: int, rng: np.random.Generator, side: int) -> Image.Image:
    if kind == 0:  # fractal landscape with a colour ramp
        height = _fractal(rng, side, rng.uniform(1.3, 1.9))
        ramp = np.array([rng.uniform(0, 255, 3) for _ in range(4)])
        idx = height * 3
        lo = np.floor(idx).clip(0, 2).astype(int)
        t = (idx - lo)[..., None]
        return Image.fromarray(((1 - t) * ramp[lo] + t * ramp[lo + 1]).astype(np.uint8))
    if kind == 1:  # soft-shaded shapes on a gradient
        yy, xx = np.mgrid[0:side, 0:side] / side
        a, b = rng.uniform(0, 255, 3), rng.uniform(0, 255, 3)
        base = (a * (1 - yy[..., None]) + b * yy[..., None]) * (0.8 + 0.2 * xx[..., None])
        img = Image.fromarray(base.clip(0, 255).astype(np.uint8))
        draw = ImageDraw.Draw(img)
        for _ in range(int(rng.integers(4, 12))):
            x0, y0 = rng.uniform(0, side, 2)
            r = rng.uniform(side * 0.05, side * 0.25)
            fill = tuple(int(v) for v in rng.uniform(0, 255, 3))
            (draw.ellipse if rng.random() < 0.5 else draw.rectangle)((x0 - r, y0 - r, x0 + r, y0 + r), fill=fill)
        return img.filter(ImageFilter.GaussianBlur(side / 256))
    if kind == 2:  # flat-colour poster art: large uniform areas
        img = Image.new("RGB", (side, side), tuple(int(v) for v in rng.uniform(0, 255, 3)))
        draw = ImageDraw.Draw(img)
        for _ in range(int(rng.integers(3, 8))):
            pts = [tuple(rng.uniform(0, side, 2)) for _ in range(int(rng.integers(3, 7)))]
            draw.polygon(pts, fill=tuple(int(v) for v in rng.uniform(0, 255, 3)))
        return img
    # smooth colour field (a "sky" or bokeh background)
    channels = [_fractal(rng, side, 2.5) for _ in range(3)]
    return Image.fromarray((np.stack(channels, -1) * rng.uniform(120, 255)).clip(0, 255).astype(np.uint8))


def generated_images(side: int, count: int, *, seed: int = 1) -> Iterator[tuple[str, Image.Image]]:
    """Yield ``count`` (name, image) procedural renders at ``side`` x ``side``."""
    rng = np.random.default_rng(seed)
    names = ("fractal", "shapes", "poster", "field")
    for i in range(count):
        yield f"{names[i % 4]}-{i}", _render(i % 4, rng, side)


def noise_images(side: int, count: int, *, seed: int = 2) -> Iterator[tuple[str, Image.Image]]:
    """Yield ``count`` never-marked noise images (uniform, Gaussian, blurred)."""
    rng = np.random.default_rng(seed)
    for i in range(count):
        if i % 3 == 0:
            arr = rng.integers(0, 256, (side, side, 3), dtype=np.uint8)
        elif i % 3 == 1:
            arr = np.clip(rng.normal(128, 40, (side, side, 3)), 0, 255).astype(np.uint8)
        else:
            arr = np.asarray(Image.fromarray(rng.integers(0, 256, (side, side, 3), dtype=np.uint8)).filter(ImageFilter.GaussianBlur(2)))
        yield f"noise-{i}", Image.fromarray(arr)
