"""Money with its purpose (PL3): income, wealth, debts and credit scores (Assets/Income), transfers
and large or medical/legal payments (Transaction Record), in English and Chinese; hard negatives are
amounts alone, everyday spending, general talk and counts that look like amounts."""

from __future__ import annotations

import pytest
from rule_checks import assert_found, family_only, spans_of

from memprivacy_plugin.extractors.rules import RuleExtractor
from memprivacy_plugin.extractors.rules.catalog.amounts import _cn_value, _value
from memprivacy_plugin.taxonomy import PrivacyLevel

AI = "Assets/Income"
TR = "Transaction Record"
PL3 = PrivacyLevel.PL3


@pytest.fixture(scope="module")
def amounts_only() -> RuleExtractor:
    return family_only("amounts")


POSITIVES = [
    # income
    ("my salary is $187,500", AI, "salary is $187,500"),
    ("I make 95k a year as a nurse", AI, "make 95k a year"),
    ("we bring in about $140k combined", AI, "bring in about $140k"),
    ("I earn $32 an hour before tax", AI, "earn $32 an hour before tax"),
    ("Tomás's bonus this year was €12,000.", AI, "bonus this year was €12,000"),
    ("my take-home pay is 4,300 dollars a month", AI, "take-home pay is 4,300 dollars a month"),
    ("I got a raise to $104,000 last week", AI, "raise to $104,000"),
    ("My salary is 87400 before taxes", AI, "salary is 87400 before taxes"),
    ("月薪两万", AI, "月薪两万"),
    ("我年薪三十万，但是房贷压力很大", AI, "年薪三十万"),
    ("我老公的月收入大概是1.5万", AI, "月收入大概是1.5万"),
    ("我这个月工资到手8000", AI, "工资到手8000"),
    ("我妈的退休金每个月4500元", AI, "退休金每个月4500元"),
    ("年终奖发了两万五", AI, "年终奖发了两万五"),
    # wealth
    ("I have $50,000 in savings", AI, "$50,000 in savings"),
    ("our net worth is around $1.2 million", AI, "net worth is around $1.2 million"),
    ("my 401k has $230,000 in it", AI, "401k has $230,000"),
    ("我存款有50万", AI, "存款有50万"),
    ("我有十几万存款", AI, "十几万存款"),
    # debts and credit
    ("I owe 30k on my student loan", AI, "owe 30k on my student loan"),
    ("my mortgage is $2,100 a month", AI, "mortgage is $2,100 a month"),
    ("she still has a $6,200 credit card balance", AI, "$6,200 credit card balance"),
    ("Given that $420,000 mortgage, how much can I spend?", AI, "$420,000 mortgage"),
    ("I borrowed 2万 from my friend", AI, "borrowed 2万"),
    ("我欠了信用卡五万", AI, "欠了信用卡五万"),
    ("我还有房贷 30 万欧元没还", AI, "房贷 30 万欧元"),
    ("My credit score is 720", AI, "credit score is 720"),
    ("I have a 690 credit score", AI, "690 credit score"),
    ("我的芝麻分是720", AI, "芝麻分是720"),
    # transactions
    ("I paid ¥2,400 for an IVF consultation", TR, "paid ¥2,400 for an IVF consultation"),
    ("I paid $80 for my therapy session", TR, "paid $80 for my therapy session"),
    ("we wired $12,000 to the lawyer", TR, "wired $12,000 to the lawyer"),
    ("I transferred 5000 yuan to my brother", TR, "transferred 5000 yuan"),
    ("The bill for my surgery came to $12,000", TR, "surgery came to $12,000"),
    ("My rent is $1,650", TR, "rent is $1,650"),
    ("我给我弟转了5000块", TR, "转了5000块"),
    ("我花了两千块做了胃镜", TR, "花了两千块"),
    ("我每个月房租3500", TR, "房租3500"),
    ("I spent $3,500 on a new laptop", TR, "spent $3,500"),
    ("I just paid a £3,000 progress invoice to the builder", TR, "paid a £3,000 progress invoice"),
    ("我交了1200欧元的押金", TR, "交了1200欧元的押金"),
    ("I noticed an unauthorized charge of $152.75 on my card", TR, "unauthorized charge of $152.75"),
    # the next amount of a list, with its object
    ("I still owe around $23,000 on my car loan and $8k on my Amex.", AI, "$8k on my Amex"),
    ("我欠了信用卡八万，还有花呗两万。", AI, "花呗两万"),
    # a number without a currency right after a debt verb
    ("I still owe 23,400 on my student loans", AI, "owe 23,400"),
    ("I borrowed 1500 from my brother", AI, "borrowed 1500"),
    ("I still owe 23,400 on my student loans and $8k on my Amex", AI, "$8k on my Amex"),
    ("my salary is $95k, $10k bonus and $5k stock", AI, "$5k stock"),
]


@pytest.mark.parametrize(("text", "ptype", "value"), POSITIVES)
def test_positive(rules: RuleExtractor, text: str, ptype: str, value: str) -> None:
    assert_found(rules, text, ptype, value, PL3)


HARD_NEGATIVES = [
    # everyday spending and amounts alone
    "coffee was $5",
    "lunch cost 30 yuan",
    "午饭花了30元",
    "我花了30块吃午饭",
    "I spent $40 on groceries",
    "we got a $45 fee from the bank",
    "the ticket is $12",
    "it's $2,000 cheaper than last year's model",
    # general talk
    "the average salary in Germany is €50,000",
    "doctors make $200k a year",
    "北京程序员平均月薪两万",
    "flights to Paris cost $1,200 in May",
    "How much is the monthly payment on a $420,000 mortgage?",
    "Student loans in the US total $1.7 trillion, according to the news",
    "the cost of living in Zurich, $6,000 a month, is high for me",
    # counts, years and amounts without money
    "I ran 5k this morning",
    "I walked 2万步 today",
    "My salary in 2024 was discussed",
    "I need to save 10k words for the essay",
    "我们公司有两千人",
    "十分感谢你的建议",
    "my 401k question: should I rebalance?",
    # verbs far from the amount
    "I'm making this $8,000 buffer last",
    "where are you sending me that fits this $8,500 limit",
    "Fine, $25 is a trivial amount",
    "The fee was $5,000 and $12 for parking.",
    "I owe 300 people an apology",
]


@pytest.mark.parametrize("text", HARD_NEGATIVES)
def test_hard_negative(amounts_only: RuleExtractor, text: str) -> None:
    assert spans_of(amounts_only, text) == []


@pytest.mark.parametrize(
    ("numeral", "value"),
    [("两万", 20_000), ("三十万", 300_000), ("一百二十万", 1_200_000), ("两万五", 25_000), ("五千", 5_000),
     ("十几万", 150_000)],
)  # fmt: skip
def test_chinese_numerals(numeral: str, value: float) -> None:
    assert _cn_value(numeral) == value


@pytest.mark.parametrize(
    ("amount", "value"),
    [("$187,500", 187_500), ("95k", 95_000), ("€1.2 million", 1_200_000), ("1.5万", 15_000),
     ("€1.160", 1_160), ("¥300,000 yen", 3_000)],
)  # fmt: skip
def test_amount_values(amount: str, value: float) -> None:
    assert _value(amount) == pytest.approx(value)


def test_two_amounts_in_one_sentence(amounts_only: RuleExtractor) -> None:
    text = "My house is worth about $900k and I still owe $300k on the mortgage."
    found = [(s.privacy_type, s.text) for s in spans_of(amounts_only, text)]
    assert found == [(AI, "worth about $900k"), (AI, "owe $300k on the mortgage")]


def test_messages_without_a_purpose_word_or_a_number(amounts_only: RuleExtractor) -> None:
    assert spans_of(amounts_only, "I owe you one, thanks for the salary advice") == []
    assert spans_of(amounts_only, "$5,000,000") == []


def test_linear_time(amounts_only: RuleExtractor, growth) -> None:
    for unit in ("my salary is $1,000 and ", "月薪两万，", "owe 5k ", "$1 ", "十万"):

        def make(n: int, unit: str = unit) -> str:
            return (unit * (n // len(unit) + 1))[:n]

        assert growth(amounts_only.extract, make, 20_000) < 4
