"""Crypto-currency secrets and accounts: seed phrases and private keys (Private Key, PL4), and
wallet addresses (Financial Account, PL3), each validated by the library that defines it."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..engine import Recognizer
from ..validators import bip39_chinese, bip39_words, btc_address_ok, eth_address_ok, wif_key_ok
from ._keyed import keyed

__all__ = ["crypto_recognizers"]

# A run of candidate seed words: 3-8 letters each (every BIP-39 word is), one separator between
# them: a space, a comma, a line break, or list numbering ("1. abandon 2. ability").
_SEP = r"(?:[ ]|,[ ]?|[ ]?\n[ ]?|[ ]?\d{1,2}[.)][ ]?)"
_WORD_RUN = re.compile(
    rf"(?<![A-Za-z'\-])(?:[a-z]{{3,8}}{_SEP}){{5,}}[a-z]{{3,8}}(?![A-Za-z'\-])", re.IGNORECASE
)
_HAN_RUN = re.compile(r"(?:[\u4e00-\u9fff][ ,，、]{1,2}){5,}[\u4e00-\u9fff]")
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


def _seed_phrases(text: str) -> Iterator[tuple[int, int]]:
    """Runs of BIP-39 words: 12 or more anywhere, 6 or more after a seed-phrase word."""
    lower = text.lower()
    for run_re, words in ((_WORD_RUN, bip39_words), (_HAN_RUN, bip39_chinese)):
        for run in run_re.finditer(text):
            vocabulary = words()
            need = (
                _WITH_CONTEXT
                if any(k in lower[max(0, run.start() - 80) : run.start()] for k in _SEED_CONTEXT)
                else _FULL_PHRASE
            )
            streak: list[re.Match[str]] = []
            for word in _WORD.finditer(text, run.start(), run.end()):
                if word.group().lower() in vocabulary:
                    streak.append(word)
                    continue
                if len(streak) >= need:
                    yield streak[0].start(), streak[-1].end()
                streak = []
            if len(streak) >= need:
                yield streak[0].start(), streak[-1].end()


_HEX_KEY_WORDS = (
    "私钥",
    "密钥",
    r"private[ _-]?key",
    r"priv[ _-]?key",
    r"secret[ _-]?key",
    r"signing[ _-]?key",
    r"wallet[ _-]?key",
    r"master[ _-]?key",
)


def crypto_recognizers() -> list[Recognizer]:
    return [
        Recognizer(
            "seed_phrase",
            "Private Key",
            finder=_seed_phrases,
            score=0.95,
            description="BIP-39 seed phrases (mnemonic's word lists): 12+ words, 6+ after a seed word",
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
