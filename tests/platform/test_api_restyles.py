"""POST /v1/images/restyles (a Hallmark extension) through the HTTP API with real workers."""
from __future__ import annotations

import base64
import io
import json

import c2pa
import openai
import pytest
import requests
from PIL import Image

from sample_images import png_bytes, sample_photo

pytestmark = [pytest.mark.live, pytest.mark.django_db(transaction=True)]


def _restyle(client: openai.OpenAI, photo: bytes, **fields):
    """Call the endpoint the way OpenAI's client sends an edit: multipart, the file under `files=`."""
    return client.post("/images/restyles", cast_to=openai.types.ImagesResponse,
                       body={k: str(v) for k, v in fields.items()},
                       files=[("image", ("photo.png", photo, "image/png"))],
                       options={"headers": {"Content-Type": "multipart/form-data"}})


def _manifest(raw: bytes) -> dict:
    store = json.loads(c2pa.Reader("image/png", io.BytesIO(raw)).json())
    return store["manifests"][store["active_manifest"]]


def test_the_openai_client_restyles_a_photo_as_an_edit_of_its_parent(workers, client_for, owner_key, coffee_png):
    from jobs.models import Image as StoredImage
    from jobs.models import Job

    client = client_for(owner_key)
    result = _restyle(client, coffee_png, prompt="a cartoon drawing of a cup", from_prompt="a photo of a cup",
                      amount=0.7, n=1, size="256x256", seed=3, response_format="b64_json")
    assert len(result.data) == 1
    raw = base64.b64decode(result.data[0].b64_json)
    assert Image.open(io.BytesIO(raw)).size == (256, 256)
    manifest = _manifest(raw)
    text = json.dumps(manifest)
    assert "c2pa.edited" in text
    ingredients = manifest["ingredients"]
    assert len(ingredients) == 1 and ingredients[0]["relationship"] == "parentOf"

    job = Job.objects.get(user__username="owner")
    assert (job.kind, job.prompt, job.from_prompt, job.amount, job.seed) == \
        ("restyle", "a cartoon drawing of a cup", "a photo of a cup", 0.7, 3)
    # Both prompts and the photo went through the gates, and the output through the output gate.
    surfaces = [d["surface"] for d in job.decisions]
    assert surfaces.count("prompt") == 2 and "upload" in surfaces and "output" in surfaces
    stored = StoredImage.objects.get(job=job)
    assert stored.record_id in text  # the manifest names the stored record


def test_a_restyle_job_is_listed_in_v1_jobs_with_its_parameters(workers, live_server, owner_key, coffee_png):
    headers = {"Authorization": f"Bearer {owner_key}"}
    response = requests.post(live_server.url + "/v1/jobs", headers=headers, timeout=60,
                             data={"kind": "restyle", "prompt": "an oil painting", "size": "256x256", "amount": "0.25"},
                             files={"image": ("photo.png", coffee_png, "image/png")})
    assert response.status_code == 202, response.text
    body = response.json()
    assert body["kind"] == "restyle" and body["restyle"] == {"from_prompt": "", "amount": 0.25}
    listed = requests.get(live_server.url + "/v1/jobs", headers=headers, timeout=30).json()["data"]
    assert [j["kind"] for j in listed] == ["restyle"]


def test_a_face_photo_is_refused(workers, client_for, owner_key, face_png):
    client = client_for(owner_key)
    with pytest.raises(openai.BadRequestError) as caught:
        _restyle(client, face_png, prompt="a cartoon drawing", size="256x256")
    error = caught.value.body
    assert error["code"] == "content_policy_violation" and error["param"] == "image"
    assert "face-edit" in error["categories"]


def test_a_harmful_target_prompt_is_refused(workers, client_for, owner_key, coffee_png):
    client = client_for(owner_key)
    with pytest.raises(openai.BadRequestError) as caught:
        _restyle(client, coffee_png, prompt="explicit pornographic scene of two people", size="256x256")
    error = caught.value.body
    assert error["code"] == "content_policy_violation" and error["param"] == "prompt"


def test_a_harmful_from_prompt_is_refused_too(workers, client_for, owner_key, coffee_png):
    client = client_for(owner_key)
    with pytest.raises(openai.BadRequestError) as caught:
        _restyle(client, coffee_png, prompt="a watercolour", from_prompt="explicit pornographic scene of two people",
                 size="256x256")
    assert caught.value.body["code"] == "content_policy_violation"


@pytest.mark.parametrize("fields, param", [
    ({"prompt": "a watercolour", "amount": "1.5"}, "amount"),
    ({"prompt": "a watercolour", "amount": "nan"}, "amount"),
    ({"prompt": "a watercolour", "amount": "lots"}, "amount"),
    ({"amount": "0.5"}, "prompt"),
    ({"prompt": "a watercolour", "from_prompt": "x" * 1001}, "from_prompt"),
])
def test_bad_input_is_a_400_with_a_code_and_the_param(live_server, owner_key, coffee_png, fields, param):
    response = requests.post(live_server.url + "/v1/images/restyles", headers={"Authorization": f"Bearer {owner_key}"},
                             data=fields, files={"image": ("photo.png", coffee_png, "image/png")}, timeout=30)
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert error["param"] == param and error["code"] and error["message"]


def test_a_missing_or_unreadable_photo_is_a_400(live_server, owner_key):
    headers = {"Authorization": f"Bearer {owner_key}"}
    missing = requests.post(live_server.url + "/v1/images/restyles", headers=headers, data={"prompt": "a watercolour"},
                            timeout=30)
    assert missing.status_code == 400 and missing.json()["error"]["param"] == "image"
    garbage = requests.post(live_server.url + "/v1/images/restyles", headers=headers, data={"prompt": "a watercolour"},
                            files={"image": ("photo.png", b"not a picture", "image/png")}, timeout=30)
    assert garbage.status_code == 400 and garbage.json()["error"]["code"] == "invalid_image_format"


@pytest.mark.django_db
def test_the_endpoint_is_in_the_openapi_schema_as_multipart(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    content = schema["paths"]["/v1/images/restyles"]["post"]["requestBody"]["content"]
    assert content["multipart/form-data"]["schema"]["$ref"].endswith("/RestyleIn")
    fields = schema["components"]["schemas"]["RestyleIn"]["properties"]
    assert {"image", "prompt", "from_prompt", "amount", "n", "size", "seed", "response_format", "user"} <= set(fields)
    assert (fields["amount"]["minimum"], fields["amount"]["maximum"]) == (0, 1)
