"""`memprivacy demo`: a scripted conversation through the guard, shown side by side with what a
cloud memory would receive, then the cloud's answers restored on the user's side.

The "cloud" here is a stand-in that behaves like the real thing where it matters: it stores only
what it is sent, and its answers are rewritten text that mangles placeholders the way language
models do (lower case, spaces, markdown), so the restore shown is the tolerant one.
"""

from __future__ import annotations

import random
import re
import shutil
import tempfile
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .guard import PrivacyGuard
from .placeholders import PLACEHOLDER_RE
from .policy import PrivacyPolicy

__all__ = ["SCRIPT", "run_demo"]

USER_ID = "demo-user"
USER_NAME = "Dana Whitfield"

# (session, message). English and Chinese, each with something the default policy protects.
SCRIPT: list[tuple[str, str]] = [
    ("session 1", "Hi, I'm Dana Whitfield. Text me at +1 415 867 5309 or mail dana.whitfield@fastmail.com."),
    ("session 1", "My bank card 4111 1111 1111 1111 was charged twice; the SMS code they sent is 482-913."),
    (
        "session 1",
        "Our staging DB is postgres://dana:Tr0ub4dor@10.20.4.17:5432/crm, password is Tr0ub4dor&3.",
    ),
    ("session 2", "我的手机号是 138 0013 8000，身份证号 11010519491231002X，请帮我记住。"),
    ("session 2", "登录验证码是 384902，别忘了提醒我换掉旧密码 qwe!2024zz。"),
    ("session 3", "Can you remind me which number and e-mail you have for me? Same phone: +1 415 867 5309."),
]


@dataclass
class FakeCloudMemory:
    """Stands in for a cloud memory and its LLM: keeps what it is sent, answers by rewriting it."""

    stored: list[str] = field(default_factory=list)
    rng: random.Random = field(default_factory=lambda: random.Random(7))

    def add(self, text: str) -> None:
        self.stored.append(text)

    def answer(self) -> str:
        """An answer that cites the stored placeholders the way an LLM would: sometimes lower
        case, spaced out or in bold."""
        seen: list[str] = []
        for memory in self.stored:
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


def run_demo(*, extractor: Any = None, vault_path: Path | None = None, width: int = 0) -> int:
    """Run the scripted conversation; print what the cloud receives and what the user sees."""
    from .vault.crypto import generate_key
    from .vault.sqlite import SQLiteVault

    width = width or min(shutil.get_terminal_size((120, 24)).columns, 140)
    tmp = None
    if vault_path is None:
        tmp = tempfile.TemporaryDirectory(prefix="memprivacy-demo-")
        vault = SQLiteVault(Path(tmp.name) / "vault.sqlite3", key=generate_key())
    else:
        vault = SQLiteVault(vault_path)
    guard = PrivacyGuard(extractor=extractor, vault=vault, policy=PrivacyPolicy.default())
    cloud = FakeCloudMemory()
    rule = "-" * width
    try:
        print(
            f"memprivacy demo: user {USER_ID!r}, default policy "
            "(PL4 redacted, PL3/PL2 placeholders, PL1 kept), encrypted SQLite vault"
        )
        print(rule)
        print(_columns("WHAT THE USER SAID", "WHAT THE CLOUD MEMORY RECEIVES", width))
        print(rule)
        totals = {"placeholders": 0, "redacted": 0}
        session = ""
        for name, message in SCRIPT:
            if name != session:
                session = name
                print(f"[{session}]")
            result = guard.protect(message, user_id=USER_ID, user_name=USER_NAME)
            cloud.add(result.text)
            totals["placeholders"] += len(result.placeholders)
            totals["redacted"] += len(result.redacted)
            print(_columns(message, result.text, width))
            print()
        print(rule)
        answer = cloud.answer()
        print(_columns("CLOUD ANSWER (placeholder form)", "WHAT THE USER SEES (restored locally)", width))
        print(rule)
        print(_columns(answer, guard.restore(answer, user_id=USER_ID), width))
        print(rule)
        chunks = [answer[i : i + 7] for i in range(0, len(answer), 7)]
        streamed = "".join(guard.restore_stream(chunks, user_id=USER_ID))
        same = streamed == guard.restore(answer, user_id=USER_ID)
        print(
            f"Streamed in {len(chunks)} chunks of 7 characters (placeholders split mid-token): "
            f"restored {'identically' if same else 'DIFFERENTLY'}."
        )
        entries = vault.entries(USER_ID)
        print(
            f"Vault: {len(entries)} value(s) kept encrypted on this device; "
            f"{totals['redacted']} secret(s) redacted and stored nowhere."
        )
        phones = [e.placeholder for e in entries if e.privacy_type == "Phone Number"]
        if phones:
            print(f"The phone number said in sessions 1 and 3 maps to one placeholder: {phones[0]}.")
        print('Try: memprivacy protect "my code is 123456" --user-id you --json')
        return 0
    finally:
        guard.close()
        if tmp is not None:
            tmp.cleanup()
