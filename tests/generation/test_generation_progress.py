"""Progress through every stage, and cancellation from the progress callback."""

from __future__ import annotations

import numpy as np
import pytest

from generation import Cancelled
from conftest import transparent_square_mask


def record(events):
    return lambda stage, step, total: events.append((stage, step, total))


def stages_in_order(events):
    seen: list[str] = []
    for stage, _, _ in events:
        if not seen or seen[-1] != stage:
            seen.append(stage)
    return seen


def assert_monotonic_and_complete(events):
    by_stage: dict[str, list[tuple[int, int]]] = {}
    for stage, step, total in events:
        by_stage.setdefault(stage, []).append((step, total))
    for stage, steps in by_stage.items():
        numbers = [step for step, _ in steps]
        assert numbers == sorted(numbers), stage
        assert numbers[0] == 0 and numbers[-1] == steps[-1][1], stage


def test_a_512_generation_reports_every_stage_in_order(gen):
    events: list = []
    gen.generate("a castle", size=512, seed=1, steps=3, progress=record(events))
    assert stages_in_order(events) == ["prior", "decoder", "super_resolution", "upscale_1024"]
    assert_monotonic_and_complete(events)
    assert ("upscale_1024", 3, 3) in events


def test_a_variation_reports_the_image_encoder_and_skips_the_prior(gen, astronaut):
    events: list = []
    gen.vary(astronaut, seed=1, steps=2, progress=record(events))
    assert stages_in_order(events) == ["image_encoder", "decoder", "super_resolution"]
    assert_monotonic_and_complete(events)


def test_an_edit_reports_every_stage(gen, astronaut):
    events: list = []
    gen.edit(astronaut, transparent_square_mask(512, (0, 0, 64, 64)), "a moon", size=1024, seed=1, steps=2,
             progress=record(events))
    assert stages_in_order(events) == ["prior", "decoder", "super_resolution", "upscale_1024"]
    assert_monotonic_and_complete(events)


def test_returning_false_cancels_at_once(gen):
    events: list = []

    def stop_in_decoder(stage, step, total):
        events.append((stage, step))
        return not (stage == "decoder" and step == 1)

    with pytest.raises(Cancelled):
        gen.generate("a castle", seed=1, steps=3, progress=stop_in_decoder)
    assert events[-1] == ("decoder", 1)


def test_raising_cancelled_stops_the_job_and_the_generator_stays_usable(gen):
    def cancel(stage, step, total):
        if stage == "super_resolution":
            raise Cancelled("user pressed stop")

    with pytest.raises(Cancelled, match="user pressed stop"):
        gen.generate("a castle", seed=1, steps=2, progress=cancel)
    (after,) = gen.generate("a castle", seed=1, steps=2)
    (again,) = gen.generate("a castle", seed=1, steps=2)
    assert np.array_equal(np.asarray(after), np.asarray(again))
