"""The watermark survives the specified attacks, never fires on unmarked images, and stays invisible.

A representative subset runs here; bench/provenance.py measures 60 images per size.
"""

from __future__ import annotations

import numpy as np
import pytest

from provenance import ecc, watermark
from provenance.attacks import ATTACKS
from provenance.samples import generated_images, natural_images, noise_images

SUBSET_NATURAL = ("astronaut-0", "camera-1", "coffee-2", "chelsea-3", "brick-12")


@pytest.fixture(scope="module")
def marked_set(wm_key):
    natural = dict(natural_images(512, 13))
    images = [(name, natural[name]) for name in SUBSET_NATURAL] + list(generated_images(512, 4))
    images.append(("astronaut-1024", next(natural_images(1024, 1))[1]))
    rng = np.random.default_rng(7)
    out = []
    for name, image in images:
        rid = f"{int(rng.integers(0, 2**48)):012x}"
        out.append((name, image, rid, watermark.embed(image, rid, key=wm_key)))
    return out


@pytest.mark.parametrize("attack", list(ATTACKS))
def test_the_record_id_is_recovered_exactly_after(attack, marked_set, wm_key):
    # The target is >= 95 % (bench/provenance.py, 60 images a size); on these 10 hosts, which include
    # the grainy brick texture, at most one may be missed, and none may ever read as another id.
    got = {name: watermark.extract(ATTACKS[attack](marked), keys=[wm_key]) for name, _, _, marked in marked_set}
    expected = {name: rid for name, _, rid, _ in marked_set}
    assert [name for name in got if got[name] not in (None, expected[name])] == []
    assert sum(got[name] is None for name in got) <= 1, got


def test_marking_keeps_psnr_above_38_db(marked_set):
    values = [watermark.psnr(image, marked) for _, image, _, marked in marked_set]
    assert min(values) >= 38.0


def test_the_same_record_gives_the_same_mark_and_a_different_record_another(photo, wm_key):
    a = np.asarray(watermark.embed(photo, "00000000abcd", key=wm_key), dtype=int)
    b = np.asarray(watermark.embed(photo, "00000000abcd", key=wm_key), dtype=int)
    c = np.asarray(watermark.embed(photo, "00000000abce", key=wm_key), dtype=int)
    assert np.array_equal(a, b) and not np.array_equal(a, c)


def test_unmarked_images_report_no_watermark(wm_key):
    clean = list(natural_images(512, 19)) + list(generated_images(512, 8)) + list(noise_images(512, 6))
    clean += list(natural_images(1024, 2))
    hits = {}
    for name, image in clean:
        for attack in ("png-resave", "jpeg-50", "resize-x0.75", "crop-80%-area"):
            got = watermark.extract(ATTACKS[attack](image) if attack != "png-resave" else image, keys=[wm_key])
            if got is not None:
                hits[f"{name}/{attack}"] = got
    assert hits == {}


def test_the_check_code_rejects_a_frame_with_one_flipped_bit():
    bits = ecc.frame(0x0123456789AB)
    assert ecc.unframe(bits) == 0x0123456789AB
    for i in range(0, ecc.INFO_BITS, 7):
        flipped = bits.copy()
        flipped[i] ^= 1
        assert ecc.unframe(flipped) is None


def test_the_code_corrects_scattered_errors_from_soft_values():
    rng = np.random.default_rng(3)
    info = ecc.frame(int(rng.integers(0, 2**48)))
    soft = 1.0 - 2.0 * ecc.encode(info)
    wrong = rng.choice(len(soft), 12, replace=False)  # 7 % of coded bits flipped, spread out
    soft[wrong] *= -0.5
    assert np.array_equal(ecc.viterbi_decode(soft), info)


def test_alpha_is_kept_and_the_mark_read_through_it(photo, wm_key):
    rgba = photo.convert("RGBA")
    marked = watermark.embed(rgba, "0000deadbeef", key=wm_key)
    assert marked.mode == "RGBA"
    assert watermark.extract(marked, keys=[wm_key]) == "0000deadbeef"
