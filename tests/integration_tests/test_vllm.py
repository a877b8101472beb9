"""Real vLLM (the CPU build, in its own venv) with the tiny random-weight Qwen3 model:

- an OpenAI-compatible vLLM server on 127.0.0.1, driven by OpenAICompatibleExtractor from here;
- VLLMExtractor in-process, run by the vLLM venv's python (tests/integration_tests/vllm_inprocess.py).

The vLLM venv comes from `scripts/setup_vllm_cpu.sh` (`make test` builds it and sets
MEMPRIVACY_VLLM_PYTHON). Locally, `pytest -m "not vllm"` skips these; a missing venv skips them
too, except under CI, where it is a failure: CI must never skip them silently.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from memprivacy_plugin import EnsembleExtractor, ExtractionError, InMemoryVault, PrivacyGuard, RuleExtractor
from memprivacy_plugin.extractors.prompt import SamplingSettings, output_schema

pytestmark = [pytest.mark.vllm, pytest.mark.xdist_group("vllm")]

REPO = Path(__file__).resolve().parents[2]
SCHEMA = output_schema(max_items=3, max_text_length=12, max_type_length=16)
MESSAGES = ["Call me at 13800138000 please", "my code is 482913", "我的手机号是13800138000", "hello there"]


def _vllm_python() -> str:
    candidates = [os.environ.get("MEMPRIVACY_VLLM_PYTHON", "")]
    venv = os.environ.get("MEMPRIVACY_VLLM_VENV", str(Path.home() / ".cache/memprivacy-plugin/vllm-cpu-venv"))
    candidates.append(str(Path(venv) / "bin" / "python"))
    for python in candidates:
        if python and Path(python).is_file():
            return python
    message = "no vLLM venv: run `bash scripts/setup_vllm_cpu.sh` or set MEMPRIVACY_VLLM_PYTHON"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def _env() -> dict[str, str]:
    from testing_models import VLLM_CPU_ENV

    env = {**VLLM_CPU_ENV, **os.environ, "PYTHONPATH": str(REPO)}
    env.pop("VIRTUAL_ENV", None)
    return env


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def vllm_server(tiny_qwen3: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    python = _vllm_python()
    port = _free_port()
    log = tmp_path_factory.mktemp("vllm") / "server.log"
    args = [
        python, "-m", "vllm.entrypoints.openai.api_server",
        "--model", str(tiny_qwen3), "--served-model-name", "tiny-qwen3",
        "--host", "127.0.0.1", "--port", str(port),
        "--dtype", "float32", "--max-model-len", "4096", "--max-num-seqs", "8",
        "--gpu-memory-utilization", "0.15", "--enable-prefix-caching", "--enforce-eager", "--seed", "0",
        "--structured-outputs-config", '{"backend": "xgrammar", "disable_any_whitespace": true}',
        "--disable-uvicorn-access-log",
    ]  # fmt: skip
    with log.open("wb") as out:
        proc = subprocess.Popen(
            args, stdout=out, stderr=subprocess.STDOUT, env=_env(), start_new_session=True
        )
    try:
        deadline = time.monotonic() + 300
        while True:
            if proc.poll() is not None:
                pytest.fail(f"vLLM server exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"vLLM server did not come up in 300 s:\n{log.read_text()[-3000:]}")
            time.sleep(1)
        yield f"http://127.0.0.1:{port}/v1"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _served(url: str, **kwargs):
    from memprivacy_plugin.extractors.openai_server import OpenAICompatibleExtractor

    kwargs.setdefault("sampling", SamplingSettings(max_tokens=600))  # no seed: see docs/models.md
    return OpenAICompatibleExtractor("tiny-qwen3", url, schema=SCHEMA, timeout=120, max_retries=0, **kwargs)


def test_served_model_returns_schema_valid_output(vllm_server: str) -> None:
    extractor = _served(vllm_server)
    completions = extractor._complete([extractor.conversation(m) for m in MESSAGES])
    for completion in completions:
        assert completion.finish_reason == "stop"
        data = json.loads(completion.text)
        assert isinstance(data, list)
        assert len(data) <= 3
        for item in data:
            assert set(item) == {"original_text", "privacy_type", "privacy_level"}
            assert item["privacy_level"] in {"PL2", "PL3", "PL4"}


def test_served_batch_sync_and_async(vllm_server: str) -> None:
    extractor = _served(vllm_server, concurrency=4)
    batch = extractor.extract_batch(MESSAGES)
    abatch = asyncio.run(extractor.aextract_batch(MESSAGES))
    for results in (batch, abatch):
        assert len(results) == len(MESSAGES)
        for message, spans in zip(MESSAGES, results, strict=True):
            assert all(message[s.start : s.end] == s.text for s in spans)


def test_served_truncation_fails_closed(vllm_server: str) -> None:
    guard = PrivacyGuard(
        extractor=_served(vllm_server, sampling=SamplingSettings(max_tokens=3)), vault=InMemoryVault()
    )
    with pytest.raises(ExtractionError, match="token limit"):
        guard.protect(MESSAGES[0], user_id="u1")


def test_served_model_behind_the_guard(vllm_server: str) -> None:
    guard = PrivacyGuard(
        extractor=EnsembleExtractor([RuleExtractor(), _served(vllm_server)]), vault=InMemoryVault()
    )
    protected = guard.protect(MESSAGES[0], user_id="u1")
    assert "13800138000" not in protected.text
    assert guard.restore(protected.text, user_id="u1") == MESSAGES[0]


def test_served_replicas_skip_a_dead_one(vllm_server: str) -> None:
    """One real vLLM server and one dead address as two replicas: every request is answered, and
    the dead replica is tried once, then sits out its cool-down (long enough for this test)."""
    dead = f"http://127.0.0.1:{_free_port()}/v1"
    # no cache: the same messages go again, and every request is counted
    extractor = _served([dead, vllm_server], replica_cooldown=3600, concurrency=4, cache=False)
    guard = PrivacyGuard(extractor=EnsembleExtractor([RuleExtractor(), extractor]), vault=InMemoryVault())
    for i, message in enumerate(MESSAGES):  # the first goes to the dead replica, then fails over
        protected = guard.protect(message, user_id=f"u{i}")
        assert "13800138000" not in protected.text
    assert len(extractor.extract_batch(MESSAGES)) == len(MESSAGES)
    assert len(asyncio.run(extractor.aextract_batch(MESSAGES))) == len(MESSAGES)
    down, up = extractor.replica_health()
    assert (down.url, down.up, down.attempts, down.failures, down.last_error) == (
        dead, False, 1, 1, "cannot reach",
    )  # fmt: skip
    assert (up.url, up.up, up.failures) == (vllm_server, True, 0)
    assert up.successes == 3 * len(MESSAGES)


def test_server_down_fails_closed() -> None:
    guard = PrivacyGuard(extractor=_served(f"http://127.0.0.1:{_free_port()}/v1"), vault=InMemoryVault())
    with pytest.raises(ExtractionError, match="cannot reach"):
        guard.protect(MESSAGES[0], user_id="u1")


def test_in_process_vllm_extractor(tiny_qwen3: Path) -> None:
    python = _vllm_python()
    script = Path(__file__).with_name("vllm_inprocess.py")
    done = subprocess.run(
        [python, str(script), str(tiny_qwen3)],
        capture_output=True,
        text=True,
        env=_env(),
        timeout=540,
        check=False,
    )
    lines = [line for line in done.stdout.splitlines() if line.startswith("RESULT ")]
    assert done.returncode == 0, done.stderr[-4000:]
    assert lines, done.stdout[-4000:]
    result = json.loads(lines[-1].removeprefix("RESULT "))
    messages = result["messages"]
    assert len(result["raw"]) == len(messages)
    for completion in result["raw"]:
        assert completion["finish_reason"] == "stop"
        assert isinstance(json.loads(completion["text"]), list)
    assert len(result["batch"]) == len(messages)
    for message, spans in zip(messages, result["batch"], strict=True):
        assert all(message[s["start"] : s["end"]] == s["text"] for s in spans)
    assert len(result["single"]) == 2
    assert result["truncated"] == "TruncatedOutputError"
    assert "13800138000" not in result["protected"]
    assert result["restored"] == messages[0]
