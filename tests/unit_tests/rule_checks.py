"""Checks the per-family rule tests share: every span the rules return must hold these."""

from __future__ import annotations

import itertools

from memprivacy_plugin.extractors.rules import FAMILIES, RuleExtractor
from memprivacy_plugin.spans import PrivacySpan
from memprivacy_plugin.taxonomy import STANDARD_TYPES, PrivacyLevel

__all__ = ["assert_found", "family_only", "spans_of"]


def family_only(family: str) -> RuleExtractor:
    """An extractor with only one family's recognisers, for hard negatives of that family."""
    return RuleExtractor(recognizers=FAMILIES[family]())


def spans_of(rules: RuleExtractor, text: str) -> list[PrivacySpan]:
    """The spans of `text`, after checking what every span must satisfy: its text is the
    message's own text at its offsets, its level is its type's level, spans do not overlap."""
    spans = rules.extract(text)
    for s in spans:
        assert text[s.start : s.end] == s.text, (text, s)
        assert s.level == STANDARD_TYPES[s.privacy_type].level, s
    for a, b in itertools.pairwise(spans):
        assert a.end <= b.start, (a, b)
    return spans


def assert_found(rules: RuleExtractor, text: str, ptype: str, value: str, level: PrivacyLevel) -> None:
    """`text` has a span of exactly `value`, typed `ptype` at `level`."""
    spans = spans_of(rules, text)
    match = [s for s in spans if s.text == value]
    assert match, f"{value!r} not in {text!r}: {[(s.privacy_type, s.text) for s in spans]}"
    assert (match[0].privacy_type, match[0].level) == (ptype, level), match[0]
