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
                    user, index, placeholder = line.decode().split("\t")
                    self.handed_out.setdefault((user, int(index)), set()).add(placeholder)
                    lines += 1
        return lines

    def kill_one(self, rng: random.Random) -> None:
        proc = rng.choice(self.procs)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        self.read(0.01)  # what it printed before it died was handed out
        with_out = proc.stdout
        if with_out is not None:
            with contextlib.suppress(KeyError, ValueError):
                self.selector.unregister(with_out)
            with_out.close()
        self.procs.remove(proc)

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
        assert writers.read(3.0) > 0, "the writers handed nothing out"
        for _ in range(KILLS):
            writers.read(rng.uniform(0.0, 0.15))
            writers.kill_one(rng)
            writers.start()
        writers.read(0.5)
    finally:
        writers.stop()
    check()
    return writers.handed_out


def assert_nothing_lost(vault: Any, handed_out: dict[tuple[str, int], set[str]]) -> None:
    assert len(handed_out) > 100
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
