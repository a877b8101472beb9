"""`migrate_checkpointer`: LangGraph checkpoints saved before adoption, rewritten in place into the
placeholder form `private_graph` writes, so that a thread resumed behind `private_graph` (or the
package's nodes) restores them as if they had been protected when they were saved.

What is rewritten: every string of a checkpoint's channel values (messages, their text blocks
and tool-call arguments, and any other string state), of every pending write (the input a run
started with, node outputs, interrupts, `Send` arguments, resume values) and, in checkpoints an
older LangGraph wrote, the node outputs it copied into metadata (`writes`). The walk is the one
every adapter uses (`integrations._messages`): rewritten messages carry the protected marker, a
message a `restore_node` put back in clear text gets its placeholder form back. Names, ids,
`additional_kwargs` and `response_metadata` are kept as they are.

Who the values belong to: the user the thread's runs named in `configurable` (`user_id`, and
`namespace`, `user_name`, `memprivacy_scope`), which LangGraph copies into each checkpoint's
metadata, read the way `private_graph` reads a run's config; `user_of(thread_id)` says it for
threads whose runs named none (or overrides it). A thread whose checkpoints name different users
is refused: one history is restored with one user's vault.

Checkpointers write a new checkpoint for each step and never expect one to change, so the rows
are rewritten in place through the saver's own serde and tables, only where that is known to be
exact: `SqliteSaver` and `PostgresSaver` with LangGraph's `JsonPlusSerializer`, and a row only
when its stored bytes read back and written again give the same bytes (else it is counted
failed and left alone). Everything else is refused with `ConfigError` before anything is read:
another saver class (its storage is unknown), an encrypted or custom serde (its round trip cannot
be checked), an in-memory saver or database (nothing on disk, and gone with the process).

Idempotence and resuming come from the data: a row whose strings are already in placeholder form
is not written, and each batch of rows is one transaction written after the vault mappings it
uses are durable, so a run killed at any point is finished by running it again.
"""

from __future__ import annotations

import datetime
import decimal
import enum
import json
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, is_dataclass
from typing import Any, ClassVar

from langchain_core.documents import Document
from langchain_core.messages import BaseMessage
from langchain_core.prompt_values import ChatPromptValue, StringPromptValue
from langgraph.types import Send
from pydantic import BaseModel

from ..errors import ConfigError, MemPrivacyError
from ..guard import LITERAL_TYPE, PrivacyGuard
from ..integrations._identity import SCOPE_KEY, USER_ID_KEY, Identity, check_scope_name, identity_from
from ..integrations._messages import Walk, collect, marker, put_back
from ..policy import Action
from ..spans import PrivacySpan
from ._dryrun import dry_run_guard
from ._report import RESIDUE_BACKUPS, RESIDUE_POSTGRES, RESIDUE_SQLITE, MigrationReport
from ._stores import scrub_sqlite

__all__ = ["migrate_checkpointer"]

UserOf = Callable[[str], "str | Mapping[str, Any] | None"]

# Bounded memory: rows read per page and written per transaction, the bytes a transaction may
# gather (a checkpoint holds the whole history so far), the strings remembered per thread.
BATCH = 64
BATCH_BYTES = 16 << 20
MEMO = 20_000
THREADS_PAGE = 500
RESIDUE_FIELDS = (
    "message names, ids, additional_kwargs and response_metadata, and the values LangGraph copies from "
    "a run's configurable into checkpoint metadata (user_name), are kept as they were"
)
# What the walk reads, or holds no text: anything else is a custom object it keeps as it is.
_READ = (
    str,
    bytes,
    bytearray,
    int,
    float,
    complex,
    bool,
    type(None),
    Mapping,
    list,
    tuple,
    BaseModel,
    BaseMessage,
    Document,
    StringPromptValue,
    ChatPromptValue,
    datetime.date,
    datetime.time,
    datetime.timedelta,
    uuid.UUID,
    decimal.Decimal,
    enum.Enum,
)


# -- the walk -------------------------------------------------------------------------------------


class _Walk(Walk):
    """The protecting walk of every adapter, plus what a checkpoint holds beyond it: `Send`
    packets (their argument is walked), and notes of what it cannot read (sets, custom objects)
    and of messages a `restore_node` left in clear text (their placeholder form is swapped in)."""

    def __init__(self) -> None:
        super().__init__(protecting=True)
        self.swapped = False
        self.opaque = 0

    def reset(self) -> None:
        self.swapped, self.opaque = False, 0

    def map(self, value: Any, fn: Callable[[str], str]) -> Any:
        if isinstance(value, Send):
            return Send(value.node, self.map(value.arg, fn))
        if isinstance(value, (set, frozenset)):
            self.opaque += any(isinstance(v, str) for v in value)
            return value
        if not isinstance(value, _READ) and not is_dataclass(value):
            self.opaque += 1  # a custom object: kept as it is
        return super().map(value, fn)

    def message(self, message: BaseMessage, fn: Callable[[str], str]) -> BaseMessage:
        info = marker(message)
        if not info.get("protected") and info.get("restored"):
            self.swapped = self.swapped or info.get("placeholder_content", message.content) != message.content
        return super().message(message, fn)


# -- protecting (or, in a dry run, planning) the strings of one row --------------------------------


class _Protector:
    """Protects a row's strings for one thread's identity, as `protect_batch` does for every
    adapter; strings met before in the thread (the same message in each later checkpoint) are
    looked up, not extracted again. A dry run protects through `dry_run_guard`: the same
    decisions, nothing written."""

    def __init__(self, guard: PrivacyGuard, who: Identity) -> None:
        self.guard, self.who = guard, who
        self.memo: dict[str, tuple[bool, str, list[PrivacySpan]]] = {}

    def __call__(self, texts: Sequence[str]) -> list[tuple[bool, str, list[PrivacySpan]]]:
        todo = list(dict.fromkeys(t for t in texts if t not in self.memo))
        if len(self.memo) + len(todo) > MEMO:
            self.memo = {t: self.memo[t] for t in texts if t in self.memo}
        if todo:
            who = self.who
            found = self.guard.protect_batch(
                todo, user_id=who.vault_user, user_name=who.user_name, namespace=who.namespace
            )
            for text, result in zip(todo, found, strict=True):
                spans = [
                    r.span
                    for r in result.replacements
                    if r.action is not Action.KEEP and r.span.privacy_type != LITERAL_TYPE
                ]
                self.memo[text] = (result.text != text, result.text, spans)
        return [self.memo[t] for t in texts]


# -- rows -----------------------------------------------------------------------------------------


@dataclass
class _Row:
    """One stored row holding values: what to walk, whether its stored form round-trips exactly,
    and how to write the walked values back (the UPDATE statement's parameters)."""

    table: str
    parts: list[Any]
    exact: Callable[[], bool]
    encode: Callable[[list[Any]], tuple[Any, ...]]


@dataclass
class _Unreadable:
    """A row that could not be read (counted failed; nothing of it is kept)."""

    table: str


@dataclass
class _Thread:
    rows: Iterator[_Row | _Unreadable]
    identity: Identity


class _Backend:
    source: str
    residue: tuple[str, ...]
    updates: ClassVar[dict[str, str]]

    def threads(self) -> Iterator[str]:
        raise NotImplementedError

    def metadata(self, thread: str) -> Iterator[Mapping[str, Any]]:
        raise NotImplementedError

    def rows(self, thread: str) -> Iterator[_Row | _Unreadable]:
        raise NotImplementedError

    def write(self, done: list[tuple[_Row, tuple[Any, ...]]]) -> None:
        raise NotImplementedError

    def scrub(self) -> tuple[list[str], list[str]]:
        """What was done against old copies on disk, and what could not be done."""
        return [], []


def _typed_row(serde: Any, table: str, typed: tuple[str, bytes], key: tuple[Any, ...]) -> _Row | _Unreadable:
    """A row holding one serde value (a pending write, a channel blob)."""
    try:
        value = serde.loads_typed(typed)
    except Exception:
        return _Unreadable(table)

    def encode(parts: list[Any]) -> tuple[Any, ...]:
        return (*serde.dumps_typed(parts[0]), *key)

    return _Row(table, [value], lambda: tuple(serde.dumps_typed(value)) == typed, encode)


def _writes_of(metadata: Mapping[str, Any]) -> Any:
    """The node outputs an older LangGraph copied into checkpoint metadata (None when absent)."""
    return metadata.get("writes")


class _SqliteRows(_Backend):
    """SqliteSaver's `checkpoints` and `writes` tables, on the saver's own connection and lock."""

    residue = (RESIDUE_SQLITE, RESIDUE_BACKUPS, RESIDUE_FIELDS)
    updates: ClassVar[dict[str, str]] = {
        "checkpoints": "UPDATE checkpoints SET type = ?, checkpoint = ?, metadata = ? "
        "WHERE thread_id = ? AND checkpoint_ns = ? AND checkpoint_id = ?",
        "writes": "UPDATE writes SET type = ?, value = ? "
        "WHERE thread_id = ? AND checkpoint_ns = ? AND checkpoint_id = ? AND task_id = ? AND idx = ?",
    }

    def __init__(self, saver: Any, wanted: Sequence[str] | None) -> None:
        self.saver, self.conn, self.serde, self.wanted = saver, saver.conn, saver.serde, wanted
        with saver.lock:
            saver.setup()
            files = [row[2] for row in self.conn.execute("PRAGMA database_list") if row[1] == "main"]
        if not files or not files[0]:
            raise ConfigError(
                "this SqliteSaver's database is in memory: there is nothing on disk to migrate "
                "(and it is gone with the process); migrate a saver on a database file"
            )
        self.source = f"SqliteSaver({files[0]})"

    def _query(self, sql: str, params: Sequence[Any]) -> list[Any]:
        with self.saver.lock:
            return list(self.conn.execute(sql, params).fetchall())

    def threads(self) -> Iterator[str]:
        if self.wanted is not None:
            yield from self.wanted
            return
        after = ""
        sql = (
            "SELECT thread_id FROM (SELECT thread_id FROM checkpoints UNION SELECT thread_id FROM writes) "
            "WHERE thread_id > ? ORDER BY thread_id LIMIT ?"
        )
        while page := self._query(sql, (after, THREADS_PAGE)):
            yield from (row[0] for row in page)
            after = page[-1][0]

    def metadata(self, thread: str) -> Iterator[Mapping[str, Any]]:
        sql = (
            "SELECT checkpoint_ns, checkpoint_id, metadata FROM checkpoints WHERE thread_id = ? "
            "AND (checkpoint_ns, checkpoint_id) > (?, ?) ORDER BY checkpoint_ns, checkpoint_id LIMIT ?"
        )
        last: tuple[str, str] = ("", "")
        while page := self._query(sql, (thread, *last, BATCH)):
            for _, _, md in page:
                try:
                    yield json.loads(md) if md else {}
                except ValueError:
                    yield {}
            last = (page[-1][0], page[-1][1])

    def rows(self, thread: str) -> Iterator[_Row | _Unreadable]:
        sql = (
            "SELECT checkpoint_ns, checkpoint_id, type, checkpoint, metadata FROM checkpoints "
            "WHERE thread_id = ? AND (checkpoint_ns, checkpoint_id) > (?, ?) "
            "ORDER BY checkpoint_ns, checkpoint_id LIMIT ?"
        )
        last: tuple[Any, ...] = ("", "")
        while page := self._query(sql, (thread, *last, BATCH)):
            for ns, cid, typ, blob, md in page:
                yield self._checkpoint(thread, ns, cid, typ, blob, md)
            last = (page[-1][0], page[-1][1])
        sql = (
            "SELECT checkpoint_ns, checkpoint_id, task_id, idx, type, value FROM writes "
            "WHERE thread_id = ? AND (checkpoint_ns, checkpoint_id, task_id, idx) > (?, ?, ?, ?) "
            "ORDER BY checkpoint_ns, checkpoint_id, task_id, idx LIMIT ?"
        )
        last = ("", "", "", -1)
        while page := self._query(sql, (thread, *last, BATCH)):
            for ns, cid, task, idx, typ, value in page:
                typed = (typ, bytes(value) if value is not None else b"")
                yield _typed_row(self.serde, "writes", typed, (thread, ns, cid, task, idx))
            last = tuple(page[-1][:4])

    def _checkpoint(
        self, thread: str, ns: str, cid: str, typ: str, blob: bytes, md: bytes | str | None
    ) -> _Row | _Unreadable:
        typed = (typ, bytes(blob))
        raw_md = md.encode() if isinstance(md, str) else md
        try:
            checkpoint = self.serde.loads_typed(typed)
            metadata = json.loads(raw_md) if raw_md else {}
        except Exception:
            return _Unreadable("checkpoints")
        writes = _writes_of(metadata)

        def exact() -> bool:
            if tuple(self.serde.dumps_typed(checkpoint)) != typed:
                return False
            return writes is None or _json_bytes(metadata) == raw_md

        def encode(parts: list[Any]) -> tuple[Any, ...]:
            new_md = raw_md if writes is None else _json_bytes({**metadata, "writes": parts[1]})
            new = {**checkpoint, "channel_values": parts[0]}
            return (*self.serde.dumps_typed(new), new_md, thread, ns, cid)

        return _Row("checkpoints", [checkpoint.get("channel_values", {}), writes], exact, encode)

    def write(self, done: list[tuple[_Row, tuple[Any, ...]]]) -> None:
        with self.saver.lock:
            try:
                for row, params in done:
                    self.conn.execute(self.updates[row.table], params)
                self.conn.commit()
            except BaseException:
                self.conn.rollback()
                raise

    def secure(self) -> int:
        """Turn on secure_delete for this connection (old row bytes zeroed); the previous setting."""
        with self.saver.lock:
            before = int(self.conn.execute("PRAGMA secure_delete").fetchone()[0])
            self.conn.execute("PRAGMA secure_delete = ON")
        return before

    def scrub(self) -> tuple[list[str], list[str]]:
        # the stores' scrub: it needs the connection and the lock, which a SqliteSaver has too
        return scrub_sqlite(self.saver)


def _json_bytes(data: Any) -> bytes:
    """Metadata as SqliteSaver writes it."""
    return json.dumps(data, ensure_ascii=False).encode("utf-8", "ignore")


class _PostgresRows(_Backend):
    """PostgresSaver's tables: checkpoints (values of plain types inline in the JSONB), the
    channel blobs (shared by the checkpoints of one channel version) and the pending writes."""

    residue = (RESIDUE_POSTGRES, RESIDUE_BACKUPS, RESIDUE_FIELDS)
    updates: ClassVar[dict[str, str]] = {
        "checkpoints": "UPDATE checkpoints SET checkpoint = %s, metadata = %s "
        "WHERE thread_id = %s AND checkpoint_ns = %s AND checkpoint_id = %s",
        "checkpoint_blobs": "UPDATE checkpoint_blobs SET type = %s, blob = %s "
        "WHERE thread_id = %s AND checkpoint_ns = %s AND channel = %s AND version = %s",
        "checkpoint_writes": "UPDATE checkpoint_writes SET type = %s, blob = %s "
        "WHERE thread_id = %s AND checkpoint_ns = %s AND checkpoint_id = %s AND task_id = %s AND idx = %s",
    }

    def __init__(self, saver: Any, wanted: Sequence[str] | None) -> None:
        from langgraph.checkpoint.postgres import _internal

        self.saver, self.serde, self.wanted = saver, saver.serde, wanted
        self._connection = _internal.get_connection
        self.source = "PostgresSaver"

    def _query(self, sql: str, params: Sequence[Any]) -> list[Any]:
        with self.saver.lock, self._connection(self.saver.conn) as conn, conn.cursor() as cur:
            cur.execute(sql, params)
            return cur.fetchall()

    def threads(self) -> Iterator[str]:
        if self.wanted is not None:
            yield from self.wanted
            return
        after = ""
        sql = (
            "SELECT thread_id FROM (SELECT thread_id FROM checkpoints UNION SELECT thread_id FROM "
            "checkpoint_blobs UNION SELECT thread_id FROM checkpoint_writes) t "
            "WHERE thread_id > %s ORDER BY thread_id LIMIT %s"
        )
        while page := self._query(sql, (after, THREADS_PAGE)):
            yield from (_field(row, 0, "thread_id") for row in page)
            after = _field(page[-1], 0, "thread_id")

    def metadata(self, thread: str) -> Iterator[Mapping[str, Any]]:
        sql = (
            "SELECT checkpoint_ns, checkpoint_id, metadata FROM checkpoints WHERE thread_id = %s "
            "AND (checkpoint_ns, checkpoint_id) > (%s, %s) ORDER BY checkpoint_ns, checkpoint_id LIMIT %s"
        )
        last: tuple[str, str] = ("", "")
        while page := self._query(sql, (thread, *last, BATCH)):
            for row in page:
                md = _field(row, 2, "metadata")
                yield md if isinstance(md, Mapping) else {}
            last = (_field(page[-1], 0, "checkpoint_ns"), _field(page[-1], 1, "checkpoint_id"))

    def rows(self, thread: str) -> Iterator[_Row | _Unreadable]:
        from psycopg.types.json import Jsonb

        sql = (
            "SELECT checkpoint_ns, checkpoint_id, checkpoint, metadata FROM checkpoints "
            "WHERE thread_id = %s AND (checkpoint_ns, checkpoint_id) > (%s, %s) "
            "ORDER BY checkpoint_ns, checkpoint_id LIMIT %s"
        )
        last: tuple[Any, ...] = ("", "")
        while page := self._query(sql, (thread, *last, BATCH)):
            for row in page:
                ns, cid = _field(row, 0, "checkpoint_ns"), _field(row, 1, "checkpoint_id")
                checkpoint, metadata = _field(row, 2, "checkpoint"), _field(row, 3, "metadata") or {}
                yield self._checkpoint(Jsonb, thread, ns, cid, checkpoint, metadata)
            last = (_field(page[-1], 0, "checkpoint_ns"), _field(page[-1], 1, "checkpoint_id"))
        sql = (
            "SELECT checkpoint_ns, channel, version, type, blob FROM checkpoint_blobs "
            "WHERE thread_id = %s AND type <> 'empty' AND (checkpoint_ns, channel, version) > (%s, %s, %s) "
            "ORDER BY checkpoint_ns, channel, version LIMIT %s"
        )
        last = ("", "", "")
        while page := self._query(sql, (thread, *last, BATCH)):
            for row in page:
                key = tuple(_field(row, i, k) for i, k in enumerate(("checkpoint_ns", "channel", "version")))
                typed = (_field(row, 3, "type"), bytes(_field(row, 4, "blob") or b""))
                yield _typed_row(self.serde, "checkpoint_blobs", typed, (thread, *key))
            last = key
        sql = (
            "SELECT checkpoint_ns, checkpoint_id, task_id, idx, type, blob FROM checkpoint_writes "
            "WHERE thread_id = %s AND (checkpoint_ns, checkpoint_id, task_id, idx) > (%s, %s, %s, %s) "
            "ORDER BY checkpoint_ns, checkpoint_id, task_id, idx LIMIT %s"
        )
        last = ("", "", "", -1)
        while page := self._query(sql, (thread, *last, BATCH)):
            for row in page:
                names = ("checkpoint_ns", "checkpoint_id", "task_id", "idx")
                key = tuple(_field(row, i, k) for i, k in enumerate(names))
                typed = (_field(row, 4, "type"), bytes(_field(row, 5, "blob") or b""))
                yield _typed_row(self.serde, "checkpoint_writes", typed, (thread, *key))
            last = key

    @staticmethod
    def _checkpoint(
        jsonb: Any, thread: str, ns: str, cid: str, checkpoint: Any, metadata: Any
    ) -> _Row | _Unreadable:
        """The values of plain types kept inline in the checkpoint's JSONB (the others are blobs),
        and metadata `writes`. JSONB is compared by value, so every row reads back exactly."""
        if not isinstance(checkpoint, Mapping) or not isinstance(metadata, Mapping):
            return _Unreadable("checkpoints")
        writes = _writes_of(metadata)

        def encode(parts: list[Any]) -> tuple[Any, ...]:
            new_md = metadata if writes is None else {**metadata, "writes": parts[1]}
            new = {**checkpoint, "channel_values": parts[0]}
            return (jsonb(new), jsonb(new_md), thread, ns, cid)

        return _Row("checkpoints", [checkpoint.get("channel_values") or {}, writes], lambda: True, encode)

    def write(self, done: list[tuple[_Row, tuple[Any, ...]]]) -> None:
        lock, connection = self.saver.lock, self._connection(self.saver.conn)
        with lock, connection as conn, conn.transaction(), conn.cursor() as cur:
            for row, params in done:
                cur.execute(self.updates[row.table], params)

    def scrub(self) -> tuple[list[str], list[str]]:
        """VACUUM the three tables (on an autocommit connection, as the saver's own are), so the
        old row versions are marked free; their bytes stay until the pages are reused."""
        done: list[str] = []
        left: list[str] = []
        with self.saver.lock, self._connection(self.saver.conn) as conn:
            for table in ("checkpoints", "checkpoint_blobs", "checkpoint_writes"):
                if not conn.autocommit:
                    left.append(f"PostgreSQL: run VACUUM {table} (this connection is not in autocommit mode)")
                    continue
                try:
                    conn.execute(f"VACUUM {table}")
                    done.append(f"PostgreSQL VACUUM {table}")
                except Exception as exc:  # no permission, or busy: said, not fatal
                    left.append(
                        f"PostgreSQL: VACUUM {table} could not run ({type(exc).__name__}): run it as owner"
                    )
        if done:
            left.append(
                "PostgreSQL: VACUUM marks the old row versions free but does not erase their bytes until the "
                "pages are reused; VACUUM FULL (an exclusive lock while it rewrites the table) drops them"
            )
        return done, left


def _field(row: Any, index: int, name: str) -> Any:
    """A column of a row from a dict-row or a tuple-row connection."""
    return row[name] if isinstance(row, Mapping) else row[index]


def _backend(saver: Any, wanted: Sequence[str] | None) -> _Backend:
    """The saver's rows, where rewriting them in place is known to be exact; `ConfigError` else."""
    from langgraph.checkpoint.serde.jsonplus import JsonPlusSerializer

    kind = type(saver)
    name = f"{kind.__module__}.{kind.__qualname__}"
    supported = "SqliteSaver and PostgresSaver (sync) with LangGraph's JsonPlusSerializer"
    if "InMemorySaver" in name or "MemorySaver" in name:
        raise ConfigError(
            "an in-memory checkpointer keeps nothing on disk and is gone with the process: there is "
            f"nothing to migrate (migrate_checkpointer supports {supported})"
        )
    if name not in (
        "langgraph.checkpoint.sqlite.SqliteSaver",
        "langgraph.checkpoint.postgres.PostgresSaver",
    ):
        raise ConfigError(
            f"cannot migrate a {kind.__name__}: its storage format is not known to be safe to rewrite in "
            f"place (migrate_checkpointer supports {supported}; for an async saver, open a sync one on the "
            "same database)"
        )
    if type(saver.serde) is not JsonPlusSerializer:
        raise ConfigError(
            f"cannot migrate checkpoints written through a {type(saver.serde).__name__}: an encrypted or "
            "custom serde's rows cannot be checked to read back exactly before they are rewritten "
            f"(migrate_checkpointer supports {supported})"
        )
    if name.endswith("SqliteSaver"):
        return _SqliteRows(saver, wanted)
    return _PostgresRows(saver, wanted)


# -- who a thread belongs to ----------------------------------------------------------------------

_IDENTITY_KEYS = (USER_ID_KEY, "namespace", "user_name", SCOPE_KEY)


def _identity(backend: _Backend, thread: str, user_of: UserOf | None, scope: str | None) -> Identity | str:
    """The identity a resumed run of `thread` restores with, or why there is none."""
    given = user_of(thread) if user_of is not None else None
    if given is not None:
        source: Mapping[str, Any] = {USER_ID_KEY: given} if isinstance(given, str) else given
        named = {(source.get(USER_ID_KEY), source.get("namespace"), source.get(SCOPE_KEY))}
    else:
        named = set()
        source = {}
        for md in backend.metadata(thread):
            if md.get(USER_ID_KEY):
                named.add((md.get(USER_ID_KEY), md.get("namespace"), md.get(SCOPE_KEY)))
                source = {k: md[k] for k in _IDENTITY_KEYS if k in md}  # the latest named wins user_name
        if not named:
            return "no user"
        if len(named) > 1:
            return "several users"
    try:
        return identity_from({**source, "thread_id": thread}, scope=scope)
    except ConfigError:
        return "invalid user"


# -- the migration --------------------------------------------------------------------------------


@dataclass
class _Run:
    report: MigrationReport
    dry_run: bool
    opaque: int = 0
    pending: list[tuple[_Row, tuple[Any, ...]]] = field(default_factory=list)
    pending_bytes: int = 0

    def flush(self, backend: _Backend, *, full: bool = True) -> None:
        """Write what is queued (when the batch is full, or `full=False`: whatever there is)."""
        if self.pending and (not full or len(self.pending) >= BATCH or self.pending_bytes >= BATCH_BYTES):
            backend.write(self.pending)
            self.pending.clear()
            self.pending_bytes = 0


def _migrate_row(run: _Run, row: _Row, protector: _Protector, walk: _Walk) -> None:
    """One row: its strings protected (or planned), its new form queued for writing when any
    changed; a row that does not read back exactly, or whose text the guard refuses, fails."""
    report = run.report
    walk.reset()
    texts = collect(walk, row.parts)
    swapped, run.opaque = walk.swapped, run.opaque + walk.opaque
    done = protector(texts) if texts else []
    if not swapped and not any(changed for changed, _, _ in done):
        report.items_unchanged += 1
        return
    if not row.exact():
        report.items_failed += 1
        return
    if not run.dry_run:
        # unchanged strings go back as they were (a str subclass, an enum value, keeps its type)
        parts = put_back(
            walk,
            row.parts,
            [new if changed else old for old, (changed, new, _) in zip(texts, done, strict=True)],
        )
        params = row.encode(parts)
        run.pending.append((row, params))
        run.pending_bytes += sum(len(p) for p in params if isinstance(p, (bytes, str)))
    report.items_rewritten += 1
    report.count_spans(span for changed, _, spans in done if changed for span in spans)


def migrate_checkpointer(
    saver: Any,
    guard: PrivacyGuard,
    *,
    thread_ids: Iterable[str] | None = None,
    dry_run: bool = False,
    user_of: UserOf | None = None,
    scope: str | None = None,
) -> MigrationReport:
    """Rewrite the checkpoints and pending writes of `saver` (a `SqliteSaver` or `PostgresSaver`)
    into placeholder form through `guard`, the guard the graph runs with afterwards behind
    `private_graph`. Each row holding something the policy protects is one item.

    `thread_ids`: only these threads (default: all). `user_of(thread_id)`: the thread's user id
    (or a mapping like a run's `configurable`: `user_id`, `namespace`, `user_name`), for threads
    whose checkpoints name none, or to override them. `scope`: as `private_graph(scope=...)`
    ("thread" numbers placeholders per thread); None takes the threads' `memprivacy_scope`.
    `dry_run`: count what would be rewritten, write nothing (not even vault mappings).

    Refused with `ConfigError`, before anything is written: a saver or serde whose rows cannot be
    rewritten exactly (see the module doc), and threads with no user or several (listed by count).
    Stop the graphs that write to these threads first (or run it again afterwards): a run that
    loaded a checkpoint before it was migrated saves its clear values again."""
    check_scope_name(scope)
    wanted = list(thread_ids) if thread_ids is not None else None
    backend = _backend(saver, wanted)
    problems: dict[str, int] = {}
    for thread in backend.threads():
        found = _identity(backend, thread, user_of, scope)
        if isinstance(found, str):
            problems[found] = problems.get(found, 0) + 1
    if problems:
        counts = ", ".join(f"{n} with {why}" for why, n in sorted(problems.items()))
        raise ConfigError(
            f"cannot tell whose values some threads hold ({counts} in their checkpoint metadata): pass "
            "user_of=lambda thread_id: ... (nothing was changed)"
        )
    acting = dry_run_guard(guard) if dry_run else guard
    run = _Run(MigrationReport(source=backend.source, dry_run=dry_run), dry_run)
    report = run.report
    before = backend.secure() if isinstance(backend, _SqliteRows) and not dry_run else None
    try:
        for thread in backend.threads():
            who = _identity(backend, thread, user_of, scope)
            assert isinstance(who, Identity)  # checked above
            protector, walk = _Protector(acting, who), _Walk()
            for row in backend.rows(thread):
                report.items_seen += 1
                if isinstance(row, _Unreadable):
                    report.items_failed += 1
                    continue
                try:
                    _migrate_row(run, row, protector, walk)
                except MemPrivacyError:  # extraction failed or the policy blocks: left as it was
                    report.items_failed += 1
                run.flush(backend)
        run.flush(backend, full=False)
    finally:
        if before is not None and isinstance(backend, _SqliteRows):
            with backend.saver.lock:
                backend.conn.execute(f"PRAGMA secure_delete = {before}")
    if not dry_run and report.items_rewritten:
        done, left = backend.scrub()
        report.scrubbed += done
        report.residue += left
    report.residue += [r for r in backend.residue if r not in report.residue]
    if report.items_failed:
        report.residue.insert(
            0,
            f"{report.items_failed} row(s) could not be rewritten (unreadable, not read back exactly by the "
            "serde, the extractor failed or the policy blocks them) and are still as they were",
        )
    if run.opaque:
        report.residue.append(
            f"{run.opaque} values of types the walk cannot read (sets, custom objects) were kept as they were"
        )
    return report
