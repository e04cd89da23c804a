"""The four denoising stages of the cascade, with per-step progress and optional masked sampling.

diffusers' unCLIP pipelines run prior, decoder and super-resolution inside one ``__call__`` with
no step callback and no mask, so the loops are restated here on the pipelines' own components and
schedulers, following ``UnCLIPPipeline.__call__`` and ``StableDiffusionUpscalePipeline.__call__``
step for step. What they add:

* a `Progress` report after every step (the platform's progress bar and cancel button);
* a `Known` region: after each step the pixels (or latents) outside the edit mask are replaced by
  the original noised to the next timestep -- blended-diffusion / RePaint style inpainting, so the
  model fills the hole in a way that agrees with its surroundings and the kept area stays put.

All tensors are batched: ``n`` images go through every network call together. ``generator`` is
either one ``torch.Generator`` for the whole batch, or a list of ``(torch.Generator, rows)`` -- one
per job of a cross-job batch, in row order. Every random draw and every scheduler step is then made
per job on that job's rows with that job's generator, so a job draws exactly the noise it would
draw alone (network calls stay batched; scheduler steps are elementwise, so slicing is exact).
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from diffusers.utils.torch_utils import randn_tensor

from .progress import DECODER, PRIOR, SUPER_RESOLUTION, UPSCALE_1024, Progress


@dataclass
class Known:
    """What masked sampling keeps: ``sample`` (the clean original, in the stage's sample space,
    batch 1) where ``keep`` (B=1, 1, H, W, values in [0, 1]) is 1."""

    sample: torch.Tensor
    keep: torch.Tensor


@dataclass
class TextCondition:
    """CLIP text encoding for classifier-free guidance: unconditional half first, then conditional."""

    embeds: torch.Tensor
    hidden_states: torch.Tensor
    mask: torch.Tensor


Seeds = "torch.Generator | list[tuple[torch.Generator, int]] | None"


def _groups(generator, batch: int) -> list[tuple]:
    """Return ``[(generator, rows), ...]`` covering the batch."""
    if isinstance(generator, list):
        if sum(rows for _, rows in generator) != batch:
            raise ValueError("per-job generators do not cover the batch")
        return generator
    return [(generator, batch)]


def _randn(shape, generator, device, dtype) -> torch.Tensor:
    """Gaussian noise of ``shape``, each job's rows drawn from that job's generator in one call."""
    return torch.cat([randn_tensor((rows, *shape[1:]), generator=g, device=device, dtype=dtype)
                      for g, rows in _groups(generator, shape[0])])


def _step(scheduler, noise_pred, t, sample, generator, **kwargs) -> torch.Tensor:
    """``scheduler.step`` per job slice, so variance noise comes from each job's own generator."""
    out, start = [], 0
    for g, rows in _groups(generator, sample.shape[0]):
        out.append(scheduler.step(noise_pred[start:start + rows], t, sample[start:start + rows],
                                  generator=g, **kwargs).prev_sample)
        start += rows
    return torch.cat(out)


def _impose(sample: torch.Tensor, known: Known | None, scheduler, timestep, generator) -> torch.Tensor:
    """Replace the known region of ``sample`` by the original noised to ``timestep`` (None = clean)."""
    if known is None:
        return sample
    original = known.sample.to(sample.dtype).expand_as(sample)
    if timestep is not None:
        noise = _randn(sample.shape, generator, sample.device, sample.dtype)
        t = torch.as_tensor(timestep, device=sample.device).reshape(1).long()
        original = scheduler.add_noise(original, noise, t)
    keep = known.keep.to(sample.dtype)
    return keep * original + (1 - keep) * sample


def run_prior(pipe, text: TextCondition, batch: int, steps: int, guidance: float, generator,
              progress: Progress) -> torch.Tensor:
    """Denoise CLIP image embeddings from the text condition (``UnCLIPPipeline``'s prior section)."""
    scheduler = pipe.prior_scheduler
    device = text.embeds.device
    scheduler.set_timesteps(steps, device=device)
    timesteps = scheduler.timesteps
    latents = _randn((batch, pipe.prior.config.embedding_dim), generator, device,
                     text.embeds.dtype) * scheduler.init_noise_sigma
    for i in progress.steps(PRIOR, len(timesteps)):
        t = timesteps[i]
        predicted = pipe.prior(
            torch.cat([latents] * 2),
            timestep=t,
            proj_embedding=text.embeds,
            encoder_hidden_states=text.hidden_states,
            attention_mask=text.mask,
        ).predicted_image_embedding
        uncond, cond = predicted.chunk(2)
        predicted = uncond + guidance * (cond - uncond)
        prev = timesteps[i + 1] if i + 1 < len(timesteps) else None
        latents = _step(scheduler, predicted, t, latents, generator, prev_timestep=prev)
    return pipe.prior.post_process_latents(latents)


def run_decoder(pipe, text: TextCondition, image_embeddings: torch.Tensor, steps: int, guidance: float,
                generator, progress: Progress, known: Known | None = None) -> torch.Tensor:
    """Decode image embeddings to 64x64 RGB in [-1, 1] (``UnCLIPPipeline``'s decoder section)."""
    hidden_states, additive_clip_time_embeddings = pipe.text_proj(
        image_embeddings=image_embeddings,
        prompt_embeds=text.embeds,
        text_encoder_hidden_states=text.hidden_states,
        do_classifier_free_guidance=True,
    )
    # text_proj prepends extra context tokens made from the image embedding; they are always attended.
    attention_mask = F.pad(text.mask, (pipe.text_proj.clip_extra_context_tokens, 0), value=True)
    scheduler = pipe.decoder_scheduler
    device = hidden_states.device
    scheduler.set_timesteps(steps, device=device)
    timesteps = scheduler.timesteps
    size = pipe.decoder.config.sample_size
    batch = image_embeddings.shape[0]
    latents = _randn((batch, pipe.decoder.config.in_channels, size, size), generator, device,
                     hidden_states.dtype) * scheduler.init_noise_sigma
    latents = _impose(latents, known, scheduler, timesteps[0], generator)
    for i in progress.steps(DECODER, len(timesteps)):
        t = timesteps[i]
        model_input = torch.cat([latents] * 2)
        noise_pred = pipe.decoder(
            sample=model_input,
            timestep=t,
            encoder_hidden_states=hidden_states,
            class_labels=additive_clip_time_embeddings,
            attention_mask=attention_mask,
        ).sample
        uncond, cond = noise_pred.chunk(2)
        uncond, _ = uncond.split(model_input.shape[1], dim=1)
        cond, predicted_variance = cond.split(model_input.shape[1], dim=1)
        noise_pred = torch.cat([uncond + guidance * (cond - uncond), predicted_variance], dim=1)
        prev = timesteps[i + 1] if i + 1 < len(timesteps) else None
        latents = _step(scheduler, noise_pred, t, latents, generator, prev_timestep=prev)
        latents = _impose(latents, known, scheduler, prev, generator)
    return latents.clamp(-1, 1)


def run_super_resolution(pipe, image_small: torch.Tensor, steps: int, generator, progress: Progress,
                         known: Known | None = None) -> torch.Tensor:
    """Diffuse 64x64 up to 256x256 RGB in [-1, 1] (``UnCLIPPipeline``'s super-resolution section)."""
    scheduler = pipe.super_res_scheduler
    device = image_small.device
    scheduler.set_timesteps(steps, device=device)
    timesteps = scheduler.timesteps
    size = pipe.super_res_first.config.sample_size
    channels = pipe.super_res_first.config.in_channels // 2
    latents = _randn((image_small.shape[0], channels, size, size), generator, device,
                     image_small.dtype) * scheduler.init_noise_sigma
    latents = _impose(latents, known, scheduler, timesteps[0], generator)
    antialias = {"antialias": True} if "antialias" in inspect.signature(F.interpolate).parameters else {}
    upscaled = F.interpolate(image_small, size=[size, size], mode="bicubic", align_corners=False, **antialias)
    for i in progress.steps(SUPER_RESOLUTION, len(timesteps)):
        t = timesteps[i]
        # Karlo trains a separate UNet for the last, noise-free step.
        unet = pipe.super_res_last if i == len(timesteps) - 1 else pipe.super_res_first
        noise_pred = unet(sample=torch.cat([latents, upscaled], dim=1), timestep=t).sample
        prev = timesteps[i + 1] if i + 1 < len(timesteps) else None
        latents = _step(scheduler, noise_pred, t, latents, generator, prev_timestep=prev)
        latents = _impose(latents, known, scheduler, prev, generator)
    # Clamped here, not only at conversion: the x4 upscaler takes this as its [-1, 1] input.
    return latents.clamp(-1, 1)


def encode_latents(upscaler, pixels: torch.Tensor) -> torch.Tensor:
    """Return the x4 upscaler VAE's scaled latents of ``pixels`` in [-1, 1] (used for masked upscaling)."""
    vae = upscaler.vae
    latents = vae.encode(pixels.to(vae.dtype)).latent_dist.mode()
    return latents * vae.config.scaling_factor


def run_upscale(upscaler, image: torch.Tensor, prompts: list[str], steps: int, guidance: float,
                noise_level: int, generator, progress: Progress, known: Known | None = None) -> torch.Tensor:
    """Diffuse 256x256 RGB in [-1, 1] up to 1024x1024 with the x4 latent upscaler
    (``StableDiffusionUpscalePipeline.__call__``). ``known`` lives in the upscaler's latent space."""
    device = image.device
    dtype = upscaler.unet.dtype
    do_cfg = guidance > 1.0
    prompt_embeds, negative_embeds = upscaler.encode_prompt(prompts, device, 1, do_cfg)
    if do_cfg:
        prompt_embeds = torch.cat([negative_embeds, prompt_embeds])
    image = image.to(dtype)
    # The model was trained on noise-augmented low-resolution inputs; it expects that noise level.
    level = torch.tensor([noise_level], dtype=torch.long, device=device)
    noise = _randn(image.shape, generator, device, dtype)
    image = upscaler.low_res_scheduler.add_noise(image, noise, level)
    multiplier = 2 if do_cfg else 1
    image = torch.cat([image] * multiplier)
    level = level.expand(image.shape[0])

    scheduler = upscaler.scheduler
    scheduler.set_timesteps(steps, device=device)
    timesteps = scheduler.timesteps
    latents = _randn((image.shape[0] // multiplier, upscaler.vae.config.latent_channels, image.shape[2],
                      image.shape[3]), generator, device, dtype) * scheduler.init_noise_sigma
    latents = _impose(latents, known, scheduler, timesteps[0], generator)
    # DDIM with eta 0 draws no noise, so the step can run on the whole batch.
    extra = upscaler.prepare_extra_step_kwargs(None, 0.0)
    for i in progress.steps(UPSCALE_1024, len(timesteps)):
        t = timesteps[i]
        model_input = scheduler.scale_model_input(torch.cat([latents] * multiplier), t)
        noise_pred = upscaler.unet(
            torch.cat([model_input, image], dim=1), t, encoder_hidden_states=prompt_embeds, class_labels=level,
            return_dict=False,
        )[0]
        if do_cfg:
            uncond, cond = noise_pred.chunk(2)
            noise_pred = uncond + guidance * (cond - uncond)
        latents = scheduler.step(noise_pred, t, latents, **extra, return_dict=False)[0]
        latents = _impose(latents, known, scheduler, timesteps[i + 1] if i + 1 < len(timesteps) else None,
                          generator)
    vae = upscaler.vae
    # One image at a time through the VAE decoder: at 1024x1024 its activations dominate peak memory,
    # and decoding is cheap next to the denoising loop that did run batched.
    decoded = [vae.decode(latent[None].to(vae.dtype) / vae.config.scaling_factor, return_dict=False)[0]
               for latent in latents]
    return torch.cat(decoded).float().clamp(-1, 1)
