"""No person's vault can be a thread's, an agent's or a run's, whichever adapters an app combines."""

from __future__ import annotations

import pytest

from memprivacy_plugin.errors import ConfigError
from memprivacy_plugin.integrations._identity import RESERVED_PREFIXES, identity_from
from memprivacy_plugin.integrations.mem0._identity import vault_user_for


@pytest.mark.parametrize("prefix", RESERVED_PREFIXES)
def test_langchain_and_langgraph_refuse_reserved_user_ids(prefix: str) -> None:
    with pytest.raises(ConfigError, match="kept for the vaults"):
        identity_from({"configurable": {"user_id": f"{prefix}bot", "thread_id": "t1"}})


@pytest.mark.parametrize("prefix", RESERVED_PREFIXES)
def test_mem0_refuses_reserved_user_ids(prefix: str) -> None:
    with pytest.raises(ConfigError, match="kept for the vaults"):
        vault_user_for(user_id=f"{prefix}bot")


def test_the_vaults_of_things_cannot_be_named_by_a_person() -> None:
    thread_vault = identity_from({"configurable": {"user_id": "dana", "thread_id": "t1"}}, scope="thread")
    things = {thread_vault.vault_user, vault_user_for(agent_id="bot"), vault_user_for(run_id="r1")}
    for vault_user in things:
        with pytest.raises(ConfigError):
            identity_from({"configurable": {"user_id": vault_user}})
        with pytest.raises(ConfigError):
            vault_user_for(user_id=vault_user)
