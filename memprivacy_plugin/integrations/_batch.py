"""Batched protect and restore of a list of strings for one identity, sync and async: what every
adapter does once it has gathered the strings of a call (one batched extraction, one vault call).

No LangChain here: the mem0 adapter can use it as well as the message walker.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from ..guard import PrivacyGuard
from ._identity import Identity

__all__ = ["aprotect_texts", "arestore_texts", "protect_texts", "reprotect_known", "restore_texts"]


def protect_texts(guard: PrivacyGuard, texts: Sequence[str], who: Identity) -> list[str]:
    """The placeholder form of each text (`PrivacyGuard.protect_batch`): one extraction call."""
    if not texts:
        return []
    done = guard.protect_batch(
        list(texts), user_id=who.vault_user, user_name=who.user_name, namespace=who.namespace
    )
    return [r.text for r in done]


async def aprotect_texts(guard: PrivacyGuard, texts: Sequence[str], who: Identity) -> list[str]:
    if not texts:
        return []
    done = await guard.aprotect_batch(
        list(texts), user_id=who.vault_user, user_name=who.user_name, namespace=who.namespace
    )
    return [r.text for r in done]


def restore_texts(guard: PrivacyGuard, texts: Sequence[str], who: Identity) -> list[str]:
    """Each text with this user's values back (one vault lookup for all of them)."""
    if not texts:
        return []
    return list(guard.restore_data(list(texts), **who.scope()))


async def arestore_texts(guard: PrivacyGuard, texts: Sequence[str], who: Identity) -> list[str]:
    if not texts:
        return []
    return list(await guard.arestore_data(list(texts), **who.scope()))


# Anything written between brackets, as a placeholder or a redaction is, in any spelling
# (`<Phone_Number_1>`, `\<Phone\_Number\_1\>`, `&lt;...&gt;`): never rewritten by `reprotect_known`.
_BRACKETED = re.compile(r"(?:\\?<|&lt;)[^<>\n]{0,200}?(?:\\?>|&gt;)", re.IGNORECASE)


def reprotect_known(text: str, known: Mapping[str, str]) -> str:
    """`text` (already protected) with each known real value (value -> its placeholder) still in
    it swapped back to its placeholder: a safety net for values the extractor would miss, such as
    a local tool echoing the real arguments it was given. One pass, longest values first, never
    inside a bracketed token."""
    values = [v for v in sorted(known, key=len, reverse=True) if v]
    if not values or not any(v in text for v in values):
        return text
    pattern = re.compile("|".join(map(re.escape, values)))
    pieces: list[str] = []
    last = 0
    for m in _BRACKETED.finditer(text):
        pieces.append(pattern.sub(lambda v: known[v.group(0)], text[last : m.start()]))
        pieces.append(m.group(0))
        last = m.end()
    pieces.append(pattern.sub(lambda v: known[v.group(0)], text[last:]))
    return "".join(pieces)
