"""Serving stored pictures: the one response every file view returns."""
from __future__ import annotations

from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404


def png_response(stored: FieldFile, *, filename: str = "") -> FileResponse:
    """Return the stored PNG as an inline response, streamed from storage; Http404 when nothing is stored.

    Every stored picture is a PNG (the canonical upload, the mask, a stamped output), so the
    type is fixed here rather than guessed from the name."""
    if not stored:
        raise Http404
    return FileResponse(stored.open("rb"), content_type="image/png", filename=filename)
