"""`PrivateToolNode`: `langgraph.prebuilt.ToolNode` for a model that only sees placeholders.

A local tool gets its arguments restored (the real phone number, not `<Phone_Number_1>`); every
tool result is put in placeholder form before it enters state and reaches the model; tools named
in `remote_tools` call remote services and get placeholder arguments only. Everything else is
`ToolNode`'s own behaviour (parallel calls, errors as `ToolMessage`s, injected state and store),
since the privacy steps run as its tool-call wrapper.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import replace
from typing import Any

from langchain_core.messages import BaseMessage, ToolMessage
from langchain_core.tools import BaseTool
from langgraph.prebuilt import ToolNode
from langgraph.prebuilt.tool_node import ToolCallRequest
from langgraph.types import Command

from ...guard import PrivacyGuard
from .._identity import Identity
from ._common import (
    content_strings,
    identity_of,
    is_protected,
    marked,
    placeholder_tokens,
    rebuild_content,
    reprotect_known,
    tree_strings,
)

__all__ = ["PrivateToolNode"]

Execute = Callable[[ToolCallRequest], "ToolMessage | Command[Any]"]
AExecute = Callable[[ToolCallRequest], Awaitable["ToolMessage | Command[Any]"]]
Wrapper = Callable[[ToolCallRequest, Execute], "ToolMessage | Command[Any]"]
AWrapper = Callable[[ToolCallRequest, AExecute], Awaitable["ToolMessage | Command[Any]"]]


def _name(tool: str | BaseTool | Callable[..., Any]) -> str:
    if isinstance(tool, str):
        return tool
    if isinstance(tool, BaseTool):
        return tool.name
    return str(getattr(tool, "__name__", tool))


class PrivateToolNode(ToolNode):
    """Drop-in for `ToolNode(tools, ...)`; `guard` protects and restores, `remote_tools` (names or
    tools) never see real values. Your own `wrap_tool_call`/`awrap_tool_call` still work: they
    see the request with the arguments the tool will get."""

    def __init__(
        self,
        tools: Sequence[BaseTool | Callable[..., Any]],
        guard: PrivacyGuard | None = None,
        *,
        remote_tools: Iterable[str | BaseTool | Callable[..., Any]] = (),
        wrap_tool_call: Wrapper | None = None,
        awrap_tool_call: AWrapper | None = None,
        **kwargs: Any,
    ) -> None:
        self.guard = guard or PrivacyGuard()
        self.remote_tools = frozenset(_name(t) for t in remote_tools)
        self._inner_wrap = wrap_tool_call
        self._inner_awrap = awrap_tool_call
        # With only a sync wrapper of yours, async runs go through the sync path as in ToolNode.
        awrap = self._aprivate_call if awrap_tool_call is not None or wrap_tool_call is None else None
        super().__init__(tools, wrap_tool_call=self._private_call, awrap_tool_call=awrap, **kwargs)

    # -- one tool call ---------------------------------------------------------------------------

    def _who(self, request: ToolCallRequest) -> Identity:
        return identity_of(request.runtime.config, request.runtime.context)

    def _private_call(self, request: ToolCallRequest, execute: Execute) -> ToolMessage | Command[Any]:
        who = self._who(request)
        call = request.tool_call
        known: dict[str, str] = {}
        if call["name"] not in self.remote_tools:
            args = self.guard.restore_data(call["args"], user_id=who.user_id, namespace=who.namespace)
            known = self._known(call["args"], who)
            request = request.override(tool_call={**call, "args": args})
        result = self._inner_wrap(request, execute) if self._inner_wrap is not None else execute(request)
        protected: ToolMessage | Command[Any] = self._protect(result, who, known)
        return protected

    async def _aprivate_call(self, request: ToolCallRequest, execute: AExecute) -> ToolMessage | Command[Any]:
        who = self._who(request)
        call = request.tool_call
        known: dict[str, str] = {}
        if call["name"] not in self.remote_tools:
            args = await self.guard.arestore_data(call["args"], user_id=who.user_id, namespace=who.namespace)
            known = self._known(call["args"], who)
            request = request.override(tool_call={**call, "args": args})
        if self._inner_awrap is not None:
            result = await self._inner_awrap(request, execute)
        else:
            result = await execute(request)
        protected: ToolMessage | Command[Any] = await self._aprotect(result, who, known)
        return protected

    def _known(self, args: Any, who: Identity) -> dict[str, str]:
        """Real value -> placeholder, for the placeholders in the arguments: a tool that echoes a
        value the extractor would miss still returns it in placeholder form."""
        strings: list[str] = []
        tree_strings(args, strings.append)
        tokens = placeholder_tokens(strings)
        if not tokens:
            return {}
        values = self.guard.restore_data(tokens, user_id=who.user_id, namespace=who.namespace)
        return {v: t for t, v in zip(tokens, values, strict=True) if v != t}

    # -- the result ------------------------------------------------------------------------------

    def _messages_in(self, result: Any) -> list[BaseMessage]:
        if isinstance(result, BaseMessage):
            return [result]
        if isinstance(result, Command) and isinstance(result.update, dict):
            found = result.update.get(self._messages_key)
            return [m for m in found if isinstance(m, BaseMessage)] if isinstance(found, list) else []
        if isinstance(result, list):
            return [m for r in result for m in self._messages_in(r)]
        return []

    def _replace(self, result: Any, done: dict[int, BaseMessage]) -> Any:
        if isinstance(result, BaseMessage):
            return done.get(id(result), result)
        if isinstance(result, Command) and isinstance(result.update, dict):
            found = result.update.get(self._messages_key)
            if isinstance(found, list):
                update = {**result.update, self._messages_key: [done.get(id(m), m) for m in found]}
                return replace(result, update=update)
            return result
        if isinstance(result, list):
            return [self._replace(r, done) for r in result]
        return result

    def _texts(self, messages: list[BaseMessage]) -> list[str]:
        return [s for m in messages for s in content_strings(m.content)]

    def _rebuilt(
        self,
        result: Any,
        todo: list[BaseMessage],
        protected: list[str],
        artifacts: list[Any],
        known: dict[str, str],
    ) -> Any:
        texts = iter(reprotect_known(t, known) for t in protected)
        done: dict[int, BaseMessage] = {}
        for m, artifact in zip(todo, artifacts, strict=True):
            new = marked(m, rebuild_content(m.content, texts), protected=True)
            if isinstance(m, ToolMessage) and m.artifact is not None:
                new = new.model_copy(update={"artifact": artifact})
            done[id(m)] = new
        return self._replace(result, done)

    def _protect(self, result: Any, who: Identity, known: dict[str, str]) -> Any:
        todo = [m for m in self._messages_in(result) if not is_protected(m)]
        if not todo:
            return result
        texts = self._texts(todo)
        g = self.guard
        kw: dict[str, Any] = {"user_id": who.user_id, "user_name": who.user_name, "namespace": who.namespace}
        protected = [r.text for r in g.protect_batch(texts, **kw)] if texts else []
        artifacts = [
            _reprotect_data(g.protect_data(m.artifact, **kw), known)
            if isinstance(m, ToolMessage) and m.artifact is not None
            else None
            for m in todo
        ]
        return self._rebuilt(result, todo, protected, artifacts, known)

    async def _aprotect(self, result: Any, who: Identity, known: dict[str, str]) -> Any:
        todo = [m for m in self._messages_in(result) if not is_protected(m)]
        if not todo:
            return result
        g = self.guard
        kw: dict[str, Any] = {"user_id": who.user_id, "user_name": who.user_name, "namespace": who.namespace}
        protected = [(await g.aprotect(t, **kw)).text for t in self._texts(todo)]
        artifacts = [
            _reprotect_data(await g.aprotect_data(m.artifact, **kw), known)
            if isinstance(m, ToolMessage) and m.artifact is not None
            else None
            for m in todo
        ]
        return self._rebuilt(result, todo, protected, artifacts, known)


def _reprotect_data(data: Any, known: dict[str, str]) -> Any:
    if not known:
        return data
    if isinstance(data, str):
        return reprotect_known(data, known)
    if isinstance(data, dict):
        return {k: _reprotect_data(v, known) for k, v in data.items()}
    if isinstance(data, tuple):
        return tuple(_reprotect_data(v, known) for v in data)
    if isinstance(data, list):
        return [_reprotect_data(v, known) for v in data]
    return data
