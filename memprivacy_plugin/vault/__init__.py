"""Vaults: where real values live, on the user's side. SQLite (encrypted, default) and in-memory.

`cryptography` is imported only when an SQLiteVault is opened, so importing this package is cheap.
"""

from __future__ import annotations

from .base import AsyncVaultMixin, Vault, VaultEntry, VaultItem
from .crypto import KEY_ENV, generate_key
from .memory import InMemoryVault
from .sqlite import SQLiteVault, default_vault_path

__all__ = [
    "KEY_ENV",
    "AsyncVaultMixin",
    "InMemoryVault",
    "SQLiteVault",
    "Vault",
    "VaultEntry",
    "VaultItem",
    "default_vault_path",
    "generate_key",
]
