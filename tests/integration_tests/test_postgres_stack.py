"""The LangGraph production stack, end to end: two app replicas (processes) on one PostgreSQL.

Each replica (replica_app.py) runs a chat graph with recall/remember memories, PostgresSaver,
PostgresStore through PrivateStore, and the Postgres vault. Three users talk to them over many
turns, each user's turns alternating between the two replicas and moving to a new thread every
few turns. Every answer must come back restored, memories written through one replica must restore
through the other, each value must have one placeholder whichever replica saw it, and no protected
value may be in any table of the database (read with SQL, bytes included).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("langgraph.checkpoint.postgres")
pytest.importorskip("psycopg_pool")

import psycopg
from langgraph.checkpoint.postgres import PostgresSaver
from langgraph.store.postgres import PostgresStore
from stdnum import luhn

from memprivacy_plugin.vault import KEY_ENV, generate_key

APP = Path(__file__).with_name("replica_app.py")
USERS = ["user-ana-7f3", "user-bo-2c9", "user-chen-5e1"]
TURNS = 12  # per user
PLACEHOLDER = re.compile(r"<[A-Za-z_]+_\d+>")

pytestmark = pytest.mark.xdist_group("postgres-stack")


def phone(u: int, k: int) -> str:
    return f"+1 415 555 {u * 100 + k + 10:04d}"


def card(u: int, k: int) -> str:
    digits = f"411111111111{u:01d}{k:02d}"
    return " ".join(re.findall(".{1,4}", digits + luhn.calc_check_digit(digits)))


def text_of(u: int, k: int) -> str:
    if k % 3 == 2:
        return f"call me at {phone(u, k - 2)} again, my card is {card(u, k)}"
    return f"my phone is {phone(u, k)}"


def values_of(u: int) -> set[str]:
    return {phone(u, k) for k in range(TURNS)} | {card(u, k) for k in range(TURNS) if k % 3 == 2}


class Replica:
    def __init__(self, dsn: str, key: str) -> None:
        env = dict(os.environ, **{KEY_ENV: key})
        env["PYTHONPATH"] = os.pathsep.join([str(APP.parent), *sys.path])
        self.proc = subprocess.Popen(
            [sys.executable, str(APP), dsn], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env
        )

    def turn(self, user: str, thread: str, text: str) -> dict[str, Any]:
        assert self.proc.stdin is not None
        assert self.proc.stdout is not None
        self.proc.stdin.write(json.dumps({"user": user, "thread": thread, "text": text}) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        assert line, f"the replica stopped (exit status {self.proc.poll()})"
        reply: dict[str, Any] = json.loads(line)
        return reply

    def close(self) -> None:
        if self.proc.stdin is not None:
            self.proc.stdin.close()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        if self.proc.stdout is not None:
            self.proc.stdout.close()


@pytest.fixture
def replicas(postgres_database: str) -> Iterator[tuple[str, list[Replica]]]:
    with PostgresSaver.from_conn_string(postgres_database) as saver:
        saver.setup()
    with PostgresStore.from_conn_string(postgres_database) as store:
        store.setup()
    key = generate_key()
    started = [Replica(postgres_database, key), Replica(postgres_database, key)]
    try:
        yield postgres_database, started
    finally:
        for replica in started:
            replica.close()


def every_cell(dsn: str) -> Iterator[tuple[str, bytes]]:
    """Every cell of every table outside the system schemas, as bytes."""
    with psycopg.connect(dsn) as conn:
        tables = conn.execute(
            "SELECT table_schema, table_name FROM information_schema.tables WHERE table_type = 'BASE TABLE'"
            " AND table_schema NOT IN ('pg_catalog', 'information_schema')"
        ).fetchall()
        assert any(schema == "memprivacy" for schema, _ in tables), "the vault's tables are missing"
        for schema, table in tables:
            for row in conn.execute(f'SELECT * FROM "{schema}"."{table}"'):
                for cell in row:
                    if cell is None:
                        continue
                    data = bytes(cell) if isinstance(cell, (bytes, memoryview)) else str(cell).encode()
                    if isinstance(cell, (dict, list)):
                        data = json.dumps(cell, ensure_ascii=False).encode()
                    yield f"{schema}.{table}", data


def test_two_replicas_serve_the_same_users_alternately(replicas: tuple[str, list[Replica]]) -> None:
    dsn, (a, b) = replicas
    said: dict[int, list[str]] = {u: [] for u in range(len(USERS))}
    placeholder_of: dict[tuple[int, str], str] = {}
    for g in range(TURNS * len(USERS)):
        u, k = g % len(USERS), g // len(USERS)
        replica = (a, b)[g % 2]  # three users on two replicas: each user's turns alternate
        text = text_of(u, k)
        reply = replica.turn(USERS[u], f"{USERS[u]}-t{k // 4}", text)

        noted, remembered = reply["answer"].split(" | remembered: ")
        assert noted == f"Noted: {text}"
        # Memories written through either replica, restored here: exactly this user's earlier turns.
        assert set(filter(None, remembered.split(" || "))) == set(said[u])
        said[u].append(text)
        assert sorted(reply["notes"]) == sorted(said[u])  # PrivateStore, across replicas

        # The cloud model got placeholders only, one per value whichever replica protected it.
        sent = " ".join(reply["sent"])
        everything = set().union(*(values_of(v) for v in range(len(USERS))))
        assert not [v for v in everything if v in sent]
        human = reply["sent"][0]
        values = [phone(u, k - 2), card(u, k)] if k % 3 == 2 else [phone(u, k)]
        placeholders = PLACEHOLDER.findall(human)
        rebuilt = human
        for placeholder, value in zip(placeholders, values, strict=True):
            rebuilt = rebuilt.replace(placeholder, value, 1)
        assert rebuilt == text
        for value, placeholder in zip(values, placeholders, strict=True):
            assert placeholder_of.setdefault((u, value), placeholder) == placeholder
    for u in range(len(USERS)):
        mine = [p for (v, _), p in placeholder_of.items() if v == u]
        assert len(mine) == len(set(mine)), "two values of one user share a placeholder"

    secrets = set().union(*(values_of(u) for u in range(len(USERS))))
    secrets |= {s.replace(" ", "") for s in secrets}
    found = {(where, s) for where, data in every_cell(dsn) for s in secrets if s.encode() in data}
    assert found == set()
    in_vault = {
        (where, user)
        for where, data in every_cell(dsn)
        if where.startswith("memprivacy.")
        for user in USERS
        if user.encode() in data
    }
    assert in_vault == set()  # user ids are stored only as keyed hashes
