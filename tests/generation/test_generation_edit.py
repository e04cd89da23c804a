"""Edits: the transparent area is regenerated, everything else comes back unchanged."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image
from skimage.morphology import dilation, disk

from conftest import pixels, png_bytes, transparent_square_mask

TOLERANCE = 2  # out of 255
ERODE_PX = 4


def outside_eroded(area: np.ndarray) -> np.ndarray:
    """Pixels more than ERODE_PX (Euclidean) away from the regenerated area."""
    return ~dilation(area, disk(ERODE_PX))


def area_at(mask: Image.Image, size: int) -> np.ndarray:
    alpha = np.asarray(mask.convert("RGBA"))[..., 3] == 0
    return np.asarray(Image.fromarray(alpha.astype(np.uint8) * 255).resize((size, size), Image.NEAREST)) > 0


@pytest.mark.parametrize("size", [256, 1024])
def test_pixels_outside_the_mask_stay_within_two_levels_of_the_photo(gen, astronaut, size):
    mask = transparent_square_mask(512, (180, 60, 340, 220))  # the astronaut's face
    (edited,) = gen.edit(astronaut, mask, "a golden retriever in a spacesuit", size=size, seed=21, steps=2)
    reference = pixels(astronaut.resize((size, size), Image.LANCZOS))
    area = area_at(mask, size)
    difference = np.abs(pixels(edited) - reference).max(axis=-1)
    assert edited.size == (size, size)
    assert difference[outside_eroded(area)].max() <= TOLERANCE
    # ... and the masked area really was regenerated (random weights paint noise there).
    assert difference[area].mean() > 20


def test_the_alpha_channel_of_the_image_is_the_mask_when_none_is_given(gen, astronaut):
    mask = transparent_square_mask(512, (100, 300, 260, 460))
    holed = astronaut.convert("RGBA")
    holed.putalpha(mask.getchannel("A"))
    (with_alpha,) = gen.edit(png_bytes(holed), None, "a red balloon", seed=4, steps=2)
    (with_mask,) = gen.edit(astronaut, mask, "a red balloon", seed=4, steps=2)
    area = area_at(mask, 256)
    reference = pixels(astronaut.resize((256, 256), Image.LANCZOS))
    assert np.abs(pixels(with_alpha) - reference).max(axis=-1)[outside_eroded(area)].max() <= TOLERANCE
    assert np.array_equal(pixels(with_alpha), pixels(with_mask))


def test_edits_are_deterministic_and_prompt_guided(gen, astronaut):
    mask = transparent_square_mask(512, (0, 0, 256, 512))
    first = gen.edit(astronaut, mask, "a window onto the sea", n=2, seed=30, steps=2)
    second = gen.edit(astronaut, mask, "a window onto the sea", n=2, seed=30, steps=2)
    (other_prompt,) = gen.edit(astronaut, mask, "a brick wall", seed=30, steps=2)
    assert [pixels(a).tobytes() for a in first] == [pixels(b).tobytes() for b in second]
    assert not np.array_equal(pixels(first[0]), pixels(other_prompt))
    assert not np.array_equal(pixels(first[0]), pixels(first[1]))


def test_a_512_edit_keeps_the_outside_too(gen, astronaut):
    mask = transparent_square_mask(512, (300, 300, 512, 512))
    (edited,) = gen.edit(astronaut, mask, "a small robot", size=512, seed=2, steps=2)
    area = area_at(mask, 512)
    assert np.abs(pixels(edited) - pixels(astronaut)).max(axis=-1)[outside_eroded(area)].max() <= TOLERANCE


def test_a_bool_area_gives_the_same_edit_as_the_mask_it_came_from(gen, astronaut):
    mask = transparent_square_mask(512, (100, 300, 260, 460))
    area = np.asarray(mask.getchannel("A")) == 0  # what a caller that decoded the upload once passes
    (from_area,) = gen.edit(astronaut, area, "a red balloon", seed=4, steps=2)
    (from_mask,) = gen.edit(astronaut, mask, "a red balloon", seed=4, steps=2)
    assert np.array_equal(pixels(from_area), pixels(from_mask))


def test_a_bool_area_of_another_shape_or_empty_is_refused(gen, astronaut):
    from generation import InvalidRequest

    with pytest.raises(InvalidRequest) as err:
        gen.edit(astronaut, np.ones((10, 10), bool), "a hat", steps=2)
    assert err.value.param == "mask"
    with pytest.raises(InvalidRequest):
        gen.edit(astronaut, np.zeros((512, 512), bool), "a hat", steps=2)
