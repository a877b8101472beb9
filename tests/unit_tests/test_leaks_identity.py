"""Leak checks and the identity convention shared by the integrations."""

from __future__ import annotations

import pytest

from memprivacy_plugin import ConfigError, PrivacyPolicy
from memprivacy_plugin.evaluation.leaks import find_leaks, protected_values
from memprivacy_plugin.integrations._identity import Identity, identity_from


def test_protected_values_follow_the_policy() -> None:
    spans = [
        ("+1 415 867 5309", "Phone Number", "PL2"),
        ("diabetes", "Medical Health", "PL3"),
        ("12", "PIN", "PL4"),
    ]
    assert protected_values(spans) == {"+1 415 867 5309", "diabetes"}
    assert protected_values(spans, PrivacyPolicy.pl3_and_up()) == {"diabetes"}
    assert protected_values(spans, min_length=1) == {"+1 415 867 5309", "diabetes", "12"}


def test_find_leaks_ignores_placeholders_and_redactions() -> None:
    texts = [("embedder", "mail <Email_1> now"), ("store", "Email him: diabetes"), ("llm", "code <Password>")]
    leaks = find_leaks(texts, {"Email", "diabetes", "Password"})
    assert [(leak.value, leak.where) for leak in leaks] == [("diabetes", "store"), ("Email", "store")]


def test_identity_from_config_context_and_objects() -> None:
    assert identity_from({"configurable": {"user_id": "u1", "namespace": "ns"}}) == Identity("u1", "ns")
    assert identity_from(None, {"user_id": "u2", "user_name": "Dana"}) == Identity("u2", None, "Dana")

    class Ctx:
        user_id = "u3"

    assert identity_from(Ctx()) == Identity("u3")
    assert identity_from({"configurable": {}}, default=Identity("d")) == Identity("d")
    with pytest.raises(ConfigError, match="no user id"):
        identity_from({"configurable": {}}, None)
