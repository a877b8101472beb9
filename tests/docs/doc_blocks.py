"""The fenced code blocks of a markdown page, with what the docs tests need to run them.

A block's directive is an HTML comment on the last non-blank line before its fence (readers of
the rendered page do not see it; readers of the source do); any other comment there is an error:

- `<!-- run: with fake-openai-server -->`: run it with the named fixtures (comma-separated) set
  up first, see `doc_runner.FIXTURES`;
- `<!-- not run: REASON -->`: a Python block that cannot run here (a GPU, model weights); it is
  only compiled, and the reason is required;
- `<!-- run -->`: opts a shell block in (shell blocks are not run otherwise);
- `<!-- file: NAME -->`: the block (a YAML policy, say) is written to NAME in the working
  directory before the blocks after it run.

A ```text block right after a block (blank lines between at most) is that block's expected
standard output, compared exactly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

__all__ = ["Block", "DirectiveError", "parse_blocks"]

_FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})(?P<info>[^`]*)$")
_DIRECTIVE = re.compile(r"^\s*<!--\s*(?P<kind>run|not run|file)\b\s*(?::\s*(?P<detail>.*?))?\s*-->\s*$")
_ANY_COMMENT = re.compile(r"^\s*<!--.*-->\s*$")
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
PYTHON = ("python", "py", "python3")
SHELL = ("bash", "sh", "shell", "console")


class DirectiveError(ValueError):
    """A directive the harness does not understand: a typo must not silently skip a block."""


@dataclass(frozen=True)
class Block:
    """One fenced block. `line` is the 1-based line of its first code line in the page."""

    path: Path
    line: int
    lang: str
    code: str
    section: str = ""
    run: bool = True
    reason: str = ""
    fixtures: tuple[str, ...] = ()
    file: str = ""
    expected: str | None = field(default=None, compare=False)

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}"


def _directive(previous: str | None, path: Path, line: int) -> dict[str, Any]:
    """Block fields from the line before a fence: run, reason, fixtures, file."""
    if previous is None:
        return {}
    m = _DIRECTIVE.match(previous)
    if m is None:
        if _ANY_COMMENT.match(previous):  # right before a fence, a comment is a directive
            raise DirectiveError(f"{path}:{line}: unreadable directive {previous.strip()!r}")
        return {}
    kind, detail = m.group("kind"), (m.group("detail") or "").strip()
    if kind == "not run":
        if not detail:
            raise DirectiveError(f"{path}:{line}: `not run` needs a reason")
        return {"run": False, "reason": detail}
    if kind == "file":
        if not detail or "/" in detail or detail.startswith("."):
            raise DirectiveError(f"{path}:{line}: `file` needs a plain file name, got {detail!r}")
        return {"run": False, "file": detail}
    if not detail:
        return {"run": True}
    if not detail.startswith("with "):
        raise DirectiveError(f"{path}:{line}: expected `run: with FIXTURE[, FIXTURE]`, got {detail!r}")
    names = tuple(n.strip() for n in detail[len("with ") :].split(","))
    if not all(names):
        raise DirectiveError(f"{path}:{line}: empty fixture name in {detail!r}")
    return {"run": True, "fixtures": names}


def parse_blocks(path: Path, text: str | None = None) -> list[Block]:
    """Every fenced block of the page, in order (```text blocks attached to the block before)."""
    lines = (path.read_text(encoding="utf-8") if text is None else text).splitlines()
    blocks: list[Block] = []
    section = ""
    previous: str | None = None  # last non-blank line outside a block
    after_block = False  # only blank lines since the last block closed
    i = 0
    while i < len(lines):
        line = lines[i]
        fence = _FENCE.match(line)
        if fence is None:
            heading = _HEADING.match(line)
            if heading:
                section = heading.group(2)
            if line.strip():
                previous, after_block = line, False
            i += 1
            continue
        indent, marker = fence.group("indent"), fence.group("fence")
        lang = fence.group("info").strip().split(" ")[0].lower()
        body: list[str] = []
        i += 1
        while i < len(lines) and not (
            lines[i].strip().startswith(marker) and lines[i].strip().strip(marker[0]) == ""
        ):
            body.append(lines[i][len(indent) :] if lines[i].startswith(indent) else lines[i].lstrip())
            i += 1
        start = i - len(body) + 1  # 1-based line of the first code line
        i += 1  # past the closing fence
        code = "\n".join(body) + "\n"
        if lang == "text" and after_block and blocks and blocks[-1].expected is None:
            blocks[-1] = replace(blocks[-1], expected=code)
            previous, after_block = line, False
            continue
        fields = _directive(previous, path, start - 1)
        fields.setdefault("run", lang in PYTHON)
        blocks.append(Block(path, start, lang, code, section, **fields))
        previous, after_block = line, True
    return blocks
