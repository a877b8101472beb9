"""Judicial records (PL3): arrests, charges, convictions, sentences, probation, lawsuits and court
dates said of the speaker or a relation, with the offence or penalty next to them; hard negatives are
news, questions, hypotheticals and the everyday senses of the same words."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from rule_checks import assert_found, family_only, spans_of

from memprivacy_plugin.extractors.rules import RuleExtractor
from memprivacy_plugin.taxonomy import PrivacyLevel

JR = "Judicial Record"


@pytest.fixture(scope="module")
def judicial_only() -> RuleExtractor:
    return family_only("judicial")


POSITIVES = [
    ("I was arrested for shoplifting when I was nineteen.", "arrested for shoplifting"),
    ("My brother got two DUIs in one year.", "two DUIs"),
    ("I have a felony conviction from 2015.", "felony conviction"),
    ("My court date is next Tuesday at 9.", "court date"),
    ("I'm on probation until March.", "probation"),
    ("They sued me over a fence.", "sued"),
    ("I'm suing my landlord for the deposit.", "suing"),
    ("my dad was sentenced to 18 months", "sentenced to 18 months"),
    ("Got a DUI last year and lost my license.", "DUI"),
    ("My ex filed a restraining order against me.", "restraining order"),
    ("We are in a custody battle with his parents.", "custody battle"),
    ("I got a parking ticket outside the gym yesterday", "parking ticket"),
    ("我因酒驾被拘留了15天", "酒驾被拘留了15天"),
    ("我哥被判了三年", "被判了三年"),
    ("我被起诉了，怎么办", "被起诉"),
    ("去年因为醉驾被判缓刑两年", "醉驾被判缓刑两年"),
    ("我下周要出庭", "出庭"),
    ("我爸有前科", "前科"),
    ("My brother Tom got arrested last year.", "arrested"),
    ("she was convicted of fraud", "convicted of fraud"),
]


@pytest.mark.parametrize(("text", "value"), POSITIVES)
def test_positive(judicial_only: RuleExtractor, text: str, value: str) -> None:
    assert_found(judicial_only, text, JR, value, PrivacyLevel.PL3)


@pytest.mark.parametrize(("text", "value"), POSITIVES[::3])
def test_positive_in_the_default_extractor(rules: RuleExtractor, text: str, value: str) -> None:
    start = text.index(value)
    spans = spans_of(rules, text)
    assert any(s.start <= start and start + len(value) <= s.end and s.privacy_type == JR for s in spans), (
        spans
    )


HARD_NEGATIVES = [
    "The lawsuit against the carmaker was in the news.",
    "How does probation work in California?",
    "What happens if I get a DUI?",
    "I'm on probation at my new job for three months.",
    "I had a cardiac arrest in 2020.",
    "She said it with conviction.",
    "I heard the CEO was arrested.",
    "I had to bail on the party.",
    "I locked up the house before leaving.",
    "I watched a documentary about prison reform.",
    "How much is a speeding ticket in Ohio?",
    "酒驾会被拘留吗？",
    "听说那个明星被逮捕了",
    "这部电影讲的是一个律师打官司的故事",
    "起诉书一般怎么写",
]


@pytest.mark.parametrize("text", HARD_NEGATIVES)
def test_hard_negative(judicial_only: RuleExtractor, text: str) -> None:
    assert spans_of(judicial_only, text) == []


def test_long_message_takes_linear_time(judicial_only: RuleExtractor, growth: Callable[..., float]) -> None:
    unit = "I was arrested for theft. my court date is soon. 我被拘留了三天。sued "

    def make(n: int) -> str:
        return (unit * (n // len(unit) + 1))[:n]

    assert growth(judicial_only.extract, make, 20_000) < 4
