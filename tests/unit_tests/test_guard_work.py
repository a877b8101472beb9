"""The guard's work per span on long texts with very many spans: what it builds and asks the vault
for grows with the distinct values, not with the occurrences (no timing: the work is counted)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import pytest

from memprivacy_plugin import InMemoryVault, PrivacyGuard, PrivacySpan
from memprivacy_plugin.extractors.known import KnownValuesExtractor
from memprivacy_plugin.vault.base import VaultItem

PHONE = "13912345678"
OTHER = "13800001111"
KNOWN = KnownValuesExtractor({PHONE: "Phone Number", OTHER: "Phone Number", "482913": "Verification Code"})


class CountingVault(InMemoryVault):
    """Records the number of items of each `assign` call (`aassign` calls it too)."""

    def __init__(self) -> None:
        super().__init__()
        self.assigned: list[int] = []

    def assign(self, user_id: str, items: Sequence[VaultItem], *, namespace: str | None = None) -> list[str]:
        self.assigned.append(len(items))
        return super().assign(user_id, items, namespace=namespace)


def test_the_vault_is_asked_once_per_distinct_value() -> None:
    vault = CountingVault()
    guard = PrivacyGuard(extractor=KNOWN, vault=vault)
    text = f"call {PHONE} " * 1000 + f"or {OTHER} " * 500
    result = guard.protect(text, user_id="u1")
    assert vault.assigned == [2]
    assert result.text == "call <Phone_Number_1> " * 1000 + "or <Phone_Number_2> " * 500
    assert len(result.replacements) == 1500  # every occurrence is still reported
    asyncio.run(guard.aprotect(text, user_id="u1"))
    batch = guard.protect_batch([text, f"only {OTHER}", f"again {PHONE}"], user_id="u1")
    assert [r.text for r in batch[1:]] == ["only <Phone_Number_2>", "again <Phone_Number_1>"]
    assert vault.assigned == [2, 2, 2]  # one item per distinct value across the whole batch


def test_values_seen_before_where_the_extractor_finds_them_are_not_merged_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    guard = PrivacyGuard(extractor=KNOWN, vault=InMemoryVault())
    text = f"call {PHONE} " * 1000
    first = guard.protect(text, user_id="u1")  # remembers the value
    copies: list[int] = []
    real_copy = PrivacySpan.model_copy

    def counting_copy(self: PrivacySpan, *args: object, **kwargs: object) -> PrivacySpan:
        copies.append(1)
        return real_copy(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(PrivacySpan, "model_copy", counting_copy)
    again = guard.protect(text, user_id="u1")
    assert again.text == first.text
    assert [r.span.source for r in again.replacements] == [r.span.source for r in first.replacements]
    assert copies == []  # the extractor's span stands; no union of it with its own copy


def test_a_value_seen_before_at_a_higher_level_still_wins() -> None:
    class WeakFinder:
        """Finds the code as a mere account id (PL2)."""

        def extract(self, text: str, *, user_name: str | None = None) -> list[PrivacySpan]:
            at = text.find("482913")
            if at < 0:
                return []
            return [PrivacySpan(text="482913", start=at, end=at + 6, privacy_type="Account ID", level="PL2")]

    vault = InMemoryVault()
    guard = PrivacyGuard(extractor=KNOWN, vault=vault)
    guard.protect("code 482913", user_id="u1")  # remembered by this guard, as a PL4 code
    weak = PrivacyGuard(extractor=WeakFinder(), vault=vault)
    weak._seen = guard._seen  # the same memory of values
    result = weak.protect("my code 482913", user_id="u1")
    assert [(r.span.privacy_type, r.action.value) for r in result.replacements] == [
        ("Verification Code", "redact")
    ]
