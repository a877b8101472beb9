"""Licence plates (filed as ID Number, PL3): mainland-China plates anywhere, US/EU plates after a
plate word; hard negatives are plates of food, hot plates and words that only look like plates."""

from __future__ import annotations

import pytest
from rule_checks import assert_found, family_only, spans_of

from memprivacy_plugin.extractors.rules import RuleExtractor
from memprivacy_plugin.taxonomy import PrivacyLevel

ID = "ID Number"


@pytest.fixture(scope="module")
def vehicles_only() -> RuleExtractor:
    return family_only("vehicles")


POSITIVES = [
    # mainland China, without any context
    ("京A12345", "京A12345"),
    ("我的车是京A12345", "京A12345"),
    ("我开着京A12345去上班了", "京A12345"),
    ("粤B·D12345 是我的新能源车", "粤B·D12345"),
    ("我的车牌是粤B·D12345，停在B2", "粤B·D12345"),
    ("沪AD12345", "沪AD12345"),
    ("苏E12345D 这辆大车是我们公司的", "苏E12345D"),
    ("湘A 88888 被贴条了", "湘A 88888"),
    ("车牌号 京A·88888", "京A·88888"),
    ("车牌：苏E-3X7K9", "苏E-3X7K9"),
    ("浙A 5N8P2 停在楼下", "浙A 5N8P2"),
    ("川A·F2288，帮我查下违章", "川A·F2288"),
    ("帮我查一下鲁Ｂ１２３４５的违章记录", "鲁Ｂ１２３４５"),
    ("車牌 京A12345", "京A12345"),
    # plates after a plate word
    ("my license plate is 7ABC123", "7ABC123"),
    ("license plate: 8XYZ 442", "8XYZ 442"),
    ("my plate number is 7ABC123", "7ABC123"),
    ("the plate number is CA 7ABC123", "CA 7ABC123"),
    ("My car's plate: 6TRJ244, parked on level 3", "6TRJ244"),
    ("my plate is 7ABC123", "7ABC123"),
    ("Plates: 6TRJ244", "6TRJ244"),
    ("my car’s plate 8XYZ442", "8XYZ442"),
    ("reg number AB12 CDE", "AB12 CDE"),
    ("my reg is AB12 CDE", "AB12 CDE"),
    ("registration number: LD21 XYZ", "LD21 XYZ"),
    ("my rego is ABC-123", "ABC-123"),
    ("Kennzeichen B-MW 1234", "B-MW 1234"),
    ("Mein Kennzeichen ist M-AB 1234", "M-AB 1234"),
    ("immatriculation AB-123-CD", "AB-123-CD"),
    ("plaque d'immatriculation: AB-123-CD", "AB-123-CD"),
    ("targa: AB123CD", "AB123CD"),
    ("Matrícula 1234 BCD", "1234 BCD"),
    ("car plate number is KA 01 AB 1234", "KA 01 AB 1234"),
]


@pytest.mark.parametrize(("text", "value"), POSITIVES)
def test_positive(rules: RuleExtractor, text: str, value: str) -> None:
    assert_found(rules, text, ID, value, PrivacyLevel.PL3)


HARD_NEGATIVES = [
    "the plate was hot",
    "I ate a plate of pasta",
    "plates 2",
    "plate 3 of the set",
    "hot plate 2000W",
    "license plate number",
    "plate: blue",
    "my plate is dirty",
    "the number plate fell off",
    "the Plate 5 of the book",
    "my reg is fine",
    "reg add HKLM\\Software\\Foo",
    "registration number is pending",
    "Kennzeichen ist noch nicht da",
    "京东A12345",
    "北京A座12345",
    "京A",
    "车牌还没下来",
    "粤B 的车限行吗？",
    "京A车牌要摇号吗",
]


@pytest.mark.parametrize("text", HARD_NEGATIVES)
def test_hard_negative(vehicles_only: RuleExtractor, text: str) -> None:
    assert spans_of(vehicles_only, text) == []
