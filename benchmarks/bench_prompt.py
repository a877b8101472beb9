"""Per-message overhead of prompt building and output parsing (target: under 1 ms).

Over the user turns of MemPrivacy-Bench and PersonaMem-v2 (read in place): build the model input
for each message, and parse an output that lists the message's gold spans in the model's format
(what a correct model answers), so both halves of the generative extractor's own work are timed
without a model.

    python benchmarks/bench_prompt.py
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _rules_eval import dataset_paths, load_turns

from memprivacy_plugin.extractors.prompt import PromptTemplate, parse_output


def main() -> int:
    paths = dataset_paths()
    if not paths:
        print("dataset not found: set MEMPRIVACY_SHARED_DATA or place ../shared/data", file=sys.stderr)
        return 1
    turns = load_turns(paths)
    outputs = [
        json.dumps(
            [
                {
                    "original_text": t.text[g.start : g.end],
                    "privacy_type": g.raw_label,
                    "privacy_level": "PL3",
                }
                for g in t.gold
            ],
            ensure_ascii=False,
        )
        for t in turns
    ]
    template = PromptTemplate()
    build, parse = [], []
    for _ in range(5):
        started = time.perf_counter()
        for t in turns:
            template.messages(t.text, user_name="Zhang Wei")
        build.append((time.perf_counter() - started) / len(turns) * 1e6)
        started = time.perf_counter()
        for t, out in zip(turns, outputs, strict=True):
            parse_output(out, t.text)
        parse.append((time.perf_counter() - started) / len(turns) * 1e6)
    spans = sum(len(t.gold) for t in turns)
    print(
        f"{len(turns)} user turns, {spans} gold spans in the parsed outputs; median of 5 passes, one core\n"
    )
    print("| step | per message |")
    print("|---|---|")
    print(f"| build the prompt | {statistics.median(build):.1f} µs |")
    print(f"| parse and verify the output | {statistics.median(parse):.1f} µs |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
