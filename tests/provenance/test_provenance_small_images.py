"""The watermark at 256 px and on saturated per-pixel noise (the offline demo model's output).

These hosts defeat the one-pass embedding at 40 dB (a busy 256 px photograph
or saturated noise has more energy in the watermark band than the mark), so
:func:`provenance.watermark.embed` reads its result back and escalates; see
docs/provenance.md.
"""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from provenance import watermark
from provenance.attacks import jpeg
from provenance.samples import natural_images

PHOTOS = ("astronaut", "chelsea", "coffee", "camera")


def _photo(name: str, side: int) -> Image.Image:
    import skimage.data

    return Image.fromarray(getattr(skimage.data, name)()).convert("RGB").resize((side, side), Image.Resampling.LANCZOS)


def _uniform_noise(seed: int, side: int) -> Image.Image:
    return Image.fromarray(np.random.default_rng(seed).integers(0, 256, (side, side, 3), dtype=np.uint8))


def _saturated_noise(seed: int, side: int) -> Image.Image:
    """Per-pixel colour noise with about a quarter of the channel values clipped at 0 or 255, like the demo model's."""
    values = np.random.default_rng(seed).normal(140, 110, (side, side, 3))
    return Image.fromarray(np.clip(values, 0, 255).astype(np.uint8))


def _cases() -> list[tuple[str, Image.Image]]:
    cases = [(f"{name}-256", _photo(name, 256)) for name in PHOTOS]
    for side in (256, 512):
        cases += [(f"uniform-noise-{seed}-{side}", _uniform_noise(seed, side)) for seed in range(3)]
        cases += [(f"saturated-noise-{seed}-{side}", _saturated_noise(seed, side)) for seed in range(2)]
    return cases


@pytest.fixture(scope="module")
def marked_small(wm_key):
    rng = np.random.default_rng(11)
    out = []
    for name, image in _cases():
        rid = f"{int(rng.integers(0, 2**48)):012x}"
        out.append((name, image, rid, watermark.embed(image, rid, key=wm_key)))
    return out


def test_the_brief_s_failing_case_astronaut_at_256_is_recovered(wm_key):
    image = _photo("astronaut", 256)
    marked = watermark.embed(image, "cdb5a5ad89b9", key=wm_key)
    assert watermark.extract(marked, keys=[wm_key]) == "cdb5a5ad89b9"
    assert watermark.psnr(image, marked) >= 38.0


def test_small_and_noise_images_are_recovered_exactly_from_the_clean_marked_png(marked_small, wm_key):
    from provenance.attacks import resave_png

    got = {name: watermark.extract(resave_png(marked), keys=[wm_key]) for name, _, _, marked in marked_small}
    assert got == {name: rid for name, _, rid, _ in marked_small}


def test_small_and_noise_images_are_recovered_exactly_after_jpeg_85(marked_small, wm_key):
    got = {name: watermark.extract(jpeg(marked, 85), keys=[wm_key]) for name, _, _, marked in marked_small}
    assert got == {name: rid for name, _, rid, _ in marked_small}


def test_small_and_noise_images_keep_psnr_at_least_38_db(marked_small):
    values = {name: watermark.psnr(image, marked) for name, image, _, marked in marked_small}
    assert min(values.values()) >= 38.0, values


def test_natural_crops_at_256_are_recovered_except_the_grainy_textures(tmp_path):
    # grass and gravel at 256 px are a documented limitation (docs/provenance.md). The layout
    # comes from the key, so a miss elsewhere depends on it: the text page (page-17) missed one
    # of its two copies with 1 fresh key in 12 (2026-12-04), which failed a one-key version of
    # this test about one run in twelve. Four fresh keys here, and a rate, not a set.
    from provenance.keys import create_key_file, read_key_file

    images = list(natural_images(256, 19))
    missed, total = [], 0
    for k in range(4):
        key = read_key_file(create_key_file(tmp_path / f"watermark-{k}.key"))
        rng = np.random.default_rng(12)
        for name, image in images:
            rid = f"{int(rng.integers(0, 2**48)):012x}"
            marked = watermark.embed(image, rid, key=key)
            for copy in (marked, jpeg(marked, 85)):
                got = watermark.extract(copy, keys=[key])
                assert got in (None, rid)  # never a wrong id, with any key
                if name not in ("grass-13", "gravel-14"):
                    total += 1
                    missed += [name] if got is None else []
    assert total == 4 * 2 * (len(images) - 2)
    assert len(missed) <= 0.03 * total, missed


def test_unmarked_small_and_noise_images_report_no_watermark(wm_key):
    clean = _cases() + [(f"{name}-256", image) for name, image in natural_images(256, 19)]
    hits = {}
    for name, image in clean:
        for label, copy in (("as is", image), ("jpeg-85", jpeg(image, 85))):
            got = watermark.extract(copy, keys=[wm_key])
            if got is not None:
                hits[f"{name}/{label}"] = got
    assert hits == {}


def test_hosts_that_read_back_at_once_get_the_one_pass_mark_unchanged(photo, wm_key):
    # The read-back and escalation must not alter what 512 px photographs got before.
    rgb = np.asarray(photo.convert("RGB"), dtype=np.float32)
    small = watermark._resize(rgb, watermark._canonical_size(photo.width, photo.height))
    signs = watermark._target_signs("00000000abcd", watermark._layout(wm_key))
    delta, channel = watermark._embed_once(small, signs, strength=watermark.STRENGTH, overshoot=watermark._MAX_OVERSHOOT)
    one_pass = watermark._apply(rgb, delta, channel)
    assert np.array_equal(np.asarray(watermark.embed(photo, "00000000abcd", key=wm_key)), one_pass)
