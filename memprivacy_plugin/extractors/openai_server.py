"""`OpenAICompatibleExtractor`: a MemPrivacy model served over the OpenAI chat API.

`vllm serve IAAR-Shanghai/MemPrivacy-4B-RL` (or SGLang, llama.cpp's server, Ollama, LM Studio)
on the user's machine or their own network; several app replicas share it. Given several base
URLs (replicas of the server), requests go round robin to the replicas that are up, a request
that fails on one (no connection, a timeout, HTTP 408/429/5xx) is retried on the next, and the
failed replica sits out a cool-down before one request probes it again (`_replicas.py`). Output
is constrained with `response_format` (JSON schema). When no replica answers, `ExtractionError`
is raised, so the guard fails closed.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import math
import time
from collections.abc import Mapping, Sequence
from typing import Any

from ..errors import ConfigError, ExtractionError
from ._cache import ExtractionCache
from ._replicas import BACKOFF_MAX, BACKOFF_START, Failure, ReplicaHealth, ReplicaSet, Route
from .generative import Completion, Conversation, GenerativeExtractor
from .prompt import PromptTemplate, SamplingSettings

__all__ = ["OpenAICompatibleExtractor", "ReplicaHealth"]


def _openai() -> Any:
    try:
        import openai
    except ImportError as exc:
        raise ImportError(
            "OpenAICompatibleExtractor needs the openai client: pip install 'memprivacy-plugin[openai]'"
        ) from exc
    return openai


def _urls(base_url: str | Sequence[str]) -> tuple[str, ...]:
    """One URL, several in a sequence, or several in one string separated by commas (as an
    environment variable or a command-line option gives them)."""
    items = base_url.split(",") if isinstance(base_url, str) else list(base_url)
    if not all(isinstance(item, str) for item in items):
        raise ConfigError("base_url must be a URL string or a sequence of URL strings")
    urls = tuple(item.strip() for item in items if item.strip())
    if not urls:
        raise ConfigError("base_url needs at least one URL, e.g. http://127.0.0.1:8000/v1")
    seen = [url.rstrip("/") for url in urls]
    if len(set(seen)) != len(seen):
        raise ConfigError("base_url lists the same server twice")
    return urls


def _retry_after(headers: Any) -> float | None:
    """A 429's or 503's `Retry-After` (or `retry-after-ms`) in seconds; dates are not read."""
    try:
        ms = headers.get("retry-after-ms")
        if ms is not None:
            return float(ms) / 1000.0
        seconds = headers.get("retry-after")
        return None if seconds is None else float(seconds)
    except (AttributeError, TypeError, ValueError):
        return None


class OpenAICompatibleExtractor(GenerativeExtractor):
    """Extraction through any OpenAI-compatible chat completions server, or several replicas of one.

    `base_url` is one URL, a sequence of URLs, or URLs separated by commas: requests go round robin
    to the replicas that are up; a request that fails on one (no connection, a timeout, HTTP 408,
    429 or 5xx) moves on to the next, and that replica sits out `replica_cooldown` seconds before
    one request probes it again. Each request tries every replica once, then `max_retries` more
    times with exponential backoff; other HTTP errors (a 400: the request is at fault) are raised
    at once. When every attempt fails, `ExtractionError`: the guard fails closed.

    `concurrency` bounds requests in flight for a batch, across replicas; `timeout` (seconds)
    bounds each attempt. Long messages are chunked (see `GenerativeExtractor`) in characters, or in
    the tokens of `tokenizer` (the served model's, as an object or a name to load) within
    `max_model_len` when they are given. `extra_body` is sent with every request: by default it disables Qwen3
    thinking through the chat template and sets the repetition penalty (vLLM and SGLang read both;
    servers that do not simply ignore them).
    """

    name = "openai_server"
    #: at least this; raised per instance above its own worst case (every attempt timing out)
    default_timeout = 200.0
    #: `aextract` uses the async HTTP client: the guard awaits it and cancels it on timeout
    async_native = True

    def __init__(
        self,
        model: str,
        base_url: str | Sequence[str],
        api_key: str | None = None,
        *,
        timeout: float = 60.0,
        max_retries: int = 2,
        replica_cooldown: float = 30.0,
        concurrency: int = 8,
        template: PromptTemplate | None = None,
        schema: dict[str, Any] | None = None,
        sampling: SamplingSettings | None = None,
        extra_body: Mapping[str, Any] | None = None,
        response_format: str = "json_schema",
        tokenizer: Any = None,
        max_model_len: int | None = None,
        chunk_size: int | None = None,
        chunk_overlap: int | None = None,
        truncation_retries: int = 2,
        cache: ExtractionCache | bool = True,
    ) -> None:
        super().__init__(
            template=template,
            schema=schema,
            sampling=sampling,
            chunk_size=chunk_size,
            chunk_overlap=chunk_overlap,
            truncation_retries=truncation_retries,
            cache=cache,
        )
        if max_model_len is not None and (
            isinstance(max_model_len, bool) or not isinstance(max_model_len, int) or max_model_len < 1
        ):
            raise ConfigError("max_model_len must be a positive whole number of tokens")
        #: the served model's tokenizer (or its name or path, loaded on first use): chunks are then
        #: counted in its tokens within `max_model_len`; without one, in characters
        self.tokenizer = tokenizer
        self.max_model_len = max_model_len
        if concurrency < 1:
            raise ConfigError("concurrency must be at least 1")
        if response_format not in {"json_schema", "json_object", "none"}:
            raise ConfigError("response_format must be 'json_schema', 'json_object' or 'none'")
        if isinstance(max_retries, bool) or not isinstance(max_retries, int) or max_retries < 0:
            raise ConfigError("max_retries must be a whole number, 0 or more")
        for option, value in (("timeout", timeout), ("replica_cooldown", replica_cooldown)):
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value < math.inf:
                raise ConfigError(f"{option} must be a finite number of seconds, 0 or more")
        if timeout <= 0:
            raise ConfigError("timeout must be a positive number of seconds")
        openai = _openai()
        self.model = model
        self.base_urls = _urls(base_url)
        #: the first replica's URL (all of them: `base_urls`)
        self.base_url = self.base_urls[0]
        self.timeout = float(timeout)
        self.max_retries = max_retries
        self.replica_cooldown = float(replica_cooldown)
        self.concurrency = concurrency
        self.response_format = response_format
        self.extra_body: dict[str, Any] = {
            "chat_template_kwargs": {"enable_thinking": False},
            "repetition_penalty": self.sampling.repetition_penalty,
            **(extra_body or {}),
        }
        key = api_key or "EMPTY"  # local servers accept any key; the client insists on one
        # The clients never retry on their own: our loop does, on another replica when there is
        # one, so attempts are counted once and bounded by len(base_urls) + max_retries.
        self._clients = [
            openai.OpenAI(base_url=url, api_key=key, timeout=timeout, max_retries=0) for url in self.base_urls
        ]
        self._aclients = [
            openai.AsyncOpenAI(base_url=url, api_key=key, timeout=timeout, max_retries=0)
            for url in self.base_urls
        ]
        self._replicas = ReplicaSet(self.base_urls, self.replica_cooldown)
        attempts = len(self.base_urls) + max_retries
        waits = sum(min(BACKOFF_MAX, BACKOFF_START * 2.0**r) for r in range(max_retries))
        self.default_timeout = max(type(self).default_timeout, attempts * self.timeout + waits + 15.0)
        self._pool: concurrent.futures.ThreadPoolExecutor | None = None

    def __repr__(self) -> str:
        urls = self.base_url if len(self.base_urls) == 1 else list(self.base_urls)
        return f"OpenAICompatibleExtractor(model={self.model!r}, base_url={urls!r})"

    def model_identity(self) -> str:
        return str(self.model)

    def chunk_tokenizer(self) -> Any | None:
        if isinstance(self.tokenizer, str):
            try:
                from transformers import AutoTokenizer
            except ImportError as exc:
                hint = "pip install 'memprivacy-plugin[transformers]'"
                raise ImportError(f"a tokenizer given by name needs transformers: {hint}") from exc
            self.tokenizer = AutoTokenizer.from_pretrained(self.tokenizer)
        return self.tokenizer

    def context_length(self) -> int | None:
        return self.max_model_len

    def replica_health(self) -> tuple[ReplicaHealth, ...]:
        """Each replica's state now (up or in cool-down, attempts, failures), in `base_urls` order:
        for a health endpoint or metrics."""
        return self._replicas.health()

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

    @staticmethod
    def _failure(url: str, exc: Exception) -> Failure:
        """What an attempt's exception means: whose fault, and a message without the request."""
        openai = _openai()
        if isinstance(exc, openai.APITimeoutError):
            return Failure("timed out", f"the extraction server at {url} timed out", True)
        if isinstance(exc, openai.APIConnectionError):
            return Failure("cannot reach", f"cannot reach the extraction server at {url}", True)
        if isinstance(exc, openai.APIStatusError):
            code = int(exc.status_code)
            fault = code in (408, 429) or code >= 500
            message = f"the extraction server at {url} answered HTTP {code}"
            retry_after = _retry_after(exc.response.headers) if fault else None
            return Failure(f"HTTP {code}", message, fault, retry_after)
        return Failure(type(exc).__name__, f"the extraction request failed ({type(exc).__name__})", False)

    @staticmethod
    def _completion(response: Any) -> Completion:
        choice = response.choices[0]
        return Completion(text=choice.message.content or "", finish_reason=choice.finish_reason)

    # The client's exceptions are never chained to ours: a status error holds the server's answer,
    # which may quote the message; so the ExtractionError is raised outside the `except` block.
    # The two loops below are twins (sync client and time.sleep, async client and asyncio.sleep).

    def _one(self, conversation: Conversation) -> Completion:
        request = self._request(conversation)
        route = Route(self._replicas, self.max_retries)
        while (step := route.next()) is not None:
            pick, delay = step
            try:
                if delay:
                    time.sleep(delay)
                completion = self._completion(self._clients[pick.index].chat.completions.create(**request))
            except Exception as exc:
                failure = self._failure(self._replicas.url(pick), exc)
            except BaseException:
                self._replicas.release(pick)
                raise
            else:
                self._replicas.succeeded(pick)
                return completion
            if not route.failed(pick, failure):
                break
        raise ExtractionError(route.error_message())

    async def _aone(self, conversation: Conversation) -> Completion:
        request = self._request(conversation)
        route = Route(self._replicas, self.max_retries)
        while (step := route.next()) is not None:
            pick, delay = step
            try:
                if delay:
                    await asyncio.sleep(delay)
                response = await self._aclients[pick.index].chat.completions.create(**request)
                completion = self._completion(response)
            except Exception as exc:
                failure = self._failure(self._replicas.url(pick), exc)
            except BaseException:  # cancelled (the guard's time bound): free the replica's probe
                self._replicas.release(pick)
                raise
            else:
                self._replicas.succeeded(pick)
                return completion
            if not route.failed(pick, failure):
                break
        raise ExtractionError(route.error_message())

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
                return await self._aone(conversation)

        return list(await asyncio.gather(*(one(c) for c in conversations)))

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False)
            self._pool = None
        for client in self._clients:
            client.close()

    async def aclose(self) -> None:
        """Close the async clients' connections (`close` closes the sync ones)."""
        for client in self._aclients:
            await client.close()
