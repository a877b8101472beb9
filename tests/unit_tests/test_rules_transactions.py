"""Transaction references (PL3) after their key word, and the tails of cards and accounts; hard
negatives are counts, years, product models and tails with no card word."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from rule_checks import assert_found, family_only, spans_of

from memprivacy_plugin.extractors.rules import RuleExtractor
from memprivacy_plugin.taxonomy import PrivacyLevel

TR = "Transaction Record"
FA = "Financial Account"


@pytest.fixture(scope="module")
def transactions_only() -> RuleExtractor:
    return family_only("transactions")


REFERENCES = [
    ("I ordered a new lamp, Order #LMP-40213, and it never came.", "LMP-40213"),
    ("My receipt ID is QRT-55120 if you need it.", "QRT-55120"),
    ("The transaction reference number is 7781-2290-11.", "7781-2290-11"),
    ("Invoice no. INV2291004 is still unpaid.", "INV2291004"),
    ("tracking number is 1Z999AA10123456784", "1Z999AA10123456784"),
    ("The dispute reference for the refund is DSP-44-0917.", "DSP-44-0917"),
    ("交易流水号我记在便签上了，是 TX-QWE-318。", "TX-QWE-318"),
    ("那笔外卖（订单号：FD-20931）还没到", "FD-20931"),
    ("收据编号 88213390 的那张发票丢了", "88213390"),
    ("那个 UE-5521 订单怎么还没发货", "UE-5521"),
]
TAILS = [
    ("Please check the card ending in 7731 for the fee.", "ending in 7731"),
    ("The last four digits are 9921 on my Visa.", "last four digits are 9921"),
    ("我那张信用卡尾号是 3391，额度不够了", "尾号是 3391"),
    ("用工商银行尾号0417的卡付吧", "尾号0417"),
]


@pytest.mark.parametrize(("text", "value"), REFERENCES)
def test_reference(transactions_only: RuleExtractor, text: str, value: str) -> None:
    assert_found(transactions_only, text, TR, value, PrivacyLevel.PL3)


@pytest.mark.parametrize(("text", "value"), TAILS)
def test_card_tail(transactions_only: RuleExtractor, text: str, value: str) -> None:
    assert_found(transactions_only, text, FA, value, PrivacyLevel.PL3)


@pytest.mark.parametrize(("text", "value"), REFERENCES[::3] + TAILS[::2])
def test_in_the_default_extractor(rules: RuleExtractor, text: str, value: str) -> None:
    start = text.index(value)
    assert any(s.start <= start and start + len(value) <= s.end for s in spans_of(rules, text))


HARD_NEGATIVES = [
    "Can you order 2 pizzas for 250 people?",
    "The invoice for 2024 is late.",
    "What does an order number look like on Amazon?",
    "The RTX-4090 is fast.",
    "In order 66 the clones turn.",
    "我的手机尾号 8812",
    "车牌尾号是 7 的今天限行",
    "订单太多了，我们要加班",
    "Receipts from 1999 are in the box.",
]


@pytest.mark.parametrize("text", HARD_NEGATIVES)
def test_hard_negative(transactions_only: RuleExtractor, text: str) -> None:
    assert spans_of(transactions_only, text) == []


def test_long_message_takes_linear_time(
    transactions_only: RuleExtractor, growth: Callable[..., float]
) -> None:
    unit = "Order #AB-12345 ok. card ending in 1234. 订单号：CD-99881。尾号5642的卡 "

    def make(n: int) -> str:
        return (unit * (n // len(unit) + 1))[:n]

    assert growth(transactions_only.extract, make, 20_000) < 4
