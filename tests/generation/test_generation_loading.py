"""Loading the cascade from a saved directory, and failing clearly when it cannot be loaded."""

from __future__ import annotations

import os
import shutil
import time

import pytest

from generation import Generator, ModelLoadError
from generation.tiny_model import MANIFEST, TINY_MODEL_ID, build


def test_it_loads_every_part_from_the_saved_tiny_directory(gen, tiny_dir):
    assert gen.model_id == TINY_MODEL_ID
    assert gen.sources.unclip == str(tiny_dir)
    assert gen.sources.image_variations == str(tiny_dir / "image_variations")
    assert gen.sources.upscaler == str(tiny_dir / "upscaler")
    assert str(gen.device) == "cpu"


def test_variations_share_the_unclip_modules_instead_of_loading_copies(gen):
    for name in ("decoder", "text_encoder", "text_proj", "super_res_first", "super_res_last"):
        assert getattr(gen._variations, name) is getattr(gen._unclip, name)


def test_the_model_version_is_stable_for_the_same_directory(gen, tiny_dir):
    again = Generator.from_pretrained(tiny_dir, log=lambda line: None)
    assert gen.model_version == again.model_version
    assert gen.model_version.startswith("sha256-")


def test_loading_logs_each_part_and_component(tiny_dir):
    lines: list[str] = []
    Generator.from_pretrained(tiny_dir, log=lines.append)
    text = "\n".join(lines)
    for component in ("prior", "decoder", "text_encoder", "super_res_first", "image_encoder", "vae", "unet"):
        assert component in text
    assert "ready" in lines[-1]


def test_building_again_returns_the_existing_model_quickly(tiny_dir):
    manifest_mtime = os.stat(tiny_dir / MANIFEST).st_mtime_ns
    started = time.perf_counter()
    assert build(tiny_dir) == tiny_dir
    assert time.perf_counter() - started < 1.0
    assert os.stat(tiny_dir / MANIFEST).st_mtime_ns == manifest_mtime


def test_a_missing_model_directory_is_a_model_load_error(tmp_path):
    with pytest.raises(ModelLoadError, match="does not exist"):
        Generator.from_pretrained(tmp_path / "nowhere", log=lambda line: None)


def test_a_corrupt_weights_file_is_a_model_load_error(tiny_dir, tmp_path):
    broken = tmp_path / "broken"
    shutil.copytree(tiny_dir, broken)
    (broken / "decoder" / "diffusion_pytorch_model.safetensors").write_bytes(b"not a safetensors file")
    with pytest.raises(ModelLoadError, match="unCLIP pipeline"):
        Generator.from_pretrained(broken, log=lambda line: None)


def test_a_directory_without_a_pipeline_is_a_model_load_error(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(ModelLoadError):
        Generator.from_pretrained(tmp_path / "empty", log=lambda line: None)


def test_an_index_naming_text_proj_the_way_save_pretrained_used_to_still_loads(tiny_dir, tmp_path):
    # Karlo's hub index says ["unclip", ...]; diffusers' own save_pretrained has written
    # ["diffusers", ...]. Both must load through the same from_pretrained call.
    import json

    copy = tmp_path / "tiny"
    shutil.copytree(tiny_dir, copy)
    index = json.loads((copy / "model_index.json").read_text())
    index["text_proj"] = ["diffusers", "UnCLIPTextProjModel"]
    (copy / "model_index.json").write_text(json.dumps(index))
    gen = Generator.from_pretrained(copy, log=lambda line: None)
    assert type(gen._unclip.text_proj).__name__ == "UnCLIPTextProjModel"


def test_an_unavailable_device_is_a_model_load_error(tiny_dir):
    import torch

    if torch.cuda.is_available():
        pytest.skip("this machine has CUDA")
    with pytest.raises(ModelLoadError, match="cuda"):
        Generator.from_pretrained(tiny_dir, device="cuda", log=lambda line: None)


def test_the_command_line_builds_the_same_weights_every_time(tiny_dir, tmp_path):
    from generation.tiny_model import is_complete, main

    assert main([str(tmp_path / "again")]) == 0
    assert is_complete(tmp_path / "again")
    for part in ("decoder/diffusion_pytorch_model.safetensors", "upscaler/unet/diffusion_pytorch_model.safetensors",
                 "image_variations/image_encoder/model.safetensors"):
        assert (tmp_path / "again" / part).read_bytes() == (tiny_dir / part).read_bytes()


def test_importing_the_package_for_its_errors_does_not_load_torch():
    import subprocess
    import sys
    from pathlib import Path

    code = "import sys, generation; from generation import InvalidRequest, DEFAULT_SOURCE; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).resolve().parents[2])
    assert out.stdout.strip() == "False"


def test_concurrent_builds_of_one_directory_produce_one_complete_model(tmp_path):
    import subprocess
    import sys
    from pathlib import Path

    from generation.tiny_model import is_complete

    target = tmp_path / "shared"
    code = f"from generation.tiny_model import build; build({str(target)!r})"
    root = Path(__file__).resolve().parents[2]
    builders = [subprocess.Popen([sys.executable, "-c", code], cwd=root, stderr=subprocess.DEVNULL) for _ in range(2)]
    assert [builder.wait(timeout=300) for builder in builders] == [0, 0]
    assert is_complete(target)
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".shared.tmp")) == []
    assert Generator.from_pretrained(target, log=lambda line: None).model_id == TINY_MODEL_ID
