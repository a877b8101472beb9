"""`memprivacy doctor`: the configuration the options give, opened and written nowhere, key never shown."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

import pytest

from memprivacy_plugin import InMemoryVault, PrivacyGuard, RuleExtractor
from memprivacy_plugin._doctor import EXTRAS
from memprivacy_plugin.cli import main
from memprivacy_plugin.vault.crypto import KEY_ENV, generate_key

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("MEMPRIVACY_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv(KEY_ENV, raising=False)
    return tmp_path


def doctor(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, dict[str, Any], str]:
    """The JSON report and the text report of the same options, and the exit status."""
    code = main(["doctor", *argv, "--json"])
    out, err = capsys.readouterr()
    assert err == ""
    text_code = main(["doctor", *argv])
    text, err = capsys.readouterr()
    assert err == ""
    assert text_code == code
    return code, json.loads(out), text


def test_the_default_configuration(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, report, text = doctor(capsys)
    assert code == 0
    assert report["problems"] == []
    ext = report["extractor"]
    assert (ext["preset"], ext["class"], ext["loaded"]) == ("rules", "RuleExtractor", True)
    assert ext["coverage"]["kind"] == "types"
    assert set(ext["coverage"]["types"]) == RuleExtractor().coverage
    guard = PrivacyGuard(vault=InMemoryVault(), warn_coverage=False)
    assert report["gaps"] == guard.coverage_gaps()
    assert report["policy"]["source"] == "default"
    assert report["policy"]["levels"] == {
        "PL4": "redact",
        "PL3": "placeholder",
        "PL2": "placeholder",
        "PL1": "keep",
    }
    vault = report["vault"]
    assert vault == {
        "kind": "sqlite",
        "path": str(env / "data" / "vault.sqlite3"),
        "exists": False,
        "key": {
            "source": "default key file",
            "path": str(env / "data" / "vault.sqlite3.key"),
            "exists": False,
        },
    }
    bounds = report["bounds"]
    assert bounds["extraction_timeout_s"] == 30.0
    assert bounds["linear_time"] is True
    assert bounds["vault_timeout_s"] == 30.0
    assert bounds["max_input_bytes"] == 16 * 1024 * 1024
    assert not (env / "data").exists()  # described, not opened: nothing created
    # the text form says the same
    assert "extractor    rules: RuleExtractor\n" in text
    assert f"vault        SQLite {env / 'data' / 'vault.sqlite3'} (created on first use)" in text
    assert "  levels     PL4 redact, PL3 placeholder, PL2 placeholder, PL1 keep" in text
    assert "bounds       extraction 30 s per message (the guard's default)" in text
    assert text.rstrip().endswith("problems     none")
    if guard.coverage_gaps():
        assert (
            f"gaps         {len(guard.coverage_gaps())} protected type(s) the extractor cannot find" in text
        )
        assert "(docs/models.md)" in text


def test_policy_and_gaps_follow_the_options(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    policy = env / "policy.yaml"
    policy.write_text(
        "levels:\n  PL4: keep\n  PL3: keep\n  PL2: keep\ntypes:\n  salary: block\n  Email: redact\n"
    )
    code, report, text = doctor(capsys, "--policy", str(policy))
    assert code == 0
    assert report["policy"]["source"] == f"file {policy}"
    assert report["policy"]["types"] == {"Assets/Income": "block", "Email": "redact"}
    assert report["policy"]["protected_types"] == ["Assets/Income", "Email"]
    covered = RuleExtractor().coverage
    assert report["gaps"] == [t for t in ("Assets/Income", "Email") if t not in covered]
    assert "  types      Assets/Income block, Email redact" in text
    _, report, _ = doctor(capsys, "--policy", "pl4-only")
    assert report["policy"]["source"] == "preset pl4-only"
    guard = PrivacyGuard(vault=InMemoryVault(), policy="pl4-only", warn_coverage=False)
    assert report["gaps"] == guard.coverage_gaps()


def test_a_model_preset_is_described_without_loading_it(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, report, text = doctor(capsys, "--extractor", "served", "--base-url", "http://127.0.0.1:9/v1")
    ext = report["extractor"]
    assert ext["class"] == "EnsembleExtractor(RuleExtractor, OpenAICompatibleExtractor)"
    assert ext["loaded"] is False
    assert ext["coverage"] == {"kind": "any", "types": None}
    assert report["gaps"] == []
    assert report["bounds"]["extraction_timeout_s"] == 200.0  # the served extractor's own default
    assert report["bounds"]["linear_time"] is False
    assert "finds      any type of the taxonomy" in text
    assert "gaps         none" in text
    assert code == (0 if report["extras"]["openai"]["installed"] else 1)
    code, report, _ = doctor(capsys, "--extractor", "served")
    assert code == 1
    assert "the 'served' extractor needs --base-url" in report["problems"]


def test_load_builds_the_model_extractor(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("openai")
    code, report, _ = doctor(capsys, "--extractor", "served", "--base-url", "http://127.0.0.1:9/v1", "--load")
    assert code == 0
    ext = report["extractor"]
    assert (ext["loaded"], ext["coverage"]["kind"]) == (True, "any")
    assert ext["class"] == "EnsembleExtractor(RuleExtractor, OpenAICompatibleExtractor)"
    assert report["bounds"]["extraction_timeout_s"] >= 200.0  # its retries and waits, summed


def test_a_token_classifier_needs_its_model_to_know_its_coverage(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, report, text = doctor(capsys, "--extractor", "token-classification")
    assert code == 1
    assert "the 'token-classification' extractor needs --model" in report["problems"]
    assert report["extractor"]["coverage"] == {"kind": "unknown", "types": None}
    assert report["gaps"] is None
    assert "unknown: the extractor declares no coverage" in text


def test_a_missing_extra_is_a_problem(
    env: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import memprivacy_plugin._doctor as doctor_module

    real = doctor_module._version
    monkeypatch.setattr(doctor_module, "_version", lambda dist: None if dist == "vllm" else real(dist))
    code, report, text = doctor(capsys, "--extractor", "vllm", "--model", "Org/Some-Model")
    assert code == 1
    assert report["problems"] == ["the 'vllm' extractor needs vllm: pip install 'memprivacy-plugin[vllm]'"]
    assert report["extractor"]["model"] == "Org/Some-Model"
    assert report["extras"]["vllm"] == {
        "installed": False,
        "packages": {"vllm": None, "json-repair": real("json-repair")},
    }
    assert "vllm: not installed (pip install 'memprivacy-plugin[vllm]')" in text


def test_an_extractor_that_cannot_be_built_is_a_problem(
    env: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "spacy", None)  # as if the extra were not installed
    code, report, text = doctor(capsys, "--extractor", "rules+spacy")
    assert code == 1
    assert report["problems"][0].startswith("the extractor cannot be built: SpacyNerExtractor needs spaCy")
    assert report["extractor"]["class"] is None
    assert "rules+spacy: (cannot be built)" in text


def test_a_bad_policy_is_a_problem(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, report, text = doctor(capsys, "--policy", "strictest")
    assert code == 1
    assert report["policy"] is None
    assert report["gaps"] is None
    assert report["problems"] == [
        "unknown policy preset 'strictest'; choose one of: "
        "default, pl4-only, pl3-and-up, pl2-and-up, placeholder-all"
    ]
    assert "gaps         not known (no policy, or the extractor's coverage is unknown)" in text
    assert "problems     unknown policy preset 'strictest'" in text


def test_the_key_source_and_never_the_key(
    env: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    key = generate_key()
    monkeypatch.setenv(KEY_ENV, key)
    _, report, text = doctor(capsys)
    assert report["vault"]["key"] == {
        "source": f"environment variable {KEY_ENV}",
        "path": None,
        "exists": True,
    }
    assert key not in text
    key_file = env / "my.key"
    key_file.write_text(generate_key())
    _, report, text = doctor(capsys, "--key-file", str(key_file), "--vault", str(env / "v.sqlite3"))
    assert report["vault"]["path"] == str(env / "v.sqlite3")
    assert report["vault"]["key"] == {
        "source": "key file (--key-file)",
        "path": str(key_file),
        "exists": True,
    }
    assert key_file.read_text() not in text
    assert key not in json.dumps(report)


def test_an_existing_vault_without_its_key(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from memprivacy_plugin import SQLiteVault

    path = env / "vault.sqlite3"
    SQLiteVault(path).close()
    Path(f"{path}.key").unlink()
    code, report, _ = doctor(capsys, "--vault", str(path))
    assert code == 1
    assert report["vault"]["exists"] is True
    assert report["problems"] == [f"the vault exists but its key file {path}.key is missing"]
    code, report, _ = doctor(capsys, "--vault", str(path), "--key-file", str(env / "nowhere.key"))
    assert report["problems"] == [f"the key file {env / 'nowhere.key'} does not exist"]


def test_postgres_shows_schema_and_server_never_the_credentials(
    env: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    dsn = "postgresql://alice:s3cr3t-pw@db.internal:6543/app?sslmode=require"
    code, report, text = doctor(capsys, "--postgres", dsn, "--schema", "tenant_a")
    assert code == 1
    assert report["problems"] == [f"a shared vault needs a key: pass --key-file or set {KEY_ENV}"]
    vault = report["vault"]
    assert (vault["kind"], vault["schema"]) == ("postgres", "tenant_a")
    if report["extras"]["postgres"]["installed"]:
        assert vault["server"] == "db.internal:6543/app"
    assert report["bounds"]["vault_timeout_s"] == 10.0
    for secret in ("s3cr3t-pw", "alice", dsn):
        assert secret not in text
        assert secret not in json.dumps(report)
    monkeypatch.setenv(KEY_ENV, generate_key())
    code, report, _ = doctor(capsys, "--postgres", dsn)
    assert (code, report["problems"]) == (0, [])
    code, report, _ = doctor(capsys, "--postgres", dsn, "--vault", str(env / "v.sqlite3"))
    assert report["problems"] == ["pass either --vault or --postgres, not both"]


def test_the_extras_table_matches_pyproject() -> None:
    tomllib = pytest.importorskip("tomllib")
    from packaging.requirements import Requirement

    extras = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"][
        "optional-dependencies"
    ]
    for extra, dists in EXTRAS.items():
        assert tuple(Requirement(r).name for r in extras[extra]) == dists, extra
    runtime = {name for name in extras if name not in {"eval", "dev", "notebooks"}}
    assert set(EXTRAS) == runtime


def test_doctor_accepts_the_options_of_the_other_commands(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["doctor", "--max-bytes", "1000", "--schema", "x", "--model", "m", "--json"])
    out, _ = capsys.readouterr()
    assert code == 0
    assert json.loads(out)["bounds"]["max_input_bytes"] == 1000
    assert main(["doctor", "--help"]) == 0
    helptext, _ = capsys.readouterr()
    for option in ("--vault", "--postgres", "--schema", "--key-file", "--extractor", "--model", "--base-url",
                   "--policy", "--max-bytes", "--json", "--load"):  # fmt: skip
        assert re.search(rf"{option}\b", helptext), option


def test_doctor_shows_the_prompt_file_and_says_when_it_cannot_be_read(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    prompt = env / "theirs.txt"
    prompt.write_text("Find private spans for {real_name}:\n{input_dialogue_content}\n", encoding="utf-8")
    served = ("--extractor", "served", "--base-url", "http://127.0.0.1:9/v1")
    _, report, _ = doctor(capsys, *served, "--prompt-file", str(prompt))
    assert report["extractor"]["prompt"].startswith("file:theirs.txt:sha256:")
    assert not report["problems"]
    _, report, _ = doctor(capsys, *served, "--prompt-file", str(env / "missing.txt"))
    assert any("cannot read prompt file" in p for p in report["problems"])
