"""Image helpers shared by the moderation tests."""

import io

import numpy as np
from PIL import Image
from skimage import data as skdata


def sample(name: str) -> Image.Image:
    arr = getattr(skdata, name)()
    if arr.ndim == 2:
        arr = np.stack([arr] * 3, axis=-1)
    return Image.fromarray(arr[:, :, :3].astype(np.uint8))


def png_bytes(img: Image.Image) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue()
