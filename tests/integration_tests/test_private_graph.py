"""`private_graph` (issue 11, defect 3): a compiled graph or agent wrapped once, invoked the plain
way with a real SqliteSaver file; every file it writes is grepped for the private values.

Before `private_graph`, `create_agent` with `PrivacyMiddleware` and a checkpointer left the user's
clear message in the `writes` table (`__start__` channel) and in the step -1 and 0 checkpoints.
"""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("langgraph.checkpoint.sqlite")
pytest.importorskip("langchain.agents")

from graph_fakes import EMAIL, NAME, PHONE, ScriptedModel, Tools, cfg, known_guard, leaks_in_file, rows
from langchain.agents import create_agent
from langchain_core.messages import AIMessage, AIMessageChunk, HumanMessage
from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.checkpoint.sqlite import SqliteSaver
from langgraph.graph import END, START, MessagesState, StateGraph
from langgraph.types import Command, interrupt

from memprivacy_plugin import ConfigError, PrivacyGuard
from memprivacy_plugin.integrations._identity import GUARD_KEY, default_guard
from memprivacy_plugin.integrations.langchain import PrivacyMiddleware
from memprivacy_plugin.integrations.langgraph import (
    PrivateGraph,
    PrivateToolNode,
    private_graph,
)

SAID = f"My name is {NAME}; sms {PHONE} please, and mail {EMAIL}"


def agent(model: ScriptedModel, tools: Tools, saver: Any) -> Any:
    """`create_agent` with the middleware given no guard: it takes the one private_graph hands it."""
    return create_agent(model, tools=[tools.send_sms], middleware=[PrivacyMiddleware()], checkpointer=saver)


def model_saw(model: ScriptedModel) -> str:
    return repr([[m.content, getattr(m, "tool_calls", None)] for batch in model.inputs for m in batch])


def test_create_agent_checkpoints_hold_placeholders_only(tmp_path: Path) -> None:
    guard, model, tools = known_guard(), ScriptedModel(), Tools()
    db = tmp_path / "checkpoints.db"
    with SqliteSaver.from_conn_string(str(db)) as saver:
        graph = private_graph(agent(model, tools, saver), guard)
        out = graph.invoke({"messages": [{"role": "user", "content": SAID}]}, cfg("t1"))
        # the caller gets real values; the local tool got the real number
        assert out["messages"][0].content == SAID
        assert out["messages"][-1].content == f"Done. SMS sent to {PHONE}; receipt mailed to {EMAIL}"
        assert tools.received == [{"to": PHONE, "body": "See you at 6"}]
        # state, restored for the caller, and its history
        state = graph.get_state(cfg("t1"))
        assert state.values["messages"][0].content == SAID
        history = list(graph.get_state_history(cfg("t1")))
        assert history[-1].metadata["step"] == -1
        assert all(PHONE in repr(s.values) for s in history if s.values.get("messages"))
    # what the model saw, and every byte the checkpointer wrote: placeholders only
    assert not [s for s in (PHONE, NAME, EMAIL) if s in model_saw(model)]
    assert leaks_in_file(db) == []
    found = rows(db)
    start = [
        bytes(v)
        for path, channel, v in found["writes"]
        if path.endswith("__start__") and channel == "messages"
    ]
    assert start
    assert all(b"<Phone_Number_1>" in v for v in start)
    steps = {m for _, _, m in found["checkpoints"]}
    assert any(b'"step": -1' in bytes(m) or b'"step":-1' in bytes(m) for m in steps)
    # the guard object is never serialised: not in checkpoints, writes or metadata
    data = db.read_bytes()
    assert b"memprivacy_guard" not in data
    assert b"PrivacyGuard" not in data
    assert b"memprivacy_plugin" not in data
    assert all(b"user_id" in bytes(m) for _, _, m in found["checkpoints"])  # plain values are copied


def test_without_private_graph_the_input_reaches_the_file(tmp_path: Path) -> None:
    """Why the wrapper exists: the bare agent (the middleware alone) saves the input as given."""
    model, tools = ScriptedModel(), Tools()
    db = tmp_path / "bare.db"
    guard = known_guard()
    with SqliteSaver.from_conn_string(str(db)) as saver:
        bare = create_agent(
            model, tools=[tools.send_sms], middleware=[PrivacyMiddleware(guard)], checkpointer=saver
        )
        bare.invoke({"messages": [("user", SAID)]}, cfg("t1"))
    assert PHONE in leaks_in_file(db)


def test_the_three_line_setup_with_the_default_guard(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MEMPRIVACY_DATA_DIR", str(tmp_path / "data"))
    default_guard.cache_clear()
    model = ScriptedModel()
    builder = StateGraph(MessagesState)
    builder.add_node("model", lambda state: {"messages": [model.invoke(state["messages"])]})
    builder.add_edge(START, "model")
    builder.add_edge("model", END)
    db = tmp_path / "chat.db"
    try:
        with SqliteSaver.from_conn_string(str(db)) as saver:
            graph = private_graph(builder.compile(checkpointer=saver))
            out = graph.invoke({"messages": [("user", f"call me on {PHONE}")]}, cfg("t1"))
            assert out["messages"][-1].content == f"Noted: call me on {PHONE}"
        assert model.inputs[0][0].content == "call me on <Phone_Number_1>"
        assert leaks_in_file(db) == []
    finally:
        default_guard().close()
        default_guard.cache_clear()


@pytest.mark.filterwarnings("ignore:create_react_agent has been moved")
def test_create_react_agent_with_a_private_tool_node(tmp_path: Path) -> None:
    from langgraph.prebuilt import create_react_agent

    guard, model, tools = known_guard(), ScriptedModel(), Tools()
    db = tmp_path / "react.db"
    with SqliteSaver.from_conn_string(str(db)) as saver:
        react = create_react_agent(model, PrivateToolNode([tools.send_sms]), checkpointer=saver)
        graph = private_graph(react, guard)
        out = graph.invoke({"messages": [("user", SAID)]}, cfg("t1"))
    assert out["messages"][-1].content == f"Done. SMS sent to {PHONE}; receipt mailed to {EMAIL}"
    assert tools.received == [{"to": PHONE, "body": "See you at 6"}]
    assert not [s for s in (PHONE, NAME, EMAIL) if s in model_saw(model)]
    assert leaks_in_file(db) == []


# -- streaming ------------------------------------------------------------------------------------


def chat_graph(guard: PrivacyGuard | None, model: ScriptedModel, saver: Any = None) -> Any:
    builder = StateGraph(MessagesState)
    builder.add_node("model", lambda state: {"messages": [model.invoke(state["messages"])]})
    builder.add_edge(START, "model")
    builder.add_edge("model", END)
    return builder.compile(checkpointer=saver or InMemorySaver())


def streamed_text(parts: list[Any], v2: bool, subgraphs: bool) -> str:
    text = ""
    for part in parts:
        if v2:
            mode, data = part["type"], part["data"]
        else:
            rest = part[1:] if subgraphs else part
            mode, data = rest
        if mode == "messages" and isinstance(data[0], AIMessageChunk):
            text += data[0].text
    return text


@pytest.mark.parametrize("version", ["v1", "v2"])
@pytest.mark.parametrize("subgraphs", [False, True])
def test_stream_modes_are_restored(version: str, subgraphs: bool) -> None:
    guard, model = known_guard(), ScriptedModel(chunk_size=3)
    graph = private_graph(chat_graph(guard, model), guard)
    parts = list(
        graph.stream(
            {"messages": [("user", f"call me on {PHONE}")]},
            cfg(f"t-{version}-{subgraphs}"),
            stream_mode=["messages", "updates", "values"],
            subgraphs=subgraphs,
            version=version,
        )
    )
    v2 = version == "v2"
    assert streamed_text(parts, v2, subgraphs) == f"Noted: call me on {PHONE}"
    everything = repr(parts)
    assert PHONE in everything
    assert "<Phone_Number_1>" not in everything
    # what the model saw, and the state, stay in placeholder form
    assert model.inputs[0][0].content == "call me on <Phone_Number_1>"
    raw = graph.graph.get_state(cfg(f"t-{version}-{subgraphs}")).values["messages"]
    assert [m.content for m in raw] == ["call me on <Phone_Number_1>", "Noted: call me on <Phone_Number_1>"]


def test_async_invoke_stream_and_state() -> None:
    guard, model = known_guard(), ScriptedModel(chunk_size=2)
    graph = private_graph(chat_graph(guard, model), guard)

    async def run() -> None:
        out = await graph.ainvoke({"messages": [("user", f"hi, {NAME} here")]}, cfg("a1"))
        assert out["messages"][-1].content == f"Noted: hi, {NAME} here"
        text = ""
        async for chunk, _meta in graph.astream(
            {"messages": [("user", f"call {PHONE}")]}, cfg("a1"), stream_mode="messages"
        ):
            text += chunk.text
        assert text == f"Noted: hi, {NAME} here / call {PHONE}"
        state = await graph.aget_state(cfg("a1"))
        assert state.values["messages"][-1].content == text
        history = [s async for s in graph.aget_state_history(cfg("a1"))]
        assert NAME in repr(history[0].values)
        await graph.aupdate_state(cfg("a1"), {"messages": [AIMessage(f"noted {EMAIL}", id="x1")]})
        raw = (await graph.graph.aget_state(cfg("a1"))).values["messages"][-1]
        assert raw.content == "noted <Email_1>"

    asyncio.run(run())


# -- inputs other than new messages ---------------------------------------------------------------


def test_interrupt_and_resume_are_protected(tmp_path: Path) -> None:
    guard = known_guard()

    def confirm(state: MessagesState) -> dict[str, Any]:
        answer = interrupt(f"Text {state['messages'][-1].content}?")
        return {"messages": [AIMessage(f"ok: {answer}")]}

    builder = StateGraph(MessagesState)
    builder.add_node("confirm", confirm)
    builder.add_edge(START, "confirm")
    builder.add_edge("confirm", END)
    db = tmp_path / "hitl.db"
    with SqliteSaver.from_conn_string(str(db)) as saver:
        graph = private_graph(builder.compile(checkpointer=saver), guard)
        first = graph.invoke({"messages": [("user", PHONE)]}, cfg("h1"))
        assert first["__interrupt__"][0].value == f"Text {PHONE}?"  # restored for the user
        done = graph.invoke(Command(resume=f"yes, and mail {EMAIL}"), cfg("h1"))
        assert done["messages"][-1].content == f"ok: yes, and mail {EMAIL}"
    assert leaks_in_file(db) == []


def test_update_state_batch_and_other_string_fields(tmp_path: Path) -> None:
    guard, model = known_guard(), ScriptedModel()
    graph = private_graph(chat_graph(guard, model), guard)
    outs = graph.batch(
        [{"messages": [("user", f"call {PHONE}")]}, {"messages": [("user", f"I am {NAME}")]}],
        [cfg("b1", "dana"), cfg("b2", "eli")],
    )
    assert [o["messages"][-1].content for o in outs] == [f"Noted: call {PHONE}", f"Noted: I am {NAME}"]
    # batch runs its inputs concurrently: the model sees them in either order
    assert sorted(m[0].content for m in model.inputs) == ["I am <Real_Name_1>", "call <Phone_Number_1>"]
    outs = asyncio.run(graph.abatch([{"messages": [("user", f"mail {EMAIL}")]}], cfg("b3")))
    assert outs[0]["messages"][-1].content == f"Noted: mail {EMAIL}"
    graph.update_state(cfg("b1"), {"messages": [HumanMessage(f"also {EMAIL}", id="u2")]})
    assert graph.graph.get_state(cfg("b1")).values["messages"][-1].content == "also <Email_1>"
    graph.bulk_update_state(cfg("b1"), [[({"messages": [HumanMessage(NAME, id="u3")]}, "model")]])
    assert graph.graph.get_state(cfg("b1")).values["messages"][-1].content == "<Real_Name_1>"


def test_a_state_of_plain_strings_is_protected_too() -> None:
    guard, seen = known_guard(), []

    class Note(MessagesState):
        note: str

    def keep(state: Note) -> dict[str, Any]:
        seen.append(state["note"])
        return {}

    builder = StateGraph(Note)
    builder.add_node("keep", keep)
    builder.add_edge(START, "keep")
    graph = private_graph(builder.compile(checkpointer=InMemorySaver()), guard)
    out = graph.invoke({"note": f"phone {PHONE}", "messages": []}, cfg("n1"))
    assert seen == ["phone <Phone_Number_1>"]
    assert out["note"] == f"phone {PHONE}"


def test_wrapper_forwards_and_refuses() -> None:
    guard, model = known_guard(), ScriptedModel()
    inner = chat_graph(guard, model)
    graph = private_graph(inner, guard)
    assert graph.nodes is inner.nodes
    assert graph.checkpointer is inner.checkpointer
    assert "model" in graph.get_graph().nodes
    bound = graph.with_config(recursion_limit=5)
    assert isinstance(bound, PrivateGraph)
    assert bound.graph.config["recursion_limit"] == 5
    assert (
        bound.invoke({"messages": [("user", PHONE)]}, cfg("w1"))["messages"][-1].content == f"Noted: {PHONE}"
    )
    for name in ("with_retry", "astream_log", "pipe", "transform"):
        with pytest.raises(AttributeError, match="private_graph does not offer"):
            getattr(graph, name)
    with pytest.raises(ConfigError, match="wrapped already"):
        private_graph(graph)
    with pytest.raises(ConfigError, match="no user id"):
        graph.invoke({"messages": [("user", "hi")]}, {"configurable": {"thread_id": "w2"}})


def test_the_guard_handed_to_the_run_is_the_wrapper_s() -> None:
    guard, seen = known_guard(), []

    def node(state: MessagesState, config: RunnableConfig) -> dict[str, Any]:
        seen.append(config["configurable"][GUARD_KEY])
        return {}

    builder = StateGraph(MessagesState)
    builder.add_node("node", node)
    builder.add_edge(START, "node")
    private_graph(builder.compile(), guard).invoke({"messages": []}, cfg("g1"))
    assert seen == [guard]
    # a guard the caller hands in configurable serves when the wrapper was given none
    other = known_guard()
    private_graph(builder.compile()).invoke({"messages": []}, cfg("g1", **{GUARD_KEY: other}))
    assert seen[-1] is other


def test_sqlite_connection_is_closed_cleanly(tmp_path: Path) -> None:
    # the plain sqlite3 connection form of the docs works too
    conn = sqlite3.connect(tmp_path / "c.db", check_same_thread=False)
    graph = private_graph(chat_graph(None, ScriptedModel(), SqliteSaver(conn)), known_guard())
    graph.invoke({"messages": [("user", PHONE)]}, cfg("c1"))
    conn.close()
    assert leaks_in_file(tmp_path / "c.db") == []


def test_v2_output_and_a_user_named_by_the_run_context() -> None:
    from dataclasses import dataclass

    @dataclass
    class Who:
        user_id: str

    guard, seen = known_guard(), []

    def ask(state: MessagesState) -> dict[str, Any]:
        seen.append(state["messages"][-1].content)
        return {"messages": [AIMessage(f"ok: {interrupt(state['messages'][-1].content)}")]}

    builder = StateGraph(MessagesState, context_schema=Who)
    builder.add_node("ask", ask)
    builder.add_edge(START, "ask")
    graph = private_graph(builder.compile(checkpointer=InMemorySaver()), guard)
    config: Any = {"configurable": {"thread_id": "v2"}}
    out = graph.invoke({"messages": [("user", PHONE)]}, config, context=Who("dana"), version="v2")
    assert seen == ["<Phone_Number_1>"]
    assert out.interrupts[0].value == PHONE  # a GraphOutput, restored
    assert graph.get_state(config, context=Who("dana")).values["messages"][0].content == PHONE
    done = graph.invoke(Command(resume=EMAIL), config, context=Who("dana"), version="v2")
    assert done.value["messages"][-1].content == f"ok: {EMAIL}"
    assert graph.graph.get_state(config).values["messages"][-1].content == "ok: <Email_1>"
