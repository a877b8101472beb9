"""The guard's own output, recognised when it comes back in: protecting text twice changes nothing.

Protected text travels: a model quotes it, a tool echoes it, one adapter hands it to another, a
memory search returns it. When it reaches `protect` again, what the guard wrote there must pass
unchanged, or placeholders turn into `<Literal_N>` and redactions grow (`<Password>>`):

- a placeholder this user's vault resolves (any spelling `PLACEHOLDER_RE` accepts, `<Literal_N>`
  included) stays as it is: it stands for this user's own value, and restoring it gives that value
  back to the same user. A placeholder the vault does not resolve is still escaped as a literal,
  so no text can make a later restore resolve it;
- a redaction marker written by the policy's `redaction_format` stays as it is;
- a span the extractor found across such a marker ("<Password>;", "<Password>!hunter2") keeps only
  what lies outside it, when that holds a letter or a digit: the marker is not private, what was
  glued to it may be.
"""

from __future__ import annotations

import re
import string
from collections.abc import Collection, Sequence
from functools import lru_cache

from .placeholders import PLACEHOLDER_RE, placeholder_key
from .spans import PrivacySpan

__all__ = ["marker_regex", "outside", "own_ranges"]

# What `{name}` and `{type}` of a redaction format become (see `policy._redaction`).
_FIELDS = {"name": r"[A-Za-z][A-Za-z0-9_]{0,120}", "type": r"[^\s<>\[\]{}()][^<>\[\]{}()\n]{0,120}?"}


@lru_cache(maxsize=64)
def marker_regex(redaction_format: str) -> re.Pattern[str] | None:
    """A regex for every redaction the format can write, or None when the format has no literal
    text of its own to anchor on (a bare `{name}` would match any word)."""
    parts = []
    anchored = False
    for literal, field, _spec, _conv in string.Formatter().parse(redaction_format):
        if literal:
            parts.append(re.escape(literal))
            anchored = anchored or not literal.isspace()
        if field is not None:
            parts.append(_FIELDS.get(field, r"\S{1,120}?"))
    return re.compile("".join(parts)) if anchored else None


def own_ranges(text: str, known: Collection[str], redaction_format: str) -> list[tuple[int, int]]:
    """Where `text` holds the guard's own output for this user: placeholders whose key is in
    `known` (the keys this user's vault resolves) and redaction markers of `redaction_format`."""
    ranges: list[tuple[int, int]] = []
    if known:
        for m in PLACEHOLDER_RE.finditer(text):
            if placeholder_key(m.group("name"), m.group("num")) in known:
                ranges.append((m.start(), m.end()))
    regex = marker_regex(redaction_format)
    if regex is not None:
        # A redaction never reads as a placeholder (the policy makes sure), so text that does is not one.
        ranges.extend(
            (m.start(), m.end())
            for m in regex.finditer(text)
            if m.end() > m.start() and PLACEHOLDER_RE.fullmatch(m.group()) is None
        )
    return sorted(ranges)


def outside(spans: Sequence[PrivacySpan], ranges: Sequence[tuple[int, int]], text: str) -> list[PrivacySpan]:
    """The spans with the parts that fall inside `ranges` cut out (and the spaces at their edges);
    a part left with no letter or digit is dropped."""
    if not ranges:
        return list(spans)
    out: list[PrivacySpan] = []
    for span in spans:
        overlapping = [(s, e) for s, e in ranges if s < span.end and e > span.start]
        if not overlapping:
            out.append(span)
            continue
        cursor = span.start
        for s, e in [*overlapping, (span.end, span.end)]:
            start, end = cursor, min(s, span.end)
            while start < end and text[start].isspace():
                start += 1
            while end > start and text[end - 1].isspace():
                end -= 1
            if any(c.isalnum() for c in text[start:end]):
                out.append(span.model_copy(update={"text": text[start:end], "start": start, "end": end}))
            cursor = max(cursor, e)
    return out
