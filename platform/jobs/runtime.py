"""The models and classifiers, loaded once per process (worker start-up warms them)."""
from __future__ import annotations

import functools
import logging
from pathlib import Path

from django.conf import settings

log = logging.getLogger(__name__)


@functools.cache
def moderator():
    """Return the process's moderation gates (text, image, faces)."""
    from moderation import Moderator

    cfg = settings.HALLMARK
    return Moderator.load(cfg["MODERATION_POLICY"], deadline_s=cfg["MODERATION_DEADLINE_S"])


@functools.cache
def generator():
    """Return the process's unCLIP generator."""
    from generation import Generator

    cfg = settings.HALLMARK
    return Generator.from_pretrained(cfg["MODEL_SOURCE"], device=cfg["MODEL_DEVICE"], cpu_offload=cfg["MODEL_CPU_OFFLOAD"],
                                     log=log.info)


@functools.cache
def stamper():
    """Return the C2PA signer and watermarker, from the configured certificate chain, key and watermark key."""
    from provenance import Stamper

    cfg = settings.HALLMARK
    return Stamper.from_files(cfg["SIGNING_CERT_CHAIN"], cfg["SIGNING_KEY"], tsa_url=cfg["TSA_URL"],
                              watermark_key=watermark_keys()[0])


@functools.cache
def watermark_keys() -> list[bytes]:
    """Return the watermark keys verification tries: the current one, then the previous ones."""
    from provenance.keys import read_key_files

    cfg = settings.HALLMARK
    return read_key_files(cfg["WATERMARK_KEY"], cfg["WATERMARK_PREVIOUS_KEYS"])


def trust_anchors() -> bytes | None:
    """Return the PEM trust anchors verification uses, if configured."""
    path = Path(settings.HALLMARK["TRUST_ANCHORS"])
    return path.read_bytes() if path.is_file() else None
