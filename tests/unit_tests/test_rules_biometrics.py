"""Biometric data said as someone's own (Biometrics, PL3); hard negatives are other kinds of
fingerprints, sensors and unlock features, idioms and instructions."""

from __future__ import annotations

import pytest
from rule_checks import assert_found, family_only, spans_of

from memprivacy_plugin.extractors.rules import RuleExtractor
from memprivacy_plugin.taxonomy import PrivacyLevel

BIO = "Biometrics"


@pytest.fixture(scope="module")
def biometrics_only() -> RuleExtractor:
    return family_only("biometrics")


POSITIVES = [
    ("My fingerprint template is stored on the server.", "fingerprint template"),
    ("I enrolled my face in the banking app.", "face"),
    ("I uploaded my voiceprint to the bank", "voiceprint"),
    ("Here is my iris scan from the clinic", "iris scan"),
    ("I sent my DNA sample to a genealogy site", "DNA sample"),
    ("The app stored my facial geometry data", "facial geometry data"),
    ("我的指纹数据被泄露了", "指纹数据"),
    ("我录入了声纹", "声纹"),
    ("我昨天在银行采集了人脸信息", "人脸信息"),
    ("我老婆的基因检测报告出来了", "基因检测报告"),
]


@pytest.mark.parametrize(("text", "value"), POSITIVES)
def test_positive(biometrics_only: RuleExtractor, text: str, value: str) -> None:
    assert_found(biometrics_only, text, BIO, value, PrivacyLevel.PL3)


@pytest.mark.parametrize(("text", "value"), POSITIVES[::3])
def test_positive_in_the_default_extractor(rules: RuleExtractor, text: str, value: str) -> None:
    start = text.index(value)
    spans = spans_of(rules, text)
    assert any(s.start <= start and start + len(value) <= s.end and s.privacy_type == BIO for s in spans), (
        spans
    )


HARD_NEGATIVES = [
    "Clear your browser fingerprint.",
    "What is the fingerprint of the SSH key?",
    "my fingerprint reader is broken",
    "Hard work is in my DNA.",
    "I washed my face and went to bed.",
    "Face ID is convenient.",
    "The police found fingerprints at the scene.",
    "How do fingerprint sensors work?",
    "my voice is hoarse today",
    "请录入指纹",
    "我的指纹解锁坏了",
    "人脸识别技术的原理是什么",
]


@pytest.mark.parametrize("text", HARD_NEGATIVES)
def test_hard_negative(biometrics_only: RuleExtractor, text: str) -> None:
    assert spans_of(biometrics_only, text) == []
