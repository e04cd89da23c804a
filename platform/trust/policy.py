"""The enforcement policy file (strikes, window, suspension lengths), validated at load."""
from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from pathlib import Path

import yaml
from django.conf import settings

DEFAULT_PATH = Path(__file__).with_name("enforcement.yaml")
_KEYS = {"version", "severe_categories", "strikes_to_suspend", "window_hours", "suspension_hours",
         "severe_suspension_hours"}


class PolicyError(ValueError):
    """The enforcement policy file is missing or invalid; the message names the key."""


@dataclass(frozen=True)
class EnforcementPolicy:
    version: str
    severe_categories: frozenset[str]
    strikes_to_suspend: int
    window: dt.timedelta
    suspension: dt.timedelta
    severe_suspension: dt.timedelta | None  # None: permanent

    @classmethod
    def load(cls, path: str | Path | None = None) -> "EnforcementPolicy":
        """Read and validate a policy file (the bundled default when ``path`` is None)."""
        path = Path(path or DEFAULT_PATH)
        try:
            raw = yaml.safe_load(path.read_text())
        except (OSError, yaml.YAMLError) as exc:
            raise PolicyError(f"{path}: cannot read the enforcement policy: {exc}") from exc
        if not isinstance(raw, dict):
            raise PolicyError(f"{path}: expected a mapping at the top level")
        unknown = sorted(set(raw) - _KEYS)
        if unknown:
            raise PolicyError(f"{path}: unknown key(s) {', '.join(unknown)}")
        missing = sorted(_KEYS - set(raw))
        if missing:
            raise PolicyError(f"{path}: missing key(s) {', '.join(missing)}")
        severe = raw["severe_categories"]
        if not isinstance(severe, list) or not all(isinstance(c, str) and c for c in severe):
            raise PolicyError(f"{path}: severe_categories must be a list of category names")
        for key in ("strikes_to_suspend", "window_hours", "suspension_hours", "severe_suspension_hours"):
            value = raw[key]
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
                raise PolicyError(f"{path}: {key} must be a number >= 0")
        if raw["strikes_to_suspend"] < 1 or int(raw["strikes_to_suspend"]) != raw["strikes_to_suspend"]:
            raise PolicyError(f"{path}: strikes_to_suspend must be a whole number >= 1")
        if raw["window_hours"] <= 0 or raw["suspension_hours"] <= 0:
            raise PolicyError(f"{path}: window_hours and suspension_hours must be > 0")
        severe_hours = raw["severe_suspension_hours"]
        return cls(version=str(raw["version"]), severe_categories=frozenset(severe),
                   strikes_to_suspend=int(raw["strikes_to_suspend"]),
                   window=dt.timedelta(hours=raw["window_hours"]), suspension=dt.timedelta(hours=raw["suspension_hours"]),
                   severe_suspension=dt.timedelta(hours=severe_hours) if severe_hours else None)


@functools.cache
def _load_cached(path: str | None) -> EnforcementPolicy:
    return EnforcementPolicy.load(path)


def enforcement_policy() -> EnforcementPolicy:
    """Return the configured policy, read once per process."""
    return _load_cached(settings.HALLMARK.get("ENFORCEMENT_POLICY"))
