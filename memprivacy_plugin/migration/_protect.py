"""Protecting existing values the way the adapters protect new ones, with what each one holds.

`protect_values(guard, values, user_id=..., keys=...)` makes exactly the call `PrivateStore` makes
for a batch of puts (`guard.protect_data([v1, v2, ...], user_id=..., keys=fields)`: one batched
extraction and one vault call over the leaves of every value, in order), and also returns, for each
value, what its protection did (spans by level and type), so a migration can report it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence, Sized
from typing import Any, TypeVar

from .._data import leaf_text, leaves, like, map_leaves
from ..errors import ConfigError, ExtractionError, PolicyBlockedError
from ..guard import LITERAL_TYPE, PrivacyGuard, ProtectedText
from ..policy import Action
from ._report import MigrationReport
from ._resume import Checkpoint, Tally

__all__ = [
    "FAILED",
    "REWRITTEN",
    "UNCHANGED",
    "Protected",
    "chunks",
    "per_group",
    "protect_each",
    "protect_values",
    "regroup",
    "report_of",
    "tally_of",
]

REWRITTEN, UNCHANGED, FAILED = "rewritten", "unchanged", "failed"
#: Errors that fail one value (its text cannot be protected as the policy asks), not the run.
ITEM_ERRORS = (ExtractionError, PolicyBlockedError, ConfigError)

#: (new value, tally) per value; None where the value could not be protected.
Protected = tuple[Any, Tally] | None

_T = TypeVar("_T")
_R = TypeVar("_R")


def chunks(items: Iterable[_T], size: int) -> Iterator[list[_T]]:
    """`items` in lists of `size` (the last one shorter), read lazily."""
    chunk: list[_T] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def regroup(flat: Sequence[_R], groups: Iterable[Sized]) -> list[list[_R]]:
    """The results of a batch over flattened `groups`, split back into one list per group."""
    out: list[list[_R]] = []
    at = 0
    for group in groups:
        out.append(list(flat[at : at + len(group)]))
        at += len(group)
    return out


def per_group(call: Callable[[list[_T]], Sequence[_R]], groups: Sequence[list[_T]]) -> list[list[_R] | None]:
    """`call` over every group's items in one batch, split back per group; when the batch raises one
    of `ITEM_ERRORS`, group by group (None for a group that fails alone)."""
    flat = [x for group in groups for x in group]
    try:
        results = call(flat) if flat else []
    except ITEM_ERRORS:
        out: list[list[_R] | None] = []
        for group in groups:
            try:
                out.append(list(call(group)) if group else [])
            except ITEM_ERRORS:
                out.append(None)
        return out
    return list(regroup(results, groups))


def report_of(
    ckpt: Checkpoint, source: str, dry_run: bool, *, failed: int = 0, **fields: Any
) -> MigrationReport:
    """The whole job's report from its checkpoint file: the outcome of every item (runs before a
    resume included) and the spans they protected; `failed` adds this run's items that never reached
    the file, `fields` the migrator's own (history, residue)."""
    outcomes = ckpt.outcomes()
    report = MigrationReport(
        source=source,
        dry_run=dry_run,
        items_rewritten=outcomes.get(REWRITTEN, 0),
        items_unchanged=outcomes.get(UNCHANGED, 0),
        items_failed=failed + outcomes.get(FAILED, 0),
        resumed_from=ckpt.done_before,
        **fields,
    )
    report.items_seen = report.items_rewritten + report.items_unchanged + report.items_failed
    for tally in ckpt.tallies():
        for (level, kind), n in tally.items():
            report.spans_protected += n
            report.by_level[level] = report.by_level.get(level, 0) + n
            report.by_type[kind] = report.by_type.get(kind, 0) + n
    return report


def tally_of(results: Iterable[ProtectedText]) -> Tally:
    """Spans protected (placeholder or redaction), by (level, type); a literal placeholder-like
    text of the user's own is not a private value and is not counted."""
    tally: Tally = {}
    for result in results:
        for r in result.replacements:
            if r.action is not Action.KEEP and r.span.privacy_type != LITERAL_TYPE:
                key = (r.span.level.value, r.span.privacy_type)
                tally[key] = tally.get(key, 0) + 1
    return tally


def protect_values(
    guard: PrivacyGuard,
    values: Sequence[Any],
    *,
    user_id: str,
    keys: Sequence[str] | None = None,
    namespace: str | None = None,
    user_name: str | None = None,
) -> list[tuple[Any, Tally]]:
    """`guard.protect_data(list(values), user_id=..., keys=...)` value by value, with each
    value's tally. Raises what `protect_data` raises."""
    wanted = set(keys) if keys is not None else None
    found = [leaves(value, wanted) for value in values]
    texts = [leaf_text(leaf) for leafs in found for leaf in leafs]
    results = (
        guard.protect_batch(texts, user_id=user_id, user_name=user_name, namespace=namespace) if texts else []
    )
    return [
        (_rebuilt(value, wanted, [r.text for r in mine]), tally_of(mine))
        for value, mine in zip(values, regroup(results, found), strict=True)
    ]


def _rebuilt(value: Any, wanted: set[str] | None, texts: list[str]) -> Any:
    new = iter(texts)
    return map_leaves(value, wanted, lambda leaf: like(leaf, next(new)))


def protect_each(
    guard: PrivacyGuard,
    values: Sequence[Any],
    *,
    user_id: str,
    keys: Sequence[str] | None = None,
    namespace: str | None = None,
    user_name: str | None = None,
) -> list[Protected]:
    """`protect_values` that fails per value: the batch first, and if it raises one of
    `ITEM_ERRORS`, each value alone (None for those that fail). Vault and other errors propagate
    (they are not about one value)."""
    try:
        return list(
            protect_values(
                guard, values, user_id=user_id, keys=keys, namespace=namespace, user_name=user_name
            )
        )
    except ITEM_ERRORS:
        pass  # retried one by one below, outside this block: the error may hold nothing we keep
    out: list[Protected] = []
    for value in values:
        try:
            out.append(
                protect_values(
                    guard, [value], user_id=user_id, keys=keys, namespace=namespace, user_name=user_name
                )[0]
            )
        except ITEM_ERRORS:
            out.append(None)
    return out
