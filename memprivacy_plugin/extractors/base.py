"""The extractor protocol shared by every extractor, and a base class with the batch and async
forms derived from `extract`.

Any object with `extract(text, *, user_name=None) -> list[PrivacySpan]` is an extractor; the
guard calls `extract_batch` and `aextract` when they exist and falls back to `extract` when not.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Protocol, runtime_checkable

from ..spans import PrivacySpan

__all__ = ["BaseExtractor", "Extractor", "aextract_with", "extract_batch_with"]


@runtime_checkable
class Extractor(Protocol):
    """Finds privacy-sensitive spans in one message."""

    def extract(self, text: str, *, user_name: str | None = None) -> list[PrivacySpan]: ...


class BaseExtractor:
    """Skeleton for extractors: subclasses implement `extract`; batched backends override
    `extract_batch`, async-native ones override `aextract`."""

    name: str = "extractor"

    def extract(self, text: str, *, user_name: str | None = None) -> list[PrivacySpan]:
        raise NotImplementedError

    def extract_batch(self, texts: Sequence[str], *, user_name: str | None = None) -> list[list[PrivacySpan]]:
        return [self.extract(t, user_name=user_name) for t in texts]

    async def aextract(self, text: str, *, user_name: str | None = None) -> list[PrivacySpan]:
        return await asyncio.to_thread(self.extract, text, user_name=user_name)

    async def aextract_batch(
        self, texts: Sequence[str], *, user_name: str | None = None
    ) -> list[list[PrivacySpan]]:
        return await asyncio.to_thread(self.extract_batch, texts, user_name=user_name)

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


def extract_batch_with(
    extractor: Extractor, texts: Sequence[str], *, user_name: str | None = None
) -> list[list[PrivacySpan]]:
    """`extractor.extract_batch` where it exists, else one `extract` per text."""
    batch = getattr(extractor, "extract_batch", None)
    if callable(batch):
        return list(batch(texts, user_name=user_name))
    return [extractor.extract(t, user_name=user_name) for t in texts]


async def aextract_with(
    extractor: Extractor, text: str, *, user_name: str | None = None
) -> list[PrivacySpan]:
    """`extractor.aextract` where it exists, else `extract` in a worker thread."""
    native = getattr(extractor, "aextract", None)
    if callable(native):
        return list(await native(text, user_name=user_name))
    return await asyncio.to_thread(extractor.extract, text, user_name=user_name)
