"""The rule extractor on hostile input: throughput and how time grows with the size of the message.

    .venv/bin/python benchmarks/bench_adversarial.py [--sizes 10000,100000,1000000] [--case NAME ...]

Each case repeats a unit (digit runs after "call me at", key words with nothing after them,
half-made e-mails, private-key headers, zero-width characters, ...) up to each size, and one case
is realistic: the user turns of MemPrivacy-Bench and PersonaMem-v2 joined into one long message
(read in place from ../shared/data). Printed: CPU seconds per case and size, MB/s (1 MB = 10^6
characters), and the growth ratio time(largest) / time(smallest) divided by the size ratio: 1.0 is
linear, 10 would be quadratic over a tenfold size step. Target: at least 1 MB/s on every case, on
one core, and linear growth.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from memprivacy_plugin.extractors.rules import RuleExtractor


def _digits(n: int) -> str:
    return " ".join(str(i % 10) for i in range(n))


CASES: dict[str, str] = {
    "call me at + single digits": "call me at " + _digits(40) + " ",
    "phone word + digit pairs": "phone: " + " ".join(f"{i % 100:02d}" for i in range(30)) + " ",
    "digits": "1" * 64,
    "spaced digits": "1 " * 32,
    "dashed digits": "1-" * 32,
    "dotted digits": "1." * 32,
    "letters": "a" * 64,
    "at signs": "@" * 64,
    "half e-mails": "a@" * 32,
    "dots then @": "a." * 32 + "@",
    "colons": ":" * 64,
    "hex-ish colons": "a:" * 32,
    "password words": "password is " * 4,
    "密码": "密码" * 16,
    "验证码是": "验证码是" * 16,
    "your code is": "your code is " * 4,
    "key words": "api key secret token session pin cvv ",
    "private-key headers": "-----BEGIN PRIVATE KEY-----",
    "URI schemes": "postgres://",
    "password-shaped": "!a1A" * 16,
    "plus-one": "+1 " * 16,
    "zero-width digits": "1\u200b" * 32,
    "full-width digits": "１２３４５６７８９０" * 4,
    "cards": "4111 1111 1111 1111 ",
    "URL keys": "https://x.io/?key=abc123&token=zz99&sig=0f0f0f&",
    "seed words": "abandon ability able about above absent absorb abstract ",
    "plates": "京A12345 粤B·D12345 ",
    "hex": "0x" + "ab12" * 10 + " ",
    "ids": "身份证 110105194912310021 passport E1234567 ",
}


def realistic_unit() -> str | None:
    try:
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        from _rules_eval import dataset_paths, load_turns
    except ImportError:
        return None
    paths = dataset_paths()
    if not paths:
        return None
    return "\n".join(t.text for t in load_turns(paths))


def build(unit: str, size: int) -> str:
    return (unit * (size // len(unit) + 1))[:size]


def cpu_seconds(run: Callable[[], object], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.process_time()
        run()
        best = min(best, time.process_time() - t0)
    return best


def _extraction(rules: RuleExtractor, text: str) -> Callable[[], object]:
    return lambda: rules.extract(text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000", help="comma-separated sizes in characters")
    parser.add_argument("--case", action="append", help="run only these cases (repeatable)")
    parser.add_argument("--repeat", type=int, default=2, help="timed passes per size (best is kept)")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    cases = dict(CASES)
    real = realistic_unit()
    if real is not None:
        cases["realistic (benchmark turns)"] = real
    if args.case:
        cases = {k: v for k, v in cases.items() if k in args.case}
    rules = RuleExtractor()
    rules.extract("warm up: call me at 138 0013 8000, mail a@b.io, 验证码 123456")
    header = " | ".join(f"{s:,} chars" for s in sizes)
    print(f"| case | {header} | MB/s at {sizes[-1]:,} | growth |")
    print("|---|" + "---:|" * (len(sizes) + 2))
    worst = float("inf")
    for name, unit in cases.items():
        times = [cpu_seconds(_extraction(rules, build(unit, size)), args.repeat) for size in sizes]
        rate = sizes[-1] / max(times[-1], 1e-9) / 1e6
        growth = (times[-1] / max(times[0], 1e-9)) / (sizes[-1] / sizes[0])
        worst = min(worst, rate)
        cells = " | ".join(f"{t * 1000:,.1f} ms" for t in times)
        print(f"| {name} | {cells} | {rate:.2f} | {growth:.2f} |", flush=True)
    print(f"\nslowest case: {worst:.2f} MB/s (target: at least 1 MB/s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
