"""`AsyncPrivateMemory`: `PrivateMemory` for mem0's `AsyncMemory` and `AsyncMemoryClient`.

The same flows as the sync wrapper (`_base`), each call awaited: the guard's `a*` twin, mem0's
coroutine, a blocking read (the vector store listing of `reset`) on a worker thread.
"""

from __future__ import annotations

from typing import Any

from ._base import Flow, PrivateMemoryBase

__all__ = ["AsyncPrivateMemory"]


class AsyncPrivateMemory(PrivateMemoryBase):
    """`PrivateMemory` for mem0's `AsyncMemory` (and `AsyncMemoryClient`): the same methods,
    the same rules, awaited."""

    _mem0_class = "AsyncMemory"

    async def _run(self, flow: Flow) -> Any:
        value: Any = None
        while True:
            try:
                call = flow.send(value)
            except StopIteration as done:
                return done.value
            value = await call.arun()

    async def add(self, messages: Any, *, user_name: str | None = None, **kwargs: Any) -> Any:
        return await self._run(self._add(messages, user_name, kwargs))

    async def update(self, memory_id: str, text: Any = None, metadata: Any = None, **kwargs: Any) -> Any:
        return await self._run(self._update(memory_id, text, metadata, kwargs))

    async def delete(self, memory_id: str, **kwargs: Any) -> Any:
        return await self.memory.delete(memory_id, **kwargs)

    async def delete_all(
        self,
        user_id: str | None = None,
        agent_id: str | None = None,
        run_id: str | None = None,
        *,
        forget_vault: bool = False,
        **kwargs: Any,
    ) -> Any:
        who = {"user_id": user_id, "agent_id": agent_id, "run_id": run_id}
        return await self._run(self._delete_all(who, forget_vault, kwargs))

    async def reset(self, *, forget_vault: bool = False) -> Any:
        return await self._run(self._reset(forget_vault))

    async def search(self, query: str, *, user_name: str | None = None, **kwargs: Any) -> Any:
        return await self._run(self._search(query, user_name, kwargs))

    async def get_all(self, **kwargs: Any) -> Any:
        return await self._run(self._get_all(kwargs))

    async def get(self, memory_id: str) -> Any:
        return await self._run(self._get(memory_id))

    async def history(
        self,
        memory_id: str,
        *,
        user_id: str | None = None,
        agent_id: str | None = None,
        run_id: str | None = None,
    ) -> Any:
        who = {"user_id": user_id, "agent_id": agent_id, "run_id": run_id}
        return await self._run(self._history(memory_id, who))

    def close(self) -> None:
        close = getattr(self.memory, "close", None)
        if callable(close):
            close()

    async def __aenter__(self) -> AsyncPrivateMemory:
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.close()
