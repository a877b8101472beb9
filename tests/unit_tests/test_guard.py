"""PrivacyGuard: protect/restore semantics, fail-closed behaviour, policy actions, async and batch forms."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

import pytest

from memprivacy_plugin import (
    ConfigError,
    EnsembleExtractor,
    ExtractionError,
    InMemoryVault,
    PolicyBlockedError,
    PrivacyGuard,
    PrivacyLevel,
    PrivacyPolicy,
    PrivacySpan,
    RuleExtractor,
)
from memprivacy_plugin.extractors.known import KnownValuesExtractor

PHONE = "+1 415 867 5309"
EMAIL = "dana.whitfield@fastmail.com"
CODE = "482913"

KNOWN = KnownValuesExtractor(
    [
        ("Dana Whitfield", "Real Name", "PL2"),
        (PHONE, "Phone Number", "PL2"),
        (EMAIL, "Email", "PL2"),
        ("type 2 diabetes", "Medical Health", "PL3"),
        (CODE, "Verification Code", "PL4"),
    ]
)


@pytest.fixture
def guard(vault) -> PrivacyGuard:
    return PrivacyGuard(extractor=KNOWN, vault=vault)


MESSAGE = f"I'm Dana Whitfield, call {PHONE} or mail {EMAIL}. I have type 2 diabetes; my code is {CODE}."


def test_protect_replaces_values_and_restore_gives_them_back(guard: PrivacyGuard) -> None:
    result = guard.protect(MESSAGE, user_id="u1")
    for value in ("Dana Whitfield", PHONE, EMAIL, "type 2 diabetes", CODE):
        assert value not in result.text
    assert "<Real_Name_1>" in result.text
    assert "<Phone_Number_1>" in result.text
    assert "<Medical_Health_1>" in result.text
    assert "<Verification_Code>" in result.text  # PL4 redacted by default, no number
    restored = guard.restore(result.text, user_id="u1")
    assert restored == MESSAGE.replace(CODE, "<Verification_Code>")


def test_redacted_values_are_never_stored(guard: PrivacyGuard) -> None:
    result = guard.protect(MESSAGE, user_id="u1")
    assert result.redacted == ["Verification Code"]
    values = {e.value for e in guard.vault.entries("u1")}
    assert CODE not in values
    assert values == {"Dana Whitfield", PHONE, EMAIL, "type 2 diabetes"}


def test_same_value_same_placeholder_across_calls_and_guards(vault) -> None:
    g1 = PrivacyGuard(extractor=KNOWN, vault=vault)
    g2 = PrivacyGuard(extractor=KNOWN, vault=vault)
    a = g1.protect(f"phone {PHONE}", user_id="u1").text
    b = g2.protect(f"again: {PHONE}, mail {EMAIL}", user_id="u1").text
    assert a == "phone <Phone_Number_1>"
    assert b == "again: <Phone_Number_1>, mail <Email_1>"


def test_users_are_isolated(guard: PrivacyGuard) -> None:
    text_a = guard.protect(f"call {PHONE}", user_id="alice").text
    assert guard.restore(text_a, user_id="bob") == text_a  # bob has no such value
    guard.protect("call +44 20 7946 0958", user_id="bob")  # not known: stays clear for bob
    assert guard.restore(text_a, user_id="alice") == f"call {PHONE}"


def test_namespaces_are_isolated(guard: PrivacyGuard) -> None:
    text = guard.protect(f"call {PHONE}", user_id="u1", namespace="work").text
    assert guard.restore(text, user_id="u1", namespace="home") == text
    assert guard.restore(text, user_id="u1", namespace="work") == f"call {PHONE}"


def test_a_placeholder_this_vault_does_not_hold_never_resolves(guard: PrivacyGuard) -> None:
    guard.protect(f"call {PHONE}", user_id="alice")  # <Phone_Number_1> exists in alice's vault only
    typed = "What does <Phone_Number_1> mean in your docs?"
    result = guard.protect(typed, user_id="bob")
    assert "<Phone_Number_1>" not in result.text
    assert guard.restore(result.text, user_id="bob") == typed
    assert PHONE not in guard.restore(result.text, user_id="alice")
    assert result.placeholders == []  # the literal escape is not a protected value
    assert result.counts[PrivacyLevel.PL2] == 0


def test_a_placeholder_of_this_user_passes_unchanged(guard: PrivacyGuard) -> None:
    first = guard.protect(f"call {PHONE}", user_id="u1")
    again = guard.protect(f"the cloud says: {first.text}", user_id="u1")
    assert again.text == f"the cloud says: {first.text}"
    assert guard.restore(again.text, user_id="u1") == f"the cloud says: call {PHONE}"


def test_restore_is_tolerant_of_what_models_do(guard: PrivacyGuard) -> None:
    guard.protect(f"call {PHONE}", user_id="u1")
    for form in ("<phone_number_1>", "< Phone_Number_1 >", "<Phone Number 1>", "&lt;Phone_Number_1&gt;"):
        assert guard.restore(f"x {form} y", user_id="u1") == f"x {PHONE} y"
    assert guard.restore("**<Phone_Number_1>**", user_id="u1") == f"**{PHONE}**"


def test_streaming_restore_handles_split_placeholders(guard: PrivacyGuard) -> None:
    text = guard.protect(f"call {PHONE} or {EMAIL}", user_id="u1").text
    for size in (1, 2, 3, 5, 8):
        chunks = [text[i : i + size] for i in range(0, len(text), size)]
        assert "".join(guard.restore_stream(chunks, user_id="u1")) == f"call {PHONE} or {EMAIL}"


def test_policy_actions(vault) -> None:
    policy = PrivacyPolicy(
        levels={"PL2": "keep", "PL3": "placeholder", "PL4": "redact"}, redaction_format="[REDACTED]"
    )
    guard = PrivacyGuard(extractor=KNOWN, vault=vault, policy=policy)
    result = guard.protect(MESSAGE, user_id="u1")
    assert PHONE in result.text
    assert "Dana Whitfield" in result.text
    assert "<Medical_Health_1>" in result.text
    assert "[REDACTED]" in result.text
    assert CODE not in result.text


def test_type_override_beats_level(vault) -> None:
    policy = PrivacyPolicy(types={"email": "keep"})
    guard = PrivacyGuard(extractor=KNOWN, vault=vault, policy=policy)
    text = guard.protect(MESSAGE, user_id="u1").text
    assert EMAIL in text
    assert PHONE not in text


def test_block_refuses_and_stores_nothing(vault) -> None:
    guard = PrivacyGuard(extractor=KNOWN, vault=vault, policy={"levels": {"PL3": "block"}})
    with pytest.raises(PolicyBlockedError, match="Medical Health") as info:
        guard.protect(MESSAGE, user_id="u1")
    assert "diabetes" not in str(info.value)
    assert vault.entries("u1") == []


def test_placeholder_all_round_trips_everything(vault) -> None:
    guard = PrivacyGuard(extractor=KNOWN, vault=vault, policy=PrivacyPolicy.placeholder_all())
    result = guard.protect(MESSAGE, user_id="u1")
    assert CODE not in result.text
    assert "<Verification_Code_1>" in result.text
    assert guard.restore(result.text, user_id="u1") == MESSAGE


class Exploding:
    def extract(self, text: str, *, user_name: str | None = None) -> list[PrivacySpan]:
        raise RuntimeError("model server down")


class Garbage:
    def extract(self, text: str, *, user_name: str | None = None) -> list[PrivacySpan]:
        return [{"original_text": text}]  # type: ignore[list-item]


class Slow:
    """Blocks until released (at most 30 s), recording whether a call ever finished."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.finished = threading.Event()

    def extract(self, text: str, *, user_name: str | None = None) -> list[PrivacySpan]:
        self.release.wait(30)
        self.finished.set()
        return []


@pytest.mark.parametrize("bad", [Exploding(), Garbage()])
def test_extractor_failure_fails_closed(bad, vault) -> None:
    guard = PrivacyGuard(extractor=bad, vault=vault)
    with pytest.raises(ExtractionError) as info:
        guard.protect(MESSAGE, user_id="u1")
    assert PHONE not in str(info.value)
    assert "Dana" not in str(info.value)
    assert vault.entries("u1") == []


def test_extractor_timeout_fails_closed(vault) -> None:
    slow = Slow()
    guard = PrivacyGuard(extractor=slow, vault=vault, timeout=0.2)
    try:
        with pytest.raises(ExtractionError, match="timed out"):
            guard.protect(MESSAGE, user_id="u1")
        assert not slow.finished.is_set()  # the call returned while the extractor was still running
        assert vault.entries("u1") == []
    finally:
        slow.release.set()


def test_fallback_extractor_is_used_when_the_main_one_fails(vault) -> None:
    guard = PrivacyGuard(extractor=Exploding(), vault=vault, fallback=KNOWN)
    assert PHONE not in guard.protect(MESSAGE, user_id="u1").text


def test_async_failure_fails_closed(vault) -> None:
    guard = PrivacyGuard(extractor=Exploding(), vault=vault)
    with pytest.raises(ExtractionError):
        asyncio.run(guard.aprotect(MESSAGE, user_id="u1"))


def test_async_twins_match_sync(guard: PrivacyGuard) -> None:
    async def run() -> tuple[str, str, str]:
        protected = await guard.aprotect(MESSAGE, user_id="u1")
        restored = await guard.arestore(protected.text, user_id="u1")

        async def chunks():
            for i in range(0, len(protected.text), 3):
                yield protected.text[i : i + 3]

        streamed = "".join([c async for c in guard.arestore_stream(chunks(), user_id="u1")])
        return protected.text, restored, streamed

    protected, restored, streamed = asyncio.run(run())
    assert protected == guard.protect(MESSAGE, user_id="u1").text
    assert restored == streamed == guard.restore(protected, user_id="u1")


def test_batch_and_messages_match_single_calls(guard: PrivacyGuard) -> None:
    texts = [f"call {PHONE}", "nothing here", f"mail {EMAIL} or {PHONE}"]
    batch = [r.text for r in guard.protect_batch(texts, user_id="u1")]
    assert batch == [guard.protect(t, user_id="u1").text for t in texts]
    messages = [{"role": "user", "content": t, "id": i} for i, t in enumerate(texts)]
    messages.append({"role": "assistant", "content": f"noted {PHONE}"})
    out = guard.protect_messages(messages, user_id="u1", roles=["user"])
    assert [m["content"] for m in out[:3]] == batch
    assert out[3]["content"] == f"noted {PHONE}"  # assistant not protected when roles=["user"]
    assert out[0]["id"] == 0
    assert messages[0]["content"] == texts[0]


def test_protected_text_summary_and_repr_hide_values(guard: PrivacyGuard) -> None:
    result = guard.protect(MESSAGE, user_id="u1")
    assert result.counts == {
        PrivacyLevel.PL1: 0,
        PrivacyLevel.PL2: 3,
        PrivacyLevel.PL3: 1,
        PrivacyLevel.PL4: 1,
    }
    assert result.placeholders == ["<Real_Name_1>", "<Phone_Number_1>", "<Email_1>", "<Medical_Health_1>"]
    assert str(result) == result.text
    assert result.changed
    assert PHONE not in repr(result)
    assert "diabetes" not in repr(result)


def test_bad_input_is_a_clear_error(guard: PrivacyGuard) -> None:
    with pytest.raises(ConfigError, match="user_id"):
        guard.protect("x", user_id="")
    with pytest.raises(ConfigError, match="str"):
        guard.protect(b"bytes", user_id="u1")  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="not an extractor"):
        PrivacyGuard(extractor=object(), vault=InMemoryVault())  # type: ignore[arg-type]
    assert guard.protect("", user_id="u1").text == ""


def test_unknown_types_keep_their_level_and_get_a_safe_name(vault) -> None:
    class Custom:
        def extract(self, text: str, *, user_name: str | None = None) -> list[PrivacySpan]:
            i = text.index("Falcon")
            return [
                PrivacySpan(text="Falcon", start=i, end=i + 6, privacy_type="Codename Zeta!", level="PL3")
            ]

    guard = PrivacyGuard(extractor=Custom(), vault=vault)
    assert guard.protect("project Falcon ships", user_id="u1").text == "project <Codename_Zeta_1> ships"


def test_spans_with_wrong_offsets_are_relocated_or_dropped(vault) -> None:
    class Sloppy:
        def extract(self, text: str, *, user_name: str | None = None) -> list[PrivacySpan]:
            return [
                PrivacySpan(text="１３８００１３８０００", start=0, end=5, privacy_type="phone", level="PL2"),
                PrivacySpan(text="not in the message", start=0, end=3, privacy_type="Email", level="PL2"),
            ]

    guard = PrivacyGuard(extractor=Sloppy(), vault=vault)
    result = guard.protect("my number is 13800138000.", user_id="u1")
    assert result.text == "my number is <Phone_Number_1>."
    assert len(result.spans) == 1


MODEL_CARD = (
    "Hi, I'm Zhang Wei. My phone is 138-1234-5678 and I was just diagnosed with type 2 diabetes. "
    "The verification code the clinic texted me is 482913."
)


def test_model_card_example_with_rules_and_known_values(vault) -> None:
    extractor = EnsembleExtractor(
        [
            RuleExtractor(),
            KnownValuesExtractor({"Zhang Wei": "Real Name", "type 2 diabetes": "Medical Health"}),
        ]
    )
    guard = PrivacyGuard(extractor=extractor, vault=vault)
    result = guard.protect(MODEL_CARD, user_id="u1")
    for value in ("Zhang Wei", "138-1234-5678", "type 2 diabetes", "482913"):
        assert value not in result.text
    assert guard.restore(result.text, user_id="u1") == MODEL_CARD.replace("482913", "<Verification_Code>")
    everything = PrivacyGuard(extractor=extractor, vault=vault, policy=PrivacyPolicy.placeholder_all())
    assert everything.restore(everything.protect(MODEL_CARD, user_id="u2").text, user_id="u2") == MODEL_CARD


def test_default_guard_uses_rules_and_the_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MEMPRIVACY_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("MEMPRIVACY_VAULT_KEY", raising=False)
    guard = PrivacyGuard()
    try:
        text = guard.protect("mail me at dana.whitfield@fastmail.com", user_id="u1").text
        assert text == "mail me at <Email_1>"
        assert any(p.name.startswith("vault") for p in tmp_path.iterdir())
    finally:
        guard.close()


def test_a_kept_span_containing_placeholder_text_is_still_escaped(vault) -> None:
    known = KnownValuesExtractor([("ref <Phone_Number_7> here", "Identity Background", "PL2")])
    guard = PrivacyGuard(extractor=known, vault=vault, policy=PrivacyPolicy.pl4_only())  # PL2 kept
    PrivacyGuard(extractor=KNOWN, vault=vault).protect(
        f"call {PHONE}", user_id="u1"
    )  # a real <Phone_Number_1>, but no <Phone_Number_7>
    text = "see ref <Phone_Number_7> here"
    protected = guard.protect(text, user_id="u1").text
    assert "<Phone_Number_7>" not in protected
    assert guard.restore(protected, user_id="u1") == text


def test_protect_data_and_restore_data_keep_the_shape(guard: PrivacyGuard) -> None:
    data = {
        "memory": f"call {PHONE}",
        "tags": ["x", f"mail {EMAIL}"],
        "nested": {"note": "nothing", "pair": (CODE, 3)},
        "count": 2,
        PHONE: "keys are protected too",
    }
    protected = guard.protect_data(data, user_id="u1")
    assert protected["memory"] == "call <Phone_Number_1>"
    assert protected["tags"] == ["x", "mail <Email_1>"]
    assert protected["nested"] == {"note": "nothing", "pair": ("<Verification_Code>", 3)}
    assert protected["count"] == 2
    assert protected["<Phone_Number_1>"] == "keys are protected too"
    assert PHONE not in protected
    assert data["memory"] == f"call {PHONE}"  # input untouched
    restored = guard.restore_data(protected, user_id="u1")
    assert restored["memory"] == data["memory"]
    assert restored["tags"] == data["tags"]
    assert restored[PHONE] == "keys are protected too"
    assert asyncio.run(guard.aprotect_data(data, user_id="u1")) == protected
    assert asyncio.run(guard.arestore_data(protected, user_id="u1")) == restored


def test_protect_data_limited_to_keys(guard: PrivacyGuard) -> None:
    data = {"content": f"call {PHONE}", "meta": {"source": f"{PHONE}", "text": [f"mail {EMAIL}"]}}
    protected = guard.protect_data(data, user_id="u1", keys=["content", "text"])
    assert protected == {
        "content": "call <Phone_Number_1>",
        "meta": {"source": PHONE, "text": ["mail <Email_1>"]},
    }
