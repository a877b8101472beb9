"""Vital signs (Medical Health, PL3): blood pressure, glucose, heart rate, BMI and body fat, with
their units or after their names; hard negatives are tempos, ratios, doses, counts and prices."""

from __future__ import annotations

import itertools

import pytest

from memprivacy_plugin.extractors.rules import FAMILIES, RuleExtractor
from memprivacy_plugin.spans import PrivacySpan
from memprivacy_plugin.taxonomy import STANDARD_TYPES, PrivacyLevel

MH = "Medical Health"


@pytest.fixture(scope="module")
def rules() -> RuleExtractor:
    return RuleExtractor()


@pytest.fixture(scope="module")
def health_only() -> RuleExtractor:
    return RuleExtractor(recognizers=FAMILIES["health"]())


def spans_of(rules: RuleExtractor, text: str) -> list[PrivacySpan]:
    """The spans of `text`, after checking what every span must satisfy: its text is the
    message's own text at its offsets, its level is its type's level, spans do not overlap."""
    spans = rules.extract(text)
    for s in spans:
        assert text[s.start : s.end] == s.text, (text, s)
        assert s.level == STANDARD_TYPES[s.privacy_type].level, s
    for a, b in itertools.pairwise(spans):
        assert a.end <= b.start, (a, b)
    return spans


def assert_found(rules: RuleExtractor, text: str, ptype: str, value: str, level: PrivacyLevel) -> None:
    """`text` has a span of exactly `value`, typed `ptype` at `level`."""
    spans = spans_of(rules, text)
    match = [s for s in spans if s.text == value]
    assert match, f"{value!r} not in {text!r}: {[(s.privacy_type, s.text) for s in spans]}"
    assert (match[0].privacy_type, match[0].level) == (ptype, level), match[0]


POSITIVES = [
    ("my BP this morning was 142/91 mmHg", "142/91 mmHg"),
    ("my blood pressure was 167/95 mmHg today, should I worry?", "167/95 mmHg"),
    ("blood pressure 130/85", "130/85"),
    ("my blood pressure is 128/82", "128/82"),
    ("BP reading: 118 / 76 mmHg", "118 / 76 mmHg"),
    ("fasting blood sugar 7.2 mmol/L", "7.2 mmol/L"),
    ("my glucose was 11.4 mmol/l after dinner", "11.4 mmol/l"),
    ("my resting heart rate is 58 bpm", "58 bpm"),
    ("my pulse was 110 bpm after running", "110 bpm"),
    ("my heart rate was 72", "72"),
    ("BMI 27.4", "27.4"),
    ("my BMI is 31.", "31"),
    ("my resting pulse is 54, nice", "54"),
    ("**blood pressure**: 150/95", "150/95"),
    ("血压 135/88 mmHg，有点高", "135/88 mmHg"),
    ("今天血压130/85", "130/85"),
    ("我的血压是77/43 mmHg", "77/43 mmHg"),
    ("空腹血糖 6.8 mmol/L", "6.8 mmol/L"),
    ("血糖是7.9", "7.9"),
    ("心率 96 次/分", "96 次/分"),
    ("心率96次/分，正常吗？", "96次/分"),
    ("心率：72", "72"),
    ("体脂率 24%", "24%"),
    ("医生说我血压１４０／９０ｍｍＨｇ", "１４０／９０ｍｍＨｇ"),
]


@pytest.mark.parametrize(("text", "value"), POSITIVES)
def test_positive(rules: RuleExtractor, text: str, value: str) -> None:
    assert_found(rules, text, MH, value, PrivacyLevel.PL3)


HARD_NEGATIVES = [
    "the track is 128 bpm",
    "set the tempo to 90 bpm",
    "the song is 120 bpm",
    "a 3/4 time signature",
    "price 120/80 split",
    "the ratio was 16/9",
    "set the aspect ratio to 16/9",
    "mmHg is a unit of pressure",
    "血压计多少钱",
    "heart rate monitor on sale",
    "my blood pressure medication is 20 mg",
    "I checked my blood pressure 3 times today",
    "heart rate zones: zone 2 is 60-70%",
    "the blood sugar test costs 25 dollars",
    "BMI calculator for 2024",
    "血压药每天吃2片",
    "心率带的电池是 2032 型号",
    "血糖仪用了3年了",
    "how do I lower my blood pressure naturally?",
]


@pytest.mark.parametrize("text", HARD_NEGATIVES)
def test_hard_negative(health_only: RuleExtractor, text: str) -> None:
    assert spans_of(health_only, text) == []
