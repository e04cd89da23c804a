"""The one workaround this library needs for diffusers 0.42.1's deprecated unCLIP code.

unCLIP moved to ``diffusers.pipelines.deprecated.unclip``, but model indexes still name the
component library of ``text_proj`` as ``unclip`` (Karlo on the hub) or ``diffusers`` (what
``save_pretrained`` writes today), and the loader resolves both through
``diffusers.pipelines.unclip``, which no longer exists. Registering the deprecated package under
its old name makes both kinds of index load; this is the only place that knows about it.
"""

from __future__ import annotations

import sys


def register_unclip_alias() -> None:
    """Make ``diffusers.pipelines.unclip`` resolve to the deprecated unCLIP package (idempotent)."""
    import diffusers.pipelines as pipelines
    from diffusers.pipelines.deprecated import unclip

    sys.modules.setdefault("diffusers.pipelines.unclip", unclip)
    if not hasattr(pipelines, "unclip"):
        setattr(pipelines, "unclip", unclip)
