"""How recogniser patterns are compiled for speed, and the trie regex for literal word lists.

Python's `re` skips quickly through text only when a pattern starts with a literal or a character
set; a pattern that starts with a look-behind, or with an alternation of many key words each behind
its own look-behind, is tried at every position. `compile_pattern` computes the set of characters a
match can start with (from the parsed pattern, over-approximated where unsure) and puts it in front
as a look-ahead class, `(?=[...])`, which lets `re` jump between candidate positions. Matches are
unchanged: the class only rules out positions where no match can start.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from re import _constants as sre_c  # type: ignore[attr-defined]
from re import _parser as sre_parse  # type: ignore[attr-defined]
from typing import Any

__all__ = ["compile_pattern", "first_chars", "literal_regex", "max_width"]

FLAGS = re.ASCII | re.IGNORECASE
# Above this many possible first characters a class filters too little to be worth it.
_MAX_FIRST = 160
_CATEGORY_CHARS = {
    sre_c.CATEGORY_DIGIT: "0123456789",
    sre_c.CATEGORY_SPACE: " \t\n\r\f\v",
    sre_c.CATEGORY_WORD: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_",
}


class _Unknown(Exception):
    pass


def _chars_of_in(items: list[tuple[Any, Any]]) -> set[str]:
    out: set[str] = set()
    for op, av in items:
        if op is sre_c.LITERAL:
            out.add(chr(av))
        elif op is sre_c.RANGE:
            lo, hi = av
            if hi - lo > _MAX_FIRST:
                raise _Unknown
            out.update(chr(c) for c in range(lo, hi + 1))
        elif op is sre_c.CATEGORY and av in _CATEGORY_CHARS:
            out.update(_CATEGORY_CHARS[av])
        else:  # NEGATE, other categories
            raise _Unknown
    return out


def _first(seq: Any, cased: bool) -> tuple[set[str], bool]:
    """(characters a match of the sequence can start with, whether it can match empty); with
    `cased` (IGNORECASE in force) letters are added in both cases."""
    out: set[str] = set()
    for op, av in seq:
        if op is sre_c.LITERAL:
            out |= _cases(chr(av), cased)
            return out, False
        if op is sre_c.IN:
            out |= {c for ch in _chars_of_in(av) for c in _cases(ch, cased)}
            return out, False
        if op in (sre_c.AT, sre_c.ASSERT, sre_c.ASSERT_NOT):
            continue  # zero width: ignoring it only lets more positions through
        if op is sre_c.SUBPATTERN:
            _group, add_flags, del_flags, inner = av
            inner_cased = (cased or bool(add_flags & re.IGNORECASE)) and not del_flags & re.IGNORECASE
            chars, nullable = _first(inner, inner_cased)
        elif op is sre_c.ATOMIC_GROUP:
            chars, nullable = _first(av, cased)
        elif op is sre_c.BRANCH:
            chars, nullable = set(), False
            for branch in av[1]:
                c, n = _first(branch, cased)
                chars |= c
                nullable = nullable or n
        elif op in (sre_c.MAX_REPEAT, sre_c.MIN_REPEAT, getattr(sre_c, "POSSESSIVE_REPEAT", None)):
            chars, nullable = _first(av[2], cased)
            nullable = nullable or av[0] == 0
        else:  # ANY, NOT_LITERAL, group references, conditionals
            raise _Unknown
        out |= chars
        if not nullable:
            return out, False
    return out, True


def _cases(ch: str, cased: bool) -> set[str]:
    if not cased:
        return {ch}
    return {c for c in (ch, ch.lower(), ch.upper()) if len(c) == 1}


def first_chars(pattern: str, flags: int = FLAGS) -> frozenset[str] | None:
    """The characters a match of `pattern` can start with (both cases of letters where the
    pattern ignores case), or None when they cannot be told or are too many to help."""
    try:
        chars, nullable = _first(sre_parse.parse(pattern, flags), bool(flags & re.IGNORECASE))
    except (_Unknown, re.error, RecursionError):
        return None
    if nullable:
        return None
    return frozenset(chars) if len(chars) <= _MAX_FIRST else None


def max_width(regex: re.Pattern[str]) -> int | None:
    """The longest text a match of `regex` can cover, or None when it is unbounded or unknown."""
    try:
        width = int(sre_parse.parse(regex.pattern, regex.flags).getwidth()[1])
    except Exception:
        return None
    return width if width < sre_c.MAXREPEAT else None


def compile_pattern(pattern: str | re.Pattern[str]) -> re.Pattern[str]:
    """`pattern` compiled (ASCII and IGNORECASE unless already compiled), behind a look-ahead
    class of its possible first characters when that can be told."""
    source, flags = (pattern.pattern, pattern.flags) if isinstance(pattern, re.Pattern) else (pattern, FLAGS)
    if re.match(r"\(\?[aiLmsux]+\)", source):  # global inline flags must stay first
        return pattern if isinstance(pattern, re.Pattern) else re.compile(source, flags)
    chars = first_chars(source, flags)
    if not chars:
        return pattern if isinstance(pattern, re.Pattern) else re.compile(source, flags)
    klass = "".join(sorted(re.escape(c) for c in chars))
    return re.compile(f"(?=[{klass}])(?:{source})", flags)


def literal_regex(words: Iterable[str]) -> re.Pattern[str]:
    """One regex matching any of `words`, longest first, built as a trie so that its cost per
    position does not grow with the number of words."""
    trie: dict[str, Any] = {}
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}
    return re.compile(_emit(trie))


def _emit(node: dict[str, Any]) -> str:
    parts: list[str] = []
    for ch in sorted(k for k in node if k):
        literal = [ch]
        child = node[ch]
        while len(child) == 1 and "" not in child:  # follow a chain without branches
            ((nxt, child),) = child.items()
            literal.append(nxt)
        tail = "" if list(child) == [""] else _emit(child)
        parts.append(re.escape("".join(literal)) + tail)
    body = parts[0] if len(parts) == 1 else "(?:" + "|".join(parts) + ")"
    return f"(?:{body})?" if "" in node else body
