"""Signing credentials and the C2PA calls that sign and read manifests.

Every call builds its own ``c2pa.Context`` from explicit settings instead of
using ``c2pa.load_settings``: in c2pa-python 0.38.1 ``load_settings`` is
deprecated, thread-local, and ignored by ``Reader``/``Builder`` (they use a
shared default Context unless given one). A per-call Context therefore keeps
one verification's trust anchors from leaking into another, in any thread.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import c2pa
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from .errors import ConfigurationError, SigningError

__all__ = ["Credentials", "sign", "read_context"]

_ALGS = {"es256", "es384", "es512", "ps256", "ps384", "ps512", "ed25519"}
# Thumbnails would copy a parent image (a user's upload) into the manifest; keep them out.
_BUILDER_SETTINGS = {"builder": {"thumbnail": {"enabled": False}}}


class Credentials:
    """A certificate chain (leaf first) and its private key, checked at construction.

    Args:
        cert_chain_pem: PEM certificates, the signing certificate first.
        key_pem: The signing certificate's private key (PEM, unencrypted).
        alg: C2PA signing algorithm name (``"es256"`` by default).
        tsa_url: Optional RFC 3161 time-stamp authority URL.

    Raises:
        ConfigurationError: If the chain or key cannot be parsed or do not match.
    """

    def __init__(self, cert_chain_pem: bytes, key_pem: bytes, *, alg: str = "es256", tsa_url: str | None = None):
        alg = alg.lower()
        if alg not in _ALGS:
            raise ConfigurationError(f"unsupported signing algorithm {alg!r}")
        try:
            certs = x509.load_pem_x509_certificates(bytes(cert_chain_pem))
            key = serialization.load_pem_private_key(bytes(key_pem), password=None)
        except (ValueError, TypeError) as exc:
            raise ConfigurationError(f"cannot parse the certificate chain or key: {exc}") from None
        if certs[0].public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        ) != key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo):
            raise ConfigurationError("the private key does not belong to the first certificate of the chain")
        self.cert_chain_pem = bytes(cert_chain_pem)
        self.key_pem = bytes(key_pem)
        self.alg = alg
        self.tsa_url = tsa_url
        self.subject = certs[0].subject.rfc4514_string()

    @classmethod
    def from_files(cls, cert_chain_path: str | Path, key_path: str | Path, **kwargs: Any) -> Credentials:
        """Read the chain and key from PEM files."""
        try:
            return cls(Path(cert_chain_path).read_bytes(), Path(key_path).read_bytes(), **kwargs)
        except OSError as exc:
            raise ConfigurationError(f"cannot read signing credentials: {exc}") from None

    def signer(self) -> c2pa.Signer:
        """Return a fresh native signer (the caller closes it)."""
        info = c2pa.C2paSignerInfo(self.alg.encode(), self.cert_chain_pem, self.key_pem, self.tsa_url)
        return c2pa.Signer.from_info(info)


def sign(
    credentials: Credentials,
    manifest: dict[str, Any],
    mime: str,
    asset: bytes,
    ingredients: list[tuple[dict[str, Any], str, bytes]] = (),  # type: ignore[assignment]
) -> bytes:
    """Return ``asset`` with ``manifest`` signed and embedded.

    Args:
        credentials: Signing chain and key.
        manifest: The manifest definition (see :mod:`provenance.manifest`).
        mime: The asset's MIME type.
        asset: The encoded image; buffered in memory along with the output.
        ingredients: ``(definition, mime, bytes)`` of each ingredient.

    Raises:
        SigningError: If c2pa rejects the manifest, an ingredient or the credentials.
    """
    try:
        with c2pa.Context.from_dict(_BUILDER_SETTINGS) as context, credentials.signer() as signer:
            with c2pa.Builder(json.dumps(manifest), context) as builder:
                for definition, ingredient_mime, data in ingredients:
                    builder.add_ingredient(json.dumps(definition), ingredient_mime, io.BytesIO(data))
                out = io.BytesIO()
                builder.sign(signer, mime, io.BytesIO(asset), out)
                return out.getvalue()
    except c2pa.C2paError as exc:
        raise SigningError(f"C2PA signing failed: {exc}") from exc


def read_context(trust_anchors: bytes | str | None) -> c2pa.Context:
    """Return a new Context that verifies trust against ``trust_anchors`` (PEM), or against none.

    Raises:
        ConfigurationError: If the anchors are not PEM certificates.
    """
    settings: dict[str, Any] = {"verify": {"verify_trust": True}}
    if trust_anchors is not None:
        pem = trust_anchors.decode("ascii", "replace") if isinstance(trust_anchors, bytes) else str(trust_anchors)
        try:
            x509.load_pem_x509_certificates(pem.encode())
        except ValueError:
            raise ConfigurationError("trust_anchors must be PEM certificates") from None
        settings["trust"] = {"trust_anchors": pem}
    try:
        return c2pa.Context.from_dict(settings)
    except c2pa.C2paError as exc:
        raise ConfigurationError(f"c2pa rejected the trust settings: {exc}") from exc
