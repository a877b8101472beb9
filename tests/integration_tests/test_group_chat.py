"""Two users in one thread, a group chat (issue 11, defect 8). Placeholders are numbered per user
by default, so Dana's and Eli's phone numbers both became `<Phone_Number_1>` in the one shared
history: the model could not tell them apart and restored text showed the wrong number. With
`scope="thread"` every message of the thread shares one numbering (a vault scope derived from
the thread id), and any participant's view restores consistently."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("langgraph.checkpoint.sqlite")

from graph_fakes import ELI_PHONE, PHONE, ScriptedModel, Tools, cfg, known_guard, leaks_in_file
from langchain_core.messages import HumanMessage
from langgraph.checkpoint.sqlite import SqliteSaver
from langgraph.graph import END, START, MessagesState, StateGraph
from langgraph.store.memory import InMemoryStore

from memprivacy_plugin import ConfigError
from memprivacy_plugin.integrations._identity import SCOPE_KEY
from memprivacy_plugin.integrations.langgraph import private_graph, recall_node, remember_node

DANA = f"Dana here, my phone is {PHONE}"
ELI = f"Eli: mine is {ELI_PHONE}"


def chat(model: ScriptedModel, saver: Any, *, store: Any = None, memory: Any = None) -> Any:
    builder = StateGraph(MessagesState)
    builder.add_node("model", lambda state: {"messages": [model.invoke(state["messages"])]})
    if memory is None:
        builder.add_edge(START, "model")
    else:
        builder.add_node("remember", remember_node(namespace=memory))
        builder.add_node("recall", recall_node(namespace=memory))
        builder.add_edge(START, "remember")
        builder.add_edge("remember", "recall")
        builder.add_edge("recall", "model")
    builder.add_edge("model", END)
    return builder.compile(checkpointer=saver, store=store)


def test_two_users_in_one_thread_share_one_numbering(tmp_path: Path) -> None:
    guard, model = known_guard(), ScriptedModel()
    db = tmp_path / "group.db"
    with SqliteSaver.from_conn_string(str(db)) as saver:
        graph = private_graph(chat(model, saver), guard, scope="thread")
        graph.invoke({"messages": [HumanMessage(DANA, name="dana")]}, cfg("g1", "dana"))
        out = graph.invoke({"messages": [HumanMessage(ELI, name="eli")]}, cfg("g1", "eli"))
        # the model tells the two numbers apart ...
        assert model.inputs[-1][-1].content == "Eli: mine is <Phone_Number_2>"
        assert model.inputs[-1][0].content == "Dana here, my phone is <Phone_Number_1>"
        # ... and each participant's view restores both, each to its own value
        assert out["messages"][-1].content == f"Noted: {DANA} / {ELI}"
        dana_view = graph.get_state(cfg("g1", "dana")).values["messages"]
        assert [m.content for m in dana_view] == [m.content for m in out["messages"]]
    assert leaks_in_file(db) == []


def test_a_participant_s_tool_call_resolves_in_the_thread(tmp_path: Path) -> None:
    """Eli asks to text the number Dana gave: the thread's numbering resolves it for the tool."""
    pytest.importorskip("langchain.agents")
    from langchain.agents import create_agent

    from memprivacy_plugin.integrations.langchain import PrivacyMiddleware

    guard, model, tools = known_guard(), ScriptedModel(), Tools()
    db = tmp_path / "agent.db"
    with SqliteSaver.from_conn_string(str(db)) as saver:
        agent = create_agent(
            model, tools=[tools.send_sms], middleware=[PrivacyMiddleware()], checkpointer=saver
        )
        graph = private_graph(agent, guard, scope="thread")
        graph.invoke({"messages": [("user", DANA)]}, cfg("g2", "dana"))
        out = graph.invoke({"messages": [("user", f"sms {PHONE} please")]}, cfg("g2", "eli"))
    assert tools.received == [{"to": PHONE, "body": "See you at 6"}]
    assert PHONE in out["messages"][-1].content
    assert leaks_in_file(db) == []


def test_the_scope_may_come_with_the_run_and_must_agree(tmp_path: Path) -> None:
    guard, model = known_guard(), ScriptedModel()
    with SqliteSaver.from_conn_string(str(tmp_path / "c.db")) as saver:
        graph = private_graph(chat(model, saver), guard)  # scope from each run's config
        graph.invoke({"messages": [("user", DANA)]}, cfg("g3", "dana", **{SCOPE_KEY: "thread"}))
        graph.invoke({"messages": [("user", ELI)]}, cfg("g3", "eli", **{SCOPE_KEY: "thread"}))
        assert model.inputs[-1][-1].content == "Eli: mine is <Phone_Number_2>"
        with pytest.raises(ConfigError, match="differs"):
            private_graph(chat(model, saver), guard, scope="user").invoke(
                {"messages": []}, cfg("g3", "eli", **{SCOPE_KEY: "thread"})
            )
        with pytest.raises(ConfigError, match="scope must be one of"):
            private_graph(chat(model, saver), guard, scope="group")


def test_thread_vaults_are_their_own(tmp_path: Path) -> None:
    guard, model = known_guard(), ScriptedModel()
    with SqliteSaver.from_conn_string(str(tmp_path / "f.db")) as saver:
        graph = private_graph(chat(model, saver), guard, scope="thread")
        graph.invoke({"messages": [("user", DANA)]}, cfg("g4", "dana"))
        # no user id can name a thread's vault
        with pytest.raises(ConfigError, match="thread"):
            graph.invoke({"messages": []}, cfg("g5", "thread:g4"))
        # forgetting the thread forgets its values, not the user's own (per-user) vault
        guard.protect(f"my phone is {PHONE}", user_id="dana")
        assert graph.forget(cfg("g4", "eli")) == 1
        shown = graph.get_state(cfg("g4", "dana")).values["messages"][0].content
        assert shown == "Dana here, my phone is <Phone_Number_1>"
        assert guard.restore("<Phone_Number_1>", user_id="dana") == PHONE


def test_memories_in_a_thread_scoped_run_stay_in_the_thread(tmp_path: Path) -> None:
    guard, model, store = known_guard(), ScriptedModel(), InMemoryStore()
    with SqliteSaver.from_conn_string(str(tmp_path / "m.db")) as saver:
        per_user = private_graph(
            chat(model, saver, store=store, memory=("{user_id}", "memories")), guard, scope="thread"
        )
        with pytest.raises(ConfigError, match="thread_id"):
            per_user.invoke({"messages": [("user", DANA)]}, cfg("g6", "dana"))
        memory = ("{thread_id}", "memories")
        graph = private_graph(chat(model, saver, store=store, memory=memory), guard, scope="thread")
        graph.invoke({"messages": [("user", DANA)]}, cfg("g7", "dana"))
        graph.invoke({"messages": [("user", ELI)]}, cfg("g7", "eli"))
        held = sorted(item.value["text"] for item in store.search(("g7", "memories")))
        assert held == ["Dana here, my phone is <Phone_Number_1>", "Eli: mine is <Phone_Number_2>"]
        with pytest.raises(ConfigError, match="thread_id"):
            private_graph(chat(model, saver, store=store, memory=memory), guard).invoke(
                {"messages": [("user", DANA)]}, cfg("g8", "dana")
            )
