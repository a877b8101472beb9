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

from memprivacy_plugin.evaluation.report import headline_rows, utility_rows


def extraction_rows(results: dict[str, Any]) -> list[list[str]]:
    """The headline table's rows as docs/evaluation.md shows them (overlap F1 in bold)."""
    return headline_rows(results, markdown=True)


def _md(rows: list[list[str]]) -> str:
    return "\n".join("| " + " | ".join(r) + " |" for r in rows)


_COMMAND = re.compile(r"^memprivacy eval --dataset [a-z0-9_./-]+ .*--output ([^\s\]]+)$", re.MULTILINE)


def _table_after(text: str, start: int) -> list[list[str]]:
    """The body rows (header and separator dropped) of the first Markdown table after `start`."""
    rows: list[list[str]] = []
    for line in text[start:].splitlines():
        if line.startswith("|"):
            rows.append([c.strip() for c in line.strip().strip("|").split("|")])
        elif rows:
            break
    return rows[2:]


def _compare(label: str, documented: list[list[str]], fresh: list[list[str]], skip_last: bool) -> int:
    """Differences between documented and fresh rows (matched by their first cell), printed."""
    want = {r[0]: r for r in fresh}
    problems = 0
    if {r[0] for r in documented} != set(want):
        print(f"{label}: documented rows {sorted(r[0] for r in documented)} != results {sorted(want)}")
        problems += 1
    for row in documented:
        new = want.get(row[0])
        if new is None:
            continue
        for i in range(1, len(row) - 1 if skip_last else len(row)):
            if row[i] != new[i]:
                print(f"{label}: {row[0]} column {i}: documented {row[i]}, now {new[i]}")
                problems += 1
    return problems


def check(doc: Path) -> int:
    text = doc.read_text(encoding="utf-8")
    commands = list(_COMMAND.finditer(text))
    if not commands:
        print(f"{doc}: no `memprivacy eval ... --output DIR` command found")
        return 1
    problems = 0
    for m in commands:
        out = Path(m.group(1))
        path = out / "results.json"
        if not path.is_file():
            print(f"{path}: missing (run the command first)")
            problems += 1
            continue
        results = json.loads(path.read_text(encoding="utf-8"))
        # messages per second (the last column) depend on the machine's load: not compared
        problems += _compare(str(out), _table_after(text, m.end()), extraction_rows(results), True)
        if results.get("utility"):  # the utility table is the one headed "| treatment |"
            documented = _table_after(text, text.rfind("| treatment |"))
            problems += _compare(f"{out} utility", documented, utility_rows(results["utility"]), False)
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
            print(f"\nutility:\n{_md(utility_rows(results['utility']))}")
        print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
