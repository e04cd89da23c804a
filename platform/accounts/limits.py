"""Per-key rate limits and daily image quotas, counted in Django's cache (Redis in production)."""
from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache


class LimitExceeded(Exception):
    def __init__(self, message: str, retry_after: int, code: str):
        super().__init__(message)
        self.retry_after = retry_after
        self.code = code


def _owner(request) -> str:
    key = getattr(request, "auth", None)
    return f"key:{key.prefix}" if key is not None and hasattr(key, "prefix") else f"user:{request.user.pk}"


def _incr(name: str, amount: int, ttl: int) -> int:
    # One round trip when the window's counter exists; add() (atomic on Redis) creates it once.
    try:
        return cache.incr(name, amount)
    except ValueError:
        if cache.add(name, amount, ttl):
            return amount
        return cache.incr(name, amount)  # another request created it first


def check_rate(request) -> None:
    """Count one request in the current minute; raise when over the limit."""
    limit = settings.HALLMARK["RATE_LIMIT_PER_MINUTE"]
    now = int(time.time())
    window = now // 60
    count = _incr(f"rate:{_owner(request)}:{window}", 1, 120)
    if count > limit:
        raise LimitExceeded(f"Rate limit reached: {limit} requests per minute.", retry_after=60 - now % 60, code="rate_limit_exceeded")


def take_images(request, n: int) -> None:
    """Reserve ``n`` images of today's quota; raise (reserving nothing) when over it."""
    quota = settings.HALLMARK["DAILY_IMAGE_QUOTA"]
    now = int(time.time())
    day = now // 86400
    name = f"quota:{_owner(request)}:{day}"
    used = _incr(name, n, 2 * 86400)
    if used > quota:
        cache.decr(name, n)
        raise LimitExceeded(f"Daily image quota reached ({quota} images).", retry_after=86400 - now % 86400, code="quota_exceeded")
