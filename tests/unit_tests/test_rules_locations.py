"""Precise Location (PL3): coordinates in decimal degrees and in degrees, minutes and seconds; hard
negatives are decimal pairs that are scores, ratios, versions or out of range."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from rule_checks import assert_found, family_only, spans_of

from memprivacy_plugin.extractors.rules import RuleExtractor
from memprivacy_plugin.taxonomy import PrivacyLevel

PL = "Precise Location"


@pytest.fixture(scope="module")
def locations_only() -> RuleExtractor:
    return family_only("locations")


POSITIVES = [
    ("I'm currently at 40.7128, -74.0060, come pick me up", "40.7128, -74.0060"),
    ("pin: 31.2304°N, 121.4737°E", "31.2304°N, 121.4737°E"),
    ("lat 31.230 lng 121.473 is where the car is", "lat 31.230 lng 121.473"),
    ("meet me at 40°42'46\"N 74°0'21\"W", "40°42'46\"N 74°0'21\"W"),
    ("我现在的位置是 31.2304,121.4737", "31.2304,121.4737"),
    ("-33.8688 151.2093", "-33.8688 151.2093"),
]


@pytest.mark.parametrize(("text", "value"), POSITIVES)
def test_positive(rules: RuleExtractor, text: str, value: str) -> None:
    assert_found(rules, text, PL, value, PrivacyLevel.PL3)


HARD_NEGATIVES = [
    "precision and recall were 0.853, 0.912",
    "upgrade from version 1.2.3 to 2.345",
    "the ratio went from 12.345 to 67.891",
    "the ratio is 12.345 67.891 now",
    "values 95.1234, 200.5678 are out of range",
    "0.0000, 0.0000",
    "it costs 1.5, 2.25 or 3.75",
]


@pytest.mark.parametrize("text", HARD_NEGATIVES)
def test_hard_negative(locations_only: RuleExtractor, text: str) -> None:
    assert spans_of(locations_only, text) == []


def test_long_message_takes_linear_time(locations_only: RuleExtractor, growth: Callable[..., float]) -> None:
    for unit in ("40.7128, -74.0060 ", "1.2345 ", "40°42'46\"N "):

        def make(n: int, unit: str = unit) -> str:
            return (unit * (n // len(unit) + 1))[:n]

        assert growth(locations_only.extract, make, 20_000) < 4
