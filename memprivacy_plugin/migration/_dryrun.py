"""A dry run's guard: the real guard's extractor, policy, fallback and bound, and a vault that
reads the real one but keeps what it would add in memory, so a dry run decides exactly as the
real run (the same spans, the same values already mapped, the same items changed) and writes
nothing anywhere. Placeholder numbers it hands out may differ from the real run's; no report
shows them.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Collection, Sequence

from ..errors import ConfigError
from ..guard import PrivacyGuard
from ..placeholders import format_placeholder, name_key, placeholder_key
from ..vault.base import AsyncVaultMixin, Vault, VaultEntry, VaultItem

__all__ = ["DryRunVault", "dry_run_guard"]

_Scope = tuple[str, str | None]


class DryRunVault(AsyncVaultMixin):
    """Reads through to `vault`; what `assign` would create lives in this object only."""

    def __init__(self, vault: Vault) -> None:
        self.vault = vault
        self._lock = threading.Lock()
        self._known: dict[_Scope, dict[str, str]] = {}  # value -> placeholder, stored ones
        self._new: dict[_Scope, dict[str, VaultEntry]] = {}  # value -> entry, would-be ones
        self._by_key: dict[_Scope, dict[str, str]] = {}  # placeholder key -> value, would-be ones
        self._top: dict[_Scope, dict[str, int]] = {}  # name key -> highest number seen

    def _stored(self, scope: _Scope) -> dict[str, str]:
        known = self._known.get(scope)
        if known is None:
            user_id, namespace = scope
            entries = [
                e for e in self.vault.entries(user_id, namespace=namespace) if e.namespace == namespace
            ]
            known = {e.value: e.placeholder for e in entries}
            top: dict[str, int] = {}
            for e in entries:
                name, _, number = e.placeholder[1:-1].rpartition("_")
                top[name_key(name)] = max(top.get(name_key(name), 0), int(number))
            self._known[scope], self._top[scope] = known, top
        return known

    def assign(self, user_id: str, items: Sequence[VaultItem], *, namespace: str | None = None) -> list[str]:
        scope = (user_id, namespace)
        with self._lock:
            known = self._stored(scope)
            new = self._new.setdefault(scope, {})
            by_key = self._by_key.setdefault(scope, {})
            top = self._top[scope]
            out: list[str] = []
            for item in items:
                if item.value in known:
                    out.append(known[item.value])
                    continue
                entry = new.get(item.value)
                if entry is None:
                    nk = name_key(item.name)
                    top[nk] = number = top.get(nk, 0) + 1
                    entry = VaultEntry(
                        placeholder=format_placeholder(item.name, number),
                        value=item.value,
                        privacy_type=item.privacy_type,
                        level=item.level,
                        namespace=namespace,
                        created_at=time.time(),
                    )
                    new[item.value] = entry
                    by_key[placeholder_key(item.name, number)] = item.value
                out.append(entry.placeholder)
            return out

    def lookup(self, user_id: str, keys: Collection[str], *, namespace: str | None = None) -> dict[str, str]:
        with self._lock:
            mine = self._by_key.get((user_id, namespace), {})
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
                for (uid, ns), entries in self._new.items()
                if uid == user_id and (namespace is None or ns == namespace)
                for e in entries.values()
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
