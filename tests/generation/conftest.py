"""Shared fixtures: the tiny demo model, built once per session, and one Generator over it."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from skimage import data

from generation import Generator
from generation.tiny_model import build

TINY_DIR = Path(__file__).resolve().parents[2] / "var" / "test-models" / "tiny"


@pytest.fixture(scope="session")
def tiny_dir() -> Path:
    """The tiny model directory (reused when an earlier session already built it)."""
    return build(TINY_DIR)


@pytest.fixture(scope="session")
def gen(tiny_dir: Path) -> Generator:
    """One Generator for the whole session, on the CPU, as a worker would hold it."""
    return Generator.from_pretrained(tiny_dir, device="cpu", log=lambda line: None)


@pytest.fixture(scope="session")
def astronaut() -> Image.Image:
    """A real 512x512 photo shipped inside scikit-image."""
    return Image.fromarray(data.astronaut())


@pytest.fixture(scope="session")
def coffee() -> Image.Image:
    """A real non-square (400x600) photo shipped inside scikit-image."""
    return Image.fromarray(data.coffee())


def transparent_square_mask(size: int, box: tuple[int, int, int, int]) -> Image.Image:
    """Return an opaque RGBA mask of ``size`` with the ``box`` (l, t, r, b) fully transparent."""
    mask = Image.new("RGBA", (size, size), (0, 0, 0, 255))
    mask.paste((0, 0, 0, 0), box)
    return mask


def png_bytes(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def pixels(image: Image.Image) -> np.ndarray:
    return np.asarray(image.convert("RGB"), dtype=np.int16)
