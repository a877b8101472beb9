"""What `PrivacyGuard` asks the vault for: the placeholders written in texts and data, and the
distinct items to assign for a batch of planned texts. Kept apart so `guard.py` stays short."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ._data import leaf_text, leaves
from .placeholders import PLACEHOLDER_RE, placeholder_key, placeholder_name
from .policy import Action
from .restore import placeholder_keys
from .spans import PrivacySpan
from .taxonomy import PrivacyLevel
from .vault.base import VaultItem

__all__ = ["Plan", "placeholder_keys_in", "placeholder_tokens", "vault_items"]

#: The spans of a text to act on and, beside them, the action for each.
Plan = tuple[list[PrivacySpan], list[Action]]


def placeholder_keys_in(texts: Iterable[str]) -> set[str]:
    """The keys of every placeholder spelling in the texts (to ask the vault which are this user's)."""
    keys: set[str] = set()
    for text in texts:
        if "<" in text or "&" in text:
            keys |= placeholder_keys(text)
    return keys


def placeholder_tokens(data: Any) -> dict[str, str]:
    """Each placeholder written in `data` (every string, at any depth), as written, with its key."""
    return {
        m.group(0): placeholder_key(m["name"], m["num"])
        for leaf in leaves(data, None)
        for m in PLACEHOLDER_RE.finditer(leaf_text(leaf))
    }


def vault_items(plans: Iterable[Plan]) -> tuple[list[VaultItem], list[int]]:
    """The distinct vault items of the spans to replace by placeholders, and for each such span,
    in order, the index of its item. The vault gives a value one placeholder per scope, so asking
    once per distinct value is the same as asking once per span, with less to build and hash."""
    items: list[VaultItem] = []
    refs: list[int] = []
    index: dict[tuple[str, str, PrivacyLevel], int] = {}
    for spans, actions in plans:
        for s, a in zip(spans, actions, strict=True):
            if a is not Action.PLACEHOLDER:
                continue
            key = (s.text, s.privacy_type, s.level)
            at = index.get(key)
            if at is None:
                at = index[key] = len(items)
                items.append(
                    VaultItem(
                        name=placeholder_name(s.privacy_type),
                        value=s.text,
                        privacy_type=s.privacy_type,
                        level=s.level,
                    )
                )
            refs.append(at)
    return items, refs
