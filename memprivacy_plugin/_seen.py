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
or a symbol in it, and with at least six digits when it has no letter (a year, a short amount or
a reading like "22.0" is not a secret the next time it appears).
"""

from __future__ import annotations

import hashlib
import os
import re
import threading
from collections import OrderedDict
from collections.abc import Iterable, Mapping, Sequence

from .extractors.rules.text import MatchText, fold_text
from .spans import PrivacySpan
from .taxonomy import PrivacyLevel
from .vault.base import VaultEntry

__all__ = ["SeenValues"]

# A value token: printable ASCII and Latin, Greek or Cyrillic letters; CJK text and spaces end it.
_TOKEN = re.compile(r"[!-~\u00a1-\u04ff\ufffd]+")
_EDGES = ".,;:!?'\"`()[]{}<>*#"
_SPACE = re.compile(r"\s")
# A token with none of these (CJK text and its punctuation only) cannot hold a remembered value.
_VALUE_CHAR = re.compile(r"[!-~\u00a1-\u04ff\uff10-\uff19\uff21-\uff3a\uff41-\uff5a\d]")
_MAX_SCOPES = 1024
_SCORE = 0.9
_MAX_VALUES = 4096
_MAX_LOADED = 4096

Scope = tuple[str, str | None]


def _standalone(text: str, start: int, end: int) -> bool:
    """Not part of a longer run of letters or digits."""
    before = text[start - 1] if start else " "
    after = text[end] if end < len(text) else " "
    return not (before.isascii() and before.isalnum()) and not (after.isascii() and after.isalnum())


def _memorable(token: str) -> bool:
    if len(token) < 4 or token.isalpha() or _SPACE.search(token) is not None:
        return False
    # Without a letter, six digits at least: "22.0" or "1,500" is a reading, not a secret.
    return any(c.isalpha() for c in token) or sum(c.isdigit() for c in token) >= 6


def _normal(text: str) -> str:
    """A value as it is remembered and looked up: folded like the rules fold, edges stripped."""
    return MatchText(text).text.strip().strip(_EDGES)


class _Memory:
    __slots__ = ("lengths", "values", "written")

    def __init__(self) -> None:
        self.values: OrderedDict[bytes, tuple[str, PrivacyLevel]] = OrderedDict()
        self.lengths: set[int] = set()
        # Hashes of (value as written, type, level) already handled, memorable or not: the same
        # values come back with every message of a conversation, and are not folded again.
        self.written: set[bytes] = set()


class SeenValues:
    """Keyed hashes of the values protected for each user and namespace (see the module
    docstring); thread-safe."""

    def __init__(self, *, max_scopes: int = _MAX_SCOPES, max_values: int = _MAX_VALUES) -> None:
        self._hasher = hashlib.blake2b(key=os.urandom(32), digest_size=16)
        self._scopes: OrderedDict[Scope, _Memory] = OrderedDict()
        self._max_scopes = max_scopes
        self._max_values = max_values
        self._lock = threading.Lock()

    def _digest(self, value: str) -> bytes:
        h = self._hasher.copy()  # the keyed state, set up once
        h.update(value.encode("utf-8", "surrogatepass"))
        return h.digest()

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
        with self._lock:
            memory = self._scopes.get(scope)
            written = memory.written if memory is not None else set()
        hashed = []
        fresh = []
        for value, privacy_type, level in values:
            key = self._digest(f"{value}\x00{privacy_type}\x00{level.value}")
            if key in written:
                continue
            fresh.append(key)
            token = _normal(value)
            if _memorable(token):
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
            evicted = len(memory.values) > self._max_values
            while len(memory.values) > self._max_values:
                memory.values.popitem(last=False)
            if evicted or len(memory.written) + len(fresh) > 2 * self._max_values:
                # A value handled before may have just been evicted; forgetting what was handled
                # only costs folding it again.
                memory.written.clear()
            memory.written.update(fresh)

    def forget(self, user_id: str, namespace: str | None = None) -> None:
        """Drop what is remembered for a user (one namespace, or all of them when None)."""
        with self._lock:
            for scope in [
                s for s in self._scopes if s[0] == user_id and (namespace is None or s[1] == namespace)
            ]:
                del self._scopes[scope]

    # -- finding ------------------------------------------------------------------------------------

    def find(
        self, scope: Scope, text: str, known: Mapping[tuple[int, int], tuple[int, float]] | None = None
    ) -> list[PrivacySpan]:
        """Every occurrence in `text` of a value remembered for the scope, as spans with the type
        and level it had; `known` maps the offsets of spans already found to their (level rank,
        score), and an occurrence found there at least as strongly is left out."""
        with self._lock:
            memory = self._scopes.get(scope)
        if memory is None or not memory.values:
            return []
        # Single lookups (no copy: a user may have thousands of values); each is atomic.
        values, lengths = memory.values, memory.lengths
        # Tokens by whitespace, in C; words without a digit or a symbol are skipped at once; only
        # a token with other than plain ASCII is folded, and only then cut into its value runs
        # ("用TK-8832登录").
        hits: dict[str, tuple[str, PrivacyLevel]] = {}
        refold = False  # whether some occurrence is written otherwise than as remembered
        for token in text.split():
            if token.isalpha():
                continue
            if token.isascii():
                folded_token, pieces = token, [token]
            elif _VALUE_CHAR.search(token) is None:
                continue
            else:
                folded_token = fold_text(token)
                pieces = _TOKEN.findall(folded_token)
            for piece in pieces:
                word = piece.strip(_EDGES)
                if len(word) not in lengths or word.isalpha():
                    continue
                if word not in hits:
                    hit = values.get(self._digest(word))
                    if hit is None:
                        continue
                    hits[word] = hit
                if folded_token is not token and token.count(word) < folded_token.count(word):
                    refold = True
        if not hits:
            return []
        # Found as written, the values are found again in the message itself; only a value
        # written with characters the fold changes ("４８２-９１１") needs the folded message and
        # the map back from it.
        match = MatchText(text) if refold else None
        folded = match.text if match is not None else text
        spans: list[PrivacySpan] = []
        for word, (kind, level) in hits.items():
            pos = folded.find(word)
            while pos != -1:
                end = pos + len(word)
                if _standalone(folded, pos, end):
                    s, e = match.span(pos, end) if match is not None else (pos, end)
                    strength = known.get((s, e)) if known else None
                    if strength is None or strength < (level.rank, _SCORE):
                        spans.append(
                            PrivacySpan(
                                text=text[s:e],
                                start=s,
                                end=e,
                                privacy_type=kind,
                                level=level,
                                score=_SCORE,
                                source="seen",
                            )
                        )
                pos = folded.find(word, end)
        return spans


def protected_values(replacements: Sequence[object]) -> list[tuple[str, str, PrivacyLevel]]:
    """(value, type, level) of each replacement that hid its value (placeholder or redaction)."""
    out = []
    for r in replacements:
        span = getattr(r, "span", None)
        action = getattr(getattr(r, "action", None), "value", None)
        # "seen" spans came from the memory itself; "guard" ones are the guard's own checks.
        if span is not None and action in ("placeholder", "redact") and span.source not in ("guard", "seen"):
            out.append((span.text, span.privacy_type, span.level))
    return out
