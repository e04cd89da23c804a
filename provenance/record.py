"""The record a stamped image belongs to, and the ids that name it."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Literal

from . import ecc
from .errors import InvalidInput

__all__ = ["Record", "JobKind", "new_record_id", "sniff_mime"]

JobKind = Literal["generation", "edit", "variation", "restyle"]
_KINDS = ("generation", "edit", "variation", "restyle")
# Kinds made from an uploaded photo: their record carries the photo as the parent ingredient.
PARENT_KINDS = ("edit", "variation", "restyle")
_ID_DIGITS = ecc.ID_BITS // 4
_MIMES = {"png": "image/png", "jpeg": "image/jpeg", "jpg": "image/jpeg", "mpo": "image/jpeg", "webp": "image/webp"}


def new_record_id() -> str:
    """Return a random 48-bit record id as 12 lowercase hex digits (e.g. ``"3f9a0c1be27d"``).

    48 bits is what the watermark carries next to its 32-bit check code. Ids
    are random, not sequential, so they reveal nothing about volume; with
    2**48 values a collision among a million stored ids has a probability of
    about 0.2 %, so the platform should retry on a uniqueness violation.
    """
    return f"{secrets.randbits(ecc.ID_BITS):0{_ID_DIGITS}x}"


def sniff_mime(data: bytes) -> str | None:
    """Return the MIME type of encoded image bytes from their signature, or ``None``."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def mime_of(fmt: str) -> str:
    """Return the MIME type for a short format name or a MIME type.

    Raises:
        InvalidInput: If the format is not PNG, JPEG or WebP.
    """
    key = fmt.lower().removeprefix("image/")
    if key not in _MIMES:
        raise InvalidInput(f"unsupported image format {fmt!r}; use png or jpeg")
    return _MIMES[key]


@dataclass(frozen=True)
class Record:
    """What the manifest and the watermark say about one output image.

    Attributes:
        record_id: The platform's id for the output (12 hex digits, see :func:`new_record_id`).
        kind: ``"generation"``, ``"edit"``, ``"variation"`` or ``"restyle"``
            (a restyle is an edit of the whole photo: ``c2pa.edited``, parent ``parentOf``).
        model_id: The model's identifier (e.g. a hub id or a local name).
        model_version: The model's version or revision.
        parent: Encoded bytes of the source image, required for edits, variations and restyles.
        parent_format: The parent's format (``"png"``, ``"jpeg"`` or a MIME type);
            sniffed from its bytes when ``None``.
        software_agent: ``"Product/version"`` of the service that made the image.

    No prompt text and no user identity belong here: the manifest travels with
    the image to anyone, so it names the record, which the platform can look up.
    """

    record_id: str
    kind: JobKind
    model_id: str
    model_version: str
    parent: bytes | None = None
    parent_format: str | None = None
    software_agent: str = "Hallmark/0.1"

    def __post_init__(self) -> None:
        rid = self.record_id
        if not (isinstance(rid, str) and len(rid) == _ID_DIGITS and all(c in "0123456789abcdef" for c in rid)):
            raise InvalidInput(f"record_id must be {_ID_DIGITS} lowercase hex digits, as new_record_id() makes")
        if self.kind not in _KINDS:
            raise InvalidInput(f"kind must be one of {', '.join(_KINDS)}")
        if not self.model_id or not self.model_version:
            raise InvalidInput("model_id and model_version are required")
        if self.kind in PARENT_KINDS:
            if not isinstance(self.parent, bytes | bytearray) or not self.parent:
                raise InvalidInput(f"a {self.kind} record needs the parent image's bytes")
            if self.parent_format is None and sniff_mime(bytes(self.parent)) is None:
                raise InvalidInput("parent is not a PNG, JPEG or WebP image; pass parent_format")
        elif self.parent is not None:
            raise InvalidInput("a generation record has no parent")

    @property
    def parent_mime(self) -> str | None:
        """Return the parent's MIME type, or ``None`` without a parent."""
        if self.parent is None:
            return None
        if self.parent_format is not None:
            return mime_of(self.parent_format)
        return sniff_mime(bytes(self.parent))

    @property
    def agent_name_version(self) -> tuple[str, str]:
        """Return ``(product, version)`` parsed from :attr:`software_agent`."""
        name, _, version = self.software_agent.partition("/")
        return name or self.software_agent, version or "unknown"
