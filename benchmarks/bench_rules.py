"""Benchmark the rule extractor on the user turns of MemPrivacy-Bench and PersonaMem-v2.

    .venv/bin/python benchmarks/bench_rules.py [--errors N] [--repeat N]

Prints per-family precision/recall (overlap match, see `_rules_eval`) as markdown tables and the
throughput in messages per second on one core (extraction only, after a warm-up pass).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._rules_eval import (
    Report,
    dataset_paths,
    evaluate,
    evaluate_guard,
    load_presidio_turns,
    load_turns,
    markdown_table,
)
from memprivacy_plugin.extractors.rules import RuleExtractor


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--errors", type=int, default=0, help="print up to N false positives/negatives")
    parser.add_argument("--repeat", type=int, default=3, help="timed passes over the messages")
    args = parser.parse_args(argv)

    paths = dataset_paths()
    if not paths:
        print("dataset not found (set MEMPRIVACY_SHARED_DATA)", file=sys.stderr)
        return 2
    turns = load_turns(paths)
    extractor = RuleExtractor()
    report = evaluate(lambda t: extractor.extract(t), turns)
    print(f"{len(turns)} user turns from {', '.join(p.name for p in paths)}\n")
    print(markdown_table(report))
    guarded = evaluate_guard(turns)
    print("\nThe guard over each user's turns in order (values protected once recognised again)\n")
    print(markdown_table(guarded))
    presidio = load_presidio_turns()
    if presidio:
        presidio_report = evaluate(lambda t: extractor.extract(t), presidio)
        print(f"\n{len(presidio)} texts of Presidio's synthetic set (its formatted entity types)\n")
        print(markdown_table(presidio_report))
        both = Report()
        for part in (guarded, presidio_report):
            for fam, c in part.families.items():
                into = both.families.setdefault(fam, type(c)())
                into.gold, into.found = into.gold + c.gold, into.found + c.found
                into.pred, into.correct = into.pred + c.pred, into.correct + c.correct
                into.covered += c.covered
        total = both.total()
        print(
            f"\nall formatted types of ../shared/data (the guard on the MemPrivacy sets, the rules on "
            f"Presidio's): recall {total.recall:.3f} ({total.found}/{total.gold}), "
            f"precision {total.precision:.3f} ({total.correct}/{total.pred}); "
            f"protected under any type {total.protected:.3f} ({total.covered}/{total.gold})"
        )

    texts = [t.text for t in turns]
    for text in texts:  # warm-up
        extractor.extract(text)
    best = float("inf")
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        for text in texts:
            extractor.extract(text)
        best = min(best, time.perf_counter() - t0)
    chars = sum(map(len, texts)) / len(texts)
    print(
        f"\nthroughput: {len(texts) / best:,.0f} messages/s on one core "
        f"({len(texts)} messages, mean {chars:.0f} chars, best of {args.repeat})"
    )

    if args.errors:
        print()
        for kind, fam, value, context in report.errors[: args.errors]:
            print(f"{kind} [{fam}] {value!r} :: {context!r}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
