"""Writes for accounts and API keys."""
from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction

from trust.audit import audit_event

from .models import ALL_SCOPES, ApiKey


class ApiKeyRequestInvalid(ValueError):
    """A key request that cannot be honoured (unknown scope, past expiry)."""


def api_key_create(*, user, name: str, scopes: list[str] | None = None, expires: dt.datetime | None = None) -> tuple[ApiKey, str]:
    """Create a key for ``user`` and return it with the raw secret, which is never stored."""
    scopes = list(scopes) if scopes else list(ALL_SCOPES)
    unknown = sorted(set(scopes) - set(ALL_SCOPES))
    if unknown:
        raise ApiKeyRequestInvalid(f"Unknown scope(s): {', '.join(unknown)}; choose from {', '.join(ALL_SCOPES)}.")
    name = (name or "").strip()[:50] or "default"
    cap = settings.HALLMARK["MAX_API_KEYS_PER_ACCOUNT"]
    with transaction.atomic():
        # The account's row is the lock: two concurrent requests cannot both take the last slot.
        get_user_model().objects.select_for_update().filter(pk=user.pk).first()
        if ApiKey.objects.filter(user=user, revoked=False).count() >= cap:
            raise ApiKeyRequestInvalid(f"This account already has {cap} active API keys; revoke one first.")
        key, raw = ApiKey.objects.create_key(user=user, name=name, scopes=scopes, expiry_date=expires)
        _audit("api_key.created", user=user, key=key)
    return key, raw


def api_key_revoke(*, key: ApiKey, actor=None) -> ApiKey:
    """Revoke ``key`` for good (revocation cannot be undone)."""
    with transaction.atomic():
        key = ApiKey.objects.select_for_update().get(pk=key.pk)
        if not key.revoked:
            key.revoked = True
            key.save(update_fields=["revoked"])
            _audit("api_key.revoked", user=actor or key.user, key=key)
    return key


def user_get_or_create(*, username: str, email: str = "", password: str | None = None, is_staff: bool = False):
    """Return ``(user, created)``; a new user gets ``password`` (or an unusable one)."""
    User = get_user_model()
    user, created = User.objects.get_or_create(username=username, defaults={"email": email, "is_staff": is_staff})
    if created:
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save()
    return user, created


def _audit(event: str, *, user, key: ApiKey) -> None:
    audit_event(event, actor=user, subject=f"api_key:{key.prefix}", data={"name": key.name, "scopes": key.scopes,
                                                                            "expires": key.expiry_date.isoformat() if key.expiry_date else None})
