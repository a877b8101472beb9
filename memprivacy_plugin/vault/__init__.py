"""Vaults: where real values live, on the user's side. SQLite (encrypted, default), PostgreSQL (shared
by app replicas) and in-memory.

`cryptography` is imported only when a vault is opened, and psycopg only when a `PostgresVault` is
made, so importing this package is cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .base import AsyncVaultMixin, Vault, VaultEntry, VaultItem
from .crypto import KEY_ENV, generate_key
from .memory import InMemoryVault
from .sqlite import SQLiteVault, default_vault_path

if TYPE_CHECKING:
    from .postgres import PostgresVault

__all__ = [
    "KEY_ENV",
    "AsyncVaultMixin",
    "InMemoryVault",
    "PostgresVault",
    "SQLiteVault",
    "Vault",
    "VaultEntry",
    "VaultItem",
    "default_vault_path",
    "generate_key",
]


def __getattr__(name: str) -> Any:
    # PostgresVault's module is light, but keep the import of the vault package free of it.
    if name == "PostgresVault":
        from .postgres import PostgresVault

        return PostgresVault
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
