"""Fixtures for the platform's HTTP tests: users, keys, sample photos, the openai client."""
from __future__ import annotations

import openai
import pytest

from platform_samples import png_bytes, sample_photo


@pytest.fixture
def make_user(django_user_model):
    def make(username: str, **extra):
        return django_user_model.objects.create_user(username=username, password="pw-" + username + "-x9!", **extra)

    return make


@pytest.fixture
def make_key():
    from accounts.services import api_key_create

    def make(user, **kwargs) -> str:
        return api_key_create(user=user, name=kwargs.pop("name", "test"), **kwargs)[1]

    return make


@pytest.fixture
def owner(make_user):
    return make_user("owner")


@pytest.fixture
def stranger(make_user):
    return make_user("stranger")


@pytest.fixture
def owner_key(owner, make_key):
    return make_key(owner)


@pytest.fixture
def stranger_key(stranger, make_key):
    return make_key(stranger)


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
