"""kill -9 of vault writers mid-transaction, many times: no mapping that was handed out is lost.

Four writer processes (vault_writer.py) assign overlapping values for the same users; the test
reads every placeholder they print (printed only after `assign` returned: handed out) and kills one
writer with SIGKILL at a random moment, again and again, starting a new one each time. Afterwards:
the storage passes its integrity check, every placeholder handed out resolves to its value, each
value has exactly one placeholder and no number was given twice.
"""

from __future__ import annotations

import contextlib
import os
import random
import selectors
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from vault_writer import USERS, open_vault, value_of

from memprivacy_plugin.testing import key_of
from memprivacy_plugin.vault import generate_key

WRITER = Path(__file__).with_name("vault_writer.py")
KILLS = 50
WRITERS = 4

pytestmark = pytest.mark.xdist_group("vault-crashes")


class Writers:
    """Writer processes and everything they handed out."""

    def __init__(self, backend: str, target: str, key: str) -> None:
        self.args = [sys.executable, str(WRITER), backend, target, key]
        self.selector = selectors.DefaultSelector()
        self.procs: list[subprocess.Popen[bytes]] = []
        self.buffers: dict[int, bytes] = {}
        self.handed_out: dict[tuple[str, int], set[str]] = {}
        self.seed = 0
        self.errors = 0
        self.working: dict[int, int] = {}  # pid -> lines it printed
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join([str(WRITER.parent), *sys.path])
        self.env = env

    def start(self) -> None:
        self.seed += 1
        proc = subprocess.Popen([*self.args, str(self.seed)], stdout=subprocess.PIPE, env=self.env)
        assert proc.stdout is not None
        os.set_blocking(proc.stdout.fileno(), False)
        self.selector.register(proc.stdout, selectors.EVENT_READ, proc)
        self.buffers[proc.pid] = b""
        self.working[proc.pid] = 0
        self.procs.append(proc)

    def read(self, seconds: float) -> int:
        """Read what the writers printed for about `seconds`; the lines read."""
        lines = 0
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            for event, _ in self.selector.select(timeout=left):
                proc = event.data
                chunk = os.read(event.fd, 65536)
                if not chunk:
                    self.selector.unregister(event.fileobj)
                    continue
                data = self.buffers[proc.pid] + chunk
                *complete, self.buffers[proc.pid] = data.split(b"\n")
                for line in complete:
                    if line == b"!":
                        self.errors += 1
                        continue
                    user, index, placeholder = line.decode().split("\t")
                    self.handed_out.setdefault((user, int(index)), set()).add(placeholder)
                    self.working[proc.pid] += 1
                    lines += 1
        return lines

    def read_some(self, patience: float = 120.0) -> int:
        """Read until the writers hand something out (they start slowly on a loaded machine); the
        lines read. `patience` only bounds a hang: the test never depends on speed."""
        deadline = time.monotonic() + patience
        lines = 0
        while lines == 0 and time.monotonic() < deadline:
            lines += self.read(0.2)
        return lines

    def read_until_an_error(self, patience: float = 120.0) -> bool:
        """Read until some writer reports a failed call (the database is away); whether one did."""
        deadline, before = time.monotonic() + patience, self.errors
        while self.errors == before and time.monotonic() < deadline:
            self.read(0.2)
        return self.errors > before

    def kill_one(self, rng: random.Random, patience: float = 120.0) -> bool:
        """SIGKILL a writer that is at work (it has handed something out, so it is in its loop of
        transactions, not still starting), whichever that is."""
        deadline = time.monotonic() + patience
        while not (busy := [p for p in self.procs if self.working[p.pid]]) and time.monotonic() < deadline:
            self.read(0.1)
        proc = rng.choice(busy or self.procs)
        was_working = bool(busy)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        self.read(0.01)  # what it printed before it died was handed out
        with_out = proc.stdout
        if with_out is not None:
            with contextlib.suppress(KeyError, ValueError):
                self.selector.unregister(with_out)
            with_out.close()
        self.procs.remove(proc)
        return was_working

    def stop(self) -> None:
        for proc in self.procs:
            proc.kill()
            proc.wait()
            if proc.stdout is not None:
                proc.stdout.close()
        self.procs.clear()


def run_kills(
    backend: str, target: str, key: str, check: Callable[[], None]
) -> dict[tuple[str, int], set[str]]:
    rng = random.Random(12)
    writers = Writers(backend, target, key)
    try:
        for _ in range(WRITERS):
            writers.start()
        assert writers.read_some() > 0, "the writers handed nothing out"
        at_work = 0
        for _ in range(KILLS):
            writers.read(rng.uniform(0.0, 0.15))
            at_work += writers.kill_one(rng)
            writers.start()
        writers.read(0.5)
    finally:
        writers.stop()
    assert at_work == KILLS  # every kill hit a writer in its loop of transactions
    check()
    return writers.handed_out


def assert_nothing_lost(vault: Any, handed_out: dict[tuple[str, int], set[str]]) -> None:
    assert handed_out, "nothing was handed out"
    for placeholders in handed_out.values():
        assert len(placeholders) == 1, "a value was handed out under two placeholders"
    for user in USERS:
        mine = {i: p.pop() for (u, i), p in handed_out.items() if u == user}
        keys = {key_of(p): i for i, p in mine.items()}
        assert len(keys) == len(mine), "one number was given to two values"
        found = vault.lookup(user, list(keys))
        assert found == {k: value_of(user, i) for k, i in keys.items()}
        entries = vault.entries(user)
        assert len({e.placeholder for e in entries}) == len(entries)
        assert len({e.value for e in entries}) == len(entries)


def test_sqlite_writers_killed_mid_transaction(tmp_path: Path) -> None:
    path, key = tmp_path / "vault.sqlite3", generate_key()
    open_vault("sqlite", str(path), key).close()

    def integrity() -> None:
        with sqlite3.connect(path) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]

    handed_out = run_kills("sqlite", str(path), key, integrity)
    vault = open_vault("sqlite", str(path), key)
    assert_nothing_lost(vault, handed_out)
    vault.close()


def test_postgres_writers_killed_mid_transaction(postgres_database: str) -> None:
    pytest.importorskip("psycopg_pool")
    import psycopg

    key, target = generate_key(), f"{postgres_database}|memprivacy"
    open_vault("postgres", target, key).close()  # the schema, made once

    def integrity() -> None:
        # A killed client's transaction is rolled back by the server: nothing is left half-done or
        # locked, and the tables' constraints hold (checked again here, not only on insert).
        with psycopg.connect(postgres_database) as conn:
            active = conn.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                " AND state LIKE 'idle in transaction%'"
            ).fetchone()
            assert active is not None
            assert active[0] == 0
            for table in ("entries",):
                dup = conn.execute(
                    f"SELECT count(*) FROM (SELECT scope, name_key, number FROM memprivacy.{table}"
                    " GROUP BY 1, 2, 3 HAVING count(*) > 1) d"
                ).fetchone()
                assert dup == (0,)

    handed_out = run_kills("postgres", target, key, integrity)
    vault = open_vault("postgres", target, key)
    assert_nothing_lost(vault, handed_out)
    vault.close()


def test_postgres_restarted_and_crashed_under_load(fresh_postgres_server: Any) -> None:
    """The server stops (fast), then is killed -9 as by a power cut, while writers run: calls fail
    loudly with VaultError while it is away, go on once it is back, and every mapping handed out
    before, between and after survives crash recovery. The guard fails closed meanwhile."""
    pytest.importorskip("psycopg_pool")
    from memprivacy_plugin import PrivacyGuard
    from memprivacy_plugin.errors import VaultError

    server = fresh_postgres_server
    key, target = generate_key(), f"{server.dsn}|memprivacy"
    guard = PrivacyGuard(vault=open_vault("postgres", target, key))
    writers = Writers("postgres", target, key)
    try:
        for _ in range(3):
            writers.start()
        assert writers.read_some() > 0
        server.stop("fast")
        with pytest.raises(VaultError) as failed:
            guard.protect("Call me on +1 415 867 5309", user_id="dana")
        assert "867" not in str(failed.value)
        assert writers.read_until_an_error(), "the writers did not notice the server stop"
        server.start()
        assert writers.read_some() > 0, "the writers did not come back after a restart"
        server.crash()
        assert writers.read_until_an_error(), "the writers did not notice the crash"
        server.start()
        assert writers.read_some() > 0, "the writers did not come back after a crash"
    finally:
        writers.stop()
    assert guard.protect("Call me on +1 415 867 5309", user_id="dana").text == "Call me on <Phone_Number_1>"
    guard.close()
    vault = open_vault("postgres", target, key)
    assert_nothing_lost(vault, writers.handed_out)
    vault.close()
