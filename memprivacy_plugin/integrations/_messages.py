"""The one walk over what LangChain and LangGraph hand an adapter, and the one "already protected"
marker. Every LangChain and LangGraph adapter protects and restores through these functions, so
they cannot disagree about which strings count.

Which strings are text:

- a message's `content` when it is a str; in a list of content blocks, each str item and each
  block with a str under `"text"`, whatever its type (`"text"`, `"text-plain"`, OpenAI's
  `"input_text"`/`"output_text"`, a provider's own), except reasoning blocks (`"reasoning"`,
  `"thinking"`, `"redacted_thinking"`): those may be signed and must go back to the provider byte
  for byte, and they only ever hold what the model wrote from placeholders. Every other key of a
  block (an image's URL, ids, annotations, extras) is kept as it is;
- an AI message's tool calls (unless the walk leaves them out): every string in `tool_calls`'
  arguments, at any depth; the JSON text of `invalid_tool_calls` and `tool_call_chunks`
  arguments (value by value when it parses, else whole); the arguments of tool-call content
  blocks (`"tool_use"`'s `input`, `"tool_call"`'s `args`); an OpenAI-style dict message's
  `tool_calls[i]["function"]["arguments"]`;
- in anything else (a dict of prompt variables, a graph state, a Document, a pydantic model) every
  string value at any depth. Names, ids, dict keys, `additional_kwargs` and `response_metadata`
  are never rewritten.

The marker: `response_metadata["memprivacy"]` holds `{"protected": True}` on a message in
placeholder form (no adapter protects it again: that would cost an extraction and could change
it), or `{"restored": True, "placeholder_content": ...}` on an answer put back in clear text in
state (protecting swaps the placeholder form back in). `response_metadata` is never sent to a
model provider, survives checkpointer serialisation and `add_messages`, and its dict values merge
when chunks are added. Markers written before (`response_metadata["memprivacy"] = True`,
`additional_kwargs["memprivacy"] = {...}`) are still read, for messages already in checkpoints.
"""

from __future__ import annotations

import dataclasses
import json
import uuid
from collections.abc import Callable, Collection, Mapping, Sequence
from typing import Any

from langchain_core.documents import Document
from langchain_core.messages import (
    AIMessage,
    AIMessageChunk,
    BaseMessage,
    ChatMessage,
    FunctionMessage,
    HumanMessage,
    SystemMessage,
    ToolMessage,
)
from langchain_core.prompt_values import ChatPromptValue, StringPromptValue
from pydantic import BaseModel

from ..errors import ConfigError
from ..guard import PrivacyGuard
from ._batch import aprotect_texts, arestore_texts, protect_texts, restore_texts
from ._identity import Identity

__all__ = [
    "MARK_KEY",
    "REASONING_BLOCKS",
    "Walk",
    "aprotect_value",
    "arestore_value",
    "block_text",
    "collect",
    "is_protected",
    "marked",
    "marker",
    "protect_value",
    "put_back",
    "rebuild_chunk",
    "restore_value",
    "role_name",
    "role_of",
    "unmarked",
    "with_id",
]

MARK_KEY = "memprivacy"
REASONING_BLOCKS = frozenset({"reasoning", "thinking", "redacted_thinking"})
_CALL_BLOCKS = frozenset({"tool_call", "tool_call_chunk"})

# Message roles by the names LangChain and chat APIs use; `roles=` accepts any of them.
_ROLE_ALIASES = {
    "user": "human",
    "human": "human",
    "assistant": "ai",
    "ai": "ai",
    "system": "system",
    "developer": "system",
    "tool": "tool",
    "function": "tool",
}

# -- the marker -----------------------------------------------------------------------------------


def marker(message: BaseMessage) -> dict[str, Any]:
    """The message's marker flags ({} when it has none), read from the new key or the old ones."""
    value = message.response_metadata.get(MARK_KEY)
    if isinstance(value, Mapping):
        return dict(value)
    if value is True:  # PrivacyMiddleware's marker before there was one for all adapters
        return {"protected": True}
    legacy = message.additional_kwargs.get(MARK_KEY)  # the LangGraph adapter's, before
    return dict(legacy) if isinstance(legacy, Mapping) else {}


def is_protected(message: BaseMessage) -> bool:
    return bool(marker(message).get("protected"))


def _without_mark(message: BaseMessage) -> dict[str, Any]:
    return {
        "response_metadata": {k: v for k, v in message.response_metadata.items() if k != MARK_KEY},
        "additional_kwargs": {k: v for k, v in message.additional_kwargs.items() if k != MARK_KEY},
    }


def marked(message: BaseMessage, content: Any = None, **flags: Any) -> BaseMessage:
    """A copy of `message` (same id) carrying `flags` as its marker, with `content` if given."""
    update = _without_mark(message)
    update["response_metadata"][MARK_KEY] = dict(flags or {"protected": True})
    if content is not None:
        update["content"] = content
    return message.model_copy(update=update)


def unmarked(message: BaseMessage) -> BaseMessage:
    if MARK_KEY not in message.response_metadata and MARK_KEY not in message.additional_kwargs:
        return message
    return message.model_copy(update=_without_mark(message))


def with_id(message: BaseMessage) -> BaseMessage:
    """`message` with an id, so that `add_messages` replaces it in state rather than appending."""
    return message if message.id else message.model_copy(update={"id": str(uuid.uuid4())})


# -- roles ----------------------------------------------------------------------------------------


def role_name(role: str) -> str:
    return _ROLE_ALIASES.get(role.lower(), role.lower())


def role_of(message: BaseMessage) -> str:
    if isinstance(message, HumanMessage):
        return "human"
    if isinstance(message, AIMessage):
        return "ai"
    if isinstance(message, SystemMessage):
        return "system"
    if isinstance(message, (ToolMessage, FunctionMessage)):
        return "tool"
    if isinstance(message, ChatMessage):
        return role_name(message.role)
    return role_name(message.type.removesuffix("MessageChunk"))


# -- the walk -------------------------------------------------------------------------------------


def block_text(block: Any) -> str | None:
    """The text of a content block, or None when the block is not text (see the module doc)."""
    if not isinstance(block, Mapping) or block.get("type") in REASONING_BLOCKS:
        return None
    text = block.get("text")
    return text if isinstance(text, str) else None


def rebuild_chunk(chunk: AIMessageChunk, **update: Any) -> AIMessageChunk:
    # Built anew (not model_copy) so that tool_calls are parsed again from the new chunks.
    fields = {
        name: getattr(chunk, name)
        for name in type(chunk).model_fields
        if name not in ("tool_calls", "invalid_tool_calls")
    }
    fields.update(update)
    return type(chunk)(**fields)


Fn = Callable[[str], str]


class Walk:
    """Which strings of a value are visited, and what happens to messages on the way.

    `roles` limits the messages walked (None: all); `tool_args` includes tool-call arguments;
    `strict` refuses a value of a type it does not know (protecting must not send one unchecked).
    `protecting`: a message already marked as protected is skipped, one restored in state gets
    its placeholder form back, and every message walked comes out marked. Otherwise (restoring)
    a message whose strings changed comes out without its protected mark."""

    def __init__(
        self,
        *,
        roles: Collection[str] | None = None,
        tool_args: bool = True,
        strict: bool = False,
        protecting: bool = False,
    ) -> None:
        self.roles = frozenset(role_name(r) for r in roles) if roles is not None else None
        self.tool_args = tool_args
        self.strict = strict
        self.protecting = protecting

    def wants(self, role: str) -> bool:
        return self.roles is None or role in self.roles

    def map(self, value: Any, fn: Fn) -> Any:
        """A copy of `value` with each string this walk selects replaced by `fn(string)`."""
        if isinstance(value, str):
            return fn(value)
        if value is None or isinstance(value, (bool, int, float)):
            return value
        if isinstance(value, BaseMessage):
            return self.message(value, fn)
        if isinstance(value, StringPromptValue):
            return value.model_copy(update={"text": fn(value.text)})
        if isinstance(value, ChatPromptValue):
            return value.model_copy(update={"messages": [self.map(m, fn) for m in value.messages]})
        if isinstance(value, Document):
            return value.model_copy(
                update={"page_content": fn(value.page_content), "metadata": self.map(value.metadata, fn)}
            )
        if isinstance(value, Mapping):
            return self._mapping(value, fn)
        if isinstance(value, tuple) and hasattr(type(value), "_fields"):  # a NamedTuple (a StateSnapshot)
            return type(value)(*(self.map(v, fn) for v in value))
        if (
            isinstance(value, tuple)
            and len(value) == 2
            and isinstance(value[0], str)
            and value[0].lower() in _ROLE_ALIASES
        ):  # ("human", "text"): a message
            wanted = self.wants(role_name(value[0]))
            return (value[0], self.content(value[1], fn) if wanted else value[1])
        if isinstance(value, (list, tuple)):
            return type(value)(self.map(v, fn) for v in value)
        if isinstance(value, BaseModel) or (dataclasses.is_dataclass(value) and not isinstance(value, type)):
            return self._record(value, fn)  # structured output, a graph state, an Interrupt
        if self.strict:
            raise ConfigError(
                f"cannot protect a {type(value).__name__}: pass a str, messages, a prompt value, "
                "a Document or a dict of them (nothing was sent)"
            )
        return value

    def _record(self, value: Any, fn: Fn) -> Any:
        """A pydantic model or a dataclass, rebuilt with its fields mapped."""
        try:
            if isinstance(value, BaseModel):
                return type(value).model_validate(self.map(value.model_dump(), fn))
            fields = {f.name: getattr(value, f.name) for f in dataclasses.fields(value) if f.init}
            mapped = {k: self.map(v, fn) for k, v in fields.items()}
            changed = {k: v for k, v in mapped.items() if v is not fields[k]}
            return dataclasses.replace(value, **changed) if changed else value
        except Exception as exc:
            if self.strict:
                name = type(value).__name__
                raise ConfigError(f"cannot protect a {name}: {type(exc).__name__}") from None
            return value

    def _mapping(self, value: Mapping[str, Any], fn: Fn) -> dict[str, Any]:
        role = value.get("role", value.get("type"))
        if not (isinstance(role, str) and "content" in value and role.lower() in _ROLE_ALIASES):
            return {k: self.map(v, fn) for k, v in value.items()}
        if not self.wants(role_name(role)):  # a {"role", "content"} message of another role
            return dict(value)
        out = {**value, "content": self.content(value["content"], fn)}
        calls = value.get("tool_calls")
        if self.tool_args and isinstance(calls, list):
            out["tool_calls"] = [self._dict_call(c, fn) for c in calls]
        return out

    def _dict_call(self, call: Any, fn: Fn) -> Any:
        if not isinstance(call, Mapping):
            return call
        function = call.get("function")
        if isinstance(function, Mapping) and "arguments" in function:  # OpenAI's format
            return {**call, "function": {**function, "arguments": self.json_text(function["arguments"], fn)}}
        if "args" in call:  # LangChain's
            return {**call, "args": self._args(call["args"], fn)}
        return call

    def _args(self, args: Any, fn: Fn) -> Any:
        return self.json_text(args, fn) if isinstance(args, str) else self.map(args, fn)

    def content(self, content: Any, fn: Fn) -> Any:
        """A message's content: a str, or a list of str and content blocks."""
        if isinstance(content, str):
            return fn(content)
        if not isinstance(content, list):
            return content
        out: list[Any] = []
        for block in content:
            if isinstance(block, str):
                out.append(fn(block))
            elif (text := block_text(block)) is not None:
                out.append({**block, "text": fn(text)})
            elif self.tool_args and isinstance(block, Mapping) and block.get("type") == "tool_use":
                out.append({**block, "input": self._args(block.get("input"), fn)})
            elif self.tool_args and isinstance(block, Mapping) and block.get("type") in _CALL_BLOCKS:
                out.append({**block, "args": self._args(block.get("args"), fn)})
            else:
                out.append(block)
        return out

    def json_text(self, text: Any, fn: Fn) -> Any:
        """Tool-call arguments as JSON text: mapped value by value when it parses, else whole."""
        if not isinstance(text, str):
            return text
        try:
            data = json.loads(text)
        except ValueError:
            return fn(text)
        return json.dumps(self.map(data, fn), ensure_ascii=False)

    def message(self, message: BaseMessage, fn: Fn) -> BaseMessage:
        if self.protecting:
            info = marker(message)
            if info.get("protected"):
                return message
            if info.get("restored") and "placeholder_content" in info:  # whatever its role
                return marked(message, info["placeholder_content"])
        if not self.wants(role_of(message)):
            return message
        content = self.content(message.content, fn)
        if isinstance(message, AIMessageChunk):
            chunks = message.tool_call_chunks
            if self.tool_args and chunks:
                chunks = [{**c, "args": self.json_text(c.get("args"), fn)} for c in chunks]
            changed = content != message.content or chunks != message.tool_call_chunks
            new: BaseMessage = rebuild_chunk(message, content=content, tool_call_chunks=chunks)
        else:
            update: dict[str, Any] = {"content": content}
            if isinstance(message, AIMessage) and self.tool_args:
                update["tool_calls"] = [{**c, "args": self.map(c["args"], fn)} for c in message.tool_calls]
                update["invalid_tool_calls"] = [
                    {**c, "args": self.json_text(c.get("args"), fn)} for c in message.invalid_tool_calls
                ]
            changed = any(getattr(message, k) != v for k, v in update.items())
            new = message.model_copy(update=update)
        if self.protecting:
            return marked(new)
        return unmarked(new) if changed else new


def collect(walk: Walk, value: Any) -> list[str]:
    """The strings `walk` would hand to `fn`, in order: the non-blank ones when protecting, the
    ones that may hold a placeholder (`<` or `&`, in every spelling) when restoring."""
    found: list[str] = []
    wanted: Callable[[str], bool] = (
        (lambda s: bool(s.strip())) if walk.protecting else (lambda s: "<" in s or "&" in s)
    )

    def visit(s: str) -> str:
        if wanted(s):
            found.append(s)
        return s

    walk.map(value, visit)
    return found


def put_back(walk: Walk, value: Any, replaced: Sequence[str]) -> Any:
    """`value` with the strings `collect` found taken, in order, from `replaced`."""
    it = iter(replaced)
    if walk.protecting:
        return walk.map(value, lambda s: next(it) if s.strip() else s)
    return walk.map(value, lambda s: next(it) if "<" in s or "&" in s else s)


# -- protect and restore a value ------------------------------------------------------------------

_RESTORE = Walk()
_RESTORE_NO_TOOLS = Walk(tool_args=False)


def protect_value(
    guard: PrivacyGuard, value: Any, who: Identity, walk: Walk, finish: Fn | None = None
) -> Any:
    """`value` in placeholder form: its strings (as `walk` selects them) in one batch. `finish`
    gets each protected string before it is put back."""
    texts = collect(walk, value)
    done = protect_texts(guard, texts, who)
    return put_back(walk, value, [finish(t) for t in done] if finish else done)


async def aprotect_value(
    guard: PrivacyGuard, value: Any, who: Identity, walk: Walk, finish: Fn | None = None
) -> Any:
    texts = collect(walk, value)
    done = await aprotect_texts(guard, texts, who)
    return put_back(walk, value, [finish(t) for t in done] if finish else done)


def restore_value(guard: PrivacyGuard, value: Any, who: Identity, *, tool_args: bool = True) -> Any:
    """A copy of `value` (a str, messages, a graph state or update, a model's structured output)
    with this user's values back; one vault lookup. Without a placeholder, `value` itself."""
    walk = _RESTORE if tool_args else _RESTORE_NO_TOOLS
    texts = collect(walk, value)
    if not texts:
        return value
    return put_back(walk, value, restore_texts(guard, texts, who))


async def arestore_value(guard: PrivacyGuard, value: Any, who: Identity, *, tool_args: bool = True) -> Any:
    walk = _RESTORE if tool_args else _RESTORE_NO_TOOLS
    texts = collect(walk, value)
    if not texts:
        return value
    return put_back(walk, value, await arestore_texts(guard, texts, who))
