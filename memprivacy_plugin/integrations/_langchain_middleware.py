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
from langchain_core.messages import AIMessage, BaseMessage, SystemMessage, ToolMessage, convert_to_messages
from langgraph.prebuilt.tool_node import ToolCallRequest
from langgraph.types import Command, TracePolicy, omit_payload

from ..guard import PrivacyGuard
from ._identity import Identity, identity_from
from .langchain import (
    _aprotect_texts,
    _arestore_texts,
    _collect,
    _protect_texts,
    _put_back,
    _restore_texts,
    _Walk,
    default_guard,
)

__all__ = ["PROTECTED_MARK", "PrivacyMiddleware"]

PROTECTED_MARK = "memprivacy"
"""Key in a message's `response_metadata` marking it as already in placeholder form (so that it
is not protected twice: a placeholder protected again would become a `<Literal_N>`). Providers do
not send `response_metadata` to the model. Messages marked by the LangGraph adapter count too."""


def _is_marked(message: BaseMessage) -> bool:
    if message.response_metadata.get(PROTECTED_MARK):
        return True
    # The LangGraph adapter's marker (`additional_kwargs["memprivacy"] = {"protected": True}`).
    theirs = message.additional_kwargs.get(PROTECTED_MARK)
    return isinstance(theirs, dict) and bool(theirs.get("protected"))


def _mark(message: BaseMessage) -> BaseMessage:
    meta = {**message.response_metadata, PROTECTED_MARK: True}
    return message.model_copy(update={"response_metadata": meta})


def _unmark(message: BaseMessage) -> BaseMessage:
    meta = {k: v for k, v in message.response_metadata.items() if k != PROTECTED_MARK}
    return message.model_copy(update={"response_metadata": meta})


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
    - The model's answers are stored as they come: in placeholder form.
    - A tool call's arguments are restored before a *local* tool runs (it gets the real phone
      number), and its result is protected before it reaches the model. Tools named in
      `remote_tools` (web search, a cloud memory) get the placeholders as they are, and their
      results, already cloud-side data, pass unchanged unless `protect_remote_results=True`.
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
        remote_tools: Iterable[str] = (),
        protect_remote_results: bool = False,
        restore_output: bool = False,
        roles: Collection[str] | None = None,
        user_id: str | None = None,
        namespace: str | None = None,
        trace_policy: TracePolicy | None = None,
    ) -> None:
        super().__init__()
        self._guard = guard
        self.remote_tools = frozenset(remote_tools)
        self.protect_remote_results = protect_remote_results
        self.restore_output = restore_output
        self._walk = _Walk(roles, tool_args=True, strict=False)
        self._all = _Walk(None, tool_args=True, strict=False)
        self._default = Identity(user_id, namespace) if user_id else None
        self.trace_policy = trace_policy or TracePolicy(
            process_inputs=omit_payload, process_outputs=omit_payload
        )

    @property
    def guard(self) -> PrivacyGuard:
        return self._guard if self._guard is not None else default_guard()

    def _identity(self, runtime: Any) -> Identity:
        # The same order as the LangGraph adapter: the config's `configurable`, then the context.
        config = getattr(runtime, "config", None) or _config()
        return identity_from(config, getattr(runtime, "context", None), default=self._default)

    # -- the caller's side ----------------------------------------------------------------------

    def protect_input(self, messages: Sequence[Any], config: Any = None) -> list[BaseMessage]:
        """The messages to pass to the agent, already protected and marked as such, so that the
        agent's own run (which tracers record with its input) never holds the clear text:
        `agent.invoke({"messages": mw.protect_input(messages, config)}, config)`. Accepts
        messages, `(role, text)` tuples and `{"role", "content"}` dicts."""
        converted = convert_to_messages(messages)
        return [_mark(m) for m in self._protect(converted, identity_from(config, default=self._default))]

    async def aprotect_input(self, messages: Sequence[Any], config: Any = None) -> list[BaseMessage]:
        converted = convert_to_messages(messages)
        protected = await self._aprotect(converted, identity_from(config, default=self._default))
        return [_mark(m) for m in protected]

    # -- protecting messages --------------------------------------------------------------------

    def _protect(self, messages: Sequence[Any], who: Identity, walk: _Walk | None = None) -> list[Any]:
        walk = walk or self._walk
        found = [_collect(walk, m) for m in messages]
        done = iter(_protect_texts(self.guard, [t for f in found for t in f], who))
        return [_put_back(walk, m, [next(done) for _ in f]) for m, f in zip(messages, found, strict=True)]

    async def _aprotect(self, messages: Sequence[Any], who: Identity, walk: _Walk | None = None) -> list[Any]:
        walk = walk or self._walk
        found = [_collect(walk, m) for m in messages]
        done = iter(await _aprotect_texts(self.guard, [t for f in found for t in f], who))
        return [_put_back(walk, m, [next(done) for _ in f]) for m, f in zip(messages, found, strict=True)]

    def _state_update(self, state: Any) -> list[BaseMessage]:
        return [m for m in state.get("messages", []) if isinstance(m, BaseMessage) and not _is_marked(m)]

    def before_model(self, state: Any, runtime: Any) -> dict[str, Any] | None:
        todo = self._state_update(state)
        if not todo:
            return None
        return {"messages": [_mark(m) for m in self._protect(todo, self._identity(runtime))]}

    async def abefore_model(self, state: Any, runtime: Any) -> dict[str, Any] | None:
        todo = self._state_update(state)
        if not todo:
            return None
        return {"messages": [_mark(m) for m in await self._aprotect(todo, self._identity(runtime))]}

    # -- the model call -------------------------------------------------------------------------

    @staticmethod
    def _split(request: ModelRequest) -> tuple[list[int], list[BaseMessage]]:
        todo = [i for i, m in enumerate(request.messages) if not _is_marked(m)]
        extra: list[BaseMessage] = [request.messages[i] for i in todo]
        if request.system_message is not None:
            extra.append(request.system_message)
        return todo, extra

    @staticmethod
    def _override(request: ModelRequest, todo: list[int], protected: list[Any]) -> ModelRequest:
        messages: list[Any] = list(request.messages)
        for i, message in zip(todo, protected, strict=False):
            messages[i] = _mark(message)
        system = request.system_message
        if system is not None:
            system = protected[-1]
            assert isinstance(system, SystemMessage)
        return request.override(messages=messages, system_message=system)

    @staticmethod
    def _mark_response(response: Any) -> Any:
        if isinstance(response, AIMessage):
            return _mark(response)
        if isinstance(response, ModelResponse):
            return dataclasses.replace(response, result=[_mark(m) for m in response.result])
        if isinstance(response, ExtendedModelResponse):
            inner = response.model_response
            return dataclasses.replace(
                response, model_response=dataclasses.replace(inner, result=[_mark(m) for m in inner.result])
            )
        return response

    def wrap_model_call(self, request: ModelRequest, handler: Callable[[ModelRequest], Any]) -> Any:
        todo, extra = self._split(request)
        if extra:
            protected = self._protect(extra, self._identity(request.runtime), self._all)
            request = self._override(request, todo, protected)
        return self._mark_response(handler(request))

    async def awrap_model_call(
        self, request: ModelRequest, handler: Callable[[ModelRequest], Awaitable[Any]]
    ) -> Any:
        todo, extra = self._split(request)
        if extra:
            protected = await self._aprotect(extra, self._identity(request.runtime), self._all)
            request = self._override(request, todo, protected)
        return self._mark_response(await handler(request))

    # -- tool calls -----------------------------------------------------------------------------

    def _tool_messages(self, result: Any) -> list[BaseMessage]:
        if isinstance(result, ToolMessage):
            return [result]
        if isinstance(result, Command) and isinstance(result.update, dict):
            return [m for m in result.update.get("messages", []) if isinstance(m, BaseMessage)]
        return []

    def _replace_results(self, result: Any, new: list[BaseMessage]) -> Any:
        if isinstance(result, ToolMessage):
            return new[0]
        if not new:
            return result
        mapping = {id(old): n for old, n in zip(self._tool_messages(result), new, strict=True)}
        messages = [mapping.get(id(m), m) for m in result.update.get("messages", [])]
        return dataclasses.replace(result, update={**result.update, "messages": messages})

    def _result_todo(self, request: ToolCallRequest, result: Any) -> list[BaseMessage] | None:
        remote = request.tool_call["name"] in self.remote_tools
        messages = self._tool_messages(result)
        if remote and not self.protect_remote_results:
            return None
        return messages

    def _with_artifacts(self, messages: list[BaseMessage]) -> list[Any]:
        return [(m, getattr(m, "artifact", None)) for m in messages]

    def wrap_tool_call(self, request: ToolCallRequest, handler: Callable[[ToolCallRequest], Any]) -> Any:
        who = self._identity(request.runtime)
        call = request.tool_call
        if call["name"] not in self.remote_tools:
            args = self.guard.restore_data(call["args"], user_id=who.user_id, namespace=who.namespace)
            request = request.override(tool_call={**call, "args": args})
        result = handler(request)
        todo = self._result_todo(request, result)
        if todo is None:
            return self._replace_results(result, [_mark(m) for m in self._tool_messages(result)])
        protected = self._protect(self._with_artifacts(todo), who, self._all)
        return self._replace_results(result, [_mark(_with_artifact(m, a)) for m, a in protected])

    async def awrap_tool_call(
        self, request: ToolCallRequest, handler: Callable[[ToolCallRequest], Awaitable[Any]]
    ) -> Any:
        who = self._identity(request.runtime)
        call = request.tool_call
        if call["name"] not in self.remote_tools:
            args = await self.guard.arestore_data(call["args"], user_id=who.user_id, namespace=who.namespace)
            request = request.override(tool_call={**call, "args": args})
        result = await handler(request)
        todo = self._result_todo(request, result)
        if todo is None:
            return self._replace_results(result, [_mark(m) for m in self._tool_messages(result)])
        protected = await self._aprotect(self._with_artifacts(todo), who, self._all)
        return self._replace_results(result, [_mark(_with_artifact(m, a)) for m, a in protected])

    # -- the end of the run ---------------------------------------------------------------------

    def _last_ai(self, state: Any) -> AIMessage | None:
        for message in reversed(state.get("messages", [])):
            if isinstance(message, AIMessage):
                return message
        return None

    def after_agent(self, state: Any, runtime: Any) -> dict[str, Any] | None:
        last = self._last_ai(state) if self.restore_output else None
        if last is None:
            return None
        who = self._identity(runtime)
        texts = _restore_texts(self.guard, _collect(self._all, last), who)
        return {"messages": [_unmark(_put_back(self._all, last, texts))]}

    async def aafter_agent(self, state: Any, runtime: Any) -> dict[str, Any] | None:
        last = self._last_ai(state) if self.restore_output else None
        if last is None:
            return None
        who = self._identity(runtime)
        texts = await _arestore_texts(self.guard, _collect(self._all, last), who)
        return {"messages": [_unmark(_put_back(self._all, last, texts))]}


def _with_artifact(message: BaseMessage, artifact: Any) -> BaseMessage:
    if isinstance(message, ToolMessage) and artifact is not None:
        return message.model_copy(update={"artifact": artifact})
    return message
