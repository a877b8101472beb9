"""Every example in docs/snippets runs and prints exactly its sibling `.out` file."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

SNIPPETS = sorted((Path(__file__).resolve().parents[2] / "docs" / "snippets").glob("*.py"))


@pytest.mark.parametrize("snippet", SNIPPETS, ids=[s.stem for s in SNIPPETS])
def test_snippet_output(snippet: Path, tmp_path: Path) -> None:
    expected = snippet.with_suffix(".out").read_text(encoding="utf-8")
    done = subprocess.run(
        [sys.executable, str(snippet)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
        env={"MEMPRIVACY_DATA_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"},
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == expected


def test_there_are_snippets() -> None:
    assert len(SNIPPETS) >= 2
