"""Text-to-image generations on the tiny model: sizes, counts, batching and seeds."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from conftest import pixels


@pytest.mark.parametrize("size, n", [(256, 3), (512, 1), (1024, 1)])
def test_it_returns_n_rgb_images_of_the_requested_size(gen, size, n):
    images = gen.generate("a lighthouse at dawn", n=n, size=size, seed=11, steps=2)
    assert len(images) == n
    assert all(image.size == (size, size) and image.mode == "RGB" for image in images)


def test_it_accepts_openai_size_strings(gen):
    (image,) = gen.generate("a lighthouse at dawn", size="256x256", seed=11, steps=2)
    assert image.size == (256, 256)


def test_the_same_seed_gives_the_same_pixels(gen):
    first = gen.generate("a bowl of ramen", n=2, seed=1234, steps=2)
    second = gen.generate("a bowl of ramen", n=2, seed=1234, steps=2)
    for a, b in zip(first, second):
        assert np.array_equal(pixels(a), pixels(b))


def test_a_different_seed_or_prompt_gives_different_pixels(gen):
    (base,) = gen.generate("a bowl of ramen", seed=1234, steps=2)
    (other_seed,) = gen.generate("a bowl of ramen", seed=1235, steps=2)
    (other_prompt,) = gen.generate("a bowl of udon", seed=1234, steps=2)
    assert not np.array_equal(pixels(base), pixels(other_seed))
    assert not np.array_equal(pixels(base), pixels(other_prompt))


def test_the_seed_is_recorded_on_each_image(gen):
    images = gen.generate("a bowl of ramen", n=2, seed=77, steps=2)
    assert [image.info["seed"] for image in images] == ["77", "77"]
    (unseeded,) = gen.generate("a bowl of ramen", steps=2)
    (replayed,) = gen.generate("a bowl of ramen", seed=int(unseeded.info["seed"]), steps=2)
    assert np.array_equal(pixels(unseeded), pixels(replayed))


def test_n_images_go_through_each_network_as_one_batch(gen):
    calls: list[int] = []
    handle = gen._unclip.decoder.register_forward_pre_hook(
        lambda module, args, kwargs: calls.append(kwargs["sample"].shape[0]), with_kwargs=True
    )
    try:
        images = gen.generate("four kittens", n=4, seed=5, steps=3)
    finally:
        handle.remove()
    # Three decoder steps, each one call on 4 images x (unconditional + conditional).
    assert calls == [8, 8, 8]
    assert len({pixels(image).tobytes() for image in images}) == 4


def test_the_512_image_is_the_1024_diffusion_output_downsampled(gen):
    (big,) = gen.generate("a red barn", size=1024, seed=9, steps=2)
    (medium,) = gen.generate("a red barn", size=512, seed=9, steps=2)
    expected = big.resize((512, 512), resample=Image.LANCZOS)
    assert np.array_equal(pixels(medium), pixels(expected))


def test_a_job_leaves_torch_thread_settings_as_it_found_them(gen):
    import torch

    before = torch.get_num_threads()
    gen.generate("a lighthouse", seed=1, steps=2)
    assert torch.get_num_threads() == before
    assert gen.cpu_threads == 1  # from the tiny model's manifest
