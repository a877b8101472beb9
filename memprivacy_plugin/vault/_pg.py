"""How the PostgreSQL vault talks to the server: plans, pipelines, pools, retries and errors.

The vault writes each operation once, as a *plan*: a generator that yields `Step`s and receives
their rows. A step is a few statements sent in one pipeline (one network round trip), and may open
(`begin`) or end (`commit`) a transaction. A sync driver (a `ConnectionPool`) and an async driver
(an `AsyncConnectionPool` per event loop) run the same plans, so the two faces cannot drift apart
and the async one never blocks a thread.

Both drivers retry a whole plan when retrying is safe and likely to help: once after a broken
connection (a server restart: the pool's idle connections are checked first), and up to three
times on a deadlock, a serialization failure or a unique violation (never expected: writers of a
scope queue on its lock row). Plans are idempotent (an assign that committed before the connection
broke finds its values on the retry). Any other failure, or a retry that fails too, is a
`VaultError` with one line (SQLSTATE and the server's primary message, which never holds a value:
values reach the server only encrypted or hashed). After a timeout waiting for a connection, the
next call starts a fresh pool (of those the vault made): the old one may be waiting out a
reconnection backoff that grows to minutes during an outage.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import weakref
from collections.abc import Callable, Generator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from ..errors import VaultError

if TYPE_CHECKING:
    from psycopg import AsyncConnection, Connection
    from psycopg_pool import AsyncConnectionPool, ConnectionPool

__all__ = ["AsyncDriver", "Plan", "Rows", "Step", "Stmt", "SyncDriver", "describe"]

T = TypeVar("T")
Row = tuple[Any, ...]
Rows = list[list[Row]]
Plan = Generator["Step", Rows, T]

_ATTEMPTS = 4  # 1 + up to 3 retries of deadlocks and serialization failures; 1 for a broken connection
#: serialization_failure, deadlock_detected, and unique_violation (never expected: writers of a scope
#: queue on its lock row; a retry re-reads what a writer that did not take the lock added)
_RETRY_SQLSTATES = frozenset({"40001", "40P01", "23505"})


@dataclass(frozen=True)
class Stmt:
    """One statement: `params` for execute, or `many` (a list of parameter rows) for executemany."""

    sql: str
    params: Sequence[Any] | None = None
    many: Sequence[Sequence[Any]] | None = None


@dataclass(frozen=True)
class Step:
    """Statements sent together (one round trip); `begin` opens a transaction, `commit` ends it."""

    stmts: tuple[Stmt, ...] = ()
    begin: bool = False
    commit: bool = False

    def statements(self) -> list[Stmt]:
        return [*((_BEGIN,) if self.begin else ()), *self.stmts, *((_COMMIT,) if self.commit else ())]

    def results(self, rows: Rows) -> Rows:
        return rows[int(self.begin) : len(rows) - int(self.commit)]


# READ COMMITTED whatever the session's default: each statement after the scope lock must see what
# the writer before us committed (a REPEATABLE READ snapshot would predate it).
_BEGIN = Stmt("BEGIN ISOLATION LEVEL READ COMMITTED")
_COMMIT = Stmt("COMMIT")


def describe(exc: BaseException) -> str:
    """One line about a psycopg error: its SQLSTATE and the server's primary message."""
    diag = getattr(exc, "diag", None)
    text = (getattr(diag, "message_primary", None) or str(exc) or type(exc).__name__).strip()
    line = text.splitlines()[0] if text else type(exc).__name__
    state = getattr(exc, "sqlstate", None)
    return f"{line[:200]} [{state}]" if state else line[:200]


def _is_broken(exc: BaseException, conn: Any) -> bool:
    """The connection in use died (a server restart, a dropped socket): worth one retry."""
    from psycopg import OperationalError

    return isinstance(exc, OperationalError) and conn is not None and bool(conn.broken or conn.closed)


def _retryable(exc: BaseException) -> bool:
    return getattr(exc, "sqlstate", None) in _RETRY_SQLSTATES


def _vault_error(exc: BaseException, what: str) -> VaultError:
    from psycopg_pool import PoolClosed, PoolTimeout

    if isinstance(exc, PoolClosed):
        return VaultError(f"vault {what} failed: the connection pool is closed")
    if isinstance(exc, PoolTimeout):
        return VaultError(f"vault {what} failed: no connection to the vault database ({describe(exc)})")
    return VaultError(f"vault {what} failed: {describe(exc)}")


# -- sync -------------------------------------------------------------------------------------------


def _rows(cur: Any) -> list[Row]:
    return list(cur.fetchall()) if cur.description is not None else []


def _execute(conn: Connection[Any], step: Step) -> Rows:
    from psycopg.rows import tuple_row

    stmts = step.statements()
    cursors = []
    if len(stmts) == 1:
        cursors.append(_run(conn.cursor(row_factory=tuple_row), stmts[0]))
    else:
        with conn.pipeline():
            cursors += [_run(conn.cursor(row_factory=tuple_row), stmt) for stmt in stmts]
    return step.results([_rows(cur) for cur in cursors])


def _run(cur: Any, stmt: Stmt) -> Any:
    if stmt.many is not None:
        cur.executemany(stmt.sql, stmt.many)
    else:
        cur.execute(stmt.sql, stmt.params)
    return cur


def drive(conn: Connection[Any], plan: Plan[T]) -> T:
    """Run `plan` on `conn`; a transaction left open by a failure is rolled back."""
    from psycopg import Error
    from psycopg.pq import TransactionStatus

    autocommit = conn.autocommit
    if not autocommit:  # a pool shared with code that runs its own transactions: ours are explicit
        conn.autocommit = True
    try:
        step = next(plan)
        while True:
            step = plan.send(_execute(conn, step))
    except StopIteration as stop:
        return stop.value  # type: ignore[no-any-return]
    except BaseException:
        if not conn.closed and conn.info.transaction_status != TransactionStatus.IDLE:
            with contextlib.suppress(Error):
                conn.execute("ROLLBACK")
        raise
    finally:
        plan.close()
        if not autocommit and not conn.closed:
            with contextlib.suppress(Error):
                conn.autocommit = False


class SyncDriver:
    """Runs plans on a `ConnectionPool`: the one given, or one made (and opened) on first use."""

    def __init__(
        self, pool: ConnectionPool[Any] | None, make_pool: Callable[[], ConnectionPool[Any]]
    ) -> None:
        self._given = pool
        self._make = make_pool
        self._pool: ConnectionPool[Any] | None = pool
        self._lock = threading.Lock()
        self._closed = False

    def pool(self, timeout: float) -> ConnectionPool[Any]:
        """The pool, made and opened on first use (opening twice is harmless); waiting for its first
        connections keeps a pool of `min_size` from opening one more for the call at hand."""
        if self._closed:
            raise VaultError("the vault is closed")
        pool = self._pool
        if pool is None:
            with self._lock:
                if self._pool is None:
                    self._pool = self._make()
                pool = self._pool
        if pool.closed:
            pool.open(wait=True, timeout=timeout)
        return pool

    def run(self, plan: Callable[[], Plan[T]], what: str, *, timeout: float) -> T:
        from psycopg import Error
        from psycopg_pool import PoolTimeout

        for attempt in range(_ATTEMPTS):
            pool = conn = None
            try:
                pool = self.pool(timeout)
                with pool.connection(timeout=timeout) as conn:
                    return drive(conn, plan())
            except Error as exc:
                if pool is not None and attempt == 0 and _is_broken(exc, conn):
                    with contextlib.suppress(Error):
                        pool.check()  # a restart broke the idle connections too: replace them
                    continue
                if _retryable(exc) and attempt < _ATTEMPTS - 1:
                    continue
                if isinstance(exc, PoolTimeout):
                    self._renew()
                raise _vault_error(exc, what) from exc
            except UnicodeError:
                raise VaultError(f"vault {what} failed: a text field is not valid Unicode") from None
        raise AssertionError("unreachable")  # pragma: no cover

    def _renew(self) -> None:
        """After a timeout, the next call starts a new pool: the old one may be waiting out a
        reconnection backoff that grows to minutes in an outage, a new one connects at once."""
        with self._lock:
            old = self._pool
            if old is None or old is self._given:
                return
            self._pool = None
        threading.Thread(target=old.close, kwargs={"timeout": 5.0}, daemon=True).start()

    def close(self) -> None:
        """Close the pool this driver made (a pool that was given stays open: it is the caller's)."""
        with self._lock:
            self._closed = True
            pool, self._pool = self._pool, None
        if pool is not None and pool is not self._given:
            pool.close()


# -- async ------------------------------------------------------------------------------------------


async def _aexecute(conn: AsyncConnection[Any], step: Step) -> Rows:
    from psycopg.rows import tuple_row

    stmts = step.statements()
    cursors = []
    if len(stmts) == 1:
        cursors.append(await _arun(conn.cursor(row_factory=tuple_row), stmts[0]))
    else:
        async with conn.pipeline():
            for stmt in stmts:
                cursors.append(await _arun(conn.cursor(row_factory=tuple_row), stmt))
    return step.results(
        [list(await cur.fetchall()) if cur.description is not None else [] for cur in cursors]
    )


async def _arun(cur: Any, stmt: Stmt) -> Any:
    if stmt.many is not None:
        await cur.executemany(stmt.sql, stmt.many)
    else:
        await cur.execute(stmt.sql, stmt.params)
    return cur


async def adrive(conn: AsyncConnection[Any], plan: Plan[T]) -> T:
    """The async twin of `drive`: the same plan, awaited."""
    from psycopg import Error
    from psycopg.pq import TransactionStatus

    autocommit = conn.autocommit
    if not autocommit:
        await conn.set_autocommit(True)
    try:
        step = next(plan)
        while True:
            step = plan.send(await _aexecute(conn, step))
    except StopIteration as stop:
        return stop.value  # type: ignore[no-any-return]
    except BaseException:
        if not conn.closed and conn.info.transaction_status != TransactionStatus.IDLE:
            with contextlib.suppress(Error):
                await conn.execute("ROLLBACK")
        raise
    finally:
        plan.close()
        if not autocommit and not conn.closed:
            with contextlib.suppress(Error):
                await conn.set_autocommit(False)


@dataclass
class _LoopPool:
    """The async pool of one event loop, and the connections it opened (to close them if the loop
    ends without closing the pool)."""

    loop: weakref.ref[asyncio.AbstractEventLoop]
    pool: AsyncConnectionPool[Any]
    conns: weakref.WeakSet[Any] = field(default_factory=weakref.WeakSet)

    def dead(self) -> bool:
        loop = self.loop()
        return loop is None or loop.is_closed()

    def discard(self) -> None:
        """Close the pool: politely in its own loop if that still runs, else by closing the sockets
        of its connections (a loop that has ended cannot run the pool's close)."""
        loop = self.loop()
        if loop is not None and not loop.is_closed() and loop.is_running():
            with contextlib.suppress(RuntimeError):
                asyncio.run_coroutine_threadsafe(self.pool.close(), loop)
                return
        for conn in list(self.conns):
            with contextlib.suppress(Exception):
                if not conn.closed:
                    conn.pgconn.finish()


class AsyncDriver:
    """Runs plans on async pools: the one given, else one per event loop, made and opened in that
    loop on its first call. A pool belongs to the loop that opened it (its workers are tasks of that
    loop), so several loops (say, one `asyncio.run` after another) each get their own; the pools of
    loops that have ended are closed at the next call."""

    def __init__(
        self,
        pool: AsyncConnectionPool[Any] | None,
        make_pool: Callable[[Callable[[Any], Any]], AsyncConnectionPool[Any]],
    ) -> None:
        self._given = pool
        self._make = make_pool
        self._pools: dict[int, _LoopPool] = {}
        self._closing: set[asyncio.Task[None]] = set()  # pools being closed after a timeout
        self._lock = threading.Lock()
        self._closed = False

    async def pool(self, timeout: float) -> AsyncConnectionPool[Any]:
        """The pool of the running loop (or the one given), opened on first use."""
        if self._closed:
            raise VaultError("the vault is closed")
        if self._given is not None:
            if self._given.closed:
                await self._given.open(wait=True, timeout=timeout)
            return self._given
        loop = asyncio.get_running_loop()
        with self._lock:
            entry = self._pools.get(id(loop))
            if entry is None or entry.loop() is not loop:
                for key in [k for k, e in self._pools.items() if e.dead()]:
                    self._pools.pop(key).discard()
                entry = self._new_entry(loop)
                self._pools[id(loop)] = entry
        if entry.pool.closed:
            await entry.pool.open(wait=True, timeout=timeout)
        return entry.pool

    def _new_entry(self, loop: asyncio.AbstractEventLoop) -> _LoopPool:
        conns: weakref.WeakSet[Any] = weakref.WeakSet()

        async def track(conn: Any) -> None:
            conns.add(conn)

        return _LoopPool(weakref.ref(loop), self._make(track), conns)

    async def run(self, plan: Callable[[], Plan[T]], what: str, *, timeout: float) -> T:
        from psycopg import Error
        from psycopg_pool import PoolTimeout

        for attempt in range(_ATTEMPTS):
            pool = conn = None
            try:
                pool = await self.pool(timeout)
                async with pool.connection(timeout=timeout) as conn:
                    return await adrive(conn, plan())
            except Error as exc:
                if pool is not None and attempt == 0 and _is_broken(exc, conn):
                    with contextlib.suppress(Error):
                        await pool.check()
                    continue
                if _retryable(exc) and attempt < _ATTEMPTS - 1:
                    continue
                if isinstance(exc, PoolTimeout):
                    self._renew()
                raise _vault_error(exc, what) from exc
            except UnicodeError:
                raise VaultError(f"vault {what} failed: a text field is not valid Unicode") from None
        raise AssertionError("unreachable")  # pragma: no cover

    def _renew(self) -> None:
        """As `SyncDriver._renew`, for the running loop's pool (closed in a task of that loop)."""
        loop = asyncio.get_running_loop()
        with self._lock:
            entry = self._pools.get(id(loop))
            if entry is None or entry.loop() is not loop:
                return
            del self._pools[id(loop)]
        task = loop.create_task(entry.pool.close(timeout=5.0))
        self._closing.add(task)
        task.add_done_callback(self._closing.discard)

    async def aclose(self) -> None:
        """Close the pool of the running loop now, and the others as `close` does."""
        loop = asyncio.get_running_loop()
        with self._lock:
            entry = self._pools.pop(id(loop), None)
        if entry is not None and entry.loop() is loop:
            await entry.pool.close()
        self.close()

    def close(self) -> None:
        with self._lock:
            self._closed = True
            entries, self._pools = list(self._pools.values()), {}
        for entry in entries:
            entry.discard()

    def open_pools(self) -> int:
        """How many per-loop pools are held (for tests of the loop handling)."""
        with self._lock:
            return len(self._pools)
