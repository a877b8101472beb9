"""How a migration reaches a LangGraph store: opening it (in each worker process), listing every
item's id without holding them all, reading the TTL each item has, and, after the rewrite, making
the old clear text unrecoverable where the backend allows.

`SqliteSource` and `PostgresSource` describe a store by its file or DSN: plain picklable data, so
each worker process opens its own connection. LangGraph's `SqliteStore` and `PostgresStore` are
read with keyset SQL on their `store` table (`prefix`, `key`), which stays fast on a million items
and does not depend on an order that rewriting changes; any other `BaseStore` is listed through
`list_namespaces` and `search`, page by page, before anything is rewritten.
"""

from __future__ import annotations

import contextlib
import importlib
import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import ConfigError
from ._report import RESIDUE_BACKUPS, RESIDUE_POSTGRES, RESIDUE_SQLITE

if TYPE_CHECKING:
    from langgraph.store.base import BaseStore

__all__ = [
    "PostgresSource",
    "SqliteSource",
    "StoreKind",
    "kind_of",
    "list_ids",
    "open_store",
    "scrub",
    "scrub_sqlite",
    "ttls",
    "vacuum_sqlite",
]

Id = tuple[tuple[str, ...], str]  # (namespace, key)
_PAGE = 1000


def _resolve_index(index: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """An index config whose `embed` may name a Python object as "module:attribute" (a LangChain
    `Embeddings`, a function of a list of texts, or a class made with no arguments); any other
    string goes to LangGraph as it is ("openai:text-embedding-3-small")."""
    if index is None:
        return None
    out = dict(index)
    embed = out.get("embed")
    if isinstance(embed, str) and ":" in embed:
        module, _, name = embed.partition(":")
        try:
            found = getattr(importlib.import_module(module), name)
        except (ImportError, AttributeError, ValueError):
            found = None
        if found is not None:
            out["embed"] = found() if isinstance(found, type) else found
    return out


@dataclass(frozen=True)
class SqliteSource:
    """LangGraph's `SqliteStore` in the file `path`, with the app's `index` config (needed to
    migrate a store that has a vector index: the embeddings are computed again on put)."""

    path: str
    index: Mapping[str, Any] | None = field(default=None, hash=False)
    busy_timeout: float = 60.0

    def __str__(self) -> str:
        return f"SqliteStore {self.path}"

    @contextlib.contextmanager
    def __call__(self) -> Iterator[BaseStore]:
        from langgraph.store.sqlite import SqliteStore

        if not Path(self.path).is_file():
            raise ConfigError(f"{self.path} is not a file (a SqliteStore's database file)")
        conn = sqlite3.connect(
            self.path, timeout=self.busy_timeout, isolation_level=None, check_same_thread=False
        )
        try:
            try:
                found = conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'store'")
                if found.fetchone() is None:
                    raise ConfigError(f"{self.path} holds no LangGraph store (no 'store' table)")
            except sqlite3.DatabaseError:
                raise ConfigError(f"{self.path} is not a SQLite database") from None
            store = SqliteStore(conn, index=_resolve_index(self.index))  # type: ignore[arg-type]
            store.setup()
            yield store
        finally:
            conn.close()


@dataclass(frozen=True)
class PostgresSource:
    """LangGraph's `PostgresStore` in the database of `dsn` (its `store` table must exist)."""

    dsn: str = field(repr=False)
    index: Mapping[str, Any] | None = field(default=None, hash=False)

    def __str__(self) -> str:
        try:
            from psycopg.conninfo import conninfo_to_dict

            info = conninfo_to_dict(self.dsn)
        except Exception:  # the DSN may hold a password: never shown
            return "PostgresStore"
        return (
            f"PostgresStore {info.get('host', 'localhost')}:{info.get('port', 5432)}/{info.get('dbname', '')}"
        )

    @contextlib.contextmanager
    def __call__(self) -> Iterator[BaseStore]:
        from langgraph.store.postgres import PostgresStore

        with PostgresStore.from_conn_string(self.dsn, index=_resolve_index(self.index)) as store:  # type: ignore[arg-type]
            if _query(store, "postgres", "SELECT to_regclass('store')", [])[0][0] is None:
                raise ConfigError("that database holds no LangGraph store (no 'store' table)")
            yield store


@contextlib.contextmanager
def open_store(source: Any) -> Iterator[BaseStore]:
    """A store from what the caller gave: a `BaseStore` (used as is), or a zero-argument callable
    returning a store or a context manager of one (entered, then closed)."""
    from langgraph.store.base import BaseStore

    if isinstance(source, BaseStore):
        yield source
        return
    if not callable(source):
        raise ConfigError(f"{type(source).__name__} is not a LangGraph BaseStore nor a function opening one")
    made = source()
    if isinstance(made, BaseStore):
        yield made
        return
    if not hasattr(made, "__enter__"):
        raise ConfigError("the store opener returned neither a BaseStore nor a context manager of one")
    with made as store:
        if not isinstance(store, BaseStore):
            raise ConfigError("the store opener's context manager gave no LangGraph BaseStore")
        yield store


StoreKind = str  # "sqlite", "postgres" or "other"


def kind_of(store: BaseStore) -> StoreKind:
    try:
        from langgraph.store.sqlite import SqliteStore

        if isinstance(store, SqliteStore):
            return "sqlite"
    except ImportError:
        pass
    try:
        from langgraph.store.postgres import PostgresStore

        if isinstance(store, PostgresStore):
            return "postgres"
    except ImportError:
        pass
    return "other"


def describe(store: BaseStore) -> str:
    """A label for reports and checkpoint files: the store's class and where it is (SQLite: the
    file's absolute path; PostgreSQL: host, port and database, never a password)."""
    kind = kind_of(store)
    if kind == "sqlite":
        rows = store.conn.execute("PRAGMA database_list").fetchall()  # type: ignore[attr-defined]
        path = next((r[2] for r in rows if r[1] == "main"), "")
        return f"SqliteStore {path or ':memory:'}"
    if kind == "postgres":
        with _pg_conn(store) as conn:
            info = conn.info
            return f"PostgresStore {info.host}:{info.port}/{info.dbname}"
    return type(store).__name__


def _ns_text(namespace: Sequence[str]) -> str:
    return ".".join(namespace)


@contextlib.contextmanager
def _pg_conn(store: BaseStore) -> Iterator[Any]:
    conn = store.conn  # type: ignore[attr-defined]
    if callable(getattr(conn, "getconn", None)):  # a psycopg_pool.ConnectionPool
        with conn.connection() as c:
            yield c
    else:
        yield conn


def _query(store: BaseStore, kind: StoreKind, sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    """Rows of one query on the store's own connection (SQLite: under the store's lock)."""
    if kind == "sqlite":
        with store.lock:  # type: ignore[attr-defined]
            return list(store.conn.execute(sql, params).fetchall())  # type: ignore[attr-defined]
    from psycopg.rows import tuple_row

    with _pg_conn(store) as conn, conn.cursor(row_factory=tuple_row) as cur:
        return list(cur.execute(sql, params).fetchall())


def _keyset(store: BaseStore, kind: StoreKind, prefix: Sequence[str]) -> Iterator[Id]:
    """Every (namespace, key) under `prefix`, by keyset pages on the store table."""
    mark = "?" if kind == "sqlite" else "%s"
    text = _ns_text(prefix)
    scope = f"(prefix = {mark} OR substr(prefix, 1, {mark}) = {mark})" if prefix else "1 = 1"
    scope_args: list[Any] = [text, len(text) + 1, text + "."] if prefix else []
    after: tuple[str, str] | None = None
    while True:
        where = scope if after is None else f"{scope} AND (prefix, key) > ({mark}, {mark})"
        sql = f"SELECT prefix, key FROM store WHERE {where} ORDER BY prefix, key LIMIT {_PAGE}"
        rows = _query(store, kind, sql, scope_args + ([] if after is None else list(after)))
        for ns, key in rows:
            yield tuple(ns.split(".")), key
        if len(rows) < _PAGE:
            return
        after = (rows[-1][0], rows[-1][1])


def _paged(store: BaseStore, prefix: Sequence[str]) -> Iterator[Id]:
    """Every (namespace, key) under `prefix` through the `BaseStore` API (offset pages: only
    while nothing rewrites the store, i.e. before a migration starts)."""
    at = 0
    while True:
        spaces = store.list_namespaces(prefix=tuple(prefix) or None, limit=_PAGE, offset=at)
        for ns in spaces:
            offset = 0
            while True:
                items = store.search(ns, limit=_PAGE, offset=offset)
                for item in items:
                    if tuple(item.namespace) == tuple(ns):
                        yield tuple(item.namespace), item.key
                if len(items) < _PAGE:
                    break
                offset += _PAGE
        if len(spaces) < _PAGE:
            return
        at += _PAGE


def list_ids(store: BaseStore, prefix: Sequence[str]) -> Iterator[Id]:
    kind = kind_of(store)
    return _keyset(store, kind, prefix) if kind in ("sqlite", "postgres") else _paged(store, prefix)


def ttls(store: BaseStore, ids: Sequence[Id]) -> dict[Id, float | None]:
    """The TTL (minutes) each item was written with, to write it again with the same one. Stores
    other than SQLite and PostgreSQL do not say: their items get the store's default TTL."""
    kind = kind_of(store)
    if kind == "other":
        default = (store.ttl_config or {}).get("default_ttl")
        return dict.fromkeys(ids, default)
    by_ns: dict[tuple[str, ...], list[str]] = {}
    for ns, key in ids:
        by_ns.setdefault(ns, []).append(key)
    out: dict[Id, float | None] = dict.fromkeys(ids)
    mark = "?" if kind == "sqlite" else "%s"
    for ns, keys in by_ns.items():
        for start in range(0, len(keys), _PAGE // 2):
            chunk = keys[start : start + _PAGE // 2]
            marks = ",".join([mark] * len(chunk))
            sql = f"SELECT key, ttl_minutes FROM store WHERE prefix = {mark} AND key IN ({marks})"
            rows = _query(store, kind, sql, [_ns_text(ns), *chunk])
            for key, ttl in rows:
                out[(ns, key)] = float(ttl) if ttl is not None else None
    return out


def write(store: BaseStore, puts: Sequence[Any]) -> None:
    """Put the rewritten items in one batch. LangGraph's `InMemoryStore` with an index fails a
    batch in which two puts embed the same text (it embeds each text once, then expects one vector
    per put): it gets them one at a time."""
    try:
        from langgraph.store.memory import InMemoryStore
    except ImportError:  # pragma: no cover - part of langgraph
        InMemoryStore = None  # type: ignore[assignment,misc]
    if InMemoryStore is not None and isinstance(store, InMemoryStore) and store.index_config:
        for put in puts:
            store.batch([put])
        return
    store.batch(puts)


def check_vectors(store: BaseStore) -> None:
    """A store holding embeddings must be opened with its index config, or the embeddings made
    from the clear text would stay beside the rewritten items (`ConfigError`)."""
    if store.index_config is not None:  # type: ignore[attr-defined]
        return
    kind = kind_of(store)
    found = False
    if kind == "sqlite":
        with store.lock:  # type: ignore[attr-defined]
            conn: sqlite3.Connection = store.conn  # type: ignore[attr-defined]
            if conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'store_vectors'").fetchone():
                found = conn.execute("SELECT 1 FROM store_vectors LIMIT 1").fetchone() is not None
    elif kind == "postgres":
        from psycopg.rows import tuple_row

        with _pg_conn(store) as pg, pg.cursor(row_factory=tuple_row) as cur:
            if cur.execute("SELECT to_regclass('store_vectors')").fetchone()[0] is not None:
                found = cur.execute("SELECT 1 FROM store_vectors LIMIT 1").fetchone() is not None
    if found:
        raise ConfigError(
            "this store holds embeddings made from its clear text: open it with the app's index config "
            "(index= / --embed, --dims, --index-field) so the migration computes them again"
        )


def prepare(store: BaseStore) -> None:
    """Before rewriting: SQLite zeroes what it frees from now on (`secure_delete`, this
    connection; each worker sets it on its own)."""
    if kind_of(store) == "sqlite":
        with store.lock:  # type: ignore[attr-defined]
            store.conn.execute("PRAGMA secure_delete = ON")  # type: ignore[attr-defined]


def scrub(store: BaseStore, *, vacuum_full: bool = False) -> tuple[list[str], list[str]]:
    """After rewriting: what can be done against old copies on disk, and what cannot be
    guaranteed: (scrubbed, residue)."""
    kind = kind_of(store)
    if kind == "sqlite":
        return scrub_sqlite(store)
    if kind == "postgres":
        return _scrub_postgres(store, vacuum_full)
    return [], [
        f"{type(store).__name__}: this tool does not know whether the backend keeps old versions of "
        "rewritten items (logs, snapshots, replicas); check with its documentation",
        RESIDUE_BACKUPS,
    ]


def vacuum_sqlite(conn: sqlite3.Connection) -> bool:
    """Truncate the WAL, VACUUM (free pages, which hold deleted and overwritten rows, are dropped)
    and truncate again; False when another connection kept either from finishing."""
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
        conn.execute("VACUUM")
        busy = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    except sqlite3.Error:
        return False
    return busy is not None and not busy[0]


def scrub_sqlite(store: Any) -> tuple[list[str], list[str]]:
    """`scrub` for anything holding a SQLite connection and its lock (`.conn`, `.lock`): a
    LangGraph `SqliteStore` or `SqliteSaver`."""
    done = ["SQLite secure_delete on while rewriting (freed cells zeroed)"]
    residue = [RESIDUE_SQLITE, RESIDUE_BACKUPS]
    with store.lock:
        if vacuum_sqlite(store.conn):
            done += ["SQLite VACUUM (free pages dropped)", "SQLite WAL checkpointed and truncated"]
        else:
            residue.insert(
                0,
                "SQLite: VACUUM or the WAL checkpoint could not finish (another connection was using "
                "the file): run `PRAGMA wal_checkpoint(TRUNCATE); VACUUM;` once the app is stopped",
            )
    return done, residue


def _scrub_postgres(store: BaseStore, full: bool) -> tuple[list[str], list[str]]:
    from psycopg.rows import tuple_row

    done: list[str] = []
    residue = [RESIDUE_POSTGRES, RESIDUE_BACKUPS]
    verb = "VACUUM FULL" if full else "VACUUM"
    with _pg_conn(store) as conn:
        for table in ("store", "store_vectors"):
            with conn.cursor(row_factory=tuple_row) as cur:
                if cur.execute("SELECT to_regclass(%s)", [table]).fetchone()[0] is None:
                    continue
            try:
                if not conn.autocommit:
                    conn.commit()
                    conn.autocommit = True
                conn.execute(f"{verb} {table}")
                done.append(f"PostgreSQL {verb} {table}")
            except Exception as exc:  # no permission, or the table is busy: said, not fatal
                residue.insert(
                    0, f"PostgreSQL: {verb} {table} could not run ({type(exc).__name__}): run it as its owner"
                )
    if done and not full:
        residue.insert(
            0,
            "PostgreSQL: VACUUM marks the old row versions free but does not erase their bytes until the "
            "pages are reused; VACUUM FULL (an exclusive lock while it rewrites the table) drops them",
        )
    return done, residue
