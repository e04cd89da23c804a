"""Every page that names a job, an image or a key checks that it is the viewer's own:
another account's id answers 404, like an id that does not exist."""
from __future__ import annotations

import pytest

from studio_factories import job_with_image

pytestmark = pytest.mark.django_db


@pytest.fixture
def owned(owner, sample_png):
    return job_with_image(owner, sample_png, kind="variation")


def test_the_owner_sees_the_job_page(owner_client, owned):
    job, image = owned
    response = owner_client.get(f"/jobs/{job.id}/")
    assert response.status_code == 200
    assert f"/gallery/{image.id}/".encode() in response.content


@pytest.mark.parametrize("path", ["/jobs/{job}/", "/jobs/{job}/original", "/gallery/{image}/"])
def test_a_stranger_gets_404_for_the_owners_pages(stranger_client, owned, path):
    job, image = owned
    assert stranger_client.get(path.format(job=job.id, image=image.id)).status_code == 404


def test_a_stranger_cannot_cancel_the_owners_job(stranger_client, owner):
    from jobs.models import Job

    job = Job.objects.create(user=owner, kind="generation", prompt="a fox")
    assert stranger_client.post(f"/jobs/{job.id}/cancel").status_code == 404
    job.refresh_from_db()
    assert job.status == Job.Status.QUEUED and not job.cancel_requested


def test_the_owner_can_cancel_a_queued_job(owner_client, owner):
    from jobs.models import Job

    job = Job.objects.create(user=owner, kind="generation", prompt="a fox")
    assert owner_client.post(f"/jobs/{job.id}/cancel").status_code == 302
    job.refresh_from_db()
    assert job.status == Job.Status.CANCELLED


def test_the_gallery_lists_only_the_viewers_images_newest_first(owner_client, owner, stranger, sample_png):
    _, first = job_with_image(owner, sample_png, prompt="first")
    _, second = job_with_image(owner, sample_png, prompt="second")
    _, foreign = job_with_image(stranger, sample_png, prompt="foreign")
    html = owner_client.get("/gallery/").content.decode()
    assert str(foreign.id) not in html
    assert html.index(str(second.id)) < html.index(str(first.id))


def test_the_gallery_is_paginated(owner_client, owner, sample_png):
    for i in range(13):
        job_with_image(owner, sample_png, prompt=f"picture {i}")
    first = owner_client.get("/gallery/").content.decode()
    second = owner_client.get("/gallery/?page=2").content.decode()
    assert first.count('class="caption"') == 12 and second.count('class="caption"') == 1
    assert "Page 1 of 2" in first


def test_a_stranger_cannot_pick_the_owners_image_for_variations(stranger_client, owned):
    _, image = owned
    response = stranger_client.post("/vary/", {"pick": str(image.id), "n": 1, "size": 256})
    assert response.status_code == 400
    assert b"not in your gallery" in response.content


def test_the_image_file_is_refused_to_a_stranger(stranger_client, owned):
    _, image = owned
    assert stranger_client.get(f"/v1/files/images/{image.id}").status_code == 404
