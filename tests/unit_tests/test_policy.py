"""PrivacyPolicy: defaults, presets, overrides, validation and loading from files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pydantic import ValidationError

from memprivacy_plugin.errors import ConfigError
from memprivacy_plugin.policy import Action, PrivacyPolicy
from memprivacy_plugin.spans import PrivacySpan
from memprivacy_plugin.taxonomy import PrivacyLevel

PL1, PL2, PL3, PL4 = PrivacyLevel.PL1, PrivacyLevel.PL2, PrivacyLevel.PL3, PrivacyLevel.PL4
KEEP, PLACEHOLDER, REDACT, BLOCK = Action.KEEP, Action.PLACEHOLDER, Action.REDACT, Action.BLOCK


def span(privacy_type: str, level: str, score: float = 1.0) -> PrivacySpan:
    return PrivacySpan(text="v", start=0, end=1, privacy_type=privacy_type, level=level, score=score)


def levels(policy: PrivacyPolicy) -> tuple[Action, Action, Action, Action]:
    return (policy.levels[PL1], policy.levels[PL2], policy.levels[PL3], policy.levels[PL4])


# -- defaults and presets ------------------------------------------------------------------------


def test_default_actions_per_level() -> None:
    policy = PrivacyPolicy()
    assert levels(policy) == (KEEP, PLACEHOLDER, PLACEHOLDER, REDACT)
    assert policy.types == {}
    assert policy.redaction_format == "<{name}>"
    assert policy.protected_levels() == [PL2, PL3, PL4]
    assert PrivacyPolicy.default() == policy


@pytest.mark.parametrize(
    ("policy", "expected"),
    [
        (PrivacyPolicy.pl4_only(), (KEEP, KEEP, KEEP, REDACT)),
        (PrivacyPolicy.pl3_and_up(), (KEEP, KEEP, PLACEHOLDER, REDACT)),
        (PrivacyPolicy.pl2_and_up(), (KEEP, PLACEHOLDER, PLACEHOLDER, REDACT)),
        (PrivacyPolicy.placeholder_all(), (KEEP, PLACEHOLDER, PLACEHOLDER, PLACEHOLDER)),
    ],
)
def test_presets(policy: PrivacyPolicy, expected: tuple[Action, ...]) -> None:
    assert levels(policy) == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("PL3+", (KEEP, KEEP, PLACEHOLDER, REDACT)),
        ("pl3-and-up", (KEEP, KEEP, PLACEHOLDER, REDACT)),
        ("pl4_only", (KEEP, KEEP, KEEP, REDACT)),
        (" PL4-Only ", (KEEP, KEEP, KEEP, REDACT)),
        ("PL2+", (KEEP, PLACEHOLDER, PLACEHOLDER, REDACT)),
        ("placeholder_all", (KEEP, PLACEHOLDER, PLACEHOLDER, PLACEHOLDER)),
        ("default", (KEEP, PLACEHOLDER, PLACEHOLDER, REDACT)),
    ],
)
def test_preset_by_name(name: str, expected: tuple[Action, ...]) -> None:
    assert levels(PrivacyPolicy.preset(name)) == expected


@pytest.mark.parametrize("name", ["paranoid", "", "pl5+", "pl1-only"])
def test_unknown_preset(name: str) -> None:
    with pytest.raises(ConfigError, match="unknown policy preset"):
        PrivacyPolicy.preset(name)


# -- decisions -----------------------------------------------------------------------------------


def test_action_for_uses_the_level() -> None:
    policy = PrivacyPolicy()
    assert policy.action_for(span("Phone Number", "PL2")) is PLACEHOLDER
    assert policy.action_for(span("Medical Health", "PL3")) is PLACEHOLDER
    assert policy.action_for(span("Password", "PL4")) is REDACT
    assert policy.action_for(span("Hobby", "PL1")) is KEEP


def test_type_override_with_synonym_key() -> None:
    policy = PrivacyPolicy(types={"phone": "block", "medical record": "redact"})
    assert policy.types == {"Phone Number": BLOCK, "Medical Health": REDACT}
    assert policy.action_for(span("Phone Number", "PL2")) is BLOCK
    assert policy.action_for(span("mobile number", "PL2")) is BLOCK  # span type is normalised too
    assert policy.action_for(span("Medical Health", "PL3")) is REDACT
    assert policy.action_for(span("Email", "PL2")) is PLACEHOLDER  # untouched types use their level


def test_type_override_for_custom_type() -> None:
    policy = PrivacyPolicy(types={"Shoe Size": "keep"})
    assert policy.action_for(span("Shoe Size", "PL3")) is KEEP
    assert policy.action_for(span("Hat Size", "PL3")) is PLACEHOLDER


def test_type_override_can_relax_a_level() -> None:
    policy = PrivacyPolicy(types={"Verification Code": "keep"})
    assert policy.action_for(span("OTP", "PL4")) is KEEP
    assert policy.action_for(span("Password", "PL4")) is REDACT


def test_low_score_never_weakens_protection() -> None:
    policy = PrivacyPolicy(min_score=0.5)
    assert policy.action_for(span("Email", "PL2", score=0.1)) is PLACEHOLDER
    assert policy.action_for(span("Password", "PL4", score=0.1)) is REDACT


def test_low_score_keeps_a_type_override_on_a_kept_level() -> None:
    policy = PrivacyPolicy(levels={"PL2": "keep"}, types={"Email": "placeholder"}, min_score=0.5)
    assert policy.action_for(span("Email", "PL2", score=0.9)) is PLACEHOLDER
    assert policy.action_for(span("Email", "PL2", score=0.1)) is KEEP


def test_missing_levels_get_the_strictest_action_except_pl1() -> None:
    policy = PrivacyPolicy.from_dict({"levels": {"PL2": "keep"}})
    assert levels(policy) == (KEEP, KEEP, REDACT, REDACT)
    policy = PrivacyPolicy.from_dict({"levels": {}})
    assert levels(policy) == (KEEP, REDACT, REDACT, REDACT)


def test_level_keys_are_parsed() -> None:
    policy = PrivacyPolicy.from_dict(
        {"levels": {"pl1": "keep", 2: "block", "L3": "keep", "PL4": "placeholder"}}
    )
    assert levels(policy) == (KEEP, BLOCK, KEEP, PLACEHOLDER)


def test_preset_key_with_overrides() -> None:
    policy = PrivacyPolicy.from_dict(
        {"preset": "pl4_only", "levels": {"PL2": "placeholder"}, "types": {"phone": "block"}}
    )
    assert levels(policy) == (KEEP, PLACEHOLDER, KEEP, REDACT)
    assert policy.types == {"Phone Number": BLOCK}


@pytest.mark.parametrize(
    "data",
    [
        {"level": {"PL2": "keep"}},  # typo of a key
        {"levels": {"PL2": "keep"}, "extra": 1},
        {"levels": {"PL5": "keep"}},
        {"levels": {"PL2": "hide"}},
        {"levels": ["PL1"]},
        {"types": {"phone": "hide"}},
        {"min_score": 2},
        {"min_score": -0.1},
        {"preset": "nope"},
        {"preset": "default", "levels": ["PL1"]},
        {"preset": "default", "levels": {"PL9": "keep"}},
    ],
)
def test_invalid_dicts_raise_config_error(data: dict[str, object]) -> None:
    with pytest.raises(ConfigError):
        PrivacyPolicy.from_dict(data)


def test_extra_keys_rejected_by_the_model_itself() -> None:
    with pytest.raises(ValidationError):
        PrivacyPolicy(levles={})  # type: ignore[call-arg]


# -- redaction format ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "privacy_type", "expected"),
    [
        ("<{name}>", "Password", "<Password>"),
        ("<{name}>", "Account ID/Username", "<Account_ID_Username>"),
        ("{type}", "Account ID/Username", "Account ID/Username"),
        ("{name}", "Account ID/Username", "Account_ID_Username"),
        ("[REDACTED]", "Password", "[REDACTED]"),
        ("[{type} removed]", "Password", "[Password removed]"),
        ("{{{name}}}", "Key", "{Key}"),
    ],
)
def test_redaction_format(fmt: str, privacy_type: str, expected: str) -> None:
    policy = PrivacyPolicy.from_dict({"redaction_format": fmt})
    assert policy.redaction_for(privacy_type) == expected


@pytest.mark.parametrize(
    "fmt",
    [
        "{oops}",
        "{}",
        "{0}",
        "{type",
        "{type:d}",
        "{type.upper}",  # attribute access: would print a bound method
        "{type.nope}",  # attribute access: raised a bare AttributeError
        "{name[0]}",
        "<{name}_1>",  # a redaction must never look like (and be restored as) a placeholder
    ],
)
def test_invalid_redaction_format(fmt: str) -> None:
    with pytest.raises(ConfigError, match="redaction_format"):
        PrivacyPolicy.from_dict({"redaction_format": fmt})


# -- files ---------------------------------------------------------------------------------------

YAML_POLICY = """\
preset: pl3_and_up
levels:
  PL2: placeholder
types:
  phone: block
redaction_format: "[{type}]"
min_score: 0.25
"""

TOML_POLICY = """\
redaction_format = "[REDACTED]"

[levels]
PL1 = "keep"
PL2 = "keep"
PL3 = "placeholder"
PL4 = "block"

[types]
"Session Token" = "redact"
"""

JSON_POLICY = {"levels": {"PL2": "redact", "PL3": "placeholder"}, "types": {"e-mail": "keep"}}


def test_from_yaml(tmp_path: Path) -> None:
    for suffix in (".yaml", ".yml"):
        path = tmp_path / f"policy{suffix}"
        path.write_text(YAML_POLICY, encoding="utf-8")
        policy = PrivacyPolicy.from_file(path)
        assert levels(policy) == (KEEP, PLACEHOLDER, PLACEHOLDER, REDACT)
        assert policy.types == {"Phone Number": BLOCK}
        assert policy.redaction_for("Password") == "[Password]"
        assert policy.min_score == 0.25


def test_from_toml(tmp_path: Path) -> None:
    path = tmp_path / "policy.toml"
    path.write_text(TOML_POLICY, encoding="utf-8")
    policy = PrivacyPolicy.from_file(str(path))
    assert levels(policy) == (KEEP, KEEP, PLACEHOLDER, BLOCK)
    assert policy.types == {"Token": REDACT}
    assert policy.redaction_for("Token") == "[REDACTED]"


def test_from_json(tmp_path: Path) -> None:
    path = tmp_path / "policy.JSON"
    path.write_text(json.dumps(JSON_POLICY), encoding="utf-8")
    policy = PrivacyPolicy.from_file(path)
    assert levels(policy) == (KEEP, REDACT, PLACEHOLDER, REDACT)  # PL4 missing: strictest
    assert policy.types == {"Email": KEEP}


def _one_line_config_error(exc: pytest.ExceptionInfo[ConfigError]) -> str:
    message = str(exc.value)
    assert "\n" not in message
    assert message
    return message


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as exc:
        PrivacyPolicy.from_file(tmp_path / "nope.yaml")
    assert "cannot read policy file" in _one_line_config_error(exc)


def test_directory_is_unreadable(tmp_path: Path) -> None:
    folder = tmp_path / "dir.yaml"
    folder.mkdir()
    with pytest.raises(ConfigError) as exc:
        PrivacyPolicy.from_file(folder)
    _one_line_config_error(exc)


def test_non_utf8_file(tmp_path: Path) -> None:
    path = tmp_path / "policy.yaml"
    path.write_bytes(b"levels: {PL2: keep}\n# \xff\xfe\n")
    with pytest.raises(ConfigError) as exc:
        PrivacyPolicy.from_file(path)
    assert "UTF-8" in _one_line_config_error(exc)


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("bad.yaml", "levels: [PL2: keep\n  - oops: : :\n"),
        ("bad.toml", "[levels\nPL2 = keep\n"),
        ("bad.json", '{"levels": {"PL2": "keep",}}'),
    ],
)
def test_malformed_file(tmp_path: Path, name: str, content: str) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError) as exc:
        PrivacyPolicy.from_file(path)
    assert "cannot parse policy file" in _one_line_config_error(exc)


@pytest.mark.parametrize(("name", "content"), [("list.yaml", "- PL2\n- PL3\n"), ("list.json", "[1, 2]")])
def test_top_level_must_be_a_mapping(tmp_path: Path, name: str, content: str) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError, match="mapping"):
        PrivacyPolicy.from_file(path)


def test_unknown_suffix(tmp_path: Path) -> None:
    path = tmp_path / "policy.ini"
    path.write_text("[levels]\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"\.yaml"):
        PrivacyPolicy.from_file(path)


def test_invalid_content_in_file(tmp_path: Path) -> None:
    path = tmp_path / "policy.yaml"
    path.write_text("levels:\n  PL2: hide\n", encoding="utf-8")
    with pytest.raises(ConfigError) as exc:
        PrivacyPolicy.from_file(path)
    assert "levels" in _one_line_config_error(exc)


# -- load ----------------------------------------------------------------------------------------


def test_load_each_source_kind(tmp_path: Path) -> None:
    assert PrivacyPolicy.load(None) == PrivacyPolicy.default()

    custom = PrivacyPolicy.pl4_only()
    assert PrivacyPolicy.load(custom) is custom

    assert levels(PrivacyPolicy.load({"levels": {"PL2": "block"}})) == (KEEP, BLOCK, REDACT, REDACT)
    assert levels(PrivacyPolicy.load("PL3+")) == (KEEP, KEEP, PLACEHOLDER, REDACT)

    path = tmp_path / "policy.yaml"
    path.write_text("preset: placeholder_all\n", encoding="utf-8")
    assert levels(PrivacyPolicy.load(path)) == (KEEP, PLACEHOLDER, PLACEHOLDER, PLACEHOLDER)
    assert levels(PrivacyPolicy.load(str(path))) == (KEEP, PLACEHOLDER, PLACEHOLDER, PLACEHOLDER)


def test_load_unknown_preset_or_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError):
        PrivacyPolicy.load("paranoid")
    with pytest.raises(ConfigError):
        PrivacyPolicy.load(str(tmp_path / "missing.toml"))


# -- immutability --------------------------------------------------------------------------------


def test_policy_is_frozen() -> None:
    policy = PrivacyPolicy()
    with pytest.raises(ValidationError):
        policy.min_score = 0.5  # type: ignore[misc]
    with pytest.raises(ValidationError):
        policy.levels = {}  # type: ignore[misc]
    assert policy.min_score == 0.0


def test_policy_maps_cannot_be_changed_in_place() -> None:
    import copy
    import pickle

    policy = PrivacyPolicy.from_dict({"types": {"Phone": "keep"}})
    for change in (
        lambda: policy.levels.__setitem__(PrivacyLevel.PL4, Action.KEEP),
        lambda: policy.levels.update({PrivacyLevel.PL3: Action.KEEP}),
        lambda: policy.levels.pop(PrivacyLevel.PL4),
        lambda: policy.types.__delitem__("Phone Number"),
        lambda: policy.types.setdefault("Password", Action.KEEP),
        lambda: policy.types.clear(),
    ):
        with pytest.raises(TypeError, match="immutable"):
            change()
    assert policy.levels[PrivacyLevel.PL4] is Action.REDACT
    assert policy.types == {"Phone Number": Action.KEEP}
    # still a plain mapping to everything else: JSON, validation round trip, copies, pickling
    assert PrivacyPolicy.model_validate_json(policy.model_dump_json()) == policy
    assert copy.deepcopy(policy) == policy
    assert pickle.loads(pickle.dumps(policy)) == policy
    relaxed = PrivacyPolicy(levels={**policy.levels, PrivacyLevel.PL4: Action.KEEP})
    assert relaxed.levels[PrivacyLevel.PL4] is Action.KEEP
    assert policy.levels[PrivacyLevel.PL4] is Action.REDACT


def test_presets_do_not_share_state() -> None:
    a, b = PrivacyPolicy.default(), PrivacyPolicy.default()
    assert a.levels is not b.levels


def test_redaction_of_a_type_ending_in_a_number_never_reads_as_a_placeholder() -> None:
    from memprivacy_plugin.placeholders import PLACEHOLDER_RE

    text = PrivacyPolicy.default().redaction_for("Level 2")
    assert text == "<Level_2_Redacted>"
    assert PLACEHOLDER_RE.search(text) is None
