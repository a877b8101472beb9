"""`PrivateToolNode`: `langgraph.prebuilt.ToolNode` for a model that only sees placeholders.

A local tool gets its arguments restored (the real phone number, not `<Phone_Number_1>`); every
tool result is put in placeholder form before it enters state and reaches the model (this user's
own placeholders in it, such as a cloud memory's "User's phone is <Phone_Number_1>", stay as they
are); tools named in `remote_tools` call remote services and get placeholder arguments only.
Everything else is `ToolNode`'s own behaviour (parallel calls, errors as `ToolMessage`s, injected
state and store), since the privacy steps run as its tool-call wrapper. The steps are the ones
`PrivacyMiddleware` takes (`integrations._tool_calls`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import Any

from langchain_core.messages import ToolMessage
from langchain_core.tools import BaseTool
from langgraph.prebuilt import ToolNode
from langgraph.prebuilt.tool_node import ToolCallRequest
from langgraph.types import Command

from ...guard import PrivacyGuard
from .._identity import Identity
from .._tool_calls import ToolCalls, tool_name
from ._common import guard_of, identity_of

__all__ = ["PrivateToolNode"]

Execute = Callable[[ToolCallRequest], "ToolMessage | Command[Any]"]
AExecute = Callable[[ToolCallRequest], Awaitable["ToolMessage | Command[Any]"]]
Wrapper = Callable[[ToolCallRequest, Execute], "ToolMessage | Command[Any]"]
AWrapper = Callable[[ToolCallRequest, AExecute], Awaitable["ToolMessage | Command[Any]"]]


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
        self._guard = guard
        self.remote_tools = frozenset(tool_name(t) for t in remote_tools)
        self._inner_wrap = wrap_tool_call
        self._inner_awrap = awrap_tool_call
        # With only a sync wrapper of yours, async runs go through the sync path as in ToolNode.
        awrap = self._aprivate_call if awrap_tool_call is not None or wrap_tool_call is None else None
        super().__init__(tools, wrap_tool_call=self._private_call, awrap_tool_call=awrap, **kwargs)
        self._calls = ToolCalls(self.remote_tools, protect_remote=True, messages_key=self._messages_key)

    @property
    def guard(self) -> PrivacyGuard:
        """The guard given, else the process-wide default."""
        return guard_of(self._guard)

    def _who(self, request: ToolCallRequest) -> tuple[PrivacyGuard, Identity]:
        config, context = request.runtime.config, request.runtime.context
        return guard_of(self._guard, config, context), identity_of(config, context)

    def _private_call(self, request: ToolCallRequest, execute: Execute) -> ToolMessage | Command[Any]:
        guard, who = self._who(request)
        request, known = self._calls.before(guard, request, who)
        result = self._inner_wrap(request, execute) if self._inner_wrap is not None else execute(request)
        protected: ToolMessage | Command[Any] = self._calls.after(guard, request, result, who, known)
        return protected

    async def _aprivate_call(self, request: ToolCallRequest, execute: AExecute) -> ToolMessage | Command[Any]:
        guard, who = self._who(request)
        request, known = await self._calls.abefore(guard, request, who)
        if self._inner_awrap is not None:
            result = await self._inner_awrap(request, execute)
        else:
            result = await execute(request)
        protected: ToolMessage | Command[Any] = await self._calls.aafter(guard, request, result, who, known)
        return protected
