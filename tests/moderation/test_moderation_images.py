"""The image gate on real photos, and its refusal of bad input."""

import io
import struct
import zlib

import pytest
from PIL import Image

from moderation import InvalidInput

from moderation_samples import png_bytes, sample


def test_an_edit_of_the_astronaut_photo_is_refused_for_her_face(mod):
    d = mod.check_image(png_bytes(sample("astronaut")), surface="upload", purpose="edit")
    assert d.blocked and d.categories == ("face-edit",)
    assert any(det["label"].startswith("FACE_") and len(det["box"]) == 4 for det in d.detections)


def test_a_variation_of_the_cameraman_photo_is_refused(mod):
    assert mod.check_image(sample("camera"), purpose="variation").blocked


@pytest.mark.parametrize("name", ["coffee", "chelsea", "rocket", "hubble_deep_field"])
def test_pictures_without_a_face_may_be_edited(mod, name):
    d = mod.check_image(sample(name), surface="upload", purpose="edit")
    assert d.allowed, d.reason


def test_a_face_is_fine_when_the_upload_is_not_going_to_be_edited(mod):
    assert mod.check_image(sample("astronaut"), surface="upload").allowed
    assert mod.check_image(sample("astronaut"), surface="output").allowed


def test_a_generated_output_is_scored_for_nudity(mod):
    d = mod.check_image(sample("coffee"), surface="output")
    assert d.allowed and d.scores["sexual"] == 0.0 and "face-edit" not in d.scores


def test_undecodable_bytes_are_invalid_input(mod):
    with pytest.raises(InvalidInput, match="cannot be decoded"):
        mod.check_image(b"this is not an image")


def test_empty_bytes_are_invalid_input(mod):
    with pytest.raises(InvalidInput, match="empty"):
        mod.check_image(b"")


def test_a_zero_size_image_is_invalid_input(mod):
    with pytest.raises(InvalidInput, match="zero size"):
        mod.check_image(Image.new("RGB", (0, 0)))


def _png_header_only(width: int, height: int) -> bytes:
    # A PNG whose header claims a huge canvas: a decompression bomb is refused
    # from the header, before any pixel is inflated.
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 16)) + chunk(b"IEND", b"")


def test_a_decompression_bomb_is_invalid_input(mod):
    with pytest.raises(InvalidInput, match="too large|pixels"):
        mod.check_image(_png_header_only(20_000, 20_000))


def test_an_unknown_purpose_is_invalid_input(mod):
    with pytest.raises(InvalidInput, match="purpose"):
        mod.check_image(sample("coffee"), purpose="upscale")


def test_a_transparent_png_is_accepted(mod):
    img = Image.new("RGBA", (64, 64), (0, 0, 0, 0))
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    assert mod.check_image(buf.getvalue()).allowed


@pytest.mark.parametrize("purpose", ["edit", "variation"])
def test_the_output_of_an_edit_or_variation_that_shows_a_face_is_refused(mod, purpose):
    d = mod.check_image(sample("astronaut"), surface="output", purpose=purpose)
    assert d.blocked and "face-edit" in d.categories


def test_the_output_of_a_generation_may_show_a_face(mod):
    assert mod.check_image(sample("astronaut"), surface="output").allowed


def test_alpha_is_dropped_not_composited_so_a_faint_face_is_still_seen(mod):
    rgba = sample("astronaut").convert("RGBA")
    rgba.putalpha(1)  # nearly invisible on white, but the RGB a generator keeps is the face
    assert mod.check_image(rgba, surface="upload", purpose="edit").blocked


def test_sixteen_bit_pixels_are_refused_not_rescaled(mod):
    import numpy as np

    grey = Image.fromarray((np.asarray(sample("astronaut").convert("L"), dtype=np.uint16) * 257))
    with pytest.raises(InvalidInput):
        mod.check_image(grey, purpose="edit")
