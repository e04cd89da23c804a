"""unCLIP "text diffs": move a CLIP image embedding along the direction between two captions.

Ramesh et al. 2022, section 3.3: with ``z_i`` the photo's CLIP image embedding and ``z_t0``,
``z_t`` the CLIP text embeddings of a caption of the photo and of the target, the text diff is
``z_d = norm(z_t - z_t0)``, and the edited embedding is ``slerp(z_i, z_d, amount)``. Here the result
is scaled back to ``|z_i|``, the norm of the embeddings the decoder was trained on. No torch work
here beyond tensor arithmetic; the caller encodes the prompts and the photo.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from .errors import InvalidRequest

# The caption the direction starts from when the caller gives none: neutral about style and content.
DEFAULT_FROM_PROMPT = "a photo"


def check_amount(amount: object) -> float:
    """Return ``amount`` as a float if it is a finite number in [0, 1]."""
    if isinstance(amount, bool) or not isinstance(amount, (int, float)) or not math.isfinite(amount) \
            or not 0.0 <= amount <= 1.0:
        raise InvalidRequest(f"amount must be a number from 0 to 1, got {amount!r}", param="amount")
    return float(amount)


def check_different(from_prompt: str, to_prompt: str) -> None:
    """Refuse identical captions: their difference has no direction."""
    if " ".join(from_prompt.split()).casefold() == " ".join(to_prompt.split()).casefold():
        raise InvalidRequest("to_prompt must differ from from_prompt: the restyle follows their difference",
                             param="to_prompt", code="same_prompts")


def slerp(a: torch.Tensor, b: torch.Tensor, t: float) -> torch.Tensor:
    """Spherical interpolation between unit vectors ``a`` and ``b`` (rows), ``t`` in [0, 1]."""
    cos = (a * b).sum(dim=-1, keepdim=True).clamp(-1.0, 1.0)
    omega = torch.arccos(cos)
    sin = torch.sin(omega)
    # (Nearly) parallel vectors: the arc is a line, and sin(omega) would divide by ~0.
    linear = F.normalize((1 - t) * a + t * b, dim=-1)
    spherical = (torch.sin((1 - t) * omega) * a + torch.sin(t * omega) * b) / sin.clamp_min(1e-7)
    return torch.where(sin > 1e-4, spherical, linear)


def shift(image_embeds: torch.Tensor, from_embeds: torch.Tensor, to_embeds: torch.Tensor,
          amount: float) -> torch.Tensor:
    """Return ``image_embeds`` rotated toward the text diff ``to - from`` by ``amount``, norm kept.

    Args:
        image_embeds: (B, D) CLIP image embeddings of the photo.
        from_embeds, to_embeds: (1, D) or (B, D) CLIP text embeddings of the two captions.
        amount: 0 returns ``image_embeds`` unchanged (the same tensor); 1 the text diff itself.

    Raises:
        InvalidRequest: the two captions have (numerically) the same embedding.
    """
    if amount == 0.0:
        # Exactly the embedding the inversion used, so decoding retraces it bit for bit.
        return image_embeds
    difference = (to_embeds - from_embeds).float()
    if bool((difference.norm(dim=-1) < 1e-6).any()):
        raise InvalidRequest("to_prompt and from_prompt have the same CLIP embedding; nothing to move along",
                             param="to_prompt", code="same_prompts")
    unit = F.normalize(image_embeds.float(), dim=-1)
    moved = slerp(unit, F.normalize(difference, dim=-1), amount)
    return (moved * image_embeds.float().norm(dim=-1, keepdim=True)).to(image_embeds.dtype)
