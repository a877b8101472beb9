"""Recommended extractor combinations, and extractors chosen by name (the CLI's `--extractor`).

Rules catch formatted identifiers and secrets a model may miss or mangle; a model catches what
has no form (names of others, diagnoses, incomes, itineraries, private messages). Every model
preset is therefore an `EnsembleExtractor` of the rules and the model.

| name | what | where |
|---|---|---|
| `rules` | `RuleExtractor` | anywhere; ~0.2 ms per message |
| `rules+spacy` | rules + `SpacyNerExtractor` | CPU-only default for English names, places, organisations |
| `vllm` | rules + `VLLMExtractor(model)` | a GPU machine with the MemPrivacy weights |
| `served` | rules + `OpenAICompatibleExtractor(model, base_url)` | a `vllm serve` (or other) server you run |
| `transformers` | rules + `TransformersExtractor(model)` | CPU or Apple silicon without vLLM |
| `token-classification` | rules + `TokenClassificationExtractor(model)` | fast CPU PII tagger |
"""

from __future__ import annotations

from typing import Any

from ..errors import ConfigError
from .base import Extractor
from .ensemble import EnsembleExtractor
from .rules import RuleExtractor

__all__ = ["DEFAULT_MODEL", "EXTRACTOR_NAMES", "build_extractor", "with_rules"]

DEFAULT_MODEL = "IAAR-Shanghai/MemPrivacy-4B-RL"
EXTRACTOR_NAMES = ("rules", "rules+spacy", "vllm", "served", "transformers", "token-classification")


def with_rules(model: Extractor, **rule_options: Any) -> EnsembleExtractor:
    """The recommended form of any model extractor: the rules and the model, merged."""
    return EnsembleExtractor([RuleExtractor(**rule_options), model])


def build_extractor(
    name: str, *, model: str | None = None, base_url: str | None = None, **options: Any
) -> Extractor:
    """An extractor by preset name (see the module docstring). `model` defaults to
    MemPrivacy-4B-RL for the generative presets; `served` needs `base_url`; other keywords go to
    the model extractor's constructor."""
    key = name.strip().lower().replace("_", "-")
    if key == "rules":
        return RuleExtractor(**options)
    if key in {"rules+spacy", "spacy"}:
        from .spacy_ner import SpacyNerExtractor

        return with_rules(SpacyNerExtractor(**options))
    if key == "vllm":
        from .vllm import VLLMExtractor

        return with_rules(VLLMExtractor(model or DEFAULT_MODEL, **options))
    if key in {"served", "openai"}:
        if not base_url:
            raise ConfigError("the 'served' extractor needs a base URL, e.g. http://127.0.0.1:8000/v1")
        from .openai_server import OpenAICompatibleExtractor

        return with_rules(OpenAICompatibleExtractor(model or DEFAULT_MODEL, base_url, **options))
    if key == "transformers":
        from .transformers import TransformersExtractor

        return with_rules(TransformersExtractor(model or DEFAULT_MODEL, **options))
    if key in {"token-classification", "tokens"}:
        if not model:
            raise ConfigError(
                "the 'token-classification' extractor needs --model (e.g. openai/privacy-filter)"
            )
        from .token_classification import TokenClassificationExtractor

        return with_rules(TokenClassificationExtractor(model, **options))
    raise ConfigError(f"unknown extractor {name!r}; choose one of: {', '.join(EXTRACTOR_NAMES)}")
