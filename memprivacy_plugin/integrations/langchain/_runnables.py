"""`PrivacyProtectRunnable` and `PrivacyRestoreRunnable`: the two halves of `private_chain`, each a
`RunnableSerializable` for your own composition, thin over the shared walk (`.._messages`) and
stream restorer (`.._stream`)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Collection, Iterator
from typing import Any

from langchain_core.runnables import RunnableConfig, RunnableSerializable
from langchain_core.runnables.config import ensure_config, get_config_list, patch_config, set_config_context
from pydantic import ConfigDict, field_validator

from ...guard import PrivacyGuard
from .._batch import aprotect_texts, protect_texts
from .._identity import Identity, guard_from, identity_from
from .._messages import Walk, arestore_value, collect, put_back, restore_value, role_name
from .._stream import StreamRestorer
from ._tracing import add, arun, astart, run, start, traced

__all__ = ["PrivacyProtectRunnable", "PrivacyRestoreRunnable"]


class _PrivacyRunnable(RunnableSerializable[Any, Any]):
    """Shared fields: the guard (None: one handed to the run in its config, else the process-wide
    default) and an optional default user for calls whose config names none."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    guard: PrivacyGuard | None = None
    user_id: str | None = None
    namespace: str | None = None

    @property
    def privacy_guard(self) -> PrivacyGuard:
        return guard_from(self.guard)

    def guard_for(self, config: RunnableConfig | None) -> PrivacyGuard:
        return guard_from(self.guard, config)

    def identity(self, config: RunnableConfig | None) -> Identity:
        """Who this call is for: `config["configurable"]` first, then the runnable's `user_id`."""
        default = Identity(self.user_id, self.namespace) if self.user_id else None
        return identity_from(config, default=default)


class PrivacyProtectRunnable(_PrivacyRunnable):
    """Replaces private values with placeholders in whatever goes to the model.

    Input and output have the same shape: a str; a message; a list of messages, `(role, text)`
    tuples or `{"role", "content"}` dicts; a `StringPromptValue`/`ChatPromptValue`; a Document;
    a dict of prompt variables (its strings and messages, at any depth). Message ids, names and
    metadata are kept; string content and text content blocks are protected (images, reasoning
    and other blocks pass as they are), and so are an AI message's tool-call arguments. Messages
    come out marked as protected, and a message another adapter already protected passes as it
    is. `roles` limits protection to some message roles (`"human"`/`"user"`, `"ai"`, `"system"`,
    `"tool"`); the default is every message, since the whole prompt goes to the cloud. Any other
    type is refused with `ConfigError` rather than sent unchecked.
    """

    roles: frozenset[str] | None = None
    protect_tool_args: bool = True

    def __init__(
        self,
        guard: PrivacyGuard | None = None,
        *,
        roles: Collection[str] | None = None,
        protect_tool_args: bool = True,
        user_id: str | None = None,
        namespace: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(  # type: ignore[call-arg]
            guard=guard,
            roles=roles,
            protect_tool_args=protect_tool_args,
            user_id=user_id,
            namespace=namespace,
            **kwargs,
        )

    @field_validator("roles", mode="before")
    @classmethod
    def _roles(cls, value: Any) -> Any:
        if value is None:
            return None
        if isinstance(value, str):
            value = [value]
        return frozenset(role_name(r) for r in value)

    def _walk(self) -> Walk:
        return Walk(roles=self.roles, tool_args=self.protect_tool_args, strict=True, protecting=True)

    def invoke(self, input: Any, config: RunnableConfig | None = None, **kwargs: Any) -> Any:
        def work(child: RunnableConfig) -> tuple[Any, Any, Any]:
            walk = self._walk()
            texts = protect_texts(self.guard_for(child), collect(walk, input), self.identity(child))
            out = put_back(walk, input, texts)
            return out, out, out  # the clear input never reaches callbacks

        return run(self, config, work)

    async def ainvoke(self, input: Any, config: RunnableConfig | None = None, **kwargs: Any) -> Any:
        async def work(child: RunnableConfig) -> tuple[Any, Any, Any]:
            walk = self._walk()
            texts = await aprotect_texts(self.guard_for(child), collect(walk, input), self.identity(child))
            out = put_back(walk, input, texts)
            return out, out, out

        return await arun(self, config, work)

    def batch(
        self,
        inputs: list[Any],
        config: RunnableConfig | list[RunnableConfig] | None = None,
        *,
        return_exceptions: bool = False,
        **kwargs: Any | None,
    ) -> list[Any]:
        """Protect many inputs with one batched extraction per user."""
        if not inputs:
            return []
        configs = [ensure_config(c) for c in get_config_list(config, len(inputs))]
        managers = [start(self, c) for c in configs]
        results: list[Any] = [None] * len(inputs)
        failed: dict[int, BaseException] = {}
        groups: dict[tuple[Identity, int], list[int]] = {}
        guards: dict[int, PrivacyGuard] = {}
        for i, cfg in enumerate(configs):
            try:
                guard = self.guard_for(cfg)
                guards[id(guard)] = guard
                groups.setdefault((self.identity(cfg), id(guard)), []).append(i)
            except Exception as exc:
                failed[i] = exc
        walk = self._walk()
        for (who, guard_id), members in groups.items():
            try:
                found = [collect(walk, inputs[i]) for i in members]
                protected = iter(protect_texts(guards[guard_id], [t for f in found for t in f], who))
                for i, texts in zip(members, found, strict=True):
                    results[i] = put_back(walk, inputs[i], [next(protected) for _ in texts])
            except Exception as exc:
                failed.update(dict.fromkeys(members, exc))
        for i, manager in enumerate(managers):
            if i in failed:
                manager.on_chain_error(failed[i])
            else:
                manager.on_chain_end(traced(results[i]), inputs={"input": results[i]})
        if failed:
            if not return_exceptions:
                raise failed[min(failed)]
            for i, error in failed.items():
                results[i] = error
        return results


class PrivacyRestoreRunnable(_PrivacyRunnable):
    """Puts the user's real values back in place of their placeholders.

    Accepts a str, a message (`AIMessage`, `AIMessageChunk`, ...; tool-call arguments too unless
    `restore_tool_args=False`), a list of them, a dict or a pydantic model (structured output);
    anything else passes as it is. Streamed (`stream`/`transform` and their async twins), each
    chunk comes out as soon as it arrives, of the same type (str or message chunk, id and
    metadata kept); only a tail that may still become a placeholder (`<Phone_Nu`) waits for the
    next chunk, and whatever is left goes out in one last chunk.

    Its callbacks see the placeholder form as both input and output: the restored text is
    returned to the caller only.
    """

    restore_tool_args: bool = True

    def __init__(
        self,
        guard: PrivacyGuard | None = None,
        *,
        restore_tool_args: bool = True,
        user_id: str | None = None,
        namespace: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(  # type: ignore[call-arg]
            guard=guard, restore_tool_args=restore_tool_args, user_id=user_id, namespace=namespace, **kwargs
        )

    def invoke(self, input: Any, config: RunnableConfig | None = None, **kwargs: Any) -> Any:
        def work(child: RunnableConfig) -> tuple[Any, Any, Any]:
            guard, who = self.guard_for(child), self.identity(child)
            out = restore_value(guard, input, who, tool_args=self.restore_tool_args)
            return out, input, input  # the restored output goes to the caller only

        return run(self, config, work)

    async def ainvoke(self, input: Any, config: RunnableConfig | None = None, **kwargs: Any) -> Any:
        async def work(child: RunnableConfig) -> tuple[Any, Any, Any]:
            guard, who = self.guard_for(child), self.identity(child)
            out = await arestore_value(guard, input, who, tool_args=self.restore_tool_args)
            return out, input, input

        return await arun(self, config, work)

    def _stream(self, child: RunnableConfig) -> StreamRestorer:
        return StreamRestorer(self.guard_for(child), self.identity(child), tool_args=self.restore_tool_args)

    def transform(
        self, input: Iterator[Any], config: RunnableConfig | None = None, **kwargs: Any | None
    ) -> Iterator[Any]:
        config = ensure_config(config)
        manager = start(self, config)
        total: Any = None
        try:
            child = patch_config(config, callbacks=manager.get_child())
            stream = self._stream(child)
            with set_config_context(child) as context:
                source = iter(input)
                while True:
                    try:
                        chunk = context.run(next, source)
                    except StopIteration:
                        break
                    total = add(total, chunk)
                    yield from context.run(stream.feed, chunk, key=0)
                for tail, _ in context.run(stream.flush):
                    yield tail
        except GeneratorExit:
            manager.on_chain_end(traced(total), inputs={"input": total})
            raise
        except BaseException as exc:
            manager.on_chain_error(exc)
            raise
        manager.on_chain_end(traced(total), inputs={"input": total})

    def stream(self, input: Any, config: RunnableConfig | None = None, **kwargs: Any | None) -> Iterator[Any]:
        yield from self.transform(iter([input]), config, **kwargs)

    async def atransform(
        self, input: AsyncIterator[Any], config: RunnableConfig | None = None, **kwargs: Any | None
    ) -> AsyncIterator[Any]:
        config = ensure_config(config)
        manager = await astart(self, config)
        total: Any = None
        try:
            child = patch_config(config, callbacks=manager.get_child())
            stream = self._stream(child)
            async for chunk in input:
                total = add(total, chunk)
                for out in await stream.afeed(chunk, key=0):
                    yield out
            for tail, _ in await stream.aflush():
                yield tail
        except GeneratorExit:
            await manager.on_chain_end(traced(total), inputs={"input": total})
            raise
        except BaseException as exc:
            await manager.on_chain_error(exc)
            raise
        await manager.on_chain_end(traced(total), inputs={"input": total})

    async def astream(
        self, input: Any, config: RunnableConfig | None = None, **kwargs: Any | None
    ) -> AsyncIterator[Any]:
        async def one() -> AsyncIterator[Any]:
            yield input

        async for chunk in self.atransform(one(), config, **kwargs):
            yield chunk
