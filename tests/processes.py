"""Helpers for the processes the tests start themselves (workers, a private redis-server)."""
from __future__ import annotations

import subprocess


def terminate(proc: subprocess.Popen | None, timeout: float = 20) -> None:
    """Stop ``proc`` if it still runs: SIGTERM, then SIGKILL after ``timeout`` seconds."""
    if proc is None or proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
