"""Invisible, keyed watermark carrying a 48-bit record id, readable after any resize and crop.

Why not ``invisible-watermark`` alone: its DWT/DCT methods embed on a fixed
block grid whose bit order follows the image width, so a crop or any rescale
loses the payload; it has no error correction or check code and no key.
``bench/provenance.py`` measures it beside this one.

Scheme (spread spectrum on luminance, periodic tile, keyed layout, period search):

* A 64x64 *canonical* tile is described by 304 real "chips": the real and
  imaginary parts of its DFT bins between 4 and 10.5 cycles per tile. 64 chips
  are pilots for synchronisation; 240 carry the 172 coded bits (CRC-32 framed,
  convolutionally coded, see :mod:`provenance.ecc`). Which chips are pilots,
  the pilots' signs, the interleaving, a sign flip per data chip and a mask
  XORed onto the framed payload all derive from a **secret key** (HMAC-SHA256),
  so without the key a copy can neither be read nor a valid mark forged.
* **Canonical resolution** (after TrustMark): the mark is computed on a copy
  whose shorter side is exactly :data:`CANONICAL` (384) pixels, and the change
  is upsampled to the image's size. The tile's period in the image is thus
  ``64 * short_side / 384`` pixels: proportional to
  the image, so an image resized by any factor still has it at the predicted
  period, which the decoder tries first.
* The encoder is *informed* (it measures the chips the host itself produces
  and lifts each to a common margin, see :func:`_embed_once`) and reads its
  result back; hosts too strong for the 40 dB budget are re-embedded at the
  38.3 dB floor (see :func:`embed`).
* **Decoding**: estimate the tile period from the whitened image's
  autocorrelation (the periodic tile gives peaks at multiples of its period,
  along each axis: see :func:`_periods`), resample so the period is 64,
  whiten, fold modulo 64 (a crop at any offset becomes a cyclic shift), find
  the shift from the keyed pilots' correlation peak, read the chips, Viterbi
  decode, check the CRC. The predicted period is tried first, then those of
  Hallmark's output sizes, then estimated ones, at most :data:`MAX_PERIODS`,
  each with every configured key.

False positives: every reported id passed a 32-bit CRC after the keyed
unmasking; a decoding attempt on an unmarked image (or with a wrong key) yields
a pseudo-random 80-bit word that passes with probability 2**-32. :func:`extract`
makes at most ``MAX_PERIODS * PEAKS * len(keys)`` attempts, 8 * 4 * 3 = 96 with
the current and two previous keys (:data:`MAX_KEYS`), so the rate is below
96 * 2**-32 = 2.2e-8 per image by construction, under the 1e-6 target.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import io
from collections.abc import Sequence

import cv2
import numpy as np
from PIL import Image

from . import ecc
from .errors import ConfigurationError, InvalidInput

__all__ = ["embed", "extract", "reads_back", "payload_of", "record_id_of", "psnr", "derive_key_check",
           "TILE", "CANONICAL", "PEAKS", "PSNR_FLOOR", "MAX_KEYS", "MAX_PERIODS", "MIN_KEY_BYTES"]

TILE = 64
# Shorter side of the resolution the mark is computed at: 6 tiles, whatever the size. Larger
# images get a proportionally larger tile (lower absolute frequency), which
# survives downscales to 0.3x and JPEG better, and costs less to embed.
CANONICAL = 384
_R_LO, _R_HI = 4.0, 10.5
_N_PILOTS = 64
STRENGTH = 2.55
_CORRECTIONS = 3
_MAX_OVERSHOOT = 1.1
PSNR_FLOOR = 38.3
_LUMA_WEIGHTS = (0.299, 0.587, 0.114)
_ESCALATIONS = (((1.0, 1.0, 1.0), True), (_LUMA_WEIGHTS, True), (_LUMA_WEIGHTS, False))
_CHECK_JPEG_QUALITY = 85
PEAKS = 4
MAX_KEYS = 3
MAX_PERIODS = 8
# Hallmark's output sides: a crop (without a resize) of one keeps its period, 64 * side / 384, so
# these are tried right after the predicted period, before the estimated ones.
OUTPUT_SIDES = (256, 512, 1024)
MIN_KEY_BYTES = 16
_MIN_SIDE = 64
_MAX_PIXELS = 40_000_000
# The period search looks at the image resampled to this shorter side, for lags in this range:
# a 256 px original's tile then measures 96 px, a large image's 64 (57 after an 80 % crop).
_SEARCH_SIDE = 384
_SEARCH_LAGS = (36, 200)
_FLAT_BINS = 9
_FLAT_THRESHOLD = 2.0


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


class _Layout:
    """Everything the key decides: pilot chips and signs, interleaving, data-chip flips, payload mask."""

    def __init__(self, seed: int):
        rng = np.random.default_rng(seed)
        perm = rng.permutation(_N_CHIPS)
        self.pilot_pos = np.sort(perm[:_N_PILOTS])
        self.data_pos = perm[_N_PILOTS:]
        self.pilot_signs = rng.choice(np.array([-1.0, 1.0]), size=_N_PILOTS)
        self.data_flip = rng.choice(np.array([-1.0, 1.0]), size=_N_DATA)
        self.frame_mask = rng.integers(0, 2, size=ecc.INFO_BITS, dtype=np.uint8)
        pilots = np.zeros(_N_CHIPS)
        pilots[self.pilot_pos] = self.pilot_signs
        self.pilot_spectrum_conj = np.conj(np.fft.fft2(_pattern(pilots)))


@functools.lru_cache(maxsize=16)
def _layout(key: bytes) -> _Layout:
    digest = hmac.new(key, b"hallmark watermark layout v2", hashlib.sha256).digest()
    return _Layout(int.from_bytes(digest, "big"))


def _check_key(key: object) -> bytes:
    if not isinstance(key, bytes | bytearray) or len(key) < MIN_KEY_BYTES:
        raise ConfigurationError(f"a watermark key must be at least {MIN_KEY_BYTES} bytes")
    return bytes(key)


def derive_key_check(key: bytes) -> str:
    """Return a short public fingerprint of ``key`` (safe to log; says which key marked an image)."""
    return hmac.new(_check_key(key), b"hallmark watermark key id", hashlib.sha256).hexdigest()[:12]


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


def _target_signs(record_id: str, layout: _Layout) -> np.ndarray:
    """Return the +-1 value every chip should read as: pilots, then the coded, interleaved payload."""
    coded = ecc.encode(ecc.frame(payload_of(record_id)) ^ layout.frame_mask)
    chips = np.empty(_N_CHIPS)
    chips[layout.pilot_pos] = layout.pilot_signs
    chips[layout.data_pos] = (1.0 - 2.0 * coded[_DATA_BIT]) * layout.data_flip
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


def _canonical_size(w: int, h: int) -> tuple[int, int]:
    scale = CANONICAL / min(w, h)
    return max(1, round(w * scale)), max(1, round(h * scale))


def _resize(plane: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Return ``plane`` resampled to ``size`` (w, h): area averaging down, bicubic up."""
    if (plane.shape[1], plane.shape[0]) == size:
        return plane
    shrink = size[0] * size[1] < plane.shape[0] * plane.shape[1]
    return cv2.resize(plane, size, interpolation=cv2.INTER_AREA if shrink else cv2.INTER_CUBIC)


def embed(image: Image.Image, record_id: str, *, key: bytes, strength: float = STRENGTH) -> Image.Image:
    """Return an RGB (or RGBA) copy of ``image`` carrying ``record_id`` invisibly, under ``key``.

    The mark is computed at the canonical resolution (shorter side
    :data:`CANONICAL`), upsampled and added at ``strength``; the result is read
    back the way :func:`extract` would (from the pixels and from a JPEG-85
    copy). Hosts it does not read back from are re-embedded with the
    escalations in :data:`_ESCALATIONS` (the PSNR floor, then luma-weighted
    channels, then without securing the crop view); the first that reads back
    is returned, else the last. Use :func:`reads_back` on the encoded result to
    know whether it carries the mark.

    Args:
        image: Any PIL image at least 64 pixels a side.
        record_id: 12 hex digits, as made by :func:`provenance.new_record_id`.
        key: The secret watermark key (at least 16 bytes).
        strength: RMS luminance change of the first pass in 8-bit levels (2.55 is about 40 dB PSNR).

    Returns:
        A new image; the input is not modified. Costs a few float copies of the
        canonical image per pass, one full-size add, and a JPEG round trip per pass.

    Raises:
        InvalidInput: If the image is too small or large, or the id is malformed.
        ConfigurationError: If the key is not bytes of at least 16.
    """
    return _embed_with(image, record_id, _layout(_check_key(key)), strength)


def _embed_with(image: Image.Image, record_id: str, layout: _Layout, strength: float = STRENGTH) -> Image.Image:
    rgb, alpha = _as_rgb(image)
    h, w = rgb.shape[:2]
    size = _canonical_size(w, h)
    small = _resize(rgb, size)
    signs = _target_signs(record_id, layout)
    payload = payload_of(record_id)
    delta, channel = _embed_once(small, signs, strength=strength, overshoot=_MAX_OVERSHOOT)
    marked = _apply(rgb, delta, channel)
    if not _reads_back_pixels(marked, payload, layout):
        # Escalate only as far as needed: each step costs visibility (or crop robustness).
        target = 255.0 / 10 ** (PSNR_FLOOR / 20)
        for weights, secure_crop in _ESCALATIONS:
            delta, channel = _embed_once(small, signs, strength=target, weights=weights, secure_crop=secure_crop,
                                         actual_rms=target)
            marked = _apply(rgb, delta, channel, actual_rms=target)
            if _reads_back_pixels(marked, payload, layout):
                break
    out = Image.fromarray(marked, "RGB")
    if alpha is not None:
        out.putalpha(Image.fromarray(alpha))
    return out


def _apply(rgb: np.ndarray, delta: np.ndarray, channel: np.ndarray, *, actual_rms: float | None = None) -> np.ndarray:
    """Return the uint8 pixels of ``rgb`` plus the (upsampled) luminance ``delta`` spread by ``channel``."""
    h, w = rgb.shape[:2]
    delta = _resize(delta.astype(np.float32), (w, h))
    if actual_rms is None:
        return np.clip(np.rint(rgb + delta[..., None] * channel), 0, 255).astype(np.uint8)
    # Budget on what the pixels really change: clipped channels (saturated
    # hosts) cost nothing, rounding costs a little. Rescale until it fits.
    for _ in range(8):
        marked = np.clip(np.rint(rgb + delta[..., None] * channel), 0, 255)
        rms = float(np.sqrt(np.mean((marked - rgb) ** 2)))
        if rms <= actual_rms:
            break
        delta = delta * (0.995 * actual_rms / rms)
    else:
        marked = np.clip(np.rint(rgb + delta[..., None] * channel), 0, 255)
    return marked.astype(np.uint8)


def _decode_at(luma: np.ndarray, period: tuple[float, float], layouts: Sequence[_Layout]) -> int | None:
    """Return the payload read with the tile at ``period`` (py, px) pixels, trying each layout."""
    h, w = luma.shape
    size = (round(w * TILE / period[1]), round(h * TILE / period[0]))
    if min(size) < _MIN_SIDE // 2 or size[0] * size[1] > _MAX_PIXELS:
        return None
    fold = _fold(_whiten(_resize(luma, size)))
    for layout in layouts:
        payload = _decode_fold(fold, layout)
        if payload is not None:
            return payload
    return None


def _reads_back_pixels(marked: np.ndarray, payload: int, layout: _Layout) -> bool:
    """Return whether the decoder, at the predicted period, finds ``payload`` in ``marked`` and in a JPEG-85 copy.

    Both are read: surviving the lossy copy does not imply reading from the
    clean pixels (on 256 px uniform noise about 1 fresh key in 15 gave a mark
    that read from the JPEG copy only, 2026-12-07).
    """
    period = _predicted_period(marked.shape[1], marked.shape[0])
    if _decode_at(_luma(marked.astype(np.float32)), period, [layout]) != payload:
        return False
    buffer = io.BytesIO()
    Image.fromarray(marked, "RGB").save(buffer, "JPEG", quality=_CHECK_JPEG_QUALITY)
    recoded = np.asarray(Image.open(io.BytesIO(buffer.getvalue())).convert("RGB"), dtype=np.float32)
    return _decode_at(_luma(recoded), period, [layout]) == payload


def _predicted_period(w: int, h: int) -> tuple[float, float]:
    cw, ch = _canonical_size(w, h)
    return TILE * h / ch, TILE * w / cw


def _embed_once(
    rgb: np.ndarray,
    signs: np.ndarray,
    *,
    strength: float,
    overshoot: float = 1.0,
    weights: tuple[float, float, float] = (1.0, 1.0, 1.0),
    secure_crop: bool = True,
    actual_rms: float | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Return the luminance change (float32, the host's size) and the R, G, B multipliers for ``signs``.

    Works at whatever resolution ``rgb`` has; :func:`embed` calls it on the
    canonical-resolution copy and upsamples the change.

    Args:
        rgb: The host, float32 (h, w, 3).
        signs: The +-1 target of every chip (:func:`_target_signs`).
        strength: RMS per-channel change the informed embedding budgets for.
        overshoot: How far (RMS ratio) the top-ups may exceed ``strength`` before a rescale.
        weights: Relative change of R, G and B; scaled so the luminance change is the pattern.
        secure_crop: Also secure the centred 90 % crop view (see :func:`_views`).
        actual_rms: If given, skip the ``overshoot`` rule: the caller rescales the
            actual change (after rounding and clipping) to this RMS.
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

    def worst_of(measured: np.ndarray) -> np.ndarray:
        # Per chip, the view in which the chip is weakest (in the direction of its sign).
        return signs * np.min(measured * signs, axis=0)

    def worst(plane: np.ndarray) -> np.ndarray:
        return worst_of(_measure(plane, views))

    # The host's own chip values, measured once: the margin search and the
    # probe's gain both use them (each measurement costs a whitening and FFTs).
    host_measured = _measure(luma, views)
    host = worst_of(host_measured)
    unit = luma_strength / np.sqrt(np.mean(delta_of(signs) ** 2))
    probe = _measure(_luma(apply(delta_of(unit * signs))), views[:1])[0]
    gain = max(float(np.dot(probe - host_measured[0], signs)) / (unit * _N_CHIPS), 1e-9)
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
    return delta, channel


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


def _decode_fold(fold: np.ndarray, layout: _Layout, peaks: int = PEAKS) -> int | None:
    spectrum = np.fft.fft2(fold)
    corr = np.real(np.fft.ifft2(spectrum * layout.pilot_spectrum_conj))
    k = np.fft.fftfreq(TILE) * TILE
    for flat in np.argsort(corr, axis=None)[::-1][:peaks]:
        dy, dx = divmod(int(flat), TILE)
        # Undo the cyclic shift (a crop's offset) as a phase ramp instead of re-transforming.
        ramp = np.exp(2j * np.pi * (k[:, None] * dy + k[None, :] * dx) / TILE)
        data = _chips(spectrum * ramp)[layout.data_pos] * layout.data_flip
        scale = np.sqrt(np.mean(data**2)) + 1e-12
        soft = np.zeros(ecc.CODED_BITS)
        np.add.at(soft, _DATA_BIT, data / scale)
        payload = ecc.unframe(ecc.viterbi_decode(soft) ^ layout.frame_mask)
        if payload is not None:
            return payload
    return None


def _periods(luma: np.ndarray, count: int) -> list[tuple[float, float]]:
    """Return up to ``count`` candidate tile periods (py, px), in pixels, best first.

    The image is resampled so its shorter side is :data:`_SEARCH_SIDE`,
    whitened, and autocorrelated (zero-padded FFT, normalised by overlap): a
    periodic tile adds a peak at every multiple of its period along each axis,
    while a whitened host's autocorrelation dies out within a few pixels. The
    strongest peaks of the two axes' sum give coarse periods (with the half
    period when that is a peak too, since 2P is also one); each is then refined
    per axis by least squares over the harmonics n*P, which is what makes the
    estimate accurate to about 0.1 %: a fold at 64 px tolerates a period error
    of under 1 % over the canonical image.
    """
    h, w = luma.shape
    f = _SEARCH_SIDE / min(h, w)
    work = _resize(luma.astype(np.float32), (max(1, round(w * f)), max(1, round(h * f))))
    fy, fx = work.shape[0] / h, work.shape[1] / w
    detail = work - _blur(work, 4.0)
    white = detail / (np.sqrt(_blur(detail * detail, 8.0)) + 1.0)
    white -= white.mean()
    hh, ww = white.shape
    spectrum = np.fft.rfft2(white, s=(2 * hh, 2 * ww))
    power = (spectrum.real**2 + spectrum.imag**2).astype(np.float32)
    # Spectral flattening: the tile is a set of sharp lines in the spectrum, a
    # photograph's texture a broad hump; dividing by the local mean power and
    # keeping only what stands out leaves mostly the lines, so the host's own
    # (aperiodic or weakly periodic) structure no longer wins the peak search.
    local = cv2.blur(power, (_FLAT_BINS, _FLAT_BINS), borderType=cv2.BORDER_REFLECT) + 1e-9
    lines = np.maximum(power / local - _FLAT_THRESHOLD, 0.0)
    auto = np.fft.irfft2(lines, s=(2 * hh, 2 * ww))
    prof_x = auto[0, :ww] / (hh * (ww - np.arange(ww)))
    prof_y = auto[:hh, 0] / ((hh - np.arange(hh)) * ww)

    def highpass(p: np.ndarray) -> np.ndarray:
        # Remove the slowly varying part left by the host, so only narrow peaks count.
        return p - cv2.blur(p.astype(np.float32).reshape(1, -1), (17, 1)).ravel()

    prof_x, prof_y = highpass(prof_x), highpass(prof_y)
    lo, hi = _SEARCH_LAGS
    hi = min(hi, int(0.6 * min(hh, ww)))
    if hi <= lo + 2:
        return []
    both = prof_x[: hi + 1] + prof_y[: hi + 1]
    peaks = [t for t in range(lo, hi) if both[t] >= both[t - 1] and both[t] >= both[t + 1] and both[t] > 0]
    peaks.sort(key=lambda t: -both[t])
    coarse: list[int] = []
    for t in peaks[: count + 1]:
        half = round(t / 2)
        if half >= lo:
            near = max(range(half - 2, half + 3), key=lambda u: both[u])
            if both[near] >= 0.5 * both[t]:
                t = near
        if all(abs(t - c) > 2 for c in coarse):
            coarse.append(t)
    out = []
    for t in coarse[:count]:
        py, px = _refine(prof_y, t), _refine(prof_x, t)
        out.append((py / fy, px / fx))
    return out


def _refine(prof: np.ndarray, coarse: float) -> float:
    """Return the period fitted to the peaks near every multiple of ``coarse`` in ``prof``."""
    limit = int(0.6 * len(prof)) - 3
    period, num, den, n = float(coarse), 0.0, 0.0, 1
    while n * period + 3 < limit:
        centre = round(n * period)
        window = prof[centre - 2 : centre + 3]
        i = int(np.argmax(window))
        peak = float(centre - 2 + i)
        if 0 < i < 4:
            a, b, c = window[i - 1], window[i], window[i + 1]
            denom = a - 2 * b + c
            if denom < 0:
                peak += 0.5 * (a - c) / denom
        num, den = num + n * peak, den + n * n
        period = num / den
        n += 1
    return period


def _layouts(keys: Sequence[bytes]) -> list[_Layout]:
    if isinstance(keys, bytes | bytearray):
        keys = [keys]
    if not 1 <= len(keys) <= MAX_KEYS:
        raise ConfigurationError(f"give between 1 and {MAX_KEYS} watermark keys (the current one first)")
    return [_layout(_check_key(k)) for k in keys]


def extract(image: Image.Image, *, keys: Sequence[bytes]) -> str | None:
    """Return the record id carried by ``image`` under one of ``keys``, or ``None`` if none is found.

    Tries the period the canonical resolution predicts for this size (any
    uniform resize of an uncropped image), then those of Hallmark's output
    sizes (:data:`OUTPUT_SIDES`: crops), then the periods estimated from the
    image (:func:`_periods`: crops of resized copies), at most
    :data:`MAX_PERIODS` in all, each with every key (current first) and up to
    :data:`PEAKS` synchronisation candidates. An id is returned only if its
    CRC-32 checks, which bounds false ids by construction (module docstring).

    Args:
        image: The copy to read.
        keys: The current watermark key, then previous ones (at most :data:`MAX_KEYS`).

    Raises:
        InvalidInput: If ``image`` is not a PIL image, or is too small or too large.
        ConfigurationError: If no key, too many keys, or a key under 16 bytes is given.
    """
    layouts = _layouts(keys)
    if not isinstance(image, Image.Image):
        raise InvalidInput("expected a PIL.Image.Image")
    w, h = image.size
    if min(w, h) < _MIN_SIDE // 2 or w * h > _MAX_PIXELS:
        raise InvalidInput("image too small or too large to carry a watermark")
    luma = _luma(np.asarray(image.convert("RGB"), dtype=np.float32))
    tried = [_predicted_period(w, h)]
    payload = _decode_at(luma, tried[0], layouts)
    if payload is None:
        known = [(TILE * side / CANONICAL,) * 2 for side in OUTPUT_SIDES]
        for period in known + _periods(luma, MAX_PERIODS - 1 - len(known)):
            if any(abs(period[0] / p[0] - 1) < 0.002 and abs(period[1] / p[1] - 1) < 0.002 for p in tried):
                continue
            tried.append(period)
            payload = _decode_at(luma, period, layouts)
            if payload is not None or len(tried) == MAX_PERIODS:
                break
    return None if payload is None else record_id_of(payload)


def reads_back(image: Image.Image, record_id: str, *, key: bytes) -> bool:
    """Return whether :func:`extract` with ``key`` finds exactly ``record_id`` in ``image``."""
    return extract(image, keys=[key]) == record_id


def psnr(reference: Image.Image, candidate: Image.Image) -> float:
    """Return the PSNR in dB of ``candidate`` against ``reference`` (RGB, 8-bit)."""
    a = np.asarray(reference.convert("RGB"), dtype=np.float64)
    b = np.asarray(candidate.convert("RGB"), dtype=np.float64)
    mse = float(np.mean((a - b) ** 2))
    return float("inf") if mse == 0 else 10 * np.log10(255.0**2 / mse)
