"""Extractors: find privacy-sensitive spans in a message. Any object with
`extract(text, *, user_name=None) -> list[PrivacySpan]` is one."""

from __future__ import annotations

from .base import BaseExtractor, Extractor
from .ensemble import EnsembleExtractor
from .known import KnownValuesExtractor
from .rules import Recognizer, RuleExtractor

__all__ = [
    "BaseExtractor",
    "EnsembleExtractor",
    "Extractor",
    "KnownValuesExtractor",
    "Recognizer",
    "RuleExtractor",
]
