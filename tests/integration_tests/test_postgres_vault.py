"""PostgresVault on a real PostgreSQL server: the vault and key contracts, many processes at once,
nothing in clear, native async, round trips, schema versions, wrong keys and a server that goes away."""

from __future__ import annotations

import asyncio
import itertools
import multiprocessing
import os
import queue
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from postgres_server import PostgresServer

from memprivacy_plugin import PrivacyGuard, RuleExtractor
from memprivacy_plugin.errors import ConfigError, VaultError, VaultKeyError
from memprivacy_plugin.testing import KeyRotationContractTests, VaultContractTests, item, key_of
from memprivacy_plugin.vault import KEY_ENV, generate_key

psycopg = pytest.importorskip("psycopg")
pytest.importorskip("psycopg_pool")

from psycopg import pq  # noqa: E402
from psycopg.rows import dict_row  # noqa: E402
from psycopg_pool import AsyncConnectionPool, ConnectionPool  # noqa: E402

from memprivacy_plugin.vault import postgres  # noqa: E402
from memprivacy_plugin.vault.postgres import PostgresVault  # noqa: E402


@pytest.fixture(autouse=True)
def _no_env_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(KEY_ENV, raising=False)


@pytest.fixture
def key() -> str:
    return generate_key()


@pytest.fixture
def make_vault(postgres_dsn: str, postgres_schema: str, key: str) -> Iterator[Callable[..., PostgresVault]]:
    """PostgresVaults on this test's schema (the same key unless given), closed after the test."""
    made: list[PostgresVault] = []

    def make(source: Any = None, **kwargs: Any) -> PostgresVault:
        kwargs.setdefault("schema", postgres_schema)
        if not {"key", "key_file", "key_provider"} & set(kwargs):
            kwargs["key"] = key
        vault = PostgresVault(postgres_dsn if source is None else source, **kwargs)
        made.append(vault)
        return vault

    yield make
    for vault in made:
        vault.close()


def rows_of_schema(dsn: str, schema: str) -> list[tuple[str, tuple[Any, ...]]]:
    """(table, row) for every row of every table in `schema`."""
    with psycopg.connect(dsn) as conn:
        tables = [
            t for (t,) in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = %s", (schema,))
        ]
        return [(t, row) for t in tables for row in conn.execute(f'SELECT * FROM "{schema}"."{t}"')]


# -- the contracts ------------------------------------------------------------------------------------


class TestPostgresVault(VaultContractTests):
    @pytest.fixture
    def vault(self, make_vault: Callable[..., PostgresVault]) -> PostgresVault:
        return make_vault()


class TestPostgresVaultKeys(KeyRotationContractTests):
    @pytest.fixture
    def open_vault(self, make_vault: Callable[..., PostgresVault]) -> Callable[[Any], PostgresVault]:
        return lambda provider: make_vault(key_provider=provider)


def test_importing_the_vaults_does_not_import_psycopg() -> None:
    code = (
        "import sys, memprivacy_plugin, memprivacy_plugin.vault as v; v.PostgresVault; "
        "print(sorted(m for m in ('psycopg', 'psycopg_pool') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


# -- many processes -----------------------------------------------------------------------------------


def _writer(dsn: str, schema: str, key: str, n: int, start: Any, out: Any) -> None:
    """One replica: overlapping values for the same users, in batches, in its own order."""
    vault = PostgresVault(dsn, key=key, schema=schema, max_size=2)
    values = [f"+1 415 555 {v:04d}" for v in range(30)]
    mine = values[n * 4 :] + values[: n * 4]
    got: dict[tuple[str, str], str] = {}
    work: dict[str, list[str]] = {}
    start.wait()
    for user in ("alice", "bob"):
        for at in range(0, len(mine), 4):
            batch = mine[at : at + 4]
            placeholders = vault.assign(user, [item("Phone_Number", v) for v in batch])
            got.update(((user, v), p) for v, p in zip(batch, placeholders, strict=True))
            if n % 2:  # half the replicas write another namespace of the same users and forget it
                work.setdefault(user, []).extend(
                    vault.assign(user, [item("Email", f"{user}-{n}-{at}@example.com")], namespace="work")
                )
                vault.forget(user, namespace="work")
    vault.close()
    out.put((n, got, work))


def test_many_processes_never_collide(postgres_dsn: str, postgres_schema: str, key: str) -> None:
    ctx = multiprocessing.get_context("spawn")
    start, out = ctx.Barrier(8), ctx.Queue()
    procs = [
        ctx.Process(target=_writer, args=(postgres_dsn, postgres_schema, key, n, start, out))
        for n in range(8)
    ]
    for proc in procs:
        proc.start()
    results: dict[int, dict[tuple[str, str], str]] = {}
    work: dict[str, list[str]] = {"alice": [], "bob": []}
    while len(results) < len(procs):
        try:
            n, got, forgotten = out.get(timeout=1)
        except queue.Empty:
            assert not [p.exitcode for p in procs if p.exitcode not in (None, 0)], "a writer failed"
            # every writer gone and nothing left to read: one ended without reporting
            assert any(p.is_alive() for p in procs), "a writer ended without reporting"
            continue
        results[n] = got
        for user, placeholders in forgotten.items():
            work[user] += placeholders
    for proc in procs:
        proc.join(timeout=60)
        assert proc.exitcode == 0
    first = results[0]
    assert all(r == first for r in results.values())  # every replica got the same placeholder per value
    vault = PostgresVault(postgres_dsn, key=key, schema=postgres_schema)
    for user in ("alice", "bob"):
        mapping = {v: p for (u, v), p in first.items() if u == user}
        numbers = sorted(int(key_of(p).rsplit("_", 1)[1]) for p in mapping.values())
        assert numbers == list(range(1, 31))  # one placeholder per value, no gaps, no duplicates
        assert vault.lookup(user, [key_of(p) for p in mapping.values()]) == {
            key_of(p): v for v, p in mapping.items()
        }
        # Forgets racing with writes in one scope never hand a placeholder out twice: each
        # value of the forgotten namespace got a placeholder of its own, and later ones go above.
        assert len(work[user]) == 4 * 8  # 4 replicas, 8 batches each
        assert len(set(work[user])) == len(work[user])
        again = vault.assign(user, [item("Email", "later@example.com")], namespace="work")
        assert again[0] not in work[user]
    vault.close()


# -- nothing in clear ---------------------------------------------------------------------------------


def test_user_ids_and_values_are_never_stored_in_clear(
    make_vault: Callable[..., PostgresVault],
    postgres_dsn: str,
    postgres_schema: str,
    request: pytest.FixtureRequest,
) -> None:
    user = f"user-{uuid.uuid4().hex}"
    values = [f"+1 415 {uuid.uuid4().int % 10**7:07d}", f"{uuid.uuid4().hex}@example.com", "Zoë Ünïcødé 张伟"]
    vault = make_vault()
    vault.assign(user, [item("Private", v) for v in values], namespace="memories")
    vault.assign(user, [item("Private", values[0])])
    vault.rotate_key()
    vault.assign(user, [item("Private", "another " + values[1])])
    needles = [user.encode(), *(v.encode() for v in values)]
    rows = rows_of_schema(postgres_dsn, postgres_schema)
    assert {t for t, _ in rows} >= {"entries", "floors", "keys", "meta"}
    for table, row in rows:
        for cell in row:
            data = cell if isinstance(cell, bytes) else str(cell).encode()
            assert not any(n in data for n in needles), table
    assert vault.lookup(user, ["private_1"], namespace="memories") == {"private_1": values[0]}
    # The server's files too (WAL included), when this worker started the server itself.
    if os.environ.get("MEMPRIVACY_TEST_POSTGRES_DSN"):
        return
    server: PostgresServer = request.getfixturevalue("postgres_server")
    with psycopg.connect(postgres_dsn, autocommit=True) as conn:
        conn.execute("CHECKPOINT")
    for path in Path(server.datadir).rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert not any(n in data for n in needles), path.name


# -- async --------------------------------------------------------------------------------------------


def test_async_twins_never_touch_the_sync_pool(
    make_vault: Callable[..., PostgresVault], postgres_dsn: str
) -> None:
    pool = ConnectionPool(postgres_dsn, min_size=1, max_size=2, kwargs={"autocommit": True}, open=True)
    vault = make_vault(pool)
    vault.assign("u1", [item("Email", "a@example.com")])
    pool.close()
    with pytest.raises(VaultError):
        vault.assign("u1", [item("Email", "b@example.com")])

    async def run() -> None:
        assert await vault.aassign("u1", [item("Email", "b@example.com")]) == ["<Email_2>"]
        assert await vault.alookup("u1", ["email_1", "email_2"]) == {
            "email_1": "a@example.com",
            "email_2": "b@example.com",
        }
        assert len(await vault.aentries("u1")) == 2
        assert await vault.aforget("u1") == 2

    asyncio.run(run())


def test_an_async_pool_alone_is_enough(make_vault: Callable[..., PostgresVault], postgres_dsn: str) -> None:
    async def run() -> None:
        async with AsyncConnectionPool(postgres_dsn, min_size=1, max_size=4, open=False) as pool:
            vault = make_vault(pool)  # no I/O in the constructor: it opens on the first call
            async with vault:
                out = await asyncio.gather(
                    *(vault.aassign(f"u{n % 3}", [item("Email", f"{n % 5}@example.com")]) for n in range(30))
                )
                assert {p for (p,) in out} <= {f"<Email_{n}>" for n in range(1, 6)}
                assert not pool.closed  # the vault leaves the pool it was given open

    asyncio.run(run())


def test_one_async_pool_per_event_loop_and_none_left_behind(
    make_vault: Callable[..., PostgresVault], postgres_dsn: str
) -> None:
    app = f"vault-loops-{uuid.uuid4().hex[:8]}"
    vault = make_vault(psycopg.conninfo.make_conninfo(postgres_dsn, application_name=app))

    async def once(n: int) -> None:
        await vault.aassign("u1", [item("Email", f"{n}@example.com")])

    for n in range(6):
        asyncio.run(once(n))
    assert vault._async.open_pools() == 1  # the pools of ended loops are gone
    with psycopg.connect(postgres_dsn) as conn:
        (count,) = conn.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s", (app,)
        ).fetchone()
    assert count <= 2  # the sync pool's connection and the last loop's, not one per loop
    vault.close()
    with psycopg.connect(postgres_dsn) as conn:
        (count,) = conn.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s", (app,)
        ).fetchone()
    assert count == 0


# -- round trips --------------------------------------------------------------------------------------


class _Traced:
    """Counts network round trips of a one-connection pool from libpq's protocol trace: each turn
    from messages the client sends (F) to messages the server sends (B) is one round trip."""

    def __init__(self, pool: ConnectionPool[Any]) -> None:
        self.pool = pool

    def __call__(self, work: Callable[[], Any]) -> int:
        with tempfile.TemporaryFile(mode="w+") as trace:
            with self.pool.connection() as conn:
                conn.pgconn.trace(trace.fileno())
                conn.pgconn.set_trace_flags(pq.Trace.SUPPRESS_TIMESTAMPS)
            work()
            with self.pool.connection() as conn:
                conn.pgconn.untrace()
            trace.seek(0)
            sides = [line.split("\t", 1)[0] for line in trace.read().splitlines() if line]
        return sum(1 for a, b in itertools.pairwise(sides) if a == "F" and b == "B")


def test_known_values_take_one_round_trip(
    make_vault: Callable[..., PostgresVault], postgres_dsn: str
) -> None:
    pool = ConnectionPool(postgres_dsn, min_size=1, max_size=1, kwargs={"autocommit": True}, open=True)
    vault = make_vault(pool)
    trips = _Traced(pool)
    batch = [item("Phone_Number", f"+1 415 555 {n:04d}") for n in range(20)] + [
        item("Email", "a@example.com")
    ]
    assert trips(lambda: vault.assign("u1", batch)) == 3  # read, then lock+reads, then inserts+commit
    assert trips(lambda: vault.assign("u1", batch)) == 1  # every value known: one SELECT
    assert trips(lambda: vault.assign("u1", batch[:3])) == 1
    keys = [f"phone_number_{n}" for n in range(1, 21)]
    assert trips(lambda: vault.lookup("u1", keys)) == 1
    assert trips(lambda: vault.assign("u1", [*batch, item("Email", "new@example.com")])) == 3
    assert trips(lambda: vault.forget("u1", namespace="elsewhere")) == 1
    pool.close()


# -- pools shared with other code -----------------------------------------------------------------------


def test_a_pool_shared_with_langgraph_settings(
    make_vault: Callable[..., PostgresVault], postgres_dsn: str
) -> None:
    # LangGraph's PostgresSaver/PostgresStore want dict rows, autocommit and no prepared statements.
    kwargs = {"autocommit": True, "row_factory": dict_row, "prepare_threshold": 0}
    with ConnectionPool(postgres_dsn, min_size=1, max_size=2, kwargs=kwargs, open=True) as pool:
        vault = make_vault(pool)
        assert vault.assign("u1", [item("Email", "a@example.com")]) == ["<Email_1>"]
        assert vault.lookup("u1", ["email_1"]) == {"email_1": "a@example.com"}
        with pool.connection() as conn:  # the pool's connections are as they were
            assert conn.execute("SELECT 1 AS one").fetchone() == {"one": 1}
            assert conn.autocommit


def test_a_pool_of_transactional_connections_is_left_as_it_was(
    make_vault: Callable[..., PostgresVault], postgres_dsn: str
) -> None:
    with ConnectionPool(postgres_dsn, min_size=1, max_size=1, open=True) as pool:
        vault = make_vault(pool)
        assert vault.assign("u1", [item("Email", "a@example.com")]) == ["<Email_1>"]
        assert vault.forget("u1") == 1
        with pool.connection() as conn:
            assert not conn.autocommit
            assert conn.info.transaction_status == pq.TransactionStatus.IDLE


# -- keys ---------------------------------------------------------------------------------------------


def test_a_key_is_required(postgres_dsn: str) -> None:
    with pytest.raises(ConfigError, match="same key on every replica") as err:
        PostgresVault(postgres_dsn)
    assert "\n" not in str(err.value)


def test_the_key_from_a_file_or_the_environment(
    make_vault: Callable[..., PostgresVault],
    key: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    postgres_dsn: str,
    postgres_schema: str,
) -> None:
    make_vault().assign("u1", [item("Email", "a@example.com")])
    key_file = tmp_path / "vault.key"
    key_file.write_text(key)
    key_file.chmod(0o600)
    assert make_vault(key_file=key_file).lookup("u1", ["email_1"]) == {"email_1": "a@example.com"}
    with pytest.raises(VaultKeyError):
        make_vault(key_file=tmp_path / "missing.key")  # never created for a shared vault
    monkeypatch.setenv(KEY_ENV, key)
    with PostgresVault(postgres_dsn, schema=postgres_schema) as vault:
        assert vault.lookup("u1", ["email_1"]) == {"email_1": "a@example.com"}


def test_a_wrong_key_is_refused_and_loses_nothing(
    make_vault: Callable[..., PostgresVault], postgres_dsn: str, postgres_schema: str
) -> None:
    placeholders = make_vault().assign("u1", [item("Email", "a@example.com"), item("Email", "b@example.com")])
    before = rows_of_schema(postgres_dsn, postgres_schema)
    with pytest.raises(VaultKeyError, match="does not match"):
        make_vault(key=generate_key())
    assert rows_of_schema(postgres_dsn, postgres_schema) == before
    assert make_vault().lookup("u1", [key_of(p) for p in placeholders]) == {
        "email_1": "a@example.com",
        "email_2": "b@example.com",
    }


# -- schema versions ----------------------------------------------------------------------------------


def test_the_schema_is_made_once_by_replicas_starting_together(
    postgres_dsn: str, postgres_schema: str, key: str
) -> None:
    async def start(n: int) -> list[str]:
        vault = PostgresVault(postgres_dsn, key=key, schema=postgres_schema, open=False)
        try:
            return await vault.aassign("u1", [item("Email", "a@example.com")])
        finally:
            await vault.aclose()

    async def run() -> list[list[str]]:
        return await asyncio.gather(*(start(n) for n in range(6)))

    assert asyncio.run(run()) == [["<Email_1>"]] * 6
    with psycopg.connect(postgres_dsn) as conn:
        meta = conn.execute(f'SELECT k, v FROM "{postgres_schema}".meta').fetchall()
        keys = conn.execute(f'SELECT key_id FROM "{postgres_schema}".keys').fetchall()
    assert meta == [("schema_version", "1")]
    assert keys == [(1,)]


def test_a_newer_schema_is_refused(
    make_vault: Callable[..., PostgresVault], postgres_dsn: str, postgres_schema: str
) -> None:
    make_vault().assign("u1", [item("Email", "a@example.com")])
    with psycopg.connect(postgres_dsn, autocommit=True) as conn:
        conn.execute(f"UPDATE \"{postgres_schema}\".meta SET v = '99' WHERE k = 'schema_version'")
    with pytest.raises(VaultError, match="version 99, newer than this release") as err:
        make_vault()
    assert "\n" not in str(err.value)


def test_an_older_schema_is_migrated_once(
    make_vault: Callable[..., PostgresVault],
    postgres_dsn: str,
    postgres_schema: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    placeholders = make_vault().assign("u1", [item("Email", "a@example.com")])
    monkeypatch.setattr(postgres, "SCHEMA_VERSION", 2)
    monkeypatch.setattr(postgres, "MIGRATIONS", {1: ("ALTER TABLE {s}.entries ADD COLUMN note TEXT",)})
    vault = make_vault()
    make_vault()  # a second replica of the new release finds version 2: nothing to do
    assert vault.lookup("u1", [key_of(p) for p in placeholders]) == {"email_1": "a@example.com"}
    with psycopg.connect(postgres_dsn) as conn:
        assert conn.execute(f'SELECT v FROM "{postgres_schema}".meta').fetchone() == ("2",)
        assert conn.execute(f'SELECT count(note) FROM "{postgres_schema}".entries').fetchone() == (0,)
    monkeypatch.setattr(postgres, "MIGRATIONS", {})
    monkeypatch.setattr(postgres, "SCHEMA_VERSION", 3)
    with pytest.raises(VaultError, match="no migration of the vault schema from version 2"):
        make_vault()


def test_a_role_without_create_on_the_database_uses_a_schema_made_for_it(
    postgres_database: str, key: str
) -> None:
    role = f"app_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(postgres_database, autocommit=True) as conn:
        conn.execute(f"CREATE ROLE {role} LOGIN")
        conn.execute("REVOKE CREATE ON DATABASE " + conn.info.dbname + " FROM PUBLIC")
        conn.execute(f"CREATE SCHEMA vault AUTHORIZATION {role}")
    as_app = psycopg.conninfo.make_conninfo(postgres_database, user=role)
    try:
        with PostgresVault(as_app, key=key, schema="vault") as vault:
            assert vault.assign("u1", [item("Email", "a@example.com")]) == ["<Email_1>"]
        with pytest.raises(VaultError, match="permission denied"):
            PostgresVault(as_app, key=key, schema="elsewhere")  # one it may not create
    finally:
        with psycopg.connect(postgres_database, autocommit=True) as conn:
            conn.execute("DROP SCHEMA vault CASCADE")
            conn.execute(f"DROP ROLE {role}")


def test_bad_schema_names_are_refused(postgres_dsn: str, key: str) -> None:
    for bad in ("", "x" * 64, "a\x00b"):
        with pytest.raises(ConfigError):
            PostgresVault(postgres_dsn, key=key, schema=bad)
    odd = f'Odd "name" {uuid.uuid4().hex[:6]}'
    with PostgresVault(postgres_dsn, key=key, schema=odd) as vault:
        assert vault.assign("u1", [item("Email", "a@example.com")]) == ["<Email_1>"]
    with psycopg.connect(postgres_dsn, autocommit=True) as conn:
        conn.execute(psycopg.sql.SQL("DROP SCHEMA {} CASCADE").format(psycopg.sql.Identifier(odd)))


# -- a server that goes away ----------------------------------------------------------------------------


def _dead_dsn() -> str:
    from postgres_server import free_port

    return f"postgresql://postgres@127.0.0.1:{free_port()}/postgres"


def test_no_server_is_a_vault_error_and_the_guard_fails_closed(key: str) -> None:
    with pytest.raises(VaultError, match="no connection to the vault database") as err:
        PostgresVault(_dead_dsn(), key=key, timeout=0.5)
    assert "\n" not in str(err.value)
    vault = PostgresVault(_dead_dsn(), key=key, timeout=0.5, open=False)
    guard = PrivacyGuard(extractor=RuleExtractor(), vault=vault)
    with pytest.raises(VaultError):
        guard.protect("call me at +1 415 867 5309", user_id="u1")
    with pytest.raises(VaultError):
        asyncio.run(guard.aprotect("call me at +1 415 867 5309", user_id="u1"))
    vault.close()


def test_a_restarted_server_is_reconnected_and_a_stopped_one_fails_loudly(
    fresh_postgres_server: PostgresServer, key: str
) -> None:
    server = fresh_postgres_server
    vault = PostgresVault(server.dsn, key=key, min_size=2, max_size=4, timeout=2)
    guard = PrivacyGuard(extractor=RuleExtractor(), vault=vault)
    first = guard.protect("call me at +1 415 867 5309", user_id="u1").text
    server.restart()  # every pooled connection is now broken
    assert guard.protect("call me at +1 415 867 5309", user_id="u1").text == first
    assert guard.restore(first, user_id="u1") == "call me at +1 415 867 5309"
    server.stop()
    with pytest.raises(VaultError):
        guard.protect("or at +1 212 555 0100", user_id="u1")
    with pytest.raises(VaultError):
        asyncio.run(vault.alookup("u1", ["phone_number_1"]))
    server.start()
    assert guard.restore(first, user_id="u1") == "call me at +1 415 867 5309"

    async def after() -> str:
        return (await guard.aprotect("or at +1 212 555 0100", user_id="u1")).text

    assert asyncio.run(after()) == "or at <Phone_Number_2>"
    vault.close()
