"""Which vault a mem0 identity uses: one vault per identity, never shared (the mapping is injective).

A mem0 call names who with `user_id`, `agent_id` and `run_id`. The vault user is the first given:
`user_id` as it is (every agent and run of the user share the user's vault, so a value keeps one
placeholder across sessions), else `agent:<agent_id>`, else `run:<run_id>`. These are the names
earlier versions used, so what mem0 already holds still resolves. They could collide: a user id
`agent:bot` named the vault of agent `bot`. Such user ids (beginning with `agent:` or `run:`, or
`thread:`, the LangGraph adapter's thread vaults: `RESERVED_PREFIXES`) are refused, since every
other choice would hand one of the two identities a fresh vault whose numbering starts again, and
an old placeholder would then resolve to a different value. A placeholder once handed out
resolves to its value or to nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...errors import ConfigError
from .._identity import check_user_id

__all__ = ["IDENTITY_KEYS", "ID_FILTER_KEYS", "ids", "item_vault_user", "vault_user_for", "vault_users_in"]

IDENTITY_KEYS = ("user_id", "agent_id", "run_id")
# Filter keys that name who, not what: never protected (mem0 matches them exactly).
ID_FILTER_KEYS = frozenset({*IDENTITY_KEYS, "actor_id", "app_id", "org_id", "project_id"})
_PREFIX = {"user_id": "", "agent_id": "agent:", "run_id": "run:"}

_NO_IDENTITY = (
    "no mem0 identity: pass user_id= to add()/delete_all() or filters={'user_id': ...} to "
    "search()/get_all() (agent_id or run_id alone scope a vault of their own)"
)


def vault_user_for(
    user_id: Any = None, agent_id: Any = None, run_id: Any = None, *, required: bool = True
) -> str | None:
    """The vault user behind a mem0 identity: `user_id` when given, else `agent:<agent_id>`, else
    `run:<run_id>` (see the module docstring). No identity at all raises `ConfigError` (fail
    closed: there is no shared default vault) unless `required=False`; so does a wildcard, an
    operator instead of one id, or a user id that would name another identity's vault."""
    for key, value in (("user_id", user_id), ("agent_id", agent_id), ("run_id", run_id)):
        if value is None:
            continue
        if not isinstance(value, str) or not value.strip() or value.strip() == "*":
            raise ConfigError(
                f"{key} must be one plain id to choose a vault (not {type(value).__name__} or a wildcard)"
            )
        one = value.strip()  # mem0 trims ids the same way
        if key == "user_id":
            check_user_id(one)
        return _PREFIX[key] + one
    if required:
        raise ConfigError(_NO_IDENTITY)
    return None


def ids(source: Mapping[str, Any] | None) -> dict[str, Any]:
    """The identity keys given in `source` (call arguments, `filters`, a stored memory)."""
    return {k: source[k] for k in IDENTITY_KEYS if source and source.get(k) is not None}


def item_vault_user(item: Any, fallback: str | None) -> str | None:
    """The vault that restores one memory of an answer: its own identity's (a search over an
    agent can return several users' memories), the request's when it carries none, and None when
    its identity is one no wrapper writes for (never restored with somebody else's vault)."""
    own = ids(item) if isinstance(item, Mapping) else {}
    if not own:
        return fallback
    try:
        return vault_user_for(**own, required=False)
    except ConfigError:
        return None


def vault_users_in(rows: Any) -> set[str]:
    """The vault users of the points of a vector store listing (`vector_store.list`, which some
    stores wrap in one more list), skipping points whose identity names no vault."""
    if isinstance(rows, (list, tuple)) and rows and isinstance(rows[0], list):
        rows = rows[0]
    found: set[str] = set()
    for row in rows or []:
        scope = item_vault_user(getattr(row, "payload", None) or {}, None)
        if scope:
            found.add(scope)
    return found
