"""Fixtures of the unit tests."""

from __future__ import annotations

import pytest

from memprivacy_plugin.extractors.rules import RuleExtractor


@pytest.fixture(scope="module")
def rules() -> RuleExtractor:
    """The default rule extractor (a module's own `rules` fixture takes precedence)."""
    return RuleExtractor()
