"""Benchmark generation/: throughput of single vs batched jobs, and peak memory.

Tiny offline model on CPU (default; built under var/bench-models/tiny)::

    .venv/bin/python bench/generation.py

Real weights on a GPU (256 and 1024, n=1 vs n=8, seconds per image, peak GPU memory)::

    python bench/generation.py --source kakaobrain/karlo-v1-alpha --full-size

Restyles (unCLIP text diffs: one decoder inversion + DDIM decoding) next to edits and variations,
on the tiny model or any model directory such as the Karlo-sized timing model::

    .venv/bin/python bench/generation.py --jobs vary,edit,restyle
    python bench/generation.py --source DIR --jobs vary,edit,restyle --full-size

Prints medians over --repeats runs after one warm-up run per configuration.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import torch  # noqa: E402
from PIL import Image  # noqa: E402
from skimage import data  # noqa: E402

from generation import Generator  # noqa: E402
from generation.tiny_model import build  # noqa: E402


class PeakMemory:
    """Peak GPU allocation (CUDA) or peak process resident set (CPU, sampled every 2 ms).

    Both include the loaded weights; on CPU also the Python process itself.
    """

    def __init__(self, device: torch.device) -> None:
        self.cuda = device.type == "cuda"

    def __enter__(self) -> "PeakMemory":
        if self.cuda:
            torch.cuda.synchronize()
            torch.cuda.reset_peak_memory_stats()
            self.base = torch.cuda.memory_allocated()
        else:
            self.base = self.peak = _rss()
            self._stop = threading.Event()
            self._thread = threading.Thread(target=self._sample, daemon=True)
            self._thread.start()
        return self

    def _sample(self) -> None:
        while not self._stop.wait(0.002):
            self.peak = max(self.peak, _rss())

    def __exit__(self, *exc) -> None:
        if self.cuda:
            torch.cuda.synchronize()
            self.peak = torch.cuda.max_memory_allocated()
        else:
            self._stop.set()
            self._thread.join()
            self.peak = max(self.peak, _rss())

    @property
    def mib(self) -> float:
        return self.peak / 2**20


def _rss() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def measure(job, repeats: int, device: torch.device) -> tuple[float, float]:
    """Return (median seconds per call, peak MiB) after one warm-up call."""
    job()
    seconds, peaks = [], []
    for _ in range(repeats):
        with PeakMemory(device) as memory:
            started = time.perf_counter()
            job()
            if device.type == "cuda":
                torch.cuda.synchronize()
            seconds.append(time.perf_counter() - started)
        peaks.append(memory.mib)
    return statistics.median(seconds), max(peaks)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--source", default=None, help="hub id or directory (default: the tiny model)")
    parser.add_argument("--full-size", action="store_true", help="256 and 1024, n=1 vs n=8 (GPU runs)")
    parser.add_argument("--sizes", default=None, help="comma-separated sizes (default 256, or 256,1024 with --full-size)")
    parser.add_argument("--batch", type=int, default=None, help="batched n (default 4, or 8 with --full-size)")
    parser.add_argument("--steps", type=int, default=None, help="steps per stage (default 2 on the tiny model, "
                                                                "the model defaults otherwise)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--jobs", default="generate,vary,edit,restyle")
    args = parser.parse_args()

    tiny = args.source is None
    source = build(ROOT / "var" / "bench-models" / "tiny") if tiny else args.source
    steps = args.steps if args.steps is not None else (2 if tiny else None)
    sizes = [int(s) for s in (args.sizes or ("256,1024" if args.full_size else "256")).split(",")]
    batch = args.batch or (8 if args.full_size else 4)

    started = time.perf_counter()
    gen = Generator.from_pretrained(source, log=lambda line: None)
    print(f"model {gen.model_id} ({gen.model_version}) on {gen.device} {gen.dtype}, "
          f"loaded in {time.perf_counter() - started:.1f} s; steps={steps or 'model defaults'}, "
          f"torch threads={gen.cpu_threads or torch.get_num_threads()}")
    if gen.device.type == "cuda":
        print(f"device: {torch.cuda.get_device_name()}")

    photo = Image.fromarray(data.astronaut())  # 512x512
    mask = Image.new("RGBA", photo.size, (0, 0, 0, 255))
    mask.paste((0, 0, 0, 0), (160, 40, 360, 240))
    jobs = {
        "generate": lambda n, size: gen.generate("a corgi astronaut on the moon", n=n, size=size, seed=1, steps=steps),
        "vary": lambda n, size: gen.vary(photo, n=n, size=size, seed=1, steps=steps),
        "edit": lambda n, size: gen.edit(photo, mask, "a corgi astronaut", n=n, size=size, seed=1, steps=steps),
        "restyle": lambda n, size: gen.restyle(photo, "a cartoon drawing of an astronaut", n=n, size=size,
                                               seed=1, steps=steps),
    }
    header = f"{'job':<9}{'size':>6}{'n':>4}{'s/call':>10}{'s/image':>10}{'images/s':>10}{'peak MiB':>10}"
    print(f"(peak MiB = {'peak GPU allocation' if gen.device.type == 'cuda' else 'peak process RSS'})")
    print(header)
    per_image: dict[tuple[str, int, int], float] = {}
    for size in sizes:
        for name in args.jobs.split(","):
            for n in (1, batch):
                seconds, peak = measure(lambda: jobs[name](n, size), args.repeats, gen.device)
                per_image[(name, size, n)] = seconds / n
                print(f"{name:<9}{size:>6}{n:>4}{seconds:>10.3f}{seconds / n:>10.3f}{n / seconds:>10.2f}{peak:>10.0f}")
    print()
    for size in sizes:
        for name in args.jobs.split(","):
            ratio = per_image[(name, size, 1)] / per_image[(name, size, batch)]
            print(f"batched/single throughput {name} {size}: {ratio:.2f}x at n={batch}")
        if "edit" in args.jobs and "generate" in args.jobs:
            ratio = per_image[("edit", size, 1)] / per_image[("generate", size, 1)]
            print(f"edit/generate time at {size}, n=1: {ratio:.2f}x")
        for other in ("vary", "edit"):
            if "restyle" in args.jobs and other in args.jobs:
                ratio = per_image[("restyle", size, 1)] / per_image[(other, size, 1)]
                print(f"restyle/{other} time at {size}, n=1: {ratio:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
