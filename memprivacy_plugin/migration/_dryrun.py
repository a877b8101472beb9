"""A dry run's guard: the real guard's extractor, policy, fallback and bound, and a vault that
reads the real one but keeps what it would add in memory, so a dry run decides exactly as the
real run (the same spans, the same values already mapped, the same items changed) and writes
nothing anywhere. Placeholder numbers it hands out may differ from the real run's; no report
shows them.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field

from ..errors import ConfigError
from ..guard import PrivacyGuard
from ..placeholders import format_placeholder, name_key, placeholder_key
from ..vault.base import AsyncVaultMixin, Vault, VaultEntry, VaultItem

__all__ = ["DryRunVault", "dry_run_guard"]

_Key = tuple[str, str | None]


@dataclass
class _Scope:
    known: dict[str, str]  # value -> placeholder, stored in the real vault
    top: dict[str, int]  # name key -> highest number seen
    new: dict[str, VaultEntry] = field(default_factory=dict)  # value -> would-be entry
    by_key: dict[str, str] = field(default_factory=dict)  # placeholder key -> value, would-be ones


class DryRunVault(AsyncVaultMixin):
    """Reads through to `vault`; what `assign` would create lives in this object only, for the
    `max_scopes` users (and namespaces) used most recently: memory stays bounded on a migration of
    many users. A scope dropped and used again starts over from the real vault; only placeholder
    numbers (which no report shows) can differ for it, never which texts change or how."""

    def __init__(self, vault: Vault, *, max_scopes: int = 1024) -> None:
        self.vault = vault
        self._lock = threading.Lock()
        self._scopes: OrderedDict[_Key, _Scope] = OrderedDict()
        self._max = max_scopes

    def _scope(self, key: _Key) -> _Scope:
        found = self._scopes.get(key)
        if found is not None:
            self._scopes.move_to_end(key)
            return found
        user_id, namespace = key
        entries = [e for e in self.vault.entries(user_id, namespace=namespace) if e.namespace == namespace]
        top: dict[str, int] = {}
        for e in entries:
            name, _, number = e.placeholder[1:-1].rpartition("_")
            top[name_key(name)] = max(top.get(name_key(name), 0), int(number))
        made = self._scopes[key] = _Scope({e.value: e.placeholder for e in entries}, top)
        while len(self._scopes) > self._max:
            self._scopes.popitem(last=False)
        return made

    def assign(self, user_id: str, items: Sequence[VaultItem], *, namespace: str | None = None) -> list[str]:
        with self._lock:
            scope = self._scope((user_id, namespace))
            out: list[str] = []
            for item in items:
                if item.value in scope.known:
                    out.append(scope.known[item.value])
                    continue
                entry = scope.new.get(item.value)
                if entry is None:
                    nk = name_key(item.name)
                    scope.top[nk] = number = scope.top.get(nk, 0) + 1
                    entry = VaultEntry(
                        placeholder=format_placeholder(item.name, number),
                        value=item.value,
                        privacy_type=item.privacy_type,
                        level=item.level,
                        namespace=namespace,
                        created_at=time.time(),
                    )
                    scope.new[item.value] = entry
                    scope.by_key[placeholder_key(item.name, number)] = item.value
                out.append(entry.placeholder)
            return out

    def lookup(self, user_id: str, keys: Collection[str], *, namespace: str | None = None) -> dict[str, str]:
        with self._lock:
            scope = self._scopes.get((user_id, namespace))
            mine = scope.by_key if scope is not None else {}
            found = {k: mine[k] for k in keys if k in mine}
        rest = [k for k in keys if k not in found]
        if rest:
            found.update(self.vault.lookup(user_id, rest, namespace=namespace))
        return found

    def entries(self, user_id: str, *, namespace: str | None = None) -> list[VaultEntry]:
        stored = self.vault.entries(user_id, namespace=namespace)
        with self._lock:
            extra = [
                e
                for (uid, ns), scope in self._scopes.items()
                if uid == user_id and (namespace is None or ns == namespace)
                for e in scope.new.values()
            ]
        return [*stored, *extra]

    def forget(self, user_id: str, *, namespace: str | None = None) -> int:
        raise ConfigError("a dry run erases nothing")


def dry_run_guard(guard: PrivacyGuard) -> PrivacyGuard:
    """A guard that protects exactly as `guard` does and writes nothing: its vault is a
    `DryRunVault` over `guard.vault`."""
    return PrivacyGuard(
        extractor=guard.extractor,
        vault=DryRunVault(guard.vault),
        policy=guard.policy,
        fallback=guard.fallback,
        timeout=guard.timeout,
        remember_values=guard._seen is not None,
        warn_coverage=False,
    )
