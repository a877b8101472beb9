"""`KnownValuesExtractor`: protects values you already know, wherever they appear.

A deny list in Presidio's sense: the user's own name, an account number, a project code name.
Each occurrence is found exactly, or after Unicode normalisation (full-width digits, zero-width
characters, case). It also serves as an oracle extractor built from gold annotations in tests and
evaluations, since it finds precisely what it is told.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from ..spans import Locator, PrivacySpan, merge_spans, normalize_for_match
from ..taxonomy import PrivacyLevel, level_of, normalize_type
from .base import BaseExtractor

__all__ = ["KnownValue", "KnownValuesExtractor"]

KnownValue = tuple[str, str, PrivacyLevel | str | None]


class KnownValuesExtractor(BaseExtractor):
    """Finds every occurrence of known values.

    `values` maps a value to its type (level from the taxonomy), or is an iterable of
    `(value, type, level)` triples; a level of None takes the type's standard level.
    """

    name = "known"
    #: string search, time linear in the text: the guard calls it inline, without a worker thread
    linear_time = True
    #: no type in general: it finds the values it was given, not other values of their types
    coverage: frozenset[str] = frozenset()

    def __init__(self, values: Mapping[str, str] | Iterable[KnownValue] = ()) -> None:
        self._values: dict[str, tuple[str, PrivacyLevel, str]] = {}
        items: Iterable[KnownValue] = (
            ((v, t, None) for v, t in values.items()) if isinstance(values, Mapping) else values
        )
        for value, privacy_type, level in items:
            self.add(value, privacy_type, level)

    def add(self, value: str, privacy_type: str, level: PrivacyLevel | str | None = None) -> None:
        """Protect `value` from now on."""
        if not value.strip():
            raise ValueError("a known value must not be empty")
        tag = normalize_type(privacy_type).name
        lvl = PrivacyLevel(level) if level is not None else level_of(privacy_type)
        self._values[value] = (tag, lvl, normalize_for_match(value))

    def __len__(self) -> int:
        return len(self._values)

    def extract(self, text: str, *, user_name: str | None = None) -> list[PrivacySpan]:
        locator = Locator(text)
        spans = [
            PrivacySpan(text=text[s:e], start=s, end=e, privacy_type=tag, level=level, source=self.name)
            for value, (tag, level, normalized) in self._values.items()
            for s, e in locator.find(value, normalized)
        ]
        return merge_spans(spans, text)

    def __repr__(self) -> str:
        return f"KnownValuesExtractor({len(self)} values)"
