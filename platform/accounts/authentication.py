"""Partner API keys, sent the way OpenAI's clients send them: ``Authorization: Bearer <key>``."""
from __future__ import annotations

import datetime as dt

from django.db.models import Exists, OuterRef
from django.utils import timezone
from rest_framework import authentication, exceptions

from .models import ApiKey

LAST_USED_GRANULARITY = dt.timedelta(minutes=1)


class ApiKeyAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode("latin-1")
        if not header:
            return None
        scheme, _, raw = header.partition(" ")
        if scheme.lower() != "bearer" or not raw.strip():
            raise exceptions.AuthenticationFailed("Malformed Authorization header; send 'Bearer <API key>'.", code="invalid_api_key")
        raw = raw.strip()
        key = _usable_key(raw)
        if key is None:
            raise exceptions.AuthenticationFailed(_message_for(raw), code="invalid_api_key")
        if key.has_expired:
            raise exceptions.AuthenticationFailed("This API key has expired.", code="invalid_api_key")
        if not key.user.is_active:
            raise exceptions.AuthenticationFailed("This account is disabled.", code="invalid_api_key")
        # A suspended account's keys all get the 403 that says until when, on every endpoint.
        if key.suspended:
            from trust.enforcement import assert_account_active

            assert_account_active(key.user)  # reads the suspension itself, for its message
        now = timezone.now()
        if key.last_used is None or now - key.last_used > LAST_USED_GRANULARITY:
            # A write per request would cost more than the request itself; minutes are enough.
            ApiKey.objects.filter(pk=key.pk).update(last_used=now)
        return key.user, key

    def authenticate_header(self, request) -> str:
        # A 401 (not 403) for a missing key, as OpenAI answers.
        return self.keyword


def _usable_key(raw: str) -> ApiKey | None:
    """Return the unrevoked key ``raw`` names, with its user and whether the account is suspended; else None.

    One query on every authenticated request (the key, its user and the suspension check joined),
    instead of three: under load each round trip also waits for the GIL again."""
    # Imported here: trust's models build on accounts' (trust → jobs → accounts), so a
    # module-level import would close a cycle.
    from trust.enforcement import suspensions_in_force

    prefix = raw.partition(".")[0]
    key = (ApiKey.objects.get_usable_keys().filter(prefix=prefix).select_related("user")
           .annotate(suspended=Exists(suspensions_in_force().filter(user_id=OuterRef("user_id")))).first())
    if key is None or not key.is_valid(raw):
        return None
    return key


def _message_for(raw: str) -> str:
    prefix = raw.partition(".")[0]
    if ApiKey.objects.filter(prefix=prefix, revoked=True).exists():
        return "This API key has been revoked."
    return "Incorrect API key provided."
