"""End-to-end smoke test of vLLM on CPU with a tiny random-weight Qwen3 model.

Run it with the python of the venv made by scripts/setup_vllm_cpu.sh:

    bash scripts/setup_vllm_cpu.sh
    ~/.cache/memprivacy-plugin/vllm-cpu-venv/bin/python scripts/vllm_smoke.py [--model DIR]

It (1) builds the tiny model (tests/testing_models.py, loaded by file path, so the
package's own dependencies need not be in the vLLM venv), (2) runs in-process `vllm.LLM.chat` on a
batch of 4 conversations with JSON-schema constrained decoding, and (3) starts the OpenAI-compatible
server on 127.0.0.1, waits for /health and sends one `response_format=json_schema` chat completion.
Every output is checked to be a JSON array that fits the schema; timings are printed at the end.
`--spec-ngram` also tries n-gram speculative decoding in-process. Exit status 0 means all passed.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent


SCHEMA: dict[str, Any] = {
    "type": "array",
    "maxItems": 3,
    "items": {
        "type": "object",
        "properties": {
            "original_text": {"type": "string", "maxLength": 20},
            "privacy_type": {"type": "string", "maxLength": 20},
            "privacy_level": {"type": "string", "enum": ["PL1", "PL2", "PL3", "PL4"]},
        },
        "required": ["original_text", "privacy_type", "privacy_level"],
        "additionalProperties": False,
    },
}

# xgrammar turns `maxLength` into `[^"\\\r\n]{0,20}`: raw TABs and other control characters pass (so
# json.loads needs strict=False) and escapes are impossible. A `pattern` instead of `maxLength` bounds
# the string AND keeps it strictly valid JSON (xgrammar ignores maxLength when a pattern is present).
BOUNDED_STRING = {"type": "string", "pattern": '^[^\\x00-\\x1f"\\\\]{0,20}$'}
SCHEMA_STRICT: dict[str, Any] = {
    **SCHEMA,
    "items": {
        **SCHEMA["items"],
        "properties": {
            **SCHEMA["items"]["properties"],
            "original_text": BOUNDED_STRING,
            "privacy_type": BOUNDED_STRING,
        },
    },
}

SYSTEM = "Extract private spans. Answer with a JSON array of {original_text, privacy_type, privacy_level}."
USER_TEXTS = [
    "My name is Alice Johnson and my phone number is +1 415 555 0132.",
    "我叫张伟，我的手机号码是13812345678。",
    "Please send the invoice to bob.smith@example.com before Friday.",
    "The patient was diagnosed with type 2 diabetes.",
]

# Engine arguments shared by the in-process LLM and the server (as --flags).
MAX_MODEL_LEN = 2048
MAX_NUM_SEQS = 4
GPU_MEMORY_UTILIZATION = 0.15
# Random weights wander until the grammar forces the end: the schema's worst case (3 items, 2 strings of
# 20 chars that may each be a 6-byte \uXXXX escape emitted one byte-token at a time) is under 1024.
MAX_TOKENS = 1024


def conversations() -> list[list[dict[str, str]]]:
    return [[{"role": "system", "content": SYSTEM}, {"role": "user", "content": t}] for t in USER_TEXTS]


def require(ok: object, what: object) -> None:
    if not ok:
        raise AssertionError(what)


def check_output(text: str, *, strict: bool) -> list[dict[str, Any]]:
    data: list[dict[str, Any]] = json.loads(text, strict=strict)
    require(isinstance(data, list) and len(data) <= 3, data)
    for item in data:
        require(set(item) == {"original_text", "privacy_type", "privacy_level"}, item)
        require(item["privacy_level"] in ("PL1", "PL2", "PL3", "PL4"), item)
        require(len(item["original_text"]) <= 20 and len(item["privacy_type"]) <= 20, item)
    return data


def load_testing_models() -> Any:
    path = REPO / "tests" / "testing_models.py"
    spec = importlib.util.spec_from_file_location("_memprivacy_testing_models", path)
    if spec is None or spec.loader is None:
        raise ImportError(path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run_in_process(model_dir: Path, timings: dict[str, float], *, spec_ngram: bool) -> None:
    from vllm import LLM, SamplingParams
    from vllm.sampling_params import StructuredOutputsParams

    kwargs: dict[str, Any] = {}
    if spec_ngram:
        kwargs["speculative_config"] = {
            "method": "ngram",
            "num_speculative_tokens": 4,
            "prompt_lookup_max": 4,
        }
    label = "llm+ngram" if spec_ngram else "llm"
    t0 = time.perf_counter()
    llm = LLM(
        model=str(model_dir),
        dtype="float32",
        max_model_len=MAX_MODEL_LEN,
        max_num_seqs=MAX_NUM_SEQS,
        gpu_memory_utilization=GPU_MEMORY_UTILIZATION,
        enable_prefix_caching=True,
        enforce_eager=True,
        seed=0,
        structured_outputs_config={"backend": "xgrammar", "disable_any_whitespace": True},
        **kwargs,
    )
    timings[f"{label}_startup_s"] = time.perf_counter() - t0

    params = SamplingParams(
        temperature=0.1,
        top_p=0.1,
        repetition_penalty=1.05,
        max_tokens=MAX_TOKENS,
        seed=0,
        structured_outputs=StructuredOutputsParams(json=SCHEMA),
    )
    t0 = time.perf_counter()
    outputs = llm.chat(
        conversations(),
        params,
        chat_template_kwargs={"enable_thinking": False},
        use_tqdm=False,
    )
    timings[f"{label}_generate_4_s"] = time.perf_counter() - t0
    prompt0 = outputs[0].prompt
    require(prompt0 is None or "<think>\n\n</think>\n\n" in prompt0, prompt0)
    for out in outputs:
        text = out.outputs[0].text
        print(
            f"[{label}] finish={out.outputs[0].finish_reason} tokens={len(out.outputs[0].token_ids)} {text!r}"
        )
        check_output(text, strict=False)
    del llm


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def http_json(url: str, body: dict[str, Any] | None = None, timeout: float = 120.0) -> Any:
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=timeout) as resp:
        return json.loads(resp.read())


def run_server(model_dir: Path, timings: dict[str, float], *, startup_timeout: float = 300.0) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    cmd = [
        sys.executable, "-m", "vllm.entrypoints.openai.api_server",
        "--model", str(model_dir),
        "--served-model-name", "tiny-qwen3",
        "--host", "127.0.0.1",
        "--port", str(port),
        "--dtype", "float32",
        "--max-model-len", str(MAX_MODEL_LEN),
        "--max-num-seqs", str(MAX_NUM_SEQS),
        "--gpu-memory-utilization", str(GPU_MEMORY_UTILIZATION),
        "--enable-prefix-caching",
        "--enforce-eager",
        "--seed", "0",
        "--structured-outputs-config", json.dumps({"backend": "xgrammar", "disable_any_whitespace": True}),
        "--disable-uvicorn-access-log",
    ]  # fmt: skip
    print("[server] " + " ".join(cmd), flush=True)
    log = tempfile.NamedTemporaryFile("w+", prefix="vllm-server-", suffix=".log", delete=False)  # noqa: SIM115
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"server exited with {proc.returncode}; log: {log.name}")
            if time.perf_counter() - t0 > startup_timeout:
                raise TimeoutError(f"server not healthy after {startup_timeout}s; log: {log.name}")
            try:
                with urllib.request.urlopen(f"{base}/health", timeout=2) as resp:
                    if resp.status == 200:
                        break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.5)
        timings["server_startup_s"] = time.perf_counter() - t0
        print("[server] models:", [m["id"] for m in http_json(f"{base}/v1/models")["data"]])

        # /tokenize renders the chat template the way /v1/chat/completions does: check that
        # chat_template_kwargs reaches it (the empty think block appears only with enable_thinking=False).
        tok_body: dict[str, Any] = {
            "model": "tiny-qwen3",
            "messages": conversations()[0],
            "return_token_strs": True,
        }
        plain = http_json(f"{base}/tokenize", tok_body)
        no_think = http_json(
            f"{base}/tokenize", {**tok_body, "chat_template_kwargs": {"enable_thinking": False}}
        )
        tail = "".join(no_think.get("token_strs") or [])[-40:]
        print(f"[server] /tokenize: {plain['count']} tokens; with enable_thinking=False {no_think['count']}")
        require(no_think["count"] > plain["count"], (plain, no_think))
        require("</think>" in tail, tail)

        body = {
            "model": "tiny-qwen3",
            "messages": conversations()[0],
            "temperature": 0.1,
            "top_p": 0.1,
            "repetition_penalty": 1.05,  # vLLM extra sampling param, top level of the body
            "max_tokens": MAX_TOKENS,
            "seed": 0,
            "response_format": {
                "type": "json_schema",
                "json_schema": {"name": "spans", "schema": SCHEMA_STRICT},
            },
            "chat_template_kwargs": {"enable_thinking": False},  # openai client: extra_body={...}
        }
        t0 = time.perf_counter()
        resp = http_json(f"{base}/v1/chat/completions", body)
        timings["server_chat_s"] = time.perf_counter() - t0
        choice = resp["choices"][0]
        content = choice["message"]["content"]
        print(f"[server] finish={choice['finish_reason']} usage={resp.get('usage')} {content!r}")
        check_output(content, strict=True)
    except Exception:
        log.flush()
        print(Path(log.name).read_text()[-6000:], file=sys.stderr)
        raise
    finally:
        t0 = time.perf_counter()
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        timings["server_shutdown_s"] = time.perf_counter() - t0
        log.close()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", type=Path, help="existing model dir (default: build the tiny Qwen3)")
    ap.add_argument("--skip-llm", action="store_true", help="skip the in-process vllm.LLM part")
    ap.add_argument("--skip-server", action="store_true", help="skip the OpenAI server part")
    ap.add_argument("--spec-ngram", action="store_true", help="also try ngram speculative decoding")
    args = ap.parse_args()
    for key, value in load_testing_models().VLLM_CPU_ENV.items():
        os.environ.setdefault(key, value)

    timings: dict[str, float] = {}
    model_dir = args.model
    if model_dir is None:
        t0 = time.perf_counter()
        model_dir = load_testing_models().build_tiny_qwen3(
            Path(tempfile.mkdtemp(prefix="tiny-qwen3-")), overwrite=True
        )
        timings["model_build_s"] = time.perf_counter() - t0
    print(f"model: {model_dir}", flush=True)

    if not args.skip_llm:
        run_in_process(model_dir, timings, spec_ngram=False)
    if args.spec_ngram:
        run_in_process(model_dir, timings, spec_ngram=True)
    if not args.skip_server:
        run_server(model_dir, timings)
    print("timings: " + json.dumps({k: round(v, 2) for k, v in timings.items()}))
    print("SMOKE OK")
    return 0


if __name__ == "__main__":  # vLLM spawns worker processes that re-import this module
    sys.exit(main())
