"""`RuleExtractor`: a fast, offline, deterministic extractor for private data with a recognisable form.

It is a registry of named recognisers (Presidio-style). Each `Recognizer` has a name, a standard type
tag, a level (from the taxonomy unless given), and either a regular expression or a finder function
that yields candidate spans; an optional validator (python-stdnum, phonenumbers, `ipaddress`, BIP-39
word lists, EIP-55) and optional context keywords filter the candidates. Users add their own
recognisers (`RuleExtractor(extra=[...])`, `.add(...)`), disable built-in ones by name
(`RuleExtractor(disabled={"ipv4"})`) and list them (`.recognizers`, `.names()`).

Modules: `text` (the folded text rules match on, and the map back to the message), `engine`
(recognisers, the scan, the extractor), `validators`, `phones` (the phone finder), and `catalog`,
one module per family (secrets, crypto, identifiers, finance, health, vehicles, contact,
accounts, background, relationships).

Deliberately not extracted: public service and business numbers (short codes such as 110/911/12345,
toll-free, shared-cost and premium-rate numbers such as 400-800-8888 and 1-800 numbers), loopback,
unspecified, multicast and well-known public resolver IP addresses, e-mail addresses on reserved
example/test domains (example.com/.org/.net, *.example, *.test, *.invalid, *.localhost), and
numbers that are only dates, times, prices, versions, order numbers or quantities.
"""

from __future__ import annotations

from .catalog import FAMILIES, default_recognizers
from .catalog._keyed import keyed, keyed_after
from .engine import Finder, Recognizer, RuleExtractor, Scan, ScanFinder, Validator
from .text import MatchText, fold_width

__all__ = [
    "FAMILIES",
    "Finder",
    "MatchText",
    "Recognizer",
    "RuleExtractor",
    "Scan",
    "ScanFinder",
    "Validator",
    "default_recognizers",
    "fold_width",
    "keyed",
    "keyed_after",
]
