"""`EnsembleExtractor`: the union of several extractors under the span merge rule.

Rules catch formatted identifiers a model may miss; a model catches semantic spans rules cannot
see. The union, merged by `merge_spans`, keeps the strongest reading of every overlap.

What the guard reads to bound its time (see `memprivacy_plugin._runner`) follows from the members:
the ensemble is `linear_time` when every member is (read as the guard reads it, see `_bounds`: a
member that overrides `extract` without declaring `linear_time` itself is not), its
`default_timeout` is the sum of theirs (members run one after the other), its `work_units` for
a text the most any member needs (the chunks of a long message), and it is
`async_native` when every member is either linear time or async native and one at least is
async native; then `aextract` runs the linear ones inline and awaits the others, with no worker
thread.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from ..spans import PrivacySpan, merge_spans, resolve_span
from ._bounds import is_async_native, is_linear_time, work_units
from .base import BaseExtractor, Extractor, aextract_with, coverage_of, extract_batch_with

__all__ = ["EnsembleExtractor"]


class EnsembleExtractor(BaseExtractor):
    """Runs every extractor on the message and merges what they found."""

    name = "ensemble"

    def __init__(self, extractors: Sequence[Extractor]) -> None:
        if not extractors:
            raise ValueError("EnsembleExtractor needs at least one extractor")
        self.extractors = list(extractors)

    @property
    def linear_time(self) -> bool:
        return all(is_linear_time(e) for e in self.extractors)

    @property
    def default_timeout(self) -> float | None:
        """The sum of the members' declared bounds; None when a member that is not linear time
        declares none (the guard then uses its default)."""
        total = 0.0
        for e in self.extractors:
            if is_linear_time(e):
                continue
            declared = getattr(e, "default_timeout", None)
            if isinstance(declared, bool) or not isinstance(declared, (int, float)) or not declared > 0:
                return None
            total += declared
        return total or None

    @property
    def coverage(self) -> frozenset[str] | None:
        """The union of the members' coverage; unknown (None) when a member's is unknown."""
        union: set[str] = set()
        for e in self.extractors:
            declared = coverage_of(e)
            if declared is None:
                return None
            union |= declared
        return frozenset(union)

    def work_units(self, text: str) -> int:
        """The most model calls any member needs for `text` (members' bounds are summed)."""
        return max(work_units(e, [text]) for e in self.extractors)

    @property
    def async_native(self) -> bool:
        native = [is_async_native(e) for e in self.extractors if not is_linear_time(e)]
        return bool(native) and all(native)

    def _combine(self, text: str, found: Sequence[Sequence[PrivacySpan]]) -> list[PrivacySpan]:
        spans = [r for spans in found for s in spans for r in resolve_span(text, s)]
        return merge_spans(spans, text)

    def extract(self, text: str, *, user_name: str | None = None) -> list[PrivacySpan]:
        return self._combine(text, [e.extract(text, user_name=user_name) for e in self.extractors])

    def extract_batch(self, texts: Sequence[str], *, user_name: str | None = None) -> list[list[PrivacySpan]]:
        per_extractor = [extract_batch_with(e, texts, user_name=user_name) for e in self.extractors]
        return [self._combine(t, [res[i] for res in per_extractor]) for i, t in enumerate(texts)]

    async def aextract(self, text: str, *, user_name: str | None = None) -> list[PrivacySpan]:
        async def one(e: Extractor) -> list[PrivacySpan]:
            if is_linear_time(e):  # pure Python: no thread for it
                return e.extract(text, user_name=user_name)
            return await aextract_with(e, text, user_name=user_name)

        found = await asyncio.gather(*(one(e) for e in self.extractors))
        return self._combine(text, found)

    def __repr__(self) -> str:
        return f"EnsembleExtractor({self.extractors!r})"
