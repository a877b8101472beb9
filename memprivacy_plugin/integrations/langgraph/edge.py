"""The edge of the graph: protecting its input, restoring what `invoke`/`ainvoke` return and what
`stream`/`astream` yield.

A checkpointer saves the graph's input before any node runs, so a privacy node alone is too late
for it: `protect_input` puts the new messages in placeholder form before the graph sees them.
Graph state then holds placeholder form only; the restore helpers give the user the real values
on the way out, without writing them back into state. All of it goes through the core every
adapter shares (`integrations._messages`, `integrations._stream`).
"""

from __future__ import annotations

from collections.abc import AsyncIterable, AsyncIterator, Callable, Collection, Iterable, Iterator, Sequence
from typing import Any

from langchain_core.messages import BaseMessage, BaseMessageChunk, convert_to_messages

from ...guard import PrivacyGuard
from .._identity import Identity
from .._messages import Walk, aprotect_value, arestore_value, protect_value, restore_value, with_id
from .._stream import StreamRestorer
from ._common import guard_of, identity_of

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


def _with_ids(before: list[BaseMessage], after: list[BaseMessage]) -> list[BaseMessage]:
    # A protected copy needs an id, so that `add_messages` replaces it rather than appending.
    return [new if new is old else with_id(new) for old, new in zip(before, after, strict=True)]


def protect_input(
    graph_input: Any,
    guard: PrivacyGuard | None = None,
    config: Any = None,
    *,
    context: Any = None,
    messages_key: str = "messages",
    message_types: Sequence[str] = ("human",),
) -> Any:
    """`graph_input` with its new messages in placeholder form (marked, with ids), for
    `graph.invoke(protect_input(inp, guard, config), config)`. Messages may be given in any form
    LangGraph accepts (objects, `("user", "...")`, dicts, a string); other messages (a system
    prompt) stay where they are, and a message already protected passes as it is. Other inputs
    (a `Command`) come back as they are."""
    messages = _input_messages(graph_input, messages_key)
    if messages is None:
        return graph_input
    walk = Walk(roles=message_types, protecting=True)
    who = identity_of(config, context)
    done = protect_value(guard_of(guard, config, context), messages, who, walk)
    return {**graph_input, messages_key: _with_ids(messages, done)}


async def aprotect_input(
    graph_input: Any,
    guard: PrivacyGuard | None = None,
    config: Any = None,
    *,
    context: Any = None,
    messages_key: str = "messages",
    message_types: Sequence[str] = ("human",),
) -> Any:
    messages = _input_messages(graph_input, messages_key)
    if messages is None:
        return graph_input
    walk = Walk(roles=message_types, protecting=True)
    who = identity_of(config, context)
    done = await aprotect_value(guard_of(guard, config, context), messages, who, walk)
    return {**graph_input, messages_key: _with_ids(messages, done)}


def restore_result(
    result: Any, guard: PrivacyGuard | None = None, config: Any = None, *, context: Any = None
) -> Any:
    """A copy of what `graph.invoke(...)` returned with the user's values restored: message
    contents and tool-call arguments, and every other string of the state. `config`/`context`
    are the ones the graph was called with (they name the user)."""
    return restore_value(guard_of(guard, config, context), result, identity_of(config, context))


async def arestore_result(
    result: Any, guard: PrivacyGuard | None = None, config: Any = None, *, context: Any = None
) -> Any:
    return await arestore_value(guard_of(guard, config, context), result, identity_of(config, context))


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


def _message_chunk(mode: str, payload: Any) -> BaseMessageChunk | None:
    """The message chunk of a "messages" part `(chunk, metadata)`, if it is one."""
    pair = mode == "messages" and isinstance(payload, tuple) and len(payload) == 2
    return payload[0] if pair and isinstance(payload[0], BaseMessageChunk) else None


_RESTORED_MODES = ("values", "updates", "custom", "messages")


def restore_stream(
    stream: Iterable[Any],
    guard: PrivacyGuard | None = None,
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
    guard, who = guard_of(guard, config, context), identity_of(config, context)
    return restore_parts(stream, guard, who, stream_mode, subgraphs, _RESTORED_MODES)


def arestore_stream(
    stream: AsyncIterable[Any],
    guard: PrivacyGuard | None = None,
    config: Any = None,
    *,
    context: Any = None,
    stream_mode: str | Sequence[str] = "values",
    subgraphs: bool = False,
) -> AsyncIterator[Any]:
    """`restore_stream` for `graph.astream(...)`."""
    guard, who = guard_of(guard, config, context), identity_of(config, context)
    return arestore_parts(stream, guard, who, stream_mode, subgraphs, _RESTORED_MODES)


def restore_parts(
    stream: Iterable[Any],
    guard: PrivacyGuard,
    who: Identity,
    stream_mode: str | Sequence[str],
    subgraphs: bool,
    modes: Collection[str] | None = None,
) -> Iterator[Any]:
    """The parts of a graph stream restored for `who`: those of `modes` (None: every mode)."""
    restorer = StreamRestorer(guard, who)
    for part in stream:
        mode, payload, wrap = _unpack(part, stream_mode, subgraphs)
        chunk = _message_chunk(mode, payload)
        if chunk is not None:
            for out in restorer.feed(chunk, context=(payload[1], wrap)):
                yield wrap((out, payload[1]))
        elif modes is None or mode in modes:
            yield wrap(restore_value(guard, payload, who))
        else:
            yield part
    for tail, (metadata, wrap) in restorer.flush():
        yield wrap((tail, metadata))


async def arestore_parts(
    stream: AsyncIterable[Any],
    guard: PrivacyGuard,
    who: Identity,
    stream_mode: str | Sequence[str],
    subgraphs: bool,
    modes: Collection[str] | None = None,
) -> AsyncIterator[Any]:
    restorer = StreamRestorer(guard, who)
    async for part in stream:
        mode, payload, wrap = _unpack(part, stream_mode, subgraphs)
        chunk = _message_chunk(mode, payload)
        if chunk is not None:
            for out in await restorer.afeed(chunk, context=(payload[1], wrap)):
                yield wrap((out, payload[1]))
        elif modes is None or mode in modes:
            yield wrap(await arestore_value(guard, payload, who))
        else:
            yield part
    for tail, (metadata, wrap) in await restorer.aflush():
        yield wrap((tail, metadata))
