"""Who a call is for, and which guard serves it, read the same way by every integration.

LangChain and LangGraph pass the user in `config["configurable"]` (or a LangGraph runtime context):
`user_id` (required), `namespace` and `user_name` (optional). There is no shared default user: a
call without a user id is refused, since resolving one user's placeholders with another's vault,
or storing under a common scope, would mix people's data.

Placeholders are numbered per user by default (`scope="user"`). In a thread that several people
write to (a group chat), each one's `<Phone_Number_1>` would be a different number in one shared
history, so a run can ask for `scope="thread"` (`configurable["memprivacy_scope"]`): every message
of the thread is then protected and restored with one vault scope derived from the thread id,
`thread:<thread_id>`.

Vault users of what is not a person are named with a prefix: `thread:<id>` here, `agent:<id>` and
`run:<id>` in the mem0 adapter. A user id beginning with any of them is refused by every adapter
(`check_user_id`), so no person can share the vault of a thread, an agent or a run, whichever
adapters an app combines.

The guard: the one a component was given, else one handed to the whole run under `GUARD_KEY`
(in `configurable` or the runtime context), else the process-wide default (`default_guard()`,
built once on first use), so components given no guard share one vault instead of each building
its own.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypedDict

from ..errors import ConfigError
from ..guard import PrivacyGuard

__all__ = [
    "GUARD_KEY",
    "NAMESPACE_KEY",
    "RESERVED_PREFIXES",
    "SCOPES",
    "SCOPE_KEY",
    "THREAD_ID_KEY",
    "USER_ID_KEY",
    "USER_NAME_KEY",
    "Identity",
    "Scope",
    "check_scope_name",
    "check_user_id",
    "default_guard",
    "guard_from",
    "identity_from",
]

USER_ID_KEY = "user_id"
NAMESPACE_KEY = "namespace"
USER_NAME_KEY = "user_name"
GUARD_KEY = "memprivacy_guard"
SCOPE_KEY = "memprivacy_scope"
THREAD_ID_KEY = "thread_id"
SCOPES = ("user", "thread")
THREAD_PREFIX = "thread:"
#: Prefixes of vault users that are not people (see the module docstring).
RESERVED_PREFIXES = ("agent:", "run:", THREAD_PREFIX)


def check_user_id(user_id: str) -> str:
    """`user_id`, unless it begins with a prefix kept for the vaults of threads, agents and runs."""
    if user_id.startswith(RESERVED_PREFIXES):
        raise ConfigError(
            f"user ids beginning with {', '.join(map(repr, RESERVED_PREFIXES))} are kept for the vaults "
            "of threads, agents and runs: choose user ids without these prefixes"
        )
    return user_id


class Scope(TypedDict):
    """The keyword arguments that name a vault scope in a guard call."""

    user_id: str
    namespace: str | None


@dataclass(frozen=True)
class Identity:
    """Who a call is for. `thread` is set in a thread-scoped run: then the vault scope is the
    thread's, not the user's, while `user_id` still names the person (memory namespaces)."""

    user_id: str
    namespace: str | None = None
    user_name: str | None = None
    thread: str | None = None

    @property
    def vault_user(self) -> str:
        """The user id the guard is called with: the user's, or the thread's scope."""
        return THREAD_PREFIX + self.thread if self.thread is not None else self.user_id

    def scope(self) -> Scope:
        """`user_id=` and `namespace=` for a guard call that restores or forgets."""
        return {"user_id": self.vault_user, "namespace": self.namespace}


def _fields(source: Any) -> Any:
    """A getter over a source: a RunnableConfig (its `configurable`), a mapping, or an object."""
    if isinstance(source, Mapping) and isinstance(source.get("configurable"), Mapping):
        source = source["configurable"]
    if isinstance(source, Mapping):
        return source.get
    return lambda key: getattr(source, key, None)


def identity_from(
    *sources: Mapping[str, Any] | Any | None, default: Identity | None = None, scope: str | None = None
) -> Identity:
    """The identity from the first source that names a user: a mapping with `user_id` (a
    `configurable` dict, a runtime context), an object with a `user_id` attribute, or a
    RunnableConfig (its `configurable` is read). Falls back to `default`; raises otherwise.

    `scope` ("user" or "thread"), else the first `memprivacy_scope` of the sources, else "user";
    a thread scope needs a `thread_id` in a source."""
    who = default
    for source in sources:
        if source is None:
            continue
        get = _fields(source)
        user_id = get(USER_ID_KEY)
        if user_id:
            who = Identity(str(user_id), _opt(get(NAMESPACE_KEY)), _opt(get(USER_NAME_KEY)))
            break
    if who is None:
        raise ConfigError(
            f"no user id: pass config={{'configurable': {{'{USER_ID_KEY}': ...}}}} "
            "(or set one on the adapter)"
        )
    check_user_id(who.user_id)
    if (scope or _first(sources, SCOPE_KEY) or "user") == "user":
        return who
    thread = _first(sources, THREAD_ID_KEY)
    if not thread:
        raise ConfigError(
            "scope='thread' needs a thread id: pass config={'configurable': {'thread_id': ...}}"
        )
    return Identity(who.user_id, who.namespace, who.user_name, str(thread))


def check_scope_name(scope: Any) -> str | None:
    """`scope` if it is one of SCOPES (or None); `ConfigError` otherwise."""
    if scope is not None and scope not in SCOPES:
        raise ConfigError(f"scope must be one of {SCOPES}, not {scope!r}")
    return scope  # type: ignore[no-any-return]


def _first(sources: tuple[Any, ...], key: str) -> Any:
    for source in sources:
        if source is not None and (value := _fields(source)(key)):
            return check_scope_name(value) if key == SCOPE_KEY else value
    return None


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
