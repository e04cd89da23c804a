"""Benchmark for provenance/: stamping cost and watermark robustness, beside invisible-watermark.

Prints, per image side (256, 512, 1024 by default):

* the recovery of the exact record id after every attack in
  :data:`provenance.attacks.ATTACKS` (resizes x0.3..x2, to 1080/720 px wide,
  the screenshot pipelines, JPEG 50, WebP 75, brightness/contrast +-20 %, a
  crop to 80 % of the area at a random offset) and the stretch attacks
  (rotation +-1 degree), for Hallmark's keyed watermark and, on the same
  images and attacks, invisible-watermark's ``dwtDctSvd`` carrying the same
  80 bits (48-bit id + CRC-32, an id counted only when the CRC checks) and
  ``rivaGan`` (its model ships in the wheel; 32 bits, so it carries 32 raw id
  bits: counted when all 32 come back);
* encode time and PSNR of each scheme;
* stamp cost: mark + PNG encode + read-back + sign, over a plain PNG encode;
* false ids on ``--fp`` never-marked images (256 px: natural crops, renders, noise);
* an SVG plot of recovery against resize scale, one line per side (``--plot``).

Run: ``.venv/bin/python bench/provenance.py`` (full: 30 natural + 30 generated
+ 6 noise hosts per side, 1000 clean images) or ``--quick`` (CI-sized).
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from provenance import Record, Stamper, devca, ecc, new_record_id, watermark  # noqa: E402
from provenance.attacks import ATTACKS, RESIZE_SCALES, STRETCH  # noqa: E402
from provenance.samples import generated_images, natural_images, noise_images  # noqa: E402

KEY = bytes(range(32))  # a benchmark key; the platform's comes from HALLMARK_WATERMARK_KEY


def _png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def _bgr(image: Image.Image) -> np.ndarray:
    import cv2

    return cv2.cvtColor(np.asarray(image.convert("RGB")), cv2.COLOR_RGB2BGR)


def _rgb_image(bgr: np.ndarray) -> Image.Image:
    import cv2

    return Image.fromarray(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))


class Peer:
    """invisible-watermark 0.2.0 with a payload of ``bits`` bits."""

    def __init__(self, method: str, bits: int):
        from imwatermark import WatermarkDecoder, WatermarkEncoder

        self.method, self.bits = method, bits
        self.encoder, self.decoder = WatermarkEncoder(), WatermarkDecoder("bits", bits)
        if method == "rivaGan":
            WatermarkEncoder.loadModel()
            WatermarkDecoder.loadModel()

    def payload(self, record_id: str) -> list[int]:
        if self.bits == ecc.INFO_BITS:  # the id framed exactly as ours: 48 bits + CRC-32
            return [int(b) for b in ecc.frame(watermark.payload_of(record_id))]
        return [int(b) for b in format(watermark.payload_of(record_id) & ((1 << self.bits) - 1), f"0{self.bits}b")]

    def embed(self, image: Image.Image, record_id: str) -> Image.Image:
        self.encoder.set_watermark("bits", self.payload(record_id))
        return _rgb_image(self.encoder.encode(_bgr(image), self.method))

    def read(self, image: Image.Image, record_id: str) -> str:
        """Return "ok", "wrong" or "none" for the copy ``image`` of a mark carrying ``record_id``."""
        try:
            bits = np.array([int(b) for b in self.decoder.decode(_bgr(image), self.method)], dtype=np.uint8)
        except Exception:  # noqa: BLE001 - the peer raises on sizes it cannot read
            return "none"
        if self.bits == ecc.INFO_BITS:
            payload = ecc.unframe(bits)
            if payload is None:
                return "none"
            return "ok" if watermark.record_id_of(payload) == record_id else "wrong"
        return "ok" if bits.tolist() == self.payload(record_id) else "none"


def hosts(side: int, count: int, noise: int) -> list[tuple[str, Image.Image]]:
    return list(natural_images(side, count)) + list(generated_images(side, count)) + list(noise_images(side, noise))


def robustness(side: int, images, peers: dict[str, Peer], peer_limit: dict[str, int]) -> dict:
    attacks = {**ATTACKS, **STRETCH}
    schemes = ["hallmark", *peers]
    found = {s: {a: [0, 0, 0] for a in attacks} for s in schemes}  # ok, wrong, n
    enc_t = {s: [] for s in schemes}
    psnrs = {s: [] for s in schemes}
    misses: dict[str, list[str]] = {a: [] for a in attacks}
    for i, (name, image) in enumerate(images):
        rid = new_record_id()
        for scheme in schemes:
            if scheme != "hallmark" and i >= peer_limit[scheme]:
                continue
            start = time.perf_counter()
            marked = watermark.embed(image, rid, key=KEY) if scheme == "hallmark" else peers[scheme].embed(image, rid)
            enc_t[scheme].append(time.perf_counter() - start)
            psnrs[scheme].append(watermark.psnr(image, marked))
            for attack, fn in attacks.items():
                copy = fn(marked)
                if scheme == "hallmark":
                    got = watermark.extract(copy, keys=[KEY]) if min(copy.size) >= 32 else None
                    verdict = "ok" if got == rid else ("none" if got is None else "wrong")
                    if verdict != "ok" and attack in ATTACKS:
                        misses[attack].append(name)
                else:
                    verdict = peers[scheme].read(copy, rid)
                cell = found[scheme][attack]
                cell[0] += verdict == "ok"
                cell[1] += verdict == "wrong"
                cell[2] += 1
    return {"found": found, "encode": enc_t, "psnr": psnrs, "misses": misses}


def _pct(cell) -> str:
    ok, wrong, n = cell
    return "—" if n == 0 else f"{100 * ok / n:.0f} %" + (f" ({wrong} wrong)" if wrong else "")


def print_robustness(results: dict[int, dict], schemes: list[str]) -> None:
    sides = sorted(results)
    head = " | ".join(f"{s}² {scheme}" for s in sides for scheme in schemes)
    print(f"| attack | {head} |")
    print("|---|" + "---|" * (len(sides) * len(schemes)))
    for attack in [*ATTACKS, *STRETCH]:
        cells = " | ".join(_pct(results[s]["found"][scheme][attack]) for s in sides for scheme in schemes)
        print(f"| {attack}{' (stretch)' if attack in STRETCH else ''} | {cells} |")
    for label, key in (("images", None), ("encode ms (median)", "encode"), ("PSNR dB min / median", "psnr")):
        cells = []
        for s in sides:
            for scheme in schemes:
                values = results[s]["encode" if key is None else key][scheme]
                if not values:
                    cells.append("—")
                elif key is None:
                    cells.append(str(len(values)))
                elif key == "encode":
                    cells.append(f"{1000 * statistics.median(values):.0f}")
                else:
                    cells.append(f"{min(values):.1f} / {statistics.median(values):.1f}")
        print(f"| {label} | {' | '.join(cells)} |")
    for s in sides:
        ours = results[s]["found"]["hallmark"]
        spec = [ours[a] for a in ATTACKS]
        total = sum(c[0] for c in spec) / max(1, sum(c[2] for c in spec))
        worst = min(spec, key=lambda c: c[0] / max(1, c[2]))
        print(f"{s}²: Hallmark over all specified attacks {100 * total:.1f} %, worst attack {_pct(worst)}; "
              f"wrong ids {sum(c[1] for c in spec)}")
        for attack, names in results[s]["misses"].items():
            if names:
                print(f"  missed after {attack}: {', '.join(names)}")


def timings(sides, runs: int, stamper: Stamper) -> None:
    print("\n| side | plain PNG encode | mark | full stamp (mark + encode + read-back + sign) | stamp / PNG |")
    print("|---|---|---|---|---|")
    for side in sides:
        png_t, mark_t, stamp_t = [], [], []
        for _, image in natural_images(side, runs, seed=5):
            start = time.perf_counter()
            _png(image)
            png_t.append(time.perf_counter() - start)
            start = time.perf_counter()
            watermark.embed(image, "0123456789ab", key=KEY)
            mark_t.append(time.perf_counter() - start)
            start = time.perf_counter()
            stamped = stamper.stamp(image, Record(new_record_id(), "generation", "hallmark/unclip", "1"))
            stamp_t.append(time.perf_counter() - start)
            assert stamped.watermark_verified
        p, m, s = (statistics.median(v) for v in (png_t, mark_t, stamp_t))
        print(f"| {side}² | {1000 * p:.0f} ms | {1000 * m:.0f} ms | {1000 * s:.0f} ms | **{s / p:.2f}×** |")


def false_ids(count: int) -> None:
    n_noise = max(1, count // 20)
    n_each = (count - n_noise) // 2
    clean = list(natural_images(256, n_each, seed=11)) + list(generated_images(256, count - n_noise - n_each, seed=12))
    clean += list(noise_images(256, n_noise, seed=13))
    start = time.perf_counter()
    hits = [name for name, image in clean if watermark.extract(image, keys=[KEY]) is not None]
    per = (time.perf_counter() - start) / len(clean)
    print(f"\nFalse ids: {len(hits)} of {len(clean)} never-marked 256² images ({1000 * per:.0f} ms per read){': ' + ', '.join(hits) if hits else ''}")
    attempts = watermark.MAX_PERIODS * watermark.PEAKS * watermark.MAX_KEYS
    print(f"Bound by construction: at most {attempts} decodes per image, each passing the CRC-32 with p = 2^-32: "
          f"{attempts * 2.0 ** -32:.1e} per image (target 1e-6)")


def plot(results: dict[int, dict], path: Path) -> None:
    """Write an SVG line plot of Hallmark's recovery against the resize scale, one line per side."""
    width, height, left, bottom, top, right = 640, 400, 60, 50, 30, 110
    scales = RESIZE_SCALES
    lo, hi = np.log(min(scales)), np.log(max(scales))

    def x(s):
        return left + (np.log(s) - lo) / (hi - lo) * (width - left - right)

    def y(rate):
        return top + (1 - rate) * (height - top - bottom)

    colours = ["#1b6ac9", "#d9480f", "#2b8a3e", "#862e9c"]
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="sans-serif" font-size="12">',
             f'<rect width="{width}" height="{height}" fill="white"/>',
             f'<text x="{width / 2 - 40}" y="18" font-size="14">Watermark recovery after a resize</text>']
    for rate in (0.0, 0.25, 0.5, 0.75, 0.85, 0.95, 1.0):
        parts.append(f'<line x1="{left}" x2="{width - right}" y1="{y(rate):.1f}" y2="{y(rate):.1f}" stroke="#ddd"/>')
        parts.append(f'<text x="{left - 40}" y="{y(rate) + 4:.1f}">{100 * rate:.0f} %</text>')
    for s in scales:
        parts.append(f'<text x="{x(s) - 10:.1f}" y="{height - bottom + 18}">×{s:g}</text>')
    parts.append(f'<text x="{width / 2 - 40}" y="{height - 10}">resize scale (log)</text>')
    for colour, side in zip(colours, sorted(results), strict=False):
        found = results[side]["found"]["hallmark"]
        points = [(x(s), y(found[f"resize-x{s:g}"][0] / max(1, found[f"resize-x{s:g}"][2]))) for s in scales]
        parts.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="'
                     + " ".join(f"{px:.1f},{py:.1f}" for px, py in points) + '"/>')
        parts += [f'<circle cx="{px:.1f}" cy="{py:.1f}" r="3" fill="{colour}"/>' for px, py in points]
        n = found["png-resave"][2]
        parts.append(f'<text x="{width - right + 10}" y="{top + 20 * (1 + sorted(results).index(side))}" fill="{colour}">{side}² ({n} images)</text>')
    parts.append("</svg>")
    path.write_text("\n".join(parts) + "\n")
    print(f"\nPlot: {path}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="CI-sized: 4+4+1 images per side, 100 clean images")
    parser.add_argument("--count", type=int, default=30, help="natural and generated images each, per side")
    parser.add_argument("--noise", type=int, default=6, help="noise hosts (like the demo model's output) per side")
    parser.add_argument("--sides", type=int, nargs="+", default=[256, 512, 1024])
    parser.add_argument("--fp", type=int, default=1000, help="never-marked images checked for false ids")
    parser.add_argument("--peer-images", type=int, default=12, help="images per side the dwtDctSvd peer marks")
    parser.add_argument("--rivagan-images", type=int, default=3, help="images per side rivaGan marks (slow: ~2 s per read at 512)")
    parser.add_argument("--timing-runs", type=int, default=5)
    parser.add_argument("--plot", type=Path, default=Path(__file__).resolve().parents[1] / "docs" / "provenance-resize.svg")
    args = parser.parse_args()
    if args.quick:
        args.count, args.noise, args.fp, args.peer_images, args.rivagan_images, args.timing_runs = 4, 1, 100, 4, 1, 3
    peers = {"dwtDctSvd": Peer("dwtDctSvd", ecc.INFO_BITS)}
    limits = {"dwtDctSvd": args.peer_images}
    try:
        peers["rivaGan"] = Peer("rivaGan", 32)
        limits["rivaGan"] = args.rivagan_images
    except Exception as exc:  # noqa: BLE001 - optional: needs onnxruntime
        print(f"rivaGan unavailable: {exc}")
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        ca = devca.create(tmp)
        stamper = Stamper.from_files(ca.chain, ca.key, watermark_key=KEY)
        timings([s for s in args.sides if s >= 512] or args.sides, args.timing_runs, stamper)
    results = {}
    for side in args.sides:
        results[side] = robustness(side, hosts(side, args.count, args.noise), peers, limits)
        print(f"[{side}² done at {time.perf_counter() - started:.0f} s]", file=sys.stderr)
    print()
    print_robustness(results, ["hallmark", *peers])
    false_ids(args.fp)
    plot(results, args.plot)
    print(f"\nTotal {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
