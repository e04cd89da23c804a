"""The public verify page: a stamped image shows its manifest; a stripped, re-compressed
JPEG copy is traced back to its record through the watermark."""
from __future__ import annotations

import io

import pytest

from sample_images import encode, sample_photo

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def stamped(owner, signing_keys):
    """A photograph stamped by the platform's signer, with the record the platform keeps for it.

    A photograph, not a tiny-model output: the tiny model's noise images do not hold a watermark."""
    from django.core.files.base import ContentFile
    from provenance import Record, new_record_id

    from jobs import runtime
    from jobs.models import Image, Job

    record_id = new_record_id()
    data, verified = runtime.stamper().stamp(sample_photo("coffee"), Record(record_id=record_id, kind="generation",
                                                                  model_id="hallmark-test", model_version="1"))
    job = Job.objects.create(user=owner, kind="generation", prompt="a cup of coffee", status=Job.Status.SUCCEEDED)
    image = Image(job=job, index=0, record_id=record_id, manifest_sha256="0" * 64, model_id="hallmark-test",
                  model_version="1", watermark_verified=verified)
    image.file.save(f"{record_id}.png", ContentFile(data))
    return data, record_id


def _verify(page, url, name, data, mime):
    page.goto(url + "/verify/")
    page.get_by_label("Image to check").set_input_files({"name": name, "mimeType": mime, "buffer": data})
    page.get_by_role("button", name="Verify", exact=True).click()
    page.locator("#provenance").wait_for()


def test_a_stamped_image_shows_its_signed_manifest(live_server, page, stamped, shot):
    data, record_id = stamped
    _verify(page, live_server.url, "stamped.png", data, "image/png")
    assert "intact, and the signer is trusted" in page.locator("#prov-verdict").inner_text()
    assert page.locator("#prov-kind").inner_text().startswith("Created with AI")
    assert "hallmark-test 1" in page.locator("#prov-model").inner_text()
    assert page.locator("#prov-watermark").inner_text() == record_id
    record = page.locator("#prov-record").inner_text()
    assert record_id in record and "Found through the manifest." in record
    shot(page, "verify-stamped")


def test_a_stripped_jpeg_copy_is_traced_through_the_watermark(live_server, page, stamped, shot):
    from PIL import Image

    data, record_id = stamped
    copy = encode(Image.open(io.BytesIO(data)).convert("RGB"), "JPEG", quality=85)  # no manifest survives this
    _verify(page, live_server.url, "copy.jpg", copy, "image/jpeg")
    assert "No C2PA manifest" in page.locator("#prov-verdict").inner_text()
    record = page.locator("#prov-record").inner_text()
    assert record_id in record and "Found through the invisible watermark." in record
    shot(page, "verify-stripped")


def test_an_unrelated_photo_has_no_record(live_server, page, stamped):
    _verify(page, live_server.url, "cat.png", encode(sample_photo("chelsea")), "image/png")
    assert "No C2PA manifest" in page.locator("#prov-verdict").inner_text()
    assert page.locator("#prov-no-record").is_visible()


def test_a_file_that_is_not_an_image_gets_a_plain_error(live_server, page):
    _verify_error = page.goto(live_server.url + "/verify/")
    assert _verify_error.status == 200
    page.get_by_label("Image to check").set_input_files({"name": "notes.png", "mimeType": "image/png", "buffer": b"hello"})
    page.get_by_role("button", name="Verify", exact=True).click()
    error = page.locator("#field-file .error")
    error.wait_for()
    assert "PNG, JPEG or WebP" in error.inner_text()
