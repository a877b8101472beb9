"""Extractor presets by name: rules alone, rules + model, and clear errors."""

from __future__ import annotations

import pytest

from memprivacy_plugin import ConfigError, EnsembleExtractor, RuleExtractor
from memprivacy_plugin.extractors import (
    EXTRACTOR_NAMES,
    OpenAICompatibleExtractor,
    build_extractor,
    with_rules,
)


def test_rules_preset() -> None:
    assert isinstance(build_extractor("rules"), RuleExtractor)


def test_served_preset_is_rules_plus_model() -> None:
    extractor = build_extractor("served", model="m", base_url="http://127.0.0.1:9/v1")
    assert isinstance(extractor, EnsembleExtractor)
    kinds = [type(e) for e in extractor.extractors]
    assert kinds == [RuleExtractor, OpenAICompatibleExtractor]
    assert extractor.extractors[1].model == "m"


def test_with_rules_puts_the_rules_first() -> None:
    model = RuleExtractor(disabled={"email"})
    ensemble = with_rules(model)
    assert ensemble.extractors[1] is model
    assert isinstance(ensemble.extractors[0], RuleExtractor)


@pytest.mark.parametrize(
    ("name", "kwargs", "message"),
    [
        ("served", {}, "base URL"),
        ("token-classification", {}, "--model"),
        ("gpt-9", {}, "unknown extractor"),
    ],
)
def test_errors_are_clear(name: str, kwargs: dict, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        build_extractor(name, **kwargs)


def test_every_name_is_known() -> None:
    assert EXTRACTOR_NAMES[0] == "rules"
    assert "vllm" in EXTRACTOR_NAMES
    assert "served" in EXTRACTOR_NAMES


def test_vllm_preset_without_vllm_names_the_extra() -> None:
    try:
        import vllm  # noqa: F401
    except ImportError:
        with pytest.raises(ImportError, match=r"memprivacy-plugin\[vllm\]"):
            build_extractor("vllm")
    else:  # pragma: no cover - an environment with vLLM
        pytest.skip("vLLM is installed here")
