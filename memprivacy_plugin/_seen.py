"""Values a user has already had protected, recognised again wherever they come back.

A user who gave a verification code, a password or an account number in one message often
repeats it later with nothing around it that says what it is ("既然 482-911 和 TK-8832 都已经失效",
"I'm replacing xxrCYGHDCw^aowD tonight"). No extractor can tell a bare code from any other token;
the guard can, because it protected that value before. `SeenValues` keeps, per user and
namespace, a keyed hash of each value the guard protected (never the value itself) plus those of
the user's vault entries, loaded once, and finds them again in one pass over a message.

The hash key is random per process and never stored, so zero retention still holds: a PL4 value
that was redacted lives on only as a hash in this process's memory, for as long as the scope is
among the most recently used ones. A value is remembered only when it is distinctive enough to
be found again without context: one token (no spaces) of at least four characters with a digit
or a symbol in it, and at least six characters when it is all digits (a year or a short amount
is not a secret the next time it appears).
"""

from __future__ import annotations

import hashlib
import os
import re
import threading
from collections import OrderedDict
from collections.abc import Iterable, Sequence

from .extractors.rules.text import MatchText
from .spans import PrivacySpan
from .taxonomy import PrivacyLevel
from .vault.base import VaultEntry

__all__ = ["SeenValues"]

# A value token: printable ASCII and Latin, Greek or Cyrillic letters; CJK text and spaces end it.
_TOKEN = re.compile(r"[!-~\u00a1-\u04ff\ufffd]+")
_EDGES = ".,;:!?'\"`()[]{}<>*#"
_MAX_SCOPES = 1024
_MAX_VALUES = 4096
_MAX_LOADED = 4096

Scope = tuple[str, str | None]


def _memorable(token: str) -> bool:
    if token.isdigit():
        return len(token) >= 6
    return len(token) >= 4 and not token.isalpha()


def _normal(text: str) -> str:
    """A value as it is remembered and looked up: folded like the rules fold, edges stripped."""
    return MatchText(text).text.strip().strip(_EDGES)


class _Memory:
    __slots__ = ("lengths", "values")

    def __init__(self) -> None:
        self.values: OrderedDict[bytes, tuple[str, PrivacyLevel]] = OrderedDict()
        self.lengths: set[int] = set()


class SeenValues:
    """Keyed hashes of the values protected for each user and namespace (see the module
    docstring); thread-safe."""

    def __init__(self, *, max_scopes: int = _MAX_SCOPES, max_values: int = _MAX_VALUES) -> None:
        self._key = os.urandom(32)
        self._scopes: OrderedDict[Scope, _Memory] = OrderedDict()
        self._max_scopes = max_scopes
        self._max_values = max_values
        self._lock = threading.Lock()

    def _digest(self, value: str) -> bytes:
        return hashlib.blake2b(value.encode("utf-8", "surrogatepass"), key=self._key, digest_size=16).digest()

    # -- remembering ------------------------------------------------------------------------------

    def loaded(self, scope: Scope) -> bool:
        with self._lock:
            return scope in self._scopes

    def load(self, scope: Scope, entries: Iterable[VaultEntry]) -> None:
        """Remember a scope's vault entries (once per scope; values are hashed, then dropped)."""
        self.remember(scope, ((e.value, e.privacy_type, e.level) for e in entries), limit=_MAX_LOADED)

    def remember(
        self, scope: Scope, values: Iterable[tuple[str, str, PrivacyLevel]], *, limit: int | None = None
    ) -> None:
        """Remember (value, type, level) triples that were protected in this scope."""
        hashed = []
        for value, privacy_type, level in values:
            token = _normal(value)
            if _memorable(token) and not any(c.isspace() for c in token):
                hashed.append((self._digest(token), len(token), privacy_type, level))
                if limit is not None and len(hashed) >= limit:
                    break
        with self._lock:
            memory = self._scopes.get(scope)
            if memory is None:
                memory = self._scopes[scope] = _Memory()
                while len(self._scopes) > self._max_scopes:
                    self._scopes.popitem(last=False)
            self._scopes.move_to_end(scope)
            for digest, length, privacy_type, level in hashed:
                memory.values[digest] = (privacy_type, level)
                memory.values.move_to_end(digest)
                memory.lengths.add(length)
            while len(memory.values) > self._max_values:
                memory.values.popitem(last=False)

    def forget(self, user_id: str, namespace: str | None = None) -> None:
        """Drop what is remembered for a user (one namespace, or all of them when None)."""
        with self._lock:
            for scope in [
                s for s in self._scopes if s[0] == user_id and (namespace is None or s[1] == namespace)
            ]:
                del self._scopes[scope]

    # -- finding ------------------------------------------------------------------------------------

    def find(self, scope: Scope, text: str) -> list[PrivacySpan]:
        """Every occurrence in `text` of a value remembered for the scope, as spans with the type
        and level it had."""
        with self._lock:
            memory = self._scopes.get(scope)
        if memory is None or not memory.values:
            return []
        # Single lookups (no copy: a user may have thousands of values); each is atomic.
        values, lengths = memory.values, memory.lengths
        match = MatchText(text)
        spans: list[PrivacySpan] = []
        for m in _TOKEN.finditer(match.text):
            token = m.group()
            start = m.start() + len(token) - len(token.lstrip(_EDGES))
            token = token.strip(_EDGES)
            if len(token) not in lengths or token.isalpha():
                continue
            hit = values.get(self._digest(token))
            if hit is None:
                continue
            s, e = match.span(start, start + len(token))
            spans.append(
                PrivacySpan(
                    text=text[s:e],
                    start=s,
                    end=e,
                    privacy_type=hit[0],
                    level=hit[1],
                    score=0.9,
                    source="seen",
                )
            )
        return spans


def protected_values(replacements: Sequence[object]) -> list[tuple[str, str, PrivacyLevel]]:
    """(value, type, level) of each replacement that hid its value (placeholder or redaction)."""
    out = []
    for r in replacements:
        span = getattr(r, "span", None)
        action = getattr(getattr(r, "action", None), "value", None)
        if span is not None and action in ("placeholder", "redact") and span.source != "guard":
            out.append((span.text, span.privacy_type, span.level))
    return out
