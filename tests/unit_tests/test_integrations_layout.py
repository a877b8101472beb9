"""The integrations stay thin layers over the core (issue 11): read from their source, without
importing any extra. No module under `integrations/` imports the vault, the restorer or the
placeholder syntax (they go through `PrivacyGuard`), none reaches into `langgraph._internal`, their
imports form no cycle, and each stays under 500 lines."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "memprivacy_plugin"
INTEGRATIONS = sorted((PACKAGE / "integrations").rglob("*.py"))
FORBIDDEN = ("memprivacy_plugin.vault", "memprivacy_plugin.restore", "memprivacy_plugin.placeholders")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path) -> set[str]:
    """Every module `path` imports, anywhere in it (lazy imports inside functions included), as
    absolute names; `from .x import y` counts as both `x` and `x.y`."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


@pytest.mark.parametrize("path", INTEGRATIONS, ids=lambda p: module_name(p))
def test_integrations_go_through_the_guard(path: Path) -> None:
    bad = sorted(m for m in imports(path) if m.startswith(FORBIDDEN) or m.startswith("langgraph._internal"))
    assert not bad, f"{module_name(path)} imports {bad}"


@pytest.mark.parametrize("path", INTEGRATIONS, ids=lambda p: module_name(p))
def test_integration_modules_stay_small(path: Path) -> None:
    assert len(path.read_text(encoding="utf-8").splitlines()) < 500


def test_integration_imports_form_no_cycle() -> None:
    modules = {module_name(p): p for p in INTEGRATIONS}
    edges = {
        name: {m for m in imports(path) if m in modules and m != name and not name.startswith(m + ".")}
        for name, path in modules.items()
    }
    done: set[str] = set()

    def visit(name: str, trail: list[str]) -> None:
        if name in trail:
            raise AssertionError("import cycle: " + " -> ".join([*trail[trail.index(name) :], name]))
        if name in done:
            return
        for nxt in sorted(edges[name]):
            visit(nxt, [*trail, name])
        done.add(name)

    for name in sorted(modules):
        visit(name, [])
