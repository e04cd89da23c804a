"""Reads of the jobs app: what the API and the studio show, without writing anything."""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, BinaryIO

from django.conf import settings

from . import intake, runtime
from .cpu_slots import cpu_slot
from .models import Image

if TYPE_CHECKING:  # the C2PA library takes seconds to load; it is imported on the first verification
    from provenance.verify import Verdict


@dataclass(frozen=True)
class Verification:
    """What verifying an uploaded file found: the library's verdict and the stored record it points to.

    ``record`` is the platform's row the manifest or watermark names (None when none matches),
    with ``found_by`` saying which of the two found it."""

    verdict: Verdict
    record: dict[str, Any] | None

    def to_dict(self) -> dict[str, Any]:
        """Return the body of POST /v1/provenance/verify."""
        return {"provenance": self.verdict.to_dict(), "record": self.record}


def verify_upload(upload: BinaryIO) -> Verification:
    """Verify an uploaded file's provenance and map its record id back to the stored record.

    The intake reads and decodes it once; provenance reads the pixels as a person sees them
    (the same canonical decode as uploads).

    Raises:
        intake.UploadRejected: the file is empty, over HALLMARK_VERIFY_MAX_BYTES (``file_too_large``,
            refused before it is read whole), over HALLMARK_VERIFY_MAX_PIXELS (read from the header)
            or not a readable PNG, JPEG or WebP image.
        cpu_slots.ServerBusy: this web process's CPU slots stayed taken (429).
    """
    from provenance.verify import MAX_PIXELS, verify  # noqa: PLC0415  (not a cycle: the C2PA library loads on first use)

    cfg = settings.HALLMARK
    data = intake.read_capped(upload, max_bytes=cfg["VERIFY_MAX_BYTES"], param="file", too_large="file_too_large")
    with cpu_slot():
        picture, _notes = intake.decode(data, param="file", max_pixels=min(MAX_PIXELS, cfg["VERIFY_MAX_PIXELS"]))
        verdict = verify(data, trust_anchors=runtime.trust_anchors(), image=picture.convert("RGB"),
                         watermark_keys=runtime.watermark_keys())
    # resolved_record_id ignores the id of a tampered (invalid) manifest and falls back to the watermark.
    record_id = verdict.resolved_record_id
    image = Image.objects.select_related("job").filter(record_id=record_id).first() if record_id else None
    if image is None:
        return Verification(verdict, None)
    by_manifest = record_id == verdict.record_id and verdict.manifest_state != "invalid"
    return Verification(verdict, {
        "record_id": image.record_id, "kind": image.job.kind, "created": image.created.isoformat(),
        "model_id": image.model_id, "model_version": image.model_version,
        "manifest_sha256": image.manifest_sha256, "watermark_verified": image.watermark_verified,
        "found_by": "manifest" if by_manifest else "watermark",
    })
