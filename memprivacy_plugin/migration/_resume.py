"""The checkpoint file of a migration: which items there are and what became of each, on disk.

A migration first lists the ids of every item it will touch into this file (the snapshot: memory
stays bounded however many items there are, and rewriting cannot reorder what is still to do),
then works through it in batches. Each item goes through three states, each committed before the
next step starts:

    0 todo -> 1 writing (the outcome and the spans it protects, recorded before the write)
           -> 2 done (after the store committed the write)

Killed at any point, a rerun with the same file skips the done items and does the rest again: an
item caught in state 1 was either rewritten already (protecting it again leaves it as it is, and
the recorded outcome stands) or not (it is rewritten now, the same way). Nothing is skipped or
counted twice, and the report of the resumed run equals that of an uninterrupted one.

The file runs in WAL mode with `synchronous=NORMAL`: a commit survives the process being killed,
and what a power loss can take is the last few commits, in order. The data never depends on it
(the vault commits its mappings with its own durability, and an item done again protects to
itself); only the counts of a report resumed after a power loss may file an item rewritten just
before it as unchanged. Two fsyncs fewer per batch than `FULL`.

Several worker processes share one file (WAL, `BEGIN IMMEDIATE`, a busy timeout); each takes the
items whose sequence number falls in its shard. The file holds item ids (a store's namespace and
key, a memory id) and counts, never a value. A file made for another job is refused.
"""

from __future__ import annotations

import json
import os
import sqlite3
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from types import TracebackType
from typing import NamedTuple

from ..errors import ConfigError

__all__ = ["DONE", "TODO", "WRITING", "Checkpoint", "Pending", "Tally"]

TODO, WRITING, DONE = 0, 1, 2
_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS items (
    seq INTEGER PRIMARY KEY,
    item TEXT NOT NULL UNIQUE,
    state INTEGER NOT NULL DEFAULT 0,
    outcome TEXT,
    tally TEXT
);
CREATE INDEX IF NOT EXISTS items_state ON items (state, seq);
"""
_CHUNK = 500

#: What an item's rewrite protected: (level, type) -> spans.
Tally = dict[tuple[str, str], int]


class Pending(NamedTuple):
    """An item still to do: its sequence number, its id, and, if it was caught mid-write by a
    kill (state 1), the outcome and tally recorded before that write."""

    seq: int
    item: str
    state: int
    outcome: str | None
    tally: Tally


def _dump(tally: Tally) -> str | None:
    return json.dumps([[lvl, kind, n] for (lvl, kind), n in sorted(tally.items())]) if tally else None


def _load(text: str | None) -> Tally:
    return {(str(lvl), str(kind)): int(n) for lvl, kind, n in json.loads(text)} if text else {}


class Checkpoint:
    """A migration's progress in one SQLite file at `path` (None: a temporary file, deleted by
    `close()`; such a run cannot be resumed). `job` names what is migrated (source and options);
    a file made for another job raises `ConfigError`."""

    def __init__(self, path: str | os.PathLike[str] | None, *, job: str, busy_timeout: float = 60.0) -> None:
        self._temporary = path is None
        if path is None:
            fd, name = tempfile.mkstemp(prefix="memprivacy-migration-", suffix=".sqlite3")
            os.close(fd)
            path = name
        self.path = Path(path).expanduser()
        self.job = job
        if not self.path.exists():
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
            os.close(fd)
        conn = sqlite3.connect(self.path, timeout=busy_timeout, isolation_level=None, check_same_thread=False)
        self._conn: sqlite3.Connection | None = conn
        try:
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
            with self._tx() as db:
                for statement in _SCHEMA.split(";"):
                    if statement.strip():
                        db.execute(statement)
                db.execute("INSERT OR IGNORE INTO meta (k, v) VALUES ('job', ?)", (job,))
                row = db.execute("SELECT v FROM meta WHERE k = 'job'").fetchone()
            if row[0] != job:
                raise ConfigError(
                    f"the checkpoint file {self.path} belongs to another migration (another source or "
                    "other options); pass a new --checkpoint path, or the options it was made with"
                )
        except sqlite3.Error as exc:
            self.close()
            raise ConfigError(f"cannot use the checkpoint file {self.path}: {exc}") from None
        except BaseException:
            self.close()
            raise
        self.done_before = self.count(DONE)

    # -- plumbing -------------------------------------------------------------------------------

    def _db(self) -> sqlite3.Connection:
        if self._conn is None:
            raise ConfigError("the checkpoint file is closed")
        return self._conn

    class _Tx:
        def __init__(self, conn: sqlite3.Connection) -> None:
            self.conn = conn

        def __enter__(self) -> sqlite3.Connection:
            self.conn.execute("BEGIN IMMEDIATE")
            return self.conn

        def __exit__(
            self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
        ) -> None:
            self.conn.execute("COMMIT" if kind is None else "ROLLBACK")

    def _tx(self) -> Checkpoint._Tx:
        return Checkpoint._Tx(self._db())

    # -- the snapshot ---------------------------------------------------------------------------

    @property
    def listed(self) -> bool:
        """Whether every item id has been listed (a listing cut short is done again)."""
        return self._db().execute("SELECT 1 FROM meta WHERE k = 'listed'").fetchone() is not None

    def add(self, items: Iterable[str]) -> int:
        """Add item ids (ones already there are ignored), committed in chunks; how many were new."""
        added = 0
        chunk: list[tuple[str]] = []
        for item in items:
            chunk.append((item,))
            if len(chunk) >= _CHUNK:
                added += self._insert(chunk)
                chunk = []
        return added + (self._insert(chunk) if chunk else 0)

    def _insert(self, rows: list[tuple[str]]) -> int:
        with self._tx() as db:
            before = db.total_changes
            db.executemany("INSERT OR IGNORE INTO items (item) VALUES (?)", rows)
            return db.total_changes - before

    def finish_listing(self) -> None:
        with self._tx() as db:
            db.execute("INSERT OR REPLACE INTO meta (k, v) VALUES ('listed', '1')")

    # -- the work -------------------------------------------------------------------------------

    def pending(
        self, *, after: int = 0, limit: int = _CHUNK, shard: int = 0, shards: int = 1
    ) -> list[Pending]:
        """The next items not done with a sequence number above `after`, in this shard."""
        rows = (
            self._db()
            .execute(
                "SELECT seq, item, state, outcome, tally FROM items WHERE seq > ? AND state < ? "
                "AND seq % ? = ? ORDER BY seq LIMIT ?",
                (after, DONE, shards, shard, limit),
            )
            .fetchall()
        )
        return [Pending(seq, item, state, outcome, _load(tally)) for seq, item, state, outcome, tally in rows]

    def writing(self, rows: Sequence[tuple[int, str, Tally]]) -> None:
        """Record (seq, outcome, tally) of items about to be written (state 1)."""
        self._mark(rows, WRITING)

    def done(self, rows: Sequence[tuple[int, str, Tally]]) -> None:
        """Record (seq, outcome, tally) of items whose write (or no-write) is committed (state 2)."""
        self._mark(rows, DONE)

    def _mark(self, rows: Sequence[tuple[int, str, Tally]], state: int) -> None:
        if rows:
            with self._tx() as db:
                db.executemany(
                    "UPDATE items SET state = ?, outcome = ?, tally = ? WHERE seq = ?",
                    [(state, outcome, _dump(tally), seq) for seq, outcome, tally in rows],
                )

    # -- totals ---------------------------------------------------------------------------------

    def count(self, state: int | None = None) -> int:
        db = self._db()
        if state is None:
            return int(db.execute("SELECT COUNT(*) FROM items").fetchone()[0])
        return int(db.execute("SELECT COUNT(*) FROM items WHERE state = ?", (state,)).fetchone()[0])

    def outcomes(self) -> dict[str, int]:
        """Items done, by outcome."""
        rows = self._db().execute(
            "SELECT outcome, COUNT(*) FROM items WHERE state = ? GROUP BY outcome", (DONE,)
        )
        return {str(outcome): int(n) for outcome, n in rows}

    def tallies(self) -> Iterator[Tally]:
        """The tally of every item done that protected something (streamed: bounded memory)."""
        cursor = self._db().execute("SELECT tally FROM items WHERE state = ? AND tally IS NOT NULL", (DONE,))
        for (text,) in cursor:
            yield _load(text)

    # -- lifecycle ------------------------------------------------------------------------------

    def close(self) -> None:
        """Close the file; a temporary one is deleted with its WAL."""
        if self._conn is not None:
            self._conn.close()
            self._conn = None
        if self._temporary:
            for suffix in ("", "-wal", "-shm"):
                Path(str(self.path) + suffix).unlink(missing_ok=True)

    def __enter__(self) -> Checkpoint:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
