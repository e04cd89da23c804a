"""Build the offline demo model: every pipeline component, tiny and randomly initialised.

No model hub is reachable where Hallmark is developed and tested, so this module writes a complete
model directory with `save_pretrained` that `Generator.from_pretrained(DIR)` loads through exactly
the same code as the real Karlo + x4-upscaler weights. **It paints noise**: the weights are random
(seeded, so the bits are the same on every machine). Use it for demos of the platform and for tests,
never to judge image quality.

Layout written under ``DIR``::

    DIR/                     the UnCLIPPipeline (what kakaobrain/karlo-v1-alpha holds)
    DIR/image_variations/    image_encoder/ + feature_extractor/ (+ model_index.json) -- what
                             variations add (kakaobrain/karlo-v1-alpha-image-variations)
    DIR/upscaler/            a StableDiffusionUpscalePipeline (stabilityai/stable-diffusion-x4-upscaler)
    DIR/hallmark.json        manifest: model id and where the two extra parts live; written last,
                             so its presence marks a complete build

Run ``python -m generation.tiny_model DIR``.
"""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

import torch

from .compat import register_unclip_alias

TINY_MODEL_ID = "hallmark-tiny-demo"
MANIFEST = "hallmark.json"
_SEED = 0
_TEXT_DIM = 32  # CLIP embedding width shared by text encoder, prior, text_proj and image encoder


def is_complete(path: str | os.PathLike) -> bool:
    """Return True if ``path`` holds a finished tiny-model build (its manifest is written last)."""
    return (Path(path) / MANIFEST).is_file()


def build(path: str | os.PathLike) -> Path:
    """Write the tiny demo model to ``path`` and return it; return at once if it is already there.

    Safe to call from several processes at once (parallel test sessions, a demo and a worker): a
    lock file next to ``path`` serialises builders, and the model is written to a temporary sibling
    directory renamed into place, so ``path`` never holds a half-written model.

    Args:
        path: Target directory. Created (with parents) if missing.

    Returns:
        The directory as a `Path`.
    """
    target = Path(path)
    if is_complete(target):
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target.parent / f".{target.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if is_complete(target):  # another process built it while we waited
            return target
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.tmp-", dir=target.parent))
        try:
            _write_all(staging)
            if target.exists():
                # Leftovers of an interrupted build (no manifest): nothing finished lives there.
                shutil.rmtree(target)
            os.replace(staging, target)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return target


def _write_all(root: Path) -> None:
    # Fork the RNG so building a model never changes the caller's random stream.
    with torch.random.fork_rng(devices=[]):
        tokenizer = _tokenizer()
        unclip = _unclip_pipeline(tokenizer)
        unclip.save_pretrained(root)
        variations = _variation_pipeline(unclip)
        variations.save_pretrained(root / "image_variations")
        # Variations reuse the UnCLIP components already in memory; keep only what they add.
        for shared in ("decoder", "text_encoder", "tokenizer", "text_proj", "super_res_first",
                       "super_res_last", "decoder_scheduler", "super_res_scheduler"):
            shutil.rmtree(root / "image_variations" / shared, ignore_errors=True)
        _upscaler_pipeline(tokenizer).save_pretrained(root / "upscaler")
    manifest = {
        "model_id": TINY_MODEL_ID,
        "image_variations": "image_variations",
        "upscaler": "upscaler",
        # Its tensors are so small that spreading each op over threads costs more than it saves
        # (and on a loaded machine several times more), so jobs run it single-threaded on CPU.
        "cpu_threads": 1,
        "note": "Random weights for offline demos and tests: this model paints noise.",
    }
    (root / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")


def _tokenizer():
    """Return a CLIP tokenizer over a byte-level vocabulary (no merges): the hub's is unreachable."""
    from transformers import CLIPTokenizer
    from transformers.convert_slow_tokenizer import bytes_to_unicode

    symbols = list(bytes_to_unicode().values())
    vocab = symbols + [s + "</w>" for s in symbols] + ["<|startoftext|>", "<|endoftext|>"]
    # model_max_length=77 is what the unCLIP prior's positional table expects.
    return CLIPTokenizer(
        vocab={token: i for i, token in enumerate(vocab)},
        merges=[],
        model_max_length=77,
    )


def _unclip_pipeline(tokenizer):
    from diffusers import PriorTransformer, UnCLIPPipeline, UNet2DConditionModel, UNet2DModel
    from transformers import CLIPTextConfig, CLIPTextModelWithProjection

    register_unclip_alias()
    from diffusers.pipelines.deprecated.unclip.text_proj import UnCLIPTextProjModel

    torch.manual_seed(_SEED)
    text_encoder = CLIPTextModelWithProjection(_text_config(CLIPTextConfig, len(tokenizer)))
    prior = PriorTransformer(num_attention_heads=2, attention_head_dim=16, embedding_dim=_TEXT_DIM, num_layers=1)
    decoder_channels = (16, 32)
    time_embed_dim = decoder_channels[0] * 4
    text_proj = UnCLIPTextProjModel(
        clip_embeddings_dim=_TEXT_DIM, time_embed_dim=time_embed_dim, cross_attention_dim=_TEXT_DIM
    )
    decoder = UNet2DConditionModel(
        sample_size=64,  # Karlo's decoder works at 64x64, like the real one
        in_channels=3,
        out_channels=6,  # mean and learned variance
        down_block_types=("ResnetDownsampleBlock2D", "SimpleCrossAttnDownBlock2D"),
        up_block_types=("SimpleCrossAttnUpBlock2D", "ResnetUpsampleBlock2D"),
        mid_block_type="UNetMidBlock2DSimpleCrossAttn",
        block_out_channels=decoder_channels,
        norm_num_groups=8,
        layers_per_block=1,
        cross_attention_dim=_TEXT_DIM,
        attention_head_dim=8,
        resnet_time_scale_shift="scale_shift",
        class_embed_type="identity",
    )
    super_res = dict(
        sample_size=256,  # 64 -> 256, as in Karlo
        in_channels=6,
        out_channels=3,
        down_block_types=("ResnetDownsampleBlock2D", "ResnetDownsampleBlock2D"),
        up_block_types=("ResnetUpsampleBlock2D", "ResnetUpsampleBlock2D"),
        block_out_channels=(8, 16),  # very narrow: this stage runs at 256x256 on CPU in tests
        norm_num_groups=8,
        layers_per_block=1,
        # No self-attention in the middle: at 128x128 it alone would cost over a second per step.
        add_attention=False,
    )
    super_res_first = UNet2DModel(**super_res)
    torch.manual_seed(_SEED + 1)
    super_res_last = UNet2DModel(**super_res)
    return UnCLIPPipeline(
        prior=prior,
        decoder=decoder,
        text_encoder=text_encoder,
        tokenizer=tokenizer,
        text_proj=text_proj,
        super_res_first=super_res_first,
        super_res_last=super_res_last,
        **unclip_schedulers(),
    )


def unclip_schedulers() -> dict:
    """Return Karlo's three schedulers (as diffusers' Karlo conversion script configures them)."""
    from diffusers import UnCLIPScheduler

    return dict(
        prior_scheduler=UnCLIPScheduler(
            variance_type="fixed_small_log", prediction_type="sample", num_train_timesteps=1000, clip_sample_range=5.0
        ),
        decoder_scheduler=UnCLIPScheduler(
            variance_type="learned_range", prediction_type="epsilon", num_train_timesteps=1000
        ),
        super_res_scheduler=UnCLIPScheduler(
            variance_type="fixed_small_log", prediction_type="epsilon", num_train_timesteps=1000
        ),
    )


def _variation_pipeline(unclip):
    from diffusers import UnCLIPImageVariationPipeline
    from transformers import CLIPImageProcessor, CLIPVisionConfig, CLIPVisionModelWithProjection

    torch.manual_seed(_SEED + 2)
    image_encoder = CLIPVisionModelWithProjection(
        CLIPVisionConfig(
            hidden_size=_TEXT_DIM,
            projection_dim=_TEXT_DIM,
            intermediate_size=37,
            num_hidden_layers=1,
            num_attention_heads=4,
            image_size=32,
            patch_size=4,
        )
    )
    feature_extractor = CLIPImageProcessor(size={"shortest_edge": 32}, crop_size={"height": 32, "width": 32})
    return UnCLIPImageVariationPipeline(
        decoder=unclip.decoder,
        text_encoder=unclip.text_encoder,
        tokenizer=unclip.tokenizer,
        text_proj=unclip.text_proj,
        feature_extractor=feature_extractor,
        image_encoder=image_encoder,
        super_res_first=unclip.super_res_first,
        super_res_last=unclip.super_res_last,
        decoder_scheduler=unclip.decoder_scheduler,
        super_res_scheduler=unclip.super_res_scheduler,
    )


def _upscaler_pipeline(tokenizer):
    from diffusers import AutoencoderKL, StableDiffusionUpscalePipeline, UNet2DConditionModel
    from transformers import CLIPTextConfig, CLIPTextModel

    torch.manual_seed(_SEED + 3)
    text_encoder = CLIPTextModel(_text_config(CLIPTextConfig, len(tokenizer)))
    # Three encoder levels = two 2x downsamplings: the 4x latent factor of the real x4 upscaler VAE.
    vae = AutoencoderKL(
        in_channels=3,
        out_channels=3,
        down_block_types=("DownEncoderBlock2D",) * 3,
        up_block_types=("UpDecoderBlock2D",) * 3,
        block_out_channels=(4, 4, 4),  # the VAE decoder at 1024x1024 is the tiny model's costliest part
        latent_channels=4,
        norm_num_groups=4,
        layers_per_block=1,
        scaling_factor=0.08333,
        # Self-attention over 256x256 latents would dominate the tiny model's 1024 cost.
        mid_block_add_attention=False,
    )
    # Real x4 UNet: attention only at low resolution and cross-attention only above the bottom;
    # the tiny one keeps that shape with four levels so self-attention never sees > 32x32 tokens.
    unet = UNet2DConditionModel(
        sample_size=64,
        in_channels=7,  # 4 latent + 3 low-resolution RGB
        out_channels=4,
        down_block_types=("DownBlock2D", "DownBlock2D", "DownBlock2D", "CrossAttnDownBlock2D"),
        up_block_types=("CrossAttnUpBlock2D", "UpBlock2D", "UpBlock2D", "UpBlock2D"),
        only_cross_attention=True,
        block_out_channels=(8, 8, 8, 16),
        norm_num_groups=4,
        layers_per_block=1,
        cross_attention_dim=_TEXT_DIM,
        attention_head_dim=4,
        num_class_embeds=1000,  # noise-level conditioning, as in the real model
    )
    return StableDiffusionUpscalePipeline(
        vae=vae,
        text_encoder=text_encoder,
        tokenizer=tokenizer,
        unet=unet,
        **upscaler_schedulers(),
        safety_checker=None,
        feature_extractor=None,
        watermarker=None,
        max_noise_level=350,
    )


def upscaler_schedulers() -> dict:
    """Return the x4 upscaler's two schedulers (its published scheduler configs)."""
    from diffusers import DDIMScheduler, DDPMScheduler

    schedule = dict(beta_schedule="scaled_linear", beta_start=0.0001, beta_end=0.02, num_train_timesteps=1000)
    return dict(
        low_res_scheduler=DDPMScheduler(**schedule),
        scheduler=DDIMScheduler(
            **schedule, prediction_type="v_prediction", clip_sample=False, set_alpha_to_one=False, steps_offset=1
        ),
    )


def _text_config(config_class, vocab_size: int):
    return config_class(
        hidden_size=_TEXT_DIM,
        projection_dim=_TEXT_DIM,
        intermediate_size=37,
        num_hidden_layers=2,
        num_attention_heads=4,
        max_position_embeddings=77,
        vocab_size=vocab_size,
        bos_token_id=vocab_size - 2,
        eos_token_id=vocab_size - 1,
        pad_token_id=vocab_size - 1,
    )


def main(argv: list[str] | None = None) -> int:
    """Command line: ``python -m generation.tiny_model DIR``."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("directory", help="where to write the tiny demo model")
    args = parser.parse_args(argv)
    path = build(args.directory)
    print(f"tiny demo model (random weights: it paints noise) ready in {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
