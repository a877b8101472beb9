"""Chinese street addresses (PL2): units, road, house number with 号/弄, building and room; hard
negatives are 路 in other words, line and plan numbers, dates and rooms alone."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from rule_checks import assert_found, family_only, spans_of

from memprivacy_plugin.extractors.rules import RuleExtractor
from memprivacy_plugin.taxonomy import PrivacyLevel

DA = "Detailed Address"


@pytest.fixture(scope="module")
def addresses_only() -> RuleExtractor:
    return family_only("addresses")


POSITIVES = [
    ("我现在住在杭州市西湖区文三路 259 号", "杭州市西湖区文三路 259 号"),
    ("快递寄到上海市徐汇区漕溪北路 1200 弄 3 号 502 室", "上海市徐汇区漕溪北路 1200 弄 3 号 502 室"),
    ("我家在学院街15号3单元201", "学院街15号3单元201"),
    ("我搬到了中山东一路18号", "中山东一路18号"),
    ("地址是广州市天河区体育西路 103 号 A 座 2105 室，麻烦了", "广州市天河区体育西路 103 号 A 座 2105 室"),
    ("我爸妈住在成都市武侯区人民南路四段27号", "成都市武侯区人民南路四段27号"),
    ("公司在南京西路1266号恒隆广场", "南京西路1266号"),
]


@pytest.mark.parametrize(("text", "value"), POSITIVES)
def test_positive(addresses_only: RuleExtractor, text: str, value: str) -> None:
    assert_found(addresses_only, text, DA, value, PrivacyLevel.PL2)


@pytest.mark.parametrize(("text", "value"), POSITIVES[::3])
def test_in_the_default_extractor(rules: RuleExtractor, text: str, value: str) -> None:
    start = text.index(value)
    assert any(
        s.start <= start and start + len(value) <= s.end and s.privacy_type == DA
        for s in spans_of(rules, text)
    )


HARD_NEGATIVES = [
    "这条路上有3号线地铁",
    "我的思路是第2号方案",
    "一路走来30号那天最难忘",
    "他住在203室",
    "我们在人民路上走到了10号那天",
    "下个月5号交房租",
    "走路去3号门",
]


@pytest.mark.parametrize("text", HARD_NEGATIVES)
def test_hard_negative(addresses_only: RuleExtractor, text: str) -> None:
    assert spans_of(addresses_only, text) == []


def test_long_message_takes_linear_time(addresses_only: RuleExtractor, growth: Callable[..., float]) -> None:
    unit = "我住在杭州市西湖区文三路259号3单元201，思路一路走路3号线 "

    def make(n: int) -> str:
        return (unit * (n // len(unit) + 1))[:n]

    assert growth(addresses_only.extract, make, 20_000) < 4
