"""Verification: read and validate the C2PA manifest, and independently look for the watermark."""

from __future__ import annotations

import io
import json
import warnings
from dataclasses import asdict, dataclass, field
from collections.abc import Sequence
from typing import Any, Literal

import c2pa
from PIL import Image

from . import watermark
from .errors import InvalidInput
from .manifest import RECORD_ASSERTION
from .record import sniff_mime
from .signing import read_context

__all__ = ["Verdict", "verify", "MAX_INPUT_BYTES", "MAX_PIXELS"]

MAX_INPUT_BYTES = 50 * 1024 * 1024
MAX_PIXELS = 40_000_000
ManifestState = Literal["valid", "invalid", "untrusted", "absent"]


@dataclass
class Verdict:
    """What :func:`verify` found.

    Attributes:
        manifest_state: ``"valid"`` (signature, hashes and trust all good),
            ``"untrusted"`` (intact, but the signer does not chain to a
            configured trust anchor), ``"invalid"`` (e.g. pixels changed after
            signing) or ``"absent"`` (no manifest, e.g. a stripped copy).
        trusted: Whether the signer chains to a configured trust anchor.
        codes: The validator's failure and informational status codes
            (e.g. ``"assertion.dataHash.mismatch"``, ``"signingCredential.untrusted"``).
        actions: The active manifest's ``c2pa.actions`` entries.
        digital_source_type: The IPTC digital source type the actions declare.
        ingredients: The active manifest's ingredients (title, format, relationship, ...).
        signer: The signing certificate's common name (and issuer).
        claim_generator: The product and version that made the claim.
        record_id: The record id stated in the manifest.
        watermark_id: The record id decoded from the pixels, if a watermark was found.
    """

    manifest_state: ManifestState
    trusted: bool = False
    codes: list[str] = field(default_factory=list)
    actions: list[dict[str, Any]] = field(default_factory=list)
    digital_source_type: str | None = None
    ingredients: list[dict[str, Any]] = field(default_factory=list)
    signer: str | None = None
    claim_generator: str | None = None
    record_id: str | None = None
    watermark_id: str | None = None

    @property
    def software_agent(self) -> str | None:
        """Return the claim generator (alias kept for callers that say "software agent")."""
        return self.claim_generator

    @property
    def resolved_record_id(self) -> str | None:
        """Return the record id to look up: the intact manifest's, else the watermark's."""
        if self.manifest_state in ("valid", "untrusted") and self.record_id:
            return self.record_id
        return self.watermark_id

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-serialisable dict of every field plus ``resolved_record_id``."""
        data = asdict(self)
        data["resolved_record_id"] = self.resolved_record_id
        return json.loads(json.dumps(data, default=str))


def _decode_image(data: bytes) -> Image.Image:
    try:
        with warnings.catch_warnings():
            # Treat decompression-bomb warnings as errors: we check the size ourselves below.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            w, h = image.size
            if w * h > MAX_PIXELS:
                raise InvalidInput(f"image has {w * h} pixels; the limit is {MAX_PIXELS}")
            image.load()
    except InvalidInput:
        raise
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        # PIL reports garbage as UnidentifiedImageError (an OSError) and truncation as OSError.
        raise InvalidInput(f"not a readable image: {exc}") from None
    return image


def _codes(results: dict[str, Any] | None, status: list[dict[str, Any]] | None) -> list[str]:
    codes: list[str] = []
    active = (results or {}).get("activeManifest") or {}
    for bucket in ("failure", "informational"):
        codes += [item["code"] for item in active.get(bucket, []) if "code" in item]
    for delta in (results or {}).get("ingredientDeltas", []) or []:
        for bucket in ("failure", "informational"):
            codes += [item["code"] for item in (delta.get("validationDeltas") or {}).get(bucket, []) if "code" in item]
    codes += [item["code"] for item in status or [] if "code" in item]
    return list(dict.fromkeys(codes))


def _read_manifest(data: bytes, mime: str, trust_anchors: bytes | str | None) -> Verdict:
    with read_context(trust_anchors) as context:
        try:
            reader = c2pa.Reader.try_create(mime, io.BytesIO(data), None, context)
        except c2pa.C2paError as exc:
            # A manifest that is present but cannot even be parsed is as bad as a broken signature.
            return Verdict("invalid", codes=[f"manifest.unreadable: {type(exc).__name__}"])
        if reader is None:
            return Verdict("absent")
        with reader:
            store = json.loads(reader.json())
            state = (reader.get_validation_state() or "").lower()
            codes = _codes(reader.get_validation_results(), store.get("validation_status"))
    manifest = store.get("manifests", {}).get(store.get("active_manifest") or "", {})
    actions: list[dict[str, Any]] = []
    record_id = None
    for assertion in manifest.get("assertions", []):
        label = assertion.get("label", "")
        if label.split(".v")[0] == "c2pa.actions":
            actions += assertion.get("data", {}).get("actions", [])
        elif label == RECORD_ASSERTION:
            record_id = assertion.get("data", {}).get("record_id")
    source_type = next((a["digitalSourceType"] for a in actions if a.get("digitalSourceType")), None)
    info = manifest.get("signature_info") or {}
    signer = info.get("common_name") or info.get("issuer")
    if signer and info.get("issuer") and info.get("common_name"):
        signer = f"{info['common_name']} ({info['issuer']})"
    generators = manifest.get("claim_generator_info") or []
    generator = (
        "/".join(str(generators[0].get(k)) for k in ("name", "version") if generators[0].get(k))
        if generators
        else manifest.get("claim_generator")
    )
    trusted = state == "trusted"
    if state == "invalid":
        verdict_state: ManifestState = "invalid"
    elif trusted:
        verdict_state = "valid"
    else:
        verdict_state = "untrusted"
    return Verdict(
        verdict_state,
        trusted=trusted,
        codes=codes,
        actions=actions,
        digital_source_type=source_type,
        ingredients=manifest.get("ingredients", []),
        signer=signer,
        claim_generator=generator,
        record_id=record_id,
    )


def verify(data: bytes, *, trust_anchors: bytes | str | None = None, image: Image.Image | None = None,
           watermark_keys: Sequence[bytes] = ()) -> Verdict:
    """Return what can be established about the provenance of an encoded image.

    The C2PA manifest (if any) is validated with a Context of its own, so the
    trust anchors of one call never affect another. The watermark is decoded
    from the pixels independently, so a copy whose manifest was stripped (a
    re-encode, a screenshot at the same scale) still yields its record id.

    Args:
        data: PNG, JPEG or WebP bytes, at most 50 MiB and 40 megapixels.
        trust_anchors: PEM certificates to trust (e.g. the development CA's
            ``ca.pem``); with ``None`` no signer is trusted.
        image: ``data`` already decoded (a caller that decodes uploads once, in
            one place); None decodes it here.
        watermark_keys: The current watermark key, then previous ones; without
            any, the watermark is not read (it cannot be, without the key).

    Returns:
        A :class:`Verdict`. Costs one decode of the image plus the watermark search.

    Raises:
        InvalidInput: If ``data`` is not bytes, empty, too large, not an image, or truncated.
        ConfigurationError: If ``trust_anchors`` is not PEM, or the keys are unusable.
    """
    if not isinstance(data, bytes | bytearray | memoryview):
        raise InvalidInput("expected the image as bytes")
    data = bytes(data)
    if not data:
        raise InvalidInput("empty input")
    if len(data) > MAX_INPUT_BYTES:
        raise InvalidInput(f"input is {len(data)} bytes; the limit is {MAX_INPUT_BYTES}")
    mime = sniff_mime(data)
    if mime is None:
        raise InvalidInput("not a PNG, JPEG or WebP image")
    if image is None:
        image = _decode_image(data)
    verdict = _read_manifest(data, mime, trust_anchors)
    if watermark_keys:
        verdict.watermark_id = watermark.extract(image, keys=list(watermark_keys))
    return verdict
