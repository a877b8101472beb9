"""The text the rules match on, and the way back to the message's own offsets.

People (and attackers) write values with characters that change nothing on screen but break a
regular expression: a zero-width space inside a phone number, a soft hyphen in a card number,
full-width or Arabic-Indic digits, a no-break space between digit groups, a Unicode minus for a
dash. `MatchText` folds them once per message:

- format, combining and invisible filler characters (zero-width spaces and joiners, bidi marks,
  soft hyphens, variation selectors, Hangul fillers, lone surrogates, C0 controls) are dropped;
- every Unicode space becomes a space, line and paragraph separators a newline, every dash a `-`;
- every decimal digit of any script becomes its ASCII digit, and any character whose NFKC form is
  one ASCII character (full-width forms, mathematical letters and digits, superscripts, circled
  digits) becomes that character; other digit symbols (⓸, ➍) their digit;
- letters of other scripts that look like an ASCII letter (Cyrillic "р", Greek "Ο": Unicode's
  confusables, from the confusable-homoglyphs package) become that letter.

The rules match on the folded text; `span()` maps a match back to the message, so a span covers
the trick characters inside the value too. Pure ASCII text without controls is used as it is.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from functools import lru_cache

__all__ = ["MatchText", "fold_char", "fold_text", "fold_width"]

# Invisible letters (Hangul fillers) that a regex would take for text.
_INVISIBLE_LETTERS = frozenset("\u115f\u1160\u3164\uffa0")
_KEPT_CONTROLS = frozenset("\n\r\x0b\x0c")
_ASCII_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")

# Characters that never change: printable ASCII, tabs and newlines, CJK ideographs, and the CJK
# punctuation and quotes Chinese text is full of. Only the others are looked at.
_MAYBE_FOLDED = re.compile(
    "[^\n\r\x20-\x7e\u4e00-\u9fff\u3001\u3002\u3008-\u3011\u2018\u2019\u201c\u201d\u2026]"
)
_SPACE_RUN = re.compile(" {2,}")
# Middle dots written between digit groups or plate parts ("4111·1111", "京A·12345").
_MIDDLE_DOTS = frozenset("\u00b7\u2027\u2219\u30fb\uff65")

# Full-width ASCII (U+FF01..U+FF5E) to ASCII and the ideographic space to a space.
_WIDTH_FOLD = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}


def fold_width(text: str) -> str:
    """Full-width ASCII and the ideographic space folded to ASCII, keeping every offset."""
    return text.translate(_WIDTH_FOLD)


@lru_cache(maxsize=8192)
def fold_char(ch: str) -> str | None:
    """What one character becomes in the matching text: `""` (dropped), one character, or None
    (unchanged)."""
    category = unicodedata.category(ch)
    if category in ("Cf", "Mn", "Me", "Cs") or ch in _INVISIBLE_LETTERS or ch == "\ufffd":
        # U+FFFD stands where undecodable bytes or a lone surrogate were: no character at all.
        return ""
    if ch == "\t":
        return " "
    if category == "Cc":
        if ch in _KEPT_CONTROLS:
            return None
        return "\n" if ch == "\x85" else " " if ch.isspace() else ""
    if category == "Zs" or ch == "\u2800":  # every space, and the blank braille pattern
        return " " if ch != " " else None
    if category in ("Zl", "Zp"):
        return "\n"
    if category == "Pd" or ch == "\u2212" or ch in _MIDDLE_DOTS:  # dashes, minus, middle dots
        return "-" if ch != "-" else None
    if category == "Nd":
        return str(unicodedata.decimal(ch)) if not ch.isascii() else None
    if ch == "\u0130":  # "İ": its lower case is two characters long
        return "I"
    if ch.isascii():
        return None
    norm = unicodedata.normalize("NFKC", ch)
    if len(norm) == 1 and norm.isascii():
        return norm
    if category == "No" and unicodedata.digit(ch, None) is not None:  # ⓸, ➍, ⑷ ...
        return str(unicodedata.digit(ch))
    return _homoglyph(ch, category)


@lru_cache(maxsize=1)
def _homoglyphs() -> dict[str, str]:
    """Letters and digits of other scripts that look like one ASCII letter or digit (Unicode's
    confusables.txt, as the confusable-homoglyphs package ships it): Cyrillic "р" for "p",
    Greek "Ο" for "O"; a letter only ever stands for a letter, a digit for a digit."""
    import json
    from importlib import resources

    source = resources.files("confusable_homoglyphs").joinpath("confusables.json")
    data = json.loads(source.read_text("utf-8"))
    out: dict[str, str] = {}
    for ch, glyphs in data.items():
        if len(ch) != 1 or ch.isascii():
            continue
        kind = unicodedata.category(ch)[0]
        for glyph in glyphs:
            target = glyph.get("c", "")
            if (
                len(target) == 1
                and target.isascii()
                and ((kind == "L" and target.isalpha()) or (kind == "N" and target.isdigit()))
            ):
                out[ch] = target
                break
    return out


def _homoglyph(ch: str, category: str) -> str | None:
    if category[0] not in "LN" or "\u4e00" <= ch <= "\u9fff":
        return None
    return _homoglyphs().get(ch)


def _fold_table(text: str) -> dict[int, str]:
    """The translation table that folds `text`'s characters (only those it holds)."""
    table: dict[int, str] = {}
    for ch in set(_MAYBE_FOLDED.findall(text)):
        folded = fold_char(ch)
        if folded is not None:
            table[ord(ch)] = folded
    return table


def fold_text(text: str) -> str:
    """`text` folded character by character as `MatchText` folds it, without the offset map or
    the merging of space runs: for looking a token up, not for locating it."""
    table = _fold_table(text)
    return text.translate(table) if table else text


class MatchText:
    """A message folded for matching (see the module docstring), with its lower-case form and
    the map from folded offsets back to the message."""

    __slots__ = ("_kept_before", "lower", "original", "text")

    def __init__(self, original: str) -> None:
        self.original = original
        self._kept_before: list[int] = []
        if (
            original.isascii()
            and _ASCII_CONTROL.search(original) is None
            and "\t" not in original
            and "  " not in original
        ):
            self.text = original
        else:
            table = _fold_table(original)
            dropped_chars = [chr(c) for c, folded in table.items() if not folded]
            text = original.translate(table) if table else original
            dropped: list[int] = []  # positions in `original` of characters the fold removed
            if dropped_chars:
                gone = re.compile("[" + "".join(re.escape(c) for c in dropped_chars) + "]")
                dropped = [m.start() for m in gone.finditer(original)]
            if "  " in text:
                # A run of spaces reads as one ("4111  1111", a tab between groups): the extra
                # spaces go too, mapped back through the first step.
                kept = [d - j for j, d in enumerate(dropped)]
                extra = [p for m in _SPACE_RUN.finditer(text) for p in range(m.start() + 1, m.end())]
                dropped = sorted(dropped + [p + bisect_right(kept, p) for p in extra])
                text = _SPACE_RUN.sub(" ", text)
            self.text = text
            # For the j-th dropped character, the number of kept characters before it: a folded
            # offset p maps back to p + (how many of these are <= p).
            self._kept_before = [d - j for j, d in enumerate(dropped)]
        lower = self.text.lower()
        if len(lower) != len(self.text):  # a character whose lower case is longer: keep it as is
            lower = "".join(c if len(c.lower()) != 1 else c.lower() for c in self.text)
        self.lower = lower

    def __len__(self) -> int:
        return len(self.text)

    def offset(self, pos: int) -> int:
        """The message offset of the folded character at `pos`."""
        return pos + bisect_right(self._kept_before, pos) if self._kept_before else pos

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The message offsets of the folded range [start, end): from its first to its last
        character, so dropped characters inside the range are covered."""
        if not self._kept_before:
            return start, end
        return self.offset(start), self.offset(end - 1) + 1
