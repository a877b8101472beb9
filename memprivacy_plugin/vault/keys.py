"""Versioned data keys under a master key that may live in a KMS (envelope encryption).

A vault encrypts values with *data keys*: random 32-byte keys, numbered 1, 2, ... Each is stored
only wrapped (encrypted) by a `KeyProvider`, which holds the *master key*: a local key file by
default (`LocalKeyProvider`), or a KMS / HashiCorp Vault key that never leaves the service (the
provider calls it to wrap and unwrap). Every ciphertext starts with the id of the data key that
made it, so a vault can hold rows of several keys while it is being re-encrypted:

    ciphertext = 0x01 || key_id (4 bytes, big endian) || nonce (12) || AES-256-GCM(value, aad)

The newest data key encrypts; any key in the ring decrypts. The keyed hashes that find a user's
rows and a value's placeholder (HMAC-SHA256) are derived from data key 1 and never change: they
key an index over user ids the vault never stores, so re-computing them would need those ids.
Rotating the master key re-wraps the data keys (cheap); rotating the data key re-encrypts rows.

Data key 1 of a vault made before key ids existed is that vault's old master key itself, so the
derived AES and HMAC keys are exactly the old ones and its rows only gain the header.
"""

from __future__ import annotations

import hmac
import os
import struct
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from ..errors import ConfigError, VaultError, VaultKeyError

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

__all__ = [
    "CIPHERTEXT_FORMAT",
    "IndexHashes",
    "KeyProvider",
    "Keyring",
    "LocalKeyProvider",
    "UnknownKeyError",
    "WrappedKey",
    "provider_for",
    "rewrap",
]

CIPHERTEXT_FORMAT = 1
_HEADER = 5  # format byte + key id
_NONCE = 12
_HKDF_SALT = b"memprivacy-plugin vault v1"
_INFO_ENC = b"memprivacy-plugin vault aes-256-gcm v1"
_INFO_MAC = b"memprivacy-plugin vault hmac-sha256 v1"
_INFO_KEK = b"memprivacy-plugin vault key-wrapping v2"
_INFO_NAME = b"memprivacy-plugin vault key name v2"
_WRAP_AAD = b"memprivacy-plugin data key v2"
_WRONG_KEY = "the vault key does not match the key this vault was created with"


class UnknownKeyError(VaultError):
    """A ciphertext names a data key this process has not loaded: reload the ring and retry."""


@runtime_checkable
class KeyProvider(Protocol):
    """Wraps and unwraps data keys with a master key the vault never sees in a KMS setup.

    `name` identifies the master key (stored next to each wrapping, so a vault can tell which of
    its wrappings a provider can open). `unwrap` raises VaultKeyError when it cannot."""

    @property
    def name(self) -> str: ...

    def wrap(self, data_key: bytes) -> bytes: ...

    def unwrap(self, wrapped: bytes) -> bytes: ...


def _hkdf(key: bytes, info: bytes) -> bytes:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    return HKDF(algorithm=hashes.SHA256(), length=32, salt=_HKDF_SALT, info=info).derive(key)


class LocalKeyProvider:
    """The default provider: a 32-byte master key from `key=`, a key file or the environment.

    It wraps with AES-256-GCM under a key-encryption key derived from the master; its `name` is a
    keyed fingerprint of the master (it reveals nothing about it)."""

    __slots__ = ("_kek", "name")

    def __init__(self, master_key: bytes | str) -> None:
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        from .crypto import decode_key

        master = decode_key(master_key)
        self._kek = AESGCM(_hkdf(master, _INFO_KEK))
        self.name = "local:" + hmac.digest(_hkdf(master, _INFO_NAME), b"name", "sha256")[:8].hex()

    def wrap(self, data_key: bytes) -> bytes:
        nonce = os.urandom(_NONCE)
        return nonce + self._kek.encrypt(nonce, data_key, _WRAP_AAD)

    def unwrap(self, wrapped: bytes) -> bytes:
        from cryptography.exceptions import InvalidTag

        try:
            return self._kek.decrypt(wrapped[:_NONCE], wrapped[_NONCE:], _WRAP_AAD)
        except InvalidTag:
            raise VaultKeyError(_WRONG_KEY) from None

    def __repr__(self) -> str:
        return f"LocalKeyProvider({self.name!r})"


@dataclass(frozen=True)
class WrappedKey:
    """One stored row: data key `key_id` wrapped by the master key named `provider`."""

    key_id: int
    provider: str
    wrapped: bytes
    created_at: float


def _header(key_id: int) -> bytes:
    return bytes([CIPHERTEXT_FORMAT]) + key_id.to_bytes(4, "big")


class Keyring:
    """The data keys a vault has loaded: the newest encrypts, every one decrypts."""

    __slots__ = ("_aeads", "_mac_key", "active_id", "provider")

    def __init__(self, keys: dict[int, bytes], provider: KeyProvider) -> None:
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        if 1 not in keys:
            raise VaultKeyError("the vault's first data key is missing")
        self.provider = provider
        self._aeads: dict[int, AESGCM] = {k: AESGCM(_hkdf(raw, _INFO_ENC)) for k, raw in keys.items()}
        self._mac_key = _hkdf(keys[1], _INFO_MAC)
        self.active_id = max(keys)

    @classmethod
    def open(cls, rows: Iterable[WrappedKey], provider: KeyProvider) -> Keyring:
        """Unwrap the rows `provider` can open; VaultKeyError when it opens none (a wrong key)."""
        mine = [row for row in rows if row.provider == provider.name]
        if not mine:
            raise VaultKeyError(_WRONG_KEY)
        return cls({row.key_id: provider.unwrap(row.wrapped) for row in mine}, provider)

    @staticmethod
    def new_key(key_id: int, provider: KeyProvider, raw: bytes | None = None) -> WrappedKey:
        """A fresh random data key (or `raw`), wrapped by `provider`, ready to store."""
        if key_id < 1:
            raise ConfigError("data key ids start at 1")
        data = os.urandom(32) if raw is None else raw
        return WrappedKey(key_id, provider.name, provider.wrap(data), time.time())

    @property
    def key_ids(self) -> list[int]:
        return sorted(self._aeads)

    def mac(self, data: bytes) -> bytes:
        """HMAC-SHA256 under the index key (derived from data key 1; never rotated)."""
        return hmac.digest(self._mac_key, data, "sha256")

    def encrypt(self, plaintext: bytes, aad: bytes) -> bytes:
        nonce = os.urandom(_NONCE)
        key_id = self.active_id
        return _header(key_id) + nonce + self._aeads[key_id].encrypt(nonce, plaintext, aad)

    def decrypt(self, blob: bytes, aad: bytes) -> bytes:
        from cryptography.exceptions import InvalidTag

        key_id = self.key_id_of(blob)
        aead = self._aeads.get(key_id)
        if aead is None:
            raise UnknownKeyError(f"a vault entry is encrypted with data key {key_id}, not loaded here")
        try:
            return aead.decrypt(blob[_HEADER : _HEADER + _NONCE], blob[_HEADER + _NONCE :], aad)
        except InvalidTag:
            raise VaultError("a vault entry failed authentication (tampered or moved between rows)") from None

    @staticmethod
    def key_id_of(blob: bytes) -> int:
        if len(blob) < _HEADER + _NONCE or blob[0] != CIPHERTEXT_FORMAT:
            raise VaultError("a vault entry has an unknown ciphertext format")
        return int.from_bytes(blob[1:_HEADER], "big")

    @staticmethod
    def header(key_id: int) -> bytes:
        """The first bytes of every ciphertext made with `key_id` (to find rows by key in SQL)."""
        return _header(key_id)


def _lp(text: str) -> bytes:
    """Length-prefixed UTF-8, so concatenated fields can never be ambiguous."""
    data = text.encode("utf-8", "surrogatepass")
    return struct.pack(">I", len(data)) + data


class IndexHashes:
    """The keyed hashes every backend stores instead of user ids and values: a scope per (user,
    namespace), a user hash (to find every namespace of a user), a value hash per scope, all under
    the index key of the vault's data key 1. One definition for every backend. Scope and user
    hashes are cached (they recur on every call of a user)."""

    __slots__ = ("_ring", "_scopes", "_users")
    _LIMIT = 4096

    def __init__(self, ring: Callable[[], Keyring]) -> None:
        self._ring = ring  # the current keyring: its index key never changes across reloads
        self._scopes: dict[tuple[str, str | None], bytes] = {}
        self._users: dict[str, bytes] = {}

    def scope(self, user_id: str, namespace: str | None) -> bytes:
        found = self._scopes.get((user_id, namespace))
        if found is None:
            ns = b"\x00" if namespace is None else b"\x01" + _lp(namespace)
            found = self._ring().mac(b"scope\x00" + _lp(user_id) + ns)
            if len(self._scopes) > self._LIMIT:
                self._scopes.clear()
            self._scopes[(user_id, namespace)] = found
        return found

    def user(self, user_id: str) -> bytes:
        found = self._users.get(user_id)
        if found is None:
            found = self._ring().mac(b"user\x00" + _lp(user_id))
            if len(self._users) > self._LIMIT:
                self._users.clear()
            self._users[user_id] = found
        return found

    def value(self, scope: bytes, value: str) -> bytes:
        return self._ring().mac(b"value\x00" + scope + value.encode("utf-8", "surrogatepass"))


def rewrap(rows: Sequence[WrappedKey], old: KeyProvider, new: KeyProvider) -> list[WrappedKey]:
    """The data keys `old` can open, wrapped again by `new` (a master-key rotation)."""
    now = time.time()
    return [
        WrappedKey(row.key_id, new.name, new.wrap(old.unwrap(row.wrapped)), now)
        for row in rows
        if row.provider == old.name
    ]


def provider_for(
    key: bytes | str | None,
    key_file: str | os.PathLike[str] | None,
    key_provider: KeyProvider | None,
    *,
    default_key_file: Path | None,
    create: bool,
) -> KeyProvider:
    """The master key by precedence: `key_provider`, then `key`, `key_file`, the environment
    variable, the default key file (None: a shared vault has none, the key must be given)."""
    from .crypto import KEY_ENV, resolve_key

    if key_provider is not None:
        if key is not None or key_file is not None:
            raise ConfigError("pass key_provider= alone, without key= or key_file=")
        if not isinstance(key_provider, KeyProvider):
            raise ConfigError("key_provider must have a name and wrap() and unwrap() methods")
        return key_provider
    if default_key_file is None and key is None and key_file is None and not os.environ.get(KEY_ENV):
        raise ConfigError(
            f"a shared vault needs the same key on every replica: pass key=, key_file=, "
            f"key_provider= or set {KEY_ENV}"
        )
    master = resolve_key(
        key, key_file=key_file, default_key_file=default_key_file or Path(os.devnull), create=create
    )
    return LocalKeyProvider(master)
