"""A value the guard protected once is protected again when it comes back bare, for that user only,
from keyed hashes kept in memory (never the value)."""

from __future__ import annotations

import asyncio

import pytest

from memprivacy_plugin import InMemoryVault, PrivacyGuard, PrivacyPolicy, SQLiteVault
from memprivacy_plugin._seen import SeenValues
from memprivacy_plugin.taxonomy import PrivacyLevel


@pytest.fixture
def guard() -> PrivacyGuard:
    return PrivacyGuard(vault=InMemoryVault())


@pytest.mark.parametrize(
    ("first", "later", "value"),
    [
        ("验证码 482-911，请输入", "既然 482-911 都已经失效了", "482-911"),
        ("my password is xxrCYGHDCw^aowD", "I'm replacing xxrCYGHDCw^aowD tonight", "xxrCYGHDCw^aowD"),
        ("the session token is TK-8832-ZQ", "is 'TK-8832-ZQ' still valid?", "TK-8832-ZQ"),
        ("account number 6222021234567890123", "wire it to 6222021234567890123.", "6222021234567890123"),
        ("my passport number is E07924494", "I have E07924494 in my bag", "E07924494"),
    ],
)
def test_a_bare_repeat_is_protected(guard: PrivacyGuard, first: str, later: str, value: str) -> None:
    assert guard.protect(later, user_id="fresh").text == later  # no extractor sees it bare
    assert value not in guard.protect(first, user_id="u1").text
    protected = guard.protect(later, user_id="u1")
    assert value not in protected.text
    assert [s.source for s in protected.spans] == ["seen"]


def test_the_repeat_gets_the_same_placeholder_and_restores(guard: PrivacyGuard) -> None:
    first = guard.protect("account number 6222021234567890123", user_id="u1")
    later = guard.protect("send it to 6222021234567890123 please", user_id="u1")
    assert first.placeholders == later.placeholders == ["<Financial_Account_1>"]
    assert guard.restore(later.text, user_id="u1") == "send it to 6222021234567890123 please"


@pytest.mark.parametrize(
    "later",
    [
        "我输入了 ４８２\u200b-９１１ 了",
        "我输入了482-911了",
        "我输入了４８２－９１１，了",
        "我输入了\u200b482\u2011911了",
    ],
)
def test_a_repeat_with_tricks_is_found(guard: PrivacyGuard, later: str) -> None:
    guard.protect("验证码：482-911", user_id="u1")
    protected = guard.protect(later, user_id="u1")
    assert "<Verification_Code>" in protected.text
    assert "911" not in protected.text
    assert "９１１" not in protected.text


def test_a_value_written_both_ways_in_one_message_is_hidden_both_times(guard: PrivacyGuard) -> None:
    guard.protect("the session token is TK-8832-ZQ", user_id="u1")
    protected = guard.protect("旧的TK-8832-ZQ，新的ＴＫ-８８３２-ＺＱ also TK-8832-ZQ", user_id="u1")
    assert "8832" not in protected.text
    assert "８８３２" not in protected.text
    assert len(protected.spans) == 3


def test_users_and_namespaces_are_apart(guard: PrivacyGuard) -> None:
    guard.protect("验证码 482-911", user_id="alice")
    assert guard.protect("482-911 is my lucky number", user_id="bob").text == "482-911 is my lucky number"
    guard.protect("account number 6222021234567890123", user_id="carol", namespace="work")
    elsewhere = guard.protect("6222021234567890123", user_id="carol", namespace="home")
    assert "6222021234567890123" in elsewhere.text


@pytest.mark.parametrize("value", ["2024", "4829", "hello", "Tr", "a-b", "22.0", "1,500", "12:30", "a b c d"])
def test_values_too_common_to_recognise_bare_are_not_remembered(value: str) -> None:
    seen = SeenValues()
    seen.remember(("u", None), [(value, "Password", PrivacyLevel.PL4)])
    assert seen.find(("u", None), f"later {value} again") == []


@pytest.mark.parametrize("value", ["482-911", "TK-8832", "pa$$", "6222021234567890123", "12.345.678"])
def test_distinctive_values_are_remembered(value: str) -> None:
    seen = SeenValues()
    seen.remember(("u", None), [(value, "Password", PrivacyLevel.PL4)])
    assert [s.text for s in seen.find(("u", None), f"later {value} again")] == [value]


def test_only_keyed_hashes_are_kept() -> None:
    seen = SeenValues()
    seen.remember(("u", None), [("xxrCYGHDCw^aowD", "Password", PrivacyLevel.PL4)])
    (memory,) = seen._scopes.values()
    (digest,) = memory.values
    assert isinstance(digest, bytes)
    assert len(digest) == 16
    assert b"xxrCYGHDCw" not in digest
    assert memory.written
    assert all(len(w) == 16 and b"xxrCYGHDCw" not in w for w in memory.written)
    # A second instance (another process) has another key: the digests do not carry over.
    other = SeenValues()
    assert other._digest("xxrCYGHDCw^aowD") != digest


def test_an_evicted_value_is_remembered_again_when_protected_again() -> None:
    seen = SeenValues(max_values=2)
    scope = ("u", None)
    for value in ("AAA-1111", "BBB-2222", "CCC-3333"):
        seen.remember(scope, [(value, "Token", PrivacyLevel.PL4)])
    assert seen.find(scope, "AAA-1111") == []  # the oldest went
    seen.remember(scope, [("AAA-1111", "Token", PrivacyLevel.PL4)])
    assert [s.text for s in seen.find(scope, "AAA-1111")] == ["AAA-1111"]


def test_a_new_guard_knows_the_vault_values_but_not_redacted_ones(tmp_path) -> None:
    vault = SQLiteVault(tmp_path / "vault.sqlite3", key_file=tmp_path / "vault.key")
    first = PrivacyGuard(vault=vault)
    first.protect("account number 6222021234567890123, 验证码 482-911", user_id="u1")
    second = PrivacyGuard(vault=SQLiteVault(tmp_path / "vault.sqlite3", key_file=tmp_path / "vault.key"))
    assert "6222021234567890123" not in second.protect("to 6222021234567890123", user_id="u1").text
    # The code was redacted (PL4, zero retention): nothing of it was stored, so a new process
    # cannot know it.
    assert second.protect("482-911 again", user_id="u1").text == "482-911 again"


def test_forget_forgets_what_was_seen(guard: PrivacyGuard) -> None:
    guard.protect("验证码 482-911", user_id="u1")
    guard.forget(user_id="u1")
    assert guard.protect("482-911 again", user_id="u1").text == "482-911 again"


def test_it_can_be_turned_off() -> None:
    guard = PrivacyGuard(vault=InMemoryVault(), remember_values=False)
    guard.protect("验证码 482-911", user_id="u1")
    assert guard.protect("482-911 again", user_id="u1").text == "482-911 again"


def test_async_and_batch_paths_remember_too() -> None:
    guard = PrivacyGuard(vault=InMemoryVault(), policy=PrivacyPolicy.placeholder_all())

    async def run() -> list[str]:
        await guard.aprotect("验证码 482-911", user_id="u1")
        single = await guard.aprotect("482-911 again", user_id="u1")
        batch = await guard.aprotect_batch(["x 482-911", "nothing"], user_id="u1")
        return [single.text, *[r.text for r in batch]]

    texts = asyncio.run(run())
    assert all("482-911" not in t for t in texts)
    assert "482-911" not in guard.protect_batch(["y 482-911"], user_id="u1")[0].text
