"""The guard's own overhead per message, beyond the extractor.

Over the user turns of MemPrivacy-Bench and PersonaMem-v2 (read in place), with the rule
extractor and a real encrypted SQLite vault in a temporary directory:

- extract: `RuleExtractor.extract` alone;
- protect: `PrivacyGuard.protect` with a replay extractor that returns the spans found above, so
  the time is the guard's own work (span checks, merge, policy, vault transaction, assembly);
  reported over all turns and over the turns that have spans (the others never touch the vault);
- restore: `PrivacyGuard.restore` of the protected text, over all turns and over the turns that
  hold a placeholder.

The first pass over the data assigns the placeholders (cold: vault inserts); the timed passes
after it are the steady state of a user whose values are already in the vault, reported
separately from the cold pass.

Last, one fixed message with five spans (a name, a phone number, an email, a health condition,
a verification code), protected and restored in a loop against both vaults: the same spans
whatever the rules find, so figures compare across versions.

    python benchmarks/bench_guard.py [--limit N] [--repeat R] [--no-remember]
"""

from __future__ import annotations

import argparse
import functools
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _rules_eval import user_texts

from memprivacy_plugin import PrivacyGuard, PrivacySpan, RuleExtractor, SQLiteVault
from memprivacy_plugin.vault.crypto import generate_key


class Replay:
    """Returns precomputed spans for each text, so only the guard is timed."""

    linear_time = True  # a dict lookup: the guard may call it inline, as it does the rules

    def __init__(self, found: dict[str, list[PrivacySpan]]) -> None:
        self.found = found

    def extract(self, text: str, *, user_name: str | None = None) -> list[PrivacySpan]:
        return self.found[text]


def _per_message_us(fn: Callable[[str], object], texts: list[str], repeat: int) -> float:
    runs = []
    for _ in range(repeat):
        started = time.perf_counter()
        for t in texts:
            fn(t)
        runs.append((time.perf_counter() - started) / len(texts) * 1e6)
    return statistics.median(runs)


PHONE = "+1 415 867 5309"
EMAIL = "dana.whitfield@fastmail.com"
FIXED = f"I'm Dana Whitfield, call {PHONE} or mail {EMAIL}. I have type 2 diabetes; my code is 482913."
FIXED_VALUES = [
    ("Dana Whitfield", "Real Name", "PL2"),
    (PHONE, "Phone Number", "PL2"),
    (EMAIL, "Email", "PL2"),
    ("type 2 diabetes", "Medical Health", "PL3"),
    ("482913", "Verification Code", "PL4"),
]


def _fixed_message(tmp: str, repeat: int, remember: bool) -> list[tuple[str, float, float]]:
    from memprivacy_plugin import InMemoryVault
    from memprivacy_plugin.extractors.known import KnownValuesExtractor

    spans = KnownValuesExtractor(FIXED_VALUES).extract(FIXED)
    replay = Replay({FIXED: spans})
    out = []
    for label, vault in (
        ("in memory", InMemoryVault()),
        ("SQLite", SQLiteVault(Path(tmp) / "fixed.sqlite3", key=generate_key())),
    ):
        guard = PrivacyGuard(extractor=replay, vault=vault, remember_values=remember)
        protected = guard.protect(FIXED, user_id="bench").text
        loop = [FIXED] * 2000
        protect_us = _per_message_us(functools.partial(guard.protect, user_id="bench"), loop, repeat)
        restore = functools.partial(guard.restore, user_id="bench")
        restore_us = _per_message_us(restore, [protected] * 2000, repeat)
        out.append((label, protect_us, restore_us))
        guard.close()
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--limit", type=int, default=0, help="use only the first N user turns")
    parser.add_argument("--repeat", type=int, default=5, help="timed passes (median reported)")
    parser.add_argument(
        "--no-remember", action="store_true", help="guards with remember_values=False (no memory)"
    )
    args = parser.parse_args(argv)

    texts = user_texts(args.limit)
    rules = RuleExtractor()
    found = {t: rules.extract(t) for t in texts}
    spanned = [t for t in texts if found[t]]

    with tempfile.TemporaryDirectory() as tmp:
        vault = SQLiteVault(Path(tmp) / "vault.sqlite3", key=generate_key())
        remember = not args.no_remember
        guard = PrivacyGuard(extractor=Replay(found), vault=vault, remember_values=remember)
        full = PrivacyGuard(extractor=rules, vault=vault, remember_values=remember)

        started = time.perf_counter()
        protected = {t: guard.protect(t, user_id="bench").text for t in texts}
        cold_us = (time.perf_counter() - started) / len(texts) * 1e6

        extract_us = _per_message_us(rules.extract, texts, args.repeat)
        protect_us = _per_message_us(lambda t: guard.protect(t, user_id="bench"), texts, args.repeat)
        spanned_us = _per_message_us(lambda t: guard.protect(t, user_id="bench"), spanned, args.repeat)
        full_us = _per_message_us(lambda t: full.protect(t, user_id="bench"), texts, args.repeat)
        outs = [protected[t] for t in texts]
        with_placeholders = [protected[t] for t in spanned if protected[t] != t]
        restore_us = _per_message_us(lambda t: guard.restore(t, user_id="bench"), outs, args.repeat)
        restore_ph_us = _per_message_us(
            lambda t: guard.restore(t, user_id="bench"), with_placeholders, args.repeat
        )
        guard.close()
        fixed = _fixed_message(tmp, args.repeat, remember)

    memory = "values seen before remembered" if remember else "remember_values=False"
    print(f"{len(texts)} user turns, {len(spanned)} with spans; {memory}; median of {args.repeat} passes\n")
    print("| measure | per message |")
    print("|---|---|")
    print(f"| rule extractor alone | {extract_us:.1f} µs ({1e6 / extract_us:,.0f} msg/s) |")
    print(f"| guard overhead beyond extraction, steady state, all turns | {protect_us:.1f} µs |")
    print(f"| guard overhead beyond extraction, steady state, turns with spans | {spanned_us:.1f} µs |")
    print(f"| guard overhead, first pass (assigns placeholders) | {cold_us:.1f} µs |")
    print(f"| full protect (rules + guard) | {full_us:.1f} µs ({1e6 / full_us:,.0f} msg/s) |")
    print(f"| restore, all turns | {restore_us:.1f} µs |")
    print(f"| restore, turns holding a placeholder ({len(with_placeholders)}) | {restore_ph_us:.1f} µs |")
    for label, protect_fixed, restore_fixed in fixed:
        print(f"| one message with 5 spans, {label} vault: guard overhead | {protect_fixed:.1f} µs |")
        print(f"| one message with 5 spans, {label} vault: restore | {restore_fixed:.1f} µs |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
