"""The migration's checkpoint file and the dry run's vault (issue 14): progress survives closing the
file, a file made for another job is refused, shards split the items, intents recorded before a
write come back on resume; a dry run's vault answers like the real one and writes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from memprivacy_plugin import InMemoryVault, PrivacyGuard
from memprivacy_plugin.errors import ConfigError
from memprivacy_plugin.migration import Checkpoint, DryRunVault, dry_run_guard
from memprivacy_plugin.migration._resume import DONE, TODO, WRITING
from memprivacy_plugin.taxonomy import PrivacyLevel
from memprivacy_plugin.vault.base import VaultItem


def test_progress_survives_and_resumes(tmp_path: Path) -> None:
    path = tmp_path / "progress.sqlite3"
    with Checkpoint(path, job="job-a") as ck:
        assert not ck.listed
        assert ck.add(f"item-{i}" for i in range(1203)) == 1203
        assert ck.add(["item-0", "item-1"]) == 0  # listed twice: once
        ck.finish_listing()
        first = ck.pending(limit=10)
        assert [p.item for p in first] == [f"item-{i}" for i in range(10)]
        ck.writing([(first[0].seq, "rewritten", {("PL2", "Email"): 2})])
        ck.done([(p.seq, "unchanged", {}) for p in first[1:]])
    with Checkpoint(path, job="job-a") as ck:
        assert ck.listed
        assert ck.done_before == 9
        again = ck.pending(limit=3)
        assert again[0].item == "item-0"
        assert (again[0].state, again[0].outcome, again[0].tally) == (
            WRITING,
            "rewritten",
            {("PL2", "Email"): 2},
        )
        assert again[1].item == "item-10"
        assert again[1].state == TODO
        ck.done([(again[0].seq, "rewritten", again[0].tally)])
        assert ck.outcomes() == {"unchanged": 9, "rewritten": 1}
        assert list(ck.tallies()) == [{("PL2", "Email"): 2}]
        assert ck.count() == 1203
        assert ck.count(DONE) == 10
    with pytest.raises(ConfigError, match="another migration"):
        Checkpoint(path, job="job-b")


def test_shards_split_the_items(tmp_path: Path) -> None:
    with Checkpoint(tmp_path / "p.sqlite3", job="j") as ck:
        ck.add(str(i) for i in range(100))
        shards = [ck.pending(limit=1000, shard=s, shards=3) for s in range(3)]
        seen = [p.item for shard in shards for p in shard]
        assert sorted(seen, key=int) == [str(i) for i in range(100)]
        assert all(shards)
        after = ck.pending(after=shards[0][4].seq, limit=1000, shard=0, shards=3)
        assert after == shards[0][5:]


def test_a_temporary_checkpoint_is_deleted() -> None:
    ck = Checkpoint(None, job="j")
    path = ck.path
    ck.add(["x"])
    assert path.exists()
    ck.close()
    assert not path.exists()
    assert not Path(str(path) + "-wal").exists()


def _item(value: str, name: str = "Phone_Number") -> VaultItem:
    return VaultItem(name=name, value=value, privacy_type=name.replace("_", " "), level=PrivacyLevel.PL2)


def test_dry_run_vault_reads_through_and_writes_nothing() -> None:
    real = InMemoryVault()
    assert real.assign("u", [_item("555-0101"), _item("555-0102")]) == [
        "<Phone_Number_1>",
        "<Phone_Number_2>",
    ]
    dry = DryRunVault(real)
    assert dry.assign("u", [_item("555-0102"), _item("555-0199"), _item("555-0199")]) == [
        "<Phone_Number_2>",
        "<Phone_Number_3>",
        "<Phone_Number_3>",
    ]
    assert dry.lookup("u", ["phone_number_1", "phone_number_3"]) == {
        "phone_number_1": "555-0101",
        "phone_number_3": "555-0199",
    }
    assert len(dry.entries("u")) == 3
    assert len(real.entries("u")) == 2
    assert real.lookup("u", ["phone_number_3"]) == {}
    with pytest.raises(ConfigError):
        dry.forget("u")


def test_dry_run_guard_protects_like_the_guard() -> None:
    guard = PrivacyGuard(vault=InMemoryVault(), warn_coverage=False)
    guard.protect("Call me at 415-555-2734", user_id="u")
    text = "Call 415-555-2734 or mail dry.run9@gmail.com"
    dry = dry_run_guard(guard)
    predicted = dry.protect(text, user_id="u").text
    assert len(guard.vault.entries("u")) == 1  # nothing written
    assert guard.protect(text, user_id="u").text == predicted


def test_dry_run_vault_memory_is_bounded_by_scopes() -> None:
    real = InMemoryVault()
    real.assign("u0", [_item("555-0100")])
    dry = DryRunVault(real, max_scopes=2)
    for n in range(5):
        assert dry.assign(f"u{n}", [_item(f"555-01{n:02d}"), _item("555-0999")])[1].startswith(
            "<Phone_Number_"
        )
    assert len(dry._scopes) == 2
    assert dry.assign("u0", [_item("555-0100")]) == ["<Phone_Number_1>"]  # started over from the real vault
    assert real.entries("u1") == []
