"""Identity Background (PL2): occupation, employer, school, field of study, age and birth date with
the context that makes them the user's (or a named person's); hard negatives are the same words
without that context ("I work hard", "I'm 5 minutes away", "a terrible driver")."""

from __future__ import annotations

import pytest
from rule_checks import assert_found, family_only, spans_of

from memprivacy_plugin.extractors.rules import RuleExtractor
from memprivacy_plugin.taxonomy import PrivacyLevel

IB = "Identity Background"


@pytest.fixture(scope="module")
def background_only() -> RuleExtractor:
    return family_only("background")


POSITIVES = [
    ("I teach 3rd grade at Lincoln Elementary.", "Lincoln Elementary"),
    ("My boss at Accenture keeps emailing me.", "Accenture"),
    ("I just started a new job at Pfizer.", "Pfizer"),
    ("my colleagues at Deloitte are nice", "Deloitte"),
    ("作为一名科学家，我只陈述事实", "科学家"),
    ("身为心理学副教授，我本该很擅长调节情绪", "心理学副教授"),
    ("出于我作为前调查记者的谨慎", "前调查记者"),
    ("我是建筑史学者", "建筑史学者"),
    ("I work at Zendesk as a support engineer", "Zendesk as a support engineer"),
    ("I'm a pediatric nurse at St. Jude's and love it", "pediatric nurse at St. Jude's"),
    ("I'm a senior backend developer at Shopify.", "senior backend developer at Shopify"),
    ("I work as an accountant for Deloitte", "accountant for Deloitte"),
    ("my husband works at Boeing", "Boeing"),
    ("I've been a paralegal for six years", "paralegal"),
    ("As a high school teacher, I grade a lot", "high school teacher"),
    ("she's a firefighter in Denver", "firefighter"),
    ("I'm a truck driver, so I'm on the road a lot", "truck driver"),
    ("I graduated from Dartmouth in 2016", "Dartmouth"),
    ("I'm a student at Rutgers", "student at Rutgers"),
    ("I'm a sophomore at Penn State", "sophomore at Penn State"),
    ("my son goes to Westfield High School", "Westfield High School"),
    ("I'm majoring in mechanical engineering and minoring in art", "mechanical engineering"),
    ("I'm 41, and starting to feel it", "41"),
    ("I'm 29 and just moved", "29"),
    ("I just turned 36.", "36"),
    ("I was born in 1987", "1987"),
    ("my birthday is October 14th", "October 14th"),
    ("I'm in my late 40s", "my late 40s"),
    ("我在网易做游戏策划", "网易做游戏策划"),
    ("我在华为当测试工程师", "华为当测试工程师"),
    ("我在交大读博", "交大读博"),
    ("我在浙江大学读研究生", "浙江大学读研究生"),
    ("我在工商银行上班", "工商银行"),
    ("我是一名儿科医生", "儿科医生"),
    ("我老婆是小学老师", "小学老师"),
    ("我是做外贸的", "外贸"),
    ("我从事金融行业", "金融"),
    ("我今年33了", "33"),
    ("我是95后", "95后"),
    ("我毕业于南京大学", "南京大学"),
    ("我是武大毕业的", "武大"),
    ("我是1992年出生的", "1992年"),
    ("我在一家外企做财务", "一家外企做财务"),
    ("I work in logistics, mostly nights", "logistics"),
    ("she works in HR at a bank", "HR"),
    ("I'm retired now and garden a lot", "retired"),
    ("I got laid off in March", "laid off"),
    ("I teach at Maple Grove Elementary", "Maple Grove Elementary"),
    ("目前在京东上班", "京东"),
    ("当了十二年老师", "老师"),
    ("我是临床医学专业的", "临床医学专业"),
    ("我是大二学生", "大二学生"),
    ("我老公张伟在腾讯做产品经理，年薪大概六十万。", "腾讯做产品经理"),
    ("我儿子在实验小学上三年级", "实验小学上三年级"),
    ("I'm a 34 yo nurse at St. Mary's Hospital in Tulsa", "nurse at St. Mary's Hospital"),
    ("陈思远，32岁，在深圳华为上班", "深圳华为"),
    ("我在杭州阿里做前端", "杭州阿里"),
]


@pytest.mark.parametrize(("text", "value"), POSITIVES)
def test_positive(rules: RuleExtractor, text: str, value: str) -> None:
    assert_found(rules, text, IB, value, PrivacyLevel.PL2)


HARD_NEGATIVES = [
    "I started at 9am today.",
    "The job at NASA sounds cool, what do they pay?",
    "I met my boss at Starbucks.",
    "I had lunch with my boss at Starbucks.",
    "作为朋友我得说一句",
    "作为一个整体来看还不错",
    "I'm 5 minutes away",
    "I'm 100% sure about it",
    "I'm 30 pages into the book",
    "I work hard every day",
    "I work at home on Fridays",
    "I work for myself",
    "It works at scale",
    "I'm a terrible driver",
    "I'm a huge fan of jazz",
    "I'm a good cook",
    "This is a developer tool",
    "I'm a student loan borrower",
    "the nurse was very kind",
    "how do doctors work with insurers?",
    "I'm writing an essay about teachers",
    "I went to the store",
    "I'm majoring in it",
    "born in the USA is a song",
    "我在家工作",
    "我在学校读书",
    "我在家做饭",
    "我在一家公司上班",
    "我是你的老师",
    "这是我的学生证",
    "今年30万的收入",
    "医生说要多休息",
    "我想当医生吗",
    "I work in it every day",
    "I work in Boston",
    "she retired the jersey",
    "高一的学生很多",
    "在医院上班的人很辛苦",
    "students at Harvard protested yesterday",
    "a degree in law helps a lot",
    "people who go to Stanford are smart",
    "most people in their twenties rent",
    "我在协和医院做了甲状腺手术",
    "我在医院做检查，晚点回你",
    "我在家吃苹果",
    "他说，在华为工作很辛苦",
]


@pytest.mark.parametrize("text", HARD_NEGATIVES)
def test_hard_negative(background_only: RuleExtractor, text: str) -> None:
    assert spans_of(background_only, text) == []


def test_ages_with_units_stay_with_identifiers(rules: RuleExtractor) -> None:
    """ "34 years old" and "28岁" are found once, by the identifiers family, not twice."""
    assert [(s.text, s.privacy_type) for s in rules.extract("I'm 34 years old")] == [("34 years old", IB)]
    assert [(s.text, s.privacy_type) for s in rules.extract("我今年28岁")] == [("28岁", IB)]


def test_long_text_near_triggers_matches_full_scan() -> None:
    texts = [t for t, _ in POSITIVES] + HARD_NEGATIVES
    filler = "Nothing private in this sentence about the weather and lunch plans. "
    text = "\n".join(s + " " + filler * (i % 4) for i, s in enumerate(texts * 3))
    near, full = family_only("background"), family_only("background")
    full.near_triggers = False
    got = [(s.start, s.end) for s in near.extract(text)]
    assert len(got) >= len(POSITIVES) * 3
    assert got == [(s.start, s.end) for s in full.extract(text)]


@pytest.mark.parametrize(
    "unit",
    [
        "I am a student ",
        "student ",
        "I work at Google as a ",
        "I'm 34 ",
        "我在腾讯做产品经理",
        "我是一名护士",
        "当了十年老师",
    ],
)
def test_repeated_input_takes_linear_time(growth, unit: str) -> None:
    rules = family_only("background")

    def make(n: int) -> str:
        return (unit * (n // len(unit) + 1))[:n]

    assert growth(rules.extract, make, 20_000) < 4
