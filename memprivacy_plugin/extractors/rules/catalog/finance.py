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
)
# "收款账户：招商银行 6225 ...": the bank's name may stand between the key word and the number.
_BANK_NAME = r"(?:[\u4e00-\u9fff]{1,12}(?:银行|信用社|分行|支行)[ ,，:：]{0,3})?"
# Card-shaped digits: 4-4-4-4(-1..3), the 4-6-5/4-6-4 of Amex and Diners, or 13-19 in a row.
_CARD_SHAPE = r"(?:\d{4}(?:[ \-]\d{4}){3}(?:[ \-]\d{3})?|\d{4}[ \-]\d{6}[ \-]\d{4,5}|\d{13,19})(?![\d])"


def finance_recognizers() -> list[Recognizer]:
    return [
        Recognizer(
            "iban",
            "Financial Account",
            pattern=r"(?-i:\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?)\b",
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
            validator=lambda v: len({c for c in v if c.isdigit()}) > 2,
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
            ),
            description="card-shaped numbers after a card word, even when Luhn rejects them",
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
    ]
