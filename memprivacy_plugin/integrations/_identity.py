"""Who a call is for, read the same way by every integration.

LangChain and LangGraph pass it in `config["configurable"]` (or a LangGraph runtime context):
`user_id` (required), `namespace` and `user_name` (optional). There is no shared default user: a
call without a user id is refused, since resolving one user's placeholders with another's vault,
or storing under a common scope, would mix people's data.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..errors import ConfigError

__all__ = ["NAMESPACE_KEY", "USER_ID_KEY", "USER_NAME_KEY", "Identity", "identity_from"]

USER_ID_KEY = "user_id"
NAMESPACE_KEY = "namespace"
USER_NAME_KEY = "user_name"


@dataclass(frozen=True)
class Identity:
    user_id: str
    namespace: str | None = None
    user_name: str | None = None


def identity_from(*sources: Mapping[str, Any] | Any | None, default: Identity | None = None) -> Identity:
    """The identity from the first source that names a user: a mapping with `user_id` (a
    `configurable` dict, a runtime context), an object with a `user_id` attribute, or a
    RunnableConfig (its `configurable` is read). Falls back to `default`; raises otherwise."""
    for source in sources:
        if source is None:
            continue
        if isinstance(source, Mapping) and isinstance(source.get("configurable"), Mapping):
            source = source["configurable"]
        get = source.get if isinstance(source, Mapping) else lambda k, s=source: getattr(s, k, None)
        user_id = get(USER_ID_KEY)
        if user_id:
            return Identity(str(user_id), _opt(get(NAMESPACE_KEY)), _opt(get(USER_NAME_KEY)))
    if default is not None:
        return default
    raise ConfigError(
        f"no user id: pass config={{'configurable': {{'{USER_ID_KEY}': ...}}}} (or set one on the adapter)"
    )


def _opt(value: Any) -> str | None:
    return str(value) if value else None
