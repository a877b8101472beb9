"""Contact details (PL2): phone numbers (several in a row too), e-mail addresses, street addresses and
unit designators; hard negatives are service numbers, dates, IPs, prices and versions."""

from __future__ import annotations

import pytest
from rule_checks import assert_found, family_only, spans_of

from memprivacy_plugin.extractors.rules import RuleExtractor
from memprivacy_plugin.taxonomy import PrivacyLevel

PHONE = "Phone Number"
EMAIL = "Email"
ADDRESS = "Detailed Address"


@pytest.fixture(scope="module")
def contact_only() -> RuleExtractor:
    return family_only("contact")


POSITIVES = [
    # phones
    ("call me at +1 (415) 555-0132 tonight", PHONE, "+1 (415) 555-0132"),
    ("my cell is 650-253-0000, office 415 867 5309", PHONE, "415 867 5309"),
    ("call me at 415.867.5309", PHONE, "415.867.5309"),
    ("phone: +1 (646) 555-3890 ext. 12", PHONE, "+1 (646) 555-3890 ext. 12"),
    ("WhatsApp +44 7700 900123", PHONE, "+44 7700 900123"),
    ("call me at 020 7946 0958", PHONE, "020 7946 0958"),
    ("mobile: 07700 900 123", PHONE, "07700 900 123"),
    ("Tel. +49 30 901820", PHONE, "+49 30 901820"),
    ("+33-7-85439012联系我", PHONE, "+33-7-85439012"),
    ("+33 7 85 43 90 12", PHONE, "+33 7 85 43 90 12"),
    ("my phone is 0412 345 678", PHONE, "0412 345 678"),
    ("我的手机号是13800138000。", PHONE, "13800138000"),
    ("我的手机号是１３９ １２３４ ５６７８，有事打我", PHONE, "１３９ １２３４ ５６７８"),
    ("打我电话：+86 138 0013 8000", PHONE, "+86 138 0013 8000"),
    ("号码是 +86-139-1234-5678", PHONE, "+86-139-1234-5678"),
    ("联系电话：010-62345678", PHONE, "010-62345678"),
    ("我电话13800138000", PHONE, "13800138000"),
    # several numbers next to each other: every one is found
    ("phones: 138 0013 8000 139 1234 5678", PHONE, "138 0013 8000"),
    ("phones: 138 0013 8000 139 1234 5678", PHONE, "139 1234 5678"),
    ("(415) 867-5309 (212) 812-8255", PHONE, "(415) 867-5309"),
    ("(415) 867-5309 (212) 812-8255", PHONE, "(212) 812-8255"),
    ("Reach me on +61 412 345 678 or +61 423 456 789", PHONE, "+61 423 456 789"),
    ("my numbers are 13800138000,13912345678", PHONE, "13912345678"),
    ("13800138000、13912345678都可以", PHONE, "13912345678"),
    ("手机 139-1234-5678 或者 13800138000 都行", PHONE, "13800138000"),
    # e-mail addresses
    ("write to jane.doe+tag@mail-box.co.uk today", EMAIL, "jane.doe+tag@mail-box.co.uk"),
    ("email me at li.wei@163.com or call 13800138000", EMAIL, "li.wei@163.com"),
    ("我的邮箱是ｌｉｗｅｉ＠１６３．ｃｏｍ", EMAIL, "ｌｉｗｅｉ＠１６３．ｃｏｍ"),
    ("邮箱:zhang.san@qq.com，有事发邮件", EMAIL, "zhang.san@qq.com"),
    ("Email: **john.smith@gmail.com**", EMAIL, "john.smith@gmail.com"),
    ("<mailto:anna@corp.io>", EMAIL, "anna@corp.io"),
    ("[anna](mailto:anna.k@corp.io)", EMAIL, "anna.k@corp.io"),
    (
        "contact: first.last+newsletter@sub.mail-host.co.uk.",
        EMAIL,
        "first.last+newsletter@sub.mail-host.co.uk",
    ),
    ("请发到 hr-team@company.com.cn 谢谢", EMAIL, "hr-team@company.com.cn"),
    # street addresses and unit designators
    ("my address is 221 Elm Street, Apt 4B", ADDRESS, "221 Elm Street"),
    ("my address is 221 Elm Street, Apt 4B", ADDRESS, "Apt 4B"),
    ("I live at 42 Baker Street", ADDRESS, "42 Baker Street"),
    ("Unit 12, 88 Harbour Road", ADDRESS, "88 Harbour Road"),
    ("ship to 1600 Amphitheatre Parkway, Mountain View", ADDRESS, "1600 Amphitheatre Parkway"),
    ("send it to P.O. Box 242", ADDRESS, "P.O. Box 242"),
    ("Musterstrasse 12, 10117 Berlin", ADDRESS, "Musterstrasse 12"),
    ("we met at Rua do Arenque 1634", ADDRESS, "Rua do Arenque 1634"),
]


@pytest.mark.parametrize(("text", "ptype", "value"), POSITIVES)
def test_positive(rules: RuleExtractor, text: str, ptype: str, value: str) -> None:
    assert_found(rules, text, ptype, value, PrivacyLevel.PL2)


HARD_NEGATIVES = [
    # service, toll-free and shared-cost numbers
    "toll free 1-800-275-2273",
    "call 1-888-555-0123 toll free",
    "call 1-800-555-0199 for support",
    "1-800-FLOWERS",
    "客服电话 400-820-8820",
    "客服热线 400-800-8888，免费电话 800-820-8820",
    "in an emergency call 911, in China call 110 or 12345",
    # dates, times, IPs, prices, versions, other numbers
    "the date is 2024-05-18",
    "on 05/18/2024 at 12:30",
    "会议在2024年5月18日下午3点",
    "ip 192.168.10.12",
    "it costs $1,299,000",
    "it costs ¥3500",
    "version 10.15.7",
    "版本 10.0.19045.3693",
    "build 20240518123456",
    "it's 3.14159265",
    "the year 1984 was bad",
    "my order number is 78651450",
    "I scored 1234567 points",
    "blood pressure 120/80",
    # e-mail look-alikes and reserved domains
    "how do I validate user@example.com in regex",
    "send it to admin@test.example.org or bob@site.test",
    "user@localhost",
    "foo@bar",
    "@username on twitter",
    # street words without an address
    "I walked down Main Street",
    "3 Street Fighter games",
    "the room 1203 was nice",
]


@pytest.mark.parametrize("text", HARD_NEGATIVES)
def test_hard_negative(contact_only: RuleExtractor, text: str) -> None:
    assert spans_of(contact_only, text) == []


def test_adjacent_numbers_are_each_found(rules: RuleExtractor) -> None:
    text = "phones: 138 0013 8000 139 1234 5678"
    assert [(s.privacy_type, s.text) for s in spans_of(rules, text)] == [
        (PHONE, "138 0013 8000"),
        (PHONE, "139 1234 5678"),
    ]


# Gaps the phone finder once had: numbers joined by a slash, a phone carved out of a card-shaped
# run, a national number after "my number is".


def test_numbers_joined_by_a_slash(rules: RuleExtractor) -> None:
    text = "电话：138-0013-8000/139-1234-5678"
    assert [s.text for s in spans_of(rules, text) if s.privacy_type == PHONE] == [
        "138-0013-8000",
        "139-1234-5678",
    ]


def test_no_phone_inside_a_card_shaped_run(contact_only: RuleExtractor) -> None:
    assert spans_of(contact_only, "the number is 4532 0188 9034 7120") == []


def test_national_number_after_my_number(rules: RuleExtractor) -> None:
    assert_found(rules, "my number is 0412 345 678", PHONE, "0412 345 678", PrivacyLevel.PL2)
