"""`memprivacy demo`: a scripted multi-session conversation (English and Chinese) through
`PrivateMemory` on a real, embedded mem0 (local Qdrant, local embedder, SQLite history; infer=False,
so no LLM is needed). Side by side: what the user said and what the cloud memory stored; what a
later search retrieved in placeholder form and what the user gets back, restored locally.

Everything lives in a throw-away directory unless --vault / --data-dir are given, or --keep DIR
(what `make demo` passes): then DIR keeps the vault (its key beside it), this private memory, and
the same conversation as mem0 alone would have stored it, in clear (`mem0-before`): an existing
memory to audit and migrate (`memprivacy audit mem0`, docs/migration.md). Needs the `mem0` extra
(`make demo` installs it).
"""

from __future__ import annotations

import logging
import os
import random
import re
import shutil
import tempfile
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import ConfigError
from .guard import PrivacyGuard
from .placeholders import PLACEHOLDER_RE
from .policy import PrivacyPolicy

__all__ = ["QUERIES", "SCRIPT", "run_demo"]

USER_ID = "demo-user"
USER_NAME = "Dana Whitfield"

# (session, message). English and Chinese, each with something the default policy protects.
SCRIPT: list[tuple[str, str]] = [
    ("session-1", "Hi, I'm Dana Whitfield. Text me at +1 415 867 5309 or mail dana.whitfield@fastmail.com."),
    ("session-1", "My bank card 4111 1111 1111 1111 was charged twice; the SMS code they sent is 482-913."),
    (
        "session-1",
        "Our staging DB is postgres://dana:Tr0ub4dor@10.20.4.17:5432/crm, password is Tr0ub4dor&3.",
    ),
    ("session-2", "我的手机号是 138 0013 8000，身份证号 11010519491231002X，请帮我记住。"),
    ("session-2", "登录验证码是 384902，别忘了提醒我换掉旧密码 qwe!2024zz。"),
    (
        "session-3",
        "New number for work only: +1 415 867 5309 stays personal, use +1 212 555 0147 for the office.",
    ),
]

# Searches of a later session; the first one contains a real value, which is protected too.
QUERIES: list[str] = [
    "Which phone number do you have for me? Is it still +1 415 867 5309?",
    "我的手机号和身份证号是多少？",
]


BEFORE = "mem0-before"  # with --keep: the conversation as mem0 alone stores it


def _unprotected_copy(path: Path) -> None:
    """The script added to a plain mem0 at `path`, as an app without this plugin would have: the
    memory a team adopting it already has."""
    import mem0

    from .integrations.mem0 import local_mem0_config

    memory = mem0.Memory.from_config(local_mem0_config(path))
    try:
        for run_id, message in SCRIPT:
            memory.add(message, user_id=USER_ID, run_id=run_id, infer=False)
    finally:
        memory.close()
        client = getattr(getattr(memory, "vector_store", None), "client", None)
        if client is not None:
            client.close()  # local Qdrant: one client per folder


@dataclass
class AgentStandIn:
    """The agent's model answering from retrieved memories (placeholder form): it cites the
    placeholders the way an LLM would, sometimes lower case, spaced out or in bold."""

    retrieved: list[str] = field(default_factory=list)
    rng: random.Random = field(default_factory=lambda: random.Random(7))

    def answer(self) -> str:
        seen: list[str] = []
        for memory in self.retrieved:
            for m in PLACEHOLDER_RE.finditer(memory):
                if m.group(0) not in seen:
                    seen.append(m.group(0))
        styles = [
            lambda p: p,
            lambda p: p.lower(),
            lambda p: "**" + p + "**",
            lambda p: p.replace("<", "< ").replace(">", " >"),
            lambda p: p.replace("_", " "),
        ]
        cited = [styles[i % len(styles)](p) for i, p in enumerate(seen)]
        if not cited:
            return "I have nothing private on file for you."
        return "Here is what I have on file for you: " + ", ".join(cited) + "."


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _wrap(text: str, col: int) -> list[str]:
    """Wrap by display width (CJK characters take two columns), breaking at spaces when it can."""
    lines: list[str] = []
    line = ""
    for token in re.findall(r"\S+\s*|\s+", text):
        for piece in [token] if _width(token) <= col else list(token):
            if line and _width(line + piece.rstrip()) > col:
                lines.append(line.rstrip())
                line = ""
            line += piece
    lines.append(line.rstrip())
    return lines


def _columns(left: str, right: str, width: int) -> str:
    col = max(20, (width - 3) // 2)
    lines_l, lines_r = _wrap(left, col), _wrap(right, col)
    rows = max(len(lines_l), len(lines_r))
    lines_l += [""] * (rows - len(lines_l))
    lines_r += [""] * (rows - len(lines_r))
    return "\n".join(f"{a}{' ' * (col - _width(a))} | {b}" for a, b in zip(lines_l, lines_r, strict=True))


@contextmanager
def _quiet() -> Iterator[None]:
    """mem0 and transformers log set-up chatter (missing optional speed-ups, progress bars)."""
    loggers = [logging.getLogger(n) for n in ("mem0", "httpx", "sentence_transformers", "transformers")]
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.setLevel(logging.ERROR)
    old = os.environ.get("HF_HUB_DISABLE_PROGRESS_BARS")
    os.environ["HF_HUB_DISABLE_PROGRESS_BARS"] = "1"
    try:
        try:
            from transformers.utils import logging as hf_logging

            hf_logging.disable_progress_bar()  # type: ignore[no-untyped-call,unused-ignore]
        except ImportError:
            pass
        yield
    finally:
        for lg, level in zip(loggers, levels, strict=True):
            lg.setLevel(level)
        if old is None:
            os.environ.pop("HF_HUB_DISABLE_PROGRESS_BARS", None)
        else:
            os.environ["HF_HUB_DISABLE_PROGRESS_BARS"] = old


def run_demo(
    *,
    extractor: Any = None,
    vault_path: Path | None = None,
    data_dir: Path | None = None,
    width: int = 0,
    keep: Path | None = None,
) -> int:
    """Run the scripted conversation through PrivateMemory on embedded mem0 and print it; with
    `keep`, leave the vault, this memory and an unprotected one behind in that folder."""
    from .vault.crypto import generate_key
    from .vault.sqlite import SQLiteVault

    if keep is not None:
        if vault_path is not None or data_dir is not None:
            raise ConfigError(
                "--keep names the vault and the mem0 folders itself: drop --vault and --data-dir"
            )
        keep.mkdir(parents=True, exist_ok=True)
        for name in ("mem0", BEFORE):  # a fresh memory each run; the vault (and its key) stay
            shutil.rmtree(keep / name, ignore_errors=True)
        vault_path, data_dir = keep / "vault.sqlite3", keep / "mem0"

    width = width or min(shutil.get_terminal_size((120, 24)).columns, 140)
    tmp = tempfile.TemporaryDirectory(prefix="memprivacy-demo-")
    saved_mem0_dir = os.environ.get("MEM0_DIR")
    vault = (
        SQLiteVault(Path(tmp.name) / "vault.sqlite3", key=generate_key())
        if vault_path is None
        else SQLiteVault(vault_path)
    )
    guard = PrivacyGuard(extractor=extractor, vault=vault, policy=PrivacyPolicy.default())
    memory: Any = None
    rule = "-" * width
    try:
        with _quiet():
            try:
                from .integrations.mem0 import PrivateMemory, local_mem0_config

                config = local_mem0_config(data_dir if data_dir is not None else Path(tmp.name) / "mem0")
                import mem0
            except ImportError as exc:
                raise ConfigError(f"the demo needs the mem0 extra: {exc}") from None
            print("memprivacy demo: loading an embedded mem0 (local Qdrant, local MiniLM embedder) ...")
            memory = mem0.Memory.from_config(config)
        private = PrivateMemory(memory, guard)
        stored_view = PrivateMemory(memory, guard, restore=False)
        print(
            f"User {USER_ID!r}, default policy (PL4 redacted, PL3/PL2 placeholders, PL1 kept), "
            "encrypted SQLite vault; mem0 add(infer=False), so no LLM is involved."
        )
        print(rule)
        print(_columns("WHAT THE USER SAID", "WHAT THE CLOUD MEMORY STORED (mem0 vector store)", width))
        print(rule)
        session = ""
        for run_id, message in SCRIPT:
            if run_id != session:
                session = run_id
                print(f"[{session}]")
            with _quiet():
                added = private.add(message, user_id=USER_ID, run_id=run_id, infer=False, user_name=USER_NAME)
                stored = [memory.get(item["id"])["memory"] for item in added["results"]]
            print(_columns(message, " ".join(stored), width))
            print()
        answer_source: list[str] = []
        for query in QUERIES:
            print(rule)
            print(_columns(f"LATER SEARCH: {query}", "RETRIEVED FROM THE CLOUD (placeholder form)", width))
            print(rule)
            with _quiet():
                raw = stored_view.search(query, filters={"user_id": USER_ID}, top_k=2)["results"]
                restored = private.search(query, filters={"user_id": USER_ID}, top_k=2)["results"]
            for r in raw:
                answer_source.append(r["memory"])
            by_id = {r["id"]: r["memory"] for r in restored}
            for r in raw:
                print(
                    _columns(
                        f"restored: {by_id.get(r['id'], '')}",
                        f"{r['memory']}  (score {r['score']:.2f})",
                        width,
                    )
                )
        print(rule)
        answer = AgentStandIn(answer_source).answer()
        print(_columns("AGENT ANSWER (placeholder form)", "WHAT THE USER SEES (restored locally)", width))
        print(rule)
        restored_answer = guard.restore(answer, user_id=USER_ID)
        print(_columns(answer, restored_answer, width))
        print(rule)
        chunks = [answer[i : i + 7] for i in range(0, len(answer), 7)]
        streamed = "".join(guard.restore_stream(chunks, user_id=USER_ID))
        print(
            f"Streamed in {len(chunks)} chunks of 7 characters (placeholders split mid-token): "
            f"restored {'identically' if streamed == restored_answer else 'DIFFERENTLY'}."
        )
        entries = vault.entries(USER_ID)
        everything = [
            m["memory"] for m in stored_view.get_all(filters={"user_id": USER_ID}, top_k=100)["results"]
        ]
        leaked = [e.placeholder for e in entries if any(e.value in m for m in everything)]
        print(
            f"Cloud memory: {len(everything)} memories, {len(leaked)} protected value(s) in clear. "
            f"Vault: {len(entries)} value(s) kept encrypted on this device."
        )
        phones = [e.placeholder for e in entries if e.privacy_type == "Phone Number"]
        if phones:
            print(f"The phone number said in sessions 1 and 3 is one placeholder in mem0: {phones[0]}.")
        if keep is not None:
            with _quiet():
                _unprotected_copy(keep / BEFORE)
            print(
                f"Kept in {keep}: the vault (vault.sqlite3, its key beside it), this private memory (mem0) "
                f"and the same conversation as mem0 alone stores it, in clear ({BEFORE}). Audit, migrate:"
            )
            print(
                f"  memprivacy audit mem0 --path {keep / BEFORE} --vault {keep / 'vault.sqlite3'} "
                f'--user-name "{USER_ID}={USER_NAME}"'
            )
            print("  (docs/migration.md walks through the dry run, the migration and the check)")
        print('Try: memprivacy protect "my code is 123456" --user-id you --json')
        return 0
    finally:
        if memory is not None:
            memory.close()
        guard.close()
        if saved_mem0_dir is None:
            os.environ.pop("MEM0_DIR", None)
        else:
            os.environ["MEM0_DIR"] = saved_mem0_dir
        tmp.cleanup()
