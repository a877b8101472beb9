"""The rule engine: `Recognizer`, the per-message `Scan`, and `RuleExtractor`, which runs a
registry of recognisers over a message.

Every message is folded once (`text.MatchText`), so recognisers see plain ASCII digits, spaces and
dashes whatever the message used, and spans map back to the message's own offsets. Prefilters are
computed once per message (the digit count, which trigger words occur). On a long message a
recogniser whose matches always contain, or sit near, one of its trigger words scans only the
stretches around those words, so a 1 MB message costs each recogniser what its triggers cost.

Two rules keep the cost linear on any input:
- patterns are linear (bounded repetitions, no nested unbounded quantifiers over overlapping
  classes), and after a match the scan resumes after it, or after the part of it that validated,
  so the rest of the match is still searched (two adjacent values are both found);
- the expensive checks (phonenumbers parses, searches for a valid sub-window of a match) draw on a
  budget that grows with the length of the message. When it runs out, candidates are kept
  unchecked: on input built to exhaust it, the rules protect too much rather than let a value
  through. Cheap validators run on every candidate.
"""

from __future__ import annotations

import functools
import gc
import re
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from ...spans import PrivacySpan, locate, merge_spans
from ...taxonomy import PrivacyLevel, level_of
from ..base import BaseExtractor
from .patterns import compile_pattern, max_width
from .text import MatchText

__all__ = ["SENTENCE_END", "Finder", "Recognizer", "RuleExtractor", "Scan", "ScanFinder", "Validator"]

Finder = Callable[[str], Iterable[tuple[int, int]]]
Validator = Callable[[str], bool]

_FLAGS = re.ASCII | re.IGNORECASE
# Room for the look-ahead at the end of a pattern when a scan stops at a region's end.
_LOOKAHEAD = 16
# Widths above this are treated as unbounded (no trigger windows).
_MAX_REACH = 4096
_SURROGATE = re.compile("[\ud800-\udfff]")
# Where a sentence (or a line) ends: a full stop only before a space, so "2.5 mg" and "e.g" stay whole.
SENTENCE_END = re.compile(r"[!?。！？\n;；]|\.(?=\s)")
# How far back a recogniser's veto is read.
_VETO_WINDOW = 120


class Scan:
    """One message under extraction: the folded text, prefilters computed once, and the budget
    for expensive checks."""

    __slots__ = ("_digits", "_has", "budget", "lower", "match", "n", "near_triggers", "text")

    def __init__(self, match: MatchText, *, near_triggers: bool = True) -> None:
        self.match = match
        self.text = match.text
        self.lower = match.lower
        self.n = len(match.text)
        self.near_triggers = near_triggers
        self._digits = -1
        self._has: dict[str, bool] = {}
        # One expensive check per 256 characters, and never fewer than 64: real messages use a
        # small fraction of it (under one per 2,000 characters on the benchmark turns, at most
        # 26 in one message).
        self.budget = 64 + self.n // 256

    @property
    def digits(self) -> int:
        """How many ASCII digits the folded text has (every digit is ASCII after folding)."""
        if self._digits < 0:
            self._digits = sum(map(self.text.count, "0123456789"))
        return self._digits

    def has(self, needle: str) -> bool:
        """Whether the lower-case text contains `needle` (cached per message; the words the
        extractor's automaton looks for are answered from its one pass)."""
        found = self._has.get(needle)
        if found is None:
            found = self._has[needle] = needle in self.lower
        return found

    def know(self, looked_for: Iterable[str], present: set[str]) -> None:
        """Record the outcome of a search for many words at once."""
        self._has.update(dict.fromkeys(looked_for, False))
        self._has.update(dict.fromkeys(present, True))

    def spend(self, units: int = 1) -> bool:
        """Take `units` from the budget; False when it is spent (the caller then fails closed)."""
        if self.budget < units:
            self.budget = 0
            return False
        self.budget -= units
        return True

    def regions(self, triggers: Sequence[str], reach: int) -> list[tuple[int, int]] | None:
        """The stretches within `reach` characters of a trigger word, merged; None when they
        would cover most of the text anyway (then the whole text is scanned). Recognisers whose
        matches are short next to the message (a code before its key word in a chat message, any
        key word in a long document) scan only these."""
        width = 2 * reach + _LOOKAHEAD
        if not self.near_triggers or self.n < _short_for(reach):
            return None
        lower = self.lower
        if sum(lower.count(t) for t in triggers) * width >= self.n // 2:
            return None
        spans: list[tuple[int, int]] = []
        for t in triggers:
            pos = lower.find(t)
            while pos != -1:
                spans.append((max(0, pos - reach), min(self.n, pos + len(t) + reach + _LOOKAHEAD)))
                pos = lower.find(t, pos + 1)
        spans.sort()
        merged: list[tuple[int, int]] = []
        for a, b in spans:
            if merged and a <= merged[-1][1]:
                if b > merged[-1][1]:
                    merged[-1] = (merged[-1][0], b)
            else:
                merged.append((a, b))
        return merged


def _short_for(reach: int) -> int:
    """Below this length a text is scanned whole by a recogniser of this reach: windows around
    its trigger words would cover it anyway."""
    return 2 * (2 * reach + _LOOKAHEAD)


class ScanFinder:
    """A finder that works on a `Scan` (and so shares its budget); calling it on a plain string
    still works, as for any finder. `watch` lists lower-case words it asks `scan.has` about: the
    extractor looks for them in the same pass as the triggers."""

    watch: tuple[str, ...] = ()

    def find(self, scan: Scan) -> Iterator[tuple[int, int]]:
        raise NotImplementedError

    def __call__(self, text: str) -> Iterator[tuple[int, int]]:
        return self.find(Scan(MatchText(text)))


@dataclass(frozen=True)
class Recognizer:
    """One named rule: a pattern or a finder that proposes spans, plus optional checks.

    `pattern` is matched on the folded text (flags ASCII|IGNORECASE when given as a string; use
    `(?-i:...)` for case-sensitive parts); `group` selects the span inside the match. `finder` is
    an alternative taking the folded text and yielding (start, end). `validator` receives the span
    text and must return True to keep it. With `context`, a candidate is kept only if one of the
    keywords (lower case) occurs within `context_window` characters before it, or after it when
    `context_after` is set. `trigger` is a cheap prefilter: the recogniser runs only when one of
    these lower-case substrings occurs in the text; with `trigger_in_match`, every match contains
    one of them, which lets a long text be scanned only around them. `min_digits` skips texts
    with fewer digits. `prefilter` is any other cheap test on the folded text that a match needs
    (say, five colons for a MAC address). `rstrip`/`lstrip` trim characters off the span's ends;
    `not_before` is a pattern that must not end right before the span. `follow` is a pattern, with a
    group "value", for one more value listed right after a found one ("PINs 4829 and 7731"): it is
    tried again after each value it finds, and a value it finds must pass the validator and be
    about as long as the first (within three characters). `veto` is a pattern that rejects a
    candidate when it occurs earlier in the candidate's sentence ("write a story about a nurse
    named Clara").
    """

    name: str
    privacy_type: str
    pattern: str | re.Pattern[str] | None = None
    finder: Finder | None = None
    validator: Validator | None = None
    level: PrivacyLevel | None = None
    score: float = 0.9
    group: int | str = 0
    context: tuple[str, ...] = ()
    context_window: int = 40
    context_after: bool = False
    trigger: tuple[str, ...] = ()
    min_digits: int = 0
    rstrip: str = ""
    lstrip: str = ""
    not_before: str = ""
    description: str = ""
    trigger_in_match: bool = False
    prefilter: Callable[[str], bool] | None = None
    follow: str = ""
    veto: str = ""
    _regex: re.Pattern[str] | None = field(default=None, init=False, repr=False, compare=False)
    _not_before: re.Pattern[str] | None = field(default=None, init=False, repr=False, compare=False)
    _reach: int | None = field(default=None, init=False, repr=False, compare=False)
    _follow: re.Pattern[str] | None = field(default=None, init=False, repr=False, compare=False)
    _veto: re.Pattern[str] | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if (self.pattern is None) == (self.finder is None):
            raise ValueError(f"recogniser {self.name!r} needs exactly one of pattern or finder")
        if not 0.0 <= self.score <= 1.0:
            raise ValueError(f"recogniser {self.name!r}: score must be in [0, 1]")
        if any(t != t.lower() for t in self.trigger):
            raise ValueError(f"recogniser {self.name!r}: triggers must be lower case")
        if self.pattern is not None:
            object.__setattr__(self, "_regex", compile_pattern(self.pattern))
            object.__setattr__(self, "_reach", self._compute_reach())
        if self.level is None:
            object.__setattr__(self, "level", level_of(self.privacy_type))
        if self.not_before:
            object.__setattr__(self, "_not_before", re.compile(f"(?:{self.not_before})\\s*$", _FLAGS))
        if self.follow:
            object.__setattr__(self, "_follow", re.compile(self.follow, _FLAGS))
        if self.veto:
            object.__setattr__(self, "_veto", re.compile(self.veto, _FLAGS))

    def _compute_reach(self) -> int | None:
        """How far from a trigger word a kept match can lie, when that is bounded."""
        if not self.trigger or self.pattern is None:
            return None
        source = self.pattern if isinstance(self.pattern, re.Pattern) else re.compile(self.pattern, _FLAGS)
        width = max_width(source)
        if width is None or width > _MAX_REACH:
            return None
        if self.trigger_in_match:
            return width
        # Context keywords that each contain a trigger: a kept match lies within the context
        # window of one of them.
        if self.context and all(any(t in k for t in self.trigger) for k in self.context):
            return width + self.context_window + max(map(len, self.context))
        return None

    @property
    def effective_level(self) -> PrivacyLevel:
        return self.level if self.level is not None else level_of(self.privacy_type)

    def applies(self, scan: Scan) -> bool:
        """The prefilters: a trigger word occurs and there are enough digits."""
        if self.trigger and not any(scan.has(t) for t in self.trigger):
            return False
        if self.min_digits and scan.digits < self.min_digits:
            return False
        return self.prefilter is None or self.prefilter(scan.text)

    def candidates(self, folded: str, lowered: str | None = None) -> Iterator[tuple[int, int]]:
        """Spans (start, end) of a folded text that pass every check of this recogniser."""
        scan = Scan(MatchText(folded))
        if self.applies(scan):
            yield from self.find(scan)

    def find(self, scan: Scan) -> Iterable[tuple[int, int]]:
        """Spans in the scan's folded text (prefilters already passed)."""
        if self._regex is None:
            return self._from_finder(scan)
        regions = scan.regions(self.trigger, self._reach) if self._reach is not None else None
        if regions is None:
            # Most recognisers find nothing in most messages: one search, no generator.
            first = self._regex.search(scan.text)
            return () if first is None else self._scan_regex(scan, self._regex, 0, scan.n, first)
        return (span for a, b in regions for span in self._scan_regex(scan, self._regex, a, b))

    def _from_finder(self, scan: Scan) -> Iterator[tuple[int, int]]:
        assert self.finder is not None
        found = self.finder.find(scan) if isinstance(self.finder, ScanFinder) else self.finder(scan.text)
        for start, end in found:
            span = self._checked(scan, start, end)
            if span is not None:
                yield span

    def _scan_regex(
        self, scan: Scan, regex: re.Pattern[str], a: int, b: int, first: re.Match[str] | None = None
    ) -> Iterator[tuple[int, int]]:
        text = scan.text
        pos = a
        while pos < b:
            m = first if first is not None else regex.search(text, pos, b)
            first = None
            if m is None:
                return
            start, end = m.span(self.group)
            nxt = max(m.end(), pos + 1)
            start, end = self._strip(text, start, end)
            if end <= start or self._blocked(scan, start):
                pos = nxt
                continue
            if self.validator is not None and not self.validator(text[start:end]):
                window = valid_window(text[start:end], self.validator, scan)
                if window is None:
                    # A greedy match can swallow the start of the real value ("000000 4111 1111
                    # 1111 1111" first matches from the zeros): resume at its next group.
                    sep = _next_separator(text, start, end)
                    pos = sep + 1 if sep > 0 else nxt
                    continue
                start, end = start + window[0], start + window[1]
                nxt = end  # the rest of the match may hold the next value
            if self.context and not self._has_context(scan.lower, start, end):
                pos = nxt
                continue
            if self._veto is not None and self._vetoed(scan.lower, start):
                pos = nxt
                continue
            yield start, end
            if self._follow is not None:
                end = yield from self._listed(scan, start, end)
                nxt = max(nxt, end)
            pos = nxt

    def _listed(self, scan: Scan, start: int, end: int) -> Generator[tuple[int, int], None, int]:
        """Values listed after a found one (see `follow`); returns where the last one ends."""
        assert self._follow is not None
        text = scan.text
        size = end - start
        while (m := self._follow.match(text, end)) is not None:
            s, e = self._strip(text, *m.span("value"))
            if e <= s or abs((e - s) - size) > 3:
                break
            if self.validator is not None and not self.validator(text[s:e]):
                break
            yield s, e
            end = e
        return end

    def _checked(self, scan: Scan, start: int, end: int) -> tuple[int, int] | None:
        """A finder's candidate through strip, `not_before`, validator and context."""
        text = scan.text
        start, end = self._strip(text, start, end)
        if end <= start or self._blocked(scan, start):
            return None
        if self.validator is not None and not self.validator(text[start:end]):
            window = valid_window(text[start:end], self.validator, scan)
            if window is None:
                return None
            start, end = start + window[0], start + window[1]
        if self.context and not self._has_context(scan.lower, start, end):
            return None
        if self._veto is not None and self._vetoed(scan.lower, start):
            return None
        return start, end

    def _strip(self, text: str, start: int, end: int) -> tuple[int, int]:
        while self.rstrip and end > start and text[end - 1] in self.rstrip:
            end -= 1
        while self.lstrip and end > start and text[start] in self.lstrip:
            start += 1
        return start, end

    def _blocked(self, scan: Scan, start: int) -> bool:
        return (
            self._not_before is not None
            and self._not_before.search(scan.lower, max(0, start - 24), start) is not None
        )

    def _vetoed(self, lowered: str, start: int) -> bool:
        """The veto pattern occurs in the sentence before `start` (read back at most 120 chars)."""
        assert self._veto is not None
        a = max(0, start - _VETO_WINDOW)
        for m in SENTENCE_END.finditer(lowered, a, start):
            a = m.end()
        return self._veto.search(lowered, a, start) is not None

    def _has_context(self, lowered: str, start: int, end: int) -> bool:
        before = lowered[max(0, start - self.context_window) : start]
        if any(k in before for k in self.context):
            return True
        if self.context_after:
            after = lowered[end : end + self.context_window]
            return any(k in after for k in self.context)
        return False


# From this length on, the cyclic garbage collector is paused during an extraction: a long
# message can yield a hundred thousand spans, and collections triggered by allocating them (none of
# them in a cycle) cost a third of the time and grow faster than the message.
_PAUSE_GC_FROM = 1 << 16


@contextmanager
def _collector_paused(length: int) -> Iterator[None]:
    if length < _PAUSE_GC_FROM or not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _next_separator(text: str, start: int, end: int) -> int:
    for i in range(start + 1, end):
        if text[i] in " -":
            return i
    return -1


def valid_window(
    raw: str, ok: Validator, scan: Scan | None = None, min_len: int = 7, max_groups: int = 12
) -> tuple[int, int] | None:
    """The longest run of whole space-separated groups of `raw` (not `raw` itself) for which `ok`
    holds, leftmost first among equals, as offsets into `raw`; None if there is none. Only the
    first `max_groups` groups are tried; each check draws on the scan's budget, and once it is
    spent the whole of `raw` is kept (fail closed)."""
    if " " not in raw:
        return None
    bounds = [0] + [i + 1 for i, c in enumerate(raw) if c == " "]
    ends = [i for i, c in enumerate(raw) if c == " "] + [len(raw)]
    bounds, ends = bounds[:max_groups], ends[:max_groups]
    windows = sorted(
        ((b, e) for b in bounds for e in ends if e - b >= min_len and (b, e) != (0, len(raw))),
        key=lambda w: (w[0] - w[1], w[0]),
    )
    for b, e in windows:
        part = raw[b:e].strip()
        if not part:
            continue
        if scan is not None and not scan.spend():
            return 0, len(raw)  # out of budget: keep the whole match (fail closed)
        if ok(part):
            lead = len(raw[b:e]) - len(raw[b:e].lstrip())
            return b + lead, b + lead + len(part)
    return None


# --------------------------------------------------------------------------------------------------
# Repeats: a value found once is the same private value wherever else it occurs in the message.
# --------------------------------------------------------------------------------------------------

# Up to this many distinct values, each is looked for with str.find.
_FEW_VALUES = 8
# Longer values (a private-key block, a long URL) are not searched for again.
_MAX_REPEAT_LEN = 256


def _standalone(text: str, start: int, end: int) -> bool:
    before = text[start - 1] if start else " "
    after = text[end] if end < len(text) else " "
    return not (before.isascii() and before.isalnum()) and not (after.isascii() and after.isalnum())


def _repeats(found: Sequence[tuple[int, int, Recognizer]], scan: Scan) -> list[tuple[int, int, Recognizer]]:
    """Other occurrences of values already found ("the OTP is 819-022. I am inputting 819-022
    now"); linear in the text however many values there are."""
    values: dict[str, Recognizer] = {}
    for start, end, rec in found:
        value = scan.text[start:end]
        if 4 <= len(value) <= _MAX_REPEAT_LEN and value not in values:
            values[value] = rec
    if not values:
        return []
    text = scan.text
    # Characters already inside a found span: an occurrence touching them adds nothing.
    covered = bytearray(len(text))
    for start, end, _ in found:
        covered[start:end] = b"\1" * (end - start)
    occurrences: Iterable[tuple[int, str]]
    if len(values) <= _FEW_VALUES:
        occurrences = ((pos, value) for value in values for pos in _finds(text, value))
    else:  # one Aho-Corasick pass, however many values
        import ahocorasick

        automaton = ahocorasick.Automaton()
        for value in values:
            automaton.add_word(value, value)
        automaton.make_automaton()
        occurrences = ((last - len(value) + 1, value) for last, value in automaton.iter(text))
    out: list[tuple[int, int, Recognizer]] = []
    for start, value in occurrences:
        end = start + len(value)
        if not (covered[start] or covered[end - 1]) and _standalone(text, start, end):
            covered[start:end] = b"\1" * (end - start)
            out.append((start, end, values[value]))
    return out


def _finds(text: str, value: str) -> Iterator[int]:
    """Non-overlapping occurrences, left to right."""
    pos = text.find(value)
    while pos != -1:
        yield pos
        pos = text.find(value, pos + len(value))


class _TriggerIndex:
    """Which recognisers a message needs, from one pass over it: every trigger word of every
    recogniser is looked for at once with an Aho-Corasick automaton (pyahocorasick), instead of
    each recogniser searching the text for each of its own."""

    def __init__(self, recognizers: Sequence[Recognizer]) -> None:
        import ahocorasick

        self.always = [i for i, rec in enumerate(recognizers) if not rec.trigger]
        self.by_trigger: dict[str, list[int]] = {}
        for i, rec in enumerate(recognizers):
            for t in rec.trigger:
                self.by_trigger.setdefault(t, []).append(i)
        # Words finders ask the scan about (`ScanFinder.watch`) ride along in the same pass.
        self.watched = frozenset(
            word for rec in recognizers if isinstance(rec.finder, ScanFinder) for word in rec.finder.watch
        )
        self.automaton: Any = None
        if self.by_trigger or self.watched:
            self.automaton = ahocorasick.Automaton()
            for word in {*self.by_trigger, *self.watched}:
                self.automaton.add_word(word, word)
            self.automaton.make_automaton()

    def candidates(self, scan: Scan) -> list[int]:
        """Indices of the recognisers whose trigger occurs in the scan, plus those without
        triggers, in registration order."""
        if self.automaton is None:
            return self.always
        present = {word for _, word in self.automaton.iter(scan.lower)}
        if self.watched:
            scan.know(self.watched, present & self.watched)
        selected = set(self.always)
        for word in present:
            selected.update(self.by_trigger.get(word, ()))
        return sorted(selected)


@functools.cache
def _builtin_recognizers() -> tuple[Recognizer, ...]:
    """The catalog, built once per process: compiling its patterns takes a good part of a second
    and every guard given no extractor makes a RuleExtractor (recognisers are frozen: shareable)."""
    from .catalog import default_recognizers

    return tuple(default_recognizers())


class RuleExtractor(BaseExtractor):
    """Deterministic extractor for formatted private data (see `memprivacy_plugin.extractors.rules`)."""

    name = "rules"
    # Built-in recognisers are linear in the input: the guard may run them without a thread.
    linear_time = True

    def __init__(
        self,
        *,
        extra: Iterable[Recognizer] = (),
        disabled: Iterable[str] = (),
        recognizers: Iterable[Recognizer] | None = None,
        find_user_name: bool = True,
    ) -> None:
        self.find_user_name = find_user_name
        builtin = recognizers is None
        base = list(recognizers) if recognizers is not None else _builtin_recognizers()
        self._recognizers: dict[str, Recognizer] = {}
        self._active: list[Recognizer] | None = None
        self._index: _TriggerIndex | None = None
        self.near_triggers = True
        for rec in base:
            self.add(rec)
        extra = list(extra)
        for rec in extra:
            self.add(rec)
        # Recognisers of the user's own may not be linear.
        self.linear_time = builtin and not extra
        self.disabled: set[str] = set(disabled)
        unknown = self.disabled - set(self._recognizers)
        if unknown:
            raise ValueError(f"unknown recogniser name(s): {sorted(unknown)}")

    def add(self, recognizer: Recognizer, *, replace: bool = False) -> None:
        """Register a recogniser; a name already in use needs `replace=True`."""
        if recognizer.name in self._recognizers and not replace:
            raise ValueError(f"a recogniser named {recognizer.name!r} already exists")
        self._recognizers[recognizer.name] = recognizer
        self._active = None
        if getattr(self, "disabled", None) is not None:  # after __init__: a user's own rule
            self.linear_time = False

    def remove(self, name: str) -> None:
        del self._recognizers[name]
        self._active = None

    def disable(self, name: str) -> None:
        if name not in self._recognizers:
            raise KeyError(name)
        self.disabled.add(name)
        self._active = None

    def enable(self, name: str) -> None:
        self.disabled.discard(name)
        self._active = None

    @property
    def recognizers(self) -> list[Recognizer]:
        """The active recognisers, in registration order."""
        return list(self._plan()[0])

    def _plan(self) -> tuple[list[Recognizer], _TriggerIndex]:
        if self._active is None or self._index is None:
            self._active = [r for n, r in self._recognizers.items() if n not in self.disabled]
            self._index = _TriggerIndex(self._active)
        return self._active, self._index

    def names(self) -> list[str]:
        return [r.name for r in self.recognizers]

    @property
    def coverage(self) -> frozenset[str]:
        """The types of the active recognisers (built-in, added, not disabled), and Real Name
        when it looks for the user's own name: what this extractor can find."""
        from ..base import as_coverage

        found = as_coverage([r.privacy_type for r in self._plan()[0]]) or frozenset()
        return found | {"Real Name"} if self.find_user_name else found

    def extract(self, text: str, *, user_name: str | None = None) -> list[PrivacySpan]:
        if not text:
            return []
        with _collector_paused(len(text)):
            return self._extract(text, user_name)

    def _extract(self, text: str, user_name: str | None) -> list[PrivacySpan]:
        if not text.isascii() and _SURROGATE.search(text):
            # Lone surrogates are not text (no encoding can carry them): one U+FFFD each, so
            # offsets are unchanged and every span is valid Unicode.
            text = _SURROGATE.sub("\ufffd", text)
        match = MatchText(text)
        scan = Scan(match, near_triggers=self.near_triggers)
        found: list[tuple[int, int, Recognizer]] = []
        active, index = self._plan()
        folded, n = scan.text, scan.n
        for i in index.candidates(scan):
            rec = active[i]
            if rec.min_digits and scan.digits < rec.min_digits:
                continue
            if rec.prefilter is not None and not rec.prefilter(folded):
                continue
            regex = rec._regex
            if regex is not None and (rec._reach is None or n < _short_for(rec._reach)):
                # The common case, inlined: one search over a short text, usually finding nothing.
                first = regex.search(folded)
                if first is None:
                    continue
                spans_found: Iterable[tuple[int, int]] = rec._scan_regex(scan, regex, 0, n, first)
            else:
                spans_found = rec.find(scan)
            found.extend((start, end, rec) for start, end in spans_found)
        found.extend(_repeats(found, scan))
        spans: list[PrivacySpan] = []
        for start, end, rec in found:
            s, e = match.span(start, end)
            spans.append(
                PrivacySpan(
                    text=text[s:e],
                    start=s,
                    end=e,
                    privacy_type=rec.privacy_type,
                    level=rec.effective_level,
                    score=rec.score,
                    source=self.name,
                )
            )
        if user_name and user_name.strip() and self.find_user_name:
            spans.extend(self._user_name_spans(text, user_name.strip()))
        return merge_spans(spans, text)

    def _user_name_spans(self, text: str, user_name: str) -> list[PrivacySpan]:
        """The user's own name (Real Name, PL2): the full name anywhere (after normalisation), and
        each part of a multi-word name of 3+ letters where it appears capitalised as a whole word
        ("Dana" in "Thanks, Dana"). Other people's names need a model extractor."""
        found = locate(text, user_name)
        parts = [p for p in re.split(r"[\s·・.]+", user_name) if len(p) >= 3 and p[0].isupper()]
        if len(parts) > 1:
            for part in parts:
                found += [m.span() for m in re.finditer(rf"(?<!\w){re.escape(part)}(?!\w)", text)]
        return [
            PrivacySpan(
                text=text[s:e],
                start=s,
                end=e,
                privacy_type="Real Name",
                level=PrivacyLevel.PL2,
                score=0.95,
                source=self.name,
            )
            for s, e in found
        ]

    def __repr__(self) -> str:
        return f"RuleExtractor({len(self.recognizers)} recognisers)"
