"""`EnsembleExtractor`: the union of several extractors under the span merge rule.

Rules catch formatted identifiers a model may miss; a model catches semantic spans rules cannot
see. The union, merged by `merge_spans`, keeps the strongest reading of every overlap.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from ..spans import PrivacySpan, merge_spans, resolve_span
from .base import BaseExtractor, Extractor, aextract_with, extract_batch_with

__all__ = ["EnsembleExtractor"]


class EnsembleExtractor(BaseExtractor):
    """Runs every extractor on the message and merges what they found."""

    name = "ensemble"

    def __init__(self, extractors: Sequence[Extractor]) -> None:
        if not extractors:
            raise ValueError("EnsembleExtractor needs at least one extractor")
        self.extractors = list(extractors)

    def _combine(self, text: str, found: Sequence[Sequence[PrivacySpan]]) -> list[PrivacySpan]:
        spans = [r for spans in found for s in spans for r in resolve_span(text, s)]
        return merge_spans(spans, text)

    def extract(self, text: str, *, user_name: str | None = None) -> list[PrivacySpan]:
        return self._combine(text, [e.extract(text, user_name=user_name) for e in self.extractors])

    def extract_batch(self, texts: Sequence[str], *, user_name: str | None = None) -> list[list[PrivacySpan]]:
        per_extractor = [extract_batch_with(e, texts, user_name=user_name) for e in self.extractors]
        return [self._combine(t, [res[i] for res in per_extractor]) for i, t in enumerate(texts)]

    async def aextract(self, text: str, *, user_name: str | None = None) -> list[PrivacySpan]:
        found = await asyncio.gather(*(aextract_with(e, text, user_name=user_name) for e in self.extractors))
        return self._combine(text, found)

    def __repr__(self) -> str:
        return f"EnsembleExtractor({self.extractors!r})"
