"""`Generator`: DALL-E 2's three jobs -- generations, variations, edits -- on the unCLIP cascade.

    text --CLIP text encoder--> prior --> CLIP image embedding --> decoder (64x64)
         --> super-resolution (256x256) --> x4 latent upscaler (1024x1024) [--> 512x512]

One instance is loaded per worker process and called for every job. Calls are serialised with a
lock because diffusers schedulers keep per-call state (their timesteps) on the shared object.
"""

from __future__ import annotations

import os
import secrets
import threading
from typing import Any, Callable, Sequence

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

from . import batching, inputs, inversion, loading, sampling, text_diff
from .batching import BatchItem, BatchResult
from .errors import Cancelled, GenerationError
from .defaults import DEFAULT_SOURCE, StepDefaults
from .progress import IMAGE_ENCODER, Progress, ProgressCallback
from .sampling import Known, TextCondition

# Composite feather: the regenerated area blends into the original over this many pixels outside the
# mask; every pixel further away is copied from the input bit for bit (the contract is 4 px).
FEATHER_PX = 3


class Generator:
    """The loaded cascade; create it with `Generator.from_pretrained`.

    Attributes:
        model_id: The model's name, e.g. ``"kakaobrain/karlo-v1-alpha"`` or ``"hallmark-tiny-demo"``.
        model_version: A fingerprint of the loaded weights, stable for the same files.
        device: Where the networks run.
        dtype: Their floating-point type.
        defaults: Steps and guidance used when a call does not override them.
    """

    def __init__(self, loaded: loading.Loaded, defaults: StepDefaults | None = None) -> None:
        self._unclip = loaded.unclip
        self._variations = loaded.variations
        self._upscaler = loaded.upscaler
        self.device = loaded.device
        self.dtype = loaded.dtype
        self.sources = loaded.sources
        self.model_id = loaded.sources.model_id
        self.model_version = loaded.model_version
        self.defaults = defaults or StepDefaults()
        self.cpu_threads: int | None = loaded.sources.cpu_threads
        self._lock = threading.Lock()

    @classmethod
    def from_pretrained(
        cls,
        source: str | os.PathLike = DEFAULT_SOURCE,
        *,
        device: str | torch.device | None = None,
        dtype: torch.dtype | str | None = None,
        cpu_offload: bool = False,
        image_encoder_source: str | os.PathLike | None = None,
        upscaler_source: str | os.PathLike | None = None,
        log: Callable[[str], Any] = print,
        cpu_threads: int | None = None,
    ) -> "Generator":
        """Load every component once (minutes for real weights; progress is logged per component).

        Args:
            source: Hub id or local directory of an ``UnCLIPPipeline``. A local directory may also
                hold ``image_variations/`` and ``upscaler/`` (or name them in ``hallmark.json``).
            device: ``"cuda"``, ``"cpu"``, ...; default CUDA when available.
            dtype: Default fp16 on CUDA, fp32 on CPU.
            cpu_offload: Keep weights in CPU memory and move each network to the GPU while it runs.
            image_encoder_source: Where the CLIP image encoder for variations comes from; default
                the directory's ``image_variations/`` or ``kakaobrain/karlo-v1-alpha-image-variations``.
            upscaler_source: The x4 upscaler; default the directory's ``upscaler/`` or
                ``stabilityai/stable-diffusion-x4-upscaler``.
            log: Called with one line of text per loading step.
            cpu_threads: On a CPU device, torch's intra-op thread count while a job runs (restored
                afterwards); default the model manifest's ``cpu_threads`` (1 for the tiny model),
                else torch's own setting.

        Returns:
            A ready `Generator`.

        Raises:
            ModelLoadError: a source is missing, corrupt or unreachable.
        """
        sources = loading.resolve_sources(source, image_encoder_source, upscaler_source)
        resolved_device, resolved_dtype = loading.pick_device(device, dtype)
        loaded = loading.load(sources, device=resolved_device, dtype=resolved_dtype,
                              cpu_offload=cpu_offload, log=log)
        generator = cls(loaded)
        if cpu_threads is not None:
            generator.cpu_threads = cpu_threads
        return generator

    # ----------------------------------------------------------------------------------- jobs

    def generate(self, prompt: str, *, n: int = 1, size: int = 256, seed: int | None = None,
                 steps: int | None = None, guidance: float | None = None,
                 progress: ProgressCallback | None = None) -> list[Image.Image]:
        """Return ``n`` images for a text prompt, generated as one batch.

        Args:
            prompt: 1 to 1000 characters.
            n: Number of images, 1..10.
            size: 256, 512 or 1024 (or ``"1024x1024"``); 512 and 1024 run the x4 upscaler.
            seed: Same seed, size and prompt give the same pixels on the same device; None = random.
            steps: Denoising steps for every stage (default: 25 prior, 25 decoder, 7 super-res, 20 upscale).
            guidance: Decoder classifier-free guidance scale, 1..50 (default 8).
            progress: ``progress(stage, step, total)``; return False or raise `Cancelled` to stop.

        Raises:
            InvalidRequest: a parameter is out of range (``.param`` names it).
            Cancelled: the progress callback cancelled the job.
        """
        prompt = inputs.check_prompt(prompt)
        n, size = inputs.check_n(n), inputs.check_size(size)
        seed, steps = inputs.check_seed(seed), inputs.check_steps(steps)
        guidance = inputs.check_guidance(guidance)
        report = Progress(progress)
        with self._job(seed) as rng:
            text = self._encode_text(prompt, n)
            embeddings = sampling.run_prior(self._unclip, text, n, steps or self.defaults.prior_steps,
                                            self.defaults.prior_guidance, rng.generator, report)
            image = self._decode(text, embeddings, steps, guidance, rng, report)
            return self._finish(image, [prompt] * n, size, steps, rng, report, seed=rng.seed_used)

    def vary(self, image: inputs.ImageInput, *, n: int = 1, size: int = 256, seed: int | None = None,
             steps: int | None = None, progress: ProgressCallback | None = None) -> list[Image.Image]:
        """Return ``n`` variations of an image: decoded from its CLIP image embedding, no prompt.

        Args:
            image: PIL image, bytes or binary file; any size and aspect (CLIP center-crops it).
            n, size, seed, steps, progress: As for `generate`.

        Raises:
            InvalidRequest: the image cannot be decoded, or a parameter is out of range.
            Cancelled: the progress callback cancelled the job.
        """
        picture = inputs.open_image(image).convert("RGB")
        n, size = inputs.check_n(n), inputs.check_size(size)
        seed, steps = inputs.check_seed(seed), inputs.check_steps(steps)
        report = Progress(progress)
        with self._job(seed) as rng:
            report(IMAGE_ENCODER, 0, 1)
            embeddings = self._encode_image(picture).repeat_interleave(n, dim=0)
            report(IMAGE_ENCODER, 1, 1)
            text = self._encode_text("", n)
            decoded = self._decode(text, embeddings, steps, None, rng, report)
            # No prompt to guide the upscaler with: guidance 1 skips the unconditional pass.
            return self._finish(decoded, [""] * n, size, steps, rng, report, seed=rng.seed_used,
                                upscale_guidance=1.0)

    def edit(self, image: inputs.ImageInput, mask: inputs.ImageInput | np.ndarray | None = None, prompt: str = "", *,
             n: int = 1, size: int = 256, seed: int | None = None, steps: int | None = None,
             guidance: float | None = None, progress: ProgressCallback | None = None) -> list[Image.Image]:
        """Regenerate the transparent area of an image to match a prompt; keep everything else.

        The prompt goes through the prior to a CLIP image embedding that conditions the decoder. The
        decoder, super-resolution and upscaler stages sample with the known region clamped to the
        input (noised to each step's level), and the result is composited onto the input with a
        `FEATHER_PX` (3 px) feather, so pixels further than that from the transparent area come back
        bit for bit (the contract is within 2/255 beyond 4 px).

        Args:
            image: A square PIL image, bytes or binary file; resized to ``size``.
            mask: Same size as ``image``; its fully transparent pixels (alpha 0) mark the area to
                regenerate. None: the image's own alpha channel is the mask (OpenAI's convention).
                A bool (H, W) array is the area itself (True = regenerate), for callers that
                brought the upload to canonical RGB + mask already (the platform's intake).
            prompt: Describes the full new image, 1 to 1000 characters.
            n, size, seed, steps, guidance, progress: As for `generate`.

        Raises:
            InvalidRequest: bad prompt, undecodable or non-square image, mask of another size, no
                alpha channel, nothing transparent, or a parameter out of range.
            Cancelled: the progress callback cancelled the job.
        """
        prompt = inputs.check_prompt(prompt)
        picture = inputs.open_image(image, param="image")
        if isinstance(mask, np.ndarray):  # the area itself, from a caller that decoded the upload once
            area = inputs.check_area(mask, picture)
        else:
            mask_picture = None if mask is None else inputs.open_image(mask, param="mask")
            area = inputs.regenerate_mask(picture, mask_picture)
        picture = inputs.square_rgb(picture)
        n, size = inputs.check_n(n), inputs.check_size(size)
        seed, steps = inputs.check_seed(seed), inputs.check_steps(steps)
        guidance = inputs.check_guidance(guidance)
        report = Progress(progress)
        with self._job(seed) as rng:
            decoder_size = self._unclip.decoder.config.sample_size
            super_res_size = self._unclip.super_res_first.config.sample_size
            decoder_known = Known(self._pixels(picture, decoder_size), _keep(area, decoder_size, self.device))
            super_res_known = Known(self._pixels(picture, super_res_size), _keep(area, super_res_size, self.device))
            text = self._encode_text(prompt, n)
            embeddings = sampling.run_prior(self._unclip, text, n, steps or self.defaults.prior_steps,
                                            self.defaults.prior_guidance, rng.generator, report)
            decoded = self._decode(text, embeddings, steps, guidance, rng, report,
                                   decoder_known=decoder_known, super_res_known=super_res_known)
            upscale_known = None
            if size > super_res_size:
                latents = sampling.encode_latents(self._upscaler, self._pixels(picture, super_res_size * 4))
                upscale_known = Known(latents, _keep(area, latents.shape[-1], self.device))
            results = self._finish(decoded, [prompt] * n, size, steps, rng, report, seed=rng.seed_used,
                                   upscale_known=upscale_known)
        reference = picture.resize((size, size), Image.LANCZOS)
        weight = feather_weight(area, size)
        return [composite(result, reference, weight) for result in results]

    def restyle(self, image: inputs.ImageInput, to_prompt: str, *, from_prompt: str | None = None,
                amount: float = 0.5, n: int = 1, size: int = 256, seed: int | None = None,
                steps: int | None = None, progress: ProgressCallback | None = None) -> list[Image.Image]:
        """Restyle a whole photo toward a caption while keeping its layout (unCLIP "text diffs").

        The 64x64 photo is DDIM-inverted through the decoder conditioned on its own CLIP image
        embedding (as for a variation, empty prompt); that embedding is slerped by ``amount`` toward
        the normalised difference of the CLIP text embeddings of ``to_prompt`` and ``from_prompt``;
        the inverted noise is decoded with DDIM under the moved embedding; super-resolution and the
        x4 upscaler then follow the restyled 64x64 image as in any job. The decoder path is
        deterministic, so the ``n`` images share their 64x64 layout and differ only in the detail
        the later stages add (those depend on ``seed``). Costs one more decoder pass than a
        variation (the inversion), run once whatever ``n``.

        Args:
            image: A square PIL image, bytes or binary file (no cropping: the layout is kept).
            to_prompt: Caption of the wanted result, e.g. "a cartoon drawing of a cup"; 1..1000 characters.
            from_prompt: Caption the direction starts from; default ``"a photo"``. Must differ from
                ``to_prompt``.
            amount: 0..1, how far the embedding turns toward the text diff. 0 reproduces the photo
                (as closely as the decoder inverts); 1 decodes the text diff alone.
            n, size, seed, progress: As for `generate`; stages ``image_encoder``, ``inversion``,
                ``decoder``, ``super_resolution``, ``upscale_1024`` (sizes 512 and 1024).
            steps: Steps for every stage; the inversion and the DDIM decoding use the same number
                (default 25, the decoder's).

        Raises:
            InvalidRequest: bad or identical prompts, ``amount`` outside 0..1, undecodable or
                non-square image, or a parameter out of range.
            Cancelled: the progress callback cancelled the job.
        """
        to_prompt = inputs.check_prompt(to_prompt, param="to_prompt")
        from_prompt = inputs.check_prompt(text_diff.DEFAULT_FROM_PROMPT if from_prompt is None else from_prompt,
                                          param="from_prompt")
        text_diff.check_different(from_prompt, to_prompt)
        amount = text_diff.check_amount(amount)
        picture = inputs.square_rgb(inputs.open_image(image, param="image"))
        n, size = inputs.check_n(n), inputs.check_size(size)
        seed, steps = inputs.check_seed(seed), inputs.check_steps(steps)
        report = Progress(progress)
        with self._job(seed) as rng:
            small = self._restyle_small(picture, from_prompt, to_prompt, amount,
                                        steps or self.defaults.decoder_steps, report)
            image_256 = sampling.run_super_resolution(self._unclip, small.repeat_interleave(n, dim=0),
                                                      steps or self.defaults.super_res_steps, rng.generator,
                                                      report)
            # Like a variation: the upscaler follows the image, unprompted (guidance 1).
            return self._finish(image_256, [""] * n, size, steps, rng, report, seed=rng.seed_used,
                                upscale_guidance=1.0)

    # ------------------------------------------------------------------------- cross-job batches

    def run_batch(self, items: Sequence[BatchItem]) -> list[BatchResult]:
        """Run several jobs of one kind and size as one pass; return one `BatchResult` per item, in order.

        Each item keeps its own seed (its own ``torch.Generator``: its pixels are those it gets
        alone), its own progress callback and its own cancel. An item that fails validation gets
        its `InvalidRequest` and the others run; an item that cancels gets `Cancelled` and the
        batch restarts without it (the survivors' pixels do not change; the steps already run are
        lost -- cancels are rare next to completions). Restyles run item by item.

        Raises:
            ValueError: items differ in kind, size, steps or guidance (group them with
                `generation.batching.group_compatible` first).
        """
        batching.check_compatible(items)
        results = [BatchResult(item) for item in items]
        live: list[int] = []
        prepared: dict[int, dict] = {}
        for index, item in enumerate(items):
            try:
                prepared[index] = self._prepare_item(item)
                live.append(index)
            except GenerationError as error:
                results[index].error = error
        if items and items[0].kind == "restyle":
            for index in live:
                results[index].images = self._run_alone(items[index], results[index])
            return results
        while live:
            try:
                images = self._run_together([items[i] for i in live], [prepared[i] for i in live])
            except _ItemCancelled as cancel:
                index = live.pop(cancel.position)
                results[index].error = cancel.error
                continue
            for index, pictures in zip(live, images):
                results[index].images = pictures
            break
        return results

    def _run_alone(self, item: BatchItem, result: BatchResult) -> list[Image.Image] | None:
        try:
            return self.restyle(item.image, item.prompt, n=item.n, size=item.size, seed=item.seed,
                                steps=item.steps, progress=item.progress, **item.options)
        except GenerationError as error:
            result.error = error
            return None

    def _prepare_item(self, item: BatchItem) -> dict:
        """Validate one item before any model work (as the single-job methods do)."""
        out = {"n": inputs.check_n(item.n), "size": inputs.check_size(item.size),
               "seed": inputs.check_seed(item.seed), "steps": inputs.check_steps(item.steps)}
        out["seed_used"] = secrets.randbits(63) if out["seed"] is None else out["seed"]
        if item.kind in ("generate", "edit"):
            out["prompt"] = inputs.check_prompt(item.prompt)
            out["guidance"] = inputs.check_guidance(item.guidance)
        if item.kind == "vary":
            out["picture"] = inputs.open_image(item.image).convert("RGB")
        if item.kind == "edit":
            picture = inputs.open_image(item.image, param="image")
            if isinstance(item.mask, np.ndarray):  # the area itself, as `edit` takes it (the platform's intake)
                out["area"] = inputs.check_area(item.mask, picture)
            else:
                mask = None if item.mask is None else inputs.open_image(item.mask, param="mask")
                out["area"] = inputs.regenerate_mask(picture, mask)
            out["picture"] = inputs.square_rgb(picture)
        if item.kind == "restyle":
            text_diff.check_amount(item.options.get("amount", 0.5))
        return out

    def _run_together(self, items: list[BatchItem], prepared: list[dict]) -> list[list[Image.Image]]:
        kind, size, steps = items[0].kind, prepared[0]["size"], prepared[0]["steps"]
        counts = [p["n"] for p in prepared]
        report = Progress(_fan_out([item.progress for item in items]))
        with self._job(0) as job:
            device = self._exec_device(self._unclip)
            rng = _Seeds([(torch.Generator(device=device).manual_seed(p["seed_used"]), p["n"]) for p in prepared])
            decoder_size = self._unclip.decoder.config.sample_size
            super_res_size = self._unclip.super_res_first.config.sample_size
            if kind == "vary":
                report(IMAGE_ENCODER, 0, 1)
                embeddings = torch.cat([self._encode_image(p["picture"]).repeat_interleave(p["n"], dim=0)
                                        for p in prepared])
                report(IMAGE_ENCODER, 1, 1)
                text = self._encode_texts([""] * len(counts), counts)
                decoded = self._decode(text, embeddings, steps, None, rng, report)
                outputs = self._finish(decoded, [""] * sum(counts), size, steps, rng, report, seed=0,
                                       upscale_guidance=1.0)
            else:
                prompts = [p["prompt"] for p in prepared for _ in range(p["n"])]
                text = self._encode_texts([p["prompt"] for p in prepared], counts)
                guidance = prepared[0]["guidance"]
                embeddings = sampling.run_prior(self._unclip, text, len(prompts), steps or self.defaults.prior_steps,
                                                self.defaults.prior_guidance, rng.generator, report)
                known = {}
                if kind == "edit":
                    def stacked(edge):
                        return Known(torch.cat([self._pixels(p["picture"], edge).repeat(p["n"], 1, 1, 1)
                                                for p in prepared]),
                                     torch.cat([_keep(p["area"], edge, self.device).repeat(p["n"], 1, 1, 1)
                                                for p in prepared]))
                    known = {"decoder_known": stacked(decoder_size), "super_res_known": stacked(super_res_size)}
                decoded = self._decode(text, embeddings, steps, guidance, rng, report, **known)
                upscale_known = None
                if kind == "edit" and size > super_res_size:
                    latents = [sampling.encode_latents(self._upscaler, self._pixels(p["picture"], super_res_size * 4))
                               for p in prepared]
                    upscale_known = Known(
                        torch.cat([lat.repeat(p["n"], 1, 1, 1) for lat, p in zip(latents, prepared)]),
                        torch.cat([_keep(p["area"], lat.shape[-1], self.device).repeat(p["n"], 1, 1, 1)
                                   for lat, p in zip(latents, prepared)]))
                outputs = self._finish(decoded, prompts, size, steps, rng, report, seed=0,
                                       upscale_known=upscale_known)
        grouped, start = [], 0
        for p in prepared:
            pictures = outputs[start:start + p["n"]]
            start += p["n"]
            if kind == "edit":
                reference = p["picture"].resize((size, size), Image.LANCZOS)
                weight = feather_weight(p["area"], size)
                pictures = [composite(result, reference, weight) for result in pictures]
            for picture in pictures:
                picture.info["seed"] = str(p["seed_used"])
            grouped.append(pictures)
        return grouped

    def _encode_texts(self, prompts: list[str], counts: list[int]) -> TextCondition:
        """CFG text encoding of a batch: unconditional rows of every item first, then conditional.

        Each item's prompt is encoded on its own, as `generate` does: CLIP's final projection on one
        row runs a matrix-vector product, on several rows a matrix-matrix one, and the two differ in
        the last bit on CPU BLAS -- enough for the random tiny networks to move a pixel by 1/255.
        Text encoding is cheap next to the denoising loops, which do run batched.
        """
        parts = [self._encode_text(prompt, n) for prompt, n in zip(prompts, counts)]

        def join(name: str):
            halves = [getattr(part, name).chunk(2) for part in parts]
            return torch.cat([h[0] for h in halves] + [h[1] for h in halves])

        return TextCondition(join("embeds"), join("hidden_states"), join("mask"))

    # -------------------------------------------------------------------------------- helpers

    def _job(self, seed: int | None) -> "_Job":
        return _Job(self, seed)

    def _restyle_small(self, picture: Image.Image, from_prompt: str, to_prompt: str, amount: float,
                       steps: int, report: Progress, depth: float = 1.0) -> torch.Tensor:
        """Return the restyled 64x64 image (1, 3, 64, 64): invert, move the embedding, decode."""
        report(IMAGE_ENCODER, 0, 1)
        photo_embedding = self._encode_image(picture)
        report(IMAGE_ENCODER, 1, 1)
        moved = text_diff.shift(photo_embedding, self._encode_text(from_prompt, 1).embeds[-1:],
                                self._encode_text(to_prompt, 1).embeds[-1:], amount)
        # The decoder sees the empty prompt, as in variations: only the image embedding moves.
        empty = self._encode_text("", 1)
        noise = inversion.invert(self._unclip, inversion.condition(self._unclip, empty, photo_embedding),
                                 self._pixels(picture, self._unclip.decoder.config.sample_size),
                                 steps, report, depth)
        return inversion.sample(self._unclip, inversion.condition(self._unclip, empty, moved), noise,
                                steps, report, depth)

    def _encode_text(self, prompt: str, n: int) -> TextCondition:
        # Unconditional ("") and conditional encodings stacked for classifier-free guidance.
        embeds, hidden, mask = self._unclip._encode_prompt(prompt, self._exec_device(self._unclip), n, True)
        return TextCondition(embeds, hidden, mask)

    def _encode_image(self, picture: Image.Image) -> torch.Tensor:
        encoder = self._variations.image_encoder
        pixels = self._variations.feature_extractor(images=picture, return_tensors="pt").pixel_values
        return encoder(pixels.to(device=encoder.device, dtype=encoder.dtype)).image_embeds

    def _decode(self, text: TextCondition, embeddings: torch.Tensor, steps: int | None, guidance: float | None,
                rng: "_Job", report: Progress, decoder_known: Known | None = None,
                super_res_known: Known | None = None) -> torch.Tensor:
        small = sampling.run_decoder(self._unclip, text, embeddings, steps or self.defaults.decoder_steps,
                                     guidance or self.defaults.decoder_guidance, rng.generator, report,
                                     decoder_known)
        return sampling.run_super_resolution(self._unclip, small, steps or self.defaults.super_res_steps,
                                             rng.generator, report, super_res_known)

    def _finish(self, image: torch.Tensor, prompts: list[str], size: int, steps: int | None, rng: "_Job",
                report: Progress, *, seed: int, upscale_known: Known | None = None,
                upscale_guidance: float | None = None) -> list[Image.Image]:
        if size > image.shape[-1]:
            image = sampling.run_upscale(
                self._upscaler, image, prompts, steps or self.defaults.upscale_steps,
                self.defaults.upscale_guidance if upscale_guidance is None else upscale_guidance,
                self.defaults.upscale_noise_level, rng.generator, report, upscale_known,
            )
        pictures = to_pil(image)
        if pictures[0].width != size:
            # 512 is the 1024 diffusion output downsampled, never an upsampled 256.
            pictures = [p.resize((size, size), Image.LANCZOS) for p in pictures]
        for picture in pictures:
            picture.info["seed"] = str(seed)
        return pictures

    def _pixels(self, picture: Image.Image, edge: int) -> torch.Tensor:
        """The picture at ``edge`` x ``edge`` as a (1, 3, H, W) tensor in [-1, 1] on the device."""
        array = np.asarray(picture.resize((edge, edge), Image.LANCZOS), dtype=np.float32) / 127.5 - 1.0
        # contiguous(): a channels-last view would make every later tensor of the known region, and
        # so the denoised sample, channels-last, and CPU convolutions round differently in that
        # layout -- enough to make edit() differ from the same edit run through run_batch.
        return torch.from_numpy(array).permute(2, 0, 1)[None].contiguous().to(device=self.device, dtype=self.dtype)

    @staticmethod
    def _exec_device(pipe) -> torch.device:
        return pipe._execution_device


class _Seeds:
    """Per-job generators of a cross-job batch, shaped like `_Job` for the stage helpers."""

    def __init__(self, generators: list) -> None:
        self.generator = generators


class _ItemCancelled(Exception):
    def __init__(self, position: int, error: Cancelled) -> None:
        super().__init__(str(error))
        self.position, self.error = position, error


def _fan_out(callbacks: list) -> Callable:
    """One progress callback for the batch that calls each item's; says which item cancelled."""
    def report(stage: str, step: int, total: int) -> None:
        for position, callback in enumerate(callbacks):
            try:
                Progress(callback)(stage, step, total)
            except Cancelled as error:
                raise _ItemCancelled(position, error) from None
    return report


class _Job:
    """Context for one job: holds the lock, disables autograd, owns the seeded RNG."""

    def __init__(self, owner: Generator, seed: int | None) -> None:
        self._owner = owner
        # A random seed is still drawn explicitly so that it can be reported and replayed.
        self.seed_used = secrets.randbits(63) if seed is None else seed
        self.generator: torch.Generator | None = None
        self._inference = torch.inference_mode()
        self._threads_before: int | None = None

    def __enter__(self) -> "_Job":
        self._owner._lock.acquire()
        if self._owner.cpu_threads and self._owner.device.type == "cpu":
            self._threads_before = torch.get_num_threads()
            torch.set_num_threads(self._owner.cpu_threads)
        self._inference.__enter__()
        device = self._owner._exec_device(self._owner._unclip)
        self.generator = torch.Generator(device=device).manual_seed(self.seed_used)
        return self

    def __exit__(self, *exc_info) -> None:
        try:
            self._inference.__exit__(*exc_info)
            if self._threads_before is not None:
                torch.set_num_threads(self._threads_before)
        finally:
            self._owner._lock.release()


def _keep(area: np.ndarray, edge: int, device: torch.device) -> torch.Tensor:
    """Return the keep-mask at ``edge`` x ``edge``: 1 only where no source pixel is to be regenerated."""
    # BOX averages every source pixel under a target cell, so any transparent pixel marks the cell.
    coverage = Image.fromarray(area.astype(np.uint8) * 255).resize((edge, edge), Image.BOX)
    keep = (np.asarray(coverage) == 0).astype(np.float32)
    return torch.from_numpy(keep)[None, None].to(device)


def to_pil(image: torch.Tensor) -> list[Image.Image]:
    """Convert a (B, 3, H, W) batch in [-1, 1] to PIL RGB images."""
    array = ((image.float() * 0.5 + 0.5).clamp(0, 1) * 255).round().to(torch.uint8)
    return [Image.fromarray(a) for a in array.permute(0, 2, 3, 1).cpu().numpy()]


def feather_weight(area: np.ndarray, edge: int) -> np.ndarray:
    """Return the (edge, edge, 1) weight of the generated image in the final composite.

    1 on the area to regenerate (resized conservatively: any transparent source pixel counts),
    falling off over `FEATHER_PX` px outside it (Euclidean disks), and exactly 0 beyond.
    """
    covered = Image.fromarray(area.astype(np.uint8) * 255).resize((edge, edge), Image.BOX)
    inside = torch.from_numpy(np.asarray(covered) > 0).float()[None, None]
    weight = inside.clone()
    for radius in range(1, FEATHER_PX + 1):
        yy, xx = torch.meshgrid(torch.arange(-radius, radius + 1), torch.arange(-radius, radius + 1), indexing="ij")
        disk = ((yy**2 + xx**2) <= radius**2).float()[None, None]
        near = (F.conv2d(inside, disk, padding=radius) > 0).float()
        weight = torch.maximum(weight, near * (1.0 - radius / (FEATHER_PX + 1)))
    return weight[0, 0].numpy()[..., None]


def composite(result: Image.Image, reference: Image.Image, weight: np.ndarray) -> Image.Image:
    """Blend the generated image onto the reference by ``weight``; copy the reference where it is 0.

    Args:
        result: The generated image at the output size.
        reference: The input image at the same size.
        weight: From `feather_weight`.

    Returns:
        An image bit-identical to ``reference`` wherever ``weight`` is 0.
    """
    original = np.asarray(reference, dtype=np.float32)
    mixed = weight * np.asarray(result, dtype=np.float32) + (1.0 - weight) * original
    # np.where rather than trusting the arithmetic: weight 0 must give the input's exact bytes.
    out = np.where(weight > 0, np.clip(np.rint(mixed), 0, 255), original)
    return _with_info(Image.fromarray(out.astype(np.uint8)), result.info)


def _with_info(picture: Image.Image, info: dict) -> Image.Image:
    picture.info.update(info)
    return picture
