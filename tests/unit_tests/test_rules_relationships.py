"""Relationship Info (PL2): a kinship or social word with a name, in English and Chinese; hard
negatives are kinship words without a name, capitalised words that are not names, and Chinese words
that begin with a surname character."""

from __future__ import annotations

import pytest
from rule_checks import assert_found, family_only, spans_of

from memprivacy_plugin.extractors.rules import RuleExtractor
from memprivacy_plugin.taxonomy import PrivacyLevel

RI = "Relationship Info"


@pytest.fixture(scope="module")
def kin_only() -> RuleExtractor:
    return family_only("relationships")


POSITIVES = [
    ("can you help me plan a surprise for my sister Marta?", "sister Marta"),
    ("my husband, Kofi, thinks we should wait", "husband, Kofi"),
    ("I need to email my boss Mr. Okafor about the deadline", "boss Mr. Okafor"),
    ("my older brother Tobias lent me his car", "brother Tobias"),
    ("my best friend Priya is getting married", "friend Priya"),
    ("my 6-year-old daughter Juniper won't sleep", "daughter Juniper"),
    ("Rahul's wife Meena is a great cook", "wife Meena"),
    ("my kids Otto and Freya start school next week", "kids Otto and Freya"),
    ("my parents, Ingrid and Lars, are visiting", "parents, Ingrid and Lars"),
    ("my roommate Dmitri Volkov never cleans", "roommate Dmitri Volkov"),
    ("my landlord Mr. Halvorsen raised the rent", "landlord Mr. Halvorsen"),
    ("I met a coworker named Benedikt at the party", "coworker named Benedikt"),
    ("my son is called Caspian", "son is called Caspian"),
    ("my girlfriend's name is Soraya", "girlfriend's name is Soraya"),
    ("Ottilie is my cousin from Lyon", "Ottilie is my cousin"),
    ("I travelled with Greta, my neighbour, last spring", "Greta, my neighbour"),
    ("Aunt Philippa sent a birthday card", "Aunt Philippa"),
    ("Dr. Lindqvist moved my appointment", "Dr. Lindqvist"),
    ("my fiancé Anselm proposed in Kyoto", "fiancé Anselm"),
    ("my ex Florian keeps texting me", "ex Florian"),
    ("我妻子小林下周生日", "妻子小林"),
    ("老同学赵磊昨天给我打电话", "老同学赵磊"),
    ("我儿子叫豆豆，今年上小学", "儿子叫豆豆"),
    ("我女儿名叫安琪", "女儿名叫安琪"),
    ("我同事刘晓峰说周五要加班", "同事刘晓峰"),
    ("我老公老陈不爱吃辣", "老公老陈"),
    ("韩梅是我的大学室友", "韩梅是我的大学室友"),
    ("上周我去找了孙医生复查", "孙医生"),
    ("我闺蜜Lily要结婚了", "闺蜜Lily"),
    ("我老婆的名字是Anna", "老婆的名字是Anna"),
    ("我女儿乐乐刚学会走路", "女儿乐乐"),
    ("my boss, Mrs. Abernathy, approved it", "boss, Mrs. Abernathy"),
    ("Leopold and I went kayaking", "Leopold"),
    ("me and Saoirse are moving in together", "Saoirse"),
    ("我和胡静怡去爬山了", "胡静怡"),
    ("邓凯和我是发小", "邓凯"),
    ("I watched a movie with my sister Ana", "sister Ana"),
    ("我妹叫王诗涵，在北大读博", "妹叫王诗涵"),
    ("室友小周人很好", "室友小周"),
]


@pytest.mark.parametrize(("text", "value"), POSITIVES)
def test_positive(rules: RuleExtractor, text: str, value: str) -> None:
    assert_found(rules, text, RI, value, PrivacyLevel.PL2)


HARD_NEGATIVES = [
    "my sister is visiting next week",
    "my husband and I are planning a trip",
    "I told my mom. Then we left",
    "I called my mom Monday night",
    "my dad Facetimed me yesterday",
    "my friend ChatGPT helped me",
    "my mom May 5th appointment got moved",
    "This is my brother's old laptop",
    "Yesterday, my sister, who lives abroad, called",
    "my teacher English class is hard",
    "How do I talk to my boss about a raise?",
    "Sister Act is a great movie",
    "Uncle Sam wants you",
    "the doctor said to rest",
    "我妈马上就到",
    "我妈叫我吃饭",
    "我妈叫外卖了",
    "我老公张罗了一桌菜",
    "我妈妈高血压好多年了",
    "我妈小时候很穷",
    "我朋友圈里都在晒娃",
    "历史老师讲得很好",
    "我同学会去吗",
    "我爸老是加班",
    "我朋友周末来玩",
    "我女儿高中毕业了",
    "孩子们都睡了",
    "我姐姐明天回来",
    "这是我妈",
    "我哥哥哥们很多",
    "Google and I don't get along",
    "Honestly and I mean it",
    "我和同事去吃饭",
    "我和马上要来的人聊天",
    "跟我一起去吧",
    # fiction announced before the name
    "Write a short story about a nurse named Clara who travels to Mars",
    "写一个关于医生李华去西藏支教的故事",
    "电视剧里那个医生叫江晚，演得挺好",
    "我弟小于我三岁",
    "我哥说周末来",
]


@pytest.mark.parametrize("text", HARD_NEGATIVES)
def test_hard_negative(kin_only: RuleExtractor, text: str) -> None:
    assert spans_of(kin_only, text) == []


def test_user_name_stays_real_name_and_kin_merges(rules: RuleExtractor) -> None:
    """The user's own name is Real Name; a relative's name in the same message is Relationship Info."""
    text = "I'm Dana Whitfield and my brother Cormac is visiting"
    found = {(s.privacy_type, s.text) for s in rules.extract(text, user_name="Dana Whitfield")}
    assert ("Real Name", "Dana Whitfield") in found
    assert (RI, "brother Cormac") in found


def test_long_text_near_triggers_matches_full_scan() -> None:
    texts = [t for t, _ in POSITIVES] + HARD_NEGATIVES
    filler = "Nothing private in this sentence about the weather and lunch plans. "
    text = "\n".join(s + " " + filler * (i % 4) for i, s in enumerate(texts * 3))
    near, full = family_only("relationships"), family_only("relationships")
    full.near_triggers = False
    got = [(s.start, s.end) for s in near.extract(text)]
    assert len(got) >= len(POSITIVES) * 3
    assert got == [(s.start, s.end) for s in full.extract(text)]


@pytest.mark.parametrize(
    "unit",
    ["my sister Ana ", "Ana is my ", "Jake and I ", "Mr. Lee ", "我妻子小林", "我和王磊", "王老师", "叫豆豆"],
)
def test_repeated_input_takes_linear_time(growth, unit: str) -> None:
    rules = family_only("relationships")

    def make(n: int) -> str:
        return (unit * (n // len(unit) + 1))[:n]

    assert growth(rules.extract, make, 20_000) < 4
