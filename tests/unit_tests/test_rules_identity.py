"""Sensitive Identity (PL3): religion, ethnicity, political affiliation, sexual orientation and gender
identity said of the speaker or someone they name, in English and Chinese; hard negatives are the
same words in general talk and in their everyday senses."""

from __future__ import annotations

import pytest
from rule_checks import assert_found, family_only, spans_of

from memprivacy_plugin.extractors.rules import RuleExtractor
from memprivacy_plugin.taxonomy import PrivacyLevel

SI = "Sensitive Identity"


@pytest.fixture(scope="module")
def identity_only() -> RuleExtractor:
    return family_only("identity")


POSITIVES = [
    # religion
    ("I'm a practising Muslim", "practising Muslim"),
    ("She is a devout Catholic", "devout Catholic"),
    ("I converted to Judaism last year", "Judaism"),
    ("my husband is Jewish, I'm an atheist", "Jewish"),
    ("my husband is Jewish, I'm an atheist", "atheist"),
    ("We were raised Mormon", "Mormon"),
    ("我信佛", "信佛"),
    ("我们家信天主教", "信天主教"),
    ("我是一名虔诚的基督徒", "基督徒"),
    ("我没有宗教信仰", "没有宗教信仰"),
    ("作为天主教徒，我不看这种片子", "天主教徒"),
    ("我的宗教信仰是印度教", "印度教"),
    # ethnicity
    ("I'm Hispanic and bilingual", "Hispanic"),
    ("I'm a black woman in tech", "black woman"),
    ("my mom is Korean-American", "Korean-American"),
    ("我是回族", "回族"),
    ("我的民族是藏族", "藏族"),
    ("我妈妈是朝鲜族", "朝鲜族"),
    ("种族是拉美裔", "拉美裔"),
    ("navigating both my Ghanaian and Colombian heritage at work", "Ghanaian and Colombian heritage"),
    ("the tradition is part of my own Anglican heritage", "Anglican heritage"),
    ("I'm of Korean descent", "Korean descent"),
    ("I grew up as a first-generation Palestinian-American.", "Palestinian-American"),
    # politics
    ("I'm a registered Democrat", "registered Democrat"),
    ("I'm a lifelong Republican", "lifelong Republican"),
    ("I'm a member of the Labour Party", "Labour Party"),
    ("I'm a conservative", "conservative"),
    ("I lean progressive", "progressive"),
    ("我爸是老党员", "党员"),
    ("我是中共党员", "中共党员"),
    ("我的政治倾向是中左翼", "中左翼"),
    ("我是世俗主义者和中间派", "中间派"),
    # orientation and gender identity
    ("I'm gay", "gay"),
    ("My brother is gay", "gay"),
    ("I came out as bisexual to my parents last year", "bisexual"),
    ("I identify as non-binary", "non-binary"),
    ("I'm a gay man from Ohio", "gay man"),
    ("我是同性恋", "同性恋"),
    ("我已经向父母出柜了", "出柜"),
    ("我其实是双性恋", "双性恋"),
    # an age before the word, a list about the person, "as a" at a clause's start, a party voted for
    ("I'm a 34-year-old Catholic woman from Ohio", "Catholic"),
    ("I'm 34, Catholic, and I vote Green.", "Catholic"),
    ("I'm 34, Catholic, and I vote Green.", "Green"),
    ("As a devout Muslim I don't drink.", "devout Muslim"),
    ("Honestly, as a Christian, I struggle with this.", "Christian"),
    ("I usually vote Labour.", "Labour"),
    ("I voted Republican in every election", "Republican"),
    ("My husband Marco is Catholic", "Catholic"),
]


@pytest.mark.parametrize(("text", "value"), POSITIVES)
def test_positive(rules: RuleExtractor, text: str, value: str) -> None:
    assert_found(rules, text, SI, value, PrivacyLevel.PL3)


HARD_NEGATIVES = [
    # general talk
    "Muslims fast during Ramadan",
    "I'm writing an essay on Buddhism",
    "What do Catholics believe about purgatory?",
    "the Republican primary is next month",
    "gay marriage was legalised in 2015",
    "I'm a big fan of gay rights",
    "回族的风俗是什么",
    "党员要带头",
    "佛教是什么时候传入中国的",
    "我在看一部关于同性恋的电影",
    # everyday senses and names
    "I'm pretty conservative with money",
    "that's a conservative estimate",
    "I'm a liberal arts major",
    "I need progressive lenses",
    "He's a Christian Dior fan",
    "I'm in Roma for the weekend",
    "我是拉拉队的",
    "我是党员大会的主持人",
    "我们是水族馆的常客",
    "my Python background is strong",
    "the heritage site is in Rome",
    "Korean-American food is great",
    "Ukrainian heritage month starts today",
    "I'm sorry, Jewish holidays are confusing to plan around",
    "Should we vote green energy bills through the council?",
    "I read an article on why they vote Labour in that town",
]


@pytest.mark.parametrize("text", HARD_NEGATIVES)
def test_hard_negative(identity_only: RuleExtractor, text: str) -> None:
    assert spans_of(identity_only, text) == []


def test_linear_time(identity_only: RuleExtractor, growth) -> None:
    for unit in ("I'm a devout Catholic. ", "我是回族，", "gay ", "我是"):

        def make(n: int, unit: str = unit) -> str:
            return (unit * (n // len(unit) + 1))[:n]

        assert growth(identity_only.extract, make, 20_000) < 4
