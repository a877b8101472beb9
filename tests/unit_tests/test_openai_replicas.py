"""OpenAICompatibleExtractor across several replicas, over real HTTP on 127.0.0.1.

Each replica is a small stdlib OpenAI-compatible server that answers extraction prompts the way
tests/docs/fake_openai.py does (the rule extractor's spans) and counts what it receives; a dead
replica is a port nothing listens on. Cool-downs run on an injected clock, so nothing here
depends on how fast the machine is. The real vLLM server with a dead replica is tested in
tests/integration_tests/test_vllm.py.
"""

from __future__ import annotations

import asyncio
import json
import socket
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("openai")

from memprivacy_plugin import ConfigError, ExtractionError, InMemoryVault, PrivacyGuard
from memprivacy_plugin._runner import declared_timeout
from memprivacy_plugin.extractors import build_extractor, with_rules
from memprivacy_plugin.extractors._replicas import ReplicaSet
from memprivacy_plugin.extractors.openai_server import OpenAICompatibleExtractor

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "docs"))
try:
    from fake_openai import answer
finally:
    sys.path.pop(0)

PHONE, CODE = "13800138000", "482913"
MESSAGE = f"Call me at {PHONE}, my OTP is {CODE}."


class Quiet(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that gave up (a timeout, a cancelled request) closed its end: expected


class Replica:
    """One stand-in server: `status` other than 200 answers that error, `delay` stalls first."""

    def __init__(self) -> None:
        self.status = 200
        self.delay = 0.0
        self.count = 0
        self.lock = threading.Lock()
        owner = self

        class Handler(BaseHTTPRequestHandler):  # HTTP/1.0: one connection per request
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                with owner.lock:
                    owner.count += 1
                time.sleep(owner.delay)
                if owner.status != 200:
                    data = json.dumps({"error": {"message": f"cannot use {json.dumps(body)}"}}).encode()
                    self.send_response(owner.status)
                else:
                    choice = {
                        "index": 0,
                        "message": {"role": "assistant", "content": answer(body)},
                        "finish_reason": "stop",
                    }
                    payload = {"id": "x", "object": "chat.completion", "created": 0, "choices": [choice]}
                    data = json.dumps({**payload, "model": body["model"]}).encode()
                    self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.httpd = Quiet(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        self.running = True

    def stop(self) -> None:
        """Down for good: the port refuses connections from now on."""
        if self.running:
            self.running = False
            self.httpd.shutdown()
            self.httpd.server_close()


@pytest.fixture
def replicas() -> Iterator[Callable[[], Replica]]:
    started: list[Replica] = []

    def start() -> Replica:
        started.append(Replica())
        return started[-1]

    yield start
    for replica in started:
        replica.stop()


def dead_url() -> str:
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}/v1"


class Clock:
    """Time that moves only when a test moves it (or by `step` at each reading)."""

    def __init__(self, step: float = 0.0) -> None:
        self.now = 1000.0
        self.step = step

    def __call__(self) -> float:
        self.now += self.step
        return self.now


def served(urls: list[str], **kwargs: Any) -> OpenAICompatibleExtractor:
    kwargs.setdefault("max_retries", 0)
    kwargs.setdefault("timeout", 5)
    kwargs.setdefault("cache", False)  # these tests send one message again and again and count requests
    return OpenAICompatibleExtractor("memprivacy-test", urls, **kwargs)


def with_clock(extractor: OpenAICompatibleExtractor, step: float = 0.0) -> Clock:
    clock = Clock(step)
    extractor._replicas.clock = clock
    return clock


def health(extractor: OpenAICompatibleExtractor) -> list[tuple[bool, int, int]]:
    """(up, attempts, failures) per replica."""
    return [(h.up, h.attempts, h.failures) for h in extractor.replica_health()]


def assert_protected(text: str) -> None:
    assert PHONE not in text
    assert CODE not in text
    assert "<Phone_Number_1>" in text


# -- spreading --------------------------------------------------------------------------------------


def test_requests_spread_round_robin_over_live_replicas(replicas) -> None:
    a, b = replicas(), replicas()
    extractor = served([a.url, b.url], concurrency=4)
    for _ in range(6):
        assert len(extractor.extract(MESSAGE)) == 2
    assert (a.count, b.count) == (3, 3)
    assert all(len(r) == 2 for r in extractor.extract_batch([MESSAGE] * 10))
    assert (a.count, b.count) == (8, 8)  # batch threads take turns under one lock: still even
    results = asyncio.run(extractor.aextract_batch([MESSAGE] * 6))
    assert all(len(r) == 2 for r in results)
    assert (a.count, b.count) == (11, 11)
    assert health(extractor) == [(True, 11, 0), (True, 11, 0)]


def test_three_replicas_through_the_guard(replicas) -> None:
    servers = [replicas() for _ in range(3)]
    guard = PrivacyGuard(extractor=with_rules(served([s.url for s in servers])), vault=InMemoryVault())
    for i in range(9):
        protected = guard.protect(MESSAGE, user_id=f"u{i}")
        assert_protected(protected.text)
        assert guard.restore(protected.text, user_id=f"u{i}").startswith(f"Call me at {PHONE}")
    assert [s.count for s in servers] == [3, 3, 3]


# -- failover and health --------------------------------------------------------------------------------


def test_dead_replica_is_skipped_after_its_first_failure(replicas) -> None:
    live = replicas()
    extractor = served([dead_url(), live.url])
    guard = PrivacyGuard(extractor=extractor, vault=InMemoryVault())
    for i in range(6):
        assert_protected(guard.protect(MESSAGE, user_id=f"u{i}").text)
    assert_protected(asyncio.run(guard.aprotect(MESSAGE, user_id="u9")).text)
    assert live.count == 7
    (dead, up) = extractor.replica_health()
    assert (dead.up, dead.attempts, dead.failures, dead.last_error) == (False, 1, 1, "cannot reach")
    assert dead.down_for > 0
    assert (up.up, up.attempts, up.successes) == (True, 7, 7)


def test_failover_when_a_replica_dies_mid_run(replicas) -> None:
    a, b = replicas(), replicas()
    extractor = served([a.url, b.url])
    guard = PrivacyGuard(extractor=extractor, vault=InMemoryVault())
    for i in range(4):
        assert_protected(guard.protect(MESSAGE, user_id=f"u{i}").text)
    assert (a.count, b.count) == (2, 2)
    b.stop()
    for i in range(4):
        assert_protected(guard.protect(MESSAGE, user_id=f"v{i}").text)
    results = asyncio.run(guard.aprotect_batch([MESSAGE] * 3, user_id="w"))
    assert all(PHONE not in r.text for r in results)
    assert a.count == 2 + 4 + 3
    assert health(extractor)[1] == (False, 3, 1)  # b: two answers, then one failure, then skipped


def test_cooldown_then_probe_then_recovery(replicas) -> None:
    a, b = replicas(), replicas()
    extractor = served([a.url, b.url], replica_cooldown=30)
    clock = with_clock(extractor)
    b.status = 503
    for _ in range(4):
        extractor.extract(MESSAGE)  # b fails once and fails over to a, then sits out
    assert (a.count, b.count) == (4, 1)
    assert health(extractor)[1] == (False, 1, 1)
    assert extractor.replica_health()[1].last_error == "HTTP 503"

    clock.now += 29
    for _ in range(4):
        extractor.extract(MESSAGE)
    assert b.count == 1  # still in cool-down

    clock.now += 2  # cool-down over, b still failing: one probe, then down again
    for _ in range(4):
        extractor.extract(MESSAGE)
    assert (a.count, b.count) == (12, 2)
    assert health(extractor)[1] == (False, 2, 2)

    b.status = 200
    clock.now += 31  # b has recovered: the probe succeeds and b is back in the rotation
    for _ in range(6):
        extractor.extract(MESSAGE)
    assert b.count == 2 + 3
    assert health(extractor)[1][0] is True


def test_probe_is_one_request_at_a_time() -> None:
    clock = Clock()
    replicas = ReplicaSet(["http://a/v1", "http://b/v1"], cooldown=10, clock=clock)
    first = replicas.pick([0, 0])
    assert first.index == 0
    replicas.failed(first, "cannot reach")
    assert [replicas.pick([0, 0]).index for _ in range(3)] == [1, 1, 1]
    clock.now += 10
    probe = replicas.pick([0, 0])
    assert (probe.index, probe.probe) == (0, True)
    assert replicas.pick([0, 0]).index == 1  # a is being probed: the others keep to b
    replicas.release(probe)  # the probe was cancelled: a may be probed again
    again = replicas.pick([0, 0])
    assert (again.index, again.probe) == (0, True)
    replicas.succeeded(again)
    assert [replicas.pick([0, 0]).index for _ in range(4)] == [1, 0, 1, 0]


def test_cancelled_async_request_frees_its_probe(replicas) -> None:
    slow = replicas()
    extractor = served([slow.url], timeout=10, replica_cooldown=5)
    clock = with_clock(extractor)
    slow.status = 500
    with pytest.raises(ExtractionError):
        extractor.extract(MESSAGE)
    clock.now += 5
    slow.status, slow.delay = 200, 1.0

    async def cancelled() -> None:
        task = asyncio.ensure_future(extractor.aextract(MESSAGE))
        while slow.count < 2:
            await asyncio.sleep(0.01)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(cancelled())
    slow.delay = 0.0
    assert len(extractor.extract(MESSAGE)) == 2  # the probe was given back: this request took it
    assert health(extractor) == [(True, 3, 1)]


def test_timeout_and_429_fail_over(replicas) -> None:
    slow, busy, good = replicas(), replicas(), replicas()
    slow.delay = 60.0  # far beyond the timeout, which is generous: a loaded machine is slow, not hung
    busy.status = 429
    extractor = served([slow.url, busy.url, good.url], timeout=5.0)
    assert len(extractor.extract(MESSAGE)) == 2
    assert (slow.count, busy.count, good.count) == (1, 1, 1)
    assert [h.last_error for h in extractor.replica_health()] == ["timed out", "HTTP 429", None]


def test_a_4xx_is_not_failed_over(replicas) -> None:
    bad, good = replicas(), replicas()
    bad.status = 400  # the request is at fault, not the replica: another one would answer the same
    extractor = served([bad.url, good.url], max_retries=2)
    guard = PrivacyGuard(extractor=extractor, vault=InMemoryVault())
    with pytest.raises(ExtractionError, match="HTTP 400") as info:
        guard.protect(MESSAGE, user_id="u1")
    assert (bad.count, good.count) == (1, 0)
    assert health(extractor)[0] == (True, 1, 0)  # it answered: still up
    assert info.value.__cause__ is None
    assert info.value.__context__ is None
    assert CODE not in "".join(traceback.format_exception(info.value))


def test_attempts_are_bounded_and_counted_once(replicas) -> None:
    a, b = replicas(), replicas()
    a.status = b.status = 500
    extractor = served([a.url, b.url], max_retries=1)
    with pytest.raises(ExtractionError) as info:
        extractor.extract(MESSAGE)
    # each replica once, then one retry: the openai clients do not retry on their own
    assert a.count + b.count == 3
    assert str(info.value).startswith("the extraction request failed on 2 of 2 extraction servers after 3")
    assert a.url in str(info.value)
    assert b.url in str(info.value)
    assert "HTTP 500" in str(info.value)


# -- all down: fail closed --------------------------------------------------------------------------------


def test_all_replicas_down_fails_closed_through_the_guard() -> None:
    first, second = dead_url(), dead_url()
    extractor = served([first, second], max_retries=1)
    clock = with_clock(extractor)
    guard = PrivacyGuard(extractor=with_rules(extractor), vault=InMemoryVault())

    async def aprotect() -> Any:
        return await guard.aprotect(MESSAGE, user_id="u1")

    calls: list[Callable[[], Any]] = [
        lambda: guard.protect(MESSAGE, user_id="u1"),
        lambda: asyncio.run(aprotect()),
        lambda: guard.protect_batch([MESSAGE, "hello"], user_id="u1"),
    ]
    errors, attempts = [], []
    for call in calls:
        with pytest.raises(ExtractionError) as info:
            call()
        errors.append(info.value)
        attempts.append(sum(h.attempts for h in extractor.replica_health()))
        clock.now += 1
    assert "failed on 2 of 2 extraction servers after 3 attempts" in str(errors[0])
    assert "cannot reach" in str(errors[0])
    # both are in cool-down now: one attempt per request, and a clear reason
    assert "all 2 extraction servers are down" in str(errors[1])
    assert attempts[:2] == [3, 3 + 1]
    for error in errors:
        assert error.__cause__ is None
        assert error.__context__ is None
        shown = "".join(traceback.format_exception(error))
        assert PHONE not in shown
        assert CODE not in shown


def test_a_replica_back_from_all_down_answers_at_once(replicas) -> None:
    server = replicas()
    server.status = 503
    extractor = served([server.url, dead_url()])
    with_clock(extractor, step=0.001)  # the server fails first, so its cool-down ends first
    with pytest.raises(ExtractionError):
        extractor.extract(MESSAGE)
    assert server.count == 1
    server.status = 200  # both are in cool-down; the one whose cool-down ends first is tried, and is up
    assert len(extractor.extract(MESSAGE)) == 2
    assert health(extractor)[0][0] is True


# -- configuration ----------------------------------------------------------------------------------------


def test_urls_as_string_list_or_commas(replicas) -> None:
    a, b = replicas(), replicas()
    one = OpenAICompatibleExtractor("m", a.url)
    assert (one.base_url, one.base_urls) == (a.url, (a.url,))
    assert repr(one) == f"OpenAICompatibleExtractor(model='m', base_url={a.url!r})"
    listed = OpenAICompatibleExtractor("m", (a.url, b.url))
    commas = OpenAICompatibleExtractor("m", f" {a.url} , {b.url},")
    assert listed.base_urls == commas.base_urls == (a.url, b.url)
    assert listed.base_url == a.url
    assert str([a.url, b.url]) in repr(listed)
    preset = build_extractor("served", model="m", base_url=f"{a.url},{b.url}")  # as --base-url gives it
    assert preset.extractors[1].base_urls == (a.url, b.url)
    for bad in ("", " , ", [], [a.url, a.url + "/"], [a.url, 8000]):
        with pytest.raises(ConfigError):
            OpenAICompatibleExtractor("m", bad)  # type: ignore[arg-type]
    for option in ({"replica_cooldown": -1}, {"max_retries": -1}, {"timeout": 0}, {"replica_cooldown": True}):
        with pytest.raises(ConfigError):
            OpenAICompatibleExtractor("m", a.url, **option)


def test_time_bound_covers_every_attempt() -> None:
    assert declared_timeout(OpenAICompatibleExtractor("m", "http://127.0.0.1:9/v1")) == 200.0
    urls = [f"http://127.0.0.1:{9 + i}/v1" for i in range(4)]
    many = OpenAICompatibleExtractor("m", urls, timeout=60, max_retries=2)
    bound = declared_timeout(many)
    assert bound is not None
    assert bound > (4 + 2) * 60  # the guard's bound does not cut failover short
    assert declared_timeout(with_rules(many)) is not None
