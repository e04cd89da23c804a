"""The moderation error hierarchy.

The platform maps every :class:`ModerationError` to an HTTP 400 in one place, so
each subclass names a caller mistake (bad input) or an operator mistake (bad
policy), never a gate failure: gate failures are decisions (fail-closed), not
exceptions.
"""

from __future__ import annotations


class ModerationError(Exception):
    """Base class of every error this library raises on purpose."""


class InvalidInput(ModerationError):
    """The text or image cannot be moderated (undecodable, empty, too large)."""


class PolicyError(ModerationError):
    """The policy file is missing, malformed or names unknown categories."""


class DataError(ModerationError):
    """A bundled data file (lexicon, training set) is malformed."""
