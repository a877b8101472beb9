"""A real LangGraph agent (StateGraph, SqliteSaver file checkpointer, InMemoryStore) with the
privacy node, memory nodes and `PrivateToolNode`. The chat model is a local scripted
`BaseChatModel` (no cloud model can run here) that calls tools and rewrites text like a real one;
it records every input, which is what a cloud model would see."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("langgraph")
pytest.importorskip("langgraph.checkpoint.sqlite")

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import (
    AIMessage,
    AIMessageChunk,
    BaseMessage,
    HumanMessage,
    SystemMessage,
    ToolMessage,
)
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from langchain_core.tools import tool
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.checkpoint.sqlite import SqliteSaver
from langgraph.graph import END, START, MessagesState, StateGraph
from langgraph.prebuilt import tools_condition
from langgraph.store.memory import InMemoryStore
from pydantic import Field

from memprivacy_plugin import ConfigError, InMemoryVault, KnownValuesExtractor, PrivacyGuard
from memprivacy_plugin.evaluation.datasets import load_memprivacy, oracle_extractor
from memprivacy_plugin.evaluation.leaks import find_leaks, protected_values
from memprivacy_plugin.integrations.langgraph import (
    PrivateStore,
    PrivateToolNode,
    aprotect_input,
    arestore_result,
    arestore_stream,
    privacy_node,
    protect_input,
    recall_node,
    remember_node,
    restore_node,
    restore_result,
    restore_stream,
)
from memprivacy_plugin.placeholders import PLACEHOLDER_RE
from memprivacy_plugin.taxonomy import PrivacyLevel

PHONE = "+1 415 555 0134"
NAME = "Alice Zhang"
EMAIL = "alice.zhang@example.org"
SECRETS = (PHONE, NAME, EMAIL)


class ScriptedModel(BaseChatModel):
    """Answers like a tool-calling model: "sms" in the user's message -> a `send_sms` call to the
    phone placeholder it sees (and a `web_lookup` call if asked to look it up); a tool result ->
    a summary; anything else -> a rewrite of the message. Streams in `chunk_size` pieces."""

    inputs: list[list[BaseMessage]] = Field(default_factory=list)
    chunk_size: int = 3

    @property
    def _llm_type(self) -> str:
        return "scripted"

    def bind_tools(self, tools: Any, **kwargs: Any) -> ScriptedModel:  # type: ignore[override]
        return self

    def _reply(self, messages: list[BaseMessage]) -> AIMessage:
        self.inputs.append(list(messages))
        last = next(m for m in reversed(messages) if not isinstance(m, SystemMessage))
        if isinstance(last, ToolMessage):
            results = [m.content for m in messages if isinstance(m, ToolMessage)]
            return AIMessage(content=f"Done. {' / '.join(map(str, results))}")
        text = str(last.content)
        tokens = [m.group(0) for m in PLACEHOLDER_RE.finditer(text)]
        phone = next((t for t in tokens if "phone" in t.lower()), None)
        if "sms" in text.lower() and phone:
            calls = [{"name": "send_sms", "args": {"to": phone, "body": "See you at 6"}, "id": "c1"}]
            if "look it up" in text.lower():
                calls.append({"name": "web_lookup", "args": {"query": f"owner of {phone}"}, "id": "c2"})
            return AIMessage(content="", tool_calls=[{**c, "type": "tool_call"} for c in calls])  # type: ignore[misc]
        # A real model rewrites: "my" -> "your", and may lower-case or space out a placeholder.
        rewritten = text.replace("My ", "Your ").replace("my ", "your ")
        if phone:
            rewritten = rewritten.replace(phone, phone.lower().replace("_", " "))
        return AIMessage(content=f"Noted: {rewritten}")

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        return ChatResult(generations=[ChatGeneration(message=self._reply(messages))])

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        reply = self._reply(messages)
        text = str(reply.content)
        pieces = [text[i : i + self.chunk_size] for i in range(0, len(text), self.chunk_size)] or [""]
        for n, piece in enumerate(pieces):
            last = n == len(pieces) - 1
            chunk = AIMessageChunk(
                content=piece,
                chunk_position="last" if last else None,
                tool_call_chunks=[
                    {
                        "name": c["name"],
                        "args": json.dumps(c["args"]),
                        "id": c["id"],
                        "index": i,
                    }
                    for i, c in enumerate(reply.tool_calls)
                ]
                if last
                else [],
            )
            if run_manager is not None:
                run_manager.on_llm_new_token(piece, chunk=ChatGenerationChunk(message=chunk))
            yield ChatGenerationChunk(message=chunk)


class Tools:
    def __init__(self) -> None:
        self.received: list[tuple[str, dict[str, Any]]] = []

        @tool
        def send_sms(to: str, body: str) -> str:
            """Send an SMS (a local tool: it needs the real number)."""
            self.received.append(("send_sms", {"to": to, "body": body}))
            return f"SMS sent to {to}; receipt mailed to {EMAIL}"

        @tool
        def web_lookup(query: str) -> str:
            """Search the web (a remote service: placeholders only)."""
            self.received.append(("web_lookup", {"query": query}))
            return "no public results"

        self.tools = [send_sms, web_lookup]


def known_guard(vault: InMemoryVault | None = None, *, with_phone: bool = True) -> PrivacyGuard:
    known = {NAME: "Real Name", EMAIL: "Email"}
    if with_phone:
        known[PHONE] = "Phone Number"
    return PrivacyGuard(extractor=KnownValuesExtractor(known), vault=vault or InMemoryVault())


def agent(
    guard: PrivacyGuard, model: ScriptedModel, tools: Tools, *, tool_guard: PrivacyGuard | None = None
) -> StateGraph:  # type: ignore[type-arg]
    def call_model(state: MessagesState) -> dict[str, Any]:
        return {"messages": [model.invoke(state["messages"])]}

    builder = StateGraph(MessagesState)
    builder.add_node("privacy", privacy_node(guard))
    builder.add_node("recall", recall_node(guard=guard))
    builder.add_node("model", call_model)
    builder.add_node("tools", PrivateToolNode(tools.tools, tool_guard or guard, remote_tools=["web_lookup"]))
    builder.add_node("remember", remember_node(guard=guard))
    builder.add_edge(START, "privacy")
    builder.add_edge("privacy", "recall")
    builder.add_edge("recall", "model")
    builder.add_conditional_edges("model", tools_condition, {"tools": "tools", END: "remember"})
    builder.add_edge("tools", "model")
    builder.add_edge("remember", END)
    return builder


def cfg(thread: str, user: str = "alice") -> dict[str, Any]:
    return {"configurable": {"thread_id": thread, "user_id": user}}


def model_texts(model: ScriptedModel) -> list[tuple[str, str]]:
    return [
        (f"model input {i}", str(m.content) + repr(getattr(m, "tool_calls", "")))
        for i, batch in enumerate(model.inputs)
        for m in batch
    ]


def db_bytes(path: Path) -> bytes:
    return b"".join(p.read_bytes() for p in path.parent.iterdir() if p.name.startswith(path.name))


# -- the agent with a tool -----------------------------------------------------------------------


def test_agent_tool_call_checkpointer_and_store(tmp_path: Path) -> None:
    guard, model, tools = known_guard(), ScriptedModel(), Tools()
    store = PrivateStore(InMemoryStore(), guard)
    db = tmp_path / "checkpoints.db"
    conn = sqlite3.connect(db, check_same_thread=False)
    graph = agent(guard, model, tools).compile(checkpointer=SqliteSaver(conn), store=store)

    message = f"Hi, I'm {NAME}. Please sms my phone {PHONE} and look it up."
    # Protect at the edge: the checkpointer saves the input before any node runs.
    result = graph.invoke(protect_input({"messages": [("user", message)]}, guard, cfg("t1")), cfg("t1"))

    # The local tool got the real number; the remote one only the placeholder.
    assert ("send_sms", {"to": PHONE, "body": "See you at 6"}) in tools.received
    assert ("web_lookup", {"query": "owner of <Phone_Number_1>"}) in tools.received
    # The model never saw a real value, and the tool result reached it protected.
    assert find_leaks(model_texts(model), SECRETS) == []
    tool_results = [m for m in model.inputs[-1] if isinstance(m, ToolMessage)]
    assert {str(m.content) for m in tool_results} == {
        "SMS sent to <Phone_Number_1>; receipt mailed to <Email_1>",
        "no public results",
    }
    # State (what invoke returns) is placeholder form; restore_result gives the user real values.
    assert (
        result["messages"][0].content
        == "Hi, I'm <Real_Name_1>. Please sms your phone".replace("your", "my")
        + " <Phone_Number_1> and look it up."
    )
    shown = restore_result(result, guard, cfg("t1"))
    assert shown["messages"][0].content == message
    assert (
        shown["messages"][-1].content
        == f"Done. SMS sent to {PHONE}; receipt mailed to {EMAIL} / no public results"
    )
    ai_call = shown["messages"][1]
    assert ai_call.tool_calls[0]["args"]["to"] == PHONE
    # The memory store holds placeholder form, under (user_id, "memories").
    memories = store.store.search(("alice", "memories"))
    assert [m.value["text"] for m in memories] == [result["messages"][0].content]

    conn.close()
    raw = db_bytes(db)
    assert b"<Phone_Number_1>" in raw  # the checkpoint blobs are searched as UTF-8 bytes
    for value in SECRETS:
        assert value.encode() not in raw, value


def test_a_value_the_extractor_misses_in_a_tool_result_is_still_protected(tmp_path: Path) -> None:
    vault = InMemoryVault()
    guard, model, tools = known_guard(vault), ScriptedModel(), Tools()
    blind = known_guard(vault, with_phone=False)  # same vault, cannot find the phone number
    graph = agent(guard, model, tools, tool_guard=blind).compile(store=InMemoryStore())
    graph.invoke({"messages": [HumanMessage(f"sms {PHONE} please")]}, cfg("t"))
    assert ("send_sms", {"to": PHONE, "body": "See you at 6"}) in tools.received
    assert find_leaks(model_texts(model), SECRETS) == []


def test_parallel_calls_errors_and_idempotent_protection() -> None:
    guard, model = known_guard(), ScriptedModel()

    @tool
    def fails(to: str) -> str:
        """Always fails."""
        raise ValueError(f"cannot reach {to}")

    tools_only = StateGraph(MessagesState)
    tools_only.add_node("tools", PrivateToolNode([fails], guard, handle_tool_errors=True))
    tools_only.add_edge(START, "tools")
    tools_only.add_edge("tools", END)
    guard.protect(PHONE, user_id="alice")
    call = AIMessage(
        content="",
        tool_calls=[
            {"name": "fails", "args": {"to": "<Phone_Number_1>"}, "id": f"c{i}", "type": "tool_call"}
            for i in range(2)
        ],
    )
    out = tools_only.compile().invoke({"messages": [call]}, {"configurable": {"user_id": "alice"}})
    errors = out["messages"][1:]
    assert [m.status for m in errors] == ["error", "error"]
    for m in errors:
        assert PHONE not in str(m.content)
        assert "<Phone_Number_1>" in str(m.content)

    # A second turn on the same thread leaves the first (already protected) message alone.
    graph = agent(guard, model, Tools()).compile(checkpointer=InMemorySaver(), store=InMemoryStore())
    first = graph.invoke({"messages": [HumanMessage(f"my phone is {PHONE}")]}, cfg("t"))
    typed = "and <Phone_Number_1> is mine, <Phone_Number_9> is what I typed"
    second = graph.invoke({"messages": [HumanMessage(typed)]}, cfg("t"))
    assert second["messages"][0].content == first["messages"][0].content == "my phone is <Phone_Number_1>"
    # A token of this user's own stays (it is theirs); one the vault does not hold is escaped.
    assert second["messages"][2].content == "and <Phone_Number_1> is mine, <Literal_1> is what I typed"
    assert (
        restore_result(second, guard, cfg("t"))["messages"][2].content
        == f"and {PHONE} is mine, <Phone_Number_9> is what I typed"
    )
    with pytest.raises(ConfigError, match="no user id"):
        graph.invoke({"messages": [HumanMessage("hi")]}, {"configurable": {"thread_id": "x"}})


def test_memories_across_sessions_and_recall_in_placeholder_form() -> None:
    guard, model = known_guard(), ScriptedModel()
    inner = InMemoryStore()
    graph = agent(guard, model, Tools()).compile(store=PrivateStore(inner, guard))
    graph.invoke({"messages": [HumanMessage(f"My phone is {PHONE}")]}, cfg("session-1"))
    graph.invoke({"messages": [HumanMessage(f"Text me at {PHONE} tonight")]}, cfg("session-2"))
    stored = [m.value["text"] for m in inner.search(("alice", "memories"))]
    assert sorted(stored) == ["My phone is <Phone_Number_1>", "Text me at <Phone_Number_1> tonight"]

    # Recall: the query is protected to the same placeholder; the model gets memories in
    # placeholder form as one system message.
    model.inputs.clear()
    graph.invoke({"messages": [HumanMessage(f"what do you know about {PHONE}?")]}, cfg("session-3"))
    system = [m for m in model.inputs[0] if isinstance(m, SystemMessage)]
    assert len(system) == 1
    assert "<Phone_Number_1>" in str(system[0].content)
    assert find_leaks(model_texts(model), SECRETS) == []
    # Another user has no memories and no access to alice's values.
    model.inputs.clear()
    graph.invoke({"messages": [HumanMessage("what is <Phone_Number_1>?")]}, cfg("b", user="bob"))
    assert not [m for m in model.inputs[0] if isinstance(m, SystemMessage)]

    # restore_memories=True: the model sees real values (the user's explicit choice).
    restoring = recall_node(PrivateStore(inner, guard), guard, restore_memories=True)
    update = restoring.invoke(
        {"messages": [HumanMessage("phone?", id="h1")]}, {"configurable": {"user_id": "alice"}}
    )
    assert PHONE in str(update["messages"][-1].content)


def test_restore_node_is_opt_in() -> None:
    guard, model = known_guard(), ScriptedModel()
    with pytest.raises(ConfigError, match="restore_into_state=True"):
        restore_node(guard)

    def call_model(state: MessagesState) -> dict[str, Any]:
        return {"messages": [model.invoke(state["messages"])]}

    builder = StateGraph(MessagesState)
    builder.add_node("privacy", privacy_node(guard))
    builder.add_node("model", call_model)
    builder.add_node("restore", restore_node(guard, restore_into_state=True))
    builder.add_edge(START, "privacy")
    builder.add_edge("privacy", "model")
    builder.add_edge("model", "restore")
    builder.add_edge("restore", END)
    graph = builder.compile(checkpointer=InMemorySaver())
    out = graph.invoke({"messages": [HumanMessage(f"my phone is {PHONE}")]}, cfg("t"))
    assert out["messages"][-1].content == f"Noted: your phone is {PHONE}"  # clear text in state
    model.inputs.clear()
    graph.invoke({"messages": [HumanMessage("thanks")]}, cfg("t"))
    assert find_leaks(model_texts(model), SECRETS) == []  # swapped back before the model


def test_checkpointer_saves_the_input_before_any_node_runs(tmp_path: Path) -> None:
    """Why `protect_input` exists: without it, LangGraph checkpoints the raw input (step -1)."""
    guard = known_guard()

    def runs(durability: str, edge: bool) -> bytes:
        db = tmp_path / f"{durability}-{edge}.db"
        conn = sqlite3.connect(db, check_same_thread=False)
        graph = agent(guard, ScriptedModel(), Tools()).compile(
            checkpointer=SqliteSaver(conn), store=InMemoryStore()
        )
        inp: Any = {"messages": [HumanMessage(f"my phone is {PHONE}")]}
        graph.invoke(protect_input(inp, guard, cfg("t")) if edge else inp, cfg("t"), durability=durability)  # type: ignore[arg-type]
        conn.close()
        return db_bytes(db)

    assert PHONE.encode() in runs("sync", edge=False)  # the privacy node alone is too late
    assert PHONE.encode() not in runs("sync", edge=True)
    assert PHONE.encode() not in runs("exit", edge=False)  # only the final state is saved


def test_protect_input_keeps_the_other_messages_in_place() -> None:
    guard = known_guard()
    inp = {
        "messages": [
            ("system", "You are a helpful assistant."),
            ("user", f"my phone is {PHONE}"),
            ("ai", "Noted."),
            ("user", "thanks"),
        ],
        "topic": "phones",
    }
    out = protect_input(inp, guard, cfg("t"))
    assert out["topic"] == "phones"
    assert [m.type for m in out["messages"]] == ["system", "human", "ai", "human"]
    assert [m.content for m in out["messages"]] == [
        "You are a helpful assistant.",
        "my phone is <Phone_Number_1>",
        "Noted.",
        "thanks",
    ]
    again = asyncio.run(aprotect_input(inp, guard, cfg("t")))["messages"]
    assert [(m.type, m.content) for m in again] == [(m.type, m.content) for m in out["messages"]]


# -- streaming -----------------------------------------------------------------------------------


def test_stream_modes_restore_for_the_user() -> None:
    guard, model = known_guard(), ScriptedModel(chunk_size=3)
    graph = agent(guard, model, Tools()).compile(store=InMemoryStore())
    message = f"My phone is {PHONE}, I am {NAME}"
    raw_chunks: list[str] = []

    def tap(stream: Iterator[Any]) -> Iterator[Any]:
        for part in stream:
            if isinstance(part[0], AIMessageChunk):
                raw_chunks.append(str(part[0].content))
            yield part

    parts = list(
        restore_stream(
            tap(graph.stream({"messages": [HumanMessage(message)]}, cfg("s"), stream_mode="messages")),
            guard,
            cfg("s"),
            stream_mode="messages",
        )
    )
    answer = "".join(str(m.content) for m, meta in parts if meta["langgraph_node"] == "model")
    assert answer == f"Noted: Your phone is {PHONE}, I am {NAME}"
    assert not any(PLACEHOLDER_RE.search(c) for c in raw_chunks)  # every placeholder was split
    assert find_leaks(model_texts(model), SECRETS) == []

    updates = list(
        restore_stream(
            graph.stream({"messages": [HumanMessage(message)]}, cfg("u"), stream_mode=["updates", "values"]),
            guard,
            cfg("u"),
            stream_mode=["updates", "values"],
        )
    )
    final = [payload for mode, payload in updates if mode == "values"][-1]
    assert final["messages"][-1].content == f"Noted: Your phone is {PHONE}, I am {NAME}"
    model_update = next(p["model"] for mode, p in updates if mode == "updates" and "model" in p)
    assert model_update["messages"][0].content == final["messages"][-1].content


def test_async_invoke_stream_and_tools(tmp_path: Path) -> None:
    from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver

    guard, model, tools = known_guard(), ScriptedModel(chunk_size=2), Tools()
    db = tmp_path / "async.db"

    async def run() -> None:
        async with AsyncSqliteSaver.from_conn_string(str(db)) as saver:
            graph = agent(guard, model, tools).compile(
                checkpointer=saver, store=PrivateStore(InMemoryStore(), guard)
            )
            inp = await aprotect_input({"messages": [HumanMessage(f"sms {PHONE} now")]}, guard, cfg("a"))
            out = await graph.ainvoke(inp, cfg("a"))
            assert ("send_sms", {"to": PHONE, "body": "See you at 6"}) in tools.received
            shown = await arestore_result(out, guard, cfg("a"))
            assert shown["messages"][-1].content == f"Done. SMS sent to {PHONE}; receipt mailed to {EMAIL}"
            chunks = [
                part
                async for part in arestore_stream(
                    graph.astream(
                        await aprotect_input({"messages": [HumanMessage(f"I am {NAME}")]}, guard, cfg("a")),
                        cfg("a"),
                        stream_mode="messages",
                        version="v2",
                    ),
                    guard,
                    cfg("a"),
                )
            ]
            text = "".join(
                str(p["data"][0].content) for p in chunks if p["data"][1]["langgraph_node"] == "model"
            )
            assert text == f"Noted: I am {NAME}"

    asyncio.run(run())
    assert find_leaks(model_texts(model), SECRETS) == []
    raw = db_bytes(db)
    assert b"<Real_Name_1>" in raw
    for value in SECRETS:
        assert value.encode() not in raw, value


# -- the dataset leak test -----------------------------------------------------------------------


def _checkpoint_texts(saver: SqliteSaver, config: dict[str, Any]) -> list[tuple[str, str]]:
    """Every string of every checkpoint and pending write of a thread, as the saver decodes them."""
    texts: list[tuple[str, str]] = []
    for snapshot in saver.list(config):
        found: list[str] = []
        _strings_of(snapshot.checkpoint["channel_values"], found)
        _strings_of([w[2] for w in snapshot.pending_writes or []], found)
        texts.extend((f"checkpoint {snapshot.config['configurable']['checkpoint_id']}", t) for t in found)
    return texts


def _strings_of(data: Any, out: list[str]) -> None:
    if isinstance(data, BaseMessage):
        out.append(str(data.content))
        out.append(json.dumps(getattr(data, "tool_calls", []), ensure_ascii=False))
    elif isinstance(data, str):
        out.append(data)
    elif isinstance(data, dict):
        for v in data.values():
            _strings_of(v, out)
    elif isinstance(data, (list, tuple)):
        for v in data:
            _strings_of(v, out)


@pytest.mark.parametrize(
    "per_user", [8, pytest.param(10_000, marks=pytest.mark.slow, id="all-turns")], ids=lambda n: f"{n}-turns"
)
def test_dataset_user_messages_never_reach_the_model_or_checkpointer(tmp_path: Path, per_user: int) -> None:
    records = load_memprivacy("memprivacy-bench") + load_memprivacy("personamem-v2")
    guard = PrivacyGuard(extractor=oracle_extractor(records), vault=InMemoryVault())
    model = ScriptedModel()

    def call_model(state: MessagesState) -> dict[str, Any]:
        return {"messages": [model.invoke(state["messages"])]}

    builder = StateGraph(MessagesState)
    builder.add_node("privacy", privacy_node(guard))
    builder.add_node("model", call_model)
    builder.add_edge(START, "privacy")
    builder.add_edge("privacy", "model")
    builder.add_edge("model", END)
    conn = sqlite3.connect(tmp_path / "dataset.db", check_same_thread=False)
    saver = SqliteSaver(conn)
    graph = builder.compile(checkpointer=saver)

    def redacted(text: str) -> bool:
        return any(s.level is PrivacyLevel.PL4 for s in guard.extractor.extract(text))

    for record in records:
        turns = [d for d in record.dialogues if d.content.strip()][:per_user]
        model.inputs.clear()
        config = cfg(record.uuid, user=record.uuid)
        # Half the turns protected at the edge, the rest by the privacy node inside the graph.
        half = len(turns) // 2
        inp = protect_input({"messages": [HumanMessage(d.content) for d in turns[:half]]}, guard, config)
        inp["messages"] += [HumanMessage(d.content) for d in turns[half:]]
        out = graph.invoke(inp, config, durability="exit")
        values = protected_values((s.text, s.privacy_type, s.level) for d in turns for s in d.spans)
        leaks = find_leaks(model_texts(model), values)
        assert not leaks, f"{record.uuid}: {len(leaks)} values reached the model"
        leaks = find_leaks(_checkpoint_texts(saver, config), values)
        assert not leaks, f"{record.uuid}: {len(leaks)} values reached the checkpointer"
        shown = restore_result(out, guard, config)["messages"]
        for d, m in zip(turns, shown, strict=False):
            if not redacted(d.content):
                assert m.content == d.content
    conn.close()


@pytest.mark.parametrize(
    "per_user", [8, pytest.param(10_000, marks=pytest.mark.slow, id="all-turns")], ids=lambda n: f"{n}-turns"
)
def test_dataset_through_private_graph_and_create_agent(tmp_path: Path, per_user: int) -> None:
    """`create_agent` + `PrivacyMiddleware` (given no guard) + a SqliteSaver file, wrapped once by
    `private_graph` and invoked the plain way (default durability, two invocations per thread):
    no protected value of MemPrivacy-Bench reaches the model or any checkpoint or write."""
    pytest.importorskip("langchain.agents")
    from langchain.agents import create_agent

    from memprivacy_plugin.integrations.langchain import PrivacyMiddleware
    from memprivacy_plugin.integrations.langgraph import private_graph

    records = load_memprivacy("memprivacy-bench") + load_memprivacy("personamem-v2")
    guard = PrivacyGuard(extractor=oracle_extractor(records), vault=InMemoryVault())
    model = ScriptedModel()
    conn = sqlite3.connect(tmp_path / "agent.db", check_same_thread=False)
    saver = SqliteSaver(conn)
    graph = private_graph(create_agent(model, middleware=[PrivacyMiddleware()], checkpointer=saver), guard)

    def redacted(text: str) -> bool:
        return any(s.level is PrivacyLevel.PL4 for s in guard.extractor.extract(text))

    for record in records:
        turns = [d for d in record.dialogues if d.content.strip()][:per_user]
        model.inputs.clear()
        config = cfg(record.uuid, user=record.uuid)
        half = len(turns) // 2
        graph.invoke({"messages": [{"role": "user", "content": d.content} for d in turns[:half]]}, config)
        out = graph.invoke({"messages": [("user", d.content) for d in turns[half:]]}, config)
        values = protected_values((s.text, s.privacy_type, s.level) for d in turns for s in d.spans)
        leaks = find_leaks(model_texts(model), values)
        assert not leaks, f"{record.uuid}: {len(leaks)} values reached the model"
        leaks = find_leaks(_checkpoint_texts(saver, config), values)
        assert not leaks, f"{record.uuid}: {len(leaks)} values reached the checkpointer"
        shown = [m for m in out["messages"] if m.type == "human"]
        for d, m in zip(turns, shown, strict=True):
            if not redacted(d.content):
                assert m.content == d.content
    conn.close()
