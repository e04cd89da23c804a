"""Default model sources and per-stage settings (no heavy imports: the web tier reads these too)."""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_SOURCE = "kakaobrain/karlo-v1-alpha"
DEFAULT_IMAGE_ENCODER_SOURCE = "kakaobrain/karlo-v1-alpha-image-variations"
DEFAULT_UPSCALER_SOURCE = "stabilityai/stable-diffusion-x4-upscaler"


@dataclass(frozen=True)
class StepDefaults:
    """Denoising steps and guidance per stage; Karlo's own defaults for the first three stages."""

    prior_steps: int = 25
    decoder_steps: int = 25
    super_res_steps: int = 7
    # The x4 upscaler's pipeline default is 75 DDIM steps; 20 keeps a 1024 image within seconds on
    # a GPU (the stage runs at 256x256 latents, the cascade's costliest resolution).
    upscale_steps: int = 20
    prior_guidance: float = 4.0
    decoder_guidance: float = 8.0
    upscale_guidance: float = 9.0
    upscale_noise_level: int = 20
