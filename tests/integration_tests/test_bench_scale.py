"""benchmarks/bench_scale.py at a tiny size on a real PostgreSQL: every run (SQLite, one and two app
processes on the Postgres vault, the traced run, the vault of many values) finds no collision, no lost
placeholder, no wrong restore and no cross-user restore, and the checks it relies on do catch a vault
that mixes users up. Its figures live in docs/performance.md; no timing is asserted here."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Collection, Sequence
from pathlib import Path
from typing import Any

import pytest

from memprivacy_plugin import PrivacyGuard, RuleExtractor
from memprivacy_plugin.vault import InMemoryVault

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "benchmarks" / "bench_scale.py"
sys.path.insert(0, str(ROOT))

from benchmarks.bench_scale import _synthetic, check, restores  # noqa: E402

pytest.importorskip("psycopg")
pytest.importorskip("psycopg_pool")

BAD = ("collisions", "lost", "mismatches", "cross_user")


def test_the_benchmark_runs_and_finds_nothing_wrong(postgres_dsn: str, tmp_path: Path) -> None:
    out = tmp_path / "scale.json"
    args = ["-n", "4", "-m", "3", "--repeat", "1", "--steady-passes", "1", "--source", "synthetic"]
    args += ["--mem0-users", "0", "--million", "--million-values", "300", "--million-per-user", "50"]
    args += ["--lookups", "20", "--dsn", postgres_dsn, "--json", str(out)]
    done = subprocess.run(
        [sys.executable, str(SCRIPT), *args],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=ROOT,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    data = json.loads(out.read_text())
    runs = {r["label"]: r for r in data["runs"]}
    assert set(runs) == {"store/sqlite/1", "store/postgres/1", "store/postgres/2", "store/postgres/1 traced"}
    for run in runs.values():
        checks = run["checks"]
        assert [checks[k] for k in BAD] == [0, 0, 0, 0], run["label"]
        assert run["first"]["mismatches"] == run["steady"]["mismatches"] == 0
        assert run["first"]["messages"] == run["steady"]["messages"] == 12
        assert checks["placeholders_stored"] >= checks["values"] > 0
    # every backend and process count stored the same values, each once
    assert len({r["checks"]["values"] for r in runs.values()}) == 1
    # at steady state a put and a get through PrivateStore are one vault round trip each; the first
    # pass needs more (the user's entries loaded once, then new values locked and inserted)
    traced = runs["store/postgres/1 traced"]
    assert traced["steady"]["trips_put"] == traced["steady"]["trips_get"] == 1.0
    assert traced["first"]["trips_put"] > 1.0
    assert data["million"]["values"] == 300
    assert data["million"]["misses"] == 0
    # nothing it prints holds a value of the messages
    guard = PrivacyGuard(RuleExtractor(), InMemoryVault(), remember_values=False)
    values = {r.span.text for t in _synthetic(4, 3) for r in guard.protect(t, user_id="u").replacements}
    assert values
    assert not [v for v in values if v in done.stdout or v in done.stderr]


class _ScopeBlindVault(InMemoryVault):
    """A broken vault: every lookup reads the first user's entries, whoever asks."""

    def lookup(self, user_id: str, keys: Collection[str], *, namespace: str | None = None) -> dict[str, str]:
        return super().lookup("user-000", keys, namespace=namespace)


def _stored(vault: Any, texts: Sequence[str]) -> tuple[list[tuple[str, int, str]], dict[Any, str]]:
    guard = PrivacyGuard(RuleExtractor(), vault, remember_values=False)
    stored, originals = [], {}
    for u in range(3):
        for m in range(2):
            text = texts[u * 2 + m]
            stored.append((f"user-{u:03d}", m, guard.protect(text, user_id=f"user-{u:03d}").text))
            originals[(f"user-{u:03d}", m)] = text
    return stored, originals


def test_the_checks_catch_a_vault_that_mixes_users_up() -> None:
    texts = _synthetic(3, 2)
    good = InMemoryVault()
    stored, originals = _stored(good, texts)
    found = check(good, stored, originals)
    assert [found[k] for k in BAD] == [0, 0, 0, 0]
    assert found["values"] > 0

    blind = _ScopeBlindVault()
    stored, originals = _stored(blind, texts)
    found = check(blind, stored, originals)
    assert found["cross_user"] > 0  # user-001's placeholders resolved to user-000's values under user-002
    assert found["mismatches"] > 0  # and user-001's own texts come back with user-000's values

    # a placeholder its user's vault does not hold, and a text that comes back changed
    lost = InMemoryVault()
    stored, originals = _stored(lost, texts)
    user, turn, text = stored[0]
    stored[0] = (user, turn, text + " <Phone_Number_99>")
    found = check(lost, stored, originals)
    assert found["lost"] == 1
    assert found["mismatches"] == 1


def test_a_redacted_value_is_the_only_difference_a_restore_may_show() -> None:
    original = "Code 829417 for dana@fastmail.com"
    assert restores(original, original)
    assert restores(original, "Code <Verification_Code> for dana@fastmail.com")
    assert not restores(original, "Code <Verification_Code> for lee@fastmail.com")
    assert not restores(original, "Code 829417 for <Email_1>")  # a placeholder left unresolved
