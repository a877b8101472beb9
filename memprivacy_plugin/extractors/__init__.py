"""Extractors: find privacy-sensitive spans in a message. Any object with
`extract(text, *, user_name=None) -> list[PrivacySpan]` is one.

Model extractors import their heavy libraries (vllm, openai, torch, transformers, spaCy) only when
constructed, so importing this package stays light.
"""

from __future__ import annotations

from ._cache import ExtractionCache
from .base import ANY_TYPE, BaseExtractor, Extractor, coverage_of
from .ensemble import EnsembleExtractor
from .generative import Completion, GenerativeExtractor, TruncatedOutputError
from .known import KnownValuesExtractor
from .openai_server import OpenAICompatibleExtractor
from .presets import DEFAULT_MODEL, EXTRACTOR_NAMES, build_extractor, with_rules
from .prompt import (
    PROMPT_VERSION,
    OutputParseError,
    PromptTemplate,
    SamplingSettings,
    output_schema,
    parse_output,
)
from .rules import Recognizer, RuleExtractor
from .spacy_ner import SpacyNerExtractor
from .token_classification import TokenClassificationExtractor
from .transformers import TransformersExtractor
from .vllm import VLLMExtractor

__all__ = [
    "ANY_TYPE",
    "DEFAULT_MODEL",
    "EXTRACTOR_NAMES",
    "PROMPT_VERSION",
    "BaseExtractor",
    "Completion",
    "EnsembleExtractor",
    "ExtractionCache",
    "Extractor",
    "GenerativeExtractor",
    "KnownValuesExtractor",
    "OpenAICompatibleExtractor",
    "OutputParseError",
    "PromptTemplate",
    "Recognizer",
    "RuleExtractor",
    "SamplingSettings",
    "SpacyNerExtractor",
    "TokenClassificationExtractor",
    "TransformersExtractor",
    "TruncatedOutputError",
    "VLLMExtractor",
    "build_extractor",
    "coverage_of",
    "output_schema",
    "parse_output",
    "with_rules",
]
