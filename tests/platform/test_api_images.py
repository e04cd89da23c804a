"""The three jobs through the official openai client, end to end on real workers."""
from __future__ import annotations

import base64
import io
import json

import c2pa
import numpy as np
import pytest
import requests
from PIL import Image

from sample_images import masked, png_bytes, sample_photo

pytestmark = [pytest.mark.live, pytest.mark.django_db(transaction=True)]


def manifest_of(raw: bytes) -> tuple[dict, list]:
    store = json.loads(c2pa.Reader("image/png", io.BytesIO(raw)).json())
    return store["manifests"][store["active_manifest"]], store.get("validation_status") or []


def psnr(a: np.ndarray, b: np.ndarray) -> float:
    mse = float(np.mean((a - b) ** 2))
    return float("inf") if mse == 0 else 10 * np.log10(255**2 / mse)


def fetch(item) -> bytes:
    if item.b64_json:
        return base64.b64decode(item.b64_json)
    response = requests.get(item.url, timeout=30)
    assert response.status_code == 200
    return response.content


@pytest.mark.parametrize("size", ["256x256", "512x512", "1024x1024"])
def test_generations_return_n_signed_images_of_the_size_asked(workers, client_for, owner_key, size):
    client = client_for(owner_key)
    result = client.images.generate(prompt="a watercolor painting of a fox in the snow", n=2, size=size,
                                    response_format="b64_json")
    assert len(result.data) == 2
    side = int(size.split("x")[0])
    for item in result.data:
        raw = fetch(item)
        assert Image.open(io.BytesIO(raw)).size == (side, side)
        manifest, status = manifest_of(raw)
        assert "trainedAlgorithmicMedia" in json.dumps(manifest)
        assert all("untrusted" in s["code"] for s in status), status  # signed by the dev CA, not tampered


@pytest.mark.parametrize("size", ["256x256", "512x512", "1024x1024"])
def test_edits_keep_pixels_outside_the_mask_and_name_the_parent(workers, client_for, owner_key, size):
    client = client_for(owner_key)
    side = int(size.split("x")[0])
    photo = sample_photo("coffee", side)
    result = client.images.edit(image=("coffee.png", png_bytes(masked(photo)), "image/png"),
                                prompt="a red knitted hat", n=2, size=size, response_format="url")
    assert len(result.data) == 2
    for item in result.data:
        raw = fetch(item)
        out = Image.open(io.BytesIO(raw)).convert("RGB")
        assert out.size == (side, side)
        # Outside the (eroded) mask the photo stays: the library keeps it within 2/255 and the
        # invisible watermark then adds only a faint, PSNR >= 38 dB perturbation.
        corner = (0, 0, side // 5, side // 5)
        a = np.asarray(out.crop(corner), dtype=np.float64)
        b = np.asarray(photo.crop(corner), dtype=np.float64)
        assert psnr(a, b) >= 38
        manifest, _ = manifest_of(raw)
        text = json.dumps(manifest)
        assert "c2pa.edited" in text and "parentOf" in text


def test_variations_return_distinct_signed_images(workers, client_for, owner_key, coffee_png):
    client = client_for(owner_key)
    result = client.images.create_variation(image=("coffee.png", coffee_png, "image/png"), n=2, size="256x256",
                                            response_format="b64_json")
    first, second = (fetch(item) for item in result.data)
    assert Image.open(io.BytesIO(first)).tobytes() != Image.open(io.BytesIO(second)).tobytes()
    ingredients = manifest_of(first)[0]["ingredients"]
    assert len(ingredients) == 1 and ingredients[0]["relationship"] in ("parentOf", "inputTo")


def test_a_stripped_copy_is_traced_back_to_its_job_by_the_watermark(workers, client_for, owner_key, live_server):
    from jobs.models import Image as StoredImage

    # At 1024²: the tiny demo model paints pure per-pixel noise, which at 256² and 512² leaves
    # the watermark too little room (docs/provenance.md); real outputs are pictures.
    client = client_for(owner_key)
    result = client.images.generate(prompt="a croissant on the saucer", n=1, size="1024x1024",
                                    response_format="b64_json", extra_body={"seed": 3})
    raw = fetch(result.data[0])
    stripped = io.BytesIO()
    Image.open(io.BytesIO(raw)).convert("RGB").save(stripped, format="JPEG", quality=85)  # no manifest survives this
    response = requests.post(live_server.url + "/v1/provenance/verify", files={"file": ("copy.jpg", stripped.getvalue())},
                             timeout=60)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["provenance"]["manifest_state"] == "absent"
    assert body["record"]["found_by"] == "watermark"
    stored = StoredImage.objects.get(record_id=body["record"]["record_id"])
    assert stored.job.prompt == "a croissant on the saucer"
    assert "prompt" not in response.text and "owner" not in response.text  # public facts only


def test_the_original_file_verifies_with_its_manifest_as_trusted(workers, client_for, owner_key, live_server):
    client = client_for(owner_key)
    raw = fetch(client.images.generate(prompt="a bowl of ramen", size="256x256", response_format="b64_json").data[0])
    body = requests.post(live_server.url + "/v1/provenance/verify", files={"file": ("x.png", raw)}, timeout=60).json()
    assert body["provenance"]["manifest_state"] == "valid"  # the test CA is this deployment's trust anchor
    assert body["record"]["found_by"] == "manifest"


def test_every_decision_of_a_job_is_in_the_audit_log(workers, client_for, owner_key):
    from jobs.models import Job
    from trust.models import AuditEntry

    client_for(owner_key).images.generate(prompt="a paper boat on a pond", size="256x256")
    job = Job.objects.get(prompt="a paper boat on a pond")
    events = list(AuditEntry.objects.filter(subject=f"job:{job.id}").values_list("event", flat=True))
    assert events[0] == "job.created"
    assert "gate.decision" in events and "provenance.stamped" in events
    assert events[-1] == "job.status"
    assert job.status == "succeeded" and job.images.count() == 1
