"""The watermark is keyed: wrong keys read nothing, forgeries fail, rotated keys verify, and stamping checks the mark."""

from __future__ import annotations

import io
import json

import c2pa
import numpy as np
import pytest
from PIL import Image

from provenance import ConfigurationError, Record, Stamper, new_record_id, verify, watermark
from provenance.attacks import ATTACKS
from provenance.keys import create_key_file, read_key_file, read_key_files
from provenance.samples import generated_images, natural_images


def _old_public_layout() -> watermark._Layout:
    """The layout of the unkeyed v1 scheme, rebuilt from its public constant seed (what a forger has)."""
    layout = watermark._Layout.__new__(watermark._Layout)
    rng = np.random.default_rng(0x48414C4C)
    perm = rng.permutation(watermark._N_CHIPS)
    layout.pilot_pos = np.sort(perm[: watermark._N_PILOTS])
    layout.data_pos = perm[watermark._N_PILOTS :]
    layout.pilot_signs = rng.choice(np.array([-1.0, 1.0]), size=watermark._N_PILOTS)
    layout.data_flip = np.ones(watermark._N_DATA)
    layout.frame_mask = np.zeros(80, dtype=np.uint8)
    pilots = np.zeros(watermark._N_CHIPS)
    pilots[layout.pilot_pos] = layout.pilot_signs
    layout.pilot_spectrum_conj = np.conj(np.fft.fft2(watermark._pattern(pilots)))
    return layout


@pytest.fixture(scope="module")
def hosts():
    natural = dict(natural_images(512, 4))
    return [natural["astronaut-0"], natural["coffee-2"], next(generated_images(512, 1))[1]]


@pytest.fixture(scope="module")
def other_key(tmp_path_factory) -> bytes:
    return read_key_file(create_key_file(tmp_path_factory.mktemp("other") / "watermark.key"))


def test_key_files_are_private_random_and_kept(tmp_path):
    path = create_key_file(tmp_path / "k" / "watermark.key")
    assert path.stat().st_mode & 0o777 == 0o600
    key = read_key_file(path)
    assert len(key) == 32 and create_key_file(path) == path and read_key_file(path) == key
    assert read_key_file(create_key_file(tmp_path / "other.key")) != key


def test_short_missing_or_too_many_keys_are_configuration_errors(tmp_path, wm_key):
    (tmp_path / "short.key").write_text("abcd")
    with pytest.raises(ConfigurationError):
        read_key_file(tmp_path / "short.key")
    with pytest.raises(ConfigurationError):
        read_key_file(tmp_path / "missing.key")
    paths = [create_key_file(tmp_path / f"{i}.key") for i in range(4)]
    with pytest.raises(ConfigurationError):
        read_key_files(paths[0], paths[1:])
    with pytest.raises(ConfigurationError):
        watermark.extract(Image.new("RGB", (128, 128)), keys=[])
    with pytest.raises(ConfigurationError):
        watermark.embed(Image.new("RGB", (128, 128)), "000000000001", key=b"short")


@pytest.mark.parametrize("attack", ["png-resave", "jpeg-50", "resize-x0.75", "crop-80%-area"])
def test_a_wrong_key_reads_nothing(hosts, wm_key, other_key, attack):
    for host in hosts:
        rid = new_record_id()
        copy = ATTACKS[attack](watermark.embed(host, rid, key=wm_key))
        assert watermark.extract(copy, keys=[wm_key]) == rid
        assert watermark.extract(copy, keys=[other_key]) is None


def test_a_mark_forged_with_the_old_public_pattern_is_not_accepted(hosts, wm_key, anchors):
    old = _old_public_layout()
    for host in hosts:
        forged = watermark._embed_with(host, "0123456789ab", old)
        luma = watermark._luma(np.asarray(forged, dtype=np.float32))
        period = watermark._predicted_period(*forged.size)
        # The forgery is a well-formed mark under the public layout...
        assert watermark.record_id_of(watermark._decode_at(luma, period, [old])) == "0123456789ab"
        # ...but the keyed decoder, and so the verify endpoint, does not accept it.
        assert watermark.extract(forged, keys=[wm_key]) is None
        buffer = io.BytesIO()
        forged.save(buffer, "PNG")
        assert verify(buffer.getvalue(), trust_anchors=anchors, watermark_keys=[wm_key]).watermark_id is None


def test_a_mark_forged_with_another_key_is_not_accepted(hosts, wm_key, other_key):
    for host in hosts:
        assert watermark.extract(watermark.embed(host, "0123456789ab", key=other_key), keys=[wm_key]) is None


def test_after_a_rotation_older_images_still_verify_and_new_ones_use_the_new_key(hosts, wm_key, other_key):
    old_rid, new_rid = new_record_id(), new_record_id()
    old_image = ATTACKS["jpeg-50"](watermark.embed(hosts[0], old_rid, key=wm_key))
    new_image = ATTACKS["jpeg-50"](watermark.embed(hosts[1], new_rid, key=other_key))
    rotated = [other_key, wm_key]  # current first, then the previous one
    assert watermark.extract(old_image, keys=rotated) == old_rid
    assert watermark.extract(new_image, keys=rotated) == new_rid
    assert watermark.extract(old_image, keys=[other_key]) is None


def _manifest_watermark(data: bytes):
    with c2pa.Reader("image/jpeg" if data[:2] == b"\xff\xd8" else "image/png", io.BytesIO(data)) as reader:
        store = json.loads(reader.json())
    manifest = store["manifests"][store["active_manifest"]]
    record = next(a for a in manifest["assertions"] if a["label"] == "org.hallmark.record")
    return record["data"].get("watermark")


def test_stamping_reads_the_mark_back_and_the_manifest_says_so(stamper, photo, anchors, wm_key):
    record = Record(new_record_id(), "generation", "m", "1")
    stamped = stamper.stamp(photo, record)
    assert stamped.watermark_verified is True
    assert _manifest_watermark(stamped.data) == "org.hallmark.watermark.keyed-tile-dft.v2"
    verdict = verify(stamped.data, trust_anchors=anchors, watermark_keys=[wm_key])
    assert verdict.watermark_id == record.record_id and verdict.manifest_state == "valid"


def test_an_image_whose_mark_does_not_read_back_is_flagged_and_claims_no_mark(stamper, wm_key):
    # JPEG quality 3 destroys the mark even at the PSNR floor: the stamper must say so, not ship a claim.
    host = dict(natural_images(256, 1))["astronaut-0"]
    record = Record(new_record_id(), "generation", "m", "1")
    stamped = stamper.stamp(host, record, format="jpeg", quality=3)
    assert stamped.watermark_verified is False
    assert _manifest_watermark(stamped.data) is None
    assert watermark.extract(Image.open(io.BytesIO(stamped.data)), keys=[wm_key]) != record.record_id


def test_a_stamper_needs_a_watermark_key(dev_ca):
    with pytest.raises(TypeError):
        Stamper.from_files(dev_ca.chain, dev_ca.key)  # type: ignore[call-arg]
    with pytest.raises(ConfigurationError):
        Stamper.from_files(dev_ca.chain, dev_ca.key, watermark_key=b"too short")
