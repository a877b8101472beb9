"""Evaluation loaders against the real shared files (read in place; skipped where they are absent)."""

from __future__ import annotations

from collections import Counter

import pytest

from memprivacy_plugin.evaluation import load_dataset, load_memprivacy, load_presidio_synth, shared_data_dir
from memprivacy_plugin.evaluation.datasets import DATASETS, PRESIDIO_SYNTH_TYPES
from memprivacy_plugin.taxonomy import PrivacyLevel

pytestmark = pytest.mark.skipif(
    not all((shared_data_dir() / rel).is_file() for rel in DATASETS.values()), reason="shared data not found"
)


def _counts(name: str, roles: tuple[str, ...] | None) -> tuple[int, int, int]:
    records = load_memprivacy(name, roles=roles)
    turns = sum(len(r.dialogues) for r in records)
    spans = sum(len(d.spans) for r in records for d in r.dialogues)
    return len(records), turns, spans


def test_memprivacy_bench_counts() -> None:
    assert _counts("memprivacy-bench", None) == (10, 3310, 7969)
    assert _counts("memprivacy-bench", ("user",)) == (10, 1655, 3535)
    records = load_memprivacy("memprivacy-bench")
    assert all(r.user_name for r in records)
    assert sum(len(r.questions) for r in records) == 149
    assert all(q.get("evidence") for r in records for q in r.questions)


def test_personamem_v2_counts() -> None:
    assert _counts("personamem-v2", None) == (10, 2436, 1191)
    assert _counts("personamem-v2", ("user",))[2] == 589
    assert sum(len(r.questions) for r in load_memprivacy("personamem-v2")) == 278


def test_presidio_synth_counts_offsets_and_mapping() -> None:
    every = load_presidio_synth(keep_all=True)
    assert len(every) == 1500
    spans = [(d.content, s) for r in every for d in r.dialogues for s in d.spans]
    assert len(spans) == 2863
    assert all(s.start is not None and content[s.start : s.end] == s.text for content, s in spans)
    kept = load_dataset("presidio-synth")
    by_type = Counter(s.privacy_type for r in kept for d in r.dialogues for s in d.spans)
    dropped = {k for k, v in PRESIDIO_SYNTH_TYPES.items() if v is None}
    assert dropped == {"GPE", "DATE_TIME", "TITLE", "DOMAIN_NAME"}
    assert sum(by_type.values()) == 2863 - (411 + 119 + 92 + 37)
    assert by_type["Real Name"] == 857
    assert by_type["Financial Account"] == 136 + 21
    assert all(s.level is not PrivacyLevel.PL1 for r in kept for d in r.dialogues for s in d.spans)


def test_user_jsonl_path_loads_like_the_named_sets(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "mine.jsonl"
    path.write_text(
        '{"uuid": "u1", "metadata": {"user_name": "Ana"}, "dialogues": [{"role": "user", "content": '
        '"my pin is 4321", "privacy_info": [{"original_text": "4321", "privacy_type": "PIN", '
        '"privacy_level": "PL4"}]}, {"role": "assistant", "content": "ok"}]}\n',
        encoding="utf-8",
    )
    [record] = load_dataset(path)
    assert record.user_name == "Ana"
    assert [d.role for d in record.dialogues] == ["user"]
    assert record.dialogues[0].spans[0].level is PrivacyLevel.PL4
    assert len(load_dataset(str(path), roles=None)[0].dialogues) == 2
