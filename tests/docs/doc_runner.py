"""Runs the code blocks of one markdown page, in order, like one interactive session.

`python doc_runner.py PLAN.json`, started by tests/docs/test_markdown.py in a fresh temporary
directory. The plan lists the page's blocks (see doc_blocks.Block). Python blocks share one
namespace, so a later block may use names an earlier one defined; top-level `await` works (one
event loop for the page). Blocks that may not run are only compiled. Tracebacks name the page and
its own line numbers. A statement whose value the page shows in a comment holding a Python
literal, on its line or alone on the next line,

    safe.text      # 'Text me at <Phone_Number_1>'
    once = guard.protect("...", user_id="dana").text   # "call me on <Phone_Number_1>"

is checked: the value must equal the literal (a remark in parentheses after it is allowed). A
```text block right after a block is its exact standard output. A `file` block is written to
the working directory.

Exit status 0 when every block ran; otherwise 1, with `FAILED page:line` and the traceback on
standard error.
"""

from __future__ import annotations

import ast
import asyncio
import builtins
import contextlib
import io
import json
import os
import re
import socket
import subprocess
import sys
import tokenize
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent

CHECK = "__memprivacy_docs_shows__"
_LITERAL_TYPES = (str, bytes, int, float, bool, list, tuple, dict, set, type(None))
_TRY = (ast.Try, *((ast.TryStar,) if hasattr(ast, "TryStar") else ()))


class DocFailure(Exception):
    """A block failed; `line` is the page's line that failed, when known."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line


# -- fixtures -------------------------------------------------------------------------------------

#: ports on 127.0.0.1 that the docs write as a local model server's address
SERVER_PORTS = (8000,)


def _redirect_connections(target: tuple[str, int]) -> None:
    """Connections to 127.0.0.1 on SERVER_PORTS go to `target`, so a page can name the address a
    reader's own server listens on while the test's fake listens on a free port (several pages
    run at once)."""
    original_connect, original_connect_ex = socket.socket.connect, socket.socket.connect_ex

    def redirected(address: Any) -> Any:
        if isinstance(address, tuple) and address[:1] == ("127.0.0.1",) and address[1] in SERVER_PORTS:
            return target
        return address

    def connect(self: socket.socket, address: Any) -> None:
        original_connect(self, redirected(address))

    def connect_ex(self: socket.socket, address: Any) -> int:
        return original_connect_ex(self, redirected(address))

    socket.socket.connect = connect  # type: ignore[method-assign]
    socket.socket.connect_ex = connect_ex  # type: ignore[method-assign]


def fake_openai_server() -> Callable[[], None]:
    """An OpenAI-compatible server (tests/docs/fake_openai.py) at http://127.0.0.1:8000/v1 as the
    page sees it, and OPENAI_BASE_URL / OPENAI_API_KEY pointing at it for OpenAI clients. At the
    end of the page, the chat requests it received must hold nothing the rules would protect."""
    sys.path.insert(0, str(HERE))
    try:
        from fake_openai import FakeOpenAIServer
    finally:
        sys.path.remove(str(HERE))
    server = FakeOpenAIServer()
    _redirect_connections(server.address)
    os.environ["OPENAI_BASE_URL"] = server.base_url
    os.environ["OPENAI_API_KEY"] = "sk-docs-fake"

    def teardown() -> None:
        server.close()
        leaks = server.cloud_leaks()
        if leaks:
            kinds = sorted(set(leaks))
            raise DocFailure(f"the stand-in cloud model received values the rules protect: {kinds}")

    return teardown


def postgres() -> Callable[[], None]:
    """A throwaway PostgreSQL server (tests/postgres_server.py, as the tests use) with an empty
    database `app`, which DATABASE_URL names, as a deployment names its own."""
    sys.path.insert(0, str(HERE.parent))
    try:
        from postgres_server import PostgresServer
    finally:
        sys.path.remove(str(HERE.parent))
    server = PostgresServer()
    try:
        server.start()
        server.create_database("app")
    except BaseException:
        server.close()
        raise
    os.environ["DATABASE_URL"] = server.dsn_for("app")

    def teardown() -> None:
        os.environ.pop("DATABASE_URL", None)
        server.close()

    return teardown


#: fixture name (as in `<!-- run: with NAME -->`) -> setup returning its teardown
FIXTURES: dict[str, Callable[[], Callable[[], None]]] = {
    "fake-openai-server": fake_openai_server,
    "postgres": postgres,
}


# -- checks of shown values -----------------------------------------------------------------------


def _comments(code: str) -> dict[int, tuple[str, bool]]:
    """line -> (comment text, whether the comment is alone on its line)."""
    out: dict[int, tuple[str, bool]] = {}
    with contextlib.suppress(tokenize.TokenError, SyntaxError):
        for tok in tokenize.generate_tokens(io.StringIO(code).readline):
            if tok.type == tokenize.COMMENT:
                alone = not tok.line[: tok.start[1]].strip()
                out[tok.start[0]] = (tok.string[1:].strip(), alone)
    return out


def shown_literal(comment: str) -> str | None:
    """The Python literal a comment shows (source text), or None when it shows none."""
    candidates = [comment] + [comment[: m.start()] for m in re.finditer(r"\s+\(", comment)]
    for text in candidates:
        text = text.strip()
        if not text:
            continue
        try:
            value = ast.literal_eval(text)
        except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
            continue
        if isinstance(value, _LITERAL_TYPES):
            return text
    return None


def _shows(value: Any, shown: str, line: int) -> None:
    expected = ast.literal_eval(shown)
    if value != expected:
        raise DocFailure(f"the page shows {shown}, the code gives {value!r}", line)


class _AddChecks(ast.NodeTransformer):
    """Adds a check after each statement whose value the page shows (not inside functions and
    classes: they run later, if ever)."""

    def __init__(self, comments: dict[int, tuple[str, bool]]) -> None:
        self.comments = comments

    def _shown(self, stmt: ast.stmt) -> str | None:
        end = stmt.end_lineno or stmt.lineno
        same = self.comments.get(end)
        if same is not None and not same[1]:
            return shown_literal(same[0])
        below = self.comments.get(end + 1)
        if same is None and below is not None and below[1]:
            return shown_literal(below[0])
        return None

    def _check(self, value: ast.expr, shown: str, stmt: ast.stmt) -> ast.stmt:
        call = ast.Call(
            ast.Name(CHECK, ast.Load()),
            [value, ast.Constant(shown), ast.Constant(stmt.lineno)],
            [],
        )
        return ast.copy_location(ast.Expr(call), stmt)

    def _body(self, body: list[ast.stmt]) -> list[ast.stmt]:
        out: list[ast.stmt] = []
        for stmt in body:
            stmt = self.visit(stmt)
            shown = self._shown(stmt)
            if shown is not None and isinstance(stmt, ast.Expr):
                out.append(self._check(stmt.value, shown, stmt))
                continue
            out.append(stmt)
            if shown is not None and isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
                target = stmt.targets[0]
                if isinstance(target, ast.Name):
                    out.append(self._check(ast.Name(target.id, ast.Load()), shown, stmt))
        return out

    def generic_visit(self, node: ast.AST) -> ast.AST:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.Lambda):
            return node
        for name in ("body", "orelse", "finalbody"):
            value = getattr(node, name, None)
            if isinstance(value, list) and value and isinstance(value[0], ast.stmt):
                setattr(node, name, self._body(value))
        if isinstance(node, _TRY):
            for handler in node.handlers:
                handler.body = self._body(handler.body)
        return node

    def visit_Module(self, node: ast.Module) -> ast.Module:
        node.body = self._body(node.body)
        return node


# -- running --------------------------------------------------------------------------------------


def _compile(block: dict[str, Any], page: str, name: str, *, checks: bool) -> Any:
    source = "\n" * (block["line"] - 1) + block["code"]  # line numbers are the page's
    flags = ast.PyCF_ONLY_AST | ast.PyCF_ALLOW_TOP_LEVEL_AWAIT
    tree = compile(source, page, "exec", flags=flags, dont_inherit=True)
    if checks:
        tree = ast.fix_missing_locations(_AddChecks(_comments(source)).visit(tree))
    return compile(tree, page, "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT, dont_inherit=True)


@contextlib.contextmanager
def _stdout(expected: str | None) -> Iterator[io.StringIO]:
    buffer = io.StringIO()
    if expected is None:
        yield buffer
        return
    with contextlib.redirect_stdout(buffer):
        yield buffer


def _failed_line(exc: BaseException, page: str) -> int | None:
    """The page's line where `exc` happened: the innermost frame in the page, or the line a
    syntax error or a failed check names."""
    if isinstance(exc, DocFailure):
        return exc.line
    if isinstance(exc, SyntaxError) and exc.filename == page:
        return exc.lineno
    lines = [f.lineno for f in traceback.extract_tb(exc.__traceback__) if f.filename == page]
    return lines[-1] if lines else None


def run_page(plan: dict[str, Any]) -> int:
    page, name = plan["page"], plan["name"]  # the file (tracebacks show its lines), as shown
    namespace: dict[str, Any] = {"__name__": "__main__", "__builtins__": builtins}
    setattr(builtins, CHECK, _shows)
    loop = asyncio.new_event_loop()
    teardowns: list[Callable[[], None]] = []
    started: set[str] = set()
    try:
        for n, block in enumerate(plan["blocks"], 1):
            where = f"block {n} of {len(plan['blocks'])}, from line {block['line']}"
            try:
                for fixture in block["fixtures"]:
                    if fixture not in started:
                        if fixture not in FIXTURES:
                            raise DocFailure(f"unknown fixture {fixture!r}; known: {sorted(FIXTURES)}")
                        teardowns.append(FIXTURES[fixture]())
                        started.add(fixture)
                if block["mode"] == "compile":
                    _compile(block, page, name, checks=False)
                    continue
                if block["mode"] == "file":
                    Path(block["file"]).write_text(block["code"], encoding="utf-8")
                    continue
                with _stdout(block["expected"]) as out:
                    if block["mode"] == "shell":
                        sys.stdout.flush()
                        done = subprocess.run(
                            ["bash", "-e", "-o", "pipefail", "-c", block["code"]],
                            capture_output=True,
                            text=True,
                            check=False,
                        )
                        sys.stdout.write(done.stdout)
                        if done.returncode:
                            raise DocFailure(f"exit status {done.returncode}\n{done.stderr[-3000:]}")
                    else:
                        result = eval(_compile(block, page, name, checks=True), namespace)
                        if asyncio.iscoroutine(result):
                            loop.run_until_complete(result)
                if block["expected"] is not None and out.getvalue() != block["expected"]:
                    raise DocFailure(
                        f"the page shows this output:\n{block['expected']}but the code printed:\n"
                        f"{out.getvalue()}"
                    )
            except BaseException as exc:
                sys.stdout.flush()
                line = _failed_line(exc, page) or block["line"]
                print(f"FAILED {name}:{line} ({where})", file=sys.stderr)
                if isinstance(exc, DocFailure):
                    print(str(exc), file=sys.stderr)
                else:
                    traceback.print_exc()
                return 1
        while teardowns:
            try:
                teardowns.pop()()
            except DocFailure as exc:
                print(f"FAILED {name} (at the end of the page)\n{exc}", file=sys.stderr)
                return 1
    finally:
        for teardown in reversed(teardowns):
            with contextlib.suppress(Exception):
                teardown()
        loop.close()
    return 0


if __name__ == "__main__":
    if sys.path and Path(sys.path[0] or ".").resolve() == HERE:
        sys.path.pop(0)  # the page must not import the tests' helpers by accident
    sys.exit(run_page(json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))))
