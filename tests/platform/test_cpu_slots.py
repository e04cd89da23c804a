"""A web process's CPU slots: heavy requests (uploads, verify, moderations) wait for one, and past
the wait get 429 server_busy with Retry-After; light requests never wait for a slot.

The test holds the process's slot itself (the live server runs in this process, so it shares the
semaphore) instead of racing real heavy requests against each other."""
from __future__ import annotations

import threading
import time

import pytest
import requests

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("fresh_counters")]


@pytest.fixture
def one_slot(settings):
    # The slots are made once per process (the default: one); the wait is read per request.
    assert settings.HALLMARK["WEB_CPU_SLOTS"] == 1
    settings.HALLMARK = {**settings.HALLMARK, "WEB_CPU_WAIT_S": 0.3}


def test_a_heavy_request_past_the_wait_gets_429_server_busy_and_a_light_one_is_served(one_slot, live_server,
                                                                                       owner_key, cat_png):
    from jobs import runtime
    from jobs.cpu_slots import cpu_slot

    runtime.moderator()  # loaded before the clock starts
    auth = {"Authorization": f"Bearer {owner_key}"}
    url = live_server.url
    with cpu_slot():  # every slot of this process is taken
        started = time.monotonic()
        moderation = requests.post(url + "/v1/moderations", json={"input": "a red fox"}, headers=auth, timeout=30)
        waited = time.monotonic() - started
        verify = requests.post(url + "/v1/provenance/verify", files={"file": ("a.png", cat_png)}, timeout=30)
        variation = requests.post(url + "/v1/jobs", data={"kind": "variation", "size": "256x256"},
                                  files={"image": ("a.png", cat_png, "image/png")}, headers=auth, timeout=30)
        models = requests.get(url + "/v1/models", headers=auth, timeout=30)
    for response in (moderation, verify, variation):
        assert response.status_code == 429, response.text
        assert response.json()["error"]["code"] == "server_busy"
        assert response.headers["Retry-After"] == "1"
    assert waited >= 0.3  # it waited for a slot first
    assert models.status_code == 200  # light requests take no slot
    # Freed, the same heavy request is served.
    assert requests.post(url + "/v1/moderations", json={"input": "a red fox"}, headers=auth,
                         timeout=30).status_code == 200


def test_a_heavy_request_waits_for_a_slot_that_frees_within_the_wait(one_slot, settings, live_server, owner_key):
    from jobs import runtime
    from jobs.cpu_slots import cpu_slot

    settings.HALLMARK = {**settings.HALLMARK, "WEB_CPU_WAIT_S": 10}
    runtime.moderator()  # loaded before the clock starts
    held = threading.Event()

    def hold_briefly():
        with cpu_slot():
            held.set()
            time.sleep(0.5)

    holder = threading.Thread(target=hold_briefly)
    holder.start()
    held.wait(5)
    started = time.monotonic()
    response = requests.post(live_server.url + "/v1/moderations", json={"input": "a red fox"},
                             headers={"Authorization": f"Bearer {owner_key}"}, timeout=30)
    holder.join()
    assert response.status_code == 200, response.text
    assert time.monotonic() - started >= 0.3  # it was served after the holder let go, not refused
