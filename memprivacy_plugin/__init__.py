"""memprivacy-plugin: keep users' private data out of AI agents' cloud memory.

A local extractor finds privacy-sensitive spans and rates them PL1-PL4, the user's policy decides
per level, protected values become typed placeholders (`<Phone_Number_1>`) whose real values stay
in a local encrypted vault, and text coming back is restored on the user's side.

    from memprivacy_plugin import PrivacyGuard
    guard = PrivacyGuard()
    safe = guard.protect("my phone is +1 415 867 5309", user_id="u1")
    guard.restore(safe.text, user_id="u1")
"""

from __future__ import annotations

from ._export import VaultExport
from .errors import (
    ConfigError,
    ExtractionError,
    MemPrivacyError,
    PlaintextVaultWarning,
    PolicyBlockedError,
    UnknownPlaceholderError,
    VaultError,
    VaultKeyError,
)
from .extractors.base import BaseExtractor, Extractor
from .extractors.ensemble import EnsembleExtractor
from .extractors.known import KnownValuesExtractor
from .extractors.rules import RuleExtractor
from .guard import PrivacyGuard, ProtectedText, Replacement
from .policy import Action, PrivacyPolicy
from .spans import PrivacySpan
from .taxonomy import PrivacyLevel, normalize_type
from .vault.base import Vault, VaultEntry, VaultItem
from .vault.memory import InMemoryVault
from .vault.sqlite import SQLiteVault

__all__ = [
    "Action",
    "BaseExtractor",
    "ConfigError",
    "EnsembleExtractor",
    "ExtractionError",
    "Extractor",
    "InMemoryVault",
    "KnownValuesExtractor",
    "MemPrivacyError",
    "PlaintextVaultWarning",
    "PolicyBlockedError",
    "PrivacyGuard",
    "PrivacyLevel",
    "PrivacyPolicy",
    "PrivacySpan",
    "ProtectedText",
    "Replacement",
    "RuleExtractor",
    "SQLiteVault",
    "UnknownPlaceholderError",
    "Vault",
    "VaultEntry",
    "VaultError",
    "VaultExport",
    "VaultItem",
    "VaultKeyError",
    "normalize_type",
]

__version__ = "0.1.0"
