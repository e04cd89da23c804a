"""jobs.runtime.cpu_slot: a web process computes a few requests at once, a few more wait briefly,
the rest are refused at once (429 server_busy with Retry-After) instead of holding web threads."""
from __future__ import annotations

import threading

import pytest


@pytest.fixture
def slots(settings, monkeypatch):
    from jobs import runtime

    settings.HALLMARK = {**settings.HALLMARK, "WEB_CPU_SLOTS": 1, "WEB_CPU_WAIT_S": 0.2}
    monkeypatch.setattr(runtime, "_cpu_slots", None)
    monkeypatch.setattr(runtime, "_cpu_waiting", 0)
    return runtime


def test_one_computes_one_waits_and_the_next_is_refused_at_once(slots):
    inside, release = threading.Event(), threading.Event()
    outcomes = []

    def holder():
        with slots.cpu_slot():
            inside.set()
            release.wait(5)

    def waiter():
        try:
            with slots.cpu_slot():
                outcomes.append("ran")
        except slots.ServerBusy:
            outcomes.append("busy")

    first = threading.Thread(target=holder)
    first.start()
    assert inside.wait(5)
    second = threading.Thread(target=waiter)
    second.start()
    for _ in range(100):  # the second is waiting for the slot
        if slots._cpu_waiting == 1:
            break
        threading.Event().wait(0.01)
    with pytest.raises(slots.ServerBusy) as refused:  # a third finds the one waiting place taken
        with slots.cpu_slot():
            pass
    assert refused.value.code == "server_busy" and refused.value.retry_after
    assert refused.value.kind == "limited"  # rendered as 429
    second.join(5)
    assert outcomes == ["busy"]  # it waited WEB_CPU_WAIT_S, then gave up
    release.set()
    first.join(5)
    with slots.cpu_slot():  # the slot is free again, and nobody is counted as waiting
        assert slots._cpu_waiting == 0
