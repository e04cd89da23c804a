"""What the provenance panel shows: a short, readable summary of a verification verdict.

``jobs.selectors.verify_upload`` returns the library's typed ``Verdict`` plus the
platform record the manifest or watermark points to; this picks out what a person
asks first (made or edited by AI? by which model? signed by whom, and trusted?).
"""
from __future__ import annotations

import hashlib
import io

from django.core.cache import cache

from jobs.selectors import Verification, verify_upload

CACHE_S = 3600
CACHE_PREFIX = "studio:provenance:v2:"  # v2: a typed Verification, not the API's dict


def _model(actions: list[dict]) -> str:
    for action in actions:
        model = (action.get("parameters") or {}).get("org.hallmark.model")
        if isinstance(model, dict) and model.get("id"):
            return " ".join(str(v) for v in (model.get("id"), model.get("version")) if v)
    return ""


def summarise(verification: Verification) -> dict:
    """Return the panel's fields from a verification (the library's Verdict and the stored record)."""
    verdict, record = verification.verdict, verification.record
    actions = [a for a in verdict.actions if isinstance(a, dict)]
    names = [str(a.get("action", "")) for a in actions]
    if "c2pa.edited" in names:
        kind = "edit"
    elif names:
        kind = "variation" if verdict.ingredients else "generation"
    else:
        kind = (record or {}).get("kind")
    model = _model(actions) or (f"{record['model_id']} {record['model_version']}".strip() if record else "")
    return {
        "state": verdict.manifest_state,  # valid / untrusted / invalid / absent
        "has_manifest": verdict.manifest_state != "absent",
        "trusted": bool(verdict.trusted),
        "kind": kind,
        "actions": names,
        "source_type": (verdict.digital_source_type or "").rsplit("/", 1)[-1],
        "model": model,
        "signer": verdict.signer or "",
        "claim_generator": verdict.claim_generator or "",
        "record_id": verdict.record_id or "",
        "watermark_id": verdict.watermark_id or "",
        "codes": [str(c) for c in verdict.codes],
        "record": record,
    }


def panel_for_bytes(data: bytes) -> dict:
    """Verify ``data`` and summarise it; a stored image's verification is cached by content hash."""
    key = CACHE_PREFIX + hashlib.sha256(data).hexdigest()
    verification = cache.get(key)
    if verification is None:
        verification = verify_upload(io.BytesIO(data))
        cache.set(key, verification, CACHE_S)
    return summarise(verification)
