"""Contract kits for your own backends: subclass one in a pytest `Test...` class and give it a fixture.

    from memprivacy_plugin.testing import ExtractorContractTests, VaultContractTests

    class TestMyVault(VaultContractTests):
        @pytest.fixture
        def vault(self, tmp_path):
            return MyVault(...)              # must be EMPTY

    class TestMyExtractor(ExtractorContractTests):
        @pytest.fixture
        def extractor(self):
            return MyExtractor(...)

Each `test_*` method then proves against your backend the promises the guard relies on. Requires
pytest (a dev dependency, not a runtime one).
"""

from __future__ import annotations

from ._extractor import ExtractorContractTests
from ._vault import VaultContractTests, assert_consistent, item, key_of

__all__ = ["ExtractorContractTests", "VaultContractTests", "assert_consistent", "item", "key_of"]
