"""Fixtures for the platform's HTTP tests: users, keys, sample photos, the openai client."""
from __future__ import annotations

import openai
import pytest

from sample_images import png_bytes, sample_photo


@pytest.fixture
def client_for(live_server):
    def make(key: str) -> openai.OpenAI:
        return openai.OpenAI(base_url=live_server.url + "/v1", api_key=key, timeout=300, max_retries=0)

    return make


@pytest.fixture
def cat_png() -> bytes:
    return png_bytes(sample_photo("chelsea"))


@pytest.fixture
def coffee_png() -> bytes:
    return png_bytes(sample_photo("coffee"))


@pytest.fixture
def face_png() -> bytes:
    return png_bytes(sample_photo("astronaut"))


@pytest.fixture
def fresh_counters():
    """Start with no rate or quota counters (they live in the cache, shared across tests)."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def api(owner, make_key):
    """A DRF test client authenticated with a fresh key of ``owner``."""
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {make_key(owner)}")
    return client
