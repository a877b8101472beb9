"""Itinerary/Trajectory (PL3): flight and train numbers, travel plans with a destination and a date,
hotel stays and rooms, booking references and commutes, in English and Chinese; hard negatives are
codes without travel words, general talk about places and trips, and errands."""

from __future__ import annotations

import pytest
from rule_checks import assert_found, family_only, spans_of

from memprivacy_plugin.extractors.rules import RuleExtractor
from memprivacy_plugin.taxonomy import PrivacyLevel

IT = "Itinerary/Trajectory"


@pytest.fixture(scope="module")
def itinerary_only() -> RuleExtractor:
    return family_only("itinerary")


POSITIVES = [
    ("My flight to Denver leaves on Friday at 6am.", "flight to Denver leaves on Friday"),
    ("our ferry to Santorini departs on June 3", "ferry to Santorini departs on June 3"),
    ("We're flying to Rio de Janeiro on March 3.", "flying to Rio de Janeiro on March 3"),
    # flights and trains
    ("My flight UA857 leaves at 9", "UA857"),
    ("I'm on flight BA-772X tomorrow", "BA-772X"),
    ("boarding LH 401 at gate B12 in an hour", "LH 401"),
    ("CA1831航班明天早上8点起飞", "CA1831"),
    ("我的航班号是MU5137", "MU5137"),
    ("flight XQ123 was delayed", "XQ123"),
    ("我坐高铁G1234去上海", "G1234"),
    ("明天的动车D312，5车12F", "D312"),
    ("明天的动车D312，5车12F", "5车12F"),
    ("车次K1234，硬卧", "K1234"),
    # travel plans
    ("I'm flying to Lisbon on March 3", "flying to Lisbon on March 3"),
    ("next Friday we're heading to Kyoto", "next Friday we're heading to Kyoto"),
    ("We'll be in New York from June 3 to June 9", "be in New York from June 3 to June 9"),
    ("My parents are visiting Boston for Christmas", "visiting Boston for Christmas"),
    ("flying to Paris with my wife on the 14th of May", "flying to Paris with my wife on the 14th of May"),
    ("I'm planning a trip to Iceland in November 2026", "trip to Iceland in November 2026"),
    ("下周五去成都", "下周五去成都"),
    ("下周五我要和老婆去成都玩", "下周五我要和老婆去成都玩"),
    ("国庆节我们打算回老家", "国庆节我们打算回老家"),
    ("下个月去约翰内斯堡出差", "下个月去约翰内斯堡出差"),
    ("我们在佛罗伦萨度蜜月", "在佛罗伦萨度蜜月"),
    ("他去成都出差了", "去成都出差"),
    ("她下周去上海参加一个会议", "下周去上海"),
    ("我妈去北京参加婚礼了", "去北京"),
    ("We're flying to Paris for our anniversary", "flying to Paris for our anniversary"),
    # hotels and bookings
    ("room 1208 at the Hilton", "room 1208 at the Hilton"),
    ("I'm staying at the Grand Hyatt next week", "staying at the Grand Hyatt"),
    ("we checked into the Harbour View Hotel last night", "checked into the Harbour View Hotel"),
    ("我住在希尔顿酒店1208房间", "住在希尔顿酒店1208房间"),
    ("酒店房间号是 806", "房间号是 806"),
    ("my booking reference is QX7RTY", "QX7RTY"),
    ("the PNR is QXRTBY", "QXRTBY"),
    ("酒店预订号：HTL88231", "HTL88231"),
    ("my e-ticket number is 7812345678901", "7812345678901"),
    # commutes
    (
        "I take the 7:40 bus from Elm Street to the station every day",
        "take the 7:40 bus from Elm Street to the station",
    ),
    ("every morning I ride the Red Line to work", "ride the Red Line to work"),
    ("每天坐地铁2号线去公司上班", "坐地铁2号线去公司上班"),
    # a range kept whole (no "-7" or "/2" left in clear), an ordinal day
    ("I'll be in Denver May 3-7 for work", "be in Denver May 3-7"),
    ("We're flying to Lisbon from 12/20 to 1/2", "flying to Lisbon from 12/20 to 1/2"),
    ("I'm leaving for Tulum on the 3rd", "leaving for Tulum on the 3rd"),
]


@pytest.mark.parametrize(("text", "value"), POSITIVES)
def test_positive(rules: RuleExtractor, text: str, value: str) -> None:
    assert_found(rules, text, IT, value, PrivacyLevel.PL3)


HARD_NEGATIVES = [
    "Is there a train to Boston on Sunday?",
    "The flight to Tokyo takes 12 hours.",
    # codes without travel words, and travel words without a code of theirs
    "The CA 90210 zip code is famous",
    "I scored G1234 points",
    "the G20 summit was in the news",
    "our flight school has 3 planes",
    "UA is short for Ukraine",
    "room 101 is a famous chapter in 1984",
    "my confirmation number is 3 digits long",
    "the parking ticket I got (Ticket No. [INSERT TICKET NUMBER])",
    "support ticket number 48213 is still open",
    "booking reference: [INSERT BOOKING REFERENCE]",
    # general talk about places and trips
    "flights to Paris are cheap in May",
    "Tourists usually go to Rome in April",
    "I'm writing an essay about flying to Mars in 2030",
    "Kyoto is beautiful in November",
    "I want to go to Japan someday",
    "如果下周去成都，有什么攻略吗",
    "成都旅游攻略推荐",
    "去成都旅游有什么推荐",
    "Flights to Rome for a conference are expensive",
    # errands and places that are not trips
    "明天去超市买菜",
    "I'm going to Costco tomorrow",
    "I'm going to bed tonight",
    "我不希望住在那种商业酒店",
    "the bus from Boston to New York is cheap",
]


@pytest.mark.parametrize("text", HARD_NEGATIVES)
def test_hard_negative(itinerary_only: RuleExtractor, text: str) -> None:
    assert spans_of(itinerary_only, text) == []


def test_linear_time(itinerary_only: RuleExtractor, growth) -> None:
    for unit in (
        "flying to Lisbon on March 3 ",
        "下周五去成都，",
        "room 12 hotel ",
        "flight UA1 ",
        "I take the bus to ",
    ):

        def make(n: int, unit: str = unit) -> str:
            return (unit * (n // len(unit) + 1))[:n]

        assert growth(itinerary_only.extract, make, 20_000) < 4
