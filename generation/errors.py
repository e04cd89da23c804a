"""The library's error hierarchy.

The platform maps `InvalidRequest` to HTTP 400, `Cancelled` to a cancelled job, and everything
else under `GenerationError` to a failed job, so every error this library raises on purpose is one
of these types.
"""

from __future__ import annotations


class GenerationError(Exception):
    """Base class of every error raised on purpose by `generation`."""

    code = "generation_error"


class InvalidRequest(GenerationError, ValueError):
    """A caller-supplied parameter is unusable; `param` names it (OpenAI's error body has the same field).

    ``str(error)`` is the message alone, ready for an API error body; the parameter is in `param`.

    Args:
        message: What is wrong, phrased for the API user.
        param: The offending parameter, e.g. ``"prompt"``, ``"n"``, ``"size"``, ``"image"``, ``"mask"``.
        code: A short machine-readable reason; defaults to ``"invalid_<param>"``.
    """

    def __init__(self, message: str, *, param: str, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.param = param
        self.code = code or f"invalid_{param}"


class ModelLoadError(GenerationError):
    """A model directory or hub id could not be loaded (missing, corrupt, unreachable)."""

    code = "model_load_error"


class Cancelled(GenerationError):
    """A job was cancelled through its progress callback.

    A progress callback may raise this itself, or return ``False``; either way the job stops at the
    next denoising step and the call raises `Cancelled`.
    """

    code = "cancelled"
