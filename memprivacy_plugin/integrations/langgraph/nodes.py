"""Graph nodes: `privacy_node` (protect new user turns before the model), `restore_node` (opt-in:
clear text into state), `remember_node` and `recall_node` (memories in a store, placeholder form).

Every node reads the user from `config["configurable"]` or the runtime context (`user_id`, and
optionally `namespace`, `user_name`), runs sync and async (a `RunnableLambda` with both), and
goes through the core every adapter shares (`integrations._messages`).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from typing import Any

from langchain_core.messages import BaseMessage, RemoveMessage, SystemMessage
from langchain_core.runnables import RunnableConfig, RunnableLambda
from langgraph.store.base import BaseStore

from ...errors import ConfigError
from ...guard import PrivacyGuard
from .._batch import aprotect_texts, arestore_texts, protect_texts, restore_texts
from .._identity import Identity
from .._messages import (
    Walk,
    aprotect_value,
    arestore_value,
    block_text,
    is_protected,
    marked,
    marker,
    protect_value,
    restore_value,
    role_of,
)
from ._common import graph_runtime, guard_of, identity_of, runtime_context
from .store import PrivateStore

__all__ = ["MEMORY_NAMESPACE", "privacy_node", "recall_node", "remember_node", "restore_node"]

# `{user_id}` is replaced by the caller's user id: the user id comes first, as in LangGraph's
# memory examples and as `PrivateStore` expects by default (`namespace_user_index=0`).
MEMORY_NAMESPACE: tuple[str, ...] = ("{user_id}", "memories")
RECALL_ID_PREFIX = "memprivacy-recall-"
RECALL_PROMPT = "What you remember about the user (placeholders stand for private values):\n{memories}"

Node = RunnableLambda[Any, dict[str, Any]]


def _messages(state: Any, key: str) -> list[BaseMessage]:
    value = state.get(key) if isinstance(state, dict) else getattr(state, key, None)
    if value is None:
        raise ConfigError(f"the graph state has no {key!r} list of messages")
    return list(value)


def _run(guard: PrivacyGuard | None, config: RunnableConfig | None) -> tuple[PrivacyGuard, Identity]:
    """The guard and the user of this run (the runtime context is read through LangGraph's API)."""
    context = runtime_context(graph_runtime(config))
    return guard_of(guard, config, context), identity_of(config, context)


# -- privacy_node ---------------------------------------------------------------------------------


def privacy_node(
    guard: PrivacyGuard | None = None,
    *,
    message_types: Sequence[str] = ("human",),
    messages_key: str = "messages",
    name: str = "privacy",
) -> Node:
    """A node that puts new messages of `message_types` (default: the user's) in placeholder form
    before the model node sees them. It returns copies with the same ids, so `add_messages`
    replaces the clear text in state; protected messages are marked, and a message any adapter of
    this package marked is never protected again. Answers a `restore_node` (or the middleware's
    `restore_output=True`) put in clear text are switched back to their placeholder form.

    With a checkpointer, the graph's input is saved before any node runs: protect it at the edge
    with `protect_input` (or run with `durability="exit"`) so the checkpointer never holds it."""
    walk = Walk(roles=message_types, protecting=True)

    def pending(state: Any) -> list[BaseMessage]:
        return [
            m
            for m in _messages(state, messages_key)
            if not is_protected(m) and (walk.wants(role_of(m)) or marker(m).get("restored"))
        ]

    def func(state: Any, config: RunnableConfig) -> dict[str, Any]:
        todo = pending(state)
        if not todo:
            return {}
        g, who = _run(guard, config)
        return {messages_key: protect_value(g, todo, who, walk)}

    async def afunc(state: Any, config: RunnableConfig) -> dict[str, Any]:
        todo = pending(state)
        if not todo:
            return {}
        g, who = _run(guard, config)
        return {messages_key: await aprotect_value(g, todo, who, walk)}

    return RunnableLambda(func, afunc, name=name)


# -- restore_node (opt-in) ------------------------------------------------------------------------


def restore_node(
    guard: PrivacyGuard | None = None,
    *,
    restore_into_state: bool = False,
    messages_key: str = "messages",
    name: str = "restore",
) -> Node:
    """A node that restores the latest AI answer IN GRAPH STATE, so the checkpointer stores clear
    text. Only for a local checkpointer, hence the required `restore_into_state=True`; the default
    is to keep state in placeholder form and restore at the edge (`restore_result`,
    `restore_stream`). The placeholder form is kept in the message's marker, and `privacy_node`
    puts it back before the model sees the history again."""
    if not restore_into_state:
        raise ConfigError(
            "restore_node writes clear text into graph state, which the checkpointer persists: pass "
            "restore_into_state=True only with a local checkpointer, or restore at the edge with "
            "restore_result() / restore_stream()"
        )

    def target(state: Any) -> BaseMessage | None:
        for m in reversed(_messages(state, messages_key)):
            if m.type == "ai":
                return None if marker(m).get("restored") else m
        return None

    def assemble(m: BaseMessage, shown: BaseMessage) -> dict[str, Any]:
        if shown.content == m.content:
            return {}
        return {messages_key: [marked(shown, restored=True, placeholder_content=m.content)]}

    def func(state: Any, config: RunnableConfig) -> dict[str, Any]:
        m = target(state)
        if m is None:
            return {}
        g, who = _run(guard, config)
        return assemble(m, restore_value(g, m, who, tool_args=False))

    async def afunc(state: Any, config: RunnableConfig) -> dict[str, Any]:
        m = target(state)
        if m is None:
            return {}
        g, who = _run(guard, config)
        return assemble(m, await arestore_value(g, m, who, tool_args=False))

    return RunnableLambda(func, afunc, name=name)


# -- memory nodes ---------------------------------------------------------------------------------


def _store(store: BaseStore | None, config: RunnableConfig | None) -> BaseStore:
    """The store that receives placeholder-form data as it is: the inner store of a
    `PrivateStore` (the nodes protect themselves, and a second protection would cost another
    extraction), or any other store."""
    chosen = store if store is not None else getattr(graph_runtime(config), "store", None)
    if chosen is None:
        raise ConfigError("no store: pass store= to the node or compile the graph with store=...")
    return chosen.store if isinstance(chosen, PrivateStore) else chosen


def _namespace(template: Sequence[str], who: Identity) -> tuple[str, ...]:
    """The namespace for this user (`{user_id}`) and, in a thread-scoped run, thread (`{thread_id}`).

    A thread-scoped run numbers placeholders per thread: its memories must stay in the thread
    (a namespace with `{thread_id}`), since read in another thread `<Phone_Number_1>` would stand
    for another value."""
    per_thread = any("{thread_id}" in label for label in template)
    if per_thread != (who.thread is not None):
        raise ConfigError(
            "a thread-scoped run (scope='thread') keeps memories per thread: give remember_node and "
            "recall_node a namespace with '{thread_id}', and use '{thread_id}' only in such a run"
        )
    return tuple(
        label.replace("{user_id}", who.user_id).replace("{thread_id}", who.thread or "") for label in template
    )


def _latest_human(state: Any, key: str) -> BaseMessage | None:
    for m in reversed(_messages(state, key)):
        if m.type == "human":
            return m
    return None


def _text(m: BaseMessage) -> str:
    content = m.content
    if isinstance(content, str):
        return content
    parts = [b if isinstance(b, str) else block_text(b) for b in content]
    return "\n".join(p for p in parts if p is not None)


def _placeholder_text(m: BaseMessage, guard: PrivacyGuard, who: Identity) -> str:
    text = _text(m)
    if is_protected(m) or not text.strip():
        return text
    return protect_texts(guard, [text], who)[0]


async def _aplaceholder_text(m: BaseMessage, guard: PrivacyGuard, who: Identity) -> str:
    text = _text(m)
    if is_protected(m) or not text.strip():
        return text
    return (await aprotect_texts(guard, [text], who))[0]


def remember_node(
    store: BaseStore | None = None,
    guard: PrivacyGuard | None = None,
    *,
    namespace: Sequence[str] = MEMORY_NAMESPACE,
    index: list[str] | bool | None = None,
    messages_key: str = "messages",
    name: str = "remember",
) -> Node:
    """A node that stores the user's latest message, in placeholder form, as `{"text": ...}` under
    `namespace` (`{user_id}` is filled in; default `(user_id, "memories")`), keyed by the message
    id (so storing the same turn twice overwrites). `store` defaults to the graph's store."""
    idx: list[str] | bool | None = False if index is False else (None if index is True else index)

    def put_args(m: BaseMessage, text: str, who: Identity) -> tuple[tuple[str, ...], str, dict[str, Any]]:
        return _namespace(namespace, who), m.id or str(uuid.uuid4()), {"text": text}

    def func(state: Any, config: RunnableConfig) -> dict[str, Any]:
        m = _latest_human(state, messages_key)
        if m is None:
            return {}
        g, who = _run(guard, config)
        ns, key, value = put_args(m, _placeholder_text(m, g, who), who)
        if idx is None:
            _store(store, config).put(ns, key, value)
        else:
            _store(store, config).put(ns, key, value, index=idx)  # type: ignore[arg-type]
        return {}

    async def afunc(state: Any, config: RunnableConfig) -> dict[str, Any]:
        m = _latest_human(state, messages_key)
        if m is None:
            return {}
        g, who = _run(guard, config)
        ns, key, value = put_args(m, await _aplaceholder_text(m, g, who), who)
        if idx is None:
            await _store(store, config).aput(ns, key, value)
        else:
            await _store(store, config).aput(ns, key, value, index=idx)  # type: ignore[arg-type]
        return {}

    return RunnableLambda(func, afunc, name=name)


def recall_node(
    store: BaseStore | None = None,
    guard: PrivacyGuard | None = None,
    *,
    namespace: Sequence[str] = MEMORY_NAMESPACE,
    limit: int = 5,
    restore_memories: bool = False,
    state_key: str | None = None,
    prompt: str = RECALL_PROMPT,
    messages_key: str = "messages",
    name: str = "recall",
) -> Node:
    """A node that searches the user's memories with the latest user message in placeholder form
    and hands them to the model: by default as one `SystemMessage` (the previous turn's recall
    message is removed), or as a list of strings under `state_key` for a custom state.

    Memories stay in placeholder form unless `restore_memories=True`: then the model sees real
    values and, with the default message output, graph state (and the checkpointer) holds them."""

    def query_args(state: Any) -> tuple[BaseMessage | None, list[BaseMessage]]:
        messages = _messages(state, messages_key)
        stale = [m for m in messages if (m.id or "").startswith(RECALL_ID_PREFIX)]
        return _latest_human(state, messages_key), stale

    def texts_of(items: Sequence[Any]) -> list[str]:
        out = []
        for item in items:
            text = item.value.get("text") if isinstance(item.value, dict) else None
            out.append(text if isinstance(text, str) else json.dumps(item.value, ensure_ascii=False))
        return out

    def assemble(memories: list[str], shown: list[str], stale: list[BaseMessage]) -> dict[str, Any]:
        if state_key is not None:
            return {state_key: shown}
        update: list[BaseMessage] = [RemoveMessage(id=m.id) for m in stale if m.id]
        if memories:
            listing = "\n".join(f"- {t}" for t in memories)
            message: BaseMessage = SystemMessage(
                content=prompt.format(memories=listing), id=f"{RECALL_ID_PREFIX}{uuid.uuid4()}"
            )
            if shown != memories:
                restored = prompt.format(memories="\n".join(f"- {t}" for t in shown))
                message = marked(message, restored, restored=True, placeholder_content=message.content)
            else:
                message = marked(message)
            update.append(message)
        return {messages_key: update} if update else {}

    def func(state: Any, config: RunnableConfig) -> dict[str, Any]:
        m, stale = query_args(state)
        if m is None:
            return assemble([], [], stale)
        g, who = _run(guard, config)
        query = _placeholder_text(m, g, who)
        items = _store(store, config).search(_namespace(namespace, who), query=query, limit=limit)
        memories = texts_of(items)
        shown = restore_texts(g, memories, who) if restore_memories else memories
        return assemble(memories, shown, stale)

    async def afunc(state: Any, config: RunnableConfig) -> dict[str, Any]:
        m, stale = query_args(state)
        if m is None:
            return assemble([], [], stale)
        g, who = _run(guard, config)
        query = await _aplaceholder_text(m, g, who)
        items = await _store(store, config).asearch(_namespace(namespace, who), query=query, limit=limit)
        memories = texts_of(items)
        shown = await arestore_texts(g, memories, who) if restore_memories else memories
        return assemble(memories, shown, stale)

    return RunnableLambda(func, afunc, name=name)
