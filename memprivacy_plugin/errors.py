"""The error tree. Every error the library raises on purpose derives from `MemPrivacyError`.

    MemPrivacyError
    ├── ConfigError            bad policy file, bad settings, unreadable input
    ├── ExtractionError        the extractor crashed, timed out or returned garbage (fail closed)
    ├── PolicyBlockedError     the policy says `block` for a span that was found
    └── VaultError             the vault could not be read or written
        ├── VaultKeyError      the key is missing or is not the key this vault was created with
        └── UnknownPlaceholderError   strict restore met a placeholder the vault does not hold

Messages never contain the protected values themselves, only types, levels and counts, and an
error raised in place of another one's (an extractor's exception, which may quote the message)
chains nothing: neither `__cause__` nor `__context__` is set.
"""

from __future__ import annotations

__all__ = [
    "ConfigError",
    "ExtractionError",
    "MemPrivacyError",
    "PlaintextVaultWarning",
    "PolicyBlockedError",
    "UnknownPlaceholderError",
    "VaultError",
    "VaultKeyError",
]


class MemPrivacyError(Exception):
    """Base class of every error raised by memprivacy-plugin."""


class ConfigError(MemPrivacyError, ValueError):
    """A policy, setting or input is invalid; raised before anything is sent or stored."""


class ExtractionError(MemPrivacyError):
    """The extractor failed, timed out, or could not be started because too many earlier calls
    still hang. The guard refuses to return text rather than pass raw text on (fail closed)."""


class PolicyBlockedError(MemPrivacyError):
    """The policy blocks this message: a span of a `block` level or type was found.

    Refusing the whole call is the only way to be sure nothing of the message reaches the cloud.
    """

    def __init__(self, message: str, *, privacy_types: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.privacy_types = privacy_types


class VaultError(MemPrivacyError):
    """The vault could not be read or written."""


class VaultKeyError(VaultError):
    """The vault key is missing, malformed, or not the key the vault was created with."""


class UnknownPlaceholderError(VaultError, KeyError):
    """A strict restore met a placeholder that this user's vault does not hold."""

    def __str__(self) -> str:  # KeyError quotes its argument; keep the message readable
        return str(self.args[0]) if self.args else ""


class PlaintextVaultWarning(UserWarning):
    """A vault is configured to keep values without encryption at rest."""
