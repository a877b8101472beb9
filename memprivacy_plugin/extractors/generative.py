"""The skeleton every generative (LLM) extractor shares: prompt in, constrained JSON out, spans
parsed and verified. Backends (vLLM in-process, an OpenAI-compatible server, transformers) only
implement how a batch of chat conversations becomes a batch of completions.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ..errors import ExtractionError
from ..spans import PrivacySpan
from .base import ANY_TYPE, BaseExtractor
from .prompt import DEFAULT_TEMPLATE, PromptTemplate, SamplingSettings, output_schema, parse_output

__all__ = ["Completion", "GenerativeExtractor", "TruncatedOutputError"]

Conversation = list[dict[str, str]]


class TruncatedOutputError(ExtractionError):
    """The model stopped at its token limit: the span list may be incomplete, so it is not used."""


@dataclass(frozen=True)
class Completion:
    """One generated answer and why generation stopped (`"stop"`, `"length"`, ...)."""

    text: str
    finish_reason: str | None = None


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
    ) -> None:
        self.template = template or DEFAULT_TEMPLATE
        self.schema = schema or output_schema()
        self.sampling = sampling or SamplingSettings()

    # Backends implement one or both of these.
    def _complete(self, conversations: Sequence[Conversation]) -> list[Completion]:
        raise NotImplementedError

    async def _acomplete(self, conversations: Sequence[Conversation]) -> list[Completion]:
        return await asyncio.to_thread(self._complete, conversations)

    # The shared part.
    def conversation(self, text: str, *, user_name: str | None = None) -> Conversation:
        return self.template.messages(text, user_name=user_name)

    def _spans(self, text: str, completion: Completion) -> list[PrivacySpan]:
        if completion.finish_reason == "length":
            raise TruncatedOutputError(
                f"{type(self).__name__}: the output reached the token limit ({self.sampling.max_tokens}); "
                "raise max_tokens"
            )
        return parse_output(completion.text, text, source=self.name)

    def _check(self, texts: Sequence[str], completions: Sequence[Completion]) -> list[list[PrivacySpan]]:
        if len(completions) != len(texts):
            raise ExtractionError(
                f"{type(self).__name__}: {len(completions)} completions for {len(texts)} texts"
            )
        return [self._spans(t, c) for t, c in zip(texts, completions, strict=True)]

    def extract(self, text: str, *, user_name: str | None = None) -> list[PrivacySpan]:
        return self.extract_batch([text], user_name=user_name)[0]

    def extract_batch(self, texts: Sequence[str], *, user_name: str | None = None) -> list[list[PrivacySpan]]:
        if not texts:
            return []
        completions = self._complete([self.conversation(t, user_name=user_name) for t in texts])
        return self._check(texts, completions)

    async def aextract(self, text: str, *, user_name: str | None = None) -> list[PrivacySpan]:
        return (await self.aextract_batch([text], user_name=user_name))[0]

    async def aextract_batch(
        self, texts: Sequence[str], *, user_name: str | None = None
    ) -> list[list[PrivacySpan]]:
        if not texts:
            return []
        completions = await self._acomplete([self.conversation(t, user_name=user_name) for t in texts])
        return self._check(texts, completions)
