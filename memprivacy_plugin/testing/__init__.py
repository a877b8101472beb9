"""Contract kits for your own backends: subclass one in a pytest `Test...` class and give it a fixture.

    from memprivacy_plugin.testing import ExtractorContractTests, VaultContractTests

    class TestMyVault(VaultContractTests):
        @pytest.fixture
        def vault(self, tmp_path):
            return MyVault(...)              # must be EMPTY

    class TestMyVaultKeys(KeyRotationContractTests):   # a vault with versioned keys
        @pytest.fixture
        def open_vault(self, tmp_path):
            return lambda provider: MyVault(tmp_path / "v", key_provider=provider)

    class TestMyExtractor(ExtractorContractTests):
        @pytest.fixture
        def extractor(self):
            return MyExtractor(...)

Each `test_*` method then proves against your backend the promises the guard relies on. Requires
pytest (a dev dependency, not a runtime one).
"""

from __future__ import annotations

from ._extractor import ExtractorContractTests
from ._keys import CountingKeyProvider, KeyRotationContractTests
from ._vault import VaultContractTests, assert_consistent, item, key_of

__all__ = [
    "CountingKeyProvider",
    "ExtractorContractTests",
    "KeyRotationContractTests",
    "VaultContractTests",
    "assert_consistent",
    "item",
    "key_of",
]
