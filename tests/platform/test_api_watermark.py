"""The keyed watermark through the public API: platform-made images survive attacks at /v1/provenance/verify,
the image object says the mark was read back at stamping, and a mark forged without the key is not accepted.

CI-sized: a few attacks per image here; the full grid runs at library level
(tests/provenance) and in bench/provenance.py.
"""
from __future__ import annotations

import base64
import io

import pytest
import requests
from PIL import Image

from provenance import watermark
from provenance.attacks import ATTACKS
from sample_images import masked, png_bytes, sample_photo

pytestmark = [pytest.mark.live, pytest.mark.django_db(transaction=True)]


def _verify(live_server, image: Image.Image, fmt: str = "PNG") -> dict:
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, fmt)
    response = requests.post(live_server.url + "/v1/provenance/verify",
                             files={"file": (f"copy.{fmt.lower()}", buffer.getvalue())}, timeout=120)
    assert response.status_code == 200, response.text
    return response.json()


def _extension(item) -> dict:
    return (item.model_extra or {}).get("hallmark") or {}


def test_an_edit_of_a_photo_is_traced_by_its_watermark_after_screenshots_resizes_and_crops(
        workers, client_for, owner_key, live_server):
    client = client_for(owner_key)
    photo = sample_photo("coffee", 512)
    result = client.images.edit(image=("coffee.png", png_bytes(masked(photo)), "image/png"), prompt="a red hat",
                                n=1, size="512x512", response_format="b64_json")
    item = result.data[0]
    assert _extension(item)["watermark_verified"] is True
    record_id = _extension(item)["record_id"]
    marked = Image.open(io.BytesIO(base64.b64decode(item.b64_json)))
    for attack in ("screenshot-x0.8-jpeg70", "resize-x0.6", "width-1080", "crop-80%-area", "webp-75"):
        body = _verify(live_server, ATTACKS[attack](marked))
        assert body["provenance"]["manifest_state"] == "absent", attack
        assert body["provenance"]["watermark_id"] == record_id, attack
        assert body["record"]["found_by"] == "watermark" and body["record"]["record_id"] == record_id, attack
        assert body["record"]["watermark_verified"] is True


def test_the_stored_flag_says_exactly_whether_the_demo_model_s_output_carries_its_mark(
        workers, client_for, owner_key, live_server):
    from jobs.models import Image as StoredImage

    # The tiny demo model paints saturated per-pixel noise; at 256² its mark may not read back
    # (docs/provenance.md). Whatever happens, the record, the image object and verify must agree.
    client = client_for(owner_key)
    result = client.images.generate(prompt="a lighthouse at dusk", n=2, size="256x256", response_format="url")
    for item in result.data:
        stored = StoredImage.objects.get(record_id=_extension(item)["record_id"])
        assert stored.watermark_verified is _extension(item)["watermark_verified"]
        marked = Image.open(io.BytesIO(requests.get(item.url, timeout=30).content))
        found = _verify(live_server, marked)["provenance"]["watermark_id"]
        assert (found == stored.record_id) is stored.watermark_verified
        if not stored.watermark_verified:
            assert found is None  # flagged, and never read as another id


def test_a_mark_forged_without_the_key_is_not_accepted(workers, client_for, owner_key, live_server):
    client = client_for(owner_key)
    result = client.images.generate(prompt="a teapot", n=1, size="256x256", response_format="b64_json")
    record_id = _extension(result.data[0])["record_id"]
    # A forger who knows a real record id but not the key marks an unrelated photo with it.
    forged = watermark.embed(sample_photo("chelsea", 512), record_id, key=b"not the platform's key!!")
    body = _verify(live_server, forged)
    assert body["provenance"]["watermark_id"] is None
    assert body["record"] is None
