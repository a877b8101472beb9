"""`PrivacyMiddleware` for LangChain 1.x agents (`langchain.agents.create_agent`).

Imported by `memprivacy_plugin.integrations.langchain` on first use of the name, since
`langchain.agents` (and LangGraph) take about a second to import.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable, Collection, Iterable, Sequence
from typing import Any

from langchain.agents.middleware import AgentMiddleware, ModelRequest, ModelResponse
from langchain.agents.middleware.types import ExtendedModelResponse
from langchain_core.messages import AIMessage, BaseMessage, SystemMessage, convert_to_messages
from langgraph.prebuilt.tool_node import ToolCallRequest
from langgraph.types import TracePolicy, omit_payload

from ...guard import PrivacyGuard
from .._identity import Identity, guard_from, identity_from
from .._messages import (
    MARK_KEY,
    Walk,
    aprotect_value,
    arestore_value,
    is_protected,
    marked,
    marker,
    protect_value,
    restore_value,
    role_of,
)
from .._tool_calls import ToolCalls, tool_name

__all__ = ["PROTECTED_MARK", "PrivacyMiddleware"]

PROTECTED_MARK = MARK_KEY
"""Key of the marker in a message's `response_metadata` (see `integrations._messages`)."""


def _config() -> Any:
    from langgraph.config import get_config

    try:
        return get_config()
    except RuntimeError:
        return None


class PrivacyMiddleware(AgentMiddleware):
    """Keeps the user's private values away from the agent's model, state and traces.

    - Before each model call, every message of the state not yet protected is replaced, same id,
      by its placeholder form (so a checkpointer, local or remote, stores placeholders), and the
      system prompt and any message another middleware added are protected for the call.
      Messages another adapter of this package protected are left as they are.
    - The model's answers are stored as they come: in placeholder form.
    - A tool call's arguments are restored before a *local* tool runs (it gets the real phone
      number), and its result is protected before it reaches the model. Tools named in
      `remote_tools` (web search, a cloud memory) get the placeholders as they are, and their
      results, already cloud-side data, pass unchanged unless `protect_remote_results=True`
      (this user's own placeholders in them stay as they are either way).
    - The user gets real values back with `restore_output(result, config=...)` on their side;
      `restore_output=True` instead restores the last AI message inside the state at the end of
      the run, which puts clear text in the state: only for a local checkpointer, or none.

    Identity: `user_id`, `namespace`, `user_name` from the run's context (`context=`) or
    `config["configurable"]`, else this middleware's `user_id=`; no user id raises ConfigError.
    Place it first in `middleware=[...]` so that the other middleware's hooks see placeholders.
    Its own hook spans record no payload (`trace_policy`); pass another to change that.
    """

    def __init__(
        self,
        guard: PrivacyGuard | None = None,
        *,
        remote_tools: Iterable[Any] = (),
        protect_remote_results: bool = False,
        restore_output: bool = False,
        roles: Collection[str] | None = None,
        user_id: str | None = None,
        namespace: str | None = None,
        trace_policy: TracePolicy | None = None,
    ) -> None:
        super().__init__()
        self._guard = guard
        self.remote_tools = frozenset(tool_name(t) for t in remote_tools)
        self.protect_remote_results = protect_remote_results
        self.restore_output = restore_output
        self._walk = Walk(roles=roles, protecting=True)
        self._all = Walk(protecting=True)
        self._tools = ToolCalls(self.remote_tools, protect_remote=protect_remote_results)
        self._default = Identity(user_id, namespace) if user_id else None
        self.trace_policy = trace_policy or TracePolicy(
            process_inputs=omit_payload, process_outputs=omit_payload
        )

    @property
    def guard(self) -> PrivacyGuard:
        return guard_from(self._guard, _config())

    def _who(self, runtime: Any) -> tuple[PrivacyGuard, Identity]:
        # The same order as the LangGraph adapter: the config's `configurable`, then the context.
        config = getattr(runtime, "config", None) or _config()
        context = getattr(runtime, "context", None)
        guard = guard_from(self._guard, config, context)
        return guard, identity_from(config, context, default=self._default)

    # -- the caller's side ----------------------------------------------------------------------

    def protect_input(self, messages: Sequence[Any], config: Any = None) -> list[BaseMessage]:
        """The messages to pass to the agent, already protected and marked as such, so that the
        agent's own run (which tracers record with its input) never holds the clear text:
        `agent.invoke({"messages": mw.protect_input(messages, config)}, config)`. Accepts
        messages, `(role, text)` tuples and `{"role", "content"}` dicts."""
        who = identity_from(config, default=self._default)
        out: list[BaseMessage] = protect_value(
            guard_from(self._guard, config), convert_to_messages(messages), who, self._walk
        )
        return out

    async def aprotect_input(self, messages: Sequence[Any], config: Any = None) -> list[BaseMessage]:
        who = identity_from(config, default=self._default)
        out: list[BaseMessage] = await aprotect_value(
            guard_from(self._guard, config), convert_to_messages(messages), who, self._walk
        )
        return out

    # -- the state before each model call -------------------------------------------------------

    def _pending(self, state: Any) -> list[BaseMessage]:
        return [
            m
            for m in state.get("messages", [])
            if isinstance(m, BaseMessage)
            and not is_protected(m)
            and (self._walk.wants(role_of(m)) or marker(m).get("restored"))
        ]

    def before_model(self, state: Any, runtime: Any) -> dict[str, Any] | None:
        todo = self._pending(state)
        if not todo:
            return None
        guard, who = self._who(runtime)
        return {"messages": protect_value(guard, todo, who, self._walk)}

    async def abefore_model(self, state: Any, runtime: Any) -> dict[str, Any] | None:
        todo = self._pending(state)
        if not todo:
            return None
        guard, who = self._who(runtime)
        return {"messages": await aprotect_value(guard, todo, who, self._walk)}

    # -- the model call -------------------------------------------------------------------------

    @staticmethod
    def _split(request: ModelRequest) -> tuple[list[int], list[BaseMessage]]:
        todo = [i for i, m in enumerate(request.messages) if not is_protected(m)]
        extra: list[BaseMessage] = [request.messages[i] for i in todo]
        if request.system_message is not None:
            extra.append(request.system_message)
        return todo, extra

    @staticmethod
    def _override(request: ModelRequest, todo: list[int], protected: list[Any]) -> ModelRequest:
        messages: list[Any] = list(request.messages)
        for i, message in zip(todo, protected, strict=False):
            messages[i] = message
        system = request.system_message
        if system is not None:
            system = protected[-1]
            assert isinstance(system, SystemMessage)
        return request.override(messages=messages, system_message=system)

    @staticmethod
    def _mark_response(response: Any) -> Any:
        # The model only saw placeholders: its answer is in placeholder form.
        if isinstance(response, AIMessage):
            return marked(response)
        if isinstance(response, ModelResponse):
            return dataclasses.replace(response, result=[marked(m) for m in response.result])
        if isinstance(response, ExtendedModelResponse):
            inner = response.model_response
            return dataclasses.replace(
                response, model_response=dataclasses.replace(inner, result=[marked(m) for m in inner.result])
            )
        return response

    def wrap_model_call(self, request: ModelRequest, handler: Callable[[ModelRequest], Any]) -> Any:
        todo, extra = self._split(request)
        if extra:
            guard, who = self._who(request.runtime)
            request = self._override(request, todo, protect_value(guard, extra, who, self._all))
        return self._mark_response(handler(request))

    async def awrap_model_call(
        self, request: ModelRequest, handler: Callable[[ModelRequest], Awaitable[Any]]
    ) -> Any:
        todo, extra = self._split(request)
        if extra:
            guard, who = self._who(request.runtime)
            request = self._override(request, todo, await aprotect_value(guard, extra, who, self._all))
        return self._mark_response(await handler(request))

    # -- tool calls -----------------------------------------------------------------------------

    def wrap_tool_call(self, request: ToolCallRequest, handler: Callable[[ToolCallRequest], Any]) -> Any:
        guard, who = self._who(request.runtime)
        request, known = self._tools.before(guard, request, who)
        return self._tools.after(guard, request, handler(request), who, known)

    async def awrap_tool_call(
        self, request: ToolCallRequest, handler: Callable[[ToolCallRequest], Awaitable[Any]]
    ) -> Any:
        guard, who = self._who(request.runtime)
        request, known = await self._tools.abefore(guard, request, who)
        return await self._tools.aafter(guard, request, await handler(request), who, known)

    # -- the end of the run ---------------------------------------------------------------------

    def _last_ai(self, state: Any) -> AIMessage | None:
        for message in reversed(state.get("messages", [])) if self.restore_output else ():
            if isinstance(message, AIMessage):
                return message
        return None

    @staticmethod
    def _restored(last: AIMessage, shown: BaseMessage) -> dict[str, Any] | None:
        if shown.content == last.content:
            return None
        # The placeholder form rides along: the next turn swaps it back in without an extraction.
        return {"messages": [marked(shown, restored=True, placeholder_content=last.content)]}

    def after_agent(self, state: Any, runtime: Any) -> dict[str, Any] | None:
        last = self._last_ai(state)
        if last is None:
            return None
        guard, who = self._who(runtime)
        return self._restored(last, restore_value(guard, last, who))

    async def aafter_agent(self, state: Any, runtime: Any) -> dict[str, Any] | None:
        last = self._last_ai(state)
        if last is None:
            return None
        guard, who = self._who(runtime)
        return self._restored(last, await arestore_value(guard, last, who))
