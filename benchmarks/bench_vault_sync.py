"""What `synchronous=FULL` (the SQLite vault's default) costs against `NORMAL`.

Each write of a new value is its own transaction (as `protect` of a message with a new value
is), so the figure is the cost of one durable commit. Reads are the same in both modes.

    python benchmarks/bench_vault_sync.py [--writes N] [--synchronous FULL|NORMAL]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from memprivacy_plugin.testing import item
from memprivacy_plugin.vault import SQLiteVault, generate_key


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--writes", type=int, default=2000)
    parser.add_argument("--synchronous", default=None, help="one mode only (default: both)")
    args = parser.parse_args()
    modes = [args.synchronous] if args.synchronous else ["FULL", "NORMAL"]
    for mode in modes:
        with tempfile.TemporaryDirectory() as tmp:
            vault = SQLiteVault(Path(tmp) / "v.sqlite3", key=generate_key(), synchronous=mode)
            times = []
            for n in range(args.writes):
                started = time.perf_counter()
                vault.assign(f"user-{n % 50}", [item("Phone_Number", f"+1 415 555 {n:04d}")])
                times.append(time.perf_counter() - started)
            vault.close()
        times.sort()
        p95 = times[int(len(times) * 0.95)]
        print(
            f"synchronous={mode:<6} {args.writes} new-value writes: median "
            f"{statistics.median(times) * 1e6:.0f} us, p95 {p95 * 1e6:.0f} us, "
            f"{args.writes / sum(times):.0f} writes/s"
        )


if __name__ == "__main__":
    main()
