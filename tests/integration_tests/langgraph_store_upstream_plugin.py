"""A pytest plugin that runs LangGraph's own store tests with every store wrapped in `PrivateStore`.

Loaded with `-p langgraph_store_upstream_plugin` by test_langgraph_store_upstream.py, in a pytest
run inside an extracted langgraph-checkpoint or langgraph-checkpoint-sqlite sdist. The upstream
tests build their stores in two ways only, so those are the hooks:

- `InMemoryStore(...)` (langgraph-checkpoint's tests/test_store.py, and its `MockAsyncBatchedStore`
  built on one): `langgraph.store.memory.InMemoryStore` is replaced, before the test modules import
  it, by a `PrivateStore` subclass of that name that builds the real store inside;
- `SqliteStore.from_conn_string(...)` and `AsyncSqliteStore.from_conn_string(...)` (every store of
  the sqlite sdist's test_store.py and test_async_store.py): the context managers
  yield the real store wrapped.

The test files stay as released. The run writes how many stores it wrapped, and in which tests, to
the JSON file named by MEMPRIVACY_UPSTREAM_REPORT, so the caller can tell a wrapped run from a run
that silently tested the bare stores.

The sqlite tests with a vector index load the sqlite-vec extension, which a Python built without
extension loading (pyenv's default) cannot do, wrapped or not. There, and only there, the DB-API
module of the pysqlite3-binary wheel (on the path the caller sets) stands in for `sqlite3` before
LangGraph's sqlite store is imported.
"""

from __future__ import annotations

import sqlite3
import sys

if not hasattr(sqlite3.Connection, "enable_load_extension"):
    try:
        from pysqlite3 import dbapi2
    except ImportError:
        pass
    else:
        sys.modules["sqlite3"] = dbapi2

import json
import os
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import Any

import pytest
from langgraph.store import memory as memory_module
from langgraph.store.base import BaseStore

from memprivacy_plugin import InMemoryVault, PrivacyGuard
from memprivacy_plugin.integrations.langgraph import PrivateStore

# The default rule extractor and policy; the user is the first namespace label (the suites name
# no run user).
GUARD = PrivacyGuard(vault=InMemoryVault())
RealInMemoryStore = memory_module.InMemoryStore
_wrapped: dict[str, int] = {}
_current = {"test": "(collection)"}
_undo: list[tuple[Any, str, Any]] = []


def wrap(store: BaseStore) -> PrivateStore:
    _wrapped[_current["test"]] = _wrapped.get(_current["test"], 0) + 1
    return PrivateStore(store, GUARD, namespace_user_index=0)


class InMemoryStore(PrivateStore):
    """`InMemoryStore(index=...)` as the tests call it, through the privacy layer."""

    def __init__(self, **kwargs: Any) -> None:
        _wrapped[_current["test"]] = _wrapped.get(_current["test"], 0) + 1
        super().__init__(RealInMemoryStore(**kwargs), GUARD, namespace_user_index=0)


def _patch(owner: Any, name: str, value: Any) -> None:
    _undo.append((owner, name, owner.__dict__[name]))
    setattr(owner, name, value)


def _patch_sqlite() -> None:
    try:
        from langgraph.store.sqlite import AsyncSqliteStore, SqliteStore
    except ImportError:  # the checkpoint sdist's run does not need it
        return
    sync_open = SqliteStore.__dict__["from_conn_string"].__func__
    async_open = AsyncSqliteStore.__dict__["from_conn_string"].__func__

    @contextmanager
    def from_conn_string(cls: type[SqliteStore], *args: Any, **kwargs: Any) -> Iterator[PrivateStore]:
        with sync_open(cls, *args, **kwargs) as store:
            yield wrap(store)

    @asynccontextmanager
    async def afrom_conn_string(
        cls: type[AsyncSqliteStore], *args: Any, **kwargs: Any
    ) -> AsyncIterator[PrivateStore]:
        async with async_open(cls, *args, **kwargs) as store:
            yield wrap(store)

    _patch(SqliteStore, "from_conn_string", classmethod(from_conn_string))
    _patch(AsyncSqliteStore, "from_conn_string", classmethod(afrom_conn_string))


def pytest_configure(config: pytest.Config) -> None:
    _patch(memory_module, "InMemoryStore", InMemoryStore)
    _patch_sqlite()


def pytest_unconfigure(config: pytest.Config) -> None:
    while _undo:
        owner, name, value = _undo.pop()
        setattr(owner, name, value)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> Any:
    _current["test"] = item.nodeid
    try:
        return (yield)
    finally:
        _current["test"] = "(between tests)"


def pytest_sessionfinish(session: pytest.Session) -> None:
    path = os.environ.get("MEMPRIVACY_UPSTREAM_REPORT")
    if path:
        with open(path, "w", encoding="utf-8") as out:
            json.dump(_wrapped, out)
