"""SpacyNerExtractor on a real small English pipeline (skipped when spaCy or the pipeline is missing)."""

from __future__ import annotations

import importlib.util
import warnings
from typing import Any, ClassVar

import pytest

from memprivacy_plugin.extractors.spacy_ner import DEFAULT_PIPELINES, detect_language
from memprivacy_plugin.taxonomy import PrivacyLevel
from memprivacy_plugin.testing import ExtractorContractTests

EN_PIPELINES = [n for n in DEFAULT_PIPELINES["en"] if importlib.util.find_spec(n) is not None]


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("I met John Smith at Google in Paris yesterday.", "en"),
        ("我的妻子Marie在巴黎工作。", "zh"),
        ("今日は東京で会議があります。", "ja"),
        ("안녕하세요, 저는 서울에 살아요.", "ko"),
        ("My Chinese name is 王小明, I live in London with my family.", "en"),
        ("12345 !!!", "en"),
        ("", "en"),
    ],
)
def test_detect_language(text: str, language: str) -> None:
    assert detect_language(text) == language


@pytest.fixture(scope="module")
def extractor() -> Any:
    pytest.importorskip("spacy")
    if not EN_PIPELINES:
        pytest.skip("no English spaCy pipeline installed")
    from memprivacy_plugin.extractors.spacy_ner import SpacyNerExtractor

    return SpacyNerExtractor({"zh": "zh_pipeline_that_is_not_installed"})


SENTENCE = "I met John Smith at Google in Paris yesterday."


def _by_text(spans: list[Any]) -> dict[str, Any]:
    return {s.text: s for s in spans}


def test_person_is_relationship_info_and_org_identity_background(extractor: Any) -> None:
    spans = extractor.extract(SENTENCE)
    found = _by_text(spans)
    assert found["John Smith"].privacy_type == "Relationship Info"
    assert found["John Smith"].level == PrivacyLevel.PL2
    assert found["Google"].privacy_type == "Identity Background"
    assert "Paris" not in found  # a city alone is not extracted by default
    assert "yesterday" not in found
    for span in spans:
        assert SENTENCE[span.start : span.end] == span.text
        assert span.source == "spacy"
    assert SENTENCE.index("John Smith") == found["John Smith"].start


@pytest.mark.parametrize("user_name", ["John Smith", "john  smith", "JOHN SMITH", "John"])
def test_user_name_makes_it_real_name(extractor: Any, user_name: str) -> None:
    found = _by_text(extractor.extract(SENTENCE, user_name=user_name))
    assert found["John Smith"].privacy_type == "Real Name"
    assert found["Google"].privacy_type == "Identity Background"


def test_other_user_name_keeps_relationship_info(extractor: Any) -> None:
    found = _by_text(extractor.extract(SENTENCE, user_name="Jane Doe"))
    assert found["John Smith"].privacy_type == "Relationship Info"


def test_offsets_and_trimming(extractor: Any) -> None:
    text = "Yesterday my sister Emily Clarke's boss at Microsoft called; Emily works at the Mayo Clinic."
    spans = extractor.extract(text)
    for span in spans:
        assert text[span.start : span.end] == span.text
        assert span.text == span.text.strip()
        assert not span.text.endswith("'s")
    texts = {s.text for s in spans}
    assert "Emily Clarke" in texts
    assert "Microsoft" in texts


def test_batch_equals_single(extractor: Any) -> None:
    texts = [
        SENTENCE,
        "",
        "Dr. Sarah Jenkins from Stanford University reviewed my results.",
        "我的妻子Marie在巴黎工作。",
        "Nothing private here, just the weather.",
        SENTENCE,
    ]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        batch = extractor.extract_batch(texts, user_name="Sarah Jenkins")
        assert batch == [extractor.extract(t, user_name="Sarah Jenkins") for t in texts]
    assert batch[1] == []
    assert batch[0] == batch[5]


def test_chinese_without_zh_pipeline_gives_no_spans_and_warns_once(extractor: Any) -> None:
    from memprivacy_plugin.extractors.spacy_ner import SpacyNerExtractor

    fresh = SpacyNerExtractor({"zh": "zh_other_pipeline_not_installed"})
    text = "我叫张伟，在阿里巴巴工作，住在北京市朝阳区建国路88号。"
    with pytest.warns(RuntimeWarning, match="no spaCy pipeline for 'zh'"):
        assert fresh.extract(text) == []
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert fresh.extract(text) == []  # no second warning
        assert fresh.extract_batch([text, text]) == [[], []]


def test_labels_override(extractor: Any) -> None:
    from memprivacy_plugin.extractors.spacy_ner import SpacyNerExtractor

    custom = SpacyNerExtractor(
        labels={"GPE": "Precise Location", "ORG": None, "PERSON": ("Real Name", "PL3")}
    )
    found = _by_text(custom.extract(SENTENCE))
    assert found["Paris"].privacy_type == "Precise Location"
    assert found["Paris"].level == PrivacyLevel.PL3
    assert "Google" not in found
    assert (found["John Smith"].privacy_type, found["John Smith"].level) == ("Real Name", PrivacyLevel.PL3)


def test_only_ner_runs(extractor: Any) -> None:
    nlp = extractor.pipeline("en")
    assert "ner" in nlp.pipe_names
    assert "parser" not in nlp.pipe_names
    assert "lemmatizer" not in nlp.pipe_names
    assert extractor.pipeline("en") is nlp  # loaded once


def test_missing_default_pipeline_names_the_package() -> None:
    pytest.importorskip("spacy")
    from memprivacy_plugin.extractors.spacy_ner import SpacyNerExtractor

    with pytest.raises(ImportError, match=r"no spaCy pipeline installed for .en.*en_missing_pipeline"):
        SpacyNerExtractor({"en": "en_missing_pipeline"})


def test_missing_spacy_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    from memprivacy_plugin.extractors import spacy_ner

    def fail(name: str) -> Any:
        raise ImportError(name)

    monkeypatch.setattr(spacy_ner.importlib, "import_module", fail)
    with pytest.raises(ImportError, match=r"memprivacy-plugin\[spacy\]"):
        spacy_ner.SpacyNerExtractor()


def test_city_only_as_part_of_an_address(extractor: Any) -> None:
    text = "We moved to 1600 Pennsylvania Avenue, Washington, D.C. last year. I love Paris."
    spans = extractor.extract(text)
    addresses = [s for s in spans if s.privacy_type == "Detailed Address"]
    assert [s.text for s in addresses] == ["1600 Pennsylvania Avenue, Washington, D.C"]
    assert "Paris" not in {s.text for s in spans}


def test_norp_is_opt_in(extractor: Any) -> None:
    from memprivacy_plugin.extractors.spacy_ner import SpacyNerExtractor

    text = "I am a Muslim and I cook Japanese food."
    assert extractor.extract(text) == []
    opted = SpacyNerExtractor(labels={"NORP": "Sensitive Identity"})
    found = _by_text(opted.extract(text))
    assert found["Muslim"].privacy_type == "Sensitive Identity"
    assert found["Muslim"].level == PrivacyLevel.PL3


def test_acronyms_codes_and_latex_are_not_entities(extractor: Any) -> None:
    text = (
        "I converted the PDF for the DMV and sent the OTP by SMS. "
        "Reference TXN-88492-TAS was approved. Solve \\(a_2 + b\\) for Gleason."
    )
    texts = {s.text for s in extractor.extract(text)}
    assert not texts & {"PDF", "DMV", "OTP", "SMS", "TXN-88492-TAS"}
    assert not any("\\" in t or "_" in t for t in texts)


class TestSpacyNerContract(ExtractorContractTests):
    """The spaCy extractor keeps the contract every extractor does (names, not phone numbers)."""

    # The module's `extractor` fixture serves the kit's tests.
    examples: ClassVar = (("I met John Smith at Google in Paris yesterday.", "John Smith"),)
