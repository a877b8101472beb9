"""What the private-graph tests share: a scripted tool-calling chat model (no cloud model can run
here) that behaves like a real one (tool calls to the placeholders it sees, streaming in small
chunks, so placeholders are split across chunks), tools that record what they get, and readers
of a SqliteSaver file."""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage, SystemMessage, ToolMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from langchain_core.tools import BaseTool, tool
from pydantic import Field

from memprivacy_plugin import InMemoryVault, KnownValuesExtractor, PrivacyGuard

PHONE = "+1 415 555 0134"
NAME = "Dana Whitfield"
EMAIL = "dana.whitfield@example.org"
ELI_PHONE = "+44 20 7946 0958"
SECRETS = (PHONE, NAME, EMAIL, ELI_PHONE)
PLACEHOLDER = re.compile(r"<[A-Za-z_]+_\d+>")


def known_guard() -> PrivacyGuard:
    values = {PHONE: "Phone Number", ELI_PHONE: "Phone Number", NAME: "Real Name", EMAIL: "Email"}
    return PrivacyGuard(extractor=KnownValuesExtractor(values), vault=InMemoryVault())


def cfg(thread: str, user: str = "dana", **more: Any) -> Any:
    return {"configurable": {"thread_id": thread, "user_id": user, **more}}


class ScriptedModel(BaseChatModel):
    """ "sms" in the user's last message -> a `send_sms` call to the first phone placeholder it
    sees; a tool result -> "Done. <result>"; anything else -> "Noted: <every user message>".
    Streams in `chunk_size` pieces. Records every input: what a cloud model would see."""

    inputs: list[list[BaseMessage]] = Field(default_factory=list)
    chunk_size: int = 4

    @property
    def _llm_type(self) -> str:
        return "scripted"

    def bind_tools(self, tools: Any, **kwargs: Any) -> ScriptedModel:  # type: ignore[override]
        return self

    def reply(self, messages: list[BaseMessage]) -> AIMessage:
        self.inputs.append(list(messages))
        last = next(m for m in reversed(messages) if not isinstance(m, SystemMessage))
        if isinstance(last, ToolMessage):
            return AIMessage(content=f"Done. {last.text}")
        phones = [t for t in PLACEHOLDER.findall(last.text) if "phone" in t.lower()]
        if "sms" in last.text.lower() and phones:
            call = {"name": "send_sms", "args": {"to": phones[0], "body": "See you at 6"}, "id": "c1"}
            return AIMessage(content="", tool_calls=[{**call, "type": "tool_call"}])  # type: ignore[list-item]
        said = " / ".join(m.text for m in messages if m.type == "human")
        return AIMessage(content=f"Noted: {said}")

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        return ChatResult(generations=[ChatGeneration(message=self.reply(messages))])

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        reply = self.reply(messages)
        text = reply.text
        pieces = [text[i : i + self.chunk_size] for i in range(0, len(text), self.chunk_size)] or [""]
        for n, piece in enumerate(pieces):
            last = n == len(pieces) - 1
            calls = [
                {"name": c["name"], "args": json.dumps(c["args"]), "id": c["id"], "index": i}
                for i, c in enumerate(reply.tool_calls)
            ]
            chunk = AIMessageChunk(
                content=piece, chunk_position="last" if last else None, tool_call_chunks=calls if last else []
            )
            if run_manager is not None:
                run_manager.on_llm_new_token(piece, chunk=ChatGenerationChunk(message=chunk))
            yield ChatGenerationChunk(message=chunk)


class Tools:
    """`send_sms`, a local tool (it needs the real number), recording what it was given."""

    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []

        @tool
        def send_sms(to: str, body: str) -> str:
            """Send an SMS."""
            self.received.append({"to": to, "body": body})
            return f"SMS sent to {to}; receipt mailed to {EMAIL}"

        self.send_sms: BaseTool = send_sms


def leaks_in_file(path: Path, secrets: tuple[str, ...] = SECRETS) -> list[str]:
    """The secrets found in the bytes of a SQLite file and its WAL (as a grep would find them)."""
    data = b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))
    return [s for s in secrets if s.encode() in data or json.dumps(s)[1:-1].encode() in data]


def rows(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """The checkpoints and writes rows of a SqliteSaver file."""
    conn = sqlite3.connect(path)
    try:
        return {
            "checkpoints": conn.execute("SELECT thread_id, checkpoint, metadata FROM checkpoints").fetchall(),
            "writes": conn.execute("SELECT task_path, channel, value FROM writes").fetchall(),
        }
    finally:
        conn.close()
