"""Stamping: watermark the pixels, encode, then sign a C2PA manifest over the result."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image

from . import watermark
from .errors import InvalidInput
from .manifest import manifest_definition, parent_ingredient
from .record import Record, mime_of
from .signing import Credentials, sign

__all__ = ["Stamper"]


class Stamper:
    """Stamps output images with an invisible watermark and a signed C2PA manifest.

    A Stamper holds only parsed credentials; each :meth:`stamp` call makes its
    own native signer and context, so one Stamper can be shared by threads.

    Args:
        cert_chain_pem: PEM certificate chain, signing certificate first.
        key_pem: PEM private key of the signing certificate.
        alg: C2PA signing algorithm (``"es256"`` by default).
        tsa_url: Optional RFC 3161 time-stamp authority URL (off by default;
            signing then needs network access to it).

    Raises:
        ConfigurationError: If the chain or key is unusable.
    """

    def __init__(self, cert_chain_pem: bytes, key_pem: bytes, *, alg: str = "es256", tsa_url: str | None = None):
        self.credentials = Credentials(cert_chain_pem, key_pem, alg=alg, tsa_url=tsa_url)

    @classmethod
    def from_files(
        cls, cert_chain_path: str | Path, key_path: str | Path, *, alg: str = "es256", tsa_url: str | None = None
    ) -> Stamper:
        """Return a Stamper reading its chain and key from PEM files.

        Raises:
            ConfigurationError: If a file is missing or unusable.
        """
        stamper = cls.__new__(cls)
        stamper.credentials = Credentials.from_files(cert_chain_path, key_path, alg=alg, tsa_url=tsa_url)
        return stamper

    def stamp(self, image: Image.Image, record: Record, *, format: str = "png", quality: int = 95) -> bytes:
        """Return the encoded image, watermarked with ``record.record_id`` and signed.

        The watermark goes in first so that the manifest's hash covers the
        marked pixels. Alpha is kept for PNG and dropped for JPEG.

        Args:
            image: The model's output.
            record: What to claim about it.
            format: ``"png"`` (default) or ``"jpeg"``.
            quality: JPEG quality (ignored for PNG).

        Returns:
            The signed PNG or JPEG bytes. The image is buffered in memory a few times.

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
        marked = watermark.embed(image, record.record_id)
        buffer = io.BytesIO()
        if mime == "image/jpeg":
            marked.convert("RGB").save(buffer, "JPEG", quality=int(quality))
        else:
            marked.save(buffer, "PNG")
        ingredients = []
        if record.parent is not None:
            ingredients.append((parent_ingredient(record), record.parent_mime or "image/png", bytes(record.parent)))
        return sign(self.credentials, manifest_definition(record, mime), mime, buffer.getvalue(), ingredients)
