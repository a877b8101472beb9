"""The extractor contract kit, run against the shipped extractors, and shown to catch broken ones."""

from __future__ import annotations

from typing import Any, ClassVar

import pytest

from memprivacy_plugin import EnsembleExtractor, KnownValuesExtractor, RuleExtractor
from memprivacy_plugin.spans import PrivacySpan
from memprivacy_plugin.taxonomy import PrivacyLevel
from memprivacy_plugin.testing import ExtractorContractTests


class TestRuleExtractor(ExtractorContractTests):
    @pytest.fixture
    def extractor(self) -> RuleExtractor:
        return RuleExtractor()


class TestKnownValuesExtractor(ExtractorContractTests):
    examples: ClassVar = (
        ("my employee id is EMP-44821", "EMP-44821"),
        ("EMP-44821 and emp-44821", "EMP-44821"),
    )

    @pytest.fixture
    def extractor(self) -> KnownValuesExtractor:
        return KnownValuesExtractor([("EMP-44821", "Account ID/Username", "PL2")])


class TestEnsembleExtractor(ExtractorContractTests):
    @pytest.fixture
    def extractor(self) -> EnsembleExtractor:
        return EnsembleExtractor(
            [RuleExtractor(), KnownValuesExtractor([("EMP-44821", "Account ID/Username", "PL2")])]
        )


class _Shifted:
    """Finds the phone number but reports offsets one character late."""

    def extract(self, text: str, *, user_name: str | None = None) -> list[PrivacySpan]:
        at = text.find("+1 415")
        if at < 0:
            return []
        return [
            PrivacySpan(
                text="+1 415", start=at + 1, end=at + 7, privacy_type="Phone Number", level=PrivacyLevel.PL2
            )
        ]


class _Flaky:
    """Answers differently on every call."""

    def __init__(self) -> None:
        self.calls = 0

    def extract(self, text: str, *, user_name: str | None = None) -> list[PrivacySpan]:
        self.calls += 1
        found = RuleExtractor().extract(text)
        return found[: self.calls % 2]


class _NoUserName:
    def extract(self, text: str) -> list[PrivacySpan]:
        return []


@pytest.mark.parametrize(
    ("broken", "test"),
    [
        (_Shifted(), "test_finds_the_examples"),
        (_Flaky(), "test_same_answer_twice"),
        (_NoUserName(), "test_user_name_is_accepted"),
    ],
)
def test_the_kit_catches_broken_extractors(broken: Any, test: str) -> None:
    with pytest.raises((AssertionError, TypeError)):
        getattr(ExtractorContractTests(), test)(broken)
