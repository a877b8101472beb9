"""`private_chain`: `protect | runnable | restore` as one run that tracers see in placeholder form,
and `restore_output` for the caller's copy of an agent's result."""

from __future__ import annotations

from collections.abc import AsyncIterator, Collection, Iterator, Mapping
from typing import Any

from langchain_core.runnables import Runnable, RunnableConfig, RunnableSerializable
from langchain_core.runnables.config import ensure_config, get_config_list, patch_config
from pydantic import ConfigDict

from ...guard import PrivacyGuard
from .._identity import Identity, guard_from, identity_from
from .._messages import restore_value
from ._runnables import PrivacyProtectRunnable, PrivacyRestoreRunnable
from ._tracing import add, arun, astart, run, start, traced

__all__ = ["PrivateChain", "private_chain", "restore_output"]


class PrivateChain(RunnableSerializable[Any, Any]):
    """`protect | runnable | restore` as one run: what `private_chain` returns.

    It is not a plain RunnableSequence because a sequence records its own input (the clear text)
    and output (the restored answer) in every tracer; this run records the placeholder form
    instead. `stream`/`astream` stream the runnable's answer through the restore step.
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    protect: PrivacyProtectRunnable
    runnable: Runnable[Any, Any]
    restore: PrivacyRestoreRunnable | None = None

    def invoke(self, input: Any, config: RunnableConfig | None = None, **kwargs: Any) -> Any:
        def work(child: RunnableConfig) -> tuple[Any, Any, Any]:
            protected = self.protect.invoke(input, child)
            answer = self.runnable.invoke(protected, child, **kwargs)
            out = self.restore.invoke(answer, child) if self.restore is not None else answer
            return out, protected, answer

        return run(self, config, work)

    async def ainvoke(self, input: Any, config: RunnableConfig | None = None, **kwargs: Any) -> Any:
        async def work(child: RunnableConfig) -> tuple[Any, Any, Any]:
            protected = await self.protect.ainvoke(input, child)
            answer = await self.runnable.ainvoke(protected, child, **kwargs)
            out = await self.restore.ainvoke(answer, child) if self.restore is not None else answer
            return out, protected, answer

        return await arun(self, config, work)

    def batch(
        self,
        inputs: list[Any],
        config: RunnableConfig | list[RunnableConfig] | None = None,
        *,
        return_exceptions: bool = False,
        **kwargs: Any | None,
    ) -> list[Any]:
        """One batched protection for all inputs, then the runnable's own `batch`."""
        if return_exceptions or not inputs:
            return super().batch(inputs, config, return_exceptions=return_exceptions, **kwargs)
        configs = [ensure_config(c) for c in get_config_list(config, len(inputs))]
        managers = [start(self, c) for c in configs]
        children = [patch_config(c, callbacks=m.get_child()) for c, m in zip(configs, managers, strict=True)]
        try:
            protected = self.protect.batch(inputs, children)
            answers = self.runnable.batch(protected, children)
            outs = self.restore.batch(answers, children) if self.restore is not None else answers
        except BaseException as exc:
            for manager in managers:
                manager.on_chain_error(exc)
            raise
        for manager, p, a in zip(managers, protected, answers, strict=True):
            manager.on_chain_end(traced(a), inputs={"input": p})
        return outs

    def stream(self, input: Any, config: RunnableConfig | None = None, **kwargs: Any | None) -> Iterator[Any]:
        config = ensure_config(config)
        manager = start(self, config)
        protected: Any = None
        answer: Any = None

        def tap(chunks: Iterator[Any]) -> Iterator[Any]:
            nonlocal answer
            for chunk in chunks:
                answer = add(answer, chunk)
                yield chunk

        try:
            child = patch_config(config, callbacks=manager.get_child())
            protected = self.protect.invoke(input, child)
            chunks = tap(self.runnable.stream(protected, child, **kwargs))
            if self.restore is not None:
                chunks = self.restore.transform(chunks, child)
            yield from chunks
        except GeneratorExit:
            manager.on_chain_end(traced(answer), inputs={"input": protected})
            raise
        except BaseException as exc:
            manager.on_chain_error(exc)
            raise
        manager.on_chain_end(traced(answer), inputs={"input": protected})

    async def astream(
        self, input: Any, config: RunnableConfig | None = None, **kwargs: Any | None
    ) -> AsyncIterator[Any]:
        config = ensure_config(config)
        manager = await astart(self, config)
        protected: Any = None
        answer: Any = None

        async def tap(chunks: AsyncIterator[Any]) -> AsyncIterator[Any]:
            nonlocal answer
            async for chunk in chunks:
                answer = add(answer, chunk)
                yield chunk

        try:
            child = patch_config(config, callbacks=manager.get_child())
            protected = await self.protect.ainvoke(input, child)
            chunks = tap(self.runnable.astream(protected, child, **kwargs))
            if self.restore is not None:
                chunks = self.restore.atransform(chunks, child)
            async for chunk in chunks:
                yield chunk
        except GeneratorExit:
            await manager.on_chain_end(traced(answer), inputs={"input": protected})
            raise
        except BaseException as exc:
            await manager.on_chain_error(exc)
            raise
        await manager.on_chain_end(traced(answer), inputs={"input": protected})


def private_chain(
    runnable: Runnable[Any, Any],
    guard: PrivacyGuard | None = None,
    *,
    restore: bool = True,
    roles: Collection[str] | None = None,
    user_id: str | None = None,
    namespace: str | None = None,
) -> PrivateChain:
    """`PrivacyProtectRunnable(guard) | runnable | PrivacyRestoreRunnable(guard)`, traced as one
    run that records only the placeholder form. `runnable` is a chat model or any runnable that
    takes its input (`prompt | model`: the prompt variables are protected before formatting).
    `restore=False` returns the answer in placeholder form (for a cloud memory, say)."""
    protect = PrivacyProtectRunnable(guard, roles=roles, user_id=user_id, namespace=namespace)
    back = PrivacyRestoreRunnable(guard, user_id=user_id, namespace=namespace) if restore else None
    return PrivateChain(protect=protect, runnable=runnable, restore=back)


def restore_output(
    result: Any,
    guard: PrivacyGuard | None = None,
    config: RunnableConfig | Mapping[str, Any] | None = None,
    *,
    user_id: str | None = None,
    namespace: str | None = None,
) -> Any:
    """The user-facing copy of an agent's result (`{"messages": [...], ...}`), a message, a list
    or a str: every placeholder of this user restored, tool-call arguments included. For the
    caller's side only; the agent's state keeps the placeholder form."""
    default = Identity(user_id, namespace) if user_id else None
    who = identity_from(config, default=default)
    return restore_value(guard_from(guard, config), result, who)
