"""Vital signs (Medical Health, PL3): blood pressure, glucose, heart rate, BMI and body fat, with
their units or after their names; hard negatives are tempos, ratios, doses, counts and prices."""

from __future__ import annotations

import pytest
from rule_checks import assert_found, family_only, spans_of

from memprivacy_plugin.extractors.rules import RuleExtractor
from memprivacy_plugin.taxonomy import PrivacyLevel

MH = "Medical Health"


@pytest.fixture(scope="module")
def health_only() -> RuleExtractor:
    return family_only("health")


POSITIVES = [
    ("my elevated 82 bpm heart rate worries me", "82 bpm"),
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
    # lab results and their short names
    ("my bp this morning was 158/97", "158/97"),
    ("My A1C is 7.9 now", "7.9"),
    ("my LDL is 190", "190"),
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
    "BP is a big oil company",
]


@pytest.mark.parametrize("text", HARD_NEGATIVES)
def test_hard_negative(health_only: RuleExtractor, text: str) -> None:
    assert spans_of(health_only, text) == []
