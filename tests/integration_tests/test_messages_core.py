"""The one core under the LangChain and LangGraph adapters (`integrations._messages`,
`integrations._stream`), seen through every adapter with real langchain-core and LangGraph
objects: which strings of a message are text (and which blocks pass untouched), tool-call
arguments, the one marker, the one stream restorer, and the one default guard."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("langgraph")

from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage, HumanMessage
from langchain_core.tools import tool

from memprivacy_plugin import InMemoryVault, PrivacyGuard
from memprivacy_plugin.extractors.known import KnownValuesExtractor
from memprivacy_plugin.integrations._identity import GUARD_KEY, default_guard
from memprivacy_plugin.integrations.langchain import (
    PrivacyProtectRunnable,
    PrivacyRestoreRunnable,
    restore_output,
)
from memprivacy_plugin.integrations.langgraph import (
    PrivateToolNode,
    arestore_stream,
    privacy_node,
    protect_input,
    restore_result,
    restore_stream,
)

PHONE = "+1 415 867 5309"
NAME = "Dana Whitfield"
EMAIL = "dana.whitfield@fastmail.com"
CFG: Any = {"configurable": {"user_id": "u-1"}}
IMAGE_URL = f"https://img.example/{NAME.replace(' ', '_')}.png?mail={EMAIL}"


@pytest.fixture
def guard() -> PrivacyGuard:
    known = KnownValuesExtractor({PHONE: "Phone Number", NAME: "Real Name", EMAIL: "Email"})
    return PrivacyGuard(extractor=known, vault=InMemoryVault())


def human() -> HumanMessage:
    return HumanMessage(
        [
            {"type": "text", "text": f"I'm {NAME}", "id": "b1"},
            f"call {PHONE}",
            {"type": "text-plain", "text": f"mail {EMAIL}", "mime_type": "text/plain"},
            {"type": "image", "url": IMAGE_URL},
            {"type": "image_url", "image_url": {"url": IMAGE_URL}},
        ],
        id="h1",
    )


def ai() -> AIMessage:
    return AIMessage(
        [
            {"type": "reasoning", "reasoning": f"{NAME} wants a text", "id": "r1"},
            {"type": "thinking", "thinking": f"{NAME}", "signature": "c2lnbmVk"},
            {"type": "text", "text": f"Texting {NAME}."},
            {"type": "tool_use", "id": "c1", "name": "send_sms", "input": {"to": PHONE}},
        ],
        id="a1",
        tool_calls=[{"name": "send_sms", "args": {"to": PHONE, "cc": [EMAIL]}, "id": "c1"}],
        invalid_tool_calls=[
            {
                "name": "send_sms",
                "args": f'{{"to": "{PHONE}"',
                "id": "c2",
                "error": "cut",
                "type": "invalid_tool_call",
            }
        ],
    )


def by_runnable(guard: PrivacyGuard, messages: list[BaseMessage]) -> list[BaseMessage]:
    out: list[BaseMessage] = PrivacyProtectRunnable(guard).invoke(messages, CFG)
    return out


def by_protect_input(guard: PrivacyGuard, messages: list[BaseMessage]) -> list[BaseMessage]:
    out: list[BaseMessage] = protect_input({"messages": messages}, guard, CFG, message_types=("human", "ai"))[
        "messages"
    ]
    return out


def by_privacy_node(guard: PrivacyGuard, messages: list[BaseMessage]) -> list[BaseMessage]:
    update = privacy_node(guard, message_types=("human", "ai")).invoke({"messages": messages}, CFG)
    out: list[BaseMessage] = update["messages"]
    return out


def by_middleware(guard: PrivacyGuard, messages: list[BaseMessage]) -> list[BaseMessage]:
    pytest.importorskip("langchain.agents")
    from memprivacy_plugin.integrations.langchain import PrivacyMiddleware

    return PrivacyMiddleware(guard).protect_input(messages, CFG)


PROTECTORS = [by_runnable, by_protect_input, by_privacy_node, by_middleware]
RESTORERS: list[Callable[[PrivacyGuard, Any], Any]] = [
    lambda g, v: PrivacyRestoreRunnable(g).invoke(v, CFG),
    lambda g, v: restore_result(v, g, CFG),
    lambda g, v: restore_output(v, g, CFG),
]


@pytest.mark.parametrize("protect", PROTECTORS, ids=lambda f: f.__name__)
def test_every_adapter_reads_the_same_strings_as_text(guard: PrivacyGuard, protect: Any) -> None:
    h, a = protect(guard, [human(), ai()])
    # Text: str content parts and blocks with a "text" string (text, text-plain) ...
    assert h.content[:3] == [
        {"type": "text", "text": "I'm <Real_Name_1>", "id": "b1"},
        "call <Phone_Number_1>",
        {"type": "text-plain", "text": "mail <Email_1>", "mime_type": "text/plain"},
    ]
    # ... not an image's URL (protecting it would break the link; keep private data out of URLs),
    assert h.content[3:] == human().content[3:]
    # ... nor reasoning blocks (signed, sent back byte for byte; the model wrote them from placeholders).
    assert a.content[:2] == ai().content[:2]
    assert a.content[2:] == [
        {"type": "text", "text": "Texting <Real_Name_1>."},
        {"type": "tool_use", "id": "c1", "name": "send_sms", "input": {"to": "<Phone_Number_1>"}},
    ]
    # Tool calls: arguments at any depth, and the JSON text of an invalid call.
    assert a.tool_calls[0]["args"] == {"to": "<Phone_Number_1>", "cc": ["<Email_1>"]}
    assert a.invalid_tool_calls[0]["args"] == '{"to": "<Phone_Number_1>"'
    assert (h.id, a.id) == ("h1", "a1")
    assert all(m.response_metadata["memprivacy"] == {"protected": True} for m in (h, a))

    for restore in RESTORERS:
        back = restore(guard, [h, a])
        assert [m.content for m in back] == [human().content, ai().content]
        assert back[1].tool_calls == ai().tool_calls
        assert back[1].invalid_tool_calls == ai().invalid_tool_calls
        assert all("memprivacy" not in m.response_metadata for m in back)  # clear text: not marked


def test_a_message_without_placeholders_keeps_its_mark_when_restored(guard: PrivacyGuard) -> None:
    (m,) = by_runnable(guard, [HumanMessage("hello", id="h")])
    assert PrivacyRestoreRunnable(guard).invoke(m, CFG) is m  # still placeholder form: nothing to do


# -- the one stream restorer ------------------------------------------------------------------------


def answer_chunks() -> list[AIMessageChunk]:
    """A streamed answer as a provider sends it: text split inside placeholders, tool-call JSON
    split inside a placeholder, the last chunk marked."""
    text = "Texting <Real_Name_1> at <phone number 1> now"
    args = json.dumps({"to": "<Phone_Number_1>", "note": "from <Real_Name_1>"})
    chunks = [AIMessageChunk(content=text[i : i + 4], id="run-1") for i in range(0, len(text), 4)]
    chunks += [
        AIMessageChunk(
            content="",
            id="run-1",
            tool_call_chunks=[
                {"name": "send_sms" if i == 0 else None, "args": args[i : i + 5], "id": "c1", "index": 0}
            ],
        )
        for i in range(0, len(args), 5)
    ]
    chunks[-1] = chunks[-1].model_copy(update={"chunk_position": "last"})
    return chunks


def total(chunks: list[Any]) -> AIMessageChunk:
    out = chunks[0]
    for c in chunks[1:]:
        out = out + c
    assert isinstance(out, AIMessageChunk)
    return out


def check_answer(chunks: list[Any]) -> None:
    assert all(isinstance(c, AIMessageChunk) and c.id == "run-1" for c in chunks)
    whole = total(chunks)
    assert whole.content == f"Texting {NAME} at {PHONE} now"
    assert whole.tool_calls[0]["args"] == {"to": PHONE, "note": f"from {NAME}"}


def test_one_stream_restorer_for_lcel_and_graph_streams(guard: PrivacyGuard) -> None:
    PrivacyProtectRunnable(guard).invoke(f"{NAME} {PHONE}", CFG)
    check_answer(list(PrivacyRestoreRunnable(guard).transform(iter(answer_chunks()), CFG)))

    meta = {"langgraph_node": "model"}
    parts: Iterator[Any] = ((c, meta) for c in answer_chunks())
    out = list(restore_stream(parts, guard, CFG, stream_mode="messages"))
    assert all(m is meta for _, m in out)
    check_answer([c for c, _ in out])
    assert len(out) == len(answer_chunks())  # the tail went out inside the "last" chunk

    async def collect() -> list[Any]:
        async def parts() -> Any:
            for c in answer_chunks():
                yield {"type": "messages", "ns": (), "data": (c, meta)}

        return [p["data"][0] async for p in arestore_stream(parts(), guard, CFG, stream_mode="messages")]

    check_answer(asyncio.run(collect()))


def test_stream_of_content_blocks_and_interleaved_messages(guard: PrivacyGuard) -> None:
    PrivacyProtectRunnable(guard).invoke(f"{NAME} {PHONE}", CFG)
    thinking = {"type": "reasoning", "reasoning": "<Real_Name_1>", "index": 0}
    pieces = ["Hi <Real", "_Name_1>, call <Phone_Nu", "mber_1>"]
    parts = []
    for i, piece in enumerate(pieces):
        for message_id in ("m1", "m2"):  # two messages (say, two subgraphs) stream at once
            content: list[Any] = [{"type": "text", "text": piece, "index": 1}]
            if i == 0:
                content.insert(0, thinking)
            parts.append((AIMessageChunk(content=content, id=message_id), {}))
    out = [c for c, _ in restore_stream(parts, guard, CFG, stream_mode="messages")]
    for message_id in ("m1", "m2"):
        whole = total([c for c in out if c.id == message_id])
        assert whole.content == [thinking, {"type": "text", "text": f"Hi {NAME}, call {PHONE}", "index": 1}]


# -- one default guard, or one handed to the run ------------------------------------------------------


@tool
def echo(text: str) -> str:
    """Echo (a local tool)."""
    return text


def test_components_without_a_guard_share_one_default(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("MEMPRIVACY_DATA_DIR", str(tmp_path))
    default_guard.cache_clear()
    try:
        from memprivacy_plugin.integrations import langchain

        shared = default_guard()
        assert langchain.default_guard() is shared
        assert PrivacyProtectRunnable().privacy_guard is shared
        assert PrivateToolNode([echo]).guard is shared
        out = privacy_node().invoke({"messages": [HumanMessage(f"mail {EMAIL}", id="h")]}, CFG)
        text = out["messages"][0].content
        assert EMAIL not in text
        assert restore_result(text, None, CFG) == f"mail {EMAIL}"  # the same vault
        shared.close()
    finally:
        default_guard.cache_clear()


def test_a_guard_handed_to_the_run_serves_components_given_none(guard: PrivacyGuard) -> None:
    config: Any = {"configurable": {"user_id": "u-1", GUARD_KEY: guard}}
    out = privacy_node().invoke({"messages": [HumanMessage(f"call {PHONE}", id="h")]}, config)
    assert out["messages"][0].content == "call <Phone_Number_1>"
    assert PrivacyProtectRunnable().invoke(f"mail {EMAIL}", config) == "mail <Email_1>"
    assert guard.restore("<Phone_Number_1> <Email_1>", user_id="u-1") == f"{PHONE} {EMAIL}"
