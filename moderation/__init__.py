"""Hallmark moderation: text and image safety gates under one declarative policy.

Plain Python (no web framework). Typical use::

    from moderation import Moderator
    mod = Moderator.load()                      # loads every gate once
    d = mod.check_text("a photo of a naked woman")
    d.action, d.categories, d.reason            # "block", ("sexual",), "Blocked: ..."
    mod.check_image(png_bytes, surface="upload", purpose="edit")
    mod.moderate(["..."])                       # OpenAI /v1/moderations results
"""

from .categories import CATEGORIES, IMAGE_CATEGORIES, SURFACES, TEXT_CATEGORIES, most_severe, severity
from .decision import UNAVAILABLE_REASON, Decision
from .errors import DataError, InvalidInput, ModerationError, PolicyError
from .moderator import Moderator
from .normalize import normalize
from .policy import Policy

__all__ = [
    "CATEGORIES",
    "IMAGE_CATEGORIES",
    "SURFACES",
    "TEXT_CATEGORIES",
    "UNAVAILABLE_REASON",
    "DataError",
    "Decision",
    "InvalidInput",
    "ModerationError",
    "Moderator",
    "Policy",
    "PolicyError",
    "most_severe",
    "normalize",
    "severity",
]
