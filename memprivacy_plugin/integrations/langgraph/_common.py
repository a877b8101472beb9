"""What the LangGraph adapters share: who a call is for, and walking messages' text.

Messages carry a small marker in `additional_kwargs["memprivacy"]`: `{"protected": True}` once their
content is in placeholder form (so no node protects it twice, which would escape our own
placeholders as `<Literal_N>`), and `{"restored": True, "placeholder_content": ...}` on an answer a
restore node put back in clear text (the privacy node swaps the placeholder form back in before the
model sees the history again).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage
from langgraph._internal._constants import CONFIG_KEY_RUNTIME

from ...guard import PrivacyGuard
from ...placeholders import PLACEHOLDER_RE
from .._identity import Identity, identity_from

__all__ = [
    "MARKER",
    "arestore_tree",
    "identity_of",
    "is_protected",
    "marked",
    "message_strings",
    "rebuild_message",
    "restore_tree",
]

MARKER = "memprivacy"


def identity_of(config: Any = None, context: Any = None, default: Identity | None = None) -> Identity:
    """The user from `config["configurable"]`, else the runtime context (a mapping or an object with
    `user_id`), else `default`; `ConfigError` when none names a user."""
    return identity_from(config, context, default=default)


def graph_runtime(config: Any) -> Any:
    """The LangGraph `Runtime` of the current run, read from the node's config (None outside a
    graph run, so nodes also work when invoked on their own)."""
    configurable = config.get("configurable") if isinstance(config, dict) else None
    return configurable.get(CONFIG_KEY_RUNTIME) if isinstance(configurable, dict) else None


def runtime_context(runtime: Any) -> Any:
    """The LangGraph runtime's context (None outside a graph run)."""
    return getattr(runtime, "context", None)


def marker(message: BaseMessage) -> dict[str, Any]:
    value = message.additional_kwargs.get(MARKER)
    return value if isinstance(value, dict) else {}


def is_protected(message: BaseMessage) -> bool:
    return bool(marker(message).get("protected"))


def marked(message: BaseMessage, content: Any, **flags: Any) -> BaseMessage:
    """A copy of `message` (same id, so `add_messages` replaces it) with new content and marker."""
    kwargs = {**message.additional_kwargs, MARKER: dict(flags)}
    return message.model_copy(update={"content": content, "additional_kwargs": kwargs})


# -- protecting messages (privacy_node, protect_input) --------------------------------------------


def plan_protection(
    messages: Iterable[BaseMessage], types: frozenset[str]
) -> tuple[list[BaseMessage], list[BaseMessage]]:
    """(messages to protect: unmarked ones of `types`; restored answers to swap back)."""
    to_protect, to_swap = [], []
    for m in messages:
        info = marker(m)
        if info.get("restored") and "placeholder_content" in info:
            to_swap.append(m)
        elif not info.get("protected") and m.type in types:
            to_protect.append(m)
    return to_protect, to_swap


def protection_texts(to_protect: list[BaseMessage]) -> list[str]:
    return [s for m in to_protect for s in content_strings(m.content)]


def apply_protection(
    to_protect: list[BaseMessage], to_swap: list[BaseMessage], protected: list[str]
) -> list[BaseMessage]:
    """Marked copies (same ids, so `add_messages` replaces) in placeholder form."""
    texts = iter(protected)
    out = [with_id(marked(m, rebuild_content(m.content, texts), protected=True)) for m in to_protect]
    out += [marked(m, marker(m)["placeholder_content"], protected=True) for m in to_swap]
    return out


def protect_texts(guard: PrivacyGuard, texts: list[str], who: Identity) -> list[str]:
    if not texts:
        return []
    done = guard.protect_batch(texts, user_id=who.user_id, user_name=who.user_name, namespace=who.namespace)
    return [r.text for r in done]


async def aprotect_texts(guard: PrivacyGuard, texts: list[str], who: Identity) -> list[str]:
    kw = {"user_id": who.user_id, "user_name": who.user_name, "namespace": who.namespace}
    return [(await guard.aprotect(t, **kw)).text for t in texts]  # type: ignore[arg-type]


def with_id(message: BaseMessage) -> BaseMessage:
    return message if message.id else message.model_copy(update={"id": str(uuid.uuid4())})


# -- the strings of a message's content -----------------------------------------------------------


def content_strings(content: Any) -> list[str]:
    """The text of a message content: the string, or the text parts of a list of content blocks."""
    if isinstance(content, str):
        return [content]
    out: list[str] = []
    if isinstance(content, list):
        for block in content:
            if isinstance(block, str):
                out.append(block)
            elif isinstance(block, dict) and isinstance(block.get("text"), str):
                out.append(block["text"])
    return out


def rebuild_content(content: Any, replaced: Iterator[str]) -> Any:
    """`content` with its strings (in `content_strings` order) taken from `replaced`."""
    if isinstance(content, str):
        return next(replaced)
    if not isinstance(content, list):
        return content
    out: list[Any] = []
    for block in content:
        if isinstance(block, str):
            out.append(next(replaced))
        elif isinstance(block, dict) and isinstance(block.get("text"), str):
            out.append({**block, "text": next(replaced)})
        else:
            out.append(block)
    return out


def message_strings(message: BaseMessage, *, tool_args: bool = True) -> list[str]:
    """Content strings, then (for AI messages) every string in the tool calls' arguments."""
    out = content_strings(message.content)
    if tool_args and isinstance(message, AIMessage):
        for call in message.tool_calls:
            tree_strings(call["args"], out.append)
    return out


def rebuild_message(message: BaseMessage, replaced: Iterator[str], *, tool_args: bool = True) -> BaseMessage:
    update: dict[str, Any] = {"content": rebuild_content(message.content, replaced)}
    if tool_args and isinstance(message, AIMessage) and message.tool_calls:
        update["tool_calls"] = [
            {**call, "args": tree_rebuild(call["args"], replaced)} for call in message.tool_calls
        ]
    return message.model_copy(update=update)


# -- restoring whatever a graph returns or streams ------------------------------------------------


def tree_strings(data: Any, visit: Callable[[str], None]) -> None:
    """Visit every string of JSON-like data and of the messages inside it."""
    if isinstance(data, BaseMessage):
        for s in message_strings(data):
            visit(s)
    elif isinstance(data, str):
        visit(data)
    elif isinstance(data, dict):
        for v in data.values():
            tree_strings(v, visit)
    elif isinstance(data, (list, tuple)):
        for v in data:
            tree_strings(v, visit)


def tree_rebuild(data: Any, replaced: Iterator[str]) -> Any:
    if isinstance(data, BaseMessage):
        return rebuild_message(data, replaced)
    if isinstance(data, str):
        return next(replaced)
    if isinstance(data, dict):
        return {k: tree_rebuild(v, replaced) for k, v in data.items()}
    if isinstance(data, tuple):
        return tuple(tree_rebuild(v, replaced) for v in data)
    if isinstance(data, list):
        return [tree_rebuild(v, replaced) for v in data]
    return data


def _gather(data: Any) -> list[str] | None:
    found: list[str] = []
    tree_strings(data, found.append)
    return found if any(PLACEHOLDER_RE.search(s) for s in found) else None


def restore_tree(data: Any, guard: PrivacyGuard, who: Identity) -> Any:
    """A copy of `data` (a state dict, an update, messages) with this user's values restored; one
    vault lookup for all of it. Data without placeholders comes back as it is."""
    found = _gather(data)
    if found is None:
        return data
    restored = guard.restore_data(found, user_id=who.user_id, namespace=who.namespace)
    return tree_rebuild(data, iter(restored))


async def arestore_tree(data: Any, guard: PrivacyGuard, who: Identity) -> Any:
    found = _gather(data)
    if found is None:
        return data
    restored = await guard.arestore_data(found, user_id=who.user_id, namespace=who.namespace)
    return tree_rebuild(data, iter(restored))


def placeholder_tokens(strings: Iterable[str]) -> list[str]:
    """The distinct placeholder-looking tokens in `strings`, in order."""
    return list(dict.fromkeys(m.group(0) for s in strings for m in PLACEHOLDER_RE.finditer(s)))


def reprotect_known(text: str, known: dict[str, str]) -> str:
    """Swap each known real value (value -> its placeholder) still present in `text` back to its
    placeholder: one pass, longest values first, never inside an existing placeholder."""
    values = [v for v in sorted(known, key=len, reverse=True) if v]
    if not values or not any(v in text for v in values):
        return text
    pattern = re.compile("|".join(re.escape(v) for v in values))
    pieces: list[str] = []
    last = 0
    for m in PLACEHOLDER_RE.finditer(text):
        pieces.append(pattern.sub(lambda v: known[v.group(0)], text[last : m.start()]))
        pieces.append(m.group(0))
        last = m.end()
    pieces.append(pattern.sub(lambda v: known[v.group(0)], text[last:]))
    return "".join(pieces)
