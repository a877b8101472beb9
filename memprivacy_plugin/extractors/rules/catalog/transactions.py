"""References to a person's own transactions and cards (PL3), in English and Chinese: the order,
receipt, invoice, transaction and tracking numbers that retrieve a purchase or a payment ("Order
#AMZ-UK-88392", "receipt ID VSA-77392", "交易流水号是 TX-AMX-551", "订单号：CB-88405"), and the
tail of a card or account ("the card ending in 4214", "last four digits are 2513", "尾号5642的借记卡").

A reference number is the key a support desk or anyone holding it uses to pull up the order, its
amount and its delivery address, so it is a Transaction Record even when the purchase is everyday
(the purchase itself stays in clear: an amount alone is not private). It is taken only after its
key word and only when it holds three digits or more, so "order 2 pizzas" or "the invoice for
2024" are not references. A card tail is taken only with a card, account or bank word next to it:
"尾号" alone is as often a phone's tail or a licence plate's.
"""

from __future__ import annotations

import re

from ..engine import Recognizer
from ._keyed import keyed, keyed_after

__all__ = ["transaction_recognizers"]

_EN_REFERENCE = (
    r"order(?:\s+(?:number|no\.?|id|#|ref(?:erence)?(?:\s+number)?|confirmation))?",
    r"invoice(?:\s+(?:number|no\.?|id|#|ref(?:erence)?))?",
    r"receipt(?:\s+(?:number|no\.?|id|#|code))?",
    r"transaction(?:\s+(?:id|number|no\.?|#|code|ref(?:erence)?(?:\s+(?:number|no\.?|id))?))?",
    r"(?:payment|dispute|refund|claim|purchase|billing|return|rma|chargeback|case|ticket)\s+"
    r"(?:reference|ref\.?|id|number|no\.?|#)(?:\s+(?:number|no\.?|id))?",
    r"(?:reference|ref\.?)\s*(?:number|no\.?|id|code|#)",
    r"tracking(?:\s+(?:number|no\.?|id|code|#))?",
)
_ZH_REFERENCE = (
    "订单号",
    "订单编号",
    "订单",
    "单号",
    "收据号",
    "收据编号",
    "收据",
    "流水号",
    "交易号",
    "交易编号",
    "交易单号",
    "参考号",
    "凭证号",
    "凭证编号",
    "凭证",
    "发票号",
    "发票编号",
    "追踪号",
    "运单号",
    "快递单号",
    "物流单号",
    "账单号",
    "退款单号",
    "缴费单号",
    "支付单号",
)
_TRIGGER = (
    "order",
    "invoice",
    "receipt",
    "transaction",
    "reference",
    "ref",
    "tracking",
    "number",
    "id",
    "#",
    "no",
    "单号",
    "订单",
    "收据",
    "流水号",
    "交易",
    "参考号",
    "凭证",
    "发票",
    "追踪号",
)
# A reference: letters, digits and dashes, with three digits or more ("ORD-993-APEX", "#TX-993",
# "09-08823-112", "PM-55412").
_REFERENCE = r"(?=[#A-Za-z0-9\-]{0,48}\d)#?[A-Za-z0-9]{1,24}(?:-[A-Za-z0-9]{1,16}){0,5}"
_YEAR = re.compile(r"(?:19|20)\d\d")


def _reference_ok(value: str) -> bool:
    digits = sum(c.isdigit() for c in value)
    bare = value.lstrip("#")
    if digits < 3 or _YEAR.fullmatch(bare):
        return False
    # A pure number is a reference from four digits on ("order 1234"), not a count ("order 250").
    return not bare.isdigit() or len(bare) >= 4


_CARD_WORDS = (
    r"card|cards|account|visa|mastercard|master card|amex|american express|debit|credit|checking|"
    r"savings|iban|卡|账户|帐户|账号|帐号|银行|借记卡|信用卡|储蓄卡"
)
_CARD_WORD = re.compile(rf"(?:{_CARD_WORDS})", re.IGNORECASE)
_TAIL = re.compile(
    r"(?P<tail>(?:(?:ending|ends)\s+(?:in|with)|last\s+(?:4|four)(?:\s+digits)?(?:\s+(?:are|is|of))?|"
    r"尾号(?:是|为)?)[\s:：*\"'“”]{0,3}(?P<digits>\d{3,4}))(?!\d)",
    re.IGNORECASE,
)


class _CardTails:
    """Tails of a card or account: a tail phrase and three or four digits, with a card word within
    32 characters before it or 16 after it (the span is the phrase and the digits)."""

    def __call__(self, text: str) -> list[tuple[int, int]]:
        out: list[tuple[int, int]] = []
        for m in _TAIL.finditer(text):
            start, end = m.span("tail")
            if _CARD_WORD.search(text, max(0, start - 32), start) or _CARD_WORD.search(text, end, end + 16):
                out.append((start, end))
        return out


def transaction_recognizers() -> list[Recognizer]:
    return [
        keyed(
            "transaction_reference",
            "Transaction Record",
            (*_EN_REFERENCE, *_ZH_REFERENCE),
            _REFERENCE,
            trigger=_TRIGGER,
            validator=_reference_ok,
            score=0.7,
            description="order, receipt, invoice, transaction and tracking numbers after their key word",
        ),
        keyed_after(
            "transaction_reference_before",
            "Transaction Record",
            r"(?=[A-Za-z0-9\-]{0,48}\d)(?=[A-Za-z]{1,8}-)[A-Za-z0-9]{1,16}(?:-[A-Za-z0-9]{1,16}){1,5}",
            ("订单", "order", "invoice", "receipt"),
            trigger=("订单", "order", "invoice", "receipt"),
            validator=_reference_ok,
            score=0.7,
        ),
        Recognizer(
            "card_tail",
            "Financial Account",
            finder=_CardTails(),
            score=0.75,
            trigger=("ending", "ends", "last", "尾号"),
            min_digits=3,
            description="the tail of a card or account ('card ending in 4214', '尾号5642的借记卡')",
        ),
    ]
