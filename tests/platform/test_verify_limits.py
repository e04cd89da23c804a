"""The public verify endpoint is safe to expose: its own per-client rate limit, a byte cap
enforced while the body streams, a pixel cap read from the header; bombs cost bounded memory."""
from __future__ import annotations

import io
import threading
import time

import pytest
import requests
from PIL import Image

# Every test here calls verify from 127.0.0.1: start each with no per-address counter left by
# earlier tests (the schema fuzzing, the API tests), so only the rate-limit test meets the limit.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("fresh_counters", "signing_keys")]


def _rss() -> int:
    with open("/proc/self/status") as fh:
        return next(int(line.split()[1]) * 1024 for line in fh if line.startswith("VmRSS:"))


class PeakRss:
    """Sample this process's RSS (the live server runs in it) every few ms; report the peak growth."""

    def __enter__(self):
        self.base = self.peak = _rss()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _sample(self):
        while not self._stop.is_set():
            self.peak = max(self.peak, _rss())
            time.sleep(0.005)

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()

    @property
    def growth_mb(self) -> float:
        return (self.peak - self.base) / 2**20


def _multipart(name: str, data: bytes, boundary: str = "hallmarkboundary") -> tuple[bytes, dict]:
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n"
            f"Content-Type: application/octet-stream\r\n\r\n").encode() + data + f"\r\n--{boundary}--\r\n".encode()
    return body, {"Content-Type": f"multipart/form-data; boundary={boundary}"}


def _error(response, status: int) -> dict:
    assert response.status_code == status, response.text[:500]
    error = response.json()["error"]
    assert {"message", "type", "param", "code"} <= set(error)
    return error


@pytest.fixture
def bomb() -> bytes:
    """The 131 KB solid-colour 6300x6300 PNG from the issue (7 s and 1.6 GB to verify before)."""
    buffer = io.BytesIO()
    Image.new("RGB", (6300, 6300), (200, 30, 30)).save(buffer, "PNG", optimize=False)
    return buffer.getvalue()


def test_the_decompression_bomb_is_refused_from_its_header_with_bounded_memory(live_server, bomb):
    assert len(bomb) < 200_000
    body, headers = _multipart("bomb.png", bomb)
    with PeakRss() as rss:
        started = time.monotonic()
        response = requests.post(live_server.url + "/v1/provenance/verify", data=body, headers=headers, timeout=60)
        elapsed = time.monotonic() - started
    error = _error(response, 400)
    assert error["code"] == "image_too_large" and error["param"] == "file"
    print(f"bomb: {elapsed * 1000:.0f} ms, peak RSS growth {rss.growth_mb:.1f} MB")
    assert rss.growth_mb < 100  # decoding it would take ~119 MB per plane, 1.6 GB in verify


def test_an_oversized_upload_is_refused_while_it_streams(live_server, settings):
    settings.HALLMARK = {**settings.HALLMARK, "VERIFY_MAX_BYTES": 2 * 1024 * 1024}
    body, headers = _multipart("big.png", b"\x89PNG\r\n\x1a\n" + b"\0" * (3 * 1024 * 1024))
    response = requests.post(live_server.url + "/v1/provenance/verify", data=body, headers=headers, timeout=60)
    error = _error(response, 400)  # one file past the cap is bad input, as OpenAI answers
    assert (error["code"], error["param"]) == ("file_too_large", "file")


def test_a_file_past_the_cap_inside_an_allowed_body_is_cut_while_it_streams(live_server, settings):
    """The declared length passes the envelope check; the cap counts the file's bytes as they arrive."""
    settings.HALLMARK = {**settings.HALLMARK, "VERIFY_MAX_BYTES": 1024 * 1024}
    body, headers = _multipart("big.png", b"\x89PNG\r\n\x1a\n" + b"\0" * (2 * 1024 * 1024))
    # Content-Length within the envelope allowance, the file itself past the per-file cap.
    response = requests.post(live_server.url + "/v1/provenance/verify", data=body, headers=headers, timeout=60)
    assert response.status_code == 400, response.text[:300]
    assert response.json()["error"]["code"] == "file_too_large"


def test_a_huge_declared_body_is_refused_before_it_is_sent(live_server):
    """Only the headers and the first 64 KB of a declared 60 MB body are sent: the 413 comes anyway."""
    import socket
    from urllib.parse import urlsplit

    url = urlsplit(live_server.url)
    head, headers = _multipart("big.png", b"\x89PNG\r\n\x1a\n" + b"\0" * (64 * 1024))
    declared = 60 * 1024 * 1024
    request = (f"POST /v1/provenance/verify HTTP/1.1\r\nHost: {url.netloc}\r\nContent-Type: {headers['Content-Type']}\r\n"
               f"Content-Length: {declared}\r\nConnection: close\r\n\r\n").encode() + head[:-30]
    with PeakRss() as rss, socket.create_connection((url.hostname, url.port), timeout=30) as sock:
        sock.sendall(request)
        answer = b""
        while b"\r\n\r\n" not in answer or not answer.rstrip().endswith(b"}"):
            chunk = sock.recv(65536)
            if not chunk:
                break
            answer += chunk
    status_line = answer.split(b"\r\n", 1)[0]
    assert b" 413 " in status_line, answer[:300]
    assert b'"file_too_large"' in answer
    print(f"60 MB declared: peak RSS growth {rss.growth_mb:.1f} MB")
    assert rss.growth_mb < 40


def test_verify_has_its_own_per_client_rate_limit_with_retry_after(live_server, settings, cat_png):
    settings.HALLMARK = {**settings.HALLMARK, "VERIFY_RATE_PER_MINUTE": 3}
    from django.core.cache import cache

    cache.clear()
    answers = [requests.post(live_server.url + "/v1/provenance/verify", files={"file": ("a.png", cat_png)}, timeout=60)
               for _ in range(5)]
    assert [r.status_code for r in answers[:3]] == [200, 200, 200], [r.text[:200] for r in answers]
    for refused in answers[3:]:
        assert _error(refused, 429)["code"] == "rate_limit_exceeded"
        assert 0 < int(refused.headers["Retry-After"]) <= 60


def test_a_normal_image_still_verifies(live_server, cat_png):
    response = requests.post(live_server.url + "/v1/provenance/verify", files={"file": ("cat.png", cat_png)}, timeout=60)
    assert response.status_code == 200, response.text
    assert response.json()["record"] is None


def test_an_edit_upload_past_4_mb_is_refused_before_decoding(live_server, owner_key):
    body = b"\x89PNG\r\n\x1a\n" + b"\0" * (5 * 1024 * 1024)
    response = requests.post(live_server.url + "/v1/images/variations", headers={"Authorization": f"Bearer {owner_key}"},
                             files={"image": ("big.png", body)}, data={"size": "256x256"}, timeout=60)
    assert response.status_code in (400, 413), response.text[:300]
    assert response.json()["error"]["code"] in ("file_too_large", "image_too_large")
