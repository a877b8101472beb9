"""`PrivacyGuard`: the one entry point. Extractor -> policy -> placeholders and vault on the way
out; vault lookup on the way back. Every integration calls this and adds nothing of its own.

Fail closed: when the extractor raises, times out or returns something that is not a list of
spans, `protect` raises `ExtractionError` (or uses the configured fallback extractor); it never
returns the raw text.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
from collections import Counter
from collections.abc import AsyncIterable, AsyncIterator, Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from .errors import ConfigError, ExtractionError, PolicyBlockedError
from .extractors.base import Extractor, aextract_with, extract_batch_with
from .placeholders import PLACEHOLDER_RE, placeholder_name
from .policy import Action, PrivacyPolicy
from .restore import StreamingRestorer, placeholder_keys, restore_text
from .spans import PrivacySpan, merge_spans, resolve_span
from .taxonomy import PrivacyLevel, normalize_type
from .vault.base import Vault, VaultItem

__all__ = ["PrivacyGuard", "ProtectedText", "Replacement"]

# A user's own text that already looks like a placeholder is itself swapped for a placeholder
# of this type, whose vault value is that literal text: it round-trips, and it can never be
# resolved to anyone's real value.
LITERAL_TYPE = "Literal"


class Replacement(BaseModel):
    """One span of the message and what the policy did with it."""

    model_config = ConfigDict(frozen=True)

    span: PrivacySpan
    action: Action
    replacement: str = Field(description="The placeholder or redaction text; the span text for `keep`.")


class ProtectedText(BaseModel):
    """The result of `protect`: `text` is what may go to the cloud.

    `spans` and `replacements` hold the original values (they never leave this process; their
    repr hides them). `str(result)` is the cloud-safe text.
    """

    model_config = ConfigDict(frozen=True)

    text: str
    spans: list[PrivacySpan] = Field(default_factory=list)
    replacements: list[Replacement] = Field(default_factory=list)

    @property
    def placeholders(self) -> list[str]:
        """The distinct placeholders used, in order of appearance."""
        seen = dict.fromkeys(
            r.replacement
            for r in self.replacements
            if r.action is Action.PLACEHOLDER and r.span.privacy_type != LITERAL_TYPE
        )
        return list(seen)

    @property
    def redacted(self) -> list[str]:
        """The types of the spans that were irreversibly redacted (values are stored nowhere)."""
        return [r.span.privacy_type for r in self.replacements if r.action is Action.REDACT]

    @property
    def counts(self) -> dict[PrivacyLevel, int]:
        """How many spans of each level were found."""
        counts = Counter(s.level for s in self.spans if s.privacy_type != LITERAL_TYPE)
        return {lvl: counts.get(lvl, 0) for lvl in PrivacyLevel}

    @property
    def changed(self) -> bool:
        return any(r.action is not Action.KEEP for r in self.replacements)

    def __str__(self) -> str:
        return self.text


class PrivacyGuard:
    """Protects text before it leaves the device and restores it when it comes back.

    `PrivacyGuard()` gives the embedded default: the rule extractor, an encrypted SQLite vault in
    the user's data directory, and the default policy. `fallback` is an extractor used when the
    main one fails (leave it None to fail closed); `timeout` bounds each extraction in seconds.
    """

    def __init__(
        self,
        extractor: Extractor | None = None,
        vault: Vault | None = None,
        policy: PrivacyPolicy | Mapping[str, Any] | str | None = None,
        *,
        fallback: Extractor | None = None,
        timeout: float | None = None,
    ) -> None:
        if vault is None:
            from .vault.sqlite import SQLiteVault

            vault = SQLiteVault()
        if extractor is not None and not callable(getattr(extractor, "extract", None)):
            raise ConfigError(f"{type(extractor).__name__} is not an extractor: it has no extract() method")
        if timeout is not None and timeout <= 0:
            raise ConfigError("timeout must be a positive number of seconds")
        self._extractor = extractor
        self.vault: Vault = vault
        self.policy = PrivacyPolicy.load(policy)
        self.fallback = fallback
        self.timeout = timeout
        self._pool: concurrent.futures.ThreadPoolExecutor | None = None

    @property
    def extractor(self) -> Extractor:
        """The extractor; the default rule extractor is built on first use (restoring needs none)."""
        if self._extractor is None:
            from .extractors.rules import RuleExtractor

            self._extractor = RuleExtractor()
        return self._extractor

    def __repr__(self) -> str:
        return f"PrivacyGuard(extractor={self._extractor!r}, vault={type(self.vault).__name__}())"

    # -- extraction (fail closed) --------------------------------------------------------------

    def _run_sync(self, extractor: Extractor, text: str, user_name: str | None) -> list[PrivacySpan]:
        if self.timeout is None:
            return extractor.extract(text, user_name=user_name)
        if self._pool is None:
            self._pool = concurrent.futures.ThreadPoolExecutor(max_workers=4, thread_name_prefix="memprivacy")
        future = self._pool.submit(extractor.extract, text, user_name=user_name)
        try:
            return future.result(timeout=self.timeout)
        except concurrent.futures.TimeoutError:
            future.cancel()
            raise TimeoutError(f"extraction took longer than {self.timeout} s") from None

    def _extract(self, text: str, user_name: str | None) -> list[PrivacySpan]:
        try:
            return _checked(self._run_sync(self.extractor, text, user_name), self.extractor)
        except Exception as exc:
            if self.fallback is None:
                raise _extraction_error(self.extractor, exc) from exc
            try:
                return _checked(self._run_sync(self.fallback, text, user_name), self.fallback)
            except Exception as exc2:
                raise _extraction_error(self.fallback, exc2) from exc2

    async def _aextract(self, text: str, user_name: str | None) -> list[PrivacySpan]:
        async def run(extractor: Extractor) -> list[PrivacySpan]:
            call = aextract_with(extractor, text, user_name=user_name)
            spans = await (asyncio.wait_for(call, self.timeout) if self.timeout else call)
            return _checked(spans, extractor)

        try:
            return await run(self.extractor)
        except Exception as exc:
            if self.fallback is None:
                raise _extraction_error(self.extractor, exc) from exc
            try:
                return await run(self.fallback)
            except Exception as exc2:
                raise _extraction_error(self.fallback, exc2) from exc2

    # -- planning: spans -> replacements (pure, no I/O) -----------------------------------------

    def _plan(
        self, text: str, found: Sequence[PrivacySpan]
    ) -> tuple[list[PrivacySpan], list[tuple[PrivacySpan, Action]]]:
        spans: list[PrivacySpan] = []
        for span in found:
            info = normalize_type(span.privacy_type)
            if info.known and info.name != span.privacy_type:
                span = span.model_copy(update={"privacy_type": info.name})
            spans.extend(resolve_span(text, span))
        for m in PLACEHOLDER_RE.finditer(text):
            spans.append(
                PrivacySpan(
                    text=m.group(0),
                    start=m.start(),
                    end=m.end(),
                    privacy_type=LITERAL_TYPE,
                    level=PrivacyLevel.PL1,
                    score=0.0,
                    source="guard",
                )
            )
        spans = merge_spans(spans, text)
        plan = [(s, self._action(s)) for s in spans]
        blocked = sorted({s.privacy_type for s, a in plan if a is Action.BLOCK})
        if blocked:
            raise PolicyBlockedError(
                f"the policy blocks this message: it contains {', '.join(blocked)}",
                privacy_types=tuple(blocked),
            )
        return spans, plan

    def _action(self, span: PrivacySpan) -> Action:
        # Text that reads as a placeholder must never reach the cloud as is, even inside a span
        # the policy keeps (a merged union), or a later restore would resolve it.
        if span.privacy_type == LITERAL_TYPE:
            return Action.PLACEHOLDER
        action = self.policy.action_for(span)
        if action is Action.KEEP and PLACEHOLDER_RE.search(span.text):
            return Action.PLACEHOLDER
        return action

    def _items(self, plan: Sequence[tuple[PrivacySpan, Action]]) -> list[VaultItem]:
        return [
            VaultItem(
                name=placeholder_name(s.privacy_type),
                value=s.text,
                privacy_type=s.privacy_type,
                level=s.level,
            )
            for s, a in plan
            if a is Action.PLACEHOLDER
        ]

    def _assemble(
        self,
        text: str,
        spans: list[PrivacySpan],
        plan: Sequence[tuple[PrivacySpan, Action]],
        placeholders: list[str],
    ) -> ProtectedText:
        parts: list[str] = []
        replacements: list[Replacement] = []
        last = 0
        assigned = iter(placeholders)
        for span, action in plan:
            if action is Action.KEEP:
                replacements.append(Replacement(span=span, action=action, replacement=span.text))
                continue
            new = (
                next(assigned)
                if action is Action.PLACEHOLDER
                else self.policy.redaction_for(span.privacy_type)
            )
            parts.append(text[last : span.start])
            parts.append(new)
            last = span.end
            replacements.append(Replacement(span=span, action=action, replacement=new))
        parts.append(text[last:])
        return ProtectedText(text="".join(parts), spans=spans, replacements=replacements)

    # -- protect -------------------------------------------------------------------------------

    def protect(
        self, text: str, *, user_id: str, user_name: str | None = None, namespace: str | None = None
    ) -> ProtectedText:
        """The cloud-safe form of `text` for this user, with what was found and done."""
        _check_text(text)
        _check_user(user_id)
        found = self._extract(text, user_name) if text.strip() else []
        spans, plan = self._plan(text, found)
        items = self._items(plan)
        placeholders = self.vault.assign(user_id, items, namespace=namespace) if items else []
        return self._assemble(text, spans, plan, placeholders)

    async def aprotect(
        self, text: str, *, user_id: str, user_name: str | None = None, namespace: str | None = None
    ) -> ProtectedText:
        _check_text(text)
        _check_user(user_id)
        found = await self._aextract(text, user_name) if text.strip() else []
        spans, plan = self._plan(text, found)
        items = self._items(plan)
        placeholders = await self.vault.aassign(user_id, items, namespace=namespace) if items else []
        return self._assemble(text, spans, plan, placeholders)

    def protect_batch(
        self,
        texts: Sequence[str],
        *,
        user_id: str,
        user_name: str | None = None,
        namespace: str | None = None,
    ) -> list[ProtectedText]:
        """`protect` for many texts, with one batched extraction call (batched backends use it)."""
        for t in texts:
            _check_text(t)
        _check_user(user_id)
        try:
            found = extract_batch_with(self.extractor, list(texts), user_name=user_name)
            if len(found) != len(texts):
                raise ValueError(f"returned {len(found)} results for {len(texts)} texts")
            found = [_checked(f, self.extractor) for f in found]
        except Exception as exc:
            if self.fallback is None:
                raise _extraction_error(self.extractor, exc) from exc
            found = [self._extract(t, user_name) for t in texts]
        planned = [self._plan(t, f) for t, f in zip(texts, found, strict=False)]
        per_text = [self._items(plan) for _, plan in planned]
        flat = [item for items in per_text for item in items]
        assigned = iter(self.vault.assign(user_id, flat, namespace=namespace) if flat else [])
        out: list[ProtectedText] = []
        for t, (spans, plan), items in zip(texts, planned, per_text, strict=False):
            out.append(self._assemble(t, spans, plan, [next(assigned) for _ in items]))
        return out

    def protect_messages(
        self,
        messages: Sequence[Mapping[str, Any]],
        *,
        user_id: str,
        user_name: str | None = None,
        namespace: str | None = None,
        roles: Iterable[str] | None = None,
    ) -> list[dict[str, Any]]:
        """Protect the string `content` of chat messages (`{"role", "content"}`); other keys are
        copied. `roles` limits which roles are protected (default: all of them)."""
        wanted = set(roles) if roles is not None else None
        out: list[dict[str, Any]] = []
        for message in messages:
            if not isinstance(message, Mapping) or "content" not in message:
                raise ConfigError("each message must be a mapping with a 'content' key")
            copy = dict(message)
            content = copy["content"]
            if isinstance(content, str) and (wanted is None or copy.get("role") in wanted):
                copy["content"] = self.protect(
                    content, user_id=user_id, user_name=user_name, namespace=namespace
                ).text
            out.append(copy)
        return out

    def protect_data(
        self,
        data: Any,
        *,
        user_id: str,
        user_name: str | None = None,
        namespace: str | None = None,
        keys: Iterable[str] | None = None,
    ) -> Any:
        """Protect every string inside JSON-like data (dicts, lists, tuples), returning a copy of
        the same shape. `keys` limits protection to the values of those dict keys (at any depth);
        dict keys themselves are never changed. All strings go through one batched extraction."""
        wanted = set(keys) if keys is not None else None
        found = _strings(data, wanted)
        if not found:
            return _copy(data)
        results = self.protect_batch(found, user_id=user_id, user_name=user_name, namespace=namespace)
        protected = iter(r.text for r in results)
        return _rebuild(data, wanted, lambda _s: next(protected))

    async def aprotect_data(
        self,
        data: Any,
        *,
        user_id: str,
        user_name: str | None = None,
        namespace: str | None = None,
        keys: Iterable[str] | None = None,
    ) -> Any:
        wanted = set(keys) if keys is not None else None
        found = _strings(data, wanted)
        if not found:
            return _copy(data)
        results = [
            await self.aprotect(s, user_id=user_id, user_name=user_name, namespace=namespace) for s in found
        ]
        protected = iter(r.text for r in results)
        return _rebuild(data, wanted, lambda _s: next(protected))

    def restore_data(self, data: Any, *, user_id: str, namespace: str | None = None) -> Any:
        """`restore` every string inside JSON-like data; one vault lookup for all of them."""
        _check_user(user_id)
        keys = set().union(*(placeholder_keys(s) for s in _strings(data, None)))
        if not keys:
            return _copy(data)
        values = self.vault.lookup(user_id, keys, namespace=namespace)
        return _rebuild(data, None, lambda s: restore_text(s, lambda _k: values))

    async def arestore_data(self, data: Any, *, user_id: str, namespace: str | None = None) -> Any:
        _check_user(user_id)
        keys = set().union(*(placeholder_keys(s) for s in _strings(data, None)))
        if not keys:
            return _copy(data)
        values = await self.vault.alookup(user_id, keys, namespace=namespace)
        return _rebuild(data, None, lambda s: restore_text(s, lambda _k: values))

    # -- restore -------------------------------------------------------------------------------

    def restore(self, text: str, *, user_id: str, namespace: str | None = None) -> str:
        """Put this user's real values back in place of their placeholders."""
        _check_text(text)
        _check_user(user_id)
        return restore_text(text, lambda keys: self.vault.lookup(user_id, keys, namespace=namespace))

    async def arestore(self, text: str, *, user_id: str, namespace: str | None = None) -> str:
        _check_text(text)
        _check_user(user_id)
        keys = placeholder_keys(text)
        if not keys:
            return text
        values = await self.vault.alookup(user_id, keys, namespace=namespace)
        return restore_text(text, lambda _keys: values)

    def restorer(self, *, user_id: str, namespace: str | None = None) -> StreamingRestorer:
        """A streaming restorer for this user: `feed(chunk)` per chunk, then `flush()`."""
        _check_user(user_id)
        return StreamingRestorer(lambda keys: self.vault.lookup(user_id, keys, namespace=namespace))

    def restore_stream(
        self, chunks: Iterable[str], *, user_id: str, namespace: str | None = None
    ) -> Iterator[str]:
        """Restore a stream chunk by chunk; a placeholder split across chunks is still restored."""
        restorer = self.restorer(user_id=user_id, namespace=namespace)
        for chunk in chunks:
            out = restorer.feed(chunk)
            if out:
                yield out
        tail = restorer.flush()
        if tail:
            yield tail

    async def arestore_stream(
        self, chunks: AsyncIterable[str], *, user_id: str, namespace: str | None = None
    ) -> AsyncIterator[str]:
        restorer = self.restorer(user_id=user_id, namespace=namespace)
        async for chunk in chunks:
            out = (
                await asyncio.to_thread(restorer.feed, chunk)
                if "<" in chunk or "&" in chunk
                else restorer.feed(chunk)
            )
            if out:
                yield out
        tail = restorer.flush()
        if tail:
            yield tail

    # -- user data -----------------------------------------------------------------------------

    def forget(self, *, user_id: str, namespace: str | None = None) -> int:
        """Delete what the vault holds for a user; placeholders already in the cloud stay unresolvable."""
        _check_user(user_id)
        return self.vault.forget(user_id, namespace=namespace)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None
        close = getattr(self.vault, "close", None)
        if callable(close):
            close()


def _walk(
    data: Any, keys: set[str] | None, visit: Callable[[str], None], selected: bool | None = None
) -> None:
    """Visit the selected strings of JSON-like data in the order `_rebuild` replaces them: every
    string when `keys` is None, else the strings under a dict key in `keys` (at any depth)."""
    on = keys is None if selected is None else selected
    if isinstance(data, str):
        if on:
            visit(data)
    elif isinstance(data, Mapping):
        for k, v in data.items():
            _walk(v, keys, visit, on or (keys is not None and k in keys))
    elif isinstance(data, (list, tuple)):
        for item in data:
            _walk(item, keys, visit, on)


def _rebuild(
    data: Any, keys: set[str] | None, replace: Callable[[str], str], selected: bool | None = None
) -> Any:
    """A copy of `data` with each selected string (as `_walk` orders them) replaced."""
    on = keys is None if selected is None else selected
    if isinstance(data, str):
        return replace(data) if on else data
    if isinstance(data, Mapping):
        return {
            k: _rebuild(v, keys, replace, on or (keys is not None and k in keys)) for k, v in data.items()
        }
    if isinstance(data, tuple):
        return tuple(_rebuild(item, keys, replace, on) for item in data)
    if isinstance(data, list):
        return [_rebuild(item, keys, replace, on) for item in data]
    return data


def _strings(data: Any, keys: set[str] | None) -> list[str]:
    found: list[str] = []
    _walk(data, keys, found.append)
    return found


def _copy(data: Any) -> Any:
    return _rebuild(data, None, lambda s: s)


def _check_text(text: object) -> None:
    if not isinstance(text, str):
        raise ConfigError(f"text must be a str, not {type(text).__name__}")


def _check_user(user_id: object) -> None:
    if not isinstance(user_id, str) or not user_id.strip():
        raise ConfigError("user_id must be a non-empty string")


def _checked(spans: object, extractor: Extractor) -> list[PrivacySpan]:
    if not isinstance(spans, list) or not all(isinstance(s, PrivacySpan) for s in spans):
        raise TypeError(f"{type(extractor).__name__}.extract must return a list of PrivacySpan")
    return spans


def _extraction_error(extractor: Extractor, exc: BaseException) -> ExtractionError:
    # The message names the extractor and the kind of failure, never the text being protected:
    # our own ExtractionErrors say why in words that hold no input; anything else by its class.
    if isinstance(exc, ExtractionError):
        kind = f"failed: {exc}"
    elif isinstance(exc, (TimeoutError, asyncio.TimeoutError)):
        kind = "timed out"
    else:
        kind = f"failed ({type(exc).__name__})"
    return ExtractionError(f"extractor {type(extractor).__name__} {kind}; nothing was sent (fail closed)")
