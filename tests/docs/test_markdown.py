"""Every code block in README.md and docs/ runs as written (issue 11, defect 10).

Each page runs in its own process, in a fresh temporary directory, with MEMPRIVACY_DATA_DIR and
HOME there too (nothing is written to the real home), its Python blocks in order in one namespace,
like one interactive session (tests/docs/doc_runner.py). A failure names the page and the line.
How a page marks a block that needs a fixture, one that cannot run here, a shell block to run or a
file to write: tests/docs/doc_blocks.py. The examples in docs/snippets are run by test_snippets.py.
"""

from __future__ import annotations

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

#: Pages, or one section of a page (by its heading), whose blocks are only compiled for now: other
#: work of issue 11 rewrites them. Delete an entry to run its blocks. None: the whole page.
NOT_YET_RUN: dict[str, str | None] = {
    "README.md": "Add it to your agent stack",
    "docs/integrations/langchain.md": None,
    "docs/integrations/langgraph.md": None,
    "docs/integrations/mem0.md": None,
}
#: Pages whose blocks are each a script of their own (a process and a directory per block), as
#: the page presents them, rather than one session.
ONE_SCRIPT_PER_BLOCK = {"docs/integrations/mem0.md"}
#: At most this many Python blocks, all pages together, may be marked `<!-- not run: ... -->`.
MAX_NOT_RUN = 4


def _name(page: Path) -> str:
    return str(page.relative_to(ROOT)) if page.is_relative_to(ROOT) else page.name


def _pending(block: Block) -> bool:
    name = _name(block.path)
    return name in NOT_YET_RUN and NOT_YET_RUN[name] in (None, block.section)


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


@pytest.mark.parametrize("page", PAGES, ids=[_name(p) for p in PAGES])
def test_page_runs_as_written(page: Path, tmp_path: Path) -> None:
    blocks = parse_blocks(page)
    sessions = [[b] for b in blocks] if _name(page) in ONE_SCRIPT_PER_BLOCK else [blocks]
    for n, session in enumerate(sessions):
        done = run_blocks(page, session, tmp_path / f"session-{n}")
        assert done.returncode == 0, done.stderr[-6000:]
        assert not list((tmp_path / f"session-{n}" / "home").iterdir()), "the page wrote to ~"


def test_blocks_not_run_are_few_and_say_why() -> None:
    not_run = [
        b for page in PAGES for b in parse_blocks(page) if b.lang in PYTHON and not b.run and not b.file
    ]
    assert all(b.reason for b in not_run)
    assert len(not_run) <= MAX_NOT_RUN, [f"{b.where}: {b.reason}" for b in not_run]


def test_not_yet_run_entries_name_what_exists() -> None:
    for name, section in NOT_YET_RUN.items():
        blocks = parse_blocks(ROOT / name)
        assert blocks, name
        if section is not None:
            assert any(b.section == section for b in blocks), (name, section)
