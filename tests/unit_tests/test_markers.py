"""The guard's own output passes `protect` unchanged: this user's placeholders, redaction markers
of the policy's format, and nothing glued to them is lost."""

from __future__ import annotations

import pytest

from memprivacy_plugin import InMemoryVault, KnownValuesExtractor, PrivacyGuard, PrivacyPolicy
from memprivacy_plugin._markers import marker_regex, outside, own_ranges
from memprivacy_plugin.spans import PrivacySpan
from memprivacy_plugin.taxonomy import PrivacyLevel


@pytest.mark.parametrize(
    ("fmt", "text", "markers"),
    [
        ("<{name}>", "is <Password>; and <Verification_Code>", ["<Password>", "<Verification_Code>"]),
        ("[REDACTED]", "a [REDACTED] b [REDACTED]", ["[REDACTED]", "[REDACTED]"]),
        ("[{type}]", "code [Verification Code] ok", ["[Verification Code]"]),
        ("***{name}***", "x ***Password*** y", ["***Password***"]),
    ],
)
def test_redaction_markers_are_recognised(fmt: str, text: str, markers: list[str]) -> None:
    assert [text[s:e] for s, e in own_ranges(text, (), fmt)] == markers


def test_a_format_with_nothing_to_anchor_on_recognises_nothing() -> None:
    assert marker_regex("{name}") is None
    assert own_ranges("Password here", (), "{name}") == []


def test_a_placeholder_is_never_taken_for_a_redaction() -> None:
    assert own_ranges("call <Phone_Number_1>", (), "<{name}>") == []
    assert own_ranges("call <Phone_Number_1>", {"phone_number_1"}, "<{name}>") == [(5, 21)]


def test_spans_lose_only_the_marker_part() -> None:
    text = "pw <Password>!hunter2 and <Password>; ok"
    spans = [
        PrivacySpan(
            text="<Password>!hunter2", start=3, end=21, privacy_type="Password", level=PrivacyLevel.PL4
        ),
        PrivacySpan(text="<Password>;", start=26, end=37, privacy_type="Password", level=PrivacyLevel.PL4),
    ]
    kept = outside(spans, own_ranges(text, (), "<{name}>"), text)
    assert [(s.text, s.start, s.end) for s in kept] == [("!hunter2", 13, 21)]


@pytest.mark.parametrize("fmt", ["<{name}>", "[REDACTED]", "[{type}]"])
def test_protect_keeps_redactions_and_still_hides_what_is_glued_to_them(fmt: str) -> None:
    glued = KnownValuesExtractor(
        [("<Password>!hunter2", "Password", "PL4"), ("[REDACTED]!hunter2", "Password", "PL4")]
    )
    guard = PrivacyGuard(extractor=glued, vault=InMemoryVault(), policy=PrivacyPolicy(redaction_format=fmt))
    marker = PrivacyPolicy(redaction_format=fmt).redaction_for("Password")
    out = guard.protect(f"old {marker} new <Password>!hunter2 and [REDACTED]!hunter2", user_id="u").text
    assert "hunter2" not in out
    assert out.startswith(f"old {marker} new ")


def test_a_users_own_literal_escape_passes_unchanged() -> None:
    guard = PrivacyGuard(vault=InMemoryVault())
    once = guard.protect("what does <Phone_Number_1> mean?", user_id="u")  # not u's: escaped
    assert "<Literal_1>" in once.text
    assert guard.protect(once.text, user_id="u").text == once.text
    assert guard.restore(once.text, user_id="u") == "what does <Phone_Number_1> mean?"
