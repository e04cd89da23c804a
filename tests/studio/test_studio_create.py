"""The create, edit and vary forms go through jobs.services.job_create with the API's
checks; the job page explains a refusal in plain, translated words."""
from __future__ import annotations

import pytest

from jobs.models import Job
from sample_images import encode, sample_photo

pytestmark = pytest.mark.django_db


def test_create_makes_a_queued_job_for_the_user_and_opens_its_page(owner_client, owner):
    response = owner_client.post("/create/", {"prompt": "a watercolor fox", "n": 2, "size": 256, "seed": 7})
    job = Job.objects.get(user=owner)
    assert response.status_code == 302 and response["Location"] == f"/jobs/{job.id}/"
    assert (job.kind, job.prompt, job.n, job.size, job.seed, job.api_key) == ("generation", "a watercolor fox", 2, 256, 7, None)
    assert job.status == "queued" and job.decisions == []  # its gates run on the safety worker


def test_an_empty_prompt_is_a_400_naming_the_field(owner_client, owner):
    response = owner_client.post("/create/", {"prompt": "", "n": 1, "size": 256})
    assert response.status_code == 400
    assert b'id="field-prompt"' in response.content and b"This field is required" in response.content
    assert not Job.objects.exists()


def test_a_suspended_account_is_told_why_and_nothing_is_queued(owner_client, owner):
    import datetime as dt

    from django.utils import timezone

    from trust.models import Suspension

    Suspension.objects.create(user=owner, reason="Three blocked requests.", ends=timezone.now() + dt.timedelta(days=1))
    response = owner_client.post("/create/", {"prompt": "a fox", "n": 1, "size": 256})
    assert response.status_code == 403  # trust.middleware refuses a suspended session's posts
    assert b"suspended" in response.content and b"Three blocked requests." in response.content
    assert not Job.objects.exists()
    page = owner_client.get("/create/").content.decode()
    assert 'id="suspended-banner"' in page and "Three blocked requests." in page


def test_the_studio_refuses_a_suspended_account_even_behind_the_middleware(owner):
    """studio_job_create checks standing itself, as the API's _admit does, not only the middleware."""
    import datetime as dt

    from django.utils import timezone

    from studio.services import studio_job_create
    from trust.enforcement import AccountSuspended
    from trust.models import Suspension

    Suspension.objects.create(user=owner, reason="Manual.", ends=timezone.now() + dt.timedelta(days=1))
    with pytest.raises(AccountSuspended, match="Manual."):
        studio_job_create(user=owner, kind="generation", prompt="a fox")
    assert not Job.objects.exists()


def test_edit_without_a_mask_or_transparency_is_refused_with_the_reason(owner_client, sample_png):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = owner_client.post("/edit/", {"image": SimpleUploadedFile("p.png", sample_png, "image/png"),
                                            "prompt": "a hat", "n": 1, "size": 256})
    assert response.status_code == 400
    assert b"Paint the area to change" in response.content
    assert not Job.objects.exists()


def test_edit_rejects_a_file_that_is_not_an_image(owner_client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = owner_client.post("/edit/", {"image": SimpleUploadedFile("p.png", b"not an image", "image/png"),
                                            "prompt": "a hat", "n": 1, "size": 256})
    assert response.status_code == 400
    assert b"not a readable PNG, JPEG or WebP" in response.content


def test_edit_with_an_image_and_mask_queues_an_edit_job(owner_client, owner):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    photo = sample_photo("coffee")
    mask = Image.new("RGBA", photo.size, (0, 0, 0, 255))
    mask.paste((0, 0, 0, 0), (64, 64, 192, 192))
    response = owner_client.post("/edit/", {
        "image": SimpleUploadedFile("p.png", encode(photo), "image/png"),
        "mask": SimpleUploadedFile("m.png", encode(mask), "image/png"),
        "prompt": "a red hat", "n": 1, "size": 256})
    job = Job.objects.get(user=owner)
    assert response.status_code == 302
    assert job.kind == "edit" and job.upload and job.mask


def test_vary_needs_an_upload_or_a_pick(owner_client):
    response = owner_client.post("/vary/", {"n": 1, "size": 256})
    assert response.status_code == 400
    assert b"Upload an image or pick one" in response.content


def test_a_blocked_job_page_names_the_category_in_plain_words(owner_client, owner):
    job = Job.objects.create(user=owner, kind="generation", prompt="x", status=Job.Status.BLOCKED,
                             error_code="content_policy_violation", error_message="Blocked: sexual — lexicon",
                             decisions=[{"surface": "prompt", "action": "block", "categories": ["sexual"], "reason": "…"}])
    html = owner_client.get(f"/jobs/{job.id}/").content.decode()
    assert "your prompt was refused by the safety check" in html
    assert "sexual content" in html


def test_a_held_job_page_says_it_waits_for_review(owner_client, owner):
    job = Job.objects.create(user=owner, kind="generation", prompt="x", status=Job.Status.HELD,
                             decisions=[{"surface": "prompt", "action": "review", "categories": ["public-figure"]}])
    html = owner_client.get(f"/jobs/{job.id}/").content.decode()
    assert "waiting for a person to review it" in html
    assert "a real, identifiable public figure" in html


def test_the_job_page_shows_the_chinese_reason_in_chinese(owner_client, owner):
    job = Job.objects.create(user=owner, kind="generation", prompt="x", status=Job.Status.BLOCKED,
                             error_code="content_policy_violation",
                             decisions=[{"surface": "prompt", "action": "block", "categories": ["violence/graphic"]}])
    html = owner_client.get(f"/jobs/{job.id}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "血腥暴力" in html and "你的提示词" in html


def test_vary_with_a_picked_gallery_image_sends_that_image(owner_client, owner, sample_png):
    from studio_factories import job_with_image

    _, image = job_with_image(owner, sample_png)
    page = owner_client.get(f"/vary/?pick={image.id}").content.decode()
    assert f'value="{image.id}" checked' in page  # "Make variations" on the detail page preselects it
    response = owner_client.post("/vary/", {"pick": str(image.id), "n": 2, "size": 256})
    job = Job.objects.get(user=owner, kind="variation")
    assert response.status_code == 302 and job.n == 2
    # The job stores the canonical picture of the pick: the same pixels, re-encoded once.
    from jobs import intake

    with job.upload.open("rb") as fh:
        assert job.upload_sha256 == intake.pixel_digest(intake.load_canonical(fh.read()))
    assert job.upload_sha256 == intake.intake(sample_png).sha256
