"""Honest coverage: what each extractor declares it can find, the gaps a guard's policy leaves, the one
warning on the first protect, and the README's list of what the default protects."""

from __future__ import annotations

import asyncio
import logging
import re
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar

import pytest

from memprivacy_plugin import (
    EnsembleExtractor,
    InMemoryVault,
    KnownValuesExtractor,
    PrivacyGuard,
    PrivacyPolicy,
    PrivacySpan,
    RuleExtractor,
)
from memprivacy_plugin._coverage import coverage_gaps, protected_types
from memprivacy_plugin.extractors.base import ANY_TYPE, BaseExtractor, as_coverage, coverage_of
from memprivacy_plugin.extractors.generative import Completion, GenerativeExtractor
from memprivacy_plugin.extractors.rules import Recognizer
from memprivacy_plugin.taxonomy import STANDARD_TYPES, PrivacyLevel

ROOT = Path(__file__).resolve().parents[2]
LOGGER = "memprivacy_plugin"
KEEP_ALL = {"PL4": "keep", "PL3": "keep", "PL2": "keep"}


class Phones:
    """An extractor of the user's own, with a declared coverage."""

    coverage: ClassVar[frozenset[str]] = frozenset({"Phone Number", "Email"})

    def extract(self, text: str, *, user_name: str | None = None) -> list[PrivacySpan]:
        return [
            PrivacySpan(
                text=m.group(), start=m.start(), end=m.end(), privacy_type="Phone Number", level="PL2"
            )
            for m in re.finditer(r"\d{3}-\d{4}", text)
        ]


class Undeclared:
    """An extractor of the user's own that says nothing about its coverage."""

    def extract(self, text: str, *, user_name: str | None = None) -> list[PrivacySpan]:
        return []


class Model(GenerativeExtractor):
    """A generative backend answering with no spans (coverage is the class's, not the answer's)."""

    def _complete(self, conversations: Sequence[Any]) -> list[Completion]:
        return [Completion("[]", "stop") for _ in conversations]


# -- what extractors declare ---------------------------------------------------------------------------


def test_the_rules_coverage_is_the_types_of_their_recognisers() -> None:
    rules = RuleExtractor()
    expected = {rec.privacy_type for rec in rules.recognizers} | {"Real Name"}
    assert rules.coverage == expected
    assert {"Phone Number", "Email", "Password", "Financial Account"} <= rules.coverage
    assert not rules.coverage - set(STANDARD_TYPES)  # the built-in families use standard tags only
    # self-introductions ("my name is ...") keep Real Name without the user's name; a rule set
    # with neither has none
    assert "Real Name" in RuleExtractor(find_user_name=False).coverage
    no_names = [r for r in rules.recognizers if r.privacy_type != "Real Name"]
    assert "Real Name" not in RuleExtractor(recognizers=no_names, find_user_name=False).coverage


def test_the_rules_coverage_follows_added_and_disabled_recognisers() -> None:
    rules = RuleExtractor()
    rules.add(Recognizer(name="badge", privacy_type="employee badge", pattern=r"\bB-\d{6}\b"))
    rules.add(Recognizer(name="ward", privacy_type="diagnosis", pattern=r"\bward \d+\b"))
    assert "Medical Health" in rules.coverage  # a synonym, normalised
    assert "employee badge" in rules.coverage  # a custom type, kept
    emails = [rec.name for rec in rules.recognizers if rec.privacy_type == "Email"]
    for name in emails:
        rules.disable(name)
    assert "Email" not in rules.coverage
    rules.enable(emails[0])
    assert "Email" in rules.coverage
    only = RuleExtractor(recognizers=[Recognizer(name="ip", privacy_type="IP address", pattern=r"\d+")])
    assert only.coverage == {"Network Identifier", "Real Name"}


def test_known_values_cover_no_type_in_general() -> None:
    known = KnownValuesExtractor({"Project Aegis": "Business Secret"})
    assert known.coverage == frozenset()
    assert coverage_of(known) == frozenset()


def test_generative_extractors_have_an_open_vocabulary() -> None:
    assert Model().coverage == {ANY_TYPE}
    from memprivacy_plugin.extractors import OpenAICompatibleExtractor, TransformersExtractor, VLLMExtractor

    for cls in (OpenAICompatibleExtractor, TransformersExtractor, VLLMExtractor):
        assert coverage_of(cls) == {ANY_TYPE}


def test_ensembles_cover_the_union_and_an_undeclared_member_makes_it_unknown() -> None:
    ensemble = EnsembleExtractor([Phones(), KnownValuesExtractor({"x1": "Password"}), RuleExtractor()])
    assert ensemble.coverage == Phones.coverage | RuleExtractor().coverage
    assert EnsembleExtractor([Phones(), Model()]).coverage == {"Phone Number", "Email", ANY_TYPE}
    assert EnsembleExtractor([RuleExtractor(), Undeclared()]).coverage is None


def test_an_undeclared_or_unreadable_coverage_is_unknown() -> None:
    class Sub(BaseExtractor):
        def extract(self, text: str, *, user_name: str | None = None) -> list[PrivacySpan]:
            return []

    assert coverage_of(Undeclared()) is None
    assert coverage_of(Sub()) is None
    assert as_coverage(42) is None
    assert as_coverage(["Email", 3]) is None
    assert as_coverage("salary") == {"Assets/Income"}
    assert as_coverage(["phone", "手机号", "Shoe Size", ANY_TYPE]) == {"Phone Number", "Shoe Size", ANY_TYPE}


def test_spacy_coverage_follows_its_label_map() -> None:
    pytest.importorskip("spacy")
    import importlib.util

    from memprivacy_plugin.extractors.spacy_ner import DEFAULT_PIPELINES, SpacyNerExtractor

    if not any(importlib.util.find_spec(n) for n in DEFAULT_PIPELINES["en"]):
        pytest.skip("no English spaCy pipeline installed")
    ner = SpacyNerExtractor()
    assert ner.coverage == {"Real Name", "Relationship Info", "Identity Background", "Detailed Address"}
    wider = SpacyNerExtractor(labels={"NORP": "Sensitive Identity", "ORG": None, "GPE": "Precise Location"})
    assert wider.coverage == {
        "Real Name",
        "Relationship Info",
        "Sensitive Identity",
        "Detailed Address",
        "Precise Location",
    }


def test_token_classification_coverage_follows_the_models_labels() -> None:
    transformers = pytest.importorskip("transformers")
    pytest.importorskip("torch")
    tokenizers = pytest.importorskip("tokenizers")
    from memprivacy_plugin.extractors.token_classification import TokenClassificationExtractor

    labels = ["O"] + [
        f"{p}-{e}" for e in ("private_email", "private_person", "city", "bogus_thing") for p in "BI"
    ]
    vocab = {"[PAD]": 0, "[UNK]": 1, "hello": 2}
    tok = tokenizers.Tokenizer(tokenizers.models.WordLevel(vocab, unk_token="[UNK]"))
    tok.pre_tokenizer = tokenizers.pre_tokenizers.Whitespace()
    fast = transformers.PreTrainedTokenizerFast(tokenizer_object=tok, unk_token="[UNK]", pad_token="[PAD]")
    config = transformers.BertConfig(
        vocab_size=3,
        hidden_size=8,
        num_hidden_layers=1,
        num_attention_heads=1,
        intermediate_size=8,
        max_position_embeddings=32,
        id2label=dict(enumerate(labels)),
    )
    model = transformers.BertForTokenClassification(config)
    tagger = TokenClassificationExtractor(model, tokenizer=fast)
    # a person label is the user's name or someone else's; a city alone is never a span; a label the
    # map does not know is kept as a custom type (PL3), so it is covered too; "O" is nothing
    assert tagger.coverage == {"Email", "Real Name", "Relationship Info", "bogus thing"}
    quiet = TokenClassificationExtractor(model, tokenizer=fast, label_map={"private_email": None})
    assert "Email" not in quiet.coverage


# -- the gaps a policy leaves ----------------------------------------------------------------------------


def guard_of(extractor: Any, policy: Any = None, **kwargs: Any) -> PrivacyGuard:
    return PrivacyGuard(extractor=extractor, vault=InMemoryVault(), policy=policy, **kwargs)


def test_protected_types_follow_levels_and_type_overrides() -> None:
    default = protected_types(PrivacyPolicy.default())
    assert list(default) == [
        t.name
        for lvl in ("PL4", "PL3", "PL2")
        for t in STANDARD_TYPES.values()
        if t.level == PrivacyLevel(lvl)
    ]
    assert set(protected_types(PrivacyPolicy.pl4_only())) == {
        t.name for t in STANDARD_TYPES.values() if t.level == PrivacyLevel.PL4
    }
    custom = PrivacyPolicy(
        levels={"PL4": "keep", "PL3": "keep", "PL2": "keep"},
        types={"diagnosis": "placeholder", "Shoe Size": "block", "Email": "keep"},
    )
    assert protected_types(custom) == {"Medical Health": PrivacyLevel.PL3, "Shoe Size": None}
    assert protected_types(PrivacyPolicy(levels={"PL2": "keep"}, types={"Email": "redact"}))["Email"] is (
        PrivacyLevel.PL2
    )


def test_coverage_gaps_are_the_protected_types_the_extractor_cannot_find() -> None:
    guard = guard_of(RuleExtractor())
    expected = [name for name in protected_types(guard.policy) if name not in RuleExtractor().coverage]
    assert guard.coverage_gaps() == expected
    assert guard.coverage_gaps() == coverage_gaps(guard.extractor, guard.policy)
    assert guard_of(Phones(), {"levels": {"PL4": "keep", "PL3": "keep"}}).coverage_gaps() == [
        "Real Name",
        "Detailed Address",
        "Account ID/Username",
        "Network Identifier",
        "Identity Background",
        "Relationship Info",
    ]
    assert guard_of(Phones(), {"levels": KEEP_ALL}).coverage_gaps() == []
    assert guard_of(Phones(), {"levels": KEEP_ALL, "types": {"Shoe Size": "redact"}}).coverage_gaps() == [
        "Shoe Size"
    ]
    assert guard_of(EnsembleExtractor([RuleExtractor(), Model()])).coverage_gaps() == []
    assert guard_of(Undeclared()).coverage_gaps() == []
    assert guard_of(KnownValuesExtractor(), "pl4-only").coverage_gaps() == list(
        protected_types(PrivacyPolicy.pl4_only())
    )


# -- the one warning -------------------------------------------------------------------------------------

POLICY = {
    "levels": KEEP_ALL,
    "types": {
        "diagnosis": "placeholder",
        "Shoe Size": "block",
        "Email": "redact",
        "Phone Number": "placeholder",
    },
}
WARNING = (
    "the extractor Phones cannot find 2 type(s) that the policy protects, so those values reach the cloud "
    "in clear: PL3: Medical Health; custom: Shoe Size. To protect them, add a model extractor next to the "
    "rules, e.g. with_rules(VLLMExtractor(...)) or `--extractor vllm|served|transformers` (see "
    "docs/models.md); `memprivacy doctor` shows the whole configuration; PrivacyGuard(..., "
    "warn_coverage=False) silences this warning."
)
SECRET_TEXT = "call 555-0199, I was diagnosed with lupus"


def records(caplog: pytest.LogCaptureFixture, level: int = logging.WARNING) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == LOGGER and r.levelno >= level]


def test_the_first_protect_warns_once_naming_the_gaps(caplog: pytest.LogCaptureFixture) -> None:
    guard = guard_of(Phones(), POLICY)
    with caplog.at_level(logging.DEBUG, logger=LOGGER):
        assert (
            guard.protect(SECRET_TEXT, user_id="u1").text
            == "call <Phone_Number_1>, I was diagnosed with lupus"
        )
        guard.protect(SECRET_TEXT, user_id="u1")
        guard.protect_batch([SECRET_TEXT], user_id="u2")
    found = records(caplog)
    assert [r.getMessage() for r in found] == [WARNING]
    assert found[0].levelno == logging.WARNING
    assert "555-0199" not in caplog.text
    assert "lupus" not in caplog.text


@pytest.mark.parametrize(
    "call",
    [
        lambda g: g.protect(SECRET_TEXT, user_id="u"),
        lambda g: asyncio.run(g.aprotect(SECRET_TEXT, user_id="u")),
        lambda g: g.protect_batch([SECRET_TEXT, "hi"], user_id="u"),
        lambda g: asyncio.run(g.aprotect_batch([SECRET_TEXT], user_id="u")),
        lambda g: g.protect_data({"a": [SECRET_TEXT]}, user_id="u"),
        lambda g: asyncio.run(g.aprotect_data({"a": SECRET_TEXT}, user_id="u")),
        lambda g: g.protect_messages([{"role": "user", "content": SECRET_TEXT}], user_id="u"),
        lambda g: g.protect("   ", user_id="u"),  # blank text: nothing to extract, still the first protect
    ],
    ids=[
        "protect",
        "aprotect",
        "protect_batch",
        "aprotect_batch",
        "protect_data",
        "aprotect_data",
        "protect_messages",
        "blank",
    ],
)
def test_every_form_of_protect_warns_once(caplog: pytest.LogCaptureFixture, call: Any) -> None:
    guard = guard_of(Phones(), POLICY)
    with caplog.at_level(logging.WARNING, logger=LOGGER):
        call(guard)
        call(guard)
        guard.protect("x", user_id="u")
        asyncio.run(guard.aprotect("x", user_id="u"))
    assert [r.getMessage() for r in records(caplog)] == [WARNING]


def test_each_guard_warns_for_itself(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger=LOGGER):
        for _ in range(3):
            guard_of(Phones(), POLICY).protect("hi", user_id="u")
    assert len(records(caplog)) == 3


def test_concurrent_first_protects_warn_once(caplog: pytest.LogCaptureFixture) -> None:
    guard = guard_of(Phones(), POLICY)
    start = threading.Barrier(8)

    def work() -> None:
        start.wait()
        guard.protect(SECRET_TEXT, user_id="u")

    with caplog.at_level(logging.WARNING, logger=LOGGER):
        threads = [threading.Thread(target=work) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert len(records(caplog)) == 1


def test_warn_coverage_false_silences_it(caplog: pytest.LogCaptureFixture) -> None:
    guard = guard_of(Phones(), POLICY, warn_coverage=False)
    with caplog.at_level(logging.DEBUG, logger=LOGGER):
        guard.protect(SECRET_TEXT, user_id="u")
    assert records(caplog, logging.DEBUG) == []
    assert guard.coverage_gaps() == ["Medical Health", "Shoe Size"]  # still there to ask


def test_no_warning_without_gaps(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG, logger=LOGGER):
        guard_of(EnsembleExtractor([RuleExtractor(), Model()])).protect(SECRET_TEXT, user_id="u")
        guard_of(Phones(), {"levels": KEEP_ALL}).protect("hi", user_id="u")
    assert records(caplog, logging.DEBUG) == []


def test_an_unknown_coverage_is_said_at_info_level(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG, logger=LOGGER):
        guard_of(EnsembleExtractor([RuleExtractor(), Undeclared()])).protect(SECRET_TEXT, user_id="u")
    assert records(caplog) == []
    [info] = records(caplog, logging.INFO)
    assert info.getMessage() == (
        "the extractor EnsembleExtractor(RuleExtractor, Undeclared) declares no coverage, so the types the "
        "policy protects that it cannot find are not checked; give it a `coverage` (see docs/extractors.md)"
    )


def test_a_coverage_that_raises_does_not_stop_protect(caplog: pytest.LogCaptureFixture) -> None:
    class Broken(Phones):
        @property
        def coverage(self) -> frozenset[str]:  # type: ignore[override]
            raise RuntimeError("call 555-0199")

    guard = guard_of(Broken(), POLICY)
    with caplog.at_level(logging.WARNING, logger=LOGGER):
        assert guard.protect(SECRET_TEXT, user_id="u").text.startswith("call <Phone_Number_1>")
        guard.protect(SECRET_TEXT, user_id="u")
    assert [r.getMessage() for r in records(caplog)] == [
        "could not read the coverage of the extractor (RuntimeError); its gaps are not checked"
    ]


def test_the_default_guard_warns_about_what_the_rules_cannot_see(caplog: pytest.LogCaptureFixture) -> None:
    guard = PrivacyGuard(vault=InMemoryVault())
    gaps = guard.coverage_gaps()
    assert gaps  # private messages at least have no form the rules could know
    with caplog.at_level(logging.WARNING, logger=LOGGER):
        guard.protect("hello", user_id="u")
    [record] = records(caplog)
    assert record.getMessage().startswith(f"the extractor RuleExtractor cannot find {len(gaps)} type(s)")
    assert all(name in record.getMessage() for name in gaps)


# -- the README ------------------------------------------------------------------------------------------


def readme_block() -> list[str]:
    """The lines of the README's list of what the default protects and what it cannot see."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"<!-- coverage[^>]*-->\n(.*?)<!-- /coverage -->", text, re.S)
    assert block, "README.md has no <!-- coverage --> block"
    return [line.strip() for line in block.group(1).splitlines() if line.strip()]


def expected_block(covered: frozenset[str]) -> list[str]:
    lines = []
    for level in ("PL4", "PL3", "PL2"):
        standard = [t.name for t in STANDARD_TYPES.values() if t.level == PrivacyLevel(level)]
        for label, names in (
            ("protected", [n for n in standard if n in covered]),
            ("not seen", [n for n in standard if n not in covered]),
        ):
            if names:
                lines.append(f"- **{level}** {label}: {', '.join(names)}")
    return lines


def test_the_readme_lists_what_the_default_protects() -> None:
    """Derived from the recognisers registered now: a new rule family changes the coverage, and the
    failure shows the block to paste into README.md."""
    guard = PrivacyGuard(vault=InMemoryVault(), warn_coverage=False)
    covered = coverage_of(guard.extractor)
    assert covered is not None
    expected = expected_block(covered)
    assert readme_block() == expected, (
        "README.md's <!-- coverage --> list no longer matches the default extractor; replace it with:\n"
        + "\n".join(expected)
    )
    not_seen = [n for line in expected if " not seen: " in line for n in line.split(": ", 1)[1].split(", ")]
    assert not_seen == guard.coverage_gaps()
