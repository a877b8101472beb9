"""The extractor protocol shared by every extractor, and a base class with the batch and async
forms derived from `extract`.

Any object with `extract(text, *, user_name=None) -> list[PrivacySpan]` is an extractor; the
guard calls `extract_batch` and `aextract` when they exist and falls back to `extract` when not.

Coverage: an extractor may say which types it can find, as `coverage`, a set of type names
(standard tags of `memprivacy_plugin.taxonomy`, or custom ones), or `{ANY_TYPE}` for an open
vocabulary (a generative model can emit any type). The guard compares it with what the policy
protects and warns once about the difference (see `memprivacy_plugin._coverage`). An extractor
without `coverage`, or with `coverage = None`, has an unknown coverage: nothing is claimed for it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Sequence
from typing import Protocol, runtime_checkable

from ..spans import PrivacySpan
from ..taxonomy import normalize_type

__all__ = [
    "ANY_TYPE",
    "BaseExtractor",
    "Extractor",
    "aextract_with",
    "as_coverage",
    "coverage_of",
    "extract_batch_with",
    "label_coverage",
]

#: In a `coverage`: the extractor can find any type (a model with an open vocabulary).
ANY_TYPE = "*"


@runtime_checkable
class Extractor(Protocol):
    """Finds privacy-sensitive spans in one message."""

    def extract(self, text: str, *, user_name: str | None = None) -> list[PrivacySpan]: ...


class BaseExtractor:
    """Skeleton for extractors: subclasses implement `extract`; batched backends override
    `extract_batch`, async-native ones override `aextract`."""

    name: str = "extractor"

    @property
    def coverage(self) -> frozenset[str] | None:
        """The types this extractor can find (see the module docstring); None: not declared."""
        return None

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


def coverage_of(extractor: object) -> frozenset[str] | None:
    """The types `extractor` declares it can find (`as_coverage` of its `coverage`); None when it
    declares none."""
    return as_coverage(getattr(extractor, "coverage", None))


def as_coverage(declared: object) -> frozenset[str] | None:
    """A declared coverage as standard tag names (synonyms normalised, custom names kept), with
    `ANY_TYPE` for an open vocabulary; None for None, or for anything that is not a collection of
    type names (a declaration that cannot be read claims nothing)."""
    if declared is None:
        return None
    if isinstance(declared, str):
        declared = (declared,)
    if not isinstance(declared, Iterable):
        return None
    names: set[str] = set()
    for item in declared:
        if not isinstance(item, str):
            return None
        names.add(item if item == ANY_TYPE else normalize_type(item).name)
    return frozenset(names)


class _LabelRule(Protocol):
    @property
    def privacy_type(self) -> str: ...
    @property
    def person(self) -> bool: ...
    @property
    def address_part(self) -> bool: ...


def label_coverage(rules: Iterable[_LabelRule | None]) -> frozenset[str]:
    """The coverage of a label map (spaCy, token classifiers): each extracted label's type; a
    person label gives Real Name and Relationship Info (the user's own name or another's), and an
    address part gives nothing (it is kept only joined to an address another label found)."""
    names: set[str] = set()
    for rule in rules:
        if rule is None or rule.address_part:
            continue
        names.add(normalize_type(rule.privacy_type).name)
        if rule.person:
            names.update(("Real Name", "Relationship Info"))
    return frozenset(names)
