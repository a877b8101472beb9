"""Financial accounts (PL3): payment cards (Luhn-valid anywhere, card-shaped after a card word even
when Luhn fails), bank account numbers after account words, IBANs. Check digits are computed here
with python-stdnum."""

from __future__ import annotations

import pytest
from rule_checks import assert_found, family_only, spans_of
from stdnum import iban, luhn

from memprivacy_plugin.extractors.rules import RuleExtractor
from memprivacy_plugin.taxonomy import PrivacyLevel

FA = "Financial Account"
PL3 = PrivacyLevel.PL3


def card(prefix15: str) -> str:
    """A 16-digit Luhn-valid number starting with the 15 digits given."""
    return prefix15 + luhn.calc_check_digit(prefix15)


def not_luhn(number: str) -> str:
    """The number with its last digit changed so that Luhn fails."""
    for d in "0123456789":
        candidate = number[:-1] + d
        if not luhn.is_valid(candidate):
            return candidate
    raise AssertionError("unreachable")


def grouped(number: str, sizes: tuple[int, ...] = (4, 4, 4, 4), sep: str = " ") -> str:
    parts, i = [], 0
    for size in sizes:
        parts.append(number[i : i + size])
        i += size
    return sep.join(parts)


def make_iban(country: str, bban: str) -> str:
    return country + iban.calc_check_digits(country + "00" + bban) + bban


VISA = card("453201889034712")
MASTERCARD = card("552043117729045")
UNIONPAY = card("622588123456789")
AMEX = "3782" + "917340" + "1" + "2345"
AMEX = AMEX[:-1] + luhn.calc_check_digit(AMEX[:-1])
VISA_BAD = not_luhn(VISA)
IBAN_DE = make_iban("DE", "700202701234567890")
IBAN_GB = make_iban("GB", "BARC20041571234567")
IBAN_NL = make_iban("NL", "RABO0123456789")


def test_generated_values() -> None:
    assert all(luhn.is_valid(n) for n in (VISA, MASTERCARD, UNIONPAY, AMEX))
    assert not luhn.is_valid(VISA_BAD)
    assert all(iban.is_valid(n) for n in (IBAN_DE, IBAN_GB, IBAN_NL))


@pytest.fixture(scope="module")
def finance_only() -> RuleExtractor:
    return family_only("finance")


POSITIVES = [
    # Luhn-valid cards anywhere
    (f"card {grouped(VISA)} exp 12/27", grouped(VISA)),
    (f"it's {grouped(MASTERCARD, sep='-')} and the expiry is 03/28", grouped(MASTERCARD, sep="-")),
    (f"charge {VISA} please", VISA),
    (f"my Amex is {grouped(AMEX, (4, 6, 5))}", grouped(AMEX, (4, 6, 5))),
    (f"招商银行卡号：{grouped(UNIONPAY)}", grouped(UNIONPAY)),
    (f"卡号是{UNIONPAY}，帮我查下余额", UNIONPAY),
    (f"**Card:** `{grouped(VISA)}`", grouped(VISA)),
    (f"ref 000000 {grouped(VISA)} ok", grouped(VISA)),
    # card-shaped after a card word, even when Luhn fails
    ("my Visa 4111 1111 1111 1112", "4111 1111 1111 1112"),
    ("my Visa is 4111 1111 1111 1112", "4111 1111 1111 1112"),
    (f"debit card: {grouped(VISA_BAD)}", grouped(VISA_BAD)),
    (f"信用卡 {grouped(VISA_BAD)} 过期了", grouped(VISA_BAD)),
    (f"Visa ending 4242 - the full number is {grouped(VISA_BAD)}", grouped(VISA_BAD)),
    (f"Mastercard: {grouped(not_luhn(MASTERCARD), sep='-')}", grouped(not_luhn(MASTERCARD), sep="-")),
    # bank accounts after account words
    ("my checking account is 004512389921", "004512389921"),
    ("I'm paying from my savings account 7780 2213 9045", "7780 2213 9045"),
    ("chequing account no. 00123-4567-89", "00123-4567-89"),
    ("please wire it to account #7745120938", "7745120938"),
    ("routing number 021000021", "021000021"),
    ("我的银行账户是 6222 0212 3456 7890", "6222 0212 3456 7890"),
    ("工资卡账号：6217000010012345678", "6217000010012345678"),
    ("账号 62170000100123", "62170000100123"),
    ("转到我的账户 1234567890123 就行", "1234567890123"),
    ("请打款到这个账号：6228480402564890018", "6228480402564890018"),
    ("收款账户：中国银行 6013 8261 0000 1234 567", "6013 8261 0000 1234 567"),
    ("收款账号：招商银行杭州分行，6225 8812 3456 7890", "6225 8812 3456 7890"),
    # IBANs
    (f"IBAN: {iban.format(IBAN_DE)}", iban.format(IBAN_DE)),
    (f"iban {IBAN_DE}", IBAN_DE),
    (f"send the deposit to {iban.format(IBAN_GB)} please", iban.format(IBAN_GB)),
    (f"my Dutch account: {IBAN_NL}.", IBAN_NL),
]


@pytest.mark.parametrize(("text", "value"), POSITIVES)
def test_positive(rules: RuleExtractor, text: str, value: str) -> None:
    assert_found(rules, text, FA, value, PL3)


ORDER = not_luhn("8812334566771290")

HARD_NEGATIVES = [
    # order, tracking and reference numbers (Luhn fails, no card or account word)
    f"the order number is {grouped(ORDER)}",
    f"订单号：{ORDER}",
    "tracking 9400 1000 0000 0000 0000 00",
    "ISBN 978-3-16-148410-0",
    "invoice 2024051812345678",
    # amounts and balances
    "the total was $1234.56",
    "account balance 1234.56",
    "my account balance is 12345678",
    "信用卡额度 50000",
    "账户余额还有 12345.67 元",
    # card and account words without a number, or with only its last digits
    "card ending in 4242",
    "Visa ending 4242",
    "尾号为4242的卡",
    "银行卡尾号 4242",
    "the last four digits of my card are 4242",
    "I have 2 cards and 3 accounts",
    "account 2024",
    "my account is locked",
    "my card was declined 3 times",
    "账户：2024年开的",
    # phone-like numbers without account words
    "call me 13800138000",
    "my number is 138 0013 8000",
    # an IBAN with a broken check
    IBAN_DE[:2] + ("00" if IBAN_DE[2:4] != "00" else "01") + IBAN_DE[4:],
]


@pytest.mark.parametrize("text", HARD_NEGATIVES)
def test_hard_negative(finance_only: RuleExtractor, text: str) -> None:
    assert spans_of(finance_only, text) == []


def test_card_next_to_a_date_and_a_cvv(rules: RuleExtractor) -> None:
    text = f"card {grouped(VISA)} exp 12/27 cvv 381"
    found = [(s.privacy_type, s.text) for s in spans_of(rules, text)]
    assert found == [(FA, grouped(VISA)), ("Payment Security Code", "381")]
