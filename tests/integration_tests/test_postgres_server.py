"""The throwaway PostgreSQL harness the tests rely on: fresh databases, restarts and crashes that keep
committed data and the address, and a missing server that fails under CI instead of skipping."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from postgres_server import PostgresServer, _alive, find_bindir, postgres_unavailable

psycopg = pytest.importorskip("psycopg")


def test_fresh_databases_are_empty_and_apart(postgres_database: str, postgres_dsn: str) -> None:
    with psycopg.connect(postgres_database, autocommit=True) as conn:
        conn.execute("CREATE TABLE t (x int)")
        tables = conn.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").fetchone()
    assert tables == (1,)
    with psycopg.connect(postgres_dsn) as conn:
        assert conn.execute("SHOW fsync").fetchone() == ("on",)
        assert conn.execute("SHOW synchronous_commit").fetchone() == ("on",)


def test_restart_and_crash_keep_committed_rows_and_the_port(fresh_postgres_server: PostgresServer) -> None:
    server = fresh_postgres_server
    dsn, port = server.create_database(), server.port
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("CREATE TABLE t (x int)")
        conn.execute("INSERT INTO t VALUES (1)")
    server.restart()
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("INSERT INTO t VALUES (2)")
        held = psycopg.connect(dsn)
        held.execute("INSERT INTO t VALUES (3)")  # never committed
    server.crash()
    assert not server.is_running()
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(dsn, connect_timeout=2)
    server.start()
    assert server.port == port
    with psycopg.connect(dsn) as conn:
        assert conn.execute("SELECT x FROM t ORDER BY x").fetchall() == [(1,), (2,)]
    held.close()


def test_a_missing_server_skips_locally_and_fails_under_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="no PostgreSQL server"):
        postgres_unavailable("not here")
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="required under CI"):
        postgres_unavailable("not here")


def test_a_server_whose_owner_is_killed_goes_away() -> None:
    """kill -9 of the process that started a server (a timeout, a crashed worker) stops the server
    and removes its files: no server outlives its tests."""
    if find_bindir() is None:
        postgres_unavailable("PostgreSQL binaries not found")
    code = (
        "import sys, time; sys.path.insert(0, sys.argv[1]); from postgres_server import PostgresServer; "
        "s = PostgresServer(); s.start(); print(s.base, s.pid(), flush=True); time.sleep(600)"
    )
    owner = subprocess.Popen(
        [sys.executable, "-c", code, str(Path(__file__).resolve().parents[1])],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert owner.stdout is not None
    base, pid = owner.stdout.readline().split()
    assert _alive(int(pid))
    os.kill(owner.pid, signal.SIGKILL)
    owner.wait()
    deadline = time.monotonic() + 120
    while (Path(base).exists() or _alive(int(pid))) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not _alive(int(pid))
    assert not Path(base).exists()
