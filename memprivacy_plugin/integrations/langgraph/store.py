"""`PrivateStore`: any LangGraph store, seen through the privacy layer.

Values are put in placeholder form before the inner store sees or embeds them, search queries and
filter values are protected the same way (the same value always maps to the same placeholder, so a
query with a real value finds what was stored under its placeholder), and what `get`/`search` return
is restored for the user.

Namespace convention: `namespace[namespace_user_index]` is the user id (default index 0:
`(user_id, "memories")`, as in LangGraph's memory examples), or a fixed `user_id` is given. Namespace
labels are never protected: keep private data out of them (the user id is an app identifier).
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
)

from ...errors import ConfigError
from ...guard import PrivacyGuard

__all__ = ["PrivateStore"]


class PrivateStore(BaseStore):
    """Wraps `store` (InMemoryStore, SqliteStore, PostgresStore, ...) so it only holds placeholder
    form. `fields` limits protection to the values of those keys of each item (at any depth;
    default: every string). `restore=False` returns items in placeholder form. `protect_filters`
    protects the string values of search filters (so `{"phone": <real value>}` matches).

    The wrapped store is `self.store`: data written to it directly is taken as it is."""

    def __init__(
        self,
        store: BaseStore,
        guard: PrivacyGuard | None = None,
        *,
        fields: Sequence[str] | None = None,
        user_id: str | None = None,
        namespace_user_index: int = 0,
        restore: bool = True,
        protect_filters: bool = True,
    ) -> None:
        if not isinstance(store, BaseStore):
            raise ConfigError(f"{type(store).__name__} is not a LangGraph BaseStore")
        if isinstance(fields, str):
            raise ConfigError("fields must be a list of keys, not a string")
        self.store = store
        self.guard = guard or PrivacyGuard()
        self.fields = list(fields) if fields is not None else None
        self.user_id = user_id
        self.namespace_user_index = namespace_user_index
        self.restore = restore
        self.protect_filters = protect_filters
        self.supports_ttl = store.supports_ttl
        self.ttl_config = store.ttl_config

    def __repr__(self) -> str:
        return f"PrivateStore({type(self.store).__name__}(), user index {self.namespace_user_index})"

    # -- whose data an op touches ----------------------------------------------------------------

    def _user(self, namespace: tuple[str, ...]) -> str:
        if self.user_id is not None:
            return self.user_id
        try:
            user = namespace[self.namespace_user_index]
        except IndexError:
            raise ConfigError(
                f"namespace {namespace!r} has no user id at index {self.namespace_user_index} "
                "(use (user_id, ...) namespaces, set namespace_user_index, or pass user_id=)"
            ) from None
        if not user:
            raise ConfigError("empty user id in the namespace")
        return user

    # -- planning (no I/O): what to protect, then the ops the inner store gets -------------------

    def _plan(self, ops: list[Op]) -> dict[str, _UserWork]:
        work: dict[str, _UserWork] = defaultdict(_UserWork)
        for i, op in enumerate(ops):
            if isinstance(op, PutOp) and op.value is not None:
                work[self._user(op.namespace)].values.append((i, op.value))
            elif isinstance(op, SearchOp):
                user = self._user(op.namespace_prefix)
                if op.query is not None:
                    work[user].queries.append((i, op.query))
                if op.filter and self.protect_filters:
                    work[user].filters.append((i, op.filter))
        return work

    def _rewrite(self, ops: list[Op], work: dict[str, _UserWork]) -> list[Op]:
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

    def _to_restore(self, ops: list[Op], results: list[Result]) -> dict[str, list[tuple[int, int]]]:
        """user -> (op index, item index or -1 for a GetOp's single item)."""
        wanted: dict[str, list[tuple[int, int]]] = defaultdict(list)
        if not self.restore:
            return wanted
        for i, (op, result) in enumerate(zip(ops, results, strict=True)):
            if isinstance(op, GetOp) and isinstance(result, Item):
                wanted[self._user(op.namespace)].append((i, -1))
            elif isinstance(op, SearchOp) and isinstance(result, list):
                for j, item in enumerate(result):
                    if isinstance(item, Item):
                        wanted[self._user(item.namespace)].append((i, j))
        return wanted

    @staticmethod
    def _item(results: list[Result], where: tuple[int, int]) -> Item:
        i, j = where
        found = results[i]
        item = found[j] if j >= 0 and isinstance(found, list) else found
        assert isinstance(item, Item)
        return item

    @staticmethod
    def _put_back(results: list[Result], where: tuple[int, int], value: dict[str, Any]) -> None:
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
        work = self._plan(ops)
        for user, w in work.items():
            g = self.guard
            if w.values:
                w.new_values = g.protect_data([v for _, v in w.values], user_id=user, keys=self.fields)
            if w.queries:
                w.new_queries = [r.text for r in g.protect_batch([q for _, q in w.queries], user_id=user)]
            if w.filters:
                w.new_filters = g.protect_data([f for _, f in w.filters], user_id=user)
        results = self.store.batch(self._rewrite(ops, work))
        for user, where in self._to_restore(ops, results).items():
            values = [self._item(results, at).value for at in where]
            for at, value in zip(where, self.guard.restore_data(values, user_id=user), strict=True):
                self._put_back(results, at, value)
        return results

    async def abatch(self, ops: Iterable[Op]) -> list[Result]:
        ops = list(ops)
        work = self._plan(ops)
        for user, w in work.items():
            g = self.guard
            if w.values:
                w.new_values = await g.aprotect_data([v for _, v in w.values], user_id=user, keys=self.fields)
            w.new_queries = [(await g.aprotect(q, user_id=user)).text for _, q in w.queries]
            if w.filters:
                w.new_filters = await g.aprotect_data([f for _, f in w.filters], user_id=user)
        results = await self.store.abatch(self._rewrite(ops, work))
        for user, where in self._to_restore(ops, results).items():
            values = [self._item(results, at).value for at in where]
            restored = await self.guard.arestore_data(values, user_id=user)
            for at, value in zip(where, restored, strict=True):
                self._put_back(results, at, value)
        return results


class _UserWork:
    """One user's share of a batch: (op index, original) pairs and their protected forms."""

    def __init__(self) -> None:
        self.values: list[tuple[int, Any]] = []
        self.queries: list[tuple[int, str]] = []
        self.filters: list[tuple[int, dict[str, Any]]] = []
        self.new_values: list[Any] = []
        self.new_queries: list[str] = []
        self.new_filters: list[Any] = []


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
