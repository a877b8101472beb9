"""Whose vault `PrivateStore` uses: the run's user inside a real LangGraph run (config or runtime
context), an explicit namespace position outside one, both checked against each other; each item
read back restored with its own user's vault. A forget of the real user then really erases."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypedDict

import pytest

pytest.importorskip("langgraph")

from langgraph.config import get_store
from langgraph.graph import START, StateGraph
from langgraph.store.base import BaseStore, GetOp, PutOp, SearchOp
from langgraph.store.memory import InMemoryStore

from memprivacy_plugin import ConfigError, InMemoryVault, KnownValuesExtractor, PrivacyGuard
from memprivacy_plugin.integrations.langgraph import PrivateStore

PHONE = "+1 415 555 0134"
BOB_PHONE = "+44 20 7946 0958"
NAME = "Alice Zhang"


def known_guard() -> PrivacyGuard:
    extractor = KnownValuesExtractor({PHONE: "Phone Number", BOB_PHONE: "Phone Number", NAME: "Real Name"})
    return PrivacyGuard(extractor=extractor, vault=InMemoryVault())


class State(TypedDict, total=False):
    text: str
    ns: list[str]
    query: str
    found: list[str]


@dataclass
class Context:
    user_id: str


def remember_and_search(state: State) -> dict[str, Any]:
    """A node as langmem's tools write one: the graph's store, a namespace built by the app."""
    store = get_store()
    ns = tuple(state["ns"])
    if "text" in state:
        store.put(ns, "m1", {"text": state["text"]})
    return {"found": [h.value["text"] for h in store.search(ns, query=state.get("query") or state["text"])]}


async def aremember_and_search(state: State) -> dict[str, Any]:
    store = get_store()
    ns = tuple(state["ns"])
    await store.aput(ns, "m1", {"text": state["text"]})
    found = await store.asearch(ns, query=state.get("query") or state["text"])
    return {"found": [h.value["text"] for h in found]}


def graph_with(store: BaseStore, node: Any = remember_and_search) -> Any:
    builder = StateGraph(State, context_schema=Context)
    builder.add_node("node", node)
    builder.add_edge(START, "node")
    return builder.compile(store=store)


def cfg(user: str) -> dict[str, Any]:
    return {"configurable": {"user_id": user}}


def placeholders_of(inner: InMemoryStore, ns: tuple[str, ...]) -> str:
    item = inner.get(ns, "m1")
    assert item is not None
    return str(item.value["text"])


# -- defect: langmem's ("memories", user_id) namespaces -----------------------------------------


def test_a_graph_run_files_langmem_memories_under_the_runs_user_and_forget_erases_them() -> None:
    guard, inner = known_guard(), InMemoryStore()
    graph = graph_with(PrivateStore(inner, guard))  # no position given: the run's user decides
    out = graph.invoke({"text": f"my phone is {PHONE}", "ns": ["memories", "alice"]}, cfg("alice"))
    assert out["found"] == [f"my phone is {PHONE}"]  # restored for alice
    assert placeholders_of(inner, ("memories", "alice")) == "my phone is <Phone_Number_1>"
    assert [e.placeholder for e in guard.vault.entries("alice")] == ["<Phone_Number_1>"]
    assert guard.vault.entries("memories") == []  # the label is not a vault user

    assert guard.forget(user_id="alice") == 1
    # The placeholder stays in the store, and nothing resolves it any more.
    again = graph.invoke({"ns": ["memories", "alice"], "query": "my phone"}, cfg("alice"))
    assert again["found"] == ["my phone is <Phone_Number_1>"]


def test_after_forget_reads_give_placeholders_and_nothing_of_the_value() -> None:
    guard, inner = known_guard(), InMemoryStore()
    store = PrivateStore(inner, guard, namespace_user_index=-1)  # outside a run: explicit position
    ns = ("memories", "alice")
    store.put(ns, "m1", {"text": f"call {PHONE}", "who": NAME})
    item = store.get(ns, "m1")
    assert item is not None
    assert item.value == {"text": f"call {PHONE}", "who": NAME}

    assert guard.forget(user_id="alice") == 2
    item = store.get(ns, "m1")
    assert item is not None
    assert item.value == {"text": "call <Phone_Number_1>", "who": "<Real_Name_1>"}
    assert [h.value for h in store.search(ns)] == [item.value]
    assert guard.vault.entries("alice") == []


def test_the_user_can_come_from_the_runtime_context_and_async_nodes() -> None:
    guard, inner = known_guard(), InMemoryStore()
    graph = graph_with(PrivateStore(inner, guard), aremember_and_search)
    ns = ["memories", "bob"]

    async def run() -> Any:
        return await graph.ainvoke({"text": f"bob: {BOB_PHONE}", "ns": ns}, context=Context(user_id="bob"))

    out = asyncio.run(run())
    assert out["found"] == [f"bob: {BOB_PHONE}"]
    assert placeholders_of(inner, ("memories", "bob")) == "bob: <Phone_Number_1>"
    assert len(guard.vault.entries("bob")) == 1
    # The sync graph with the context too.
    sync = graph_with(PrivateStore(inner, guard)).invoke(
        {"text": f"again {BOB_PHONE}", "ns": ns}, context=Context(user_id="bob")
    )
    assert sync["found"] == [f"again {BOB_PHONE}"]
    assert len(guard.vault.entries("bob")) == 1


def test_a_position_and_the_run_must_agree() -> None:
    guard, inner = known_guard(), InMemoryStore()
    ns = ["memories", "alice"]
    agreeing = graph_with(PrivateStore(inner, guard, namespace_user_index=1))
    assert agreeing.invoke({"text": PHONE, "ns": ns}, cfg("alice"))["found"] == [PHONE]

    wrong = graph_with(PrivateStore(inner, guard, namespace_user_index=0))
    with pytest.raises(ConfigError, match="position 0 and the run's user_id") as err:
        wrong.invoke({"text": PHONE, "ns": ns}, cfg("alice"))
    message = str(err.value)
    assert "\n" not in message
    assert "alice" not in message
    assert "memories" not in message
    assert PHONE not in message

    fixed = graph_with(PrivateStore(inner, guard, user_id="bob"))
    with pytest.raises(ConfigError, match="user_id= and the run's user_id"):
        fixed.invoke({"text": PHONE, "ns": ns}, cfg("alice"))
    # A job that writes for many users reads its positions only.
    batch_job = graph_with(PrivateStore(inner, guard, namespace_user_index=1, user_from_run=False))
    assert batch_job.invoke({"text": BOB_PHONE, "ns": ["memories", "bob"]}, cfg("admin"))["found"] == [
        BOB_PHONE
    ]
    assert guard.vault.entries("admin") == []


def test_outside_a_run_no_position_is_guessed() -> None:
    guard, inner = known_guard(), InMemoryStore()
    store = PrivateStore(inner, guard)
    with pytest.raises(ConfigError, match="no user id"):
        store.put(("memories", "alice"), "m1", {"text": PHONE})
    assert inner.search(()) == []  # nothing was written
    # Reads of items that name no user come back as stored; deletes and listings need no user.
    inner.put(("alice", "memories"), "raw", {"text": "<Phone_Number_1>"})
    item = store.get(("alice", "memories"), "raw")
    assert item is not None
    assert item.value == {"text": "<Phone_Number_1>"}
    assert store.list_namespaces() == [("alice", "memories")]
    store.delete(("alice", "memories"), "raw")
    with pytest.raises(ConfigError, match="namespace_user_index must be an int"):
        PrivateStore(inner, guard, namespace_user_index="1")  # type: ignore[arg-type]


def test_a_fixed_user_with_a_position_refuses_another_users_namespace() -> None:
    guard, inner = known_guard(), InMemoryStore()
    PrivateStore(inner, guard, namespace_user_index=0).put(("bob", "m"), "p", {"text": BOB_PHONE})
    as_alice = PrivateStore(inner, guard, user_id="alice", namespace_user_index=0)
    with pytest.raises(ConfigError, match="position 0 and user_id="):
        as_alice.get(("bob", "m"), "p")
    # A store-wide read as alice resolves nothing of bob's, and not with alice's vault either.
    as_alice.put(("alice", "m"), "p", {"text": PHONE})
    found = {i.namespace[0]: i.value["text"] for i in as_alice.search(())}
    assert found == {"alice": PHONE, "bob": "<Phone_Number_1>"}


# -- defect: a store-wide search restores each item with its own user's vault -------------------


def test_store_wide_search_restores_each_item_with_its_own_user() -> None:
    guard, inner = known_guard(), InMemoryStore()
    store = PrivateStore(inner, guard, namespace_user_index=1)
    store.put(("memories", "alice"), "p", {"text": f"my number is {PHONE}"})
    store.put(("memories", "bob"), "p", {"text": f"my number is {BOB_PHONE}"})
    inner.put(("shared",), "notice", {"text": "office closed; see <Phone_Number_1>"})
    # Both users' values are <Phone_Number_1> in the store.
    assert {i.value["text"] for i in inner.search(("memories",))} == {"my number is <Phone_Number_1>"}

    found = {i.namespace: i.value["text"] for i in store.search(())}
    assert found == {
        ("memories", "alice"): f"my number is {PHONE}",
        ("memories", "bob"): f"my number is {BOB_PHONE}",
        ("shared",): "office closed; see <Phone_Number_1>",  # names no user: as stored
    }
    # One batch over both users, async too.
    got = asyncio.run(store.abatch([GetOp(("memories", "alice"), "p"), GetOp(("memories", "bob"), "p")]))
    assert [g.value["text"] for g in got if g is not None] == [
        f"my number is {PHONE}",
        f"my number is {BOB_PHONE}",
    ]

    # A query that names no user: let through when it holds nothing private, refused otherwise.
    assert len(store.search((), query="my number")) == 3
    with pytest.raises(ConfigError, match="names no user holds private values"):
        store.search((), query=f"who has {PHONE}?")
    with pytest.raises(ConfigError, match="names no user holds private values"):
        asyncio.run(store.abatch([SearchOp((), filter={"text": f"my number is {PHONE}"})]))


def test_in_a_run_another_users_items_stay_in_placeholder_form() -> None:
    guard, inner = known_guard(), InMemoryStore()
    admin = PrivateStore(inner, guard, namespace_user_index=1)
    admin.batch(
        [
            PutOp(("memories", "alice"), "p", {"text": f"my number is {PHONE}"}),
            PutOp(("memories", "bob"), "p", {"text": f"my number is {BOB_PHONE}"}),
        ]
    )

    def everything(state: State) -> dict[str, Any]:
        return {"found": sorted(h.value["text"] for h in get_store().search(("memories",)))}

    for index in (None, 1):
        graph = graph_with(PrivateStore(inner, guard, namespace_user_index=index), everything)
        out = graph.invoke({}, cfg("alice"))
        # alice's own value is restored; bob's is neither revealed nor resolved with alice's vault.
        assert out["found"] == [f"my number is {PHONE}", "my number is <Phone_Number_1>"]


def test_sqlite_store_file_in_a_graph_run_holds_no_value_of_either_user(tmp_path: Path) -> None:
    sqlite_mod = pytest.importorskip("langgraph.store.sqlite")
    from memprivacy_plugin import SQLiteVault

    guard = PrivacyGuard(
        extractor=KnownValuesExtractor({PHONE: "Phone Number", BOB_PHONE: "Phone Number", NAME: "Real Name"}),
        vault=SQLiteVault(tmp_path / "vault.db", key_file=tmp_path / "vault.key"),
    )
    with sqlite_mod.SqliteStore.from_conn_string(str(tmp_path / "store.db")) as inner:
        store = PrivateStore(inner, guard)
        store.setup()  # the inner store's own method, through the wrapper
        graph = graph_with(store)
        for user, value in (("alice", f"{NAME} on {PHONE}"), ("bob", f"bob on {BOB_PHONE}")):
            out = graph.invoke({"text": value, "ns": ["memories", user]}, cfg(user))
            assert out["found"] == [value]
        assert guard.forget(user_id="alice") == 2
        bob = graph.invoke({"ns": ["memories", "bob"], "query": "bob"}, cfg("bob"))
        assert bob["found"] == [f"bob on {BOB_PHONE}"]
        alice = graph.invoke({"ns": ["memories", "alice"], "query": "on"}, cfg("alice"))
        assert alice["found"] == ["<Real_Name_1> on <Phone_Number_1>"]  # forgotten
    guard.close()
    raw = b"".join(p.read_bytes() for p in tmp_path.iterdir() if p.is_file())
    assert b"<Phone_Number_1>" in raw  # the check below reads the right bytes
    for value in (PHONE, BOB_PHONE, NAME):
        assert value.encode() not in raw


def test_a_store_given_no_guard_uses_the_one_handed_to_the_run() -> None:
    """`private_graph` hands one guard to every component through the run's config (or context):
    a store given none protects and restores with it, not with a default guard of its own."""
    from memprivacy_plugin.integrations._identity import GUARD_KEY

    guard, inner = known_guard(), InMemoryStore()
    graph = graph_with(PrivateStore(inner))
    config = {"configurable": {"user_id": "alice", GUARD_KEY: guard}}
    out = graph.invoke({"text": f"my phone is {PHONE}", "ns": ["memories", "alice"]}, config)
    assert out["found"] == [f"my phone is {PHONE}"]
    assert placeholders_of(inner, ("memories", "alice")) == "my phone is <Phone_Number_1>"
    assert [e.placeholder for e in guard.vault.entries("alice")] == ["<Phone_Number_1>"]
    # A store's own guard wins over the run's.
    own = known_guard()
    graph_with(PrivateStore(inner, own)).invoke({"text": NAME, "ns": ["memories", "alice"]}, config)
    assert [e.placeholder for e in own.vault.entries("alice")] == ["<Real_Name_1>"]
    assert len(guard.vault.entries("alice")) == 1
