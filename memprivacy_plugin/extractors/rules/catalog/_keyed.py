"""Building blocks the catalog shares: recognisers for a value announced by a key word (`keyed`)
or followed by one (`keyed_after`), and the value patterns several families use.

What may stand between a key word and its value is bounded, so every such pattern stays linear:
either a few separators ("PIN: 1234", "验证码 849201", "token **X**"), or a short clause ending in
is/是/为/: ("the OTP sent to my phone is 849-201", "验证码（OTP），号码是 829417").
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..engine import Recognizer, Validator
from ..patterns import first_chars

__all__ = [
    "CODE_VALUE",
    "DIGITS_VALUE",
    "END",
    "ID_VALUE",
    "NOT_AFTER_TAIL",
    "NOT_A_DATE",
    "SECRET_VALUE",
    "SPACED_DIGITS",
    "TOKEN_VALUE",
    "keyed",
    "keyed_after",
]

# Quotes, brackets, colons and markdown between a key word and its value, then optionally a
# spaced dash ("the code - 90412", "PIN -- 4482"; "code -1" is not a dash).
# "==" is a comparison in code ("if password == confirm_password"), never what announces a value.
# A line break only right after a colon, with the value at the start of the next line
# ("Password:\nhunter22"), not an indented line of code.
FILL = (
    r"""(?![ \t]*==)[ \t"'`*“”‘’「」（()）\[\]#:=,，、…]{0,8}(?:(?<=[:：])\r?\n(?![ \t]))?"""
    r"""(?:(?<=\s)-{1,2}\s[ \t"'`*]{0,3})?"""
)
# A short clause between a key word and its value, not across a full stop (a sentence end) or an
# "=" ("if password == ..."). "is" may touch the value when an invisible character stood between
# them ("PIN is\u200b0001").
GAP = (
    r"""[^\n。！？!?；;.={x}]{{0,64}}?"""
    r"""(?:\b(?:is|was|are|reads|says|as|ist|like)(?![A-Za-z])|是|为|[:：]|=(?!=))"""
)
END = r"(?![0-9A-Za-z_@])"
# Between values listed after one key word ("PINs 4829 and 7731", "验证码 482913、771204").
LIST_SEP = r"(?:[ \t]{0,2}(?:[,，、;；/&]|\band\b|\bor\b|和|及|与|或|以及)[ \t]{0,2}|[ \t]{1,2})"
# "尾号为0780" / "ending in 0780" is the tail of some other number, not the announced value.
NOT_AFTER_TAIL = r"尾号[为是]?|ending (?:in|with)|last (?:4|four) digits(?: are| is)?"
# A year or a count after a preposition is not a value announced by the key word after it
# ("In 2019 the code was rewritten", "since 2021 the token ...").
NOT_A_DATE = r"\b(?:in|since|by|until|till|from|before|after|during|around|circa|of|for|over)"

# Digits a person reads out: "8 4 9 2 0 1", "4 · 8 · 2 · 9", "849-201", "8492 01", "849201".
SPACED_DIGITS = r"\d(?:[ .\-·,]{1,3}\d){3,11}(?![0-9])"
CODE_VALUE = (
    r"(?:\d(?:\ \d){3,7}|\d{2,4}(?:[\- ]\d{2,4}){1,2}|\d{4,10}|"
    r"(?=[#A-Za-z0-9\-]{0,40}\d)#?[A-Za-z0-9]{1,10}(?:-[A-Za-z0-9]{1,10}){1,3}|"
    # one letters-and-digits token ("ABC123", "G4X9K2"); code_ok wants two digits in it
    r"(?=[A-Za-z]{0,11}\d)(?=\d{0,11}[A-Za-z])[A-Za-z0-9]{4,12})"
)
DIGITS_VALUE = rf"(?:{SPACED_DIGITS}|\d{{2,4}}(?:[\- ]\d{{2,4}}){{1,2}}|\d{{3,10}})"
# A password after its key word must contain a digit or a symbol (not just a word such as "which").
# Latin, Greek and Cyrillic letters and U+FFFD (a lone surrogate) count too, so "Ab1!éxyz9" is
# one value, not "Ab1!" and a tail left in clear; CJK text and punctuation end it.
_SECRET_CHAR = r"[!-~\u00a1-\u00aa\u00ac-\u00ba\u00bc-\u02ff\u0370-\u04ff\ufffd]"
# An underscore alone does not make a password: "confirm_password" is an identifier.
SECRET_VALUE = rf"""(?={_SECRET_CHAR}{{0,127}}[0-9@#$%^&*+=~|\\/!?<>\-]){_SECRET_CHAR}{{4,128}}"""
TOKEN_VALUE = r"(?=[#A-Za-z0-9._~+/=\-]{0,400}\d)#?[A-Za-z0-9][A-Za-z0-9._~+/=\-]{2,400}"
ID_VALUE = r"(?-i:[A-Z0-9]{1,20}(?:-[A-Z0-9]{1,14}){0,3})"


_NOT_INSIDE_A_WORD = r"(?<![A-Za-z#\-])"


def _words(keywords: Sequence[str], behind: str = _NOT_INSIDE_A_WORD) -> str:
    """Key words as one alternation; Latin ones share a single look-behind (not after a letter, '#'
    or '-') and must not run into a letter, so the look-behind runs once per position, not once
    per key word. Latin key words also match their plural."""
    latin = [k for k in keywords if k[:1].isascii()]
    other = [k for k in keywords if not k[:1].isascii()]
    # A plural counts ("codes", "PINs"); a key word that an identifier goes on after does not
    # ("password_attempt", "TOKEN_EXPIRY": code, not a value), one that ends it does
    # ("real_id_number: ...").
    parts = [rf"{behind}(?:{'|'.join(latin)})s?(?![A-Za-z_])"] if latin else []
    return "|".join(parts + other)


def _value_ahead(value: str) -> str:
    """A cheap look-ahead after a clause's "is"/"是"/":": a character the value can start with
    comes within a few characters. A message full of "是" then costs a failed class test at each,
    not every value alternative."""
    chars = first_chars(value)
    if not chars:
        return ""
    return (
        rf"""(?=[ \t"'`*“”‘’「」（()）\[\]#:=,，、…\n-]{{0,10}}[{"".join(sorted(map(re.escape, chars)))}])"""
    )


def keyed(
    name: str,
    privacy_type: str,
    keywords: Sequence[str],
    value: str,
    *,
    trigger: tuple[str, ...],
    validator: Validator | None = None,
    score: float = 0.85,
    gap: bool = True,
    rstrip: str = "",
    end: str = END,
    lstrip: str = "",
    gap_exclude: str = "",
    not_before: str = NOT_AFTER_TAIL,
    description: str = "",
    lead: str = "",
    lists: bool = True,
    behind: str = _NOT_INSIDE_A_WORD,
) -> Recognizer:
    """A recogniser for a value announced by a key word: `keywords` are regex fragments (matched
    case-insensitively; Latin ones must not touch other Latin letters), `value` the value's regex;
    `trigger` lists lower-case substrings one of which every keyword contains (a prefilter, and
    what lets a long text be scanned only near the key words); `lead` is a pattern that may stand
    between the key word and the value without being part of the value (a bank's name). With
    `lists`, more values of the same form that follow the first ("PINs 4829 and 7731") are found
    too. `behind` is the look-behind before Latin key words (by default: not inside a word or an
    identifier)."""
    connect = f"(?:{FILL}|{GAP.format(x=gap_exclude)}{_value_ahead(lead + value)}{FILL})" if gap else FILL
    return Recognizer(
        name=name,
        privacy_type=privacy_type,
        pattern=rf"(?:{_words(keywords, behind)}){connect}{lead}(?P<value>{value}){end}",
        group="value",
        validator=validator,
        score=score,
        rstrip=rstrip,
        lstrip=lstrip,
        trigger=trigger,
        trigger_in_match=True,
        not_before=not_before,
        follow=rf"{LIST_SEP}(?P<value>{value}){end}" if lists else "",
        description=description or f"value after a key word ({', '.join(keywords[:4])}, ...)",
    )


def keyed_after(
    name: str,
    privacy_type: str,
    value: str,
    keywords: Sequence[str],
    *,
    trigger: tuple[str, ...],
    validator: Validator | None = None,
    score: float = 0.8,
) -> Recognizer:
    """A recogniser for a value followed by its key word ("that 849-201 code", "882-109' 验证码")."""
    words = "|".join(rf"{k}(?![A-Za-z])" if k[:1].isascii() else k for k in keywords)
    return Recognizer(
        name=name,
        privacy_type=privacy_type,
        pattern=rf"""(?<![0-9A-Za-z_\-#])(?P<value>{value})["'*”’]{{0,3}}[ ]?(?:的|the )?(?:{words})""",
        group="value",
        validator=validator,
        score=score,
        trigger=trigger,
        trigger_in_match=True,
        not_before=f"{NOT_AFTER_TAIL}|{NOT_A_DATE}",
        description=f"value before a key word ({', '.join(keywords[:3])}, ...)",
    )
