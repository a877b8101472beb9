"""What the vault holds about one user, as a JSON-ready document: the answer to an access request.

`PrivacyGuard.export` and `memprivacy vault export` build it. It holds the user's real values (they
asked for them), so it is handed to that user only: never logged, and its repr shows neither the
values nor the user id.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timezone
from typing import Final, Literal

from pydantic import BaseModel, ConfigDict, Field

from .taxonomy import PrivacyLevel
from .vault.base import VaultEntry

__all__ = ["EXPORT_FORMAT_VERSION", "ExportedValue", "VaultExport", "build_export"]

#: Bumped when a field changes meaning or goes; new fields may appear without a bump.
EXPORT_FORMAT_VERSION: Final = 1


class ExportedValue(BaseModel):
    """One stored value: its placeholder (what the cloud memory holds), the value, type and level."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    placeholder: str
    value: str = Field(repr=False)
    privacy_type: str
    level: PrivacyLevel
    namespace: str | None = None
    created_at: datetime


class VaultExport(BaseModel):
    """Everything the vault holds for `user_id` (in `namespace`, or in all of them when None), in
    creation order. `model_dump(mode="json")` gives ISO 8601 times and level names."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    format_version: Literal[1] = EXPORT_FORMAT_VERSION
    user_id: str = Field(repr=False)
    namespace: str | None = Field(default=None, description="The namespace asked for; None: all of them.")
    exported_at: datetime
    entries: list[ExportedValue] = Field(default_factory=list)


def _utc(timestamp: float) -> datetime:
    return datetime.fromtimestamp(timestamp, tz=timezone.utc)


def build_export(user_id: str, namespace: str | None, entries: Iterable[VaultEntry]) -> VaultExport:
    """The export document for entries read from a vault (an unknown user has none: empty)."""
    return VaultExport(
        user_id=user_id,
        namespace=namespace,
        exported_at=datetime.now(timezone.utc),
        entries=[
            ExportedValue(
                placeholder=e.placeholder,
                value=e.value,
                privacy_type=e.privacy_type,
                level=e.level,
                namespace=e.namespace,
                created_at=_utc(e.created_at),
            )
            for e in entries
        ],
    )
