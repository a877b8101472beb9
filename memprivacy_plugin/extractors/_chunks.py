"""Long messages in overlapping chunks, for extractors whose model reads a bounded context.

Units are tokens when the extractor has a tokenizer that gives character offsets, else characters.
A generative extractor counts the tokens of the message as its prompt holds it, JSON-escaped.
Windows of `size` units start every `size - overlap` units, and the last one is moved back to end at
the end of the text. Any run of at most `overlap + 1` units lies whole inside one window: take the
last window that starts at or before the run; the next one starts after the run's first unit, so
this one reaches at least `overlap` units past it. A value cut at one window's edge is therefore
found whole in its neighbour, as long as the value is no longer than the overlap.

What each chunk yields is shifted back to the message's offsets (`shift`); `merge_chunks` then
marks every occurrence, in the whole message, of each text found in any chunk (as one extraction of
the whole message would) and merges overlapping spans into their union (`spans.merge_spans`), so
the same value found in two overlapping chunks becomes one span, and a part found at one edge is
covered by the whole found in the neighbour.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

from ..spans import Locator, PrivacySpan, merge_spans

__all__ = [
    "Window",
    "count_windows",
    "json_escaped",
    "merge_chunks",
    "plan_windows",
    "shift",
    "split_window",
    "token_offsets",
]

#: A chunk as character offsets into the message: `(start, end)`.
Window = tuple[int, int]


_ESCAPED = re.compile(r'[\x00-\x1f"\\]')


def json_escaped(text: str) -> tuple[str, list[int] | None]:
    """`text` as it appears inside the prompt's JSON string (`json.dumps(..., ensure_ascii=False)`
    without the quotes) and, for each of its characters, the index of the character of `text` it
    comes from (None when nothing needed escaping: the identity)."""
    if _ESCAPED.search(text) is None:
        return text, None
    escaped: list[str] = []
    index: list[int] = []
    last = 0
    for match in _ESCAPED.finditer(text):
        at = match.start()
        escaped.append(text[last:at])
        index.extend(range(last, at))
        code = json.dumps(match.group())[1:-1]
        escaped.append(code)
        index.extend([at] * len(code))
        last = at + 1
    escaped.append(text[last:])
    index.extend(range(last, len(text)))
    return "".join(escaped), index


def token_offsets(tokenizer: Any, text: str, *, escaped: bool = False) -> list[tuple[int, int]]:
    """Character offsets in `text` of its tokens under a fast (Rust) Hugging Face tokenizer, with no
    special tokens; tokens that cover no character are left out. With `escaped`, the tokens are
    those of the text as the prompt holds it, JSON-escaped (a newline is two characters there),
    each mapped back to the characters of `text` it stands for."""
    source, index = json_escaped(text) if escaped else (text, None)
    encoded = tokenizer(
        source,
        add_special_tokens=False,
        return_offsets_mapping=True,
        return_attention_mask=False,
        verbose=False,
    )
    pairs = [(int(s), int(e)) for s, e in encoded["offset_mapping"] if e > s]
    if index is None:
        return pairs
    return [(index[s], index[e - 1] + 1) for s, e in pairs]


def plan_windows(
    length: int, size: int, overlap: int, offsets: Sequence[tuple[int, int]] | None = None
) -> list[Window]:
    """The windows that cover a text of `length` characters: `size` units each, consecutive ones
    sharing `overlap` units. Units are the tokens whose character `offsets` are given, else
    characters. One window `(0, length)` when the text fits."""
    if size < 1 or not 0 <= overlap < size:
        raise ValueError("a chunk needs size >= 1 and 0 <= overlap < size")
    units = len(offsets) if offsets is not None else length
    if units <= size:
        return [(0, length)]

    def char_range(first: int, last: int) -> Window:  # units [first, last)
        if offsets is None:
            return first, last
        start = 0 if first == 0 else offsets[first][0]
        end = length if last >= units else offsets[last - 1][1]
        return start, max(end, start + 1)

    windows: list[Window] = []
    step = size - overlap
    first = 0
    while True:
        if first + size >= units:
            windows.append(char_range(max(0, units - size), units))
            return windows
        windows.append(char_range(first, first + size))
        first += step


def count_windows(units: int, size: int, overlap: int) -> int:
    """How many windows `plan_windows` makes for `units` units, without making them."""
    if units <= size:
        return 1
    return -(-(units - size) // (size - overlap)) + 1


def split_window(window: Window, overlap: int) -> list[Window]:
    """Two halves of a window that share `overlap` characters (at most a third of it), for a
    chunk whose answer did not fit the model's token limit; [] when it is too short to split."""
    start, end = window
    length = end - start
    shared = min(overlap, length // 3)
    if length < 32 or shared < 1:
        return []
    middle = start + length // 2
    return [(start, middle + shared // 2 + shared % 2), (middle - shared // 2, end)]


def shift(spans: Sequence[PrivacySpan], offset: int) -> list[PrivacySpan]:
    """Spans of a chunk moved to the offsets of the message the chunk starts at `offset` in."""
    if not offset:
        return list(spans)
    return [s.model_copy(update={"start": s.start + offset, "end": s.end + offset}) for s in spans]


def _strength(span: PrivacySpan) -> tuple[int, float]:
    return span.level.rank, span.score


def merge_chunks(
    text: str, found: Sequence[Sequence[PrivacySpan]], *, everywhere: bool = True
) -> list[PrivacySpan]:
    """The spans of the whole message from those of its chunks (already shifted), overlaps merged.
    With `everywhere` (what a generative model's answer means: these values are private), each
    text found in any chunk is also marked wherever else it occurs in the message, with the
    strongest type and level it was given; without (a tagger's labels are about positions), the
    chunks' spans alone."""
    if len(found) == 1 or not everywhere:
        return merge_spans([s for chunk in found for s in chunk], text)
    best: dict[str, PrivacySpan] = {}
    spans: list[PrivacySpan] = []
    for chunk in found:
        for span in chunk:
            spans.append(span)
            seen = best.get(span.text)
            if seen is None or _strength(span) > _strength(seen):
                best[span.text] = span
    locator = Locator(text)
    for value, span in best.items():
        for start, end in locator.find(value):
            if text[start:end] == value:  # exact places only: chunks gave exact substrings
                spans.append(span.model_copy(update={"start": start, "end": end}))
    return merge_spans(spans, text)
