"""Financial accounts (PL3): IBANs, payment cards (Luhn-valid anywhere, or card-shaped after a card
word even when a strict check rejects them), and bank account numbers after account words."""

from __future__ import annotations

from ..engine import Recognizer
from ..validators import account_ok, card_ok, stdnum_check
from ._keyed import keyed

__all__ = ["finance_recognizers"]

_ACCOUNT_WORDS = (
    "银行卡号",
    "卡号",
    "银行账号",
    "银行账户",
    "账号",
    "账户号码",
    "账户",
    "存折",
    r"(?:credit |debit |bank )?card[ _-]?(?:number|no\.?|num)",
    r"account[ _-]?(?:number|no\.?|num|#)",
    r"(?:checking|chequing|savings|bank|current|deposit|brokerage|investment|retirement|joint|business|"
    r"personal|salary|payroll)[ _-]account",
    r"acct(?: no\.?)?",
    r"routing number",
)
# A bare account word right before a long number ("wire it to account 12345678901",
# "savings: 4401229988"); no clause between them ("my account balance is 12345678" is an amount).
_BARE_ACCOUNT_WORDS = (r"account", r"savings", r"checking", r"chequing")
_CARD_WORDS = (
    "信用卡",
    "银行卡",
    "借记卡",
    "储蓄卡",
    "银联卡",
    "卡号",
    r"(?:credit|debit|bank|payment|prepaid|corporate|business)?[ _-]?card",
    r"visa",
    r"master[ _-]?card",
    r"amex",
    r"american express",
    r"discover",
    r"unionpay",
    r"jcb",
    r"diners(?: club)?",
    r"cc",
    r"maestro",
)
# "收款账户：招商银行 6225 ...": the bank's name may stand between the key word and the number.
_BANK_NAME = r"(?:[\u4e00-\u9fff]{1,12}(?:银行|信用社|分行|支行)[ ,，:：]{0,3})?"
# Card-shaped digits: 4-4-4-4(-3), the 4-6-5/4-6-4 of Amex and Diners, or 12-19 in a row
# (Maestro cards have 12).
_GROUPED_CARD = r"\d{4}(?:[ \-]\d{4}){3}(?:[ \-]\d{3})?|\d{4}[ \-]\d{6}[ \-]\d{4,5}"
_CARD_SHAPE = rf"(?:{_GROUPED_CARD}|\d{{12,19}})(?![\d])"
# Card words as plain substrings, for a card-shaped number anywhere in the same sentence.
_CARD_CONTEXT = ("card", "visa", "mastercard", "amex", "信用卡", "银行卡", "借记卡", "卡号", "储蓄卡")


def _not_one_digit(value: str) -> bool:
    """Not a stand-in such as 0000 0000 0000 0000 (test cards such as 4111 1111 1111 1111 pass)."""
    return len({c for c in value if c.isdigit()}) > 1


def finance_recognizers() -> list[Recognizer]:
    return [
        Recognizer(
            "iban",
            "Financial Account",
            # Any case: typed IBANs are often lower case; the checksum keeps precision.
            pattern=r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?\b",
            validator=stdnum_check("iban"),
            score=0.97,
            min_digits=8,
            description="IBAN via stdnum.iban",
        ),
        Recognizer(
            "payment_card",
            "Financial Account",
            pattern=r"(?<![0-9A-Za-z\-.])\d{4}(?:[ \-]?\d{2,6}){2,4}(?![0-9A-Za-z]|[\-.]\d)",
            validator=card_ok,
            score=0.9,
            min_digits=13,
            not_before=r"(?:imei|meid|串号|设备号)(?: ?(?:number|no\.?|#))?[\s:：=#]*(?:是|为|is)?",
            description="13-19 digit card numbers passing Luhn",
        ),
        keyed(
            "card_keyword",
            "Financial Account",
            _CARD_WORDS,
            _CARD_SHAPE,
            validator=_not_one_digit,
            score=0.85,
            trigger=(
                "卡",
                "card",
                "visa",
                "master",
                "amex",
                "american express",
                "discover",
                "unionpay",
                "jcb",
                "diners",
                "cc",
                "maestro",
            ),
            description="card-shaped numbers after a card word, even when Luhn rejects them",
        ),
        Recognizer(
            "card_near_card_word",
            "Financial Account",
            pattern=rf"(?<![0-9A-Za-z\-.])(?:{_GROUPED_CARD})(?![0-9A-Za-z]|[\-.]\d)",
            validator=_not_one_digit,
            context=_CARD_CONTEXT,
            context_window=80,
            score=0.8,
            trigger=("card", "visa", "mastercard", "amex", "卡"),
            min_digits=13,
            description="a grouped card-shaped number (4-4-4-4, 4-6-5) with a card word shortly before it",
        ),
        keyed(
            "account_keyword",
            "Financial Account",
            _ACCOUNT_WORDS,
            r"\d(?:[ \-]?\d){7,23}",
            lead=_BANK_NAME,
            validator=account_ok,
            score=0.85,
            trigger=("卡号", "账号", "账户", "存折", "card", "account", "acct", "routing"),
        ),
        keyed(
            "account_bare",
            "Financial Account",
            _BARE_ACCOUNT_WORDS,
            r"\d(?:[ \-]?\d){7,23}",
            validator=account_ok,
            score=0.8,
            gap=False,
            trigger=("account", "savings", "checking", "chequing"),
            description="a long number right after account/savings/checking",
        ),
    ]
