"""The `memprivacy` command: happy paths and one-line errors with a non-zero exit."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from memprivacy_plugin.cli import main

MESSAGE = "Text me at +1 415 867 5309; the verification code is 482913."


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("MEMPRIVACY_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("MEMPRIVACY_VAULT_KEY", raising=False)
    return tmp_path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_protect_then_restore(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "protect", MESSAGE, "--user-id", "u1")
    assert code == 0
    assert "415 867 5309" not in out
    assert "482913" not in out
    assert "<Phone_Number_1>" in out
    assert "<Verification_Code>" in out
    code, restored, _ = run(capsys, "restore", out.strip(), "--user-id", "u1")
    assert code == 0
    assert restored.strip() == MESSAGE.replace("482913", "<Verification_Code>")


def test_protect_json_and_placeholder_all_policy(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "protect", MESSAGE, "--user-id", "u1", "--policy", "placeholder-all", "--json")
    assert code == 0
    report = json.loads(out)
    assert {s["privacy_type"] for s in report["spans"]} == {"Phone Number", "Verification Code"}
    assert all(s["action"] == "placeholder" for s in report["spans"])
    assert report["counts"]["PL4"] == 1
    code, restored, _ = run(capsys, "restore", report["text"], "--user-id", "u1")
    assert restored.strip() == MESSAGE


def test_policy_file(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    policy = env / "policy.yaml"
    policy.write_text("levels:\n  PL2: keep\n  PL4: redact\nredaction_format: '[REDACTED]'\n")
    code, out, _ = run(capsys, "protect", MESSAGE, "--user-id", "u1", "--policy", str(policy))
    assert code == 0
    assert "+1 415 867 5309" in out
    assert "[REDACTED]" in out


def test_vault_list_forget(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, "protect", MESSAGE, "--user-id", "u1")
    code, out, _ = run(capsys, "vault", "list", "--user-id", "u1")
    assert code == 0
    assert "<Phone_Number_1>" in out
    assert "415 867 5309" not in out
    code, out, _ = run(capsys, "vault", "list", "--user-id", "u1", "--reveal")
    assert "+1 415 867 5309" in out
    code, out, _ = run(capsys, "vault", "list", "--user-id", "u1", "--json")
    assert [row["placeholder"] for row in json.loads(out)] == ["<Phone_Number_1>"]
    code, out, _ = run(capsys, "vault", "forget", "--user-id", "u1", "--yes")
    assert code == 0
    assert "deleted 1" in out
    code, out, _ = run(capsys, "vault", "list", "--user-id", "u1")
    assert "nothing stored" in out


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["protect", "   ", "--user-id", "u1"], "empty"),
        (
            ["protect", "hi", "--user-id", "u1", "--policy", "/nonexistent/policy.yaml"],
            "cannot read policy file",
        ),
        (["protect", "hi", "--user-id", "u1", "--policy", "strictest"], "unknown policy preset"),
        (["restore", "hi <Email_1>", "--user-id", " "], "user_id"),
    ],
)
def test_bad_input_is_one_line_and_nonzero(
    env: Path, capsys: pytest.CaptureFixture[str], argv: list[str], expected: str
) -> None:
    code, _out, err = run(capsys, *argv)
    assert code == 2
    assert expected in err
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in err


def test_malformed_policy_file(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = env / "bad.yaml"
    bad.write_text("levels: [unclosed\n")
    code, _, err = run(capsys, "protect", "hi", "--user-id", "u1", "--policy", str(bad))
    assert code == 2
    assert "cannot parse policy file" in err
    assert len(err.strip().splitlines()) == 1


def test_wrong_key_is_a_clear_error(env: Path, capsys: pytest.CaptureFixture[str], monkeypatch) -> None:
    run(capsys, "protect", MESSAGE, "--user-id", "u1")  # creates the vault and its key file
    monkeypatch.setenv("MEMPRIVACY_VAULT_KEY", _new_key())  # a different key
    code, _, err = run(capsys, "vault", "list", "--user-id", "u1")
    assert code == 2
    assert "key" in err
    assert len(err.strip().splitlines()) == 1


def _new_key() -> str:
    from memprivacy_plugin.vault.crypto import generate_key

    return generate_key()


def test_keygen_prints_a_usable_key(env: Path, capsys: pytest.CaptureFixture[str], monkeypatch) -> None:
    code, out, _ = run(capsys, "vault", "keygen")
    assert code == 0
    monkeypatch.setenv("MEMPRIVACY_VAULT_KEY", out.strip())
    code, out, _ = run(capsys, "protect", MESSAGE, "--user-id", "u1", "--vault", str(env / "other.sqlite3"))
    assert code == 0
    assert "<Phone_Number_1>" in out


def test_demo_runs(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    if (
        importlib.util.find_spec("mem0") is None
    ):  # not importorskip: mem0 must not be imported before the demo
        pytest.skip("the demo runs a real embedded mem0: pip install 'memprivacy-plugin[mem0]'")
    code, out, _ = run(capsys, "demo", "--width", "120")
    assert code == 0
    assert "WHAT THE CLOUD MEMORY STORED" in out
    stored = out.split("WHAT THE CLOUD MEMORY STORED", 1)[1].split("LATER SEARCH", 1)[0]
    right = "\n".join(line.split(" | ", 1)[1] for line in stored.splitlines() if " | " in line)
    assert "<Phone_Number_1>" in right
    assert "415 867 5309" not in right  # the cloud column never holds the real value
    assert "restored: New number for work only: +1 415 867 5309" in out  # search results restored
    assert "0 protected value(s) in clear" in out
    assert "restored identically" in out
    assert not list(env.iterdir())  # the demo's vault and mem0 data are throw-away


def test_installed_entry_point_and_help() -> None:
    exe = Path(sys.executable).with_name("memprivacy")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "memprivacy_plugin.cli"]
    done = subprocess.run([*cmd, "protect", "--help"], capture_output=True, text=True, check=False)
    assert done.returncode == 0
    assert "--user-id" in done.stdout
    done = subprocess.run(
        [*cmd, "protect", "", "--user-id", "u1"],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "MEMPRIVACY_DATA_DIR": "/nonexistent-not-used"},
    )
    assert done.returncode == 2
    assert done.stderr.startswith("memprivacy: error:")


def _command() -> list[str]:
    exe = Path(sys.executable).with_name("memprivacy")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "memprivacy_plugin.cli"]


@pytest.mark.parametrize(
    "argv",
    [
        ["protect", MESSAGE, "--user-id", "u1", "--namespace", "\udcff"],
        ["protect", MESSAGE, "--user-id", "u\udcff"],
        ["restore", "hi <Email_1>", "--user-id", "u1", "--namespace", "n\udcff"],
        ["vault", "list", "--user-id", "\udcff"],
        ["vault", "forget", "--user-id", "u1", "--namespace", "\udcff", "--yes"],
    ],
)
def test_ids_that_are_not_utf8_are_one_line(
    env: Path, capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    code, out, err = run(capsys, *argv)  # what Python makes of `--namespace $'\xff'`
    assert code == 2
    assert "is not valid UTF-8 text" in err
    assert len(err.strip().splitlines()) == 1
    assert out == ""


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
@pytest.mark.parametrize(
    "argv",
    [["protect", MESSAGE, "--user-id", "u1"], ["vault", "list", "--user-id", "u1"], ["vault", "keygen"]],
)
def test_a_full_disk_is_one_line(tmp_path: Path, argv: list[str]) -> None:
    with open("/dev/full", "w") as full:
        done = subprocess.run(
            [*_command(), *argv],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            check=False,
            env={**os.environ, "MEMPRIVACY_DATA_DIR": str(tmp_path)},
            timeout=120,
        )
    assert done.returncode == 2
    assert done.stderr.startswith("memprivacy: error: ")
    assert "No space left" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


class _BrokenStdin:
    class buffer:
        @staticmethod
        def read() -> bytes:
            raise OSError(5, "Input/output error")


def test_unreadable_stdin_is_one_line(
    env: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "stdin", _BrokenStdin())
    code, _, err = run(capsys, "protect", "-", "--user-id", "u1")
    assert code == 2
    assert err == "memprivacy: error: cannot read standard input: Input/output error\n"


def test_input_that_is_not_utf8_is_protected_and_restored_byte_for_byte(tmp_path: Path) -> None:
    environ = {**os.environ, "MEMPRIVACY_DATA_DIR": str(tmp_path)}
    done = subprocess.run(
        [*_command(), "protect", "-", "--user-id", "u1"],
        input=b"\xff call +1 415 867 5309",
        capture_output=True,
        check=False,
        env=environ,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == "\ufffd call <Phone_Number_1>\n".encode()  # sendable: the bad byte is U+FFFD
    done = subprocess.run(
        [*_command(), "restore", b"\xfe <Phone_Number_1>", "--user-id", "u1"],
        capture_output=True,
        check=False,
        env=environ,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == b"\xfe +1 415 867 5309\n"  # the user's own bytes come back as they were
