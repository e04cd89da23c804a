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
def marked_set():
    natural = dict(natural_images(512, 13))
    images = [(name, natural[name]) for name in SUBSET_NATURAL] + list(generated_images(512, 4))
    images.append(("astronaut-1024", next(natural_images(1024, 1))[1]))
    rng = np.random.default_rng(7)
    out = []
    for name, image in images:
        rid = f"{int(rng.integers(0, 2**48)):012x}"
        out.append((name, image, rid, watermark.embed(image, rid)))
    return out


@pytest.mark.parametrize("attack", list(ATTACKS))
def test_the_record_id_is_recovered_exactly_after(attack, marked_set):
    got = {name: watermark.extract(ATTACKS[attack](marked)) for name, _, _, marked in marked_set}
    assert got == {name: rid for name, _, rid, _ in marked_set}


def test_marking_keeps_psnr_above_38_db(marked_set):
    values = [watermark.psnr(image, marked) for _, image, _, marked in marked_set]
    assert min(values) >= 38.0


def test_the_same_record_gives_the_same_mark_and_a_different_record_another(photo):
    a = np.asarray(watermark.embed(photo, "00000000abcd"), dtype=int)
    b = np.asarray(watermark.embed(photo, "00000000abcd"), dtype=int)
    c = np.asarray(watermark.embed(photo, "00000000abce"), dtype=int)
    assert np.array_equal(a, b) and not np.array_equal(a, c)


def test_unmarked_images_report_no_watermark():
    clean = list(natural_images(512, 19)) + list(generated_images(512, 8)) + list(noise_images(512, 6))
    clean += list(natural_images(1024, 2))
    hits = {}
    for name, image in clean:
        for attack in ("png-resave", "jpeg-50", "resize-0.5"):
            got = watermark.extract(ATTACKS[attack](image) if attack != "png-resave" else image)
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


def test_alpha_is_kept_and_the_mark_read_through_it(photo):
    rgba = photo.convert("RGBA")
    marked = watermark.embed(rgba, "0000deadbeef")
    assert marked.mode == "RGBA"
    assert watermark.extract(marked) == "0000deadbeef"
