"""Per-account rate limits and daily image quotas, counted in Django's cache (Redis in production)."""
from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache

from hallmark.errors import DomainError


class LimitExceeded(DomainError):
    """Over the rate limit or the daily quota; ``retry_after`` says when it resets."""

    kind = "limited"


def _owner(user, key) -> str:
    # Counted per account, never per key: a second key or the browser session shares the
    # first one's minute and day (``key`` is kept in the signature for the callers).
    return f"user:{user.pk}"


def _incr(name: str, amount: int, ttl: int) -> int:
    try:
        return cache.incr(name, amount)
    except ValueError:
        if cache.add(name, amount, ttl):
            return amount
        return cache.incr(name, amount)  # another request created it first


def _add_to_counters(counters: list[tuple[str, int, int]]) -> list[int]:
    """Add to each (name, amount, ttl) counter, creating it with its TTL; return the new values.

    On Redis this is one pipelined round trip (INCRBY + EXPIRE NX per counter); Django's own
    incr() costs two per counter (EXISTS, then INCRBY), on the path of every request."""
    backend = caches["default"]
    if isinstance(backend, RedisCache):
        pipe = backend._cache.get_client(write=True).pipeline(transaction=False)
        for name, amount, ttl in counters:
            key = backend.make_and_validate_key(name)
            pipe.incrby(key, amount)
            pipe.expire(key, ttl, nx=True)
        return pipe.execute()[0::2]
    return [_incr(name, amount, ttl) for name, amount, ttl in counters]


def count_request(*, user, key=None, images: int = 0) -> None:
    """Count one request of ``user``'s account (any key or the web session) in this minute and reserve ``images`` of today's quota.

    Raises LimitExceeded (reserving nothing) when either is over its limit."""
    limit, quota = settings.HALLMARK["RATE_LIMIT_PER_MINUTE"], settings.HALLMARK["DAILY_IMAGE_QUOTA"]
    now = int(time.time())
    owner = _owner(user, key)
    rate_name, quota_name = f"rate:{owner}:{now // 60}", f"quota:{owner}:{now // 86400}"
    counters = [(rate_name, 1, 120)] + ([(quota_name, images, 2 * 86400)] if images else [])
    values = _add_to_counters(counters)
    if images and (values[0] > limit or values[1] > quota):
        cache.decr(quota_name, images)  # give back what this refused request reserved
    if values[0] > limit:
        raise LimitExceeded(f"Rate limit reached: {limit} requests per minute.", retry_after=60 - now % 60,
                            code="rate_limit_exceeded")
    if images and values[1] > quota:
        raise LimitExceeded(f"Daily image quota reached ({quota} images).", retry_after=86400 - now % 86400,
                            code="quota_exceeded")


def count_client(*, address: str, bucket: str, limit: int) -> None:
    """Count one anonymous request from the client's address in this minute.

    Raises LimitExceeded past ``limit``. The address is REMOTE_ADDR: behind a proxy, run it
    with a trusted-proxy setup that sets REMOTE_ADDR (a client-sent header is not trusted)."""
    now = int(time.time())
    (count,) = _add_to_counters([(f"{bucket}:{address}:{now // 60}", 1, 120)])
    if count > limit:
        raise LimitExceeded(f"Rate limit reached: {limit} requests per minute from your address.",
                            retry_after=60 - now % 60, code="rate_limit_exceeded")
