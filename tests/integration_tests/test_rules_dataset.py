"""Per-family precision/recall floors of the rule extractor (and of the guard over whole
conversations) on the shared evaluation data.

Floors sit about 0.03 below what `benchmarks/bench_rules.py` measured (docs/extractors.md), so a
regression fails. The data is read in place from `../shared/data` (or `$MEMPRIVACY_SHARED_DATA`);
skipped if absent.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from benchmarks._rules_eval import (
    Report,
    dataset_paths,
    evaluate,
    evaluate_guard,
    load_presidio_turns,
    load_turns,
)
from memprivacy_plugin.extractors.rules import RuleExtractor

# family: (precision floor, recall floor), message by message
FLOORS: dict[str, tuple[float, float]] = {
    "Email": (0.97, 0.97),
    "Phone Number": (0.97, 0.96),
    "Verification Code": (0.94, 0.89),
    "Password/PIN": (0.97, 0.72),
    "Token": (0.74, 0.80),
    "Network Identifier": (0.97, 0.76),
    "ID Number": (0.97, 0.94),
    "Financial Account": (0.90, 0.86),
}
OVERALL = (0.94, 0.88)
# The guard over each user's turns in order (values seen before are protected again).
GUARD_OVERALL = (0.93, 0.92)
GUARD_PROTECTED = 0.94
# Presidio's synthetic set, its formatted entity types.
PRESIDIO_OVERALL = (0.97, 0.96)


@pytest.fixture(scope="module")
def turns() -> list:
    paths = dataset_paths()
    if len(paths) < 2:
        pytest.skip("shared MemPrivacy data not found (set MEMPRIVACY_SHARED_DATA)")
    return load_turns(paths)


@pytest.fixture(scope="module")
def report(turns: list) -> Report:
    extractor = RuleExtractor()
    return evaluate(lambda t: extractor.extract(t), turns)


@pytest.mark.parametrize("family", sorted(FLOORS))
def test_family_floor(report: Report, family: str) -> None:
    counts = report.families[family]
    p_floor, r_floor = FLOORS[family]
    assert counts.precision >= p_floor, (family, counts)
    assert counts.recall >= r_floor, (family, counts)


def test_overall_floor(report: Report) -> None:
    total = report.total()
    assert total.precision >= OVERALL[0], total
    assert total.recall >= OVERALL[1], total


def test_guard_over_conversations_floor(turns: list, report: Report) -> None:
    total = evaluate_guard(turns).total()
    assert total.precision >= GUARD_OVERALL[0], total
    assert total.recall >= GUARD_OVERALL[1], total
    assert total.protected >= GUARD_PROTECTED, total
    assert total.found > report.total().found  # values seen before add what no rule can see


def test_presidio_formatted_floor() -> None:
    turns = load_presidio_turns()
    if not turns:
        pytest.skip("Presidio's synthetic set not found")
    extractor = RuleExtractor()
    total = evaluate(lambda t: extractor.extract(t), turns).total()
    assert total.precision >= PRESIDIO_OVERALL[0], total
    assert total.recall >= PRESIDIO_OVERALL[1], total
