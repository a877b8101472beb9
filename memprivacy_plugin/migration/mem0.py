"""Audit a mem0 memory for what it holds in clear, and migrate it in place into the placeholder form
`PrivateMemory` writes, through the same guard, vault and vault users, so that `PrivateMemory`'s
`search`, `get_all`, `get` and `history` restore migrated memories exactly as if they had been
added through it.

`memory` is the open-source `mem0.Memory` (or `AsyncMemory`: only its sync components are used),
or a `PrivateMemory` over one, whose guard, `namespace` and `protect_metadata` are then used. The
mem0 platform (`MemoryClient`) keeps its memories on mem0's servers and is refused.

What mem0 keeps on this side, and what a migration does with it:

- each memory point: `data` (the text) and metadata (every payload key that is not mem0's own)
  are protected as `PrivateMemory.add` protects them, under the vault user it picks
  (`user_id`, else `agent:<agent_id>`, else `run:<run_id>`); mem0's `hash` (an md5 of the text,
  guessable for a phone number) and `text_lemmatized` (its BM25 text) are computed again from the
  new text, and the point is embedded again, as a new memory is. Ids, identifiers (`user_id`,
  `agent_id`, `run_id`, `actor_id`, `role`) and timestamps stay as they are;
- mem0's history database: the `old_memory`/`new_memory` of each memory's history rows, and the
  recent messages `infer=True` keeps per session, are rewritten in placeholder form
  (`history="migrate"`) or deleted (`history="purge"`); history rows of memories that no longer
  exist (no owner to protect them for) are deleted when they hold a protected value (every
  memory selected only);
- mem0's entity collection (names spaCy found, linked to memories): protected and embedded again;
- afterwards the SQLite files (the history database, local Qdrant's collections) are vacuumed,
  having been written with `secure_delete` on, so the old text is not left in free pages.

Resumable: the item ids are listed into a checkpoint file first (`migration._resume`); killed at
any point and run again with the same file, the migration ends as an uninterrupted one would.
Every vault mapping is durable before the memory that uses it is written. A dry run decides with
a guard whose vault writes nothing (`dry_run_guard`) and writes nothing at all. Nothing here logs,
prints or reports a value: reports hold counts and keyed-hash refs.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

from .._data import leaf_text, leaves, like, map_leaves
from ..errors import ConfigError
from ..guard import PrivacyGuard, ProtectedText
from ..integrations.mem0._base import PrivateMemoryBase
from ..integrations.mem0._identity import item_vault_user
from ..policy import Action
from ..spans import PrivacySpan
from ._dryrun import dry_run_guard
from ._mem0_parts import History, Selection, Store, lemmas, md5_hex, payload_metadata, session_ids
from ._protect import REWRITTEN, UNCHANGED, chunks, per_group, report_of, tally_of
from ._report import AuditReport, AuditTally, MigrationReport, found_in_clear
from ._resume import DONE, WRITING, Checkpoint, Pending, Tally

__all__ = ["audit_mem0", "migrate_mem0"]

HistoryMode = Literal["migrate", "purge"]
# Item kinds, the first letter of each checkpoint item: a memory, an entity of mem0's entity
# collection, a session's recent messages, the history of a memory that no longer exists.
_MEMORY, _ENTITY, _SESSION, _ORPHAN = "m", "e", "s", "h"
_AUDIT_BATCH = 256
_LEFT_IDS = (
    "identifiers (user_id, agent_id, run_id, actor_id, role), ids and timestamps are kept as they "
    "are, as PrivateMemory keeps them"
)
_SENT_BEFORE = (
    "text sent before the migration to a hosted embedder or LLM (mem0's extraction model) is beyond "
    "reach of this tool"
)


@dataclass(frozen=True)
class _Target:
    memory: Any
    guard: PrivacyGuard
    namespace: str | None
    metadata: bool
    keys: frozenset[str] | None  # the metadata keys protected; None: all (dict keys too)
    # the users' own names by vault user, for extractors that find a name only when told it
    names: Mapping[str, str] = field(default_factory=dict)

    @property
    def wanted(self) -> set[str] | None:
        return set(self.keys) if self.keys is not None else None

    def source(self) -> str:
        """The memory's place, without credentials: provider, collection and path or host."""
        config = getattr(getattr(self.memory, "config", None), "vector_store", None)
        inner = getattr(config, "config", None)
        where = getattr(inner, "path", None) or getattr(inner, "host", None) or getattr(inner, "url", None)
        collection = getattr(self.memory.vector_store, "collection_name", "?")
        provider = getattr(config, "provider", type(self.memory.vector_store).__name__)
        return f"mem0 {provider} collection {collection}" + (f" at {where}" if where else "")

    def job(self, selection: Selection, history: str) -> str:
        keys = "all" if self.keys is None else ",".join(sorted(self.keys))
        meta = keys if self.metadata else "none"
        return f"{self.source()}|{selection.describe()}|history={history}|ns={self.namespace}|metadata={meta}"


def _target(memory: Any, guard: PrivacyGuard | None, stack: ExitStack) -> _Target:
    """What to migrate and with which guard; a default guard made here is closed with `stack`."""
    if isinstance(memory, PrivateMemoryBase):
        if guard is not None and guard is not memory.guard:
            raise ConfigError(
                "a PrivateMemory brings its own guard: pass it alone (or its mem0 Memory with the guard)"
            )
        keys = memory._metadata_keys
        target = _Target(
            memory.memory,
            memory.guard,
            memory.namespace,
            memory.protect_metadata,
            frozenset(keys) if keys is not None else None,
        )
    else:
        if guard is None:
            guard = PrivacyGuard()
            stack.callback(guard.close)
        target = _Target(memory, guard, None, True, None)
    if not hasattr(target.memory, "vector_store") or not hasattr(target.memory, "embedding_model"):
        raise ConfigError(
            "migration needs the open-source mem0 Memory (its vector store is on this side); the mem0 "
            "platform (MemoryClient) keeps memories on mem0's servers, which this cannot rewrite"
        )
    return target


@dataclass
class _Unit:
    """One item: a memory (its point and history rows), an entity, a session's messages, or the
    history of a memory that is gone. `rows`: (row id, old, new) or (row id, content, None)."""

    key: str
    scope: str | None
    payload: dict[str, Any] | None = None
    rows: list[tuple[str, str | None, str | None]] = field(default_factory=list)
    pending: Pending | None = None

    @property
    def kind(self) -> str:
        return self.key[0]

    @property
    def ref(self) -> str:
        return self.key[2:]


def _slots(t: _Target, u: _Unit, *, history: bool) -> list[str]:
    """The texts of an item that `PrivateMemory` would have protected, in a fixed order: the text,
    the metadata leaves, then (with `history`) the history or message texts."""
    out: list[str] = []
    if u.payload is not None:
        data = u.payload.get("data")
        if isinstance(data, str):
            out.append(data)
        if u.kind == _MEMORY and t.metadata:
            out += [leaf_text(leaf) for leaf in leaves(payload_metadata(u.payload), t.wanted)]
    if history or u.kind == _ORPHAN:
        out += [text for _, old, new in u.rows for text in (old, new) if isinstance(text, str)]
    return out


@dataclass
class _Rewrite:
    """What a real run writes for one item."""

    payload: dict[str, Any] | None = None  # the point's new payload (None: unchanged)
    embed: str | None = None  # the text to embed for it
    rows: list[tuple[str, str | None, str | None]] = field(default_factory=list)


def _rewrite(t: _Target, u: _Unit, texts: list[str], *, history: bool) -> _Rewrite:
    """The item with `texts` (the protected slots) put back where `_slots` took them from."""
    it = iter(texts)
    out = _Rewrite()
    if u.payload is not None:
        payload = dict(u.payload)
        data = payload.get("data")
        if isinstance(data, str):
            text = next(it)
            if text != data:
                payload.update(data=text, hash=md5_hex(text), text_lemmatized=lemmas(text))
        if u.kind == _MEMORY and t.metadata:
            meta = payload_metadata(u.payload)
            done = map_leaves(meta, t.wanted, lambda leaf: like(leaf, next(it)))
            if done != meta:  # keys may have been protected too: drop the old ones
                payload = {k: v for k, v in payload.items() if k not in meta}
                payload.update(done)
        if payload != u.payload:
            out.payload = payload
            now = payload.get("data")
            out.embed = now if isinstance(now, str) else None
    if history:
        for row_id, old, new in u.rows:
            row = (
                row_id,
                next(it) if isinstance(old, str) else old,
                next(it) if isinstance(new, str) else new,
            )
            if row != (row_id, old, new):
                out.rows.append(row)
    return out


class _Parts:
    """The memory's components a run uses: the memory collection, the entity collection (when it
    exists), the history database."""

    def __init__(self, t: _Target, *, write: bool) -> None:
        embedder = t.memory.embedding_model
        self.memories = Store(t.memory.vector_store, embedder)
        self.entities: Store | None = None
        client = self.memories.client
        if client is not None:
            name = f"{self.memories.collection}_entities"  # mem0's name for Qdrant
            if name in {c.name for c in client.get_collections().collections}:
                self.entities = Store(t.memory.entity_store, embedder)
        self.history = History.of(t.memory, write=write)

    def stores(self) -> list[Store]:
        return [self.memories] + ([self.entities] if self.entities is not None else [])

    def close(self) -> None:
        if self.history is not None:
            self.history.close()

    def listing(self, selection: Selection) -> Iterator[str]:
        """Every item of the selection, as checkpoint item ids."""
        for page in self.memories.pages(selection):
            yield from (f"{_MEMORY}:{i}" for i, _ in page)
        if self.entities is not None:
            for page in self.entities.pages(selection):
                yield from (f"{_ENTITY}:{i}" for i, _ in page)
        if self.history is None:
            return
        for scope in self.history.sessions():
            if selection.matches(session_ids(scope)):
                yield f"{_SESSION}:{scope}"
        if selection.whole:
            for ids in self.history.memory_ids():
                present = self.memories.fetch(ids)
                yield from (f"{_ORPHAN}:{i}" for i in ids if i not in present)

    def load(self, keys: Sequence[str], *, with_rows: bool) -> list[_Unit]:
        """The items of `keys` as they are now (a memory deleted since the listing has no payload)."""
        by_kind: dict[str, list[str]] = {}
        for key in keys:
            by_kind.setdefault(key[0], []).append(key[2:])
        points = self.memories.fetch(by_kind.get(_MEMORY, []))
        entities = self.entities.fetch(by_kind.get(_ENTITY, [])) if self.entities is not None else {}
        rows: dict[str, list[tuple[str, str | None, str | None]]] = {}
        if self.history is not None and (with_rows or by_kind.get(_ORPHAN)):
            ids = by_kind.get(_ORPHAN, []) + (by_kind.get(_MEMORY, []) if with_rows else [])
            rows = self.history.rows(ids)
        units = []
        for key in keys:
            kind, ref = key[0], key[2:]
            if kind in (_MEMORY, _ENTITY):
                payload = (points if kind == _MEMORY else entities).get(ref)
                scope = item_vault_user(payload, None) if payload is not None else None
                units.append(_Unit(key, scope, payload, rows.get(ref, []) if kind == _MEMORY else []))
            elif kind == _SESSION:
                messages = self.history.messages(ref) if self.history is not None else []
                units.append(_Unit(key, item_vault_user(session_ids(ref), None), None, messages))
            else:
                units.append(_Unit(key, None, None, rows.get(ref, [])))
        return units


# -- audit ----------------------------------------------------------------------------------------


def audit_mem0(
    memory: Any,
    guard: PrivacyGuard | None = None,
    *,
    user_ids: Iterable[str] | None = None,
    agent_ids: Iterable[str] | None = None,
    run_ids: Iterable[str] | None = None,
    user_names: Mapping[str, str] | None = None,
) -> AuditReport:
    """What a mem0 memory holds in clear, per vault user: every memory (all users when no ids
    are given) with its metadata and history rows, mem0's entities, each session's recent
    messages and, when every memory is read, the history of deleted memories (user "(no user)").
    Reads only; values appear as type and keyed-hash ref. `user_names`: each vault user's own
    name ({"dana": "Dana Whitfield"}), which the rules find only when told it, as `PrivateMemory`
    tells them through `user_name`."""
    selection = Selection.of(user_ids, agent_ids, run_ids)
    with ExitStack() as stack:
        t = replace(_target(memory, guard, stack), names=dict(user_names or {}))
        tally = AuditTally(t.source(), t.guard.policy)
        parts = _Parts(t, write=False)
        stack.callback(parts.close)
        for keys in chunks(parts.listing(selection), _AUDIT_BATCH):
            _audit(t, parts.load(keys, with_rows=True), tally)
    return tally.report


def _audit(t: _Target, units: list[_Unit], tally: AuditTally) -> None:
    texts = [_slots(t, u, history=True) for u in units]
    if t.names:  # one extraction per user, told the user's name
        found: list[list[PrivacySpan] | None] = [None] * len(units)
        by_user: dict[str | None, list[int]] = {}
        for i, u in enumerate(units):
            by_user.setdefault(u.scope, []).append(i)
        for scope, where in by_user.items():
            name = t.names.get(scope) if scope is not None else None
            for i, spans in zip(where, _found(t.guard, [texts[i] for i in where], name), strict=True):
                found[i] = spans
    else:
        found = _found(t.guard, texts)
    for u, spans in zip(units, found, strict=True):
        if spans is None:
            tally.error(u.scope)
            continue
        distinct = {(s.text, s.privacy_type): s for s in spans}  # one value in text and history: once
        tally.add(u.scope, list(distinct.values()))


def _found(
    guard: PrivacyGuard, texts: list[list[str]], user_name: str | None = None
) -> list[list[PrivacySpan] | None]:
    """The spans in clear in each item's texts (one batched extraction; item by item if it fails)."""
    found = per_group(lambda batch: found_in_clear(guard, batch, user_name), texts)
    return [None if per_text is None else [s for one in per_text for s in one] for per_text in found]


# -- migration ------------------------------------------------------------------------------------


def migrate_mem0(
    memory: Any,
    guard: PrivacyGuard | None = None,
    *,
    user_ids: Iterable[str] | None = None,
    agent_ids: Iterable[str] | None = None,
    run_ids: Iterable[str] | None = None,
    dry_run: bool = False,
    batch_size: int = 256,
    workers: int = 1,
    checkpoint: str | Path | None = None,
    history: HistoryMode = "migrate",
    progress: Callable[[int, int], None] | None = None,
    user_names: Mapping[str, str] | None = None,
) -> MigrationReport:
    """Rewrite a mem0 memory into placeholder form in place (see the module docstring).

    `history`: "migrate" rewrites the history rows and session messages in placeholder form,
    "purge" deletes them. `checkpoint`: a file to resume from (made if absent; a dry run never
    writes it). `workers`: threads sharing the work (extraction and embedding run in parallel, the
    writes one at a time: local Qdrant allows one process). `progress(done, total)` is called
    after each batch. Items that fail (extraction, a type the policy blocks, an identity with no
    vault) stay as they are, are counted, and are tried again by a rerun. `user_names`: each vault
    user's own name, as in `audit_mem0`."""
    if history not in ("migrate", "purge"):
        raise ConfigError('history must be "migrate" or "purge"')
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise ConfigError("batch_size must be a positive integer")
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise ConfigError("workers must be a positive integer")
    selection = Selection.of(user_ids, agent_ids, run_ids)
    with ExitStack() as stack:
        t = replace(_target(memory, guard, stack), names=dict(user_names or {}))
        run = _Run(t, history, dry_run)
        cp = stack.enter_context(Checkpoint(None if dry_run else checkpoint, job=t.job(selection, history)))
        parts = _Parts(t, write=not dry_run)
        stack.callback(parts.close)
        if not cp.listed:
            cp.add(parts.listing(selection))
            cp.finish_listing()
        if not dry_run:
            for store in parts.stores():
                store.secure_delete()
        total = cp.count()
        if progress is not None:
            progress(cp.count(DONE), total)
        lock = threading.Lock()

        def work(shard: int) -> None:
            after = 0
            while True:
                with lock:
                    batch = cp.pending(after=after, limit=batch_size, shard=shard, shards=workers)
                if not batch:
                    return
                after = batch[-1].seq
                run.batch(parts, cp, batch, lock)
                if progress is not None:
                    with lock:
                        done = cp.count(DONE)
                    progress(done, total)

        if workers == 1:
            work(0)
        else:
            with ThreadPoolExecutor(max_workers=workers) as pool:
                list(pool.map(work, range(workers)))
        report = run.report(cp)
        _add(report, [], run.residue(selection, parts))
        if not dry_run:
            for store in parts.stores():
                _add(report, *store.scrub())
            if parts.history is not None:
                _add(report, *parts.history.scrub())
    return report


def _add(report: MigrationReport, done: list[str], residue: list[str]) -> None:
    report.scrubbed += [s for s in done if s not in report.scrubbed]
    report.residue += [r for r in residue if r not in report.residue]


class _Run:
    """One migration: its guard (a dry-run guard for a dry run) and this run's failures."""

    def __init__(self, t: _Target, history: HistoryMode, dry_run: bool) -> None:
        self.t = t
        self.guard = dry_run_guard(t.guard) if dry_run else t.guard
        self.migrate_history = history == "migrate"
        self.history: HistoryMode = history
        self.dry_run = dry_run
        self.failed = 0
        self.unowned = 0  # memories whose identity names no vault
        self._count = threading.Lock()

    def batch(self, parts: _Parts, cp: Checkpoint, batch: list[Pending], lock: threading.Lock) -> None:
        with lock:
            units = parts.load([p.item for p in batch], with_rows=True)
        for u, p in zip(units, batch, strict=True):
            u.pending = p
        decided = self._decide(units)
        done: list[tuple[int, str, Tally]] = []
        writing: list[tuple[int, str, Tally]] = []
        writes: list[tuple[_Unit, _Rewrite]] = []
        for u, decision in zip(units, decided, strict=True):
            if decision is None:
                with self._count:
                    self.failed += 1
                    self.unowned += u.scope is None and u.kind != _ORPHAN
                continue
            outcome, tally, rewrite = decision
            assert u.pending is not None
            if u.pending.state == WRITING:  # caught mid-write by a kill: what was recorded stands
                outcome, tally = u.pending.outcome or outcome, u.pending.tally
            done.append((u.pending.seq, outcome, tally))
            if rewrite is not None:
                writing.append(done[-1])
                writes.append((u, rewrite))
        if self.dry_run:
            with lock:
                cp.done(done)
            return
        vectors = self._vectors(parts, writes)
        with lock:
            cp.writing(writing)  # the outcome, durable before the write: a rerun keeps it
            self._write(parts, writes, vectors)
            cp.done(done)

    def _decide(self, units: list[_Unit]) -> list[tuple[str, Tally, _Rewrite | None] | None]:
        """Per item: (outcome, tally, what to write) or None when it cannot be migrated."""
        out: list[tuple[str, Tally, _Rewrite | None] | None] = [None] * len(units)
        groups: dict[str, list[int]] = {}
        for i, u in enumerate(units):
            if u.kind == _ORPHAN:
                out[i] = self._orphan(u)
            elif u.kind in (_MEMORY, _ENTITY) and u.payload is None:
                out[i] = (UNCHANGED, {}, self._purge_only(u))  # gone since the listing
            elif u.scope is not None:
                groups.setdefault(u.scope, []).append(i)
        for scope, members in groups.items():
            slots = [_slots(self.t, units[i], history=self.migrate_history) for i in members]
            for i, results in zip(members, self._protect(scope, slots), strict=True):
                if results is None:
                    continue
                u = units[i]
                changed = any(r.changed for r in results)
                rewrite = _rewrite(self.t, u, [r.text for r in results], history=self.migrate_history)
                purge = not self.migrate_history and u.kind in (_MEMORY, _SESSION) and bool(u.rows)
                write = rewrite.payload is not None or bool(rewrite.rows) or purge
                out[i] = (REWRITTEN if changed else UNCHANGED, tally_of(results), rewrite if write else None)
        return out

    def _orphan(self, u: _Unit) -> tuple[str, Tally, _Rewrite | None] | None:
        """The history of a deleted memory: no owner to protect it for, so deleted when it holds
        something the policy protects (or when history is purged)."""
        found = _found(self.t.guard, [_slots(self.t, u, history=True)])[0]
        if found is None:
            return None
        tally: Tally = {}
        for s in found:
            if self.t.guard.policy.action_for(s) is not Action.KEEP:
                key = (s.level.value, s.privacy_type)
                tally[key] = tally.get(key, 0) + 1
        purge = bool(tally) or not self.migrate_history
        return (REWRITTEN if tally else UNCHANGED, tally, _Rewrite() if purge and u.rows else None)

    def _purge_only(self, u: _Unit) -> _Rewrite | None:
        return _Rewrite() if not self.migrate_history and u.rows else None

    def _protect(self, scope: str, slots: list[list[str]]) -> list[list[ProtectedText] | None]:
        """`protect_batch` over the items of one vault user, as `PrivateMemory` protects them; when
        the batch fails, item by item (None for an item that fails alone)."""
        kwargs: dict[str, Any] = {
            "user_id": scope,
            "namespace": self.t.namespace,
            "user_name": self.t.names.get(scope),
        }
        return per_group(lambda batch: self.guard.protect_batch(batch, **kwargs), slots)

    @staticmethod
    def _vectors(parts: _Parts, writes: list[tuple[_Unit, _Rewrite]]) -> dict[str, Any]:
        """Fresh embeddings of the rewritten texts (outside the lock: workers embed in parallel)."""
        out: dict[str, Any] = {}
        for kind, store in ((_MEMORY, parts.memories), (_ENTITY, parts.entities)):
            todo = [(u.key, w.embed) for u, w in writes if u.kind == kind and w.embed is not None]
            if todo and store is not None:
                vectors = store.embed([text for _, text in todo])
                out.update({key: v for (key, _), v in zip(todo, vectors, strict=True)})
        return out

    def _write(self, parts: _Parts, writes: list[tuple[_Unit, _Rewrite]], vectors: dict[str, Any]) -> None:
        """Points first (each one atomic), then the history database in one transaction."""
        rows: list[tuple[str, str | None, str | None]] = []
        messages: list[tuple[str, str | None]] = []
        purge_memories: list[str] = []
        purge_sessions: list[str] = []
        for u, w in writes:
            if w.payload is not None:
                store = parts.memories if u.kind == _MEMORY else parts.entities
                assert store is not None
                store.rewrite(u.ref, w.payload, vectors.get(u.key))
            if u.kind == _SESSION:
                if self.migrate_history:
                    messages += [(row_id, content) for row_id, content, _ in w.rows]
                else:
                    purge_sessions.append(u.ref)
            elif u.kind == _ORPHAN or (u.kind == _MEMORY and not self.migrate_history):
                purge_memories.append(u.ref)
            else:
                rows += w.rows
        if parts.history is not None:
            parts.history.write(rows, messages, purge_memories, purge_sessions)

    def report(self, cp: Checkpoint) -> MigrationReport:
        """The whole job's counts (items done by earlier runs of this checkpoint included) and this
        run's failures."""
        return report_of(
            cp,
            self.t.source(),
            self.dry_run,
            failed=self.failed,
            history="migrated" if self.migrate_history else "purged",
        )

    def residue(self, selection: Selection, parts: _Parts) -> list[str]:
        out = [_LEFT_IDS, _SENT_BEFORE]
        if self.failed:
            out.insert(
                0,
                f"{self.failed} item(s) could not be migrated and are still in clear (the extractor "
                "failed, the policy blocks a type they hold, or their identity names no vault"
                + (f": {self.unowned} have no usable user_id/agent_id/run_id" if self.unowned else "")
                + "); rerun with the same checkpoint to retry them",
            )
        if not selection.whole and parts.history is not None:
            out.append(
                "history rows of deleted memories name no owner: they are handled only when every "
                "memory is migrated (no user_ids, agent_ids or run_ids)"
            )
        if parts.entities is None and parts.memories.client is None:
            out.append(
                "mem0's entity collection is read through Qdrant only; with this store it is not migrated"
            )
        return out
