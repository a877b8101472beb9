"""Placeholder names, keys and the tolerant placeholder regex."""

from __future__ import annotations

import pytest

from memprivacy_plugin.placeholders import (
    PLACEHOLDER_RE,
    format_placeholder,
    name_key,
    placeholder_key,
    placeholder_name,
)
from memprivacy_plugin.taxonomy import STANDARD_TYPES


@pytest.mark.parametrize(
    ("privacy_type", "name"),
    [
        ("Account ID/Username", "Account_ID_Username"),
        ("Phone Number", "Phone_Number"),
        ("phone number", "Phone_Number"),
        ("手机号", "Private"),
        ("", "Private"),
        ("///", "Private"),
        ("IP Address", "IP_Address"),
        ("Assets/Income", "Assets_Income"),
        ("Third-Party Identifiable Info", "Third_Party_Identifiable_Info"),
        ("2FA Code", "Type_2FA_Code"),
        ("Crédit Scoré", "Credit_Score"),  # NFKD strips the accents
        ("e-mail", "E_Mail"),
        ("Driver's License Number", "Driver_S_License_Number"),
    ],
)
def test_placeholder_name(privacy_type: str, name: str) -> None:
    assert placeholder_name(privacy_type) == name


def test_placeholder_name_is_ascii_and_bounded() -> None:
    for raw in ["x" * 200, "word " * 50, "a b c d e f g h i j k l", "混合 Mixed 类型"]:
        name = placeholder_name(raw)
        assert name.isascii()
        assert 0 < len(name) <= 80
        assert name[0].isalpha()


@pytest.mark.parametrize(
    "privacy_type",
    [
        *STANDARD_TYPES,
        "2FA Code",
        "Type With Eleven Words In It To Exceed The Regex Limit Of Nine",
        "Pneumonoultramicroscopicsilicovolcanoconiosis Record",  # a 45-letter word
        "x" * 200,
        "手机号",
    ],
)
@pytest.mark.parametrize("number", [1, 12, 999999])
def test_every_generated_placeholder_is_recognised(privacy_type: str, number: int) -> None:
    # What format_placeholder writes, PLACEHOLDER_RE must read back to the same key, or the
    # value could never be restored.
    name = placeholder_name(privacy_type)
    token = format_placeholder(name, number)
    m = PLACEHOLDER_RE.fullmatch(token)
    assert m is not None, token
    assert placeholder_key(m["name"], m["num"]) == placeholder_key(name, number)


def test_name_key_is_case_and_separator_insensitive() -> None:
    names = ["Phone_Number", "phone number", "PHONE-NUMBER", " phone__number ", "Phone\\_Number"]
    keys = {name_key(n) for n in names}
    assert keys == {"phone_number"}
    assert name_key("Account_ID_Username") == name_key("account id/username") == "account_id_username"
    assert name_key("Phone_Number") != name_key("Phone_Numbers")


def test_format_and_key() -> None:
    assert format_placeholder("Phone_Number", 3) == "<Phone_Number_3>"
    assert placeholder_key("Phone Number", "01") == "phone_number_1"
    assert placeholder_key("PHONE_NUMBER", 1) == placeholder_key("phone number", "1")


@pytest.mark.parametrize(
    ("text", "token"),
    [
        ("<Phone_Number_1>", "<Phone_Number_1>"),
        ("<phone_number_1>", "<phone_number_1>"),
        ("< Phone_Number_1 >", "< Phone_Number_1 >"),
        ("<Phone Number 1>", "<Phone Number 1>"),
        ("<Phone-Number-1>", "<Phone-Number-1>"),
        ("**<Phone_Number_1>**", "<Phone_Number_1>"),
        ("call `<Phone_Number_1>` now", "<Phone_Number_1>"),
        ("\\<Phone\\_Number\\_1\\>", "\\<Phone\\_Number\\_1\\>"),
        ("&lt;Phone_Number_1&gt;", "&lt;Phone_Number_1&gt;"),
        ("<Account_ID_Username_12>", "<Account_ID_Username_12>"),
    ],
)
def test_tolerated_forms(text: str, token: str) -> None:
    matches = list(PLACEHOLDER_RE.finditer(text))
    assert [m.group(0) for m in matches] == [token]
    m = matches[0]
    key = placeholder_key(m["name"], m["num"])
    assert key in {"phone_number_1", "account_id_username_12"}


@pytest.mark.parametrize(
    "text",
    [
        "<h1>",
        "<br>",
        "<br/>",
        "<Password>",
        "<Phone_Number>",
        "<Phone_Number_>",
        "<_Phone_1>",
        "<1_Phone>",
        "<Phone_Number_1",
        "Phone_Number_1>",
        "x < 3 and y > 2",
        "a < b and c > 1",
        "if a<b and c>d then",
        "<div class=x>1</div>",
        "<Phone_Number_1.5>",
        "<Phone_Number_abc>",
        "&lt;Phone_Number&gt;",
    ],
)
def test_not_placeholders(text: str) -> None:
    assert PLACEHOLDER_RE.search(text) is None


def test_several_placeholders_in_one_text() -> None:
    text = "<Real_Name_1> (<Email_2>) lives at <Detailed_Address_10>."
    found = [placeholder_key(m["name"], m["num"]) for m in PLACEHOLDER_RE.finditer(text)]
    assert found == ["real_name_1", "email_2", "detailed_address_10"]


def test_number_is_the_last_digit_group() -> None:
    m = PLACEHOLDER_RE.fullmatch("<Type_2FA_Code_7>")
    assert m is not None
    assert (m["name"], m["num"]) == ("Type_2FA_Code", "7")
    m = PLACEHOLDER_RE.fullmatch("<Level_2_1>")
    assert m is not None
    assert (m["name"], m["num"]) == ("Level_2", "1")


@pytest.mark.parametrize(
    ("head", "unit", "tail"),
    [
        ("<", "a_", ""),
        ("", "<a_", ""),
        ("<", "a ", "1"),
        ("", "\\<a\\_", ""),
        ("", "&lt;a_ ", ""),
    ],
)
def test_adversarial_input_takes_linear_time(growth, head: str, unit: str, tail: str) -> None:
    def make(n: int) -> str:
        return head + unit * (n // len(unit)) + tail

    assert growth(lambda text: list(PLACEHOLDER_RE.finditer(text)), make, 20_000) < 4
