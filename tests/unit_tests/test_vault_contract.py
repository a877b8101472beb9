"""Both shipped vaults pass the shared vault contract."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from memprivacy_plugin.testing import VaultContractTests
from memprivacy_plugin.vault import InMemoryVault, SQLiteVault, generate_key


class TestInMemoryVault(VaultContractTests):
    @pytest.fixture
    def vault(self) -> InMemoryVault:
        return InMemoryVault()


class TestSQLiteVault(VaultContractTests):
    @pytest.fixture
    def vault(self, tmp_path: Path) -> Iterator[SQLiteVault]:
        with SQLiteVault(tmp_path / "vault.sqlite3", key=generate_key()) as v:
            yield v
