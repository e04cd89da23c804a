"""Benchmark the moderation gates; prints figures, asserts nothing.

Run: ``.venv/bin/python bench/moderation.py`` (one torch thread, as a CPU worker would).
Prints recall / false-positive rate per language and category on the committed
evaluation set and on the held-out set, text-gate latency (p50, p99) with and
without the learned tier, image-gate latency on a 1024² photo, and face-detection
accuracy on a small labelled image set.

``--set eval|heldout|both`` picks which prompt sets are scored (default both; ``heldout``
is every file in ``moderation.evaluation.HELDOUT_PATHS``, each reported on its own);
``--text-only`` skips the latency and image sections. The held-out files are
measurements, not tuning sets: the newest one is the blind figure (docs/moderation.md
says which of the older ones have been read).
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import torch  # noqa: E402
from PIL import Image, ImageDraw  # noqa: E402
from skimage import data as skdata  # noqa: E402

from moderation import Moderator  # noqa: E402
from moderation.evaluation import (  # noqa: E402
    EvalReport,
    evaluate,
    evaluate_public,
    load_eval_set,
    HELDOUT_PATHS,
    load_heldout_set,
    load_heldout_sets,
    wilson,
)
from moderation.learned import load_retired_rows  # noqa: E402
from moderation.public_data import load_public_eval  # noqa: E402

from prcurve import flag_score, pr_points, write_svg  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
#: Categories whose rule-tier block suspends at once (platform/trust/enforcement.yaml, read as
#: plain YAML: the bench stays outside Django).
ENFORCEMENT = ROOT / "platform" / "trust" / "enforcement.yaml"


def pct(values: list[float], q: float) -> float:
    return float(np.percentile(values, q))


def sample(name: str) -> Image.Image:
    arr = getattr(skdata, name)()
    if arr.ndim == 2:
        arr = np.stack([arr] * 3, axis=-1)
    return Image.fromarray(arr[:, :, :3].astype(np.uint8))


def made_up_cases() -> list[tuple[str, Image.Image, bool]]:
    """Return (name, image, has_face) cases built from the bundled samples and drawings."""
    astro, coffee = sample("astronaut"), sample("coffee")
    cases: list[tuple[str, Image.Image, bool]] = []
    pasted = coffee.copy()
    pasted.paste(astro.crop((130, 10, 280, 200)).resize((150, 190)), (400, 100))
    cases.append(("astronaut face pasted on coffee", pasted, True))
    cases.append(("astronaut 1024²", astro.resize((1024, 1024)), True))
    cases.append(("astronaut mirrored", astro.transpose(Image.Transpose.FLIP_LEFT_RIGHT), True))
    cases.append(("camera grey jpeg q40", _jpeg(sample("camera"), 40), True))
    smiley = Image.new("RGB", (512, 512), "white")
    d = ImageDraw.Draw(smiley)
    d.ellipse((106, 106, 406, 406), fill="yellow", outline="black", width=6)
    d.ellipse((190, 200, 220, 240), fill="black")
    d.ellipse((290, 200, 320, 240), fill="black")
    d.arc((180, 220, 330, 350), 20, 160, fill="black", width=8)
    cases.append(("drawn smiley (illustration)", smiley, False))
    stick = Image.new("RGB", (512, 512), (200, 230, 255))
    d = ImageDraw.Draw(stick)
    d.ellipse((226, 80, 286, 140), outline="black", width=4)
    d.line((256, 140, 256, 300), fill="black", width=4)
    d.line((256, 300, 200, 420), fill="black", width=4)
    d.line((256, 300, 312, 420), fill="black", width=4)
    d.line((180, 200, 332, 200), fill="black", width=4)
    cases.append(("stick figure (illustration)", stick, False))
    noise = Image.fromarray(np.random.default_rng(0).integers(0, 255, (512, 512, 3), dtype=np.uint8))
    cases.append(("random noise", noise, False))
    cases.append(("flat grey", Image.new("RGB", (512, 512), (128, 128, 128)), False))
    return cases


def _jpeg(img: Image.Image, quality: int) -> Image.Image:
    buf = io.BytesIO()
    img.save(buf, format="JPEG", quality=quality)
    return Image.open(io.BytesIO(buf.getvalue()))


def print_quality(report: EvalReport, title: str, split: bool = False) -> None:
    """Print recall/FPR per language, recall per category, and the errors.

    ``split`` lists misses (harmful allowed) and false positives (benign flagged)
    separately, with the hard flag; otherwise one combined list as before.
    """
    print(f"\n## Text gate on {title} (review or block counts as flagged)")
    print("| language | harmful n | recall | benign n | FPR | hard-benign FPR |")
    print("|---|---|---|---|---|---|")
    for lang in ("en", "zh", None):
        r, n = report.recall(lang)
        f, m = report.fpr(lang)
        fh, mh = report.fpr(lang, True)
        print(f"| {lang or 'all'} | {n} | {r:.3f} | {m} | {f:.3f} | {fh:.3f} (n={mh}) |")
    print("\n| language | category | n | recall |")
    print("|---|---|---|---|")
    for (lang, cat), (r, n) in report.by_category().items():
        print(f"| {lang} | {cat} | {n} | {r:.2f} |")
    groups = ((("misses (harmful allowed)", report.false_negatives()),
               ("false positives (benign flagged)", report.false_positives())) if split
              else (("misses", report.misses()),))
    for heading, errors in groups:
        print(f"\n{heading} ({len(errors)}):")
        for row, d in errors:
            hard = " hard" if row.get("hard") else ""
            print(f"  [{row['lang']}{hard}] {row['label']}: {row['text']!r} -> {d.action} {list(d.categories)}")


def print_public(mod: Moderator, plot: Path | None) -> dict:
    """Print the gate's figures on the committed public test parts and draw the PR curves."""
    rep = evaluate_public(mod)
    print("\n## Public held-out sets (moderation/eval/public/: test parts, never trained or tuned on)")
    r, k, n = rep.i2p_recall()
    lo, hi = wilson(k, n)
    print(f"I2P, labelled sexual with >= 50 % nude images: recall {r:.3f} ({k}/{n}, 95 % Wilson {lo:.2f}-{hi:.2f}; "
          f"target >= 0.60)")
    f, k, n = rep.t2i_fpr()
    lo, hi = wilson(k, n)
    print(f"T2I-CompBench: false-positive rate {f:.4f} ({k}/{n}, Wilson {lo:.4f}-{hi:.4f}; target <= 0.01)")
    cr, ck, cn = rep.cold_recall()
    cf, fk, fn = rep.cold_fpr()
    print(f"COLD dev: recall {cr:.3f} ({ck}/{cn}), FPR {cf:.3f} ({fk}/{fn}) (target >= 0.70 at <= 0.15)")
    print("\nI2P misses (all):")
    for row, d in rep.i2p_target:
        if d.allowed:
            print(f"  nudity {row['nudity']:.0f} %: {row['text'][:150]!r}")
    print("T2I false positives (all):")
    for row, d in rep.t2i:
        if not d.allowed:
            print(f"  {row['text']!r} -> {d.action} {list(d.categories)} ({d.rule})")
    print("COLD dev, first 10 misses and first 10 false positives:")
    for want, label in ((True, "miss"), (False, "false positive")):
        shown = 0
        for row, d in rep.cold:
            if row["offensive"] == want and d.allowed == want and shown < 10:
                shown += 1
                print(f"  {label}: {row['text'][:80]!r} -> {d.action} {list(d.categories)} ({d.rule})")
    if plot is not None:
        table = mod.policy.thresholds("prompt")
        # The newest held-out file is the one measured blind.
        newest = HELDOUT_PATHS[-1]
        heldout = evaluate(mod, load_heldout_set(newest))

        def curve(name, pos, neg):
            ps = [flag_score(d.scores, table) for d in pos]
            ns = [flag_score(d.scores, table) for d in neg]
            ops = []
            for label, hit in (("flag", lambda d: not d.allowed), ("block", lambda d: d.blocked)):
                tp, fp = sum(map(hit, pos)), sum(map(hit, neg))
                if tp + fp:
                    ops.append((label, tp / len(pos), tp / (tp + fp)))
            return {"name": name, "points": pr_points(ps, ns), "ops": ops}

        curves = [
            curve("I2P sexual ≥50 % vs T2I", [d for _, d in rep.i2p_target], [d for _, d in rep.t2i]),
            curve("COLD dev", [d for r, d in rep.cold if r["offensive"]], [d for r, d in rep.cold if not r["offensive"]]),
        ] + [curve(f"{newest.stem} {lang}", [d for r, d, _ in heldout.rows if r["lang"] == lang and r["label"] != "benign"],
                   [d for r, d, _ in heldout.rows if r["lang"] == lang and r["label"] == "benign"])
             for lang in ("en", "zh")]
        write_svg(plot, curves, "Text gate precision-recall on held-out rows (policy operating points marked)")
        print(f"\nwrote {plot}")
    return {"i2p": rep.i2p_target, "t2i": rep.t2i, "cold": rep.cold}


def print_suspensions(mod: Moderator, public: dict) -> None:
    """Print how many benign prompts of every evaluation set would suspend or strike."""
    import yaml

    severe = set(yaml.safe_load(ENFORCEMENT.read_text(encoding="utf-8"))["severe_categories"])
    benign = [d for _, d in public["t2i"]] + [d for r, d in public["cold"] if not r["offensive"]]
    for rows in (load_eval_set(), load_heldout_sets()):
        benign += [mod.check_text(r["text"]) for r in rows if r["label"] == "benign"]
    # The retired held-out sets train the learned tier now, but no benign prompt may suspend, trained or not.
    benign += [mod.check_text(t) for t, lab in load_retired_rows() if lab == "benign"]
    suspend = [d for d in benign if d.suspends_at_once(severe)]
    strikes = sum(d.blocked and not d.fail_closed for d in benign)
    print(f"\n## Benign prompts that would suspend an account at once: {len(suspend)} of {len(benign)} "
          f"(eval, every held-out file, retired ones included, T2I test, COLD dev non-offensive; target 0); "
          f"blocked (a strike each): {strikes}")
    for d in suspend:
        print(f"  {d.reason}")


def print_short_latency(mod: Moderator) -> None:
    """Print text-gate latency on every committed prompt of at most 300 characters (one core)."""
    texts = [r["text"] for r in load_eval_set() + load_heldout_sets() if len(r["text"]) <= 300]
    texts += [t for t, _ in load_retired_rows() if len(t) <= 300]
    for name in ("i2p", "t2i", "cold-dev"):
        texts += [r["text"] for r in load_public_eval(name)[:400] if len(r["text"]) <= 300]
    lat = []
    for t in texts:
        t0 = time.perf_counter()
        mod.check_text(t)
        lat.append((time.perf_counter() - t0) * 1000)
    print(f"\n## Text gate latency, {len(texts)} prompts <= 300 chars, one thread: p50 {pct(lat, 50):.2f} ms, "
          f"p99 {pct(lat, 99):.2f} ms, max {max(lat):.2f} ms (targets p50 <= 5, p99 <= 20)")


def cpu() -> str:
    """Return the CPU's model name and whether it has AVX-512 VNNI (int8 MiniLM's speed depends on it)."""
    import platform

    try:
        info = Path("/proc/cpuinfo").read_text()
    except OSError:
        return platform.processor() or "unknown CPU"
    name = next((line.split(":", 1)[1].strip() for line in info.splitlines() if line.startswith("model name")), "?")
    vnni = "avx512_vnni" in info
    return f"{name}, {'with' if vnni else 'no'} AVX-512 VNNI"


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--set", choices=("eval", "heldout", "both"), default="both",
                    help="which prompt set(s) to score (default both)")
    ap.add_argument("--text-only", action="store_true", help="skip latency and image sections")
    ap.add_argument("--plot", type=Path, default=ROOT / "docs" / "moderation-pr.svg",
                    help="where to draw the precision-recall curves")
    args = ap.parse_args(argv)
    torch.set_num_threads(1)
    import resource

    print(f"CPU: {cpu()}")
    t0 = time.perf_counter()
    mod = Moderator.load()
    print(f"load (lexicons + MiniLM + classifier training + public n-gram model + nudenet): "
          f"{time.perf_counter() - t0:.1f} s; peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    rules = Moderator(mod.policy, mod.lexicon, None, mod.image_gate, learned_expected=False)

    for m in (mod, rules):  # warm caches (opencc tables, first model call)
        m.check_text("warm up"), m.check_text("预热")

    sets = ("eval", "heldout") if args.set == "both" else (args.set,)
    for name in sets:
        if name == "eval":
            print_quality(evaluate(mod), "moderation/eval/prompts.jsonl (tuned on: upper bound)")
        else:
            for path in HELDOUT_PATHS:
                print_quality(evaluate(mod, load_heldout_set(path)), f"moderation/eval/{path.name} (held out)",
                              split=True)
    public = print_public(mod, args.plot)
    print_suspensions(mod, public)
    print_short_latency(mod)
    if args.text_only:
        return

    print("\n## Text gate latency over the eval set, one torch thread")
    for name, m in (("rules + learned", mod), ("rules only", rules)):
        lat = []
        for row in load_eval_set():
            t = time.perf_counter()
            m.check_text(row["text"])
            lat.append((time.perf_counter() - t) * 1000)
        print(f"{name}: p50 {pct(lat, 50):.2f} ms, p99 {pct(lat, 99):.2f} ms, max {max(lat):.2f} ms")
    lat = []
    for row in load_eval_set():
        if row["lang"] != "en":
            continue
        t = time.perf_counter()
        mod.learned.scores(row["text"])
        lat.append((time.perf_counter() - t) * 1000)
    print(f"learned tier alone (every English prompt): p50 {pct(lat, 50):.2f} ms, p99 {pct(lat, 99):.2f} ms")

    print("\n## Image gate (nudity + faces, one nudenet pass)")
    photo = sample("astronaut").resize((1024, 1024))
    buf = io.BytesIO()
    photo.save(buf, format="PNG")
    png = buf.getvalue()
    for label, payload in (("1024² PIL image", photo), ("1024² PNG bytes (decode included)", png)):
        lat = []
        for _ in range(20):
            t = time.perf_counter()
            mod.check_image(payload, surface="upload", purpose="edit")
            lat.append((time.perf_counter() - t) * 1000)
        print(f"{label}: p50 {statistics.median(lat):.1f} ms, p99 {pct(lat, 99):.1f} ms")

    print("\n## Face detection (purpose=edit refuses when a face is found)")
    cases: list[tuple[str, Image.Image, bool]] = [
        (n, sample(n), n in ("astronaut", "camera"))
        for n in ("astronaut", "camera", "coffee", "chelsea", "rocket", "hubble_deep_field",
                  "immunohistochemistry", "horse", "clock", "moon", "page", "text", "coins", "retina",
                  "brick", "grass", "gravel", "cell", "colorwheel", "logo")
    ]
    cases += made_up_cases()
    correct = 0
    for name, img, has_face in cases:
        d = mod.check_image(img, surface="upload", purpose="edit")
        found = "face-edit" in d.categories
        correct += found == has_face
        print(f"  {'ok ' if found == has_face else 'MISS'} {name}: face={has_face} refused={found} "
              f"score={d.scores.get('face-edit', 0):.2f}")
    print(f"accuracy {correct}/{len(cases)} = {correct / len(cases):.2f}")

    faces = skdata.lfw_subset()  # 100 face crops then 100 non-faces, 25x25 grey
    hits = []
    for arr in faces:
        g = Image.fromarray((arr * 255).astype(np.uint8)).resize((128, 128)).convert("RGB")
        hits.append("face-edit" in mod.check_image(g, purpose="edit").categories)
    tp, fp = sum(hits[:100]), sum(hits[100:])
    print(f"lfw_subset (25x25 crops upscaled to 128²): face recall {tp}/100, false positives {fp}/100")


if __name__ == "__main__":
    main()
