"""Where a mem0 memory keeps text, read and written for `migration.mem0`: the vector store's points
(memories, and mem0's entity collection), mem0's history database (`history` rows of old and new
texts, `messages`: the recent messages `infer=True` keeps per session), and what is left of old
text on disk after a rewrite.

Only the open-source `Memory`/`AsyncMemory` has these on this side; everything here is plain sync
I/O on its components (`vector_store`, `embedding_model`, `config.history_db_path`), never one of
its methods, so nothing here adds history rows of its own.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from ..errors import ConfigError
from ..integrations.mem0._identity import IDENTITY_KEYS
from ._report import RESIDUE_BACKUPS
from ._stores import vacuum_sqlite

__all__ = [
    "CORE_KEYS",
    "History",
    "Selection",
    "Store",
    "lemmas",
    "md5_hex",
    "payload_metadata",
    "session_ids",
]

# mem0's own payload keys (its `core_and_promoted_keys`): every other key is metadata, which
# `PrivateMemory` protects (mem0 writes the `metadata=` of `add` as top-level payload keys).
CORE_KEYS = frozenset(
    {
        "data",
        "hash",
        "created_at",
        "updated_at",
        "id",
        "text_lemmatized",
        "attributed_to",
        "actor_id",
        "role",
        "expiration_date",
        *IDENTITY_KEYS,
    }
)
_PAGE = 1000
_ALL = 10**9
_VARIABLES = 900


def payload_metadata(payload: Mapping[str, Any]) -> dict[str, Any]:
    """The metadata of a memory point: its payload without mem0's own keys."""
    return {k: v for k, v in payload.items() if k not in CORE_KEYS}


def session_ids(scope: str) -> dict[str, str]:
    """The ids in one of mem0's session scopes (`agent_id=a&run_id=r&user_id=u`, with `%`, `&`
    and `=` escaped as `%25`, `%26`, `%3D`)."""
    out: dict[str, str] = {}
    for part in scope.split("&"):
        key, sep, value = part.partition("=")
        if sep and key in IDENTITY_KEYS:
            out[key] = unquote(value)
    return out


@dataclass(frozen=True)
class Selection:
    """Which memories: those whose `user_id` is one of `users` (when given), and so on for agents
    and runs; every memory when none is given (`whole`)."""

    users: frozenset[str] | None = None
    agents: frozenset[str] | None = None
    runs: frozenset[str] | None = None

    @classmethod
    def of(cls, user_ids: Any, agent_ids: Any, run_ids: Any) -> Selection:
        return cls(_ids("user_ids", user_ids), _ids("agent_ids", agent_ids), _ids("run_ids", run_ids))

    @property
    def whole(self) -> bool:
        return self.users is None and self.agents is None and self.runs is None

    def _pairs(self) -> list[tuple[str, frozenset[str]]]:
        given = (("user_id", self.users), ("agent_id", self.agents), ("run_id", self.runs))
        return [(key, ids) for key, ids in given if ids is not None]

    def matches(self, who: Mapping[str, Any]) -> bool:
        return all(who.get(key) in ids for key, ids in self._pairs())

    def describe(self) -> str:
        return ";".join(f"{key}={','.join(sorted(ids))}" for key, ids in self._pairs()) or "all"

    def qdrant_filter(self) -> Any:
        if self.whole:
            return None
        from qdrant_client import models

        return models.Filter(
            must=[
                models.FieldCondition(key=key, match=models.MatchAny(any=sorted(ids)))
                for key, ids in self._pairs()
            ]
        )


def _ids(what: str, given: Any) -> frozenset[str] | None:
    if given is None:
        return None
    if isinstance(given, str) or not isinstance(given, Iterable):
        raise ConfigError(f"{what} must be a list of ids (or None for all), not {type(given).__name__}")
    out = set()
    for one in given:
        if not isinstance(one, str) or not one.strip():
            raise ConfigError(f"{what} must hold non-empty strings")
        out.add(one.strip())  # mem0 trims ids the same way
    return frozenset(out)


class Store:
    """One collection of mem0's vector store (memories, or mem0's entity collection): listing
    (paged with Qdrant's scroll; other stores through `list`), reading by id, and rewriting a
    point with a fresh embedding, exactly as mem0's own update writes it."""

    def __init__(self, store: Any, embedder: Any) -> None:
        self.store = store
        self.embedder = embedder
        self.collection: str = str(getattr(store, "collection_name", "?"))
        client = getattr(store, "client", None)
        qdrant = client is not None and type(client).__module__.startswith("qdrant_client")
        self.client: Any = client if qdrant else None

    def pages(self, selection: Selection) -> Iterator[list[tuple[str, dict[str, Any]]]]:
        """(id, payload) of the selected points, a page at a time (bounded memory with Qdrant)."""
        if self.client is not None:
            flt, offset = selection.qdrant_filter(), None
            while True:
                points, offset = self.client.scroll(
                    collection_name=self.collection,
                    scroll_filter=flt,
                    limit=_PAGE,
                    offset=offset,
                    with_payload=True,
                    with_vectors=False,
                )
                page = [(str(p.id), dict(p.payload or {})) for p in points]
                yield [(i, p) for i, p in page if selection.matches(p)]
                if offset is None:
                    return
        listed = self.store.list(filters=None, top_k=_ALL)
        if isinstance(listed, (list, tuple)) and listed and isinstance(listed[0], (list, tuple)):
            listed = listed[0]
        rows = [(str(r.id), dict(getattr(r, "payload", None) or {})) for r in listed or []]
        rows = [(i, p) for i, p in rows if selection.matches(p)]
        for at in range(0, len(rows), _PAGE):
            yield rows[at : at + _PAGE]

    def fetch(self, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        """The payloads of those points that still exist."""
        if not ids:
            return {}
        if self.client is not None:
            points = self.client.retrieve(
                collection_name=self.collection, ids=list(ids), with_payload=True, with_vectors=False
            )
            return {str(p.id): dict(p.payload or {}) for p in points}
        out = {}
        for one in ids:
            point = self.store.get(vector_id=one)
            if point is not None:
                out[one] = dict(getattr(point, "payload", None) or {})
        return out

    def embed(self, texts: list[str]) -> list[Any]:
        """Embeddings as for a new memory (`memory_action="add"`), batched where the embedder can."""
        if not texts:
            return []
        batch = getattr(self.embedder, "embed_batch", None)
        if callable(batch):
            vectors = list(batch(texts, "add"))
            if len(vectors) == len(texts):
                return vectors
        return [self.embedder.embed(t, "add") for t in texts]

    def rewrite(self, point_id: str, payload: dict[str, Any], vector: Any) -> None:
        """Replace the point (dense vector, Qdrant's BM25 vector from `text_lemmatized`, payload);
        without a vector (a point without text), replace the payload only."""
        if vector is not None:
            self.store.update(vector_id=point_id, vector=vector, payload=payload)
        elif self.client is not None:
            self.client.overwrite_payload(collection_name=self.collection, payload=payload, points=[point_id])
        else:
            self.store.update(vector_id=point_id, payload=payload)

    # -- what is left on disk ---------------------------------------------------------------------

    def _local_files(self) -> list[sqlite3.Connection]:
        """Local Qdrant keeps each collection in a SQLite file, opened by the client: its connection
        (the client holds the directory's lock, so it is the only one that may write)."""
        inner = getattr(self.client, "_client", None)
        collection = getattr(inner, "collections", {}).get(self.collection) if inner is not None else None
        conn = getattr(getattr(collection, "storage", None), "storage", None)
        return [conn] if isinstance(conn, sqlite3.Connection) else []

    @property
    def local(self) -> bool:
        return bool(getattr(self.store, "is_local", False)) and self.client is not None

    def secure_delete(self) -> None:
        """Freed cells of the local collection's file are zeroed from now on (best effort)."""
        for conn in self._local_files():
            conn.execute("PRAGMA secure_delete = ON")

    def scrub(self) -> tuple[list[str], list[str]]:
        """(done, residue) against old point versions on disk."""
        if self.client is None:
            return [], [
                f"{type(self.store).__name__} vector store: this tool does not know whether it keeps "
                "old versions of rewritten points (logs, segments, snapshots); check its documentation"
            ]
        if not self.local:
            return [], [
                "Qdrant server: old versions of rewritten points stay in its write-ahead log and in "
                "segments until its optimizer vacuums them; snapshots keep everything"
            ]
        conns = self._local_files()
        if not conns:
            return [], [
                f"local Qdrant collection {self.collection}: its storage file was not reachable to "
                "vacuum; open it alone and run VACUUM on collection/*/storage.sqlite"
            ]
        return _vacuum(conns[0], f"local Qdrant collection {self.collection} (SQLite)")


class History:
    """mem0's history database (SQLite): `history` and `messages`. Written through a connection
    of its own with `secure_delete` on; mem0's connection is idle meanwhile."""

    def __init__(self, path: str, *, write: bool) -> None:
        self.path = path
        if write:
            self.conn = sqlite3.connect(path, timeout=60, isolation_level=None, check_same_thread=False)
            self.conn.execute("PRAGMA secure_delete = ON")
        else:
            uri = Path(path).resolve().as_uri() + "?mode=ro"
            self.conn = sqlite3.connect(
                uri, uri=True, timeout=60, isolation_level=None, check_same_thread=False
            )
        names = {r[0] for r in self.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        self.has_history = "history" in names
        self.has_messages = "messages" in names

    @classmethod
    def of(cls, memory: Any, *, write: bool) -> History | None:
        path = getattr(getattr(memory, "config", None), "history_db_path", None)
        if not isinstance(path, str) or path == ":memory:" or not Path(path).is_file():
            return None
        return cls(path, write=write)

    def close(self) -> None:
        self.conn.close()

    # -- reads --------------------------------------------------------------------------------------

    def rows(self, memory_ids: Sequence[str]) -> dict[str, list[tuple[str, str | None, str | None]]]:
        """(row id, old_memory, new_memory) of each memory's history rows, oldest first."""
        out: dict[str, list[tuple[str, str | None, str | None]]] = {m: [] for m in memory_ids}
        if not self.has_history:
            return out
        for at in range(0, len(memory_ids), _VARIABLES):  # SQLite caps the parameters of a statement
            chunk = list(memory_ids[at : at + _VARIABLES])
            for row_id, memory_id, old, new in self.conn.execute(
                "SELECT id, memory_id, old_memory, new_memory FROM history WHERE memory_id IN "
                f"({','.join('?' * len(chunk))}) ORDER BY created_at, rowid",
                chunk,
            ):
                out[memory_id].append((row_id, old, new))
        return out

    def memory_ids(self) -> Iterator[list[str]]:
        """Every memory id the history names, a page at a time."""
        if not self.has_history:
            return
        after = ""
        while True:
            page = [
                r[0]
                for r in self.conn.execute(
                    "SELECT DISTINCT memory_id FROM history WHERE memory_id > ? ORDER BY memory_id LIMIT ?",
                    (after, _PAGE),
                )
            ]
            if not page:
                return
            yield page
            after = page[-1]

    def sessions(self) -> list[str]:
        if not self.has_messages:
            return []
        return [r[0] for r in self.conn.execute("SELECT DISTINCT session_scope FROM messages ORDER BY 1")]

    def messages(self, scope: str) -> list[tuple[str, str | None, str | None]]:
        """(row id, content, None) of a session's recent messages."""
        if not self.has_messages:
            return []
        return [
            (r[0], r[1], None)
            for r in self.conn.execute(
                "SELECT id, content FROM messages WHERE session_scope = ? ORDER BY created_at, rowid",
                (scope,),
            )
        ]

    # -- writes (each one transaction) ----------------------------------------------------------------

    def write(
        self,
        history: Sequence[tuple[str, str | None, str | None]] = (),
        messages: Sequence[tuple[str, str | None]] = (),
        purge_memories: Sequence[str] = (),
        purge_sessions: Sequence[str] = (),
    ) -> None:
        """Rewrite history rows (id, old, new) and message rows (id, content); delete the history
        rows of `purge_memories` and the messages of `purge_sessions`; all in one transaction."""
        if not (history or messages or purge_memories or purge_sessions):
            return
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            if history:
                self.conn.executemany(
                    "UPDATE history SET old_memory = ?, new_memory = ? WHERE id = ?",
                    [(old, new, row_id) for row_id, old, new in history],
                )
            if messages:
                self.conn.executemany(
                    "UPDATE messages SET content = ? WHERE id = ?", [(c, row_id) for row_id, c in messages]
                )
            if purge_memories and self.has_history:
                self.conn.executemany(
                    "DELETE FROM history WHERE memory_id = ?", [(m,) for m in purge_memories]
                )
            if purge_sessions and self.has_messages:
                self.conn.executemany(
                    "DELETE FROM messages WHERE session_scope = ?", [(s,) for s in purge_sessions]
                )
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    def scrub(self) -> tuple[list[str], list[str]]:
        return _vacuum(self.conn, "mem0 history database (SQLite)")


def _vacuum(conn: sqlite3.Connection, what: str) -> tuple[list[str], list[str]]:
    """VACUUM (free pages, which hold deleted and overwritten rows, dropped) and, for a file in
    WAL mode, a truncating checkpoint; (done, residue)."""
    residue = [
        f"{what}: copies the filesystem or the disk made elsewhere (deleted journals, SSD wear "
        "levelling, copy-on-write snapshots) are beyond SQLite's reach",
        RESIDUE_BACKUPS,
    ]
    if not vacuum_sqlite(conn):
        residue.insert(
            0,
            f"{what}: VACUUM could not run (another connection was using the file): run "
            "`PRAGMA wal_checkpoint(TRUNCATE); VACUUM;` on it once the app is stopped",
        )
        return [], residue
    return [f"{what}: rewritten with secure_delete on, then VACUUM (free pages dropped)"], residue


def md5_hex(text: str) -> str:
    """mem0's `hash` of a memory's text (its duplicate check): recomputed from the new text, since
    an md5 of a phone number is found by hashing every number."""
    return hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()


def lemmas(text: str) -> str:
    """mem0's `text_lemmatized` (its BM25 text), as mem0 computes it."""
    try:
        from mem0.utils.lemmatization import lemmatize_for_bm25
    except ImportError:  # pragma: no cover - mem0 without the module: it keeps the text
        return text
    return str(lemmatize_for_bm25(text))
