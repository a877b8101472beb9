"""Whose name is it? Shared by the model extractors that find person names.

A NER model or a PII tagger finds "a person's name" but cannot tell the user from a third party.
The taxonomy keeps the two apart (Real Name is the user's own name, Relationship Info covers family,
friends and colleagues), so a found name is compared with the `user_name` the caller passed.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["is_user_name", "name_key"]

_HONORIFICS = frozenset(
    {"mr", "mrs", "ms", "miss", "mx", "dr", "prof", "sir", "madam", "先生", "女士", "小姐", "老师"}
)


def name_key(text: str) -> str:
    """NFKC, case-folded, with dots, hyphens, middle dots and whitespace runs turned into one space."""
    text = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(re.split(r"[\s.\-·・'’,]+", text)).strip()


def _parts(key: str) -> list[str]:
    return [p for p in key.split(" ") if p and p not in _HONORIFICS]


def is_user_name(span_text: str, user_name: str | None) -> bool:
    """True when `span_text` names the user: the full name, a part of it ("Dana" for "Dana Scully"),
    or the full name with a title around it ("Dr. Dana Scully"). Comparison ignores case, width,
    spacing and punctuation; for names written without spaces (Chinese) the span must be the name,
    a contiguous part of it of two or more characters, or contain it."""
    if not user_name or not user_name.strip():
        return False
    span_key, user_key = name_key(span_text), name_key(user_name)
    if not span_key or not user_key:
        return False
    if span_key == user_key:
        return True
    span_parts, user_parts = _parts(span_key), _parts(user_key)
    if not span_parts:
        return False
    if len(user_parts) == 1 and len(span_parts) == 1:
        # One token each: "张伟" vs "伟" is too weak; accept a contiguous piece of 2+ characters
        # (a given name in a CJK full name) or the other way round.
        a, b = span_parts[0], user_parts[0]
        return (len(a) >= 2 and a in b) or (len(b) >= 2 and b in a)
    # Every word of the span is a word of the user's name ("Dana", "Scully", "Dana Scully"), or every
    # word of the user's name occurs in the span ("Dr Dana K. Scully").
    user_set, span_set = set(user_parts), set(span_parts)
    return span_set <= user_set or user_set <= span_set
