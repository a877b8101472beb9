"""Money with its purpose (PL3), in English and Chinese: income, wealth, debts and credit standing
(Assets/Income), and payments that say something about a person (Transaction Record): "my salary is
$187,500", "I make 95k a year", "owe 30k on my student loan", "paid ¥2,400 for an IVF consultation",
"月薪两万", "我欠了信用卡五万".

An amount alone is not private, nor is everyday spending ("coffee was $5", "午饭花了30元"): an amount
is kept only with a word that gives its purpose (a salary, a loan, a transfer, a payment), next to
it in the same clause, in a sentence that says whose it is (I, my, we, he, she, a kinship word, a
named person's "Ana's"), with no word that makes it general talk ("the average salary", "人均收入").
A payment or a purchase is kept when it is large (1,000 or more in its currency, 100,000 yen or won)
or its purpose is medical or legal; income, wealth, debts, transfers and rent whatever the amount.

The span is the minimal fragment that carries the fact: the purpose word through the amount ("salary
is $187,500", "月薪两万"), the amount through a purpose word after it ("$6,200 credit card balance",
"30k in student loans"), or both ("owe 30k on my student loan", "paid ¥2,400 for an IVF
consultation"). Credit scores are numbers without a currency after or before their name.

Amounts are found by one regex over the message (only when it holds a digit or a Chinese numeral
and one of the purpose words); every other check reads a bounded window around an amount, so the
cost stays linear.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterator
from typing import Any

from ..engine import Recognizer, Scan, ScanFinder
from ..patterns import compile_pattern
from ._cues import EN_KIN, ZH_KIN

__all__ = ["amount_recognizers"]

_F = re.ASCII
_Hit = tuple[int, int, str]  # start, end, and a purpose word's class or a privacy type


def _words(block: str) -> list[str]:
    """A lexicon written as one "|"-separated string."""
    return [w for w in block.split("|") if w]


# -- amounts ------------------------------------------------------------------------------------------

_NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d{1,2})?|\d{1,3}(?:\.\d{3})+(?:,\d{1,2})?(?![\d])|\d+(?:\.\d+)?"
_SYMBOL = r"(?:\$|€|£|¥|￥|₹|₩|₽|₺|₫|฿)"
_CODE = r"(?:usd|eur|gbp|cny|rmb|jpy|cad|aud|hkd|chf|inr|sgd|nzd|krw)"
_SCALE_WORD = r"\s?(?:thousand|million|billion|grand|mil)(?![a-z])"
_SCALE_SHORT = r"\s?(?:k|m|mm|mn|bn|b)(?![a-z])"
_SCALE_CN = r"\s?(?:百万|千万|万|千|亿)"
_POST = (
    r"\s?(?:dollars?|bucks|euros?|pounds?|quid|yuan|rmb|usd|eur|gbp|cad|aud|cny|jpy|yen|元|块钱|块|美元|"
    r"美金|欧元|英镑|日元|加元|加币|澳元|港币|港元|人民币|韩元|卢布|新币|刀)"
)
_CN_DIGIT = "零〇一二两三四五六七八九十百千万亿几多来"
_CN_NUM = rf"(?<![{_CN_DIGIT}])[一二两三四五六七八九十几][{_CN_DIGIT}]{{0,9}}"
# "$80-90k", "8,000 to 9,000 euros": a range reads as one amount.
_RANGE = rf"(?:\s?(?:-|to|~|至|到)\s?{_SYMBOL}?(?:{_NUM})(?:{_SCALE_WORD}|{_SCALE_SHORT}|{_SCALE_CN})?)?"
# Units after a number that make it a count, not money ("3万步", "2千人").
_NOT_MONEY = (
    r"(?!\s?(?:步|人|公里|千米|米|次|个|字|名|年|天|小时|分钟|粉|册|件|张|台|家|斤|克|条|位|份|%|"
    r"percent|steps?|people|km|miles?|times?|followers?|users?|views?|words?|calories|kcal)(?![a-z]))"
)
# Every alternative starts with a digit, a currency sign or a Chinese numeral, so that the scan skips
# quickly over the rest of the message (`compile_pattern` puts those characters in front).
_MONEY = compile_pattern(
    rf"(?:{_SYMBOL}\s?(?:{_NUM})(?:{_SCALE_WORD}|{_SCALE_SHORT}|{_SCALE_CN})?{_RANGE}(?:{_POST})?"
    rf"|(?<![\w.,$])(?:{_NUM})(?:{_SCALE_WORD}|{_SCALE_CN}|k(?![a-z]))?{_RANGE}{_POST}"
    rf"|(?<![\w.,$])(?!40[13]k)(?:{_NUM})(?:{_SCALE_WORD}|{_SCALE_CN}|k(?![a-z])|w(?![a-z])){_RANGE}"
    rf"|(?P<cn>{_CN_NUM})(?:{_POST})?){_NOT_MONEY}"
)
# "six figures", "七位数": looked for only where "figure" or "位数" occurs.
_FIGURES = re.compile(
    r"(?<![a-z])(?:(?:low|mid|high)[- ])?(?:five|six|seven|eight)[- ]figures?(?![a-z])|[五六七八]位数", _F
)
# A currency code before the number ("USD 5,000", "eur 1.2m") belongs to the amount.
_CODE_BEFORE = re.compile(rf"(?<![a-z]){_CODE}\s?\Z", _F)
# "US$", "A$", "HK$": the letters glued to a dollar sign.
_DOLLAR_PREFIX = re.compile(r"(?<![a-z])(?:us|au|a|c|ca|hk|nz|s|r)\Z", _F)
_RATE = re.compile(
    r"\s?(?:a|an|per|/|each|every)\s?(?:year|yr|annum|month|mo|week|wk|hour|hr|day)\b(?:\s?before tax(?:es)?|"
    r"\s?after tax(?:es)?|\s?gross|\s?net|\s?pre-tax|\s?post-tax)?|\s?(?:annually|monthly|yearly|weekly|"
    r"before tax(?:es)?|after tax(?:es)?|pre-tax|post-tax)\b|\s?(?:一个月|每个月|每月|一年|每年|一天)",
    _F,
)
_BARE = re.compile(
    r"(?<![\d.,])(?!(?:19|20)\d\d(?!\d))\d{1,3}(?:,\d{3})+(?![\d.,]*\d)|(?<![\d.,])\d{3,9}(?![\d.,]*\d)"
)

# -- purpose words ------------------------------------------------------------------------------------

_INCOME = (
    r"salary|salaries|wage|wages|income|incomes|paycheck|paychecks|pay check|pay checks|take-home|"
    r"take home|take-home pay|take home pay|gross pay|net pay|base pay|pay rise|pay raise|raise|my pay|"
    r"his pay|her pay|our pay|hourly rate|day rate|earnings|bonus|bonuses|compensation|total comp|stipend|"
    r"pension|commission|commissions|dividend|dividends|royalties|severance|revenue|earn|earns|earned|"
    r"earning|gross|grossed|netted|bring in|brings in|brought in|bringing in"
    r"|月薪|年薪|时薪|日薪|周薪|底薪|月收入|年收入|工资|薪水|薪资|薪酬|收入|月入|年入|税后|税前|到手|奖金|"
    r"年终奖|提成|分红|退休金|养老金|津贴|酬金|稿费|佣金|报酬|挣了|赚了|挣|赚|进账|外快"
)
# "make" needs a rate or a large amount: "I make 95k a year", not "I made $5 on that".
_MAKE = r"make|makes|made|making"
_WEALTH = (
    r"net worth|savings|saved|saved up|nest egg|portfolio|401k|401(k)|403b|403(b)|ira|roth|investment|"
    r"investments|invested|stock|stocks|shares|assets|inheritance|inherited|equity|emergency fund|"
    r"retirement fund|retirement account|retirement savings|bank balance|account balance|balance|"
    r"in the bank|trust fund|worth|crypto"
    r"|存款|积蓄|存了|攒了|存着|净资产|总资产|资产|身家|理财|股票|遗产|余额|投资了|投资|市值|公积金"
)
_DEBT = (
    r"owe|owes|owed|owing|debt|debts|in debt|loan|loans|mortgage|mortgages|student loan|student loans|"
    r"car loan|auto loan|personal loan|payday loan|credit card|credit cards|credit card balance|"
    r"credit card debt|credit card bill|line of credit|heloc|borrowed|borrow|overdraft|overdrawn|arrears|"
    r"behind on|overdue|past due|minimum payment|repay|repaying|repayment|paid off|pay off|paying off|"
    r"installment|installments|outstanding|bankruptcy|in collections|lent|loaned"
    r"|欠了|欠款|欠债|欠|负债|债务|外债|贷款|房贷|车贷|学贷|助学贷款|信用卡|借了|借款|借钱|网贷|花呗|借呗|"
    r"白条|还款|还了|月供|分期|透支|逾期|借给"
)
_TRANSFER = (
    r"transferred|transfer|transferring|wired|wire transfer|wiring|sent|send|sending|remitted|venmo|"
    r"venmoed|venmo'd|zelle|zelled|zelle'd|paypal|paypaled|paypal'd|e-transfer|e-transferred"
    r"|转账|转了|转给|汇款|汇了|打款|打给|打了"
)
_PAYMENT = (
    r"paid|pay|pays|paying|spent|spend|spends|spending|cost|costs|costing|charged|charge|billed|bill|"
    r"bills|invoice|invoiced|invoices|fee|fees|deposit|down payment|bought|buy|buying|purchased|purchase|"
    r"refund|refunded|donated|donation|total|came to|comes to"
    r"|付了|支付|花了|花费|交了|缴了|缴纳|账单|费用|押金|首付|定金|订金|退款|捐了|捐款|买了|消费|报销|付款|"
    r"总共|一共|总计"
)
# Purposes that make a payment private whatever its amount: health and the law, housing and school,
# and a charge disputed or taken by fraud.
_SENSITIVE = (
    r"unauthorized|unauthorised|fraudulent|disputed|dispute|chargeback|scam|scammed|hospital|surgery|surgeon|operation|therapy|therapist|counseling|counselling|counselor|counsellor|"
    r"psychiatrist|psychologist|ivf|fertility|egg freezing|clinic|doctor|dentist|dental|orthodontist|"
    r"medication|medications|meds|prescription|prescriptions|pharmacy|rehab|treatment|treatments|chemo|"
    r"chemotherapy|abortion|emergency room|er visit|ambulance|hospice|insulin|mri|ct scan|biopsy|co-pay|"
    r"lawyer|attorney|legal fee|legal fees|legal|bail|court|settlement|lawsuit|fined|fines|parking ticket|"
    r"speeding ticket|divorce|alimony|child support|custody|rent|tuition|copay|deductible|retainer|"
    r"insurance premium|insurance premiums"
    r"|医院|手术|治疗|医疗|看病|住院|门诊|挂号|医药费|药费|买药|心理咨询|心理医生|试管|冻卵|牙|体检|化疗|"
    r"康复|戒毒|戒酒|律师|诉讼|官司|罚款|罚金|保释|赔偿|离婚|抚养费|赡养费|整容|医美|打胎|流产|产检|房租|"
    r"租金|学费|保费"
)
_CREDIT = (
    r"credit score|credit scores|fico|fico score|credit rating"
    r"|信用分|信用评分|芝麻分|芝麻信用|芝麻信用分|征信分"
)

_CLASSES = {
    "credit": _CREDIT,
    "income": _INCOME,
    "make": _MAKE,
    "wealth": _WEALTH,
    "debt": _DEBT,
    "sensitive": _SENSITIVE,
    "transfer": _TRANSFER,
    "payment": _PAYMENT,
}


def _alternation(block: str) -> str:
    """Latin words whole (not inside another word); Chinese ones anywhere."""
    words = sorted({w for w in block.split("|") if w}, key=len, reverse=True)
    latin = [w for w in words if w[:1].isascii()]
    other = [w for w in words if not w[:1].isascii()]
    parts = [rf"(?<![a-z])(?:{'|'.join(latin)})(?![a-z])"] if latin else []
    if other:
        parts.append("|".join(other))
    return "|".join(parts)


_ASSETS = frozenset({"credit", "income", "make", "wealth", "debt"})
# The classes a purpose word after the amount may have ("$6,200 credit card balance"); a verb or a
# payment word after an amount ("$500 paid") does not give it a purpose.
_AFTER_CLASSES = frozenset({"credit", "income", "wealth", "debt", "sensitive"})
# Payment nouns after an amount name a payment ("a $3,000 invoice", "1200欧元的押金"); it is kept
# as any payment is (large, or for a medical or legal purpose).
_AFTER_PAYMENTS = frozenset(
    _words(
        "bill|bills|invoice|invoices|fee|fees|charge|deposit|down payment|refund|donation|purchase|"
        "账单|费用|押金|首付|定金|订金|退款|捐款|付款|消费"
    )
)
# What may stand between an amount and a purpose word after it: "30k in student loans",
# "¥2,400 for an IVF consultation", "5万的房贷", "五万欠款".
_EN_CONNECT = re.compile(
    r"\s?(?:(?:in|on|of|for|from|towards?|to|into|at|as|worth of)\s)?"
    r"(?:(?:my|our|his|her|their|the|a|an|this|that|some|each|per)\s)?(?:[a-z'-]{1,15}\s){0,2}",
    _F,
)
_ZH_CONNECT = re.compile(r"(?:的|用于|用来|在|做|给|还|交|付|存|作为)?[\u4e00-\u9fff]{0,4}", _F)
_ZH_PURPOSE_TAIL = re.compile(r"(?:费|款|钱|账单)")


def _lexicon() -> dict[str, str]:
    """Every purpose word (lower case) with its class; the first class listing a word keeps it."""
    words: dict[str, str] = {}
    for kind, block in _CLASSES.items():
        for word in _words(block):
            words.setdefault(word, kind)
    return words


_LEXICON = _lexicon()
_AUTOMATON: list[Any] = []


def _purpose_words(lower: str) -> list[_Hit]:
    """The purpose words of a message in one Aho-Corasick pass, left to right: Latin ones whole,
    the longest where they overlap ("credit card balance", not "balance")."""
    if not _AUTOMATON:
        import ahocorasick

        automaton = ahocorasick.Automaton()
        for word, kind in _LEXICON.items():
            automaton.add_word(word, (len(word), kind, word[0].isascii(), word[-1].isascii()))
        automaton.make_automaton()
        _AUTOMATON.append(automaton)
    n = len(lower)
    found: list[_Hit] = []
    for last, (size, kind, latin_start, latin_end) in _AUTOMATON[0].iter(lower):
        start, end = last - size + 1, last + 1
        if latin_start and start > 0 and _letter(lower[start - 1]):
            continue
        if latin_end and end < n and _letter(lower[end]):
            continue
        found.append((start, end, kind))
    found.sort(key=lambda h: (h[0], -h[1]))
    out: list[_Hit] = []
    reach = -1
    for hit in found:
        if hit[1] > reach:  # not inside a longer word found before it
            out.append(hit)
            reach = hit[1]
    return out


def _letter(ch: str) -> bool:
    return ch.isascii() and ch.isalpha()


# One more word that completes a medical or legal purpose ("IVF consultation", "dental implants").
_PURPOSE_NOUN = re.compile(
    r"\s(?:consultations?|appointments?|visits?|treatments?|sessions?|surgery|procedures?|cycles?|tests?|"
    r"scans?|therapy|fees?|bills?|costs?|retainer|case|implants?|work|balance|debt|payments?|loans?)(?![a-z])",
    _F,
)

# -- whose, and general talk ----------------------------------------------------------------------------

_EN_PERSON = re.compile(
    r"\b(?:i|i'm|i’m|im|i've|i’ve|i'd|i’d|i'll|me|my|mine|myself|we|we're|we’re|we've|(?<!the )us(?!\$)|our|"
    r"ours|he|he's|"
    rf"she|she's|his|her|him|hers)\b|\b{EN_KIN}(?:'s|’s)",
    _F,
)
# A named person's: "Ana's salary" (not "It's", "That's").
_NAMED = re.compile(
    r"\b(?!(?:It|That|What|There|Here|Let|He|She|Who|This|Where|How|Today)['’])[A-Z][a-z\u00c0-\u024f]+['’]s\b",
    _F,
)
_ZH_PERSON = re.compile(rf"我|咱|俺|本人|他|她|{ZH_KIN}")
_VETO = re.compile(
    r"\b(?:average|averages|median|typical|typically|nationwide|per capita|most people|on average|"
    r"the going rate|cost of living|statistics|news|article|essay|for example|for instance|e\.g)\b"
    r"|平均|人均|一般人|普遍|大多数人|大部分人|全国|行业|市场价|新闻|报道|文章|据说|比如|例如|举个例子|"
    r"假如|假设|一般来说",
    _F,
)
_BOUNDARY = re.compile(r"[!?。！？\n;；]|\.(?=\s|$)")
# What breaks the link between a purpose word and an amount further on.
_BREAK = re.compile(
    r"\b(?:and|but|so|because|while|although|though|then|or|whereas)\b|但|但是|然后|因为|所以|而且|不过|还有|以及|"
    r"并且|同时|另外|[，、；]",
    _F,
)
# Verbs whose amount follows them closely ("I make 95k", "wired my brother $500", "转给他5000"), so
# that "making this $8,000 buffer" or "sending me that fits this $8,500 limit" are not income or
# transfers.
_TIGHT = frozenset({"make", "transfer"})
_TIGHT_GAP = re.compile(
    r"\s*(?:(?:about|around|roughly|approximately|nearly|almost|just|only|over|under|like|maybe|close to|"
    r"at least|more than|less than|upwards of|him|her|them|me|us|back|another|an extra|extra|a total of|"
    r"(?:my|his|her|our|their) [a-z]+|了|给|过|他|她|我|你)\s*)*",
    _F,
)
_CJK = re.compile(r"[\u4e00-\u9fff]")
# Between a purpose word and an amount it touches.
_TOUCH = re.compile(r"\s?(?:is|was|of|at|:|是|为)?\s?", _F)
# Verbs among the purpose words: "doctors earn $200k" says nothing of a known person.
_VERB = re.compile(
    r"earn|make|made|owe|borrow|lent|loan|save|invest|inherit|gross|net|bring|brought|repay|pay|欠|借|挣|赚|存了|攒了"
)
# An amount of "a $300k mortgage" or "any salary over $50k" is hypothetical.
_INDEFINITE = re.compile(r"\b(?:a|an|any|every|each|per|if|would|could|should)\s\S*\Z", _F)

_BEFORE = 56  # how far before an amount its purpose word may start
_EN_GAP = 40  # and how much text may stand between them, in English and in Chinese
_CJK_GAP = 12
_AFTER_REACH = 48  # how far after an amount a purpose word may start
_SENTENCE = 120
_AFTER_SENTENCE = 60
_LARGE = 1000.0

_CN_VALUES = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
    "几": 5,
}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000, "万": 10_000, "亿": 100_000_000}


def _cn_value(text: str) -> float:
    """The value of a Chinese numeral ("三十万" 300000, "两万五" 25000, "一百二十万" 1200000);
    approximate words count as five ("几万")."""
    total = section = 0.0
    digit = 0.0
    last_unit = 1
    for ch in text:
        if ch in _CN_VALUES:
            digit = _CN_VALUES[ch]
        elif ch in _CN_UNITS:
            unit = _CN_UNITS[ch]
            if unit >= 10_000:
                total = (total + section + digit) * unit
                section = 0
            else:
                section += (digit or 1) * unit
            digit = 0
            last_unit = unit
    if digit and last_unit >= 100:  # "两万五": the digit after a unit counts a tenth of it
        digit *= last_unit / 10
    return total + section + digit


def _value(amount: str) -> float:
    """Roughly how much an amount is in its own currency (the threshold for payments)."""
    m = re.search(r"\d[\d,.]*", amount)
    if m is None:
        cn = re.search(f"[{_CN_DIGIT}]+", amount)
        if cn is not None:
            return _cn_value(cn.group())
        return 1e6 if "figure" in amount or "位数" in amount else 0.0
    raw = m.group().rstrip(".,")
    if re.fullmatch(r"\d{1,3}(?:\.\d{3})+(?:,\d{1,2})?", raw):
        raw = raw.replace(".", "").replace(",", ".")
    else:
        raw = raw.replace(",", "")
    try:
        value = float(raw)
    except ValueError:
        return 0.0
    rest = amount[m.end() :].strip().lower()
    for unit, factor in (
        ("thousand", 1e3), ("grand", 1e3), ("million", 1e6), ("mil", 1e6), ("billion", 1e9), ("bn", 1e9),
        ("百万", 1e6), ("千万", 1e7), ("亿", 1e8), ("万", 1e4), ("千", 1e3), ("w", 1e4), ("k", 1e3),
        ("mm", 1e6), ("mn", 1e6), ("m", 1e6), ("b", 1e9),
    ):  # fmt: skip
        if rest.startswith(unit):
            value *= factor
            break
    if re.search(r"yen|jpy|日元|円|krw|韩元|₩", amount):
        value /= 100
    return value


def _sentence_start(lower: str, pos: int) -> int:
    a = max(0, pos - _SENTENCE)
    for m in _BOUNDARY.finditer(lower, a, pos):
        a = m.end()
    return a


def _sentence_end(lower: str, pos: int) -> int:
    b = min(len(lower), pos + _AFTER_SENTENCE)
    m = _BOUNDARY.search(lower, pos, b)
    return m.start() if m is not None else b


class _Words:
    """The purpose words of one message, with lookups by position (bisect, so that a message with
    many amounts and words stays linear)."""

    __slots__ = ("hits", "starts")

    def __init__(self, lower: str) -> None:
        self.hits = _purpose_words(lower)
        self.starts = [h[0] for h in self.hits]

    def within(self, a: int, b: int) -> list[_Hit]:
        """The words that start at or after `a` and end by `b`."""
        lo = bisect_left(self.starts, a)
        hi = bisect_left(self.starts, b, lo)
        return [h for h in self.hits[lo:hi] if h[1] <= b]

    def at(self, pos: int) -> _Hit | None:
        i = bisect_left(self.starts, pos)
        return self.hits[i] if i < len(self.hits) and self.starts[i] == pos else None

    def after(self, pos: int, limit: int, count: int = 3) -> list[_Hit]:
        """The first few words that start at or after `pos`, before `limit`."""
        lo = bisect_left(self.starts, pos)
        return [h for h in self.hits[lo : lo + count] if h[0] < limit]


class _Money:
    """Finds every amount with its purpose in a message, once, for both recognisers."""

    def __init__(self) -> None:
        self._last: tuple[str, list[_Hit]] | None = None

    def spans(self, scan: Scan) -> list[_Hit]:
        last = self._last
        if last is not None and last[0] is scan.text:
            return last[1]
        found = self._find(scan)
        self._last = (scan.text, found)
        return found

    def _find(self, scan: Scan) -> list[_Hit]:
        lower = scan.lower
        if (
            scan.digits == 0
            and not any(ch in lower for ch in "千万亿")
            and "figure" not in lower
            and "位数" not in lower
        ):
            return []
        words = _Words(lower)
        if not words.hits:
            return []
        found: list[_Hit] = []
        unkept: list[tuple[int, int]] = []  # amounts without a purpose of their own
        prev_end = 0
        matches = list(_MONEY.finditer(lower))
        if "figure" in lower or "位数" in lower:
            matches = sorted([*matches, *_FIGURES.finditer(lower)], key=lambda m: m.start())
        for m in matches:
            start, end = m.span()
            if m.re is _MONEY and m.group("cn") is not None and not self._cn_money(m.group("cn"), lower, end):
                continue
            code = (_DOLLAR_PREFIX if lower[start] == "$" else _CODE_BEFORE).search(
                lower, max(0, start - 5), start
            )
            if code is not None:
                start = code.start()
            kept = self._judge(scan, words, start, end, prev_end, m.group())
            prev_end = end
            if kept is not None:
                found.append(kept)
            else:
                unkept.append((start, end))
        found.extend(self._bare(scan, words, found))
        return _without_overlaps(_with_listed(lower, found, unkept))

    @staticmethod
    def _cn_money(numeral: str, lower: str, end: int) -> bool:
        """A Chinese numeral is money when it reaches a thousand or has a currency after it."""
        if any(u in numeral for u in "千万亿"):
            return True
        return any(u in numeral for u in "十百") and lower[end - 1] in "元块刀币金镑"

    def _judge(
        self, scan: Scan, words: _Words, start: int, end: int, prev_end: int, amount: str
    ) -> tuple[int, int, str] | None:
        lower = scan.lower
        a = _sentence_start(lower, start)
        b = _sentence_end(lower, end)
        rate = _RATE.match(lower, end)
        amount_end = rate.end() if rate is not None else end
        before = self._before(lower, words, max(a, prev_end, start - _BEFORE), start)
        after = self._after(lower, words, amount_end, b)
        classes = {k for _, _, k in before} | ({after[1]} if after is not None else set())
        if not classes:
            return None
        value = _value(amount)
        if classes & _ASSETS and not (classes & _ASSETS == {"make"} and rate is None and value < _LARGE):
            ptype = "Assets/Income"
        elif (
            "transfer" in classes
            or "sensitive" in classes
            or (
                "payment" in classes
                and (value >= _LARGE or any(h[2] == "sensitive" for h in words.within(a, b)))
            )
        ):
            ptype = "Transaction Record"
        else:
            return None
        span_start = before[0][0] if before else start
        if _VETO.search(lower, a, start) is not None:
            return None
        if not self._personal(scan, words, a, b, start) and not (
            ptype == "Assets/Income"
            and self._tight(lower, before, start, end, after)
            and not _INDEFINITE.search(lower, a, span_start)
        ):
            return None
        span_end = max(amount_end, after[0]) if after is not None else amount_end
        return span_start, span_end, ptype

    @staticmethod
    def _before(lower: str, words: _Words, a: int, start: int) -> list[_Hit]:
        """The purpose words before an amount that reach it: the last one in the window whose gap
        to the amount holds no clause break, and those chained right before it ("欠了信用卡五万")."""
        hits = words.within(a, start)
        if not hits or _BREAK.search(lower, hits[-1][1], start) is not None:
            return []
        chain = [hits[-1]]
        for hit in reversed(hits[:-1]):
            gap = lower[hit[1] : chain[0][0]]
            if len(gap) > 4 or _BREAK.search(gap) is not None:
                break
            chain.insert(0, hit)
        gap = lower[chain[-1][1] : start]
        if len(gap) > (_CJK_GAP if _CJK.search(gap) or _CJK.match(lower, chain[-1][1] - 1) else _EN_GAP):
            return []
        if chain[-1][2] in _TIGHT and _TIGHT_GAP.fullmatch(gap) is None:
            return []
        return chain

    @staticmethod
    def _after(lower: str, words: _Words, end: int, b: int) -> tuple[int, str, int] | None:
        """A purpose word right after the amount: (where the fragment ends, its class, where the
        word starts)."""
        chinese = _CJK.match(lower, end) is not None or lower.startswith("的", end)
        connect = _ZH_CONNECT if chinese else _EN_CONNECT
        for start, stop, kind in words.after(end, min(b, end + _AFTER_REACH)):
            if kind not in _AFTER_CLASSES and lower[start:stop] not in _AFTER_PAYMENTS:
                continue
            if connect.fullmatch(lower, end, start) is None:
                continue
            if chinese and (tail := _ZH_PURPOSE_TAIL.match(lower, stop, b)) is not None:
                stop = tail.end()
            if kind == "sensitive" and (noun := _PURPOSE_NOUN.match(lower, stop, b)) is not None:
                stop = noun.end()
            return stop, kind, start
        return None

    @staticmethod
    def _tight(
        lower: str,
        before: list[_Hit],
        start: int,
        end: int,
        after: tuple[int, str, int] | None,
    ) -> bool:
        """The purpose word touches the amount ("that $420,000 mortgage", "salary: $95k"): said
        of a known debt or income even without a pronoun in the sentence."""
        if (
            before
            and _TOUCH.fullmatch(lower, before[-1][1], start) is not None
            and not _VERB.match(lower, before[-1][0])
        ):
            return True
        return after is not None and after[2] - end <= 1

    @staticmethod
    def _personal(scan: Scan, words: _Words, a: int, b: int, start: int) -> bool:
        """Whose money: a first or third person, a kinship word or a named person in the sentence;
        a Chinese purpose word that opens a clause is the speaker's ("月薪两万，想买房")."""
        lower = scan.lower
        if _EN_PERSON.search(lower, a, b) or _ZH_PERSON.search(lower, a, b) or _NAMED.search(scan.text, a, b):
            return True
        head = lower[a:start]
        first = a + len(head) - len(head.lstrip(" \"'“‘*-"))
        return first < start and _CJK.match(lower, first) is not None and words.at(first) is not None

    def _bare(self, scan: Scan, words: _Words, found: list[_Hit]) -> Iterator[tuple[int, int, str]]:
        """Numbers without a currency right after an income or credit word ("salary is 87400",
        "月薪8000", "credit score of 720") or right before a credit word ("720 credit score")."""
        lower = scan.lower
        if not any(scan.has(w) for w in _BARE_TRIGGERS):
            return
        taken = [s for s, _, _ in found]
        for m in _BARE_KEYED.finditer(lower):
            s, e = m.span()
            credit = m.group("credit") or m.group("credit2")
            number = float((m.group("n") or m.group("n2")).replace(",", ""))
            if credit and not 300 <= number <= 950:
                continue
            i = bisect_left(taken, e)  # found spans are sorted and do not overlap one another
            if i and found[i - 1][1] > s:
                continue
            a, b = _sentence_start(lower, s), _sentence_end(lower, e)
            if not self._personal(scan, words, a, b, s) or _VETO.search(lower, a, s) is not None:
                continue
            chain = self._before(lower, words, max(a, s - 12), s)
            if chain and s - chain[-1][1] <= 4:
                s = chain[0][0]
            rate = _RATE.match(lower, e)
            yield (
                s,
                rate.end() if rate is not None else e,
                "Transaction Record" if m.group("rent") else "Assets/Income",
            )


_CONNECT = (
    r"(?:\s?(?:is|was|are|were|of|at|about|around|roughly|approximately|nearly|almost|just|only|now|currently|"
    r"like|sits at|stands at|went up to|dropped to|is now|was only|:|=|是|为|有|大概|大约|约|差不多|才|只有|"
    r"将近|超过|在|已经|达到|每个月|每月|一个月|一年|每年|税前|税后|到手)\s?){0,3}"
)
_BARE_WORDS = (
    r"salary|income|wage|wages|paycheck|take-home|take-home pay|月薪|年薪|时薪|日薪|底薪|工资|薪水|薪资|收入|"
    r"月收入|年收入|月入|年入|税后|到手|退休金|养老金|存款|积蓄|余额|负债|欠款|贷款|房贷|车贷|月供|"
    r"owe|owes|owed|owing|borrowed|欠了|欠|借了"
)
# A bare number needs one of these (each bare key word contains one).
_BARE_TRIGGERS = (
    "salar",
    "income",
    "wage",
    "paycheck",
    "take-home",
    "rent",
    "credit",
    "fico",
    "owe ",
    "owed",
    "owes",
    "owing",
    "borrowed",
    "借了",
    *"薪资收入税到退养存积余负欠贷月房租信芝征",
)
_BARE_KEYED = compile_pattern(
    rf"(?:(?P<credit>{_alternation(_CREDIT)})|(?P<rent>{_alternation('rent|房租|租金')})|{_alternation(_BARE_WORDS)})"
    rf"{_CONNECT}\s?(?P<n>{_BARE.pattern})(?!\s?(?:%|percent|步|人|次|个|元|块|dollars|k\b|万|people\b|persons?\b|times?\b|hours?\b|days?\b|"
    r"weeks?\b|months?\b|years?\b|points?\b|favou?rs?\b|of\b|more\b))"
    rf"|(?P<n2>(?<![\d.,])\d{{3}})(?![\d.,]*\d)\s?(?:的)?(?P<credit2>{_alternation(_CREDIT)})"
)


# The next item of a list of amounts ("owe $23,000 on my car loan and $8k on my Amex", "房贷五十万，车贷
# 十万"): what joins them, and what the second may carry after it.
_LIST_JOIN = re.compile(
    r"\s*(?:,\s*(?:and|plus)?|and|plus|&|、|，|和|还有)\s*(?:another\s+|about\s+|around\s+)?", _F
)
_LIST_TAIL = re.compile(
    r"\s(?:on|in|for|of)\s(?:my|our|his|her|their|the)\s[a-z][\w'-]{0,15}"
    r"(?:\s(?!(?:and|or|plus)\b)[a-z][\w'-]{0,15})?",
    _F,
)


def _with_listed(lower: str, found: list[_Hit], unkept: list[tuple[int, int]]) -> list[_Hit]:
    """`found` plus each amount not kept on its own that goes on a list right after a kept one
    (same type): the lists are followed left to right, so a third item joins a second."""
    if not found or not unkept:
        return found
    spans = sorted(found)
    for start, end in unkept:  # in the order of the text
        i = bisect_left(spans, (start,))
        if i == 0:
            continue
        joint = spans[i - 1][1]
        if (before := _LIST_TAIL.match(lower, joint, start)) is not None:  # "owe 23,400| on my loans|"
            joint = before.end()
        if _LIST_JOIN.fullmatch(lower, joint, start) is None:
            continue
        tail = _LIST_TAIL.match(lower, end)
        spans.insert(i, (start, tail.end() if tail is not None else end, spans[i - 1][2]))
    return spans


def _without_overlaps(spans: list[_Hit]) -> list[_Hit]:
    out: list[_Hit] = []
    for s, e, t in sorted(spans, key=lambda x: (x[0], -x[1])):
        if out and s < out[-1][1]:
            if e > out[-1][1]:
                out[-1] = (out[-1][0], e, out[-1][2])
            continue
        out.append((s, e, t))
    return out


class _MoneyFinder(ScanFinder):
    """The spans of one type among those `_Money` finds."""

    def __init__(self, money: _Money, privacy_type: str) -> None:
        self.money = money
        self.privacy_type = privacy_type

    def find(self, scan: Scan) -> Iterator[tuple[int, int]]:
        for start, end, ptype in self.money.spans(scan):
            if ptype == self.privacy_type:
                yield start, end


def _triggers() -> tuple[str, ...]:
    """Every purpose word's literal start, as the prefilter: a word's text up to its first regex
    operator (without the letter a "?" makes optional): "wages?" gives "wage", "401\\(?k\\)?" "401"."""
    words: set[str] = set()
    for block in _CLASSES.values():
        for word in block.split("|"):
            cut = re.search(r"[?()\\\[*+{]", word)
            if cut is not None:
                word = word[: cut.start() - 1] if word[cut.start()] == "?" else word[: cut.start()]
            word = word.strip()
            if len(word) >= 2 or (word and not word.isascii()):
                words.add(word)
    return tuple(sorted(words))


def amount_recognizers() -> list[Recognizer]:
    money = _Money()
    triggers = _triggers()
    return [
        Recognizer(
            "income_wealth_debt",
            "Assets/Income",
            finder=_MoneyFinder(money, "Assets/Income"),
            score=0.75,
            trigger=triggers,
            description="salaries, income, savings, net worth, debts, loans and credit scores with amounts",
        ),
        Recognizer(
            "payment_record",
            "Transaction Record",
            finder=_MoneyFinder(money, "Transaction Record"),
            score=0.7,
            trigger=triggers,
            description="transfers, and payments that are large or medical/legal, with their amounts",
        ),
    ]
