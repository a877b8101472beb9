"""The one streaming restorer: a stream of str chunks, message chunks (of one or several messages,
told apart by id) or whole values, restored as it goes.

Per message, one streaming restorer per text block (by the block's `index`, else its position; a
str content is block 0) and one per tool-call argument string (by the call's `index`): a
placeholder split across chunks is restored whole, everything that cannot start one is released
at once, and only a tail that may still become one (`<Phone_Nu`) waits. Tool-call arguments are
JSON text, so values go in JSON-escaped. Each chunk comes out of the type it came in, with its id
and metadata. What a message still holds goes out inside its chunk marked
`chunk_position="last"`, or else in one more chunk when the stream ends (`flush`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from langchain_core.messages import AIMessageChunk, BaseMessageChunk
from langchain_core.messages.tool import tool_call_chunk

from ..guard import PrivacyGuard
from ._identity import Identity
from ._messages import arestore_value, block_text, rebuild_chunk, restore_value

__all__ = ["StreamRestorer"]

# A placeholder completes only with one of these (`>`, `\>`, `&gt;`): a chunk without them never
# needs a vault lookup, so the async side runs it inline.
_LOOKUP_CHARS = "<>&;"


class StreamingRestorer(Protocol):
    """What `PrivacyGuard.restorer` and `json_restorer` return."""

    def feed(self, chunk: str) -> str: ...

    def flush(self) -> str: ...


@dataclass
class _Open:
    """A message still streaming: its restorers and the last chunk seen (the template of a tail)."""

    template: BaseMessageChunk
    context: Any = None
    text: dict[Hashable, StreamingRestorer] = field(default_factory=dict)
    blocks: dict[Hashable, bool] = field(default_factory=dict)  # key -> whether it came as a block
    args: dict[Hashable, StreamingRestorer] = field(default_factory=dict)


class StreamRestorer:
    """Restores what a stream yields for one user: `feed(item)` per item (each returns the items
    to pass on, usually one), then `flush()` for what is still held back. `afeed`/`aflush` do the
    same off the event loop when a vault lookup may follow.

    Message chunks are grouped by `key` (default: the chunk's id): give one key to a stream that
    is known to be one message. `context` rides along with a message (LangGraph's metadata) and
    comes back with its tail from `flush`."""

    def __init__(self, guard: PrivacyGuard, who: Identity, *, tool_args: bool = True) -> None:
        self._guard = guard
        self._who = who
        self._tool_args = tool_args
        self._open: dict[Hashable, _Open] = {}
        self._str: StreamingRestorer | None = None

    def _restorer(self) -> StreamingRestorer:
        return self._guard.restorer(**self._who.scope())

    def _json_restorer(self) -> StreamingRestorer:
        return self._guard.json_restorer(**self._who.scope())

    # -- feeding ---------------------------------------------------------------------------------

    def feed(self, item: Any, *, key: Hashable | None = None, context: Any = None) -> list[Any]:
        if isinstance(item, str):
            self._str = self._str or self._restorer()
            out = self._str.feed(item)
            return [out] if out else []
        if isinstance(item, BaseMessageChunk):
            return [self._chunk(item, key, context)]
        # Not a text stream (a dict, a whole message): restored on its own.
        return [restore_value(self._guard, item, self._who, tool_args=self._tool_args)]

    async def afeed(self, item: Any, *, key: Hashable | None = None, context: Any = None) -> list[Any]:
        if isinstance(item, (str, BaseMessageChunk)):
            if self._may_look_up(item):
                return await asyncio.to_thread(self.feed, item, key=key, context=context)
            return self.feed(item, key=key, context=context)
        return [await arestore_value(self._guard, item, self._who, tool_args=self._tool_args)]

    def _may_look_up(self, item: str | BaseMessageChunk) -> bool:
        if isinstance(item, str):
            texts = [item]
        else:
            texts = [item.content] if isinstance(item.content, str) else [str(b) for b in item.content]
            if isinstance(item, AIMessageChunk):
                texts += [str(c.get("args") or "") for c in item.tool_call_chunks]
        return any(c in t for t in texts for c in _LOOKUP_CHARS)

    def _chunk(self, chunk: BaseMessageChunk, key: Hashable | None, context: Any) -> BaseMessageChunk:
        key = (chunk.id or "") if key is None else key
        state = self._open.get(key)
        if state is None:
            state = self._open[key] = _Open(chunk, context)
        state.template, state.context = chunk, context
        last = getattr(chunk, "chunk_position", None) == "last"

        content: Any = chunk.content
        if isinstance(content, str):
            state.blocks.setdefault(0, False)
            content = self._run(state.text, 0, content)
        elif isinstance(content, list):
            new: list[Any] = []
            for position, block in enumerate(content):
                if isinstance(block, str):
                    state.blocks.setdefault(position, False)
                    new.append(self._run(state.text, position, block))
                elif (text := block_text(block)) is not None:
                    block_key = block.get("index", position)
                    state.blocks.setdefault(block_key, True)
                    new.append({**block, "text": self._run(state.text, block_key, text)})
                else:
                    new.append(block)
            content = new
        calls: list[Any] = list(getattr(chunk, "tool_call_chunks", []))
        if self._tool_args:
            calls = [
                {**c, "args": self._run(state.args, _call_key(c, i), args, json=True)}
                if isinstance(args := c.get("args"), str)
                else c
                for i, c in enumerate(calls)
            ]
        if last:  # this message ends here: its tails go inside this chunk
            texts, args = self._tails(state)
            del self._open[key]
            content = _with_text_tails(content, texts, state.blocks)
            calls = _with_arg_tails(calls, args)
        if isinstance(chunk, AIMessageChunk):
            return rebuild_chunk(chunk, content=content, tool_call_chunks=calls)
        return chunk.model_copy(update={"content": content})

    def _run(
        self, restorers: dict[Hashable, StreamingRestorer], key: Hashable, text: str, json: bool = False
    ) -> str:
        restorer = restorers.get(key)
        if restorer is None:
            restorer = restorers[key] = self._json_restorer() if json else self._restorer()
        return restorer.feed(text)

    # -- the end ---------------------------------------------------------------------------------

    @staticmethod
    def _tails(state: _Open) -> tuple[dict[Hashable, str], dict[Hashable, str]]:
        texts = {k: t for k, r in state.text.items() if (t := r.flush())}
        args = {k: t for k, r in state.args.items() if (t := r.flush())}
        return texts, args

    def flush(self) -> list[tuple[Any, Any]]:
        """What is still held back, as `(item, context)` pairs: a str for a str stream, one more
        chunk per message that did not end with a `chunk_position="last"` chunk."""
        out: list[tuple[Any, Any]] = []
        if self._str is not None and (tail := self._str.flush()):
            out.append((tail, None))
        for state in self._open.values():
            texts, args = self._tails(state)
            if not texts and not args:
                continue
            template = state.template
            content: Any
            if any(state.blocks.get(k) for k in texts):
                content = [{"type": "text", "text": t, "index": k} for k, t in texts.items()]
            else:
                content = "".join(texts.values())
            if isinstance(template, AIMessageChunk):
                calls = _with_arg_tails([], args)
                # A fresh chunk: copying the template would count its usage metadata twice.
                chunk: BaseMessageChunk = AIMessageChunk(
                    content=content, id=template.id, tool_call_chunks=calls
                )
            else:
                chunk = template.model_copy(update={"content": content})
            out.append((chunk, state.context))
        self._open.clear()
        self._str = None
        return out

    async def aflush(self) -> list[tuple[Any, Any]]:
        return await asyncio.to_thread(self.flush)


def _call_key(call: Mapping[str, Any], position: int) -> Hashable:
    index = call.get("index")
    return index if index is not None else ("position", position)


def _with_text_tails(content: Any, tails: dict[Hashable, str], blocks: dict[Hashable, bool]) -> Any:
    """`content` with each block's tail appended to that block, or as a block of its own."""
    if not tails:
        return content
    if isinstance(content, str):
        if not any(blocks.get(k) for k in tails):
            return content + "".join(tails.values())
        content = [content] if content else []
    out = list(content)
    for key, tail in tails.items():
        for i, block in enumerate(out):
            position_key = block.get("index", i) if isinstance(block, Mapping) else i
            if position_key != key:
                continue
            if isinstance(block, str):
                out[i] = block + tail
                break
            if block_text(block) is not None:
                out[i] = {**block, "text": block["text"] + tail}
                break
        else:
            out.append({"type": "text", "text": tail, "index": key} if blocks.get(key) else tail)
    return out


def _with_arg_tails(calls: list[Any], tails: dict[Hashable, str]) -> list[Any]:
    out = list(calls)
    for key, tail in tails.items():
        for i, call in enumerate(out):
            if _call_key(call, i) == key:
                out[i] = {**call, "args": (call.get("args") or "") + tail}
                break
        else:
            out.append(tool_call_chunk(index=key if isinstance(key, int) else None, args=tail))
    return out
