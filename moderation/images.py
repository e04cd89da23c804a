"""The image gate: decoding with limits, nudity and face detection.

Both detections come from one pass of nudenet's bundled 320n ONNX detector
(YOLOv8-style, 18 labels including ``FACE_FEMALE`` and ``FACE_MALE``): one
model run gives the nudity labels and the faces, which keeps a 1024² image
well under the latency budget. OpenCV 5's wheel no longer ships Haar cascades,
and scikit-image's bundled LBP cascade fired on textures (``retina``,
``gravel``) and took 100-750 ms per image here, so neither is used.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from typing import Any, Callable, Sequence

import numpy as np
from PIL import Image, UnidentifiedImageError

from .errors import InvalidInput
from .policy import Limits

DETECTOR_NAME = "nudenet:320n"

#: nudenet labels that count as nudity (score -> ``sexual``). Covered parts,
#: feet, bellies, armpits and male chests are ordinary in beach photos.
NUDITY_LABELS: frozenset[str] = frozenset(
    {
        "FEMALE_BREAST_EXPOSED",
        "FEMALE_GENITALIA_EXPOSED",
        "MALE_GENITALIA_EXPOSED",
        "BUTTOCKS_EXPOSED",
        "ANUS_EXPOSED",
    }
)
FACE_LABELS: frozenset[str] = frozenset({"FACE_FEMALE", "FACE_MALE"})

# The detector letterboxes everything to 320 px; converting and padding a
# 1024² or larger photo at full size cost ~100 ms more than the model itself.
_WORK_SIDE = 640


def load_image(image: Image.Image | bytes | bytearray | memoryview, limits: Limits) -> Image.Image:
    """Return an RGB image ready for the detector, or raise InvalidInput.

    The platform passes canonical 8-bit RGB pixels (decoded once, by its intake); bytes are
    for standalone use. Either way the detector sees the RGB channels as they are: alpha is
    dropped (never composited) and 16-bit or float pixels are refused, not rescaled.

    Args:
        image: A PIL image or encoded bytes (PNG, JPEG, WebP, ...).
        limits: Byte and pixel limits from the policy.

    Raises:
        InvalidInput: Empty, undecodable, zero-size, or larger than
            ``limits.max_image_pixels`` (a decompression bomb is refused from
            its header, before any pixel is decoded).
    """
    if isinstance(image, (bytes, bytearray, memoryview)):
        data = bytes(image)
        if not data:
            raise InvalidInput("image is empty (0 bytes)")
        if len(data) > limits.max_image_bytes:
            raise InvalidInput(f"image is {len(data)} bytes; the limit is {limits.max_image_bytes}")
        try:
            with warnings.catch_warnings():
                # PIL warns (and past 2x its own limit, raises) about bombs; our
                # limit is checked from the header below, before decoding.
                warnings.simplefilter("ignore", Image.DecompressionBombWarning)
                img = Image.open(io.BytesIO(data), formats=["PNG", "JPEG", "WEBP"])
        except Image.DecompressionBombError as exc:
            raise InvalidInput(f"image is too large to decode: {exc}") from exc
        except (UnidentifiedImageError, OSError, ValueError) as exc:
            raise InvalidInput(f"image cannot be decoded: {exc}") from exc
    elif isinstance(image, Image.Image):
        img = image
    else:
        raise InvalidInput(f"image must be a PIL image or bytes, not {type(image).__name__}")

    width, height = img.size
    if width <= 0 or height <= 0:
        raise InvalidInput(f"image has zero size ({width}x{height})")
    if width * height > limits.max_image_pixels:
        raise InvalidInput(
            f"image is {width}x{height} = {width * height} pixels; the limit is {limits.max_image_pixels}"
        )
    try:
        if img.format == "JPEG":
            # Let libjpeg decode at a reduced scale: far cheaper than a resize.
            img.draft("RGB", (_WORK_SIDE, _WORK_SIDE))
        if img.mode in ("I;16", "I;16B", "I;16L", "I;16N", "I", "F"):
            # No scale guess here (the platform's intake maps 16-bit by a fixed 65535 -> 255):
            # judging a differently scaled picture than the one used is how gates get fooled.
            raise InvalidInput(f"image mode {img.mode} must be brought to 8-bit RGB before it is judged")
        # Alpha is dropped, not composited: the gate judges the RGB a generator keeps.
        img = img.convert("RGB")
        if max(img.size) > _WORK_SIDE:
            img = img.copy()
            img.thumbnail((_WORK_SIDE, _WORK_SIDE), Image.Resampling.BILINEAR)
        img.load()
    except (OSError, ValueError, SyntaxError) as exc:
        raise InvalidInput(f"image cannot be decoded: {exc}") from exc
    return img


@dataclass(frozen=True)
class ImageFindings:
    """What the detector saw.

    Attributes:
        sexual: Highest nudity-label score (0 when none).
        face: Highest face-label score (0 when none).
        detections: Every detection: ``{"label", "score", "box": [x, y, w, h]}``.
    """

    sexual: float
    face: float
    detections: tuple[dict[str, Any], ...]


class ImageGate:
    """Nudity and face detection with nudenet's bundled detector."""

    def __init__(self, detect: Callable[[np.ndarray], Sequence[dict[str, Any]]] | None = None) -> None:
        """Load the detector.

        Args:
            detect: A function from a BGR uint8 array to nudenet-style
                detections; nudenet's ``NudeDetector().detect`` when None.
        """
        if detect is None:
            from nudenet import NudeDetector

            detect = NudeDetector().detect
        self._detect = detect

    def inspect(self, img: Image.Image) -> ImageFindings:
        """Run the detector on an RGB image."""
        rgb = np.asarray(img.convert("RGB"), dtype=np.uint8)
        # nudenet's own path reads files with cv2.imread, i.e. BGR; feed the same.
        bgr = np.ascontiguousarray(rgb[:, :, ::-1])
        raw = self._detect(bgr)
        detections = tuple(
            {"label": str(d["class"]), "score": round(float(d["score"]), 4), "box": [int(v) for v in d["box"]]}
            for d in raw
        )
        sexual = max((d["score"] for d in detections if d["label"] in NUDITY_LABELS), default=0.0)
        face = max((d["score"] for d in detections if d["label"] in FACE_LABELS), default=0.0)
        return ImageFindings(sexual=sexual, face=face, detections=detections)
