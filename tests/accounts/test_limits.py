"""Rate and quota counters on the real Redis cache: one round trip, nothing reserved on refusal."""
from __future__ import annotations

import time
from types import SimpleNamespace

import pytest
from django.core.cache import cache

from accounts import limits


def key_for(prefix: str) -> dict:
    """An account (its id ``prefix``) and one of its keys: the counters are the account's."""
    return {"user": SimpleNamespace(pk=prefix), "key": SimpleNamespace(prefix=f"k{prefix}")}


def quota_used(prefix: str) -> int:
    return cache.get(f"quota:user:{prefix}:{int(time.time()) // 86400}", 0)


def test_counters_count_and_expire(settings):
    settings.HALLMARK = {**settings.HALLMARK, "RATE_LIMIT_PER_MINUTE": 100, "DAILY_IMAGE_QUOTA": 100}
    prefix = f"t{time.monotonic_ns()}"
    limits.count_request(**key_for(prefix), images=3)
    limits.count_request(**key_for(prefix), images=4)
    assert quota_used(prefix) == 7
    ttl = cache._cache.get_client().ttl(cache.make_and_validate_key(f"quota:user:{prefix}:{int(time.time()) // 86400}"))
    assert 0 < ttl <= 2 * 86400


def test_a_request_over_the_rate_limit_reserves_no_images(settings):
    settings.HALLMARK = {**settings.HALLMARK, "RATE_LIMIT_PER_MINUTE": 1, "DAILY_IMAGE_QUOTA": 100}
    prefix = f"r{time.monotonic_ns()}"
    limits.count_request(**key_for(prefix), images=2)
    with pytest.raises(limits.LimitExceeded) as refused:
        limits.count_request(**key_for(prefix), images=5)
    assert refused.value.code == "rate_limit_exceeded"
    assert quota_used(prefix) == 2


def test_a_request_over_the_quota_reserves_nothing(settings):
    settings.HALLMARK = {**settings.HALLMARK, "RATE_LIMIT_PER_MINUTE": 100, "DAILY_IMAGE_QUOTA": 5}
    prefix = f"q{time.monotonic_ns()}"
    limits.count_request(**key_for(prefix), images=4)
    with pytest.raises(limits.LimitExceeded) as refused:
        limits.count_request(**key_for(prefix), images=2)
    assert refused.value.code == "quota_exceeded" and refused.value.retry_after > 0
    assert quota_used(prefix) == 4
