"""A corpus of tricky uploads, built from a photo by the tests themselves.

Each entry encodes the same picture some awkward way (every Pillow mode the intake names, alpha
over the picture, palettes with a transparent index, 16-bit with a hot pixel, EXIF rotation,
CMYK, a wide-gamut colour profile, Adam7 interlacing, APNG, MPO). ``expected`` is the RGB the
intake must produce from it: the photo as a person sees it, never the photo composited onto
white or dimmed by its brightest pixel.
"""
from __future__ import annotations

import io
import struct
import zlib
from dataclasses import dataclass
from typing import Callable

import numpy as np
from PIL import Image, ImageCms

from sample_images import encode

HOLE = (64, 64, 128, 128)  # the transparent square every alpha entry carries (on a 256² photo)


@dataclass(frozen=True)
class Entry:
    name: str
    build: Callable[[Image.Image], bytes]
    has_hole: bool = False  # its own alpha marks an area to edit (else the edit sends a mask)
    tolerance: float = 0  # mean |difference| allowed from `expected` (lossy codecs); 0 = bit for bit
    expected: Callable[[Image.Image], Image.Image] | None = None  # default: the photo itself
    keeps_face: bool = True  # the entry still shows the photo's content (1-bit dither may not)


def grey(photo: Image.Image) -> Image.Image:
    return photo.convert("L").convert("RGB")


def with_alpha(photo: Image.Image, level: int) -> Image.Image:
    """The photo with alpha ``level`` everywhere and a fully transparent square."""
    rgba = photo.convert("RGBA")
    alpha = Image.new("L", photo.size, level)
    alpha.paste(0, HOLE)
    rgba.putalpha(alpha)
    return rgba


def palette_with_transparent_index(photo: Image.Image) -> bytes:
    pal = photo.convert("P", palette=Image.Palette.ADAPTIVE, colors=255)
    array = np.asarray(pal).copy()
    array[HOLE[1]:HOLE[3], HOLE[0]:HOLE[2]] = 255  # index 255: unused by the picture, transparent
    out = Image.fromarray(array, "P")
    out.putpalette(pal.getpalette()[: 255 * 3] + [0, 0, 0])
    return encode(out, "PNG", transparency=255)


def sixteen_bit(photo: Image.Image, *, scale: int = 257) -> bytes:
    """A 16-bit grey PNG of the photo (``value * scale``) with one pixel at 65535."""
    array = np.asarray(photo.convert("L"), dtype=np.uint16) * scale
    array[0, 0] = 65535
    return encode(Image.fromarray(array.astype(np.uint16), "I;16"), "PNG")


def exif_rotated(photo: Image.Image) -> bytes:
    """A JPEG stored on its side, with EXIF orientation 6 ("rotate 90° clockwise to view")."""
    exif = Image.Exif()
    exif[0x0112] = 6
    return encode(photo.transpose(Image.Transpose.ROTATE_90), "JPEG", quality=95, exif=exif.tobytes())


def adobe_rgb_profile() -> bytes:
    """A minimal ICC v2 matrix/TRC display profile with Adobe RGB (1998) primaries (wide gamut)."""
    def s15(v: float) -> bytes:
        return struct.pack(">i", round(v * 65536))

    def xyz(x, y, z) -> bytes:
        return b"XYZ " + b"\0" * 4 + s15(x) + s15(y) + s15(z)

    curve = b"curv" + b"\0" * 4 + struct.pack(">I", 1) + struct.pack(">H", int(2.19921875 * 256)) + b"\0\0"
    desc_text = b"Hallmark test wide-gamut RGB\0"
    desc = b"desc" + b"\0" * 4 + struct.pack(">I", len(desc_text)) + desc_text + b"\0" * 12 + b"\0" * 67
    # D50-adapted primaries of Adobe RGB (1998), as in its published profile.
    tags = [(b"desc", desc), (b"wtpt", xyz(0.9642, 1.0, 0.8249)),
            (b"rXYZ", xyz(0.6097, 0.3111, 0.0195)), (b"gXYZ", xyz(0.2053, 0.6257, 0.0609)),
            (b"bXYZ", xyz(0.1492, 0.0632, 0.7446)), (b"rTRC", curve), (b"gTRC", curve), (b"bTRC", curve),
            (b"cprt", b"text" + b"\0" * 4 + b"public domain\0")]
    offset = 128 + 4 + 12 * len(tags)
    table, body = b"", b""
    for sig, data in tags:
        while (offset + len(body)) % 4:
            body += b"\0"
        table += sig + struct.pack(">II", offset + len(body), len(data))
        body += data
    size = offset + len(body)
    header = (struct.pack(">I", size) + b"lcms" + bytes([2, 0x10, 0, 0]) + b"mntr" + b"RGB " + b"XYZ "
              + b"\0" * 12 + b"acsp" + b"\0" * 4 + b"\0" * 4 + b"\0" * 8 + b"\0" * 8 + b"\0" * 4
              + s15(0.9642) + s15(1.0) + s15(0.8249) + b"\0" * 4 + b"\0" * 16 + b"\0" * 28)
    assert len(header) == 128, len(header)
    return header + struct.pack(">I", len(tags)) + table + body


def icc_tagged(photo: Image.Image) -> bytes:
    return encode(photo, "PNG", icc_profile=adobe_rgb_profile())


def icc_expected(photo: Image.Image) -> Image.Image:
    source = ImageCms.ImageCmsProfile(io.BytesIO(adobe_rgb_profile()))
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))
    return ImageCms.profileToProfile(photo, source, srgb, outputMode="RGB", renderingIntent=ImageCms.Intent.PERCEPTUAL)


def interlaced_png(photo: Image.Image) -> bytes:
    """An Adam7-interlaced RGB PNG (Pillow reads them but cannot write them, so written here)."""
    array = np.asarray(photo.convert("RGB"))
    h, w = array.shape[:2]
    passes = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]
    raw = b""
    for x0, y0, dx, dy in passes:
        sub = array[y0::dy, x0::dx]
        if sub.size:
            raw += b"".join(b"\0" + row.tobytes() for row in sub)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    ihdr = struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 1)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


def apng(photo: Image.Image) -> bytes:
    """An animated PNG whose first frame is the photo and second a flat grey."""
    other = Image.new("RGB", photo.size, (128, 128, 128))
    return encode(photo, "PNG", save_all=True, append_images=[other], duration=100, loop=0)


def animated_webp(photo: Image.Image) -> bytes:
    other = Image.new("RGB", photo.size, (128, 128, 128))
    return encode(photo, "WEBP", save_all=True, append_images=[other], duration=100, lossless=True)


def mpo(photo: Image.Image) -> bytes:
    """A multi-picture JPEG (phones' MPO): the photo, then a second picture."""
    other = Image.new("RGB", photo.size, (128, 128, 128))
    return encode(photo, "MPO", save_all=True, append_images=[other], quality=95)


def cmyk_jpeg(photo: Image.Image) -> bytes:
    return encode(photo.convert("CMYK"), "JPEG", quality=95)


def _rgb_of(image_fn: Callable[[Image.Image], Image.Image]) -> Callable[[Image.Image], Image.Image]:
    return lambda photo: image_fn(photo).convert("RGB")


CORPUS: list[Entry] = [
    Entry("rgb-png", lambda p: encode(p, "PNG")),
    Entry("rgb-jpeg", lambda p: encode(p, "JPEG", quality=95), tolerance=3),
    Entry("rgb-webp-lossless", lambda p: encode(p, "WEBP", lossless=True)),
    Entry("mode-1", lambda p: encode(p.convert("1"), "PNG"), expected=_rgb_of(lambda p: p.convert("1")),
          keeps_face=False),
    Entry("mode-L", lambda p: encode(p.convert("L"), "PNG"), expected=grey),
    Entry("mode-LA", lambda p: encode(with_alpha(p, 255).convert("LA"), "PNG"), has_hole=True, expected=grey),
    Entry("mode-P", lambda p: encode(p.convert("P", palette=Image.Palette.ADAPTIVE), "PNG"),
          expected=_rgb_of(lambda p: p.convert("P", palette=Image.Palette.ADAPTIVE))),
    Entry("mode-P-tRNS", palette_with_transparent_index, has_hole=True,
          expected=lambda p: Image.open(io.BytesIO(palette_with_transparent_index(p))).convert("RGB")),
    Entry("mode-RGBA-alpha-1", lambda p: encode(with_alpha(p, 1), "PNG"), has_hole=True),
    Entry("mode-RGBA-alpha-128", lambda p: encode(with_alpha(p, 128), "PNG"), has_hole=True),
    Entry("mode-RGBA-alpha-254", lambda p: encode(with_alpha(p, 254), "PNG"), has_hole=True),
    Entry("mode-RGBA-webp-alpha-1", lambda p: encode(with_alpha(p, 1), "WEBP", lossless=True, exact=True),
          has_hole=True),
    Entry("mode-I16-hot-pixel", sixteen_bit, expected=lambda p: _hot(grey(p))),
    Entry("mode-CMYK-jpeg", cmyk_jpeg, tolerance=4,
          expected=lambda p: p.convert("CMYK").convert("RGB")),
    Entry("mode-YCbCr-jpeg", lambda p: encode(p.convert("YCbCr"), "JPEG", quality=95), tolerance=3),
    Entry("exif-rotated-jpeg", exif_rotated, tolerance=3),
    Entry("icc-wide-gamut-png", icc_tagged, tolerance=1, expected=icc_expected),
    Entry("interlaced-png", interlaced_png),
    Entry("apng-first-frame", apng),
    Entry("animated-webp-first-frame", animated_webp),
    Entry("mpo-first-frame", mpo, tolerance=3),
]


def _hot(picture: Image.Image) -> Image.Image:
    array = np.asarray(picture).copy()
    array[0, 0] = 255
    return Image.fromarray(array)


def by_name(name: str) -> Entry:
    return next(e for e in CORPUS if e.name == name)


def separate_mask(size: int = 256) -> bytes:
    """A mask PNG (RGBA) whose fully transparent square is the area to edit."""
    mask = Image.new("RGBA", (size, size), (0, 0, 0, 255))
    mask.paste((0, 0, 0, 0), HOLE)
    return encode(mask, "PNG")
