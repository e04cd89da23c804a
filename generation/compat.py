"""The one workaround this library needs for diffusers 0.42.1's deprecated unCLIP code.

unCLIP moved to ``diffusers.pipelines.deprecated.unclip``, but model indexes still name the
component library of ``text_proj`` as ``unclip`` (Karlo on the hub) or ``diffusers`` (what
``save_pretrained`` writes today), and the loader resolves both through
``diffusers.pipelines.unclip`` (for ``unclip``, which no longer exists) or a top-level
``diffusers.UnCLIPTextProjModel`` (for ``diffusers``, which is not exported). Registering both names
makes either kind of index load; this is the only place that knows about it.
"""

from __future__ import annotations

import sys


def register_unclip_alias() -> None:
    """Make ``diffusers.pipelines.unclip`` resolve to the deprecated unCLIP package (idempotent)."""
    import diffusers
    import diffusers.pipelines as pipelines
    from diffusers.pipelines.deprecated import unclip
    from diffusers.pipelines.deprecated.unclip.text_proj import UnCLIPTextProjModel

    sys.modules.setdefault("diffusers.pipelines.unclip", unclip)
    if not hasattr(pipelines, "unclip"):
        setattr(pipelines, "unclip", unclip)
    if not hasattr(diffusers, "UnCLIPTextProjModel"):
        setattr(diffusers, "UnCLIPTextProjModel", UnCLIPTextProjModel)
