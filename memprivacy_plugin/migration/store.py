"""Audit and migrate a LangGraph store that already holds clear text.

`audit_store` reads every item (under `namespace_prefix`) and reports what its strings hold in
clear, by level, type and user. `migrate_store` rewrites each item in the placeholder form a
`PrivateStore` would have written: the same `guard.protect_data(values, user_id=user, keys=fields)`
call, the same vault, the user taken from the namespace by the same rule, so `PrivateStore.get`
and `search` restore a migrated item exactly as one written through it. The item is put back with
`index` left to the store (its embeddings are computed again from the placeholder form, as for a
new item) and with the TTL it had (SQLite and PostgreSQL stores; others get their default TTL).

Order of each batch, every step durable before the next (see `_resume`): the vault mappings
(`protect`), the intent in the checkpoint file, the store's write, the item marked done. Killed at
any point, a rerun with the same `checkpoint` finishes the job with nothing skipped, doubled or
half-written; an item already in placeholder form protects to itself and is not written again,
so a second migration changes nothing.

One exception to both, from the guard itself: as in the app, a value the guard protected once for
a user is protected again wherever it comes back bare, even where the extractor cannot see it
(`PrivacyGuard(remember_values=True)`, the default). Items are taken in listing order (namespace,
then key; by shards with several workers), so a bare repeat in an item taken before the value's
first protection (or by another worker) stays as it is in that run; a second run, whose guard
starts from every value in the vault, protects it there too. Values the extractor finds wherever
they occur are not affected.
"""

from __future__ import annotations

import json
import pickle
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._data import leaf_text, leaves
from ..errors import ConfigError, MemPrivacyError
from ..guard import PrivacyGuard
from ._dryrun import dry_run_guard
from ._protect import FAILED, REWRITTEN, UNCHANGED, chunks, per_group, protect_each, report_of
from ._report import RESIDUE_BACKUPS, AuditReport, AuditTally, MigrationReport, found_in_clear
from ._resume import DONE, WRITING, Checkpoint, Pending, Tally
from ._stores import (
    PostgresSource,
    SqliteSource,
    check_vectors,
    describe,
    kind_of,
    list_ids,
    open_store,
    prepare,
    scrub,
    ttls,
    write,
)

if TYPE_CHECKING:
    from langgraph.store.base import BaseStore, Item

    from ..integrations.langgraph._store_ops import Users

__all__ = ["PostgresSource", "SqliteSource", "audit_store", "migrate_store"]

#: A namespace position (as `PrivateStore(namespace_user_index=...)`) or a function of the namespace.
UserOf = int | Callable[[tuple[str, ...]], str | None] | None
Progress = Callable[[int, int], None]  # (items done, items in the job)


@dataclass(frozen=True)
class _Owner:
    """Whose vault an item uses: `PrivateStore`'s own rule (`Users`), or the caller's function.
    Picklable when the function is (a module-level function), for worker processes."""

    users: Users | None = None
    caller: str | None = None
    func: Callable[[tuple[str, ...]], str | None] | None = None

    def __call__(self, namespace: tuple[str, ...]) -> str | None:
        try:
            if self.func is not None:
                user = self.func(namespace)
                return user if isinstance(user, str) and user else None
            return None if self.users is None else self.users.of_op(namespace, self.caller)
        except ConfigError:  # the namespace and a fixed user disagree: nobody's item
            return None

    def describe(self) -> str:
        if self.func is not None:
            return f"{getattr(self.func, '__module__', '')}.{getattr(self.func, '__qualname__', '?')}"
        if self.users is None:
            return "none"
        return f"index={self.users.index} fixed={'yes' if self.users.fixed else 'no'}"


def _resolve(
    store: Any, guard: PrivacyGuard | Callable[[], PrivacyGuard] | None, user_of: UserOf, fields: Any
) -> tuple[Any, PrivacyGuard | Callable[[], PrivacyGuard] | None, _Owner, list[str] | None]:
    """The inner store, guard, owner rule and fields: a `PrivateStore` given as `store` lends its
    own (its wrapped store, its guard, its user rule and fields) unless they are passed."""
    if isinstance(fields, str):
        raise ConfigError("fields must be a list of keys, not a string")
    from ..integrations.langgraph._store_ops import Run, Users
    from ..integrations.langgraph.store import PrivateStore

    owner = _Owner()
    if isinstance(store, PrivateStore):
        guard = guard if guard is not None else store._guard
        fields = fields if fields is not None else store.fields
        owner = _Owner(users=store._users, caller=store._users.caller(Run()))
        store = store.store
    if isinstance(user_of, bool) or not (user_of is None or isinstance(user_of, int) or callable(user_of)):
        raise ConfigError("user_of must be a namespace position (int), a function of the namespace, or None")
    if isinstance(user_of, int):
        owner = _Owner(users=Users(None, user_of, False))
    elif user_of is not None:
        owner = _Owner(func=user_of)
    return store, guard, owner, list(fields) if fields is not None else None


def _guard_now(guard: PrivacyGuard | Callable[[], PrivacyGuard] | None) -> tuple[PrivacyGuard, bool]:
    """The guard to use in this process, and whether it was made here (then closed here)."""
    if isinstance(guard, PrivacyGuard):
        return guard, False
    if guard is None:
        from ..integrations._identity import default_guard

        return default_guard(), False
    made = guard()
    if not isinstance(made, PrivacyGuard):
        raise ConfigError("the guard opener did not return a PrivacyGuard")
    return made, True


def _texts(value: Any, fields: list[str] | None) -> list[str]:
    """The strings protection would read in a value (dict keys too unless `fields` is given)."""
    return [leaf_text(leaf) for leaf in leaves(value, set(fields) if fields is not None else None)]


def _check_batch_size(batch_size: int) -> None:
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise ConfigError("batch_size must be a positive whole number")


# -- audit ---------------------------------------------------------------------------------------


def audit_store(
    store: Any,
    guard: PrivacyGuard | Callable[[], PrivacyGuard] | None = None,
    *,
    namespace_prefix: Sequence[str] = (),
    user_of: UserOf = None,
    fields: Sequence[str] | None = None,
    batch_size: int = 500,
    user_names: Mapping[str, str] | None = None,
) -> AuditReport:
    """What a LangGraph store holds in clear: every item under `namespace_prefix` read once, its
    strings (those under `fields` only, if given) run through the guard's extractor in batches of
    `batch_size` items. Counts by level, type and user (`user_of`: a namespace position or a
    function of the namespace; a `PrivateStore` lends its own rule), the share of items holding
    something the policy protects, and example values as keyed-hash refs only. Text already in
    placeholder form does not count. Items the extractor fails on are counted in `errors`.

    `store`: a `BaseStore` or `PrivateStore`, a `SqliteSource`/`PostgresSource`, or a function
    opening one. `guard`: default, the `PrivateStore`'s, else the process-wide default guard.
    `user_names`: each user's own name ({"dana": "Dana Whitfield"}), which the rules find only when
    told it, as an app tells them through `user_name`."""
    _check_batch_size(batch_size)
    names = dict(user_names or {})
    inner, guard_like, owner, keys = _resolve(store, guard, user_of, fields)
    g, made = _guard_now(guard_like)
    try:
        with open_store(inner) as s:
            tally = AuditTally(describe(s), g.policy)
            for ids in chunks(list_ids(s, namespace_prefix), batch_size):
                found = _get(s, ids)
                items = [
                    (owner(item.namespace), _texts(item.value, keys)) for item in found if item is not None
                ]
                if not names:
                    _audit_batch(g, tally, items)
                    continue
                by_user: dict[str | None, list[tuple[str | None, list[str]]]] = {}
                for entry in items:
                    by_user.setdefault(entry[0], []).append(entry)
                for user, mine in by_user.items():
                    _audit_batch(g, tally, mine, names.get(user) if user is not None else None)
        return tally.report
    finally:
        if made:
            g.close()


def _audit_batch(
    guard: PrivacyGuard,
    tally: AuditTally,
    items: list[tuple[str | None, list[str]]],
    user_name: str | None = None,
) -> None:
    found = per_group(lambda batch: found_in_clear(guard, batch, user_name), [texts for _, texts in items])
    for (user, _), per_text in zip(items, found, strict=True):
        if per_text is None:
            tally.error(user)
        else:
            tally.add(user, [s for spans in per_text for s in spans])


def _is_store(obj: Any) -> bool:
    from langgraph.store.base import BaseStore

    return isinstance(obj, BaseStore)


# -- migration -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Job:
    """What each worker process needs (picklable)."""

    source: Any
    guard: Callable[[], PrivacyGuard] | None
    owner: _Owner
    fields: tuple[str, ...] | None
    checkpoint: str
    name: str
    batch_size: int
    dry_run: bool
    shards: int
    names: Mapping[str, str]


def migrate_store(
    store: Any,
    guard: PrivacyGuard | Callable[[], PrivacyGuard] | None = None,
    *,
    namespace_prefix: Sequence[str] = (),
    user_of: UserOf = None,
    fields: Sequence[str] | None = None,
    dry_run: bool = False,
    batch_size: int = 200,
    workers: int = 1,
    checkpoint: str | Path | None = None,
    scrub_after: bool = True,
    vacuum_full: bool = False,
    progress: Progress | None = None,
    user_names: Mapping[str, str] | None = None,
) -> MigrationReport:
    """Rewrite every item under `namespace_prefix` into placeholder form, in place, through the
    guard and vault `PrivateStore` uses (see the module docstring); the report counts the whole job.

    - `user_of`: whose vault each item uses, as the app's `PrivateStore` decides it: a namespace
      position (its `namespace_user_index`) or a function of the namespace; a `PrivateStore` given
      as `store` lends its rule, guard and `fields`. An item whose namespace names no user is left
      as it is and counted as failed (no store of the app could have written or restored it).
    - `dry_run`: nothing is written (store, vault, checkpoint path); the report gives exactly the
      items and spans the real run would change.
    - `batch_size` items per read, extraction and write; `workers` processes, each with its own
      store and vault connection, sharing the checkpoint file. With `workers > 1`, `store` must be
      a `SqliteSource`/`PostgresSource` (or a `SqliteStore` on a file, without an index), or a
      picklable function opening one, and `guard` a picklable function returning a `PrivacyGuard`
      (None: the embedded default `PrivacyGuard`).
    - `checkpoint`: the progress file (see `_resume`); a rerun with it resumes. None: a temporary
      file, deleted at the end. A dry run never uses it.
    - `scrub_after`: SQLite: old cells zeroed while rewriting (`secure_delete`), then the WAL
      checkpointed and truncated and the file vacuumed; PostgreSQL: `VACUUM` of the store tables
      (`vacuum_full=True`: `VACUUM FULL`, which locks them while it rewrites them). What this
      cannot reach is listed in the report's `residue`.
    - `progress(done, total)` is called as items finish (the CLI's progress bar).

    Items the guard cannot protect (the extractor fails, the policy blocks them) stay in clear and
    are counted as failed; errors of the store or the vault stop the run (rerun to resume).
    - `user_names`: each user's own name, as in `audit_store`."""
    _check_batch_size(batch_size)
    names = dict(user_names or {})
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise ConfigError("workers must be a positive whole number")
    inner, guard_like, owner, keys = _resolve(store, guard, user_of, fields)
    if owner.users is None and owner.func is None:
        raise ConfigError(
            "migrate_store needs to know whose vault each item uses: user_of= (the namespace position of "
            "the user id, as the app's PrivateStore namespace_user_index, or a function of the namespace), "
            "or the app's PrivateStore as the store"
        )
    if workers > 1:
        inner, guard_like = _for_workers(inner, guard_like)
    with open_store(inner) as s:
        label = describe(s)
        name = f"store|{label}|prefix={'.'.join(namespace_prefix)}|fields={keys}|user={owner.describe()}"
        check_vectors(s)
        with Checkpoint(None if dry_run else checkpoint, job=name) as ckpt:
            if not ckpt.listed:
                ckpt.add(json.dumps([list(ns), key]) for ns, key in list_ids(s, namespace_prefix))
                ckpt.finish_listing()
            total = ckpt.count()
            if progress is not None:
                progress(ckpt.count(DONE), total)
            if workers == 1:
                _migrate_here(s, guard_like, owner, keys, ckpt, batch_size, dry_run, progress, total, names)
            else:
                job = _Job(inner, guard_like, owner, tuple(keys) if keys is not None else None,  # type: ignore[arg-type]
                           str(ckpt.path), name, batch_size, dry_run, workers, names)  # fmt: skip
                _run_workers(job, ckpt, progress, total)
            report = report_of(ckpt, label, dry_run)
        if not dry_run and scrub_after:
            done, residue = scrub(s, vacuum_full=vacuum_full)
            report.scrubbed, report.residue = done, residue
        elif not dry_run:
            report.residue = [
                "not scrubbed (scrub_after=False): the old clear text may remain in free pages, the WAL or "
                "dead tuples",
                RESIDUE_BACKUPS,
            ]
        else:
            report.residue = [RESIDUE_BACKUPS]
    if report.items_failed:
        report.residue.insert(
            0,
            f"{report.items_failed} item(s) could not be protected (the extractor failed, the policy blocks "
            "them, or their namespace names no user) and are still in clear: fix the cause and run again",
        )
    return report


def _for_workers(inner: Any, guard: Any) -> tuple[Any, Any]:
    """What worker processes can open for themselves: a source, and a guard opener."""
    if _is_store(inner):
        if kind_of(inner) == "sqlite" and inner.index_config is None:
            path = describe(inner).removeprefix("SqliteStore ")
            if path and path != ":memory:":
                inner = SqliteSource(path)
        if _is_store(inner):
            raise ConfigError(
                "workers > 1 open the store in each process: pass a SqliteSource, a PostgresSource or a "
                "picklable function opening the store, not a store object"
            )
    if isinstance(guard, PrivacyGuard):
        raise ConfigError(
            "workers > 1 make their own guard: pass a picklable function returning the PrivacyGuard "
            "(with the app's vault and policy), not a guard object"
        )
    if guard is None:
        guard = PrivacyGuard
    return inner, guard


def _migrate_here(
    store: BaseStore,
    guard_like: Any,
    owner: _Owner,
    keys: list[str] | None,
    ckpt: Checkpoint,
    batch_size: int,
    dry_run: bool,
    progress: Progress | None,
    total: int,
    names: Mapping[str, str],
) -> None:
    g, made = _guard_now(guard_like)
    try:
        if not dry_run:
            prepare(store)
        _work(store, dry_run_guard(g) if dry_run else g, ckpt, owner, keys, 0, 1, batch_size, dry_run,
              progress, total, names)  # fmt: skip
    finally:
        if made:
            g.close()


def _worker(job: _Job, shard: int) -> None:
    """One worker process: its own guard, store and checkpoint connections, its shard of items."""
    g, made = _guard_now(job.guard)
    try:
        with open_store(job.source) as store, Checkpoint(job.checkpoint, job=job.name) as ckpt:
            if not job.dry_run:
                prepare(store)
            fields = list(job.fields) if job.fields is not None else None
            guard = dry_run_guard(g) if job.dry_run else g
            _work(
                store,
                guard,
                ckpt,
                job.owner,
                fields,
                shard,
                job.shards,
                job.batch_size,
                job.dry_run,
                None,
                0,
                job.names,
            )
    finally:
        if made:
            g.close()


def _run_workers(job: _Job, ckpt: Checkpoint, progress: Progress | None, total: int) -> None:
    import multiprocessing

    try:
        pickle.dumps(job)
    except Exception:
        raise ConfigError(
            "the store opener, guard opener or user_of cannot be sent to worker processes: use "
            "module-level functions (or functools.partial of them)"
        ) from None
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_worker, args=(job, shard), daemon=True) for shard in range(job.shards)]
    for p in procs:
        p.start()
    try:
        while any(p.is_alive() for p in procs):
            for p in procs:
                p.join(timeout=1.0 / len(procs))
            if progress is not None:
                progress(ckpt.count(DONE), total)
    finally:
        for p in procs:
            if p.is_alive():
                p.terminate()
                p.join()
    failed = [p.exitcode for p in procs if p.exitcode != 0]
    if failed:
        raise MemPrivacyError(
            f"{len(failed)} worker process(es) stopped before the end (exit codes {failed}): what they "
            "finished is recorded; run again with the same checkpoint to resume"
        )


def _get(store: BaseStore, ids: Sequence[tuple[tuple[str, ...], str]]) -> list[Item | None]:
    """The items of `ids` (None for one deleted meanwhile), in one batch."""
    from langgraph.store.base import GetOp, Item

    return [r if isinstance(r, Item) else None for r in store.batch([GetOp(ns, key) for ns, key in ids])]


def _decode(item: str) -> tuple[tuple[str, ...], str]:
    ns, key = json.loads(item)
    return tuple(ns), key


def _work(
    store: BaseStore,
    guard: PrivacyGuard,
    ckpt: Checkpoint,
    owner: _Owner,
    keys: list[str] | None,
    shard: int,
    shards: int,
    batch_size: int,
    dry_run: bool,
    progress: Progress | None,
    total: int,
    names: Mapping[str, str],
) -> None:
    """Work through this shard of the checkpoint, batch by batch."""
    from langgraph.store.base import PutOp

    after = 0
    done_count = ckpt.count(DONE) if progress is not None else 0  # then counted here: no scan per batch
    while rows := ckpt.pending(after=after, limit=batch_size, shard=shard, shards=shards):
        after = rows[-1].seq
        ids = [_decode(r.item) for r in rows]
        found = _get(store, ids)
        decided: list[tuple[int, str, Tally]] = [(r.seq, UNCHANGED, {}) for r in rows]  # gone: unchanged
        groups: dict[str, list[int]] = {}
        for i, item in enumerate(found):
            if item is not None:
                user = owner(tuple(item.namespace))
                if user is None:
                    decided[i] = (rows[i].seq, FAILED, {})
                else:
                    groups.setdefault(user, []).append(i)
        new_values: dict[int, Any] = {}
        for user, where in groups.items():
            values = [item.value for i in where if (item := found[i]) is not None]
            done = protect_each(guard, values, user_id=user, keys=keys, user_name=names.get(user))
            for i, old, result in zip(where, values, done, strict=True):
                decided[i], changed = _decide(rows[i], old, result)
                if changed is not None:
                    new_values[i] = changed
        if new_values and not dry_run:
            life = ttls(store, [ids[i] for i in new_values])
            ckpt.writing([decided[i] for i in new_values])
            write(
                store,
                [PutOp(*ids[i], value, index=None, ttl=life[ids[i]]) for i, value in new_values.items()],
            )
        ckpt.done(decided)
        done_count += len(rows)
        if progress is not None:
            progress(done_count, total)


def _decide(row: Pending, old: Any, done: tuple[Any, Tally] | None) -> tuple[tuple[int, str, Tally], Any]:
    """(seq, outcome, tally) of one item and its new value (None: nothing to write). An item caught
    mid-write by a kill and found already rewritten keeps the outcome recorded before the write."""
    if done is None:
        return (row.seq, FAILED, {}), None
    new, tally = done
    if new != old:
        return (row.seq, REWRITTEN, tally), new
    if row.state == WRITING and row.outcome == REWRITTEN:
        return (row.seq, REWRITTEN, row.tally), None
    return (row.seq, UNCHANGED, {}), None
