"""Jobs and images belong to their owner: a stranger gets 404 by id and by URL."""
from __future__ import annotations

import pytest
import requests

pytestmark = [pytest.mark.live, pytest.mark.django_db(transaction=True)]


def auth(key):
    return {"Authorization": f"Bearer {key}"}


@pytest.fixture
def finished_job(workers, live_server, owner_key):
    response = requests.post(live_server.url + "/v1/images/generations", headers=auth(owner_key), timeout=300,
                             json={"prompt": "a teapot on a table", "size": "256x256"})
    assert response.status_code == 200, response.text
    from jobs.models import Job

    return Job.objects.get(prompt="a teapot on a table"), response.json()["data"][0]["url"]


def test_the_owner_can_read_the_job_and_its_image(live_server, owner_key, finished_job):
    job, url = finished_job
    body = requests.get(f"{live_server.url}/v1/jobs/{job.id}", headers=auth(owner_key), timeout=30).json()
    assert body["status"] == "succeeded" and len(body["data"]) == 1
    image_url = f"{live_server.url}/v1/files/images/{job.images.get().id}"
    assert requests.get(image_url, headers=auth(owner_key), timeout=30).content[:4] == b"\x89PNG"


def test_a_stranger_cannot_read_the_job_by_id(live_server, stranger_key, finished_job):
    job, _ = finished_job
    response = requests.get(f"{live_server.url}/v1/jobs/{job.id}", headers=auth(stranger_key), timeout=30)
    assert response.status_code == 404
    assert "teapot" not in response.text


def test_a_stranger_cannot_cancel_the_job(live_server, stranger_key, finished_job):
    job, _ = finished_job
    response = requests.post(f"{live_server.url}/v1/jobs/{job.id}/cancel", headers=auth(stranger_key), timeout=30)
    assert response.status_code == 404


def test_a_stranger_cannot_fetch_the_image_without_the_signed_url(live_server, stranger_key, finished_job):
    job, _ = finished_job
    image_url = f"{live_server.url}/v1/files/images/{job.images.get().id}"
    assert requests.get(image_url, headers=auth(stranger_key), timeout=30).status_code == 404
    assert requests.get(image_url, timeout=30).status_code == 404


def test_a_signed_url_does_not_open_another_image(live_server, finished_job, workers, stranger_key):
    job, url = finished_job
    other = requests.post(live_server.url + "/v1/images/generations", headers=auth(stranger_key), timeout=300,
                          json={"prompt": "a kettle", "size": "256x256"}).json()["data"][0]["url"]
    signature = url.split("?sig=")[1]
    other_id = other.split("/v1/files/images/")[1].split("?")[0]
    forged = f"{live_server.url}/v1/files/images/{other_id}?sig={signature}"
    assert requests.get(url, timeout=30).status_code == 200  # the real signed URL works for anyone holding it
    assert requests.get(forged, timeout=30).status_code == 404


def test_the_job_list_shows_only_your_own_jobs(live_server, stranger_key, finished_job):
    body = requests.get(f"{live_server.url}/v1/jobs", headers=auth(stranger_key), timeout=30).json()
    assert body["data"] == []
