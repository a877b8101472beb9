"""Regressions from trying the rules as an attacker and as a user would: each message here once
leaked a value, or once lost text that was not private."""

from __future__ import annotations

import pytest
from mnemonic import Mnemonic

from memprivacy_plugin import InMemoryVault, PrivacyGuard, PrivacyPolicy
from memprivacy_plugin.extractors.rules import RuleExtractor


@pytest.fixture(scope="module")
def rules() -> RuleExtractor:
    return RuleExtractor()


def values(rules: RuleExtractor, text: str) -> list[tuple[str, str]]:
    spans = rules.extract(text)
    for s in spans:
        assert text[s.start : s.end] == s.text
    return [(s.privacy_type, s.text) for s in spans]


LEAKED = [
    # a lone surrogate or U+FFFD (what replaces one) inside a value
    ("call me at 139\ufffd1234\ufffd5678", "Phone Number", "139\ufffd1234\ufffd5678"),
    ("验证码48\ufffd2913", "Verification Code", "48\ufffd2913"),
    ("card 4111\ufffd1111\ufffd1111\ufffd1111", "Financial Account", "4111\ufffd1111\ufffd1111\ufffd1111"),
    # tabs, runs of spaces, spaced dashes, middle dots
    ("call me at 415\t867\t5309", "Phone Number", "415\t867\t5309"),
    ("我的手机号是139\t1234\t5678", "Phone Number", "139\t1234\t5678"),
    ("my card number is 4111  1111  1111  1111", "Financial Account", "4111  1111  1111  1111"),
    ("手机号 139 - 1234 - 5678", "Phone Number", "139 - 1234 - 5678"),
    ("card 4111·1111·1111·1111", "Financial Account", "4111·1111·1111·1111"),
    # digit by digit after a phone label
    ("手机号 1 3 9 1 2 3 4 5 6 7 8", "Phone Number", "1 3 9 1 2 3 4 5 6 7 8"),
    ("my number is 1 3 9 1 2 3 4 5 6 7 8", "Phone Number", "1 3 9 1 2 3 4 5 6 7 8"),
    # letters of other scripts that look Latin, digit symbols
    ("my РIN is 4829", "Password", "4829"),
    ("my pаssword is Tr0ub4dor&3x", "Password", "Tr0ub4dor&3x"),
    ("verification cоde: 482913", "Verification Code", "482913"),
    ("my PIN is ⓸⓼⓶⓽", "Password", "⓸⓼⓶⓽"),
    # plural key words, values listed after one key word, values before their key word
    ("verification codes: 482913", "Verification Code", "482913"),
    ("PINs 4829 and 7731", "Password", "7731"),
    ("passport numbers E12345678 and G87654321", "ID Number", "G87654321"),
    ("OTP 482913 771204 339018", "Verification Code", "339018"),
    ("账号 12345678、87654321", "Financial Account", "87654321"),
    ("4829 is my PIN", "Password", "4829"),
    ("Tr0ub4dor&3 is my password", "Password", "Tr0ub4dor&3"),
    ("the code is ABC123", "Verification Code", "ABC123"),
    # bank accounts after a bare account word
    ("account: 12345678901", "Financial Account", "12345678901"),
    ("please wire to account 12345678901", "Financial Account", "12345678901"),
    ("savings 12345678901", "Financial Account", "12345678901"),
    ("checking: 4401229988", "Financial Account", "4401229988"),
    ("routing number 021000021 account 000123456789", "Financial Account", "000123456789"),
    # crypto-currency keys
    ("my key 4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318", "Private Key", None),
    ("ERROR: ERR_IP_CONFLICT_MAC_001A2B3C4D5E", "Network Identifier", "001A2B3C4D5E"),
]


@pytest.mark.parametrize(("text", "ptype", "value"), LEAKED)
def test_once_leaked_now_found(rules: RuleExtractor, text: str, ptype: str, value: str | None) -> None:
    found = values(rules, text)
    if value is None:
        assert any(t == ptype for t, _ in found), found
    else:
        assert (ptype, value) in found, found


def test_extended_keys_and_dashed_seed_phrases(rules: RuleExtractor) -> None:
    mnemonic = Mnemonic("english")
    phrase = mnemonic.generate(128)
    xprv = mnemonic.to_hd_master_key(mnemonic.to_seed(phrase))
    assert ("Private Key", xprv) in values(rules, f"my extended private key: {xprv}")
    dashed = "-".join(phrase.split())
    assert ("Private Key", dashed) in values(rules, f"here it is: {dashed}")
    broken = xprv[:-1] + ("1" if xprv[-1] != "1" else "2")  # checksum no longer holds
    assert values(rules, f"look at {broken} here") == []


NOT_PRIVATE = [
    # code that mentions passwords and tokens is not a secret
    "PASSWORD_MIN_LENGTH = 12",
    "def check(user, password_attempt):",
    "if password == confirm_password:",
    "TOKEN_EXPIRY=3600",
    "session_timeout=1800",
    "PASSWORD_RESET_TIMEOUT = 259200",
    "TOKEN_URL=https://auth.example.net/token",
    "SECRET_KEY_FILE=/etc/app/key",
    # a number that is not the one the key word announces
    "my account balance is 12345678",
    "lottery numbers 05 12 23 34 45 06",
    "my favourite numbers: 7 14 21 28 35 42 49",
]


@pytest.mark.parametrize("text", NOT_PRIVATE)
def test_not_private(rules: RuleExtractor, text: str) -> None:
    assert values(rules, text) == []


def test_number_after_another_key_word_is_not_the_password(rules: RuleExtractor) -> None:
    # The order number is a Transaction Record of its own, not the password the sentence mentions.
    assert values(rules, "I forgot my password. My order number is 482913.") == [
        ("Transaction Record", "482913")
    ]


def test_code_survives_the_guard_unchanged() -> None:
    guard = PrivacyGuard(vault=InMemoryVault(), policy=PrivacyPolicy.default())
    code = "PASSWORD_MIN_LENGTH = 12\nif password == confirm_password:\n    TOKEN_EXPIRY=3600\n"
    assert guard.protect(code, user_id="dev").text == code
