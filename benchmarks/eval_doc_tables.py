"""Render, or check, the tables of docs/evaluation.md from the `results.json` of `memprivacy eval` runs.

    .venv/bin/python benchmarks/eval_doc_tables.py eval-results/memprivacy-bench      # print the rows
    .venv/bin/python benchmarks/eval_doc_tables.py --check docs/evaluation.md          # compare

`--check` finds each `memprivacy eval ... --output DIR` command in the document, reads
`DIR/results.json` (run the commands first) and compares every figure of the table that follows the
command, and of the utility table for the run that has one, with the fresh results. Messages per
second are left out of the comparison (they depend on the machine's load). Exit status 1 on any
difference, with the cells that differ.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any

LEVELS = ("PL2", "PL3", "PL4")


def _f(x: float) -> str:
    return f"{x:.3f}"


def extraction_rows(results: dict[str, Any]) -> list[list[str]]:
    """One row per extractor, in the column order of docs/evaluation.md."""
    rows = []
    for name, r in results["extractors"].items():
        o = r["spans"]["overall"]
        mp = r["memprivacy"]
        leak = r["leakage"]["per_level"]
        coverage = r["spans"]["char_coverage"]["all"]["coverage"]
        rows.append(
            [
                name,
                _f(o["overlap"]["precision"]),
                _f(o["overlap"]["recall"]),
                f"**{_f(o['overlap']['f1'])}**",
                _f(o["exact"]["f1"]),
                _f(o["level"]["f1"]),
                f"{_f(mp['optimal']['f1'])} / {_f(mp['greedy']['f1'])}",
                *[_f(leak[lv]["leak_rate"]) if lv in leak else "-" for lv in LEVELS],
                _f(coverage),
                f"{r['messages_per_second']:.0f}",
            ]
        )
    return rows


def utility_rows(results: dict[str, Any]) -> list[list[str]]:
    u = results.get("utility")
    if not u:
        return []
    ks = [str(k) for k in u["ks"]]
    return [
        [t, *[_f(row["hit"][k]) for k in ks], *[_f(row["retention"][k]) for k in ks]]
        for t, row in u["treatments"].items()
    ]


def _md(rows: list[list[str]]) -> str:
    return "\n".join("| " + " | ".join(r) + " |" for r in rows)


_COMMAND = re.compile(r"^memprivacy eval --dataset [a-z0-9_./-]+ .*--output ([^\s\]]+)$", re.MULTILINE)


def _tables_after(text: str, start: int, count: int) -> list[list[list[str]]]:
    """The body rows of the next `count` Markdown tables after `start`."""
    tables: list[list[list[str]]] = []
    current: list[list[str]] = []
    for line in text[start:].splitlines():
        if line.startswith("|"):
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if not all(set(c) <= set("-:") for c in cells):
                current.append(cells)
        elif current:
            tables.append(current[1:])  # drop the header row
            current = []
            if len(tables) == count:
                break
    if current and len(tables) < count:
        tables.append(current[1:])
    return tables


def check(doc: Path) -> int:
    text = doc.read_text(encoding="utf-8")
    problems = 0
    commands = list(_COMMAND.finditer(text))
    if not commands:
        print(f"{doc}: no `memprivacy eval ... --output DIR` command found")
        return 1
    for m in commands:
        out = Path(m.group(1))
        path = out / "results.json"
        if not path.is_file():
            print(f"{path}: missing (run the command first)")
            problems += 1
            continue
        results = json.loads(path.read_text(encoding="utf-8"))
        fresh = {r[0]: r for r in extraction_rows(results)}
        expected_tables = [fresh]
        util = {r[0]: r for r in utility_rows(results)}
        if util:
            # the utility table is the last table of the document
            expected_tables.append(util)
        documented = _tables_after(text, m.end(), 1)
        if util:
            documented.append(_tables_after(text, text.rfind("| treatment |"), 1)[0])
        for want, rows in zip(expected_tables, documented, strict=True):
            names = {r[0] for r in rows}
            if names != set(want):
                print(f"{out}: documented rows {sorted(names)} != results {sorted(want)}")
                problems += 1
            for row in rows:
                new = want.get(row[0])
                if new is None:
                    continue
                cols = range(1, len(row) - 1) if want is fresh else range(1, len(row))
                for i in cols:
                    if row[i] != new[i]:
                        print(f"{out}: {row[0]} column {i}: documented {row[i]}, now {new[i]}")
                        problems += 1
    print("figures reproduce" if not problems else f"{problems} difference(s)")
    return 1 if problems else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("runs", nargs="*", help="output directories of `memprivacy eval` runs")
    parser.add_argument("--check", metavar="DOC", help="compare the tables of DOC with the runs it names")
    args = parser.parse_args(argv)
    if args.check:
        return check(Path(args.check))
    for run in args.runs:
        results = json.loads((Path(run) / "results.json").read_text(encoding="utf-8"))
        print(f"{run}:\n{_md(extraction_rows(results))}")
        if results.get("utility"):
            print(f"\nutility:\n{_md(utility_rows(results))}")
        print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
