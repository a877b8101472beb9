"""Per-family precision/recall floors of the rule extractor on the shared MemPrivacy datasets.

Floors sit about 0.03 below what `benchmarks/bench_rules.py` measured, so a regression fails.
The data is read in place from `../shared/data` (or `$MEMPRIVACY_SHARED_DATA`); skipped if absent.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from benchmarks._rules_eval import Report, dataset_paths, evaluate, load_turns
from memprivacy_plugin.extractors.rules import RuleExtractor

# family: (precision floor, recall floor)
FLOORS: dict[str, tuple[float, float]] = {
    "Email": (0.97, 0.97),
    "Phone Number": (0.97, 0.96),
    "Verification Code": (0.95, 0.87),
    "Password/PIN": (0.95, 0.70),
    "Token": (0.74, 0.79),
    "Network Identifier": (0.97, 0.73),
    "ID Number": (0.97, 0.94),
    "Financial Account": (0.90, 0.80),
}
OVERALL = (0.94, 0.87)


@pytest.fixture(scope="module")
def report() -> Report:
    paths = dataset_paths()
    if len(paths) < 2:
        pytest.skip("shared MemPrivacy data not found (set MEMPRIVACY_SHARED_DATA)")
    extractor = RuleExtractor()
    return evaluate(lambda t: extractor.extract(t), load_turns(paths))


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
