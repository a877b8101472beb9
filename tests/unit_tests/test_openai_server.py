"""OpenAICompatibleExtractor over real HTTP against a scripted server on 127.0.0.1.

The happy path against a real vLLM server runs in tests/integration_tests/test_vllm.py, several
replicas in test_openai_replicas.py; here a small stdlib server answers in the OpenAI chat format
with scripted contents, so failure modes that a constrained real model never produces (malformed
output, truncation, 500s, stalls) are exercised deterministically, with the real `openai` client
and real sockets.
"""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
import traceback
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

pytest.importorskip("openai")

from memprivacy_plugin import ExtractionError, InMemoryVault, PrivacyGuard
from memprivacy_plugin.extractors.openai_server import OpenAICompatibleExtractor
from memprivacy_plugin.extractors.prompt import SamplingSettings

MESSAGE = "Call me at 13800138000, my OTP is 482913."
GOOD = json.dumps(
    [
        {"original_text": "13800138000", "privacy_type": "Phone Number", "privacy_level": "PL2"},
        {"original_text": "482913", "privacy_type": "Verification Code", "privacy_level": "PL4"},
    ]
)


class Script:
    """What the server answers next: content, finish reason, HTTP status, delay."""

    def __init__(self) -> None:
        self.content = GOOD
        self.finish_reason = "stop"
        self.status = 200
        self.delay = 0.0
        self.echo = False  # an error body that quotes the request, as some validation errors do
        self.requests: list[dict] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self.lock = threading.Lock()


@pytest.fixture
def server() -> Iterator[tuple[str, Script]]:
    script = Script()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:  # keep test output clean
            pass

        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            with script.lock:
                script.requests.append(body)
                script.in_flight += 1
                script.max_in_flight = max(script.max_in_flight, script.in_flight)
            time.sleep(script.delay)
            with script.lock:
                script.in_flight -= 1
            if script.status != 200:
                self.send_response(script.status)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                message = f"cannot use {json.dumps(body)}" if script.echo else "boom"
                self.wfile.write(json.dumps({"error": {"message": message}}).encode())
                return
            payload = {
                "id": "x",
                "object": "chat.completion",
                "created": 0,
                "model": body["model"],
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": script.content},
                        "finish_reason": script.finish_reason,
                    }
                ],
            }
            data = json.dumps(payload).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/v1", script
    httpd.shutdown()
    httpd.server_close()


def _extractor(url: str, **kwargs) -> OpenAICompatibleExtractor:
    kwargs.setdefault("max_retries", 0)
    return OpenAICompatibleExtractor("memprivacy-test", url, **kwargs)


def test_request_carries_prompt_schema_and_sampling(server) -> None:
    url, script = server
    spans = _extractor(url).extract(MESSAGE, user_name="Zhang Wei")
    assert [(s.text, s.privacy_type) for s in spans] == [
        ("13800138000", "Phone Number"),
        ("482913", "Verification Code"),
    ]
    body = script.requests[0]
    assert body["model"] == "memprivacy-test"
    assert body["temperature"] == 0.1
    assert body["top_p"] == 0.1
    assert body["repetition_penalty"] == 1.05
    assert body["chat_template_kwargs"] == {"enable_thinking": False}
    assert body["response_format"]["type"] == "json_schema"
    assert body["response_format"]["json_schema"]["schema"]["type"] == "array"
    content = body["messages"][0]["content"]
    assert "User's Real Name: Zhang Wei" in content
    assert json.dumps(MESSAGE) in content


def test_batch_is_concurrent_and_bounded(server) -> None:
    url, script = server
    script.delay = 0.2
    extractor = _extractor(url, concurrency=3)
    results = extractor.extract_batch([f"{MESSAGE} ({i})" for i in range(6)])  # distinct: read once each
    assert len(results) == 6
    assert all(len(r) == 2 for r in results)
    assert script.max_in_flight == 3  # three requests at once, never more: neither serial nor unbounded


def test_async_batch_is_bounded(server) -> None:
    url, script = server
    script.delay = 0.1
    extractor = _extractor(url, concurrency=2)
    results = asyncio.run(extractor.aextract_batch([f"{MESSAGE} ({i})" for i in range(5)]))
    assert [len(r) for r in results] == [2] * 5
    assert script.max_in_flight == 2


def test_unreachable_server_fails_closed() -> None:
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    guard = PrivacyGuard(
        extractor=_extractor(f"http://127.0.0.1:{port}/v1", timeout=2), vault=InMemoryVault()
    )
    with pytest.raises(ExtractionError, match="cannot reach"):
        guard.protect(MESSAGE, user_id="u1")
    with pytest.raises(ExtractionError):
        asyncio.run(guard.aprotect(MESSAGE, user_id="u1"))


def test_timeout_fails_closed(server) -> None:
    url, script = server
    script.delay = 1.5
    with pytest.raises(ExtractionError, match="timed out"):
        _extractor(url, timeout=0.3).extract(MESSAGE)


def test_http_error_fails_closed_after_retries(server) -> None:
    url, script = server
    script.status = 500
    with pytest.raises(ExtractionError, match="HTTP 500"):
        _extractor(url, max_retries=1).extract(MESSAGE)
    assert len(script.requests) == 2  # retried once with backoff


def test_errors_chain_nothing_that_quotes_the_message(server) -> None:
    url, script = server
    script.status = 400
    script.echo = True
    extractor = _extractor(url)
    guard = PrivacyGuard(extractor=extractor, vault=InMemoryVault())

    async def aprotect() -> None:
        await guard.aprotect(MESSAGE, user_id="u1")

    calls = [
        lambda: extractor.extract(MESSAGE),
        lambda: asyncio.run(extractor.aextract(MESSAGE)),
        lambda: guard.protect(MESSAGE, user_id="u1"),
        lambda: asyncio.run(aprotect()),
    ]
    for call in calls:
        with pytest.raises(ExtractionError, match="HTTP 400") as info:
            call()
        error = info.value
        assert error.__cause__ is None
        assert error.__context__ is None
        shown = "".join(traceback.format_exception(error))
        assert "482913" not in shown
        assert "13800138000" not in shown


def test_malformed_and_truncated_output_fail_closed(server) -> None:
    url, script = server
    guard = PrivacyGuard(extractor=_extractor(url), vault=InMemoryVault())
    script.content = "Sorry, I can't do that."
    with pytest.raises(ExtractionError):
        guard.protect(MESSAGE, user_id="u1")
    script.content = GOOD
    script.finish_reason = "length"
    with pytest.raises(ExtractionError):
        guard.protect(MESSAGE, user_id="u1")


def test_guard_end_to_end(server) -> None:
    url, _ = server
    guard = PrivacyGuard(extractor=_extractor(url), vault=InMemoryVault())
    protected = guard.protect(MESSAGE, user_id="u1")
    assert protected.text == "Call me at <Phone_Number_1>, my OTP is <Verification_Code>."
    assert (
        guard.restore(protected.text, user_id="u1")
        == "Call me at 13800138000, my OTP is <Verification_Code>."
    )


def test_settings_and_validation(server) -> None:
    url, script = server
    extractor = _extractor(
        url, sampling=SamplingSettings(temperature=0, max_tokens=64, seed=7), response_format="json_object"
    )
    extractor.extract(MESSAGE)
    body = script.requests[0]
    assert body["max_tokens"] == 64
    assert body["seed"] == 7
    assert body["response_format"] == {"type": "json_object"}
    with pytest.raises(ValueError, match="concurrency"):
        _extractor(url, concurrency=0)
