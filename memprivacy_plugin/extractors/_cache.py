"""`ExtractionCache`: what a model extractor found in a text, kept in memory so that the same text
is not sent through the model again.

Agents re-send their history: a LangGraph graph hands the whole message list to its nodes on every
turn, an app re-protects a conversation before each call. Without a cache each of those messages
goes through the model again on every turn. The cache is an LRU, bounded in entries and in bytes,
in this process's memory only, never written anywhere:

- **Keys** are HMAC-SHA256, under a random key made with the cache and never stored, of the
  extractor's identity (its class, model and every setting that changes its answer: prompt,
  schema, sampling, chunking, label map), the user's name (the answer depends on it) and the text.
  A key cannot be recomputed, nor checked against a guessed text, without that key.
- **Entries** hold offsets, types, levels, scores and sources: no text and no value. A hit rebuilds
  its spans from the text it is asked about, which the key proves is the one extracted.
- **Failures are never cached**: only an extraction that returned is stored, so a model that
  failed (and made the guard fail closed) is asked again next time.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import sys
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass

from ..errors import ConfigError
from ..spans import PrivacySpan
from ..taxonomy import PrivacyLevel

__all__ = [
    "DEFAULT_MAX_BYTES",
    "DEFAULT_MAX_ENTRIES",
    "BatchLookup",
    "CacheStats",
    "ExtractionCache",
    "cache_option",
]

#: Entries an extractor's own cache keeps by default: a few long conversations' worth of messages.
DEFAULT_MAX_ENTRIES = 4096
#: Bytes (estimated) an extractor's own cache keeps by default.
DEFAULT_MAX_BYTES = 8 * 1024 * 1024

_Entry = tuple[tuple[int, int, str, PrivacyLevel, float, str], ...]
_ENTRY_BYTES = 200  # the key, the OrderedDict node and the tuple around the spans
_SPAN_BYTES = 120  # one span's tuple, ints and float


@dataclass(frozen=True)
class CacheStats:
    """Counters of a cache since it was made (or cleared)."""

    hits: int
    misses: int
    entries: int
    bytes: int


def _part(value: str | None) -> bytes:
    """One field of the keyed message, length-prefixed so that no two inputs run together."""
    if value is None:
        return b"\x00"
    data = value.encode("utf-8", "surrogatepass")
    return b"\x01" + len(data).to_bytes(8, "big") + data


class ExtractionCache:
    """An in-memory LRU of extraction results, keyed by a keyed hash (see the module docstring).

    `max_entries` and `max_bytes` (an estimate of the memory the entries take) bound it; the least
    recently used entries go first. Thread-safe. One cache may serve several extractors: each
    key holds the extractor's identity."""

    def __init__(self, max_entries: int = DEFAULT_MAX_ENTRIES, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        for option, value in (("max_entries", max_entries), ("max_bytes", max_bytes)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ConfigError(f"{option} must be a positive whole number")
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self._key = secrets.token_bytes(32)
        self._entries: OrderedDict[bytes, tuple[_Entry, int]] = OrderedDict()
        self._bytes = 0
        self._hits = 0
        self._misses = 0
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"ExtractionCache(max_entries={self.max_entries}, max_bytes={self.max_bytes})"

    def __len__(self) -> int:
        return len(self._entries)

    def key(self, identity: str, user_name: str | None, text: str) -> bytes:
        """The keyed hash an extraction of `text` for `user_name` by `identity` is stored under."""
        message = _part(identity) + _part(user_name) + _part(text)
        return hmac.new(self._key, message, hashlib.sha256).digest()

    def get(self, identity: str, user_name: str | None, text: str) -> list[PrivacySpan] | None:
        """The spans stored for this extraction, rebuilt on `text`; None when there are none."""
        key = self.key(identity, user_name, text)
        with self._lock:
            found = self._entries.get(key)
            if found is None:
                self._misses += 1
                return None
            self._entries.move_to_end(key)
            self._hits += 1
        return [
            PrivacySpan(
                text=text[start:end],
                start=start,
                end=end,
                privacy_type=privacy_type,
                level=level,
                score=score,
                source=source,
            )
            for start, end, privacy_type, level, score, source in found[0]
        ]

    def put(self, identity: str, user_name: str | None, text: str, spans: Sequence[PrivacySpan]) -> None:
        """Store what an extraction of `text` returned (call it only when the extraction returned)."""
        if any(s.end > len(text) or text[s.start : s.end] != s.text for s in spans):
            return  # spans that are not this text's: not kept, the next call asks the model
        entry: _Entry = tuple(
            (s.start, s.end, sys.intern(s.privacy_type), s.level, s.score, sys.intern(s.source))
            for s in spans
        )
        size = _ENTRY_BYTES + _SPAN_BYTES * len(entry)
        if size > self.max_bytes:
            return
        key = self.key(identity, user_name, text)
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._bytes -= old[1]
            self._entries[key] = (entry, size)
            self._bytes += size
            while len(self._entries) > self.max_entries or self._bytes > self.max_bytes:
                _, (_, dropped) = self._entries.popitem(last=False)
                self._bytes -= dropped

    def clear(self) -> None:
        """Forget every entry (the counters too)."""
        with self._lock:
            self._entries.clear()
            self._bytes = self._hits = self._misses = 0

    def stats(self) -> CacheStats:
        with self._lock:
            return CacheStats(self._hits, self._misses, len(self._entries), self._bytes)


class BatchLookup:
    """One batch through a cache: the texts the model still has to read (`missing`: distinct, in
    order; a text twice in a batch is read once), then `complete` with what it found for them,
    which stores it and gives every text's spans. Without a cache, every text is read, as given."""

    def __init__(
        self, cache: ExtractionCache | None, identity: str, texts: Sequence[str], user_name: str | None
    ) -> None:
        self._cache = cache
        self._identity = identity
        self._user_name = user_name
        self._texts = list(texts)
        self._results: list[list[PrivacySpan] | None] = []
        self.missing: list[str] = []
        if cache is None:
            self.missing = list(self._texts)
            return
        seen: set[str] = set()
        for text in self._texts:
            found = cache.get(identity, user_name, text) if text not in seen else None
            self._results.append(found)
            if found is None and text not in seen:
                seen.add(text)
                self.missing.append(text)

    def complete(self, found: Sequence[list[PrivacySpan]]) -> list[list[PrivacySpan]]:
        """Every text's spans, given the spans found for `missing` (in its order)."""
        if self._cache is None:
            if len(found) != len(self.missing):
                raise ValueError("one result per missing text")
            return list(found)
        by_text = dict(zip(self.missing, found, strict=True))
        for text, spans in by_text.items():
            self._cache.put(self._identity, self._user_name, text, spans)
        return [
            list(by_text[text]) if spans is None else spans
            for text, spans in zip(self._texts, self._results, strict=True)
        ]


def cache_option(cache: ExtractionCache | bool | None) -> ExtractionCache | None:
    """An extractor's `cache=` argument: True for a cache of its own, False or None for none, or a
    cache to share."""
    if cache is True:
        return ExtractionCache()
    if cache is False or cache is None:
        return None
    if not isinstance(cache, ExtractionCache):
        raise ConfigError("cache must be True, False or an ExtractionCache")
    return cache
