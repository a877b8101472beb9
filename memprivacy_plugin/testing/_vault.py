"""Contract tests for vault backends: subclass `VaultContractTests` and provide a `vault` fixture.

    from memprivacy_plugin.testing import VaultContractTests

    class TestMyVault(VaultContractTests):
        @pytest.fixture
        def vault(self, tmp_path):
            return MyVault(...)          # must be EMPTY

Every backend then proves the same promises the guard relies on: one stable placeholder per value
per scope, numbering per name key from 1 without collisions, isolation between users and
namespaces, and working async twins. Requires pytest (a dev dependency, not a runtime one).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Sequence

from ..placeholders import PLACEHOLDER_RE, placeholder_key
from ..taxonomy import PrivacyLevel
from ..vault.base import Vault, VaultEntry, VaultItem

__all__ = ["VaultContractTests", "assert_consistent", "item", "key_of"]


def item(name: str, value: str, privacy_type: str | None = None, level: str = "PL2") -> VaultItem:
    """A VaultItem with defaults: type from the name, level PL2."""
    return VaultItem(
        name=name,
        value=value,
        privacy_type=privacy_type or name.replace("_", " "),
        level=PrivacyLevel(level),
    )


def key_of(placeholder: str) -> str:
    """The lookup key of a placeholder string (`<Phone_Number_1>` -> `phone_number_1`)."""
    match = PLACEHOLDER_RE.fullmatch(placeholder)
    assert match is not None, placeholder
    return placeholder_key(match.group("name"), match.group("num"))


class VaultContractTests:
    """Inherit this in a `Test...` class whose `vault` fixture returns an empty vault."""

    # -- assign ------------------------------------------------------------------------------

    def test_is_a_vault(self, vault: Vault) -> None:
        assert isinstance(vault, Vault)

    def test_first_placeholder_is_numbered_one(self, vault: Vault) -> None:
        assert vault.assign("u1", [item("Phone_Number", "+1 415 867 5309")]) == ["<Phone_Number_1>"]

    def test_empty_batch(self, vault: Vault) -> None:
        assert vault.assign("u1", []) == []

    def test_same_value_same_placeholder_across_calls(self, vault: Vault) -> None:
        first = vault.assign("u1", [item("Email", "a@example.com")])
        vault.assign("u1", [item("Email", "b@example.com")])
        assert vault.assign("u1", [item("Email", "a@example.com")]) == first

    def test_numbering_is_per_name_key(self, vault: Vault) -> None:
        out = vault.assign(
            "u1",
            [
                item("Phone_Number", "111"),
                item("Email", "x@example.com"),
                item("Phone_Number", "222"),
                item("Email", "y@example.com"),
            ],
        )
        assert out == ["<Phone_Number_1>", "<Email_1>", "<Phone_Number_2>", "<Email_2>"]
        assert vault.assign("u1", [item("Phone_Number", "333")]) == ["<Phone_Number_3>"]

    def test_names_with_same_key_share_one_sequence(self, vault: Vault) -> None:
        a = vault.assign("u1", [item("Phone_Number", "111")])
        b = vault.assign("u1", [item("phone_number", "222")])
        assert a == ["<Phone_Number_1>"]
        assert b == ["<phone_number_2>"]
        assert vault.lookup("u1", ["phone_number_1", "phone_number_2"]) == {
            "phone_number_1": "111",
            "phone_number_2": "222",
        }

    def test_existing_value_keeps_its_first_placeholder(self, vault: Vault) -> None:
        first = vault.assign("u1", [item("Real_Name", "Alice Smith")])
        again = vault.assign("u1", [item("Account_ID", "Alice Smith", level="PL3")])
        assert again == first == ["<Real_Name_1>"]
        assert vault.assign("u1", [item("Account_ID", "alice42")]) == ["<Account_ID_1>"]

    def test_duplicate_value_in_one_batch(self, vault: Vault) -> None:
        out = vault.assign(
            "u1", [item("Email", "a@example.com"), item("Email", "a@example.com"), item("Email", "b@x.io")]
        )
        assert out == ["<Email_1>", "<Email_1>", "<Email_2>"]
        assert len(vault.entries("u1")) == 2

    def test_values_are_exact(self, vault: Vault) -> None:
        out = vault.assign("u1", [item("Real_Name", "Alice"), item("Real_Name", "alice")])
        assert out == ["<Real_Name_1>", "<Real_Name_2>"]

    def test_unicode_and_long_values_round_trip(self, vault: Vault) -> None:
        values = ["张伟", "Zoë Ünïcødé 😀", "x" * 10_000, "line\nbreak\ttab"]
        out = vault.assign("u1", [item("Private", v) for v in values])
        found = vault.lookup("u1", [key_of(p) for p in out])
        assert sorted(found.values()) == sorted(values)

    # -- lookup --------------------------------------------------------------------------------

    def test_lookup_by_key(self, vault: Vault) -> None:
        vault.assign("u1", [item("Phone_Number", "111"), item("Email", "a@example.com")])
        assert vault.lookup("u1", ["phone_number_1", "email_1"]) == {
            "phone_number_1": "111",
            "email_1": "a@example.com",
        }

    def test_lookup_unknown_keys_are_absent(self, vault: Vault) -> None:
        vault.assign("u1", [item("Email", "a@example.com")])
        assert vault.lookup("u1", ["email_2", "phone_number_1", "email_1"]) == {"email_1": "a@example.com"}
        assert vault.lookup("u1", []) == {}
        assert vault.lookup("nobody", ["email_1"]) == {}

    # -- isolation ---------------------------------------------------------------------------

    def test_users_are_isolated(self, vault: Vault) -> None:
        assert vault.assign("alice", [item("Email", "alice@example.com")]) == ["<Email_1>"]
        assert vault.assign("bob", [item("Email", "bob@example.com")]) == ["<Email_1>"]
        assert vault.assign("bob", [item("Email", "alice@example.com")]) == ["<Email_2>"]
        assert vault.lookup("alice", ["email_1", "email_2"]) == {"email_1": "alice@example.com"}
        assert vault.lookup("bob", ["email_1", "email_2"]) == {
            "email_1": "bob@example.com",
            "email_2": "alice@example.com",
        }

    def test_namespaces_are_isolated(self, vault: Vault) -> None:
        assert vault.assign("u1", [item("Email", "a@example.com")]) == ["<Email_1>"]
        assert vault.assign("u1", [item("Email", "b@example.com")], namespace="work") == ["<Email_1>"]
        assert vault.lookup("u1", ["email_1"]) == {"email_1": "a@example.com"}
        assert vault.lookup("u1", ["email_1"], namespace="work") == {"email_1": "b@example.com"}
        assert vault.lookup("u1", ["email_1"], namespace="other") == {}

    def test_user_ids_that_concatenate_alike_stay_apart(self, vault: Vault) -> None:
        vault.assign("ab", [item("Email", "one@example.com")], namespace="c")
        vault.assign("a", [item("Email", "two@example.com")], namespace="bc")
        assert vault.lookup("ab", ["email_1"], namespace="c") == {"email_1": "one@example.com"}
        assert vault.lookup("a", ["email_1"], namespace="bc") == {"email_1": "two@example.com"}

    # -- entries and forget --------------------------------------------------------------------

    def test_entries(self, vault: Vault) -> None:
        vault.assign("u1", [item("Phone_Number", "111", "Phone Number", "PL2")])
        vault.assign("u1", [item("ID_Number", "X123", "ID Number", "PL3")], namespace="work")
        vault.assign("u2", [item("Email", "other@example.com")])
        everything = vault.entries("u1")
        assert [(e.placeholder, e.value, e.privacy_type, e.level, e.namespace) for e in everything] == [
            ("<Phone_Number_1>", "111", "Phone Number", PrivacyLevel.PL2, None),
            ("<ID_Number_1>", "X123", "ID Number", PrivacyLevel.PL3, "work"),
        ]
        assert all(isinstance(e, VaultEntry) and e.created_at > 0 for e in everything)
        work = vault.entries("u1", namespace="work")
        assert [e.placeholder for e in work] == ["<ID_Number_1>"]
        assert vault.entries("nobody") == []
        assert "X123" not in repr(work[0])

    def test_forget_one_namespace(self, vault: Vault) -> None:
        vault.assign("u1", [item("Email", "a@example.com"), item("Email", "b@example.com")])
        vault.assign("u1", [item("Email", "c@example.com")], namespace="work")
        assert vault.forget("u1", namespace="work") == 1
        assert vault.lookup("u1", ["email_1"], namespace="work") == {}
        assert len(vault.entries("u1")) == 2

    def test_forget_user(self, vault: Vault) -> None:
        vault.assign("u1", [item("Email", "a@example.com")])
        vault.assign("u1", [item("Email", "c@example.com")], namespace="work")
        vault.assign("u2", [item("Email", "z@example.com")])
        assert vault.forget("u1") == 2
        assert vault.entries("u1") == []
        assert vault.lookup("u1", ["email_1"]) == {}
        assert vault.lookup("u2", ["email_1"]) == {"email_1": "z@example.com"}
        assert vault.forget("u1") == 0
        assert vault.forget("nobody") == 0

    def test_a_forgotten_placeholder_never_comes_back_for_another_value(self, vault: Vault) -> None:
        # A placeholder may still sit in a cloud memory after its value is forgotten: it must
        # resolve to nothing, never to a value given later.
        first = vault.assign("u1", [item("Phone_Number", "+1 415 867 5309"), item("Email", "a@example.com")])
        vault.assign("u1", [item("Email", "w@example.com")], namespace="work")
        assert vault.forget("u1") == 3
        again = vault.assign("u1", [item("Phone_Number", "+1 212 555 0100"), item("Email", "b@example.com")])
        assert set(again).isdisjoint(first)
        assert vault.lookup("u1", [key_of(p) for p in first]) == {}
        assert vault.assign("u1", [item("Email", "v@example.com")], namespace="work") != ["<Email_1>"]
        vault.forget("u1", namespace="work")
        assert vault.assign("u1", [item("Email", "x@example.com")], namespace="work") != ["<Email_1>"]
        # Other users keep numbering from 1.
        assert vault.assign("u2", [item("Email", "z@example.com")]) == ["<Email_1>"]

    # -- concurrency ---------------------------------------------------------------------------

    def test_concurrent_threads_one_placeholder_per_value(self, vault: Vault) -> None:
        values = [f"value-{i}" for i in range(40)]
        results: list[dict[str, str]] = [{} for _ in range(8)]
        errors: list[BaseException] = []
        barrier = threading.Barrier(8)

        def work(n: int) -> None:
            try:
                barrier.wait()
                mine = values[n * 3 :] + values[: n * 3]  # overlapping, different orders
                for start in range(0, len(mine), 3):
                    batch = mine[start : start + 3]
                    placeholders = vault.assign("u1", [item("Secret", v) for v in batch])
                    results[n].update(zip(batch, placeholders, strict=True))
            except BaseException as exc:  # pragma: no cover - reported below
                errors.append(exc)

        threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert not errors
        assert all(r == results[0] for r in results)
        assert_consistent(results[0], values, "Secret")

    # -- async twins ---------------------------------------------------------------------------

    def test_async_twins(self, vault: Vault) -> None:
        async def run() -> None:
            out = await vault.aassign("u1", [item("Email", "a@example.com")], namespace="ns")
            assert out == ["<Email_1>"]
            assert await vault.alookup("u1", ["email_1"], namespace="ns") == {"email_1": "a@example.com"}
            assert [e.value for e in await vault.aentries("u1")] == ["a@example.com"]
            assert await vault.aforget("u1") == 1
            assert await vault.aentries("u1") == []

        asyncio.run(run())


def assert_consistent(assigned: dict[str, str], values: Sequence[str], name: str) -> None:
    """Every value has one placeholder, and the numbers are exactly 1..N."""
    assert set(assigned) == set(values)
    numbers = sorted(int(p.rsplit("_", 1)[1].rstrip(">")) for p in assigned.values())
    assert numbers == list(range(1, len(values) + 1))
    assert all(p.startswith(f"<{name}_") for p in assigned.values())
