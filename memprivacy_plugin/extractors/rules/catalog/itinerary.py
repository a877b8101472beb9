"""Where a person will be, and when (Itinerary/Trajectory, PL3), in English and Chinese: flight and
train numbers, travel plans with a destination and a date, hotel stays and rooms, booking
references, and commute routes.

- Flight numbers: an airline's two-character IATA designator and one to four digits ("UA 857",
  "CA1831", "BA-772X"), next to a flight word ("flight", "boarding", "航班", "登机"). A designator
  outside the list of airlines below needs "flight"/"航班" right before it.
- Chinese train numbers ("G1234", "D312", "K1234") next to a train word ("高铁", "动车", "车次"), and
  the coach and seat ("5车12F").
- Travel plans: a travel verb, a destination and a date in one clause: "flying to Lisbon on March
  3", "下周五去成都". English destinations are capitalised names; Chinese ones come from a list of
  provinces, cities and countries, or end in 市/省/县. An English plan needs a person in the
  sentence ("I'm flying", "my parents are visiting"), so "flights to Paris are cheap in May" is not
  one.
- Hotel stays and rooms: "room 1208 at the Hilton", "staying at the Grand Hyatt", "住在希尔顿酒店
  1208房间"; booking references after their key word ("booking reference QX7RTY", "预订号：...").
- Commutes: a vehicle and a route said as a habit: "I take the 7:40 bus from Elm Street to the
  station every day", "每天坐地铁2号线去公司上班".

The span is the minimal fragment: the number itself, or the verb through the destination and date.
Each finder reads bounded windows around its trigger words, so the cost stays linear.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..engine import Recognizer, Scan, ScanFinder
from ..patterns import compile_pattern
from ._cues import ZH_KIN
from ._keyed import keyed
from ._places import ZH_PLACES

__all__ = ["itinerary_recognizers"]

_F = re.ASCII


# IATA designators of passenger airlines (general knowledge: the larger carriers of each region).
def _split(block: str) -> list[str]:
    return block.split()


_AIRLINES = frozenset(
    _split(
        """
    AA UA DL WN B6 AS NK F9 HA G4 SY AC WS PD TS AM Y4 VB CM AV LA JJ G3 AD AR H2 CU
    BA VS AF KL LH LX OS SN IB VY UX AZ TP SK AY DY D8 EI FR U2 W6 W4 LO OK RO JU OU A3 TK PC SU S7 FV
    BT LG HV TO EW DE 4U X3 BE LS ZB MT
    EK EY QR GF WY SV XY F3 MS RJ ME FZ G9 J9 KU IR W5 LY ET KQ SA MK WB AT PW TC HM 8Q
    MH AK D7 OD SQ TR 3K MI CX UO HX KA CI BR IT JX JL NH MM GK BC KE OZ 7C LJ TW ZE BX RS
    CA MU CZ HU 3U MF ZH SC FM HO 9C KN GS JD G5 TV 8L PN EU GJ DZ NS QW KY BK A6 DR Y8 JR GX UQ
    TG FD WE PG VN VJ QH PR 5J Z2 GA ID JT QZ QG BI
    AI 6E UK SG IX QP UL PK 9W
    QF VA JQ NZ FJ PX TN
    """
    )
)
_FLIGHT_WORDS = (
    "flight",
    "flights",
    "flying",
    "fly ",
    "flew",
    "boarding",
    "board ",
    "depart",
    "departure",
    "departs",
    "arrival",
    "arrives",
    "landing",
    "lands",
    "gate",
    "terminal",
    "airport",
    "airline",
    "plane",
    "layover",
    "connecting",
    "check-in",
    "seat ",
    "航班",
    "飞机",
    "机票",
    "登机",
    "起飞",
    "降落",
    "落地",
    "机场",
    "航空",
    "转机",
    "值机",
    "经停",
)
_DESIGNATOR = r"(?-i:[A-Z]{2}|[A-Z]\d|\d[A-Z])"
_FLIGHT_NUMBER = rf"(?<![A-Za-z0-9\-]){_DESIGNATOR}[ \-]?\d{{1,4}}(?-i:[A-Z])?(?![A-Za-z0-9])"


def _booking_ok(value: str) -> bool:
    """A booking reference has a digit and five characters, or is a six-letter record locator
    (random letters, so at most one vowel: not "INSERT" or "NUMBER" in a template)."""
    chars = value.strip("#").replace("-", "")
    if len(chars) >= 5 and any(c.isdigit() for c in chars):
        return True
    return chars.isalpha() and len(chars) == 6 and sum(c in "AEIOU" for c in chars) <= 1


def _known_airline(value: str) -> bool:
    return value[:2].upper() in _AIRLINES and not value[2:].strip(" -").startswith("0000")


_TRAIN_WORDS = (
    "高铁",
    "动车",
    "火车",
    "列车",
    "车次",
    "硬卧",
    "软卧",
    "卧铺",
    "硬座",
    "二等座",
    "一等座",
    "商务座",
    "检票",
    "候车",
    "站台",
    "train",
)

# -- travel plans -----------------------------------------------------------------------------------

_MONTHS = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|"
    r"oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_WEEKDAYS = (
    r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|mon|tue|tues|wed|thu|thurs|fri|sat|sun)"
)
_EN_DATE = (
    rf"(?:(?:on |from |until |till |by |through |in early |in late |in mid-?|in |early |late |mid-?)?"
    rf"(?:{_MONTHS}\.? \d{{1,2}}(?:st|nd|rd|th)?(?!\d)(?:,? \d{{4}})?|{_MONTHS} \d{{4}}"
    rf"|(?:the )?\d{{1,2}}(?:st|nd|rd|th)?(?: of)? {_MONTHS}(?:,? \d{{4}})?"
    rf"|\d{{4}}-\d{{2}}-\d{{2}}|\d{{1,2}}/\d{{1,2}}(?:/\d{{2,4}})?|the \d{{1,2}}(?:st|nd|rd|th)(?![a-z\d])"
    rf"|(?:next|this|coming|on|last) {_WEEKDAYS}|{_WEEKDAYS}|"
    r"(?:next|this|coming) (?:week|weekend|month|year|summer|spring|fall|autumn|winter|christmas|easter)|"
    r"tomorrow|tonight|the day after tomorrow|over the (?:weekend|holidays)|"
    r"for (?:christmas|thanksgiving|easter|"
    r"new year'?s?|the holidays|spring break)|in (?:\d{1,2}|a|two|three|four|few|a few|a couple of) "
    rf"(?:days?|weeks?|months?)|in {_MONTHS})"
    # the end of a range, whole: "May 3-7", "12/20 to 1/2", "the 3rd to the 9th"
    rf"(?:(?:(?: to| until| through| till) (?:the )?|\s?[-–]\s?)"
    rf"(?:(?:{_MONTHS}\.? )?\d{{1,2}}(?:st|nd|rd|th)?(?:,? \d{{4}})?"
    rf"|\d{{1,2}}/\d{{1,2}}(?:/\d{{2,4}})?)(?![\d/]))?)"
)
_EN_TRAVEL = (
    r"(?:fly|flying|flew|fly out|flying out|flying back|travel|traveling|travelling|traveled|travelled|head|"
    r"heading|headed|going|go|going back|drive|driving|drove|trip|vacation|vacationing|holiday|holidaying|"
    r"move|moving|relocate|relocating|visit|visiting|leave|leaving|arrive|arriving|land|landing|return|"
    r"returning|off|backpacking|road trip|flight|train|ferry|cruise|connecting flight|layover)"
)
# A capitalised place of up to four words ("Lisbon", "New York", "Rio de Janeiro", "Cape Town").
_CALENDAR = (
    "January|February|March|April|May|June|July|August|September|October|November|December|Jan|Feb|Mar|Apr|"
    "Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|Christmas|Easter"
)
_CAP_WORD = rf"(?!(?:{_CALENDAR})\b)[A-Z][A-Za-z'’.\-]+"
# A particle is a whole word ("Rio de Janeiro"), not the start of the next one ("Denver leaves").
_PLACE = rf"(?-i:{_CAP_WORD}(?: (?:{_CAP_WORD}|(?:de|da|del|do|la|le|of|upon|sur|el)(?![A-Za-z]))){{0,3}})"
_NOT_PLACES = frozenset(
    _split(
        "I Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March April May June "
        "July "
        "August September October November December Christmas Easter Thanksgiving The A An My Our This That "
        "Mom Dad "
        "Google Amazon Target Costco Walmart Starbucks IKEA"
    )
)
_EN_TRIP = compile_pattern(
    rf"(?<![A-Za-z])(?P<verb>{_EN_TRAVEL}(?: (?:back|out|over|down|up|off|home|away))? "
    rf"(?:to|for|into|through|around|across|in|over to|down to|up to|out to|back to)"
    rf"|(?:be|be back|staying|stay|arrive|arriving|land|"
    rf"landing) in|visit|visits|visiting|visited|leave|leaving|tour|touring|explore|exploring) (?:the )?"
    rf"(?P<place>{_PLACE})"
    rf"(?P<date>,? (?:[A-Za-z'’]+ ){{0,4}}?{_EN_DATE}(?![a-z]))?"
)
# A capitalised name after a preposition or a visiting verb: the cheap test an English plan needs.
_EN_PLACE_AHEAD = re.compile(
    r" (?:to|in|for|into|through|across|around|visit|visits|visiting|visited|leave|leaving|tour|touring|"
    r"explore|exploring)(?: the)? (?=[A-Z])"
)
# A date that opens the clause before the verb: "next Friday we're flying to Lisbon".
_EN_DATE_BEFORE = re.compile(
    rf"(?<![a-z])(?P<date>{_EN_DATE})(?![a-z])[ ,]{{1,3}}(?:[A-Za-z'’]+ ){{0,4}}?\Z", _F
)
_EN_PERSON = re.compile(
    r"\b(?:i|i'm|i’m|im|i've|i’ve|i'd|i’d|i'll|i’ll|me|my|we|we're|we’re|we'll|we’ll|we've|us|our|he|he's|she|"
    r"she's|his|her|they're)\b",
    _F,
)
_EN_VETO = re.compile(
    r"\b(?:if you|should you|people|tourists|travell?ers|cheap|cheapest|deals?|average|typically|usually|"
    r"article|essay|novel|movie|film|book|character)\b",
    _F,
)
_ZH_DATE = (
    r"(?:(?:下|这|本|上)(?:个)?(?:周|星期|礼拜)[一二三四五六日天末]|下(?:个)?(?:周|星期|礼拜)|下(?:个)?月(?:初|底|中旬|\d{1,2}[号日])?|"
    r"明天|后天|大后天|今晚|明早|明晚|今天下午|今天晚上|周[一二三四五六日末]|星期[一二三四五六日天]|"
    r"(?:\d{4}年)?\d{1,2}月(?:\d{1,2}[号日])?(?:[到至\-]\d{1,2}[号日])?|\d{1,2}[号日](?:[到至\-]\d{1,2}[号日])?|"
    r"国庆|五一|春节|过年|暑假|寒假|元旦|中秋|端午|清明|月底|月初|年底|年初|明年|今年[一-龥]{0,2}|这周末|周末)"
)
_ZH_TRAVEL = r"(?:飞往|飞去|飞到|前往|出发去|动身去|坐高铁去|坐飞机去|开车去|回|去|到|飞|赴)"
# A place: a listed one (`_places`), or a name ending in 市/省/县/镇/岛 that is not a market (超市).
_NOT_ZH_PLACES = r"超市|菜市|夜市|集市|股市|上市|门市|早市|城市"
_ZH_PLACE = rf"(?:{ZH_PLACES}|(?!{_NOT_ZH_PLACES})[\u4e00-\u9fff]{{1,5}}(?:市|省|县|镇|岛))"
_ZH_PURPOSE = r"(?:玩|旅游|旅行|出差|开会|度假|度蜜月|探亲|面试|考察)?"
_ZH_PLAN = compile_pattern(
    rf"(?P<date>{_ZH_DATE})[^，。！？,.!?\n]{{0,8}}?(?:坐[\u4e00-\u9fff]{{1,3}}|开车|自驾)?"
    rf"(?P<verb>{_ZH_TRAVEL})(?P<place>{_ZH_PLACE}){_ZH_PURPOSE}"
)
_ZH_VETO = re.compile(r"如果|假如|假设|攻略|一般|通常|新闻|电影|小说|文章")
# A trip said by its purpose instead of a date: "我在佛罗伦萨度蜜月", "他去成都出差了",
# "flying to Paris for our anniversary".
_ZH_TRIP = compile_pattern(
    rf"(?:去|到|在|飞|前往|飞往|回)(?P<place>{_ZH_PLACE})"
    r"(?:出差|旅游|旅行|度假|度蜜月|开会|探亲|玩|(?=参加))"
)
_ZH_PERSON = re.compile(rf"我|咱|俺|他|她|{ZH_KIN}")
_EN_PURPOSE = re.compile(
    r",? for (?:my|our|his|her|their|a|the) (?:[a-z]+ )?(?:honeymoon|vacation|holiday|business trip|"
    r"work trip|conference|wedding|anniversary|retreat|summit|interview|funeral|graduation|reunion)\b",
    _F | re.IGNORECASE,
)
_BOUNDARY = re.compile(r"[!?。！？\n;；]|\.(?=\s|$)")


def _sentence(lower: str, start: int, end: int) -> tuple[int, int]:
    a = max(0, start - 120)
    for m in _BOUNDARY.finditer(lower, a, start):
        a = m.end()
    b = min(len(lower), end + 80)
    m2 = _BOUNDARY.search(lower, end, b)
    return a, m2.start() if m2 is not None else b


class _TravelPlans(ScanFinder):
    """A travel verb, a destination and a date in one clause (see the module docstring)."""

    def find(self, scan: Scan) -> Iterator[tuple[int, int]]:
        text, lower = scan.text, scan.lower
        english = _EN_PLACE_AHEAD.search(text) is not None
        for m in _EN_TRIP.finditer(text) if english else ():
            if m.group("place").split(" ")[0] in _NOT_PLACES:
                continue
            a, b = _sentence(lower, m.start(), m.end())
            start, end = m.start(), m.end()
            purpose = _EN_PURPOSE.match(text, end)
            if purpose is not None:
                end = purpose.end()
            elif m.group("date") is None:
                before = _EN_DATE_BEFORE.search(lower, max(a, start - 60), start)
                if before is None:
                    continue
                start = before.start()
            if _EN_PERSON.search(lower, a, b) is None or _EN_VETO.search(lower, a, b) is not None:
                continue
            yield start, end
        for m in _ZH_PLAN.finditer(lower):
            a, b = _sentence(lower, m.start(), m.end())
            if _ZH_VETO.search(lower, a, b) is None:
                yield m.span()
        for m in _ZH_TRIP.finditer(lower):
            a, b = _sentence(lower, m.start(), m.end())
            if _ZH_PERSON.search(lower, a, b) is not None and _ZH_VETO.search(lower, a, b) is None:
                yield m.span()


# -- hotels, rooms and bookings ------------------------------------------------------------------------

_HOTEL_BRANDS = (
    r"hilton|marriott|hyatt|sheraton|westin|holiday inn|ritz|four seasons|radisson|novotel|ibis|"
    r"mandarin oriental|shangri-la|intercontinental|crowne plaza|best western|hampton inn|peninsula|"
    r"sofitel|pullman|mercure|kempinski|fairmont|w hotel|st\. regis|waldorf|courtyard|doubletree|airbnb"
)
_HOTEL_WORDS = (
    rf"\b(?:hotel|inn|resort|hostel|motel|suite|b&b|lodge|check in|checked in|checking in|staying|stay|"
    rf"booked|reservation|{_HOTEL_BRANDS})"
)
_ROOM = re.compile(
    rf"\broom (?:number |no\.? ?|#)?\d{{2,5}}[a-z]?\b(?: (?:at|in) (?:the )?{_PLACE})?",
    _F | re.IGNORECASE,
)
_HOTEL_CONTEXT = re.compile(_HOTEL_WORDS + r"|酒店|宾馆|饭店|民宿|客栈|旅馆|入住|住在", _F | re.IGNORECASE)
_STAY = re.compile(
    rf"\b(?:staying|stayed|stay|check(?:ed|ing)? in(?:to)?|booked (?:a room )?|we're at|i'm at) "
    rf"(?:at|in|into)? ?"
    rf"(?:the )?(?P<hotel>(?-i:[A-Z][A-Za-z'’&.\-]+(?: [A-Z][A-Za-z'’&.\-]+){{0,4}}) "
    rf"(?-i:Hotel|Inn|Resort|Suites|Hostel|Motel|Lodge)"
    rf"|(?:(?-i:[A-Z][A-Za-z'’&.\-]+) ){{0,2}}(?:{_HOTEL_BRANDS})"
    rf"(?: (?-i:[A-Z][A-Za-z'’&.\-]+)){{0,3}})",
    _F | re.IGNORECASE,
)
_ZH_STAY = re.compile(
    r"(?:住在|入住|住进|订了|预订了|预定了|下榻|住的是|住)(?P<hotel>[\u4e00-\u9fffA-Za-z0-9·]{1,14}?"
    r"(?:大酒店|酒店|宾馆|饭店|民宿|客栈|旅馆|度假村|青旅|招待所))(?:的?\s?\d{2,5}(?:号)?(?:房间|房|室))?"
    r"|(?:房间号?|房号)(?:是|为|:|：)?\s?\d{2,5}|\d{2,5}(?:号)?房间",
    _F,
)


class _Stays(ScanFinder):
    """Hotel stays and rooms (see the module docstring)."""

    def find(self, scan: Scan) -> Iterator[tuple[int, int]]:
        text, lower = scan.text, scan.lower
        for m in _ROOM.finditer(text) if scan.has("room") else ():
            a, b = _sentence(lower, m.start(), m.end())
            if _HOTEL_CONTEXT.search(lower, a, b) is not None:
                yield m.span()
        for m in _STAY.finditer(text) if any(scan.has(w) for w in _EN_STAY_WORDS) else ():
            a, b = _sentence(lower, m.start(), m.end())
            if _EN_PERSON.search(lower, a, b) is not None:
                yield m.span()
        for m in _ZH_STAY.finditer(lower) if any(scan.has(w) for w in _ZH_STAY_WORDS) else ():
            hotel = m.group("hotel")
            if hotel is not None and any(w in hotel for w in ("那种", "这种", "什么", "哪", "一家", "一个")):
                continue  # a kind of hotel, not a stay
            if hotel is None:
                a, b = _sentence(lower, m.start(), m.end())
                if _HOTEL_CONTEXT.search(lower, a, b) is None:
                    continue
            yield m.span()


# -- commutes ------------------------------------------------------------------------------------------

_EN_COMMUTE = re.compile(
    r"\b(?:take|takes|took|catch|catches|ride|rides|get on|hop on|drive|drives|bike|bikes|cycle|cycles|walk|"
    r"walks|commute|commutes)(?: the| a| my)?(?: \d{1,2}(?::\d{2})?(?: ?[ap]\.?m\.?)?)?(?: [\w\-]+){0,2}? "
    r"(?:bus|train|subway|metro|tube|ferry|tram|shuttle|line|express|light rail|streetcar|bike|car)"
    rf"(?: [\w\-]+)? (?:from (?:the )?{_PLACE}(?: [a-z]+)? )?to (?:the )?(?:{_PLACE}|work|school|the office|"
    r"campus|my office|the station)",
    _F | re.IGNORECASE,
)
_ROUTINE = re.compile(
    r"\b(?:every|each|daily|weekdays?|usually|always|normally|commute|to work|to school|mornings?)\b", _F
)
_ZH_COMMUTE = re.compile(
    r"(?:每天|每日|天天|平时|平常|工作日|每周[一二三四五六日]?|通常|一般)[^，。！？\n]{0,10}?"
    r"(?P<route>(?:坐|乘|搭|乘坐|搭乘|开车|骑车|骑电动车|步行|打车)[^，。！？\n]{1,20}?(?:去公司上班|去单位上班|去学校上学|上班|上学|通勤|去公司|回家|去学校))",
    _F,
)


class _Commutes(ScanFinder):
    """A vehicle and a route said as a habit (see the module docstring)."""

    def find(self, scan: Scan) -> Iterator[tuple[int, int]]:
        text, lower = scan.text, scan.lower
        for m in _EN_COMMUTE.finditer(text) if any(scan.has(w) for w in _EN_ROUTINE_WORDS) else ():
            a, b = _sentence(lower, m.start(), m.end())
            if _ROUTINE.search(lower, a, b) is not None and _EN_PERSON.search(lower, a, b) is not None:
                yield m.span()
        for m in _ZH_COMMUTE.finditer(lower) if any(scan.has(w) for w in _ZH_ROUTINE_WORDS) else ():
            yield m.span("route")


def _alternatives(block: str) -> tuple[str, ...]:
    """Trigger words written as one "|"-separated string (some end in a space: "go ")."""
    return tuple(block.split("|"))


_FLIGHT_TRIGGERS = _alternatives(
    "flight|fly|flew|board|depart|arriv|land|gate|terminal|airport|airline|plane|layover|connecting|"
    "check-in|seat|航班|飞机|机票|登机|起飞|降落|落地|机场|航空|转机|值机|经停"
)
# A plan has a date: its words are the triggers (English ones also gate the English pattern).
_EN_DATE_WORDS = _alternatives(
    "january|february|march|april|may|june|july|august|september|october|november|december|jan |feb |"
    "mar |apr |jun |jul |aug |sep |sept |oct |nov |dec |monday|tuesday|wednesday|thursday|friday|saturday|"
    "sunday|tomorrow|tonight|week|month|year|summer|spring|fall|autumn|winter|christmas|thanksgiving|"
    "easter|holiday|break|days|1st|2nd|3rd|0th|1th|2th|3th|4th|5th|6th|7th|8th|9th"
)
_ZH_DATE_WORDS = _alternatives(
    "下周|这周|本周|上周|下星期|下礼拜|这个星期|下个|下月|明天|后天|今晚|明早|明晚|今天|周末|星期|月|号|"
    "国庆|五一|春节|过年|暑假|寒假|元旦|中秋|端午|清明|年底|年初|明年|今年|周一|周二|周三|周四|周五|周六|周日"
)
_PLAN_TRIGGERS = (
    *_EN_DATE_WORDS,
    *_ZH_DATE_WORDS,
    "/",
    *_alternatives("出差|旅游|旅行|度假|度蜜月|开会|探亲|参加|玩"),
    *_alternatives(" for my | for our | for his | for her | for their | for a | for the "),
)
_EN_STAY_WORDS = _alternatives("stay|check|booked|we're at|i'm at")
_ZH_STAY_WORDS = _alternatives("住|订了|预订|预定|下榻|房间|房号")
_STAY_TRIGGERS = ("room", *_EN_STAY_WORDS, *_ZH_STAY_WORDS)
_BOOKING_TRIGGERS = _alternatives(
    "booking|reservation|confirmation|pnr|record locator|ticket|boarding pass|"
    "预订|预定|订房|确认号|票号|行程单"
)
_EN_ROUTINE_WORDS = _alternatives(
    "every|each|daily|weekday|usually|always|normally|commute|to work|to school|morning"
)
_ZH_ROUTINE_WORDS = _alternatives("每天|每日|天天|平时|平常|工作日|每周|通常|一般")
_COMMUTE_TRIGGERS = (*_EN_ROUTINE_WORDS, *_ZH_ROUTINE_WORDS)


def itinerary_recognizers() -> list[Recognizer]:
    return [
        Recognizer(
            "flight_number",
            "Itinerary/Trajectory",
            pattern=_FLIGHT_NUMBER,
            validator=_known_airline,
            context=_FLIGHT_WORDS,
            context_window=60,
            context_after=True,
            score=0.85,
            min_digits=1,
            trigger=_FLIGHT_TRIGGERS,
            description="an airline's IATA designator and a flight number, near a flight word",
        ),
        keyed(
            "flight_keyword",
            "Itinerary/Trajectory",
            ("flight(?: number| no\\.?| #)?", "航班号?", "班机"),
            rf"{_DESIGNATOR}[ \-]?\d{{1,4}}(?-i:[A-Z])?",
            score=0.85,
            gap=False,
            trigger=("flight", "航班", "班机"),
            description="a flight number right after 'flight'/'航班'",
        ),
        Recognizer(
            "train_number",
            "Itinerary/Trajectory",
            pattern=r"(?<![A-Za-z0-9\-])(?-i:[GDCZTKYLS])\d{1,4}(?![A-Za-z0-9])(?:次)?|\d{1,2}车(?:厢)?\d{1,3}[A-F]?号?",
            context=_TRAIN_WORDS,
            context_window=30,
            context_after=True,
            score=0.8,
            min_digits=1,
            trigger=_TRAIN_WORDS,
            description="a Chinese train number (G/D/C/Z/T/K) or coach and seat near a train word",
        ),
        Recognizer(
            "travel_plan",
            "Itinerary/Trajectory",
            finder=_TravelPlans(),
            score=0.7,
            trigger=_PLAN_TRIGGERS,
            description="a travel verb, a destination and a date in one clause",
        ),
        Recognizer(
            "hotel_stay",
            "Itinerary/Trajectory",
            finder=_Stays(),
            score=0.75,
            trigger=_STAY_TRIGGERS,
            description="hotel stays and room numbers",
        ),
        keyed(
            "booking_reference",
            "Itinerary/Trajectory",
            (
                r"booking (?:reference|ref\.?|number|code|no\.?|id)",
                r"(?:hotel |flight )?reservation (?:number|code|no\.?|#|id)",
                r"confirmation (?:number|code|no\.?|#)",
                r"pnr",
                r"record locator",
                r"(?:e-|train |plane |flight |rail |bus |ferry )ticket"
                r"(?: (?:number|no\.?|#|id|ref(?:erence)?))?",
                r"boarding pass(?: number| no\.?| #)?",
                "票号",
                "车票号",
                "电子客票号",
                "行程单号",
                "预订号",
                "预定号",
                "订房号",
                "确认号",
                "预订编号",
                "预订单号",
            ),
            r"#?(?-i:[A-Z0-9]{2,16}(?:-[A-Z0-9]{2,10}){0,3})",
            validator=_booking_ok,
            score=0.8,
            trigger=_BOOKING_TRIGGERS,
            description="a booking reference after its key word",
        ),
        Recognizer(
            "commute_route",
            "Itinerary/Trajectory",
            finder=_Commutes(),
            score=0.7,
            trigger=_COMMUTE_TRIGGERS,
            description="a vehicle and a route said as a habit",
        ),
    ]
