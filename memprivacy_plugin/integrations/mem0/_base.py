"""What `PrivateMemory` and `AsyncPrivateMemory` share, written once.

Each operation is a generator, a flow (as httpx's `Auth.auth_flow`): it yields the guard and mem0
calls it needs and is sent their results. `PrivateMemory` runs a flow with plain calls;
`AsyncPrivateMemory` awaits each one (the guard's `a*` twin, mem0's coroutine, a blocking read
on a worker thread). The rules (identity, what is protected, what is restored) therefore exist
once and the two wrappers cannot drift apart.
"""

from __future__ import annotations

import asyncio
from collections.abc import Generator, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from ...errors import ConfigError
from ...guard import PrivacyGuard
from ._config import MEM0_EXTRA, PLACEHOLDER_INSTRUCTIONS, local_mem0_config, no_model_error
from ._identity import ID_FILTER_KEYS, IDENTITY_KEYS, ids, item_vault_user, vault_user_for, vault_users_in
from ._results import plan_restore

if TYPE_CHECKING:
    from typing_extensions import Self

__all__ = ["Call", "Flow", "PrivateMemoryBase"]

_PROCEDURAL = "procedural_memory"


@dataclass(frozen=True)
class Call:
    """One call a flow needs: a guard method (its `a*` twin when awaited), a mem0 method, or a
    blocking call that an async wrapper runs on a worker thread."""

    kind: Literal["guard", "mem0", "blocking"]
    target: Any
    name: str
    args: tuple[Any, ...] = ()
    kwargs: dict[str, Any] = field(default_factory=dict)

    def run(self) -> Any:
        return getattr(self.target, self.name)(*self.args, **self.kwargs)

    async def arun(self) -> Any:
        if self.kind == "blocking":
            return await asyncio.to_thread(self.run)
        name = "a" + self.name if self.kind == "guard" else self.name
        return await getattr(self.target, name)(*self.args, **self.kwargs)


Flow = Generator[Call, Any, Any]


class PrivateMemoryBase:
    """The parts of both wrappers that do no I/O of their own: configuration and the flows."""

    _mem0_class: ClassVar[str]  # the mem0 class `local` builds

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
            self._metadata_keys: list[str] | None = None
            self.protect_metadata = bool(protect_metadata)
        else:
            self._metadata_keys = sorted(set(protect_metadata))
            self.protect_metadata = True
        # The open-source Memory has a local vector store; the platform client does not.
        self._platform = not hasattr(memory, "vector_store")
        self._no_model = no_model_error(memory)
        self._touched: set[str] = set()

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
        (`mem0.AsyncMemory` for `AsyncPrivateMemory`). Without `llm`, mem0 has no extraction
        model: call `add(..., infer=False)`."""
        config = local_mem0_config(path, llm=llm, collection=collection)
        return cls(getattr(_mem0(), cls._mem0_class).from_config(config), guard, **options)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({type(self.memory).__name__}, guard={self.guard!r})"

    # -- calls -----------------------------------------------------------------------------------

    def _protect(self, data: Any, scope: str, user_name: str | None = None, **keys: Any) -> Call:
        kwargs = {"user_id": scope, "user_name": user_name, "namespace": self.namespace, **keys}
        return Call("guard", self.guard, "protect_data", (data,), kwargs)

    def _mem0(self, name: str, *args: Any, **kwargs: Any) -> Call:
        return Call("mem0", self.memory, name, args, kwargs)

    def _forget(self, scope: str) -> Call:
        return Call("guard", self.guard, "forget", (), {"user_id": scope, "namespace": self.namespace})

    # -- flows -----------------------------------------------------------------------------------

    def _add(self, messages: Any, user_name: str | None, kwargs: dict[str, Any]) -> Flow:
        kwargs = _merge_options(kwargs.pop("options", None), kwargs)
        if not isinstance(messages, (str, Mapping, list)):
            raise ConfigError(f"messages must be str, dict or list of dicts, not {type(messages).__name__}")
        self._check_model(kwargs)
        scope = self._write_scope(kwargs)
        self._touched.add(scope)
        keys = {} if isinstance(messages, str) else {"keys": ["content"]}
        messages = yield self._protect(messages, scope, user_name, **keys)
        if kwargs.get("metadata") and self.protect_metadata:
            kwargs["metadata"] = yield self._protect(
                kwargs["metadata"], scope, user_name, keys=self._metadata_keys
            )
        result = yield self._mem0("add", messages, **self._with_instructions(kwargs))
        return (yield from self._restored(result, scope))

    def _update(self, memory_id: str, text: Any, metadata: Any, kwargs: dict[str, Any]) -> Flow:
        if text is not None and not isinstance(text, str):  # MemoryClient's UpdateMemoryOptions
            kwargs, text = _merge_options(text, kwargs), None
        text = kwargs.pop("text", text)
        metadata = kwargs.pop("metadata", metadata)
        explicit = {k: kwargs.pop(k) for k in IDENTITY_KEYS if k in kwargs}
        if text is not None or metadata or kwargs.get("data") is not None:
            scope = vault_user_for(**explicit, required=False)
            if scope is None:
                scope = yield from self._owner(memory_id)
            for key, value in (("text", text), ("data", kwargs.get("data"))):
                if value is not None:
                    kwargs[key] = yield self._protect(_text(value, key), scope)
            if metadata and self.protect_metadata:
                metadata = yield self._protect(metadata, scope, keys=self._metadata_keys)
        if metadata is not None:
            kwargs["metadata"] = metadata
        return (yield self._mem0("update", memory_id, **kwargs))

    def _delete_all(self, who: dict[str, Any], forget_vault: bool, kwargs: dict[str, Any]) -> Flow:
        if "forget" in kwargs:  # the name erasure goes by elsewhere: never passed on to mem0 (ignored there)
            alias = kwargs.pop("forget")
            if not isinstance(alias, bool):
                raise ConfigError("forget must be True or False (the same as forget_vault)")
            forget_vault = forget_vault or alias
        kwargs = _merge_options(kwargs.pop("options", None), kwargs)
        kwargs.update(ids(who))
        scope = self._write_scope(kwargs) if forget_vault else None
        if scope is not None:
            _check_whole_scope(kwargs)
        result = yield self._mem0("delete_all", **kwargs)
        if scope is not None:
            yield self._forget(scope)
        return result

    def _reset(self, forget_vault: bool) -> Flow:
        """mem0's reset; with `forget_vault`, then the vault of every identity this wrapper wrote
        for and, for the open-source Memory, of every identity in its vector store before."""
        scopes = set(self._touched)
        store = getattr(self.memory, "vector_store", None)
        if forget_vault and store is not None:
            scopes |= vault_users_in(
                (yield Call("blocking", store, "list", (), {"filters": None, "top_k": 10**6}))
            )
        result = yield self._mem0("reset")
        if forget_vault:
            for scope in sorted(scopes):
                yield self._forget(scope)
        return result

    def _search(self, query: Any, user_name: str | None, kwargs: dict[str, Any]) -> Flow:
        kwargs = _merge_options(kwargs.pop("options", None), kwargs)
        scope = self._read_scope(kwargs)
        query = yield self._protect(_text(query, "query"), scope, user_name)
        yield from self._protect_filters(kwargs, scope)
        return (yield from self._restored((yield self._mem0("search", query, **kwargs)), scope))

    def _get_all(self, kwargs: dict[str, Any]) -> Flow:
        kwargs = _merge_options(kwargs.pop("options", None), kwargs)
        scope = self._read_scope(kwargs)
        yield from self._protect_filters(kwargs, scope)
        return (yield from self._restored((yield self._mem0("get_all", **kwargs)), scope))

    def _get(self, memory_id: str) -> Flow:
        return (yield from self._restored((yield self._mem0("get", memory_id)), None))

    def _history(self, memory_id: str, who: dict[str, Any]) -> Flow:
        """History rows carry no identity: the memory's own is read with `get`, or given."""
        result = yield self._mem0("history", memory_id)
        if not self.restore:
            return result
        scope = vault_user_for(**who, required=False)
        if scope is None:
            scope = yield from self._owner(memory_id)
        return (yield from self._restored(result, scope))

    def _owner(self, memory_id: str) -> Generator[Call, Any, str]:
        item = yield self._mem0("get", memory_id)
        scope = item_vault_user(item, None) if isinstance(item, Mapping) else None
        if scope is None:
            raise ConfigError(
                "cannot tell whose memory this is (not found, or no identity): pass user_id= "
                "(or agent_id=/run_id=)"
            )
        return scope

    def _protect_filters(self, kwargs: dict[str, Any], scope: str) -> Flow:
        """The non-identity part of `filters` (metadata conditions), protected like metadata so
        that an equality filter with a real value matches the placeholder stored."""
        filters = kwargs.get("filters")
        if not self.protect_metadata or not isinstance(filters, Mapping):
            return
        rest = {k: v for k, v in filters.items() if k not in ID_FILTER_KEYS}
        if rest:
            done = yield self._protect(rest, scope, keys=self._metadata_keys)
            kwargs["filters"] = {**filters, **done}

    def _restored(self, result: Any, fallback: str | None) -> Flow:
        """`result` with what the wrapper protected restored, each memory with its own vault."""
        plan = plan_restore(result, fallback, metadata=self.protect_metadata) if self.restore else None
        if plan is None:
            return result
        for scope in plan.scopes():
            texts = plan.text_values(scope)
            if texts:
                texts = yield Call("guard", self.guard, "restore_data", (texts,), self._scope_kwargs(scope))
            metadata = plan.metadata_values(scope)
            if metadata:
                keys = {} if self._metadata_keys is None else {"keys": self._metadata_keys}
                metadata = yield Call(
                    "guard", self.guard, "restore_data", (metadata,), {**self._scope_kwargs(scope), **keys}
                )
            plan.put(scope, texts, metadata)
        return plan.answer()

    # -- rules without I/O -----------------------------------------------------------------------

    def _scope_kwargs(self, scope: str) -> dict[str, Any]:
        return {"user_id": scope, "namespace": self.namespace}

    @staticmethod
    def _write_scope(kwargs: Mapping[str, Any]) -> str:
        """The vault user of a write: top-level ids (add, delete_all), else ids in `filters`."""
        scope = vault_user_for(**(ids(kwargs) or ids(kwargs.get("filters"))))
        assert scope is not None
        return scope

    @staticmethod
    def _read_scope(kwargs: Mapping[str, Any]) -> str:
        """The vault user of a read: ids in `filters` (mem0 2.x), else top-level ones."""
        scope = vault_user_for(**(ids(kwargs.get("filters")) or ids(kwargs)))
        assert scope is not None
        return scope

    def _check_model(self, kwargs: Mapping[str, Any]) -> None:
        """mem0 asks its LLM on `infer=True` (its default) and for procedural memories: with the
        stand-in of the local configuration that fails after retries, so refuse at once."""
        if self._no_model and (kwargs.get("infer", True) or kwargs.get("memory_type") == _PROCEDURAL):
            raise ConfigError(self._no_model)

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


def _check_whole_scope(kwargs: Mapping[str, Any]) -> None:
    """`forget_vault` only when the delete covers the vault's whole scope: a delete narrowed to one
    run of a user must not forget values that the user's other memories still use."""
    given = ids(kwargs) or ids(kwargs.get("filters"))
    first = next(k for k in IDENTITY_KEYS if k in given)
    if set(given) != {first}:
        raise ConfigError(
            f"forget_vault=True forgets the whole vault of {first}; call delete_all with "
            f"{first} alone (other memories of that {first[:-3]} still use its placeholders)"
        )


def _text(value: Any, what: str) -> str:
    if not isinstance(value, str):
        raise ConfigError(f"{what} must be a str, not {type(value).__name__}")
    return value


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


def _mem0() -> Any:
    try:
        import mem0
    except ImportError as exc:
        raise ImportError(f"memprivacy_plugin.integrations.mem0 needs mem0: {MEM0_EXTRA}") from exc
    return mem0
