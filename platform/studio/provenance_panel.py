"""What the provenance panel shows: a short, readable summary of a verification verdict.

``jobs.views.verify_payload`` returns the library's ``Verdict.to_dict()`` plus the
platform record the manifest or watermark points to; this picks out what a person
asks first (made or edited by AI? by which model? signed by whom, and trusted?).
"""
from __future__ import annotations

import hashlib
import io

from django.core.cache import cache

CACHE_S = 3600


def _model(actions: list[dict]) -> str:
    for action in actions:
        model = (action.get("parameters") or {}).get("org.hallmark.model")
        if isinstance(model, dict) and model.get("id"):
            return " ".join(str(v) for v in (model.get("id"), model.get("version")) if v)
    return ""


def summarise(payload: dict) -> dict:
    """Return the panel's fields from a verify payload (``{"provenance": Verdict.to_dict(), "record": ...}``)."""
    prov = payload.get("provenance") or {}
    record = payload.get("record") or None
    actions = [a for a in prov.get("actions") or [] if isinstance(a, dict)]
    names = [str(a.get("action", "")) for a in actions]
    if "c2pa.edited" in names:
        kind = "edit"
    elif names:
        kind = "variation" if prov.get("ingredients") else "generation"
    else:
        kind = (record or {}).get("kind")
    model = _model(actions) or (f"{record['model_id']} {record['model_version']}".strip() if record else "")
    return {
        "state": prov.get("manifest_state", "absent"),  # valid / untrusted / invalid / absent
        "has_manifest": prov.get("manifest_state", "absent") != "absent",
        "trusted": bool(prov.get("trusted")),
        "kind": kind,
        "actions": names,
        "source_type": (prov.get("digital_source_type") or "").rsplit("/", 1)[-1],
        "model": model,
        "signer": prov.get("signer") or "",
        "claim_generator": prov.get("claim_generator") or "",
        "record_id": prov.get("record_id") or "",
        "watermark_id": prov.get("watermark_id") or "",
        "codes": [str(c) for c in prov.get("codes") or []],
        "record": record,
    }


def panel_for_bytes(data: bytes) -> dict:
    """Verify ``data`` and summarise it; a stored image's verdict is cached by content hash."""
    from jobs.views import verify_payload

    key = "studio:provenance:" + hashlib.sha256(data).hexdigest()
    payload = cache.get(key)
    if payload is None:
        payload = verify_payload(io.BytesIO(data))
        cache.set(key, payload, CACHE_S)
    return summarise(payload)
