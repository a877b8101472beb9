"""`protect_messages` on the message shapes chat APIs use: string content, content parts
(OpenAI, Anthropic), tool calls, LangChain's role names; one batched extraction per call."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import pytest

from memprivacy_plugin import ConfigError, InMemoryVault, PrivacyGuard, PrivacySpan
from memprivacy_plugin.extractors.known import KnownValuesExtractor

PHONE = "13912345678"
PIN = "4829"


class Counting:
    """Known values, counting the extractor calls the guard makes."""

    def __init__(self) -> None:
        self.known = KnownValuesExtractor({PHONE: "Phone Number", PIN: "Password"})
        self.batches: list[int] = []
        self.singles = 0

    def extract(self, text: str, *, user_name: str | None = None) -> list[PrivacySpan]:
        self.singles += 1
        return self.known.extract(text)

    def extract_batch(self, texts: Sequence[str], *, user_name: str | None = None) -> list[list[PrivacySpan]]:
        self.batches.append(len(texts))
        return [self.known.extract(t) for t in texts]


@pytest.fixture
def extractor() -> Counting:
    return Counting()


@pytest.fixture
def guard(extractor: Counting) -> PrivacyGuard:
    return PrivacyGuard(extractor=extractor, vault=InMemoryVault())


def test_the_default_guard_protects_every_shape() -> None:
    guard = PrivacyGuard(vault=InMemoryVault())
    parts = [{"role": "user", "content": [{"type": "text", "text": f"my PIN is {PIN}, phone {PHONE}"}]}]
    calls = [
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": "1",
                    "type": "function",
                    "function": {"name": "sms", "arguments": json.dumps({"to": PHONE})},
                }
            ],
        }
    ]
    plain = [{"role": "user", "content": f"phone {PHONE}"}]
    for messages, roles in ((parts, None), (calls, None), (plain, ["human"])):
        out = guard.protect_messages(messages, user_id="a", roles=roles)
        assert PHONE not in repr(out)
        assert PIN not in repr(out)
        assert out != messages


def test_content_parts_tool_calls_and_other_keys(guard: PrivacyGuard, extractor: Counting) -> None:
    image = {"type": "image_url", "image_url": {"url": "https://example.com/cat.png"}}
    messages: list[dict[str, Any]] = [
        {"role": "system", "content": "be brief", "name": "setup"},
        {"role": "user", "content": [{"type": "text", "text": f"my PIN is {PIN}, phone {PHONE}"}, image]},
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": "call_1",
                    "type": "function",
                    "function": {"name": "sms", "arguments": json.dumps({"to": PHONE})},
                }
            ],
        },
        {"role": "tool", "tool_call_id": "call_1", "content": f"sent to {PHONE}"},
        {
            "role": "assistant",
            "content": [
                {"type": "text", "text": "done"},
                {"type": "tool_use", "id": "t1", "name": "sms", "input": {"to": PHONE}},
            ],
        },
        {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "t1", "content": f"ok {PHONE}"}]},
        {
            "role": "assistant",
            "content": None,
            "function_call": {"name": "sms", "arguments": f'{{"to": "{PHONE}"}}'},
        },
        {"role": "ai", "content": "", "tool_calls": [{"name": "sms", "args": {"to": PHONE}, "id": "c2"}]},
    ]
    before = json.dumps(messages)
    out = guard.protect_messages(messages, user_id="u1")
    assert json.dumps(messages) == before  # the input is not changed
    assert PHONE not in json.dumps(out)
    assert PIN not in json.dumps(out)
    assert out[0] == messages[0]  # nothing to protect: the same keys and values
    assert out[1]["content"][0]["text"] == "my PIN is <Password>, phone <Phone_Number_1>"
    assert out[1]["content"][1] == image
    assert json.loads(out[2]["tool_calls"][0]["function"]["arguments"]) == {"to": "<Phone_Number_1>"}
    assert out[2]["tool_calls"][0]["id"] == "call_1"
    assert out[3] == {"role": "tool", "tool_call_id": "call_1", "content": "sent to <Phone_Number_1>"}
    assert out[4]["content"][1]["input"] == {"to": "<Phone_Number_1>"}
    assert out[5]["content"][0]["content"] == "ok <Phone_Number_1>"
    assert out[6]["function_call"]["arguments"] == '{"to": "<Phone_Number_1>"}'
    assert out[7]["tool_calls"][0]["args"] == {"to": "<Phone_Number_1>"}
    assert len(extractor.batches) == 1  # one batched extraction for the whole call
    assert extractor.singles == 0
    restored = guard.restore_data(out, user_id="u1")
    assert restored[1]["content"][0]["text"] == f"my PIN is <Password>, phone {PHONE}"  # PL4: redacted
    assert restored[2:] == messages[2:]


def test_roles_read_langchain_names(guard: PrivacyGuard) -> None:
    messages = [
        {"role": "user", "content": f"phone {PHONE}"},
        {"role": "human", "content": f"call {PHONE}"},
        {"role": "assistant", "content": f"noted {PHONE}"},
    ]
    for roles in (["human"], ["user"], "user", ("user",)):
        out = guard.protect_messages(messages, user_id="u1", roles=roles)
        assert [m["content"] for m in out] == [
            "phone <Phone_Number_1>",
            "call <Phone_Number_1>",
            f"noted {PHONE}",
        ]
    out = guard.protect_messages(messages, user_id="u1", roles=["ai"])
    assert out[2]["content"] == "noted <Phone_Number_1>"
    # A role none of these messages has, but a standard one: nothing to protect, no error.
    assert guard.protect_messages(messages, user_id="u1", roles=["system"]) == messages
    # A custom role that a message has is fine.
    custom = [{"role": "narrator", "content": f"phone {PHONE}"}]
    assert (
        guard.protect_messages(custom, user_id="u1", roles=["narrator"])[0]["content"]
        == "phone <Phone_Number_1>"
    )


@pytest.mark.parametrize("roles", [["usr"], ["user", "humans"], [3]])
def test_a_role_that_could_match_nothing_is_a_config_error(guard: PrivacyGuard, roles: list[Any]) -> None:
    with pytest.raises(ConfigError, match="role") as info:
        guard.protect_messages([{"role": "user", "content": f"phone {PHONE}"}], user_id="u1", roles=roles)
    assert len(str(info.value).splitlines()) == 1
    assert PHONE not in str(info.value)


def test_messages_must_be_mappings_with_content(guard: PrivacyGuard) -> None:
    for bad in ([{"role": "user"}], ["hello"]):
        with pytest.raises(ConfigError, match="content"):
            guard.protect_messages(bad, user_id="u1")  # type: ignore[arg-type]
