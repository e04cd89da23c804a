"""The C2PA manifest definition for a stamped image (what is claimed, not how it is signed)."""

from __future__ import annotations

from typing import Any

from .record import Record

__all__ = [
    "RECORD_ASSERTION",
    "TRAINED_ALGORITHMIC_MEDIA",
    "COMPOSITE_WITH_TRAINED_ALGORITHMIC_MEDIA",
    "manifest_definition",
    "parent_ingredient",
]

RECORD_ASSERTION = "org.hallmark.record"
_IPTC = "http://cv.iptc.org/newscodes/digitalsourcetype/"
TRAINED_ALGORITHMIC_MEDIA = _IPTC + "trainedAlgorithmicMedia"
COMPOSITE_WITH_TRAINED_ALGORITHMIC_MEDIA = _IPTC + "compositeWithTrainedAlgorithmicMedia"
_PARENT_LABEL = "parent"
WATERMARK_SCHEME = "org.hallmark.watermark.keyed-tile-dft.v2"


def parent_ingredient(record: Record) -> dict[str, Any]:
    """Return the ingredient definition for the record's parent image.

    Edits and restyles derive from the parent (``parentOf``); a variation is a
    new image the model made *from* the parent, which C2PA 2.1 calls ``inputTo``.
    """
    relationship = "parentOf" if record.kind in ("edit", "restyle") else "inputTo"
    return {
        "title": f"parent.{(record.parent_mime or 'image/png').split('/')[1]}",
        "relationship": relationship,
        "label": _PARENT_LABEL,
    }


def manifest_definition(record: Record, mime: str, *, watermarked: bool = True) -> dict[str, Any]:
    """Return the manifest JSON that ``c2pa.Builder`` signs for ``record``.

    It names the software agent, the model and the record id, and states the
    actions and digital source type for the job kind; it never carries prompt
    text or user identity.
    """
    name, version = record.agent_name_version
    agent = {"name": name, "version": version}
    model = {"id": record.model_id, "version": record.model_version}
    if record.kind == "generation":
        actions = [
            {
                "action": "c2pa.created",
                "digitalSourceType": TRAINED_ALGORITHMIC_MEDIA,
                "softwareAgent": agent,
                "parameters": {"org.hallmark.model": model},
            }
        ]
    elif record.kind in ("edit", "restyle"):
        # A restyle keeps the photo's layout and changes its look: an edit of the parent.
        actions = [
            {"action": "c2pa.opened", "parameters": {"ingredientIds": [_PARENT_LABEL]}},
            {
                "action": "c2pa.edited",
                "digitalSourceType": COMPOSITE_WITH_TRAINED_ALGORITHMIC_MEDIA,
                "softwareAgent": agent,
                "parameters": {"org.hallmark.model": model},
            },
        ]
    else:  # variation
        actions = [
            {
                "action": "c2pa.created",
                "digitalSourceType": TRAINED_ALGORITHMIC_MEDIA,
                "softwareAgent": agent,
                "parameters": {"org.hallmark.model": model, "ingredientIds": [_PARENT_LABEL]},
            }
        ]
    return {
        "claim_generator_info": [agent],
        "title": f"{record.record_id}.{mime.split('/')[1]}",
        "format": mime,
        "assertions": [
            {"label": "c2pa.actions", "data": {"actions": actions}},
            {
                "label": RECORD_ASSERTION,
                "data": {
                    "record_id": record.record_id,
                    "kind": record.kind,
                    "model": model,
                    # Claimed only when the stamper read the mark back from the encoded bytes.
                    "watermark": WATERMARK_SCHEME if watermarked else None,
                },
            },
        ],
    }
