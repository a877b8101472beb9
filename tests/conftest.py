"""Fixtures shared across test folders."""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from postgres_server import DSN_ENV as POSTGRES_DSN_ENV
from postgres_server import (
    PostgresServer,
    PostgresServerError,
    create_database,
    drop_database,
    postgres_unavailable,
)


@pytest.fixture(scope="session")
def tiny_qwen3(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny random-weight Qwen3 chat model with its own BPE tokenizer, built once per session."""
    pytest.importorskip("torch")
    pytest.importorskip("transformers")
    from testing_models import build_tiny_qwen3

    return build_tiny_qwen3(tmp_path_factory.mktemp("models") / "tiny-qwen3")


def _cpu_seconds(run: Callable[[], object], repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.process_time()
        run()
        best = min(best, time.process_time() - started)
    return best


@pytest.fixture(scope="session")
def growth() -> Callable[[Callable[[str], object], Callable[[int], str], int], float]:
    """How the CPU time of `work(make(n))` grows from n to 10n, per tenfold size step: about 1 for
    linear work, about 10 for quadratic. Tests bound it generously (say 4); speed itself is for
    benchmarks/, not tests. CPU time of this process, best of three, so load on other cores does
    not count."""

    def measure(work: Callable[[str], object], make: Callable[[int], str], size: int) -> float:
        small, large = make(size), make(size * 10)
        work(small)  # warm caches
        return _cpu_seconds(lambda: work(large)) / max(_cpu_seconds(lambda: work(small)), 1e-4) / 10

    return measure


# -- PostgreSQL (tests/postgres_server.py) ---------------------------------------------------------


def _start_server() -> PostgresServer:
    try:
        import psycopg  # noqa: F401
    except ImportError:
        postgres_unavailable("psycopg is not installed (pip install -e '.[dev]')")
    server = None
    try:
        server = PostgresServer()
        server.start()
    except PostgresServerError as exc:
        if server is not None:
            server.close()
        postgres_unavailable(str(exc))
    return server


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """This test worker's throwaway PostgreSQL server, started on first use and removed at the end
    (always a local one, even with MEMPRIVACY_TEST_POSTGRES_DSN set: it can be restarted). A test
    that stops or crashes it must leave it running; tests that hurt a server should take
    `fresh_postgres_server` instead."""
    server = _start_server()
    yield server
    server.close()


@pytest.fixture(scope="session")
def postgres_dsn(request: pytest.FixtureRequest) -> str:
    """A PostgreSQL server for the tests: MEMPRIVACY_TEST_POSTGRES_DSN when set, else this worker's
    throwaway server (`postgres_server`). Connect as a role that may create schemas and databases."""
    dsn = os.environ.get(POSTGRES_DSN_ENV)
    if dsn:
        try:
            import psycopg

            psycopg.connect(dsn, connect_timeout=10).close()
        except Exception as exc:
            postgres_unavailable(f"{POSTGRES_DSN_ENV} does not connect: {type(exc).__name__}")
        return dsn
    server: PostgresServer = request.getfixturevalue("postgres_server")
    return server.dsn


@pytest.fixture
def postgres_database(postgres_dsn: str) -> Iterator[str]:
    """A fresh, empty database on `postgres_dsn`'s server for one test (its DSN); dropped after."""
    dsn = create_database(postgres_dsn)
    yield dsn
    from psycopg.conninfo import conninfo_to_dict

    drop_database(postgres_dsn, str(conninfo_to_dict(dsn)["dbname"]))


@pytest.fixture
def postgres_schema(postgres_dsn: str) -> Iterator[str]:
    """A schema name no other test uses (for `PostgresVault(..., schema=...)` on `postgres_dsn`);
    the schema is dropped after the test."""
    import psycopg

    name = f"test_{uuid.uuid4().hex[:12]}"
    yield name
    with psycopg.connect(postgres_dsn, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')


@pytest.fixture
def fresh_postgres_server() -> Iterator[PostgresServer]:
    """A server of this test's own, for tests that stop, restart or crash it (`restart()`,
    `stop()`/`start()`, `crash()`: same data directory and port); removed after the test."""
    server = _start_server()
    yield server
    server.close()
