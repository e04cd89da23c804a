"""Fixtures for provenance/: development credentials and test images, built once per session."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image

from provenance import Stamper, devca
from provenance.samples import generated_images, natural_images


@pytest.fixture(scope="session")
def dev_ca(tmp_path_factory) -> devca.DevCAPaths:
    return devca.create(tmp_path_factory.mktemp("devca"))


@pytest.fixture(scope="session")
def other_ca(tmp_path_factory) -> devca.DevCAPaths:
    """A second, unrelated development CA: its anchor must not vouch for the first one's signer."""
    return devca.create(tmp_path_factory.mktemp("other-ca"))


@pytest.fixture(scope="session")
def anchors(dev_ca) -> str:
    return Path(dev_ca.ca).read_text()


@pytest.fixture(scope="session")
def wm_key(tmp_path_factory) -> bytes:
    """A fresh secret watermark key, written and read back the way the platform does (0600 file)."""
    from provenance.keys import create_key_file, read_key_file

    return read_key_file(create_key_file(tmp_path_factory.mktemp("wmkey") / "watermark.key"))


@pytest.fixture(scope="session")
def stamper(dev_ca, wm_key) -> Stamper:
    return Stamper.from_files(dev_ca.chain, dev_ca.key, watermark_key=wm_key)


@pytest.fixture(scope="session")
def photo() -> Image.Image:
    """scikit-image's astronaut at 512x512."""
    return dict(natural_images(512, 1))["astronaut-0"]


@pytest.fixture(scope="session")
def render() -> Image.Image:
    """A procedural fractal-landscape render at 512x512, standing in for model output."""
    return next(generated_images(512, 1))[1]


@pytest.fixture(scope="session")
def parent_png(render) -> bytes:
    buffer = io.BytesIO()
    render.resize((256, 256)).save(buffer, "PNG")
    return buffer.getvalue()
