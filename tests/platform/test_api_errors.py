"""Every client mistake gets OpenAI's error body with a clear code: never a 500."""
from __future__ import annotations

import datetime as dt
import io

import pytest
import requests
from PIL import Image

from sample_images import masked, png_bytes, sample_photo

pytestmark = pytest.mark.django_db(transaction=True)


def post(live_server, path, key=None, **kwargs):
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    return requests.post(live_server.url + path, headers=headers, timeout=60, **kwargs)


def error_of(response, status: int) -> dict:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"}
    assert {"message", "type", "param", "code"} <= set(body["error"])
    assert body["error"]["message"]
    return body["error"]


def test_a_request_without_a_key_is_refused_with_401(live_server):
    error = error_of(post(live_server, "/v1/images/generations", json={"prompt": "a cat"}), 401)
    assert error["code"] == "invalid_api_key"


def test_a_wrong_key_is_refused_with_401(live_server):
    error = error_of(post(live_server, "/v1/images/generations", key="abcdefgh.notakey", json={"prompt": "a cat"}), 401)
    assert error["code"] == "invalid_api_key"


def test_a_revoked_key_is_refused_and_says_so(live_server, owner, make_key):
    from accounts.models import ApiKey
    from accounts.services import api_key_revoke

    raw = make_key(owner)
    api_key_revoke(key=ApiKey.objects.get(prefix=raw.partition(".")[0]))
    error = error_of(post(live_server, "/v1/images/generations", key=raw, json={"prompt": "a cat"}), 401)
    assert "revoked" in error["message"]


def test_an_expired_key_is_refused(live_server, owner, make_key):
    from django.utils import timezone

    raw = make_key(owner, expires=timezone.now() - dt.timedelta(minutes=1))
    error = error_of(post(live_server, "/v1/images/generations", key=raw, json={"prompt": "a cat"}), 401)
    assert "expired" in error["message"]


def test_a_key_without_the_images_scope_gets_403(live_server, owner, make_key):
    raw = make_key(owner, scopes=["moderation"])
    error = error_of(post(live_server, "/v1/images/generations", key=raw, json={"prompt": "a cat"}), 403)
    assert error["code"] == "insufficient_scope"


@pytest.mark.parametrize("payload, param", [
    ({"prompt": "a cat", "n": 11}, "n"),
    ({"prompt": "a cat", "n": 0}, "n"),
    ({"prompt": "a cat", "size": "300x300"}, "size"),
    ({"prompt": ""}, "prompt"),
    ({}, "prompt"),
    ({"prompt": "x" * 1001}, "prompt"),
    ({"prompt": "a cat", "response_format": "gif"}, "response_format"),
    ({"prompt": "a cat", "model": "dall-e-9"}, "model"),
    ({"prompt": "a cat", "seed": -1}, "seed"),
])
def test_bad_generation_parameters_get_400_naming_the_parameter(live_server, owner_key, payload, param):
    error = error_of(post(live_server, "/v1/images/generations", key=owner_key, json=payload), 400)
    assert error["param"] == param
    assert error["type"] == "invalid_request_error"


def test_a_malformed_json_body_gets_400(live_server, owner_key):
    response = requests.post(live_server.url + "/v1/images/generations", data=b"{not json", timeout=30,
                             headers={"Content-Type": "application/json", "Authorization": f"Bearer {owner_key}"})
    error_of(response, 400)


def _edit(live_server, key, image: bytes, mask: bytes | None = None, prompt="a hat"):
    files = {"image": ("image.png", image, "image/png")}
    if mask is not None:
        files["mask"] = ("mask.png", mask, "image/png")
    return post(live_server, "/v1/images/edits", key=key, files=files, data={"prompt": prompt, "size": "256x256"})


def test_an_upload_that_is_not_an_image_gets_400(live_server, owner_key):
    error = error_of(_edit(live_server, owner_key, b"this is a text file, not a PNG"), 400)
    assert (error["param"], error["code"]) == ("image", "invalid_image_format")


def test_a_gif_upload_gets_400(live_server, owner_key):
    out = io.BytesIO()
    Image.new("RGB", (64, 64)).save(out, format="GIF")
    error = error_of(_edit(live_server, owner_key, out.getvalue()), 400)
    assert (error["param"], error["code"]) == ("image", "invalid_image_format")


def test_a_non_square_image_gets_400(live_server, owner_key):
    error = error_of(_edit(live_server, owner_key, png_bytes(masked(Image.new("RGB", (300, 200), "white")))), 400)
    assert (error["param"], error["code"]) == ("image", "invalid_image_size")


def test_a_mask_of_another_size_gets_400(live_server, owner_key):
    photo = sample_photo("chelsea", 256)
    mask = png_bytes(masked(Image.new("RGB", (128, 128))))
    error = error_of(_edit(live_server, owner_key, png_bytes(photo), mask), 400)
    assert (error["param"], error["code"]) == ("mask", "invalid_mask")


def test_an_edit_with_nothing_transparent_gets_400(live_server, owner_key):
    error = error_of(_edit(live_server, owner_key, png_bytes(sample_photo("chelsea", 256))), 400)
    assert (error["param"], error["code"]) == ("image", "invalid_mask")


def test_an_image_over_4_mb_gets_400(live_server, owner_key):
    import numpy as np

    noise = np.random.default_rng(0).integers(0, 256, (1400, 1400, 3), dtype=np.uint8)  # incompressible: ~5.9 MB
    raw = png_bytes(Image.fromarray(noise))
    assert len(raw) > 4 * 1024 * 1024
    error = error_of(_edit(live_server, owner_key, raw), 400)
    assert (error["param"], error["code"]) == ("image", "image_too_large")


def test_a_decompression_bomb_gets_400(live_server, owner_key):
    out = io.BytesIO()
    Image.new("1", (20000, 20000)).save(out, format="PNG")  # 400 megapixels in a few kilobytes
    assert len(out.getvalue()) < 200_000
    error = error_of(_edit(live_server, owner_key, out.getvalue()), 400)
    assert (error["param"], error["code"]) == ("image", "image_too_large")


def test_a_variation_without_an_image_gets_400(live_server, owner_key):
    error = error_of(post(live_server, "/v1/images/variations", key=owner_key, data={"n": "1"}), 400)
    assert error["param"] == "image"


def test_moderation_input_of_the_wrong_type_gets_400(live_server, owner_key):
    error = error_of(post(live_server, "/v1/moderations", key=owner_key, json={"input": 42}), 400)
    assert error["param"] == "input"


def test_over_the_rate_limit_gets_429_with_retry_after(live_server, owner_key, settings):
    settings.HALLMARK = {**settings.HALLMARK, "RATE_LIMIT_PER_MINUTE": 2}
    codes = [post(live_server, "/v1/jobs", key=owner_key, json={"prompt": "a cat"}).status_code for _ in range(3)]
    assert codes[:2] == [202, 202]
    response = post(live_server, "/v1/jobs", key=owner_key, json={"prompt": "a cat"})
    error = error_of(response, 429)
    assert error["code"] == "rate_limit_exceeded"
    assert 1 <= int(response.headers["Retry-After"]) <= 60


def test_over_the_daily_quota_gets_429_and_reserves_nothing(live_server, owner_key, settings):
    from jobs.models import Job

    settings.HALLMARK = {**settings.HALLMARK, "DAILY_IMAGE_QUOTA": 3}
    assert post(live_server, "/v1/jobs", key=owner_key, json={"prompt": "a cat", "n": 2}).status_code == 202
    response = post(live_server, "/v1/jobs", key=owner_key, json={"prompt": "a cat", "n": 2})
    assert error_of(response, 429)["code"] == "quota_exceeded"
    assert int(response.headers["Retry-After"]) > 0
    assert post(live_server, "/v1/jobs", key=owner_key, json={"prompt": "a dog", "n": 1}).status_code == 202
    assert Job.objects.count() == 2


def _bomb_30000() -> bytes:
    out = io.BytesIO()
    Image.new("1", (30000, 30000)).save(out, format="PNG")
    return out.getvalue()


@pytest.mark.parametrize("name, build, code", [
    ("zero bytes", lambda: b"", "invalid_image"),
    ("truncated PNG", lambda: png_bytes(sample_photo("coffee", 256))[:4000], "invalid_image_format"),
    ("SVG", lambda: b'<svg xmlns="http://www.w3.org/2000/svg" width="9" height="9"/>', "invalid_image_format"),
    ("30000x30000 1-bit bomb", _bomb_30000, "image_too_large"),
])
def test_bad_uploads_to_edits_and_variations_get_400_with_a_code(live_server, owner_key, name, build, code):
    data = build()
    error = error_of(_edit(live_server, owner_key, data), 400)
    assert (error["param"], error["code"]) == ("image", code), name
    response = post(live_server, "/v1/images/variations", key=owner_key, files={"image": ("x.png", data, "image/png")},
                    data={"size": "256x256"})
    assert (error_of(response, 400)["code"]) == code, name


@pytest.mark.parametrize("data, code", [(b"", "invalid_image"), (b"plain text", "invalid_image_format")])
def test_verify_refuses_what_is_not_an_image_with_a_code(live_server, data, code):
    response = post(live_server, "/v1/provenance/verify", files={"file": ("x.png", data, "image/png")})
    error = error_of(response, 400)
    assert (error["param"], error["code"]) == ("file", code)
