"""Watermark keys: secret random bytes in a file of their own (hex, mode 0600), like the signing key."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from . import watermark
from .errors import ConfigurationError

__all__ = ["create_key_file", "read_key_file", "read_key_files"]

KEY_BYTES = 32


def create_key_file(path: str | Path, *, force: bool = False) -> Path:
    """Write a new random 256-bit watermark key to ``path`` (hex, mode 0600) unless one exists.

    Idempotent like :func:`provenance.devca.create`: an existing key is kept (``force``
    replaces it), so images marked earlier stay readable.
    """
    path = Path(path)
    if path.exists() and not force:
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(secrets.token_hex(KEY_BYTES) + "\n")
    path.chmod(0o600)
    return path


def read_key_file(path: str | Path) -> bytes:
    """Return the watermark key stored (hex or raw) in ``path``.

    Raises:
        ConfigurationError: If the file is missing or holds fewer than 16 bytes.
    """
    try:
        raw = Path(path).read_bytes().strip()
    except OSError as exc:
        raise ConfigurationError(f"cannot read the watermark key {path}: {exc.strerror}") from None
    try:
        key = bytes.fromhex(raw.decode("ascii"))
    except (UnicodeDecodeError, ValueError):
        key = raw
    if len(key) < watermark.MIN_KEY_BYTES:
        raise ConfigurationError(f"the watermark key in {path} is shorter than {watermark.MIN_KEY_BYTES} bytes")
    return key


def read_key_files(current: str | Path, previous: list[str | Path] | tuple[str | Path, ...] = ()) -> list[bytes]:
    """Return the current key then the previous ones (for verifying images marked before a rotation).

    Raises:
        ConfigurationError: If a file is unusable, or more than ``MAX_KEYS`` keys are configured.
    """
    keys = [read_key_file(current)] + [read_key_file(p) for p in previous if str(p).strip()]
    if len(keys) > watermark.MAX_KEYS:
        raise ConfigurationError(f"at most {watermark.MAX_KEYS} watermark keys (the current and "
                                 f"{watermark.MAX_KEYS - 1} previous) keep the false-id bound")
    return keys
