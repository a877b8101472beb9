"""Restoring placeholders: one regex pass with one vault lookup, and a streaming form for
answers that arrive in chunks.

Never sequential `str.replace`: a restored value could itself look like a placeholder and be
replaced again, and N replacements cost N passes. Here the text is scanned once, every distinct
placeholder key is looked up in one vault call, and the output is assembled from the matches.
A placeholder whose key the lookup does not return (typed by the user, or another user's) is
left exactly as it was.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping

from .placeholders import PLACEHOLDER_RE, placeholder_key

__all__ = ["StreamingRestorer", "placeholder_keys", "restore_text"]

Lookup = Callable[[Collection[str]], Mapping[str, str]]

# Characters that can start a placeholder in any tolerated spelling: `<`, `\<`, `&lt;`.
_OPENERS = "<&\\"
# The longest tail a streaming restorer holds back while a placeholder may still be forming.
_MAX_PENDING = 160
# A tail that may still grow into a placeholder: an opener (possibly cut short) followed only by
# name characters, separators and digits, possibly ending in a cut-short closer.
_PARTIAL = re.compile(
    r"(?:\\|\\<|<|&|&l|&lt|&lt;)(?:[ \t]*[A-Za-z][A-Za-z0-9_ \t\\-]*)?(?:\\|&|&g|&gt)?\Z"
    r"|(?:\\?<|&lt;)[ \t]*\Z",
    re.IGNORECASE,
)


def _key(match: re.Match[str]) -> str:
    return placeholder_key(match["name"], match["num"])


def placeholder_keys(text: str) -> set[str]:
    """The lookup keys of every placeholder-looking token in `text`."""
    return {_key(m) for m in PLACEHOLDER_RE.finditer(text)}


def restore_text(text: str, lookup: Lookup) -> str:
    """Replace every placeholder that `lookup` knows by its value, in one pass."""
    if "<" not in text and "&" not in text:  # `&lt;` in any case
        return text
    matches = list(PLACEHOLDER_RE.finditer(text))
    if not matches:
        return text
    keys = [_key(m) for m in matches]
    values = lookup(set(keys))
    if not values:
        return text
    parts: list[str] = []
    last = 0
    for m, key in zip(matches, keys, strict=True):
        value = values.get(key)
        if value is None:
            continue
        parts.append(text[last : m.start()])
        token = m.group(0)
        if token.startswith("\\") and not token.endswith("\\>"):
            # A backslash before a plain placeholder is the text's own, not markdown escaping.
            parts.append("\\")
        parts.append(value)
        last = m.end()
    parts.append(text[last:])
    return "".join(parts)


class StreamingRestorer:
    """Restores a text that arrives in chunks, such as a streamed model answer.

    Everything that cannot be the start of a placeholder is released at once; only a tail that
    could still become one (`<Phone_Nu`) is held back until the next chunk decides it.
    """

    def __init__(self, lookup: Lookup) -> None:
        self._lookup = lookup
        self._pending = ""

    def _hold_from(self, buffer: str) -> int:
        # The earliest opener in the last _MAX_PENDING characters from which the rest of the buffer
        # may still grow into a placeholder. Not just the last opener: `\_` and `&gt` inside a
        # placeholder that is still forming contain opener characters too.
        for start in range(max(0, len(buffer) - _MAX_PENDING), len(buffer)):
            if buffer[start] in _OPENERS and _PARTIAL.match(buffer, start):
                return start
        return len(buffer)

    def feed(self, chunk: str) -> str:
        """Add a chunk; return the restored text that is now certain."""
        buffer = self._pending + chunk
        cut = self._hold_from(buffer)
        self._pending = buffer[cut:]
        return restore_text(buffer[:cut], self._lookup) if cut else ""

    def flush(self) -> str:
        """End of stream: release whatever is still held back."""
        rest, self._pending = self._pending, ""
        return restore_text(rest, self._lookup) if rest else ""
