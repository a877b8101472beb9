"""Property tests: private values written with Unicode tricks never reach the cloud-bound text.

Values of many kinds are generated (valid checksums computed with the libraries that define them),
then disguised the way people and attackers do it: zero-width and other format characters inside
them or between a key word and the value, full-width letters and digits, digits of other scripts,
no-break and other Unicode spaces, Unicode dashes, and two values side by side. They are put into
random text and protected. The oracle folds the result independently of the library (NFKC, format
characters removed, spaces and dashes unified): no value may be found in it.
"""

from __future__ import annotations

import os
import unicodedata

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from stdnum import iban, luhn
from stdnum.cn import ric

from memprivacy_plugin import InMemoryVault, PrivacyGuard, PrivacyPolicy, RuleExtractor

SETTINGS = settings(
    max_examples=int(os.environ.get("MEMPRIVACY_HYPOTHESIS_EXAMPLES", "200")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
RULES = RuleExtractor()

digits = st.text(alphabet="0123456789", min_size=1, max_size=1)


def _n(count: int) -> st.SearchStrategy[str]:
    return st.text(alphabet="0123456789", min_size=count, max_size=count)


cn_mobile = (
    st.tuples(st.sampled_from(["138", "139", "150", "186", "177", "135"]), _n(8))
    .map(
        lambda t: st.sampled_from(
            [t[0] + t[1], f"{t[0]} {t[1][:4]} {t[1][4:]}", f"{t[0]}-{t[1][:4]}-{t[1][4:]}"]
        )
    )
    .flatmap(lambda s: s)
)
us_phone = st.tuples(st.sampled_from(["415", "212", "646", "617", "312"]), st.integers(200, 999), _n(4)).map(
    lambda t: f"+1 {t[0]} {t[1]} {t[2]}"
)
card = (
    st.tuples(st.sampled_from(["4", "51", "37"]), _n(14))
    .map(lambda t: (lambda body: body + luhn.calc_check_digit(body))((t[0] + t[1])[:15]))
    .map(lambda n: f"{n[:4]} {n[4:8]} {n[8:12]} {n[12:]}")
)
cn_id = st.tuples(st.sampled_from(["110105", "310101", "440305"]), st.integers(1950, 2005), _n(3)).map(
    lambda t: (lambda body: body + ric.calc_check_digit(body + "0"))(f"{t[0]}{t[1]}0612{t[2]}")
)
gb_iban = _n(14).map(lambda n: f"GB{iban.calc_check_digits(f'GBXXWEST{n}')}WEST{n}")
email = st.tuples(
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=3, max_size=10),
    st.sampled_from(["gmail.com", "qq.com", "fastmail.fm", "163.com", "proton.me"]),
).map(lambda t: f"{t[0]}.{len(t[0])}@{t[1]}")
private_ip = st.tuples(st.integers(0, 255), st.integers(0, 255), st.integers(1, 254)).map(
    lambda t: f"10.{t[0]}.{t[1]}.{t[2]}"
)
_KEY_ALPHABET = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
api_key = st.text(alphabet=_KEY_ALPHABET, min_size=32, max_size=40).map(
    lambda s: "sk-" + s[:10] + "7Q" + s[10:]
)
eth = (
    st.text(alphabet="0123456789abcdef", min_size=40, max_size=40)
    .filter(lambda h: len(set(h)) > 6)
    .map(lambda h: "0x" + h)
)
# Values that need their key word: (key word, value). A code of one repeated digit ("000000") is
# taken for a stand-in, not a value, on purpose.
keyed = st.one_of(
    st.tuples(
        st.sampled_from(["验证码", "verification code:", "your code is", "OTP", "动态码是"]),
        _n(6).filter(lambda v: len(set(v)) > 1),
    ),
    st.tuples(st.sampled_from(["PIN:", "PIN码", "my PIN is"]), _n(4).filter(lambda v: len(set(v)) > 1)),
    st.tuples(
        st.sampled_from(["password:", "密码是", "my password is"]),
        st.sampled_from(["Tr0ub4dor&3", "x9!Lk2#qW", "Gh7$mnB2"]),
    ),
)
plain_value = st.one_of(cn_mobile, us_phone, card, cn_id, gb_iban, email, private_ip, api_key, eth)

ZERO_WIDTH = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u200e", "\u2063"]
SPACES = ["\u00a0", "\u2009", "\u202f", "\u3000", "\u2002", "\u205f"]
DASHES = ["\u2010", "\u2011", "\u2013", "\u2212", "\ufe63"]
DIGIT_SETS = [0xFF10, 0x0660, 0x06F0, 0x0966, 0x1D7CE, 0x1D7EC]  # full-width, Arabic-Indic, ..., math


@st.composite
def disguised(draw: st.DrawFn, value: str) -> str:
    """`value` with tricks applied to some of its characters."""
    digit_base = draw(st.sampled_from(DIGIT_SETS))
    out: list[str] = []
    for ch in value:
        trick = draw(st.sampled_from(["none", "none", "zero", "wide", "digit", "space", "dash"]))
        if trick == "wide" and "!" <= ch <= "~":
            ch = chr(ord(ch) + 0xFEE0)
        elif trick == "digit" and ch.isdigit():
            ch = chr(digit_base + int(ch))
        elif trick == "space" and ch == " ":
            ch = draw(st.sampled_from(SPACES))
        elif trick == "dash" and ch == "-":
            ch = draw(st.sampled_from(DASHES))
        out.append(ch)
        if trick == "zero" and len(out) < len(value):
            out.append(draw(st.sampled_from(ZERO_WIDTH)))
    return "".join(out)


def canonical(text: str) -> str:
    """The oracle's folding: format characters out, NFKC, every space a space, every dash '-'."""
    out = []
    for ch in text:
        category = unicodedata.category(ch)
        if category in ("Cf", "Mn"):
            continue
        if category == "Zs":
            out.append(" ")
        elif category == "Pd" or ch == "\u2212":
            out.append("-")
        elif category == "Nd":
            out.append(str(unicodedata.decimal(ch)))
        else:
            out.append(unicodedata.normalize("NFKC", ch))
    return "".join(out)


filler = st.text(
    alphabet=st.sampled_from([*"abcdefghij KLMNOP,.;!?我们的电话是好吗", "\u200b", "\u00a0", "\n"]),
    max_size=40,
)


def _guard() -> PrivacyGuard:
    return PrivacyGuard(extractor=RULES, vault=InMemoryVault(), policy=PrivacyPolicy.placeholder_all())


@SETTINGS
@given(st.data())
def test_disguised_values_never_reach_the_cloud(data: st.DataObject) -> None:
    values = data.draw(st.lists(plain_value, min_size=1, max_size=3))
    pieces = []
    for value in values:
        pieces.append(data.draw(filler))
        pieces.append(" " + data.draw(disguised(value)) + " ")
    pieces.append(data.draw(filler))
    message = "".join(pieces)
    protected = _guard().protect(message, user_id="u").text
    seen = canonical(protected)
    for value in values:
        assert canonical(value) not in seen


@SETTINGS
@given(st.data())
def test_adjacent_disguised_values_are_all_protected(data: st.DataObject) -> None:
    first, second = data.draw(plain_value), data.draw(plain_value)
    separator = data.draw(st.sampled_from([" ", "\u00a0", "\u3000", " \u200b"]))
    message = "values: " + data.draw(disguised(first)) + separator + data.draw(disguised(second)) + " ok"
    seen = canonical(_guard().protect(message, user_id="u").text)
    assert canonical(first) not in seen
    assert canonical(second) not in seen


@SETTINGS
@given(st.data())
def test_tricks_between_a_key_word_and_its_value(data: st.DataObject) -> None:
    word, value = data.draw(keyed)
    gap = data.draw(st.sampled_from(["", " ", "\u200b", " \u200b", "\u00a0", "\u2060 ", "\u3000"]))
    message = data.draw(filler) + " " + word + gap + data.draw(disguised(value)) + " " + data.draw(filler)
    seen = canonical(_guard().protect(message, user_id="u").text)
    assert canonical(value) not in seen


@SETTINGS
@given(st.data())
def test_disguised_values_round_trip(data: st.DataObject) -> None:
    message = "note " + data.draw(disguised(data.draw(plain_value))) + " end " + data.draw(filler)
    guard = _guard()
    protected = guard.protect(message, user_id="u")
    assert guard.restore(protected.text, user_id="u") == message
