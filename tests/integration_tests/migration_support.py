"""Helpers for the store migration tests (issue 14), importable by worker processes (spawned with
the test's `sys.path`) and runnable as the process the kill tests SIGKILL:

    python migration_support.py STORE VAULT CHECKPOINT BATCH [WORKERS]

migrates the SqliteStore file STORE with the SQLite vault VAULT (key file beside it), resumably
through CHECKPOINT, `namespace_user_index` 0, and prints the report as JSON. With
`MIGRATION_SLOW_WRITES` set (seconds), every write to the store waits that long first, so a kill
lands mid-run on any machine.
"""

from __future__ import annotations

import functools
import hashlib
import os
import re
import sqlite3
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

DIMS = 64
USERS = ("alice", "bob", "chen")


def embed(texts: list[str]) -> list[list[float]]:
    """A deterministic bag-of-words embedding (hashed words), so searches rank the same anywhere."""
    out = []
    for text in texts:
        vec = [0.0] * DIMS
        for word in re.findall(r"\w+", text.lower()):
            vec[int(hashlib.blake2b(word.encode(), digest_size=4).hexdigest(), 16) % DIMS] += 1.0
        norm = sum(v * v for v in vec) ** 0.5 or 1.0
        out.append([v / norm for v in vec])
    return out


INDEX = {"dims": DIMS, "embed": embed, "fields": ["text"]}
INDEX_SPEC = {"dims": DIMS, "embed": "migration_support:embed", "fields": ["text"]}


def private_values(user: str, i: int) -> dict[str, str]:
    """Distinct private values of one item (each found by the default rule extractor)."""
    n = USERS.index(user) * 1000 + i
    return {
        "phone": f"415-555-{2000 + n:04d}",
        "email": f"{user}.w{n}@gmail.com",
        "password": f"Zq{n}x!Blue-{user}",
        "iban": "DE89 3704 0044 0532 0130 00" if n == 1 else "",
    }


def memories(per_user: int = 6) -> list[tuple[tuple[str, ...], str, dict[str, Any]]]:
    """(namespace, key, value) of a store filled in clear: private values, plain items, nesting."""
    out: list[tuple[tuple[str, ...], str, dict[str, Any]]] = []
    for user in USERS:
        ns = (user, "memories")
        for i in range(per_user):
            v = private_values(user, i)
            kind = i % 3
            if kind == 0:
                text = f"Call me at {v['phone']} after work"
            elif kind == 1:
                text = f"My email is {v['email']} and my password is {v['password']}"
            else:
                text = f"I like hiking in the Alps, item {i}"
            value: dict[str, Any] = {"text": text, "kind": "fact", "n": i}
            if i == 1 and v["iban"]:
                value["extra"] = {"notes": [f"My IBAN is {v['iban']}"]}
            out.append((ns, f"m{i:03d}", value))
    return out


def secrets_in(data: list[tuple[tuple[str, ...], str, dict[str, Any]]]) -> list[str]:
    """The private values the data holds (what must be in no file afterwards)."""
    found: list[str] = []
    for ns, key, value in data:
        text = repr(value)
        found += [
            s for s in private_values(ns[0], int(key[1:])).values() if s and s in text and s not in found
        ]
    return found


def sqlite_store(path: str | os.PathLike[str], index: Any = None) -> Any:
    from langgraph.store.sqlite import SqliteStore

    conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False, timeout=60)
    store = SqliteStore(conn, index=index)
    store.setup()
    return store


def fill(store: Any, data: list[tuple[tuple[str, ...], str, dict[str, Any]]]) -> None:
    for ns, key, value in data:
        store.put(ns, key, value)


def make_guard(vault_path: str) -> Any:
    """The guard of the app: the default rule extractor and policy, a SQLite vault (key file beside
    it). Module-level, so worker processes can make their own."""
    from memprivacy_plugin import PrivacyGuard, SQLiteVault

    return PrivacyGuard(vault=SQLiteVault(vault_path), warn_coverage=False)


def guard_opener(vault_path: str | os.PathLike[str]) -> Any:
    return functools.partial(make_guard, str(vault_path))


def store_rows(path: str | os.PathLike[str]) -> list[tuple[Any, ...]]:
    """Every row of a SqliteStore file's `store` table (namespace, key, value JSON), sorted."""
    conn = sqlite3.connect(str(path))
    try:
        return sorted(conn.execute("SELECT prefix, key, value FROM store").fetchall())
    finally:
        conn.close()


def vault_map(vault_path: str | os.PathLike[str], users: tuple[str, ...] = USERS) -> dict[str, list[Any]]:
    """user -> [(placeholder, value, type)] in the vault, in creation order."""
    from memprivacy_plugin import SQLiteVault

    with SQLiteVault(vault_path) as vault:
        return {u: [(e.placeholder, e.value, e.privacy_type) for e in vault.entries(u)] for u in users}


def files_of(*paths: str | os.PathLike[str]) -> Iterator[Path]:
    """Each file a SQLite database may use (main, WAL, shared memory, rollback journal)."""
    for path in paths:
        for suffix in ("", "-wal", "-shm", "-journal"):
            p = Path(str(path) + suffix)
            if p.exists():
                yield p


@contextmanager
def _slowed(store: Any, delay: float) -> Iterator[Any]:
    from langgraph.store.base import PutOp

    batch = store.batch

    def slow_batch(ops: Any) -> Any:
        ops = list(ops)
        if delay and any(isinstance(op, PutOp) for op in ops):
            time.sleep(delay)
        return batch(ops)

    store.batch = slow_batch
    try:
        yield store
    finally:
        store.batch = batch


def main() -> None:
    store_path, vault_path, checkpoint, batch = sys.argv[1:5]
    workers = int(sys.argv[5]) if len(sys.argv) > 5 else 1
    from memprivacy_plugin.migration import SqliteSource, migrate_store

    delay = float(os.environ.get("MIGRATION_SLOW_WRITES", "0") or 0)
    if workers > 1:
        report = migrate_store(
            SqliteSource(store_path),
            guard_opener(vault_path),
            user_of=0,
            batch_size=int(batch),
            workers=workers,
            checkpoint=checkpoint,
        )
    else:
        store = sqlite_store(store_path)
        guard = make_guard(vault_path)
        with _slowed(store, delay):
            report = migrate_store(store, guard, user_of=0, batch_size=int(batch), checkpoint=checkpoint)
    print(report.to_json(), flush=True)


if __name__ == "__main__":
    main()
