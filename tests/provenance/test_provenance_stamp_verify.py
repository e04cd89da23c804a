"""Stamping and verifying: C2PA manifests per job kind, trust, tampering, stripped copies."""

from __future__ import annotations

import io
import json
import struct
import threading
import zlib
from pathlib import Path

import c2pa
import numpy as np
import pytest
from PIL import Image

from provenance import Record, Stamper, new_record_id, verify
from provenance.manifest import COMPOSITE_WITH_TRAINED_ALGORITHMIC_MEDIA, RECORD_ASSERTION, TRAINED_ALGORITHMIC_MEDIA

MODEL = ("hallmark/unclip-tiny", "2026.11")


def _record(kind: str, parent: bytes | None = None) -> Record:
    return Record(new_record_id(), kind, *MODEL, parent=parent)


def _independent_read(data: bytes, mime: str = "image/png") -> tuple[dict, str]:
    """Read the manifest straight through c2pa.Reader, not through provenance.verify."""
    with c2pa.Reader(mime, io.BytesIO(data)) as reader:
        store = json.loads(reader.json())
        return store["manifests"][store["active_manifest"]], reader.get_validation_state()


def _assertion(manifest: dict, label: str) -> dict:
    return next(a["data"] for a in manifest["assertions"] if a["label"].split(".v")[0] == label)


def test_a_generation_round_trips_with_created_action_and_trained_source(stamper, photo, anchors, wm_key):
    record = _record("generation")
    data = stamper.stamp(photo, record).data

    manifest, state = _independent_read(data)
    actions = _assertion(manifest, "c2pa.actions")["actions"]
    assert state == "Valid"  # no trust list in the independent read
    assert [a["action"] for a in actions] == ["c2pa.created"]
    assert actions[0]["digitalSourceType"] == TRAINED_ALGORITHMIC_MEDIA
    assert actions[0]["softwareAgent"] == {"name": "Hallmark", "version": "0.1"}
    assert actions[0]["parameters"]["org.hallmark.model"] == {"id": MODEL[0], "version": MODEL[1]}
    assert _assertion(manifest, RECORD_ASSERTION)["record_id"] == record.record_id
    assert not manifest.get("ingredients")

    verdict = verify(data, trust_anchors=anchors, watermark_keys=[wm_key])
    assert verdict.manifest_state == "valid" and verdict.trusted
    assert verdict.record_id == record.record_id == verdict.watermark_id
    assert verdict.digital_source_type == TRAINED_ALGORITHMIC_MEDIA
    assert verdict.claim_generator == "Hallmark/0.1"
    assert "Hallmark Development Signer" in verdict.signer
    assert json.loads(json.dumps(verdict.to_dict()))["resolved_record_id"] == record.record_id


def test_an_edit_names_its_parent_and_opens_then_edits(stamper, photo, parent_png, anchors, wm_key):
    record = _record("edit", parent_png)
    data = stamper.stamp(photo, record).data

    manifest, _ = _independent_read(data)
    actions = _assertion(manifest, "c2pa.actions")["actions"]
    assert [a["action"] for a in actions] == ["c2pa.opened", "c2pa.edited"]
    assert actions[1]["digitalSourceType"] == COMPOSITE_WITH_TRAINED_ALGORITHMIC_MEDIA
    # The opened action points at the ingredient by hashed URI.
    assert actions[0]["parameters"]["ingredients"][0]["url"].endswith("c2pa.ingredient.v3")
    assert [(i["relationship"], i["format"]) for i in manifest["ingredients"]] == [("parentOf", "image/png")]

    verdict = verify(data, trust_anchors=anchors, watermark_keys=[wm_key])
    assert verdict.manifest_state == "valid"
    assert verdict.digital_source_type == COMPOSITE_WITH_TRAINED_ALGORITHMIC_MEDIA
    assert [i["relationship"] for i in verdict.ingredients] == ["parentOf"]
    assert verdict.watermark_id == record.record_id


def test_a_variation_is_created_from_its_parent_as_an_input(stamper, render, parent_png, anchors, wm_key):
    record = _record("variation", parent_png)
    data = stamper.stamp(render, record).data

    manifest, _ = _independent_read(data)
    actions = _assertion(manifest, "c2pa.actions")["actions"]
    assert [a["action"] for a in actions] == ["c2pa.created"]
    assert actions[0]["digitalSourceType"] == TRAINED_ALGORITHMIC_MEDIA
    assert actions[0]["parameters"]["ingredients"]
    assert [i["relationship"] for i in manifest["ingredients"]] == ["inputTo"]
    assert verify(data, trust_anchors=anchors, watermark_keys=[wm_key]).record_id == record.record_id


def test_an_edit_of_a_stamped_image_carries_the_parents_manifest_along(stamper, photo, render, anchors, wm_key):
    parent_record = _record("generation")
    parent = stamper.stamp(render, parent_record).data
    data = stamper.stamp(photo, _record("edit", parent)).data

    with c2pa.Reader("image/png", io.BytesIO(data)) as reader:
        store = json.loads(reader.json())
    assert len(store["manifests"]) == 2  # the parent's signed manifest is kept as the ingredient's
    verdict = verify(data, trust_anchors=anchors, watermark_keys=[wm_key])
    assert verdict.manifest_state == "valid"


def test_the_manifest_holds_no_prompt_or_user_identity(stamper, photo):
    record = _record("generation")
    manifest, _ = _independent_read(stamper.stamp(photo, record).data)
    assert set(_assertion(manifest, RECORD_ASSERTION)) == {"record_id", "kind", "model", "watermark"}
    labels = {a["label"] for a in manifest["assertions"]}
    assert labels == {"c2pa.actions.v2", RECORD_ASSERTION}
    text = json.dumps(manifest).lower()
    assert "prompt" not in text and "user" not in text and "author" not in text


def test_jpeg_output_is_signed_and_marked(stamper, photo, anchors, wm_key):
    record = _record("generation")
    data = stamper.stamp(photo, record, format="jpeg", quality=90).data
    assert data[:3] == b"\xff\xd8\xff"
    _, state = _independent_read(data, "image/jpeg")
    assert state == "Valid"
    verdict = verify(data, trust_anchors=anchors, watermark_keys=[wm_key])
    assert (verdict.manifest_state, verdict.watermark_id) == ("valid", record.record_id)


def test_a_manifest_reads_as_untrusted_without_the_development_ca(stamper, photo, other_ca, wm_key):
    data = stamper.stamp(photo, _record("generation")).data
    for anchors in (None, Path(other_ca.ca).read_bytes()):
        verdict = verify(data, trust_anchors=anchors, watermark_keys=[wm_key])
        assert verdict.manifest_state == "untrusted" and not verdict.trusted
        assert "signingCredential.untrusted" in verdict.codes


def test_trust_settings_of_one_call_do_not_leak_into_concurrent_calls(stamper, photo, anchors, wm_key):
    data = stamper.stamp(photo, _record("generation")).data
    results: dict[int, str] = {}

    def run(i: int) -> None:
        results[i] = verify(data, trust_anchors=anchors if i % 2 else None, watermark_keys=[wm_key]).manifest_state

    threads = [threading.Thread(target=run, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == {i: "valid" if i % 2 else "untrusted" for i in range(6)}
    assert verify(data, watermark_keys=[wm_key]).manifest_state == "untrusted"  # and nothing stuck afterwards


def _png_chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    chunks, pos = [], 8
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        chunks.append((data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]))
        pos += 12 + length
    return chunks


def _png_from_chunks(chunks: list[tuple[bytes, bytes]]) -> bytes:
    out = b"\x89PNG\r\n\x1a\n"
    for kind, body in chunks:
        out += struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
    return out


def test_pixels_changed_after_signing_read_as_invalid(stamper, photo, anchors, wm_key):
    record = _record("generation")
    data = stamper.stamp(photo, record).data
    # Paint a small patch, re-encode only the image data and splice it in,
    # keeping the signed manifest chunk exactly as it was.
    pixels = np.array(Image.open(io.BytesIO(data)).convert("RGB"))
    pixels[100:120, 100:120] = 255
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, "PNG")
    new_idat = [c for c in _png_chunks(buffer.getvalue()) if c[0] == b"IDAT"]
    chunks = _png_chunks(data)
    first = next(i for i, c in enumerate(chunks) if c[0] == b"IDAT")
    kept = [c for c in chunks if c[0] != b"IDAT"]
    tampered = _png_from_chunks(kept[:first] + new_idat + kept[first:])
    assert any(c[0] == b"caBX" for c in _png_chunks(tampered))

    verdict = verify(tampered, trust_anchors=anchors, watermark_keys=[wm_key])
    assert verdict.manifest_state == "invalid" and not verdict.trusted
    assert "assertion.dataHash.mismatch" in verdict.codes
    # The watermark is independent of the manifest and survives a local edit.
    assert verdict.watermark_id == record.record_id
    assert verdict.resolved_record_id == record.record_id


def test_a_stripped_copy_still_yields_the_record_id_from_the_pixels(stamper, render, wm_key):
    record = _record("generation")
    data = stamper.stamp(render, record).data
    buffer = io.BytesIO()
    Image.open(io.BytesIO(data)).convert("RGB").save(buffer, "JPEG", quality=75)
    verdict = verify(buffer.getvalue(), watermark_keys=[wm_key])
    assert verdict.manifest_state == "absent" and verdict.record_id is None
    assert verdict.watermark_id == record.record_id == verdict.resolved_record_id


def test_an_unmarked_unsigned_image_yields_nothing(photo, wm_key):
    buffer = io.BytesIO()
    photo.save(buffer, "PNG")
    verdict = verify(buffer.getvalue(), watermark_keys=[wm_key])
    assert (verdict.manifest_state, verdict.watermark_id, verdict.resolved_record_id) == ("absent", None, None)


def test_a_stamper_built_from_pem_bytes_signs_like_one_built_from_files(dev_ca, photo, anchors, wm_key):
    stamper = Stamper(Path(dev_ca.chain).read_bytes(), Path(dev_ca.key).read_bytes(), watermark_key=wm_key)
    verdict = verify(stamper.stamp(photo.convert("RGBA"), _record("generation")).data, trust_anchors=anchors, watermark_keys=[wm_key])
    assert verdict.manifest_state == "valid"
