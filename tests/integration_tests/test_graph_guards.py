"""Components given no guard (issue 11, defect 5). Before, `privacy_node(guard)` beside
`PrivateToolNode([send_sms])` (its own default guard and vault) sent the local tool the literal
`<Phone_Number_1>`, and nothing said so. Now a local tool never silently gets a placeholder the
guard in use cannot resolve for this user, and with `private_graph` every component shares one
guard."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("langgraph")

from graph_fakes import PHONE, ScriptedModel, Tools, cfg, known_guard
from langchain_core.messages import AIMessage
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import END, START, MessagesState, StateGraph
from langgraph.prebuilt import tools_condition

from memprivacy_plugin import PrivacyGuard, UnknownPlaceholderError
from memprivacy_plugin.integrations._identity import default_guard
from memprivacy_plugin.integrations.langgraph import PrivateToolNode, privacy_node, private_graph


@pytest.fixture(autouse=True)
def own_default_guard(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The process-wide default guard, with its vault in this test's folder."""
    monkeypatch.setenv("MEMPRIVACY_DATA_DIR", str(tmp_path / "data"))
    default_guard.cache_clear()
    yield
    default_guard().close()
    default_guard.cache_clear()


def sms_graph(
    node_guard: PrivacyGuard | None, tool_guard: PrivacyGuard | None, model: ScriptedModel, tools: Tools
) -> Any:
    builder = StateGraph(MessagesState)
    builder.add_node("privacy", privacy_node(node_guard))
    builder.add_node("model", lambda state: {"messages": [model.invoke(state["messages"])]})
    builder.add_node("tools", PrivateToolNode([tools.send_sms], tool_guard))
    builder.add_edge(START, "privacy")
    builder.add_edge("privacy", "model")
    builder.add_conditional_edges("model", tools_condition, {"tools": "tools", END: END})
    builder.add_edge("tools", "model")
    return builder.compile(checkpointer=InMemorySaver())


def test_the_issue_s_scenario_fails_loudly_and_names_the_cause() -> None:
    guard, model, tools = known_guard(), ScriptedModel(), Tools()
    graph = sms_graph(guard, None, model, tools)  # privacy_node(guard), PrivateToolNode([send_sms])
    with pytest.raises(UnknownPlaceholderError) as failed:
        graph.invoke({"messages": [("user", f"sms {PHONE}")]}, cfg("t1"))
    message = str(failed.value)
    assert "send_sms" in message
    assert "different guards" in message
    assert "private_graph" in message
    assert PHONE not in message
    assert "\n" not in message
    assert tools.received == []  # the tool never ran


def test_async_too() -> None:
    guard, model, tools = known_guard(), ScriptedModel(), Tools()
    graph = sms_graph(guard, None, model, tools)
    with pytest.raises(UnknownPlaceholderError, match="different guards"):
        asyncio.run(graph.ainvoke({"messages": [("user", f"sms {PHONE}")]}, cfg("t1")))
    assert tools.received == []


def test_with_private_graph_every_component_shares_the_guard() -> None:
    guard, model, tools = known_guard(), ScriptedModel(), Tools()
    graph = private_graph(sms_graph(guard, None, model, tools), guard)
    out = graph.invoke({"messages": [("user", f"sms {PHONE}")]}, cfg("t1"))
    assert tools.received == [{"to": PHONE, "body": "See you at 6"}]
    assert PHONE in out["messages"][-1].content
    # no component given a guard at all: the wrapper's serves them all
    model2, tools2 = ScriptedModel(), Tools()
    bare = private_graph(sms_graph(None, None, model2, tools2), guard)
    bare.invoke({"messages": [("user", f"sms {PHONE}")]}, cfg("t2"))
    assert tools2.received == [{"to": PHONE, "body": "See you at 6"}]
    assert "<Phone_Number_1>" in repr(model2.inputs[0])


def test_components_given_no_guard_share_the_default() -> None:
    model, tools = ScriptedModel(), Tools()
    sms_graph(None, None, model, tools).invoke({"messages": [("user", f"sms {PHONE}")]}, cfg("t1"))
    assert tools.received == [{"to": PHONE, "body": "See you at 6"}]


def tool_graph(node: PrivateToolNode) -> Any:
    builder = StateGraph(MessagesState)
    builder.add_node("tools", node)
    builder.add_edge(START, "tools")
    return builder.compile()


def test_a_placeholder_the_model_made_up_never_reaches_a_local_tool() -> None:
    guard, tools = known_guard(), Tools()
    call = {
        "name": "send_sms",
        "args": {"to": "<Phone_Number_7>", "body": "hi"},
        "id": "c9",
        "type": "tool_call",
    }
    state = {"messages": [AIMessage("", tool_calls=[call])]}  # type: ignore[list-item]
    with pytest.raises(UnknownPlaceholderError):
        tool_graph(PrivateToolNode([tools.send_sms], guard)).invoke(state, cfg("t1"))
    assert tools.received == []
    # a remote tool gets placeholders as the model wrote them: nothing to resolve there
    tool_graph(PrivateToolNode([tools.send_sms], guard, remote_tools=["send_sms"])).invoke(state, cfg("t1"))
    assert tools.received == [{"to": "<Phone_Number_7>", "body": "hi"}]
