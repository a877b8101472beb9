"""`PrivacyGuard`: the one entry point. Extractor -> policy -> placeholders and vault on the way
out; vault lookup on the way back. Every integration calls this and adds nothing of its own.

Fail closed: when the extractor raises, times out or returns something that is not a list of
spans, `protect` raises `ExtractionError` (or uses the configured fallback extractor); it never
returns the raw text. The error names the extractor and the kind of failure and chains nothing:
the extractor's own exception (which may quote the message) is neither its cause nor its context.

Every extraction is bounded in time (see `_runner`): sync extractors run on the guard's own
daemon workers, linear-time ones inline, async-native ones under `asyncio.wait_for`.
"""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from collections.abc import AsyncIterable, AsyncIterator, Collection, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from ._checks import check_scope, check_text, checked, checked_batch, clean, clean_name, extraction_error
from ._coverage import CoverageNotice, coverage_gaps
from ._data import (
    MESSAGE_PARTS,
    data_keys,
    leaf_text,
    leaves,
    like,
    map_leaves,
    restore_leaf,
    role_of,
    wanted_roles,
)
from ._export import VaultExport, build_export
from ._markers import outside, own_ranges
from ._plans import Plan, placeholder_keys_in, placeholder_tokens, vault_items
from ._runner import (
    DEFAULT_TIMEOUT,
    INLINE_LIMIT,
    bound,
    declared_timeout,
    default_runner,
    is_async_native,
    is_linear_time,
)
from ._seen import SeenValues, protected_values
from .errors import ConfigError, ExtractionError, PolicyBlockedError
from .extractors._bounds import work_units
from .extractors.base import BaseExtractor, Extractor, extract_batch_with
from .placeholders import PLACEHOLDER_RE
from .policy import Action, PrivacyPolicy
from .restore import StreamingRestorer, placeholder_keys, restore_text
from .spans import PrivacySpan, merge_spans, resolve_span
from .taxonomy import PrivacyLevel, normalize_type
from .vault.base import Vault

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
    main one fails (leave it None to fail closed).

    `timeout` bounds each extraction, in seconds. None (the default) takes the extractor's own
    `default_timeout` (model extractors declare one) or else 30 s; `math.inf` removes the bound.
    A batch of n texts (`protect_batch`, `protect_data`, `protect_messages`) may take n times the
    bound, and a long message that a model extractor reads in n chunks (its `work_units`) n times
    the bound; a fallback gets its own bound after the main extractor failed.

    Text is taken as Unicode: lone surrogates (U+D800-U+DFFF, e.g. undecodable bytes smuggled in
    by `surrogateescape`) are not characters and cannot be sent anywhere as UTF-8, so `protect`
    replaces each with U+FFFD before extraction (a valid surrogate pair becomes its character).

    With `remember_values` (the default), a value the guard protected once for a user is
    protected again wherever it comes back for that user, even bare ("I'll type 482-911 now"):
    the guard keeps keyed hashes of protected values and of the user's vault entries in memory
    only (see `_seen`).

    The first `protect` (of any form) logs one warning naming the types the policy protects that
    the extractor cannot find (`coverage_gaps()`); `warn_coverage=False` silences it.
    """

    def __init__(
        self,
        extractor: Extractor | None = None,
        vault: Vault | None = None,
        policy: PrivacyPolicy | Mapping[str, Any] | str | None = None,
        *,
        fallback: Extractor | None = None,
        timeout: float | None = None,
        remember_values: bool = True,
        warn_coverage: bool = True,
    ) -> None:
        if vault is None:
            from .vault.sqlite import SQLiteVault

            vault = SQLiteVault()
        for role, candidate in (("extractor", extractor), ("fallback", fallback)):
            if candidate is not None and not callable(getattr(candidate, "extract", None)):
                raise ConfigError(f"{type(candidate).__name__} is not an {role}: it has no extract() method")
        if timeout is not None and (
            isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not timeout > 0
        ):
            raise ConfigError(
                "timeout must be a positive number of seconds (math.inf: no bound), "
                "or None for the extractor's default"
            )
        self._extractor = extractor
        self.vault: Vault = vault
        self.policy = PrivacyPolicy.load(policy)
        self.fallback = fallback
        self.timeout = timeout
        self._seen = SeenValues() if remember_values else None
        self._coverage_notice = CoverageNotice(warn_coverage)

    @property
    def extractor(self) -> Extractor:
        """The extractor; the default rule extractor is built on first use (restoring needs none)."""
        if self._extractor is None:
            from .extractors.rules import RuleExtractor

            self._extractor = RuleExtractor()
        return self._extractor

    def coverage_gaps(self) -> list[str]:
        """The types the policy protects (any action but keep) that the extractor cannot find:
        they reach the cloud in clear. Empty for an open (model) or undeclared coverage."""
        return coverage_gaps(self.extractor, self.policy)

    def __repr__(self) -> str:
        return f"PrivacyGuard(extractor={self._extractor!r}, vault={type(self.vault).__name__}())"

    # -- extraction (bounded, fail closed) ------------------------------------------------------

    def _timeout_for(self, extractor: Extractor) -> float | None:
        """Seconds one extraction by `extractor` may take; None: no bound."""
        if self.timeout is not None:
            return bound(self.timeout)
        declared = declared_timeout(extractor)
        return bound(DEFAULT_TIMEOUT if declared is None else declared)

    def _run(self, extractor: Extractor, text: str, user_name: str | None) -> list[PrivacySpan]:
        timeout = self._timeout_for(extractor)
        if timeout is None or (len(text) <= INLINE_LIMIT and is_linear_time(extractor)):
            return extractor.extract(text, user_name=user_name)
        limit = timeout * work_units(extractor, [text])
        return default_runner().run(limit, extractor.extract, text, user_name=user_name, owner=extractor)

    def _run_batch(
        self, extractor: Extractor, texts: list[str], user_name: str | None
    ) -> list[list[PrivacySpan]]:
        timeout = self._timeout_for(extractor)
        if timeout is None or (sum(map(len, texts)) <= INLINE_LIMIT and is_linear_time(extractor)):
            return extract_batch_with(extractor, texts, user_name=user_name)
        return default_runner().run(
            timeout * work_units(extractor, texts),
            extract_batch_with,
            extractor,
            texts,
            user_name=user_name,
            owner=extractor,
        )

    async def _arun(self, extractor: Extractor, text: str, user_name: str | None) -> list[PrivacySpan]:
        timeout = self._timeout_for(extractor)
        if len(text) <= INLINE_LIMIT and is_linear_time(extractor):
            return extractor.extract(text, user_name=user_name)  # no hop: bounded by its length
        if timeout is not None:
            timeout *= work_units(extractor, [text])
        if is_async_native(extractor):
            call = extractor.aextract(text, user_name=user_name)  # type: ignore[attr-defined]
            return list(await (call if timeout is None else asyncio.wait_for(call, timeout)))
        return await default_runner().arun(
            timeout, extractor.extract, text, user_name=user_name, owner=extractor
        )

    async def _arun_batch(
        self, extractor: Extractor, texts: list[str], user_name: str | None
    ) -> list[list[PrivacySpan]]:
        timeout = self._timeout_for(extractor)
        limit = None if timeout is None else timeout * work_units(extractor, texts)
        if sum(map(len, texts)) <= INLINE_LIMIT and is_linear_time(extractor):
            return extract_batch_with(extractor, texts, user_name=user_name)
        if is_async_native(extractor):
            method = getattr(type(extractor), "aextract_batch", None)
            if callable(method) and method is not BaseExtractor.aextract_batch:
                call: Any = extractor.aextract_batch(texts, user_name=user_name)  # type: ignore[attr-defined]
            else:
                call = asyncio.gather(*(extractor.aextract(t, user_name=user_name) for t in texts))  # type: ignore[attr-defined]
            return [list(r) for r in await (call if limit is None else asyncio.wait_for(call, limit))]
        return await default_runner().arun(
            limit, extract_batch_with, extractor, texts, user_name=user_name, owner=extractor
        )

    def _attempt(
        self, extractor: Extractor, text: str, user_name: str | None
    ) -> list[PrivacySpan] | ExtractionError:
        try:
            return checked(self._run(extractor, text, user_name), extractor)
        except Exception as exc:
            return extraction_error(extractor, exc)

    async def _aattempt(
        self, extractor: Extractor, text: str, user_name: str | None
    ) -> list[PrivacySpan] | ExtractionError:
        try:
            return checked(await self._arun(extractor, text, user_name), extractor)
        except Exception as exc:
            return extraction_error(extractor, exc)

    def _attempt_batch(
        self, extractor: Extractor, texts: list[str], user_name: str | None
    ) -> list[list[PrivacySpan]] | ExtractionError:
        try:
            return checked_batch(self._run_batch(extractor, texts, user_name), texts, extractor)
        except Exception as exc:
            return extraction_error(extractor, exc)

    async def _aattempt_batch(
        self, extractor: Extractor, texts: list[str], user_name: str | None
    ) -> list[list[PrivacySpan]] | ExtractionError:
        try:
            return checked_batch(await self._arun_batch(extractor, texts, user_name), texts, extractor)
        except Exception as exc:
            return extraction_error(extractor, exc)

    # The ExtractionError is raised outside the `except` block that built it, so it carries
    # neither a __cause__ nor a __context__: the extractor's exception may quote the message.

    def _extract(self, text: str, user_name: str | None) -> list[PrivacySpan]:
        outcome = self._attempt(self.extractor, text, user_name)
        if isinstance(outcome, ExtractionError) and self.fallback is not None:
            outcome = self._attempt(self.fallback, text, user_name)
        if isinstance(outcome, ExtractionError):
            raise outcome
        return outcome

    async def _aextract(self, text: str, user_name: str | None) -> list[PrivacySpan]:
        outcome = await self._aattempt(self.extractor, text, user_name)
        if isinstance(outcome, ExtractionError) and self.fallback is not None:
            outcome = await self._aattempt(self.fallback, text, user_name)
        if isinstance(outcome, ExtractionError):
            raise outcome
        return outcome

    def _extract_many(self, texts: list[str], user_name: str | None) -> list[list[PrivacySpan]]:
        """One batched extraction for the texts that are not blank; [] for the blank ones."""
        todo = [i for i, t in enumerate(texts) if t and not t.isspace()]
        found: list[list[PrivacySpan]] = [[] for _ in texts]
        if not todo:
            return found
        batch = [texts[i] for i in todo]
        outcome = self._attempt_batch(self.extractor, batch, user_name)
        if isinstance(outcome, ExtractionError) and self.fallback is not None:
            outcome = self._attempt_batch(self.fallback, batch, user_name)
        if isinstance(outcome, ExtractionError):
            raise outcome
        for i, spans in zip(todo, outcome, strict=True):
            found[i] = spans
        return found

    async def _aextract_many(self, texts: list[str], user_name: str | None) -> list[list[PrivacySpan]]:
        todo = [i for i, t in enumerate(texts) if t and not t.isspace()]
        found: list[list[PrivacySpan]] = [[] for _ in texts]
        if not todo:
            return found
        batch = [texts[i] for i in todo]
        outcome = await self._aattempt_batch(self.extractor, batch, user_name)
        if isinstance(outcome, ExtractionError) and self.fallback is not None:
            outcome = await self._aattempt_batch(self.fallback, batch, user_name)
        if isinstance(outcome, ExtractionError):
            raise outcome
        for i, spans in zip(todo, outcome, strict=True):
            found[i] = spans
        return found

    # -- planning: spans -> replacements (pure, no I/O) -----------------------------------------

    def _plan(self, text: str, found: Sequence[PrivacySpan], known: Collection[str] = ()) -> Plan:
        """The spans to act on (verified, re-located, merged) and the action for each; `known`
        holds the placeholder keys this user's vault resolves (see `_markers`)."""
        spans: list[PrivacySpan] = []
        size = len(text)
        for span in found:
            info = normalize_type(span.privacy_type)
            if info.known and info.name != span.privacy_type:
                span = span.model_copy(update={"privacy_type": info.name})
            if 0 <= span.start < span.end <= size and text[span.start : span.end] == span.text:
                spans.append(span)  # the usual case: offsets verified, nothing to re-locate
            else:
                spans.extend(resolve_span(text, span))
        own = own_ranges(text, known, self.policy.redaction_format)
        if own:  # the guard's own output passes unchanged (protect is idempotent)
            spans = outside(spans, own, text)
        if "<" in text or "&" in text:  # every placeholder spelling holds one of them
            for m in PLACEHOLDER_RE.finditer(text):
                if own and (m.start(), m.end()) in own:
                    continue
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
        if len(spans) > 1:
            spans = merge_spans(spans, text)
        actions = [self._action(s) for s in spans]  # beside the spans: no tuple per span
        blocked = sorted({s.privacy_type for s, a in zip(spans, actions, strict=True) if a is Action.BLOCK})
        if blocked:
            raise PolicyBlockedError(
                f"the policy blocks this message: it contains {', '.join(blocked)}",
                privacy_types=tuple(blocked),
            )
        return spans, actions

    def _action(self, span: PrivacySpan) -> Action:
        # Text that reads as a placeholder must never reach the cloud as is, even inside a span
        # the policy keeps (a merged union), or a later restore would resolve it.
        if span.privacy_type == LITERAL_TYPE:
            return Action.PLACEHOLDER
        action = self.policy.action_for(span)
        if action is Action.KEEP and PLACEHOLDER_RE.search(span.text):
            return Action.PLACEHOLDER
        return action

    def _assemble(
        self,
        text: str,
        spans: list[PrivacySpan],
        actions: list[Action],
        placeholders: list[str],
    ) -> ProtectedText:
        parts: list[str] = []
        replacements: list[Replacement] = []
        last = 0
        assigned = iter(placeholders)
        for span, action in zip(spans, actions, strict=True):
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

    # -- values seen before --------------------------------------------------------------------

    def _with_seen(
        self, found: list[PrivacySpan], text: str, scope: tuple[str, str | None]
    ) -> list[PrivacySpan]:
        """The extractor's spans plus every value protected before for this scope."""
        if self._seen is None or not text:
            return found
        if not self._seen.loaded(scope):
            self._seen.load(scope, self.vault.entries(scope[0], namespace=scope[1]))
        # A value found again where the extractor found it too: the extractor's span wins the
        # merge anyway (same offsets, level and score at least as high, listed first), so no
        # copy is made (a model per span on long texts).
        known: dict[tuple[int, int], tuple[int, float]] = {}
        for f in found:
            strength = (f.level.rank, f.score)
            if known.get((f.start, f.end), (-1, 0.0)) < strength:
                known[(f.start, f.end)] = strength
        again = self._seen.find(scope, text, known)
        return found + again if again else found

    async def _aload_seen(self, scope: tuple[str, str | None]) -> None:
        if self._seen is not None and not self._seen.loaded(scope):
            self._seen.load(scope, await self.vault.aentries(scope[0], namespace=scope[1]))

    def _remembered(self, result: ProtectedText, scope: tuple[str, str | None]) -> ProtectedText:
        if self._seen is not None and result.replacements:
            # Each distinct value once: a long text may repeat one value thousands of times.
            self._seen.remember(scope, list(dict.fromkeys(protected_values(result.replacements))))
        return result

    # -- protect -------------------------------------------------------------------------------

    def protect(
        self, text: str, *, user_id: str, user_name: str | None = None, namespace: str | None = None
    ) -> ProtectedText:
        """The cloud-safe form of `text` for this user, with what was found and done."""
        self._coverage_notice(self)
        text = clean(check_text(text))
        user_name = clean_name(user_name)
        check_scope(user_id, namespace)
        found = self._extract(text, user_name) if text and not text.isspace() else []
        found = self._with_seen(found, text, (user_id, namespace))
        keys = placeholder_keys_in([text])
        known = self.vault.lookup(user_id, keys, namespace=namespace) if keys else {}
        spans, actions = self._plan(text, found, known)
        items, refs = vault_items([(spans, actions)])
        assigned = self.vault.assign(user_id, items, namespace=namespace) if items else []
        placeholders = [assigned[i] for i in refs]
        return self._remembered(self._assemble(text, spans, actions, placeholders), (user_id, namespace))

    async def aprotect(
        self, text: str, *, user_id: str, user_name: str | None = None, namespace: str | None = None
    ) -> ProtectedText:
        """`protect` for coroutines: a linear-time extractor runs inline, a sync one on the guard's
        workers (one hop), an async-native one is awaited."""
        self._coverage_notice(self)
        text = clean(check_text(text))
        user_name = clean_name(user_name)
        check_scope(user_id, namespace)
        found = await self._aextract(text, user_name) if text and not text.isspace() else []
        await self._aload_seen((user_id, namespace))
        found = self._with_seen(found, text, (user_id, namespace))
        keys = placeholder_keys_in([text])
        known = await self.vault.alookup(user_id, keys, namespace=namespace) if keys else {}
        spans, actions = self._plan(text, found, known)
        items, refs = vault_items([(spans, actions)])
        assigned = await self.vault.aassign(user_id, items, namespace=namespace) if items else []
        placeholders = [assigned[i] for i in refs]
        return self._remembered(self._assemble(text, spans, actions, placeholders), (user_id, namespace))

    def protect_batch(
        self,
        texts: Sequence[str],
        *,
        user_id: str,
        user_name: str | None = None,
        namespace: str | None = None,
    ) -> list[ProtectedText]:
        """`protect` for many texts, with one batched extraction call (batched backends use it)
        and one vault call. The extraction may take the bound times the number of texts; if it
        fails, the fallback extractor (if any) gets the whole batch."""
        self._coverage_notice(self)
        cleaned = [clean(check_text(t)) for t in texts]
        user_name = clean_name(user_name)
        check_scope(user_id, namespace)
        found = self._extract_many(cleaned, user_name)
        scope = (user_id, namespace)
        keys = placeholder_keys_in(cleaned)
        known = self.vault.lookup(user_id, keys, namespace=namespace) if keys else {}
        planned = [
            self._plan(t, self._with_seen(f, t, scope), known) for t, f in zip(cleaned, found, strict=True)
        ]
        items, refs = vault_items(planned)
        assigned = self.vault.assign(user_id, items, namespace=namespace) if items else []
        placeholders = [assigned[i] for i in refs]
        return [self._remembered(r, scope) for r in self._assemble_batch(cleaned, planned, placeholders)]

    async def aprotect_batch(
        self,
        texts: Sequence[str],
        *,
        user_id: str,
        user_name: str | None = None,
        namespace: str | None = None,
    ) -> list[ProtectedText]:
        """`protect_batch` for coroutines."""
        self._coverage_notice(self)
        cleaned = [clean(check_text(t)) for t in texts]
        user_name = clean_name(user_name)
        check_scope(user_id, namespace)
        found = await self._aextract_many(cleaned, user_name)
        scope = (user_id, namespace)
        await self._aload_seen(scope)
        keys = placeholder_keys_in(cleaned)
        known = await self.vault.alookup(user_id, keys, namespace=namespace) if keys else {}
        planned = [
            self._plan(t, self._with_seen(f, t, scope), known) for t, f in zip(cleaned, found, strict=True)
        ]
        items, refs = vault_items(planned)
        assigned = await self.vault.aassign(user_id, items, namespace=namespace) if items else []
        placeholders = [assigned[i] for i in refs]
        return [self._remembered(r, scope) for r in self._assemble_batch(cleaned, planned, placeholders)]

    def _assemble_batch(
        self,
        texts: list[str],
        planned: list[Plan],
        assigned: list[str],
    ) -> list[ProtectedText]:
        out: list[ProtectedText] = []
        at = 0
        for t, (spans, actions) in zip(texts, planned, strict=True):
            n = actions.count(Action.PLACEHOLDER)
            out.append(self._assemble(t, spans, actions, assigned[at : at + n]))
            at += n
        return out

    def protect_messages(
        self,
        messages: Sequence[Mapping[str, Any]],
        *,
        user_id: str,
        user_name: str | None = None,
        namespace: str | None = None,
        roles: Iterable[str] | str | None = None,
    ) -> list[dict[str, Any]]:
        """Protect chat messages (`{"role", "content", ...}`), returning copies: every string in
        the `content` (a string, or content parts at any depth), in `tool_calls` (arguments, names,
        ids) and in a legacy `function_call`; other keys are copied unchanged. `roles` limits which
        roles are protected (default: all); LangChain's "human" and "ai" are read as "user" and
        "assistant", and a role name that is neither standard nor any message's is a
        `ConfigError`. One batched extraction for all of them, as `protect_data`."""
        check_scope(user_id, namespace)
        copies: list[dict[str, Any]] = []
        for message in messages:
            if not isinstance(message, Mapping) or "content" not in message:
                raise ConfigError("each message must be a mapping with a 'content' key")
            copies.append(dict(message))
        wanted = wanted_roles(roles, {role_of(m) for m in copies})
        where = [
            (m, part)
            for m in copies
            if wanted is None or role_of(m) in wanted
            for part in MESSAGE_PARTS
            if part in m
        ]
        if where:
            done = self.protect_data(
                [m[part] for m, part in where], user_id=user_id, user_name=user_name, namespace=namespace
            )
            for (m, part), value in zip(where, done, strict=True):
                m[part] = value
        return copies

    def protect_data(
        self,
        data: Any,
        *,
        user_id: str,
        user_name: str | None = None,
        namespace: str | None = None,
        keys: Iterable[str] | None = None,
    ) -> Any:
        """Protect every string inside JSON-like data (dicts, lists, tuples, sets, frozensets, at
        any depth), dict keys included, returning a copy of the same shape. `bytes`/`bytearray`
        are protected as UTF-8 text and come back as bytes; bytes that are not UTF-8 cannot be
        checked, so they raise `ConfigError` (fail closed). Two dict keys (or set items) that
        become the same once protected raise `ConfigError` rather than lose a value. `keys` limits
        protection to the values of those dict keys (at any depth); then no dict key is changed.
        All strings go through one batched extraction (see `protect_batch` for its time bound)."""
        check_scope(user_id, namespace)
        wanted = set(keys) if keys is not None else None
        found = [leaf_text(leaf) for leaf in leaves(data, wanted)]
        if not found:
            return map_leaves(data, wanted, lambda leaf: leaf)
        results = self.protect_batch(found, user_id=user_id, user_name=user_name, namespace=namespace)
        protected = iter(r.text for r in results)
        return map_leaves(data, wanted, lambda leaf: like(leaf, next(protected)))

    async def aprotect_data(
        self,
        data: Any,
        *,
        user_id: str,
        user_name: str | None = None,
        namespace: str | None = None,
        keys: Iterable[str] | None = None,
    ) -> Any:
        """`protect_data` for coroutines."""
        check_scope(user_id, namespace)
        wanted = set(keys) if keys is not None else None
        found = [leaf_text(leaf) for leaf in leaves(data, wanted)]
        if not found:
            return map_leaves(data, wanted, lambda leaf: leaf)
        results = await self.aprotect_batch(found, user_id=user_id, user_name=user_name, namespace=namespace)
        protected = iter(r.text for r in results)
        return map_leaves(data, wanted, lambda leaf: like(leaf, next(protected)))

    def restore_data(
        self, data: Any, *, user_id: str, namespace: str | None = None, keys: Iterable[str] | None = None
    ) -> Any:
        """`restore` every string inside JSON-like data, dict keys included; one vault lookup for
        all of them. Keys (or set items) that become the same raise `ConfigError`. `keys` restores
        only what `protect_data(..., keys=keys)` protected: the values of those dict keys."""
        check_scope(user_id, namespace)
        wanted = set(keys) if keys is not None else None
        found = data_keys(data, wanted)
        if not found:
            return map_leaves(data, wanted, lambda leaf: leaf)
        values = self.vault.lookup(user_id, found, namespace=namespace)
        return map_leaves(data, wanted, lambda leaf: restore_leaf(leaf, values))

    async def arestore_data(
        self, data: Any, *, user_id: str, namespace: str | None = None, keys: Iterable[str] | None = None
    ) -> Any:
        check_scope(user_id, namespace)
        wanted = set(keys) if keys is not None else None
        found = data_keys(data, wanted)
        if not found:
            return map_leaves(data, wanted, lambda leaf: leaf)
        values = await self.vault.alookup(user_id, found, namespace=namespace)
        return map_leaves(data, wanted, lambda leaf: restore_leaf(leaf, values))

    # -- restore -------------------------------------------------------------------------------

    def restore(self, text: str, *, user_id: str, namespace: str | None = None) -> str:
        """Put this user's real values back in place of their placeholders."""
        check_text(text)
        check_scope(user_id, namespace)
        return restore_text(text, lambda keys: self.vault.lookup(user_id, keys, namespace=namespace))

    async def arestore(self, text: str, *, user_id: str, namespace: str | None = None) -> str:
        check_text(text)
        check_scope(user_id, namespace)
        keys = placeholder_keys(text) if "<" in text or "&" in text else set()
        if not keys:
            return text
        values = await self.vault.alookup(user_id, keys, namespace=namespace)
        return restore_text(text, lambda _keys: values)

    def restorer(self, *, user_id: str, namespace: str | None = None) -> StreamingRestorer:
        """A streaming restorer for this user: `feed(chunk)` per chunk, then `flush()`."""
        check_scope(user_id, namespace)
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
        """Delete what the vault holds for a user (one namespace, or all) and what this guard
        remembers of it; the one erase every adapter calls. Numbering there never restarts, so a
        placeholder already in the cloud resolves to nothing, never to a later value."""
        check_scope(user_id, namespace)
        if self._seen is not None:
            self._seen.forget(user_id, namespace)
        return self.vault.forget(user_id, namespace=namespace)

    async def aforget(self, *, user_id: str, namespace: str | None = None) -> int:
        """`forget` for coroutines."""
        check_scope(user_id, namespace)
        if self._seen is not None:
            self._seen.forget(user_id, namespace)
        return await self.vault.aforget(user_id, namespace=namespace)

    def export(self, *, user_id: str, namespace: str | None = None) -> VaultExport:
        """What the vault holds about a user (an access request): `.model_dump(mode="json")`.
        It holds the values: hand it to that user only, never to a log."""
        check_scope(user_id, namespace)
        return build_export(user_id, namespace, self.vault.entries(user_id, namespace=namespace))

    async def aexport(self, *, user_id: str, namespace: str | None = None) -> VaultExport:
        """`export` for coroutines."""
        check_scope(user_id, namespace)
        return build_export(user_id, namespace, await self.vault.aentries(user_id, namespace=namespace))

    def placeholder_values(self, data: Any, *, user_id: str, namespace: str | None = None) -> dict[str, str]:
        """This user's placeholders in `data` (every string, at any depth), each as it is written
        there, with its value; one vault lookup. A placeholder the vault does not resolve is left out."""
        check_scope(user_id, namespace)
        tokens = placeholder_tokens(data)
        values = self.vault.lookup(user_id, set(tokens.values()), namespace=namespace) if tokens else {}
        return {token: values[key] for token, key in tokens.items() if key in values}

    def unresolved_placeholders(self, data: Any, *, user_id: str, namespace: str | None = None) -> list[str]:
        """The placeholders in `data` (as written) that this user's vault does not resolve: what a
        tool would get as a literal `<Phone_Number_1>` (a vault other than the one that protected
        the text, or a placeholder a model made up); one vault lookup."""
        check_scope(user_id, namespace)
        tokens = placeholder_tokens(data)
        values = self.vault.lookup(user_id, set(tokens.values()), namespace=namespace) if tokens else {}
        return [token for token, key in tokens.items() if key not in values]

    def json_restorer(self, *, user_id: str, namespace: str | None = None) -> StreamingRestorer:
        """`restorer` for JSON text that streams in (tool-call arguments): each value goes in
        JSON-escaped, so the text still parses."""
        check_scope(user_id, namespace)

        def lookup(keys: Collection[str]) -> dict[str, str]:
            found = self.vault.lookup(user_id, keys, namespace=namespace)
            return {k: json.dumps(v, ensure_ascii=False)[1:-1] for k, v in found.items()}

        return StreamingRestorer(lookup)

    def close(self) -> None:
        """Close the vault. Extraction workers are shared by every guard in the process and are
        daemon threads (abandoned calls capped per extractor); nothing of theirs needs closing."""
        close = getattr(self.vault, "close", None)
        if callable(close):
            close()


def default_data_dir() -> Path:
    """Where the embedded default keeps its files (the default vault's folder):
    `$MEMPRIVACY_DATA_DIR`, else the user data directory. Adapters put their own files beside it."""
    from .vault.sqlite import default_vault_path

    return default_vault_path().parent
