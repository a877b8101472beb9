"""Identifiers: ID, passport, licence and social-security numbers (ID Number, PL3); ages (Identity
Background, PL2); IP and MAC addresses, IMEIs, device IDs and serial numbers (Network Identifier,
PL2). Check digits are computed here with python-stdnum, never pasted."""

from __future__ import annotations

import pytest
from rule_checks import assert_found, family_only, spans_of
from stdnum import luhn
from stdnum.cn import ric

from memprivacy_plugin.extractors.rules import RuleExtractor
from memprivacy_plugin.taxonomy import PrivacyLevel

ID = "ID Number"
AGE = "Identity Background"
NET = "Network Identifier"
LEVELS = {ID: PrivacyLevel.PL3, AGE: PrivacyLevel.PL2, NET: PrivacyLevel.PL2}


def resident_id(first17: str) -> str:
    """A mainland-China resident ID: 17 digits and the check character stdnum computes."""
    return first17 + ric.calc_check_digit(first17 + "0")


def imei(first14: str) -> str:
    return first14 + luhn.calc_check_digit(first14)


RIC_1 = resident_id("33010619880314527")
RIC_2 = resident_id("44030519920705031")
RIC_X = next(r for r in (resident_id(f"330106199002170{n:02d}") for n in range(100)) if r.endswith("X"))
IMEI_1 = imei("35693803564380")
IMEI_2 = imei("86730104215537")


def test_generated_values_are_valid() -> None:
    for number in (RIC_1, RIC_2, RIC_X):
        assert ric.is_valid(number), number
    for number in (IMEI_1, IMEI_2):
        assert luhn.is_valid(number), number


@pytest.fixture(scope="module")
def identifiers_only() -> RuleExtractor:
    return family_only("identifiers")


POSITIVES = [
    # device IDs and serial numbers after a device word
    ("my laptop's serial number is C02XK1JHJG5H", NET, "C02XK1JHJG5H"),
    ("Serial No.: 5CD1234XYZ", NET, "5CD1234XYZ"),
    ("S/N: FVFXC2MHHV2H", NET, "FVFXC2MHHV2H"),
    ("the S/N on the back says SN-4829-AX71", NET, "SN-4829-AX71"),
    ("SN码：A1B2C3D4E5F6", NET, "A1B2C3D4E5F6"),
    ("设备序列号是 R58M42ABCDE", NET, "R58M42ABCDE"),
    ("序列号：F4GH-7K2L-9MN3，麻烦帮我查下保修", NET, "F4GH-7K2L-9MN3"),
    ("我的设备ID是 8f3a9c2b7e1d4f60", NET, "8f3a9c2b7e1d4f60"),
    ("UDID: 00008030-001A2B3C4D5E802E", NET, "00008030-001A2B3C4D5E802E"),
    ("Android ID: 9774d56d682e549c", NET, "9774d56d682e549c"),
    ("hardware ID 4C4C4544-0038-3510-8052-B4C04F4B4E32", NET, "4C4C4544-0038-3510-8052-B4C04F4B4E32"),
    ("my device ID is a3f9-22bc-91de-0041", NET, "a3f9-22bc-91de-0041"),
    ("硬件ID：BFEBFBFF000906EA", NET, "BFEBFBFF000906EA"),
    # IMEIs after an IMEI word (also when Luhn makes them look like a card)
    (f"my IMEI is {IMEI_1}", NET, IMEI_1),
    (f"the IMEI number is {IMEI_2}", NET, IMEI_2),
    (
        f"IMEI {IMEI_1[:2]}-{IMEI_1[2:8]}-{IMEI_1[8:14]}-{IMEI_1[14]}",
        NET,
        f"{IMEI_1[:2]}-{IMEI_1[2:8]}-{IMEI_1[8:14]}-{IMEI_1[14]}",
    ),
    (f"手机串号：{IMEI_2}", NET, IMEI_2),
    # MAC addresses, also right after a label's colon
    ("my MAC is a4:83:e7:1b:2c:9d", NET, "a4:83:e7:1b:2c:9d"),
    ("MAC:a4:83:e7:1b:2c:9d", NET, "a4:83:e7:1b:2c:9d"),
    ("MAC地址：A4-83-E7-1B-2C-9D", NET, "A4-83-E7-1B-2C-9D"),
    ("BSSID: 7c:2e:bd:10:4f:a1", NET, "7c:2e:bd:10:4f:a1"),
    ("the router's mac address is 7c2ebd104fa1", NET, "7c2ebd104fa1"),
    # IP addresses
    ("ip is 192.168.1.23", NET, "192.168.1.23"),
    ("我的IP是 172.16.254.1", NET, "172.16.254.1"),
    ("IP:10.20.30.40 port 8080", NET, "10.20.30.40"),
    ("my home server is at `203.0.113.77`", NET, "203.0.113.77"),
    ("IPv6:2001:db8:85a3::8a2e:370:7334", NET, "2001:db8:85a3::8a2e:370:7334"),
    ("IPv6地址：2001:db8:85a3::8a2e:370:7334", NET, "2001:db8:85a3::8a2e:370:7334"),
    ("gateway fe80::1c2b:3dff:fe4a:92e1", NET, "fe80::1c2b:3dff:fe4a:92e1"),
    # ID numbers
    (f"身份证号码：{RIC_1}", ID, RIC_1),
    (f"my ID number is {RIC_X}", ID, RIC_X),
    (f"{RIC_2}是我的身份证", ID, RIC_2),
    ("驾驶证号：440301199001011234", ID, "440301199001011234"),
    ("driver's license number: D1234567", ID, "D1234567"),
    ("my driver's licence is S530-4417-1823", ID, "S530-4417-1823"),
    ("DL number: F2345678", ID, "F2345678"),
    ("SSN: 412-67-3392", ID, "412-67-3392"),
    ("my social security number is 412 67 3392", ID, "412 67 3392"),
    ("passport no. K83920147", ID, "K83920147"),
    ("护照号码为E12345678", ID, "E12345678"),
    ("Passport #: **P7731902**", ID, "P7731902"),
    # ages
    ("I'm 34 years old", AGE, "34 years old"),
    ("我今年28岁", AGE, "28岁"),
    ("age: 45", AGE, "age: 45"),
    ("my dad is a 71-year-old retired teacher", AGE, "71-year-old"),
    ("I'll turn 40 next month", AGE, "40"),
    ("陈思远，32岁，在深圳上班", AGE, "32岁"),
    ("my kids are 5 yo and 8 yo", AGE, "8 yo"),
    ("me (29F) and my bf (31M) are moving in", AGE, "31M"),
    ("Maria, 41, a high school chemistry teacher", AGE, "41"),
]


@pytest.mark.parametrize(("text", "ptype", "value"), POSITIVES)
def test_positive(rules: RuleExtractor, text: str, ptype: str, value: str) -> None:
    assert_found(rules, text, ptype, value, LEVELS[ptype])


HARD_NEGATIVES = [
    # device words without a device value
    "the serial killer was caught",
    "SN 2024 annual report",
    "my device is an iPhone 15",
    "serial number on the box is missing",
    "please send the serial number",
    "设备ID在哪里看",
    "序列号是多少？",
    "序列号 2024",
    "S/N: N/A",
    "serial: 12345",
    "Serial 1 of 3",
    "the IMEI number is 12345",
    # versions, loopback and public resolvers, times and ratios
    "version 1.2.3.4",
    "版本号 1.2.3.4",
    "upgrade to v10.0.19045.3693",
    "version 2.0.0.1 released",
    "my ip is 127.0.0.1",
    "ping 8.8.8.8 or 114.114.114.114",
    "set the netmask to 255.255.255.0",
    "192.168.1.256",
    "the ratio 16:9",
    "the score was 3:2:1",
    "timestamps 12:30:45:00",
    "std::vector<int>",
    "::1 is the loopback",
    "ff:ff:ff:ff:ff:ff",
    # ID words without an ID
    "license: MIT",
    "this project uses the Apache License 2.0",
    "my driver's license expired in 2023",
    "my ID card is in my wallet",
    "ID: 42",
    "身份证丢了怎么补办",
    "护照过期了，要多久能办好？",
    "passport photo size 35x45",
    "the license number is on the back",
    "SSN format is XXX-XX-XXXX",
    "download the DL number 5 file",
    # numbers near age words that are not ages
    "I lived there for 10 years",
    "I've been coding for 15 years",
    "I'm 5 years into this job",
    "turn 90 degrees to the left and turn 5 pages",
    "我们认识10年了",
    "the scores were 1,32岁 in the table",
    "cut a (32m) length of rope",
    "Chapter 12, 14, and 15 are due",
    "In 2019, 41, and 42 were picked",
]


@pytest.mark.parametrize("text", HARD_NEGATIVES)
def test_hard_negative(identifiers_only: RuleExtractor, text: str) -> None:
    assert spans_of(identifiers_only, text) == []


def test_an_imei_is_not_a_card(rules: RuleExtractor) -> None:
    assert luhn.is_valid(IMEI_1)  # Luhn-valid, so card-shaped too
    (span,) = spans_of(rules, f"my IMEI is {IMEI_1}")
    assert (span.privacy_type, span.level) == (NET, PrivacyLevel.PL2)
