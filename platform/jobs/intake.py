"""One intake for every uploaded picture: refuse early, normalise once, hand back canonical pixels.

The gates, the generator, the output composite, the C2PA parent and the review pages all read
what this module returns (stored once on the job), so they judge and use the same pixels. It is
pure pixel code: no Django, no HTTP; callers pass the limits and map `UploadRejected` to their edge.

Canonical form: 8-bit sRGB ``RGB``, EXIF orientation applied, the first frame of an animated PNG
or WebP or a multi-picture JPEG (MPO), and -- for edits -- the regeneration mask: the pixels whose
alpha is exactly 0 (OpenAI's convention). Alpha between 1 and 254 hides nothing: the RGB under it
is kept as it is, which is what the generator keeps and what the gates judge.
"""
from __future__ import annotations

import hashlib
import io
import struct
import warnings
from dataclasses import dataclass, field
from typing import Any, BinaryIO

import numpy as np
from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

from hallmark.errors import DomainError

FORMATS = ("PNG", "JPEG", "WEBP")
# Pillow also opens MPO (a JPEG with more pictures) when JPEG is allowed; it is a JPEG.
_OPENED_FORMATS = {"PNG", "JPEG", "WEBP", "MPO"}
DEFAULT_MAX_PIXELS = 4096 * 4096
_SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))
_ALPHA_MODES = {"RGBA", "LA", "PA", "RGBa", "La"}
_SIXTEEN_BIT = {"I;16", "I;16L", "I;16B", "I;16N", "I"}


class UploadRejected(DomainError):
    """The upload cannot be brought to canonical form; nothing about it was judged."""

    kind = "invalid"


@dataclass(frozen=True)
class Canonical:
    """An upload in canonical form.

    Attributes:
        image: The 8-bit sRGB RGB picture every later reader uses.
        png: ``image`` encoded as PNG (what the job stores).
        sha256: `pixel_digest` of ``image``.
        mask: For edits, the area to regenerate as a bool (H, W) array; None otherwise.
        mask_png: ``mask`` as an ``L`` PNG (255 = regenerate), or None.
        notes: What the intake did (source format and mode, frames, orientation, profile).
    """

    image: Image.Image
    png: bytes
    sha256: str
    mask: np.ndarray | None = None
    mask_png: bytes | None = None
    notes: dict[str, Any] = field(default_factory=dict)


def pixel_digest(image: Image.Image | np.ndarray) -> str:
    """Return the sha256 of an RGB picture's pixels (with its shape), whatever it was encoded as."""
    array = np.ascontiguousarray(np.asarray(image, dtype=np.uint8))
    return hashlib.sha256(repr(array.shape).encode() + array.tobytes()).hexdigest()


def read_capped(upload: BinaryIO, *, max_bytes: int, param: str = "image", too_large: str = "image_too_large") -> bytes:
    """Return the upload's bytes, reading at most ``max_bytes + 1`` of them.

    A file object that knows its size (Django's uploaded files) is refused without a read.

    Raises:
        UploadRejected: ``invalid_image`` for an empty file, ``too_large`` (the code) past the cap.
    """
    size = getattr(upload, "size", None)
    if isinstance(size, int) and size > max_bytes:
        raise _too_many_bytes(param, max_bytes, too_large)
    data = upload.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise _too_many_bytes(param, max_bytes, too_large)
    if not data:
        raise UploadRejected(f"{param}: the file is empty.", code="invalid_image", param=param)
    return data


def _too_many_bytes(param: str, max_bytes: int, code: str) -> UploadRejected:
    return UploadRejected(f"{param}: images must be at most {max_bytes // (1024 * 1024)} MB.", code=code, param=param)


def decode(data: bytes, *, param: str = "image", max_pixels: int = DEFAULT_MAX_PIXELS) -> tuple[Image.Image, dict]:
    """Decode PNG, JPEG or WebP bytes to an oriented, sRGB ``RGB`` or ``RGBA`` picture.

    Only Pillow's PNG, JPEG and WebP decoders ever see the bytes; the pixel count is checked
    from the header before any pixel is decoded; an animation or MPO gives its first frame.

    Returns:
        The picture (``RGBA`` only where the source had transparency) and notes on what was done.

    Raises:
        UploadRejected: ``invalid_image`` (empty), ``invalid_image_format`` (not one of the
            formats, truncated, corrupt, an unusable mode or colour profile), ``image_too_large``.
    """
    if not data:
        raise UploadRejected(f"{param}: the file is empty.", code="invalid_image", param=param)
    try:
        with warnings.catch_warnings():
            # Pillow's own bomb check warns below 2x its limit; ours runs on the header just below.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            opened = Image.open(io.BytesIO(data), formats=list(FORMATS))
        if opened.format not in _OPENED_FORMATS:  # belt and braces: formats= already refused others
            raise UploadRejected(f"{param}: must be a PNG, JPEG or WebP image.", code="invalid_image_format", param=param)
        width, height = opened.size
        if width < 1 or height < 1:
            raise UploadRejected(f"{param}: the image has no pixels.", code="invalid_image", param=param)
        if width * height > max_pixels:
            raise UploadRejected(f"{param}: {width}x{height} pixels is too large (at most {max_pixels}).",
                                 code="image_too_large", param=param)
        frames = getattr(opened, "n_frames", 1)
        notes: dict[str, Any] = {"format": "JPEG" if opened.format == "MPO" else opened.format,
                                 "container": opened.format, "mode": opened.mode, "size": [width, height],
                                 "frames": frames, "frame_used": 0}
        opened.seek(0)  # the first frame: what a viewer shows first, and what every reader gets
        opened.load()
        icc = opened.info.get("icc_profile")
        oriented = ImageOps.exif_transpose(opened)
        notes["orientation"] = int(opened.getexif().get(0x0112, 1) or 1)
    except UploadRejected:
        raise
    except Image.DecompressionBombError:
        raise UploadRejected(f"{param}: the image decompresses to too many pixels.", code="image_too_large", param=param)
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError, struct.error) as exc:
        raise UploadRejected(f"{param}: not a readable PNG, JPEG or WebP image ({type(exc).__name__}).",
                             code="invalid_image_format", param=param) from None
    picture = to_rgb(oriented, param=param)
    if icc:
        picture, notes["icc_profile"] = _to_srgb(oriented, picture, icc, param=param)
    return picture, notes


def to_rgb(image: Image.Image, *, param: str = "image") -> Image.Image:
    """Return ``image`` as 8-bit ``RGB``, or ``RGBA`` where it carries transparency; every mode by name.

    16-bit and 32-bit integer grey is scaled by the fixed map 65535 -> 255 (clipped), never by the
    brightest pixel, so one hot pixel cannot dim the rest of the picture to black.

    Raises:
        UploadRejected: ``invalid_image_format`` for a mode without a fixed meaning (``F``, ``LAB``...).
    """
    mode = image.mode
    if mode == "RGB":
        return image
    if mode in ("1", "L", "CMYK", "YCbCr"):
        # CMYK without a profile: Pillow's naive CMYK->RGB (a CMYK profile is applied in _to_srgb).
        return image.convert("RGB")
    if mode == "P":
        has_transparency = "transparency" in image.info
        return image.convert("RGBA" if has_transparency else "RGB")
    if mode in _ALPHA_MODES:
        return image.convert("RGBA")
    if mode in _SIXTEEN_BIT:
        array = np.asarray(image, dtype=np.int64)
        grey = ((np.clip(array, 0, 65535) * 255 + 32767) // 65535).astype(np.uint8)
        return Image.fromarray(grey, "L").convert("RGB")
    raise UploadRejected(f"{param}: pixels in mode {mode} have no fixed meaning; send 8- or 16-bit PNG, JPEG or WebP.",
                         code="invalid_image_format", param=param)


def _to_srgb(source_image: Image.Image, picture: Image.Image, icc: bytes, *, param: str) -> tuple[Image.Image, str]:
    """Convert through the embedded colour profile to sRGB, keeping any alpha as it is.

    Returns the picture and what was done with the profile."""
    try:
        profile = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        space = profile.profile.xcolor_space.strip()
        if space == "CMYK" and source_image.mode == "CMYK":
            converted = ImageCms.profileToProfile(source_image, profile, _SRGB, outputMode="RGB",
                                                  renderingIntent=ImageCms.Intent.PERCEPTUAL)
            return converted, "CMYK profile converted to sRGB"
        if space != "RGB":
            # A grey profile's tone curve is close to sRGB's; nothing else fits our RGB pixels.
            return picture, f"{space} profile ignored"
        alpha = picture.getchannel("A") if picture.mode == "RGBA" else None
        converted = ImageCms.profileToProfile(picture.convert("RGB"), profile, _SRGB, outputMode="RGB",
                                              renderingIntent=ImageCms.Intent.PERCEPTUAL)
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError) as exc:
        raise UploadRejected(f"{param}: its colour profile cannot be read ({exc}).", code="invalid_image_format",
                             param=param) from None
    if alpha is not None:
        converted.putalpha(alpha)
    return converted, "RGB profile converted to sRGB"


def encode_png(image: Image.Image) -> bytes:
    """Return ``image`` as PNG bytes with no metadata (fast, lossless)."""
    out = io.BytesIO()
    image.save(out, format="PNG", compress_level=1)
    return out.getvalue()


def intake(image: bytes, *, mask: bytes | None = None, edit: bool = False,
           max_pixels: int = DEFAULT_MAX_PIXELS) -> Canonical:
    """Bring an upload (and for an edit, its optional mask) to canonical form.

    Args:
        image: The encoded upload (already read with `read_capped`).
        mask: For an edit, a separate mask whose alpha-0 pixels mark the area to regenerate;
            None: the image's own alpha is the mask.
        edit: Whether a regeneration mask is required.
        max_pixels: The pixel cap checked from each header.

    Returns:
        The `Canonical` picture. Costs a decode, an RGB copy and a PNG encode of the image.

    Raises:
        UploadRejected: see `decode`; ``invalid_image_size`` for a non-square picture,
            ``invalid_mask`` for an edit with nothing transparent or a mask of another size.
    """
    picture, notes = decode(image, param="image", max_pixels=max_pixels)
    if picture.width != picture.height:
        raise UploadRejected(f"image: images must be square ({picture.width}x{picture.height} is not).",
                             code="invalid_image_size", param="image")
    area = None
    if edit:
        if mask is not None:
            mask_picture, mask_notes = decode(mask, param="mask", max_pixels=max_pixels)
            notes["mask"] = mask_notes
            if mask_picture.size != picture.size:
                raise UploadRejected(f"mask: its size {mask_picture.width}x{mask_picture.height} differs from the "
                                     f"image's {picture.width}x{picture.height}.", code="invalid_mask", param="mask")
            area = _transparent(mask_picture, param="mask")
        else:
            area = _transparent(picture, param="image")
    rgb = picture.convert("RGB")  # drops alpha, keeps the RGB under it bit for bit
    return Canonical(image=rgb, png=encode_png(rgb), sha256=pixel_digest(rgb), mask=area,
                     mask_png=None if area is None else encode_png(mask_image(area)), notes=notes)


def _transparent(picture: Image.Image, *, param: str) -> np.ndarray:
    if picture.mode != "RGBA":
        raise UploadRejected(f"{param}: needs an alpha channel whose fully transparent pixels mark the area to edit.",
                             code="invalid_mask", param=param)
    area = np.asarray(picture.getchannel("A")) == 0
    if not area.any():
        raise UploadRejected(f"{param}: has no fully transparent pixels, so there is nothing to edit.",
                             code="invalid_mask", param=param)
    return area


def mask_image(area: np.ndarray) -> Image.Image:
    """Return the regeneration area as an ``L`` picture: 255 where the generator paints."""
    return Image.fromarray(area.astype(np.uint8) * 255, "L")


def load_canonical(png: bytes) -> Image.Image:
    """Return a stored canonical PNG's RGB picture (written by `intake`, so PNG and RGB only)."""
    picture = Image.open(io.BytesIO(png), formats=["PNG"])
    picture.load()
    if picture.mode != "RGB":
        raise ValueError(f"stored canonical picture is {picture.mode}, not RGB")
    return picture


def load_mask(png: bytes) -> np.ndarray:
    """Return a stored mask PNG as the bool regeneration area."""
    picture = Image.open(io.BytesIO(png), formats=["PNG"])
    return np.asarray(picture.convert("L")) > 127
