"""The `memprivacy` command: happy paths and one-line errors with a non-zero exit."""

from __future__ import annotations

import importlib.util
import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

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
    assert out.splitlines()[-1] == "1 value(s); add --reveal to show them"
    code, out, _ = run(capsys, "vault", "list", "--user-id", "u1", "--reveal")
    assert "+1 415 867 5309" in out
    assert out.splitlines()[-1] == "1 value(s)"  # shown already: no hint to add --reveal
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
    [
        ["protect", MESSAGE, "--user-id", "u1"],
        ["vault", "list", "--user-id", "u1"],
        ["vault", "keygen"],
        ["--help"],  # argparse itself swallows the error writing help
        ["--version"],
        ["protect", "--help"],
    ],
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
        def read(size: int = -1) -> bytes:
            raise OSError(5, "Input/output error")


def test_unreadable_stdin_is_one_line(
    env: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "stdin", _BrokenStdin())
    code, _, err = run(capsys, "protect", "-", "--user-id", "u1")
    assert code == 2
    assert err == "memprivacy: error: cannot read standard input: Input/output error\n"


def test_input_that_is_not_utf8_is_refused_by_protect_and_restored_byte_for_byte(tmp_path: Path) -> None:
    environ = {**os.environ, "MEMPRIVACY_DATA_DIR": str(tmp_path)}
    code = "验证码482913".encode("gbk")  # the key word would become mojibake, the code go out in clear
    for data in (b"\xff call +1 415 867 5309", code):
        done = subprocess.run(
            [*_command(), "protect", "-", "--user-id", "u1"],
            input=data,
            capture_output=True,
            check=False,
            env=environ,
            timeout=120,
        )
        assert done.returncode == 2
        assert done.stdout == b""
        assert done.stderr == b"memprivacy: error: the input is not valid UTF-8 text; nothing was protected\n"
    done = subprocess.run(
        [*_command(), "protect", "call +1 415 867 5309", "--user-id", "u1"],
        capture_output=True,
        check=False,
        env=environ,
        timeout=120,
    )
    assert done.stdout == b"call <Phone_Number_1>\n"
    done = subprocess.run(
        [*_command(), "restore", b"\xfe <Phone_Number_1>", "--user-id", "u1"],
        capture_output=True,
        check=False,
        env=environ,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == b"\xfe +1 415 867 5309\n"  # the user's own bytes come back as they were


@pytest.mark.parametrize(
    "argv",
    [
        ["protect", "\udcff call +1 415 867 5309", "--user-id", "u1"],  # argv bytes, surrogateescape
        ["protect", "hi", "--user-id", "u1", "--user-name", "Dana\udcff"],
    ],
)
def test_arguments_that_are_not_utf8_are_refused(
    env: Path, capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert out == ""
    assert "not valid UTF-8 text" in err
    assert len(err.strip().splitlines()) == 1


def test_text_stdin_that_is_not_utf8_is_refused(
    env: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("\udcff call +1 415 867 5309"))
    code, out, err = run(capsys, "protect", "-", "--user-id", "u1")
    assert (code, out) == (2, "")
    assert err == "memprivacy: error: the input is not valid UTF-8 text; nothing was protected\n"


# -- closed streams, endless input ---------------------------------------------------------------


def _shell(script: str, tmp_path: Path, **kwargs: Any) -> subprocess.CompletedProcess[str]:
    """`script` in bash, with "$@" the command (closing a descriptor needs a shell; `exec` it, so a
    timeout kills the command itself)."""
    return subprocess.run(
        ["bash", "-c", script, "memprivacy", *_command()],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "MEMPRIVACY_DATA_DIR": str(tmp_path)},
        timeout=120,
        **kwargs,
    )


@pytest.mark.parametrize(
    ("script", "message"),
    [
        ('exec "$@" protect - --user-id u1 <&-', "cannot read standard input: it is closed"),
        ('exec "$@" restore - --user-id u1 <&-', "cannot read standard input: it is closed"),
        ('exec "$@" vault forget --user-id u1 <&-', "refusing to delete without confirmation; pass --yes"),
        ('exec "$@" protect "call +1 415 867 5309" --user-id u1 >&-', "standard output is closed"),
        ('exec "$@" --help >&-', "standard output is closed"),
    ],
)
def test_closed_streams_are_one_line(tmp_path: Path, script: str, message: str) -> None:
    done = _shell(script, tmp_path)
    assert done.returncode == 2
    assert done.stderr == f"memprivacy: error: {message}\n"


def test_closed_stdin_in_process(
    env: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "stdin", None)
    code, _, err = run(capsys, "protect", "-", "--user-id", "u1")
    assert code == 2
    assert err == "memprivacy: error: cannot read standard input: it is closed\n"


class _Endless:
    """A standard input that never ends; counts the bytes handed out."""

    def __init__(self) -> None:
        self.served = 0
        self.buffer = self

    def read(self, size: int = -1) -> bytes:
        assert size > 0, "read without a bound"
        self.served += size
        return b"0" * size


def test_standard_input_is_read_up_to_a_bound(
    env: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    endless = _Endless()
    monkeypatch.setattr(sys, "stdin", endless)
    code, out, err = run(capsys, "protect", "-", "--user-id", "u1", "--max-bytes", "100000")
    assert (code, out) == (2, "")
    assert (
        err
        == "memprivacy: error: standard input is longer than 100000 bytes (--max-bytes); nothing was read\n"
    )
    assert endless.served == 100_001  # read in chunks, and no further than one byte past the bound
    monkeypatch.setattr(sys, "stdin", endless)
    code, _, _ = run(capsys, "protect", "-", "--user-id", "u1")
    assert code == 2
    assert endless.served == 100_001 + 16 * 1024 * 1024 + 1  # the default bound: 16 MiB
    monkeypatch.setattr(sys, "stdin", io.StringIO("call +1 415 867 5309"))
    code, out, _ = run(capsys, "protect", "-", "--user-id", "u1", "--max-bytes", "20")
    assert (code, out) == (0, "call <Phone_Number_1>\n")  # exactly the bound is fine
    monkeypatch.setattr(sys, "stdin", io.StringIO("call +1 415 867 5309"))
    code, _, err = run(capsys, "restore", "-", "--user-id", "u1", "--max-bytes", "19")
    assert code == 2
    assert "longer than 19 bytes" in err


def test_dev_zero_is_refused_not_read_forever(tmp_path: Path) -> None:
    done = _shell('exec "$@" protect - --user-id u1 < /dev/zero', tmp_path)  # a liveness check
    assert done.returncode == 2
    assert done.stderr == (
        f"memprivacy: error: standard input is longer than {16 * 1024 * 1024} bytes (--max-bytes); "
        "nothing was read\n"
    )


# -- vault export (an access request) ---------------------------------------------------------


def _export_json(text: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(text)
    return data


def test_vault_export_prints_what_is_stored(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, "protect", MESSAGE, "--user-id", "u1")
    run(capsys, "protect", "account number 6222021234567890123", "--user-id", "u1", "--namespace", "work")
    run(capsys, "protect", "call +44 20 7946 0958", "--user-id", "u2")
    code, out, err = run(capsys, "vault", "export", "--user-id", "u1")
    assert (code, err) == (0, "")
    data = _export_json(out)
    assert data["format_version"] == 1
    assert data["user_id"] == "u1"
    got = [(e["placeholder"], e["value"], e["level"], e["namespace"]) for e in data["entries"]]
    assert got == [
        ("<Phone_Number_1>", "+1 415 867 5309", "PL2", None),
        ("<Financial_Account_1>", "6222021234567890123", "PL3", "work"),
    ]
    assert "482913" not in out  # redacted, never stored
    code, out, _ = run(capsys, "vault", "export", "--user-id", "u1", "--namespace", "work")
    assert [e["placeholder"] for e in _export_json(out)["entries"]] == ["<Financial_Account_1>"]
    code, out, _ = run(capsys, "vault", "export", "--user-id", "nobody")
    assert (code, _export_json(out)["entries"]) == (0, [])


def test_vault_export_to_a_file_is_0600_and_never_overwrites(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run(capsys, "protect", MESSAGE, "--user-id", "u1")
    target = env / "me.json"
    code, out, _ = run(capsys, "vault", "export", "--user-id", "u1", "--output", str(target))
    assert code == 0
    assert "415 867 5309" not in out  # a summary line only
    assert out.startswith("exported 1 value(s)")
    assert target.stat().st_mode & 0o777 == 0o600
    assert _export_json(target.read_text("utf-8"))["entries"][0]["value"] == "+1 415 867 5309"
    before = target.read_bytes()
    code, out, err = run(capsys, "vault", "export", "--user-id", "u1", "--output", str(target))
    assert (code, out) == (2, "")
    assert err == f"memprivacy: error: {target} exists; pass --force to replace it\n"
    assert target.read_bytes() == before
    # --force replaces it with a new file of mode 0600, whatever the old one's mode was.
    target.chmod(0o644)
    run(capsys, "protect", "mail dana.w@fastmail.com", "--user-id", "u1")
    code, _, _ = run(capsys, "vault", "export", "--user-id", "u1", "--output", str(target), "--force")
    assert code == 0
    assert target.stat().st_mode & 0o777 == 0o600
    assert len(_export_json(target.read_text("utf-8"))["entries"]) == 2
    assert sorted(p.name for p in env.iterdir() if p.name.startswith(".me.json")) == []  # no temp left


def test_vault_export_never_writes_through_a_link(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, "protect", MESSAGE, "--user-id", "u1")
    victim = env / "victim.txt"
    victim.write_text("keep me")
    link = env / "link.json"
    link.symlink_to(victim)
    dangling = env / "dangling.json"
    dangling.symlink_to(env / "nowhere.json")
    for path in (link, dangling):
        code, _, err = run(capsys, "vault", "export", "--user-id", "u1", "--output", str(path))
        assert code == 2
        assert "exists; pass --force" in err
    assert not (env / "nowhere.json").exists()
    code, _, _ = run(capsys, "vault", "export", "--user-id", "u1", "--output", str(link), "--force")
    assert code == 0
    assert victim.read_text() == "keep me"  # the link was replaced, not followed
    assert not link.is_symlink()
    assert link.stat().st_mode & 0o777 == 0o600


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["--user-id", " "], "user_id must be a non-empty string"),
        (["--user-id", "u\udcff"], "--user-id is not valid UTF-8 text"),
        (["--user-id", "u1", "--output", "/nonexistent-dir/out.json"], "No such file or directory"),
        (
            ["--user-id", "u1", "--output", "/nonexistent-dir/out.json", "--force"],
            "No such file or directory",
        ),
    ],
)
def test_vault_export_bad_input_is_one_line(
    env: Path, capsys: pytest.CaptureFixture[str], argv: list[str], expected: str
) -> None:
    code, out, err = run(capsys, "vault", "export", *argv)
    assert (code, out) == (2, "")
    assert expected in err
    assert len(err.strip().splitlines()) == 1


def test_vault_forget_keeps_numbering_going(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, "protect", MESSAGE, "--user-id", "u1")
    code, out, _ = run(capsys, "vault", "forget", "--user-id", "u1", "--yes")
    assert (code, out) == (0, "deleted 1 value(s) for user 'u1'\n")
    code, out, _ = run(capsys, "protect", "call +1 212 555 0100", "--user-id", "u1")
    assert out == "call <Phone_Number_2>\n"  # never <Phone_Number_1> again
    code, out, _ = run(capsys, "restore", "<Phone_Number_1> / <Phone_Number_2>", "--user-id", "u1")
    assert out == "<Phone_Number_1> / +1 212 555 0100\n"


def test_vault_rotate_key_online_and_a_new_master(
    env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from memprivacy_plugin.vault import SQLiteVault, generate_key

    code, out, _ = run(capsys, "protect", MESSAGE, "--user-id", "u1")
    assert code == 0
    protected = out.strip()
    assert run(capsys, "protect", "Call +1 212 555 0188", "--user-id", "u2")[0] == 0
    code, out, err = run(capsys, "vault", "rotate-key", "--batch-size", "1")
    assert code == 0
    report = json.loads(out)
    assert report["active_key"] == 2
    assert report["reencrypted"] == 2  # the two phone numbers (the code is redacted)
    assert err.count("re-encrypted") == 2  # one batch of one at a time
    assert report["rows_per_key"] == {"1": 0, "2": report["reencrypted"]}
    code, restored, _ = run(capsys, "restore", protected, "--user-id", "u1")
    assert restored.strip() == MESSAGE.replace("482913", "<Verification_Code>")

    # A new master key: both open the vault until the old one's wrappings are dropped.
    new_key = tmp_path / "new.key"
    new_key.write_text(generate_key())
    new_key.chmod(0o600)
    code, out, err = run(capsys, "vault", "rotate-key", "--new-key-file", str(new_key))
    assert code == 0
    assert json.loads(out)["active_key"] == 3
    assert "drop-master" in err
    old_key = env / "vault.sqlite3.key"
    code, restored, _ = run(capsys, "restore", protected, "--user-id", "u1", "--key-file", str(new_key))
    assert restored.strip() == MESSAGE.replace("482913", "<Verification_Code>")
    code, out, _ = run(
        capsys, "vault", "drop-master", "--old-key-file", str(old_key), "--key-file", str(new_key)
    )
    assert code == 0
    code, _, err = run(capsys, "restore", protected, "--user-id", "u1")  # the old key: refused, one line
    assert code != 0
    assert err.count("\n") == 1
    assert "does not match" in err
    with SQLiteVault(env / "vault.sqlite3", key_file=new_key) as vault:
        assert sum(vault.key_usage().values()) == report["reencrypted"]


def test_vault_commands_on_a_postgres_vault(
    env: Path, postgres_dsn: str, postgres_schema: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """--postgres DSN: the same commands on the vault app replicas share."""
    from memprivacy_plugin.vault import generate_key

    key_file = env / "shared.key"
    key_file.write_text(generate_key())
    key_file.chmod(0o600)
    shared = ["--postgres", postgres_dsn, "--schema", postgres_schema, "--key-file", str(key_file)]
    code, out, _ = run(capsys, "protect", "Call +1 212 555 0188", "--user-id", "u1", *shared)
    assert (code, out.strip()) == (0, "Call <Phone_Number_1>")
    code, out, _ = run(capsys, "vault", "export", "--user-id", "u1", *shared)
    assert [e["value"] for e in json.loads(out)["entries"]] == ["+1 212 555 0188"]
    code, out, _ = run(capsys, "vault", "rotate-key", *shared)
    assert json.loads(out)["rows_per_key"] == {"1": 0, "2": 1}
    code, out, _ = run(capsys, "restore", "Call <Phone_Number_1>", "--user-id", "u1", *shared)
    assert out.strip() == "Call +1 212 555 0188"
    code, out, _ = run(capsys, "vault", "forget", "--user-id", "u1", "--yes", *shared)
    assert code == 0
    assert not (env / "vault.sqlite3").exists()  # nothing went to a local file
    code, _, err = run(capsys, "vault", "list", "--user-id", "u1", "--vault", str(env / "v.sqlite3"), *shared)
    assert code == 2
    assert "either --vault or --postgres" in err


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_protect_says_what_the_extractor_cannot_see(
    env: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """On a terminal, one line on stderr naming the gaps; in a pipe nothing; in --json always."""
    from memprivacy_plugin import InMemoryVault, PrivacyGuard

    gaps = PrivacyGuard(vault=InMemoryVault(), warn_coverage=False).coverage_gaps()
    code, out, err = run(capsys, "protect", MESSAGE, "--user-id", "u1", "--json")
    assert (code, err) == (0, "")
    assert json.loads(out)["coverage_gaps"] == gaps
    code, out, err = run(capsys, "protect", MESSAGE, "--user-id", "u1", "--policy", "pl4-only", "--json")
    pl4 = PrivacyGuard(vault=InMemoryVault(), policy="pl4-only", warn_coverage=False).coverage_gaps()
    assert json.loads(out)["coverage_gaps"] == pl4
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    code = main(["protect", MESSAGE, "--user-id", "u1"])
    out, _ = capsys.readouterr()
    assert code == 0
    assert "<Phone_Number_1>" in out
    if gaps:
        [line] = terminal.getvalue().splitlines()
        assert line.startswith(
            f"memprivacy: warning: the extractor RuleExtractor cannot find {len(gaps)} type(s)"
        )
        assert line.endswith(
            "`memprivacy doctor` shows the whole configuration; this note is shown on a terminal only."
        )
        assert all(name in line for name in gaps)
        assert "415 867 5309" not in line
    silent = _Terminal()
    monkeypatch.setattr(sys, "stderr", silent)
    policy = env / "keep.yaml"
    policy.write_text("levels:\n  PL2: keep\n  PL3: keep\n  PL4: keep\ntypes:\n  Phone Number: placeholder\n")
    assert main(["protect", MESSAGE, "--user-id", "u1", "--policy", str(policy)]) == 0
    assert silent.getvalue() == ""  # nothing protected that the rules cannot find: nothing to say


def test_prompt_file_gives_a_generative_preset_the_authors_prompt(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import argparse

    from memprivacy_plugin.cli import _extractor

    prompt = env / "authors_prompt.txt"
    prompt.write_text(
        'You extract privacy spans for {real_name}. Answer {{"items": []}}.\n{input_dialogue_content}\n',
        encoding="utf-8",
    )
    args = argparse.Namespace(
        extractor="served", model="m", base_url="http://127.0.0.1:9/v1", prompt_file=prompt
    )
    model = _extractor(args).extractors[1]
    content = model.template.messages("call 13800138000", user_name="Ana")[-1]["content"]
    assert content.startswith('You extract privacy spans for Ana. Answer {"items": []}.')
    assert "call 13800138000" in content
    assert model.template.version.startswith("file:authors_prompt.txt:sha256:")

    code, _, err = run(capsys, "protect", "hello", "--user-id", "u1", "--prompt-file", str(prompt))
    assert code == 2
    assert "--prompt-file is for the generative extractors" in err
    assert len(err.strip().splitlines()) == 1
    missing = env / "nope.txt"
    code, _, err = run(
        capsys, "protect", "hi", "--user-id", "u1", "--extractor", "served", "--base-url",
        "http://127.0.0.1:9/v1", "--prompt-file", str(missing),
    )  # fmt: skip
    assert code == 2
    assert "cannot read prompt file" in err
