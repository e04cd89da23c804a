"""Payload framing for the watermark: CRC-32 check code plus a convolutional code.

The watermark channel gives one soft value per coded bit (its sign is the bit,
its size the confidence), so a soft-decision decoder gains several dB over the
hard-decision block codes (BCH, Reed-Solomon) that maintained Python packages
offer. The code is the standard constraint-length-7, rate-1/2 convolutional
code (generators 171/133 octal, as in 802.11 and DVB), terminated with six zero
bits and decoded by a vectorised Viterbi search.

The CRC-32 (``zlib.crc32``) is what bounds false positives: a decode of
an unmarked image yields some bit string, and it passes the check with
probability 2**-32 (about 2.3e-10) per decoding attempt.
"""

from __future__ import annotations

import zlib

import numpy as np

__all__ = ["ID_BITS", "CRC_BITS", "INFO_BITS", "CODED_BITS", "frame", "unframe", "encode", "viterbi_decode"]

ID_BITS = 48
CRC_BITS = 32
INFO_BITS = ID_BITS + CRC_BITS
_K = 7  # constraint length
_TAIL = _K - 1
_G = (0o171, 0o133)
CODED_BITS = 2 * (INFO_BITS + _TAIL)
_N_STATES = 1 << (_K - 1)


def _parity(x: np.ndarray) -> np.ndarray:
    x = x.copy()
    out = np.zeros_like(x)
    while np.any(x):
        out ^= x & 1
        x >>= 1
    return out


# Trellis tables: for state s (the last six input bits, newest in the high bit)
# and input bit b, the register is (b << 6) | s, the outputs are its parities
# under each generator and the next state is register >> 1.
_REG = np.array([[(b << (_K - 1)) | s for b in (0, 1)] for s in range(_N_STATES)], dtype=np.int64)
_OUT = np.stack([_parity(_REG & g) for g in _G], axis=-1).astype(np.int8)  # (state, bit, 2)
_NEXT = (_REG >> 1).astype(np.int64)  # (state, bit)


def _bits_of(value: int, n: int) -> np.ndarray:
    return np.array([(value >> (n - 1 - i)) & 1 for i in range(n)], dtype=np.uint8)


def _int_of(bits: np.ndarray) -> int:
    value = 0
    for bit in bits:
        value = (value << 1) | int(bit)
    return value


def frame(payload: int) -> np.ndarray:
    """Return the ``INFO_BITS`` bits of ``payload`` followed by its CRC-32."""
    if not 0 <= payload < (1 << ID_BITS):
        raise ValueError(f"payload must fit in {ID_BITS} bits")
    raw = payload.to_bytes(ID_BITS // 8, "big")
    return np.concatenate([_bits_of(payload, ID_BITS), _bits_of(zlib.crc32(raw), CRC_BITS)])


def unframe(bits: np.ndarray) -> int | None:
    """Return the payload if the CRC-32 of ``bits`` checks out, else ``None``."""
    payload = _int_of(bits[:ID_BITS])
    crc = _int_of(bits[ID_BITS:INFO_BITS])
    if zlib.crc32(payload.to_bytes(ID_BITS // 8, "big")) != crc:
        return None
    return payload


def encode(info: np.ndarray) -> np.ndarray:
    """Return the ``2 * (len(info) + 6)`` coded bits of ``info`` (zero-terminated)."""
    state = 0
    out = np.empty(2 * (len(info) + _TAIL), dtype=np.uint8)
    for i, bit in enumerate(np.concatenate([info.astype(np.int64), np.zeros(_TAIL, dtype=np.int64)])):
        out[2 * i : 2 * i + 2] = _OUT[state, bit]
        state = _NEXT[state, bit]
    return out


def viterbi_decode(soft: np.ndarray) -> np.ndarray:
    """Return the most likely information bits for the soft coded values.

    Args:
        soft: One value per coded bit; positive means 0, negative means 1, and
            the magnitude is the confidence (any common scale).

    Returns:
        The ``len(soft) // 2 - 6`` information bits (tail removed).
    """
    steps = len(soft) // 2
    pairs = soft[: 2 * steps].reshape(steps, 2).astype(np.float64)
    # Correlation metric: sum of soft * (+1 for bit 0, -1 for bit 1).
    signs = 1.0 - 2.0 * _OUT  # (state, bit, 2)
    metric = np.full(_N_STATES, -np.inf)
    metric[0] = 0.0
    back = np.empty((steps, _N_STATES), dtype=np.int64)  # chosen predecessor register per next state
    flat_next = _NEXT.ravel()
    flat_reg = _REG.ravel()
    for t in range(steps):
        cand = (metric[:, None] + signs @ pairs[t]).ravel()  # (state*2,)
        if t >= steps - _TAIL:
            # Tail bits are zeros: forbid input 1 so the path ends in state 0.
            cand = cand.reshape(_N_STATES, 2).copy()
            cand[:, 1] = -np.inf
            cand = cand.ravel()
        new = np.full(_N_STATES, -np.inf)
        best = np.zeros(_N_STATES, dtype=np.int64)
        # Each next state has exactly two predecessors; pick the better one.
        order = np.argsort(flat_next, kind="stable")
        c = cand[order].reshape(_N_STATES, 2)
        pick = np.argmax(c, axis=1)
        new[:] = c[np.arange(_N_STATES), pick]
        best[:] = flat_reg[order].reshape(_N_STATES, 2)[np.arange(_N_STATES), pick]
        back[t] = best
        metric = new
    # Trace back from state 0; the input bit is the register's top bit.
    state = 0
    bits = np.empty(steps, dtype=np.uint8)
    for t in range(steps - 1, -1, -1):
        reg = back[t, state]
        bits[t] = (reg >> (_K - 1)) & 1
        state = reg & (_N_STATES - 1)
    return bits[: steps - _TAIL]
