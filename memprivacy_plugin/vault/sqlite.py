"""The default vault: one SQLite file, values encrypted, users known only by keyed hashes.

Schema (one row per distinct value per scope)::

    meta(k TEXT PRIMARY KEY, v BLOB)          -- schema version
    keys(key_id, provider, wrapped, created_at) -- data keys, wrapped by the master (see keys.py)
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
        value_ct     BLOB NOT NULL,           -- key id || nonce || AES-256-GCM(value), AAD = scope || pkey
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

Durability: `synchronous=FULL` by default, so a placeholder `protect` returned survives a power
loss (it may already sit in a cloud memory). `synchronous="NORMAL"` is faster and survives a
crash of the process but may lose the last transactions on power loss: an explicit opt-in.
Files of schema version 1 (before key ids) are upgraded in place on first open with their key.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from collections.abc import Collection, Sequence
from dataclasses import astuple
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from ..errors import ConfigError, VaultError, VaultKeyError
from ..placeholders import format_placeholder, name_key, placeholder_key
from ..taxonomy import PrivacyLevel
from .base import AsyncVaultMixin, VaultEntry, VaultItem
from .keys import IndexHashes, Keyring, LocalKeyProvider, UnknownKeyError, WrappedKey

if TYPE_CHECKING:
    from .keys import KeyProvider

__all__ = ["DATA_DIR_ENV", "SQLiteVault", "default_vault_path"]

DATA_DIR_ENV = "MEMPRIVACY_DATA_DIR"
SCHEMA_VERSION = b"2"
_SYNCHRONOUS = ("FULL", "EXTRA", "NORMAL")
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
CREATE TABLE IF NOT EXISTS keys (
    key_id INTEGER NOT NULL,
    provider TEXT NOT NULL,
    wrapped BLOB NOT NULL,
    created_at REAL NOT NULL,
    PRIMARY KEY (key_id, provider)
);
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
_SQL_ADD_KEY = "INSERT INTO keys (key_id, provider, wrapped, created_at) VALUES (?, ?, ?, ?)"
_SQL_ADD_KEY_ONCE = _SQL_ADD_KEY.replace("INSERT", "INSERT OR IGNORE", 1)  # first opens racing
_SQL_ENTRY_COLS = "scope, namespace, name, number, pkey, privacy_type, level, value_ct, created_at"


def default_vault_path() -> Path:
    """`$MEMPRIVACY_DATA_DIR/vault.sqlite3`, else the platform's per-user data directory."""
    env = os.environ.get(DATA_DIR_ENV)
    if env:
        return Path(env).expanduser() / "vault.sqlite3"
    import platformdirs

    return Path(platformdirs.user_data_dir("memprivacy-plugin")) / "vault.sqlite3"


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
        key_provider: KeyProvider | None = None,
        busy_timeout: float = 30.0,
        synchronous: str = "FULL",
    ) -> None:
        from .keys import provider_for

        if synchronous.upper() not in _SYNCHRONOUS:
            raise ConfigError(f"synchronous must be one of {', '.join(_SYNCHRONOUS)}")
        self.path = Path(path).expanduser() if path is not None else default_vault_path()
        self._lock = threading.RLock()
        self._index = IndexHashes(lambda: self._keys)
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
            conn.execute(f"PRAGMA synchronous = {synchronous.upper()}")
            version = self._init_schema(conn)
            fresh = version is None or (
                version == SCHEMA_VERSION and conn.execute("SELECT 1 FROM keys LIMIT 1").fetchone() is None
            )
            provider = provider_for(
                key,
                key_file,
                key_provider,
                default_key_file=Path(str(self.path) + ".key"),
                create=fresh,
            )
            if version == b"1":
                self._upgrade_v1(conn, key, key_file, provider)
            self._keys: Keyring = self._open_keys(conn, provider)
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
        """Create the tables of a new file; the schema version the file had (None: new)."""
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
            return None
        version = conn.execute("SELECT v FROM meta WHERE k = 'schema_version'").fetchone()
        if version is None or bytes(version[0]) not in (b"1", SCHEMA_VERSION):
            raise VaultError("this vault file has an unknown schema version (made by a newer release?)")
        return bytes(version[0])

    def _upgrade_v1(
        self,
        conn: sqlite3.Connection,
        key: bytes | str | None,
        key_file: str | os.PathLike[str] | None,
        provider: KeyProvider,
    ) -> None:
        """Schema 1 -> 2: the old master key becomes data key 1 (so every keyed hash and derived
        AES key stays the same) and every ciphertext gains the key-id header, in one transaction."""
        import hmac

        from .crypto import VaultCrypto, resolve_key

        if key is None and key_file is None and not isinstance(provider, LocalKeyProvider):
            raise VaultKeyError(
                "a vault made before key ids is upgraded with its own key: pass key= or key_file="
            )
        master = resolve_key(
            key, key_file=key_file, default_key_file=Path(str(self.path) + ".key"), create=False
        )
        conn.execute("BEGIN IMMEDIATE")
        try:
            version = conn.execute("SELECT v FROM meta WHERE k = 'schema_version'").fetchone()
            if bytes(version[0]) == b"1":  # not upgraded meanwhile by another process
                check = conn.execute("SELECT v FROM meta WHERE k = 'key_check'").fetchone()
                if check is None or not hmac.compare_digest(bytes(check[0]), VaultCrypto(master).key_check):
                    raise VaultKeyError("the vault key does not match the key this vault was created with")
                for statement in _SCHEMA.split(";"):
                    if statement.strip():
                        conn.execute(statement)
                row = Keyring.new_key(1, provider, raw=master)
                conn.execute(_SQL_ADD_KEY, (row.key_id, row.provider, row.wrapped, row.created_at))
                header = Keyring.header(1)
                rows = conn.execute("SELECT id, value_ct FROM entries").fetchall()
                conn.executemany(
                    "UPDATE entries SET value_ct = ? WHERE id = ?", [(header + bytes(b), i) for i, b in rows]
                )
                conn.execute("DELETE FROM meta WHERE k = 'key_check'")
                conn.execute("UPDATE meta SET v = ? WHERE k = 'schema_version'", (SCHEMA_VERSION,))
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise

    @staticmethod
    def _key_rows(conn: sqlite3.Connection) -> list[WrappedKey]:
        rows = conn.execute("SELECT key_id, provider, wrapped, created_at FROM keys").fetchall()
        return [WrappedKey(k, p, bytes(w), c) for k, p, w, c in rows]

    def _open_keys(self, conn: sqlite3.Connection, provider: KeyProvider) -> Keyring:
        """The data keys `provider` opens; a new vault gets data key 1 (the first opener wins)."""
        rows = self._key_rows(conn)
        if not rows:
            row = Keyring.new_key(1, provider)
            conn.execute(_SQL_ADD_KEY_ONCE, astuple(row))
            rows = self._key_rows(conn)
        return Keyring.open(rows, provider)

    def _reload_keys(self) -> None:
        """Pick up data keys another process added (a rotation) since this one opened."""
        self._keys = Keyring.open(self._key_rows(self._db()), self._keys.provider)

    # -- helpers --------------------------------------------------------------------------------

    def _db(self) -> sqlite3.Connection:
        if self._conn is None:
            raise VaultError("the vault is closed")
        return self._conn

    def _scope(self, user_id: str, namespace: str | None) -> bytes:
        return self._index.scope(user_id, namespace)

    def _user_hash(self, user_id: str) -> bytes:
        return self._index.user(user_id)

    def _value_hash(self, scope: bytes, value: str) -> bytes:
        return self._index.value(scope, value)

    def _decrypt(self, scope: bytes, pkey: str, blob: bytes) -> str:
        aad = scope + pkey.encode("utf-8")
        try:
            plain = self._keys.decrypt(blob, aad)
        except UnknownKeyError:
            self._reload_keys()  # a key another process added; still unknown -> the error stands
            plain = self._keys.decrypt(blob, aad)
        return plain.decode("utf-8", "surrogatepass")

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
            newest = conn.execute("SELECT MAX(key_id) FROM keys").fetchone()[0]
            if newest is not None and newest > self._keys.active_id:
                self._reload_keys()  # rotated by another process: write with the new key
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
                        blob = self._keys.encrypt(
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

    # -- keys -----------------------------------------------------------------------------------

    def rotate_key(self, provider: KeyProvider | None = None) -> int:
        """Add a data key that encrypts every write from now on (this process at once, others at
        their next write); the id of the new key. With `provider` (a new master key), every data
        key is also wrapped by it, so replicas move to the new master one by one. Rows made with
        older keys stay readable; `reencrypt()` moves them to the new key."""
        from .keys import rewrap

        with self._lock:
            conn = self._db()
            current = self._keys.provider
            try:
                conn.execute("BEGIN IMMEDIATE")
                try:
                    rows = self._key_rows(conn)
                    new = Keyring.new_key(max(r.key_id for r in rows) + 1, current)
                    added = [new]
                    if provider is not None and provider.name != current.name:
                        have = {(r.key_id, r.provider) for r in rows}
                        added += [
                            r
                            for r in rewrap([*rows, new], current, provider)
                            if (r.key_id, r.provider) not in have
                        ]
                    conn.executemany(_SQL_ADD_KEY, [astuple(r) for r in added])
                    conn.execute("COMMIT")
                except BaseException:
                    conn.execute("ROLLBACK")
                    raise
                self._keys = Keyring.open(self._key_rows(conn), provider or current)
            except sqlite3.Error as exc:
                raise VaultError(f"vault write failed: {exc}") from exc
            return new.key_id

    def reencrypt(self, *, batch_size: int = 500, max_batches: int | None = None) -> int:
        """Re-encrypt rows made with older data keys under the newest, one short transaction per
        batch (reads and writes go on between batches), all of them or `max_batches` batches; the
        number of rows rewritten (0: none left)."""
        done, batches = 0, 0
        while max_batches is None or batches < max_batches:
            batches += 1
            with self._lock:
                conn = self._db()
                try:
                    self._reload_keys()
                    header = Keyring.header(self._keys.active_id)
                    conn.execute("BEGIN IMMEDIATE")
                    try:
                        rows = conn.execute(
                            "SELECT id, scope, pkey, value_ct FROM entries WHERE substr(value_ct, 1, 5) != ?"
                            " LIMIT ?",
                            (header, batch_size),
                        ).fetchall()
                        for rowid, scope, pkey, blob in rows:
                            aad = scope + pkey.encode("utf-8")
                            fresh = self._keys.encrypt(self._keys.decrypt(bytes(blob), aad), aad)
                            conn.execute("UPDATE entries SET value_ct = ? WHERE id = ?", (fresh, rowid))
                        conn.execute("COMMIT")
                    except BaseException:
                        conn.execute("ROLLBACK")
                        raise
                except sqlite3.Error as exc:
                    raise VaultError(f"vault write failed: {exc}") from exc
            done += len(rows)
            if len(rows) < batch_size:
                break
        return done

    def key_usage(self) -> dict[int, int]:
        """How many rows each data key encrypts (every stored key, 0 for unused ones)."""
        with self._lock:
            conn = self._db()
            try:
                usage = {r.key_id: 0 for r in self._key_rows(conn)}
                rows = conn.execute(
                    "SELECT substr(value_ct, 2, 4), COUNT(*) FROM entries GROUP BY 1"
                ).fetchall()
            except sqlite3.Error as exc:
                raise VaultError(f"vault read failed: {exc}") from exc
        for key_id, count in rows:  # the 4 key-id bytes after the format byte
            usage[int.from_bytes(bytes(key_id), "big")] = count
        return usage

    def drop_wrappings(self, provider_name: str) -> int:
        """Delete the wrappings made by an old master key once every replica uses the new one;
        refused if some data key would be left with no wrapping. The count deleted."""
        with self._lock:
            conn = self._db()
            if provider_name == self._keys.provider.name:
                raise ConfigError("cannot drop the wrappings of the master key this vault is open with")
            try:
                conn.execute("BEGIN IMMEDIATE")
                try:
                    rows = self._key_rows(conn)
                    kept = {r.key_id for r in rows if r.provider != provider_name}
                    if {r.key_id for r in rows} - kept:
                        raise ConfigError(
                            "some data key has no other wrapping: rotate to the new master first"
                        )
                    cur = conn.execute("DELETE FROM keys WHERE provider = ?", (provider_name,))
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
