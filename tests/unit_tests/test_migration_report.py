"""Audit and migration reports (issue 14): counts by level, type and user; values only as keyed-hash
refs that differ between reports; spans inside placeholders are not in clear; the table, the JSON and
the chart hold no value."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from memprivacy_plugin import InMemoryVault, PrivacyGuard
from memprivacy_plugin.migration import AuditReport, AuditTally, MigrationReport, found_in_clear

PHONE = "415-555-0199"
EMAIL = "ana.lopez77@gmail.com"
TEXTS = [
    f"Call me at {PHONE} tomorrow",
    f"My email is {EMAIL}",
    "I like green tea",
    f"my password is Hunter2-Blue-Sky and my number is {PHONE}",
]


@pytest.fixture
def guard() -> PrivacyGuard:
    return PrivacyGuard(vault=InMemoryVault(), warn_coverage=False)


def audit(guard: PrivacyGuard, texts: list[str], users: list[str]) -> AuditReport:
    tally = AuditTally("test", guard.policy)
    for user, spans in zip(users, found_in_clear(guard, texts), strict=True):
        tally.add(user, spans)
    return tally.report


def test_audit_counts_levels_types_users_and_share(guard: PrivacyGuard) -> None:
    report = audit(guard, TEXTS, ["u1", "u1", "u2", "u2"])
    assert report.items_total == 4
    assert report.items_exposed == 3
    assert report.share_exposed == pytest.approx(0.75)
    assert report.by_type["Phone Number"] == 2
    assert report.by_type["Email"] == 1
    assert report.by_type["Password"] == 1
    assert report.by_level["PL2"] == 3
    assert report.by_level["PL4"] == 1
    assert report.per_user["u1"].items == 2
    assert report.per_user["u1"].exposed == 2
    assert report.per_user["u2"].items == 2
    assert report.per_user["u2"].exposed == 1
    assert report.per_user["u2"].by_level["PL4"] == 1
    refs = [e.ref for e in report.examples]
    assert len(refs) == len(set(refs)) == 3  # the phone number twice, shown once
    assert all(len(r) == 10 for r in refs)


def test_reports_never_hold_a_value(guard: PrivacyGuard, tmp_path: Path) -> None:
    report = audit(guard, TEXTS, ["u1", "u1", "u2", "u2"])
    shown = report.table() + report.to_json()
    for secret in (PHONE, EMAIL, "Hunter2-Blue-Sky", "4155550199"):
        assert secret not in shown
    assert json.loads(report.to_json())["share_exposed"] == pytest.approx(0.75)
    png = report.plot(tmp_path / "audit.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_refs_are_keyed_per_report(guard: PrivacyGuard) -> None:
    first = AuditTally("a", guard.policy)
    second = AuditTally("b", guard.policy)
    assert first.ref(PHONE) == first.ref(PHONE)
    assert first.ref(PHONE) != second.ref(PHONE)  # no plain hash: a guess cannot be checked


def test_placeholder_form_is_not_in_clear(guard: PrivacyGuard) -> None:
    protected = [guard.protect(t, user_id="u1").text for t in TEXTS]
    report = audit(guard, protected, ["u1"] * 4)
    assert report.items_exposed == 0
    assert report.spans_total == 0


def test_errors_count_items_not_messages(guard: PrivacyGuard) -> None:
    tally = AuditTally("x", guard.policy)
    tally.error("u1")
    assert tally.report.errors == 1
    assert tally.report.items_total == 1
    assert tally.report.per_user["u1"].items == 1


def test_migration_report_merge_and_table() -> None:
    one = MigrationReport(source="s", items_seen=3, items_rewritten=2, items_unchanged=1)
    two = MigrationReport(source="s", items_seen=2, items_failed=1, items_unchanged=1, residue=["r"])
    two.by_type["Email"] = 1
    two.by_level["PL2"] = 1
    two.spans_protected = 1
    one.merge(two)
    assert (one.items_seen, one.items_rewritten, one.items_unchanged, one.items_failed) == (5, 2, 2, 1)
    assert one.by_type == {"Email": 1}
    assert one.by_level["PL2"] == 1
    assert one.residue == ["r"]
    text = one.table()
    assert "items rewritten" in text
    assert "not guaranteed" in text
    assert MigrationReport.model_validate_json(one.to_json()) == one
