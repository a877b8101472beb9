"""SQLite vault specifics: keys, persistence, what reaches the disk, threads and processes."""

from __future__ import annotations

import base64
import multiprocessing
import os
import sqlite3
import stat
import sys
import threading
from pathlib import Path
from typing import Any

import pytest

from memprivacy_plugin.errors import ConfigError, VaultError, VaultKeyError
from memprivacy_plugin.testing import assert_consistent, item
from memprivacy_plugin.vault import KEY_ENV, SQLiteVault, default_vault_path, generate_key

posix_only = pytest.mark.skipif(sys.platform == "win32", reason="POSIX file modes")


@pytest.fixture(autouse=True)
def _no_env_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(KEY_ENV, raising=False)


def test_generate_key_is_32_urlsafe_bytes() -> None:
    key = generate_key()
    assert len(base64.urlsafe_b64decode(key)) == 32
    assert generate_key() != key


def test_persists_across_reopen_with_default_key_file(tmp_path: Path) -> None:
    db = tmp_path / "v.sqlite3"
    with SQLiteVault(db) as v:
        assert v.assign("u1", [item("Email", "a@example.com")]) == ["<Email_1>"]
    assert (tmp_path / "v.sqlite3.key").exists()
    with SQLiteVault(db) as v:
        assert v.assign("u1", [item("Email", "a@example.com")]) == ["<Email_1>"]
        assert v.assign("u1", [item("Email", "b@example.com")]) == ["<Email_2>"]
        assert v.lookup("u1", ["email_1"]) == {"email_1": "a@example.com"}


@posix_only
def test_file_modes(tmp_path: Path) -> None:
    db = tmp_path / "new" / "dir" / "v.sqlite3"
    SQLiteVault(db).close()
    assert stat.S_IMODE(os.stat(db.parent).st_mode) == 0o700
    assert stat.S_IMODE(os.stat(str(db) + ".key").st_mode) == 0o600
    assert stat.S_IMODE(os.stat(db).st_mode) == 0o600


@posix_only
def test_readable_key_file_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "v.sqlite3"
    SQLiteVault(db).close()
    os.chmod(str(db) + ".key", 0o644)
    with pytest.raises(VaultKeyError, match="chmod 600"):
        SQLiteVault(db)


def test_wrong_key(tmp_path: Path) -> None:
    db = tmp_path / "v.sqlite3"
    SQLiteVault(db, key=generate_key()).close()
    with pytest.raises(VaultKeyError) as info:
        SQLiteVault(db, key=generate_key())
    assert str(info.value) == "the vault key does not match the key this vault was created with"


def test_missing_key_file_of_existing_vault_is_not_replaced(tmp_path: Path) -> None:
    db = tmp_path / "v.sqlite3"
    SQLiteVault(db).close()
    os.remove(str(db) + ".key")
    with pytest.raises(VaultKeyError, match=r"key file .* is missing"):
        SQLiteVault(db)
    assert not Path(str(db) + ".key").exists()


@pytest.mark.parametrize("bad", ["not a key", "c2hvcnQ=", b"short", "A" * 43 + "!", b"\xff" * 44])
def test_malformed_key(tmp_path: Path, bad: str | bytes) -> None:
    with pytest.raises(VaultKeyError) as info:
        SQLiteVault(tmp_path / "v.sqlite3", key=bad)
    message = str(info.value)
    assert "\n" not in message
    assert (bad if isinstance(bad, str) else repr(bad)) not in message


def test_raw_bytes_and_standard_base64_keys(tmp_path: Path) -> None:
    raw = os.urandom(32)
    SQLiteVault(tmp_path / "v.sqlite3", key=raw).close()
    SQLiteVault(tmp_path / "v.sqlite3", key=base64.b64encode(raw).decode()).close()
    SQLiteVault(tmp_path / "v.sqlite3", key=base64.urlsafe_b64encode(raw).decode().rstrip("=")).close()


def test_env_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    key = generate_key()
    monkeypatch.setenv(KEY_ENV, key)
    db = tmp_path / "v.sqlite3"
    with SQLiteVault(db) as v:
        v.assign("u1", [item("Email", "a@example.com")])
    assert not Path(str(db) + ".key").exists()
    with SQLiteVault(db, key=key) as v:
        assert v.lookup("u1", ["email_1"]) == {"email_1": "a@example.com"}
    monkeypatch.setenv(KEY_ENV, "garbage")
    with pytest.raises(VaultKeyError, match=KEY_ENV):
        SQLiteVault(db)


def test_explicit_key_file(tmp_path: Path) -> None:
    key_file = tmp_path / "my.key"
    key_file.write_text(generate_key() + "\n")
    key_file.chmod(0o600)
    with SQLiteVault(tmp_path / "v.sqlite3", key_file=key_file) as v:
        v.assign("u1", [item("Email", "a@example.com")])
    with pytest.raises(ConfigError):
        SQLiteVault(tmp_path / "v.sqlite3", key=generate_key(), key_file=key_file)


def test_default_path_from_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MEMPRIVACY_DATA_DIR", str(tmp_path / "data"))
    assert default_vault_path() == tmp_path / "data" / "vault.sqlite3"
    with SQLiteVault() as v:
        assert v.path == tmp_path / "data" / "vault.sqlite3"
    assert v.path.exists()


def test_nothing_private_on_disk(tmp_path: Path) -> None:
    db = tmp_path / "v.sqlite3"
    user = "user-7f3a-private-id"
    values = ["+1 415 867 5309", "alice.smith@example.com", "Alice Smith", "4111111111111111"]
    with SQLiteVault(db, key=generate_key()) as v:
        v.assign(user, [item("Private", value) for value in values], namespace="memories")
        raw_wal = Path(str(db) + "-wal").read_bytes()
        v._db().execute("PRAGMA wal_checkpoint(TRUNCATE)")
    blobs = [db.read_bytes(), raw_wal]
    blobs += [p.read_bytes() for p in tmp_path.iterdir() if p.name != db.name]
    for secret in [user, *values]:
        for blob in blobs:
            assert secret.encode() not in blob
            assert secret.encode("utf-16-le") not in blob
    assert b"memories" in blobs[0] or b"memories" in raw_wal  # namespaces are clear, by design


def test_swapped_ciphertexts_fail_authentication(tmp_path: Path) -> None:
    db = tmp_path / "v.sqlite3"
    key = generate_key()
    with SQLiteVault(db, key=key) as v:
        v.assign("u1", [item("Email", "a@example.com"), item("Email", "b@example.com")])
    conn = sqlite3.connect(db)
    rows = conn.execute("SELECT id, value_ct FROM entries ORDER BY id").fetchall()
    conn.execute("UPDATE entries SET value_ct = ? WHERE id = ?", (rows[1][1], rows[0][0]))
    conn.commit()
    conn.close()
    with SQLiteVault(db, key=key) as v:
        assert v.lookup("u1", ["email_2"]) == {"email_2": "b@example.com"}
        with pytest.raises(VaultError, match="failed authentication"):
            v.lookup("u1", ["email_1"])


def test_closed_vault(tmp_path: Path) -> None:
    v = SQLiteVault(tmp_path / "v.sqlite3", key=generate_key())
    v.close()
    v.close()
    with pytest.raises(VaultError, match="closed"):
        v.lookup("u1", ["email_1"])


VALUES = [f"shared-value-{i:02d}" for i in range(60)]


def _assign_all(db: str, key: str, offset: int) -> dict[str, str]:
    """Assign every value (rotated by offset) in batches of 3 through a vault of its own."""
    mine = VALUES[offset:] + VALUES[:offset]
    out: dict[str, str] = {}
    with SQLiteVault(db, key=key) as v:
        for start in range(0, len(mine), 3):
            batch = mine[start : start + 3]
            out.update(zip(batch, v.assign("u1", [item("Secret", x) for x in batch]), strict=True))
    return out


def _process_worker(db: str, key: str, offset: int, barrier: Any, queue: Any) -> None:
    barrier.wait()  # start together, so the transactions really contend
    queue.put(_assign_all(db, key, offset))


def test_threads_with_separate_connections(tmp_path: Path) -> None:
    db, key = str(tmp_path / "v.sqlite3"), generate_key()
    SQLiteVault(db, key=key).close()
    results: list[dict[str, str]] = [{} for _ in range(8)]
    barrier = threading.Barrier(8)

    def work(n: int) -> None:
        barrier.wait()
        results[n] = _assign_all(db, key, n * 7)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(r == results[0] for r in results)
    assert_consistent(results[0], VALUES, "Secret")


def test_processes_share_one_file(tmp_path: Path) -> None:
    db, key = str(tmp_path / "v.sqlite3"), generate_key()
    SQLiteVault(db, key=key).close()
    ctx = multiprocessing.get_context("spawn")
    barrier, queue = ctx.Barrier(4), ctx.Queue()
    procs = [ctx.Process(target=_process_worker, args=(db, key, n * 15, barrier, queue)) for n in range(4)]
    for p in procs:
        p.start()
    results = [queue.get(timeout=30) for _ in procs]
    for p in procs:
        p.join(timeout=60)
        assert p.exitcode == 0
    assert all(r == results[0] for r in results)
    assert_consistent(results[0], VALUES, "Secret")
    with SQLiteVault(db, key=key) as v:
        assert len(v.entries("u1")) == len(VALUES)
