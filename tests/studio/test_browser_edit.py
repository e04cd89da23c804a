"""Edit with a mask painted on the canvas by simulated mouse strokes; the result beside the
original. A photo of a face is refused with the reason."""
from __future__ import annotations

import io
import re

import pytest

from sample_images import encode, sample_photo

pytestmark = [pytest.mark.browser, pytest.mark.live, pytest.mark.django_db(transaction=True)]


def _load_photo(page, url, photo: bytes):
    page.goto(url + "/edit/")
    page.get_by_label("Photo", exact=True).set_input_files({"name": "photo.png", "mimeType": "image/png", "buffer": photo})
    page.locator("#painter").wait_for(state="visible")


def test_a_mask_painted_with_the_mouse_becomes_the_edit_area(live_server, studio_workers, owner, page, log_in, shot):
    from PIL import Image

    from jobs.models import Job

    log_in(page, "owner")
    _load_photo(page, live_server.url, encode(sample_photo("coffee")))
    canvas = page.locator("#mask-canvas")
    box = canvas.bounding_box()
    scale = 256 / box["width"]  # canvas pixels per CSS pixel

    # One horizontal stroke across the middle with a 32 px brush…
    page.mouse.move(box["x"] + box["width"] * 0.25, box["y"] + box["height"] * 0.5)
    page.mouse.down()
    for i in range(1, 11):
        page.mouse.move(box["x"] + box["width"] * (0.25 + 0.05 * i), box["y"] + box["height"] * 0.5)
    page.mouse.up()
    # …and a second stroke at the top, taken back with Undo.
    page.mouse.move(box["x"] + 10, box["y"] + 10)
    page.mouse.down()
    page.mouse.move(box["x"] + 60, box["y"] + 12)
    page.mouse.up()
    page.get_by_role("button", name="Undo").click()
    # The keyboard works too: a bigger brush with "]".
    canvas.focus()
    page.keyboard.press("]")
    assert page.locator("#brush-size-out").inner_text() == "36"
    page.get_by_label("What to put there").fill("a small red boat")
    shot(page, "edit-painter")
    page.get_by_role("button", name="Edit", exact=True).click()
    page.wait_for_url(re.compile(r"/jobs/[0-9a-f-]+/$"))

    job = Job.objects.get(user=owner)
    assert job.kind == "edit" and job.prompt == "a small red boat"
    # The job stores the intake's mask: an L picture, 255 where the model regenerates.
    with job.mask.open("rb") as fh:
        area = Image.open(io.BytesIO(fh.read()))
    assert area.mode == "L" and area.size == (256, 256)
    assert area.getpixel((128, 128)) == 255 and area.getpixel((80, 128)) == 255  # on the stroke: to be edited
    assert area.getpixel((128, 60)) == 0 and area.getpixel((128, 200)) == 0  # away from it: kept
    top = int(12 * scale)
    assert area.getpixel((int(30 * scale), top)) == 0  # the undone stroke left no trace

    page.locator(".results figure:not(.original) img").first.wait_for(timeout=240_000)
    assert page.locator(".results figure.original img").get_attribute("alt") == "Your original image"
    assert Job.objects.get(pk=job.id).status == Job.Status.SUCCEEDED
    shot(page, "edit-result")


def test_a_face_photo_is_refused_with_the_reason(live_server, studio_workers, owner, page, log_in):
    log_in(page, "owner")
    _load_photo(page, live_server.url, encode(sample_photo("astronaut")))
    canvas = page.locator("#mask-canvas")
    canvas.focus()
    page.keyboard.press("Space")  # paint at the centre with the keyboard
    page.get_by_label("What to put there").fill("a different hat")
    page.get_by_role("button", name="Edit", exact=True).click()
    page.wait_for_url(re.compile(r"/jobs/[0-9a-f-]+/$"))
    refusal = page.locator("#refusal")
    refusal.wait_for(timeout=120_000)
    text = refusal.inner_text()
    assert "your uploaded image was refused by the safety check" in text
    assert "editing a photo of a real person's face" in text


def test_submitting_without_painting_asks_for_a_mask_first(live_server, owner, page, log_in):
    log_in(page, "owner")
    _load_photo(page, live_server.url, encode(sample_photo("coffee")))
    page.get_by_label("What to put there").fill("a boat")
    page.get_by_role("button", name="Edit", exact=True).click()
    assert "Paint over the part of the photo to change first." in page.locator("#painter-status").inner_text()
    assert page.url.endswith("/edit/")
