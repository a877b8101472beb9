"""Adopting the plugin on a memory that already exists: audit what it holds in clear, then migrate
it in place into the placeholder form `PrivateStore` / `PrivateMemory` write, through the same
guard and vault they use afterwards (so their searches and restores just work).

Nothing in the core imports this package. LangGraph, mem0, tqdm and matplotlib are imported only
when a function that needs them is used (the store functions load on first access). Reports hold
counts and keyed-hash refs, never a value.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._dryrun import DryRunVault, dry_run_guard
from ._report import AuditReport, AuditTally, MigrationReport, UserAudit, ValueRef, found_in_clear
from ._resume import Checkpoint

if TYPE_CHECKING:
    from .mem0 import audit_mem0, migrate_mem0
    from .store import PostgresSource, SqliteSource, audit_store, migrate_store

__all__ = [
    "AuditReport",
    "AuditTally",
    "Checkpoint",
    "DryRunVault",
    "MigrationReport",
    "PostgresSource",
    "SqliteSource",
    "UserAudit",
    "ValueRef",
    "audit_mem0",
    "audit_store",
    "dry_run_guard",
    "found_in_clear",
    "migrate_checkpointer",
    "migrate_mem0",
    "migrate_store",
]

_LAZY = {name: ".store" for name in ("PostgresSource", "SqliteSource", "audit_store", "migrate_store")}
_LAZY["migrate_checkpointer"] = ".checkpointer"
_LAZY.update(audit_mem0=".mem0", migrate_mem0=".mem0")


def __getattr__(name: str) -> Any:
    """The names whose modules import an extra (LangGraph), loaded on first access."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib import import_module

    value = getattr(import_module(module, __name__), name)
    globals()[name] = value
    return value
