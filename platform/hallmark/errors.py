"""The one base for domain errors: services raise them, the edges render them.

A service says *what* went wrong (a code a program can match, a message a person can
read, the parameter at fault, and its kind); the API (OpenAI's error body under /v1/)
and the studio (form errors and pages) decide how to show it. Nothing here knows HTTP.
This module is a leaf: it imports nothing from the project.
"""
from __future__ import annotations

from typing import Any, Literal

Kind = Literal["invalid", "forbidden", "not_found", "conflict", "limited", "unavailable"]


class DomainError(Exception):
    """A failure the caller can act on.

    Args:
        message: what a person is told.
        code: a stable machine-readable code (``invalid_image_format``, ``account_suspended``).
        param: the request parameter at fault, if any.
        retry_after: seconds after which trying again can succeed (``limited``/``unavailable``).
        extra: further fields a client may rely on (``suspended_until``, ``job_id``).
    """

    kind: Kind = "invalid"

    def __init__(self, message: str, *, code: str, param: str | None = None, retry_after: int | None = None,
                 extra: dict[str, Any] | None = None, kind: Kind | None = None):
        super().__init__(message)
        self.message, self.code, self.param, self.retry_after = message, code, param, retry_after
        self.extra = extra or {}
        if kind is not None:
            self.kind = kind

    def __str__(self) -> str:
        return self.message
