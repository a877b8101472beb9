"""Who a call is for, and which guard serves it, read the same way by every integration.

LangChain and LangGraph pass the user in `config["configurable"]` (or a LangGraph runtime context):
`user_id` (required), `namespace` and `user_name` (optional). There is no shared default user: a
call without a user id is refused, since resolving one user's placeholders with another's vault,
or storing under a common scope, would mix people's data.

The guard: the one a component was given, else one handed to the whole run under `GUARD_KEY`
(in `configurable` or the runtime context), else the process-wide default (`default_guard()`,
built once on first use), so components given no guard share one vault instead of each building
its own.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..errors import ConfigError
from ..guard import PrivacyGuard

__all__ = [
    "GUARD_KEY",
    "NAMESPACE_KEY",
    "USER_ID_KEY",
    "USER_NAME_KEY",
    "Identity",
    "default_guard",
    "guard_from",
    "identity_from",
]

USER_ID_KEY = "user_id"
NAMESPACE_KEY = "namespace"
USER_NAME_KEY = "user_name"
GUARD_KEY = "memprivacy_guard"


@dataclass(frozen=True)
class Identity:
    user_id: str
    namespace: str | None = None
    user_name: str | None = None


def _fields(source: Any) -> Any:
    """A getter over a source: a RunnableConfig (its `configurable`), a mapping, or an object."""
    if isinstance(source, Mapping) and isinstance(source.get("configurable"), Mapping):
        source = source["configurable"]
    if isinstance(source, Mapping):
        return source.get
    return lambda key: getattr(source, key, None)


def identity_from(*sources: Mapping[str, Any] | Any | None, default: Identity | None = None) -> Identity:
    """The identity from the first source that names a user: a mapping with `user_id` (a
    `configurable` dict, a runtime context), an object with a `user_id` attribute, or a
    RunnableConfig (its `configurable` is read). Falls back to `default`; raises otherwise."""
    for source in sources:
        if source is None:
            continue
        get = _fields(source)
        user_id = get(USER_ID_KEY)
        if user_id:
            return Identity(str(user_id), _opt(get(NAMESPACE_KEY)), _opt(get(USER_NAME_KEY)))
    if default is not None:
        return default
    raise ConfigError(
        f"no user id: pass config={{'configurable': {{'{USER_ID_KEY}': ...}}}} (or set one on the adapter)"
    )


@functools.lru_cache(maxsize=1)
def default_guard() -> PrivacyGuard:
    """The process-wide embedded default (`PrivacyGuard()`), built on first use and shared by
    every component given no guard."""
    return PrivacyGuard()


def guard_from(explicit: PrivacyGuard | None, *sources: Mapping[str, Any] | Any | None) -> PrivacyGuard:
    """`explicit`, else a `PrivacyGuard` under `GUARD_KEY` in the first source that has one (a
    config's `configurable`, a runtime context), else `default_guard()`."""
    if explicit is not None:
        return explicit
    for source in sources:
        if source is None:
            continue
        found = _fields(source)(GUARD_KEY)
        if isinstance(found, PrivacyGuard):
            return found
    return default_guard()


def _opt(value: Any) -> str | None:
    return str(value) if value else None
