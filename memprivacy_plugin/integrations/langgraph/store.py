"""`PrivateStore`: any LangGraph store, seen through the privacy layer.

Values are put in placeholder form before the inner store sees or embeds them, search queries and
filter values are protected the same way (the same value always maps to the same placeholder, so a
query with a real value finds what was stored under its placeholder), and what `get`/`search` return
is restored, each item with the vault of its own user.

Whose vault: inside a LangGraph run, the run's user (`config["configurable"]["user_id"]` or the
runtime context's `user_id`); outside one, the namespace label at `namespace_user_index` (0 for
LangGraph's `(user_id, "memories")`, 1 or -1 for langmem's `("memories", user_id)`), or a fixed
`user_id=`. Nothing is guessed, and sources that are both present must agree (`ConfigError`).
Namespace labels are never protected: keep private data out of them (the user id is an app
identifier).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from langgraph.store.base import (
    BaseStore,
    GetOp,
    Item,
    Op,
    PutOp,
    Result,
    SearchItem,
    SearchOp,
    TTLConfig,
)

from ...errors import ConfigError
from ...guard import PrivacyGuard
from .._identity import default_guard
from ._store_ops import Run, Users, UserWork, arefuse_private, has_text, refuse_private, texts_of

__all__ = ["PrivateStore"]

_Where = tuple[int, int]  # (op index, item index in a search result, or -1 for a get)


class PrivateStore(BaseStore):
    """Wraps `store` (InMemoryStore, SqliteStore, AsyncSqliteStore, PostgresStore, ...) so it only
    holds placeholder form. `fields` limits protection to the values of those keys of each item (at
    any depth; default: every string). `restore=False` returns items in placeholder form.
    `protect_filters` protects the string values of search filters, so `{"phone": <real value>}`
    matches the placeholder stored. `namespace_user_index`: where namespaces hold the user id
    (needed outside a run; in a run, checked against the run's user). `user_id`: a store for one
    user. `user_from_run=False`: the run's config is not read (a job that writes for many users).
    No `guard`: the one handed to the run, else the process-wide default.

    The wrapped store is `self.store`. Members it has beyond `BaseStore` (`setup()`,
    `index_config`, `embeddings`, `sweep_ttl()`, `start_ttl_sweeper()`, ...) are its own, reached
    through the wrapper, and so is data written to it directly: taken as it is."""

    def __init__(
        self,
        store: BaseStore,
        guard: PrivacyGuard | None = None,
        *,
        fields: Sequence[str] | None = None,
        user_id: str | None = None,
        namespace_user_index: int | None = None,
        user_from_run: bool = True,
        restore: bool = True,
        protect_filters: bool = True,
    ) -> None:
        if not isinstance(store, BaseStore):
            raise ConfigError(f"{type(store).__name__} is not a LangGraph BaseStore")
        if isinstance(fields, str):
            raise ConfigError("fields must be a list of keys, not a string")
        if namespace_user_index is not None and (
            isinstance(namespace_user_index, bool) or not isinstance(namespace_user_index, int)
        ):
            raise ConfigError("namespace_user_index must be an int (a namespace position) or None")
        if user_id is not None and (not isinstance(user_id, str) or not user_id):
            raise ConfigError("user_id must be a non-empty string")
        self.store = store
        self._guard = guard
        self.fields = list(fields) if fields is not None else None
        self.user_id = user_id
        self.namespace_user_index = namespace_user_index
        self.user_from_run = user_from_run
        self.restore = restore
        self.protect_filters = protect_filters
        self._users = Users(user_id, namespace_user_index, user_from_run)
        self._keys = frozenset(self.fields) if self.fields is not None else None

    @property
    def guard(self) -> PrivacyGuard:
        """The guard given, else the process-wide default; in a run given none, the one handed to
        the run (`private_graph`) serves each call."""
        return self._guard if self._guard is not None else default_guard()

    def __repr__(self) -> str:
        return f"PrivateStore({type(self.store).__name__}(), user index {self.namespace_user_index})"

    # -- the inner store's own members -------------------------------------------------------------

    @property
    def supports_ttl(self) -> bool:  # type: ignore[override]
        return bool(self.store.supports_ttl)

    @property
    def ttl_config(self) -> TTLConfig | None:  # type: ignore[override]
        return self.store.ttl_config

    def __getattr__(self, name: str) -> Any:
        """What `BaseStore` does not define comes from the inner store (`setup`, `index_config`,
        TTL sweepers; coroutine functions stay coroutine functions). Only called for names not
        found on the wrapper, so every data method stays the wrapper's."""
        store = self.__dict__.get("store")
        if store is None or name.startswith("__"):
            raise AttributeError(name)
        return getattr(store, name)

    # -- planning (no I/O): whose work each op is, then the ops the inner store gets -------------

    def _plan(self, ops: list[Op], caller: str | None) -> tuple[dict[str, UserWork], list[str]]:
        """Per-user work, and the texts of user-less searches (let through only if not private)."""
        users = self._users
        work: dict[str, UserWork] = defaultdict(UserWork)
        unowned: list[str] = []
        for i, op in enumerate(ops):
            if isinstance(op, (PutOp, GetOp)):
                user = users.of_op(op.namespace, caller)
                if isinstance(op, PutOp) and op.value is not None:
                    work[users.required(user)].values.append((i, op.value))
            elif isinstance(op, SearchOp):
                user = users.of_op(op.namespace_prefix, caller)
                flt = op.filter if self.protect_filters and has_text(op.filter, self._keys) else None
                if user is None:
                    unowned += [op.query] if op.query is not None else []
                    unowned += texts_of(flt, self._keys) if flt else []
                    continue
                if op.query is not None:
                    work[user].queries.append((i, op.query))
                if flt:
                    work[user].filters.append((i, flt))
        return work, unowned

    @staticmethod
    def _rewrite(ops: list[Op], work: dict[str, UserWork]) -> list[Op]:
        out = list(ops)
        for done in work.values():
            for (i, _), value in zip(done.values, done.new_values, strict=True):
                put = out[i]
                assert isinstance(put, PutOp)
                out[i] = put._replace(value=value)
            for (i, _), query in zip(done.queries, done.new_queries, strict=True):
                search = out[i]
                assert isinstance(search, SearchOp)
                out[i] = search._replace(query=query)
            for (i, _), flt in zip(done.filters, done.new_filters, strict=True):
                search = out[i]
                assert isinstance(search, SearchOp)
                out[i] = search._replace(filter=flt)
        return out

    def _to_restore(self, results: list[Result], caller: str | None) -> dict[str, list[_Where]]:
        """user -> where their items are; items that name no user (or, in a run, another user)
        are left as stored."""
        wanted: dict[str, list[_Where]] = defaultdict(list)
        if not self.restore:
            return wanted
        for i, result in enumerate(results):
            found = [(-1, result)] if isinstance(result, Item) else []
            if isinstance(result, list):
                found = [(j, item) for j, item in enumerate(result) if isinstance(item, Item)]
            for j, item in found:
                user = self._users.of_item(item.namespace, caller)
                if user is not None:
                    wanted[user].append((i, j))
        return wanted

    @staticmethod
    def _item(results: list[Result], where: _Where) -> Item:
        i, j = where
        found = results[i]
        item = found[j] if j >= 0 and isinstance(found, list) else found
        assert isinstance(item, Item)
        return item

    @staticmethod
    def _put_back(results: list[Result], where: _Where, value: dict[str, Any]) -> None:
        i, j = where
        found = results[i]
        if j < 0:
            assert isinstance(found, Item)
            results[i] = _copy_item(found, value)
        else:
            items: list[Any] = list(found) if isinstance(found, list) else []
            items[j] = _copy_item(items[j], value)
            results[i] = items

    # -- BaseStore ---------------------------------------------------------------------------------

    def batch(self, ops: Iterable[Op]) -> list[Result]:
        """Protect puts, queries and filters; run them on the inner store; restore what it returns.
        One batched extraction and one vault lookup per user of the batch."""
        ops = list(ops)
        run = Run.current()
        caller, g = self._users.caller(run), run.guard(self._guard)
        work, unowned = self._plan(ops, caller)
        refuse_private(g, unowned)
        for user, w in work.items():
            if w.values:
                w.new_values = g.protect_data([v for _, v in w.values], user_id=user, keys=self.fields)
            if w.queries:
                w.new_queries = [r.text for r in g.protect_batch([q for _, q in w.queries], user_id=user)]
            if w.filters:
                w.new_filters = g.protect_data([f for _, f in w.filters], user_id=user, keys=self.fields)
        results = self.store.batch(self._rewrite(ops, work))
        for user, where in self._to_restore(results, caller).items():
            values = [self._item(results, at).value for at in where]
            for at, value in zip(where, g.restore_data(values, user_id=user), strict=True):
                self._put_back(results, at, value)
        return results

    async def abatch(self, ops: Iterable[Op]) -> list[Result]:
        ops = list(ops)
        run = Run.current()
        caller, g, keys = self._users.caller(run), run.guard(self._guard), self.fields
        work, unowned = self._plan(ops, caller)
        await arefuse_private(g, unowned)
        for user, w in work.items():
            if w.values:
                w.new_values = await g.aprotect_data([v for _, v in w.values], user_id=user, keys=keys)
            if w.queries:
                done = await g.aprotect_batch([q for _, q in w.queries], user_id=user)
                w.new_queries = [r.text for r in done]
            if w.filters:
                w.new_filters = await g.aprotect_data([f for _, f in w.filters], user_id=user, keys=keys)
        results = await self.store.abatch(self._rewrite(ops, work))
        for user, where in self._to_restore(results, caller).items():
            values = [self._item(results, at).value for at in where]
            restored = await g.arestore_data(values, user_id=user)
            for at, value in zip(where, restored, strict=True):
                self._put_back(results, at, value)
        return results


def _copy_item(item: Item, value: dict[str, Any]) -> Item:
    if isinstance(item, SearchItem):
        return SearchItem(
            namespace=item.namespace,
            key=item.key,
            value=value,
            created_at=item.created_at,
            updated_at=item.updated_at,
            score=item.score,
        )
    return Item(
        value=value,
        key=item.key,
        namespace=item.namespace,
        created_at=item.created_at,
        updated_at=item.updated_at,
    )
