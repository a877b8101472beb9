"""What comes back from mem0, and which part of it is restored: only what the wrapper protected.

Restored: the memory texts (`memory`, and the `previous_memory`, `old_memory`, `new_memory` of
events and history rows), and metadata where the wrapper protects it (all of it, or the keys given
as `protect_metadata`). Never restored: identifiers (`user_id`, `agent_id`, `run_id`, `actor_id`,
which holds a message's `name`), `role`, `event`, ids, hashes, scores, and metadata the wrapper
passed through. Restoring a field that was sent as given would turn text that merely looks like
a placeholder into a private value.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ._identity import item_vault_user

__all__ = ["TEXT_FIELDS", "Restoring", "plan_restore"]

TEXT_FIELDS = ("memory", "previous_memory", "old_memory", "new_memory")


@dataclass
class Restoring:
    """An answer being restored. `items` are its memory items (those to restore copied, so the
    answer mem0 gave is not changed); per vault user, the (item, field) places of the texts and
    the items whose metadata that user's vault restores."""

    result: Any
    items: list[Any]
    texts: dict[str, list[tuple[int, str]]] = field(default_factory=dict)
    metadata: dict[str, list[int]] = field(default_factory=dict)

    def scopes(self) -> list[str]:
        return sorted({*self.texts, *self.metadata})

    def text_values(self, scope: str) -> list[str]:
        return [self.items[i][f] for i, f in self.texts.get(scope, [])]

    def metadata_values(self, scope: str) -> list[Any]:
        return [self.items[i]["metadata"] for i in self.metadata.get(scope, [])]

    def put(self, scope: str, texts: list[str], metadata: list[Any]) -> None:
        for (i, f), text in zip(self.texts.get(scope, []), texts, strict=True):
            self.items[i][f] = text
        for i, meta in zip(self.metadata.get(scope, []), metadata, strict=True):
            self.items[i]["metadata"] = meta

    def answer(self) -> Any:
        """The answer in mem0's shape, with the restored items."""
        if isinstance(self.result, dict) and isinstance(self.result.get("results"), list):
            return {**self.result, "results": self.items}
        if isinstance(self.result, list):
            return self.items
        return self.items[0]


def plan_restore(result: Any, fallback: str | None, *, metadata: bool) -> Restoring | None:
    """What to restore in a mem0 answer, grouped by the vault user of each item (its own identity,
    else `fallback`: the request's); None when there is nothing to restore. `metadata`: whether
    the wrapper protects metadata."""
    items = _items(result)
    if not items:
        return None
    plan = Restoring(result, items)
    for i, item in enumerate(items):
        if not isinstance(item, Mapping):
            continue
        scope = item_vault_user(item, fallback)
        if scope is None:
            continue
        places = [(i, f) for f in TEXT_FIELDS if isinstance(item.get(f), str)]
        meta = metadata and isinstance(item.get("metadata"), (Mapping, list)) and bool(item["metadata"])
        if not places and not meta:
            continue
        items[i] = dict(item)
        if places:
            plan.texts.setdefault(scope, []).extend(places)
        if meta:
            plan.metadata.setdefault(scope, []).append(i)
    return plan if plan.texts or plan.metadata else None


def _items(result: Any) -> list[Any] | None:
    """The memory items of a mem0 answer (`{"results": [...]}`, a list, or one item), as a new list."""
    if isinstance(result, dict) and isinstance(result.get("results"), list):
        return list(result["results"])
    if isinstance(result, list):
        return list(result)
    if isinstance(result, dict):
        return [result]
    return None
