"""The request path's one way in for an uploaded picture: the byte cap, then the intake.

Views and studio forms call `accept`; it raises the intake's `UploadRejected` (a DomainError),
which the API edge renders as OpenAI's 400 and the studio as a form error."""
from __future__ import annotations

from django.conf import settings

from . import intake
from .cpu_slots import cpu_slot


def accept(image, *, mask=None, kind: str) -> intake.Canonical:
    """Return the canonical picture of an edit's, variation's or restyle's upload; raise UploadRejected (or ServerBusy)."""
    limit = settings.HALLMARK["MAX_UPLOAD_BYTES"]
    data = intake.read_capped(image, max_bytes=limit, param="image")
    mask_data = None if mask is None else intake.read_capped(mask, max_bytes=limit, param="mask")
    with cpu_slot():
        return intake.intake(data, mask=mask_data, edit=kind == "edit")
