"""Schemathesis (a tool no one here wrote) over the served schema: no 5xx, answers conform to the schema.

Against the PostgreSQL + Redis stack with real workers; examples, coverage and fuzzing
phases with bounded examples and a time budget, so a run takes a few minutes at most."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = [pytest.mark.live, pytest.mark.django_db(transaction=True)]
ROOT = Path(__file__).resolve().parents[2]


def test_schemathesis_finds_no_server_error_and_no_schema_mismatch(workers, live_server, owner_key, settings, tmp_path):
    # The fuzzer sends hundreds of requests with one key: the per-minute limit is not what is under test.
    settings.HALLMARK = {**settings.HALLMARK, "RATE_LIMIT_PER_MINUTE": 100_000, "DAILY_IMAGE_QUOTA": 100_000}
    cli = shutil.which("schemathesis", path=str(Path(sys.executable).parent)) or "schemathesis"
    run = subprocess.run(
        [cli, "run", f"{live_server.url}/api/schema/?format=json",
         "--checks", "not_a_server_error,response_schema_conformance",
         "--phases", "examples,coverage,fuzzing",
         "--max-examples", os.environ.get("HALLMARK_SCHEMATHESIS_EXAMPLES", "8"),
         "--max-time", "150", "--request-timeout", "200", "--seed", "13", "--workers", "1",
         "--header", f"Authorization: Bearer {owner_key}",
         "--report-dir", str(tmp_path), "--output-truncate", "true", "--warnings", "off"],
        cwd=ROOT, capture_output=True, text=True, timeout=420)
    out = run.stdout + run.stderr
    assert run.returncode == 0, out[-12000:]
    assert "No issues found" in out, out[-6000:]
    # The summary's "N generated, N passed" counts test cases ("13 passed" elsewhere counts operations).
    cases = re.search(r"(\d+) generated, (\d+) passed", out)
    assert cases and int(cases.group(2)) > 100, out[-3000:]  # it really exercised the API  # it really exercised the API
