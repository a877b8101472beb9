"""The skeleton every generative (LLM) extractor shares: prompt in, constrained JSON out, spans
parsed and verified. Backends (vLLM in-process, an OpenAI-compatible server, transformers) only
implement how a batch of chat conversations becomes a batch of completions.

Long messages: a message longer than one chunk (`chunk_size` units: tokens when the backend has a
tokenizer, else characters; by default what the model's context leaves after the prompt and the
answer) is cut into overlapping chunks (`_chunks.py`); all the chunks of a batch go to the backend
in one call, and their spans are shifted back and merged.

Repeated texts: results are kept in an `ExtractionCache` (on by default, `cache=False` to turn it
off, or a cache to share), so a conversation history protected again on every turn does not run the
model again for the messages it has read; a text twice in one batch is read once.

Answers that did not fit: a completion that stopped at the token limit, or whose JSON never closed,
lists only part of the spans, so it is never used as it is. Its chunk is split in two overlapping
halves and extracted again (fewer spans per answer), up to `truncation_retries` times; a chunk still
cut off after that, or too short to split, raises `TruncatedOutputError` (the guard fails closed).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import Generator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..errors import ConfigError, ExtractionError
from ..spans import PrivacySpan
from ._cache import BatchLookup, ExtractionCache, cache_option
from ._chunks import (
    Window,
    count_windows,
    json_escaped,
    merge_chunks,
    plan_windows,
    shift,
    split_window,
    token_offsets,
)
from .base import ANY_TYPE, BaseExtractor
from .prompt import DEFAULT_TEMPLATE, PromptTemplate, SamplingSettings, output_schema, read_output

__all__ = ["Completion", "GenerativeExtractor", "TruncatedOutputError"]

Conversation = list[dict[str, str]]

#: Chunk size when the backend counts tokens and nothing smaller is needed: MemPrivacy's models were
#: trained on single dialogue turns, far shorter than this.
DEFAULT_CHUNK_TOKENS = 1024
#: Chunk size in characters when there is no tokenizer (a served model): at worst about one token a
#: character (Chinese), so it fits a 4,096-token context with the prompt and the answer.
DEFAULT_CHUNK_CHARS = 2000
#: Tokens kept free in the context beside the prompt and the answer: the user's name, and the JSON
#: escapes of the message (quotes, newlines) that the raw text does not have.
_CONTEXT_SLACK = 64


class TruncatedOutputError(ExtractionError):
    """The model's answer did not fit its token limit, even for the smallest piece of the message
    it was given: the span list may be incomplete, so it is not used."""


@dataclass(frozen=True)
class Completion:
    """One generated answer and why generation stopped (`"stop"`, `"length"`, ...)."""

    text: str
    finish_reason: str | None = None


@dataclass(frozen=True)
class _Piece:
    """A chunk of the `index`-th text sent to the model; `depth`: times it was split after an
    answer that did not fit."""

    index: int
    window: Window
    depth: int = 0


Flow = Generator[list[Conversation], list[Completion], list[list[PrivacySpan]]]


class GenerativeExtractor(BaseExtractor):
    """Prompt building, schema and parsing for extractors backed by a generative model.

    `template` and `schema` replace the defaults (`PromptTemplate()`, `output_schema()`);
    `sampling` the decoding settings (the MemPrivacy defaults: temperature 0.1, top_p 0.1,
    repetition penalty 1.05).
    """

    name = "generative"
    #: the guard's bound per extraction when it is given none (seconds): local generation can be slow
    default_timeout = 120.0
    #: `aextract` runs `_complete` in a thread unless a backend overrides `_acomplete`
    async_native = False
    #: an open vocabulary: the model may emit any type of the taxonomy
    coverage: frozenset[str] = frozenset({ANY_TYPE})

    def __init__(
        self,
        *,
        template: PromptTemplate | None = None,
        schema: dict[str, Any] | None = None,
        sampling: SamplingSettings | None = None,
        chunk_size: int | None = None,
        chunk_overlap: int | None = None,
        truncation_retries: int = 2,
        cache: ExtractionCache | bool = True,
    ) -> None:
        self.template = template or DEFAULT_TEMPLATE
        self.schema = schema or output_schema()
        self.sampling = sampling or SamplingSettings()
        for option, value in (("chunk_size", chunk_size), ("chunk_overlap", chunk_overlap)):
            if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
                raise ConfigError(f"{option} must be a whole number of tokens (or characters)")
        if chunk_size is not None and chunk_size < 16:
            raise ConfigError("chunk_size must be at least 16")
        if chunk_size is not None and chunk_overlap is not None and chunk_overlap >= chunk_size // 2:
            raise ConfigError("chunk_overlap must be less than half of chunk_size")
        if (
            isinstance(truncation_retries, bool)
            or not isinstance(truncation_retries, int)
            or truncation_retries < 0
        ):
            raise ConfigError("truncation_retries must be a whole number, 0 or more")
        #: units per chunk: tokens when `chunk_tokenizer()` gives a tokenizer, else characters;
        #: None: the default, bounded by what the context leaves
        self.chunk_size = chunk_size
        #: units shared by consecutive chunks (None: an eighth of the chunk)
        self.chunk_overlap = chunk_overlap
        self.truncation_retries = truncation_retries
        self._chunking: tuple[object, tuple[int, int]] | None = None  # (what it depends on, result)
        #: results of earlier extractions (see `_cache.py`); None: every call runs the model
        self.cache = cache_option(cache)

    # Backends implement one or both of these.
    def _complete(self, conversations: Sequence[Conversation]) -> list[Completion]:
        raise NotImplementedError

    async def _acomplete(self, conversations: Sequence[Conversation]) -> list[Completion]:
        return await asyncio.to_thread(self._complete, conversations)

    # What a backend may tell about its model, for chunking (both optional).
    def chunk_tokenizer(self) -> Any | None:
        """A fast Hugging Face tokenizer of the model (chunks are then counted in its tokens), or
        None (chunks are counted in characters)."""
        return None

    def context_length(self) -> int | None:
        """Tokens the model reads and writes in all (its `max_model_len`), when known."""
        return None

    def model_identity(self) -> str:
        """The model this extractor runs, for `cache_identity` (backends name their weights)."""
        return ""

    # The shared part.
    def conversation(self, text: str, *, user_name: str | None = None) -> Conversation:
        return self.template.messages(text, user_name=user_name)

    def cache_identity(self) -> str:
        """Everything that makes this extractor's answer what it is: class, model, prompt, schema,
        sampling and chunking. Two extractors that share a cache share entries only when all agree."""
        settings = json.dumps(
            [
                f"{type(self).__module__}.{type(self).__qualname__}",
                self.model_identity(),
                self.template.model_dump(mode="json"),
                self.schema,
                self.sampling.model_dump(mode="json"),
                [self.chunk_size, self.chunk_overlap, self.truncation_retries],
            ],
            sort_keys=True,
            ensure_ascii=False,
            default=repr,
        )
        return hashlib.sha256(settings.encode("utf-8", "surrogatepass")).hexdigest()

    def _prompt_tokens(self, tokenizer: Any) -> int:
        """Tokens of the prompt around an empty message, chat template included."""
        conversation = self.conversation("")
        try:
            ids = tokenizer.apply_chat_template(
                conversation, tokenize=True, add_generation_prompt=True, enable_thinking=False
            )
            if isinstance(ids, Mapping):
                ids = ids["input_ids"]
            return len(ids)
        except Exception:  # no chat template: the text alone, and room for the template's markers
            return len(token_offsets(tokenizer, conversation[-1]["content"])) + 16

    def chunk_settings(self) -> tuple[int, int]:
        """`(size, overlap)` of the chunks, in tokens when there is a tokenizer, else characters.
        With a tokenizer and a known context, the size leaves room for the prompt, the answer
        (`max_tokens`) and some slack; `ConfigError` when the context leaves none."""
        basis = (self.template, self.sampling.max_tokens, self.chunk_size, self.chunk_overlap)
        if self._chunking is None or self._chunking[0] != basis:
            tokenizer = self.chunk_tokenizer()
            if tokenizer is None:
                size = self.chunk_size or DEFAULT_CHUNK_CHARS
            else:
                size = self.chunk_size or DEFAULT_CHUNK_TOKENS
                context = self.context_length()
                if context:
                    prompt = self._prompt_tokens(tokenizer)
                    room = context - prompt - self.sampling.max_tokens - _CONTEXT_SLACK
                    if room < 16:
                        raise ConfigError(
                            f"{type(self).__name__}: the model's context ({context} tokens) leaves no room "
                            f"for a message beside the prompt ({prompt}) and the answer (max_tokens "
                            f"{self.sampling.max_tokens}); raise max_model_len or lower max_tokens"
                        )
                    size = min(size, room)
            overlap = self.chunk_overlap if self.chunk_overlap is not None else size // 8
            self._chunking = (basis, (size, min(overlap, size // 2 - 1) if size >= 4 else 0))
        return self._chunking[1]

    def windows(self, text: str) -> list[Window]:
        """The chunks of `text` as character offsets: one `(0, len(text))` when it fits."""
        size, overlap = self.chunk_settings()
        tokenizer = self.chunk_tokenizer()
        if tokenizer is None or len(text) * 6 <= size:  # (a token covers a byte; an escape, 6 at most)
            return plan_windows(len(text), size, overlap)
        return plan_windows(len(text), size, overlap, token_offsets(tokenizer, text, escaped=True))

    def work_units(self, text: str) -> int:
        """The model calls `text` needs (its chunks), for the guard's time bound, counted without
        tokenizing: with a tokenizer, as if each byte of the escaped text were a token (a token
        covers one at least), so never fewer than `windows` gives."""
        size, overlap = self.chunk_settings()
        if self.chunk_tokenizer() is None:
            return count_windows(len(text), size, overlap)
        return count_windows(len(json_escaped(text)[0].encode("utf-8", "surrogatepass")), size, overlap)

    def _flow(self, texts: Sequence[str], user_name: str | None) -> Flow:
        """The extraction of a batch as a generator: it yields the conversations to complete and is
        sent their completions, until every chunk has an answer that fits; then it returns the
        spans of each text. The sync and async paths drive the same generator."""
        found: list[list[list[PrivacySpan]]] = [[] for _ in texts]
        pending = [_Piece(i, w) for i, text in enumerate(texts) for w in self.windows(text)]
        while pending:
            chunks = [texts[p.index][p.window[0] : p.window[1]] for p in pending]
            completions = yield [self.conversation(c, user_name=user_name) for c in chunks]
            if len(completions) != len(pending):
                raise ExtractionError(
                    f"{type(self).__name__}: {len(completions)} completions for {len(pending)} texts"
                )
            retry: list[_Piece] = []
            for piece, chunk, completion in zip(pending, chunks, completions, strict=True):
                why = "reached the token limit" if completion.finish_reason == "length" else None
                if why is None:
                    parsed = read_output(completion.text, chunk, source=self.name)
                    if not parsed.truncated:
                        found[piece.index].append(shift(parsed.spans, piece.window[0]))
                        continue
                    why = "was cut off before its JSON closed"
                length = piece.window[1] - piece.window[0]
                halves = split_window(piece.window, max(64, length // 8))
                if piece.depth >= self.truncation_retries or not halves:
                    raise TruncatedOutputError(
                        f"{type(self).__name__}: the output {why} (max_tokens {self.sampling.max_tokens}) "
                        f"for a piece of {length} characters; raise max_tokens"
                    )
                retry.extend(_Piece(piece.index, half, piece.depth + 1) for half in halves)
            pending = retry
        return [merge_chunks(text, spans) for text, spans in zip(texts, found, strict=True)]

    def extract(self, text: str, *, user_name: str | None = None) -> list[PrivacySpan]:
        return self.extract_batch([text], user_name=user_name)[0]

    def extract_batch(self, texts: Sequence[str], *, user_name: str | None = None) -> list[list[PrivacySpan]]:
        if not texts:
            return []
        lookup = BatchLookup(self.cache, self.cache_identity(), texts, user_name)
        if not lookup.missing:
            return lookup.complete([])
        flow = self._flow(lookup.missing, user_name)
        try:
            request = next(flow)
            while True:
                request = flow.send(self._complete(request))
        except StopIteration as done:
            found: list[list[PrivacySpan]] = done.value
        return lookup.complete(found)

    async def aextract(self, text: str, *, user_name: str | None = None) -> list[PrivacySpan]:
        return (await self.aextract_batch([text], user_name=user_name))[0]

    async def aextract_batch(
        self, texts: Sequence[str], *, user_name: str | None = None
    ) -> list[list[PrivacySpan]]:
        if not texts:
            return []
        lookup = BatchLookup(self.cache, self.cache_identity(), texts, user_name)
        if not lookup.missing:
            return lookup.complete([])
        flow = self._flow(lookup.missing, user_name)
        try:
            request = next(flow)
            while True:
                request = flow.send(await self._acomplete(request))
        except StopIteration as done:
            found: list[list[PrivacySpan]] = done.value
        return lookup.complete(found)
