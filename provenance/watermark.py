"""Invisible, crop- and rescale-tolerant watermark carrying a 48-bit record id.

Why not ``invisible-watermark`` alone: its DWT/DCT methods embed on a fixed
block grid whose bit order follows the image width, so a crop (any offset that
is not a multiple of the block size, or any change of width) and a rescale
without restoring the original size both lose the payload; it also has no error
correction or check code. ``bench/provenance.py`` measures it beside this one.

Scheme (spread spectrum on luminance, periodic tile, pilot synchronisation):

* A 64x64-pixel tile is described by 304 real "chips": the real and imaginary
  parts of its DFT bins between 4 and 10.5 cycles per tile (about 0.06-0.16
  cycles per pixel: above most of a photograph's energy, below what JPEG
  quality 50 or a 2x downscale removes). 64 chips are fixed pseudo-random
  pilots; 240 carry the 172 coded bits (CRC-32 framed, convolutionally coded,
  see :mod:`provenance.ecc`), interleaved by a fixed permutation, with the
  spare chips repeating coded bits.
* The tile is repeated over the image and the same amount is added to R, G
  and B (a luminance change), scaled by a local-activity mask and normalised
  to an RMS of 2.55-2.8 levels (PSNR 39-40 dB). Embedding is *informed*: the
  encoder measures the chips the host image itself would produce and spends
  its energy lifting each chip to a common margin (see :func:`_embed_once`).
* The encoder then reads its result back (marked pixels and a JPEG-85 copy).
  Hosts too strong for the 40 dB budget (busy 256 px photographs, saturated
  per-pixel noise) are re-embedded at the 38.3 dB floor, with the change
  weighted towards G if needed and, last, without securing the crop view
  (see :func:`embed`). The decoder is the same for every pass.
* Decoding whitens the luminance (subtracts a blur, divides by the local
  contrast), folds it modulo the tile (averaging every repetition, so a crop
  just becomes a cyclic shift), finds that shift as a peak of the circular
  correlation with the pilots, reads the chips, Viterbi-decodes and checks the
  CRC. A short list of scale hypotheses (1, 2, 0.5) covers rescaled copies.

False positives: every reported id passed a 32-bit CRC; an unmarked image passes
one decoding attempt with probability 2**-32, and :func:`extract` makes at most
``len(SCALES) * PEAKS`` = 12 attempts, so the rate is below 2.8e-9 per image by
construction.
"""

from __future__ import annotations

import io

import cv2
import numpy as np
from PIL import Image

from . import ecc
from .errors import InvalidInput

__all__ = ["embed", "extract", "payload_of", "record_id_of", "psnr", "TILE", "SCALES", "PEAKS", "PSNR_FLOOR"]

TILE = 64
# The mark lives in the tile's DFT bins whose radius is 4..10.5 cycles per tile
# (0.06-0.16 cycles/pixel): high enough that little host energy survives the
# whitening, low enough for JPEG quality 50 and a 2x downscale. Each bin
# (one of a conjugate pair) gives two real degrees of freedom, its real and
# imaginary parts; they are orthogonal, so chips do not interfere.
_R_LO, _R_HI = 4.0, 10.5
_N_PILOTS = 64
# Target RMS of the luminance change, in 8-bit levels; 2.55 gives PSNR 40 dB before clipping.
STRENGTH = 2.55
# Top-up rounds of the informed embedding, and how far (RMS ratio) they may
# exceed the strength: 2.55 * 1.1 still keeps PSNR above 39 dB.
_CORRECTIONS = 3
_MAX_OVERSHOOT = 1.1
# Escalations for hosts the first pass does not read back from (see :func:`embed`):
# the budget is then the PSNR floor, on the actual change; first luminance only,
# then luma-weighted channels (G carries most: the most luminance per squared
# error), then without the crop view's constraints.
PSNR_FLOOR = 38.3
_LUMA_WEIGHTS = (0.299, 0.587, 0.114)
_ESCALATIONS = (((1.0, 1.0, 1.0), True), (_LUMA_WEIGHTS, True), (_LUMA_WEIGHTS, False))
_CHECK_JPEG_QUALITY = 85
SCALES = (1.0, 2.0, 0.5)
PEAKS = 4
_MIN_SIDE = 64
_MAX_PIXELS = 40_000_000


def _band() -> tuple[np.ndarray, np.ndarray]:
    k = np.fft.fftfreq(TILE) * TILE
    ky, kx = np.meshgrid(k, k, indexing="ij")
    radius = np.hypot(ky, kx)
    half_plane = (ky > 0) | ((ky == 0) & (kx > 0))
    rows, cols = np.nonzero((radius >= _R_LO) & (radius <= _R_HI) & half_plane)
    return rows, cols


_ROWS, _COLS = _band()
_N_BINS = len(_ROWS)
_N_CHIPS = 2 * _N_BINS  # real and imaginary part of each bin
_N_DATA = _N_CHIPS - _N_PILOTS

# Fixed layout: the decoder must rebuild exactly what the encoder used, so it
# comes from a constant seed, never from run-time randomness.
_rng = np.random.default_rng(0x48414C4C)  # "HALL"
_perm = _rng.permutation(_N_CHIPS)
_PILOT_POS = np.sort(_perm[:_N_PILOTS])
_DATA_POS = _perm[_N_PILOTS:]  # interleaved: neighbouring coded bits land on distant bins
_PILOT_SIGNS = _rng.choice(np.array([-1.0, 1.0]), size=_N_PILOTS)
# Data chip k carries coded bit _DATA_BIT[k]; the chips beyond the code length repeat coded bits.
_DATA_BIT = np.arange(_N_DATA) % ecc.CODED_BITS


def _pattern(chips: np.ndarray) -> np.ndarray:
    """Return the tile whose band bins hold ``chips`` (real parts, then imaginary parts)."""
    spectrum = np.zeros((TILE, TILE), dtype=complex)
    values = chips[:_N_BINS] + 1j * chips[_N_BINS:]
    spectrum[_ROWS, _COLS] = values
    spectrum[-_ROWS % TILE, -_COLS % TILE] = np.conj(values)
    return np.real(np.fft.ifft2(spectrum))


def _chips(spectrum: np.ndarray) -> np.ndarray:
    """Return the chip values read from a tile spectrum (inverse of :func:`_pattern`)."""
    values = spectrum[_ROWS, _COLS]
    return np.concatenate([values.real, values.imag])


_pilot_chips = np.zeros(_N_CHIPS)
_pilot_chips[_PILOT_POS] = _PILOT_SIGNS
_PILOT_SPECTRUM_CONJ = np.conj(np.fft.fft2(_pattern(_pilot_chips)))


def payload_of(record_id: str) -> int:
    """Return the 48-bit integer a record id (12 lowercase hex digits) stands for.

    Raises:
        InvalidInput: If ``record_id`` is not 12 hex digits.
    """
    if not isinstance(record_id, str) or len(record_id) != ecc.ID_BITS // 4:
        raise InvalidInput(f"record id must be {ecc.ID_BITS // 4} hex digits")
    try:
        return int(record_id, 16)
    except ValueError:
        raise InvalidInput(f"record id must be {ecc.ID_BITS // 4} hex digits") from None


def record_id_of(payload: int) -> str:
    """Return the record id string for a 48-bit payload."""
    return f"{payload:0{ecc.ID_BITS // 4}x}"


def _target_signs(record_id: str) -> np.ndarray:
    """Return the +-1 value every chip should read as: pilots, then the coded, interleaved payload."""
    coded = ecc.encode(ecc.frame(payload_of(record_id)))
    chips = np.empty(_N_CHIPS)
    chips[_PILOT_POS] = _PILOT_SIGNS
    chips[_DATA_POS] = 1.0 - 2.0 * coded[_DATA_BIT]
    return chips


def _luma(rgb: np.ndarray) -> np.ndarray:
    return rgb[..., 0] * 0.299 + rgb[..., 1] * 0.587 + rgb[..., 2] * 0.114


def _as_rgb(image: Image.Image) -> tuple[np.ndarray, np.ndarray | None]:
    if not isinstance(image, Image.Image):
        raise InvalidInput("expected a PIL.Image.Image")
    w, h = image.size
    if min(w, h) < _MIN_SIDE or w * h > _MAX_PIXELS:
        raise InvalidInput(f"image must be at least {_MIN_SIDE}px a side and at most {_MAX_PIXELS} pixels")
    alpha = None
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        alpha = np.asarray(image.convert("RGBA"))[..., 3]
    return np.asarray(image.convert("RGB"), dtype=np.float32), alpha


def embed(image: Image.Image, record_id: str, *, strength: float = STRENGTH) -> Image.Image:
    """Return an RGB (or RGBA) copy of ``image`` carrying ``record_id`` invisibly.

    The mark is embedded at ``strength`` first (see :func:`_embed_once`) and
    then read back the way :func:`extract` would, from the marked pixels and
    from a JPEG quality-85 copy of them. Most images (photographs and renders
    at 512 px and up) pass at once, and their output is exactly the one-pass
    result. Hosts whose own content in the watermark band is too strong for
    that budget (busy photographs at 256 px, saturated per-pixel noise) are
    re-embedded with the escalations in :data:`_ESCALATIONS`: the budget
    raised to the PSNR floor (:data:`PSNR_FLOOR`, measured on the actual
    change after rounding and clipping), then the change distributed over R, G
    and B in proportion to their luminance weights (more luminance per unit of
    squared error), then without securing the 90 % crop view. The first that
    reads back is returned; if none does, the last is.

    Args:
        image: Any PIL image at least 64 pixels a side.
        record_id: 12 hex digits, as made by :func:`provenance.new_record_id`.
        strength: RMS luminance change of the first pass in 8-bit levels (2.55 is about 40 dB PSNR).

    Returns:
        A new image; the input is not modified. Costs a few float copies of the image
        per pass, and a JPEG round trip and two decodes per pass for the read-back.

    Raises:
        InvalidInput: If the image is too small or large, or the id is malformed.
    """
    rgb, alpha = _as_rgb(image)
    signs = _target_signs(record_id)
    payload = payload_of(record_id)
    marked = _embed_once(rgb, signs, strength=strength, overshoot=_MAX_OVERSHOOT)
    if not _reads_back(marked, payload):
        # Escalate only as far as needed: each step costs visibility (or crop robustness).
        target = 255.0 / 10 ** (PSNR_FLOOR / 20)
        for weights, secure_crop in _ESCALATIONS:
            marked = _embed_once(rgb, signs, strength=target, weights=weights, secure_crop=secure_crop, actual_rms=target)
            if _reads_back(marked, payload):
                break
    out = Image.fromarray(marked, "RGB")
    if alpha is not None:
        out.putalpha(Image.fromarray(alpha))
    return out


def _reads_back(marked: np.ndarray, payload: int) -> bool:
    """Return whether the decoder (at scale 1) finds ``payload`` in ``marked`` and in its JPEG-85 copy."""
    if _decode_fold(_fold(_whiten(_luma(marked.astype(np.float32))))) != payload:
        return False
    buffer = io.BytesIO()
    Image.fromarray(marked, "RGB").save(buffer, "JPEG", quality=_CHECK_JPEG_QUALITY)
    recoded = np.asarray(Image.open(io.BytesIO(buffer.getvalue())).convert("RGB"), dtype=np.float32)
    return _decode_fold(_fold(_whiten(_luma(recoded)))) == payload


def _embed_once(
    rgb: np.ndarray,
    signs: np.ndarray,
    *,
    strength: float,
    overshoot: float = 1.0,
    weights: tuple[float, float, float] = (1.0, 1.0, 1.0),
    secure_crop: bool = True,
    actual_rms: float | None = None,
) -> np.ndarray:
    """Return the marked uint8 RGB pixels for the chip ``signs``.

    Args:
        rgb: The host, float32 (h, w, 3).
        signs: The +-1 target of every chip (:func:`_target_signs`).
        strength: RMS per-channel change the informed embedding budgets for.
        overshoot: How far (RMS ratio) the top-ups may exceed ``strength`` before a rescale.
        weights: Relative change of R, G and B; scaled so the luminance change is the pattern.
        secure_crop: Also secure the centred 90 % crop view (see :func:`_views`).
        actual_rms: If given, rescale so the RMS of the actual change (after rounding
            and clipping, all channels) is at most this, instead of the ``overshoot`` rule.
    """
    h, w = rgb.shape[:2]
    luma = _luma(rgb)
    # Per-channel multipliers of the luminance pattern; their luma-weighted sum is 1.
    channel = np.asarray(weights, dtype=np.float32)
    channel = channel / float(np.dot(channel, (0.299, 0.587, 0.114)))
    # The budget is on the RGB change; the luminance pattern may be larger by this factor.
    luma_strength = strength / float(np.sqrt(np.mean(channel**2)))
    # Perceptual mask: textured areas hide more change than flat ones, but flat
    # areas (gradients, skies, flat renders) still get half the average so
    # they carry the mark too.
    detail = luma - _blur(luma, 2.0)
    activity = np.sqrt(_blur(detail**2, 4.0))
    mask = np.clip(activity / (np.mean(activity) + 1e-6), 0.5, 2.0)
    reps = (h // TILE + 1, w // TILE + 1)

    def delta_of(chips: np.ndarray) -> np.ndarray:
        return np.tile(_pattern(chips).astype(np.float32), reps)[:h, :w] * mask

    def apply(delta: np.ndarray) -> np.ndarray:
        return np.clip(np.rint(rgb + delta.astype(np.float32)[..., None] * channel), 0, 255)

    # Informed embedding (after Malvar and Florencio's "improved spread
    # spectrum"): the encoder knows the host, so instead of adding a fixed
    # pattern on top of the host's own (random) chip values, it spends the
    # energy budget on lifting every chip to a common margin M with the right
    # sign. Chips the host already pushes the right way cost nothing, so the
    # same PSNR buys a much larger worst-case margin. The decoder's whitening
    # is not linear, so the gain is measured with a probe and the result is
    # corrected once against a real measurement.
    views = _views(h, w) if secure_crop else _views(h, w)[:1]

    def worst(plane: np.ndarray) -> np.ndarray:
        # Per chip, the view in which the chip is weakest (in the direction of its sign).
        measured = _measure(plane, views)
        return signs * np.min(measured * signs, axis=0)

    host = worst(luma)
    unit = luma_strength / np.sqrt(np.mean(delta_of(signs) ** 2))
    probe = _measure(_luma(apply(delta_of(unit * signs))), views[:1])[0]
    gain = max(float(np.dot(probe - _measure(luma, views[:1])[0], signs)) / (unit * _N_CHIPS), 1e-9)
    pattern_rms = np.sqrt(np.mean(_pattern(signs) ** 2))

    def lift(margin: float, current: np.ndarray) -> np.ndarray:
        return signs * np.maximum(margin - signs * current, 0.0) / gain

    # Pick the margin whose lift costs the budget (RMS of the tile pattern
    # stands in for the masked image's; the final rescale makes it exact).
    budget = unit * pattern_rms
    lo, hi = 0.0, 4.0 * gain * unit + float(np.max(np.abs(host)))
    for _ in range(40):
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if np.sqrt(np.mean(_pattern(lift(mid, host)) ** 2)) < budget else (lo, mid)
    chips = lift(lo, host)
    # The mask and the whitening mix chips a little (about 17 % of a lift
    # lands on other chips), so measure and top up the chips still below the
    # margin; the residual shrinks geometrically with each round.
    for _ in range(_CORRECTIONS):
        chips += lift(lo, worst(_luma(apply(delta_of(chips)))))
    delta = delta_of(chips)
    if actual_rms is None:
        # Top-ups add a little energy; scale back only past the allowed overshoot,
        # because a uniform rescale also undoes part of the host cancellation.
        rms = float(np.sqrt(np.mean(delta**2)))
        if rms > luma_strength * overshoot:
            delta *= luma_strength * overshoot / rms
        return apply(delta).astype(np.uint8)
    # Budget on what the pixels really change: clipped channels (saturated
    # hosts) cost nothing, rounding costs a little. Rescale until it fits.
    for _ in range(8):
        marked = apply(delta)
        rms = float(np.sqrt(np.mean((marked - rgb) ** 2)))
        if rms <= actual_rms:
            break
        delta *= 0.995 * actual_rms / rms
    else:
        marked = apply(delta)
    return marked.astype(np.uint8)


def _blur(plane: np.ndarray, sigma: float) -> np.ndarray:
    # OpenCV's separable float32 Gaussian is several times faster than scipy's
    # float64 one, and the whole stamp must stay within a few PNG encodes.
    return cv2.GaussianBlur(plane.astype(np.float32), (0, 0), sigma, borderType=cv2.BORDER_REFLECT)


def _whiten(luma: np.ndarray) -> np.ndarray:
    # Natural images concentrate energy at low frequencies and in edges; removing
    # the blur and dividing by local contrast leaves a roughly white host, which
    # is what the correlation detector is optimal for.
    luma = luma.astype(np.float32)
    detail = luma - _blur(luma, 3.0)
    local = np.sqrt(_blur(detail * detail, 6.0))
    return detail / (local + 1.0)


def _views(h: int, w: int) -> list[tuple[int, int, int, int]]:
    """Return the regions (top, left, bottom, right) whose decoding the embedder secures.

    The whole image, and the centred crop that keeps 90 % of each side: a crop
    drops part of the host, so the host's chip values (which the embedder has
    compensated for) change, and grainy textures can then flip chips.
    """
    ch, cw = round(h * 0.9), round(w * 0.9)
    y0, x0 = (h - ch) // 2, (w - cw) // 2
    return [(0, 0, h, w), (y0, x0, y0 + ch, x0 + cw)]


def _measure(luma: np.ndarray, views: list[tuple[int, int, int, int]]) -> np.ndarray:
    """Return, per view (a crop box), the chip values the decoder reads there, aligned to the tile grid.

    The plane is whitened once and then cropped, which ignores the crop's own
    border effects in the whitening; they touch a few pixels per edge.
    """
    white = _whiten(luma)
    rows = []
    for top, left, bottom, right in views:
        fold = _fold(white[top:bottom, left:right])
        # The crop's fold starts at (top, left) of the grid; roll it back into grid phase.
        rows.append(_chips(np.fft.fft2(np.roll(fold, (top % TILE, left % TILE), axis=(0, 1)))))
    return np.stack(rows)


def _fold(plane: np.ndarray) -> np.ndarray:
    h, w = plane.shape
    ph, pw = -h % TILE, -w % TILE
    padded = np.pad(plane, ((0, ph), (0, pw)))
    counts = np.pad(np.ones_like(plane), ((0, ph), (0, pw)))
    fold = padded.reshape(padded.shape[0] // TILE, TILE, -1, TILE).sum(axis=(0, 2))
    n = counts.reshape(counts.shape[0] // TILE, TILE, -1, TILE).sum(axis=(0, 2))
    return fold / np.maximum(n, 1)


def _decode_fold(fold: np.ndarray, peaks: int = PEAKS) -> int | None:
    spectrum = np.fft.fft2(fold)
    corr = np.real(np.fft.ifft2(spectrum * _PILOT_SPECTRUM_CONJ))
    k = np.fft.fftfreq(TILE) * TILE
    for flat in np.argsort(corr, axis=None)[::-1][:peaks]:
        dy, dx = divmod(int(flat), TILE)
        # Undo the cyclic shift (a crop's offset) as a phase ramp instead of re-transforming.
        ramp = np.exp(2j * np.pi * (k[:, None] * dy + k[None, :] * dx) / TILE)
        data = _chips(spectrum * ramp)[_DATA_POS]
        scale = np.sqrt(np.mean(data**2)) + 1e-12
        soft = np.zeros(ecc.CODED_BITS)
        np.add.at(soft, _DATA_BIT, data / scale)
        payload = ecc.unframe(ecc.viterbi_decode(soft))
        if payload is not None:
            return payload
    return None


def extract(image: Image.Image) -> str | None:
    """Return the record id carried by ``image``, or ``None`` if none is found.

    Tries the scales in :data:`SCALES` (the image as is, then upscaled 2x for
    half-size copies, then downscaled for doubled ones) and up to :data:`PEAKS`
    synchronisation candidates each; an id is returned only if its CRC-32
    checks, so a reported id is exact with overwhelming probability.

    Raises:
        InvalidInput: If ``image`` is not a PIL image, or is too small or too large.
    """
    if not isinstance(image, Image.Image):
        raise InvalidInput("expected a PIL.Image.Image")
    w, h = image.size
    if min(w, h) < _MIN_SIDE // 2 or w * h > _MAX_PIXELS:
        raise InvalidInput("image too small or too large to carry a watermark")
    luma = _luma(np.asarray(image.convert("RGB"), dtype=np.float64))
    for scale in SCALES:
        if scale == 1.0:
            plane = luma
        else:
            size = (round(w * scale), round(h * scale))
            if min(size) < _MIN_SIDE or size[0] * size[1] > _MAX_PIXELS:
                continue
            resample = Image.Resampling.BICUBIC if scale > 1 else Image.Resampling.BOX
            plane = np.asarray(Image.fromarray(luma.astype(np.float32), "F").resize(size, resample), dtype=np.float64)
        payload = _decode_fold(_fold(_whiten(plane)))
        if payload is not None:
            return record_id_of(payload)
    return None


def psnr(reference: Image.Image, candidate: Image.Image) -> float:
    """Return the PSNR in dB of ``candidate`` against ``reference`` (RGB, 8-bit)."""
    a = np.asarray(reference.convert("RGB"), dtype=np.float64)
    b = np.asarray(candidate.convert("RGB"), dtype=np.float64)
    mse = float(np.mean((a - b) ** 2))
    return float("inf") if mse == 0 else 10 * np.log10(255.0**2 / mse)
