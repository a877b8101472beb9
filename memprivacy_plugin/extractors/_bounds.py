"""How an extractor says where the guard may run it: `linear_time` and `async_native`, read the
same way by the guard (`memprivacy_plugin._runner`) and by `EnsembleExtractor` for its members;
and how long a call may take: `work_units(text)`, the model calls a text needs (the chunks of a long
message), so that the guard's bound, which is per call, grows with them (`work_units` below).

`linear_time = True` lets the guard call `extract` inline, with no time bound, so it must speak
for the very methods that run. It counts only where it is declared at or below the class that
defines `extract` (and `extract_batch`, when there is one): a subclass that overrides `extract`
without declaring `linear_time` itself is not linear time, whatever its base says. An instance
may refine its class's declaration (the rule extractor turns it off when given rules of the
user's own), not make up for a missing one.
"""

from __future__ import annotations

from collections.abc import Sequence

from .base import BaseExtractor

__all__ = ["is_async_native", "is_linear_time", "work_units"]

_METHODS = ("extract", "extract_batch")


def _declares_linear_time(cls: type) -> bool:
    """Whether `linear_time` is declared at or below every class in the MRO of `cls` that defines
    one of the methods the guard may call inline."""
    declared_at: int | None = None
    for depth, klass in enumerate(cls.__mro__):
        names = vars(klass)
        if declared_at is None and "linear_time" in names:
            declared_at = depth
        if any(m in names for m in _METHODS) and declared_at is None:
            return False  # a method defined below any declaration: the declaration is not its
    return declared_at is not None


def is_linear_time(extractor: object) -> bool:
    """True when `extractor` declares `linear_time = True` for the `extract` it runs."""
    own = getattr(extractor, "__dict__", None)
    if isinstance(own, dict) and any(m in own for m in _METHODS):
        return False  # a method set on the instance itself: nothing declares it
    if not _declares_linear_time(type(extractor)):
        return False
    return getattr(extractor, "linear_time", False) is True


def is_async_native(extractor: object) -> bool:
    """A declared `async_native`, else whether its `aextract` is other than `BaseExtractor`'s."""
    declared = getattr(extractor, "async_native", None)
    if isinstance(declared, bool):
        return declared
    method = getattr(type(extractor), "aextract", None)
    return callable(method) and method is not BaseExtractor.aextract


def work_units(extractor: object, texts: Sequence[str]) -> int:
    """How many times its per-call bound an extraction of `texts` may take: for each text the
    extractor's `work_units(text)` when it declares one (a chunked model: the chunks of a long
    message), else one; at least one in all. A declaration that fails or is not a positive whole
    number counts as one (the extraction then fails or succeeds on its own)."""
    declared = getattr(extractor, "work_units", None)
    total = 0
    for text in texts:
        units = 1
        if callable(declared):
            try:
                value = declared(text)
            except Exception:
                value = 1
            if isinstance(value, int) and not isinstance(value, bool) and value > 1:
                units = value
        total += units
    return max(1, total)
