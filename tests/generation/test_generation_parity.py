"""Parity with diffusers' own pipelines: the restated loops in sampling.py must not drift.

With no mask, `Generator.generate` and `Generator.vary` must give the exact pixels of
`UnCLIPPipeline` / `UnCLIPImageVariationPipeline` on the same weights, seed and steps; the x4
upscaler stage must match `StableDiffusionUpscalePipeline` within a stated tolerance (diffusers
decodes the VAE batch at once, we decode image by image, so float summation order may differ).
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from diffusers import StableDiffusionUpscalePipeline, UnCLIPImageVariationPipeline

from conftest import pixels
from generation import sampling
from generation.progress import Progress

STEPS = 3
# Stated tolerance for the upscaler stage, on [-1, 1] floats (1/255 of a pixel is 0.0078).
UPSCALE_ATOL = 1e-4


@pytest.fixture(autouse=True)
def same_threads(gen):
    """Run diffusers with the thread count `Generator` uses for a job: a different intra-op split
    changes float summation order, which the random tiny networks amplify into pixel differences."""
    before = torch.get_num_threads()
    torch.set_num_threads(gen.cpu_threads or before)
    yield
    torch.set_num_threads(before)


def test_generate_gives_unclip_pipelines_pixels(gen):
    ours = gen.generate("a red bicycle", n=2, seed=42, steps=STEPS)
    theirs = gen._unclip(
        "a red bicycle", num_images_per_prompt=2, generator=torch.Generator().manual_seed(42),
        prior_num_inference_steps=STEPS, decoder_num_inference_steps=STEPS, super_res_num_inference_steps=STEPS,
        prior_guidance_scale=gen.defaults.prior_guidance, decoder_guidance_scale=gen.defaults.decoder_guidance,
    ).images
    assert len(ours) == len(theirs) == 2
    for a, b in zip(ours, theirs):
        assert np.abs(pixels(a) - pixels(b)).max() == 0


def test_vary_gives_image_variation_pipelines_pixels(gen, astronaut):
    unclip, variations = gen._unclip, gen._variations
    pipe = UnCLIPImageVariationPipeline(
        decoder=unclip.decoder, text_encoder=unclip.text_encoder, tokenizer=unclip.tokenizer,
        text_proj=unclip.text_proj, feature_extractor=variations.feature_extractor,
        image_encoder=variations.image_encoder, super_res_first=unclip.super_res_first,
        super_res_last=unclip.super_res_last, decoder_scheduler=unclip.decoder_scheduler,
        super_res_scheduler=unclip.super_res_scheduler,
    )
    ours = gen.vary(astronaut, n=2, seed=7, steps=STEPS)
    theirs = pipe(
        image=astronaut, num_images_per_prompt=2, generator=torch.Generator().manual_seed(7),
        decoder_num_inference_steps=STEPS, super_res_num_inference_steps=STEPS,
        decoder_guidance_scale=gen.defaults.decoder_guidance,
    ).images
    for a, b in zip(ours, theirs):
        assert np.abs(pixels(a) - pixels(b)).max() == 0


def test_upscale_stage_matches_the_x4_upscale_pipeline(gen):
    upscaler: StableDiffusionUpscalePipeline = gen._upscaler
    low = torch.rand(2, 3, 64, 64, generator=torch.Generator().manual_seed(3)) * 2 - 1
    prompts = ["a red bicycle", "a blue car"]
    d = gen.defaults
    with torch.inference_mode():
        ours = sampling.run_upscale(upscaler, low, prompts, STEPS, d.upscale_guidance, d.upscale_noise_level,
                                    torch.Generator().manual_seed(5), Progress(None))
    theirs = upscaler(prompt=prompts, image=low, num_inference_steps=STEPS, guidance_scale=d.upscale_guidance,
                      noise_level=d.upscale_noise_level, generator=torch.Generator().manual_seed(5),
                      output_type="pt").images
    theirs = theirs * 2 - 1  # the pipeline returns [0, 1]
    assert ours.shape == theirs.shape == (2, 3, 256, 256)
    assert (ours - theirs).abs().max().item() <= UPSCALE_ATOL
