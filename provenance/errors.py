"""The library's error hierarchy (the platform maps every one to an HTTP 400)."""

from __future__ import annotations

__all__ = ["ProvenanceError", "InvalidInput", "SigningError", "ConfigurationError"]


class ProvenanceError(Exception):
    """Base class of every error this library raises on purpose."""


class InvalidInput(ProvenanceError):
    """The bytes, image or record handed in cannot be used (garbage, truncated, too large, wrong kind)."""


class SigningError(ProvenanceError):
    """The manifest could not be built or signed (bad certificate chain or key, signer failure)."""


class ConfigurationError(ProvenanceError):
    """Settings are unusable (missing certificate files, malformed trust anchors)."""
