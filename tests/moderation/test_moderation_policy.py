"""The policy file is validated at load with errors that name the bad key."""

import re

import pytest
import yaml

from moderation import Moderator, Policy, PolicyError
from moderation.policy import DEFAULT_POLICY_PATH


def base() -> dict:
    return yaml.safe_load(DEFAULT_POLICY_PATH.read_text(encoding="utf-8"))


def test_the_bundled_policy_validates_and_has_a_version():
    p = Policy.load()
    assert p.version and p.on_unavailable == "block"
    assert p.surfaces["prompt"]["public-figure"].block is None


@pytest.mark.parametrize(
    "mutate, where",
    [
        (lambda d: d.pop("version"), "version"),
        (lambda d: d.update(on_unavailable="allow"), "on_unavailable"),
        (lambda d: d["surfaces"].update(email={}), "surfaces.email"),
        (lambda d: d["surfaces"]["prompt"].update(nudity={"block": 0.5}), "surfaces.prompt.nudity"),
        (lambda d: d["surfaces"]["prompt"].update(sexual={"block": 1.5}), "surfaces.prompt.sexual.block"),
        (lambda d: d["surfaces"]["prompt"].update(sexual={"review": 0.9, "block": 0.5}), "surfaces.prompt.sexual"),
        (lambda d: d["surfaces"]["prompt"].update(sexual={"warn": 0.5}), "surfaces.prompt.sexual.warn"),
        (lambda d: d["deadline_s"].update(text=-1), "deadline_s.text"),
        (lambda d: d["limits"].update(max_text_chars="lots"), "limits.max_text_chars"),
        (lambda d: d.update(colour="red"), "colour"),
    ],
)
def test_an_invalid_policy_is_refused_with_the_offending_key(mutate, where):
    raw = base()
    mutate(raw)
    with pytest.raises(PolicyError, match=re.escape(where)):
        Policy.from_dict(raw)


def test_a_file_that_is_not_yaml_is_a_policy_error(tmp_path):
    bad = tmp_path / "policy.yaml"
    bad.write_text("surfaces: [unclosed", encoding="utf-8")
    with pytest.raises(PolicyError, match="not valid YAML"):
        Policy.load(bad)


def test_a_missing_policy_file_is_a_policy_error(tmp_path):
    with pytest.raises(PolicyError, match="cannot read"):
        Moderator.load(tmp_path / "nope.yaml", learned=False)


def test_operators_change_actions_by_editing_the_file(tmp_path):
    raw = base()
    raw["version"] = "strict-1"
    raw["surfaces"]["prompt"]["public-figure"] = {"block": 0.5}
    path = tmp_path / "strict.yaml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    m = Moderator.load(path, learned=False)
    d = m.check_text("a realistic photo of Joe Biden")
    assert d.blocked and d.policy_version == "strict-1"
