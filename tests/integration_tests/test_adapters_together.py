"""The LangChain and LangGraph adapters used together, with real langchain-core, LangGraph and
`create_agent` objects (issue 11, defects 1 and 2):

- text coming back from the cloud side (a remote memory search) that holds this user's own
  placeholders keeps them for the model and gives the user the real values back, while a
  placeholder this user does not own is still neutralised;
- a message one adapter protected is never protected again by another: one marker, read by every
  adapter, that survives a checkpointer.

The chat models are local scripted fakes (no cloud model can be reached here); they record what
they were sent, which is what a cloud model would see.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("langgraph")

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage, ToolMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from langchain_core.tools import tool
from langgraph.checkpoint.sqlite import SqliteSaver
from langgraph.graph import END, START, MessagesState, StateGraph
from langgraph.prebuilt import tools_condition
from pydantic import Field

from memprivacy_plugin import InMemoryVault, PrivacyGuard
from memprivacy_plugin.extractors.known import KnownValuesExtractor
from memprivacy_plugin.integrations.langchain import PrivacyProtectRunnable, restore_output
from memprivacy_plugin.integrations.langgraph import (
    PrivateToolNode,
    privacy_node,
    protect_input,
    restore_result,
)
from memprivacy_plugin.spans import PrivacySpan

PHONE = "+1 415 555 0134"
BOB_PHONES = ("+44 20 7946 0958", "+44 20 7946 0311")
ALICE: Any = {"configurable": {"user_id": "alice", "thread_id": "t-alice"}}
# What a cloud memory returns for alice: her own placeholder, and one that is not hers (bob has a
# second phone number, alice does not).
CLOUD_ANSWER = "User's phone is <Phone_Number_1>; an old note says <Phone_Number_2>"


class Recording(KnownValuesExtractor):
    """The known-values extractor, recording every text it is asked about."""

    def __init__(self, values: dict[str, str]) -> None:
        super().__init__(values)
        self.seen: list[str] = []

    def extract(self, text: str, *, user_name: str | None = None) -> list[PrivacySpan]:
        self.seen.append(text)
        return super().extract(text, user_name=user_name)


def make_guard() -> PrivacyGuard:
    values = {PHONE: "Phone Number", **dict.fromkeys(BOB_PHONES, "Phone Number")}
    guard = PrivacyGuard(extractor=Recording(values), vault=InMemoryVault())
    assert guard.protect(f"my phone is {PHONE}", user_id="alice").text == "my phone is <Phone_Number_1>"
    assert guard.protect(" and ".join(BOB_PHONES), user_id="bob").text == (
        "<Phone_Number_1> and <Phone_Number_2>"
    )
    seen(guard).clear()
    return guard


def seen(guard: PrivacyGuard) -> list[str]:
    extractor = guard.extractor
    assert isinstance(extractor, Recording)
    return extractor.seen


class MemoryModel(BaseChatModel):
    """First turn: asks the `memory_search` tool; after its result: answers with what it says."""

    inputs: list[list[BaseMessage]] = Field(default_factory=list)

    @property
    def _llm_type(self) -> str:
        return "memory-fake"

    def bind_tools(self, tools: Any, **kwargs: Any) -> MemoryModel:  # type: ignore[override]
        return self

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        self.inputs.append(list(messages))
        results = [m for m in messages if isinstance(m, ToolMessage)]
        if results:
            message = AIMessage(content=f"From your memory: {results[-1].text}")
        else:
            call = {"name": "memory_search", "args": {"query": "phone"}, "id": "m1", "type": "tool_call"}
            message = AIMessage(content="", tool_calls=[call])  # type: ignore[list-item]
        return ChatResult(generations=[ChatGeneration(message=message)])


@tool
def memory_search(query: str) -> str:
    """Search the user's cloud memory (a remote service: placeholder form in and out)."""
    return CLOUD_ANSWER


def tool_results(model: MemoryModel) -> list[str]:
    return [m.text for batch in model.inputs for m in batch if isinstance(m, ToolMessage)]


def check_cloud_answer(model: MemoryModel, shown: str) -> None:
    # The model keeps alice's own placeholder (the link to her value) ...
    (result,) = tool_results(model)
    assert result.startswith("User's phone is <Phone_Number_1>; an old note says <Literal_")
    # ... and the user gets her real value back; the placeholder she does not own stays text,
    # never resolved to bob's number.
    assert shown == f"From your memory: User's phone is {PHONE}; an old note says <Phone_Number_2>"
    assert not any(p in shown for p in BOB_PHONES)


# -- defect 1: a remote tool's own placeholders ---------------------------------------------------


def test_private_tool_node_keeps_own_placeholders_from_a_remote_tool() -> None:
    guard, model = make_guard(), MemoryModel()
    builder = StateGraph(MessagesState)
    builder.add_node("privacy", privacy_node(guard))
    builder.add_node("model", lambda state: {"messages": [model.invoke(state["messages"])]})
    builder.add_node("tools", PrivateToolNode([memory_search], guard, remote_tools=[memory_search]))
    builder.add_edge(START, "privacy")
    builder.add_edge("privacy", "model")
    builder.add_conditional_edges("model", tools_condition, {"tools": "tools", END: END})
    builder.add_edge("tools", "model")
    out = builder.compile().invoke({"messages": [("user", "what is my phone number?")]}, ALICE)
    check_cloud_answer(model, restore_result(out, guard, ALICE)["messages"][-1].content)


def test_middleware_keeps_own_placeholders_from_a_remote_tool() -> None:
    pytest.importorskip("langchain.agents")
    from langchain.agents import create_agent

    from memprivacy_plugin.integrations.langchain import PrivacyMiddleware

    guard, model = make_guard(), MemoryModel()
    privacy = PrivacyMiddleware(guard, remote_tools={"memory_search"}, protect_remote_results=True)
    agent = create_agent(model, tools=[memory_search], middleware=[privacy])
    out = agent.invoke({"messages": [("user", "what is my phone number?")]}, ALICE)
    check_cloud_answer(model, restore_output(out, guard, ALICE)["messages"][-1].content)


# -- defect 2: one marker, read by every adapter ---------------------------------------------------


def privacy_graph(guard: PrivacyGuard, saver: SqliteSaver | None = None) -> Any:
    def answer(state: MessagesState) -> dict[str, Any]:
        return {"messages": [AIMessage("ok")]}

    builder = StateGraph(MessagesState)
    builder.add_node("privacy", privacy_node(guard))
    builder.add_node("model", answer)
    builder.add_edge(START, "privacy")
    builder.add_edge("privacy", "model")
    builder.add_edge("model", END)
    return builder.compile(checkpointer=saver)


def by_runnable(guard: PrivacyGuard, messages: Sequence[Any]) -> list[BaseMessage]:
    out: list[BaseMessage] = PrivacyProtectRunnable(guard).invoke(list(messages), ALICE)
    return out


def by_middleware(guard: PrivacyGuard, messages: Sequence[Any]) -> list[BaseMessage]:
    pytest.importorskip("langchain.agents")
    from memprivacy_plugin.integrations.langchain import PrivacyMiddleware

    return PrivacyMiddleware(guard).protect_input(messages, ALICE)


def by_protect_input(guard: PrivacyGuard, messages: Sequence[Any]) -> list[BaseMessage]:
    out: list[BaseMessage] = protect_input({"messages": list(messages)}, guard, ALICE)["messages"]
    return out


PROTECTORS = [by_runnable, by_middleware, by_protect_input]


@pytest.mark.parametrize("protect", PROTECTORS, ids=lambda f: f.__name__)
def test_privacy_node_does_not_protect_again(protect: Any, tmp_path: Path) -> None:
    guard = make_guard()
    protected = protect(guard, [HumanMessage(f"call me on {PHONE}", id="h1")])
    assert protected[0].content == "call me on <Phone_Number_1>"
    seen(guard).clear()
    conn = sqlite3.connect(tmp_path / "checkpoints.db", check_same_thread=False)
    graph = privacy_graph(guard, SqliteSaver(conn))
    first = graph.invoke({"messages": protected}, ALICE)
    assert first["messages"][0].content == "call me on <Phone_Number_1>"
    assert seen(guard) == []  # the extractor never saw it again
    # The marker survives the checkpointer: a later turn does not protect it either.
    second = graph.invoke({"messages": [HumanMessage("thanks", id="h2")]}, ALICE)
    assert [m.content for m in second["messages"]] == ["call me on <Phone_Number_1>", "ok", "thanks", "ok"]
    assert seen(guard) == ["thanks"]
    conn.close()


@pytest.mark.parametrize("protect", PROTECTORS, ids=lambda f: f.__name__)
def test_langchain_adapters_do_not_protect_again(protect: Any) -> None:
    guard = make_guard()
    protected = protect(guard, [SystemMessage("be brief", id="s1"), HumanMessage(f"call {PHONE}", id="h1")])
    seen(guard).clear()
    again = PrivacyProtectRunnable(guard).invoke(protected, ALICE)
    assert [m.content for m in again] == ["be brief", "call <Phone_Number_1>"]
    assert "call <Phone_Number_1>" not in seen(guard)
    assert by_middleware(guard, protected)[1].content == "call <Phone_Number_1>"
    assert "call <Phone_Number_1>" not in seen(guard)


@pytest.mark.parametrize(
    "legacy",
    [
        {"additional_kwargs": {"memprivacy": {"protected": True}}},  # LangGraph adapter, before
        {"response_metadata": {"memprivacy": True}},  # PrivacyMiddleware, before
    ],
    ids=["langgraph", "middleware"],
)
def test_markers_of_messages_already_stored_are_still_read(legacy: dict[str, Any]) -> None:
    guard = make_guard()
    old = HumanMessage("call me on <Phone_Number_1>", id="h1", **legacy)
    for protect in PROTECTORS:
        assert protect(guard, [old])[0].content == "call me on <Phone_Number_1>"
    out = privacy_graph(guard).invoke({"messages": [old]}, ALICE)
    assert out["messages"][0].content == "call me on <Phone_Number_1>"
    assert seen(guard) == []
