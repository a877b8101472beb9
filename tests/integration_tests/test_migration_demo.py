"""After `make demo` (issue 14, done-when): the commands docs/migration.md gives for the demo's own
memory run as written, in a fresh folder, as a user of a fresh clone would run them; the memory the
demo left in clear is found exposed, migrated, and no file of it holds a value afterwards."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("mem0")

from memprivacy_plugin.demo import SCRIPT

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def documented_commands() -> list[list[str]]:
    """The bash block of docs/migration.md's 'After `make demo`' section, one command a line."""
    page = (ROOT / "docs" / "migration.md").read_text(encoding="utf-8")
    section = page.split("## After `make demo`", 1)[1]
    block = re.search(r"```bash\n(.*?)```", section, re.S)
    assert block is not None
    lines = block.group(1).replace("\\\n", " ").splitlines()
    return [shlex.split(line) for line in lines if line.strip()]


def files_holding(root: Path, values: list[str]) -> list[str]:
    return [
        f"{p.relative_to(root)}: {v}"
        for p in sorted(q for q in root.rglob("*") if q.is_file())
        for v in values
        if v.encode() in p.read_bytes()
    ]


def test_the_documented_commands_work_on_the_demo_data(tmp_path: Path) -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "$(BIN)/memprivacy demo --keep demo-data" in makefile
    assert "'.[mem0,migration]'" in makefile  # the charts of the documented commands
    assert "demo-data/" in (ROOT / ".gitignore").read_text(encoding="utf-8").splitlines()
    env = {
        **os.environ,
        "HOME": str(tmp_path / "home"),
        "MEMPRIVACY_DATA_DIR": str(tmp_path / "data"),
        "MPLCONFIGDIR": str(tmp_path / "matplotlib"),
        "HF_HUB_OFFLINE": "1",
        "MEM0_TELEMETRY": "False",
    }
    env.pop("MEM0_DIR", None)

    def run(argv: list[str]) -> subprocess.CompletedProcess[str]:
        if argv[0] == ".venv/bin/memprivacy":
            argv = [str(BIN / "memprivacy"), *argv[1:]]
        return subprocess.run(argv, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600)

    demo = run([".venv/bin/memprivacy", "demo", "--keep", "demo-data", "--width", "100"])
    assert demo.returncode == 0, demo.stderr[-3000:]
    assert "memprivacy audit mem0 --path demo-data/mem0-before" in demo.stdout
    assert '--user-name "demo-user=Dana Whitfield"' in demo.stdout
    values = ["+1 415 867 5309", "4111 1111 1111 1111", "11010519491231002X", "Tr0ub4dor&3", "qwe!2024zz"]
    values.append("Dana Whitfield")  # the user's own name: found because the commands say it
    assert all(any(v in message for _, message in SCRIPT) for v in values)
    assert files_holding(tmp_path / "demo-data" / "mem0-before", values)  # in clear, as before adoption
    assert not files_holding(tmp_path / "demo-data" / "mem0", values)  # the demo's own memory

    outputs = []
    for argv in documented_commands():
        done = run(argv)
        assert done.returncode == 0, (argv, done.stderr[-3000:])
        outputs.append(done.stdout)
    before, dry, migrated, after, demo_audit = outputs
    assert re.search(r"items exposed\s+6 ", before)
    assert re.search(r"items would be rewritten\s+6", dry)
    assert re.search(r"items rewritten\s+6", migrated)
    assert re.search(r"items exposed\s+0 ", after)
    assert re.search(r"items exposed\s+0 ", demo_audit)
    assert (tmp_path / "before.png").stat().st_size > 0
    assert (tmp_path / "after.png").stat().st_size > 0
    assert not files_holding(tmp_path / "demo-data", values)
    assert not [v for v in values for out in outputs if v in out]
