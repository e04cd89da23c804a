"""Moderators are expensive (MiniLM + nudenet); build each kind once per session."""

import pytest

from moderation import Moderator


@pytest.fixture(scope="session")
def mod() -> Moderator:
    m = Moderator.load()
    assert m.health()["errors"] == {}
    return m


@pytest.fixture(scope="session")
def rules_only() -> Moderator:
    return Moderator.load(learned=False)
