"""Test pictures: square crops of scikit-image's bundled photos, and their encodings."""
from __future__ import annotations

import io

import numpy as np
from PIL import Image


def encode(image: Image.Image, fmt: str = "PNG", **options) -> bytes:
    out = io.BytesIO()
    image.save(out, format=fmt, **options)
    return out.getvalue()


def png_bytes(image: Image.Image) -> bytes:
    return encode(image, "PNG")


def sample_photo(name: str, size: int = 256) -> Image.Image:
    """A square crop of one of scikit-image's sample photos (shipped in its wheel)."""
    from skimage import data

    array = getattr(data, name)()
    if array.ndim == 2:
        array = np.stack([array] * 3, axis=-1)
    h, w = array.shape[:2]
    side = min(h, w)
    top, left = (h - side) // 2, (w - side) // 2
    return Image.fromarray(array[top:top + side, left:left + side, :3]).resize((size, size))


def masked(image: Image.Image) -> Image.Image:
    """Return ``image`` with a fully transparent square in its centre (the area to edit)."""
    rgba = image.convert("RGBA")
    alpha = Image.new("L", rgba.size, 255)
    w, h = rgba.size
    alpha.paste(0, (w // 4, h // 4, 3 * w // 4, 3 * h // 4))
    rgba.putalpha(alpha)
    return rgba
