"""The timing model: Karlo's architecture (random weights, it paints noise), saved and loaded like real weights."""

from __future__ import annotations

import json

import pytest
import torch

from generation import Generator, sampling
from generation.progress import Progress
from generation.timing_model import LABEL, PUBLISHED_PARAMETERS, build, parameter_counts


def test_full_size_configs_have_karlos_published_parameter_counts():
    # Counted on the meta device: shapes only, no weights allocated.
    counts = parameter_counts(1.0)
    for name, published in PUBLISHED_PARAMETERS.items():
        assert abs(counts[name] / published - 1) < 0.03, (name, counts[name], published)
    # The x4 upscaler's UNet, as stabilityai/stable-diffusion-x4-upscaler's config builds it.
    assert abs(counts["upscaler_unet"] / 473.4e6 - 1) < 0.01


@pytest.fixture(scope="module")
def reduced(tmp_path_factory):
    """A 1/16-width copy on the CPU; one thread, because its tensors are too small to share."""
    path = build(tmp_path_factory.mktemp("timing") / "model", scale=1 / 16, dtype=torch.float32,
                 device="cpu", log=lambda line: None)
    return path, Generator.from_pretrained(path, device="cpu", log=lambda line: None, cpu_threads=1)


def test_a_reduced_copy_loads_through_from_pretrained_and_generates(reduced):
    path, gen = reduced
    assert gen.model_id.startswith("hallmark-timing-model-paints-noise")
    assert gen._unclip.decoder.config.block_out_channels == [20, 40, 60, 80]  # 1/16 of (320, ..., 1280)
    (image,) = gen.generate("a lighthouse", seed=1, steps=2)
    assert image.size == (256, 256)


def test_a_reduced_copy_upscales_four_times(reduced):
    _, gen = reduced
    assert gen._upscaler.unet.config.only_cross_attention == [True, True, True, False]
    # A 32x32 input, not the cascade's 256x256: the full-depth upscaler at 1024 output takes
    # minutes on a CPU even at 1/16 width (its VAE's mid-block attends over 256x256 latents).
    small = torch.zeros(1, 3, 32, 32)
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # as the Generator's own jobs run it (cpu_threads=1)
    try:
        out = sampling.run_upscale(gen._upscaler, small, ["a lighthouse"], 2, 9.0, 20,
                                   torch.Generator().manual_seed(0), Progress(None))
    finally:
        torch.set_num_threads(threads)
    assert out.shape == (1, 3, 128, 128)


def test_a_reduced_copy_varies_through_the_clip_image_tower(reduced, astronaut):
    _, gen = reduced
    (image,) = gen.vary(astronaut, seed=1, steps=2)
    assert image.size == (256, 256)


def test_the_directory_says_it_paints_noise(reduced):
    path, _ = reduced
    assert LABEL in (path / "README.md").read_text()
    assert LABEL in json.loads((path / "model_index.json").read_text())["_hallmark_note"]
    manifest = json.loads((path / "hallmark.json").read_text())
    assert "paints-noise" in manifest["model_id"] and LABEL in manifest["note"]
