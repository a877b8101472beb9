"""`private_graph`: a compiled graph or agent wrapped once, so that its checkpointer, its model and
its traces see placeholders only and its caller sees real values.

    graph = private_graph(builder.compile(checkpointer=saver))
    config = {"configurable": {"thread_id": "t1", "user_id": "dana"}}
    out = graph.invoke({"messages": [("user", text)]}, config)  # restored; state holds placeholders

- The input is protected at the edge, before LangGraph saves it (the `__start__` write and the
  first checkpoints hold it): every message (a message already protected by any adapter of this
  package passes as it is) and every other string of the input, a `Command`'s `update` and
  `resume` too, and what `update_state` writes.
- What comes out is restored for the caller: `invoke`'s result, every `stream` mode (`messages`
  chunk by chunk, the others whole; v1 and v2 formats; `subgraphs=True`), `get_state` and its
  history. Graph state keeps the placeholder form.
- One guard for the whole run: it rides in `config["configurable"]["memprivacy_guard"]`, where
  every component of this package given no `guard=` finds it (nodes, `PrivateToolNode`,
  `PrivacyMiddleware`, `PrivateStore`). LangGraph copies only plain configurable values (str,
  numbers) into checkpoint metadata, so the guard object is never written anywhere.
- `scope="thread"` numbers placeholders per thread instead of per user: for a group chat (see
  `integrations._identity`).

Anything else (`get_graph()`, `nodes`, `checkpointer`, ...) is the graph's own. Methods that
would run the graph on an input this wrapper never saw, or return a runnable around the bare
graph (`astream_log`, `transform`, `with_retry`, `pipe`, ...), raise AttributeError rather than
leak.
"""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Iterator, Sequence
from typing import Any

from langchain_core.messages import BaseMessage, convert_to_messages
from langchain_core.runnables.config import get_config_list, merge_configs
from langgraph.types import Command, StateUpdate

from ...errors import ConfigError
from ...guard import PrivacyGuard
from .._identity import GUARD_KEY, SCOPE_KEY, Identity, check_scope_name, guard_from, identity_from
from .._messages import Walk, aprotect_value, arestore_value, protect_value, restore_value, with_id
from .edge import arestore_parts, restore_parts

__all__ = ["PrivateGraph", "private_graph"]

# Runnable methods that would hand the bare graph an unprotected input, or wrap the bare graph.
_REFUSED = frozenset(
    {
        "astream_log",
        "transform",
        "atransform",
        "batch_as_completed",
        "abatch_as_completed",
        "pipe",
        "bind",
        "assign",
        "pick",
        "map",
        "as_tool",
        "with_retry",
        "with_fallbacks",
        "with_listeners",
        "with_alisteners",
        "with_types",
        "configurable_fields",
        "configurable_alternatives",
        "stream_events",
    }
)

Run = tuple[PrivacyGuard, Identity, dict[str, Any]]


class PrivateGraph:
    """A compiled graph (or agent) behind the privacy edge: what `private_graph` returns."""

    def __init__(
        self,
        graph: Any,
        guard: PrivacyGuard | None = None,
        *,
        scope: str | None = None,
        message_types: Sequence[str] | None = None,
        messages_key: str = "messages",
    ) -> None:
        if isinstance(graph, PrivateGraph):
            raise ConfigError("this graph is wrapped already: wrap the compiled graph once")
        self.graph = graph
        self._guard = guard
        self.scope = check_scope_name(scope)
        self.message_types = tuple(message_types) if message_types is not None else None
        self.messages_key = messages_key
        self._walk = Walk(roles=message_types, protecting=True)

    def __repr__(self) -> str:
        return f"private_graph({self.graph!r})"

    def __getattr__(self, name: str) -> Any:
        if name in _REFUSED:
            raise AttributeError(
                f"private_graph does not offer {name}(): it would run the graph on input it never "
                "protected; use invoke/stream/batch (or their async forms) on the wrapped graph"
            )
        if name.startswith("__"):
            raise AttributeError(name)
        return getattr(self.graph, name)

    def _rewrapped(self, graph: Any) -> PrivateGraph:
        return PrivateGraph(
            graph,
            self._guard,
            scope=self.scope,
            message_types=self.message_types,
            messages_key=self.messages_key,
        )

    def with_config(self, config: Any = None, **kwargs: Any) -> PrivateGraph:
        return self._rewrapped(self.graph.with_config(config, **kwargs))

    def copy(self, update: dict[str, Any] | None = None) -> PrivateGraph:
        return self._rewrapped(self.graph.copy(update))

    # -- who, which guard -----------------------------------------------------------------------

    def _run(self, config: Any, context: Any = None) -> Run:
        """The run's guard and user, and the config to hand the graph: the caller's, with the
        guard (and a thread scope) in its `configurable`."""
        config = dict(config or {})
        configurable = dict(config.get("configurable") or {})
        merged = merge_configs(getattr(self.graph, "config", None), {**config, "configurable": configurable})  # type: ignore[arg-type]
        guard = guard_from(self._guard, merged)
        if self.scope is not None:
            given = merged.get("configurable", {}).get(SCOPE_KEY)
            if given is not None and given != self.scope:
                raise ConfigError(
                    f"the run's {SCOPE_KEY}={given!r} differs from private_graph(scope={self.scope!r})"
                )
            if self.scope == "thread":
                configurable[SCOPE_KEY] = merged.setdefault("configurable", {})[SCOPE_KEY] = "thread"
        who = identity_from(merged, context)
        configurable[GUARD_KEY] = guard
        return guard, who, {**config, "configurable": configurable}

    @staticmethod
    def _context(context: Any) -> dict[str, Any]:
        return {} if context is None else {"context": context}

    def forget(self, config: Any, *, context: Any = None) -> int:
        """Forget what the vault holds for this config's user (or, with `scope="thread"`, for its
        thread): placeholders already in checkpoints then resolve to nothing."""
        guard, who, _ = self._run(config, context)
        return guard.forget(**who.scope())

    async def aforget(self, config: Any, *, context: Any = None) -> int:
        guard, who, _ = self._run(config, context)
        return await guard.aforget(**who.scope())

    # -- the input ------------------------------------------------------------------------------

    def _prepared(self, value: Any) -> Any:
        """`value` with its messages as message objects (so they are walked by role and marked)."""
        if isinstance(value, dict) and self.messages_key in value:
            found = value[self.messages_key]
            return {
                **value,
                self.messages_key: convert_to_messages(found if isinstance(found, list) else [found]),
            }
        return value

    def _with_ids(self, value: Any) -> Any:
        # A protected copy needs an id, so that `add_messages` replaces it rather than appending.
        if isinstance(value, dict) and isinstance(value.get(self.messages_key), list):
            found = value[self.messages_key]
            return {
                **value,
                self.messages_key: [with_id(m) if isinstance(m, BaseMessage) else m for m in found],
            }
        return value

    def protect(self, value: Any, guard: PrivacyGuard, who: Identity) -> Any:
        """A graph input (or a state update) in placeholder form."""
        if value is None:
            return None
        if isinstance(value, Command):
            update = self.protect(value.update, guard, who)
            resume = self.protect(value.resume, guard, who)
            return dataclasses.replace(value, update=update, resume=resume)
        return self._with_ids(protect_value(guard, self._prepared(value), who, self._walk))

    async def aprotect(self, value: Any, guard: PrivacyGuard, who: Identity) -> Any:
        if value is None:
            return None
        if isinstance(value, Command):
            update = await self.aprotect(value.update, guard, who)
            resume = await self.aprotect(value.resume, guard, who)
            return dataclasses.replace(value, update=update, resume=resume)
        return self._with_ids(await aprotect_value(guard, self._prepared(value), who, self._walk))

    # -- runs -----------------------------------------------------------------------------------

    def _restored(self, out: Any, guard: PrivacyGuard, who: Identity, kwargs: dict[str, Any]) -> Any:
        mode = kwargs.get("stream_mode", "values")
        if mode == "values" or not isinstance(out, list):
            return restore_value(guard, out, who)
        return list(restore_parts(out, guard, who, mode, bool(kwargs.get("subgraphs"))))

    def invoke(self, input: Any, config: Any = None, *, context: Any = None, **kwargs: Any) -> Any:
        guard, who, run = self._run(config, context)
        out = self.graph.invoke(self.protect(input, guard, who), run, **self._context(context), **kwargs)
        return self._restored(out, guard, who, kwargs)

    async def ainvoke(self, input: Any, config: Any = None, *, context: Any = None, **kwargs: Any) -> Any:
        guard, who, run = self._run(config, context)
        protected = await self.aprotect(input, guard, who)
        out = await self.graph.ainvoke(protected, run, **self._context(context), **kwargs)
        if kwargs.get("stream_mode", "values") == "values" or not isinstance(out, list):
            return await arestore_value(guard, out, who)
        parts = arestore_parts(_aiter(out), guard, who, kwargs["stream_mode"], bool(kwargs.get("subgraphs")))
        return [part async for part in parts]

    def stream(
        self,
        input: Any,
        config: Any = None,
        *,
        context: Any = None,
        stream_mode: Any = None,
        subgraphs: bool = False,
        **kwargs: Any,
    ) -> Iterator[Any]:
        guard, who, run = self._run(config, context)
        mode = stream_mode if stream_mode is not None else getattr(self.graph, "stream_mode", "values")
        parts = self.graph.stream(
            self.protect(input, guard, who),
            run,
            stream_mode=stream_mode,
            subgraphs=subgraphs,
            **self._context(context),
            **kwargs,
        )
        return restore_parts(parts, guard, who, mode, subgraphs)

    async def astream(
        self,
        input: Any,
        config: Any = None,
        *,
        context: Any = None,
        stream_mode: Any = None,
        subgraphs: bool = False,
        **kwargs: Any,
    ) -> AsyncIterator[Any]:
        guard, who, run = self._run(config, context)
        mode = stream_mode if stream_mode is not None else getattr(self.graph, "stream_mode", "values")
        protected = await self.aprotect(input, guard, who)
        parts = self.graph.astream(
            protected, run, stream_mode=stream_mode, subgraphs=subgraphs, **self._context(context), **kwargs
        )
        async for part in arestore_parts(parts, guard, who, mode, subgraphs):
            yield part

    def batch(
        self, inputs: Sequence[Any], config: Any = None, *, return_exceptions: bool = False, **kwargs: Any
    ) -> list[Any]:
        """Each input protected for its own config's user, the graph's own `batch`, each output
        restored. With `return_exceptions`, an input that cannot be protected gets its error in
        its place and is never sent."""
        runs = [self._run(c) for c in get_config_list(config, len(inputs))]
        results: list[Any] = []
        for (guard, who, _), value in zip(runs, inputs, strict=True):
            try:
                results.append(self.protect(value, guard, who))
            except Exception as exc:
                if not return_exceptions:
                    raise
                results.append(_Failed(exc))
        todo = [i for i, r in enumerate(results) if not isinstance(r, _Failed)]
        if todo:
            outs = self.graph.batch(
                [results[i] for i in todo],
                [runs[i][2] for i in todo],
                return_exceptions=return_exceptions,
                **kwargs,
            )
            for i, out in zip(todo, outs, strict=True):
                guard, who, _ = runs[i]
                results[i] = out if isinstance(out, Exception) else self._restored(out, guard, who, kwargs)
        return [r.error if isinstance(r, _Failed) else r for r in results]

    async def abatch(
        self, inputs: Sequence[Any], config: Any = None, *, return_exceptions: bool = False, **kwargs: Any
    ) -> list[Any]:
        runs = [self._run(c) for c in get_config_list(config, len(inputs))]
        results: list[Any] = []
        for (guard, who, _), value in zip(runs, inputs, strict=True):
            try:
                results.append(await self.aprotect(value, guard, who))
            except Exception as exc:
                if not return_exceptions:
                    raise
                results.append(_Failed(exc))
        todo = [i for i, r in enumerate(results) if not isinstance(r, _Failed)]
        if todo:
            outs = await self.graph.abatch(
                [results[i] for i in todo],
                [runs[i][2] for i in todo],
                return_exceptions=return_exceptions,
                **kwargs,
            )
            for i, out in zip(todo, outs, strict=True):
                guard, who, _ = runs[i]
                results[i] = out if isinstance(out, Exception) else await arestore_value(guard, out, who)
        return [r.error if isinstance(r, _Failed) else r for r in results]

    def astream_events(self, input: Any, config: Any = None, **kwargs: Any) -> AsyncIterator[Any]:
        """The graph's events for an input protected first. The events are what tracers see: in
        placeholder form (for the user's copy, stream with `stream_mode="messages"`)."""

        async def events() -> AsyncIterator[Any]:
            guard, who, run = self._run(config, kwargs.get("context"))
            protected = await self.aprotect(input, guard, who)
            async for event in self.graph.astream_events(protected, run, **kwargs):
                yield event

        return events()

    # -- state ----------------------------------------------------------------------------------

    def get_state(self, config: Any, *, subgraphs: bool = False, context: Any = None) -> Any:
        """The graph's state snapshot, restored; `context` names the user when the config does not."""
        guard, who, _ = self._run(config, context)
        return restore_value(guard, self.graph.get_state(config, subgraphs=subgraphs), who)

    async def aget_state(self, config: Any, *, subgraphs: bool = False, context: Any = None) -> Any:
        guard, who, _ = self._run(config, context)
        return await arestore_value(guard, await self.graph.aget_state(config, subgraphs=subgraphs), who)

    def get_state_history(self, config: Any, *, context: Any = None, **kwargs: Any) -> Iterator[Any]:
        guard, who, _ = self._run(config, context)
        return (restore_value(guard, s, who) for s in self.graph.get_state_history(config, **kwargs))

    async def aget_state_history(
        self, config: Any, *, context: Any = None, **kwargs: Any
    ) -> AsyncIterator[Any]:
        guard, who, _ = self._run(config, context)
        async for snapshot in self.graph.aget_state_history(config, **kwargs):
            yield await arestore_value(guard, snapshot, who)

    def update_state(
        self, config: Any, values: Any, as_node: str | None = None, task_id: str | None = None
    ) -> Any:
        guard, who, _ = self._run(config)
        return self.graph.update_state(config, self.protect(values, guard, who), as_node, task_id)

    async def aupdate_state(
        self, config: Any, values: Any, as_node: str | None = None, task_id: str | None = None
    ) -> Any:
        guard, who, _ = self._run(config)
        return await self.graph.aupdate_state(
            config, await self.aprotect(values, guard, who), as_node, task_id
        )

    def bulk_update_state(self, config: Any, supersteps: Sequence[Sequence[Any]]) -> Any:
        guard, who, _ = self._run(config)
        steps = [
            [_update(u, self.protect(_update(u).values, guard, who)) for u in step] for step in supersteps
        ]
        return self.graph.bulk_update_state(config, steps)

    async def abulk_update_state(self, config: Any, supersteps: Sequence[Sequence[Any]]) -> Any:
        guard, who, _ = self._run(config)
        steps = [
            [_update(u, await self.aprotect(_update(u).values, guard, who)) for u in step]
            for step in supersteps
        ]
        return await self.graph.abulk_update_state(config, steps)


@dataclasses.dataclass(frozen=True)
class _Failed:
    error: Exception


def _update(update: Any, values: Any = ...) -> StateUpdate:
    """`update` (a StateUpdate or a plain tuple) as a StateUpdate, with `values` if given."""
    found = StateUpdate(*update)
    return found if values is ... else found._replace(values=values)


async def _aiter(items: list[Any]) -> AsyncIterator[Any]:
    for item in items:
        yield item


def private_graph(
    graph: Any,
    guard: PrivacyGuard | None = None,
    *,
    scope: str | None = None,
    message_types: Sequence[str] | None = None,
    messages_key: str = "messages",
) -> PrivateGraph:
    """`graph` (`StateGraph.compile()`, `create_agent`, `create_react_agent`, any compiled graph)
    with its input protected at the edge and its output restored, sharing one guard with every
    privacy component inside it.

    `guard`: else one handed in `configurable["memprivacy_guard"]`, else the process-wide default.
    `scope`: "user" (placeholders numbered per user, the default) or "thread" (per thread: a
    group chat); None takes the run's `configurable["memprivacy_scope"]`, else "user".
    `message_types`: the roles of the input messages to protect (default: all; a message any
    adapter of this package protected passes as it is). The user is read from
    `config["configurable"]` or the run's context: `user_id`, and `namespace`, `user_name`."""
    return PrivateGraph(graph, guard, scope=scope, message_types=message_types, messages_key=messages_key)
