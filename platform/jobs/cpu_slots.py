"""A web process's slots for CPU-bound request work: decoding uploads, verifying, moderating.

A web process serves every request from threads that share one interpreter lock. When many
requests decode pictures or run the moderation model at once, each light request (a job poll,
GET /v1/models, a health check) waits behind all of them for the lock and the cores, and its
latency grows with the number of heavy requests in flight. Bounding that number keeps the light
ones fast: a heavy request takes a slot, or waits for one (blocked threads do not contend for
the lock), and past HALLMARK_WEB_CPU_WAIT_S is refused with 429 ``server_busy`` and Retry-After.
"""
from __future__ import annotations

import threading
from contextlib import contextmanager
from typing import Iterator

from django.conf import settings

from hallmark.errors import DomainError


class ServerBusy(DomainError):
    """Every CPU slot of this web process stayed taken for the whole wait; try again shortly (429)."""

    kind = "limited"


# Made once, when the views are imported (a setting changed later does not resize it).
_SLOTS = threading.BoundedSemaphore(max(1, settings.HALLMARK["WEB_CPU_SLOTS"]))


@contextmanager
def cpu_slot() -> Iterator[None]:
    """Hold one of this process's CPU slots for the block; raise ServerBusy if none frees in time."""
    if not _SLOTS.acquire(timeout=settings.HALLMARK["WEB_CPU_WAIT_S"]):
        raise ServerBusy("The server is busy with other uploads and checks; try again shortly.",
                         code="server_busy", retry_after=1)
    try:
        yield
    finally:
        _SLOTS.release()
