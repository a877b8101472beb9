"""JSON-like data, walked without recursion: the strings (and UTF-8 bytes) that `PrivacyGuard`
protects or restores inside dicts, lists, tuples and sets, at any depth, rebuilt in the same shape.

When every string is selected (`keys` None), dict keys are strings like any other: a key is
visited just before its value, and a tuple or frozenset key is walked like a value. Two keys (or
two items of a set) that become the same are refused with `ConfigError` rather than one of them
silently dropped."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from itertools import chain
from typing import Any

from .errors import ConfigError
from .restore import placeholder_keys, restore_text

__all__ = [
    "MESSAGE_PARTS",
    "ROLE_ALIASES",
    "Leaf",
    "data_keys",
    "leaf_text",
    "leaves",
    "like",
    "map_leaves",
    "restore_leaf",
    "role_of",
    "wanted_roles",
]

Leaf = str | bytes | bytearray | memoryview
_LEAF_TYPES = (str, bytes, bytearray, memoryview)
_CONTAINERS = (Mapping, list, tuple, set, frozenset)
# What a dict key that is walked may be: other hashable containers (a hashable Mapping) are kept.
_KEY_CONTAINERS = (tuple, frozenset)
_END: Any = object()

_COLLISION = (
    "two dict keys (or two items of a set) would become the same once their strings are replaced; "
    "nothing was returned rather than lose one of them"
)


class _Frame:
    """A container being copied: its items still to visit and the copy built so far. A dict whose
    keys are walked yields key, value, key, value...; `key` holds a finished key until its value."""

    __slots__ = ("ident", "items", "key", "kind", "on", "out", "walk_keys")

    def __init__(self, node: Any, on: bool, walk_keys: bool) -> None:
        self.ident = id(node)
        self.on = on
        self.key: Any = _END
        self.kind: type[Any] = (
            dict
            if isinstance(node, Mapping)
            else frozenset
            if isinstance(node, frozenset)
            else set
            if isinstance(node, set)
            else tuple
            if isinstance(node, tuple)
            else list
        )
        self.walk_keys = walk_keys and self.kind is dict
        self.items: Iterator[Any] = iter(
            (chain.from_iterable(node.items()) if self.walk_keys else node.items())
            if self.kind is dict
            else node
        )
        self.out: Any = {} if self.kind is dict else []

    def expects_key(self) -> bool:
        return self.walk_keys and self.key is _END

    def add(self, value: Any) -> None:
        if self.kind is not dict:
            self.out.append(value)
        elif self.walk_keys:
            if self.key is _END:
                self.key = value
                return
            if self.key in self.out:
                raise ConfigError(_COLLISION)
            self.out[self.key] = value
            self.key = _END
        else:
            self.out[self.key] = value

    def close(self) -> Any:
        if self.kind is dict or self.kind is list:
            return self.out
        done = self.kind(self.out)
        if self.kind is not tuple and len(done) != len(self.out):
            raise ConfigError(_COLLISION)
        return done


def map_leaves(data: Any, keys: set[str] | None, replace: Callable[[Leaf], Any]) -> Any:
    """A copy of `data` in which each selected leaf (a str or bytes-like value: every one when
    `keys` is None, dict keys included, else those under a dict key in `keys`, at any depth, keys
    themselves unchanged) is `replace(leaf)`. Leaves are visited depth first in order (a key just
    before its value), the same order for every call on the same data. Mappings become dicts,
    lists lists, tuples tuples, sets and frozensets the same; anything else is kept as is.
    Iterative, so any depth works; data that contains itself is refused, and so are keys or set
    items that `replace` makes equal."""
    on = walk_keys = keys is None
    if isinstance(data, _LEAF_TYPES):
        return replace(data) if on else data
    if not isinstance(data, _CONTAINERS):
        return data
    stack = [_Frame(data, on, walk_keys)]
    open_ids = {id(data)}
    while True:
        frame = stack[-1]
        item = next(frame.items, _END)
        if item is _END:
            stack.pop()
            open_ids.discard(frame.ident)
            value = frame.close()
            if not stack:
                return value
            stack[-1].add(value)
            continue
        if frame.walk_keys:
            child, on = item, True
            if frame.expects_key() and not isinstance(child, _LEAF_TYPES + _KEY_CONTAINERS):
                frame.add(child)  # an int, None, or a hashable container of another kind: kept
                continue
        elif frame.kind is dict:
            frame.key, child = item
            on = frame.on or (keys is not None and frame.key in keys)
        else:
            child, on = item, frame.on
        if isinstance(child, _LEAF_TYPES):
            frame.add(replace(child) if on else child)
        elif isinstance(child, _CONTAINERS):
            if id(child) in open_ids:
                raise ConfigError("the data contains itself (a reference cycle); it cannot be protected")
            open_ids.add(id(child))
            stack.append(_Frame(child, on, walk_keys))
        else:
            frame.add(child)


def leaves(data: Any, keys: set[str] | None) -> list[Leaf]:
    """The selected leaves of `data`, in the order `map_leaves` replaces them."""
    found: list[Leaf] = []

    def collect(leaf: Leaf) -> Leaf:
        found.append(leaf)
        return leaf

    map_leaves(data, keys, collect)
    return found


def leaf_text(leaf: Leaf) -> str:
    if isinstance(leaf, str):
        return leaf
    data = bytes(leaf)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass  # raised below, outside this block: the decode error holds the bytes
    raise ConfigError(
        "the data holds bytes that are not UTF-8 text; they cannot be checked for private data, "
        "so nothing was sent (fail closed): decode them first"
    )


def like(leaf: Leaf, text: str) -> Leaf:
    """`text` in the type of `leaf`: str, or bytes (bytearray for a bytearray)."""
    if isinstance(leaf, str):
        return text
    data = text.encode("utf-8", "surrogateescape")
    return bytearray(data) if isinstance(leaf, bytearray) else data


def data_keys(data: Any, wanted: set[str] | None = None) -> set[str]:
    """The placeholder keys in the selected leaves of `data` (see `map_leaves` for `wanted`)."""
    keys: set[str] = set()
    for leaf in leaves(data, wanted):
        text = leaf if isinstance(leaf, str) else bytes(leaf).decode("utf-8", "surrogateescape")
        if "<" in text or "&" in text:
            keys |= placeholder_keys(text)
    return keys


def restore_leaf(leaf: Leaf, values: Mapping[str, str]) -> Leaf:
    # Bytes that are not UTF-8 are restored around their undecodable bytes, which stay as they were.
    text = leaf if isinstance(leaf, str) else bytes(leaf).decode("utf-8", "surrogateescape")
    return like(leaf, restore_text(text, lambda _keys: values))


# -- chat messages -------------------------------------------------------------------------------

#: The keys of a chat message whose strings `protect_messages` protects: the content (a string, or
#: content parts at any depth: OpenAI's and Anthropic's text, tool_use and tool_result blocks) and
#: the tool calls (arguments, names, ids), with OpenAI's older `function_call`.
MESSAGE_PARTS = ("content", "tool_calls", "function_call")
#: LangChain's role names, read as OpenAI's.
ROLE_ALIASES = {"human": "user", "ai": "assistant"}
_STANDARD_ROLES = frozenset({"user", "assistant", "system", "developer", "tool", "function"})


def role_of(message: Mapping[str, Any]) -> str | None:
    """The message's role, LangChain's aliases read as OpenAI's names."""
    role = message.get("role")
    return ROLE_ALIASES.get(role, role) if isinstance(role, str) else None


def wanted_roles(roles: Iterable[str] | str | None, seen: set[str | None]) -> frozenset[str] | None:
    """The roles to protect (None: all), aliases read as OpenAI's names. A name that is neither a
    standard role nor the role of one of the messages (`seen`) would silently match nothing, so it
    is a `ConfigError`; a single string is one role."""
    if roles is None:
        return None
    names = [roles] if isinstance(roles, str) else list(roles)
    wanted: set[str] = set()
    for name in names:
        if not isinstance(name, str):
            raise ConfigError(f"roles must be role names (str), not {type(name).__name__}")
        wanted.add(ROLE_ALIASES.get(name, name))
    unknown = sorted(wanted - _STANDARD_ROLES - {r for r in seen if r is not None})
    if unknown:
        raise ConfigError(
            f"unknown role(s) {unknown}: roles are user, assistant, system, developer, tool or "
            "function (human and ai for LangChain's), or a role one of the messages has"
        )
    return frozenset(wanted)
