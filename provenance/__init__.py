"""Provenance for Hallmark's outputs: signed C2PA manifests plus an invisible watermark.

Plain Python (no Django): the workers call :meth:`Stamper.stamp` after
generation, and the public verify endpoint calls :func:`verify`.

Example::

    stamper = Stamper.from_files("signer-chain.pem", "signer.key")
    record = Record(new_record_id(), "generation", "hallmark/unclip-tiny", "1")
    png = stamper.stamp(image, record)
    verdict = verify(png, trust_anchors=open("ca.pem").read())
"""

from .errors import ConfigurationError, InvalidInput, ProvenanceError, SigningError
from .record import JobKind, Record, new_record_id
from .stamp import Stamped, Stamper
from .verify import Verdict, verify

__all__ = [
    "ConfigurationError",
    "InvalidInput",
    "JobKind",
    "ProvenanceError",
    "Record",
    "SigningError",
    "Stamped",
    "Stamper",
    "Verdict",
    "new_record_id",
    "verify",
]
