"""A vault in a dict: same semantics as the SQLite vault, nothing touches disk.

For tests, notebooks and short-lived processes. Values live in clear in process memory (there is
no "at rest" to protect), and everything is gone when the object is.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field

from ..placeholders import format_placeholder, name_key, placeholder_key
from .base import AsyncVaultMixin, VaultEntry, VaultItem

__all__ = ["InMemoryVault"]


@dataclass
class _Scope:
    by_value: dict[str, VaultEntry] = field(default_factory=dict)
    by_key: dict[str, VaultEntry] = field(default_factory=dict)
    top: dict[str, int] = field(default_factory=dict)  # name_key -> highest number used


class InMemoryVault(AsyncVaultMixin):
    """A thread-safe in-process vault; after `forget`, numbering goes on above the numbers the
    forgotten values had, as in the SQLite vault (a placeholder never comes back for a new value)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._scopes: dict[tuple[str, str | None], _Scope] = {}
        self._floors: dict[tuple[str, str | None], int] = {}  # highest number a forgotten scope used

    def assign(self, user_id: str, items: Sequence[VaultItem], *, namespace: str | None = None) -> list[str]:
        if not items:
            return []
        with self._lock:
            scope = self._scopes.get((user_id, namespace))
            if scope is None:
                scope = self._scopes[(user_id, namespace)] = _Scope()
            out: list[str] = []
            now = time.time()
            for item in items:
                entry = scope.by_value.get(item.value)
                if entry is None:
                    nk = name_key(item.name)
                    number = max(scope.top.get(nk, 0), self._floors.get((user_id, namespace), 0)) + 1
                    scope.top[nk] = number
                    entry = VaultEntry(
                        placeholder=format_placeholder(item.name, number),
                        value=item.value,
                        privacy_type=item.privacy_type,
                        level=item.level,
                        namespace=namespace,
                        created_at=now,
                    )
                    scope.by_value[item.value] = entry
                    scope.by_key[placeholder_key(item.name, number)] = entry
                out.append(entry.placeholder)
            return out

    def lookup(self, user_id: str, keys: Collection[str], *, namespace: str | None = None) -> dict[str, str]:
        with self._lock:
            scope = self._scopes.get((user_id, namespace))
            if scope is None:
                return {}
            return {k: e.value for k in keys if (e := scope.by_key.get(k)) is not None}

    def entries(self, user_id: str, *, namespace: str | None = None) -> list[VaultEntry]:
        with self._lock:
            if namespace is not None:
                scope = self._scopes.get((user_id, namespace))
                return list(scope.by_value.values()) if scope else []
            out: list[VaultEntry] = []
            for (uid, _), scope in self._scopes.items():
                if uid == user_id:
                    out.extend(scope.by_value.values())
            out.sort(key=lambda e: e.created_at)  # stable: creation order across namespaces
            return out

    def forget(self, user_id: str, *, namespace: str | None = None) -> int:
        with self._lock:
            targets = [
                k for k in self._scopes if k[0] == user_id and (namespace is None or k[1] == namespace)
            ]
            count = 0
            for k in targets:
                scope = self._scopes.pop(k)
                if scope.top:
                    self._floors[k] = max(self._floors.get(k, 0), *scope.top.values())
                count += len(scope.by_value)
            return count

    # Dict operations under a lock held for microseconds: the async twins run inline, without
    # the worker-thread hop that vaults doing I/O need.

    async def aassign(
        self, user_id: str, items: Sequence[VaultItem], *, namespace: str | None = None
    ) -> list[str]:
        return self.assign(user_id, items, namespace=namespace)

    async def alookup(
        self, user_id: str, keys: Collection[str], *, namespace: str | None = None
    ) -> dict[str, str]:
        return self.lookup(user_id, keys, namespace=namespace)

    async def aentries(self, user_id: str, *, namespace: str | None = None) -> list[VaultEntry]:
        return self.entries(user_id, namespace=namespace)

    async def aforget(self, user_id: str, *, namespace: str | None = None) -> int:
        return self.forget(user_id, namespace=namespace)

    def __repr__(self) -> str:
        return f"InMemoryVault(scopes={len(self._scopes)})"
