"""`PrivateMemory` and `AsyncPrivateMemory`: mem0 with the guard in front.

What mem0 receives (its embedder, vector store, history database, extraction LLM, or the mem0
platform) is placeholder form; what it returns is restored on this side. Identity and scoping rules
are in the package docstring; the I/O-free parts are written once in `_PrivateMemoryBase`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from ...errors import ConfigError
from ...guard import PrivacyGuard
from ._config import MEM0_EXTRA, PLACEHOLDER_INSTRUCTIONS, local_mem0_config

if TYPE_CHECKING:
    from typing_extensions import Self

__all__ = ["AsyncPrivateMemory", "PrivateMemory", "vault_user_for"]

IDENTITY_KEYS = ("user_id", "agent_id", "run_id")
# Filter keys that name who, not what: never protected (mem0 matches them exactly).
_ID_FILTER_KEYS = frozenset({*IDENTITY_KEYS, "actor_id", "app_id", "org_id", "project_id"})
_PREFIX = {"user_id": "", "agent_id": "agent:", "run_id": "run:"}
_PROCEDURAL = "procedural_memory"


def vault_user_for(
    user_id: Any = None, agent_id: Any = None, run_id: Any = None, *, required: bool = True
) -> str | None:
    """The vault user behind a mem0 identity: `user_id` when given (every agent and run of that
    user shares one vault, so a value keeps its placeholder across sessions); else
    `agent:<agent_id>`; else `run:<run_id>`. No identity at all raises `ConfigError` (fail
    closed: there is no shared default vault) unless `required=False`."""
    for key, value in (("user_id", user_id), ("agent_id", agent_id), ("run_id", run_id)):
        if value is None:
            continue
        if not isinstance(value, str) or not value.strip() or value.strip() == "*":
            raise ConfigError(
                f"{key} must be one plain id to choose a vault (not {type(value).__name__} or a wildcard)"
            )
        return _PREFIX[key] + value.strip()
    if required:
        raise ConfigError(
            "no mem0 identity: pass user_id= to add()/delete_all() or filters={'user_id': ...} to "
            "search()/get_all() (agent_id or run_id alone scope a vault of their own)"
        )
    return None


def _ids(source: Mapping[str, Any] | None) -> dict[str, Any]:
    return {k: source[k] for k in IDENTITY_KEYS if source and source.get(k) is not None}


def _merge_options(options: Any, kwargs: dict[str, Any]) -> dict[str, Any]:
    """MemoryClient's typed `options` (a pydantic model) folded into the keyword arguments, as the
    client does itself."""
    if options is None:
        return kwargs
    dump = getattr(options, "model_dump", None)
    given = dump(exclude_unset=True) if callable(dump) else dict(options)
    return {**given, **kwargs}


def _join(existing: str | None, ours: str) -> str:
    if not existing:
        return ours
    return existing if ours in existing else f"{existing}\n\n{ours}"


class _PrivateMemoryBase:
    """The parts of both wrappers that do no I/O."""

    def __init__(
        self,
        memory: Any,
        guard: PrivacyGuard | None = None,
        *,
        restore: bool = True,
        namespace: str | None = None,
        protect_metadata: bool | Iterable[str] = True,
        instructions: str | None = PLACEHOLDER_INSTRUCTIONS,
    ) -> None:
        if memory is None or not callable(getattr(memory, "add", None)):
            raise ConfigError("PrivateMemory wraps a mem0 Memory, AsyncMemory or MemoryClient instance")
        self.memory = memory
        self.guard = guard if guard is not None else PrivacyGuard()
        self.restore = restore
        self.namespace = namespace
        self.instructions = instructions
        if protect_metadata is True or protect_metadata is False:
            self._metadata_keys: set[str] | None = None
            self.protect_metadata = bool(protect_metadata)
        else:
            self._metadata_keys = set(protect_metadata)
            self.protect_metadata = True
        # The open-source Memory has a local vector store; the platform client does not.
        self._platform = not hasattr(memory, "vector_store")
        self._touched: set[str] = set()

    _mem0_class: ClassVar[str]  # the mem0 class `local` builds

    @classmethod
    def local(
        cls,
        path: str | None = None,
        guard: PrivacyGuard | None = None,
        *,
        llm: dict[str, Any] | None = None,
        collection: str = "memprivacy",
        **options: Any,
    ) -> Self:
        """The embedded, offline default: `local_mem0_config(path)` built into a `mem0.Memory`
        (`mem0.AsyncMemory` for `AsyncPrivateMemory`)."""
        config = local_mem0_config(path, llm=llm, collection=collection)
        return cls(getattr(_mem0(), cls._mem0_class).from_config(config), guard, **options)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({type(self.memory).__name__}, guard={self.guard!r})"

    # -- identity --------------------------------------------------------------------------------

    def _add_scope(self, kwargs: Mapping[str, Any]) -> str:
        """The vault user of a write: top-level ids (add, delete_all), else ids in `filters`."""
        ids = _ids(kwargs) or _ids(kwargs.get("filters"))
        scope = vault_user_for(**ids)
        assert scope is not None
        self._touched.add(scope)
        return scope

    def _query_scope(self, kwargs: Mapping[str, Any]) -> str:
        """The vault user of a read: ids in `filters` (mem0 2.x), else top-level ones."""
        ids = _ids(kwargs.get("filters")) or _ids(kwargs)
        scope = vault_user_for(**ids)
        assert scope is not None
        return scope

    @staticmethod
    def _check_whole_scope(kwargs: Mapping[str, Any]) -> None:
        """`forget_vault` only when the delete covers the vault's whole scope: a delete narrowed to
        one run of a user must not forget values that the user's other memories still use."""
        ids = _ids(kwargs) or _ids(kwargs.get("filters"))
        first = next(k for k in IDENTITY_KEYS if k in ids)
        if set(ids) != {first}:
            raise ConfigError(
                f"forget_vault=True forgets the whole vault of {first}; call delete_all with "
                f"{first} alone (other memories of that {first[:-3]} still use its placeholders)"
            )

    # -- what goes out -------------------------------------------------------------------------

    def _meta_keys(self) -> list[str] | None:
        return sorted(self._metadata_keys) if self._metadata_keys is not None else None

    def _filters_to_protect(self, kwargs: Mapping[str, Any]) -> dict[str, Any] | None:
        """The non-identity part of `filters` (metadata conditions), to protect like metadata so
        that an equality filter with a real value matches the placeholder stored."""
        filters = kwargs.get("filters")
        if not self.protect_metadata or not isinstance(filters, Mapping):
            return None
        rest = {k: v for k, v in filters.items() if k not in _ID_FILTER_KEYS}
        return rest or None

    def _with_instructions(self, kwargs: dict[str, Any]) -> dict[str, Any]:
        """Ask mem0's extraction model to carry placeholders verbatim (only when it runs)."""
        if not self.instructions or not kwargs.get("infer", True) or kwargs.get("memory_type") == _PROCEDURAL:
            return kwargs
        if self._platform:
            kwargs["custom_instructions"] = _join(kwargs.get("custom_instructions"), self.instructions)
        else:
            existing = kwargs.get("prompt") or getattr(self.memory, "custom_instructions", None)
            if not existing or self.instructions not in existing:
                kwargs["prompt"] = _join(existing, self.instructions)
        return kwargs

    @staticmethod
    def _check_messages(messages: Any) -> None:
        if not isinstance(messages, (str, Mapping, list)):
            raise ConfigError(f"messages must be str, dict or list of dicts, not {type(messages).__name__}")

    # -- what comes back -----------------------------------------------------------------------

    def _plan_restore(
        self, result: Any, fallback: str | None, own: bool
    ) -> tuple[list[Any], dict[str, list[int]]] | None:
        """The items of an answer and, per vault user, which of them it restores; None: nothing to do."""
        if not self.restore:
            return None
        items = self._items(result)
        if not items:
            return None
        if own:
            return items, self._groups(items, fallback)
        return items, ({fallback: list(range(len(items)))} if fallback else {})

    def _all_scopes(self) -> set[str]:
        """Every vault user to forget on reset: those this wrapper wrote for, and for the
        open-source Memory every identity in its vector store (a blocking read)."""
        scopes = set(self._touched)
        store = getattr(self.memory, "vector_store", None)
        if store is not None:
            scopes |= self._scopes_in(store.list(filters=None, top_k=1_000_000))
        return scopes

    @staticmethod
    def _items(result: Any) -> list[Any] | None:
        """The list of memory items in a mem0 answer, which is changed in place by restoring."""
        if isinstance(result, dict) and isinstance(result.get("results"), list):
            return list(result["results"])
        if isinstance(result, list):
            return list(result)
        if isinstance(result, dict):
            return [result]
        return None

    @staticmethod
    def _groups(items: list[Any], fallback: str | None) -> dict[str, list[int]]:
        """Item indexes by the vault user that restores them: each item's own identity (a search
        over an agent can return several users' memories), else the request's."""
        groups: dict[str, list[int]] = {}
        for i, item in enumerate(items):
            own = None
            if isinstance(item, Mapping):
                try:
                    own = vault_user_for(**_ids(item), required=False)
                except ConfigError:
                    own = None
            scope = own or fallback
            if scope is not None:
                groups.setdefault(scope, []).append(i)
        return groups

    @staticmethod
    def _put_back(result: Any, items: list[Any]) -> Any:
        if isinstance(result, dict) and isinstance(result.get("results"), list):
            return {**result, "results": items}
        if isinstance(result, list):
            return items
        return items[0]

    @staticmethod
    def _scopes_in(rows: Any) -> set[str]:
        if isinstance(rows, (list, tuple)) and rows and isinstance(rows[0], list):
            rows = rows[0]
        scopes: set[str] = set()
        for row in rows or []:
            payload = getattr(row, "payload", None) or {}
            try:
                scope = vault_user_for(**_ids(payload), required=False)
            except ConfigError:
                continue
            if scope:
                scopes.add(scope)
        return scopes


class PrivateMemory(_PrivateMemoryBase):
    """A mem0 `Memory` (or `MemoryClient`) whose cloud side only ever sees placeholders.

    Same methods as mem0: `add`, `search`, `get`, `get_all`, `update`, `delete`, `delete_all`,
    `history`, `reset`. Messages, queries and (by default) string metadata are protected with the
    guard before mem0 is called; memories, history entries and metadata coming back are restored
    (`restore=False` returns them in placeholder form). With `infer=True`, mem0's extraction model
    is told to keep placeholders verbatim (`instructions`; None leaves mem0's prompt alone).

    `protect_metadata`: True (every string value), False, or the metadata keys to protect.
    `namespace` is passed to the vault. MemoryClient's typed `options` go in as `options=`.
    """

    _mem0_class = "Memory"

    # -- writes ----------------------------------------------------------------------------------

    def add(self, messages: Any, *, user_name: str | None = None, **kwargs: Any) -> Any:
        """`Memory.add` with `messages` (str, dict or list of dicts) and `metadata` protected
        first. `user_name` (ours, not mem0's) helps model extractors tell the user apart."""
        kwargs = _merge_options(kwargs.pop("options", None), kwargs)
        self._check_messages(messages)
        scope = self._add_scope(kwargs)
        messages = self._protect_messages(messages, scope, user_name)
        if kwargs.get("metadata") and self.protect_metadata:
            kwargs["metadata"] = self.guard.protect_data(
                kwargs["metadata"], user_id=scope, user_name=user_name, namespace=self.namespace,
                keys=self._meta_keys(),
            )  # fmt: skip
        result = self.memory.add(messages, **self._with_instructions(kwargs))
        return self._restored(result, scope)

    def update(self, memory_id: str, text: Any = None, metadata: Any = None, **kwargs: Any) -> Any:
        """`Memory.update` with `text` (or deprecated `data`) and `metadata` protected. The vault
        user is the memory's own (read with `get`), or pass `user_id=`/`agent_id=`/`run_id=`."""
        if text is not None and not isinstance(text, str):  # MemoryClient's UpdateMemoryOptions
            kwargs, text = _merge_options(text, kwargs), None
        text = kwargs.pop("text", text)
        metadata = kwargs.pop("metadata", metadata)
        explicit = {k: kwargs.pop(k) for k in IDENTITY_KEYS if k in kwargs}
        if text is not None or metadata or kwargs.get("data") is not None:
            scope = vault_user_for(**explicit, required=False) or self._owner(memory_id)
            ns = self.namespace
            if text is not None:
                kwargs["text"] = self.guard.protect(text, user_id=scope, namespace=ns).text
            if kwargs.get("data") is not None:
                kwargs["data"] = self.guard.protect(kwargs["data"], user_id=scope, namespace=ns).text
            if metadata and self.protect_metadata:
                metadata = self.guard.protect_data(
                    metadata, user_id=scope, namespace=ns, keys=self._meta_keys()
                )
        if metadata is not None:
            kwargs["metadata"] = metadata
        return self.memory.update(memory_id, **kwargs)

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
        """`Memory.delete_all`; with `forget_vault=True` also deletes the vault entries of that
        scope (the scope must be the whole vault: `user_id` alone, or `agent_id`/`run_id` alone)."""
        kwargs = _merge_options(kwargs.pop("options", None), kwargs)
        kwargs.update(_ids({"user_id": user_id, "agent_id": agent_id, "run_id": run_id}))
        scope = self._add_scope(kwargs) if forget_vault else None
        if scope is not None:
            self._check_whole_scope(kwargs)
        result = self.memory.delete_all(**kwargs)
        if scope is not None:
            self.guard.forget(user_id=scope, namespace=self.namespace)
        return result

    def reset(self, *, forget_vault: bool = False) -> Any:
        """`Memory.reset` (every memory of every user); with `forget_vault=True` also forgets the
        vault of every identity found in the vector store before the reset (the open-source
        Memory) and of every identity this wrapper wrote for (both)."""
        scopes = self._all_scopes() if forget_vault else set()
        result = self.memory.reset()
        for scope in sorted(scopes):
            self.guard.forget(user_id=scope, namespace=self.namespace)
        return result

    # -- reads -----------------------------------------------------------------------------------

    def search(self, query: str, *, user_name: str | None = None, **kwargs: Any) -> Any:
        """`Memory.search` with the query protected (a real value finds the memory stored under
        its placeholder) and the results restored. Identity in `filters`, as mem0 2.x wants."""
        kwargs = _merge_options(kwargs.pop("options", None), kwargs)
        scope = self._query_scope(kwargs)
        if not isinstance(query, str):
            raise ConfigError(f"query must be a str, not {type(query).__name__}")
        query = self.guard.protect(query, user_id=scope, user_name=user_name, namespace=self.namespace).text
        self._protect_filters(kwargs, scope)
        return self._restored(self.memory.search(query, **kwargs), scope)

    def get_all(self, **kwargs: Any) -> Any:
        kwargs = _merge_options(kwargs.pop("options", None), kwargs)
        scope = self._query_scope(kwargs)
        self._protect_filters(kwargs, scope)
        return self._restored(self.memory.get_all(**kwargs), scope)

    def get(self, memory_id: str) -> Any:
        """`Memory.get`, restored with the memory's own identity."""
        return self._restored(self.memory.get(memory_id), None)

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
        result = self.memory.history(memory_id)
        if not self.restore:
            return result
        scope = vault_user_for(user_id, agent_id, run_id, required=False) or self._owner(memory_id)
        return self._restored(result, scope, own=False)

    def close(self) -> None:
        close = getattr(self.memory, "close", None)
        if callable(close):
            close()

    def __enter__(self) -> PrivateMemory:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- helpers with I/O ------------------------------------------------------------------------

    def _protect_messages(self, messages: Any, scope: str, user_name: str | None) -> Any:
        if isinstance(messages, str):
            return self.guard.protect(
                messages, user_id=scope, user_name=user_name, namespace=self.namespace
            ).text
        return self.guard.protect_data(
            messages, user_id=scope, user_name=user_name, namespace=self.namespace, keys=["content"]
        )

    def _protect_filters(self, kwargs: dict[str, Any], scope: str) -> None:
        rest = self._filters_to_protect(kwargs)
        if rest:
            done = self.guard.protect_data(
                rest, user_id=scope, namespace=self.namespace, keys=self._meta_keys()
            )
            kwargs["filters"] = {**kwargs["filters"], **done}

    def _owner(self, memory_id: str) -> str:
        item = self.memory.get(memory_id)
        scope = vault_user_for(**_ids(item), required=False) if isinstance(item, Mapping) else None
        if scope is None:
            raise ConfigError(
                "cannot tell whose memory this is (not found, or no identity): pass user_id= "
                "(or agent_id=/run_id=)"
            )
        return scope

    def _restored(self, result: Any, fallback: str | None, *, own: bool = True) -> Any:
        planned = self._plan_restore(result, fallback, own)
        if planned is None:
            return result
        items, groups = planned
        for scope, indexes in groups.items():
            done = self.guard.restore_data(
                [items[i] for i in indexes], user_id=scope, namespace=self.namespace
            )
            for i, item in zip(indexes, done, strict=True):
                items[i] = item
        return self._put_back(result, items)


class AsyncPrivateMemory(_PrivateMemoryBase):
    """`PrivateMemory` for mem0's `AsyncMemory` (and `AsyncMemoryClient`): the same methods, awaited."""

    _mem0_class = "AsyncMemory"

    async def add(self, messages: Any, *, user_name: str | None = None, **kwargs: Any) -> Any:
        kwargs = _merge_options(kwargs.pop("options", None), kwargs)
        self._check_messages(messages)
        scope = self._add_scope(kwargs)
        messages = await self._protect_messages(messages, scope, user_name)
        if kwargs.get("metadata") and self.protect_metadata:
            kwargs["metadata"] = await self.guard.aprotect_data(
                kwargs["metadata"], user_id=scope, user_name=user_name, namespace=self.namespace,
                keys=self._meta_keys(),
            )  # fmt: skip
        result = await self.memory.add(messages, **self._with_instructions(kwargs))
        return await self._restored(result, scope)

    async def update(self, memory_id: str, text: Any = None, metadata: Any = None, **kwargs: Any) -> Any:
        if text is not None and not isinstance(text, str):
            kwargs, text = _merge_options(text, kwargs), None
        text = kwargs.pop("text", text)
        metadata = kwargs.pop("metadata", metadata)
        explicit = {k: kwargs.pop(k) for k in IDENTITY_KEYS if k in kwargs}
        if text is not None or metadata or kwargs.get("data") is not None:
            scope = vault_user_for(**explicit, required=False) or await self._owner(memory_id)
            ns = self.namespace
            if text is not None:
                kwargs["text"] = (await self.guard.aprotect(text, user_id=scope, namespace=ns)).text
            if kwargs.get("data") is not None:
                kwargs["data"] = (await self.guard.aprotect(kwargs["data"], user_id=scope, namespace=ns)).text
            if metadata and self.protect_metadata:
                metadata = await self.guard.aprotect_data(
                    metadata, user_id=scope, namespace=ns, keys=self._meta_keys()
                )
        if metadata is not None:
            kwargs["metadata"] = metadata
        return await self.memory.update(memory_id, **kwargs)

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
        kwargs = _merge_options(kwargs.pop("options", None), kwargs)
        kwargs.update(_ids({"user_id": user_id, "agent_id": agent_id, "run_id": run_id}))
        scope = self._add_scope(kwargs) if forget_vault else None
        if scope is not None:
            self._check_whole_scope(kwargs)
        result = await self.memory.delete_all(**kwargs)
        if scope is not None:
            await self.guard.vault.aforget(scope, namespace=self.namespace)
        return result

    async def reset(self, *, forget_vault: bool = False) -> Any:
        scopes = await asyncio.to_thread(self._all_scopes) if forget_vault else set()
        result = await self.memory.reset()
        for scope in sorted(scopes):
            await self.guard.vault.aforget(scope, namespace=self.namespace)
        return result

    async def search(self, query: str, *, user_name: str | None = None, **kwargs: Any) -> Any:
        kwargs = _merge_options(kwargs.pop("options", None), kwargs)
        scope = self._query_scope(kwargs)
        if not isinstance(query, str):
            raise ConfigError(f"query must be a str, not {type(query).__name__}")
        protected = await self.guard.aprotect(
            query, user_id=scope, user_name=user_name, namespace=self.namespace
        )
        await self._protect_filters(kwargs, scope)
        return await self._restored(await self.memory.search(protected.text, **kwargs), scope)

    async def get_all(self, **kwargs: Any) -> Any:
        kwargs = _merge_options(kwargs.pop("options", None), kwargs)
        scope = self._query_scope(kwargs)
        await self._protect_filters(kwargs, scope)
        return await self._restored(await self.memory.get_all(**kwargs), scope)

    async def get(self, memory_id: str) -> Any:
        return await self._restored(await self.memory.get(memory_id), None)

    async def history(
        self,
        memory_id: str,
        *,
        user_id: str | None = None,
        agent_id: str | None = None,
        run_id: str | None = None,
    ) -> Any:
        result = await self.memory.history(memory_id)
        if not self.restore:
            return result
        scope = vault_user_for(user_id, agent_id, run_id, required=False) or await self._owner(memory_id)
        return await self._restored(result, scope, own=False)

    def close(self) -> None:
        close = getattr(self.memory, "close", None)
        if callable(close):
            close()

    async def __aenter__(self) -> AsyncPrivateMemory:
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.close()

    async def _protect_messages(self, messages: Any, scope: str, user_name: str | None) -> Any:
        ns = self.namespace
        if isinstance(messages, str):
            return (
                await self.guard.aprotect(messages, user_id=scope, user_name=user_name, namespace=ns)
            ).text
        return await self.guard.aprotect_data(
            messages, user_id=scope, user_name=user_name, namespace=ns, keys=["content"]
        )

    async def _protect_filters(self, kwargs: dict[str, Any], scope: str) -> None:
        rest = self._filters_to_protect(kwargs)
        if rest:
            done = await self.guard.aprotect_data(
                rest, user_id=scope, namespace=self.namespace, keys=self._meta_keys()
            )
            kwargs["filters"] = {**kwargs["filters"], **done}

    async def _owner(self, memory_id: str) -> str:
        item = await self.memory.get(memory_id)
        scope = vault_user_for(**_ids(item), required=False) if isinstance(item, Mapping) else None
        if scope is None:
            raise ConfigError(
                "cannot tell whose memory this is (not found, or no identity): pass user_id= "
                "(or agent_id=/run_id=)"
            )
        return scope

    async def _restored(self, result: Any, fallback: str | None, *, own: bool = True) -> Any:
        planned = self._plan_restore(result, fallback, own)
        if planned is None:
            return result
        items, groups = planned
        for scope, indexes in groups.items():
            done = await self.guard.arestore_data(
                [items[i] for i in indexes], user_id=scope, namespace=self.namespace
            )
            for i, item in zip(indexes, done, strict=True):
                items[i] = item
        return self._put_back(result, items)


def _mem0() -> Any:
    try:
        import mem0
    except ImportError as exc:
        raise ImportError(f"memprivacy_plugin.integrations.mem0 needs mem0: {MEM0_EXTRA}") from exc
    return mem0
