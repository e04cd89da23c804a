"""One application error type and one handler that renders OpenAI's error body:
``{"error": {"message", "type", "param", "code"}}``."""
from __future__ import annotations

from typing import Any

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from hallmark.errors import DomainError
from hallmark.upload_limits import UploadTooLarge


# How each kind of domain error reads under /v1/: (HTTP status, OpenAI's error type).
HTTP = {
    "invalid": (400, "invalid_request_error"),
    "forbidden": (403, "permission_error"),
    "not_found": (404, "invalid_request_error"),
    "conflict": (409, "invalid_request_error"),
    "limited": (429, "rate_limit_error"),
    "unavailable": (503, "server_error"),
}


class ApiError(DomainError):
    """An error only the API edge raises, with an HTTP status of its own (a job's outcome, a missing key)."""

    def __init__(self, message: str, *, status: int = 400, code: str = "invalid_request", param: str | None = None,
                 type: str = "invalid_request_error", extra: dict[str, Any] | None = None, headers: dict[str, str] | None = None):
        super().__init__(message, code=code, param=param, extra=extra)
        self.status, self.type = status, type
        self.headers = headers or {}

    def response(self) -> Response:
        return error_response(self)


def openai_error(exc: DomainError) -> tuple[int, dict, dict[str, str]]:
    """Return the (status, body, headers) of OpenAI's error answer for any domain error; the one place it is built."""
    status_code, err_type = HTTP.get(exc.kind, (400, "invalid_request_error"))
    headers: dict[str, str] = {}
    if isinstance(exc, ApiError):
        status_code, err_type, headers = exc.status, exc.type, dict(exc.headers)
    if exc.retry_after is not None:
        headers["Retry-After"] = str(int(exc.retry_after))
    body = {"error": {"message": exc.message, "type": err_type, "param": exc.param, "code": exc.code, **exc.extra}}
    # OpenAI's clients retry 409 and 5xx answers by default; a retry here would
    # create a second job, so say no (rate limits keep their Retry-After).
    if status_code != 429:
        headers = {"x-should-retry": "false", **headers}
    return status_code, body, headers


def error_response(exc: DomainError) -> Response:
    """Render any domain error as OpenAI's error body (DRF)."""
    status_code, body, headers = openai_error(exc)
    return Response(body, status=status_code, headers=headers)


def from_library_error(exc: Exception) -> ApiError | None:
    """Map the libraries' input errors to a 400 naming the parameter."""
    # Not a cycle: the libraries take seconds to load (torch, the gates, C2PA); the handler
    # reaches here only for an exception no earlier branch recognised.
    import generation  # noqa: PLC0415
    import moderation  # noqa: PLC0415
    import provenance  # noqa: PLC0415

    if isinstance(exc, (generation.InvalidRequest, moderation.InvalidInput, provenance.InvalidInput)):
        param = getattr(exc, "param", None)
        code = getattr(exc, "code", None) or "invalid_value"
        return ApiError(str(exc), param=param, code=code)
    return None


def _first_validation_error(detail: Any, param: str | None = None) -> tuple[str | None, str, str]:
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = None if key == "non_field_errors" else key
            return _first_validation_error(value, name or param)
    if isinstance(detail, list) and detail:
        return _first_validation_error(detail[0], param)
    code = getattr(detail, "code", "invalid")
    return param, str(detail), code


def exception_handler(exc: Exception, context: dict) -> Response | None:
    if isinstance(exc, DomainError):
        return error_response(exc)
    if isinstance(exc, (RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent)):  # the upload caps
        if isinstance(exc, UploadTooLarge):  # it knows the field and the status
            return ApiError(str(exc), status=exc.status, code=exc.code, param=exc.param).response()
        return ApiError(f"The request body is too large or has too many parts: {exc}", status=413,
                        code="request_too_large").response()
    if not isinstance(exc, exceptions.APIException):
        lib = from_library_error(exc)
        if lib is not None:
            return lib.response()
    if isinstance(exc, exceptions.ValidationError):
        param, message, code = _first_validation_error(exc.detail)
        code = {"invalid": "invalid_value", "required": "missing_required_parameter"}.get(code, code)
        if param:
            message = f"{param}: {message}"
        return ApiError(message, param=param, code=code).response()
    if isinstance(exc, (exceptions.NotAuthenticated, exceptions.AuthenticationFailed)):
        message = str(exc.detail) if isinstance(exc, exceptions.AuthenticationFailed) else (
            "You didn't provide an API key. Send 'Authorization: Bearer <API key>'.")
        return ApiError(message, status=status.HTTP_401_UNAUTHORIZED, code="invalid_api_key",
                        headers={"WWW-Authenticate": "Bearer"}).response()
    if isinstance(exc, exceptions.Throttled):
        return error_response(DomainError(str(exc.detail), code="rate_limit_exceeded", kind="limited",
                                          retry_after=int(exc.wait or 1)))
    response = drf_exception_handler(exc, context)
    if response is not None:
        detail = response.data.get("detail", response.data) if isinstance(response.data, dict) else response.data
        code = getattr(getattr(exc, "detail", None), "code", None) or "error"
        err_type = "invalid_request_error" if response.status_code < 500 else "server_error"
        response.data = openai_error(ApiError(str(detail), status=response.status_code, code=code, type=err_type))[1]
    return response
