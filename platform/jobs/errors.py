"""One application error type and one handler that renders OpenAI's error body:
``{"error": {"message", "type", "param", "code"}}``."""
from __future__ import annotations

from typing import Any

from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


class ApiError(Exception):
    """An error a client can act on; every client-caused failure ends up as one."""

    def __init__(self, message: str, *, status: int = 400, code: str = "invalid_request", param: str | None = None,
                 type: str = "invalid_request_error", extra: dict[str, Any] | None = None, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.message, self.status, self.code, self.param, self.type = message, status, code, param, type
        self.extra = extra or {}
        self.headers = headers or {}

    def response(self) -> Response:
        body = {"error": {"message": self.message, "type": self.type, "param": self.param, "code": self.code, **self.extra}}
        # OpenAI's clients retry 409 and 5xx answers by default; a retry here would
        # create a second job, so say no (rate limits keep their Retry-After).
        headers = {"x-should-retry": "false", **self.headers} if self.status != 429 else self.headers
        return Response(body, status=self.status, headers=headers)


def from_library_error(exc: Exception) -> ApiError | None:
    """Map the libraries' input errors to a 400 naming the parameter."""
    import generation
    import moderation
    import provenance

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
    if isinstance(exc, ApiError):
        return exc.response()
    from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent

    if isinstance(exc, (RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent)):  # the upload caps
        code = getattr(exc, "code", "request_too_large")
        message = str(exc) if code == "file_too_large" else f"The request body is too large or has too many parts: {exc}"
        return ApiError(message, status=413, code=code, param="file" if code == "file_too_large" else None).response()
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
        return ApiError(str(exc.detail), status=429, code="rate_limit_exceeded", type="rate_limit_error",
                        headers={"Retry-After": str(int(exc.wait or 1))}).response()
    response = drf_exception_handler(exc, context)
    if response is not None:
        detail = response.data.get("detail", response.data) if isinstance(response.data, dict) else response.data
        code = getattr(getattr(exc, "detail", None), "code", None) or "error"
        err_type = "invalid_request_error" if response.status_code < 500 else "server_error"
        response.data = {"error": {"message": str(detail), "type": err_type, "param": None, "code": code}}
    return response
