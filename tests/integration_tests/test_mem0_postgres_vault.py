"""mem0 in a replicated app: mem0 keeps its embedded Qdrant, the vault moves to PostgreSQL.

A memory added through one replica's guard is found and restored through another replica's guard
(its own PostgresVault connection pool, the same schema and key); Qdrant's files, mem0's history
database and every vault table hold placeholders and keyed hashes only.
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import pytest

# mem0 reads this once, at import: before anything in this process imports it.
os.environ["MEM0_TELEMETRY"] = "False"
if importlib.util.find_spec("mem0") is None or importlib.util.find_spec("psycopg_pool") is None:
    pytest.skip("needs the mem0 and postgres extras", allow_module_level=True)

import psycopg
from mem0_support import files_holding

from memprivacy_plugin import PrivacyGuard
from memprivacy_plugin.integrations.mem0 import PrivateMemory
from memprivacy_plugin.vault import generate_key
from memprivacy_plugin.vault.postgres import PostgresVault

pytestmark = pytest.mark.xdist_group("mem0")

PHONE, CARD = "+1 415 867 5309", "4111 1111 1111 1111"


def test_mem0_with_a_postgres_vault_across_replicas(tmp_path: Path, postgres_database: str) -> None:
    key = generate_key()
    replica_a = PrivacyGuard(vault=PostgresVault(postgres_database, key=key))
    replica_b = PrivacyGuard(vault=PostgresVault(postgres_database, key=key))
    written = PrivateMemory.local(str(tmp_path / "mem0"), replica_a)
    written.add(f"My phone is {PHONE} and my card is {CARD}", user_id="dana", infer=False)

    read = PrivateMemory(written.memory, replica_b)  # the same mem0, another replica's vault
    hits = read.search("what is my phone number?", filters={"user_id": "dana"})["results"]
    assert hits[0]["memory"] == f"My phone is {PHONE} and my card is {CARD}"
    stored = written.memory.get_all(filters={"user_id": "dana"})["results"][0]["memory"]
    assert stored == "My phone is <Phone_Number_1> and my card is <Financial_Account_1>"

    assert files_holding(tmp_path, [PHONE, CARD, CARD.replace(" ", "")]) == []
    with psycopg.connect(postgres_database) as conn:
        rows = conn.execute(
            "SELECT e::text FROM memprivacy.entries e UNION ALL SELECT k::text FROM memprivacy.keys k"
        ).fetchall()
    dump = "\n".join(r[0] for r in rows)
    assert rows
    assert "dana" not in dump
    assert "5309" not in dump
    replica_a.close()
    replica_b.close()
