"""Bad inputs raise the library's own, typed errors."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from provenance import InvalidInput, ProvenanceError, Record, SigningError, Stamper, new_record_id, verify, watermark
from provenance.errors import ConfigurationError
from provenance.verify import MAX_INPUT_BYTES


def test_every_error_derives_from_the_base_error():
    assert all(issubclass(e, ProvenanceError) for e in (InvalidInput, SigningError, ConfigurationError))


@pytest.mark.parametrize(
    "data",
    [b"", b"hello, world", b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, b"\xff\xd8\xff\xe0garbage"],
    ids=["empty", "text", "png-signature-only", "jpeg-garbage"],
)
def test_verify_rejects_garbage(data, wm_key):
    with pytest.raises(InvalidInput):
        verify(data, watermark_keys=[wm_key])


def test_verify_rejects_a_truncated_image(stamper, photo):
    data = stamper.stamp(photo, Record(new_record_id(), "generation", "m", "1")).data
    with pytest.raises(InvalidInput, match="not a readable image"):
        verify(data[: len(data) // 2])


def test_verify_rejects_oversized_input():
    with pytest.raises(InvalidInput, match="limit"):
        verify(b"\x89PNG\r\n\x1a\n" + b"\x00" * MAX_INPUT_BYTES)


def test_verify_rejects_a_decompression_bomb(wm_key):
    buffer = io.BytesIO()
    Image.new("L", (10_000, 10_000)).save(buffer, "PNG")  # 100 MP of zeros compresses to ~100 kB
    with pytest.raises(InvalidInput, match="pixels"):
        verify(buffer.getvalue(), watermark_keys=[wm_key])


def test_verify_rejects_non_bytes():
    with pytest.raises(InvalidInput):
        verify("a string")  # type: ignore[arg-type]


def test_verify_rejects_anchors_that_are_not_pem(photo, wm_key):
    buffer = io.BytesIO()
    photo.save(buffer, "PNG")
    with pytest.raises(ConfigurationError):
        verify(buffer.getvalue(), trust_anchors="not a certificate", watermark_keys=[wm_key])


@pytest.mark.parametrize("record_id", ["", "xyz", "0123456789AB", "0123456789abc", "g123456789ab"])
def test_records_reject_malformed_ids(record_id):
    with pytest.raises(InvalidInput):
        Record(record_id, "generation", "m", "1")


def test_records_need_a_known_kind_and_a_parent_for_edits(parent_png):
    rid = new_record_id()
    with pytest.raises(InvalidInput):
        Record(rid, "upscale", "m", "1")  # type: ignore[arg-type]
    with pytest.raises(InvalidInput):
        Record(rid, "edit", "m", "1")
    with pytest.raises(InvalidInput):
        Record(rid, "variation", "m", "1", parent=b"not an image")
    with pytest.raises(InvalidInput):
        Record(rid, "generation", "m", "1", parent=parent_png)
    assert Record(rid, "edit", "m", "1", parent=parent_png).parent_mime == "image/png"


def test_new_record_ids_are_random_12_hex_digits():
    ids = {new_record_id() for _ in range(1000)}
    assert len(ids) == 1000
    assert all(len(i) == 12 and int(i, 16) >= 0 and i == i.lower() for i in ids)


def test_stamp_rejects_bad_images_formats_and_records(stamper, photo):
    record = Record(new_record_id(), "generation", "m", "1")
    with pytest.raises(InvalidInput):
        stamper.stamp(Image.new("RGB", (32, 32)), record)
    with pytest.raises(InvalidInput):
        stamper.stamp(photo, record, format="gif")
    with pytest.raises(InvalidInput):
        stamper.stamp(b"bytes", record)  # type: ignore[arg-type]
    with pytest.raises(InvalidInput):
        stamper.stamp(photo, {"record_id": record.record_id})  # type: ignore[arg-type]
    with pytest.raises(InvalidInput):
        watermark.extract(b"bytes", keys=[b"k" * 16])  # type: ignore[arg-type]


def test_credentials_must_parse_and_match(dev_ca, other_ca, tmp_path):
    chain = dev_ca.chain.read_bytes()
    with pytest.raises(ConfigurationError, match="does not belong"):
        Stamper(chain, other_ca.key.read_bytes(), watermark_key=b"k" * 16)
    with pytest.raises(ConfigurationError):
        Stamper(b"not pem", dev_ca.key.read_bytes(), watermark_key=b"k" * 16)
    with pytest.raises(ConfigurationError):
        Stamper.from_files(tmp_path / "missing.pem", dev_ca.key, watermark_key=b"k" * 16)
    with pytest.raises(ConfigurationError):
        Stamper(chain, dev_ca.key.read_bytes(), alg="md5", watermark_key=b"k" * 16)


def test_an_unreachable_time_stamp_authority_is_a_signing_error(dev_ca, photo):
    stamper = Stamper.from_files(dev_ca.chain, dev_ca.key, tsa_url="http://127.0.0.1:9/tsa", watermark_key=b"k" * 16)
    with pytest.raises(SigningError):
        stamper.stamp(photo, Record(new_record_id(), "generation", "m", "1"))
