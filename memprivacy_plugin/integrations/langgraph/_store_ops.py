"""Whose data a `PrivateStore` op touches, and the per-user share of a batch (no I/O).

Three sources can name the user: a fixed `user_id=`, the LangGraph run the call happens in (its
`config["configurable"]["user_id"]`, else langmem's `langgraph_user_id`, else its runtime context's
`user_id`), and a namespace position the store was given (`namespace_user_index`). Every source
present must name the same user. No position is guessed: a guess of 0 read langmem's
`("memories", user_id)` as the user "memories", filing the user's values under another vault user,
so that a forget of the user erased nothing.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from langgraph.config import get_config
from langgraph.runtime import get_runtime

from ...errors import ConfigError
from ...guard import PrivacyGuard
from ...policy import Action
from .._identity import guard_from

__all__ = ["Run", "UserWork", "Users", "arefuse_private", "has_text", "refuse_private", "texts_of"]

RUN_USER_KEYS = ("user_id", "langgraph_user_id")


@dataclass(frozen=True)
class Run:
    """The LangGraph run (or LangChain runnable) a store call happens in: its config and its
    runtime context; both None outside one (and, on Python 3.10, in async code, where LangGraph
    cannot see the run's config)."""

    config: Mapping[str, Any] | None = None
    context: Any = None

    @classmethod
    def current(cls) -> Run:
        try:
            config = get_config()
        except RuntimeError:
            return cls()
        try:
            context = getattr(get_runtime(), "context", None)
        except (RuntimeError, KeyError):
            context = None
        return cls(config, context)

    def user(self) -> str | None:
        """The run's user: the config's `user_id` (or langmem's `langgraph_user_id`), else the
        runtime context's."""
        sources = (self.config.get("configurable") if self.config else None, self.context)
        for source in (s for s in sources if s is not None):
            for key in RUN_USER_KEYS:
                user = source.get(key) if isinstance(source, Mapping) else getattr(source, key, None)
                if user:
                    return str(user)
        return None

    def guard(self, explicit: PrivacyGuard | None) -> PrivacyGuard:
        """The store's own guard, else the one handed to the run, else the process-wide default."""
        return guard_from(explicit, self.config, self.context)


@dataclass(frozen=True)
class Users:
    """The store's rule for whose vault an op or an item uses."""

    fixed: str | None
    index: int | None
    from_run: bool

    def caller(self, current: Run) -> str | None:
        """Who is calling: the fixed user, the run's user, or None (a script, an admin job)."""
        run = current.user() if self.from_run else None
        if self.fixed is not None and run is not None and run != self.fixed:
            raise ConfigError("user_id= and the run's user_id name different users")
        return self.fixed if self.fixed is not None else run

    def label(self, namespace: tuple[str, ...]) -> str | None:
        """The user the namespace names at the position the store was given."""
        if self.index is None:
            return None
        try:
            label = namespace[self.index]
        except IndexError:
            return None
        return label if isinstance(label, str) and label else None

    def of_op(self, namespace: tuple[str, ...], caller: str | None) -> str | None:
        """The user of an op on `namespace`; `ConfigError` when the namespace and the caller disagree."""
        owner = self.label(namespace)
        if owner is not None and caller is not None and owner != caller:
            source = "user_id=" if self.fixed is not None else "the run's user_id"
            raise ConfigError(
                f"namespace position {self.index} and {source} name different users "
                "(set namespace_user_index to where your namespaces hold the user id)"
            )
        return owner if owner is not None else caller

    def of_item(self, namespace: tuple[str, ...], caller: str | None) -> str | None:
        """Whose vault restores an item read back; None: returned as stored. With a position: the
        user it names there (in a run, only the run's user: never another user's values there).
        Without one: a fixed user's store is all theirs; in a run, the run's user's items are
        those whose namespace names them; outside a run, no item names a user."""
        if self.index is not None:
            owner = self.label(namespace)
            if owner is None:
                return caller
            return None if caller is not None and owner != caller else owner
        if self.fixed is not None:
            return self.fixed
        return caller if caller is not None and caller in namespace else None

    def required(self, user: str | None) -> str:
        if user is None:
            where = "no user id" if self.index is None else f"no user id at namespace position {self.index}"
            raise ConfigError(
                f"{where} and no run names one: pass config={{'configurable': {{'user_id': ...}}}}, "
                "namespace_user_index= (0 for (user_id, ...) namespaces) or user_id="
            )
        return user


@dataclass
class UserWork:
    """One user's share of a batch: (op index, original) pairs, then their protected forms."""

    values: list[tuple[int, Any]] = field(default_factory=list)
    queries: list[tuple[int, str]] = field(default_factory=list)
    filters: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    new_values: list[Any] = field(default_factory=list)
    new_queries: list[str] = field(default_factory=list)
    new_filters: list[Any] = field(default_factory=list)


def texts_of(data: Any, keys: frozenset[str] | None, *, inside: bool = False) -> Iterable[str]:
    """The strings of JSON-like data that protection would read: every one, or (with `keys`) those
    under one of `keys` at any depth."""
    if isinstance(data, str):
        if keys is None or inside:
            yield data
    elif isinstance(data, Mapping):
        for k, v in data.items():
            yield from texts_of(v, keys, inside=inside or (keys is not None and k in keys))
    elif isinstance(data, (list, tuple, set, frozenset)):
        for v in data:
            yield from texts_of(v, keys, inside=inside)


def has_text(data: Any, keys: frozenset[str] | None) -> bool:
    return next(iter(texts_of(data, keys)), None) is not None


def refuse_private(guard: PrivacyGuard, texts: list[str]) -> None:
    """A query or filter that names no user cannot be mapped to anyone's placeholders: let it
    through only when the guard's policy would leave all of it as it is (fail closed otherwise)."""
    for text in texts:
        if any(guard.policy.action_for(s) is not Action.KEEP for s in guard.extractor.extract(text)):
            raise ConfigError(
                "a search that names no user holds private values: search under the user's "
                "namespace, inside the user's run, or with user_id="
            )


async def arefuse_private(guard: PrivacyGuard, texts: list[str]) -> None:
    if texts:
        await asyncio.to_thread(refuse_private, guard, texts)
