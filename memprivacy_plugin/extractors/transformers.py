"""`TransformersExtractor`: a MemPrivacy model run with Hugging Face `transformers` `generate`,
for machines without vLLM (CPU, Apple silicon). Output is constrained to the JSON schema by
xgrammar's logits processor, so even a small or unlucky model emits parseable JSON.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Sequence
from typing import Any

from ._cache import ExtractionCache
from .generative import Completion, Conversation, GenerativeExtractor
from .prompt import PromptTemplate, SamplingSettings

__all__ = ["TransformersExtractor"]


def _require() -> tuple[Any, Any, Any]:
    try:
        import torch
        import transformers
        import xgrammar
    except ImportError as exc:
        raise ImportError(
            "TransformersExtractor needs torch, transformers and xgrammar: "
            "pip install 'memprivacy-plugin[transformers]'"
        ) from exc
    return torch, transformers, xgrammar


class TransformersExtractor(GenerativeExtractor):
    """Extraction with `AutoModelForCausalLM.generate`, batched `batch_size` prompts at a time.

    `model` is a Hugging Face id or local path (or pass `model_obj=` and `tokenizer=` you loaded).
    `device` defaults to CUDA, then Apple MPS, then CPU; `dtype` to the checkpoint's.
    `any_whitespace=True` lets the grammar accept any JSON whitespace (default: compact layout).
    Long messages are chunked in the tokenizer's tokens, within the model's
    `max_position_embeddings` (see `GenerativeExtractor`).
    """

    name = "transformers"
    #: generation often runs on a CPU here: the guard's bound when it is given none (seconds)
    default_timeout = 300.0

    def __init__(
        self,
        model: str,
        *,
        device: str | None = None,
        dtype: str | None = None,
        batch_size: int = 8,
        any_whitespace: bool = False,
        template: PromptTemplate | None = None,
        schema: dict[str, Any] | None = None,
        sampling: SamplingSettings | None = None,
        model_obj: Any = None,
        tokenizer: Any = None,
        chunk_size: int | None = None,
        chunk_overlap: int | None = None,
        truncation_retries: int = 2,
        cache: ExtractionCache | bool = True,
        **model_kwargs: Any,
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
        torch, transformers, xgr = _require()
        self.model_name = model
        self.batch_size = max(1, batch_size)
        if device is None:
            if torch.cuda.is_available():
                device = "cuda"
            elif getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available():
                device = "mps"
            else:
                device = "cpu"
        self.device = device
        self.tokenizer = tokenizer or transformers.AutoTokenizer.from_pretrained(model)
        self.tokenizer.padding_side = "left"  # decoder-only: pad on the left for batched generate
        if self.tokenizer.pad_token is None:
            self.tokenizer.pad_token = self.tokenizer.eos_token
        if model_obj is None:
            if dtype is not None:
                model_kwargs["dtype"] = getattr(torch, dtype) if isinstance(dtype, str) else dtype
            model_obj = transformers.AutoModelForCausalLM.from_pretrained(model, **model_kwargs)
        self.model = model_obj.to(device).eval()
        vocab_size = getattr(self.model.config, "vocab_size", None) or len(self.tokenizer)
        info = xgr.TokenizerInfo.from_huggingface(self.tokenizer, vocab_size=vocab_size)
        # Free whitespace lets a weak or unlucky model pad forever inside the grammar; the compact
        # `json.dumps` layout (", " and ": ") is what models write anyway.
        self._grammar = xgr.GrammarCompiler(info).compile_json_schema(
            json.dumps(self.schema),
            any_whitespace=any_whitespace,
            separators=None if any_whitespace else (", ", ": "),
        )
        self._xgr = xgr
        self._torch = torch
        self._lock = threading.Lock()  # one generate at a time per model

    def __repr__(self) -> str:
        return f"TransformersExtractor(model={self.model_name!r}, device={self.device!r})"

    def model_identity(self) -> str:
        return str(self.model_name)

    def chunk_tokenizer(self) -> Any | None:
        return self.tokenizer if getattr(self.tokenizer, "is_fast", False) else None

    def context_length(self) -> int | None:
        positions = getattr(self.model.config, "max_position_embeddings", None)
        return int(positions) if isinstance(positions, int) and positions > 0 else None

    def _prompt(self, conversation: Conversation) -> str:
        prompt: str = self.tokenizer.apply_chat_template(
            conversation, tokenize=False, add_generation_prompt=True, enable_thinking=False
        )
        return prompt

    def _generate(self, conversations: Sequence[Conversation]) -> list[Completion]:
        s = self.sampling
        inputs = self.tokenizer(
            [self._prompt(c) for c in conversations],
            return_tensors="pt",
            padding=True,
            add_special_tokens=False,
        ).to(self.device)
        processor = self._xgr.contrib.hf.LogitsProcessor(self._grammar)
        sample = s.temperature > 0
        kwargs: dict[str, Any] = {
            "max_new_tokens": s.max_tokens,
            "do_sample": sample,
            "repetition_penalty": s.repetition_penalty,
            "logits_processor": [processor],
            "pad_token_id": self.tokenizer.pad_token_id,
        }
        if sample:
            kwargs.update(temperature=s.temperature, top_p=s.top_p)
        if s.seed is not None:
            self._torch.manual_seed(s.seed)
        with self._lock, self._torch.inference_mode():
            out = self.model.generate(**inputs, **kwargs)
        new = out[:, inputs["input_ids"].shape[1] :]
        eos = {self.tokenizer.eos_token_id, self.tokenizer.pad_token_id}
        eos.update(_ids(getattr(self.model.generation_config, "eos_token_id", None)))
        completions: list[Completion] = []
        for row in new.tolist():
            ended = any(t in eos for t in row)
            text = self.tokenizer.decode(row, skip_special_tokens=True)
            completions.append(Completion(text=text, finish_reason="stop" if ended else "length"))
        return completions

    def _complete(self, conversations: Sequence[Conversation]) -> list[Completion]:
        out: list[Completion] = []
        for i in range(0, len(conversations), self.batch_size):
            out.extend(self._generate(conversations[i : i + self.batch_size]))
        return out


def _ids(value: Any) -> list[int]:
    if value is None:
        return []
    return [int(v) for v in value] if isinstance(value, (list, tuple)) else [int(value)]
