"""Checks that turn a pattern match into a value worth protecting.

Each validator takes the matched text (already folded: ASCII digits, plain spaces) and returns a
bool. Where a value has a checksum or an allocation table, the library that owns it decides:
python-stdnum (Luhn, IMEI, IBAN, Chinese resident ID, US SSN, Bitcoin addresses), `ipaddress`,
pycryptodome's Keccak-256 for Ethereum's EIP-55 checksum, and `mnemonic`'s BIP-39 word lists.
Libraries load on first use, never when the package is imported.
"""

from __future__ import annotations

import hashlib
import importlib
import ipaddress
import math
import re
from collections import Counter
from collections.abc import Callable
from functools import cache
from typing import Any

__all__ = [
    "Validator",
    "account_ok",
    "assigned_secret_ok",
    "bip39_phrase_ok",
    "bip39_words",
    "btc_address_ok",
    "card_ok",
    "char_classes",
    "cn_resident_id_ok",
    "code_ok",
    "digits_of",
    "email_ok",
    "entropy",
    "eth_address_ok",
    "extended_key_ok",
    "id_value_ok",
    "imei_ok",
    "ip_ok",
    "mac_ok",
    "not_placeholder",
    "password_ok",
    "secret_ok",
    "stdnum_check",
    "strong_password_ok",
    "token_ok",
    "wif_key_ok",
]

Validator = Callable[[str], bool]


def digits_of(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


def stdnum_check(module: str) -> Validator:
    """`is_valid` of a python-stdnum module, imported on first use; exceptions count as invalid
    (stdnum.cn.ric raises KeyError for some unknown region codes)."""
    cache_: list[Any] = []

    def check(value: str) -> bool:
        if not cache_:
            cache_.append(importlib.import_module(f"stdnum.{module}"))
        try:
            return bool(cache_[0].is_valid(value))
        except Exception:
            return False

    check.__name__ = f"stdnum_{module.replace('.', '_')}"
    return check


_luhn = stdnum_check("luhn")
_imei = stdnum_check("imei")
_bitcoin = stdnum_check("bitcoin")


def cn_resident_id_ok(value: str) -> bool:
    """A mainland-China resident ID: stdnum.cn.ric's check digit and birth date, and a province
    code (11-82). The district code is not looked up: stdnum's table misses districts created or
    renamed after it was compiled, and a real ID must not leak for that."""
    ric = importlib.import_module("stdnum.cn.ric")
    try:
        number = ric.compact(value)
        if len(number) != 18 or not number[:17].isdigit() or number[-1] != ric.calc_check_digit(number):
            return False
        born = ric.get_birth_date(number)
    except Exception:
        return False
    return 11 <= int(number[:2]) <= 82 and 1900 <= born.year <= 2100


def card_ok(value: str) -> bool:
    digits = digits_of(value)
    return 13 <= len(digits) <= 19 and _luhn(digits) and len(set(digits)) > 1


def imei_ok(value: str) -> bool:
    return _imei(digits_of(value))


_RESERVED_EMAIL_DOMAINS = ("example.com", "example.org", "example.net")
_RESERVED_TLDS = ("example", "test", "invalid", "localhost")


def email_ok(value: str) -> bool:
    domain = value.rsplit("@", 1)[-1].lower().rstrip(".")
    if any(domain == d or domain.endswith("." + d) for d in _RESERVED_EMAIL_DOMAINS):
        return False
    return domain.rsplit(".", 1)[-1] not in _RESERVED_TLDS


_PUBLIC_RESOLVERS = frozenset(
    {"8.8.8.8", "8.8.4.4", "1.1.1.1", "1.0.0.1", "9.9.9.9", "114.114.114.114", "223.5.5.5", "223.6.6.6"}
)


def ip_ok(value: str) -> bool:
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


def mac_ok(value: str) -> bool:
    hexes = re.sub(r"[^0-9A-Fa-f]", "", value).lower()
    return len(hexes) == 12 and hexes not in ("000000000000", "ffffffffffff") and not hexes.isdigit()


def entropy(value: str) -> float:
    """Shannon entropy in bits per character."""
    counts = Counter(value)
    n = len(value)
    return -sum(c / n * math.log2(c / n) for c in counts.values())


_PLACEHOLDER_VALUE = re.compile(
    r"(?:x+|\*+|\.+|<[^>]*>|<[A-Za-z_\-]+|\{[^}]*\}|\$\{?[A-Z_]+\}?|your[_-]?\w*|password|passwd|secret|changeme|none|null|"
    r"redacted|hidden|example|placeholder|todo|n/?a)",
    re.IGNORECASE,
)


def not_placeholder(value: str) -> bool:
    """Not a stand-in such as `****`, `<password>`, `${TOKEN}`, `your_key`, `changeme`."""
    return not _PLACEHOLDER_VALUE.fullmatch(value) and len(set(value)) > 1


# Code that reads a secret from somewhere else: `os.environ["KEY"]`, `os.getenv(`, `process.env.KEY`,
# `settings.API_KEY`, `config.get(`.
_CODE_REFERENCE = re.compile(
    r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*[(\[].*|(?:process\.env|os\.environ|import\.meta\.env)\b.*"
    r"|[A-Za-z_][A-Za-z_]*(?:\.[A-Za-z_][A-Za-z_]*)+",
    re.DOTALL,
)


def char_classes(value: str) -> int:
    """How many of lower case, upper case, digits and other characters `value` has."""
    return (
        any(c.islower() for c in value)
        + any(c.isupper() for c in value)
        + any(c.isdigit() for c in value)
        + any(not c.isalnum() for c in value)
    )


def password_ok(value: str) -> bool:
    """A value said to be a password: not a placeholder, and not a plain word (at least two
    character classes, or only digits as in a PIN)."""
    if not not_placeholder(value) or "://" in value:
        return False
    if value.isdigit():
        return 4 <= len(value) <= 12
    return len(value) >= 4 and char_classes(value) >= 2 and not value.isalpha()


def strong_password_ok(value: str) -> bool:
    """Password-shaped without a keyword right before it: 8+ characters, all four classes."""
    if "://" in value or ("@" in value.lstrip("@")[:-1] and "." in value.rsplit("@", 1)[-1]):
        return False
    if re.match(r"[A-Za-z_][A-Za-z0-9_]*[=:]", value) or "(" in value or ")" in value:
        return False
    specials = sum(not c.isalnum() and c not in "-_." for c in value)
    return len(value) >= 8 and char_classes(value) == 4 and specials >= 1


def code_ok(value: str) -> bool:
    """A one-time code: 4-10 digits, or a short alphanumeric code with at least two digits."""
    digits = sum(c.isdigit() for c in value)
    if all(c.isdigit() or c in " -" for c in value):
        return 4 <= digits <= 10 and not_placeholder(digits_of(value))
    return digits >= 2 and len(value) <= 24


def token_ok(value: str) -> bool:
    if "@" in value or "://" in value:
        return False
    core = value.lstrip("#")
    return len(core) >= 4 and any(c.isdigit() for c in core) and any(c.isalpha() for c in core)


def secret_ok(value: str) -> bool:
    """A key or token after a key word in prose: long and random-looking, or a short coded value."""
    if not not_placeholder(value) or "@" in value or "://" in value or _CODE_REFERENCE.fullmatch(value):
        return False
    if len(value) >= 16:
        return entropy(value) >= 3.0 and char_classes(value) >= 2
    return token_ok(value)


def assigned_secret_ok(value: str) -> bool:
    """`SECRET_KEY=...` in a config file: anything that is not a placeholder or a reference."""
    return (
        len(value) >= 4
        and not_placeholder(value)
        and not value.lower().startswith(("true", "false"))
        and not _CODE_REFERENCE.fullmatch(value)
    )


def id_value_ok(value: str) -> bool:
    digits = sum(c.isdigit() for c in value)
    return len(value.replace("-", "")) >= 6 and digits >= 2


def account_ok(value: str) -> bool:
    digits = digits_of(value)
    return 8 <= len(digits) <= 24 and len(set(digits)) > 2


# ---------------------------------------------------------------------------------------------
# Crypto-currency
# ---------------------------------------------------------------------------------------------


@cache
def _keccak() -> Any:
    from Crypto.Hash import keccak

    return keccak


def eth_address_ok(value: str) -> bool:
    """`0x` + 40 hex digits; a mixed-case address must carry a valid EIP-55 checksum (an all
    lower- or upper-case one has none to check)."""
    body = value[2:]
    if len(body) != 40 or not all(c in "0123456789abcdefABCDEF" for c in body) or len(set(body)) < 4:
        return False
    if body.islower() or body.isupper() or body.isdigit():
        return True
    digest = _keccak().new(digest_bits=256, data=body.lower().encode()).hexdigest()
    return all(c.isdigit() or (c.isupper() == (int(d, 16) >= 8)) for c, d in zip(body, digest, strict=False))


def btc_address_ok(value: str) -> bool:
    """A Bitcoin address: base58check (P2PKH, P2SH) or bech32 (segwit v0), via stdnum.bitcoin, or
    bech32m (segwit v1+, taproot `bc1p...`, BIP-350), which stdnum does not know."""
    return _bitcoin(value) or _bech32m_ok(value)


_BECH32_CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
_BECH32_GENERATOR = (0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)
_BECH32M_CONST = 0x2BC830A3


def _bech32m_ok(value: str) -> bool:
    """A segwit v1-16 address with a bech32m checksum (BIP-350) and a 2-40 byte program (32 for v1)."""
    lower = value.lower()
    if value != lower and value != value.upper():
        return False
    if not lower.startswith("bc1") or not 14 <= len(lower) <= 90:
        return False
    try:
        data = [_BECH32_CHARSET.index(c) for c in lower[3:]]
    except ValueError:
        return False
    chk = 1
    for v in [3, 3, 0, 2, 3, *data]:  # the expanded "bc" prefix, then the data
        top = chk >> 25
        chk = (chk & 0x1FFFFFF) << 5 | v
        for i, g in enumerate(_BECH32_GENERATOR):
            chk ^= g if (top >> i) & 1 else 0
    if chk != _BECH32M_CONST or not 1 <= data[0] <= 16:
        return False
    acc = 0
    for v in data[1:-6]:
        acc = acc << 5 | v
    bits = len(data[1:-6]) * 5
    size, pad = divmod(bits, 8)
    if pad >= 5 or acc & ((1 << pad) - 1):  # the program is whole bytes, padded with zeros
        return False
    return 2 <= size <= 40 and (data[0] != 1 or size == 32)


def _base58check(value: str) -> bytes | None:
    """The payload of a base58check string (stdnum.bitcoin's base58 decoder, then the double
    SHA-256 checksum), or None."""
    bitcoin = importlib.import_module("stdnum.bitcoin")
    try:
        raw = bytes(bitcoin.b58decode(value))
    except Exception:
        return None
    payload, checksum = raw[:-4], raw[-4:]
    if len(raw) < 5 or hashlib.sha256(hashlib.sha256(payload).digest()).digest()[:4] != checksum:
        return None
    return payload


def wif_key_ok(value: str) -> bool:
    """A private key in Wallet Import Format: base58check of 0x80 + 32 bytes (+ 0x01 when
    compressed)."""
    payload = _base58check(value)
    return payload is not None and len(payload) in (33, 34) and payload[0] == 0x80


def extended_key_ok(value: str) -> bool:
    """A BIP-32 extended key (xprv/xpub, tprv/tpub, yprv/zprv ...): base58check of 78 bytes."""
    payload = _base58check(value)
    return payload is not None and len(payload) == 78


@cache
def bip39_words() -> frozenset[str]:
    """Every word of the BIP-39 lists the `mnemonic` package ships in Latin script (English,
    French, Italian, Spanish, Portuguese, Czech, Turkish), lower case and without accents."""
    from mnemonic import Mnemonic

    words: set[str] = set()
    for language in _LATIN_LISTS:
        try:
            wordlist = Mnemonic(language).wordlist
        except Exception:  # a language a future release drops
            continue
        words.update(_plain(w) for w in wordlist)
    return frozenset(words)


@cache
def bip39_chinese() -> frozenset[str]:
    """The single characters of the simplified and traditional Chinese BIP-39 lists."""
    from mnemonic import Mnemonic

    chars: set[str] = set()
    for language in ("chinese_simplified", "chinese_traditional"):
        try:
            chars.update(Mnemonic(language).wordlist)
        except Exception:
            continue
    return frozenset(chars)


_LATIN_LISTS = ("english", "french", "italian", "spanish", "portuguese", "czech", "turkish")
_BIP39_LENGTHS = frozenset({12, 15, 18, 21, 24})


@cache
def _bip39_tables() -> tuple[dict[str, int], ...]:
    """For each BIP-39 list, its words (plain, as `bip39_words` has them) to their indices."""
    from mnemonic import Mnemonic

    tables: list[dict[str, int]] = []
    for language in (*_LATIN_LISTS, "chinese_simplified", "chinese_traditional"):
        try:
            wordlist = Mnemonic(language).wordlist
        except Exception:
            continue
        table: dict[str, int] = {}
        for i, word in enumerate(wordlist):
            table.setdefault(_plain(word), i)
        tables.append(table)
    return tuple(tables)


def bip39_phrase_ok(words: list[str]) -> bool:
    """Whether `words` is a whole BIP-39 mnemonic (12, 15, ..., 24 words of one list) whose
    checksum holds: the last bits of the word indices are the first bits of the SHA-256 of the
    rest. Ordinary prose made of list words passes it by chance once in 16 (12 words) to 256
    (24 words) times."""
    n = len(words)
    if n not in _BIP39_LENGTHS:
        return False
    keys = [_plain(w) for w in words]
    checksum_bits = n * 11 // 33
    for table in _bip39_tables():
        bits = 0
        for key in keys:
            index = table.get(key)
            if index is None:
                break
            bits = bits << 11 | index
        else:
            entropy = (bits >> checksum_bits).to_bytes((n * 11 - checksum_bits) // 8, "big")
            if hashlib.sha256(entropy).digest()[0] >> (8 - checksum_bits) == bits & (
                (1 << checksum_bits) - 1
            ):
                return True
    return False


def _plain(word: str) -> str:
    import unicodedata

    decomposed = unicodedata.normalize("NFKD", word.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))
