"""`PrivacySpan`, the one type that crosses between stages, and the rules that make spans trustworthy:
offsets verified against the message, re-located after Unicode normalisation when a model changed
the text, and overlaps merged.

Merge rule: overlapping spans become one span covering the union of their characters, so no part
of a sensitive span is left in clear; the union takes the type, level and source of the winning
span: the higher level wins, then the longer span, then the higher score, then the earlier one.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from .taxonomy import PrivacyLevel, coerce_level

__all__ = [
    "Locator",
    "PrivacySpan",
    "locate",
    "merge_spans",
    "normalize_for_match",
    "resolve_span",
    "resolve_spans",
]

_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)


class PrivacySpan(BaseModel):
    """A privacy-sensitive piece of a message: where it is, what it is, how sensitive.

    `text` is kept out of `repr()` so that logging a span never prints the value.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    text: str = Field(repr=False, min_length=1)
    start: int = Field(ge=0)
    end: int = Field(gt=0)
    privacy_type: str = Field(min_length=1)
    level: PrivacyLevel
    score: float = Field(default=1.0, ge=0.0, le=1.0)
    source: str = ""

    @field_validator("level", mode="before")
    @classmethod
    def _level(cls, value: Any) -> PrivacyLevel:
        return coerce_level(value)

    @model_validator(mode="after")
    def _offsets(self) -> PrivacySpan:
        if self.end <= self.start:
            raise ValueError("end must be greater than start")
        return self

    def __len__(self) -> int:
        return self.end - self.start

    def overlaps(self, other: PrivacySpan) -> bool:
        return self.start < other.end and other.start < self.end


def _normalized_with_map(text: str) -> tuple[str, list[int]]:
    """NFKC-normalise `text`, drop zero-width characters and collapse whitespace runs; return the
    normalised string and, for each of its characters, the index of the source character."""
    out: list[str] = []
    index: list[int] = []
    last_space = False
    for i, ch in enumerate(text):
        norm = unicodedata.normalize("NFKC", ch).translate(_ZERO_WIDTH)
        for c in norm:
            if c.isspace():
                if last_space:
                    continue
                c = " "
                last_space = True
            else:
                last_space = False
            out.append(c.casefold() if len(c.casefold()) == 1 else c)
            index.append(i)
    return "".join(out), index


def normalize_for_match(text: str) -> str:
    """The form `locate` compares in: NFKC, case-folded, zero-width dropped, whitespace collapsed."""
    return _normalized_with_map(text)[0].strip()


def _find_all(haystack: str, needle: str) -> Iterator[int]:
    i = haystack.find(needle)
    while i >= 0:
        yield i
        i = haystack.find(needle, i + 1)


class Locator:
    """Finds many needles in one message: exact occurrences first, and for a needle with none, its
    normalised occurrences, the message being normalised once however many needles are searched."""

    def __init__(self, message: str) -> None:
        self.message = message
        self._norm: tuple[str, list[int]] | None = None

    def find(self, needle: str, normalized_needle: str | None = None) -> list[tuple[int, int]]:
        if not needle:
            return []
        found = [(i, i + len(needle)) for i in _find_all(self.message, needle)]
        if found:
            return found
        norm_needle = normalized_needle if normalized_needle is not None else normalize_for_match(needle)
        if not norm_needle:
            return []
        if self._norm is None:
            self._norm = _normalized_with_map(self.message)
        norm_message, index = self._norm
        return [(index[i], index[i + len(norm_needle) - 1] + 1) for i in _find_all(norm_message, norm_needle)]


def locate(message: str, needle: str) -> list[tuple[int, int]]:
    """Every occurrence of `needle` in `message` as (start, end), exact first; if there is none,
    found again after NFKC, width, case, whitespace and zero-width normalisation."""
    return Locator(message).find(needle)


def resolve_span(message: str, span: PrivacySpan) -> list[PrivacySpan]:
    """Check a span against the message. Offsets that point at its text are kept; otherwise the
    text is located (every occurrence, since each one is the same private value). A span whose
    text is nowhere in the message, even after normalisation, is dropped (empty list)."""
    if 0 <= span.start < span.end <= len(message) and message[span.start : span.end] == span.text:
        return [span]
    return [
        span.model_copy(update={"text": message[s:e], "start": s, "end": e})
        for s, e in locate(message, span.text)
    ]


def resolve_spans(message: str, spans: Iterable[PrivacySpan]) -> list[PrivacySpan]:
    """`resolve_span` over many spans, then `merge_spans`."""
    resolved: list[PrivacySpan] = []
    for span in spans:
        resolved.extend(resolve_span(message, span))
    return merge_spans(resolved, message)


def _strength(span: PrivacySpan) -> tuple[int, int, float, int]:
    return (span.level.rank, len(span), span.score, -span.start)


def merge_spans(spans: Sequence[PrivacySpan], message: str | None = None) -> list[PrivacySpan]:
    """Merge overlapping spans into their union (see the module docstring for the rule); the
    result is sorted by start and free of overlaps. With `message`, the union's text is re-read
    from it; without, the union's text is stitched from the spans."""
    ordered = sorted(spans, key=lambda s: (s.start, -s.end))
    merged: list[PrivacySpan] = []
    group: list[PrivacySpan] = []
    group_end = -1

    def flush() -> None:
        if not group:
            return
        if len(group) == 1:
            merged.append(group[0])
            return
        winner = max(group, key=_strength)
        start = min(s.start for s in group)
        end = max(s.end for s in group)
        text = message[start:end] if message is not None else _stitch(group, start, end)
        merged.append(winner.model_copy(update={"text": text, "start": start, "end": end}))

    for span in ordered:
        if group and span.start < group_end:
            group.append(span)
            group_end = max(group_end, span.end)
        else:
            flush()
            group = [span]
            group_end = span.end
    flush()
    return merged


def _stitch(group: Sequence[PrivacySpan], start: int, end: int) -> str:
    chars: list[str] = [""] * (end - start)
    for s in group:
        for i, ch in enumerate(s.text[: s.end - s.start]):
            chars[s.start - start + i] = ch
    return "".join(chars)
