"""`PrivacySpan`, the one type that crosses between stages, and the rules that make spans trustworthy:
offsets verified against the message, re-located after Unicode normalisation when a model changed
the text, and overlaps merged.

Merge rule: overlapping spans become one span covering the union of their characters, so no part
of a sensitive span is left in clear; the union takes the type, level and source of the winning
span: the higher level wins, then the longer span, then the higher score, then the earlier one.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from .taxonomy import PrivacyLevel, coerce_level

__all__ = ["PrivacySpan", "locate", "merge_spans", "resolve_span", "resolve_spans"]

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


def _normalize(text: str) -> str:
    return _normalized_with_map(text)[0].strip()


def locate(message: str, needle: str) -> list[tuple[int, int]]:
    """Every occurrence of `needle` in `message` as (start, end), exact first; if there is none,
    found again after NFKC, width, case, whitespace and zero-width normalisation."""
    if not needle:
        return []
    found = [(m.start(), m.start() + len(needle)) for m in re.finditer(re.escape(needle), message)]
    if found:
        return found
    norm_needle = _normalize(needle)
    if not norm_needle:
        return []
    norm_message, index = _normalized_with_map(message)
    spans: list[tuple[int, int]] = []
    for m in re.finditer(re.escape(norm_needle), norm_message):
        start = index[m.start()]
        end = index[m.end() - 1] + 1
        spans.append((start, end))
    return spans


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
