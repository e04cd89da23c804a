"""A key's scopes are checked on every endpoint, reads included: a moderation-only key touches no image job."""
from __future__ import annotations

import uuid

import pytest
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db

@pytest.fixture(autouse=True)
def _fresh_counters():
    """Start from zero: a past run's counters (same user ids in a fresh test database) would count."""
    from django.core.cache import cache

    cache.clear()


JOB = {"kind": "generation", "prompt": "a teapot on a table", "n": 1, "size": "256x256"}


def bearer(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


@pytest.fixture
def job_id(owner, make_key) -> str:
    response = bearer(make_key(owner, scopes=["images"])).post("/v1/jobs", JOB, format="json")
    assert response.status_code == 202, response.content
    return response.json()["id"]


@pytest.fixture
def moderation_only(owner, make_key) -> APIClient:
    return bearer(make_key(owner, name="mod", scopes=["moderation"]))


def refused(response) -> None:
    assert response.status_code == 403, response.content
    assert response.json()["error"]["code"] == "insufficient_scope"


def test_a_moderation_only_key_cannot_list_image_jobs(moderation_only, job_id):
    refused(moderation_only.get("/v1/jobs"))


def test_a_moderation_only_key_cannot_read_an_image_job(moderation_only, job_id):
    refused(moderation_only.get(f"/v1/jobs/{job_id}"))


def test_a_moderation_only_key_cannot_cancel_an_image_job(moderation_only, job_id):
    from jobs.models import Job

    refused(moderation_only.post(f"/v1/jobs/{job_id}/cancel"))
    assert Job.objects.get(pk=job_id).status != Job.Status.CANCELLED


def test_a_moderation_only_key_cannot_download_images(moderation_only):
    refused(moderation_only.get(f"/v1/files/images/{uuid.uuid4()}"))


def test_a_moderation_only_key_cannot_create_image_jobs(moderation_only):
    refused(moderation_only.post("/v1/jobs", JOB, format="json"))


def test_an_images_only_key_cannot_moderate(owner, make_key):
    refused(bearer(make_key(owner, scopes=["images"])).post("/v1/moderations", {"input": "hello"}, format="json"))


def test_a_key_with_the_images_scope_still_reads_its_jobs(owner, make_key, job_id):
    client = bearer(make_key(owner, name="img", scopes=["images"]))
    assert client.get("/v1/jobs").status_code == 200
    assert client.get(f"/v1/jobs/{job_id}").json()["id"] == job_id
