"""Medications someone takes (Medical Health, PL3): a drug (the drug-named-entity-recognition
dictionary where installed, else the built-in list) with its dose, kept where the sentence says
someone takes it; hard negatives are general questions, advice and everyday uses of "take" and "on"."""

from __future__ import annotations

from pathlib import Path

import pytest
from rule_checks import assert_found, family_only, spans_of

from memprivacy_plugin.extractors.rules import RuleExtractor
from memprivacy_plugin.extractors.rules.catalog import medications
from memprivacy_plugin.taxonomy import PrivacyLevel

MH = "Medical Health"


@pytest.fixture(scope="module")
def meds_only() -> RuleExtractor:
    return family_only("medications")


POSITIVES = [
    ("我现在只想闭上眼睛，听着音乐，让氯雷他定的药效慢慢发挥", "氯雷他定"),
    ("I am taking my prescribed Vitamin D3 (1000 IU daily).", "Vitamin D3"),
    ("I take 500mg of magnesium every night", "500mg of magnesium"),
    ("我从6月份就开始每天坚持服用氨基葡萄糖了", "氨基葡萄糖"),
    ("我刚滴过人工泪液", "人工泪液"),
    ("I'm on 50mg of sertraline right now.", "50mg of sertraline"),
    ("My doctor prescribed Lexapro 10 mg for me", "Lexapro 10 mg"),
    ("I take metformin twice a day", "metformin"),
    ("my insulin pen broke this morning", "insulin"),
    ("I've been taking Wellbutrin XL 150mg daily", "Wellbutrin XL 150mg daily"),
    ("I stopped taking my antidepressants last week", "antidepressants"),
    ("My mom is on blood thinners", "blood thinners"),
    ("The psychiatrist switched me to escitalopram", "escitalopram"),
    ("I was put on prednisone after the flare", "prednisone"),
    ("I'm allergic to amoxicillin", "amoxicillin"),
    ("我在吃二甲双胍", "二甲双胍"),
    ("医生给我开了抗抑郁药", "抗抑郁药"),
    ("我每天吃两片布洛芬", "布洛芬"),
    ("我妈一直在服用阿托伐他汀", "阿托伐他汀"),
    ("我打了胰岛素", "胰岛素"),
    ("My son Eli has ADHD and starts Concerta next week.", "Concerta"),
    ("She's on lisinopril for high blood pressure", "lisinopril"),
]


@pytest.mark.parametrize(("text", "value"), POSITIVES)
def test_positive(meds_only: RuleExtractor, text: str, value: str) -> None:
    assert_found(meds_only, text, MH, value, PrivacyLevel.PL3)


@pytest.mark.parametrize(("text", "value"), POSITIVES[::3])
def test_positive_in_the_default_extractor(rules: RuleExtractor, text: str, value: str) -> None:
    start = text.index(value)
    spans = spans_of(rules, text)
    assert any(s.start <= start and start + len(value) <= s.end and s.privacy_type == MH for s in spans), (
        spans
    )


HARD_NEGATIVES = [
    "Zinc is a metal.",
    "fish oil prices went up",
    "The eye drops aisle is on the left.",
    "Is ibuprofen safe with alcohol?",
    "Take ibuprofen with food.",
    "I'm on vacation until Monday.",
    "I'm taking a break from work.",
    "We're on track for the launch.",
    "I read an article on metformin and aging.",
    "what is the price of insulin in the US",
    "I take the bus to work.",
    "I'm taking notes in class.",
    "lithium batteries are on sale",
    "布洛芬的副作用有哪些？",
    "阿司匹林是什么时候发明的",
]


@pytest.mark.parametrize("text", HARD_NEGATIVES)
def test_hard_negative(meds_only: RuleExtractor, text: str) -> None:
    assert spans_of(meds_only, text) == []


needs_dictionary = pytest.mark.skipif(
    not medications.drug_dictionary(),
    reason="the drugs extra (drug-named-entity-recognition) is not installed",
)


@needs_dictionary
@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("I've been on bisoprolol since the heart scare", "bisoprolol"),
        ("my cardiologist prescribed ramipril 5mg", "ramipril 5mg"),
        ("I take buspirone for anxiety", "buspirone"),
    ],
)
def test_dictionary_names_beyond_the_built_in_list(meds_only: RuleExtractor, text: str, value: str) -> None:
    assert value.split()[0] not in medications._EN_DRUGS
    assert_found(meds_only, text, MH, value, PrivacyLevel.PL3)


@needs_dictionary
def test_dictionary_keeps_drugs_and_drops_everyday_words() -> None:
    names = medications.drug_dictionary()
    assert {"sertraline", "zoloft", "bisoprolol", "propranolol"} <= names
    assert not {"kendrick", "modus", "about", "the"} & names
    assert all(n == n.lower() and 4 <= len(n) <= 40 for n in names)


def test_built_in_list_works_without_the_dictionary(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(medications, "drug_dictionary", frozenset)
    rules = RuleExtractor(recognizers=medications.medication_recognizers())
    assert [s.text for s in rules.extract("I'm on 20 mg of Lexapro")] == ["20 mg of Lexapro"]
    assert [s.text for s in rules.extract("我在吃二甲双胍")] == ["二甲双胍"]
    assert rules.extract("I've been on bisoprolol since May") == []


def test_a_missing_package_gives_an_empty_dictionary(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(medications, "_package_folder", lambda: None)
    medications.drug_dictionary.cache_clear()
    try:
        assert medications.drug_dictionary() == frozenset()
    finally:
        medications.drug_dictionary.cache_clear()


def test_an_unreadable_data_file_gives_an_empty_dictionary(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / "drug_ner_dictionary.pkl.bz2").write_bytes(b"not a bz2 stream")
    monkeypatch.setattr(medications, "_package_folder", lambda: tmp_path)
    medications.drug_dictionary.cache_clear()
    try:
        assert medications.drug_dictionary() == frozenset()
    finally:
        medications.drug_dictionary.cache_clear()
