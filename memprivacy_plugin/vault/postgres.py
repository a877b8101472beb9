"""A vault shared by app replicas: one PostgreSQL schema, values encrypted, users known only by keyed hashes.

The same rows as the SQLite vault, in the schema `schema` (default `memprivacy`)::

    meta(k TEXT PRIMARY KEY, v TEXT)                -- schema_version
    keys(key_id, provider, wrapped, created_at)     -- data keys, wrapped by the master (keys.py)
    entries(id BIGINT identity, scope BYTEA, user_hash BYTEA, namespace TEXT, value_hash BYTEA,
            name, name_key, number, pkey, privacy_type, level, value_ct BYTEA, created_at,
            UNIQUE(scope, value_hash), UNIQUE(scope, name_key, number), UNIQUE(scope, pkey))
    floors(scope BYTEA PRIMARY KEY, floor INTEGER)  -- one row per scope: its lock, and the highest
                                                    -- number a forget removed (0: none)

Numbering across processes and hosts: a writer that has new values for a scope takes that scope's
`floors` row (`INSERT ... ON CONFLICT DO NOTHING`, then `SELECT floor ... FOR UPDATE`) before it
reads which values exist and the highest number per name, so writers of one scope queue, and
writers of different scopes never wait on each other. The row also hands over the floor numbering
must stay above, and `forget` takes the same row, so a forget and an assign of one scope are
ordered. Unique constraints plus a retry would waste a whole transaction per lost race when several
replicas store new values for one user at once; a `pg_advisory_xact_lock` on a hash of the scope
would serialise alike but in a lock space shared with every other application of the database, on
a 64-bit hash of the scope. The unique constraints stay, as a safety net.

Round trips: an assign whose values are all known is one `SELECT ... = ANY(%s)` (no lock, no
transaction); one with new values adds two (lock and reads in one pipeline, then the inserts and
`COMMIT` in another); a lookup is one. Every write commits before the call returns, with
`synchronous_commit` raised to `on` for the transaction if the server has it `off`.

The schema is created on first use, under an advisory lock so that replicas starting together do
not race, and carries a version: a newer version is refused, an older one is migrated by
`MIGRATIONS` under the same lock.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Collection, Sequence
from dataclasses import astuple
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypeVar

from ..errors import ConfigError, VaultError
from ..placeholders import format_placeholder, name_key, placeholder_key
from ..taxonomy import PrivacyLevel
from ._pg import AsyncDriver, Plan, Step, Stmt, SyncDriver
from .base import VaultEntry, VaultItem
from .keys import IndexHashes

if TYPE_CHECKING:
    import os

    from psycopg_pool import AsyncConnectionPool, ConnectionPool

    from .keys import KeyProvider, Keyring, WrappedKey

__all__ = ["MIGRATIONS", "SCHEMA_VERSION", "PostgresVault"]

T = TypeVar("T")

SCHEMA_VERSION = 1
#: version N -> the statements that take a schema of version N to N + 1 (`{s}` is the quoted schema);
#: run in one transaction under the schema lock by the first process of the new release.
MIGRATIONS: dict[int, tuple[str, ...]] = {}

_DDL = (
    "CREATE SCHEMA IF NOT EXISTS {s}",
    "CREATE TABLE IF NOT EXISTS {s}.meta (k TEXT PRIMARY KEY, v TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS {s}.keys (key_id INTEGER NOT NULL, provider TEXT NOT NULL,"
    " wrapped BYTEA NOT NULL, created_at DOUBLE PRECISION NOT NULL, PRIMARY KEY (key_id, provider))",
    "CREATE TABLE IF NOT EXISTS {s}.entries (id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
    " scope BYTEA NOT NULL, user_hash BYTEA NOT NULL, namespace TEXT, value_hash BYTEA NOT NULL,"
    " name TEXT NOT NULL, name_key TEXT NOT NULL, number INTEGER NOT NULL, pkey TEXT NOT NULL,"
    " privacy_type TEXT NOT NULL, level TEXT NOT NULL, value_ct BYTEA NOT NULL,"
    " created_at DOUBLE PRECISION NOT NULL, UNIQUE (scope, value_hash), UNIQUE (scope, name_key, number),"
    " UNIQUE (scope, pkey))",
    "CREATE INDEX IF NOT EXISTS entries_user ON {s}.entries (user_hash)",
    "CREATE TABLE IF NOT EXISTS {s}.floors (scope BYTEA PRIMARY KEY, floor INTEGER NOT NULL)",
)
# Durable before returning even where the server runs with synchronous_commit = off.
_DURABLE = Stmt(
    "SELECT set_config('synchronous_commit', CASE current_setting('synchronous_commit')"
    " WHEN 'off' THEN 'on' ELSE current_setting('synchronous_commit') END, true)"
)
_ENTRY_COLS = "scope, namespace, name, number, pkey, privacy_type, level, value_ct, created_at"


def _quote(schema: str) -> str:
    if not schema or "\x00" in schema or len(schema.encode("utf-8")) > 63:
        raise ConfigError("schema must be a PostgreSQL identifier of 1 to 63 bytes")
    return '"' + schema.replace('"', '""') + '"'


class _Sql:
    """The statements, for one schema."""

    def __init__(self, schema: str) -> None:
        s = self.schema = _quote(schema)
        self.meta_name = f"{s}.meta"
        self.ddl = tuple(d.format(s=s) for d in _DDL)
        self.exists = "SELECT to_regclass(%s) IS NOT NULL"
        self.schema_exists = "SELECT to_regnamespace(%s) IS NOT NULL"
        self.schema_lock = "SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))"
        self.version = f"SELECT v FROM {s}.meta WHERE k = 'schema_version'"
        self.init_version = (
            f"INSERT INTO {s}.meta (k, v) VALUES ('schema_version', %s) ON CONFLICT (k) DO NOTHING"
        )
        self.set_version = f"UPDATE {s}.meta SET v = %s WHERE k = 'schema_version'"
        self.key_rows = f"SELECT key_id, provider, wrapped, created_at FROM {s}.keys"
        self.add_key = f"INSERT INTO {s}.keys (key_id, provider, wrapped, created_at) VALUES (%s, %s, %s, %s)"
        self.lock_keys = f"LOCK TABLE {s}.keys IN EXCLUSIVE MODE"
        self.newest_key = f"SELECT MAX(key_id) FROM {s}.keys"
        self.find = (
            f"SELECT value_hash, name, number FROM {s}.entries WHERE scope = %s AND value_hash = ANY(%s)"
        )
        self.new_scope = (
            f"INSERT INTO {s}.floors (scope, floor) VALUES (%s, 0) ON CONFLICT (scope) DO NOTHING"
        )
        self.lock_scope = f"SELECT floor FROM {s}.floors WHERE scope = %s FOR UPDATE"
        self.tops = (
            f"SELECT name_key, MAX(number) FROM {s}.entries WHERE scope = %s AND name_key = ANY(%s)"
            " GROUP BY name_key"
        )
        self.insert = (
            f"INSERT INTO {s}.entries (scope, user_hash, namespace, value_hash, name, name_key, number,"
            " pkey, privacy_type, level, value_ct, created_at) VALUES"
            " (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
        )
        self.lookup = f"SELECT pkey, value_ct FROM {s}.entries WHERE scope = %s AND pkey = ANY(%s)"
        self.entries_of_user = f"SELECT {_ENTRY_COLS} FROM {s}.entries WHERE user_hash = %s ORDER BY id"
        self.entries_of_scope = f"SELECT {_ENTRY_COLS} FROM {s}.entries WHERE scope = %s ORDER BY id"
        # forget: lock the scopes (in a fixed order), then delete and keep each scope's highest number
        self.lock_user_scopes = (
            f"SELECT scope FROM {s}.floors WHERE scope IN"
            f" (SELECT scope FROM {s}.entries WHERE user_hash = %s) ORDER BY scope FOR UPDATE"
        )
        forget = (
            "WITH gone AS (DELETE FROM {s}.entries WHERE {where} = %s RETURNING scope, number),"
            " kept AS (INSERT INTO {s}.floors AS f (scope, floor) SELECT scope, MAX(number) FROM gone"
            " GROUP BY scope ON CONFLICT (scope) DO UPDATE SET floor = GREATEST(f.floor, EXCLUDED.floor))"
            " SELECT count(*) FROM gone"
        )
        self.forget_user = forget.format(s=s, where="user_hash")
        self.forget_scope = forget.format(s=s, where="scope")
        self.stale = (
            f"SELECT id, scope, pkey, value_ct FROM {s}.entries WHERE id > %s"
            " AND substring(value_ct from 1 for 5) <> %s ORDER BY id LIMIT %s FOR UPDATE"
        )
        self.rewrite = f"UPDATE {s}.entries SET value_ct = %s WHERE id = %s"
        self.usage = f"SELECT substring(value_ct from 1 for 5), count(*) FROM {s}.entries GROUP BY 1"
        self.drop_wrappings = f"DELETE FROM {s}.keys WHERE provider = %s RETURNING key_id"


def _wrapped(rows: list[tuple[Any, ...]]) -> list[WrappedKey]:
    from .keys import WrappedKey

    return [WrappedKey(int(k), str(p), bytes(w), float(c)) for k, p, w, c in rows]


class PostgresVault:
    """An encrypted vault in a PostgreSQL schema, shared by every process and host that opens it
    with the same key (see the module doc for the schema, numbering and round trips).

    `conninfo_or_pool` is a conninfo string / URL, or a psycopg_pool `ConnectionPool` or
    `AsyncConnectionPool` (yours: the vault never closes it; LangGraph's pools work, whatever
    their row factory). Sync calls use a sync pool and the `a*` twins an async one (a pool per
    event loop, opened in that loop), so async calls never block a thread; the kind not given is
    made from the given pool's conninfo, with `min_size` / `max_size` connections.

    The key is required (`key=`, `key_file=`, `key_provider=` or `MEMPRIVACY_VAULT_KEY`): there is
    no default key file, since every replica needs the same key. With `open=True` (the default)
    the constructor connects, creates or checks the schema and opens the keys, so a wrong key or an
    unreachable server fails at startup; given an `AsyncConnectionPool`, or with `open=False`, that
    happens at the first call (or `open()` / `await aopen()`). `timeout` bounds the wait for a
    connection: a server that is down gives `VaultError` after it, and the guard fails closed.
    """

    def __init__(
        self,
        conninfo_or_pool: str | ConnectionPool[Any] | AsyncConnectionPool[Any],
        *,
        key: bytes | str | None = None,
        key_file: str | os.PathLike[str] | None = None,
        key_provider: KeyProvider | None = None,
        schema: str = "memprivacy",
        min_size: int = 1,
        max_size: int = 10,
        timeout: float = 10.0,
        open: bool = True,
    ) -> None:
        from .keys import provider_for

        try:
            from psycopg_pool import AsyncConnectionPool, ConnectionPool
        except ImportError as exc:  # pragma: no cover - the extra is installed in tests
            raise ImportError(
                "PostgresVault needs psycopg 3 and psycopg_pool: pip install 'memprivacy-plugin[postgres]'"
            ) from exc

        if not 0 <= min_size <= max_size or max_size < 1:
            raise ConfigError("PostgresVault needs 0 <= min_size <= max_size and max_size >= 1")
        self.schema = schema
        self._q = _Sql(schema)
        self._provider: KeyProvider = provider_for(
            key, key_file, key_provider, default_key_file=None, create=False
        )
        self._timeout = timeout
        self._keys: Keyring | None = None
        self._index = IndexHashes(self._ring)

        given_sync = conninfo_or_pool if isinstance(conninfo_or_pool, ConnectionPool) else None
        given_async = conninfo_or_pool if isinstance(conninfo_or_pool, AsyncConnectionPool) else None
        if given_sync is None and given_async is None and not isinstance(conninfo_or_pool, str):
            raise ConfigError(
                "PostgresVault takes a conninfo string, a ConnectionPool or an AsyncConnectionPool"
            )
        source = given_sync if given_sync is not None else given_async
        conninfo: Any = conninfo_or_pool if source is None else source.conninfo
        kwargs = _pool_kwargs(conninfo, None if source is None else source.kwargs)
        sizes: dict[str, Any] = {"min_size": min_size, "max_size": max_size, "timeout": timeout}

        def make_sync() -> ConnectionPool[Any]:
            if not isinstance(conninfo, str):
                raise VaultError("sync calls need a conninfo string or a ConnectionPool")
            return ConnectionPool(conninfo, kwargs=kwargs, open=False, name="memprivacy-vault", **sizes)

        def make_async(configure: Callable[[Any], Any]) -> AsyncConnectionPool[Any]:
            if not isinstance(conninfo, str):
                raise VaultError("async calls need a conninfo string or an AsyncConnectionPool")
            return AsyncConnectionPool(
                conninfo, kwargs=kwargs, open=False, name="memprivacy-vault", configure=configure, **sizes
            )

        self._sync = SyncDriver(given_sync, make_sync)
        self._async = AsyncDriver(given_async, make_async)
        if open and given_async is None:
            try:
                self.open()
            except BaseException:
                self.close()
                raise

    # -- opening: schema and keys ------------------------------------------------------------------

    def open(self) -> None:
        """Create or check the schema and open the keys now (the first call does it otherwise)."""
        self._keys = self._sync.run(self._open_plan, "open", timeout=self._timeout)

    async def aopen(self) -> None:
        """The async twin of `open`."""
        self._keys = await self._async.run(self._open_plan, "open", timeout=self._timeout)

    def _open_plan(self) -> Plan[Keyring]:
        q = self._q
        (exists,) = yield Step((Stmt(q.exists, (q.meta_name,)),))
        version = None
        if exists[0][0]:
            (rows,) = yield Step((Stmt(q.version),))
            version = int(rows[0][0]) if rows else None
        if version != SCHEMA_VERSION:
            yield from self._create_or_migrate()
        return (yield from self._load_keys())

    def _create_or_migrate(self) -> Plan[None]:
        """Under a transaction-scoped advisory lock, so replicas starting at once take turns."""
        q = self._q
        lock = Stmt(q.schema_lock, (f"memprivacy-plugin schema {q.schema}",))
        _, exists, has_schema = yield Step(
            (lock, Stmt(q.exists, (q.meta_name,)), Stmt(q.schema_exists, (q.schema,))), begin=True
        )
        if exists[0][0]:
            (rows,) = yield Step((Stmt(q.version),))
        else:
            # CREATE SCHEMA needs CREATE on the database even when the schema exists: skip it
            # when an administrator made the schema for a role without that right.
            ddl = q.ddl[1:] if has_schema[0][0] else q.ddl
            made = yield Step(
                (
                    *(Stmt(sql) for sql in ddl),
                    Stmt(q.init_version, (str(SCHEMA_VERSION),)),
                    Stmt(q.version),
                )
            )
            rows = made[-1]
        version = int(rows[0][0]) if rows else 0
        if version > SCHEMA_VERSION:
            raise VaultError(
                f"the vault schema {q.schema} has version {version}, newer than this release reads "
                f"({SCHEMA_VERSION}): upgrade memprivacy-plugin"
            )
        while version < SCHEMA_VERSION:
            steps = MIGRATIONS.get(version)
            if steps is None:
                raise VaultError(f"no migration of the vault schema from version {version}")
            version += 1
            migrate = tuple(Stmt(sql.format(s=q.schema)) for sql in steps)
            yield Step((*migrate, Stmt(q.set_version, (str(version),))))
        yield Step(commit=True)

    def _load_keys(self) -> Plan[Keyring]:
        """The keyring from the `keys` rows; a new vault gets data key 1 (concurrent first opens
        agree: one insert wins, everyone reads it back)."""
        from .keys import Keyring

        q = self._q
        (rows,) = yield Step((Stmt(q.key_rows),))
        if not rows:
            first = Keyring.new_key(1, self._provider)
            _, rows = yield Step(
                (Stmt(q.add_key + " ON CONFLICT DO NOTHING", astuple(first)), Stmt(q.key_rows))
            )
        return Keyring.open(_wrapped(rows), self._provider)

    def _ring(self) -> Keyring:
        if self._keys is None:
            self.open()
        assert self._keys is not None
        return self._keys

    async def _aring(self) -> Keyring:
        if self._keys is None:
            await self.aopen()
        assert self._keys is not None
        return self._keys

    def _run(self, plan: Callable[[], Plan[T]], what: str) -> T:
        self._ring()
        return self._sync.run(plan, what, timeout=self._timeout)

    async def _arun(self, plan: Callable[[], Plan[T]], what: str) -> T:
        await self._aring()
        return await self._async.run(plan, what, timeout=self._timeout)

    # -- hashes and decryption -----------------------------------------------------------------

    def _scope(self, user_id: str, namespace: str | None) -> bytes:
        return self._index.scope(user_id, namespace)

    def _user_hash(self, user_id: str) -> bytes:
        return self._index.user(user_id)

    def _value_hash(self, scope: bytes, value: str) -> bytes:
        return self._index.value(scope, value)

    def _decrypt(self, scope: bytes, pkey: str, blob: bytes) -> str:
        plain = self._ring().decrypt(bytes(blob), scope + pkey.encode("utf-8"))
        return plain.decode("utf-8", "surrogatepass")

    def _reload_keys(self) -> Plan[None]:
        """Pick up data keys another replica added (a rotation) since this one loaded them."""
        from .keys import Keyring

        (rows,) = yield Step((Stmt(self._q.key_rows),))
        self._keys = Keyring.open(_wrapped(rows), self._provider)

    def _decrypting(self, work: Callable[[], T]) -> Plan[T]:
        """`work()`, after reloading the keys once if it met a key id this process does not have."""
        from .keys import UnknownKeyError

        try:
            return work()
        except UnknownKeyError:
            yield from self._reload_keys()
            return work()

    # -- the protocol: plans -------------------------------------------------------------------

    def _assign_plan(
        self, user_id: str, items: Sequence[VaultItem], namespace: str | None
    ) -> Plan[list[str]]:
        q = self._q
        scope = self._scope(user_id, namespace)
        hashes = [self._value_hash(scope, item.value) for item in items]
        wanted = list(dict.fromkeys(hashes))
        (rows,) = yield Step((Stmt(q.find, (scope, wanted)),))
        found = {bytes(h): format_placeholder(name, number) for h, name, number in rows}
        if len(found) == len(wanted):
            return [found[h] for h in hashes]
        # New values: take the scope's row, then read again what exists (a replica may have
        # stored some meanwhile) and the highest numbers, all in one round trip.
        missing = [h for h in wanted if h not in found]
        new_keys = sorted({name_key(it.name) for it, h in zip(items, hashes, strict=True) if h not in found})
        _, _, floor_rows, again, tops, newest = yield Step(
            (
                _DURABLE,
                Stmt(q.new_scope, (scope,)),
                Stmt(q.lock_scope, (scope,)),
                Stmt(q.find, (scope, missing)),
                Stmt(q.tops, (scope, new_keys)),
                Stmt(q.newest_key),
            ),
            begin=True,
        )
        found.update((bytes(h), format_placeholder(name, number)) for h, name, number in again)
        if newest[0][0] is not None and newest[0][0] > self._ring().active_id:
            yield from self._reload_keys()  # rotated by another replica: write with the new key
        keys = self._ring()
        floor = int(floor_rows[0][0])
        top = {nk: int(n) for nk, n in tops}
        user_hash = self._user_hash(user_id)
        now = time.time()
        inserts: list[tuple[Any, ...]] = []
        for item, h in zip(items, hashes, strict=True):
            if h in found:
                continue
            nk = name_key(item.name)
            number = max(top.get(nk, 0), floor) + 1
            top[nk] = number
            pkey = placeholder_key(item.name, number)
            blob = keys.encrypt(item.value.encode("utf-8", "surrogatepass"), scope + pkey.encode("utf-8"))
            inserts.append(
                (scope, user_hash, namespace, h, item.name, nk, number, pkey, item.privacy_type,
                 item.level.value, blob, now)
            )  # fmt: skip
            found[h] = format_placeholder(item.name, number)
        yield Step((Stmt(q.insert, many=inserts),) if inserts else (), commit=True)
        return [found[h] for h in hashes]

    def _lookup_plan(
        self, user_id: str, keys: Collection[str], namespace: str | None
    ) -> Plan[dict[str, str]]:
        scope = self._scope(user_id, namespace)
        (rows,) = yield Step((Stmt(self._q.lookup, (scope, list(dict.fromkeys(keys)))),))
        return (
            yield from self._decrypting(lambda: {pkey: self._decrypt(scope, pkey, ct) for pkey, ct in rows})
        )

    def _entries_plan(self, user_id: str, namespace: str | None) -> Plan[list[VaultEntry]]:
        q = self._q
        if namespace is None:
            stmt = Stmt(q.entries_of_user, (self._user_hash(user_id),))
        else:
            stmt = Stmt(q.entries_of_scope, (self._scope(user_id, namespace),))
        (rows,) = yield Step((stmt,))
        return (yield from self._decrypting(lambda: [self._entry(row) for row in rows]))

    def _entry(self, row: tuple[Any, ...]) -> VaultEntry:
        scope, namespace, name, number, pkey, privacy_type, level, blob, created_at = row
        return VaultEntry(
            placeholder=format_placeholder(name, number),
            value=self._decrypt(bytes(scope), pkey, blob),
            privacy_type=privacy_type,
            level=PrivacyLevel(level),
            namespace=namespace,
            created_at=created_at,
        )

    def _forget_plan(self, user_id: str, namespace: str | None) -> Plan[int]:
        q = self._q
        if namespace is None:
            arg, lock, forget = self._user_hash(user_id), q.lock_user_scopes, q.forget_user
        else:
            arg, lock, forget = self._scope(user_id, namespace), q.lock_scope, q.forget_scope
        _, _, (counted,) = yield Step(
            (_DURABLE, Stmt(lock, (arg,)), Stmt(forget, (arg,))), begin=True, commit=True
        )
        return int(counted[0])

    # -- the protocol: sync and async faces ----------------------------------------------------

    def assign(self, user_id: str, items: Sequence[VaultItem], *, namespace: str | None = None) -> list[str]:
        if not items:
            return []
        return self._run(lambda: self._assign_plan(user_id, items, namespace), "write")

    def lookup(self, user_id: str, keys: Collection[str], *, namespace: str | None = None) -> dict[str, str]:
        if not keys:
            return {}
        return self._run(lambda: self._lookup_plan(user_id, keys, namespace), "read")

    def entries(self, user_id: str, *, namespace: str | None = None) -> list[VaultEntry]:
        return self._run(lambda: self._entries_plan(user_id, namespace), "read")

    def forget(self, user_id: str, *, namespace: str | None = None) -> int:
        return self._run(lambda: self._forget_plan(user_id, namespace), "write")

    async def aassign(
        self, user_id: str, items: Sequence[VaultItem], *, namespace: str | None = None
    ) -> list[str]:
        if not items:
            return []
        return await self._arun(lambda: self._assign_plan(user_id, items, namespace), "write")

    async def alookup(
        self, user_id: str, keys: Collection[str], *, namespace: str | None = None
    ) -> dict[str, str]:
        if not keys:
            return {}
        return await self._arun(lambda: self._lookup_plan(user_id, keys, namespace), "read")

    async def aentries(self, user_id: str, *, namespace: str | None = None) -> list[VaultEntry]:
        return await self._arun(lambda: self._entries_plan(user_id, namespace), "read")

    async def aforget(self, user_id: str, *, namespace: str | None = None) -> int:
        return await self._arun(lambda: self._forget_plan(user_id, namespace), "write")

    # -- keys -----------------------------------------------------------------------------------

    def rotate_key(self, provider: KeyProvider | None = None) -> int:
        """Add a data key that encrypts every write from now on (this replica at once, the others at
        their next write); the id of the new key. With `provider` (a new master key), every data key
        is also wrapped by it, so replicas move to the new master one by one. Rows made with older
        keys stay readable; `reencrypt()` moves them to the new key."""
        from .keys import Keyring, rewrap

        current = self._ring().provider

        def plan() -> Plan[tuple[int, Keyring]]:
            q = self._q
            _, _, rows = yield Step((_DURABLE, Stmt(q.lock_keys), Stmt(q.key_rows)), begin=True)
            have = _wrapped(rows)
            new = Keyring.new_key(max(r.key_id for r in have) + 1, current)
            added = [new]
            if provider is not None and provider.name != current.name:
                known = {(r.key_id, r.provider) for r in have}
                added += [
                    r for r in rewrap([*have, new], current, provider) if (r.key_id, r.provider) not in known
                ]
            _, rows = yield Step(
                (Stmt(q.add_key, many=[astuple(r) for r in added]), Stmt(q.key_rows)), commit=True
            )
            return new.key_id, Keyring.open(_wrapped(rows), provider or current)

        key_id, ring = self._run(plan, "key rotation")
        self._provider, self._keys = ring.provider, ring
        return key_id

    def reencrypt(self, *, batch_size: int = 500, max_batches: int | None = None) -> int:
        """Re-encrypt rows made with older data keys under the newest, one short transaction per
        batch (reads and writes go on between batches), all of them or `max_batches` batches; the
        number of rows rewritten (0: none left)."""
        from .keys import Keyring

        def batch(after: int) -> Plan[tuple[int, int]]:
            q = self._q
            yield from self._reload_keys()
            keys = self._ring()
            header = Keyring.header(keys.active_id)
            _, rows = yield Step((_DURABLE, Stmt(q.stale, (after, header, batch_size))), begin=True)
            updates = []
            for rowid, scope, pkey, blob in rows:
                aad = bytes(scope) + pkey.encode("utf-8")
                updates.append((keys.encrypt(keys.decrypt(bytes(blob), aad), aad), rowid))
            yield Step((Stmt(q.rewrite, many=updates),) if updates else (), commit=True)
            return len(rows), (int(rows[-1][0]) if rows else after)

        done, after, batches = 0, 0, 0
        while max_batches is None or batches < max_batches:
            batches += 1
            count, after = self._run(functools.partial(batch, after), "re-encryption")
            done += count
            if count < batch_size:
                break
        return done

    def key_usage(self) -> dict[int, int]:
        """How many rows each data key encrypts (every stored key, 0 for unused ones)."""
        from .keys import Keyring

        def plan() -> Plan[dict[int, int]]:
            keys, counts = yield Step((Stmt(self._q.key_rows), Stmt(self._q.usage)))
            usage = {r.key_id: 0 for r in _wrapped(keys)}
            for header, count in counts:
                usage[Keyring.key_id_of(bytes(header) + bytes(12))] = int(count)
            return usage

        return self._run(plan, "read")

    def drop_wrappings(self, provider_name: str) -> int:
        """Delete the wrappings made by an old master key once every replica uses the new one;
        refused if some data key would be left with no wrapping. The count deleted."""
        if provider_name == self._ring().provider.name:
            raise ConfigError("cannot drop the wrappings of the master key this vault is open with")

        def plan() -> Plan[int]:
            q = self._q
            _, _, rows = yield Step((_DURABLE, Stmt(q.lock_keys), Stmt(q.key_rows)), begin=True)
            have = _wrapped(rows)
            if {r.key_id for r in have} - {r.key_id for r in have if r.provider != provider_name}:
                raise ConfigError("some data key has no other wrapping: rotate to the new master first")
            (deleted,) = yield Step((Stmt(q.drop_wrappings, (provider_name,)),), commit=True)
            return len(deleted)

        return self._run(plan, "write")

    # -- lifecycle ------------------------------------------------------------------------------

    def close(self) -> None:
        """Close the pools the vault made (pools passed in stay open); later calls raise VaultError.
        Async pools of loops still running are closed in their loop; prefer `await aclose()` there."""
        self._sync.close()
        self._async.close()

    async def aclose(self) -> None:
        """Close the running loop's pool now, then everything `close` closes."""
        self._sync.close()
        await self._async.aclose()

    def __enter__(self) -> PostgresVault:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    async def __aenter__(self) -> PostgresVault:
        await self._aring()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    def __repr__(self) -> str:  # never the conninfo: it may hold a password
        return f"PostgresVault(schema={self.schema!r})"


def _pool_kwargs(conninfo: Any, given: Any) -> dict[str, Any]:
    """Connection settings for the pools the vault makes: the given pool's, in autocommit (the
    vault's transactions are explicit), named for `pg_stat_activity` unless the conninfo names it."""
    from psycopg.conninfo import conninfo_to_dict

    kwargs: dict[str, Any] = dict(given) if isinstance(given, dict) else {}
    kwargs["autocommit"] = True
    try:
        named = isinstance(conninfo, str) and "application_name" in conninfo_to_dict(conninfo)
    except Exception:  # an invalid conninfo fails at connect, with the driver's message
        named = False
    if not named:
        kwargs.setdefault("application_name", "memprivacy-vault")
    return kwargs
