"""Crypto-currency secrets and accounts: seed phrases and private keys (Private Key, PL4), and
wallet addresses (Financial Account, PL3), each validated by the library that defines it."""

from __future__ import annotations

import re
import string
from collections.abc import Iterator
from functools import cache

from ..engine import Recognizer, Scan, ScanFinder
from ..validators import (
    bip39_chinese,
    bip39_phrase_ok,
    bip39_words,
    btc_address_ok,
    eth_address_ok,
    extended_key_ok,
    wif_key_ok,
)
from ._keyed import keyed

__all__ = ["crypto_recognizers"]

# A run of candidate seed words: 3-8 letters each (every BIP-39 word is), one separator between
# them: a space, a comma, a line break (with a bullet or a number after it), or list numbering
# ("1. abandon 2. ability", "1) abandon\n2) ability").
_SEP = r"(?:[ ]|,[ ]?|[ ]?-[ ]?|[ ]?\r?\n[ ]?(?:[-*•][ ]|\d{1,2}[.)、][ ]?)?|[ ]?\d{1,2}[.)][ ]?)"
# 12+ words anywhere; 6+ only right after a seed-phrase word (looked for near those words only).
_WORD_RUN = re.compile(
    rf"(?<![A-Za-z'\-])(?:[a-z]{{3,8}}{_SEP}){{11,}}[a-z]{{3,8}}(?![A-Za-z'\-])", re.IGNORECASE
)
_SHORT_RUN = re.compile(
    rf"(?<![A-Za-z'\-])(?:[a-z]{{3,8}}{_SEP}){{5,}}[a-z]{{3,8}}(?![A-Za-z'\-])", re.IGNORECASE
)
# Single characters with separators, not inside running Chinese text ("助记词是 难 乘 ...").
_HAN_RUN = re.compile(
    r"(?<![\u4e00-\u9fff])(?:[\u4e00-\u9fff][ ,，、]{1,2}){11,}[\u4e00-\u9fff](?![\u4e00-\u9fff])"
)
_HAN_SHORT = re.compile(
    r"(?<![\u4e00-\u9fff])(?:[\u4e00-\u9fff][ ,，、]{1,2}){5,}[\u4e00-\u9fff](?![\u4e00-\u9fff])"
)
_HAN_THEN_SEPARATOR = re.compile(r"[\u4e00-\u9fff][ ,，、]")
_WORD = re.compile(r"[A-Za-z]+|[\u4e00-\u9fff]")
_SEED_CONTEXT = (
    "seed",
    "mnemonic",
    "recovery phrase",
    "recovery words",
    "backup phrase",
    "secret phrase",
    "wallet words",
    "12 words",
    "24 words",
    "助记词",
    "种子",
    "恢复短语",
    "钱包",
)
_FULL_PHRASE = 12
_WITH_CONTEXT = 6
_CONTEXT_REACH = 80


class _SeedPhrases(ScanFinder):
    """Streaks of BIP-39 words: 6 or more after a seed-phrase word; anywhere else, a whole
    mnemonic whose checksum holds (prose made of list words almost never has one)."""

    watch = _SEED_CONTEXT

    def find(self, scan: Scan) -> Iterator[tuple[int, int]]:
        text = scan.text
        context = [word for word in _SEED_CONTEXT if scan.has(word)]
        need = _WITH_CONTEXT if context else _FULL_PHRASE
        latin = _longest_streak(scan.lower, need) >= need
        han = not text.isascii() and len(_HAN_THEN_SEPARATOR.findall(text)) >= need - 1
        if not (latin or han):  # the common case, found without a regex
            return
        runs = [(m, _FULL_PHRASE) for m in _WORD_RUN.finditer(text)] if latin else []
        if han:
            runs += [(m, _FULL_PHRASE) for m in _HAN_RUN.finditer(text)]
        for word in context:
            for pos in _positions(scan.lower, word):
                start, end = pos, min(len(text), pos + len(word) + _CONTEXT_REACH + 400)
                if latin:
                    runs += [(m, _WITH_CONTEXT) for m in _SHORT_RUN.finditer(text, start, end)]
                if han:
                    runs += [(m, _WITH_CONTEXT) for m in _HAN_SHORT.finditer(text, start, end)]
        if not runs:
            return
        seen: set[tuple[int, int]] = set()
        for run, need in runs:
            vocabulary = bip39_chinese() if run.re in (_HAN_RUN, _HAN_SHORT) else bip39_words()
            streak: list[re.Match[str]] = []
            for word_match in _WORD.finditer(text, run.start(), run.end()):
                if word_match.group().lower() in vocabulary:
                    streak.append(word_match)
                    continue
                seen.update(_phrase(streak, need))
                streak = []
            seen.update(_phrase(streak, need))
        yield from sorted(seen)


def _phrase(streak: list[re.Match[str]], need: int) -> list[tuple[int, int]]:
    """The seed phrase in a streak of list words: all of it after a seed word (`need` is then
    `_WITH_CONTEXT`); otherwise the streak, or the streak less one word at either end, when it is
    a mnemonic with a valid checksum."""
    n = len(streak)
    if n < need:
        return []
    if need < _FULL_PHRASE:
        return [(streak[0].start(), streak[-1].end())]
    for a, b in ((0, n), (1, n), (0, n - 1)):
        if bip39_phrase_ok([w.group() for w in streak[a:b]]):
            return [(streak[a].start(), streak[b - 1].end())]
    return []


def _longest_streak(lower: str, need: int) -> int:
    """The longest run of list words, punctuation, digits (list numbering such as "3.") and
    non-ASCII characters read as spaces: a cheap upper bound on the words of any phrase the regexes
    can find. Every step runs in C (encode, bytes.translate, split, map, bytes.split): this is
    computed for every message. Only the Latin-script lists count here; a phrase in another script
    is found after a seed word."""
    vocabulary = _ascii_words()
    tokens = lower.encode("ascii", "replace").translate(_SPACES).split()
    if len(tokens) < need:
        return 0
    flags = bytes(map(vocabulary.__contains__, tokens))
    return max(map(len, flags.split(b"\0")))


@cache
def _ascii_words() -> frozenset[bytes]:
    return frozenset(w.encode() for w in bip39_words() if w.isascii())


_SPACES = bytes(
    32 if chr(b) in string.punctuation + string.digits + string.whitespace + "?" else b for b in range(256)
)


def _positions(lower: str, word: str) -> Iterator[int]:
    pos = lower.find(word)
    while pos != -1:
        yield pos
        pos = lower.find(word, pos + 1)


_HEX_KEY_WORDS = (
    "私钥",
    "密钥",
    r"private[ _-]?key",
    r"priv[ _-]?key",
    r"secret[ _-]?key",
    r"signing[ _-]?key",
    r"wallet[ _-]?key",
    r"master[ _-]?key",
    r"key",
)


def crypto_recognizers() -> list[Recognizer]:
    return [
        Recognizer(
            "seed_phrase",
            "Private Key",
            finder=_SeedPhrases(),
            score=0.95,
            description="BIP-39 seed phrases (mnemonic's word lists): a mnemonic with a valid checksum, "
            "or 6+ list words after a seed word",
        ),
        keyed(
            "hex_private_key",
            "Private Key",
            _HEX_KEY_WORDS,
            r"(?:0x)?[0-9a-f]{64}(?:[0-9a-f]{64})?",
            validator=lambda v: len(set(v.lower().removeprefix("0x"))) >= 10,
            score=0.95,
            trigger=("私钥", "密钥", "key"),
            description="64/128 hex digits after a private-key word",
        ),
        Recognizer(
            "wif_private_key",
            "Private Key",
            pattern=r"(?-i:(?<![0-9A-Za-z])[5KL][1-9A-HJ-NP-Za-km-z]{50,51}(?![0-9A-Za-z]))",
            validator=wif_key_ok,
            score=0.97,
            min_digits=1,
            description="Bitcoin private keys in Wallet Import Format (base58check)",
        ),
        Recognizer(
            "extended_private_key",
            "Private Key",
            pattern=r"(?-i:(?<![0-9A-Za-z])[xyzt]prv[1-9A-HJ-NP-Za-km-z]{100,108}(?![0-9A-Za-z]))",
            validator=extended_key_ok,
            score=0.98,
            trigger=("prv",),
            trigger_in_match=True,
            description="BIP-32 extended private keys (xprv..., base58check)",
        ),
        Recognizer(
            "extended_public_key",
            "Financial Account",
            pattern=r"(?-i:(?<![0-9A-Za-z])[xyzt]pub[1-9A-HJ-NP-Za-km-z]{100,108}(?![0-9A-Za-z]))",
            validator=extended_key_ok,
            score=0.95,
            trigger=("pub",),
            trigger_in_match=True,
            description="BIP-32 extended public keys (xpub...: they reveal every address of a wallet)",
        ),
        Recognizer(
            "eth_address",
            "Financial Account",
            pattern=r"(?<![0-9A-Za-z])0x[0-9a-f]{40}(?![0-9A-Za-z])",
            validator=eth_address_ok,
            score=0.95,
            trigger=("0x",),
            trigger_in_match=True,
            description="Ethereum addresses (EIP-55 checksum when mixed case)",
        ),
        Recognizer(
            "btc_address",
            "Financial Account",
            pattern=r"(?<![0-9A-Za-z])(?:(?-i:[13][1-9A-HJ-NP-Za-km-z]{25,34})|bc1[02-9ac-hj-np-z]{6,87})"
            r"(?![0-9A-Za-z])",
            validator=btc_address_ok,
            score=0.95,
            min_digits=1,
            description="Bitcoin addresses, base58check or bech32 (stdnum.bitcoin)",
        ),
    ]
