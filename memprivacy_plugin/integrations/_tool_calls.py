"""The privacy steps around one tool call, shared by LangGraph's `PrivateToolNode` and LangChain's
`PrivacyMiddleware` (both wrap `langgraph.prebuilt`'s tool-call requests):

- a local tool gets its arguments restored (the real phone number, not `<Phone_Number_1>`); a
  tool named remote (web search, a cloud memory) gets the placeholders as the model wrote them;
- the result (a `ToolMessage`, or the messages of a `Command`; an artifact too) is put in
  placeholder form and marked before it enters state and reaches the model. The real values of
  the placeholders a local tool was given are swapped back even where the extractor would miss
  them. The guard keeps this user's own placeholders as they are, so a cloud memory's
  "User's phone is <Phone_Number_1>" keeps its link for the model;
- a remote tool's result is cloud-side data already: protected the same way, or only marked
  (`protect_remote=False`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from langchain_core.messages import BaseMessage, ToolMessage
from langchain_core.tools import BaseTool
from langgraph.prebuilt.tool_node import ToolCallRequest
from langgraph.types import Command

from ..errors import UnknownPlaceholderError
from ..guard import PrivacyGuard
from ._batch import reprotect_known
from ._identity import Identity
from ._messages import Walk, aprotect_value, is_protected, marked, protect_value

__all__ = ["ToolCalls", "tool_name"]

_PROTECT = Walk(protecting=True)
_ANY = Walk()


def _scope(who: Identity) -> dict[str, Any]:
    return {"user_id": who.vault_user, "user_name": who.user_name, "namespace": who.namespace}


def _refuse_unresolved(guard: PrivacyGuard, call: Any, who: Identity) -> None:
    """A local tool must never get a placeholder as if it were the value (it would text
    `<Phone_Number_1>`): one the guard in use does not resolve for this user fails the call."""
    unresolved = guard.unresolved_placeholders(call["args"], **who.scope())
    if unresolved:
        raise UnknownPlaceholderError(
            f"local tool {call['name']!r} was called with {len(unresolved)} placeholder(s) that the guard "
            "in use cannot resolve for this user; likely cause: components with different guards (a "
            "node given guard= beside one given none): pass the guard once, private_graph(graph, guard)"
        )


def tool_name(tool: str | BaseTool | Callable[..., Any]) -> str:
    if isinstance(tool, str):
        return tool
    if isinstance(tool, BaseTool):
        return tool.name
    return str(getattr(tool, "__name__", tool))


class ToolCalls:
    """`before` (the request the tool gets, and the values it was given) and `after` (the result
    the model gets) of one tool call, sync and async."""

    def __init__(
        self, remote_tools: frozenset[str], *, protect_remote: bool, messages_key: str = "messages"
    ) -> None:
        self.remote_tools = remote_tools
        self.protect_remote = protect_remote
        self.messages_key = messages_key

    def is_remote(self, request: ToolCallRequest) -> bool:
        return request.tool_call["name"] in self.remote_tools

    # -- the call --------------------------------------------------------------------------------

    def before(
        self, guard: PrivacyGuard, request: ToolCallRequest, who: Identity
    ) -> tuple[ToolCallRequest, dict[str, str]]:
        if self.is_remote(request):
            return request, {}
        call = request.tool_call
        _refuse_unresolved(guard, call, who)
        args = guard.restore_data(call["args"], **who.scope())
        known = guard.placeholder_values(call["args"], **who.scope())
        return request.override(tool_call={**call, "args": args}), {v: t for t, v in known.items()}

    async def abefore(
        self, guard: PrivacyGuard, request: ToolCallRequest, who: Identity
    ) -> tuple[ToolCallRequest, dict[str, str]]:
        if self.is_remote(request):
            return request, {}
        call = request.tool_call
        await asyncio.to_thread(_refuse_unresolved, guard, call, who)
        args = await guard.arestore_data(call["args"], **who.scope())
        known = await asyncio.to_thread(guard.placeholder_values, call["args"], **who.scope())
        return request.override(tool_call={**call, "args": args}), {v: t for t, v in known.items()}

    # -- the result ------------------------------------------------------------------------------

    def _todo(self, request: ToolCallRequest, result: Any) -> list[BaseMessage] | None:
        """The result's messages to protect, or None when they only get marked."""
        todo = [m for m in self._messages_in(result) if not is_protected(m)]
        return None if self.is_remote(request) and not self.protect_remote else todo

    def after(
        self, guard: PrivacyGuard, request: ToolCallRequest, result: Any, who: Identity, known: dict[str, str]
    ) -> Any:
        todo = self._todo(request, result)
        if todo is None:
            return self._replace(result, {id(m): marked(m) for m in self._messages_in(result)})
        if not todo:
            return result
        finish = (lambda t: reprotect_known(t, known)) if known else None
        protected = protect_value(guard, todo, who, _PROTECT, finish)
        artifacts = self._artifacts(todo)
        if artifacts:
            artifacts = guard.protect_data(artifacts, **_scope(who))
        return self._rebuilt(result, todo, protected, artifacts, known)

    async def aafter(
        self, guard: PrivacyGuard, request: ToolCallRequest, result: Any, who: Identity, known: dict[str, str]
    ) -> Any:
        todo = self._todo(request, result)
        if todo is None:
            return self._replace(result, {id(m): marked(m) for m in self._messages_in(result)})
        if not todo:
            return result
        finish = (lambda t: reprotect_known(t, known)) if known else None
        protected = await aprotect_value(guard, todo, who, _PROTECT, finish)
        artifacts = self._artifacts(todo)
        if artifacts:
            artifacts = await guard.aprotect_data(artifacts, **_scope(who))
        return self._rebuilt(result, todo, protected, artifacts, known)

    @staticmethod
    def _artifacts(todo: list[BaseMessage]) -> dict[int, Any]:
        # A ToolMessage's artifact is not sent to the model, but it is kept in state.
        return {
            i: m.artifact for i, m in enumerate(todo) if isinstance(m, ToolMessage) and m.artifact is not None
        }

    def _rebuilt(
        self,
        result: Any,
        todo: list[BaseMessage],
        protected: list[BaseMessage],
        artifacts: dict[int, Any],
        known: dict[str, str],
    ) -> Any:
        done: dict[int, BaseMessage] = {}
        for i, (old, new) in enumerate(zip(todo, protected, strict=True)):
            if i in artifacts:
                artifact = artifacts[i]
                if known:  # the values the tool was given, wherever the extractor missed them
                    artifact = _ANY.map(artifact, lambda s: reprotect_known(s, known))
                new = new.model_copy(update={"artifact": artifact})
            done[id(old)] = new
        return self._replace(result, done)

    def _messages_in(self, result: Any) -> list[BaseMessage]:
        if isinstance(result, BaseMessage):
            return [result]
        if isinstance(result, Command) and isinstance(result.update, dict):
            found = result.update.get(self.messages_key)
            return [m for m in found if isinstance(m, BaseMessage)] if isinstance(found, list) else []
        if isinstance(result, list):
            return [m for r in result for m in self._messages_in(r)]
        return []

    def _replace(self, result: Any, done: dict[int, BaseMessage]) -> Any:
        if isinstance(result, BaseMessage):
            return done.get(id(result), result)
        if isinstance(result, Command) and isinstance(result.update, dict):
            found = result.update.get(self.messages_key)
            if isinstance(found, list):
                update = {**result.update, self.messages_key: [done.get(id(m), m) for m in found]}
                return replace(result, update=update)
            return result
        if isinstance(result, list):
            return [self._replace(r, done) for r in result]
        return result
