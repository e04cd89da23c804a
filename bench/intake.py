"""Benchmark the upload intake; prints figures, asserts nothing.

Run: ``.venv/bin/python bench/intake.py``. Prints the intake's cost (decode, normalise, PNG
encode, digest) on scikit-image's ``astronaut`` at 1024² in a few encodings, and the peak
Python-traced memory on the largest accepted file: 4096² of incompressible noise would be over
the 4 MB byte cap, so the largest accepted picture is a 4096² JPEG under the cap.
"""
from __future__ import annotations

import resource
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "platform"), str(ROOT / "tests")]

from jobs import intake  # noqa: E402
from sample_images import encode, masked, sample_photo  # noqa: E402

CAP = 4 * 1024 * 1024  # settings.HALLMARK["MAX_UPLOAD_BYTES"]


def timed(data: bytes, *, edit: bool, runs: int = 7) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        intake.intake(data, edit=edit)
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def largest_accepted() -> bytes:
    """A 4096² JPEG (the pixel cap) as near the byte cap as quality allows."""
    picture = Image.fromarray(np.asarray(sample_photo("astronaut", 4096)))
    for quality in (95, 90, 85, 80, 70, 60, 50):
        data = encode(picture, "JPEG", quality=quality)
        if len(data) <= CAP:
            return data
    raise SystemExit("no 4096² picture fits under the cap")


def main() -> None:
    photo = sample_photo("astronaut", 1024)
    cases = {
        "PNG RGB": (encode(photo, "PNG"), False),
        "PNG RGBA edit (alpha 0 square)": (encode(masked(photo), "PNG"), True),
        "JPEG q95": (encode(photo, "JPEG", quality=95), False),
        "16-bit grey PNG": (encode(Image.fromarray(np.asarray(photo.convert("L"), dtype=np.uint16) * 257), "PNG"), False),
    }
    print("intake at 1024² (median of 7, ms):")
    for name, (data, edit) in cases.items():
        print(f"  {name:34s} {len(data) / 1e6:5.2f} MB  {timed(data, edit=edit):7.1f} ms")
    data = largest_accepted()
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    tracemalloc.start()
    started = time.perf_counter()
    result = intake.intake(data)
    elapsed = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    rss_growth = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before) / 1024
    print(f"largest accepted file: 4096² JPEG, {len(data) / 1e6:.2f} MB -> {result.image.size}, "
          f"{elapsed * 1000:.0f} ms, peak traced memory {peak / 1e6:.1f} MB "
          f"(Python objects), peak RSS growth {rss_growth:.0f} MB (Pillow's buffers: 4096² RGB is "
          f"{4096 * 4096 * 3 / 1e6:.0f} MB each)")


if __name__ == "__main__":
    main()
