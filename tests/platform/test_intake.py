"""The intake: every corpus entry comes out as the picture a person sees; bad uploads are refused early."""
from __future__ import annotations

import io
import struct
import tracemalloc
import zlib

import numpy as np
import pytest
from PIL import Image

from jobs import intake
from jobs.intake import UploadRejected
from sample_images import encode, masked, png_bytes, sample_photo
from upload_corpus import CORPUS, HOLE, Entry, by_name, separate_mask, sixteen_bit

MB = 1024 * 1024


@pytest.fixture(scope="module")
def photo() -> Image.Image:
    return sample_photo("astronaut", 256)


def diff(a: Image.Image, b: Image.Image) -> int:
    return int(np.abs(np.asarray(a, dtype=np.int16) - np.asarray(b.convert("RGB"), dtype=np.int16)).max())


def close(a: Image.Image, b: Image.Image, tolerance: float) -> bool:
    """Bit for bit when ``tolerance`` is 0, else within a mean absolute difference (lossy codecs)."""
    if not tolerance:
        return diff(a, b) == 0
    return float(np.abs(np.asarray(a, dtype=np.int16) - np.asarray(b.convert("RGB"), dtype=np.int16)).mean()) <= tolerance


@pytest.mark.parametrize("entry", CORPUS, ids=lambda e: e.name)
def test_each_corpus_entry_comes_out_as_the_picture_a_person_sees(photo, entry: Entry):
    result = intake.intake(entry.build(photo))
    expected = (entry.expected or (lambda p: p))(photo)
    assert result.image.mode == "RGB" and result.image.size == (256, 256)
    assert close(result.image, expected, entry.tolerance)
    assert result.sha256 == intake.pixel_digest(result.image)
    # The stored PNG decodes to the very same pixels: nothing drifts between gate and generator.
    assert intake.pixel_digest(intake.load_canonical(result.png)) == result.sha256


@pytest.mark.parametrize("entry", [e for e in CORPUS if e.has_hole], ids=lambda e: e.name)
def test_an_edit_mask_is_exactly_the_fully_transparent_pixels(photo, entry: Entry):
    result = intake.intake(entry.build(photo), edit=True)
    want = np.zeros((256, 256), bool)
    want[HOLE[1]:HOLE[3], HOLE[0]:HOLE[2]] = True
    assert (result.mask == want).all()
    assert (intake.load_mask(result.mask_png) == want).all()


@pytest.mark.parametrize("level", [1, 128, 254])
def test_partial_alpha_hides_nothing_the_rgb_under_it_is_kept(photo, level):
    result = intake.intake(by_name(f"mode-RGBA-alpha-{level}").build(photo), edit=True)
    assert diff(result.image, photo) == 0  # not composited onto white, not darkened


def test_sixteen_bit_uses_a_fixed_scale_not_the_brightest_pixel(photo):
    # A face stored at 0..255 in 16-bit is nearly black for everyone (gate and generator alike);
    # before, the gate divided by the hot pixel while the generator clipped: two pictures.
    dark = intake.intake(sixteen_bit(photo, scale=1)).image
    array = np.asarray(dark)
    assert array[0, 0].tolist() == [255, 255, 255]
    assert array[1:].max() <= 1


def test_mode_I_is_scaled_like_16_bit_and_F_is_refused(photo):
    values = np.asarray(photo.convert("L"), dtype=np.int32) * 257
    assert diff(intake.to_rgb(Image.fromarray(values, "I")), photo.convert("L")) == 0
    with pytest.raises(UploadRejected) as err:
        intake.to_rgb(Image.fromarray(values.astype(np.float32), "F"))
    assert err.value.code == "invalid_image_format"


def test_every_named_mode_converts_in_memory(photo):
    for mode in ("1", "L", "LA", "P", "RGB", "RGBA", "CMYK", "YCbCr", "I;16", "I"):
        image = photo.convert(mode) if mode not in ("I;16",) else Image.fromarray(
            np.asarray(photo.convert("L"), dtype=np.uint16) * 257, "I;16")
        out = intake.to_rgb(image)
        assert out.mode in ("RGB", "RGBA"), mode


def test_animations_and_mpo_give_their_first_frame_and_say_so(photo):
    for name in ("apng-first-frame", "animated-webp-first-frame", "mpo-first-frame"):
        notes = intake.intake(by_name(name).build(photo)).notes
        assert notes["frames"] == 2 and notes["frame_used"] == 0, name
    assert intake.intake(by_name("mpo-first-frame").build(photo)).notes["format"] == "JPEG"


def test_exif_orientation_and_icc_profile_are_recorded(photo):
    assert intake.intake(by_name("exif-rotated-jpeg").build(photo)).notes["orientation"] == 6
    result = intake.intake(by_name("icc-wide-gamut-png").build(photo))
    assert result.notes["icc_profile"] == "RGB profile converted to sRGB"
    assert diff(result.image, photo) > 5  # the profile really changed the pixels


def test_a_separate_mask_marks_the_area_and_must_match_the_size(photo):
    result = intake.intake(png_bytes(photo), mask=separate_mask(), edit=True)
    assert result.mask.sum() == (HOLE[2] - HOLE[0]) * (HOLE[3] - HOLE[1])
    with pytest.raises(UploadRejected) as err:
        intake.intake(png_bytes(photo), mask=separate_mask(128), edit=True)
    assert (err.value.code, err.value.param) == ("invalid_mask", "mask")


def _png_header_only(width: int, height: int, bit_depth: int = 1, colour: int = 0) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    ihdr = struct.pack(">IIBBBBB", width, height, bit_depth, colour, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 1000)) + chunk(b"IEND", b"")


def _svg() -> bytes:
    return b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="64" height="64"><rect/></svg>'


BAD = {
    "zero-bytes": (lambda: b"", "invalid_image"),
    "text-named-png": (lambda: b"this is a text file, not a PNG\n" * 10, "invalid_image_format"),
    "svg": (_svg, "invalid_image_format"),
    "gif": (lambda: encode(Image.new("RGB", (64, 64)), "GIF"), "invalid_image_format"),
    "bmp": (lambda: encode(Image.new("RGB", (64, 64)), "BMP"), "invalid_image_format"),
    "tiff": (lambda: encode(Image.new("RGB", (64, 64)), "TIFF"), "invalid_image_format"),
    "truncated-png": (lambda: png_bytes(sample_photo("coffee", 256))[:5000], "invalid_image_format"),
    "truncated-jpeg": (lambda: encode(sample_photo("coffee", 256), "JPEG")[:3000], "invalid_image_format"),
    "bomb-30000-1bit": (lambda: _png_header_only(30000, 30000), "image_too_large"),
    "non-square": (lambda: png_bytes(masked(Image.new("RGB", (300, 200), "white"))), "invalid_image_size"),
}


@pytest.mark.parametrize("name", list(BAD))
def test_bad_uploads_are_refused_with_a_code(name):
    build, code = BAD[name]
    with pytest.raises(UploadRejected) as err:
        intake.intake(build(), edit=True)
    assert err.value.code == code and err.value.param == "image" and err.value.message


def test_a_real_30000_square_1_bit_bomb_is_refused_from_its_header():
    out = io.BytesIO()
    Image.new("1", (30000, 30000)).save(out, format="PNG")
    tracemalloc.start()
    with pytest.raises(UploadRejected) as err:
        intake.intake(out.getvalue())
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert err.value.code == "image_too_large"
    assert peak < 5 * MB  # 900 megapixels were never decoded


def test_an_edit_with_nothing_transparent_is_refused(photo):
    with pytest.raises(UploadRejected) as err:
        intake.intake(png_bytes(photo), edit=True)
    assert err.value.code == "invalid_mask"
    with pytest.raises(UploadRejected) as err:
        intake.intake(png_bytes(photo.convert("RGBA")), edit=True)
    assert err.value.code == "invalid_mask"


def test_a_file_over_the_byte_cap_is_refused_without_reading_it_whole(tmp_path):
    big = tmp_path / "big.png"
    with open(big, "wb") as fh:
        fh.write(png_bytes(Image.new("RGB", (8, 8))))
        fh.seek(200 * MB)
        fh.write(b"\0")
    tracemalloc.start()
    with open(big, "rb") as fh, pytest.raises(UploadRejected) as err:
        intake.read_capped(fh, max_bytes=4 * MB)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert err.value.code == "image_too_large"
    assert peak < 4 * MB + 1 * MB  # at most the cap (+1 byte) was read, not 200 MB


def test_a_file_that_knows_its_size_is_refused_without_a_read():
    class Sized(io.BytesIO):
        size = 10 * MB

        def read(self, *args):  # pragma: no cover - must not run
            raise AssertionError("read")

    with pytest.raises(UploadRejected) as err:
        intake.read_capped(Sized(), max_bytes=4 * MB)
    assert err.value.code == "image_too_large"


def test_an_empty_file_object_is_invalid_image():
    with pytest.raises(UploadRejected) as err:
        intake.read_capped(io.BytesIO(b""), max_bytes=4 * MB)
    assert err.value.code == "invalid_image"
