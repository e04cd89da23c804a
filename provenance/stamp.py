"""Stamping: watermark the pixels, encode, read the mark back, then sign a C2PA manifest over the result."""

from __future__ import annotations

import io
from pathlib import Path
from typing import NamedTuple

from PIL import Image

from . import watermark
from .errors import InvalidInput
from .manifest import manifest_definition, parent_ingredient
from .record import Record, mime_of
from .signing import Credentials, sign

__all__ = ["Stamper", "Stamped"]


class Stamped(NamedTuple):
    """A stamped image: the signed bytes, and whether its watermark was read back from them."""

    data: bytes
    watermark_verified: bool


class Stamper:
    """Stamps output images with a keyed invisible watermark and a signed C2PA manifest.

    A Stamper holds only parsed credentials and the watermark key; each
    :meth:`stamp` call makes its own native signer and context, so one Stamper
    can be shared by threads.

    Args:
        cert_chain_pem: PEM certificate chain, signing certificate first.
        key_pem: PEM private key of the signing certificate.
        watermark_key: The secret watermark key (at least 16 bytes); see :func:`provenance.keys.read_key_file`.
        alg: C2PA signing algorithm (``"es256"`` by default).
        tsa_url: Optional RFC 3161 time-stamp authority URL (off by default;
            signing then needs network access to it).

    Raises:
        ConfigurationError: If the chain, the key or the watermark key is unusable.
    """

    def __init__(self, cert_chain_pem: bytes, key_pem: bytes, *, watermark_key: bytes, alg: str = "es256",
                 tsa_url: str | None = None):
        self.credentials = Credentials(cert_chain_pem, key_pem, alg=alg, tsa_url=tsa_url)
        self.watermark_key = watermark._check_key(watermark_key)

    @classmethod
    def from_files(
        cls, cert_chain_path: str | Path, key_path: str | Path, *, watermark_key: bytes, alg: str = "es256",
        tsa_url: str | None = None,
    ) -> Stamper:
        """Return a Stamper reading its chain and key from PEM files.

        Raises:
            ConfigurationError: If a file is missing or unusable.
        """
        stamper = cls.__new__(cls)
        stamper.credentials = Credentials.from_files(cert_chain_path, key_path, alg=alg, tsa_url=tsa_url)
        stamper.watermark_key = watermark._check_key(watermark_key)
        return stamper

    def stamp(self, image: Image.Image, record: Record, *, format: str = "png", quality: int = 95) -> Stamped:
        """Return the encoded image, watermarked with ``record.record_id``, checked and signed.

        The watermark goes in first so that the manifest's hash covers the
        marked pixels. The encoded bytes are then decoded and read as
        :func:`provenance.verify` would; only if the id comes back does the
        manifest name the watermark scheme and ``watermark_verified`` say True.
        An image whose mark cannot be read back within the PSNR floor is still
        returned (the caller decides), but nothing in it claims a mark.
        Alpha is kept for PNG and dropped for JPEG.

        Args:
            image: The model's output.
            record: What to claim about it.
            format: ``"png"`` (default) or ``"jpeg"``.
            quality: JPEG quality (ignored for PNG).

        Returns:
            :class:`Stamped` (bytes, verified flag). The image is buffered in memory a few times;
            the read-back costs one decode of the encoded bytes and one watermark read.

        Raises:
            InvalidInput: If the image, record or format is unusable.
            SigningError: If signing fails.
        """
        if not isinstance(record, Record):
            raise InvalidInput("record must be a provenance.Record")
        mime = mime_of(format)
        if mime == "image/webp":
            raise InvalidInput("stamping writes png or jpeg")
        if not 1 <= int(quality) <= 100:
            raise InvalidInput("quality must be within 1..100")
        marked = watermark.embed(image, record.record_id, key=self.watermark_key)
        buffer = io.BytesIO()
        if mime == "image/jpeg":
            marked.convert("RGB").save(buffer, "JPEG", quality=int(quality))
        else:
            marked.save(buffer, "PNG")
        encoded = buffer.getvalue()
        verified = watermark.reads_back(Image.open(io.BytesIO(encoded)), record.record_id, key=self.watermark_key)
        ingredients = []
        if record.parent is not None:
            ingredients.append((parent_ingredient(record), record.parent_mime or "image/png", bytes(record.parent)))
        definition = manifest_definition(record, mime, watermarked=verified)
        return Stamped(sign(self.credentials, definition, mime, encoded, ingredients), verified)
