"""The README's LangChain example runs as written (issue 11, defect 10).

Its section ("Add it to your agent stack") is only compiled by test_markdown.py until its LangGraph
example is rewritten; this runs the LangChain block now, the way the harness runs a page: in its
own process and directory, against the stand-in OpenAI server, with every file it wrote grepped
and the requests the "cloud" model received checked for values the rules protect.
"""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from doc_blocks import PYTHON, Block, parse_blocks
from test_markdown import ROOT, files_holding, private_values, run_blocks

pytest.importorskip("langchain_openai")

README = ROOT / "README.md"
SECTION = "Add it to your agent stack"


def langchain_block() -> Block:
    blocks = [b for b in parse_blocks(README) if b.section == SECTION and b.lang in PYTHON]
    found = [b for b in blocks if "private_chain" in b.code]
    assert len(found) == 1, "the README's agent-stack section has one LangChain example"
    return found[0]


def test_readme_langchain_block_runs_as_written(tmp_path: Path) -> None:
    block = langchain_block()
    assert "fake-openai-server" in block.fixtures
    assert "StrOutputParser()" in block.code
    # The section is still listed in NOT_YET_RUN: run this block as if it were not.
    runnable = dataclasses.replace(block, section="")
    done = run_blocks(README, [runnable], tmp_path)
    assert done.returncode == 0, done.stderr[-6000:]
    assert done.stdout == "Noted: Text me at +1 415 867 5309\n"  # the stand-in's answer, restored
    values = private_values([runnable])
    assert "+1 415 867 5309" in values
    assert files_holding([tmp_path / "work", tmp_path / "data"], values, set()) == []
