"""Precision-recall curves of the text gate, drawn as a hand-written SVG (no plotting dependency).

The gate's *flag score* for a prompt is the largest ratio of a category's score to that
category's review threshold (its block threshold where it has no review band): the gate
flags exactly when the flag score reaches 1, so sweeping it traces the curve through the
policy's operating point.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping, Sequence

COLOURS = ("#1b6ac9", "#d9480f", "#2b8a3e", "#862e9c", "#495057")


def flag_score(scores: Mapping[str, float], table: Mapping[str, Any], *, block: bool = False) -> float:
    """Return max over categories of score / threshold (review, or block when ``block`` or no review)."""
    best = 0.0
    for cat, s in scores.items():
        t = table.get(cat)
        if t is None:
            continue
        at = t.block if block or t.review is None else t.review
        if at:
            best = max(best, s / at)
    return best


def pr_points(pos: Sequence[float], neg: Sequence[float]) -> list[tuple[float, float]]:
    """Return (recall, precision) at every distinct score, highest score first."""
    items = sorted([(s, 1) for s in pos] + [(s, 0) for s in neg], reverse=True)
    out, tp, fp = [], 0, 0
    for i, (s, y) in enumerate(items):
        tp += y
        fp += 1 - y
        if i + 1 == len(items) or items[i + 1][0] != s:
            out.append((tp / max(len(pos), 1), tp / (tp + fp)))
    return out


def average_precision(points: list[tuple[float, float]]) -> float:
    """Return the step-wise area under a PR curve (scikit-learn's average precision)."""
    ap, last = 0.0, 0.0
    for r, p in points:
        ap += (r - last) * p
        last = r
    return ap


def write_svg(path: Path, curves: list[dict[str, Any]], title: str) -> None:
    """Write curves ``{"name", "points", "ops": [(label, recall, precision)]}`` into one SVG."""
    w, h, x0, y0, x1, y1 = 680, 440, 60, 30, 460, 390
    sx = lambda r: x0 + r * (x1 - x0)  # noqa: E731
    sy = lambda p: y1 - p * (y1 - y0)  # noqa: E731
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" font-family="sans-serif" font-size="12">',
           f'<rect width="{w}" height="{h}" fill="white"/>', f'<text x="{x0}" y="18" font-size="14">{title}</text>']
    for v in (0, 0.25, 0.5, 0.75, 1.0):
        out.append(f'<line x1="{x0}" x2="{x1}" y1="{sy(v):.1f}" y2="{sy(v):.1f}" stroke="#ddd"/>')
        out.append(f'<text x="{x0 - 34}" y="{sy(v) + 4:.1f}">{v:.2f}</text>')
        out.append(f'<line x1="{sx(v):.1f}" x2="{sx(v):.1f}" y1="{y0}" y2="{y1}" stroke="#eee"/>')
        out.append(f'<text x="{sx(v) - 10:.1f}" y="{y1 + 16}">{v:.2f}</text>')
    out.append(f'<text x="{(x0 + x1) / 2 - 20:.0f}" y="{y1 + 34}">recall</text>')
    out.append(f'<text x="12" y="{y0 - 8}">precision</text>')
    for i, c in enumerate(curves):
        col = COLOURS[i % len(COLOURS)]
        pts = " ".join(f"{sx(r):.1f},{sy(p):.1f}" for r, p in c["points"])
        out.append(f'<polyline fill="none" stroke="{col}" stroke-width="2" points="{pts}"/>')
        for label, r, p in c["ops"]:
            shape = (f'<circle cx="{sx(r):.1f}" cy="{sy(p):.1f}" r="5" fill="{col}"/>' if label == "flag" else
                     f'<rect x="{sx(r) - 5:.1f}" y="{sy(p) - 5:.1f}" width="10" height="10" fill="none" '
                     f'stroke="{col}" stroke-width="2"/>')
            out.append(shape)
        ly = y0 + 10 + i * 34
        out.append(f'<line x1="{x1 + 12}" x2="{x1 + 32}" y1="{ly}" y2="{ly}" stroke="{col}" stroke-width="3"/>')
        out.append(f'<text x="{x1 + 38}" y="{ly + 4}">{c["name"]}</text>')
        out.append(f'<text x="{x1 + 38}" y="{ly + 18}" fill="#555">AP {average_precision(c["points"]):.3f}</text>')
    ly = y0 + 10 + len(curves) * 34 + 6
    out.append(f'<circle cx="{x1 + 22}" cy="{ly}" r="5" fill="#333"/><text x="{x1 + 38}" y="{ly + 4}">flagged (review or block)</text>')
    out.append(f'<rect x="{x1 + 17}" y="{ly + 15}" width="10" height="10" fill="none" stroke="#333" stroke-width="2"/>'
               f'<text x="{x1 + 38}" y="{ly + 24}">blocked</text>')
    out.append("</svg>")
    path.write_text("\n".join(out) + "\n", encoding="utf-8")
