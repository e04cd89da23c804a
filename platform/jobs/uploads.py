"""The request path's one adapter from the intake's domain error to the API's error.

Until the edge maps every DomainError itself, views and studio forms call `accept`, which
reads each upload with the byte cap, brings it to canonical form and raises `ApiError`."""
from __future__ import annotations

from django.conf import settings

from . import intake
from .errors import ApiError


def accept(image, *, mask=None, kind: str) -> intake.Canonical:
    """Return the canonical picture of an edit's or variation's upload, or raise a 400 with a code."""
    limit = settings.HALLMARK["MAX_UPLOAD_BYTES"]
    try:
        data = intake.read_capped(image, max_bytes=limit, param="image")
        mask_data = None if mask is None else intake.read_capped(mask, max_bytes=limit, param="mask")
        return intake.intake(data, mask=mask_data, edit=kind == "edit")
    except intake.UploadRejected as exc:
        raise ApiError(exc.message, code=exc.code, param=exc.param) from exc
