"""Overhead of `PrivateMemory` over the unwrapped mem0: add (infer=False) and search.

Embedded mem0 default (`local_mem0_config`: local Qdrant on disk, all-MiniLM-L6-v2 embedder, SQLite
history), the rule extractor and an encrypted SQLite vault. Two mem0 instances in temporary
directories, one wrapped; each message goes to both, in alternating order, so machine noise hits
both alike. Messages: MemPrivacy-Bench user turns (read in place) or the demo script.

    .venv/bin/python benchmarks/bench_mem0.py [--messages 200] [--queries 100] [--threads 1]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

os.environ["MEM0_TELEMETRY"] = "False"  # before anything imports mem0


def _messages(limit: int) -> list[str]:
    try:
        from memprivacy_plugin.evaluation.datasets import load_memprivacy

        records = load_memprivacy("memprivacy-bench")
        texts = [d.content for r in records for d in r.dialogues if d.content.strip()]
    except Exception:
        from memprivacy_plugin.demo import SCRIPT

        texts = [m for _, m in SCRIPT]
    return (texts * (limit // len(texts) + 1))[:limit]


def _timed(fn: Any, *args: Any, **kwargs: Any) -> float:
    start = time.perf_counter()
    fn(*args, **kwargs)
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=200)
    parser.add_argument("--queries", type=int, default=100)
    parser.add_argument("--threads", type=int, default=1, help="torch threads (1: steady on shared machines)")
    args = parser.parse_args(argv)

    import torch

    torch.set_num_threads(args.threads)
    from memprivacy_plugin import PrivacyGuard
    from memprivacy_plugin.integrations.mem0 import PrivateMemory, local_mem0_config
    from memprivacy_plugin.vault.crypto import generate_key
    from memprivacy_plugin.vault.sqlite import SQLiteVault

    texts = _messages(args.messages)
    with tempfile.TemporaryDirectory(prefix="bench-mem0-") as tmp:
        import mem0

        raw = mem0.Memory.from_config(local_mem0_config(Path(tmp) / "raw"))
        wrapped_memory = mem0.Memory.from_config(local_mem0_config(Path(tmp) / "wrapped"))
        guard = PrivacyGuard(vault=SQLiteVault(Path(tmp) / "vault.sqlite3", key=generate_key()))
        private = PrivateMemory(wrapped_memory, guard)
        for memory in (raw, private):  # warm-up: model, collections, vault
            memory.add("warm-up", user_id="bench", infer=False)
            memory.search("warm-up", filters={"user_id": "bench"}, top_k=5)

        add_raw: list[float] = []
        add_private: list[float] = []
        for i, text in enumerate(texts):
            pair = [
                (add_raw, lambda t=text: raw.add(t, user_id="bench", infer=False)),
                (add_private, lambda t=text: private.add(t, user_id="bench", infer=False)),
            ]
            for out, call in pair if i % 2 == 0 else pair[::-1]:
                out.append(_timed(call))
        search_raw: list[float] = []
        search_private: list[float] = []
        queries = texts[: args.queries]
        for i, query in enumerate(queries):
            q = query[:200]
            pair = [
                (search_raw, lambda q=q: raw.search(q, filters={"user_id": "bench"}, top_k=5)),
                (search_private, lambda q=q: private.search(q, filters={"user_id": "bench"}, top_k=5)),
            ]
            for out, call in pair if i % 2 == 0 else pair[::-1]:
                out.append(_timed(call))
        guard.close()
        raw.close()
        wrapped_memory.close()

    print(
        f"{len(texts)} adds and {len(queries)} searches, torch threads {args.threads}, "
        f"Python {sys.version.split()[0]}"
    )
    print(
        f"{'operation':<10} {'mem0 (ms)':>12} {'PrivateMemory (ms)':>20} {'added (ms)':>12} {'overhead':>10}"
    )
    for name, base, ours in (("add", add_raw, add_private), ("search", search_raw, search_private)):
        b, o = statistics.median(base) * 1e3, statistics.median(ours) * 1e3
        mean_b, mean_o = statistics.fmean(base) * 1e3, statistics.fmean(ours) * 1e3
        print(f"{name:<10} {b:>12.2f} {o:>20.2f} {o - b:>12.2f} {100 * (o - b) / b:>9.1f}%  (median)")
        print(
            f"{'':<10} {mean_b:>12.2f} {mean_o:>20.2f} {mean_o - mean_b:>12.2f} "
            f"{100 * (mean_o - mean_b) / mean_b:>9.1f}%  (mean)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
