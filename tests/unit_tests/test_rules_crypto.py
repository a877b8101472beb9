"""Crypto-currency: seed phrases and private keys (Private Key, PL4), wallet addresses (Financial
Account, PL3). Every value is built here with the libraries that define the formats (mnemonic for
BIP-39, pycryptodome's Keccak for EIP-55, hashlib and base58/bech32 by hand), never pasted."""

from __future__ import annotations

import hashlib
import re

import pytest
from Crypto.Hash import keccak
from mnemonic import Mnemonic
from rule_checks import assert_found, family_only, spans_of

from memprivacy_plugin.extractors.rules import RuleExtractor
from memprivacy_plugin.taxonomy import PrivacyLevel

PK = "Private Key"
FA = "Financial Account"
LEVELS = {PK: PrivacyLevel.PL4, FA: PrivacyLevel.PL3}

# --------------------------------------------------------------------------------------------------
# Values, built from fixed seeds so every run tests the same strings.
# --------------------------------------------------------------------------------------------------

ENGLISH = Mnemonic("english")
SEED_12 = ENGLISH.to_mnemonic(hashlib.sha256(b"test seed 12").digest()[:16])
SEED_24 = ENGLISH.to_mnemonic(hashlib.sha256(b"test seed 24").digest())
SEED_ZH = Mnemonic("chinese_simplified").to_mnemonic(hashlib.sha256(b"test seed zh").digest()[:16])
WORDS = SEED_12.split()


def broken_checksum(phrase: str) -> str:
    """The phrase with its last word replaced by the first list word that breaks the checksum."""
    words = phrase.split()
    for candidate in ENGLISH.wordlist:
        attempt = " ".join([*words[:-1], candidate])
        if candidate != words[-1] and not ENGLISH.check(attempt):
            return attempt
    raise AssertionError("unreachable")


def eip55(hex40: str) -> str:
    """An Ethereum address with its EIP-55 mixed-case checksum."""
    digest = keccak.new(digest_bits=256, data=hex40.lower().encode()).hexdigest()
    return "0x" + "".join(
        c.upper() if int(d, 16) >= 8 else c for c, d in zip(hex40.lower(), digest[:40], strict=True)
    )


def flip_one_letter(address: str) -> str:
    """The address with the case of its first letter flipped: the EIP-55 checksum no longer holds."""
    i = next(i for i, c in enumerate(address) if i >= 2 and c.isalpha())
    return address[:i] + address[i].swapcase() + address[i + 1 :]


B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def base58check(payload: bytes) -> str:
    raw = payload + hashlib.sha256(hashlib.sha256(payload).digest()).digest()[:4]
    n = int.from_bytes(raw, "big")
    out = ""
    while n:
        n, r = divmod(n, 58)
        out = B58[r] + out
    return "1" * (len(raw) - len(raw.lstrip(b"\0"))) + out


BECH32 = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"


def segwit_address(version: int, program: bytes) -> str:
    """A bech32 (v0) or bech32m (v1+) address for `program`, as BIP-173/BIP-350 define them."""

    def polymod(values: list[int]) -> int:
        chk = 1
        for v in values:
            top = chk >> 25
            chk = (chk & 0x1FFFFFF) << 5 | v
            for i, g in enumerate((0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)):
                chk ^= g if (top >> i) & 1 else 0
        return chk

    acc, bits, data = 0, 0, [version]
    for byte in program:
        acc, bits = acc << 8 | byte, bits + 8
        while bits >= 5:
            bits -= 5
            data.append(acc >> bits & 31)
    if bits:
        data.append(acc << (5 - bits) & 31)
    const = 1 if version == 0 else 0x2BC830A3
    hrp = [ord(c) >> 5 for c in "bc"] + [0] + [ord(c) & 31 for c in "bc"]
    mod = polymod([*hrp, *data, 0, 0, 0, 0, 0, 0]) ^ const
    return "bc1" + "".join(BECH32[d] for d in data + [(mod >> 5 * (5 - i)) & 31 for i in range(6)])


def break_last_char(address: str, alphabet: str) -> str:
    last = address[-1]
    return address[:-1] + next(c for c in alphabet if c != last)


KEY = hashlib.sha256(b"not a real wallet").digest()
HEX_KEY = KEY.hex()
WIF_UNCOMPRESSED = base58check(b"\x80" + KEY)
WIF_COMPRESSED = base58check(b"\x80" + KEY + b"\x01")
ETH_LOWER = "0x" + hashlib.sha256(b"eth one").hexdigest()[:40]
ETH_CHECKSUMMED = eip55(hashlib.sha256(b"eth two").hexdigest()[:40])
ETH_BAD_CHECKSUM = flip_one_letter(ETH_CHECKSUMMED)
P2PKH = base58check(b"\x00" + hashlib.sha256(b"p2pkh").digest()[:20])
P2SH = base58check(b"\x05" + hashlib.sha256(b"p2sh").digest()[:20])
BECH32_V0 = segwit_address(0, hashlib.sha256(b"p2wpkh").digest()[:20])
BECH32M_V1 = segwit_address(1, hashlib.sha256(b"p2tr").digest())


def test_generated_values_are_what_they_claim() -> None:
    assert ENGLISH.check(SEED_12)
    assert ENGLISH.check(SEED_24)
    assert not ENGLISH.check(broken_checksum(SEED_12))
    assert ETH_CHECKSUMMED.lower() != ETH_CHECKSUMMED
    assert ETH_BAD_CHECKSUM.lower() == ETH_CHECKSUMMED.lower()
    assert ETH_BAD_CHECKSUM != ETH_CHECKSUMMED
    assert P2PKH.startswith("1")
    assert P2SH.startswith("3")
    assert BECH32_V0.startswith("bc1q")
    assert BECH32M_V1.startswith("bc1p")
    assert WIF_UNCOMPRESSED.startswith("5")
    assert WIF_COMPRESSED[0] in "KL"


@pytest.fixture(scope="module")
def crypto_only() -> RuleExtractor:
    return family_only("crypto")


POSITIVES = [
    # seed phrases: whole mnemonics anywhere, in the shapes people paste them
    (f"my seed phrase is {SEED_12}", PK, SEED_12),
    (SEED_12, PK, SEED_12),
    (f"Here it is: {SEED_24}. Keep it safe for me", PK, SEED_24),
    (f"can you check if this is right? {SEED_12}", PK, SEED_12),
    (", ".join(WORDS), PK, ", ".join(WORDS)),
    ("\n".join(WORDS), PK, "\n".join(WORDS)),
    (
        "words:\n" + "\n".join(f"{i}. {w}" for i, w in enumerate(WORDS, 1)),
        PK,
        "\n".join(f"{i}. {w}" for i, w in enumerate(WORDS, 1))[3:],
    ),
    (
        " ".join(f"{i}) {w}" for i, w in enumerate(WORDS, 1)),
        PK,
        " ".join(f"{i}) {w}" for i, w in enumerate(WORDS, 1))[3:],
    ),
    ("- " + "\n- ".join(WORDS), PK, "\n- ".join(WORDS)),
    (f"**Seed:** `{SEED_12}`", PK, SEED_12),
    (f"> {SEED_12}\n\nis this a valid wallet backup?", PK, SEED_12),
    # 6+ list words after a seed word (a partial phrase, or one with a typo)
    ("seed phrase: " + " ".join(WORDS[:6]) + " ... the rest I forgot", PK, " ".join(WORDS[:6])),
    ("助记词：" + " ".join(WORDS[:8]), PK, " ".join(WORDS[:8])),
    (f"my recovery phrase is {broken_checksum(SEED_12)}", PK, broken_checksum(SEED_12)),
    # Chinese phrases: single characters separated by spaces or commas
    (f"我的助记词是 {SEED_ZH}", PK, SEED_ZH),
    (SEED_ZH, PK, SEED_ZH),
    (f"{SEED_ZH}，帮我看看是不是对的", PK, SEED_ZH),
    ("钱包助记词：" + "，".join(SEED_ZH.split()), PK, "，".join(SEED_ZH.split())),
    # hex private keys after a key word
    (f"私钥是 {HEX_KEY}", PK, HEX_KEY),
    (f"private key: 0x{HEX_KEY}", PK, f"0x{HEX_KEY}"),
    (f"my wallet's private key is `{HEX_KEY}`, is it safe to paste here?", PK, HEX_KEY),
    (f"导出的私钥：{HEX_KEY.upper()}", PK, HEX_KEY.upper()),
    # WIF private keys
    (f"WIF: {WIF_UNCOMPRESSED}", PK, WIF_UNCOMPRESSED),
    (f"how do I import {WIF_COMPRESSED} into electrum?", PK, WIF_COMPRESSED),
    (f"这是我的比特币私钥{WIF_COMPRESSED}，怎么导入", PK, WIF_COMPRESSED),
    # Ethereum addresses: lower case, upper case, or mixed case with a valid EIP-55 checksum
    (f"send it to {ETH_LOWER}", FA, ETH_LOWER),
    (f"my address is 0x{ETH_LOWER[2:].upper()}", FA, f"0x{ETH_LOWER[2:].upper()}"),
    (f"ETH: {ETH_CHECKSUMMED}", FA, ETH_CHECKSUMMED),
    (f"我的以太坊地址：{ETH_CHECKSUMMED}，转账请备注", FA, ETH_CHECKSUMMED),
    # Bitcoin addresses: base58check and bech32/bech32m
    (f"btc: {P2PKH}", FA, P2PKH),
    (f"pay {P2SH} please", FA, P2SH),
    (f"my segwit address {BECH32_V0}", FA, BECH32_V0),
    (f"taproot: {BECH32M_V1}", FA, BECH32M_V1),
    (f"收款地址 {P2PKH}。", FA, P2PKH),
]


@pytest.mark.parametrize(("text", "ptype", "value"), POSITIVES)
def test_positive(rules: RuleExtractor, text: str, ptype: str, value: str) -> None:
    assert_found(rules, text, ptype, value, LEVELS[ptype])


PROSE = [
    "buy milk, bread, butter, cheese, apple, banana, orange, lemon, tomato, onion, garlic, pepper",
    "I will visit uncle, aunt, cousin, brother, sister, mother, father, then come home",
    "Now you can find more people like that when they come into town about this time",
    "please remember that you have tennis, soccer, piano, dance, swim practice, then dinner",
]


def _longest_list_streak(text: str) -> int:
    best = run = 0
    for word in re.findall(r"[A-Za-z]+", text):
        run = run + 1 if word.lower() in ENGLISH.wordlist else 0
        best = max(best, run)
    return best


@pytest.mark.parametrize("text", PROSE)
def test_prose_of_list_words_is_not_a_seed_phrase(crypto_only: RuleExtractor, text: str) -> None:
    assert _longest_list_streak(text) >= 12  # the test is only worth something if this holds
    assert spans_of(crypto_only, text) == []


HARD_NEGATIVES = [
    broken_checksum(SEED_12),  # list words with a bad checksum and no seed word before them
    "I need a seed phrase for my story about a pirate",
    "what is a mnemonic and how many words does it have?",
    "助记词丢了还能找回吗？",
    f"我的密码是{SEED_ZH[:1]}",
    "今天 天气 很 好 我们 去 公园 散步 吧",
    # hex that is a hash, not a key
    f"the sha256 is {HEX_KEY}",
    f"tx hash 0x{HEX_KEY}",
    f"commit {ETH_LOWER[2:]}",
    "private key: 0000000000000000000000000000000000000000000000000000000000000000",
    # addresses with broken checksums, or that are not addresses
    f"send it to {ETH_BAD_CHECKSUM}",
    f"bad {break_last_char(P2PKH, B58)}",
    break_last_char(BECH32_V0, BECH32),
    break_last_char(BECH32M_V1, BECH32),
    f"broken WIF {break_last_char(WIF_COMPRESSED, B58)}",
    "0x0000000000000000000000000000000000000000",
    "the ratio is 0x10 to 0x20",
    P2PKH[:10] + P2PKH[10:20][::-1] + P2PKH[20:],  # base58 shape, checksum invalid
]


@pytest.mark.parametrize("text", HARD_NEGATIVES)
def test_hard_negative(crypto_only: RuleExtractor, text: str) -> None:
    assert spans_of(crypto_only, text) == []


def test_seed_phrase_level_and_type(rules: RuleExtractor) -> None:
    (span,) = spans_of(rules, f"backup: {SEED_24}")
    assert (span.privacy_type, span.level, span.text) == (PK, PrivacyLevel.PL4, SEED_24)
