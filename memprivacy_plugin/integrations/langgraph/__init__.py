"""LangGraph adapter: a private graph, nodes, a private store, a private tool node and edge
restoration.

    from memprivacy_plugin.integrations.langgraph import private_graph

    graph = private_graph(builder.compile(checkpointer=saver), guard)
    graph.invoke({"messages": [("user", text)]}, {"configurable": {"thread_id": "t1", "user_id": "dana"}})

Graph state holds placeholder form only (the checkpointer may be remote): `private_graph` protects
the input at the edge (a checkpointer saves it before any node runs), restores what comes out and
hands its guard to every component inside (`privacy_node`, `PrivateToolNode`, `PrivateStore`,
`PrivacyMiddleware`, ...). The pieces also work alone: `protect_input`, `restore_result`,
`restore_stream`, and, opt-in, a `restore_node`. The user is read
from `config["configurable"]` or the runtime context (`user_id`, `namespace`, `user_name`).
Needs the `langgraph` extra: `pip install 'memprivacy-plugin[langgraph]'`.
"""

from __future__ import annotations

try:
    import langchain_core  # noqa: F401
    import langgraph.store.base  # noqa: F401
except ImportError as exc:  # pragma: no cover - exercised without the extra
    raise ImportError(
        "memprivacy_plugin.integrations.langgraph needs LangGraph: pip install 'memprivacy-plugin[langgraph]'"
    ) from exc

from .edge import (
    aprotect_input,
    arestore_result,
    arestore_stream,
    protect_input,
    restore_result,
    restore_stream,
)
from .graph import PrivateGraph, private_graph
from .nodes import MEMORY_NAMESPACE, privacy_node, recall_node, remember_node, restore_node
from .store import PrivateStore
from .tools import PrivateToolNode

__all__ = [
    "MEMORY_NAMESPACE",
    "PrivateGraph",
    "PrivateStore",
    "PrivateToolNode",
    "aprotect_input",
    "arestore_result",
    "arestore_stream",
    "privacy_node",
    "private_graph",
    "protect_input",
    "recall_node",
    "remember_node",
    "restore_node",
    "restore_result",
    "restore_stream",
]

for _name in __all__:
    _obj = globals()[_name]
    if hasattr(_obj, "__module__") and callable(_obj):
        _obj.__module__ = __name__
del _name, _obj
