"""Fixtures of the unit tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from memprivacy_plugin import InMemoryVault, SQLiteVault
from memprivacy_plugin.extractors.rules import RuleExtractor
from memprivacy_plugin.vault.base import Vault


@pytest.fixture(scope="module")
def rules() -> RuleExtractor:
    """The default rule extractor (a module's own `rules` fixture takes precedence)."""
    return RuleExtractor()


@pytest.fixture(params=["memory", "sqlite"])
def vault(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Vault]:
    """Each vault the guard ships with: in memory, and a real encrypted SQLite file."""
    if request.param == "memory":
        yield InMemoryVault()
    else:
        v = SQLiteVault(tmp_path / "vault.sqlite3", key_file=tmp_path / "vault.key")
        yield v
        v.close()
