"""`PrivacyGuard.export`: what the vault holds about a user, as a JSON-ready document (an access
request), on a real SQLite vault file and the in-memory vault alike."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from pydantic import ValidationError

from memprivacy_plugin import ConfigError, InMemoryVault, PrivacyGuard, SQLiteVault, VaultExport
from memprivacy_plugin.vault.crypto import generate_key

PHONE = "+1 415 867 5309"
ACCOUNT = "6222021234567890123"
CODE = "482913"


@pytest.fixture(params=["sqlite", "memory"])
def guard(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[PrivacyGuard]:
    vault = (
        SQLiteVault(tmp_path / "vault.sqlite3", key=generate_key())
        if request.param == "sqlite"
        else InMemoryVault()
    )
    guard = PrivacyGuard(vault=vault)
    yield guard
    guard.close()


def fill(guard: PrivacyGuard) -> None:
    guard.protect(f"text me at {PHONE}; the verification code is {CODE}", user_id="u1")
    guard.protect(f"account number {ACCOUNT}", user_id="u1", namespace="work")
    guard.protect("my phone is +44 20 7946 0958", user_id="u2")


def test_export_holds_every_namespace_of_the_user_and_no_one_else(guard: PrivacyGuard) -> None:
    before = datetime.now(timezone.utc) - timedelta(seconds=1)
    fill(guard)
    export = guard.export(user_id="u1")
    assert isinstance(export, VaultExport)
    assert export.user_id == "u1"
    assert export.namespace is None
    assert before <= export.exported_at <= datetime.now(timezone.utc)
    got = [(e.placeholder, e.value, e.privacy_type, e.level.value, e.namespace) for e in export.entries]
    assert got == [
        ("<Phone_Number_1>", PHONE, "Phone Number", "PL2", None),
        ("<Financial_Account_1>", ACCOUNT, "Financial Account", "PL3", "work"),
    ]
    assert all(before <= e.created_at <= export.exported_at for e in export.entries)
    # The verification code was redacted (zero retention): nothing of it is stored, so nothing is exported.
    assert CODE not in export.model_dump_json()
    assert "7946" not in export.model_dump_json()  # u2's value


def test_the_json_form(guard: PrivacyGuard) -> None:
    fill(guard)
    data = guard.export(user_id="u1", namespace="work").model_dump(mode="json")
    text = json.dumps(data)  # JSON-ready as it is
    assert json.loads(text) == data
    assert set(data) == {"format_version", "user_id", "namespace", "exported_at", "entries"}
    assert data["format_version"] == 1
    assert data["namespace"] == "work"
    [entry] = data["entries"]
    assert set(entry) == {"placeholder", "value", "privacy_type", "level", "namespace", "created_at"}
    assert entry["value"] == ACCOUNT
    assert entry["level"] == "PL3"
    for stamp in (data["exported_at"], entry["created_at"]):
        parsed = datetime.fromisoformat(stamp.replace("Z", "+00:00"))  # ISO 8601, in UTC
        assert parsed.utcoffset() == timedelta(0)
    assert VaultExport.model_validate_json(text) == VaultExport.model_validate(data)


def test_an_unknown_user_gets_an_empty_export(guard: PrivacyGuard) -> None:
    fill(guard)
    for export in (guard.export(user_id="nobody"), guard.export(user_id="u1", namespace="none-such")):
        assert export.entries == []
    assert guard.export(user_id="nobody").model_dump(mode="json")["entries"] == []


def test_after_forget_the_export_is_empty(guard: PrivacyGuard) -> None:
    fill(guard)
    guard.forget(user_id="u1", namespace="work")
    assert [e.namespace for e in guard.export(user_id="u1").entries] == [None]
    guard.forget(user_id="u1")
    assert guard.export(user_id="u1").entries == []
    assert len(guard.export(user_id="u2").entries) == 1


def test_aexport_is_the_same(guard: PrivacyGuard) -> None:
    fill(guard)
    sync = guard.export(user_id="u1")
    done = asyncio.run(guard.aexport(user_id="u1"))
    assert done.entries == sync.entries
    assert asyncio.run(guard.aexport(user_id="nobody")).entries == []


@pytest.mark.parametrize(("user_id", "namespace"), [("", None), ("  ", None), ("u1", 3), (None, None)])
def test_bad_scopes_are_refused(guard: PrivacyGuard, user_id: object, namespace: object) -> None:
    with pytest.raises(ConfigError):
        guard.export(user_id=user_id, namespace=namespace)  # type: ignore[arg-type]
    with pytest.raises(ConfigError):
        asyncio.run(guard.aexport(user_id=user_id, namespace=namespace))  # type: ignore[arg-type]


def test_repr_and_logs_hold_no_value_and_no_user_id(
    guard: PrivacyGuard, caplog: pytest.LogCaptureFixture
) -> None:
    fill(guard)
    with caplog.at_level(logging.DEBUG):
        export = guard.export(user_id="u1")
    shown = repr(export) + str(export) + repr(export.entries)
    for secret in (PHONE, ACCOUNT, "u1"):
        assert secret not in shown
        assert secret not in caplog.text


def test_the_document_is_frozen_and_strict(guard: PrivacyGuard) -> None:
    fill(guard)
    export = guard.export(user_id="u1")
    with pytest.raises(ValidationError, match="frozen"):
        export.entries[0].value = "changed"  # type: ignore[misc]
    data = export.model_dump(mode="json")
    with pytest.raises(ValidationError, match="format_version"):
        VaultExport.model_validate({**data, "format_version": 2})
    with pytest.raises(ValidationError, match="extra"):
        VaultExport.model_validate({**data, "extra": 1})
