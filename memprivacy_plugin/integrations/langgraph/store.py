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
from collections.abc import Awaitable, Callable, Iterable, Sequence
from functools import partial
from typing import Any, NamedTuple, TypeVar

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

__all__ = ["Erased", "PrivateStore"]

_Where = tuple[int, int]  # (op index, item index in a search result, or -1 for a get)
_Key = tuple[tuple[str, ...], str]  # (namespace, key) of an item
_T = TypeVar("_T")
_PAGE = 500  # namespaces, items and deletes per call of the inner store, when erasing a user
_PASSES = 8  # listings while erasing, each catching what was written during the last one


class Erased(NamedTuple):
    """What `PrivateStore.forget` erased: items deleted from the inner store, values from the vault."""

    items: int
    values: int


class PrivateStore(BaseStore):
    """Wraps `store` (InMemoryStore, SqliteStore, AsyncSqliteStore, PostgresStore, ...) so it only
    holds placeholder form. `fields` limits protection to the values of those keys of each item (at
    any depth; default: every string). `restore=False` returns items in placeholder form.
    `protect_filters` protects the string values of search filters, so `{"phone": <real value>}`
    matches the placeholder stored. `namespace_user_index`: where namespaces hold the user id
    (needed outside a run; in a run, checked against the run's user). `user_id`: a store for one
    user. `user_from_run=False`: the run's config is not read (a job that writes for many users).
    No `guard`: the one handed to the run, else the process-wide default. `forget(user_id)` erases
    a user: their items, then their vault entries through the guard.

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

    # -- erasing a user ---------------------------------------------------------------------------

    def forget(self, user_id: str | None = None) -> Erased:
        """Erase a user: each item of theirs in the inner store, then their vault entries through
        `PrivacyGuard.forget` (numbering there never restarts, so a placeholder left in a copy
        resolves to nothing). Their items: namespaces naming them at `namespace_user_index`, or
        the whole store of a fixed `user_id=`. `user_id` defaults to the fixed or the run's user."""
        run = Run.current()
        user, listing = self._erasing(user_id, run)
        items = 0
        for _ in range(_PASSES):  # items deleted first: if that fails, what is left still restores
            found = self._items_of(user, listing)
            if not found:
                return Erased(items, run.guard(self._guard).forget(user_id=user))
            for start in range(0, len(found), _PAGE):
                self.store.batch([PutOp(ns, key, None) for ns, key in found[start : start + _PAGE]])
            items += len(found)
        raise ConfigError(_STILL_WRITING)

    async def aforget(self, user_id: str | None = None) -> Erased:
        """`forget` for coroutines."""
        run = Run.current()
        user, listing = self._erasing(user_id, run)
        items = 0
        for _ in range(_PASSES):
            found = await self._aitems_of(user, listing)
            if not found:
                return Erased(items, await run.guard(self._guard).aforget(user_id=user))
            for start in range(0, len(found), _PAGE):
                await self.store.abatch([PutOp(ns, key, None) for ns, key in found[start : start + _PAGE]])
            items += len(found)
        raise ConfigError(_STILL_WRITING)

    def _items_of(self, user: str, listing: dict[str, Any]) -> list[_Key]:
        """(namespace, key) of every item of the user in the inner store, page by page."""
        store = self.store
        found: list[_Key] = []
        for ns in self._owned(user, _pages(lambda at: store.list_namespaces(**listing, offset=at))):
            found += _keys_in(ns, _pages(partial(_search_page, store, ns)))
        return found

    async def _aitems_of(self, user: str, listing: dict[str, Any]) -> list[_Key]:
        store = self.store
        found: list[_Key] = []
        for ns in self._owned(user, await _apages(lambda at: store.alist_namespaces(**listing, offset=at))):
            found += _keys_in(ns, await _apages(partial(_asearch_page, store, ns)))
        return found

    def _erasing(self, user_id: str | None, run: Run) -> tuple[str, dict[str, Any]]:
        """The user to erase and how to list their namespaces; `ConfigError` when the store cannot
        tell which items are theirs (nothing is guessed, nothing is erased)."""
        if user_id is not None and (not isinstance(user_id, str) or not user_id):
            raise ConfigError("user_id must be a non-empty string")
        user = user_id if user_id is not None else self._users.caller(run)
        if user is None:
            raise ConfigError("forget needs user_id= (or a store made with user_id=, or a run naming one)")
        if self.user_id is not None and user != self.user_id:
            raise ConfigError("this store serves the user of its user_id=; it cannot forget another user")
        index = self.namespace_user_index
        if index is None and self.user_id is None:
            raise ConfigError(
                "forget cannot tell which items are the user's: make the store with "
                "namespace_user_index= (0 for (user_id, ...) namespaces, -1 for langmem's) or user_id="
            )
        listing: dict[str, Any] = {"limit": _PAGE}
        if index is not None and self.user_id is None:  # a fixed user also owns position-less namespaces
            wild = ("*",) * (index if index >= 0 else -index - 1)
            listing.update({"prefix": (*wild, user)} if index >= 0 else {"suffix": (user, *wild)})
        return user, listing

    def _owned(self, user: str, namespaces: Iterable[tuple[str, ...]]) -> list[tuple[str, ...]]:
        """The namespaces whose items are the user's (the listing's wildcards are checked again)."""
        if self.namespace_user_index is None:
            return list(namespaces)  # a fixed user's store: all theirs
        labels = ((ns, self._users.label(ns)) for ns in namespaces)
        return [ns for ns, label in labels if label == user or (label is None and self.user_id is not None)]


_STILL_WRITING = (
    "the store still holds items of this user after several passes (is another process writing "
    "for them?): their vault entries were kept; stop the writer and forget again"
)


def _pages(call: Callable[[int], list[_T]]) -> list[_T]:
    """Every result of a paged listing of the inner store (`call(offset)`, pages of `_PAGE`)."""
    out: list[_T] = []
    while True:
        page = call(len(out))
        out += page
        if len(page) < _PAGE:
            return out


async def _apages(call: Callable[[int], Awaitable[list[_T]]]) -> list[_T]:
    out: list[_T] = []
    while True:
        page = await call(len(out))
        out += page
        if len(page) < _PAGE:
            return out


def _search_page(store: BaseStore, ns: tuple[str, ...], offset: int) -> list[SearchItem]:
    return store.search(ns, limit=_PAGE, offset=offset)


async def _asearch_page(store: BaseStore, ns: tuple[str, ...], offset: int) -> list[SearchItem]:
    return await store.asearch(ns, limit=_PAGE, offset=offset)


def _keys_in(ns: tuple[str, ...], items: Iterable[SearchItem]) -> list[_Key]:
    """The items of `ns` itself (a search by prefix also returns deeper namespaces' items)."""
    return [(item.namespace, item.key) for item in items if item.namespace == ns]


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
