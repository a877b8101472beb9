"""What the LangGraph adapters share: who a run is for, which guard serves it, and the run's
LangGraph runtime (read through LangGraph's public API). Walking messages, the protected marker
and restoring live in the core every adapter uses (`integrations._messages`, `integrations._stream`);
the names below that point there are kept for code that imported them from here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from langgraph.runtime import Runtime

from ...guard import PrivacyGuard
from .._identity import Identity, guard_from, identity_from
from .._messages import MARK_KEY, arestore_value, is_protected, marked, restore_value

__all__ = [
    "MARKER",
    "arestore_tree",
    "graph_runtime",
    "guard_of",
    "identity_of",
    "is_protected",
    "marked",
    "restore_tree",
    "runtime_context",
]

MARKER = MARK_KEY


def identity_of(config: Any = None, context: Any = None, default: Identity | None = None) -> Identity:
    """The user from `config["configurable"]`, else the runtime context (a mapping or an object with
    `user_id`), else `default`; `ConfigError` when none names a user."""
    return identity_from(config, context, default=default)


def graph_runtime(config: Any = None) -> Runtime[Any] | None:
    """The LangGraph `Runtime` of the current run (None outside a graph run, so nodes also work when
    invoked on their own): the one LangGraph put in the node's config, else `get_runtime()`."""
    configurable = config.get("configurable") if isinstance(config, Mapping) else None
    if isinstance(configurable, Mapping):
        for value in configurable.values():
            if isinstance(value, Runtime):
                return value
    if config is not None:
        return None
    from langgraph.runtime import get_runtime

    try:
        return get_runtime()
    except (RuntimeError, KeyError):
        return None


def runtime_context(runtime: Any) -> Any:
    """The LangGraph runtime's context (None outside a graph run)."""
    return getattr(runtime, "context", None)


def guard_of(explicit: PrivacyGuard | None, config: Any = None, context: Any = None) -> PrivacyGuard:
    """The guard a component uses: its own, else one handed to the run, else the default."""
    return guard_from(explicit, config, context)


def restore_tree(data: Any, guard: PrivacyGuard, who: Identity) -> Any:
    """A copy of `data` (a state dict, an update, messages) with this user's values restored; one
    vault lookup for all of it. Data without placeholders comes back as it is."""
    return restore_value(guard, data, who)


async def arestore_tree(data: Any, guard: PrivacyGuard, who: Identity) -> Any:
    return await arestore_value(guard, data, who)
