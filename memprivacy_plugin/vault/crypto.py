"""Vault key handling: where the master key comes from, and the two subkeys derived from it.

The master key is 32 random bytes, found in this order:

1. the `key=` argument (32 raw bytes, or urlsafe base64 of 32 bytes);
2. the `key_file=` argument (a file holding the base64 form);
3. the environment variable `MEMPRIVACY_VAULT_KEY` (the base64 form);
4. the default key file next to the vault database (`<db>.key`), created on first use.

Explicit arguments beat the environment, and the environment beats the default file. A key file
is created with `O_CREAT | O_EXCL` and mode 0600, so it is never readable by anyone else, not even
for an instant. An existing key file whose mode lets group or others read it is refused on POSIX
(as ssh refuses a readable private key): a leaked key plus a copied vault is a leaked vault.

HKDF-SHA256 derives two independent subkeys: one for AES-256-GCM (values at rest), one for
HMAC-SHA256 (scope ids and same-value lookup). `cryptography` is imported only when a key is
actually used, so importing the package stays fast.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import os
import stat
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import ConfigError, VaultError, VaultKeyError

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

__all__ = [
    "KEY_ENV",
    "KEY_SIZE",
    "VaultCrypto",
    "create_key_file",
    "decode_key",
    "generate_key",
    "read_key_file",
    "resolve_key",
]

KEY_ENV = "MEMPRIVACY_VAULT_KEY"
KEY_SIZE = 32
NONCE_SIZE = 12
_HKDF_SALT = b"memprivacy-plugin vault v1"
_INFO_ENC = b"memprivacy-plugin vault aes-256-gcm v1"
_INFO_MAC = b"memprivacy-plugin vault hmac-sha256 v1"
_KEY_CHECK_LABEL = b"memprivacy-plugin vault key check v1"
_HINT = "generate one with memprivacy_plugin.vault.generate_key()"


def generate_key() -> str:
    """A fresh random master key in the urlsafe base64 form the env var and key files use."""
    return base64.urlsafe_b64encode(os.urandom(KEY_SIZE)).decode("ascii")


def decode_key(key: bytes | str, *, source: str = "the vault key") -> bytes:
    """32 raw bytes from raw bytes or (urlsafe or standard) base64 text.

    Raises VaultKeyError with a one-line message that names the source but never the key.
    """
    if isinstance(key, (bytes, bytearray, memoryview)):
        raw = bytes(key)
        if len(raw) == KEY_SIZE:
            return raw
        # bytes that are the base64 form (e.g. read from a file) are accepted too
        try:
            key = raw.decode("ascii")
        except UnicodeDecodeError:
            raise VaultKeyError(
                f"{source} must be {KEY_SIZE} raw bytes or urlsafe base64 of {KEY_SIZE} bytes; {_HINT}"
            ) from None
    if not isinstance(key, str):
        raise VaultKeyError(f"{source} must be bytes or str, not {type(key).__name__}")
    text = key.strip().replace("+", "-").replace("/", "_")
    text += "=" * (-len(text) % 4)
    try:
        raw = base64.b64decode(text, altchars=b"-_", validate=True)
    except (binascii.Error, ValueError):
        raise VaultKeyError(f"{source} is not urlsafe base64 of {KEY_SIZE} bytes; {_HINT}") from None
    if len(raw) != KEY_SIZE:
        raise VaultKeyError(f"{source} is not urlsafe base64 of {KEY_SIZE} bytes; {_HINT}")
    return raw


def _check_mode(path: Path, st: os.stat_result) -> None:
    if sys.platform == "win32" or not stat.S_ISREG(st.st_mode):
        return
    if st.st_mode & 0o077:
        raise VaultKeyError(
            f"key file {path} is accessible by group or others (mode {stat.S_IMODE(st.st_mode):04o}); "
            f"run `chmod 600 {path}` or pass the key via {KEY_ENV}"
        )


def read_key_file(path: str | os.PathLike[str]) -> bytes:
    """The key stored in `path`; refuses a file that group or others can read (POSIX)."""
    p = Path(path)
    try:
        with open(p, "rb") as fh:
            _check_mode(p, os.fstat(fh.fileno()))
            data = fh.read(4096)
    except FileNotFoundError:
        raise VaultKeyError(f"key file {p} does not exist") from None
    except OSError as exc:
        raise VaultKeyError(f"cannot read key file {p}: {exc.strerror}") from None
    return decode_key(data, source=f"key file {p}")


def create_key_file(path: str | os.PathLike[str]) -> bytes:
    """Create `path` (mode 0600, exclusively) holding a new key; if another process won the race,
    read theirs instead, so concurrent first opens agree on one key."""
    p = Path(path)
    key = generate_key()
    try:
        fd = os.open(p, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o600)
    except FileExistsError:
        # Another process is creating it: wait until its content is complete.
        deadline = time.monotonic() + 5.0
        while True:
            try:
                return read_key_file(p)
            except VaultKeyError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.01)
    except OSError as exc:
        raise VaultKeyError(f"cannot create key file {p}: {exc.strerror}") from None
    try:
        os.write(fd, (key + "\n").encode("ascii"))
        os.fsync(fd)
    finally:
        os.close(fd)
    return decode_key(key)


def resolve_key(
    key: bytes | str | None,
    *,
    key_file: str | os.PathLike[str] | None,
    default_key_file: Path,
    create: bool,
) -> bytes:
    """The master key by precedence (argument, key file argument, env var, default key file).

    `create` allows making the default key file when it is missing; the vault passes False for an
    existing vault, so a lost key file is reported instead of silently replaced by a new key.
    """
    if key is not None and key_file is not None:
        raise ConfigError("pass either key= or key_file=, not both")
    if key is not None:
        return decode_key(key)
    if key_file is not None:
        # A key file named for a new vault is created, like the default one; for an existing
        # vault a missing key file is an error, never silently replaced.
        if create and not Path(key_file).exists():
            return create_key_file(key_file)
        return read_key_file(key_file)
    env = os.environ.get(KEY_ENV)
    if env:
        return decode_key(env, source=f"the environment variable {KEY_ENV}")
    if default_key_file.exists():
        return read_key_file(default_key_file)
    if not create:
        raise VaultKeyError(
            f"this vault exists but its key file {default_key_file} is missing; "
            f"pass key=, key_file= or set {KEY_ENV}"
        )
    return create_key_file(default_key_file)


class VaultCrypto:
    """The two subkeys and the operations the vault needs: keyed hashes and AEAD of values."""

    __slots__ = ("_aead", "_mac_key", "key_check")

    def __init__(self, master_key: bytes) -> None:
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM
        from cryptography.hazmat.primitives.kdf.hkdf import HKDF

        if len(master_key) != KEY_SIZE:
            raise VaultKeyError(f"the vault key must be {KEY_SIZE} bytes")

        def derive(info: bytes) -> bytes:
            return HKDF(algorithm=hashes.SHA256(), length=32, salt=_HKDF_SALT, info=info).derive(master_key)

        self._aead: AESGCM = AESGCM(derive(_INFO_ENC))
        self._mac_key = derive(_INFO_MAC)
        #: stored in the vault's meta table to recognise a wrong key without decrypting anything
        self.key_check = self.mac(_KEY_CHECK_LABEL)

    def mac(self, data: bytes) -> bytes:
        """HMAC-SHA256 under the MAC subkey (stdlib one-shot: the fastest path)."""
        return hmac.digest(self._mac_key, data, "sha256")

    def encrypt(self, plaintext: bytes, aad: bytes) -> bytes:
        """nonce || AES-256-GCM(plaintext); `aad` binds the ciphertext to its row."""
        nonce = os.urandom(NONCE_SIZE)
        return nonce + self._aead.encrypt(nonce, plaintext, aad)

    def decrypt(self, blob: bytes, aad: bytes) -> bytes:
        from cryptography.exceptions import InvalidTag

        try:
            return self._aead.decrypt(blob[:NONCE_SIZE], blob[NONCE_SIZE:], aad)
        except InvalidTag:
            raise VaultError("a vault entry failed authentication (tampered or moved between rows)") from None
