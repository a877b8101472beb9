"""Parse fidelity over the whole benchmark (benchmarks/parse_fidelity.py): the gold annotations of
every turn of MemPrivacy-Bench and PersonaMem-v2, read in place, rendered as the raw outputs models
produce and run through parse, locate and merge. At least 99% of gold spans survive, nothing outside
the gold is added (a cut item's extension aside, counted apart), no answer is unreadable, and every
loss is the item a truncated answer cut off."""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

import pytest

from memprivacy_plugin.evaluation.datasets import DATASETS, load_memprivacy, shared_data_dir
from memprivacy_plugin.taxonomy import STANDARD_TYPES, normalize_type

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from benchmarks.parse_fidelity import CHINESE_TYPES, STYLES, gold_of, render, run

GOLD = [
    ("13800138000", "Phone Number", "PL2"),
    ("张伟", "Real Name", "PL2"),
    ("severe anxiety disorder", "Medical Health", "PL3"),
    ('say "hi"', "Communication Content", "PL3"),
]


def test_each_style_renders_what_it_says() -> None:
    rng = random.Random(0)
    raw = {style: render(GOLD, style, rng)[0] for style in STYLES}
    clean = json.loads(raw["clean"])
    assert [i["original_text"] for i in clean] == [g[0] for g in GOLD]
    assert raw["fence"].startswith("```json\n")
    assert raw["think"].startswith("<think>")
    assert raw["prose"].startswith("Here are")
    assert raw["escaped"].isascii()
    assert "\\u5f20" in raw["escaped"]
    with pytest.raises(json.JSONDecodeError):
        json.loads(raw["repairable"])
    truncated, cut = render(GOLD, "truncated", random.Random(1))
    assert cut == GOLD[-1][0]
    assert not truncated.endswith("]")
    cased = json.loads(raw["type_case"])
    assert all(i["privacy_type"] in (g[1].upper(), g[1].lower()) for i, g in zip(cased, GOLD, strict=True))
    assert all(
        i["privacy_level"][-1] == g[2][-1] and i["privacy_level"] != g[2]
        for i, g in zip(cased, GOLD, strict=True)
    )
    chinese = json.loads(raw["chinese_types"])
    assert [i["privacy_type"] for i in chinese] == ["手机号", "姓名", "病历", "聊天内容"]
    assert json.loads(raw["full_width"])[0]["original_text"] == "１３８００１３８０００"


def test_every_chinese_type_name_reads_back() -> None:
    assert set(CHINESE_TYPES) == set(STANDARD_TYPES)
    for name, chinese in CHINESE_TYPES.items():
        assert normalize_type(chinese).name == name, chinese


pytestmark_data = pytest.mark.skipif(
    not all((shared_data_dir() / rel).is_file() for rel in DATASETS.values() if rel.endswith(".jsonl")),
    reason="shared data not found",
)


@pytestmark_data
@pytest.mark.parametrize("dataset", ["memprivacy-bench", "personamem-v2"])
def test_gold_survives_parse_locate_and_merge(dataset: str) -> None:
    turns, absent = gold_of(load_memprivacy(dataset, roles=None))
    assert absent <= 10  # the few labels that are not substrings of their turn
    tallies = run(turns, seed=0)
    gold = sum(t.gold for t in tallies.values())
    survived = sum(t.survived for t in tallies.values())
    assert survived / gold >= 0.99, {s: f"{t.rate:.2%}" for s, t in tallies.items()}
    for style, tally in tallies.items():
        assert tally.unreadable == 0, style
        assert tally.added == 0, (style, tally.added)  # nothing outside the gold
        assert tally.gold - tally.survived == tally.cut_lost, (style, tally.missing)  # only cut items lost
        if style != "truncated":
            assert tally.survived == tally.gold, (style, tally.missing)
            assert tally.cut_added == 0
    truncated = tallies["truncated"]
    assert truncated.rate >= 0.94
