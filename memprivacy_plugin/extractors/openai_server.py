"""`OpenAICompatibleExtractor`: a MemPrivacy model served over the OpenAI chat API.

`vllm serve IAAR-Shanghai/MemPrivacy-4B-RL` (or SGLang, llama.cpp's server, Ollama, LM Studio)
on the user's machine or their own network; several app replicas share it, and vLLM replicas behind
a load balancer scale it. Output is constrained with `response_format` (JSON schema). Requests
have a timeout and are retried with exponential backoff by the `openai` client; a server that
cannot be reached raises `ExtractionError`, so the guard fails closed.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
from collections.abc import Mapping, Sequence
from typing import Any

from ..errors import ConfigError, ExtractionError
from .generative import Completion, Conversation, GenerativeExtractor
from .prompt import PromptTemplate, SamplingSettings

__all__ = ["OpenAICompatibleExtractor"]


def _openai() -> Any:
    try:
        import openai
    except ImportError as exc:
        raise ImportError(
            "OpenAICompatibleExtractor needs the openai client: pip install 'memprivacy-plugin[openai]'"
        ) from exc
    return openai


class OpenAICompatibleExtractor(GenerativeExtractor):
    """Extraction through any OpenAI-compatible chat completions server.

    `concurrency` bounds requests in flight for a batch; `timeout` (seconds) bounds each request
    and `max_retries` retries connection errors, 429s and 5xx with backoff. `extra_body` is sent
    with every request: by default it disables Qwen3 thinking through the chat template and sets
    the repetition penalty (vLLM and SGLang read both; servers that do not simply ignore them).
    """

    name = "openai_server"
    #: above the client's own worst case (3 attempts of 60 s by default), so its error shows first
    default_timeout = 200.0
    #: `aextract` uses the async HTTP client: the guard awaits it and cancels it on timeout
    async_native = True

    def __init__(
        self,
        model: str,
        base_url: str,
        api_key: str | None = None,
        *,
        timeout: float = 60.0,
        max_retries: int = 2,
        concurrency: int = 8,
        template: PromptTemplate | None = None,
        schema: dict[str, Any] | None = None,
        sampling: SamplingSettings | None = None,
        extra_body: Mapping[str, Any] | None = None,
        response_format: str = "json_schema",
    ) -> None:
        super().__init__(template=template, schema=schema, sampling=sampling)
        if concurrency < 1:
            raise ConfigError("concurrency must be at least 1")
        if response_format not in {"json_schema", "json_object", "none"}:
            raise ConfigError("response_format must be 'json_schema', 'json_object' or 'none'")
        openai = _openai()
        self.model = model
        self.base_url = base_url
        self.concurrency = concurrency
        self.response_format = response_format
        self.extra_body: dict[str, Any] = {
            "chat_template_kwargs": {"enable_thinking": False},
            "repetition_penalty": self.sampling.repetition_penalty,
            **(extra_body or {}),
        }
        key = api_key or "EMPTY"  # local servers accept any key; the client insists on one
        self._client = openai.OpenAI(base_url=base_url, api_key=key, timeout=timeout, max_retries=max_retries)
        self._aclient = openai.AsyncOpenAI(
            base_url=base_url, api_key=key, timeout=timeout, max_retries=max_retries
        )
        self._pool: concurrent.futures.ThreadPoolExecutor | None = None

    def __repr__(self) -> str:
        return f"OpenAICompatibleExtractor(model={self.model!r}, base_url={self.base_url!r})"

    def _request(self, conversation: Conversation) -> dict[str, Any]:
        request: dict[str, Any] = {
            "model": self.model,
            "messages": conversation,
            "temperature": self.sampling.temperature,
            "top_p": self.sampling.top_p,
            "max_tokens": self.sampling.max_tokens,
            "extra_body": self.extra_body,
        }
        if self.sampling.seed is not None:
            request["seed"] = self.sampling.seed
        if self.response_format == "json_schema":
            request["response_format"] = {
                "type": "json_schema",
                "json_schema": {"name": "privacy_spans", "schema": self.schema},
            }
        elif self.response_format == "json_object":
            request["response_format"] = {"type": "json_object"}
        return request

    def _error(self, exc: Exception) -> ExtractionError:
        openai = _openai()
        if isinstance(exc, openai.APITimeoutError):
            return ExtractionError(f"the extraction server at {self.base_url} timed out")
        if isinstance(exc, openai.APIConnectionError):
            return ExtractionError(f"cannot reach the extraction server at {self.base_url}")
        if isinstance(exc, openai.APIStatusError):
            return ExtractionError(
                f"the extraction server at {self.base_url} answered HTTP {exc.status_code}"
            )
        return ExtractionError(f"the extraction request failed ({type(exc).__name__})")

    @staticmethod
    def _completion(response: Any) -> Completion:
        choice = response.choices[0]
        return Completion(text=choice.message.content or "", finish_reason=choice.finish_reason)

    # The client's exceptions are never chained to ours: a status error holds the server's answer,
    # which may quote the message; so the ExtractionError is raised outside the `except` block.

    def _one(self, conversation: Conversation) -> Completion:
        try:
            return self._completion(self._client.chat.completions.create(**self._request(conversation)))
        except ExtractionError:
            raise
        except Exception as exc:
            error = self._error(exc)
        raise error

    def _complete(self, conversations: Sequence[Conversation]) -> list[Completion]:
        if len(conversations) == 1:
            return [self._one(conversations[0])]
        if self._pool is None:
            self._pool = concurrent.futures.ThreadPoolExecutor(
                max_workers=self.concurrency, thread_name_prefix="memprivacy-openai"
            )
        return list(self._pool.map(self._one, conversations))

    async def _acomplete(self, conversations: Sequence[Conversation]) -> list[Completion]:
        limit = asyncio.Semaphore(self.concurrency)

        async def one(conversation: Conversation) -> Completion:
            async with limit:
                try:
                    response = await self._aclient.chat.completions.create(**self._request(conversation))
                except Exception as exc:
                    error = self._error(exc)
                else:
                    return self._completion(response)
            raise error

        return list(await asyncio.gather(*(one(c) for c in conversations)))

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False)
            self._pool = None
        self._client.close()
