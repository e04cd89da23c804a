"""Every bad input raises InvalidRequest naming the parameter, before any model work."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from generation import GenerationError, InvalidRequest
from conftest import png_bytes, transparent_square_mask


def rejects(param, call, *args, **kwargs):
    with pytest.raises(InvalidRequest) as info:
        call(*args, **kwargs)
    assert info.value.param == param
    assert isinstance(info.value, GenerationError)
    assert info.value.code
    return info.value


@pytest.mark.parametrize("prompt", ["", "   \n", "x" * 1001, None])
def test_it_rejects_an_empty_overlong_or_missing_prompt(gen, prompt):
    rejects("prompt", gen.generate, prompt)


@pytest.mark.parametrize("n", [0, 11, -1, 2.0, "2", True])
def test_it_rejects_n_outside_one_to_ten(gen, n):
    rejects("n", gen.generate, "a cat", n=n)


@pytest.mark.parametrize("size", [128, 300, 2048, "256x512", "big", 256.0])
def test_it_rejects_an_unsupported_size(gen, size):
    rejects("size", gen.generate, "a cat", size=size)


def test_it_rejects_bad_steps_guidance_and_seed(gen):
    rejects("steps", gen.generate, "a cat", steps=0)
    rejects("steps", gen.generate, "a cat", steps=1)
    rejects("guidance", gen.generate, "a cat", guidance=0.5)
    rejects("seed", gen.generate, "a cat", seed=-3)


@pytest.mark.parametrize("data", [b"", b"definitely not a png", io.BytesIO(b"\x89PNG\r\n\x1a\n truncated"), 42])
def test_it_rejects_an_image_that_cannot_be_decoded(gen, data):
    error = rejects("image", gen.vary, data)
    assert "image" in str(error)


def test_it_rejects_an_edit_mask_of_another_size(gen, astronaut):
    rejects("mask", gen.edit, astronaut, transparent_square_mask(256, (0, 0, 10, 10)), "a cat")


def test_it_rejects_a_mask_with_nothing_transparent(gen, astronaut):
    opaque = Image.new("RGBA", astronaut.size, (0, 0, 0, 255))
    error = rejects("mask", gen.edit, astronaut, opaque, "a cat")
    assert error.code == "empty_mask"


def test_it_rejects_a_mask_without_alpha(gen, astronaut):
    rejects("mask", gen.edit, astronaut, Image.new("L", astronaut.size, 0), "a cat")


def test_it_rejects_an_edit_image_without_alpha_when_no_mask_is_given(gen, astronaut):
    error = rejects("image", gen.edit, png_bytes(astronaut), None, "a cat")
    assert error.code == "missing_alpha"


def test_it_rejects_a_non_square_edit_image(gen, coffee):
    mask = Image.new("RGBA", coffee.size, (0, 0, 0, 0))
    rejects("image", gen.edit, coffee, mask, "a cat")


def test_it_rejects_an_undecodable_mask(gen, astronaut):
    rejects("mask", gen.edit, astronaut, b"GIF89a garbage", "a cat")


def test_it_rejects_an_empty_edit_prompt(gen, astronaut):
    rejects("prompt", gen.edit, astronaut, transparent_square_mask(512, (0, 0, 10, 10)), "")
