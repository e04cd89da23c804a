"""DDIM inversion and DDIM sampling of the unCLIP decoder (64x64), for restyles.

unCLIP's "text diffs" (Ramesh et al. 2022, section 3.3) keep a photo's layout by finding the noise
that the decoder turns back into the photo -- deterministic DDIM run backwards from the clean
image -- and then decoding that same noise under a changed CLIP image embedding.

Both directions use diffusers' `DDIMScheduler` / `DDIMInverseScheduler` on the decoder's own noise
schedule (its betas are copied, so the alphas match the ones it was trained with) with the same
timesteps, and evaluate the decoder without classifier-free guidance: inversion is only exact for
the network that decodes, and guidance would decode a different trajectory than the one inverted
(the reason null-text inversion exists). The decoder's learned-variance channels are ignored:
DDIM with eta=0 needs only the predicted noise.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from diffusers import DDIMInverseScheduler, DDIMScheduler

from .progress import DECODER, INVERSION, Progress
from .sampling import TextCondition


@dataclass
class DecoderCondition:
    """What the decoder is conditioned on, computed once per job (batch 1, no guidance half)."""

    hidden_states: torch.Tensor
    class_labels: torch.Tensor
    attention_mask: torch.Tensor


def condition(pipe, text: TextCondition, image_embeddings: torch.Tensor) -> DecoderCondition:
    """Project the CLIP image embedding and the conditional half of ``text`` for the decoder."""
    rows = image_embeddings.shape[0]
    embeds, hidden, mask = text.embeds[-rows:], text.hidden_states[-rows:], text.mask[-rows:]
    hidden_states, class_labels = pipe.text_proj(
        image_embeddings=image_embeddings.to(embeds.dtype),
        prompt_embeds=embeds,
        text_encoder_hidden_states=hidden,
        do_classifier_free_guidance=False,
    )
    # text_proj prepends extra context tokens made from the image embedding; they are always attended.
    attention_mask = F.pad(mask, (pipe.text_proj.clip_extra_context_tokens, 0), value=True)
    return DecoderCondition(hidden_states, class_labels, attention_mask)


def schedulers(pipe) -> tuple[DDIMScheduler, DDIMInverseScheduler]:
    """Return a fresh DDIM sampler and its inverse on the decoder's noise schedule.

    Fresh per job because schedulers keep per-call timesteps. "leading" spacing with no offset and
    alpha 1 at the clean end makes the two visit exactly the same timesteps in opposite orders.
    """
    trained = pipe.decoder_scheduler
    common = dict(
        num_train_timesteps=trained.config.num_train_timesteps,
        trained_betas=trained.betas.tolist(),
        clip_sample=False,  # clipping x0 would break the symmetry between inversion and sampling
        set_alpha_to_one=True,
        steps_offset=0,
        prediction_type="epsilon",
        timestep_spacing="leading",
    )
    return DDIMScheduler(**common), DDIMInverseScheduler(**common)


def _noise(pipe, cond: DecoderCondition, sample: torch.Tensor, t) -> torch.Tensor:
    output = pipe.decoder(
        sample=sample,
        timestep=t,
        encoder_hidden_states=cond.hidden_states,
        class_labels=cond.class_labels,
        attention_mask=cond.attention_mask,
    ).sample
    return output[:, : sample.shape[1]]  # predicted noise; the rest is the learned variance


def _within(timesteps: torch.Tensor, depth: float, train_steps: int) -> torch.Tensor:
    kept = timesteps[timesteps < depth * train_steps]
    return kept if len(kept) else timesteps[:1] if timesteps[0] < timesteps[-1] else timesteps[-1:]


def invert(pipe, cond: DecoderCondition, image: torch.Tensor, steps: int, progress: Progress,
           depth: float = 1.0) -> torch.Tensor:
    """Return the noise that `sample` decodes back into ``image`` (64x64 in [-1, 1]) under ``cond``.

    Args:
        depth: Invert only through timesteps below ``depth`` x 1000; 1 (the paper) goes to pure
            noise. Pass the same value to `sample`. Less than 1 keeps more of the photo and allows
            less change (the decoder regenerates only what that noise level hides).

    Each decoder call is reported as a step of the ``inversion`` stage.
    """
    _, inverse = schedulers(pipe)
    inverse.set_timesteps(steps, device=image.device)
    timesteps = _within(inverse.timesteps, depth, inverse.config.num_train_timesteps)
    latents = image.to(cond.hidden_states.dtype)
    for i in progress.steps(INVERSION, len(timesteps)):
        t = timesteps[i]
        # DDIM inversion's usual approximation: the noise at the next, noisier level is predicted
        # from the current sample; the error shrinks as the steps get smaller.
        latents = inverse.step(_noise(pipe, cond, latents, t), t, latents).prev_sample
    return latents


def sample(pipe, cond: DecoderCondition, noise: torch.Tensor, steps: int, progress: Progress,
           depth: float = 1.0) -> torch.Tensor:
    """Decode ``noise`` (from `invert` with the same ``steps`` and ``depth``) under ``cond`` with DDIM, eta 0.

    Returns 64x64 RGB in [-1, 1]; reported as the ``decoder`` stage.
    """
    sampler, _ = schedulers(pipe)
    sampler.set_timesteps(steps, device=noise.device)
    timesteps = _within(sampler.timesteps, depth, sampler.config.num_train_timesteps)
    latents = noise
    for i in progress.steps(DECODER, len(timesteps)):
        t = timesteps[i]
        latents = sampler.step(_noise(pipe, cond, latents, t), t, latents, eta=0.0).prev_sample
    return latents.clamp(-1, 1)
