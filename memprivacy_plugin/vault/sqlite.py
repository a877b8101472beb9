"""The default vault: one SQLite file, values encrypted, users known only by keyed hashes.

Schema (one row per distinct value per scope)::

    meta(k TEXT PRIMARY KEY, v BLOB)          -- schema version, key check
    entries(
        id           INTEGER PRIMARY KEY,     -- creation order
        scope        BLOB NOT NULL,           -- HMAC(user_id, namespace): the user id is never stored
        user_hash    BLOB NOT NULL,           -- HMAC(user_id): finds every namespace of a user
        namespace    TEXT,                    -- in clear (app-chosen labels); NULL = default
        value_hash   BLOB NOT NULL,           -- HMAC(scope, value): same-value lookup without plaintext
        name         TEXT NOT NULL,           -- placeholder name as first assigned (goes to the cloud anyway)
        name_key     TEXT NOT NULL,           -- name_key(name): numbering is per key
        number       INTEGER NOT NULL,
        pkey         TEXT NOT NULL,           -- placeholder_key(name, number): what lookup receives
        privacy_type TEXT NOT NULL,           -- clear: no more than the placeholder name reveals
        level        TEXT NOT NULL,
        value_ct     BLOB NOT NULL,           -- nonce || AES-256-GCM(value), AAD = scope || pkey
        created_at   REAL NOT NULL,
        UNIQUE(scope, value_hash), UNIQUE(scope, name_key, number), UNIQUE(scope, pkey))
    floors(scope BLOB PRIMARY KEY, floor INTEGER)  -- highest number of a forgotten scope

Writes run in one `BEGIN IMMEDIATE` transaction per batch, so threads and processes sharing the
file serialise on SQLite's write lock: each value gets exactly one placeholder and numbers never
collide. A batch whose values all exist already is answered by a plain read, without the write lock.
`forget` deletes a scope's rows outright and keeps one integer for it, the highest number its
placeholders used (`floors`, keyed by the scope's HMAC): numbering goes on above it, so a
placeholder still sitting in a cloud memory resolves to its value or, once forgotten, to nothing,
never to a value given later.
"""

from __future__ import annotations

import os
import sqlite3
import struct
import threading
import time
from collections.abc import Collection, Sequence
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from ..errors import VaultError, VaultKeyError
from ..placeholders import format_placeholder, name_key, placeholder_key
from ..taxonomy import PrivacyLevel
from .base import AsyncVaultMixin, VaultEntry, VaultItem

if TYPE_CHECKING:
    from .crypto import VaultCrypto

__all__ = ["DATA_DIR_ENV", "SQLiteVault", "default_vault_path"]

DATA_DIR_ENV = "MEMPRIVACY_DATA_DIR"
SCHEMA_VERSION = b"1"
_CHUNK = 500  # stays below SQLite's bound-parameter limit

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS entries (
    id INTEGER PRIMARY KEY,
    scope BLOB NOT NULL,
    user_hash BLOB NOT NULL,
    namespace TEXT,
    value_hash BLOB NOT NULL,
    name TEXT NOT NULL,
    name_key TEXT NOT NULL,
    number INTEGER NOT NULL,
    pkey TEXT NOT NULL,
    privacy_type TEXT NOT NULL,
    level TEXT NOT NULL,
    value_ct BLOB NOT NULL,
    created_at REAL NOT NULL,
    UNIQUE (scope, value_hash),
    UNIQUE (scope, name_key, number),
    UNIQUE (scope, pkey)
);
CREATE INDEX IF NOT EXISTS entries_user ON entries (user_hash);
CREATE TABLE IF NOT EXISTS floors (scope BLOB PRIMARY KEY, floor INTEGER NOT NULL);
"""

_SQL_FIND = "SELECT name, number FROM entries WHERE scope = ? AND value_hash = ?"
_SQL_MAX = "SELECT MAX(number) FROM entries WHERE scope = ? AND name_key = ?"
_SQL_FLOOR = "SELECT floor FROM floors WHERE scope = ?"
# Before a forget: remember the highest number each forgotten scope used.
_SQL_KEEP_FLOORS = (
    "INSERT INTO floors (scope, floor) SELECT scope, MAX(number) FROM entries WHERE {where} GROUP BY scope"
    " ON CONFLICT (scope) DO UPDATE SET floor = max(floor, excluded.floor)"
)
_SQL_INSERT = (
    "INSERT INTO entries (scope, user_hash, namespace, value_hash, name, name_key, number, pkey,"
    " privacy_type, level, value_ct, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_SQL_ENTRY_COLS = "scope, namespace, name, number, pkey, privacy_type, level, value_ct, created_at"


def default_vault_path() -> Path:
    """`$MEMPRIVACY_DATA_DIR/vault.sqlite3`, else the platform's per-user data directory."""
    env = os.environ.get(DATA_DIR_ENV)
    if env:
        return Path(env).expanduser() / "vault.sqlite3"
    import platformdirs

    return Path(platformdirs.user_data_dir("memprivacy-plugin")) / "vault.sqlite3"


def _lp(text: str) -> bytes:
    """Length-prefixed UTF-8, so concatenated fields can never be ambiguous."""
    data = text.encode("utf-8", "surrogatepass")
    return struct.pack(">I", len(data)) + data


class SQLiteVault(AsyncVaultMixin):
    """An encrypted vault in one SQLite file, safe across threads and processes.

    `key` / `key_file` select the master key (see `memprivacy_plugin.vault.crypto`); without them
    `MEMPRIVACY_VAULT_KEY` or the key file `<path>.key` (created on first use) is used.
    """

    def __init__(
        self,
        path: str | os.PathLike[str] | None = None,
        *,
        key: bytes | str | None = None,
        key_file: str | os.PathLike[str] | None = None,
        busy_timeout: float = 30.0,
    ) -> None:
        from .crypto import VaultCrypto, resolve_key

        self.path = Path(path).expanduser() if path is not None else default_vault_path()
        self._lock = threading.RLock()
        self._scopes: dict[tuple[str, str | None], bytes] = {}
        self._users: dict[str, bytes] = {}
        try:
            self._prepare_files()
            conn = sqlite3.connect(
                self.path, timeout=busy_timeout, isolation_level=None, check_same_thread=False
            )
        except (OSError, sqlite3.Error) as exc:
            raise VaultError(f"cannot open vault {self.path}: {exc}") from exc
        self._conn: sqlite3.Connection | None = conn
        try:
            conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout * 1000)}")
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
            stored_check = self._init_schema(conn)
            master = resolve_key(
                key,
                key_file=key_file,
                default_key_file=Path(str(self.path) + ".key"),
                create=stored_check is None,
            )
            self._crypto: VaultCrypto = VaultCrypto(master)
            self._check_key(conn, stored_check)
        except sqlite3.Error as exc:
            conn.close()
            self._conn = None
            raise VaultError(f"cannot open vault {self.path}: {exc}") from exc
        except BaseException:
            conn.close()
            self._conn = None
            raise

    # -- opening ------------------------------------------------------------------------------

    def _prepare_files(self) -> None:
        """Parent directory 0700 and the db file 0600 before SQLite creates it (WAL/SHM inherit)."""
        parent = self.path.parent
        if not parent.exists():
            parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not self.path.exists():
            try:
                fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
                os.close(fd)
            except FileExistsError:
                pass

    @staticmethod
    def _init_schema(conn: sqlite3.Connection) -> bytes | None:
        """Create tables if needed; the stored key check, or None for a brand-new vault."""
        row = conn.execute("SELECT name FROM sqlite_master WHERE name = 'meta'").fetchone()
        if row is None:
            conn.execute("BEGIN IMMEDIATE")
            try:
                for statement in _SCHEMA.split(";"):
                    if statement.strip():
                        conn.execute(statement)
                conn.execute(
                    "INSERT OR IGNORE INTO meta (k, v) VALUES ('schema_version', ?)", (SCHEMA_VERSION,)
                )
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
        version = conn.execute("SELECT v FROM meta WHERE k = 'schema_version'").fetchone()
        if version is None or bytes(version[0]) != SCHEMA_VERSION:
            raise VaultError("this vault file has an unknown schema version")
        if conn.execute("SELECT name FROM sqlite_master WHERE name = 'floors'").fetchone() is None:
            # Files made before `floors` existed: add it (an empty table changes nothing else).
            conn.execute("CREATE TABLE IF NOT EXISTS floors (scope BLOB PRIMARY KEY, floor INTEGER NOT NULL)")
        check = conn.execute("SELECT v FROM meta WHERE k = 'key_check'").fetchone()
        return None if check is None else bytes(check[0])

    def _check_key(self, conn: sqlite3.Connection, stored: bytes | None) -> None:
        import hmac

        if stored is None:
            conn.execute(
                "INSERT OR IGNORE INTO meta (k, v) VALUES ('key_check', ?)", (self._crypto.key_check,)
            )
            row = conn.execute("SELECT v FROM meta WHERE k = 'key_check'").fetchone()
            stored = bytes(row[0])
        if not hmac.compare_digest(stored, self._crypto.key_check):
            raise VaultKeyError("the vault key does not match the key this vault was created with")

    # -- helpers --------------------------------------------------------------------------------

    def _db(self) -> sqlite3.Connection:
        if self._conn is None:
            raise VaultError("the vault is closed")
        return self._conn

    def _scope(self, user_id: str, namespace: str | None) -> bytes:
        cache_key = (user_id, namespace)
        scope = self._scopes.get(cache_key)
        if scope is None:
            ns = b"\x00" if namespace is None else b"\x01" + _lp(namespace)
            scope = self._crypto.mac(b"scope\x00" + _lp(user_id) + ns)
            if len(self._scopes) > 4096:
                self._scopes.clear()
            self._scopes[cache_key] = scope
        return scope

    def _user_hash(self, user_id: str) -> bytes:
        uh = self._users.get(user_id)
        if uh is None:
            uh = self._crypto.mac(b"user\x00" + _lp(user_id))
            if len(self._users) > 4096:
                self._users.clear()
            self._users[user_id] = uh
        return uh

    def _value_hash(self, scope: bytes, value: str) -> bytes:
        return self._crypto.mac(b"value\x00" + scope + value.encode("utf-8", "surrogatepass"))

    def _decrypt(self, scope: bytes, pkey: str, blob: bytes) -> str:
        return self._crypto.decrypt(blob, scope + pkey.encode("utf-8")).decode("utf-8", "surrogatepass")

    # -- the protocol ---------------------------------------------------------------------------

    def assign(self, user_id: str, items: Sequence[VaultItem], *, namespace: str | None = None) -> list[str]:
        if not items:
            return []
        with self._lock:
            conn = self._db()
            scope = self._scope(user_id, namespace)
            hashes = [self._value_hash(scope, item.value) for item in items]
            try:
                # Fast path: every value is known -> a read, no write lock.
                found: dict[bytes, str] = {}
                for h in hashes:
                    if h not in found:
                        row = conn.execute(_SQL_FIND, (scope, h)).fetchone()
                        if row is None:
                            break
                        found[h] = format_placeholder(row[0], row[1])
                else:
                    return [found[h] for h in hashes]
                return self._assign_tx(conn, user_id, namespace, scope, items, hashes)
            except sqlite3.Error as exc:
                raise VaultError(f"vault write failed: {exc}") from exc

    def _assign_tx(
        self,
        conn: sqlite3.Connection,
        user_id: str,
        namespace: str | None,
        scope: bytes,
        items: Sequence[VaultItem],
        hashes: list[bytes],
    ) -> list[str]:
        conn.execute("BEGIN IMMEDIATE")
        try:
            out: list[str] = []
            done: dict[bytes, str] = {}
            next_number: dict[str, int] = {}
            floor: int | None = None
            now = time.time()
            user_hash = self._user_hash(user_id)
            for item, h in zip(items, hashes, strict=True):
                placeholder = done.get(h)
                if placeholder is None:
                    row = conn.execute(_SQL_FIND, (scope, h)).fetchone()
                    if row is not None:
                        placeholder = format_placeholder(row[0], row[1])
                    else:
                        nk = name_key(item.name)
                        number = next_number.get(nk)
                        if number is None:
                            if floor is None:
                                row = conn.execute(_SQL_FLOOR, (scope,)).fetchone()
                                floor = row[0] if row is not None else 0
                            top = conn.execute(_SQL_MAX, (scope, nk)).fetchone()[0]
                            number = max(top or 0, floor) + 1
                        next_number[nk] = number + 1
                        pkey = placeholder_key(item.name, number)
                        blob = self._crypto.encrypt(
                            item.value.encode("utf-8", "surrogatepass"), scope + pkey.encode("utf-8")
                        )
                        conn.execute(
                            _SQL_INSERT,
                            (
                                scope,
                                user_hash,
                                namespace,
                                h,
                                item.name,
                                nk,
                                number,
                                pkey,
                                item.privacy_type,
                                item.level.value,
                                blob,
                                now,
                            ),
                        )
                        placeholder = format_placeholder(item.name, number)
                    done[h] = placeholder
                out.append(placeholder)
            conn.execute("COMMIT")
            return out
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise

    def lookup(self, user_id: str, keys: Collection[str], *, namespace: str | None = None) -> dict[str, str]:
        if not keys:
            return {}
        with self._lock:
            conn = self._db()
            scope = self._scope(user_id, namespace)
            wanted = list(dict.fromkeys(keys))
            out: dict[str, str] = {}
            try:
                for start in range(0, len(wanted), _CHUNK):
                    chunk = wanted[start : start + _CHUNK]
                    marks = ",".join("?" * len(chunk))
                    rows = conn.execute(
                        f"SELECT pkey, value_ct FROM entries WHERE scope = ? AND pkey IN ({marks})",
                        (scope, *chunk),
                    ).fetchall()
                    for pkey, blob in rows:
                        out[pkey] = self._decrypt(scope, pkey, blob)
            except sqlite3.Error as exc:
                raise VaultError(f"vault read failed: {exc}") from exc
            return out

    def entries(self, user_id: str, *, namespace: str | None = None) -> list[VaultEntry]:
        with self._lock:
            conn = self._db()
            try:
                if namespace is None:
                    rows = conn.execute(
                        f"SELECT {_SQL_ENTRY_COLS} FROM entries WHERE user_hash = ? ORDER BY id",
                        (self._user_hash(user_id),),
                    ).fetchall()
                else:
                    rows = conn.execute(
                        f"SELECT {_SQL_ENTRY_COLS} FROM entries WHERE scope = ? ORDER BY id",
                        (self._scope(user_id, namespace),),
                    ).fetchall()
            except sqlite3.Error as exc:
                raise VaultError(f"vault read failed: {exc}") from exc
            return [self._entry(row) for row in rows]

    def _entry(self, row: Any) -> VaultEntry:
        scope, namespace, name, number, pkey, privacy_type, level, blob, created_at = row
        return VaultEntry(
            placeholder=format_placeholder(name, number),
            value=self._decrypt(scope, pkey, blob),
            privacy_type=privacy_type,
            level=PrivacyLevel(level),
            namespace=namespace,
            created_at=created_at,
        )

    def forget(self, user_id: str, *, namespace: str | None = None) -> int:
        with self._lock:
            conn = self._db()
            if namespace is None:
                where, arg = "user_hash = ?", self._user_hash(user_id)
            else:
                where, arg = "scope = ?", self._scope(user_id, namespace)
            try:
                conn.execute("BEGIN IMMEDIATE")
                try:
                    conn.execute(_SQL_KEEP_FLOORS.format(where=where), (arg,))
                    cur = conn.execute(f"DELETE FROM entries WHERE {where}", (arg,))
                    conn.execute("COMMIT")
                except BaseException:
                    conn.execute("ROLLBACK")
                    raise
            except sqlite3.Error as exc:
                raise VaultError(f"vault write failed: {exc}") from exc
            return cur.rowcount

    # -- lifecycle ------------------------------------------------------------------------------

    def close(self) -> None:
        """Close the connection (idempotent); later calls raise VaultError."""
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    def __enter__(self) -> SQLiteVault:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"SQLiteVault({str(self.path)!r})"
