"""Contract tests for encrypted vault backends with versioned keys: subclass `KeyRotationContractTests`
and give it an `open_vault` fixture.

    class TestMyVaultKeys(KeyRotationContractTests):
        @pytest.fixture
        def open_vault(self, tmp_path):
            return lambda provider: MyVault(..., key_provider=provider)   # the SAME storage each call

The backend must offer `rotate_key(provider=None) -> int`, `reencrypt(*, batch_size, max_batches=None)
-> int`,
`key_usage() -> dict[int, int]` and `drop_wrappings(name) -> int`, as SQLiteVault and
PostgresVault do. Vaults are closed with `close()` where they have one.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from ..errors import ConfigError, VaultKeyError
from ..vault.keys import KeyProvider, LocalKeyProvider
from ._vault import item, key_of

__all__ = ["CountingKeyProvider", "KeyRotationContractTests"]

OpenVault = Callable[[KeyProvider], Any]


class CountingKeyProvider:
    """A KMS stand-in backed by a local key: it counts wrap and unwrap calls, as a KMS bills them,
    and shows that a provider needs nothing but `name`, `wrap` and `unwrap`."""

    def __init__(self, name: str = "test-kms:key-1", master: bytes | None = None) -> None:
        self._inner = LocalKeyProvider(master or os.urandom(32))
        self.name = name
        self.wraps = 0
        self.unwraps = 0

    def wrap(self, data_key: bytes) -> bytes:
        self.wraps += 1
        return self._inner.wrap(data_key)

    def unwrap(self, wrapped: bytes) -> bytes:
        self.unwraps += 1
        return self._inner.unwrap(wrapped)


def _close(vault: Any) -> None:
    close = getattr(vault, "close", None)
    if close is not None:
        close()


VALUES = [f"+1 415 555 {n:04d}" for n in range(12)]


class KeyRotationContractTests:
    """Key ids, online rotation, re-encryption and master-key changes, on any keyed backend."""

    def _fill(self, vault: Any, values: list[str], user: str = "u1") -> list[str]:
        return list(vault.assign(user, [item("Phone_Number", v) for v in values]))

    def _resolves(self, vault: Any, placeholders: list[str], values: list[str], user: str = "u1") -> None:
        keys = [key_of(p) for p in placeholders]
        assert vault.lookup(user, keys) == dict(zip(keys, values, strict=True))

    def test_every_row_names_its_key(self, open_vault: OpenVault) -> None:
        vault = open_vault(CountingKeyProvider())
        self._fill(vault, VALUES[:3])
        assert vault.key_usage() == {1: 3}
        _close(vault)

    def test_rotation_is_online(self, open_vault: OpenVault) -> None:
        provider = CountingKeyProvider()
        vault, other = open_vault(provider), open_vault(provider)  # two replicas
        old = self._fill(vault, VALUES[:4])
        assert vault.rotate_key() == 2
        new = self._fill(vault, VALUES[4:6])
        assert vault.key_usage() == {1: 4, 2: 2}
        # The replica opened before the rotation reads rows of the new key and, at its next
        # write, writes with it too.
        self._resolves(other, old + new, VALUES[:6])
        self._fill(other, VALUES[6:7])
        assert vault.key_usage() == {1: 4, 2: 3}
        assert self._fill(other, VALUES[:7]) == old + new + self._fill(vault, VALUES[6:7])
        _close(vault)
        _close(other)

    def test_reencrypt_moves_every_row_and_loses_nothing(self, open_vault: OpenVault) -> None:
        vault = open_vault(CountingKeyProvider())
        placeholders = self._fill(vault, VALUES)
        vault.forget("u1", namespace="elsewhere")  # unrelated scopes stay as they are
        vault.rotate_key()
        assert vault.reencrypt(batch_size=5, max_batches=1) == 5  # a step at a time, as the CLI does
        assert vault.key_usage() == {1: len(VALUES) - 5, 2: 5}
        self._resolves(vault, placeholders, VALUES)  # half moved: everything still reads
        assert vault.reencrypt(batch_size=5) == len(VALUES) - 5
        assert vault.key_usage() == {1: 0, 2: len(VALUES)}
        assert vault.reencrypt(batch_size=5) == 0
        self._resolves(vault, placeholders, VALUES)
        assert self._fill(vault, VALUES) == placeholders  # the same value keeps its placeholder
        _close(vault)

    def test_a_wrong_key_is_refused_and_loses_nothing(self, open_vault: OpenVault) -> None:
        right = CountingKeyProvider()
        vault = open_vault(right)
        placeholders = self._fill(vault, VALUES[:3])
        _close(vault)
        for wrong in (CountingKeyProvider(), CountingKeyProvider(name=right.name)):
            try:
                open_vault(wrong)
            except VaultKeyError:
                pass
            else:  # pragma: no cover - the failure being tested for
                raise AssertionError("a wrong key opened the vault")
        vault = open_vault(right)
        self._resolves(vault, placeholders, VALUES[:3])
        _close(vault)

    def test_a_new_master_key_rewraps_and_the_old_one_can_be_dropped(self, open_vault: OpenVault) -> None:
        old, new = CountingKeyProvider("kms:old"), CountingKeyProvider("kms:new")
        vault = open_vault(old)
        placeholders = self._fill(vault, VALUES[:3])
        vault.rotate_key(new)
        more = self._fill(vault, VALUES[3:5])
        # Both masters open the vault until the old wrappings are dropped.
        for provider in (old, new):
            replica = open_vault(provider)
            self._resolves(replica, placeholders + more, VALUES[:5])
            _close(replica)
        try:
            vault.drop_wrappings(new.name)
        except ConfigError:
            pass
        else:  # pragma: no cover
            raise AssertionError("dropped the wrappings of the master key in use")
        assert vault.drop_wrappings(old.name) == 2
        _close(vault)
        try:
            open_vault(old)
        except VaultKeyError:
            pass
        else:  # pragma: no cover
            raise AssertionError("the dropped master key still opens the vault")
        vault = open_vault(new)
        self._resolves(vault, placeholders + more, VALUES[:5])
        _close(vault)

    def test_data_keys_are_unwrapped_once_per_open(self, open_vault: OpenVault) -> None:
        provider = CountingKeyProvider()
        vault = open_vault(provider)
        self._fill(vault, VALUES)
        vault.lookup("u1", [f"phone_number_{n}" for n in range(1, 13)])
        assert provider.wraps == 1  # not per value: a KMS call is slow
        assert provider.unwraps <= 2
        _close(vault)
