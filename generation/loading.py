"""Load the three parts of the cascade once, sharing every component they have in common.

* the unCLIP pipeline (text encoder, prior, text_proj, decoder, two super-resolution UNets);
* what image variations add: the CLIP image encoder and its feature extractor, loaded through
  ``UnCLIPImageVariationPipeline.from_pretrained`` with the unCLIP components passed in, so
  diffusers neither downloads nor instantiates them a second time;
* the 4x latent upscaler (``StableDiffusionUpscalePipeline``) for 1024x1024 and 512x512 outputs.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import torch

from .compat import register_unclip_alias
from .defaults import DEFAULT_IMAGE_ENCODER_SOURCE, DEFAULT_UPSCALER_SOURCE
from .errors import ModelLoadError

MANIFEST = "hallmark.json"  # optional file in a local model directory; see docs/generation.md

# Components of the unCLIP pipeline that the image-variation pipeline reuses as they are.
SHARED_WITH_VARIATIONS = (
    "decoder", "text_encoder", "tokenizer", "text_proj", "super_res_first", "super_res_last",
    "decoder_scheduler", "super_res_scheduler",
)
_HUB_ID = re.compile(r"^[A-Za-z0-9][\w.-]*/[\w.-]+$")


@dataclass
class Sources:
    """Where each part comes from, and the name the model is reported under."""

    unclip: str
    image_variations: str
    upscaler: str
    model_id: str
    cpu_threads: int | None = None


@dataclass
class Loaded:
    """The loaded pipelines (sharing modules), their placement and identity."""

    unclip: Any
    variations: Any
    upscaler: Any
    device: torch.device
    dtype: torch.dtype
    sources: Sources
    model_version: str


def pick_device(device: str | torch.device | None, dtype: torch.dtype | str | None) -> tuple[torch.device, torch.dtype]:
    """Return (device, dtype): CUDA + fp16 when a GPU is there, CPU + fp32 otherwise, unless given."""
    resolved = torch.device(device) if device is not None else torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if isinstance(dtype, str):
        dtype = getattr(torch, dtype)
    if dtype is None:
        # fp16 halves memory and is what Karlo is run in on GPUs; CPUs lack fast fp16 kernels.
        dtype = torch.float16 if resolved.type == "cuda" else torch.float32
    return resolved, dtype


def resolve_sources(source: str | os.PathLike, image_encoder_source: str | os.PathLike | None,
                    upscaler_source: str | os.PathLike | None) -> Sources:
    """Work out the three sources: explicit arguments win, then a local directory's manifest or
    subfolders (``image_variations/``, ``upscaler/``), then the hub defaults.

    Raises:
        ModelLoadError: ``source`` names a local path that does not exist, or its manifest is unreadable.
    """
    root = _local_path(source, "model")
    manifest: dict[str, Any] = {}
    if root is not None:
        if (root / MANIFEST).is_file():
            try:
                manifest = json.loads((root / MANIFEST).read_text())
            except (OSError, ValueError) as exc:
                raise ModelLoadError(f"model manifest {root / MANIFEST} is unreadable: {exc}") from exc

    def part(explicit, key: str, default: str) -> str:
        if explicit is not None:
            local = _local_path(explicit, key.replace("_", " "))
            return str(local) if local is not None else str(explicit)
        if root is not None:
            named = manifest.get(key)
            if named:
                return str(root / named)
            if (root / key).is_dir():
                return str(root / key)
        return default

    return Sources(
        unclip=str(root) if root is not None else str(source),
        image_variations=part(image_encoder_source, "image_variations", DEFAULT_IMAGE_ENCODER_SOURCE),
        upscaler=part(upscaler_source, "upscaler", DEFAULT_UPSCALER_SOURCE),
        model_id=str(manifest.get("model_id") or (root.name if root is not None else source)),
        cpu_threads=manifest.get("cpu_threads"),
    )


def _local_path(source: str | os.PathLike, what: str) -> Path | None:
    """Return the source as a Path if it is a local directory, None if it is a hub id."""
    path = Path(source).expanduser()
    if path.is_dir():
        return path.resolve()
    if path.exists():
        raise ModelLoadError(f"{what} source {source} is a file, not a model directory")
    if isinstance(source, os.PathLike) or not _HUB_ID.match(str(source)):
        raise ModelLoadError(f"{what} directory {source} does not exist")
    return None


def load(sources: Sources, *, device: torch.device, dtype: torch.dtype, cpu_offload: bool,
         log: Callable[[str], Any]) -> Loaded:
    """Load and place all three pipelines, logging one line per part and per component.

    Raises:
        ModelLoadError: a part is missing, corrupt, or (for a hub id) not downloadable.
    """
    from diffusers import StableDiffusionUpscalePipeline, UnCLIPImageVariationPipeline, UnCLIPPipeline

    register_unclip_alias()
    started = time.perf_counter()
    unclip = _from_pretrained(UnCLIPPipeline, "unCLIP pipeline", sources.unclip, dtype, log)
    shared = {name: getattr(unclip, name) for name in SHARED_WITH_VARIATIONS}
    variations = _from_pretrained(UnCLIPImageVariationPipeline, "image encoder (variations)",
                                  sources.image_variations, dtype, log, **shared)
    upscaler = _from_pretrained(StableDiffusionUpscalePipeline, "x4 upscaler", sources.upscaler, dtype, log)

    for pipe in (unclip, variations, upscaler):
        pipe.set_progress_bar_config(disable=True)  # jobs report through their own progress callback
    if dtype == torch.float16 and upscaler.vae.config.get("force_upcast", True):
        # The x4 upscaler's VAE overflows in fp16 (diffusers upcasts it per call; once is enough).
        upscaler.vae.to(dtype=torch.float32)

    try:
        _place(unclip, variations, upscaler, device, cpu_offload, log)
    except (RuntimeError, AssertionError, ValueError) as exc:
        raise ModelLoadError(f"could not move the model to {device}: {exc}") from exc

    version = model_version([sources.unclip, sources.image_variations, sources.upscaler])
    log(f"[generation] ready: {sources.model_id} ({version}) on {device}, {dtype}, "
        f"in {time.perf_counter() - started:.1f} s")
    return Loaded(unclip, variations, upscaler, device, dtype, sources, version)


def _place(unclip, variations, upscaler, device: torch.device, cpu_offload: bool, log) -> None:
    if cpu_offload and device.type != "cpu":
        # Submodules move to the GPU only while they run: slower, but fits small cards.
        unclip.enable_model_cpu_offload(device=device)
        upscaler.enable_model_cpu_offload(device=device)
        variations.image_encoder.to(device)
        log(f"[generation] model CPU offload enabled on {device}")
        return
    if cpu_offload:
        log("[generation] cpu_offload ignored: the device is already the CPU")
    unclip.to(device)
    upscaler.to(device)
    variations.image_encoder.to(device)


def _from_pretrained(pipeline_class, what: str, source: str, dtype: torch.dtype, log, **components):
    log(f"[generation] loading {what} from {source} ...")
    started = time.perf_counter()
    try:
        pipe = pipeline_class.from_pretrained(source, dtype=dtype, **components)
    except Exception as exc:  # noqa: BLE001 - any failure here means "this model cannot be used"
        hint = "" if Path(source).exists() else " (a hub id needs network access or a filled Hugging Face cache)"
        raise ModelLoadError(f"could not load the {what} from {source}{hint}: {type(exc).__name__}: {exc}") from exc
    for name, module in pipe.components.items():
        if name in components or not isinstance(module, torch.nn.Module):
            continue
        params = sum(p.numel() for p in module.parameters())
        log(f"[generation]   {name:<18} {type(module).__name__:<30} {params / 1e6:8.2f} M parameters")
    log(f"[generation] loaded {what} in {time.perf_counter() - started:.1f} s")
    return pipe


def model_version(sources: list[str]) -> str:
    """Return a short, stable fingerprint of the weights behind ``sources``.

    Hashes every config/tokenizer file's bytes and every weight file's name and size -- not the
    weight bytes, which would take minutes for real checkpoints. Hub ids are resolved to their
    cached snapshot folder (named for the commit) when one exists.
    """
    digest = hashlib.sha256()
    for source in sources:
        folder = Path(source) if Path(source).is_dir() else _cached_snapshot(source)
        if folder is None:
            digest.update(source.encode())  # not cached locally: the id is all we know
            continue
        # A hub snapshot folder is named for its commit; a local folder's name is irrelevant.
        digest.update(b"" if folder == Path(source) else folder.name.encode())
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            rel = path.relative_to(folder).as_posix()
            if rel.startswith(".") or "/." in rel:
                continue
            digest.update(rel.encode())
            if path.suffix in (".json", ".txt", ".model"):
                digest.update(path.read_bytes())
            else:
                digest.update(str(path.stat().st_size).encode())
    return "sha256-" + digest.hexdigest()[:12]


def _cached_snapshot(repo_id: str) -> Path | None:
    try:
        from huggingface_hub import snapshot_download

        return Path(snapshot_download(repo_id, local_files_only=True))
    except Exception:  # noqa: BLE001 - not cached: fall back to hashing the id itself
        return None
