"""The public surface is frozen, and importing the package stays light."""

from __future__ import annotations

import subprocess
import sys

import memprivacy_plugin

EXPECTED = {
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
    "VaultItem",
    "VaultKeyError",
    "normalize_type",
}


def test_all_is_frozen() -> None:
    assert set(memprivacy_plugin.__all__) == EXPECTED
    for name in EXPECTED:
        assert getattr(memprivacy_plugin, name) is not None


def test_import_does_not_load_heavy_dependencies() -> None:
    code = (
        "import sys, memprivacy_plugin; "
        "print(','.join(m for m in ('phonenumbers', 'cryptography', 'stdnum', 'yaml', 'platformdirs', "
        "'ahocorasick', 'mnemonic', 'Crypto') "
        "if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == ""
