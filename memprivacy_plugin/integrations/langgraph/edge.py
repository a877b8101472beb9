"""The edge of the graph: protecting its input, restoring what `invoke`/`ainvoke` return and what
`stream`/`astream` yield.

A checkpointer saves the graph's input before any node runs, so a privacy node alone is too late
for it: `protect_input` puts the new messages in placeholder form before the graph sees them.
Graph state then holds placeholder form only; the restore helpers give the user the real values
on the way out, without writing them back into state.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterable, AsyncIterator, Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from langchain_core.messages import AIMessageChunk, BaseMessage, BaseMessageChunk, convert_to_messages

from ...guard import PrivacyGuard
from ...restore import StreamingRestorer
from .._identity import Identity
from ._common import (
    apply_protection,
    aprotect_texts,
    arestore_tree,
    content_strings,
    identity_of,
    plan_protection,
    protect_texts,
    protection_texts,
    rebuild_content,
    restore_tree,
)

__all__ = [
    "aprotect_input",
    "arestore_result",
    "arestore_stream",
    "protect_input",
    "restore_result",
    "restore_stream",
]


def _input_messages(graph_input: Any, key: str) -> list[BaseMessage] | None:
    if not isinstance(graph_input, dict) or key not in graph_input:
        return None
    value = graph_input[key]
    return convert_to_messages(value if isinstance(value, list) else [value])


@dataclass(frozen=True)
class _Plan:
    """The new messages of a graph input to protect (`to_protect`) or only to mark (`to_swap`)."""

    graph_input: dict[str, Any]
    key: str
    messages: list[BaseMessage]
    to_protect: list[BaseMessage]
    to_swap: list[BaseMessage]

    def apply(self, protected: list[str]) -> Any:
        """The graph input with those messages replaced, in place, by their protected copies (the
        other messages, e.g. a system prompt, stay where they are)."""
        changed = self.to_protect + self.to_swap
        new = apply_protection(self.to_protect, self.to_swap, protected)
        by_position = {id(old): fresh for old, fresh in zip(changed, new, strict=True)}
        return {**self.graph_input, self.key: [by_position.get(id(m), m) for m in self.messages]}


def _plan(graph_input: Any, key: str, message_types: Sequence[str]) -> _Plan | Any:
    """What protecting `graph_input` takes, or the input itself when nothing needs protecting."""
    messages = _input_messages(graph_input, key)
    if messages is None:
        return graph_input
    to_protect, to_swap = plan_protection(messages, frozenset(message_types))
    if not to_protect and not to_swap:
        return {**graph_input, key: messages}
    return _Plan(graph_input, key, messages, to_protect, to_swap)


def protect_input(
    graph_input: Any,
    guard: PrivacyGuard,
    config: Any = None,
    *,
    context: Any = None,
    messages_key: str = "messages",
    message_types: Sequence[str] = ("human",),
) -> Any:
    """`graph_input` with its new messages in placeholder form (marked, with ids), for
    `graph.invoke(protect_input(inp, guard, config), config)`. Messages may be given in any form
    LangGraph accepts (objects, `("user", "...")`, dicts, a string). Other inputs (a `Command`)
    come back as they are."""
    plan = _plan(graph_input, messages_key, message_types)
    if not isinstance(plan, _Plan):
        return plan
    protected = protect_texts(guard, protection_texts(plan.to_protect), identity_of(config, context))
    return plan.apply(protected)


async def aprotect_input(
    graph_input: Any,
    guard: PrivacyGuard,
    config: Any = None,
    *,
    context: Any = None,
    messages_key: str = "messages",
    message_types: Sequence[str] = ("human",),
) -> Any:
    plan = _plan(graph_input, messages_key, message_types)
    if not isinstance(plan, _Plan):
        return plan
    protected = await aprotect_texts(guard, protection_texts(plan.to_protect), identity_of(config, context))
    return plan.apply(protected)


def restore_result(result: Any, guard: PrivacyGuard, config: Any = None, *, context: Any = None) -> Any:
    """A copy of what `graph.invoke(...)` returned with the user's values restored: message
    contents and tool-call arguments, and every other string of the state. `config`/`context`
    are the ones the graph was called with (they name the user)."""
    return restore_tree(result, guard, identity_of(config, context))


async def arestore_result(
    result: Any, guard: PrivacyGuard, config: Any = None, *, context: Any = None
) -> Any:
    return await arestore_tree(result, guard, identity_of(config, context))


Wrap = Callable[[Any], Any]


def _unpack(part: Any, stream_mode: str | Sequence[str], subgraphs: bool) -> tuple[str, Any, Wrap]:
    """(mode, payload, wrap) of one streamed part; `wrap(new_payload)` rebuilds the part."""
    if isinstance(part, dict) and {"type", "ns", "data"} <= part.keys():  # version="v2"
        return str(part["type"]), part["data"], lambda data: {**part, "data": data}
    prefix: tuple[Any, ...] = ()
    rest: Any = part
    if subgraphs:
        prefix, rest = (part[0],), part[1] if len(part) == 2 else tuple(part[1:])
    if isinstance(stream_mode, str):
        return stream_mode, rest, lambda data: (*prefix, data) if prefix else data
    mode, payload = rest
    return str(mode), payload, lambda data: (*prefix, mode, data)


class _MessagesRestorer:
    """Per message id, a streaming restorer: a placeholder split across chunks is restored whole."""

    def __init__(self, guard: PrivacyGuard, who: Identity) -> None:
        self.guard = guard
        self.who = who
        self.open: dict[str, tuple[StreamingRestorer, BaseMessageChunk, Any, Wrap]] = {}

    def chunk(self, message: BaseMessageChunk, metadata: Any, wrap: Wrap, feed: list[str]) -> Any:
        """The restored chunk, given `feed` = the restorer's output for its content strings."""
        return wrap(
            (message.model_copy(update={"content": rebuild_content(message.content, iter(feed))}), metadata)
        )

    def restorer_for(self, message: BaseMessageChunk, metadata: Any, wrap: Wrap) -> StreamingRestorer:
        key = message.id or ""
        entry = self.open.get(key)
        restorer = (
            entry[0] if entry else self.guard.restorer(user_id=self.who.user_id, namespace=self.who.namespace)
        )
        self.open[key] = (restorer, message, metadata, wrap)
        return restorer

    def close(self, message: BaseMessageChunk) -> str:
        entry = self.open.pop(message.id or "", None)
        return entry[0].flush() if entry else ""

    def tails(self) -> Iterator[Any]:
        """At the end of the stream: what is still held back, as one more chunk per message."""
        for key, (restorer, message, metadata, wrap) in list(self.open.items()):
            tail = restorer.flush()
            if tail:
                chunk: BaseMessageChunk = AIMessageChunk(content=tail, id=key or None)
                if type(message) is not AIMessageChunk:
                    chunk = message.model_copy(update={"content": tail})
                yield wrap((chunk, metadata))
        self.open.clear()


def _is_message_pair(payload: Any) -> bool:
    return isinstance(payload, tuple) and len(payload) == 2 and isinstance(payload[0], BaseMessage)


def _ends(message: BaseMessageChunk) -> bool:
    return getattr(message, "chunk_position", None) == "last"


def restore_stream(
    stream: Iterable[Any],
    guard: PrivacyGuard,
    config: Any = None,
    *,
    context: Any = None,
    stream_mode: str | Sequence[str] = "values",
    subgraphs: bool = False,
) -> Iterator[Any]:
    """Wrap `graph.stream(...)` for the user; pass the same `stream_mode` and `subgraphs` (and
    the config or context that names the user). "values", "updates" and "custom" parts are
    restored whole; "messages" parts `(chunk, metadata)` are restored chunk by chunk per message
    id, holding back only a tail that may still become a placeholder. `version="v2"` parts work
    too. Other modes pass through in placeholder form."""
    who = identity_of(config, context)
    messages = _MessagesRestorer(guard, who)
    for part in stream:
        mode, payload, wrap = _unpack(part, stream_mode, subgraphs)
        if mode == "messages" and _is_message_pair(payload):
            message, metadata = payload
            if isinstance(message, BaseMessageChunk):
                restorer = messages.restorer_for(message, metadata, wrap)
                feed = [restorer.feed(s) for s in content_strings(message.content)]
                if _ends(message) and feed:
                    feed[-1] += messages.close(message)
                yield messages.chunk(message, metadata, wrap, feed)
            else:
                yield wrap((restore_tree(message, guard, who), metadata))
        elif mode in ("values", "updates", "custom", "messages"):
            yield wrap(restore_tree(payload, guard, who))
        else:
            yield part
    yield from messages.tails()


async def arestore_stream(
    stream: AsyncIterable[Any],
    guard: PrivacyGuard,
    config: Any = None,
    *,
    context: Any = None,
    stream_mode: str | Sequence[str] = "values",
    subgraphs: bool = False,
) -> AsyncIterator[Any]:
    """`restore_stream` for `graph.astream(...)`."""
    who = identity_of(config, context)
    messages = _MessagesRestorer(guard, who)
    async for part in stream:
        mode, payload, wrap = _unpack(part, stream_mode, subgraphs)
        if mode == "messages" and _is_message_pair(payload):
            message, metadata = payload
            if isinstance(message, BaseMessageChunk):
                restorer = messages.restorer_for(message, metadata, wrap)
                feed = []
                for s in content_strings(message.content):
                    slow = "<" in s or "&" in s  # a vault lookup may follow
                    feed.append(await asyncio.to_thread(restorer.feed, s) if slow else restorer.feed(s))
                if _ends(message) and feed:
                    feed[-1] += messages.close(message)
                yield messages.chunk(message, metadata, wrap, feed)
            else:
                yield wrap((await arestore_tree(message, guard, who), metadata))
        elif mode in ("values", "updates", "custom", "messages"):
            yield wrap(await arestore_tree(payload, guard, who))
        else:
            yield part
    for tail in messages.tails():
        yield tail
