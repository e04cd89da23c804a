"""Operator CLI: ``python -m moderation.check "some prompt"`` prints the decision JSON.

Options: ``--image PATH`` (with ``--surface`` and ``--purpose``), ``--policy PATH``,
``--no-learned``, ``--openai``.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from . import ModerationError, Moderator


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; return the process exit code (0 allow, 1 review, 2 block, 3 error)."""
    ap = argparse.ArgumentParser(prog="python -m moderation.check", description=__doc__)
    ap.add_argument("text", nargs="*", help="prompt(s) to check")
    ap.add_argument("--image", type=Path, help="an image file to check instead of text")
    ap.add_argument("--surface", default=None, help="prompt | upload | output")
    ap.add_argument("--purpose", default=None, choices=["edit", "variation", "restyle"])
    ap.add_argument("--policy", type=Path, default=None)
    ap.add_argument("--no-learned", action="store_true", help="rules only (faster start)")
    ap.add_argument("--openai", action="store_true", help="print OpenAI moderation items instead")
    args = ap.parse_args(argv)
    if not args.text and args.image is None:
        ap.error("give a prompt or --image")
    try:
        mod = Moderator.load(args.policy, learned=not args.no_learned)
        if args.image is not None:
            decisions = [mod.check_image(args.image.read_bytes(), surface=args.surface or "upload",
                                         purpose=args.purpose)]
        else:
            decisions = [mod.check_text(t, surface=args.surface or "prompt") for t in args.text]
    except (ModerationError, OSError) as exc:
        print(json.dumps({"error": str(exc)}), file=sys.stderr)
        return 3
    out = [d.to_openai() if args.openai else d.to_dict() for d in decisions]
    print(json.dumps(out[0] if len(out) == 1 else out, ensure_ascii=False, indent=2))
    worst = max(("allow", "review", "block").index(d.action) for d in decisions)
    return worst


if __name__ == "__main__":
    raise SystemExit(main())
