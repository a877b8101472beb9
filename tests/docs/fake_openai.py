"""A small OpenAI-compatible chat server on 127.0.0.1 for the docs tests, standing in for
`vllm serve IAAR-Shanghai/MemPrivacy-4B-RL` (and for a cloud chat model).

- A MemPrivacy extraction request (the prompt of `memprivacy_plugin.extractors.prompt`) is
  answered the way the model answers: a JSON array of `{original_text, privacy_type,
  privacy_level}`, with what the rule extractor finds plus the few semantic spans in `KNOWN`
  (what the model finds and rules cannot: other people's names, diagnoses).
- mem0's fact extraction prompt gets one fact per new user line, as `{"memory": [...]}`.
- Any other chat request is answered by repeating the last user message after "Noted: ", as one
  message or streamed in small chunks (`"stream": true`), so placeholders get split across chunks.

Every request body is kept in `requests`; `cloud_leaks()` says whether the "cloud" received
anything the rules would protect.
"""

from __future__ import annotations

import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

__all__ = ["KNOWN", "FakeOpenAIServer"]

#: what the fake model finds that rules cannot, as (type, level)
KNOWN: dict[str, tuple[str, str]] = {
    "Lena": ("Relationship Info", "PL2"),
    "diabetes": ("Medical Health", "PL3"),
}
_DIALOGUE = re.compile(r"Current Input Dialogue:\n(\{.*\})\s*\Z", re.S)


def _text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(p.get("text", "") for p in content if isinstance(p, dict))
    return ""


def _spans(message: str) -> list[dict[str, str]]:
    from memprivacy_plugin import RuleExtractor

    found = [
        {"original_text": s.text, "privacy_type": s.privacy_type, "privacy_level": str(s.level)}
        for s in RuleExtractor().extract(message)
    ]
    found += [
        {"original_text": value, "privacy_type": kind, "privacy_level": level}
        for value, (kind, level) in KNOWN.items()
        if value in message
    ]
    return found


def answer(request: dict[str, Any]) -> str:
    """The assistant's content for one chat completions request."""
    messages = request.get("messages") or [{}]
    last = _text(messages[-1].get("content"))
    dialogue = _DIALOGUE.search(last)
    if dialogue is not None:
        return json.dumps(_spans(json.loads(dialogue.group(1))["content"]), ensure_ascii=False)
    if "## New Messages\n" in last:  # mem0 2.x's fact extraction: one fact per user line
        new = last.split("## New Messages\n", 1)[1].split("\n\n## ", 1)[0]
        said = [line[len("user: ") :] for line in new.splitlines() if line.startswith("user: ")]
        facts = [{"id": str(i), "text": f"The user mentioned that {t}"} for i, t in enumerate(said)]
        return json.dumps({"memory": facts}, ensure_ascii=False)
    users = [_text(m.get("content")) for m in messages if m.get("role") == "user"]
    return "Noted: " + (users[-1] if users else "")


class FakeOpenAIServer:
    """Serves `/v1/chat/completions` (plain and streamed) and `/v1/models` until `close()`."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def _send(self, status: int, data: bytes, content_type: str = "application/json") -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                models = {"object": "list", "data": [{"id": "fake", "object": "model", "owned_by": "docs"}]}
                self._send(200, json.dumps(models).encode())

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
                owner.requests.append(body)
                if not self.path.rstrip("/").endswith("chat/completions"):
                    self._send(404, json.dumps({"error": {"message": "not served here"}}).encode())
                    return
                content = answer(body)
                model = body.get("model", "fake")
                if not body.get("stream"):
                    choice = {
                        "index": 0,
                        "message": {"role": "assistant", "content": content},
                        "finish_reason": "stop",
                    }
                    payload = {
                        "id": "chatcmpl-docs",
                        "object": "chat.completion",
                        "created": 0,
                        "model": model,
                        "choices": [choice],
                        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
                    }
                    self._send(200, json.dumps(payload).encode())
                    return
                pieces = [content[i : i + 5] for i in range(0, len(content), 5)]
                events = []
                for n, piece in enumerate([*pieces, None]):
                    delta = {} if piece is None else {"content": piece}
                    if n == 0:
                        delta["role"] = "assistant"
                    chunk = {
                        "id": "chatcmpl-docs",
                        "object": "chat.completion.chunk",
                        "created": 0,
                        "model": model,
                        "choices": [{"index": 0, "delta": delta, "finish_reason": None if piece else "stop"}],
                    }
                    events.append(f"data: {json.dumps(chunk)}\n\n")
                events.append("data: [DONE]\n\n")
                self._send(200, "".join(events).encode(), "text/event-stream")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def cloud_leaks(self) -> list[str]:
        """The types of what the rule extractor finds in the messages of every request that is
        not a MemPrivacy extraction (those go to the user's own model): a chat model or mem0's
        LLM in the cloud must only ever see placeholders. Types only, never the values."""
        from memprivacy_plugin import RuleExtractor

        rules, found = RuleExtractor(), []
        for request in self.requests:
            texts = [_text(m.get("content")) for m in request.get("messages") or []]
            if texts and _DIALOGUE.search(texts[-1]):
                continue
            found += [span.privacy_type for text in texts for span in rules.extract(text)]
        return found

    @property
    def address(self) -> tuple[str, int]:
        host, port = self.server.server_address[:2]
        return str(host), int(port)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.address[1]}/v1"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
