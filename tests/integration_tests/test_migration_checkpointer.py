"""`migrate_checkpointer` (issue 14, item 3) on real SqliteSaver files (and a real PostgresSaver):
checkpoints a graph saved in clear before adoption are rewritten into placeholder form, the file
bytes (and the WAL) no longer hold a private value, and the thread resumes behind `private_graph`
with its values restored, as if it had been protected all along.
"""

from __future__ import annotations

import hashlib
import operator
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Annotated, Any, TypedDict

import pytest

pytest.importorskip("langgraph.checkpoint.sqlite")

from graph_fakes import (
    ELI_PHONE,
    EMAIL,
    NAME,
    PHONE,
    PLACEHOLDER,
    SECRETS,
    ScriptedModel,
    Tools,
    cfg,
    leaks_in_file,
)
from langchain_core.messages import AIMessage, BaseMessage, SystemMessage, ToolMessage
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.checkpoint.serde.encrypted import EncryptedSerializer
from langgraph.checkpoint.sqlite import SqliteSaver
from langgraph.graph import END, START, MessagesState, StateGraph
from langgraph.prebuilt import ToolNode
from langgraph.types import Command, Send, interrupt

from memprivacy_plugin import ConfigError, KnownValuesExtractor, PrivacyGuard, SQLiteVault
from memprivacy_plugin.integrations._messages import marked
from memprivacy_plugin.integrations.langgraph import PrivateToolNode, private_graph
from memprivacy_plugin.migration import MigrationReport, migrate_checkpointer

HERE = Path(__file__).parent
SAID = f"My name is {NAME}; sms {PHONE} please, and mail {EMAIL}"
KNOWN = {PHONE: "Phone Number", ELI_PHONE: "Phone Number", NAME: "Real Name", EMAIL: "Email"}


class State(MessagesState):
    note: str


class Model(ScriptedModel):
    """Like `ScriptedModel`, and like a real model it calls the tool with the number as it sees
    it: in clear text before adoption, a placeholder behind `private_graph`."""

    def reply(self, messages: list[BaseMessage]) -> AIMessage:
        last = next(m for m in reversed(messages) if not isinstance(m, SystemMessage))
        if not isinstance(last, ToolMessage) and PHONE in last.text and "sms" in last.text:
            self.inputs.append(list(messages))
            call = {"name": "send_sms", "args": {"to": PHONE, "body": "See you at 6"}, "id": "c1"}
            return AIMessage(content="", tool_calls=[{**call, "type": "tool_call"}])
        return super().reply(messages)


def build(model: ScriptedModel, tool_node: Any, saver: Any) -> Any:
    """model -> (a tool call: the user approves it, then the tool) -> model."""

    def approve(state: State) -> dict[str, Any]:
        call = getattr(state["messages"][-1], "tool_calls", [])[0]
        interrupt({"question": f"Send an SMS to {call['args']['to']}?"})
        return {}

    builder = StateGraph(State)
    builder.add_node("model", lambda state: {"messages": [model.invoke(state["messages"])]})
    builder.add_node("approve", approve)
    builder.add_node("tools", tool_node)
    builder.add_edge(START, "model")
    builder.add_conditional_edges(
        "model", lambda state: "approve" if state["messages"][-1].tool_calls else END, ["approve", END]
    )
    builder.add_edge("approve", "tools")
    builder.add_edge("tools", "model")
    return builder.compile(checkpointer=saver)


def guard_at(tmp_path: Path) -> PrivacyGuard:
    vault = SQLiteVault(tmp_path / "vault.db", key_file=tmp_path / "vault.key")
    return PrivacyGuard(extractor=KnownValuesExtractor(KNOWN), vault=vault)


def fill(saver: Any, *, user_t1: str | None = "dana") -> None:
    """Two threads saved in clear, as before adoption: t1 stopped at the approval (its interrupt
    and pending writes hold the number), t2 finished."""
    tools = Tools()
    bare = build(Model(), ToolNode([tools.send_sms]), saver)
    config = cfg("t1", user_t1) if user_t1 else {"configurable": {"thread_id": "t1"}}
    bare.invoke({"messages": [("user", SAID)], "note": f"{NAME} prefers SMS"}, config)
    bare.invoke({"messages": [("user", f"call me on {ELI_PHONE}")], "note": "no note"}, cfg("t2", "eli"))
    assert tools.received == []  # t1 waits for the approval


def digest(db: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(db.parent.glob(db.name + "*")):
        if not p.name.endswith("-shm"):
            h.update(p.name.encode() + p.read_bytes())
    return h.hexdigest()


def shown(messages: list[BaseMessage]) -> list[tuple[str, Any, Any]]:
    return [(m.type, m.content, [c["args"] for c in getattr(m, "tool_calls", [])]) for m in messages]


def model_saw(model: ScriptedModel) -> str:
    return repr([[m.content, getattr(m, "tool_calls", None)] for batch in model.inputs for m in batch])


def counts(report: MigrationReport) -> dict[str, Any]:
    return report.model_dump(exclude={"dry_run", "residue", "scrubbed"})


def test_migrated_checkpoints_leave_no_value_on_disk_and_resume_restored(tmp_path: Path) -> None:
    db, guard = tmp_path / "chat.db", guard_at(tmp_path)
    with SqliteSaver.from_conn_string(str(db)) as saver:
        fill(saver)
        bare = build(Model(), ToolNode([]), saver)
        before = {t: bare.get_state(cfg(t)) for t in ("t1", "t2")}
        assert sorted(leaks_in_file(db)) == sorted(SECRETS)  # what adoption starts from

        # a dry run changes nothing (not the file, not the vault) and says what a run will do
        untouched = digest(db)
        dry = migrate_checkpointer(saver, guard, dry_run=True)
        assert digest(db) == untouched
        assert guard.vault.entries("dana") == []
        assert guard.vault.entries("eli") == []
        report = migrate_checkpointer(saver, guard)
        assert dry.dry_run
        assert not report.dry_run
        assert counts(dry) == counts(report)
        assert report.items_rewritten > 0
        assert report.items_failed == 0
        assert report.items_seen == report.items_rewritten + report.items_unchanged
        print(report.table())
        assert "SQLite VACUUM (free pages dropped)" in report.scrubbed
        assert not any("PostgreSQL" in r for r in report.residue)
        assert not [s for s in SECRETS if s in report.to_json()]

        # no value in the database file, its WAL or its free pages
        assert leaks_in_file(db) == []
        conn = sqlite3.connect(db)
        interrupts = conn.execute("SELECT value FROM writes WHERE channel = '__interrupt__'").fetchall()
        conn.close()
        assert interrupts
        assert all(b"<Phone_Number_1>" in bytes(v) for (v,) in interrupts)

        # run again: nothing to do, not a byte written
        migrated = digest(db)
        again = migrate_checkpointer(saver, guard)
        assert again.items_rewritten == 0
        assert again.items_failed == 0
        assert again.items_unchanged == report.items_seen
        assert digest(db) == migrated

        # the threads resume behind private_graph, restored as they were saved
        model, tools = Model(), Tools()
        graph = private_graph(build(model, PrivateToolNode([tools.send_sms]), saver), guard)
        for thread, user in (("t1", "dana"), ("t2", "eli")):
            state = graph.get_state(cfg(thread, user))
            assert shown(state.values["messages"]) == shown(before[thread].values["messages"])
            assert state.values["note"] == before[thread].values["note"]
        assert graph.get_state(cfg("t1")).interrupts[0].value == {"question": f"Send an SMS to {PHONE}?"}
        out = graph.invoke(Command(resume="yes"), cfg("t1"))
        assert tools.received == [{"to": PHONE, "body": "See you at 6"}]  # the local tool got the real number
        assert out["messages"][-1].content == f"Done. SMS sent to {PHONE}; receipt mailed to {EMAIL}"
        out = graph.invoke({"messages": [("user", "which number was it?")]}, cfg("t2", "eli"))
        assert out["messages"][-1].content == f"Noted: call me on {ELI_PHONE} / which number was it?"
        assert model.inputs
        assert not [s for s in SECRETS if s in model_saw(model)]
        assert "<Phone_Number_1>" in model_saw(model)
    assert leaks_in_file(db) == []


def test_a_thread_without_a_user_is_refused_until_user_of_names_one(tmp_path: Path) -> None:
    db, guard = tmp_path / "chat.db", guard_at(tmp_path)
    with SqliteSaver.from_conn_string(str(db)) as saver:
        fill(saver, user_t1=None)
        untouched = digest(db)
        with pytest.raises(ConfigError, match="1 with no user") as caught:
            migrate_checkpointer(saver, guard)
        assert not [s for s in SECRETS if s in str(caught.value)]
        assert digest(db) == untouched  # refused before anything was written
        report = migrate_checkpointer(saver, guard, user_of=lambda t: "dana" if t == "t1" else None)
        assert report.items_rewritten > 0
        assert leaks_in_file(db) == []
        graph = private_graph(build(Model(), PrivateToolNode([]), saver), guard)
        assert graph.get_state(cfg("t1", "dana")).values["messages"][0].content == SAID
        # only the threads asked for
        assert migrate_checkpointer(saver, guard, thread_ids=["t2"], dry_run=True).items_rewritten == 0


def test_a_thread_named_by_two_users_is_refused(tmp_path: Path) -> None:
    db, guard = tmp_path / "chat.db", guard_at(tmp_path)
    with SqliteSaver.from_conn_string(str(db)) as saver:
        fill(saver)
        bare = build(Model(), ToolNode([]), saver)
        bare.invoke({"messages": [("user", "hello")], "note": "x"}, cfg("t2", "mallory"))
        with pytest.raises(ConfigError, match="1 with several users"):
            migrate_checkpointer(saver, guard)
        # the caller decides, as the resumed runs will
        assert migrate_checkpointer(
            saver, guard, user_of=lambda t: "eli" if t == "t2" else None
        ).items_rewritten
    assert leaks_in_file(db) == []


def test_thread_scope_numbers_placeholders_per_thread(tmp_path: Path) -> None:
    db, guard = tmp_path / "chat.db", guard_at(tmp_path)
    with SqliteSaver.from_conn_string(str(db)) as saver:
        fill(saver)
        migrate_checkpointer(saver, guard, scope="thread", thread_ids=["t2"])
        assert [e.placeholder for e in guard.vault.entries("thread:t2")] == ["<Phone_Number_1>"]
        assert guard.vault.entries("eli") == []
        graph = private_graph(build(Model(), PrivateToolNode([]), saver), guard, scope="thread")
        assert graph.get_state(cfg("t2", "eli")).values["messages"][0].content == f"call me on {ELI_PHONE}"


class _Cipher:
    def encrypt(self, plaintext: bytes) -> tuple[str, bytes]:
        return "rev", plaintext[::-1]

    def decrypt(self, ciphername: str, ciphertext: bytes) -> bytes:
        return ciphertext[::-1]


class _MySaver(SqliteSaver):
    pass


def test_savers_whose_rows_cannot_be_rewritten_exactly_are_refused(tmp_path: Path) -> None:
    guard = guard_at(tmp_path)
    with pytest.raises(ConfigError, match="in-memory checkpointer"):
        migrate_checkpointer(InMemorySaver(), guard)
    with SqliteSaver.from_conn_string(":memory:") as saver, pytest.raises(ConfigError, match="in memory"):
        migrate_checkpointer(saver, guard)
    db = tmp_path / "enc.db"
    conn = sqlite3.connect(db, check_same_thread=False)
    try:
        encrypted = SqliteSaver(conn, serde=EncryptedSerializer(_Cipher()))
        fill(encrypted)
        untouched = digest(db)
        with pytest.raises(ConfigError, match="EncryptedSerializer"):
            migrate_checkpointer(encrypted, guard)
        with pytest.raises(ConfigError, match="cannot migrate a _MySaver"):
            migrate_checkpointer(_MySaver(conn), guard)
        assert digest(db) == untouched
    finally:
        conn.close()
    with pytest.raises(ConfigError, match="scope"):
        migrate_checkpointer(InMemorySaver(), guard, scope="everyone")


def test_a_row_that_does_not_read_back_exactly_is_left_alone_and_counted(tmp_path: Path) -> None:
    db, guard = tmp_path / "chat.db", guard_at(tmp_path)
    with SqliteSaver.from_conn_string(str(db)) as saver:
        fill(saver)
        # a write whose msgpack bytes are not the form the serde writes (str8 for a short str)
        odd = b"\xd9" + bytes([len(PHONE)]) + PHONE.encode()
        assert saver.serde.loads_typed(("msgpack", odd)) == PHONE
        first = saver.conn.execute("SELECT checkpoint_ns, checkpoint_id FROM checkpoints LIMIT 1").fetchone()
        saver.conn.execute(
            "INSERT INTO writes VALUES ('t1', ?, ?, 'odd-task', '', 0, 'note', 'msgpack', ?)", (*first, odd)
        )
        saver.conn.commit()
        dry = migrate_checkpointer(saver, guard, dry_run=True)
        report = migrate_checkpointer(saver, guard)
        assert report.items_failed == dry.items_failed == 1
        assert counts(dry) == counts(report)
        assert report.residue[0].startswith("1 row(s) could not be rewritten")
        assert leaks_in_file(db) == [PHONE]  # that row only, as the report says
        left = saver.conn.execute("SELECT value FROM writes WHERE task_id = 'odd-task'").fetchone()[0]
        assert bytes(left) == odd


CHILD = """
import os, signal, sys
sys.path.insert(0, {here!r})
import memprivacy_plugin.migration.checkpointer as mod
from langgraph.checkpoint.sqlite import SqliteSaver
from memprivacy_plugin import KnownValuesExtractor, PrivacyGuard, SQLiteVault
from test_migration_checkpointer import KNOWN

class Dying(KnownValuesExtractor):
    calls = 0
    def extract(self, text, *, user_name=None):
        Dying.calls += 1
        if Dying.calls > {after}:
            os.kill(os.getpid(), signal.SIGKILL)
        return super().extract(text, user_name=user_name)

mod.BATCH = 1
vault = SQLiteVault({vault!r}, key_file={key!r})
with SqliteSaver.from_conn_string({db!r}) as saver:
    mod.migrate_checkpointer(saver, PrivacyGuard(extractor=Dying(KNOWN), vault=vault))
"""


def decoded(db: Path) -> list[Any]:
    with SqliteSaver.from_conn_string(str(db)) as saver:
        conn = saver.conn
        rows = conn.execute(
            "SELECT thread_id, checkpoint_ns, checkpoint_id, type, checkpoint FROM checkpoints "
            "ORDER BY 1, 2, 3"
        ).fetchall()
        writes = conn.execute(
            "SELECT thread_id, checkpoint_id, task_id, idx, type, value FROM writes ORDER BY 1, 2, 3, 4"
        ).fetchall()
        return [(r[:3], saver.serde.loads_typed((r[3], r[4]))["channel_values"]) for r in rows] + [
            (w[:4], saver.serde.loads_typed((w[4], w[5]))) for w in writes
        ]


def test_killed_mid_run_and_run_again_equals_an_uninterrupted_run(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    killed, whole = tmp_path / "a" / "chat.db", tmp_path / "b" / "chat.db"
    with SqliteSaver.from_conn_string(str(killed)) as saver:
        fill(saver)
    with sqlite3.connect(killed) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    shutil.copy(killed, whole)
    with SqliteSaver.from_conn_string(str(whole)) as saver:
        migrate_checkpointer(saver, guard_at(tmp_path / "b"))
    child = CHILD.format(
        here=str(HERE),
        after=3,
        vault=str(tmp_path / "a" / "vault.db"),
        key=str(tmp_path / "a" / "vault.key"),
        db=str(killed),
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(HERE), *sys.path])}
    done = subprocess.run([sys.executable, "-c", child], env=env, capture_output=True, timeout=600)
    assert done.returncode == -signal.SIGKILL, done.stderr.decode()[-2000:]
    assert leaks_in_file(killed)  # half done
    with SqliteSaver.from_conn_string(str(killed)) as saver:
        report = migrate_checkpointer(saver, guard_at(tmp_path / "a"))
    assert report.items_unchanged > 0  # what the killed run finished is not done again
    assert leaks_in_file(killed) == []
    assert leaks_in_file(whole) == []
    assert decoded(killed) == decoded(whole)
    assert any(PLACEHOLDER.search(repr(v)) for _, v in decoded(killed))


# -- PostgresSaver ----------------------------------------------------------------------------------


def test_postgres_saver_migrated_in_its_tables(postgres_database: str, tmp_path: Path) -> None:
    pytest.importorskip("langgraph.checkpoint.postgres")
    import psycopg
    from langgraph.checkpoint.postgres import PostgresSaver

    guard = guard_at(tmp_path)

    def table_text() -> bytes:
        with psycopg.connect(postgres_database) as conn:
            found = [
                bytes(r[0]) for r in conn.execute("SELECT blob FROM checkpoint_blobs WHERE blob IS NOT NULL")
            ]
            found += [bytes(r[0]) for r in conn.execute("SELECT blob FROM checkpoint_writes")]
            found += [
                r[0].encode()
                for r in conn.execute("SELECT checkpoint::text || metadata::text FROM checkpoints")
            ]
        return b"\n".join(found)

    with PostgresSaver.from_conn_string(postgres_database) as saver:
        saver.setup()
        fill(saver)
        assert all(s.encode() in table_text() for s in SECRETS)
        bare = build(Model(), ToolNode([]), saver)
        before = {t: bare.get_state(cfg(t)) for t in ("t1", "t2")}
        dry = migrate_checkpointer(saver, guard, dry_run=True)
        report = migrate_checkpointer(saver, guard)
        assert counts(dry) == counts(report)
        assert report.items_rewritten > 0
        assert report.items_failed == 0
        assert any("PostgreSQL" in r for r in report.residue)
        assert "PostgreSQL VACUUM checkpoint_blobs" in report.scrubbed
        assert not [s for s in SECRETS if s.encode() in table_text()]
        assert migrate_checkpointer(saver, guard).items_rewritten == 0
        tools = Tools()
        graph = private_graph(build(Model(), PrivateToolNode([tools.send_sms]), saver), guard)
        for thread, user in (("t1", "dana"), ("t2", "eli")):
            state = graph.get_state(cfg(thread, user))
            assert shown(state.values["messages"]) == shown(before[thread].values["messages"])
            assert state.values["note"] == before[thread].values["note"]
        out = graph.invoke(Command(resume="yes"), cfg("t1"))
        assert tools.received == [{"to": PHONE, "body": "See you at 6"}]
        assert out["messages"][-1].content == f"Done. SMS sent to {PHONE}; receipt mailed to {EMAIL}"
    assert not [s for s in SECRETS if s.encode() in table_text()]


class Fanout(TypedDict):
    texts: list[str]
    done: Annotated[list[str], operator.add]
    tags: set[str]


def test_sends_sets_and_answers_left_in_clear_by_restore_node(tmp_path: Path) -> None:
    """A map-reduce graph's `Send` packets (pending writes) are walked; a set of strings is kept and
    said in the residue; an answer a `restore_node` put back in clear gets its placeholder form."""
    db, guard = tmp_path / "fan.db", guard_at(tmp_path)
    builder = StateGraph(Fanout)
    builder.add_node("worker", lambda state: {"done": [f"sent to {state['text']}"]})
    builder.add_node("start", lambda state: {})
    builder.add_edge(START, "start")
    builder.add_conditional_edges(
        "start", lambda state: [Send("worker", {"text": t}) for t in state["texts"]]
    )
    builder.add_edge("worker", END)
    with SqliteSaver.from_conn_string(str(db)) as saver:
        fan = builder.compile(checkpointer=saver, interrupt_before=["worker"])
        fan.invoke({"texts": [PHONE, EMAIL], "done": [], "tags": {"ok"}}, cfg("f1"))
        sends = saver.conn.execute("SELECT value FROM writes WHERE channel = '__pregel_tasks'").fetchall()
        assert sends  # the Send packets wait in pending writes
        chat = build(Model(), ToolNode([]), saver)
        chat.invoke({"messages": [("user", "hello")], "note": "x"}, cfg("c1"))
        answer = AIMessage(f"Your number is {PHONE}", id="a1")
        shown_in_clear = marked(answer, restored=True, placeholder_content="Your number is <Phone_Number_1>")
        chat.update_state(cfg("c1"), {"messages": [shown_in_clear]})
        guard.protect(PHONE, user_id="dana")  # the placeholder the app's restore_node had used
        report = migrate_checkpointer(saver, guard)
        assert report.items_failed == 0
        assert any("sets, custom objects" in r for r in report.residue)
        assert leaks_in_file(db) == []
        resumed = private_graph(fan, guard).invoke(None, cfg("f1"))
        assert sorted(resumed["done"]) == sorted([f"sent to {PHONE}", f"sent to {EMAIL}"])
        raw = chat.get_state(cfg("c1")).values["messages"][-1]
        assert raw.content == "Your number is <Phone_Number_1>"
        assert (
            private_graph(chat, guard).get_state(cfg("c1")).values["messages"][-1].content == answer.content
        )


def test_tiny_bounds_give_the_same_result(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Memory bounds (rows per page, bytes per transaction, strings remembered per thread) change
    how the work is cut, not its result."""
    import memprivacy_plugin.migration.checkpointer as module

    original = tmp_path / "original.db"
    with SqliteSaver.from_conn_string(str(original)) as saver:
        fill(saver)
    with sqlite3.connect(original) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    results = []
    for name, bounds in (("default", {}), ("tiny", {"BATCH": 1, "BATCH_BYTES": 1, "MEMO": 1})):
        (tmp_path / name).mkdir()
        for key, value in bounds.items():
            monkeypatch.setattr(module, key, value)
        db = tmp_path / name / "chat.db"
        shutil.copy(original, db)
        with SqliteSaver.from_conn_string(str(db)) as saver:
            report = migrate_checkpointer(saver, guard_at(tmp_path / name))
        assert leaks_in_file(db) == []
        results.append((report.model_dump(exclude={"source"}), decoded(db)))
    assert results[0] == results[1]
