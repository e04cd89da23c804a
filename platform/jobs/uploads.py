"""Checks on uploaded images, in the request path, before anything is queued."""
from __future__ import annotations

import io
import warnings

from django.conf import settings
from PIL import Image, UnidentifiedImageError

from .errors import ApiError

MAX_PIXELS = 4096 * 4096  # anything larger is a decompression bomb for a 4 MB upload


def read_image(upload, *, param: str) -> tuple[bytes, Image.Image]:
    """Return the upload's bytes and decoded image, or raise a 400 naming ``param``."""
    data = upload.read()
    if not data:
        raise ApiError(f"{param}: the file is empty.", param=param, code="invalid_image")
    limit = settings.HALLMARK["MAX_UPLOAD_BYTES"]
    if len(data) > limit:
        raise ApiError(f"{param}: images must be smaller than {limit // (1024 * 1024)} MB.", param=param, code="image_too_large")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            if image.width * image.height > MAX_PIXELS:
                raise ApiError(f"{param}: {image.width}x{image.height} pixels is too large.", param=param, code="image_too_large")
            image.load()
    except ApiError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ApiError(f"{param}: the image decompresses to too many pixels.", param=param, code="image_too_large")
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        raise ApiError(f"{param}: not a readable PNG, JPEG or WebP image.", param=param, code="invalid_image_format")
    if image.format not in ("PNG", "JPEG", "WEBP"):
        raise ApiError(f"{param}: must be a PNG, JPEG or WebP image, not {image.format}.", param=param, code="invalid_image_format")
    if image.width != image.height:
        raise ApiError(f"{param}: images must be square ({image.width}x{image.height} is not).", param=param, code="invalid_image_size")
    return data, image


def check_edit_pair(image: Image.Image, mask: Image.Image | None) -> None:
    """Raise a 400 unless the edit has a region to fill."""
    source = mask if mask is not None else image
    param = "mask" if mask is not None else "image"
    if mask is not None and mask.size != image.size:
        raise ApiError(f"mask: its size {mask.width}x{mask.height} differs from the image's {image.width}x{image.height}.",
                       param="mask", code="invalid_mask")
    if "A" not in source.getbands() and source.mode != "P":
        raise ApiError(f"{param}: needs an alpha channel whose fully transparent pixels mark the area to edit.",
                       param=param, code="invalid_mask")
    alpha = source.convert("RGBA").getchannel("A")
    if alpha.getextrema()[0] != 0:
        raise ApiError(f"{param}: has no fully transparent pixels, so there is nothing to edit.", param=param, code="invalid_mask")


def check_pixels(upload, *, limit: int, param: str) -> None:
    """Raise a 400 if the image header declares more than ``limit`` pixels; decode nothing.

    PIL reads only the header here, so a small file that would decompress to gigabytes
    (a solid-colour 6300x6300 PNG is 131 KB) is refused for the cost of a few bytes.
    Data PIL cannot identify is left to the caller's own checks."""
    upload.seek(0)
    try:
        with Image.open(upload) as image:
            width, height = image.size
    except Image.DecompressionBombError:  # PIL's own cap, far above ours: refuse too
        width, height = limit + 1, 1
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        width = height = 0
    finally:
        upload.seek(0)
    if width * height > limit:
        raise ApiError(f"{param}: {width}x{height} pixels is more than this endpoint reads ({limit} pixels).",
                       param=param, code="image_too_large")
