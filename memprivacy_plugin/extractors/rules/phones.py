"""Phone numbers: runs of digit groups, cut into numbers that `phonenumbers` validates.

A run is a maximal sequence of digit groups joined by single separators ("138 0013 8000 139 1234
5678", "(415) 867-5309 (212) 812-8255"). It is read left to right: at each group, the longest
window of whole groups that could be a number (7-15 digits, at most 7 groups, single-digit groups
only where a country or trunk code sits) and that phonenumbers accepts wins; the reading resumes
after it, so adjacent numbers are all found. Only plausible windows reach phonenumbers, and every
parse draws on the scan's budget; once the budget is spent, the rest of the run is protected
unchecked (fail closed).

Kept: allocated personal numbers; fictional numbers in an international or NANP format (test data
and examples use them); any number of phone length right after a phone label ("Mobile:", "call me
at", "电话：") or before a line label ("-Office"). Not kept: toll-free, premium-rate and
shared-cost business lines, short service numbers, dates, IPv4 addresses and SSN-shaped runs.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any

from .engine import Scan, ScanFinder

__all__ = ["PhoneFinder", "phone_module"]

# A run has seven digits or more (shorter ones cannot hold a number) and may follow a slash
# ("138-0013-8000/139-1234-5678"): a date's digits after a slash never reach seven in one run.
_RUN = re.compile(
    r"(?<![0-9A-Za-z_+\-.])(?:(?:\+|00)\s?)?\(?\d(?:[ \-.()]{0,3}\d){6,}"
    # an extension's digits end there ("x4111 1111" is a letter and a card, not an extension)
    r"(?P<ext>\s?(?:x|ext\.?)\s?\d{1,5}(?![ \-.]?\d))?",
    re.ASCII | re.IGNORECASE,
)
_GROUP = re.compile(r"\d+", re.ASCII)
_EXTENSION = re.compile(r"\s?(?:x|ext\.?)\s?\d{1,5}$", re.ASCII | re.IGNORECASE)
_MAX_GROUPS = 7
# A phone key word right before the number ("Mobile: ...", "call me at ...") or a line label right
# after it ("... -Office", "... fax"): then a number in any national format counts, as long as it
# has a phone's length, even when it is not valid in the regions phonenumbers is asked about.
_LABEL_BEFORE = re.compile(
    r"(?:phone|mobile|cell(?:phone)?|tel(?:ephone)?|fax|desk|landline|whatsapp|"
    r"(?:call|text|reach|ring|contact) me (?:at|on)|answering at|messages to|"
    r"(?:my|his|her|their|our|your) (?:new |old |work |home |personal )?number|"
    r"(?:电话|手机|座机)(?:号码|号)?(?:是|为)?|联系方式)(?: number)?(?: is)?[\s:：#.\-]{0,4}\(?$",
    re.IGNORECASE,
)
_LABEL_AFTER = re.compile(r"^\s?[\-(]?\s?(?:office|fax|mobile|home|work|cell)\b", re.IGNORECASE)
_NOT_A_PHONE = re.compile(
    r"\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}|\d{1,3}(?:\.\d{1,3}){3}|\d{3}-\d{2}-\d{4}",
    re.ASCII,
)
# A run written like a card number (4-4-4-4, 4-6-5) is one, not a phone with a prefix.
_CARD_SHAPED = re.compile(r"\d{4}([ \-])\d{4}\1\d{4}\1\d{4}(?:\1\d{3})?|\d{4}([ \-])\d{6}\2\d{4,5}", re.ASCII)
_NANP_FORMAT = re.compile(r"(?:\+?1[ \-.]?)?(?:\(\d{3}\)\s?|\d{3}[ \-.])\d{3}[ \-.]\d{4}", re.ASCII)
_NANP_AREA = re.compile(r"^(?:\+?1[ \-.]?)?\(?[2-9](?!00|11)\d\d", re.ASCII)
_CN_MOBILE = re.compile(r"(?:\+?86[ \-]?)?1[3-9]\d(?:[ \-]?\d{4}){2}", re.ASCII)
_CONTEXT = (
    "phone",
    "mobile",
    "cell",
    "tel",
    "call",
    "text me",
    "sms",
    "whatsapp",
    "contact",
    "fax",
    "电话",
    "手机",
    "号码",
    "致电",
    "联系",
    "微信",
    "短信",
)
_CONTEXT_RE = re.compile("|".join(re.escape(k) for k in _CONTEXT))
_BAD_TYPES: set[int] = set()
_module: list[Any] = []


def phone_module() -> Any:
    """phonenumbers, imported on first use."""
    if not _module:
        import phonenumbers

        kinds = phonenumbers.PhoneNumberType
        _BAD_TYPES.update({kinds.TOLL_FREE, kinds.PREMIUM_RATE, kinds.SHARED_COST})
        _module.append(phonenumbers)
    return _module[0]


class _OutOfBudget(Exception):
    pass


class PhoneFinder(ScanFinder):
    """Finds phone numbers in a scan (see the module docstring)."""

    def find(self, scan: Scan) -> Iterator[tuple[int, int]]:
        pn = phone_module()
        text = scan.text
        pos = 0
        while (run := _RUN.search(text, pos)) is not None:
            pos = run.end()
            main_end = run.start("ext") if run.group("ext") else run.end()
            groups = [(g.start(), g.end()) for g in _GROUP.finditer(text, run.start(), main_end)]
            if sum(e - s for s, e in groups) < 7:
                continue
            # A run that runs into a word ("...8000abc") ends before its last group; an
            # "extension" that runs into one ("0x0000ab") is no extension.
            if _glued(text, run.end()):
                if run.group("ext"):
                    main_end = pos = run.start("ext")  # the rest is read again from there
                if run.group("ext") is None or _glued(text, main_end):
                    groups.pop()
                    main_end = groups[-1][1] if groups else run.start()
            last_end = -1
            if sum(e - s for s, e in groups) >= 7 and not _CARD_SHAPED.fullmatch(text, run.start(), main_end):
                for span in self._read_run(pn, scan, run, groups, main_end):
                    last_end = span[1]
                    yield span
            if run.group("ext") and last_end != run.end():
                # The "extension" belonged to no number ("...000X 138 0013 8000"): read on from
                # its start, where the next number may begin.
                pos = run.start("ext")

    def _read_run(
        self, pn: Any, scan: Scan, run: re.Match[str], groups: list[tuple[int, int]], main_end: int
    ) -> Iterator[tuple[int, int]]:
        text = scan.text
        count = len(groups)
        international = text.startswith(("+", "00"), run.start())
        # Digits before each group, and single-digit groups before each group, for O(1) window
        # checks deep inside long runs.
        prefix, ones = [0], [0]
        for s, e in groups:
            prefix.append(prefix[-1] + e - s)
            ones.append(ones[-1] + (e - s == 1))
        group_at = {total: k for k, total in enumerate(prefix)}
        i = 0
        while i < count:
            try:
                if groups[i][0] - run.start() < 40 or count - i <= _MAX_GROUPS:
                    chosen = self._at_edge(pn, scan, run, groups, i, main_end, international)
                else:
                    chosen = self._inside(pn, scan, run, groups, i, main_end, prefix, ones, group_at)
            except _OutOfBudget:
                start = self._window(text, run, groups, i, count, main_end)[0]
                end = run.end() if run.group("ext") else main_end
                if prefix[count] - prefix[i] >= 7:
                    yield start, end
                return
            if chosen is None:
                i += 1
                continue
            if chosen[0] >= 0:
                yield chosen[0], chosen[1]
            i = chosen[2]

    def _at_edge(
        self,
        pn: Any,
        scan: Scan,
        run: re.Match[str],
        groups: list[tuple[int, int]],
        i: int,
        main_end: int,
        international: bool,
    ) -> tuple[int, int, int] | None:
        """The number starting at group i near a run's start or end, where context words and
        labels can be: (start, end, next group), (-1, -1, next group) for a business line to skip,
        or None."""
        text = scan.text
        count = len(groups)
        ends = self._ends(groups, i)
        if not ends:
            return self._digit_by_digit(text, run, groups, i, main_end)
        context = _has_context(scan.lower, self._window(text, run, groups, i, i + 1, main_end)[0])
        open_format = context or (i == 0 and international)
        windows = (
            (*self._window(text, run, groups, i, j, main_end), j)
            for j, digits in ends
            if open_format or digits in (10, 11, 13)
        )
        chosen, fallback = _first_number(pn, scan, windows, context)
        if chosen is not None:
            return chosen
        if fallback is None and (i == 0 or count - i <= _MAX_GROUPS):
            for j, _ in ends:
                if i == 0 or j == count:
                    start, end = self._window(text, run, groups, i, j, main_end)
                    if _labelled(text, start, end):
                        return start, end, j
        return fallback

    def _digit_by_digit(
        self, text: str, run: re.Match[str], groups: list[tuple[int, int]], i: int, main_end: int
    ) -> tuple[int, int, int] | None:
        """A number read out digit by digit ("手机号 1 3 9 1 2 3 4 5 6 7 8") right after a phone
        label: 7-15 single digits, taken whole (no format to parse)."""
        count = len(groups)
        if i != 0 or not 7 <= count <= 15 or any(e - s != 1 for s, e in groups):
            return None
        start, end = self._window(text, run, groups, 0, count, main_end)
        return (start, end, count) if _LABEL_BEFORE.search(text[max(0, start - 30) : start]) else None

    def _inside(
        self,
        pn: Any,
        scan: Scan,
        run: re.Match[str],
        groups: list[tuple[int, int]],
        i: int,
        main_end: int,
        prefix: list[int],
        ones: list[int],
        group_at: dict[int, int],
    ) -> tuple[int, int, int] | None:
        """The number starting at group i deep inside a long run: no context word or label can
        reach it, so only a CN mobile (11 or 13 digits) or a NANP number (10 or 11) can be one."""
        ends = (group_at.get(prefix[i] + need) for need in (13, 11, 10))
        windows = (
            (*self._window(scan.text, run, groups, i, j, main_end), j)
            for j in ends
            if j is not None and j - i <= _MAX_GROUPS and (j - i <= 2 or ones[j] - ones[i + 2] == 0)
        )
        chosen, fallback = _first_number(pn, scan, windows, False)
        return chosen if chosen is not None else fallback

    @staticmethod
    def _ends(groups: list[tuple[int, int]], i: int) -> list[tuple[int, int]]:
        """(j, digits) for windows of groups i..j-1 that could be a phone number, longest first."""
        ends: list[tuple[int, int]] = []
        digits = 0
        for j in range(i, min(len(groups), i + _MAX_GROUPS)):
            size = groups[j][1] - groups[j][0]
            if size == 1 and j - i >= 2:  # single digits only where a country/trunk code sits
                break
            digits += size
            if digits > 17:
                break
            if digits >= 7:
                ends.append((j + 1, digits))
        ends.reverse()
        return ends

    @staticmethod
    def _window(
        text: str, run: re.Match[str], groups: list[tuple[int, int]], i: int, j: int, main_end: int
    ) -> tuple[int, int]:
        start = run.start() if i == 0 else groups[i][0]
        if i > 0 and text[start - 1] == "(":
            start -= 1
        end = groups[j - 1][1]
        if j == len(groups) and run.group("ext") and main_end == run.start("ext"):
            end = run.end()
        raw = text[start:end]
        if raw.startswith("(") and ")" not in raw:
            start += 1
        elif "(" in raw and raw.count("(") > raw.count(")") and end < len(text) and text[end] == ")":
            end += 1
        return start, end


Window = tuple[int, int, int]  # start, end, the group after it


def _first_number(
    pn: Any, scan: Scan, windows: Iterable[Window], context: bool
) -> tuple[Window | None, Window | None]:
    """Of candidate windows, longest first: the first that is an allocated number (or a business
    line, returned as (-1, -1, next group) to be skipped), else None; and the first plausible
    fictional one, as a fallback."""
    fallback: Window | None = None
    for start, end, j in windows:
        verdict = _verdict(pn, scan, scan.text[start:end], context)
        if verdict == "valid":
            return (start, end, j), fallback
        if verdict == "public":
            return (-1, -1, j), fallback
        if verdict == "lenient" and fallback is None:
            fallback = (start, end, j)
    return None, fallback


def _glued(text: str, pos: int) -> bool:
    """Whether the character at `pos` is an ASCII letter, digit or underscore."""
    after = text[pos] if pos < len(text) else " "
    return after.isascii() and (after.isalnum() or after == "_")


def _has_context(lower: str, start: int) -> bool:
    """A phone word within the 40 characters before `start` (one regex search, in C)."""
    return _CONTEXT_RE.search(lower, max(0, start - 40), start) is not None


def _labelled(text: str, start: int, end: int) -> bool:
    """A number of phone length (7-15 digits, extension aside) right after a phone label or right
    before a line label; never a date, an IP address or an SSN."""
    bare = _EXTENSION.sub("", text[start:end])
    digits = sum(c.isdigit() for c in bare)
    if not 7 <= digits <= 15 or _NOT_A_PHONE.fullmatch(bare):
        return False
    return bool(
        _LABEL_BEFORE.search(text[max(0, start - 30) : start]) or _LABEL_AFTER.match(text[end : end + 12])
    )


def _verdict(pn: Any, scan: Scan, raw: str, context: bool) -> str | None:
    """ "valid" for an allocated personal number, "lenient" for a plausible fictional one,
    "public" for a business line (toll-free, premium-rate, shared-cost), None for anything else
    (dates, IPs, SSNs, digit runs without phone context)."""
    if _NOT_A_PHONE.fullmatch(raw):
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
    elif context and 10 <= sum(c.isdigit() for c in raw) <= 12:
        # National numbers of these regions have 10-12 digits with their trunk or area code;
        # shorter ones are kept only after a phone label (see _labelled), unparsed.
        regions = ("CN", "US", "GB")
    else:
        return None
    possible = False
    for region in regions:
        if not scan.spend():
            raise _OutOfBudget
        try:
            number = pn.parse("+" + raw[2:].lstrip() if raw.startswith("00") else raw, region)
        except pn.NumberParseException:
            continue
        if pn.is_valid_number(number):
            return "valid" if pn.number_type(number) not in _BAD_TYPES else "public"
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
