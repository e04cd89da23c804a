"""Restyles: unCLIP text diffs over a DDIM-inverted decoder, on the tiny random-weight model.

Random weights reconstruct imperfectly, so these tests assert orderings and bounds measured on the
tiny model (figures in docs/generation.md), not image quality. Closeness is PSNR in dB over RGB
in [0, 255] (equivalently mean absolute error in /255 units).
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

from generation import Cancelled, InvalidRequest, inversion
from generation.progress import Progress
from conftest import pixels

from test_generation_progress import assert_monotonic_and_complete, record, stages_in_order


def psnr(a: np.ndarray, b: np.ndarray) -> float:
    mse = float(((np.asarray(a, dtype=np.float64) - np.asarray(b, dtype=np.float64)) ** 2).mean())
    return 10 * np.log10(255.0**2 / max(mse, 1e-12))


def small(gen, photo, amount, steps, depth, to_prompt="a cartoon drawing"):
    """The restyled 64x64 image as uint8-range floats, through the method restyle uses."""
    picture = photo.convert("RGB")
    with gen._job(0):
        out = gen._restyle_small(picture, "a photo", to_prompt, amount, steps, Progress(None), depth)
        target = gen._pixels(picture, 64)
    to_255 = lambda x: ((x.float() * 0.5 + 0.5).clamp(0, 1) * 255)[0].permute(1, 2, 0).numpy()
    return to_255(out), to_255(target)


def test_the_same_inputs_and_seed_give_the_same_pixels(gen, astronaut):
    first = gen.restyle(astronaut, "a cartoon drawing", amount=0.5, n=2, seed=4, steps=2)
    again = gen.restyle(astronaut, "a cartoon drawing", amount=0.5, n=2, seed=4, steps=2)
    for a, b in zip(first, again):
        assert np.array_equal(pixels(a), pixels(b))
    assert first[0].info["seed"] == "4"


def test_the_prompt_and_amount_change_the_result(gen, astronaut):
    (base,) = gen.restyle(astronaut, "a cartoon drawing", amount=0.5, seed=4, steps=2)
    (other_text,) = gen.restyle(astronaut, "an oil painting", amount=0.5, seed=4, steps=2)
    (other_amount,) = gen.restyle(astronaut, "a cartoon drawing", amount=1.0, seed=4, steps=2)
    assert not np.array_equal(pixels(base), pixels(other_text))
    assert not np.array_equal(pixels(base), pixels(other_amount))


def test_inversion_reproduces_the_decoder_input_and_improves_with_steps(gen, astronaut):
    # Inverted to half depth (alpha_bar >= 0.5): the random decoder's noise prediction is too
    # chaotic near pure noise for any step count (see docs); here the error halves per doubling.
    coarse, target = small(gen, astronaut, 0.0, 10, 0.5)
    fine, _ = small(gen, astronaut, 0.0, 50, 0.5)
    coarse_error, fine_error = np.abs(coarse - target).mean(), np.abs(fine - target).mean()
    assert fine_error < coarse_error / 2
    assert fine_error < 2.0 and np.abs(fine - target).max() < 16.0  # measured 0.9 and 10.5 /255
    assert psnr(fine, target) > 40.0  # measured 45.6 dB


def test_amount_zero_gives_the_photo_back_more_closely_than_amount_one(gen, astronaut):
    kept, target = small(gen, astronaut, 0.0, 10, 0.5)
    moved, _ = small(gen, astronaut, 1.0, 10, 0.5)
    assert psnr(kept, target) > psnr(moved, target) + 3.0
    assert psnr(kept, target) > 30.0


@pytest.mark.parametrize("size", [256, 512, 1024])
def test_every_size_works(gen, astronaut, size):
    images = gen.restyle(astronaut, "a cartoon drawing", n=2 if size == 256 else 1, size=size, seed=1, steps=2)
    assert all(image.size == (size, size) for image in images)


def test_n_images_share_the_decoder_path_and_differ_in_later_detail(gen, astronaut):
    a, b = gen.restyle(astronaut, "a cartoon drawing", n=2, seed=2, steps=2)
    assert not np.array_equal(pixels(a), pixels(b))


def test_it_reports_every_stage_including_the_inversion(gen, astronaut):
    events: list = []
    gen.restyle(astronaut, "a cartoon drawing", size=512, seed=1, steps=3, progress=record(events))
    assert stages_in_order(events) == ["image_encoder", "inversion", "decoder", "super_resolution", "upscale_1024"]
    assert_monotonic_and_complete(events)
    assert ("inversion", 3, 3) in events and ("decoder", 3, 3) in events


def test_a_cancel_during_the_inversion_stops_the_job_and_the_generator_stays_usable(gen, astronaut):
    events: list = []

    def stop(stage, step, total):
        events.append((stage, step))
        return not (stage == "inversion" and step == 1)

    with pytest.raises(Cancelled):
        gen.restyle(astronaut, "a cartoon drawing", seed=1, steps=3, progress=stop)
    assert events[-1] == ("inversion", 1)
    (after,) = gen.restyle(astronaut, "a cartoon drawing", seed=1, steps=2)
    (again,) = gen.restyle(astronaut, "a cartoon drawing", seed=1, steps=2)
    assert np.array_equal(pixels(after), pixels(again))


def test_the_ddim_pair_runs_on_the_decoders_own_noise_schedule(gen):
    sampler, inverse = inversion.schedulers(gen._unclip)
    trained = gen._unclip.decoder_scheduler.alphas_cumprod
    assert torch.allclose(sampler.alphas_cumprod, trained) and torch.allclose(inverse.alphas_cumprod, trained)
    sampler.set_timesteps(7)
    inverse.set_timesteps(7)
    assert sampler.timesteps.flip(0).tolist() == inverse.timesteps.tolist()


def rejects(param, gen, *args, code=None, **kwargs):
    with pytest.raises(InvalidRequest) as info:
        gen.restyle(*args, **kwargs)
    assert info.value.param == param
    if code:
        assert info.value.code == code


@pytest.mark.parametrize("amount", [-0.1, 1.5, float("nan"), float("inf"), True, "0.5", None])
def test_it_rejects_an_amount_outside_zero_to_one(gen, astronaut, amount):
    rejects("amount", gen, astronaut, "a cartoon drawing", amount=amount)


@pytest.mark.parametrize("prompt", ["", "  ", "x" * 1001, None])
def test_it_rejects_an_empty_overlong_or_missing_to_prompt(gen, astronaut, prompt):
    rejects("to_prompt", gen, astronaut, prompt)


def test_it_rejects_an_empty_from_prompt_and_identical_prompts(gen, astronaut):
    rejects("from_prompt", gen, astronaut, "a cartoon drawing", from_prompt=" ")
    rejects("to_prompt", gen, astronaut, "A  photo", code="same_prompts")  # the default from_prompt
    rejects("to_prompt", gen, astronaut, "a cup", from_prompt="a cup ", code="same_prompts")


def test_it_rejects_a_non_square_or_undecodable_image_and_bad_job_parameters(gen, astronaut, coffee):
    rejects("image", gen, coffee, "a cartoon drawing")
    rejects("image", gen, b"not an image", "a cartoon drawing")
    rejects("n", gen, astronaut, "a cartoon drawing", n=0)
    rejects("size", gen, astronaut, "a cartoon drawing", size=300)
    rejects("steps", gen, astronaut, "a cartoon drawing", steps=1)
    rejects("seed", gen, astronaut, "a cartoon drawing", seed=-1)
