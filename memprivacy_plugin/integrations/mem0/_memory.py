"""`PrivateMemory`: a mem0 `Memory` (or `MemoryClient`) with the guard in front.

What mem0 receives (its embedder, vector store, history database, extraction LLM, or the mem0
platform) is placeholder form; what it returns is restored on this side. The rules live in
`_base` (flows), `_identity` (which vault) and `_results` (what is restored); this class runs
the flows with plain calls.
"""

from __future__ import annotations

from typing import Any

from ._base import Flow, PrivateMemoryBase

__all__ = ["PrivateMemory"]


class PrivateMemory(PrivateMemoryBase):
    """A mem0 `Memory` (or `MemoryClient`) whose cloud side only ever sees placeholders.

    Same methods as mem0: `add`, `search`, `get`, `get_all`, `update`, `delete`, `delete_all`,
    `history`, `reset`. Messages, queries and (by default) metadata are protected with the guard
    before mem0 is called; memory texts, history texts and the metadata it protected come back
    restored (`restore=False` returns them in placeholder form). Identifiers, `role` and a
    message's `name` (mem0's `actor_id`) go to mem0 as given and come back as given. With
    `infer=True`, mem0's extraction model is told to keep placeholders verbatim (`instructions`;
    None leaves mem0's prompt alone).

    `protect_metadata`: True (every string value), False, or the metadata keys to protect.
    `namespace` is passed to the vault. MemoryClient's typed `options` go in as `options=`.
    """

    _mem0_class = "Memory"

    def _run(self, flow: Flow) -> Any:
        value: Any = None
        while True:
            try:
                call = flow.send(value)
            except StopIteration as done:
                return done.value
            value = call.run()

    # -- writes ----------------------------------------------------------------------------------

    def add(self, messages: Any, *, user_name: str | None = None, **kwargs: Any) -> Any:
        """`Memory.add` with `messages` (str, dict or list of dicts: every `content`) and
        `metadata` protected first. `user_name` (ours, not mem0's) helps model extractors tell
        the user apart. With the local configuration's stand-in LLM, `infer=True` (mem0's
        default) raises `ConfigError` at once: pass `infer=False`, or a model as `llm=`."""
        return self._run(self._add(messages, user_name, kwargs))

    def update(self, memory_id: str, text: Any = None, metadata: Any = None, **kwargs: Any) -> Any:
        """`Memory.update` with `text` (or deprecated `data`) and `metadata` protected. The vault
        user is the memory's own (read with `get`), or pass `user_id=`/`agent_id=`/`run_id=`."""
        return self._run(self._update(memory_id, text, metadata, kwargs))

    def delete(self, memory_id: str, **kwargs: Any) -> Any:
        return self.memory.delete(memory_id, **kwargs)

    def delete_all(
        self,
        user_id: str | None = None,
        agent_id: str | None = None,
        run_id: str | None = None,
        *,
        forget_vault: bool = False,
        **kwargs: Any,
    ) -> Any:
        """`Memory.delete_all`; with `forget_vault=True` (or `forget=True`) also erases the vault
        entries of that scope through `PrivacyGuard.forget` (the scope must be the whole vault:
        `user_id` alone, or `agent_id`/`run_id` alone)."""
        who = {"user_id": user_id, "agent_id": agent_id, "run_id": run_id}
        return self._run(self._delete_all(who, forget_vault, kwargs))

    def reset(self, *, forget_vault: bool = False) -> Any:
        """`Memory.reset` (every memory of every user); with `forget_vault=True` also forgets the
        vault of every identity found in the vector store before the reset (the open-source
        Memory) and of every identity this wrapper wrote for (both)."""
        return self._run(self._reset(forget_vault))

    # -- reads -----------------------------------------------------------------------------------

    def search(self, query: str, *, user_name: str | None = None, **kwargs: Any) -> Any:
        """`Memory.search` with the query protected (a real value finds the memory stored under
        its placeholder) and the results restored. Identity in `filters`, as mem0 2.x wants."""
        return self._run(self._search(query, user_name, kwargs))

    def get_all(self, **kwargs: Any) -> Any:
        """`Memory.get_all`, metadata conditions of `filters` protected, the results restored."""
        return self._run(self._get_all(kwargs))

    def get(self, memory_id: str) -> Any:
        """`Memory.get`, restored with the memory's own identity."""
        return self._run(self._get(memory_id))

    def history(
        self,
        memory_id: str,
        *,
        user_id: str | None = None,
        agent_id: str | None = None,
        run_id: str | None = None,
    ) -> Any:
        """`Memory.history`, restored. History rows carry no identity: the memory's own is read
        with `get`; for a deleted memory pass `user_id=` (or `agent_id=`/`run_id=`)."""
        return self._run(
            self._history(memory_id, {"user_id": user_id, "agent_id": agent_id, "run_id": run_id})
        )

    def close(self) -> None:
        close = getattr(self.memory, "close", None)
        if callable(close):
            close()

    def __enter__(self) -> PrivateMemory:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
