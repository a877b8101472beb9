"""One app replica of the production stack: a LangGraph chat with memories on PostgresSaver,
PostgresStore (through PrivateStore) and the Postgres vault, all in one PostgreSQL.

    python replica_app.py DSN        # the vault key comes from MEMPRIVACY_VAULT_KEY

It reads one JSON turn a line on stdin, `{"user": ..., "thread": ..., "text": ...}`, and answers one
JSON line on stdout: the restored answer, the user's notes as the app reads them back through
`PrivateStore`, and what the cloud model was sent (placeholder form). The "cloud model" is a node
that answers `Noted: <message> | remembered: <memories>`, as a model would that repeats its input.
"""

from __future__ import annotations

import json
import sys
import uuid
from typing import Any

from langchain_core.messages import AIMessage, HumanMessage, SystemMessage
from langgraph.checkpoint.postgres import PostgresSaver
from langgraph.graph import START, MessagesState, StateGraph
from langgraph.store.postgres import PostgresStore
from psycopg.rows import dict_row
from psycopg_pool import ConnectionPool

from memprivacy_plugin import PrivacyGuard
from memprivacy_plugin.integrations.langgraph import PrivateStore, private_graph, recall_node, remember_node
from memprivacy_plugin.vault.postgres import PostgresVault

NOTES = "notes"


def build(dsn: str) -> tuple[Any, PrivateStore, list[str]]:
    pool = ConnectionPool(
        dsn,
        min_size=1,
        max_size=4,
        kwargs={"autocommit": True, "prepare_threshold": 0, "row_factory": dict_row},
        open=True,
    )
    saver, store = PostgresSaver(pool), PostgresStore(pool)  # tables made once by the test
    sent: list[str] = []

    def cloud_model(state: MessagesState) -> dict[str, Any]:
        human = next(m for m in reversed(state["messages"]) if isinstance(m, HumanMessage))
        recalled = [m.text for m in state["messages"] if isinstance(m, SystemMessage)]
        sent.extend([human.text, *recalled])
        memories = [line[2:] for text in recalled for line in text.splitlines() if line.startswith("- ")]
        return {"messages": [AIMessage(f"Noted: {human.text} | remembered: {' || '.join(memories)}")]}

    builder = StateGraph(MessagesState)
    builder.add_node("recall", recall_node(limit=50))
    builder.add_node("model", cloud_model)
    builder.add_node("remember", remember_node())
    builder.add_edge(START, "recall")
    builder.add_edge("recall", "model")
    builder.add_edge("model", "remember")
    guard = PrivacyGuard(vault=PostgresVault(dsn, schema="memprivacy"))
    private_store = PrivateStore(store, guard, namespace_user_index=1)  # ("users", user_id, "notes")
    graph = private_graph(builder.compile(checkpointer=saver, store=private_store), guard)
    return graph, private_store, sent


def main() -> None:
    graph, notes, sent = build(sys.argv[1])
    for line in sys.stdin:
        turn = json.loads(line)
        user, text = turn["user"], turn["text"]
        config = {"configurable": {"user_id": user, "thread_id": turn["thread"]}}
        sent.clear()
        out = graph.invoke({"messages": [("user", text)]}, config)
        notes.put(("users", user, NOTES), str(uuid.uuid4()), {"note": text})
        mine = [item.value["note"] for item in notes.search(("users", user, NOTES), limit=1000)]
        reply = {"answer": out["messages"][-1].content, "notes": mine, "sent": list(sent)}
        sys.stdout.write(json.dumps(reply) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
