"""Real Name (PL2) from self-introductions, in English and Chinese; hard negatives are the same
phrases followed by words that are not names."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from rule_checks import assert_found, family_only, spans_of

from memprivacy_plugin.extractors.rules import RuleExtractor
from memprivacy_plugin.taxonomy import PrivacyLevel

RN = "Real Name"


@pytest.fixture(scope="module")
def introductions_only() -> RuleExtractor:
    return family_only("introductions")


POSITIVES = [
    ("my name's Jordan Whitaker, nice to meet you", "Jordan Whitaker"),
    ("hi I'm Marcus Oyelaran and I need help with a form", "Marcus Oyelaran"),
    ("My name is Ana Lopez and I live in Ohio", "Ana Lopez"),
    ("Hello! This is Priya, we spoke yesterday", "Priya"),
    ("you can call me Jo", "Jo"),
    ("I'm called Sam O'Brien-Hale at work", "Sam O'Brien-Hale"),
    ("My full name is Tomasz McAllister", "Tomasz McAllister"),
    ("我叫陈思远，今年32岁", "陈思远"),
    ("我叫陈思远今年32岁", "陈思远"),
    ("收件人李明，电话13800138000", "李明"),
    ("姓名：王芳", "王芳"),
    ("你好，我是张伟。", "张伟"),
    ("我的名字是欧阳娜娜", "欧阳娜娜"),
]


@pytest.mark.parametrize(("text", "value"), POSITIVES)
def test_positive(rules: RuleExtractor, text: str, value: str) -> None:
    assert_found(rules, text, RN, value, PrivacyLevel.PL2)


HARD_NEGATIVES = [
    "call me Monday if you can",
    "My name is not important here",
    "hey I'm Good thanks",
    "hi, I'm back from lunch",
    "what's your name?",
    "the name of the song is catchy",
    "我是高中生",
    "我是张老师的学生",
    "名字起得真好听",
    "我叫了外卖",
]


@pytest.mark.parametrize("text", HARD_NEGATIVES)
def test_hard_negative(introductions_only: RuleExtractor, text: str) -> None:
    assert spans_of(introductions_only, text) == []


def test_long_message_takes_linear_time(
    introductions_only: RuleExtractor, growth: Callable[..., float]
) -> None:
    for unit in ("my name is Ana ", "hi I'm ", "我叫陈思远", "我是"):

        def make(n: int, unit: str = unit) -> str:
            return (unit * (n // len(unit) + 1))[:n]

        assert growth(introductions_only.extract, make, 20_000) < 4
