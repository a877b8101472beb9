"""Versioned keys on the SQLite vault: the key contract, files made before key ids, durability settings."""

from __future__ import annotations

import sqlite3
import struct
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from memprivacy_plugin.errors import ConfigError, VaultKeyError
from memprivacy_plugin.testing import CountingKeyProvider, KeyRotationContractTests, item, key_of
from memprivacy_plugin.vault import KEY_ENV, SQLiteVault, generate_key
from memprivacy_plugin.vault.crypto import VaultCrypto, decode_key
from memprivacy_plugin.vault.keys import Keyring, LocalKeyProvider


@pytest.fixture(autouse=True)
def _no_env_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(KEY_ENV, raising=False)


class TestSQLiteVaultKeys(KeyRotationContractTests):
    @pytest.fixture
    def open_vault(self, tmp_path: Path) -> Callable[[Any], SQLiteVault]:
        return lambda provider: SQLiteVault(tmp_path / "vault.sqlite3", key_provider=provider)


def _lp(text: str) -> bytes:
    data = text.encode()
    return struct.pack(">I", len(data)) + data


def write_v1_file(path: Path, key: str, user: str, values: list[str]) -> None:
    """A vault file as release 1 wrote it: no key ids, the master key used directly."""
    crypto = VaultCrypto(decode_key(key))
    conn = sqlite3.connect(path)
    conn.executescript(
        """
        CREATE TABLE meta (k TEXT PRIMARY KEY, v BLOB NOT NULL);
        CREATE TABLE entries (id INTEGER PRIMARY KEY, scope BLOB NOT NULL, user_hash BLOB NOT NULL,
            namespace TEXT, value_hash BLOB NOT NULL, name TEXT NOT NULL, name_key TEXT NOT NULL,
            number INTEGER NOT NULL, pkey TEXT NOT NULL, privacy_type TEXT NOT NULL, level TEXT NOT NULL,
            value_ct BLOB NOT NULL, created_at REAL NOT NULL, UNIQUE (scope, value_hash),
            UNIQUE (scope, name_key, number), UNIQUE (scope, pkey));
        """
    )
    conn.execute("INSERT INTO meta VALUES ('schema_version', ?), ('key_check', ?)", (b"1", crypto.key_check))
    scope = crypto.mac(b"scope\x00" + _lp(user) + b"\x00")
    for n, value in enumerate(values, 1):
        pkey = f"phone_number_{n}"
        conn.execute(
            "INSERT INTO entries (scope, user_hash, namespace, value_hash, name, name_key, number, pkey,"
            " privacy_type, level, value_ct, created_at) VALUES (?, ?, NULL, ?, 'Phone_Number',"
            " 'phone_number', ?, ?, 'Phone Number', 'PL2', ?, ?)",
            (
                scope,
                crypto.mac(b"user\x00" + _lp(user)),
                crypto.mac(b"value\x00" + scope + value.encode()),
                n,
                pkey,
                crypto.encrypt(value.encode(), scope + pkey.encode()),
                time.time(),
            ),
        )
    conn.commit()
    conn.close()


def test_a_file_from_before_key_ids_is_upgraded_in_place(tmp_path: Path) -> None:
    path, key = tmp_path / "vault.sqlite3", generate_key()
    values = ["+1 415 555 0101", "+1 415 555 0102"]
    write_v1_file(path, key, "u1", values)
    with pytest.raises(VaultKeyError):  # a wrong key neither opens nor upgrades it
        SQLiteVault(path, key=generate_key())
    with SQLiteVault(path, key=key) as vault:
        assert vault.lookup("u1", ["phone_number_1", "phone_number_2"]) == {
            "phone_number_1": values[0],
            "phone_number_2": values[1],
        }
        # the same value keeps its placeholder (the keyed hashes did not change); numbering goes on
        assert vault.assign(
            "u1", [item("Phone_Number", values[1]), item("Phone_Number", "+1 415 555 0103")]
        ) == [
            "<Phone_Number_2>",
            "<Phone_Number_3>",
        ]
        assert vault.key_usage() == {1: 3}
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT v FROM meta WHERE k = 'schema_version'").fetchone()[0] == b"2"
        assert conn.execute("SELECT COUNT(*) FROM meta WHERE k = 'key_check'").fetchone()[0] == 0
    with SQLiteVault(path, key=key) as vault:  # and it opens again as a v2 file, floors included
        assert vault.lookup("u1", ["phone_number_3"]) == {"phone_number_3": "+1 415 555 0103"}
        vault.forget("u1")
        assert vault.assign("u1", [item("Phone_Number", values[0])]) == ["<Phone_Number_4>"]


def test_a_newer_schema_is_refused(tmp_path: Path) -> None:
    path, key = tmp_path / "vault.sqlite3", generate_key()
    SQLiteVault(path, key=key).close()
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE meta SET v = ? WHERE k = 'schema_version'", (b"99",))
    with pytest.raises(Exception, match="unknown schema version"):
        SQLiteVault(path, key=key)


def test_the_local_key_file_is_the_default_provider(tmp_path: Path) -> None:
    path = tmp_path / "vault.sqlite3"
    with SQLiteVault(path) as vault:
        vault.assign("u1", [item("Email", "a@example.com")])
    provider = LocalKeyProvider((tmp_path / "vault.sqlite3.key").read_text())
    with SQLiteVault(path, key_provider=provider) as vault:
        assert vault.lookup("u1", ["email_1"]) == {"email_1": "a@example.com"}


def test_key_provider_excludes_key_arguments(tmp_path: Path) -> None:
    with pytest.raises(ConfigError):
        SQLiteVault(tmp_path / "v.sqlite3", key=generate_key(), key_provider=CountingKeyProvider())


def test_ciphertexts_carry_the_key_id(tmp_path: Path) -> None:
    with SQLiteVault(tmp_path / "v.sqlite3", key=generate_key()) as vault:
        vault.assign("u1", [item("Email", "a@example.com")])
        vault.rotate_key()
        vault.assign("u1", [item("Email", "b@example.com")])
    with sqlite3.connect(tmp_path / "v.sqlite3") as conn:
        blobs = [bytes(b) for (b,) in conn.execute("SELECT value_ct FROM entries ORDER BY id")]
    assert [Keyring.key_id_of(b) for b in blobs] == [1, 2]


def test_nothing_private_in_the_file_after_rotation(tmp_path: Path) -> None:
    path = tmp_path / "v.sqlite3"
    with SQLiteVault(path, key_provider=CountingKeyProvider()) as vault:
        vault.assign("alice", [item("Email", "alice.secret@example.com")])
        vault.rotate_key(CountingKeyProvider("kms:2"))
        vault.reencrypt()
    data = b"".join(p.read_bytes() for p in tmp_path.iterdir())
    assert b"alice" not in data  # neither the value nor the user id


@pytest.mark.parametrize(("option", "expected"), [("FULL", 2), ("NORMAL", 1), ("normal", 1)])
def test_synchronous_is_full_unless_asked(tmp_path: Path, option: str, expected: int) -> None:
    with SQLiteVault(tmp_path / "v.sqlite3", key=generate_key(), synchronous=option) as vault:
        assert vault._db().execute("PRAGMA synchronous").fetchone()[0] == expected
    with SQLiteVault(tmp_path / "w.sqlite3", key=generate_key()) as vault:
        assert vault._db().execute("PRAGMA synchronous").fetchone()[0] == 2


def test_synchronous_off_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError):
        SQLiteVault(tmp_path / "v.sqlite3", key=generate_key(), synchronous="OFF")


def test_key_of_helper_round_trip() -> None:
    assert key_of("<Phone_Number_3>") == "phone_number_3"
