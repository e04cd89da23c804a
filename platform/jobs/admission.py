"""Admission: the checks every request for work passes, from the API and the web studio alike."""
from __future__ import annotations

from accounts import limits
from hallmark.errors import DomainError


class NotAdmitted(DomainError):
    """The request may not be accepted (a key without the scope); AccountSuspended and LimitExceeded say why else."""

    kind = "forbidden"


def admit(*, user, key=None, scope: str | None = None, images: int = 0) -> None:
    """Check the key's scope, the account's standing, the rate limit and the daily quota.

    ``key`` is the API key the request came with (None for a web session, which has no
    scopes). Raises NotAdmitted, AccountSuspended or LimitExceeded (all DomainErrors).
    """
    # Imported here: trust builds on jobs (its review queue is a proxy of Job), so a
    # module-level import of trust from jobs would close a cycle.
    from trust.enforcement import assert_account_active

    if scope and key is not None and scope not in key.scopes:
        raise NotAdmitted(f"This API key lacks the '{scope}' scope.", code="insufficient_scope")
    if key is None:  # a key's account was already checked by its authenticator
        assert_account_active(user)
    limits.count_request(user=user, key=key, images=images)
