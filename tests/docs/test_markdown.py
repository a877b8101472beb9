"""Every code block in README.md and docs/ runs as written (issue 11, defect 10).

Each page runs in its own process, in a fresh temporary directory, with MEMPRIVACY_DATA_DIR and
HOME there too (nothing is written to the real home), its Python blocks in order in one namespace,
like one interactive session (tests/docs/doc_runner.py). A failure names the page and the line.
Then every file the page wrote is grepped for the private values its own code holds.
How a page marks a block that needs a fixture, one that cannot run here, a shell block to run or a
file to write: tests/docs/doc_blocks.py. The examples in docs/snippets are run by test_snippets.py.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from doc_blocks import PYTHON, SHELL, Block, parse_blocks

ROOT = Path(__file__).resolve().parents[2]
RUNNER = Path(__file__).resolve().parent / "doc_runner.py"
PAGES = sorted([ROOT / "README.md", *(ROOT / "docs").rglob("*.md")], key=lambda p: str(p.relative_to(ROOT)))

#: Pages this harness only compiles because another test runs every block of them as written,
#: with more than this harness offers: page -> that test. mem0.md's examples need a stand-in for
#: mem0's extraction model that answers mem0's own prompt (and start mem0 once per block).
RUN_ELSEWHERE: dict[str, str] = {
    "docs/integrations/mem0.md": "tests/integration_tests/test_mem0_docs.py",
}
#: Pages whose blocks are each a script of their own (a process and a directory per block), as
#: the page presents them, rather than one session.
ONE_SCRIPT_PER_BLOCK = {"docs/integrations/mem0.md"}
#: At most this many Python blocks, all pages together, may be marked `<!-- not run: ... -->`.
MAX_NOT_RUN = 4
#: Pages allowed to leave a private value of their own code in clear in a file they write (say, a
#: local checkpointer that holds restored text on purpose), with the reason.
MAY_WRITE_CLEAR: dict[str, str] = {}


def _name(page: Path) -> str:
    return str(page.relative_to(ROOT)) if page.is_relative_to(ROOT) else page.name


def _pending(block: Block) -> bool:
    name = _name(block.path)
    return name in RUN_ELSEWHERE


def _mode(block: Block) -> str | None:
    """How the runner treats a block: run, compile, shell, file, or not at all (None)."""
    if block.file:
        return "file"
    if block.lang in PYTHON:
        return "run" if block.run and not _pending(block) else "compile"
    if block.lang in SHELL and block.run and not _pending(block):
        return "shell"
    return None


def plan(page: Path, blocks: list[Block]) -> dict[str, Any]:
    """What doc_runner.py reads: the page and the blocks it acts on."""
    steps = []
    for block in blocks:
        mode = _mode(block)
        if mode is not None:
            steps.append(
                {
                    "line": block.line,
                    "mode": mode,
                    "code": block.code,
                    "file": block.file,
                    "fixtures": list(block.fixtures),
                    "expected": block.expected if mode in ("run", "shell") else None,
                }
            )
    return {"page": str(page), "name": _name(page), "blocks": steps}


def run_blocks(page: Path, blocks: list[Block], tmp: Path) -> subprocess.CompletedProcess[str]:
    """Run the blocks in a fresh process, working directory and data directory under `tmp`."""
    work, home = tmp / "work", tmp / "home"
    work.mkdir(parents=True)
    home.mkdir()
    plan_file = tmp / "plan.json"
    plan_file.write_text(json.dumps(plan(page, blocks)), encoding="utf-8")
    env = {
        "PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin",  # `memprivacy` and `python`
        "HOME": str(home),
        "MEMPRIVACY_DATA_DIR": str(tmp / "data"),
        "MPLCONFIGDIR": str(tmp / "matplotlib"),  # its font cache, which it would write to ~
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "MEM0_TELEMETRY": "False",
        "OMP_NUM_THREADS": "1",
        "LANG": "C.UTF-8",
    }
    return subprocess.run(
        [sys.executable, str(RUNNER), str(plan_file)],
        capture_output=True,
        text=True,
        cwd=work,
        env=env,
        check=False,
        timeout=900,
    )


def private_values(blocks: list[Block]) -> dict[str, str]:
    """value -> type for what the rule extractor protects in the string literals of the blocks
    that run (shell blocks: their whole text); six characters at least, so that finding one in a
    binary file is no accident."""
    from memprivacy_plugin import RuleExtractor

    texts: list[str] = []
    for block in blocks:
        mode = _mode(block)
        if mode == "shell":
            texts.append(block.code)
        elif mode == "run":
            tree = ast.parse(block.code)
            texts += [
                n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)
            ]
    rules = RuleExtractor()
    return {s.text: s.privacy_type for t in texts for s in rules.extract(t) if len(s.text) >= 6}


def files_holding(roots: list[Path], values: dict[str, str], skip: set[str]) -> list[str]:
    """`file: type` for each file under `roots` holding one of `values` in UTF-8 (a grep -r)."""
    found = []
    for root in roots:
        for path in sorted(p for p in root.rglob("*") if p.is_file() and p.name not in skip):
            data = path.read_bytes()
            found += [
                f"{path.relative_to(root.parent)}: {kind}" for v, kind in values.items() if v.encode() in data
            ]
    return found


def check_page(page: Path, tmp: Path) -> None:
    """The page runs; it writes nothing to ~, and no file it writes holds in clear a value its own
    code would have the guard protect."""
    blocks = parse_blocks(page)
    sessions = [[b] for b in blocks] if _name(page) in ONE_SCRIPT_PER_BLOCK else [blocks]
    for n, session in enumerate(sessions):
        root = tmp / f"session-{n}"
        done = run_blocks(page, session, root)
        assert done.returncode == 0, done.stderr[-6000:]
        assert not list((root / "home").iterdir()), "the page wrote to ~"
        if _name(page) not in MAY_WRITE_CLEAR:
            written_by_page = {b.file for b in session if b.file}
            leaks = files_holding([root / "work", root / "data"], private_values(session), written_by_page)
            assert not leaks, f"{_name(page)} left private values in clear: {leaks}"


@pytest.mark.parametrize("page", PAGES, ids=[_name(p) for p in PAGES])
def test_page_runs_as_written(page: Path, tmp_path: Path) -> None:
    check_page(page, tmp_path)


def test_blocks_not_run_are_few_and_say_why() -> None:
    not_run = [
        b for page in PAGES for b in parse_blocks(page) if b.lang in PYTHON and not b.run and not b.file
    ]
    assert all(b.reason for b in not_run)
    assert len(not_run) <= MAX_NOT_RUN, [f"{b.where}: {b.reason}" for b in not_run]


def test_pages_run_elsewhere_are_run_there() -> None:
    for name, test in RUN_ELSEWHERE.items():
        assert parse_blocks(ROOT / name), name
        assert name in (ROOT / test).read_text(encoding="utf-8"), (name, test)
