"""Property tests: protect/restore round-trips arbitrary Unicode, and protected values never reach
the cloud-bound text."""

from __future__ import annotations

import os
from collections import Counter

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from memprivacy_plugin import Action, InMemoryVault, PrivacyGuard, PrivacyPolicy, RuleExtractor

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


POLICIES = {
    "default": PrivacyPolicy.default(),
    "placeholder_all": PrivacyPolicy.placeholder_all(),
    "redact [REDACTED]": PrivacyPolicy(
        levels={lvl: "redact" for lvl in ("PL2", "PL3", "PL4")}, redaction_format="[REDACTED]"
    ),
    "redact [{type}]": PrivacyPolicy(
        levels={lvl: "redact" for lvl in ("PL2", "PL3", "PL4")}, redaction_format="[{type}]"
    ),
    "redact ***{name}***": PrivacyPolicy(redaction_format="***{name}***"),
}


@SETTINGS
@given(st.lists(st.tuples(texts, st.sampled_from(PII)), max_size=3), texts, st.sampled_from(sorted(POLICIES)))
def test_what_protect_wrote_passes_protect_unchanged(
    parts: list[tuple[str, str]], tail: str, policy: str
) -> None:
    # Arbitrary text around the values: the extractor may see new context on a second pass (and
    # protect more), but every placeholder and redaction the first pass wrote stays as written.
    text = "".join(f"{before} {value} " for before, value in parts) + tail
    guard = _guard(POLICIES[policy])
    once = guard.protect(text, user_id="u")
    twice = guard.protect(once.text, user_id="u")
    written = Counter(r.replacement for r in once.replacements if r.action is not Action.KEEP)
    for marker, count in written.items():
        assert twice.text.count(marker) >= count
    assert {r.span.text for r in twice.replacements}.isdisjoint(written)


MESSAGES = [
    "I'm Dana Whitfield, call +1 415 867 5309 or mail dana.whitfield@fastmail.com.",
    "my password is hunter2!X9; the wifi one is Kovac-Ricci_5G",
    "验证码：482913，我的手机号是13800138000，身份证11010519491231002X",
    "card 4111 1111 1111 1111 exp 09/27, cvv 123",
    "I was diagnosed with type 2 diabetes; my salary is $185,000 a year.",
    "connect with postgres://dana:Tr0ub4dor@10.20.4.17:5432/crm and sk-X9pA2k39LmN48qvr71UbC0zPqTj9LZwf",
    "my password is <Password>; ok, and the new one is <Password>",
]


@pytest.mark.parametrize("policy", sorted(POLICIES))
@pytest.mark.parametrize("message", MESSAGES)
def test_protect_is_idempotent_on_its_own_output(message: str, policy: str) -> None:
    guard = _guard(POLICIES[policy])
    once = guard.protect(message, user_id="u")
    twice = guard.protect(once.text, user_id="u")
    assert twice.text == once.text
    assert twice.replacements == []  # nothing in the guard's own output reads as private
    assert guard.restore(twice.text, user_id="u") == guard.restore(once.text, user_id="u")
