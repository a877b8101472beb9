"""The public surface is frozen, and importing the package stays light."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

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
    "VaultExport",
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


def test_the_vllm_venv_pins_every_base_dependency() -> None:
    """The vLLM CPU venv runs the package from the repository (PYTHONPATH, --no-deps install):
    a base dependency missing from its pins breaks the in-process vLLM tests only there."""
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+
    from packaging.requirements import Requirement

    root = Path(__file__).resolve().parents[2]
    project = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["project"]

    def name(text: str) -> str:
        return re.sub(r"[-_.]+", "-", text).lower()

    pinned = {
        name(line.split("==")[0])
        for line in (root / "scripts" / "vllm-cpu-requirements.txt").read_text(encoding="utf-8").splitlines()
        if "==" in line and not line.startswith("#")
    }
    needed = {
        name(req.name)
        for req in map(Requirement, project["dependencies"])
        if req.marker is None or req.marker.evaluate()
    }
    assert needed - pinned == set()
