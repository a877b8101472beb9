"""Levels, standard tags and the normalisation of open-vocabulary type strings."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from memprivacy_plugin.taxonomy import (
    STANDARD_TYPES,
    PrivacyLevel,
    TypeInfo,
    coerce_level,
    level_of,
    normalize_type,
    types_of_level,
)

PL1, PL2, PL3, PL4 = PrivacyLevel.PL1, PrivacyLevel.PL2, PrivacyLevel.PL3, PrivacyLevel.PL4


# -- levels ------------------------------------------------------------------------------------


def test_levels_are_ordered() -> None:
    assert PL1 < PL2 < PL3 < PL4
    assert PL4 > PL3 > PL2 > PL1
    assert PL2 <= PL2 and PL2 >= PL2  # noqa: PT018
    assert not PL3 < PL2
    assert not PL1 > PL1


def test_sorted_and_max_use_level_order() -> None:
    assert sorted([PL3, PL1, PL4, PL2]) == [PL1, PL2, PL3, PL4]
    assert max([PL2, PL4, PL3]) is PL4
    assert min([PL2, PL4, PL3]) is PL2


def test_rank() -> None:
    assert [lvl.rank for lvl in PrivacyLevel] == [1, 2, 3, 4]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("PL3", PL3),
        ("pl3", PL3),
        (" Pl3 ", PL3),
        (3, PL3),
        ("3", PL3),
        ("L2", PL2),
        ("PL 4", PL4),
        ("Level 1", PL1),
        ("ＰＬ３", PL3),  # full-width letters and digit
        ("PL３", PL3),
        (PL2, PL2),
    ],
)
def test_level_parsing(raw: object, expected: PrivacyLevel) -> None:
    assert PrivacyLevel(raw) is expected
    assert coerce_level(raw) is expected


@pytest.mark.parametrize("raw", ["PL5", "PL0", 0, 5, "", "high", "PL", "PL33", None, "P L 3x", -1])
def test_invalid_levels_raise_value_error(raw: object) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - the enum's own error type is the contract
        PrivacyLevel(raw)


def test_level_str_is_its_value() -> None:
    assert str(PL3) == "PL3"
    assert f"{PL4}" == "PL4"


# -- standard types -----------------------------------------------------------------------------


def test_standard_types_per_level() -> None:
    assert [t.name for t in types_of_level("PL4")] == [
        "Password",
        "Verification Code",
        "Token",
        "Key",
        "Private Key",
        "Payment Security Code",
        "Database Connection String",
        "Vulnerability Details",
        "Business Secret",
    ]
    assert len(types_of_level(PL3)) == 11
    assert [t.name for t in types_of_level(2)] == [
        "Real Name",
        "Phone Number",
        "Email",
        "Detailed Address",
        "Account ID/Username",
        "Network Identifier",
        "Identity Background",
        "Relationship Info",
    ]
    assert types_of_level(PL1) == []
    assert len(STANDARD_TYPES) == 28


def test_every_standard_tag_normalises_to_itself() -> None:
    for name, info in STANDARD_TYPES.items():
        assert normalize_type(name) is info
        assert info.known
        assert info.level is not None


# -- the 66 labels of MemPrivacy-Bench and PersonaMem-v2 -------------------------------------------

# Type label -> the standard tag it must normalise to (category names only, no data).
DATASET_LABELS: dict[str, str] = {
    "Accommodation Records": "Itinerary/Trajectory",
    "Account ID/Username": "Account ID/Username",
    "Assets/Income": "Assets/Income",
    "Assets/Net Worth": "Assets/Income",
    "Backup Code": "Verification Code",
    "Bank/Payment Card Number": "Financial Account",
    "Biometrics": "Biometrics",
    "Business Secret": "Business Secret",
    "Classified Information": "Business Secret",
    "Communication Content": "Communication Content",
    "Company Name": "Identity Background",
    "Company/Organization Info": "Identity Background",
    "Credit Score": "Assets/Income",
    "Database Connection String": "Database Connection String",
    "Debt/Loan Info": "Assets/Income",
    "Detailed Address": "Detailed Address",
    "Device ID": "Network Identifier",
    "Document Number": "ID Number",
    "Driver's License Number": "ID Number",
    "Email": "Email",
    "Employer/Company Name": "Identity Background",
    "Financial Account": "Financial Account",
    "Gender": "Identity Background",
    "ID Number": "ID Number",
    "IP Address": "Network Identifier",
    "Identity Background": "Identity Background",
    "Income": "Assets/Income",
    "Internal IP": "Network Identifier",
    "Intranet Entry Point": "Network Identifier",
    "Itinerary/Trajectory": "Itinerary/Trajectory",
    "Job Title/Rank": "Identity Background",
    "Judicial Record": "Judicial Record",
    "Key": "Key",
    "License Plate": "ID Number",
    "Medical Health": "Medical Health",
    "Medical Record": "Medical Health",
    "Minor Information": "Sensitive Identity",
    "Network Identifier": "Network Identifier",
    "PIN": "Password",
    "Passport Number": "ID Number",
    "Password": "Password",
    "Payment Security Code": "Payment Security Code",
    "Phone Number": "Phone Number",
    "Political Views/Stance": "Sensitive Identity",
    "Precise Location": "Precise Location",
    "Project Code": "Business Secret",
    "Project/Task ID": "Business Secret",
    "Real Name": "Real Name",
    "Recovery Code": "Verification Code",
    "Relationship Info": "Relationship Info",
    "Religious Beliefs": "Sensitive Identity",
    "School": "Identity Background",
    "Security Question": "Password",
    "Security Question Answer": "Password",
    "Sensitive Identity": "Sensitive Identity",
    "Session Token": "Token",
    "Specific Age": "Identity Background",
    "Specific Date of Birth": "Identity Background",
    "System/Attack": "Vulnerability Details",
    "Third-Party Identifiable Info": "Relationship Info",
    "Token": "Token",
    "Transaction Record": "Transaction Record",
    "Vehicle Information": "ID Number",
    "Verification Code": "Verification Code",
    "Work Address": "Detailed Address",
    "Zip Code": "Detailed Address",
}


def test_dataset_label_table_has_66_entries() -> None:
    assert len(DATASET_LABELS) == 66
    assert set(DATASET_LABELS.values()) <= set(STANDARD_TYPES)


@pytest.mark.parametrize(("label", "tag"), sorted(DATASET_LABELS.items()))
def test_dataset_label_normalises(label: str, tag: str) -> None:
    info = normalize_type(label)
    assert info.known
    assert info.name == tag
    assert info.level == STANDARD_TYPES[tag].level


def _shared_data() -> Path:
    env = os.environ.get("MEMPRIVACY_SHARED_DATA")
    return Path(env) if env else Path(__file__).resolve().parents[3] / "shared" / "data"


def _dataset_types() -> set[str]:
    folder = _shared_data() / "memprivacy_bench"
    files = sorted(folder.glob("*.jsonl")) if folder.is_dir() else []
    if not files:
        pytest.skip(f"MemPrivacy data not found under {folder}")
    found: set[str] = set()
    for path in files:
        with path.open(encoding="utf-8") as fh:
            for line in fh:
                if not line.strip():
                    continue
                for turn in json.loads(line).get("dialogues", []):
                    for item in turn.get("privacy_info") or []:
                        found.add(item["privacy_type"])
    return found


def test_every_dataset_privacy_type_normalises_to_a_known_tag() -> None:
    found = _dataset_types()
    assert found, "no privacy_type in the data files"
    unknown = sorted(t for t in found if not normalize_type(t).known)
    assert unknown == []
    # The hard-coded table above covers the data as shipped; a new label shows up here.
    assert found <= set(DATASET_LABELS), sorted(found - set(DATASET_LABELS))
    for label in found:
        assert normalize_type(label).name == DATASET_LABELS[label]


# -- synonyms, languages and spelling variants ----------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "tag"),
    [
        ("手机号", "Phone Number"),
        ("身份证号", "ID Number"),
        ("银行卡号", "Financial Account"),
        ("验证码", "Verification Code"),
        ("密码", "Password"),
        ("邮箱", "Email"),
        ("住址", "Detailed Address"),
        ("病历", "Medical Health"),
        ("内网IP", "Network Identifier"),
        # keyword fallback for CJK: substring match, more specific keyword first
        ("我的手机号码信息", "Phone Number"),
        ("手机验证码", "Verification Code"),
        ("银行卡密码", "Password"),
    ],
)
def test_chinese_labels(raw: str, tag: str) -> None:
    info = normalize_type(raw)
    assert info.known
    assert info.name == tag


@pytest.mark.parametrize(
    ("raw", "tag"),
    [
        ("phone_number", "Phone Number"),
        ("PHONE NUMBER", "Phone Number"),
        ("Phone-Number", "Phone Number"),
        ("phone", "Phone Number"),
        (" Email ", "Email"),
        ("E-mail", "Email"),
        ("EMAIL_ADDRESS", "Email"),
        ("ip_address", "Network Identifier"),
        ("Ｐａｓｓｗｏｒｄ", "Password"),  # full width
        ("drivers license number", "ID Number"),
        ("account id / username", "Account ID/Username"),
        ("API Key", "Key"),
        ("api_key", "Key"),
        ("Shipping Address", "Detailed Address"),  # keyword fallback
        ("Home Phone", "Phone Number"),
        ("Health Info", "Medical Health"),  # " info" suffix dropped
    ],
)
def test_case_and_spacing_variants(raw: str, tag: str) -> None:
    info = normalize_type(raw)
    assert info.known
    assert info.name == tag


def test_keywords_match_whole_latin_words_only() -> None:
    # "ip" inside "skip" and "pin" inside "shipping" must not make a Network Identifier / Password.
    assert not normalize_type("Skip Reason").known
    assert normalize_type("Shipping Preference").name != "Password"


def test_unknown_type_stays_usable() -> None:
    info = normalize_type("  Shoe\u3000  Size  ")
    assert info == TypeInfo(name="Shoe Size", level=None, known=False)
    assert info.description == ""


def test_unknown_type_name_is_capped_and_never_empty() -> None:
    assert normalize_type("Zzz " * 40).name == ("Zzz " * 40).strip()[:64]
    assert len(normalize_type("Qqq " * 40).name) == 64
    blank = normalize_type("   ")
    assert not blank.known
    assert blank.name == "Private Data"


def test_level_of() -> None:
    assert level_of("phone") is PL2
    assert level_of("Passport Number") is PL3
    assert level_of("session token") is PL4
    assert level_of("Shoe Size") is PL4  # unknown: strictest by default
    assert level_of("Shoe Size", default=PL2) is PL2
    assert level_of("Phone Number", default=PL4) is PL2  # the default only applies to unknowns
