"""Placeholder syntax: `<Type_N>` with an ASCII type name.

One place knows how a placeholder is written (`format_placeholder`), how a type string becomes its
name (`placeholder_name`), how the forms language models turn it into are recognised
(`PLACEHOLDER_RE`: case, spaces, markdown escapes, HTML entities) and the lookup key every form
reduces to (`placeholder_key`). Numbering is the vault's job; it counts per key of the name, so
two type strings that sanitise to the same name share one sequence and never collide.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

__all__ = [
    "PLACEHOLDER_RE",
    "format_placeholder",
    "name_key",
    "placeholder_key",
    "placeholder_name",
]

_NON_ALNUM = re.compile(r"[^A-Za-z0-9]+")

# `<Phone_Number_1>`, `<phone number 1>`, `< Phone_Number_1 >`, `\<Phone\_Number\_1\>`,
# `&lt;Phone_Number_1&gt;`. Group "name" is the type part, group "num" the number.
_OPEN = r"(?:\\?<|&lt;)"
_CLOSE = r"(?:\\?>|&gt;)"
_SEP = r"(?:\\?_|[ \t\-])"
PLACEHOLDER_RE = re.compile(
    rf"{_OPEN}[ \t]*(?P<name>[A-Za-z][A-Za-z0-9]{{0,40}}(?:{_SEP}{{1,2}}[A-Za-z0-9]{{1,40}}){{0,8}}?)"
    rf"{_SEP}{{1,2}}(?P<num>[0-9]{{1,9}})[ \t]*{_CLOSE}",
    re.IGNORECASE,
)


@lru_cache(maxsize=4096)
def placeholder_name(privacy_type: str) -> str:
    """The ASCII name of a type: `Account ID/Username` -> `Account_ID_Username`.

    Non-ASCII types (for example a Chinese custom type) are transliterated where NFKD can, and
    fall back to `Private` so a placeholder is always valid ASCII.
    """
    ascii_text = unicodedata.normalize("NFKD", privacy_type).encode("ascii", "ignore").decode()
    words = [w for w in _NON_ALNUM.split(ascii_text) if w]
    if not words:
        return "Private"
    if words[0][0].isdigit():
        words.insert(0, "Type")
    # Stay within what PLACEHOLDER_RE recognises (at most 9 words of at most 40 characters),
    # or the placeholder could never be restored.
    words = [w[:40] for w in words[:9]]
    return "_".join(w if w.isupper() or not w[0].isalpha() else w[0].upper() + w[1:] for w in words)[:80]


@lru_cache(maxsize=4096)
def name_key(name: str) -> str:
    """The case- and separator-insensitive key of a placeholder name (numbering is per key)."""
    return "_".join(w for w in _NON_ALNUM.split(name.lower()) if w)


def format_placeholder(name: str, number: int) -> str:
    return f"<{name}_{number}>"


def placeholder_key(name: str, number: int | str) -> str:
    """The lookup key of a placeholder: `phone_number_1` for every spelling of `<Phone_Number_1>`."""
    return f"{name_key(name)}_{int(number)}"
