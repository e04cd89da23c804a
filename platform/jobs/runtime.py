"""The models and classifiers, loaded once per process (worker start-up warms them)."""
from __future__ import annotations

import functools
import logging
import threading
from pathlib import Path

from django.conf import settings

from hallmark.errors import DomainError

log = logging.getLogger(__name__)

_gates_ready = threading.Event()
_warming: threading.Thread | None = None
_warm_lock = threading.Lock()


class GatesNotReady(DomainError):
    """The web process is still loading its moderation gates; fail closed (503, Retry-After)."""

    kind = "unavailable"


def warm_gates() -> None:
    """Load the moderation gates in a background thread, once per process (the web server's start).

    Loading and training the classifiers takes seconds to minutes; started here, no request
    pays for it, and requests that arrive first get GatesNotReady instead of a long hang."""
    global _warming
    with _warm_lock:
        if _warming is not None:
            return

        def load() -> None:
            try:
                moderator()
                _gates_ready.set()
                log.info("moderation gates loaded")
            except Exception:  # noqa: BLE001  (the gates stay not-ready: requests keep failing closed)
                log.exception("loading the moderation gates failed")

        _warming = threading.Thread(target=load, name="warm-gates", daemon=True)
        _warming.start()


def gates_state() -> str:
    """Return "ready" (loaded), "loading" (warming in the background) or "lazy" (loads on first use)."""
    if _gates_ready.is_set() or moderator.cache_info().currsize:
        return "ready"
    return "loading" if _warming is not None else "lazy"


def ready_moderator():
    """Return the moderation gates; while warm_gates() is still loading them, wait briefly, then raise GatesNotReady."""
    if _warming is not None and not _gates_ready.wait(settings.HALLMARK["GATES_WAIT_S"]):
        raise GatesNotReady("The moderation service is starting; try again shortly.", code="moderation_unavailable",
                            retry_after=5)
    return moderator()


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
