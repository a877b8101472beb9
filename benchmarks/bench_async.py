"""`aprotect` under asyncio.gather against a plain sync `protect` loop, on the same messages.

Over the user turns of MemPrivacy-Bench and PersonaMem-v2 (read in place), with the rule
extractor, for an encrypted SQLite vault in a temporary directory and for `InMemoryVault`:

- sync: `for t in texts: guard.protect(t, ...)`;
- async c=N: `asyncio.gather` of N `aprotect` calls at a time, N in 1, 8, 64.

A first pass assigns the placeholders; the timed passes after it are the steady state. Messages
per second, median of the passes, and the ratio to the sync loop (above 1: async is faster).

    python benchmarks/bench_async.py [--limit N] [--repeat R] [--concurrency 1 8 64]
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _rules_eval import user_texts

from memprivacy_plugin import InMemoryVault, PrivacyGuard, RuleExtractor, SQLiteVault
from memprivacy_plugin.vault.base import Vault
from memprivacy_plugin.vault.crypto import generate_key


def _sync_pass(guard: PrivacyGuard, texts: list[str]) -> float:
    started = time.perf_counter()
    for t in texts:
        guard.protect(t, user_id="bench")
    return time.perf_counter() - started


async def _async_pass(guard: PrivacyGuard, texts: list[str], concurrency: int) -> float:
    started = time.perf_counter()
    for i in range(0, len(texts), concurrency):
        await asyncio.gather(*(guard.aprotect(t, user_id="bench") for t in texts[i : i + concurrency]))
    return time.perf_counter() - started


def _run_async(guard: PrivacyGuard, texts: list[str], concurrency: int) -> float:
    return asyncio.run(_async_pass(guard, texts, concurrency))


def _rate(run: Callable[[], float], n: int, repeat: int) -> float:
    return statistics.median(n / run() for _ in range(repeat))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--limit", type=int, default=0, help="use only the first N user turns")
    parser.add_argument("--repeat", type=int, default=5, help="timed passes (median reported)")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 8, 64])
    args = parser.parse_args(argv)

    texts = user_texts(args.limit)
    rules = RuleExtractor()
    print(f"{len(texts)} user turns, rule extractor; messages/s, median of {args.repeat} passes\n")
    header = ["vault", "sync loop"] + [f"aprotect c={c}" for c in args.concurrency]
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    with tempfile.TemporaryDirectory() as tmp:
        vaults: list[tuple[str, Vault]] = [
            ("SQLite", SQLiteVault(Path(tmp) / "vault.sqlite3", key=generate_key())),
            ("in memory", InMemoryVault()),
        ]
        for label, vault in vaults:
            guard = PrivacyGuard(extractor=rules, vault=vault)
            _sync_pass(guard, texts)  # assigns the placeholders: the timed passes are steady state
            sync = _rate(functools.partial(_sync_pass, guard, texts), len(texts), args.repeat)
            cells = [label, f"{sync:,.0f}"]
            for c in args.concurrency:
                run = functools.partial(_run_async, guard, texts, c)
                rate = _rate(run, len(texts), args.repeat)
                cells.append(f"{rate:,.0f} ({rate / sync:.2f}x)")
            print("| " + " | ".join(cells) + " |")
            guard.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
