"""Benchmark generation/: images/s by batch size, a queue of single-image jobs one at a time vs
batched across jobs, GPU idle time, peak memory, and (on a GPU) the FLOP floor.

Tiny offline model on CPU (default; built under var/bench-models/tiny; CI-sized)::

    .venv/bin/python bench/generation.py

Karlo-sized timing model (``python -m generation.timing_model DIR``; it paints noise) on a GPU::

    python bench/generation.py --source DIR --device cuda --fp16

Sections (``--sections``, comma-separated):

* ``throughput``: images/s at each batch size (``--batches``; a batch is that many single-image
  jobs through `Generator.run_batch`), s/image at each size (``--sizes``), peak memory.
* ``queue``: ``--queue`` single-image jobs one at a time vs grouped by
  `generation.batching.group_compatible` (at most ``--max-batch`` images) and run batched; host
  time between batches and, on CUDA, GPU idle (profiled kernel time vs wall).
* ``busy``: the GPU worker's busy fraction (model time / its wall) over the same queue, batched,
  with the output gate and stamping done on the worker vs handed to a separate process, as
  jobs.finishing does on the CPU queue (the real image gate and C2PA + watermark stamper, a
  development certificate under var/bench-keys). On a 2-core host the two share the cores.
* ``flops``: analytic FLOPs per image of each stage (torch.utils.flop_counter.FlopCounterMode on
  one network call at the stage's real shapes, times its steps), their sum divided by
  ``--peak-tflops`` (default: H200 dense fp16, 989), and the ratio of the measured s/image to
  that floor.
* ``jobs``: the older per-kind table (``--jobs generate,vary,edit,restyle``; n=1 vs ``--batch``).

Default sections: ``throughput,queue,busy`` (plus ``flops`` on CUDA). Prints medians over ``--repeats``
runs after one warm-up run per configuration.
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

from generation import BatchItem, Generator, group_compatible  # noqa: E402
from generation.tiny_model import build  # noqa: E402


class PeakMemory:
    """Peak GPU allocation (CUDA) or peak process resident set (CPU, sampled every 2 ms).

    Both include the loaded weights; on CPU also the Python process itself.
    """

    overall = 0  # the highest peak of any measurement so far (bytes)

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
        PeakMemory.overall = max(PeakMemory.overall, self.peak)

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


def _items(count: int, size: int, steps, first_seed: int = 100) -> list[BatchItem]:
    """``count`` distinct single-image generation jobs (own prompt, own seed)."""
    subjects = ("a lighthouse", "a red fox", "a teapot", "a corgi astronaut", "a sailboat", "a cactus",
                "a castle", "a tram")
    return [BatchItem("generate", prompt=f"{subjects[i % len(subjects)]}, study {i}", size=size,
                      seed=first_seed + i, steps=steps, key=i) for i in range(count)]


def _run(gen: Generator, items: list[BatchItem]) -> None:
    results = gen.run_batch(items)
    failed = [r.error for r in results if not r.ok]
    if failed:
        raise RuntimeError(f"a benchmark job failed: {failed[0]!r}")


def section_throughput(gen, sizes, batches, steps, repeats, floors=None) -> dict[tuple[int, int], float]:
    """Print images/s per (size, batch); return seconds per image for each."""
    kind = "peak GPU allocation" if gen.device.type == "cuda" else "peak process RSS"
    print(f"\n## throughput: a batch of b single-image jobs through run_batch (peak MiB = {kind})")
    floors = floors or {}
    print(f"{'size':>6}{'batch':>7}{'s/batch':>10}{'s/image':>10}{'images/s':>10}{'vs b=1':>8}{'peak MiB':>10}"
          + (f"{'x floor':>9}" if floors else ""))
    per_image = {}
    for size in sizes:
        for b in batches:
            items = _items(b, size, steps)
            seconds, peak = measure(lambda: _run(gen, items), repeats, gen.device)
            per_image[(size, b)] = seconds / b
            gain = per_image[(size, batches[0])] / per_image[(size, b)]
            ratio = f" {seconds / b / floors[size]:>7.1f}x" if size in floors else ""
            print(f"{size:>6}{b:>7}{seconds:>10.3f}{seconds / b:>10.3f}{b / seconds:>10.2f}{gain:>7.2f}x{peak:>10.0f}"
                  f"{ratio}", flush=True)
    return per_image


def section_queue(gen, size, count, max_batch, steps, repeats) -> None:
    """Print the wall time of a queue of single-image jobs, one at a time vs batched across jobs."""
    items = _items(count, size, steps, first_seed=500)
    groups = group_compatible(items, max_images=max_batch)
    print(f"\n## queue: {count} single-image {size}² jobs, one at a time vs "
          f"{len(groups)} batch(es) of <= {max_batch} (group_compatible + run_batch)")

    def one_at_a_time():
        for item in items:
            _run(gen, [item])

    gaps: list[float] = []

    def batched():
        gaps.clear()
        ended = None
        for group in group_compatible(items, max_images=max_batch):
            started = time.perf_counter()
            if ended is not None:
                gaps.append(started - ended)  # the worker's own time between two batches
            _run(gen, group)
            if gen.device.type == "cuda":
                torch.cuda.synchronize()
            ended = time.perf_counter()

    single, _ = measure(one_at_a_time, repeats, gen.device)
    together, peak = measure(batched, repeats, gen.device)
    print(f"one at a time: {single:8.2f} s  ({count / single:.2f} jobs/s)")
    print(f"batched:       {together:8.2f} s  ({count / together:.2f} jobs/s)   {single / together:.2f}x faster, "
          f"peak {peak:.0f} MiB")
    print(f"host time between batches: {sum(gaps) * 1e3:.1f} ms ({sum(gaps) / together:.2%} of the batched wall)")
    if gen.device.type == "cuda":
        try:
            idle, wall = gpu_idle(batched)
        except Exception as exc:  # noqa: BLE001 - a profiler failure must not cost the rest of the run
            print(f"GPU idle: not measured ({type(exc).__name__}: {exc})")
        else:
            print(f"GPU idle during the batched queue: {idle:.2%} of {wall:.2f} s wall (kernel time from "
                  f"torch.profiler; profiling slows the host, so this over-states idle)")


# --------------------------------------------------------------------------- busy: stamping on/off the worker

_FINISHER = None  # the finishing process's output gate and stamper (loaded once per process)


def _finisher_init(key_dir: str) -> None:
    """Load what jobs.finishing loads on the CPU queue: the image gate and the C2PA + watermark stamper."""
    global _FINISHER
    from moderation import Moderator
    from provenance import Stamper
    from provenance.keys import read_key_file

    folder = Path(key_dir)
    _FINISHER = (Moderator.load(learned=False),
                 Stamper.from_files(folder / "signer-chain.pem", folder / "signer.key",
                                    watermark_key=read_key_file(folder / "watermark.key")))


def _finish(png: bytes, index: int) -> int:
    """Gate and stamp one output as jobs.finishing does; return the stamped file's size."""
    import io

    from provenance import Record, new_record_id

    gates, stamper = _FINISHER
    picture = Image.open(io.BytesIO(png)).convert("RGB")
    gates.check_image(picture, surface="output")
    data, _ = stamper.stamp(picture, Record(record_id=new_record_id(), kind="generation", model_id="bench",
                                            model_version="bench"))
    return len(data)


def _dev_keys() -> Path:
    from provenance import devca
    from provenance.keys import create_key_file

    folder = ROOT / "var" / "bench-keys"
    devca.create(folder)
    create_key_file(folder / "watermark.key")
    return folder


def section_busy(gen, size, count, max_batch, steps) -> None:
    """Print the GPU worker's busy fraction (time in the model / the worker's wall) over a queue of
    single-image jobs, batched, with the output gate and stamping on the worker (the old way) and
    handed to a separate process (jobs.finishing on the CPU queue)."""
    import concurrent.futures
    import io
    import multiprocessing

    items = _items(count, size, steps, first_seed=900)
    groups = group_compatible(items, max_images=max_batch)
    keys = str(_dev_keys())
    print(f"\n## busy: {count} single-image {size}² jobs in {len(groups)} batch(es); output gate + C2PA + watermark "
          f"on the worker vs in a separate process (the CPU queue)")

    def encoded(results) -> list[bytes]:
        out = []
        for result in results:
            for picture in result.images:
                buffer = io.BytesIO()
                picture.save(buffer, format="PNG", compress_level=1)  # what jobs.rendering hands on
                out.append(buffer.getvalue())
        return out

    context = multiprocessing.get_context("spawn")  # a clean process, as a Celery worker is
    with concurrent.futures.ProcessPoolExecutor(1, mp_context=context, initializer=_finisher_init,
                                                initargs=(keys,)) as pool:
        pool.submit(int, 0).result()  # loaded before the clock starts
        _finisher_init(keys)  # the on-worker variant loads the same in this process
        for label, off in (("on the worker ", False), ("off the worker", True)):
            model_s, pending = 0.0, []
            started = time.perf_counter()
            for group in groups:
                t0 = time.perf_counter()
                results = gen.run_batch(group)
                if gen.device.type == "cuda":
                    torch.cuda.synchronize()
                model_s += time.perf_counter() - t0
                for index, png in enumerate(encoded(results)):
                    if off:
                        pending.append(pool.submit(_finish, png, index))
                    else:
                        _finish(png, index)
            worker_wall = time.perf_counter() - started
            for future in pending:
                future.result()
            total = time.perf_counter() - started
            print(f"stamping {label}: model {model_s:6.2f} s, worker wall {worker_wall:6.2f} s -> busy "
                  f"{model_s / worker_wall:6.1%}; all stamped after {total:6.2f} s")


def gpu_idle(job) -> tuple[float, float]:
    """Run ``job`` under torch.profiler; return (fraction of wall with no CUDA kernel running, wall s)."""
    from torch.profiler import ProfilerActivity, profile

    torch.cuda.synchronize()
    with profile(activities=[ProfilerActivity.CPU, ProfilerActivity.CUDA]) as prof:
        started = time.perf_counter()
        job()
        torch.cuda.synchronize()
        wall = time.perf_counter() - started
    spans = sorted((e.time_range.start, e.time_range.end) for e in prof.events()
                   if e.device_type.name == "CUDA" and e.time_range.end > e.time_range.start)
    busy, current_start, current_end = 0.0, None, None
    for start, end in spans:  # union of kernel intervals (µs)
        if current_end is None or start > current_end:
            if current_end is not None:
                busy += current_end - current_start
            current_start, current_end = start, end
        else:
            current_end = max(current_end, end)
    if current_end is not None:
        busy += current_end - current_start
    return max(0.0, 1 - busy / 1e6 / wall), wall


def stage_flops(gen: Generator, size: int, steps) -> dict[str, float]:
    """Return FLOPs per image for each stage of one ``size`` generation (CFG as the sampler runs it).

    Counts one call of each network at its real input shapes with FlopCounterMode (matmuls,
    convolutions and attention; 2 FLOPs per multiply-add), times the stage's steps.
    """
    from torch.nn.attention import SDPBackend, sdpa_kernel
    from torch.utils.flop_counter import FlopCounterMode

    unclip, upscaler = gen._unclip, gen._upscaler
    d = gen.defaults
    device = gen.device

    def count(module, *args, **kwargs) -> float:
        # FlopCounterMode knows CUDA's fused attention kernels but not the CPU's flash kernel, so
        # on a CPU attention runs as plain matmuls (the math backend), which it does count.
        backends = ([SDPBackend.MATH] if device.type == "cpu" else
                    [SDPBackend.FLASH_ATTENTION, SDPBackend.EFFICIENT_ATTENTION, SDPBackend.CUDNN_ATTENTION,
                     SDPBackend.MATH])
        with torch.no_grad(), sdpa_kernel(backends), FlopCounterMode(display=False) as counter:
            module(*args, **kwargs)
        return float(counter.get_total_flops())

    def noise(*shape, like):
        return torch.randn(*shape, device=device, dtype=next(like.parameters()).dtype)

    prior, decoder, text_proj = unclip.prior, unclip.decoder, unclip.text_proj
    text_encoder = unclip.text_encoder
    tokens = torch.zeros(2, 77, dtype=torch.long, device=device)  # CFG: unconditional + conditional
    mask = torch.ones(2, 77, dtype=torch.bool, device=device)
    dim = prior.config.embedding_dim
    hidden = text_encoder.config.hidden_size
    out = {"text encoder": count(text_encoder, tokens)}
    out["prior"] = (steps or d.prior_steps) * count(
        prior, noise(2, dim, like=prior), timestep=torch.tensor(10, device=device),
        proj_embedding=noise(2, dim, like=prior), encoder_hidden_states=noise(2, 77, hidden, like=prior),
        attention_mask=mask)
    extra = text_proj.config.clip_extra_context_tokens
    out["decoder"] = (steps or d.decoder_steps) * count(
        decoder, noise(2, decoder.config.in_channels, decoder.config.sample_size, decoder.config.sample_size,
                       like=decoder),
        torch.tensor(10, device=device),
        encoder_hidden_states=noise(2, 77 + extra, decoder.config.cross_attention_dim, like=decoder),
        class_labels=noise(2, decoder.config.block_out_channels[0] * 4, like=decoder),
        attention_mask=torch.ones(2, 77 + extra, dtype=torch.bool, device=device))
    sr = unclip.super_res_first
    edge = sr.config.sample_size
    out["super-resolution"] = (steps or d.super_res_steps) * count(
        sr, noise(1, sr.config.in_channels, edge, edge, like=sr), torch.tensor(10, device=device))
    if size > edge:
        unet, vae = upscaler.unet, upscaler.vae
        up_text = upscaler.text_encoder
        out["upscaler text encoder"] = count(up_text, tokens)
        out["x4 upscaler UNet"] = (steps or d.upscale_steps) * count(
            unet, noise(2, unet.config.in_channels, edge, edge, like=unet), torch.tensor(10, device=device),
            encoder_hidden_states=noise(2, 77, unet.config.cross_attention_dim, like=unet),
            class_labels=torch.full((2,), 20, dtype=torch.long, device=device))
        out["x4 upscaler VAE decode"] = count(vae.decode, noise(1, vae.config.latent_channels, edge, edge, like=vae))
    return out


def meta_generator(scale: float = 1.0):
    """Return a stand-in for `Generator` whose networks are the timing model's at ``scale`` on the
    meta device (shapes only, no weights): enough for `stage_flops` on a machine of any size."""
    from types import SimpleNamespace

    from generation.defaults import StepDefaults
    from generation.timing_model import _instantiate, component_specs

    with torch.device("meta"):
        nets = {name: _instantiate(cls, kwargs).to(torch.float16)
                for name, (cls, kwargs) in component_specs(scale).items()}
    unclip = SimpleNamespace(**{name: nets[name] for name in ("prior", "decoder", "text_proj", "text_encoder",
                                                              "super_res_first")})
    upscaler = SimpleNamespace(unet=nets["upscaler_unet"], vae=nets["upscaler_vae"],
                               text_encoder=nets["upscaler_text_encoder"])
    return SimpleNamespace(_unclip=unclip, _upscaler=upscaler, defaults=StepDefaults(), device=torch.device("meta"))


def section_flops(gen, sizes, steps, peak_tflops) -> dict[int, float]:
    """Print each stage's FLOPs per image and the floor; return {size: floor seconds per image}."""
    print(f"\n## FLOP floor: analytic FLOPs per image / {peak_tflops:g} TFLOP/s (dense fp16 peak; "
          f"the x4 VAE runs in fp32 on GPUs, whose peak is lower, so its floor is optimistic)")
    floors = {}
    for size in sizes:
        flops = stage_flops(gen, size, steps)
        total = sum(flops.values())
        floors[size] = total / (peak_tflops * 1e12)
        print(f"{size}²:")
        for name, value in flops.items():
            print(f"  {name:<24}{value / 1e9:12.1f} GFLOP  {value / total:6.1%}   "
                  f"floor {value / (peak_tflops * 1e12) * 1e3:8.2f} ms")
        print(f"  {'total':<24}{total / 1e9:12.1f} GFLOP          floor {floors[size] * 1e3:8.2f} ms")
    print("(the throughput tables' last column is measured s/image over this floor)")
    return floors


def section_jobs(gen, sizes, job_names, batch, steps, repeats) -> None:
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
    print(f"\n## jobs: one call with n images")
    print(f"{'job':<9}{'size':>6}{'n':>4}{'s/call':>10}{'s/image':>10}{'images/s':>10}{'peak MiB':>10}")
    per_image: dict[tuple[str, int, int], float] = {}
    for size in sizes:
        for name in job_names:
            for n in (1, batch):
                seconds, peak = measure(lambda: jobs[name](n, size), repeats, gen.device)
                per_image[(name, size, n)] = seconds / n
                print(f"{name:<9}{size:>6}{n:>4}{seconds:>10.3f}{seconds / n:>10.3f}{n / seconds:>10.2f}{peak:>10.0f}")
    for size in sizes:
        for name in job_names:
            ratio = per_image[(name, size, 1)] / per_image[(name, size, batch)]
            print(f"batched/single throughput {name} {size}: {ratio:.2f}x at n={batch}")
        if "edit" in job_names and "generate" in job_names:
            ratio = per_image[("edit", size, 1)] / per_image[("generate", size, 1)]
            print(f"edit/generate time at {size}, n=1: {ratio:.2f}x")
        for other in ("vary", "edit"):
            if "restyle" in job_names and other in job_names:
                ratio = per_image[("restyle", size, 1)] / per_image[(other, size, 1)]
                print(f"restyle/{other} time at {size}, n=1: {ratio:.2f}x")


def _ints(text: str) -> list[int]:
    return [int(x) for x in text.split(",") if x]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--source", default=None, help="hub id or directory (default: the tiny model)")
    parser.add_argument("--device", default=None, help="cuda or cpu (default: cuda when available)")
    parser.add_argument("--fp16", action="store_true", help="fp16 weights (the default on CUDA)")
    parser.add_argument("--sections", default=None,
                        help="throughput,queue,flops,jobs (default throughput,queue, plus flops on CUDA)")
    parser.add_argument("--full-size", action="store_true", help="sizes 256,1024 (and n=8 in the jobs section)")
    parser.add_argument("--sizes", default=None, help="comma-separated output sizes (default 256, or 256,1024 "
                                                      "with --full-size or on CUDA)")
    parser.add_argument("--batches", default=None, help="batch sizes (default 1,4,8; 1,4,8,16 on CUDA)")
    parser.add_argument("--large-batches", default="1,4", help="batch sizes for the sizes after the first "
                                                               "(default 1,4)")
    parser.add_argument("--queue", type=int, default=16, help="single-image jobs in the queue section")
    parser.add_argument("--max-batch", type=int, default=None, help="images per cross-job batch "
                                                                    "(default 8; 16 on CUDA)")
    parser.add_argument("--batch", type=int, default=None, help="batched n in the jobs section (default 4, or 8 "
                                                                "with --full-size)")
    parser.add_argument("--steps", type=int, default=None, help="steps per stage (default 2 on the tiny model, "
                                                                "the model defaults otherwise)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--cpu-threads", type=int, default=None, help="torch threads per job on CPU "
                                                                      "(default: the model manifest's)")
    parser.add_argument("--peak-tflops", type=float, default=989.0,
                        help="the GPU's dense fp16 peak, TFLOP/s (default 989: H200/H100 SXM)")
    parser.add_argument("--jobs", default="generate,vary,edit,restyle", help="kinds in the jobs section")
    parser.add_argument("--analytic-flops", type=float, default=None, metavar="SCALE",
                        help="only print the FLOP floor of the timing model's architecture at SCALE (1 = "
                             "Karlo's size), counted on the meta device: no weights, no GPU")
    args = parser.parse_args()
    if args.analytic_flops is not None:
        print(f"timing-model architecture at scale {args.analytic_flops:g}, model default steps unless --steps; "
              f"counted on the meta device (no weights)")
        section_flops(meta_generator(args.analytic_flops), _ints(args.sizes or "256,1024"), args.steps,
                      args.peak_tflops)
        return 0

    tiny = args.source is None
    source = build(ROOT / "var" / "bench-models" / "tiny") if tiny else args.source
    steps = args.steps if args.steps is not None else (2 if tiny else None)

    started = time.perf_counter()
    gen = Generator.from_pretrained(source, device=args.device, dtype=torch.float16 if args.fp16 else None,
                                    log=lambda line: None, cpu_threads=args.cpu_threads)
    cuda = gen.device.type == "cuda"
    sizes = _ints(args.sizes or ("256,1024" if args.full_size or cuda else "256"))
    batches = _ints(args.batches or ("1,4,8,16" if cuda else "1,4,8"))
    max_batch = args.max_batch or (16 if cuda else 8)
    sections = (args.sections or ("throughput,queue,busy,flops" if cuda else "throughput,queue,busy")).split(",")
    print(f"model {gen.model_id} ({gen.model_version}) on {gen.device} {gen.dtype}, "
          f"loaded in {time.perf_counter() - started:.1f} s; steps={steps or 'model defaults'}, "
          f"torch threads={gen.cpu_threads or torch.get_num_threads()}")
    if "paints-noise" in gen.model_id or tiny:
        print("NOTE: random weights -- this model paints noise; the figures are timings only")
    if cuda:
        print(f"device: {torch.cuda.get_device_name()}")
    else:
        print(f"host: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at start")

    floors = section_flops(gen, sizes, steps, args.peak_tflops) if "flops" in sections else {}
    if "throughput" in sections:
        section_throughput(gen, sizes[:1], batches, steps, args.repeats, floors)
    if "queue" in sections:
        section_queue(gen, sizes[0], args.queue, max_batch, steps, args.repeats)
    if "busy" in sections:
        section_busy(gen, sizes[0], args.queue, max_batch, steps)
    if "throughput" in sections and sizes[1:]:
        section_throughput(gen, sizes[1:], _ints(args.large_batches), steps, args.repeats, floors)
    if "jobs" in sections:
        section_jobs(gen, sizes, args.jobs.split(","), args.batch or (8 if args.full_size else 4), steps,
                     args.repeats)
    if cuda:
        print(f"\npeak GPU memory over the measured runs: {PeakMemory.overall / 2**30:.2f} GiB "
              f"(torch.cuda.max_memory_allocated, weights included)")
    else:
        print(f"\npeak process RSS over the measured runs: {PeakMemory.overall / 2**20:.0f} MiB (weights included)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
