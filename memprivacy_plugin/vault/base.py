"""The vault protocol: where real values live, on the user's side, keyed by placeholder.

A vault assigns placeholders (one per distinct value per user and namespace, stable forever,
numbered per placeholder-name key so numbers never collide) and resolves them back. Every call is
scoped by `user_id` and an optional `namespace`; a placeholder of one scope never resolves in
another. Async twins default to running the sync method in a worker thread.
"""

from __future__ import annotations

import asyncio
from collections.abc import Collection, Sequence
from typing import Protocol, runtime_checkable

from pydantic import BaseModel, ConfigDict, Field

from ..taxonomy import PrivacyLevel

__all__ = ["AsyncVaultMixin", "Vault", "VaultEntry", "VaultItem"]


class VaultItem(BaseModel):
    """A value to protect: its placeholder name (already sanitised), type and level."""

    model_config = ConfigDict(frozen=True)

    name: str
    value: str = Field(repr=False)
    privacy_type: str
    level: PrivacyLevel


class VaultEntry(BaseModel):
    """What the vault holds for one placeholder. `value` is kept out of `repr()`."""

    model_config = ConfigDict(frozen=True)

    placeholder: str
    value: str = Field(repr=False)
    privacy_type: str
    level: PrivacyLevel
    namespace: str | None = None
    created_at: float = 0.0


@runtime_checkable
class Vault(Protocol):
    def assign(self, user_id: str, items: Sequence[VaultItem], *, namespace: str | None = None) -> list[str]:
        """The placeholder of each item, creating the ones not yet stored, in one transaction."""
        ...

    def lookup(self, user_id: str, keys: Collection[str], *, namespace: str | None = None) -> dict[str, str]:
        """Values for placeholder keys (`placeholder_key` form); unknown keys are absent."""
        ...

    def entries(self, user_id: str, *, namespace: str | None = None) -> list[VaultEntry]:
        """Everything stored for a user (in one namespace, or all of them when None)."""
        ...

    def forget(self, user_id: str, *, namespace: str | None = None) -> int:
        """Delete what is stored for a user (one namespace, or all when None); the count deleted."""
        ...

    async def aassign(
        self, user_id: str, items: Sequence[VaultItem], *, namespace: str | None = None
    ) -> list[str]: ...

    async def alookup(
        self, user_id: str, keys: Collection[str], *, namespace: str | None = None
    ) -> dict[str, str]: ...

    async def aentries(self, user_id: str, *, namespace: str | None = None) -> list[VaultEntry]: ...

    async def aforget(self, user_id: str, *, namespace: str | None = None) -> int: ...


class AsyncVaultMixin:
    """Async twins that run the sync methods in a worker thread (for embedded vaults)."""

    async def aassign(
        self, user_id: str, items: Sequence[VaultItem], *, namespace: str | None = None
    ) -> list[str]:
        return await asyncio.to_thread(self.assign, user_id, items, namespace=namespace)  # type: ignore[attr-defined]

    async def alookup(
        self, user_id: str, keys: Collection[str], *, namespace: str | None = None
    ) -> dict[str, str]:
        return await asyncio.to_thread(self.lookup, user_id, keys, namespace=namespace)  # type: ignore[attr-defined]

    async def aentries(self, user_id: str, *, namespace: str | None = None) -> list[VaultEntry]:
        return await asyncio.to_thread(self.entries, user_id, namespace=namespace)  # type: ignore[attr-defined]

    async def aforget(self, user_id: str, *, namespace: str | None = None) -> int:
        return await asyncio.to_thread(self.forget, user_id, namespace=namespace)  # type: ignore[attr-defined]
