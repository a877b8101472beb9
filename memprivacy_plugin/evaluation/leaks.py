"""Leak checks: which protected values survive into text bound for the cloud.

Used by the integrations' leak tests and by the evaluation harness: give it the values a policy
protects (for example the gold annotations of a dataset) and every text that reached the cloud side
(an embedder's input, a vector store's payloads, a model's prompt), and it names what leaked.
Placeholders and redactions (`<Email_1>`, `<Password>`) are removed before checking, so a value
such as "Email" is not reported because it appears inside a placeholder name.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from ..policy import Action, PrivacyPolicy
from ..taxonomy import PrivacyLevel, normalize_type

__all__ = ["Leak", "find_leaks", "protected_values"]

# Placeholders and redactions: `<Type_N>`, `<Type>`, in any tolerated spelling.
_TOKENS = re.compile(r"(?:\\?<|&lt;)[ \t]*[A-Za-z][A-Za-z0-9_ \t\\-]{0,120}?(?:\\?>|&gt;)")


@dataclass(frozen=True)
class Leak:
    value: str
    where: str  # a label for the place it was found (e.g. "embedder input")


def protected_values(
    spans: Iterable[tuple[str, str, PrivacyLevel | str]],
    policy: PrivacyPolicy | None = None,
    *,
    min_length: int = 3,
) -> set[str]:
    """The values of (text, type, level) triples that `policy` does not keep. Values shorter than
    `min_length` are left out: "12" would be found inside any number."""
    policy = policy or PrivacyPolicy.default()
    out: set[str] = set()
    for text, privacy_type, level in spans:
        value = text.strip()
        if len(value) < min_length:
            continue
        tag = normalize_type(privacy_type).name
        action = policy.types.get(tag) or policy.levels[PrivacyLevel(level)]
        if action is not Action.KEEP:
            out.add(value)
    return out


def find_leaks(texts: Iterable[tuple[str, str]], values: Iterable[str]) -> list[Leak]:
    """Every (value, where) such that a protected value occurs in a cloud-bound text.

    `texts` are (where, text) pairs; placeholders and redactions are stripped from each text first."""
    wanted = sorted(set(values), key=len, reverse=True)
    leaks: list[Leak] = []
    for where, text in texts:
        clean = _TOKENS.sub(" ", text)
        leaks.extend(Leak(value=v, where=where) for v in wanted if v in clean)
    return leaks
