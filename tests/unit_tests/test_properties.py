"""Property tests: protect/restore round-trips arbitrary Unicode, and protected values never reach
the cloud-bound text."""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from memprivacy_plugin import InMemoryVault, PrivacyGuard, PrivacyPolicy, RuleExtractor

# Values the rule extractor must find in any surrounding text, with their kind.
PII = [
    "dana.whitfield@fastmail.com",
    "+1 415 867 5309",
    "13800138000",
    "4111 1111 1111 1111",
    "11010519491231002X",
    "10.20.4.17",
    "sk-X9pA2k39LmN48qvr71UbC0zPqTj9LZwf",
    "postgres://dana:Tr0ub4dor@10.20.4.17:5432/crm",
]

RULES = RuleExtractor()
SETTINGS = settings(
    max_examples=int(os.environ.get("MEMPRIVACY_HYPOTHESIS_EXAMPLES", "200")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)

# Arbitrary text, biased towards the characters that matter here: placeholder syntax, digits,
# separators, CJK and full-width forms.
_alphabet = st.one_of(
    st.characters(codec="utf-8", exclude_categories=["Cs"]),
    st.sampled_from([*list("<>_&;\\* -.@:/0123456789"), "&lt;", "&gt;", "Phone_Number_1", "密码", "１"]),
)
texts = st.lists(_alphabet, max_size=60).map("".join)


def _guard(policy: PrivacyPolicy) -> PrivacyGuard:
    return PrivacyGuard(extractor=RULES, vault=InMemoryVault(), policy=policy)


@SETTINGS
@given(texts)
def test_round_trip_of_arbitrary_text(text: str) -> None:
    guard = _guard(PrivacyPolicy.placeholder_all())
    protected = guard.protect(text, user_id="u")
    assert guard.restore(protected.text, user_id="u") == text


@SETTINGS
@given(st.lists(st.tuples(texts, st.sampled_from(PII)), min_size=1, max_size=4), texts)
def test_round_trip_and_no_leak_with_injected_pii(parts: list[tuple[str, str]], tail: str) -> None:
    # Separate each value from its surroundings by a space, as values are in real messages.
    text = "".join(f"{before} {value} " for before, value in parts) + tail
    guard = _guard(PrivacyPolicy.placeholder_all())
    protected = guard.protect(text, user_id="u")
    for _, value in parts:
        assert value not in protected.text
    assert guard.restore(protected.text, user_id="u") == text


@SETTINGS
@given(texts, st.sampled_from(PII))
def test_default_policy_never_leaks_and_restores_everything_but_redactions(text: str, value: str) -> None:
    guard = _guard(PrivacyPolicy.default())
    message = f"{text} {value} {text}"
    protected = guard.protect(message, user_id="u")
    assert value not in protected.text
    restored = guard.restore(protected.text, user_id="u")
    if not protected.redacted:
        assert restored == message


@pytest.mark.parametrize("value", PII)
def test_each_injected_value_is_found_by_the_rules(value: str) -> None:
    spans = RULES.extract(f"here: {value} .")
    assert any(s.text == value for s in spans), value
