"""Build a TIMING MODEL THAT PAINTS NOISE: Karlo's real architecture with random weights.

No model hub is reachable where Hallmark is developed, not even from a GPU machine, yet what an
operator pays for is GPU time on Karlo-sized networks. This module writes every network of the
cascade at its real size -- configurations as in diffusers' Karlo conversion script
(``scripts/convert_kakao_brain_unclip_to_diffusers.py``) and the published configs of
``openai/clip-vit-large-patch14`` and ``stabilityai/stable-diffusion-x4-upscaler`` -- with random
weights, through ``save_pretrained``, in the directory layout `Generator.from_pretrained(DIR)`
loads through exactly the code it uses for the real weights (see tiny_model.py for the layout).

**It paints noise.** Its only use is timing and memory: FLOPs, kernels and tensor shapes are the
real model's; the pictures are meaningless. Never serve it, never judge quality with it.

``--scale`` shrinks every width (channels, hidden sizes, head widths) by the same factor while
keeping the depths, block types, attention placement and image sizes, so a test builds a reduced
copy on a CPU in seconds; ``--scale 1`` (the default) is Karlo's size.

Run ``python -m generation.timing_model DIR [--dtype fp16] [--scale 1.0] [--device cuda]``.
Full size is ~4.6 B parameters: ~9 GB on disk in fp16 (build it where that fits; in fp32 the
build needs ~18 GB of memory).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

import torch

from .compat import register_unclip_alias
from .tiny_model import MANIFEST, _tokenizer, unclip_schedulers, upscaler_schedulers

TIMING_MODEL_ID = "hallmark-timing-model-paints-noise"
LABEL = "TIMING MODEL THAT PAINTS NOISE"
_SEED = 0
_FULL_UNIT = 64  # every width of the cascade is a multiple of 64 (320 = 5 x 64, 768 = 12 x 64, ...)
_CLIP_VOCAB = 49408  # CLIP's BPE vocabulary: the real embedding table's size

# Parameter counts published for Karlo v1 alpha (github.com/kakaobrain/karlo README: prior 1B,
# decoder 900M, SR 700M + 700M) and for CLIP ViT-L/14 (the towers of openai/clip-vit-large-patch14).
PUBLISHED_PARAMETERS = {
    "prior": 1.0e9,
    "decoder": 0.9e9,
    "super_res_first": 0.7e9,
    "super_res_last": 0.7e9,
    "text_encoder": 123.65e6,
    "image_encoder": 303.97e6,
}

# Components in build order, with the part of the model directory each is saved in.
COMPONENTS = ("text_encoder", "prior", "text_proj", "decoder", "super_res_first", "super_res_last",
              "image_encoder", "upscaler_text_encoder", "upscaler_unet", "upscaler_vae")


def unit(scale: float) -> int:
    """Return the width unit (64 at full size) for ``scale``: a multiple of 4, at least 4."""
    return max(4, int(round(_FULL_UNIT * scale / 4)) * 4)


def _groups(u: int) -> int:
    # GroupNorm's 32 groups need every width divisible by 32; reduced copies use fewer groups.
    return 32 if u % 32 == 0 else 8 if u % 8 == 0 else 4


def component_specs(scale: float = 1.0, vocab_size: int = _CLIP_VOCAB) -> dict[str, tuple[str, dict]]:
    """Return ``{component: (class name, constructor kwargs)}`` for every network at ``scale``.

    Class names are diffusers' (``PriorTransformer``, ...) or transformers' (``CLIPTextConfig``-based
    models carry their config under the ``config`` key as a dict).
    """
    u = unit(scale)
    g = _groups(u)
    clip_dim = 12 * u  # ViT-L/14's joint embedding (768): prior width, text hidden, projections
    decoder_channels = (5 * u, 10 * u, 15 * u, 20 * u)  # (320, 640, 960, 1280)
    super_res = dict(
        sample_size=256,
        layers_per_block=3,
        down_block_types=("ResnetDownsampleBlock2D",) * 4,
        up_block_types=("ResnetUpsampleBlock2D",) * 4,
        block_out_channels=decoder_channels,
        in_channels=6,
        out_channels=3,
        add_attention=False,
        norm_num_groups=g,
    )
    clip_text = dict(
        hidden_size=clip_dim, intermediate_size=48 * u, projection_dim=clip_dim, num_hidden_layers=12,
        num_attention_heads=12, max_position_embeddings=77, hidden_act="quick_gelu", vocab_size=vocab_size,
    )
    return {
        "text_encoder": ("CLIPTextModelWithProjection", {"config": clip_text}),
        # PriorTransformer's defaults are Karlo's prior (the conversion script passes none).
        "prior": ("PriorTransformer", dict(num_attention_heads=32, attention_head_dim=u, num_layers=20,
                                           embedding_dim=clip_dim, num_embeddings=77, additional_embeddings=4)),
        "text_proj": ("UnCLIPTextProjModel", dict(clip_extra_context_tokens=4, clip_embeddings_dim=clip_dim,
                                                  time_embed_dim=decoder_channels[0] * 4,
                                                  cross_attention_dim=24 * u)),
        "decoder": ("UNet2DConditionModel", dict(
            sample_size=64,
            layers_per_block=3,
            down_block_types=("ResnetDownsampleBlock2D",) + ("SimpleCrossAttnDownBlock2D",) * 3,
            up_block_types=("SimpleCrossAttnUpBlock2D",) * 3 + ("ResnetUpsampleBlock2D",),
            mid_block_type="UNetMidBlock2DSimpleCrossAttn",
            block_out_channels=decoder_channels,
            in_channels=3,
            out_channels=6,
            cross_attention_dim=24 * u,  # 1536
            class_embed_type="identity",
            attention_head_dim=u,  # 64: the head width, as in the conversion script
            resnet_time_scale_shift="scale_shift",
            norm_num_groups=g,
        )),
        "super_res_first": ("UNet2DModel", dict(super_res)),
        "super_res_last": ("UNet2DModel", dict(super_res)),
        "image_encoder": ("CLIPVisionModelWithProjection", {"config": dict(
            hidden_size=16 * u, intermediate_size=64 * u, projection_dim=clip_dim, num_hidden_layers=24,
            num_attention_heads=16, image_size=224, patch_size=14, hidden_act="quick_gelu",
        )}),
        # The x4 upscaler's text encoder: OpenCLIP ViT-H/14's text tower up to its penultimate layer.
        "upscaler_text_encoder": ("CLIPTextModel", {"config": dict(
            hidden_size=16 * u, intermediate_size=64 * u, projection_dim=8 * u, num_hidden_layers=23,
            num_attention_heads=16, max_position_embeddings=77, hidden_act="gelu", vocab_size=vocab_size,
        )}),
        "upscaler_unet": ("UNet2DConditionModel", dict(
            sample_size=128,
            in_channels=7,  # 4 latent + 3 low-resolution RGB
            out_channels=4,
            layers_per_block=2,
            block_out_channels=(4 * u, 8 * u, 8 * u, 16 * u),  # (256, 512, 512, 1024)
            down_block_types=("DownBlock2D",) + ("CrossAttnDownBlock2D",) * 3,
            up_block_types=("CrossAttnUpBlock2D",) * 3 + ("UpBlock2D",),
            only_cross_attention=(True, True, True, False),
            cross_attention_dim=16 * u,  # 1024
            attention_head_dim=8,  # diffusers' legacy name: 8 heads
            num_class_embeds=1000,  # noise-level conditioning
            use_linear_projection=True,
            norm_num_groups=g,
        )),
        "upscaler_vae": ("AutoencoderKL", dict(
            in_channels=3,
            out_channels=3,
            down_block_types=("DownEncoderBlock2D",) * 3,
            up_block_types=("UpDecoderBlock2D",) * 3,
            block_out_channels=(2 * u, 4 * u, 8 * u),  # (128, 256, 512)
            latent_channels=4,
            layers_per_block=2,
            sample_size=256,
            scaling_factor=0.08333,
            norm_num_groups=g,
        )),
    }


def _instantiate(class_name: str, kwargs: dict, extra_config: dict | None = None) -> torch.nn.Module:
    import diffusers
    import transformers

    if "config" in kwargs:
        model_class = getattr(transformers, class_name)
        config_class = transformers.CLIPVisionConfig if "Vision" in class_name else transformers.CLIPTextConfig
        return model_class(config_class(**kwargs["config"], **(extra_config or {})))
    if class_name == "UnCLIPTextProjModel":
        register_unclip_alias()
        from diffusers.pipelines.deprecated.unclip.text_proj import UnCLIPTextProjModel

        return UnCLIPTextProjModel(**kwargs)
    return getattr(diffusers, class_name)(**kwargs)


def parameter_counts(scale: float = 1.0) -> dict[str, int]:
    """Return each component's parameter count at ``scale`` without allocating any weights.

    The networks are constructed on PyTorch's ``meta`` device (shapes only), so full size costs
    a few seconds of Python and no memory.
    """
    counts = {}
    with torch.device("meta"):
        for name, (class_name, kwargs) in component_specs(scale).items():
            module = _instantiate(class_name, kwargs)
            counts[name] = sum(p.numel() for p in module.parameters())
            del module
    return counts


def build(path: str | os.PathLike, *, scale: float = 1.0, dtype: torch.dtype = torch.float16,
          device: str | torch.device | None = None, log: Callable[[str], Any] = print) -> Path:
    """Write the timing model (random weights: it paints noise) to ``path`` and return it.

    Each network is initialised on ``device`` (default: CUDA when available -- random init of
    billions of parameters is minutes on a CPU, seconds on a GPU), cast to ``dtype`` at once, and
    saved; the directory appears only when complete (written to a temporary sibling, renamed).
    An existing ``path`` is replaced.

    Args:
        path: Target directory.
        scale: Width factor; 1.0 is Karlo's size.
        dtype: Weight type written (fp16 halves disk and load time; the loader casts anyway).
        device: Where the random weights are drawn.
        log: Called with one line per component (its parameter count).

    Returns:
        The directory as a `Path`.
    """
    target = Path(path)
    device = torch.device(device or ("cuda" if torch.cuda.is_available() else "cpu"))
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.tmp-", dir=target.parent))
    try:
        counts = _write_all(staging, scale, dtype, device, log)
        if target.exists():
            shutil.rmtree(target)
        os.replace(staging, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    log(f"[timing model] {sum(counts.values()) / 1e9:.3f} B parameters in {target} -- {LABEL}")
    return target


def _write_all(root: Path, scale: float, dtype: torch.dtype, device: torch.device, log) -> dict[str, int]:
    from diffusers import StableDiffusionUpscalePipeline, UnCLIPImageVariationPipeline, UnCLIPPipeline
    from transformers import CLIPImageProcessor

    tokenizer = _tokenizer()
    # The byte-level tokenizer's ids: the table keeps CLIP's real size, its last rows are the specials.
    special = dict(bos_token_id=len(tokenizer) - 2, eos_token_id=len(tokenizer) - 1, pad_token_id=len(tokenizer) - 1)
    specs = component_specs(scale)
    counts: dict[str, int] = {}

    def make(name: str, seed: int) -> torch.nn.Module:
        started = time.perf_counter()
        torch.manual_seed(seed)
        class_name, kwargs = specs[name]
        with torch.device(device):
            module = _instantiate(class_name, kwargs, special if "config" in kwargs else None)
        module = module.to(dtype=dtype).eval()
        counts[name] = sum(p.numel() for p in module.parameters())
        log(f"[timing model]   {name:<22} {class_name:<30} {counts[name] / 1e6:9.2f} M parameters "
            f"({time.perf_counter() - started:.1f} s)")
        return module

    log(f"[timing model] building Karlo's architecture at scale {scale} (width unit {unit(scale)}), "
        f"{dtype}, random weights drawn on {device} -- {LABEL}")
    rng_devices = [device.index if device.index is not None else torch.cuda.current_device()] \
        if device.type == "cuda" else []
    with torch.random.fork_rng(devices=rng_devices):
        parts = {name: make(name, _SEED + i)
                 for i, name in enumerate(("text_encoder", "prior", "text_proj", "decoder",
                                           "super_res_first", "super_res_last"))}
        unclip = UnCLIPPipeline(tokenizer=tokenizer, **parts, **unclip_schedulers())
        unclip.save_pretrained(root)
        variations = UnCLIPImageVariationPipeline(
            image_encoder=make("image_encoder", _SEED + 6),
            feature_extractor=CLIPImageProcessor(),  # CLIP's 224x224 preprocessing, as Karlo's
            **{name: getattr(unclip, name) for name in (
                "decoder", "text_encoder", "tokenizer", "text_proj", "super_res_first", "super_res_last",
                "decoder_scheduler", "super_res_scheduler")},
        )
        variations.save_pretrained(root / "image_variations")
        for shared in ("decoder", "text_encoder", "tokenizer", "text_proj", "super_res_first",
                       "super_res_last", "decoder_scheduler", "super_res_scheduler"):
            shutil.rmtree(root / "image_variations" / shared, ignore_errors=True)
        del unclip, variations, parts  # free the cascade before the upscaler is drawn
        upscaler = StableDiffusionUpscalePipeline(
            vae=make("upscaler_vae", _SEED + 7),
            text_encoder=make("upscaler_text_encoder", _SEED + 8),
            tokenizer=tokenizer,
            unet=make("upscaler_unet", _SEED + 9),
            **upscaler_schedulers(),
            safety_checker=None,
            feature_extractor=None,
            watermarker=None,
            max_noise_level=350,
        )
        upscaler.save_pretrained(root / "upscaler")
        del upscaler
    if device.type == "cuda":
        torch.cuda.empty_cache()
    _label(root, scale, dtype, counts)
    return counts


def _label(root: Path, scale: float, dtype: torch.dtype, counts: dict[str, int]) -> None:
    """Mark the directory as a timing model in every place a person or a loader looks."""
    note = f"{LABEL}: Karlo's architecture with random weights, for timing and memory only."
    for index in (root / "model_index.json", root / "image_variations" / "model_index.json",
                  root / "upscaler" / "model_index.json"):
        config = json.loads(index.read_text())
        config["_hallmark_note"] = note  # diffusers ignores keys that start with "_"
        index.write_text(json.dumps(config, indent=2) + "\n")
    lines = [f"# {LABEL}", "", note, "",
             f"Built by `python -m generation.timing_model` at scale {scale} (width unit {unit(scale)}), {dtype}.",
             "", "| component | parameters |", "|---|---:|"]
    lines += [f"| {name} | {count / 1e6:.2f} M |" for name, count in counts.items()]
    (root / "README.md").write_text("\n".join(lines) + "\n")
    manifest = {
        "model_id": TIMING_MODEL_ID if scale == 1.0 else f"{TIMING_MODEL_ID}-scale-{scale:g}",
        "image_variations": "image_variations",
        "upscaler": "upscaler",
        "note": note,
        "scale": scale,
        "parameters": counts,
    }
    (root / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")


def main(argv: list[str] | None = None) -> int:
    """Command line: ``python -m generation.timing_model DIR [--dtype fp16] [--scale 1.0]``."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("directory", help="where to write the timing model (replaced if it exists)")
    parser.add_argument("--dtype", choices=("fp16", "bf16", "fp32"), default="fp16")
    parser.add_argument("--scale", type=float, default=1.0, help="width factor (1.0 = Karlo's size)")
    parser.add_argument("--device", default=None, help="where random weights are drawn (default cuda if available)")
    parser.add_argument("--counts-only", action="store_true",
                        help="print each component's parameter count (no weights allocated) and exit")
    args = parser.parse_args(argv)
    if args.counts_only:
        print(f"parameter counts at scale {args.scale} ({LABEL}; nothing allocated):")
        for name, count in parameter_counts(args.scale).items():
            published = PUBLISHED_PARAMETERS.get(name) if args.scale == 1.0 else None
            versus = f"   published {published / 1e6:8.1f} M ({count / published - 1:+.1%})" if published else ""
            print(f"  {name:<22} {count / 1e6:9.2f} M{versus}")
        return 0
    dtype = {"fp16": torch.float16, "bf16": torch.bfloat16, "fp32": torch.float32}[args.dtype]
    path = build(args.directory, scale=args.scale, dtype=dtype, device=args.device)
    print(f"{LABEL} (random weights) ready in {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
