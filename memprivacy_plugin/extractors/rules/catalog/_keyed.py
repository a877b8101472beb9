"""Building blocks the catalog shares: recognisers for a value announced by a key word (`keyed`)
or followed by one (`keyed_after`), and the value patterns several families use.

What may stand between a key word and its value is bounded, so every such pattern stays linear:
either a few separators ("PIN: 1234", "验证码 849201", "token **X**"), or a short clause ending in
is/是/为/: ("the OTP sent to my phone is 849-201", "验证码（OTP），号码是 829417").
"""

from __future__ import annotations

from collections.abc import Sequence

from ..engine import Recognizer, Validator

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
FILL = r"""[\s"'`*“”‘’「」（()）\[\]#:=,，、…_]{0,8}(?:(?<=\s)-{1,2}\s[\s"'`*]{0,3})?"""
# "is" may touch the value when an invisible character stood between them ("PIN is\u200b0001").
GAP = r"""[^\n。！？!?；;{x}]{{0,64}}?(?:\b(?:is|was|are|reads|says|as|ist|like)(?![A-Za-z])|是|为|[:：=])"""
END = r"(?![0-9A-Za-z_@])"
# "尾号为0780" / "ending in 0780" is the tail of some other number, not the announced value.
NOT_AFTER_TAIL = r"尾号[为是]?|ending (?:in|with)|last (?:4|four) digits(?: are| is)?"
# A year or a count after a preposition is not a value announced by the key word after it
# ("In 2019 the code was rewritten", "since 2021 the token ...").
NOT_A_DATE = r"\b(?:in|since|by|until|till|from|before|after|during|around|circa|of|for|over)"

# Digits a person reads out: "8 4 9 2 0 1", "4 · 8 · 2 · 9", "849-201", "8492 01", "849201".
SPACED_DIGITS = r"\d(?:[ .\-·,]{1,3}\d){3,11}(?![0-9])"
CODE_VALUE = (
    r"(?:\d(?:\ \d){3,7}|\d{2,4}(?:[\- ]\d{2,4}){1,2}|\d{4,10}|"
    r"(?=[#A-Za-z0-9\-]{0,40}\d)#?[A-Za-z0-9]{1,10}(?:-[A-Za-z0-9]{1,10}){1,3})"
)
DIGITS_VALUE = rf"(?:{SPACED_DIGITS}|\d{{2,4}}(?:[\- ]\d{{2,4}}){{1,2}}|\d{{3,10}})"
# A password after its key word must contain a digit or a symbol (not just a word such as "which").
# Latin, Greek and Cyrillic letters and U+FFFD (a lone surrogate) count too, so "Ab1!éxyz9" is
# one value, not "Ab1!" and a tail left in clear; CJK text and punctuation end it.
_SECRET_CHAR = r"[!-~\u00a1-\u00aa\u00ac-\u00ba\u00bc-\u02ff\u0370-\u04ff\ufffd]"
SECRET_VALUE = rf"""(?={_SECRET_CHAR}{{0,127}}[0-9@#$%^&*_+=~|\\/!?<>\-]){_SECRET_CHAR}{{4,128}}"""
TOKEN_VALUE = r"(?=[#A-Za-z0-9._~+/=\-]{0,400}\d)#?[A-Za-z0-9][A-Za-z0-9._~+/=\-]{2,400}"
ID_VALUE = r"(?-i:[A-Z0-9]{1,20}(?:-[A-Z0-9]{1,14}){0,3})"


def _words(keywords: Sequence[str]) -> str:
    """Key words as one alternation; Latin ones share a single look-behind (not after a letter, '#'
    or '-') and must not run into a letter, so the look-behind runs once per position, not once
    per key word."""
    latin = [k for k in keywords if k[:1].isascii()]
    other = [k for k in keywords if not k[:1].isascii()]
    parts = [rf"(?<![A-Za-z#\-])(?:{'|'.join(latin)})(?![A-Za-z])"] if latin else []
    return "|".join(parts + other)


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
) -> Recognizer:
    """A recogniser for a value announced by a key word: `keywords` are regex fragments (matched
    case-insensitively; Latin ones must not touch other Latin letters), `value` the value's regex;
    `trigger` lists lower-case substrings one of which every keyword contains (a prefilter, and
    what lets a long text be scanned only near the key words); `lead` is a pattern that may stand
    between the key word and the value without being part of the value (a bank's name)."""
    connect = f"(?:{FILL}|{GAP.format(x=gap_exclude)}{FILL})" if gap else FILL
    return Recognizer(
        name=name,
        privacy_type=privacy_type,
        pattern=rf"(?:{_words(keywords)}){connect}{lead}(?P<value>{value}){end}",
        group="value",
        validator=validator,
        score=score,
        rstrip=rstrip,
        lstrip=lstrip,
        trigger=trigger,
        trigger_in_match=True,
        not_before=not_before,
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
