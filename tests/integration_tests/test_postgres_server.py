"""The throwaway PostgreSQL harness the tests rely on: fresh databases, restarts and crashes that keep
committed data and the address, and a missing server that fails under CI instead of skipping."""

from __future__ import annotations

import pytest
from postgres_server import PostgresServer, postgres_unavailable

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
