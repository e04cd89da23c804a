"""Admission: the checks every request for work passes, from the API and the web studio alike."""
from __future__ import annotations

from accounts import limits

from .errors import ApiError


def admit(request, *, scope: str | None = None, images: int = 0) -> None:
    """Check the key's scope, the account's standing, the rate limit and the daily quota.

    Raises ApiError (403 or 429); a web session has no key, so only its scope check is skipped.
    """
    from trust.enforcement import assert_account_active

    key = request.auth if hasattr(request, "auth") else None
    if scope and key is not None and hasattr(key, "scopes") and scope not in key.scopes:
        raise ApiError(f"This API key lacks the '{scope}' scope.", status=403, code="insufficient_scope",
                       type="permission_error")
    if key is None:  # a key's account was already checked by its authenticator
        assert_account_active(request.user)
    try:
        limits.count_request(request, images)
    except limits.LimitExceeded as exc:
        raise ApiError(str(exc), status=429, code=exc.code, type="rate_limit_error",
                       headers={"Retry-After": str(exc.retry_after)})
