"""People named in Chinese text without a kinship word: Latin names next to a person's verb, and
dotted transliterated names; hard negatives are brands, apps, places and dashes between words."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from rule_checks import assert_found, family_only, spans_of

from memprivacy_plugin.extractors.rules import RuleExtractor
from memprivacy_plugin.taxonomy import PrivacyLevel

RI = "Relationship Info"


@pytest.fixture(scope="module")
def people_only() -> RuleExtractor:
    return family_only("named_people")


POSITIVES = [
    ("我刚和Emma一起吃了晚饭。", "Emma"),
    ("Lucas正在厨房做饭，我去帮忙。", "Lucas"),
    ("我用微信给Oliver发了消息", "Oliver"),
    ("明天Hannah Schmidt会来我家", "Hannah Schmidt"),
    ("我得提醒Noé带钥匙", "Noé"),
    ("紧急联系人是彼得·施密特，电话我发你", "彼得·施密特"),
    ("父亲约翰·范·德·伯格是退休高管", "约翰·范·德·伯格"),
]


@pytest.mark.parametrize(("text", "value"), POSITIVES)
def test_positive(people_only: RuleExtractor, text: str, value: str) -> None:
    assert_found(people_only, text, RI, value, PrivacyLevel.PL2)


HARD_NEGATIVES = [
    "我用WhatsApp发了消息",
    "和Google合作的项目下周上线",
    "我在Paris住了三年",
    "我的iPad坏了，Amex卡也被冻结了",
    "我觉得—好的，就这样",
    "中·美关系最近很紧张",
    "Emma Watson starred in the film.",
    "Python正在成为最流行的语言",
]


@pytest.mark.parametrize("text", HARD_NEGATIVES)
def test_hard_negative(people_only: RuleExtractor, text: str) -> None:
    assert spans_of(people_only, text) == []


def test_long_message_takes_linear_time(people_only: RuleExtractor, growth: Callable[..., float]) -> None:
    unit = "我和Emma去了公园，Lucas正在做饭，约翰·史密斯来了。WhatsApp "

    def make(n: int) -> str:
        return (unit * (n // len(unit) + 1))[:n]

    assert growth(people_only.extract, make, 20_000) < 4
