"""Variations of a real photo through its CLIP image embedding."""

from __future__ import annotations

import io

import numpy as np

from conftest import png_bytes, pixels


def test_it_returns_n_variations_of_the_requested_size(gen, coffee):
    images = gen.vary(coffee, n=3, size=256, seed=3, steps=2)
    assert [image.size for image in images] == [(256, 256)] * 3


def test_variations_differ_from_each_other(gen, astronaut):
    images = gen.vary(astronaut, n=3, seed=3, steps=2)
    arrays = [pixels(image) for image in images]
    for i in range(3):
        for j in range(i + 1, 3):
            assert np.abs(arrays[i] - arrays[j]).mean() > 1.0


def test_variations_are_conditioned_on_the_image(gen, astronaut, coffee):
    (of_astronaut,) = gen.vary(astronaut, seed=3, steps=2)
    (of_coffee,) = gen.vary(coffee, seed=3, steps=2)
    assert not np.array_equal(pixels(of_astronaut), pixels(of_coffee))


def test_bytes_a_file_and_a_pil_image_give_the_same_variation(gen, astronaut):
    data = png_bytes(astronaut)
    (from_pil,) = gen.vary(astronaut, seed=8, steps=2)
    (from_bytes,) = gen.vary(data, seed=8, steps=2)
    (from_file,) = gen.vary(io.BytesIO(data), seed=8, steps=2)
    assert np.array_equal(pixels(from_pil), pixels(from_bytes))
    assert np.array_equal(pixels(from_pil), pixels(from_file))


def test_a_1024_variation_runs_the_upscaler(gen, astronaut):
    (image,) = gen.vary(astronaut, size=1024, seed=8, steps=2)
    assert image.size == (1024, 1024)
