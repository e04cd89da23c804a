"""Real Karlo + x4 upscaler weights on a GPU; skipped unless asked for.

Run on a GPU machine whose Hugging Face cache holds the three repositories::

    HALLMARK_TEST_REAL_WEIGHTS=1 python -m pytest tests/generation -p no:django -q -k real_weights
"""

from __future__ import annotations

import os

import numpy as np
import pytest
import torch
from PIL import Image
from skimage.morphology import dilation, disk

from conftest import pixels, transparent_square_mask

pytestmark = pytest.mark.skipif(
    not (os.environ.get("HALLMARK_TEST_REAL_WEIGHTS") and torch.cuda.is_available()),
    reason="needs HALLMARK_TEST_REAL_WEIGHTS=1, a GPU and the real weights in the Hugging Face cache",
)


@pytest.fixture(scope="module")
def karlo():
    from generation import DEFAULT_SOURCE, Generator

    return Generator.from_pretrained(DEFAULT_SOURCE)


def test_real_weights_generate_a_deterministic_batch(karlo):
    first = karlo.generate("a watercolor painting of a lighthouse", n=2, seed=5)
    second = karlo.generate("a watercolor painting of a lighthouse", n=2, seed=5)
    assert [image.size for image in first] == [(256, 256)] * 2
    # Same device, same seed: equal up to GPU kernel non-determinism.
    assert np.abs(pixels(first[0]) - pixels(second[0])).mean() < 1.0
    # A real model paints structure, not noise: neighbouring pixels correlate strongly.
    gray = pixels(first[0]).mean(axis=-1)
    assert np.corrcoef(gray[:, :-1].ravel(), gray[:, 1:].ravel())[0, 1] > 0.8


def test_real_weights_keep_the_outside_of_a_1024_edit(karlo, astronaut):
    mask = transparent_square_mask(512, (180, 60, 340, 220))
    (edited,) = karlo.edit(astronaut, mask, "an astronaut with a golden retriever's face", size=1024, seed=3)
    area = np.asarray(mask.getchannel("A").resize((1024, 1024), Image.NEAREST)) == 0
    reference = pixels(astronaut.resize((1024, 1024), Image.LANCZOS))
    outside = ~dilation(area, disk(4))
    assert np.abs(pixels(edited) - reference).max(axis=-1)[outside].max() <= 2
