"""The mem0 adapter's rules that need no mem0: which vault an identity uses (issue 11, defect 7),
what of an answer is restored, and the adapter's layering (thin over the guard, small modules).
The same rules on a real embedded mem0 are in tests/integration_tests/test_mem0_identity.py."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from memprivacy_plugin import InMemoryVault, PrivacyGuard
from memprivacy_plugin.errors import ConfigError
from memprivacy_plugin.integrations.mem0 import vault_user_for
from memprivacy_plugin.integrations.mem0._results import plan_restore

PACKAGE = Path(__file__).resolve().parents[2] / "memprivacy_plugin" / "integrations" / "mem0"


def test_existing_vault_users_are_kept() -> None:
    """What earlier versions wrote stays readable: the same vault user for every identity that
    could not collide before."""
    assert vault_user_for(user_id="dana") == "dana"
    assert vault_user_for(user_id=" dana ") == "dana"  # mem0 trims ids the same way
    assert vault_user_for(user_id="dana", agent_id="bot", run_id="r1") == "dana"
    assert vault_user_for(agent_id="bot") == "agent:bot"
    assert vault_user_for(agent_id="bot", run_id="r1") == "agent:bot"
    assert vault_user_for(run_id="r1") == "run:r1"
    assert vault_user_for(user_id="user:42") == "user:42"
    assert vault_user_for(required=False) is None


def test_a_user_id_cannot_take_an_agents_or_a_runs_vault() -> None:
    for taken in ("agent:bot", "run:r1", " agent:bot"):
        with pytest.raises(ConfigError, match="agent:"):
            vault_user_for(user_id=taken)
    for bad in ("*", "", {"in": ["a", "b"]}):
        with pytest.raises(ConfigError):
            vault_user_for(user_id=bad)
    with pytest.raises(ConfigError, match="no mem0 identity"):
        vault_user_for()


_plain = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Zs", "Cc")), min_size=1, max_size=12)
# Ids built to collide with the vault names of other kinds, and plain ones.
_ids = st.builds(lambda prefix, rest: prefix + rest, st.sampled_from(["", "agent:", "run:", "user:"]), _plain)
_identity = st.tuples(st.sampled_from(["user_id", "agent_id", "run_id"]), _ids)


@settings(max_examples=300, deadline=None)
@example(a=("user_id", "agent:bot"), b=("agent_id", "bot"))
@example(a=("user_id", "run:r1"), b=("run_id", "r1"))
@given(a=_identity, b=_identity)
def test_two_identities_never_share_a_vault(a: tuple[str, str], b: tuple[str, str]) -> None:
    def vault(kind: str, value: str) -> str | None:
        try:
            return vault_user_for(**{kind: value})
        except ConfigError:
            return None  # refused: no vault at all, so nothing shared

    first, second = vault(*a), vault(*b)
    if first is not None and first == second:
        assert (a[0], a[1].strip()) == (b[0], b[1].strip())


def test_only_what_was_protected_is_restored() -> None:
    guard = PrivacyGuard(vault=InMemoryVault())
    phone = guard.protect("call +1 415 867 5309", user_id="dana").text.split()[-1]
    email = guard.protect("dana.whitfield@fastmail.com", user_id="bob").text
    answer = {
        "results": [
            {
                "id": "1",
                "memory": f"call {phone}",
                "user_id": "dana",
                "actor_id": phone,
                "role": "user",
                "metadata": {"contact": phone, "note": phone},
            },
            {"id": "2", "memory": f"mail {email}", "user_id": "bob", "metadata": {"contact": email}},
            {"id": "3", "memory": f"call {phone}", "user_id": "agent:dana"},  # no vault of ours
            {"id": "4", "old_memory": None, "new_memory": f"call {phone}", "actor_id": phone},
        ]
    }
    plan = plan_restore(answer, "dana", metadata=True)
    assert plan is not None
    assert plan.scopes() == ["bob", "dana"]
    for scope in plan.scopes():
        texts = guard.restore_data(plan.text_values(scope), user_id=scope)
        metadata = guard.restore_data(plan.metadata_values(scope), user_id=scope, keys=["contact"])
        plan.put(scope, texts, metadata)
    one, two, three, four = plan.answer()["results"]
    assert one["memory"] == "call +1 415 867 5309"
    assert one["actor_id"] == phone  # a message's name: sent as given, never restored
    assert one["metadata"] == {"contact": "+1 415 867 5309", "note": phone}
    assert two["memory"] == "mail dana.whitfield@fastmail.com"
    assert three["memory"] == f"call {phone}"
    assert four == {"id": "4", "old_memory": None, "new_memory": "call +1 415 867 5309", "actor_id": phone}
    assert answer["results"][0]["memory"] == f"call {phone}"  # mem0's answer is left as it was
    assert plan_restore(answer, "dana", metadata=False) is not None
    assert plan_restore(None, "dana", metadata=True) is None


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            found.add("." * node.level + (node.module or ""))
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def test_the_adapter_is_thin_over_the_guard() -> None:
    """Nothing in the mem0 adapter reaches around the guard into the vault, the restorer or the
    placeholders, and every module stays small."""
    for path in sorted(PACKAGE.glob("*.py")):
        for name in _imports(path):
            parts = name.lstrip(".").split(".")
            if name.startswith("...") or name.startswith("memprivacy_plugin"):
                assert not {"vault", "restore", "placeholders", "_data"} & set(parts), (path.name, name)
        assert len(path.read_text(encoding="utf-8").splitlines()) < 500, path.name
