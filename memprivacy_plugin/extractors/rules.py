"""`RuleExtractor`: a fast, offline, deterministic extractor for private data with a recognisable form.

It is a registry of named recognisers (Presidio-style). Each `Recognizer` has a name, a standard type
tag, a level (from the taxonomy unless given), and either a regular expression or a finder function
that yields candidate spans; an optional validator (python-stdnum, phonenumbers, `ipaddress`) and
optional context keywords filter the candidates. Users add their own recognisers
(`RuleExtractor(extra=[...])`, `.add(...)`), disable built-in ones by name
(`RuleExtractor(disabled={"ipv4"})`) and list them (`.recognizers`, `.names()`).

Text is matched after a length-preserving width fold (full-width ASCII such as "１３８" and the
ideographic space become ASCII), so offsets found on the folded text are offsets into the original
message. Every pattern is linear on adversarial input: bounded repetitions, boundaries in
look-behinds, no nested unbounded quantifiers over overlapping classes.

Deliberately not extracted: public service and business numbers (short codes such as 110/911/12345,
toll-free, shared-cost and premium-rate numbers such as 400-800-8888 and 1-800 numbers), loopback,
unspecified, multicast and well-known public resolver IP addresses, e-mail addresses on reserved
example/test domains (example.com/.org/.net, *.example, *.test, *.invalid, *.localhost), and
numbers that are only dates, times, prices, versions, order numbers or quantities.
"""

from __future__ import annotations

import functools
import ipaddress
import math
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..spans import PrivacySpan, locate, merge_spans
from ..taxonomy import PrivacyLevel, level_of
from .base import BaseExtractor

__all__ = ["Recognizer", "RuleExtractor", "default_recognizers", "fold_width"]

Finder = Callable[[str], Iterable[tuple[int, int]]]
Validator = Callable[[str], bool]

_FLAGS = re.ASCII | re.IGNORECASE

# Full-width ASCII (U+FF01..U+FF5E) to ASCII and the ideographic space to a space: one character for
# one character, so offsets are unchanged.
_WIDTH_FOLD = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}


def fold_width(text: str) -> str:
    """Full-width ASCII and the ideographic space folded to ASCII, keeping every offset."""
    return text.translate(_WIDTH_FOLD)


@dataclass(frozen=True)
class Recognizer:
    """One named rule: a pattern or a finder that proposes spans, plus optional checks.

    `pattern` is matched on the width-folded text (flags ASCII|IGNORECASE when given as a string;
    use `(?-i:...)` for case-sensitive parts); `group` selects the span inside the match. `finder`
    is an alternative taking the folded text and yielding (start, end). `validator` receives the
    span text and must return True to keep it. With `context`, a candidate is kept only if one of
    the keywords (lower case) occurs within `context_window` characters before it, or after it
    when `context_after` is set. `trigger` is a cheap prefilter: the recogniser runs only when one
    of these lower-case substrings occurs in the text. `min_digits` skips texts with fewer digits.
    """

    name: str
    privacy_type: str
    pattern: str | re.Pattern[str] | None = None
    finder: Finder | None = None
    validator: Validator | None = None
    level: PrivacyLevel | None = None
    score: float = 0.9
    group: int | str = 0
    context: tuple[str, ...] = ()
    context_window: int = 40
    context_after: bool = False
    trigger: tuple[str, ...] = ()
    min_digits: int = 0
    rstrip: str = ""
    lstrip: str = ""
    not_before: str = ""
    description: str = ""
    _regex: re.Pattern[str] | None = field(default=None, init=False, repr=False, compare=False)
    _not_before: re.Pattern[str] | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if (self.pattern is None) == (self.finder is None):
            raise ValueError(f"recogniser {self.name!r} needs exactly one of pattern or finder")
        if not 0.0 <= self.score <= 1.0:
            raise ValueError(f"recogniser {self.name!r}: score must be in [0, 1]")
        if self.pattern is not None:
            regex = self.pattern if isinstance(self.pattern, re.Pattern) else re.compile(self.pattern, _FLAGS)
            object.__setattr__(self, "_regex", regex)
        if self.level is None:
            object.__setattr__(self, "level", level_of(self.privacy_type))
        if self.not_before:
            object.__setattr__(self, "_not_before", re.compile(f"(?:{self.not_before})\\s*$", _FLAGS))

    @property
    def effective_level(self) -> PrivacyLevel:
        return self.level if self.level is not None else level_of(self.privacy_type)

    def candidates(self, folded: str, lowered: str) -> Iterator[tuple[int, int]]:
        """Spans (start, end) in the folded text that pass every check of this recogniser."""
        if self.trigger and not any(t in lowered for t in self.trigger):
            return
        if self.min_digits and sum(ch.isdigit() for ch in folded) < self.min_digits:
            return
        found = self._matches(folded) if self._regex is not None else self.finder(folded)  # type: ignore[misc]
        for start, end in found:
            while self.rstrip and end > start and folded[end - 1] in self.rstrip:
                end -= 1
            while self.lstrip and end > start and folded[start] in self.lstrip:
                start += 1
            if end <= start:
                continue
            if self._not_before is not None and self._not_before.search(lowered, max(0, start - 24), start):
                continue
            if self.validator is not None and not self.validator(folded[start:end]):
                # A greedy pattern may have taken a neighbouring group ("4111 1111 1111 1111 01"):
                # keep the longest window of whole space-separated groups that validates.
                window = _valid_window(folded[start:end], self.validator)
                if window is None:
                    continue
                start, end = start + window[0], start + window[1]
            if self.context and not _has_context(lowered, start, end, self):
                continue
            yield start, end

    def _matches(self, folded: str) -> Iterator[tuple[int, int]]:
        """Regex matches; after one that fails validation, the search also restarts at its next
        group, since a greedy match can swallow the start of the real value ("000000 4111 1111
        1111 1111" first matches from the zeros)."""
        assert self._regex is not None
        pos = 0
        while (m := self._regex.search(folded, pos)) is not None:
            start, end = m.span(self.group)
            yield start, end
            if self.validator is not None and not self.validator(folded[start:end]):
                sep = next((i for i in range(start + 1, end) if folded[i] in " -"), -1)
                if sep > 0:
                    pos = sep + 1
                    continue
            pos = max(m.end(), pos + 1)


def _has_context(lowered: str, start: int, end: int, rec: Recognizer) -> bool:
    before = lowered[max(0, start - rec.context_window) : start]
    if any(k in before for k in rec.context):
        return True
    if rec.context_after:
        after = lowered[end : end + rec.context_window]
        return any(k in after for k in rec.context)
    return False


# --------------------------------------------------------------------------------------------------
# Validators and finders
# --------------------------------------------------------------------------------------------------


def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


def _stdnum(module: str) -> Validator:
    """`is_valid` of a python-stdnum module, imported on first use; exceptions count as invalid
    (stdnum.cn.ric raises KeyError for some unknown region codes)."""
    cache: list[Any] = []

    def check(value: str) -> bool:
        if not cache:
            import importlib

            cache.append(importlib.import_module(f"stdnum.{module}"))
        try:
            return bool(cache[0].is_valid(value))
        except Exception:
            return False

    return check


_luhn = _stdnum("luhn")
_imei = _stdnum("imei")


def _card_ok(value: str) -> bool:
    digits = _digits(value)
    return 13 <= len(digits) <= 19 and _luhn(digits) and len(set(digits)) > 1


def _imei_ok(value: str) -> bool:
    return _imei(_digits(value))


_RESERVED_EMAIL_DOMAINS = ("example.com", "example.org", "example.net")
_RESERVED_TLDS = ("example", "test", "invalid", "localhost")


def _email_ok(value: str) -> bool:
    domain = value.rsplit("@", 1)[-1].lower().rstrip(".")
    if any(domain == d or domain.endswith("." + d) for d in _RESERVED_EMAIL_DOMAINS):
        return False
    return domain.rsplit(".", 1)[-1] not in _RESERVED_TLDS


_PUBLIC_RESOLVERS = frozenset(
    {"8.8.8.8", "8.8.4.4", "1.1.1.1", "1.0.0.1", "9.9.9.9", "114.114.114.114", "223.5.5.5", "223.6.6.6"}
)


def _ip_ok(value: str) -> bool:
    try:
        ip = ipaddress.ip_address(value)
    except ValueError:
        return False
    if ip.is_loopback or ip.is_unspecified or ip.is_multicast or value in _PUBLIC_RESOLVERS:
        return False
    if isinstance(ip, ipaddress.IPv4Address):
        first = int(value.split(".", 1)[0])
        return first not in (0, 255) and not value.startswith("255.")
    # "1::" or "a::b" are valid addresses but far more often code, ratios or times: an address
    # worth protecting has at least three groups or a global/link-local prefix of 4 hex digits.
    groups = [g for g in value.split(":") if g]
    return value.count(":") >= 2 and (len(groups) >= 3 or any(len(g) == 4 for g in groups))


def _mac_ok(value: str) -> bool:
    hexes = re.sub(r"[^0-9A-Fa-f]", "", value).lower()
    return len(hexes) == 12 and hexes not in ("000000000000", "ffffffffffff") and not hexes.isdigit()


def _entropy(value: str) -> float:
    counts = Counter(value)
    n = len(value)
    return -sum(c / n * math.log2(c / n) for c in counts.values())


_PLACEHOLDER_VALUE = re.compile(
    r"(?:x+|\*+|\.+|<[^>]*>|\{[^}]*\}|\$\{?[A-Z_]+\}?|your[_-]?\w*|password|passwd|secret|changeme|none|null|"
    r"redacted|hidden|example|placeholder|todo|n/?a)",
    re.IGNORECASE,
)


def _not_placeholder(value: str) -> bool:
    return not _PLACEHOLDER_VALUE.fullmatch(value) and len(set(value)) > 1


def _classes(value: str) -> int:
    return (
        any(c.islower() for c in value)
        + any(c.isupper() for c in value)
        + any(c.isdigit() for c in value)
        + any(not c.isalnum() for c in value)
    )


def _password_ok(value: str) -> bool:
    """A value said to be a password: not a placeholder, and not a plain word (at least two
    character classes, or only digits as in a PIN)."""
    if not _not_placeholder(value) or "://" in value:
        return False
    if value.isdigit():
        return 4 <= len(value) <= 12
    return len(value) >= 4 and _classes(value) >= 2 and not value.isalpha()


def _strong_password_ok(value: str) -> bool:
    """Password-shaped without a keyword right before it: 8+ characters, all four classes."""
    if "://" in value or ("@" in value.lstrip("@")[:-1] and "." in value.rsplit("@", 1)[-1]):
        return False
    if re.match(r"[A-Za-z_][A-Za-z0-9_]*[=:]", value) or "(" in value or ")" in value:
        return False
    specials = sum(not c.isalnum() and c not in "-_." for c in value)
    return len(value) >= 8 and _classes(value) == 4 and specials >= 1


def _code_ok(value: str) -> bool:
    """A one-time code: 4-10 digits, or a short alphanumeric code with at least two digits."""
    digits = sum(c.isdigit() for c in value)
    if all(c.isdigit() or c in " -" for c in value):
        return 4 <= digits <= 10 and _not_placeholder(_digits(value))
    return digits >= 2 and len(value) <= 24


def _token_ok(value: str) -> bool:
    if "@" in value or "://" in value:
        return False
    core = value.lstrip("#")
    return len(core) >= 4 and any(c.isdigit() for c in core) and any(c.isalpha() for c in core)


def _secret_ok(value: str) -> bool:
    """A key or token after a key word in prose: long and random-looking, or a short coded value."""
    if not _not_placeholder(value) or "@" in value or "://" in value:
        return False
    if len(value) >= 16:
        return _entropy(value) >= 3.0 and _classes(value) >= 2
    return _token_ok(value)


def _assigned_secret_ok(value: str) -> bool:
    """`SECRET_KEY=...` in a config file: anything that is not a placeholder or a reference."""
    return len(value) >= 4 and _not_placeholder(value) and not value.lower().startswith(("true", "false"))


def _id_value_ok(value: str) -> bool:
    digits = sum(c.isdigit() for c in value)
    return len(value.replace("-", "")) >= 6 and digits >= 2


def _account_ok(value: str) -> bool:
    return 8 <= len(_digits(value)) <= 24 and len(set(_digits(value))) > 2


def _private_key_finder(text: str) -> Iterator[tuple[int, int]]:
    """PEM/OpenSSH/PGP private-key blocks, from BEGIN to END (or to the end of the base64 body when
    the block is cut off). Linear: each END is searched once from where the scan stands."""
    if "PRIVATE KEY" not in text.upper():
        return
    pos = 0
    no_end_after = len(text) + 1
    while True:
        m = _PK_BEGIN.search(text, pos)
        if m is None:
            return
        end_at = text.find("-----END", m.end()) if m.end() < no_end_after else -1
        if end_at == -1:
            no_end_after = min(no_end_after, m.end())
            body = _PK_BODY.match(text, m.end())
            stop = body.end() if body else m.end()
            yield m.start(), stop
            pos = max(stop, m.end())
            continue
        tail = _PK_END.match(text, end_at)
        stop = tail.end() if tail else end_at
        yield m.start(), stop
        pos = stop


_PK_BEGIN = re.compile(r"-----BEGIN [A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----", re.ASCII)
_PK_END = re.compile(r"-----END [A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----", re.ASCII)
_PK_BODY = re.compile(r"[A-Za-z0-9+/=:,\-\s]{0,20000}", re.ASCII)


# Ages 1-120, not part of a longer number.
_AGE = r"(?:1[01]\d|120|[1-9]\d|[1-9])(?!\d)"
_STREET_WORDS = (
    r"Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Court|Ct|Way|Place|Pl|Terrace|"
    r"Parkway|Pkwy|Highway|Hwy|Square|Sq|Crescent|Close|Gardens|Row|Alley|Circle|Trail"
)
_NAME_WORD = r"[A-ZÀ-Þ][A-Za-zÀ-ÿ'\-]{1,20}"
_STREET = (
    r"(?-i:"
    # "2437 Main St", "14 Seaview Avenue"
    rf"(?<![\dA-Za-z])\d{{1,6}}[A-Za-z]? (?:{_NAME_WORD} ){{1,3}}(?:{_STREET_WORDS})\b\.?"
    # "Rua do Arenque 1634", "Avenida Pedro Ulisses 888", "Via Franscini 71"
    r"|(?<![A-Za-z])(?:Rue|Rua|Avenida|Avenue|Av\.|Via|Viale|Calle|Carrer|Strada|Piazza|Plaza|Praça|Largo)"
    r"(?: (?:d[aeiou]s?|de la|del|di|du|des|[A-ZÀ-Þ][A-Za-zÀ-ÿ'\-]{1,20})){1,5} \d{1,5}[a-z]?(?![\d])"
    # "Strickstrasse 61", "Nybyvägen 65", "Kiannonkatu 98", "Søndergade 52"
    r"|(?<![A-Za-zÀ-ÿ])[A-ZÀ-Þ][a-zà-ÿ]{1,20}(?:strasse|straße|gasse|weg|allee|platz|gatan|vägen|gata|"
    r"vej|gade|katu|tie|laan|straat|plein|veien|gaten|utca) \d{1,5}[a-z]?(?![\d])"
    r")"
)


# Phone numbers: regex candidates parsed and validated by phonenumbers (imported on first use).
_PHONE_CANDIDATE = re.compile(
    r"(?<![0-9A-Za-z_+\-./])(?:(?:\+|00)\s?)?\(?\d(?:[ \-.()]{0,2}\d){6,16}"
    r"(?:\s?(?:x|ext\.?)\s?\d{1,5})?(?![0-9A-Za-z_]|[\-.]\d)",
    re.ASCII | re.IGNORECASE,
)
_PHONE_EXTENSION = re.compile(r"\s?(?:x|ext\.?)\s?\d{1,5}$", re.ASCII | re.IGNORECASE)
# A phone key word right before the number ("Mobile: ...", "call me at ...") or a line label right
# after it ("... -Office", "... fax"): then a number in any national format counts, as long as it
# has a phone's length, even when it is not valid in the regions phonenumbers is asked about.
_PHONE_LABEL_BEFORE = re.compile(
    r"(?:phone|mobile|cell(?:phone)?|tel(?:ephone)?|fax|desk|landline|whatsapp|"
    r"(?:call|text|reach|ring|contact) me (?:at|on)|answering at|messages to|"
    r"电话|手机|座机|联系方式)(?: number)?(?: is)?[\s:：#.\-]{0,4}\(?$",
    re.IGNORECASE,
)
_PHONE_LABEL_AFTER = re.compile(r"^\s?[\-(]?\s?(?:office|fax|mobile|home|work|cell)\b", re.IGNORECASE)
_PHONE_NOT = re.compile(
    r"\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}|\d{1,3}(?:\.\d{1,3}){3}|\d{3}-\d{2}-\d{4}",
    re.ASCII,
)
_NANP_FORMAT = re.compile(r"(?:\+?1[ \-.]?)?(?:\(\d{3}\)\s?|\d{3}[ \-.])\d{3}[ \-.]\d{4}", re.ASCII)
_CN_MOBILE = re.compile(r"(?:\+?86[ \-]?)?1[3-9]\d(?:[ \-]?\d{4}){2}", re.ASCII)
_PHONE_CONTEXT = (
    "phone",
    "mobile",
    "cell",
    "tel",
    "call",
    "text me",
    "sms",
    "whatsapp",
    "contact",
    "number",
    "fax",
    "电话",
    "手机",
    "号码",
    "致电",
    "联系",
    "微信",
    "短信",
)
_PHONE_BAD_TYPES: set[int] = set()
_phonenumbers: list[Any] = []


def _phone_module() -> Any:
    if not _phonenumbers:
        import phonenumbers

        pn = phonenumbers.PhoneNumberType
        _PHONE_BAD_TYPES.update({pn.TOLL_FREE, pn.PREMIUM_RATE, pn.SHARED_COST})
        _phonenumbers.append(phonenumbers)
    return _phonenumbers[0]


def _phone_finder(text: str) -> Iterator[tuple[int, int]]:
    pn = _phone_module()
    lowered = text.lower()
    for m in _PHONE_CANDIDATE.finditer(text):
        start, end = m.span()
        raw = m.group()
        if raw.startswith("(") and ")" not in raw:
            start, raw = start + 1, raw[1:]
        if raw.endswith(")") and "(" not in raw:
            end, raw = end - 1, raw[:-1]
        context = any(k in lowered[max(0, start - 40) : start] for k in _PHONE_CONTEXT)
        # The candidate regex is greedy: "+1 415 867 5309 2 times" takes the "2" too, "room 0 138..."
        # the "0". A window of whole space-separated groups that validates beats a lenient reading
        # of the whole candidate; the longest such window wins.
        whole = _phone_verdict(pn, raw, context)
        if whole == "valid":
            yield start, end
            continue
        window = _valid_window(raw, functools.partial(_is_valid_phone, pn, context=context))
        if window is not None:
            yield start + window[0], start + window[1]
        elif whole == "lenient" or (whole is None and _labelled_phone(text, start, end, raw)):
            yield start, end


def _labelled_phone(text: str, start: int, end: int, raw: str) -> bool:
    """A number of phone length (7-15 digits, extension aside) right after a phone label or right
    before a line label; never a date, an IP address or an SSN."""
    bare = _PHONE_EXTENSION.sub("", raw)
    digits = sum(c.isdigit() for c in bare)
    if not 7 <= digits <= 15 or _PHONE_NOT.fullmatch(bare):
        return False
    return bool(
        _PHONE_LABEL_BEFORE.search(text[max(0, start - 30) : start])
        or _PHONE_LABEL_AFTER.match(text[end : end + 12])
    )


def _valid_window(raw: str, ok: Callable[[str], bool], min_len: int = 7) -> tuple[int, int] | None:
    """The longest run of whole space-separated groups of `raw` (not `raw` itself) for which
    `ok` holds, as offsets into `raw`; None if there is none."""
    if " " not in raw:
        return None
    bounds = [0] + [i + 1 for i, c in enumerate(raw) if c == " "]
    ends = [i for i, c in enumerate(raw) if c == " "] + [len(raw)]
    windows = sorted(
        ((b, e) for b in bounds for e in ends if e - b >= min_len and (b, e) != (0, len(raw))),
        key=lambda w: w[0] - w[1],
    )
    for b, e in windows:
        part = raw[b:e].strip()
        if part and ok(part):
            lead = len(raw[b:e]) - len(raw[b:e].lstrip())
            return b + lead, b + lead + len(part)
    return None


def _is_valid_phone(pn: Any, raw: str, *, context: bool) -> bool:
    return _phone_verdict(pn, raw, context) == "valid"


def _phone_verdict(pn: Any, raw: str, context: bool) -> str | None:
    """ "valid" for an allocated personal number, "lenient" for a plausible fictional one, "public"
    for a business line (toll-free, premium-rate, shared-cost), None for anything else (dates, IPs,
    SSNs, digit runs without phone context)."""
    if _PHONE_NOT.fullmatch(raw):
        return None
    international = raw.startswith(("+", "00"))
    nanp = _NANP_FORMAT.fullmatch(raw)
    regions: tuple[str | None, ...]
    if international:
        regions = (None,)
    elif _CN_MOBILE.fullmatch(raw):
        regions = ("CN",)
    elif nanp:
        regions = ("US", "CN")
    elif context:
        regions = ("CN", "US", "GB")
    else:
        return None
    possible = False
    for region in regions:
        try:
            number = pn.parse("+" + raw[2:].lstrip() if raw.startswith("00") else raw, region)
        except pn.NumberParseException:
            continue
        if pn.is_valid_number(number):
            return "valid" if pn.number_type(number) not in _PHONE_BAD_TYPES else "public"
        possible = possible or (region == regions[0] and pn.is_possible_number(number))
    # Test data and examples use fictional numbers: an international number, or a NANP-formatted
    # one with a plausible area code, is kept when it is possible though not allocated.
    lenient = international or (nanp is not None and _NANP_AREA.search(raw) is not None)
    return "lenient" if lenient and (possible or _plus_number(pn, raw)) else None


def _plus_number(pn: Any, raw: str) -> bool:
    """ "+CC ..." with a known country code and an E.164-sized national number: fictional numbers in
    examples are often a digit too long for their country, but the plus sign says phone."""
    if not raw.startswith("+"):
        return False
    try:
        number = pn.parse(raw, None)
    except pn.NumberParseException:
        return False
    national = len(str(number.national_number))
    return pn.region_code_for_country_code(number.country_code) != "ZZ" and 6 <= national <= 13


_NANP_AREA = re.compile(r"^(?:\+?1[ \-.]?)?\(?[2-9](?!00|11)\d\d", re.ASCII)


# --------------------------------------------------------------------------------------------------
# Keyword + value recognisers
# --------------------------------------------------------------------------------------------------

# What may stand between a key word and its value: either a few separators ("PIN: 1234",
# "验证码 849201", "token **X**"), or a short clause ending in is/是/为/: ("the OTP sent to my phone
# is 849-201", "验证码（OTP），号码是 829417"). Both bounded, so the scan stays linear.
_FILL = r"""[\s"'`*“”‘’「」（()）\[\]#:=,，、…]{0,8}"""
_GAP = r"""[^\n。！？!?；;{x}]{{0,48}}?(?:\b(?:is|was|are|reads|as)\b|是|为|[:：=])"""
_END = r"(?![0-9A-Za-z_@])"
# "尾号为0780" / "ending in 0780" is the tail of some other number, not the announced value.
_NOT_AFTER_TAIL = r"尾号[为是]?|ending (?:in|with)|last (?:4|four) digits(?: are| is)?"


def keyed_after(
    name: str,
    privacy_type: str,
    value: str,
    keywords: Sequence[str],
    *,
    validator: Validator | None = None,
    score: float = 0.8,
    trigger: tuple[str, ...] = (),
) -> Recognizer:
    """A recogniser for a value followed by its key word ("that 849-201 code", "882-109' 验证码")."""
    words = "|".join(rf"{k}(?![A-Za-z])" if k[:1].isascii() else k for k in keywords)
    pattern = rf"""(?<![0-9A-Za-z_\-#])(?P<value>{value})["'*”’]{{0,3}}[ ]?(?:的|the )?(?:{words})"""
    return Recognizer(
        name=name,
        privacy_type=privacy_type,
        pattern=pattern,
        group="value",
        validator=validator,
        score=score,
        trigger=trigger,
        not_before=_NOT_AFTER_TAIL,
        description=f"value before a key word ({', '.join(keywords[:3])}, ...)",
    )


def keyed(
    name: str,
    privacy_type: str,
    keywords: Sequence[str],
    value: str,
    *,
    validator: Validator | None = None,
    score: float = 0.85,
    gap: bool = True,
    rstrip: str = "",
    end: str = _END,
    trigger: tuple[str, ...] = (),
    lstrip: str = "",
    gap_exclude: str = "",
    not_before: str = _NOT_AFTER_TAIL,
    description: str = "",
) -> Recognizer:
    """A recogniser for a value announced by a key word: `keywords` are regex fragments (matched
    case-insensitively; Latin ones must not touch other Latin letters), `value` the value's regex;
    `trigger` lists lower-case substrings one of which every keyword contains (a prefilter)."""
    words = "|".join(rf"(?<![A-Za-z#\-]){k}(?![A-Za-z])" if k[:1].isascii() else k for k in keywords)
    connect = f"(?:{_FILL}|{_GAP.format(x=gap_exclude)}{_FILL})" if gap else _FILL
    pattern = rf"(?:{words}){connect}(?P<value>{value}){end}"
    return Recognizer(
        name=name,
        privacy_type=privacy_type,
        pattern=pattern,
        group="value",
        validator=validator,
        score=score,
        rstrip=rstrip,
        lstrip=lstrip,
        trigger=trigger,
        not_before=not_before,
        description=description or f"value after a key word ({', '.join(keywords[:4])}, ...)",
    )


_CODE_VALUE = (
    r"(?:\d(?:\ \d){3,7}|\d{2,4}(?:[\- ]\d{2,4}){1,2}|\d{4,10}|"
    r"(?=[#A-Za-z0-9\-]{0,40}\d)#?[A-Za-z0-9]{1,10}(?:-[A-Za-z0-9]{1,10}){1,3})"
)
_DIGITS_VALUE = r"(?:\d(?:[\ \-]\d){2,7}|\d{2,4}(?:[\- ]\d{2,4}){1,2}|\d{3,10})"
# A password after its key word must contain a digit or a symbol (not just a word such as "which").
_SECRET_VALUE = r"""(?=[!-~]{0,127}[0-9@#$%^&*_+=~|\\/!?<>\-])[!-~]{4,128}"""
_TOKEN_VALUE = r"(?=[#A-Za-z0-9._~+/=\-]{0,400}\d)#?[A-Za-z0-9][A-Za-z0-9._~+/=\-]{2,400}"
_ID_VALUE = r"(?-i:[A-Z0-9]{1,20}(?:-[A-Z0-9]{1,14}){0,3})"

_VC_WORDS = (
    "验证码",
    "校验码",
    "动态码",
    "动态密码",
    "激活码",
    "确认码",
    "授权码",
    "安全码",
    "取消码",
    "备用码",
    "恢复码",
    r"otp",
    r"2fa",
    r"mfa",
    r"one[- ]time (?:pass)?code",
    r"one[- ]time password",
    r"passcode",
    r"verification code",
    r"security code",
    r"auth(?:entication|orization)? code",
    r"sms code",
    r"login code",
    r"confirmation code",
    r"backup code",
    r"recovery code",
    r"access code",
    # a bare "code", but not a zip/area/error/status/... code
    "".join(
        f"(?<!{w} )"
        for w in (
            "zip",
            "area",
            "postal",
            "country",
            "error",
            "status",
            "exit",
            "return",
            "source",
            "qr",
            "promo",
            "discount",
            "coupon",
            "product",
            "tracking",
            "airport",
            "color",
            "colour",
            "html",
            "dress",
            "postcode",
            "bar",
            "morse",
            "machine",
            "python",
            "sample",
            "example",
            "the following",
            "this",
            "my",
            "your",
            "our",
            "denial",
            "reference",
            "referral",
            "invite",
            "invitation",
            "booking",
            "gift",
            "tax",
            "reason",
            "sort",
        )
    )
    + r"code",
)
_PASSWORD_WORDS = (
    "密码",
    "口令",
    "登录密码",
    r"password",
    r"passwd",
    r"pwd",
    r"passphrase",
    r"pass word",
)
_PIN_WORDS = ("pin码", r"pin(?: code| number)?", "配对码")
_CVV_WORDS = (r"cvv2?", r"cvc2?", r"card security code", "安全码", "cvv码")
_TOKEN_WORDS = (
    "令牌",
    "会话id",
    "会话标识",
    "口令",
    r"token",
    r"session(?:[ _-]?(?:auth[ _-]?)?(?:token|id|key))?",
    r"bearer",
    r"access[ _-]?token",
    r"refresh[ _-]?token",
    r"auth[ _-]?token",
)
_KEY_WORDS = (
    "密钥",
    "秘钥",
    r"api[ _-]?key",
    r"secret[ _-]?key",
    r"access[ _-]?key(?:[ _-]?id)?",
    r"auth[ _-]?key",
    r"client[ _-]?secret",
    r"secret",
    r"license key",
    r"licence key",
    r"activation key",
    r"product key",
)
_PASSPORT_WORDS = ("护照号码", "护照号", "护照", r"passport(?:[ _-]?(?:number|no\.?|num|#))?")
_ID_WORDS = (
    "身份证号码",
    "身份证号",
    "身份证",
    "证件号码",
    "证件号",
    "驾照号码",
    "驾照号",
    "驾照",
    "驾驶证号码",
    "驾驶证号",
    "驾驶证",
    "社保号",
    r"(?:real |national |citizen )?id(?:entity)?[ _-]?(?:card[ _-]?)?(?:number|no\.?|num)",
    r"(?:national|citizen) id",
    r"identity card",
    r"driver'?s?[ _-]?licen[cs]e(?:[ _-]?(?:number|no\.?|num))?",
    r"licen[cs]e(?: (?:number|no\.?))?",
    r"ssn",
    r"social security (?:number|no\.?)",
    r"tax[ _-]?id",
)
_ACCOUNT_WORDS = (
    "银行卡号",
    "卡号",
    "银行账号",
    "账号",
    "账户号码",
    r"(?:credit |debit |bank )?card[ _-]?(?:number|no\.?|num)",
    r"account[ _-]?(?:number|no\.?|num)",
    r"acct(?: no\.?)?",
    r"routing number",
)
_IMEI_WORDS = ("imei", "meid", "串号", "设备号", "device id", "serial")


def default_recognizers() -> list[Recognizer]:
    """The built-in recognisers, strongest first (the order only matters for listing)."""
    return [
        # ---------------- PL4: credentials and secrets ----------------
        Recognizer(
            "private_key",
            "Private Key",
            finder=_private_key_finder,
            score=1.0,
            description="-----BEGIN ... PRIVATE KEY----- block to its END line",
        ),
        Recognizer(
            "db_connection_uri",
            "Database Connection String",
            pattern=r"\b(?:postgres(?:ql)?|mysql|mariadb|mongodb(?:\+srv)?|redis|rediss|amqps?|mssql|sqlserver|"
            r"oracle|cockroachdb|clickhouse|neo4j(?:\+s)?|cassandra|couchdb|memcached)(?:\+[a-z0-9]{1,20})?"
            r"://[^\s'\"<>`]{1,2000}",
            rstrip=".,;)]}",
            score=0.97,
            trigger=("://",),
            description="database URI schemes (postgres://, mysql://, mongodb+srv://, redis://, ...)",
        ),
        Recognizer(
            "jdbc_connection",
            "Database Connection String",
            pattern=r"\bjdbc:[a-z0-9]{1,20}:[^\s'\"<>`]{1,2000}",
            rstrip=".,;)]}",
            score=0.97,
            trigger=("jdbc:",),
            description="jdbc:... URLs",
        ),
        Recognizer(
            "ado_connection",
            "Database Connection String",
            pattern=r"\b(?:server|data source|host|addr)=[^;\n]{1,200}"
            r"(?:;[ ]?[a-z][a-z ]{0,30}=[^;\n]{0,200}){1,20};?",
            validator=lambda v: bool(re.search(r"(?i)(?:password|pwd)=", v)),
            score=0.95,
            trigger=("password=", "pwd="),
            description="Server=...;Password=... connection strings",
        ),
        Recognizer(
            "url_credentials",
            "Password",
            pattern=r"\b[a-z][a-z0-9+.\-]{1,15}://[^\s/:@'\"<>]{1,256}:[^\s/@'\"<>]{1,256}@[^\s'\"<>]{1,2000}",
            rstrip=".,;)]}",
            score=0.95,
            trigger=("://",),
            description="any URL with user:password@",
        ),
        Recognizer(
            "openai_key",
            "Key",
            pattern=r"\bsk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_\-]{20,200}" + _END,
            score=0.98,
            trigger=("sk-",),
            validator=lambda v: _classes(v[3:]) >= 2,
            description="OpenAI-style sk-... keys",
        ),
        Recognizer(
            "anthropic_key",
            "Key",
            pattern=r"\bsk-ant-[A-Za-z0-9_\-]{20,200}" + _END,
            score=0.99,
            trigger=("sk-ant-",),
            description="Anthropic sk-ant-... keys",
        ),
        Recognizer(
            "aws_access_key",
            "Key",
            pattern=r"(?-i:\b(?:AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16})" + _END,
            score=0.98,
            trigger=("akia", "asia", "abia", "acca"),
            description="AWS access key ids",
        ),
        Recognizer(
            "google_api_key",
            "Key",
            pattern=r"(?-i:\bAIza[0-9A-Za-z_\-]{35})" + _END,
            score=0.98,
            trigger=("aiza",),
            description="Google API keys (AIza...)",
        ),
        Recognizer(
            "stripe_key",
            "Key",
            pattern=r"\b(?:sk|rk)_(?:live|test)_[0-9A-Za-z]{16,200}" + _END,
            score=0.98,
            trigger=("_live_", "_test_"),
            description="Stripe secret/restricted keys",
        ),
        Recognizer(
            "github_token",
            "Token",
            pattern=r"\b(?:gh[pousr]_[A-Za-z0-9]{30,255}|github_pat_[A-Za-z0-9_]{40,255})" + _END,
            score=0.98,
            trigger=("gh", "github_pat_"),
            description="GitHub tokens (ghp_, gho_, ghu_, ghs_, ghr_, github_pat_)",
        ),
        Recognizer(
            "gitlab_token",
            "Token",
            pattern=r"\bglpat-[A-Za-z0-9_\-]{20,200}" + _END,
            score=0.98,
            trigger=("glpat-",),
            description="GitLab personal access tokens",
        ),
        Recognizer(
            "slack_token",
            "Token",
            pattern=r"\bxox[abposr]-[A-Za-z0-9\-]{10,250}" + _END,
            score=0.98,
            trigger=("xox",),
            description="Slack tokens (xoxb-, xoxp-, ...)",
        ),
        Recognizer(
            "huggingface_token",
            "Token",
            pattern=r"(?-i:\bhf_[A-Za-z]{34,40})" + _END,
            score=0.95,
            trigger=("hf_",),
            description="Hugging Face tokens",
        ),
        Recognizer(
            "jwt",
            "Token",
            pattern=r"\beyJ[A-Za-z0-9_\-]{5,4000}\.eyJ[A-Za-z0-9_\-]{5,4000}\.[A-Za-z0-9_\-]{10,4000}" + _END,
            score=0.97,
            trigger=("eyj",),
            description="JSON Web Tokens (eyJ...eyJ...sig)",
        ),
        Recognizer(
            "secret_assignment",
            "Key",
            pattern=r"\b[a-z0-9_]{0,40}(?:api_?key|secret(?:_key)?|access_?key|auth_?key|private_?key|"
            r"client_secret)[a-z0-9_]{0,20}[\"']?[ \t]{0,4}[=:][ \t]{0,4}[\"']?(?P<value>[^\s\"'`,;]{4,400})",
            group="value",
            validator=_assigned_secret_ok,
            score=0.9,
            trigger=("key", "secret"),
            description="KEY=value / api_key: value assignments",
        ),
        Recognizer(
            "token_assignment",
            "Token",
            pattern=r"\b[a-z0-9_]{0,40}(?:token|session_?id|cookie)[a-z0-9_]{0,20}"
            r"[\"']?[ \t]{0,4}[=:][ \t]{0,4}"
            r"[\"']?(?P<value>[^\s\"'`,;]{8,400})",
            group="value",
            validator=lambda v: _assigned_secret_ok(v) and _classes(v) >= 2,
            score=0.9,
            trigger=("token", "session", "cookie"),
            description="TOKEN=value assignments",
        ),
        Recognizer(
            "password_assignment",
            "Password",
            pattern=r"\b[a-z0-9_]{0,40}(?:password|passwd|pwd)[a-z0-9_]{0,20}[\"']?[ \t]{0,4}[=:][ \t]{0,4}"
            r"[\"']?(?P<value>[^\s\"'`,;]{3,200})",
            group="value",
            validator=_assigned_secret_ok,
            score=0.9,
            trigger=("pass", "pwd"),
            description="PASSWORD=value assignments",
        ),
        keyed(
            "api_key_keyword",
            "Key",
            _KEY_WORDS,
            r"[A-Za-z0-9#][A-Za-z0-9._~+/=\-]{3,400}",
            validator=_secret_ok,
            score=0.85,
            rstrip=".",
            trigger=("密钥", "秘钥", "key", "secret"),
        ),
        keyed(
            "verification_code",
            "Verification Code",
            _VC_WORDS,
            _CODE_VALUE,
            validator=_code_ok,
            score=0.95,
            trigger=("码", "otp", "2fa", "mfa", "code"),
        ),
        keyed_after(
            "verification_code_before",
            "Verification Code",
            _CODE_VALUE,
            ("验证码", "code", "otp", "2fa code", "mfa code"),
            validator=_code_ok,
            score=0.9,
            trigger=("验证码", "code", "otp"),
        ),
        keyed_after(
            "token_before",
            "Token",
            _TOKEN_VALUE,
            ("令牌", "签收码", "指示码", "token", "auth-token", "session token"),
            validator=_token_ok,
            score=0.85,
            trigger=("令牌", "码", "token"),
        ),
        keyed(
            "pin",
            "Password",
            _PIN_WORDS,
            _DIGITS_VALUE,
            validator=lambda v: 4 <= len(_digits(v)) <= 12,
            score=0.93,
            trigger=("pin", "配对码"),
        ),
        keyed(
            "payment_security_code",
            "Payment Security Code",
            _CVV_WORDS,
            r"\d{3,4}",
            score=0.95,
            trigger=("cvv", "cvc", "security code", "安全码"),
        ),
        keyed(
            "password_keyword",
            "Password",
            _PASSWORD_WORDS,
            _SECRET_VALUE,
            validator=_password_ok,
            score=0.85,
            rstrip=".,;:)]}>'\"`*",
            end="",
            trigger=("密码", "口令", "pass", "pwd"),
            gap_exclude="，,、",
            lstrip=":'\"`*=(",
        ),
        Recognizer(
            "password_shaped",
            "Password",
            pattern=r"(?<![!-~])[!-~]{8,66}(?![!-~])",
            validator=_strong_password_ok,
            score=0.6,
            rstrip=".,;:)]}>'\"`*",
            lstrip="'\"`*(<[",
            trigger=("密码", "口令", "pass", "credential", "login", "登录"),
            context=("password", "密码", "口令", "passphrase", "passwd", "credential", "login", "登录"),
            context_window=160,
            context_after=True,
            description="password-shaped string (all four character classes) near a password word",
        ),
        keyed(
            "session_token",
            "Token",
            _TOKEN_WORDS,
            _TOKEN_VALUE,
            validator=_token_ok,
            score=0.88,
            rstrip=".",
            trigger=("令牌", "会话", "口令", "token", "session", "bearer"),
        ),
        # ---------------- PL3: identifiers and accounts ----------------
        Recognizer(
            "cn_resident_id",
            "ID Number",
            pattern=r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])",
            validator=_stdnum("cn.ric"),
            score=0.97,
            min_digits=17,
            description="mainland China resident ID, birth date and check digit via stdnum.cn.ric",
        ),
        Recognizer(
            "us_ssn",
            "ID Number",
            pattern=r"(?<![0-9A-Za-z\-])\d{3}-\d{2}-\d{4}(?![0-9A-Za-z]|-\d)",
            validator=_stdnum("us.ssn"),
            score=0.9,
            min_digits=9,
            description="US SSN ddd-dd-dddd via stdnum.us.ssn",
        ),
        keyed(
            "passport_keyword",
            "ID Number",
            _PASSPORT_WORDS,
            r"(?-i:[A-Z0-9]{6,12})",
            validator=lambda v: sum(c.isdigit() for c in v) >= 2,
            score=0.9,
            trigger=("护照", "passport"),
        ),
        keyed(
            "id_keyword",
            "ID Number",
            _ID_WORDS,
            _ID_VALUE,
            validator=_id_value_ok,
            score=0.88,
            trigger=("身份证", "证件", "驾", "社保", "id", "licen", "ssn", "social security"),
        ),
        # Vital signs are health data: "167/95 mmHg", "6.1 mmol/L", a heart rate in bpm (next to a
        # heart word: songs have bpm too), and readings after their name ("BMI is 19.3", "血压 77/43").
        Recognizer(
            "vital_sign",
            "Medical Health",
            pattern=r"(?<![\d./])(?:\d{2,3}\s?/\s?\d{2,3}\s?mm\s?hg|\d{1,2}(?:\.\d{1,2})?\s?mmol/l)(?![a-z])",
            score=0.85,
            trigger=("mmhg", "mmol"),
            description="blood pressure and blood glucose readings with their units",
        ),
        Recognizer(
            "heart_rate",
            "Medical Health",
            pattern=r"(?<![\d.])\d{2,3}\s?bpm(?![a-z])",
            context=("heart", "pulse", "resting", "心率", "心跳", "脉搏"),
            context_window=40,
            score=0.8,
            trigger=("bpm",),
            description="a heart rate in bpm with a heart word before it",
        ),
        keyed(
            "vital_keyword",
            "Medical Health",
            (
                "bmi",
                "blood pressure",
                "heart rate",
                "resting pulse",
                "blood sugar",
                "心率",
                "血压",
                "血糖",
                "体脂率",
            ),
            r"\d{1,3}(?:[./]\d{1,3})?(?:\s?(?:mmhg|bpm|mmol/l|次/分|%))?",
            score=0.8,
            trigger=("bmi", "blood", "heart", "pulse", "心率", "血压", "血糖", "体脂"),
        ),
        Recognizer(
            "iban",
            "Financial Account",
            pattern=r"(?-i:\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?)\b",
            validator=_stdnum("iban"),
            score=0.97,
            min_digits=8,
            description="IBAN via stdnum.iban",
        ),
        Recognizer(
            "payment_card",
            "Financial Account",
            pattern=r"(?<![0-9A-Za-z\-.])\d{4}(?:[ \-]?\d{2,6}){2,4}(?![0-9A-Za-z]|[\-.]\d)",
            validator=_card_ok,
            score=0.9,
            min_digits=13,
            not_before=r"(?:imei|meid|串号|设备号)[\s:：=#]*(?:是|为)?",
            description="13-19 digit card numbers passing Luhn",
        ),
        keyed(
            "account_keyword",
            "Financial Account",
            _ACCOUNT_WORDS,
            r"\d(?:[ \-]?\d){7,23}",
            validator=_account_ok,
            score=0.85,
            trigger=("卡号", "账号", "账户", "card", "account", "acct", "routing"),
        ),
        # ---------------- PL2: contact details and network identifiers ----------------
        Recognizer(
            "email",
            "Email",
            pattern=r"(?<![A-Za-z0-9._%+\-])[A-Za-z0-9._%+\-]{1,64}@[A-Za-z0-9\-]{1,63}(?:\.[A-Za-z0-9\-]{1,63}){0,8}"
            r"\.[A-Za-z]{2,24}(?![A-Za-z0-9\-])",
            validator=_email_ok,
            score=0.98,
            trigger=("@",),
            description="e-mail addresses (reserved domains skipped)",
        ),
        Recognizer(
            "phone",
            "Phone Number",
            finder=_phone_finder,
            score=0.9,
            min_digits=7,
            description="phone numbers parsed and validated by phonenumbers",
        ),
        # Ages: "62-year-old", "79 years old", "41 y/o", "68岁", "age 70", "at the age of 66",
        # "just turned 35". A number alone ("when he was 78") is too ambiguous.
        Recognizer(
            "age_years",
            "Identity Background",
            pattern=rf"(?<![\d.,:/\-]){_AGE}"
            r"(?:[ \-](?:years?|yrs?)[ \-]old(?![a-z])|\s?y/o(?![a-z])|\s?周?岁(?!月))",
            score=0.8,
            trigger=("old", "y/o", "岁"),
            description="an age with its unit (years old, y/o, 岁)",
        ),
        Recognizer(
            "age_keyword",
            "Identity Background",
            pattern=rf"(?<![a-z])(?:aged?|age of|年龄|年纪)\s?[:：]?\s?(?:是|为)?\s?{_AGE}(?![\d.,%])",
            score=0.8,
            trigger=("age", "年龄", "年纪"),
            description="an age after 'age', 'aged', 'age of', 年龄",
        ),
        Recognizer(
            "age_turned",
            "Identity Background",
            pattern=rf"(?<![a-z])(?:turned|turn|turning)\s(?P<value>{_AGE})(?![.,:]\d|%|\s?(?:st|nd|rd|th|"
            r"degrees?|percent|times|minutes|hours|days|weeks|months|pages|points|km|miles)\b)",
            group="value",
            score=0.75,
            trigger=("turn",),
            description="an age after 'turned'/'turn' ('I'll turn 52')",
        ),
        # Address parts rules can recognise: unit designators, post boxes, and street names with a
        # street word and a house number. Cities are left to NER; a postcode alone, like a city,
        # identifies nobody and is not extracted.
        Recognizer(
            "address_unit",
            "Detailed Address",
            pattern=r"(?<![A-Za-z])(?:"
            r"(?-i:PSC|Unit) \d{1,5},? Box \d{1,5}(?:\n?\s{0,4}(?-i:[ADF]PO [A-Z]{2} \d{5}))?|"
            r"(?-i:Apt\.?|APT\.?|apt\.|Apartment|Suite|SUITE|Ste\.|Unit|UNIT|Flat|Room)\s?#?\s?\d{1,5}[A-Za-z]?|"
            r"p\.?\s?o\.?\s?box\s?\d{1,6}|postbox\s\d{1,6})(?![\d])",
            score=0.8,
            trigger=("apt", "apartment", "suite", "ste.", "unit", "flat", "room", "box"),
            description="apartment, suite, unit and post-box designators",
        ),
        Recognizer(
            "street_address",
            "Detailed Address",
            pattern=_STREET,
            score=0.8,
            min_digits=1,
            description="house number and street name ('2437 Main St', 'Rua do Arenque 1634')",
        ),
        Recognizer(
            "ipv4",
            "Network Identifier",
            pattern=r"(?<![0-9A-Za-z.])(?:\d{1,3}\.){3}\d{1,3}(?![0-9A-Za-z]|\.\d)",
            validator=_ip_ok,
            score=0.9,
            min_digits=4,
            description="IPv4 addresses via ipaddress (no loopback/multicast/public resolvers)",
        ),
        Recognizer(
            "ipv6",
            "Network Identifier",
            pattern=r"(?<![0-9A-Za-z:])(?:[0-9a-f]{0,4}:){2,7}[0-9a-f]{0,4}(?![0-9A-Za-z:])",
            validator=_ip_ok,
            score=0.9,
            trigger=(":",),
            description="IPv6 addresses via ipaddress",
        ),
        Recognizer(
            "mac_address",
            "Network Identifier",
            pattern=r"(?<![0-9A-Za-z:\-])(?:[0-9a-f]{2}([:\-])[0-9a-f]{2}(?:\1[0-9a-f]{2}){4}|"
            r"[0-9a-f]{4}\.[0-9a-f]{4}\.[0-9a-f]{4})(?![0-9A-Za-z:\-])",
            validator=_mac_ok,
            score=0.9,
            description="MAC addresses (colon, dash or Cisco dotted form)",
        ),
        keyed(
            "mac_keyword",
            "Network Identifier",
            ("mac地址", r"mac(?: address)?"),
            r"[0-9a-f]{12}",
            validator=_mac_ok,
            score=0.85,
            trigger=("mac",),
        ),
        Recognizer(
            "imei",
            "Network Identifier",
            pattern=r"(?<![0-9A-Za-z\-])\d{2}[ \-]?\d{6}[ \-]?\d{6}[ \-]?\d(?![0-9A-Za-z]|-\d)",
            validator=_imei_ok,
            context=_IMEI_WORDS,
            context_window=40,
            score=0.9,
            min_digits=15,
            description="IMEI via stdnum.imei, with an IMEI/device word before it",
        ),
    ]


def _repeats(spans: Sequence[PrivacySpan], folded: str, text: str) -> list[PrivacySpan]:
    """Other occurrences of a value already found: the same secret mentioned again later in the
    message ("the OTP is 819-022. I am inputting 819-022 now") is the same private value."""
    out: list[PrivacySpan] = []
    seen: set[str] = set()
    for span in spans:
        value = folded[span.start : span.end]
        if len(value) < 4 or value in seen:
            continue
        seen.add(value)
        pos = folded.find(value)
        while pos != -1:
            end = pos + len(value)
            if pos != span.start and _standalone(folded, pos, end):
                out.append(span.model_copy(update={"text": text[pos:end], "start": pos, "end": end}))
            pos = folded.find(value, end)
    return out


def _standalone(text: str, start: int, end: int) -> bool:
    before = text[start - 1] if start else " "
    after = text[end] if end < len(text) else " "
    return not (before.isascii() and before.isalnum()) and not (after.isascii() and after.isalnum())


class RuleExtractor(BaseExtractor):
    """Deterministic extractor for formatted private data (see the module docstring)."""

    name = "rules"

    def __init__(
        self,
        *,
        extra: Iterable[Recognizer] = (),
        disabled: Iterable[str] = (),
        recognizers: Iterable[Recognizer] | None = None,
        find_user_name: bool = True,
    ) -> None:
        self.find_user_name = find_user_name
        base = list(recognizers) if recognizers is not None else default_recognizers()
        self._recognizers: dict[str, Recognizer] = {}
        for rec in [*base, *extra]:
            self.add(rec)
        self.disabled: set[str] = set(disabled)
        unknown = self.disabled - set(self._recognizers)
        if unknown:
            raise ValueError(f"unknown recogniser name(s): {sorted(unknown)}")
        if any(r.finder is _phone_finder for r in self._recognizers.values()):
            _phone_module()  # import phonenumbers here, not at package import time

    def add(self, recognizer: Recognizer, *, replace: bool = False) -> None:
        """Register a recogniser; a name already in use needs `replace=True`."""
        if recognizer.name in self._recognizers and not replace:
            raise ValueError(f"a recogniser named {recognizer.name!r} already exists")
        self._recognizers[recognizer.name] = recognizer

    def remove(self, name: str) -> None:
        del self._recognizers[name]

    def disable(self, name: str) -> None:
        if name not in self._recognizers:
            raise KeyError(name)
        self.disabled.add(name)

    def enable(self, name: str) -> None:
        self.disabled.discard(name)

    @property
    def recognizers(self) -> list[Recognizer]:
        """The active recognisers, in registration order."""
        return [r for n, r in self._recognizers.items() if n not in self.disabled]

    def names(self) -> list[str]:
        return [r.name for r in self.recognizers]

    def extract(self, text: str, *, user_name: str | None = None) -> list[PrivacySpan]:
        if not text:
            return []
        folded = fold_width(text)
        lowered = folded.lower()
        spans: list[PrivacySpan] = []
        for rec in self.recognizers:
            for start, end in rec.candidates(folded, lowered):
                spans.append(
                    PrivacySpan(
                        text=text[start:end],
                        start=start,
                        end=end,
                        privacy_type=rec.privacy_type,
                        level=rec.effective_level,
                        score=rec.score,
                        source=self.name,
                    )
                )
        if user_name and user_name.strip() and self.find_user_name:
            spans.extend(self._user_name_spans(text, user_name.strip()))
        return merge_spans(spans + _repeats(spans, folded, text), text)

    def _user_name_spans(self, text: str, user_name: str) -> list[PrivacySpan]:
        """The user's own name (Real Name, PL2): the full name anywhere (after normalisation), and
        each part of a multi-word name of 3+ letters where it appears capitalised as a whole word
        ("Dana" in "Thanks, Dana"). Other people's names need a model extractor."""
        found = locate(text, user_name)
        parts = [p for p in re.split(r"[\s·・.]+", user_name) if len(p) >= 3 and p[0].isupper()]
        if len(parts) > 1:
            for part in parts:
                found += [m.span() for m in re.finditer(rf"(?<!\w){re.escape(part)}(?!\w)", text)]
        return [
            PrivacySpan(
                text=text[s:e],
                start=s,
                end=e,
                privacy_type="Real Name",
                level=PrivacyLevel.PL2,
                score=0.95,
                source=self.name,
            )
            for s, e in found
        ]

    def __repr__(self) -> str:
        return f"RuleExtractor({len(self.recognizers)} recognisers)"
