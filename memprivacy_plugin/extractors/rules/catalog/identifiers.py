"""Identifiers of a person or a device: ID, passport and licence numbers (PL3), ages (PL2), IP and
MAC addresses, IMEIs, device IDs and serial numbers (PL2)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..engine import Recognizer
from ..validators import cn_resident_id_ok, id_value_ok, imei_ok, ip_ok, mac_ok, not_placeholder, stdnum_check
from ._keyed import ID_VALUE, keyed, keyed_after

__all__ = ["identifier_recognizers"]

_PASSPORT_WORDS = ("护照号码", "护照号", "护照", r"passport(?:[ _-]?(?:number|no\.?|num|#))?")
_ID_WORDS = (
    "身份证号码",
    "身份证号",
    "身份证",
    "证件号码",
    "证件号",
    "驾照号码",
    "驾照号",
    "驾照",
    "驾驶证号码",
    "驾驶证号",
    "驾驶证",
    "社保号",
    r"(?:real |national |citizen )?id(?:entity)?[ _-]?(?:card[ _-]?)?(?:number|no\.?|num)",
    r"(?:national|citizen) id",
    r"dl[ _-]?(?:number|no\.?|num|#)",
    r"identity card",
    r"driver'?s?[ _-]?licen[cs]e(?:[ _-]?(?:number|no\.?|num))?",
    r"licen[cs]e(?: (?:number|no\.?))?",
    r"ssn",
    r"social security (?:number|no\.?)",
    r"tax[ _-]?id",
)
# Substrings one of which every ID key word contains: a bare "id" would run the recogniser on
# nearly every English message ("did", "provide").
_ID_TRIGGERS: tuple[str, ...] = (
    "身份证",
    "证件",
    "驾",
    "社保",
    "identity",
    "id number",
    "id no",
    "id num",
    "idnum",
    "idno",
)
_ID_TRIGGERS += ("id card", "idcard", "id-", "id_", "national id", "citizen id", "dl number", "dl no")
_ID_TRIGGERS += ("dl num", "dlnum", "dlno", "dl#", "dl #", "dl-", "dl_", "licen", "ssn", "social security")
_ID_TRIGGERS += ("tax id", "taxid", "tax-id", "tax_id")
_IMEI_WORDS = ("imei", "meid", "串号", "设备号", "device id", "serial")
# Words that announce a device's own identifier or serial number.
_DEVICE_WORDS = (
    "设备序列号",
    "序列号",
    "设备号",
    "设备编号",
    r"设备\s?id",
    r"sn码",
    "机器码",
    r"硬件\s?id",
    r"serial(?:[ _-]?(?:number|no\.?|num|#))?",
    r"s/n",
    r"sn",
    r"device[ _-]?(?:id|identifier|serial|uuid)",
    r"udid",
    r"android[ _-]?id",
    r"advertising[ _-]?id",
    r"idfa",
    r"idfv",
    r"hardware[ _-]?id",
    r"hwid",
    r"machine[ _-]?id",
)
_DEVICE_TRIGGERS: tuple[str, ...] = (
    "序列号",
    "设备",
    "sn",
    "机器码",
    "硬件",
    "serial",
    "s/n",
    "udid",
    "device",
    "android",
)
_DEVICE_TRIGGERS += ("advertising", "idf", "hardware", "hwid", "machine")
# A device value has a digit: without one the pattern would take the "is" of "serial number is
# C02XK1JHJG5H" for the value and never reach the real one.
_DEVICE_VALUE = r"(?=[A-Za-z0-9\-:]{0,200}\d)[A-Za-z0-9]{2,40}(?:[\-:][A-Za-z0-9]{2,20}){0,7}"


def _device_id_ok(value: str) -> bool:
    """A serial or device ID: 6+ letters and digits, at least two digits, not a placeholder or a
    plain number of a few digits."""
    core = "".join(c for c in value if c.isalnum())
    digits = sum(c.isdigit() for c in core)
    return len(core) >= 6 and digits >= 2 and (digits < len(core) or len(core) >= 8) and not_placeholder(core)


# Grouped with spaces: an SSN read out ("536 90 4399") or a resident ID in blocks of 6-8-4.
_ID_GROUPED = r"(?:\d{3} \d{2} \d{4}|\d{6} \d{8} \d{3}[\dX])(?![0-9A-Za-z])"
# A colon-separated address may follow a label and its colon ("IPv6:2001:db8::1", "MAC:a4:83:..",
# "地址：..."), but not a hex group and its colon (that is the middle of a longer address).
_HEX_LABEL_COLON = (
    r"(?:(?<![0-9A-Za-z:\-])|(?<=[^0-9A-Fa-f:\-\s]:)|(?<=[^0-9A-Fa-f:\-\s][0-9A-Fa-f]:)"
    r"|(?<=[^0-9A-Fa-f:\-\s][0-9A-Fa-f]{2}:))"
)

# Ages 1-120, not part of a longer number.
_AGE = r"(?:1[01]\d|120|[1-9]\d|[1-9])(?!\d)"


def _mac_separators(text: str) -> bool:
    """A MAC address needs five colons or five dashes."""
    return text.count(":") >= 5 or text.count("-") >= 5


# Matched from its first dot (regex scanning stops only at dots, not at every hex letter of
# prose); the four hex digits before it are read by the look-behind.
_DOTTED_MAC = re.compile(
    r"\.(?<=(?<![0-9A-Za-z.:\-])(?P<head>[0-9a-f]{4})\.)[0-9a-f]{4}\.[0-9a-f]{4}(?![0-9A-Za-z.:\-])",
    re.ASCII | re.IGNORECASE,
)


def _dotted_macs(text: str) -> Iterator[tuple[int, int]]:
    for m in _DOTTED_MAC.finditer(text):
        yield m.start("head"), m.end()


# A home network's name identifies the household: after its key word ("SSID: Kovac_Home-5G",
# "WiFi名称：ChinaNet-8F2A"), or before "network"/"Wi-Fi" when it has a digit or an underscore (the
# "Kovac-Ricci_5G network", not "the home network" or "the 5G network").
_WIFI_WORDS = (
    "无线网络名称",
    "无线网名称",
    "网络名称",
    "热点名称",
    r"wi-?fi名称",
    r"wi-?fi名",
    r"ssid",
    r"wi-?fi(?: network)? name",
    r"network name",
    r"wlan(?: name)?",
    r"hotspot(?: name)?",
)
_WIFI_VALUE = r"[A-Za-z0-9][A-Za-z0-9_\-.]{2,31}"


def _wifi_name_ok(value: str) -> bool:
    core = value.rstrip(".")
    marked = any(c.isdigit() for c in core) or "_" in core
    return len(core) >= 4 and marked and any(c.isalpha() for c in core)


def identifier_recognizers() -> list[Recognizer]:
    return [
        Recognizer(
            "cn_resident_id",
            "ID Number",
            pattern=r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])",
            validator=cn_resident_id_ok,
            score=0.97,
            min_digits=17,
            description="mainland China resident ID: check digit and birth date (stdnum.cn.ric)",
        ),
        Recognizer(
            "us_ssn",
            "ID Number",
            pattern=r"(?<![0-9A-Za-z\-])\d{3}-\d{2}-\d{4}(?![0-9A-Za-z]|-\d)",
            validator=stdnum_check("us.ssn"),
            score=0.9,
            min_digits=9,
            description="US SSN ddd-dd-dddd via stdnum.us.ssn",
        ),
        keyed(
            "passport_keyword",
            "ID Number",
            _PASSPORT_WORDS,
            r"(?-i:[A-Z0-9]{6,12})",
            validator=lambda v: sum(c.isdigit() for c in v) >= 2,
            score=0.9,
            trigger=("护照", "passport"),
        ),
        keyed(
            "id_keyword",
            "ID Number",
            _ID_WORDS,
            rf"(?:{_ID_GROUPED}|{ID_VALUE})",
            validator=id_value_ok,
            score=0.88,
            trigger=_ID_TRIGGERS,
        ),
        # Ages: "62-year-old", "79 years old", "41 y/o", "68岁", "age 70", "at the age of 66",
        # "just turned 35". A number alone ("when he was 78") is too ambiguous.
        Recognizer(
            "age_years",
            "Identity Background",
            # a comma before the age is a list's ("陈思远，32岁"), not a thousands separator ("1,32")
            pattern=rf"(?<![\d.:/\-])(?<!\d,){_AGE}"
            r"(?:[ \-](?:years?|yrs?)[ \-]old(?![a-z])|\s?y/o(?![a-z])|\s?yo(?![a-z])|\s?周?岁(?!月))",
            score=0.8,
            trigger=("old", "y/o", "yo", "岁"),
            trigger_in_match=True,
            description="an age with its unit (years old, y/o, yo, 岁)",
        ),
        Recognizer(
            "age_keyword",
            "Identity Background",
            pattern=rf"(?<![a-z])(?:aged?|age of|年龄|年纪)\s?[:：]?\s?(?:是|为)?\s?{_AGE}(?![\d.,%])",
            score=0.8,
            trigger=("age", "年龄", "年纪"),
            trigger_in_match=True,
            description="an age after 'age', 'aged', 'age of', 年龄",
        ),
        Recognizer(
            "age_gender_tag",
            "Identity Background",
            # the forum way of giving one's age and sex: "me (29F)", "my bf (31M)", "I (32 m)"
            pattern=rf"\((?P<value>{_AGE}\s?(?-i:[MF])|(?-i:[MF])\s?{_AGE})\)",
            group="value",
            score=0.7,
            trigger=("(",),
            min_digits=1,
            description="an age with a sex letter in brackets: (29F), (M31)",
        ),
        Recognizer(
            "age_after_name",
            "Identity Background",
            # "Maria, 41, a chemistry teacher", "Tom, 29, from Leeds": a name, then the age alone
            pattern=rf"(?-i:\b[A-Z][a-z]{{1,15}}),\s(?P<value>{_AGE}),\s(?=(?:an?|the|from|and|living|working|"
            r"married|single|divorced|retired|[a-z]+(?:er|or|ist|ian|ant|ent)\b))",
            group="value",
            score=0.7,
            trigger=(", ",),
            min_digits=1,
            description="an age between commas right after a capitalised name",
        ),
        Recognizer(
            "age_turned",
            "Identity Background",
            pattern=rf"(?<![a-z])(?:turned|turn|turning)\s(?P<value>{_AGE})(?![.,:]\d|%|\s?(?:st|nd|rd|th|"
            r"degrees?|percent|times|minutes|hours|days|weeks|months|pages|points|km|miles)\b)",
            group="value",
            score=0.75,
            trigger=("turn",),
            trigger_in_match=True,
            description="an age after 'turned'/'turn' ('I'll turn 52')",
        ),
        Recognizer(
            "ipv4",
            "Network Identifier",
            pattern=r"(?<![0-9A-Za-z.])(?:\d{1,3}\.){3}\d{1,3}(?![0-9A-Za-z]|\.\d)",
            validator=ip_ok,
            score=0.9,
            min_digits=4,
            not_before=r"\bv(?!\s)|\bver\.?|\bversion|\bbuild|\brelease|版本号?",
            description="IPv4 addresses via ipaddress (no loopback/multicast/public resolvers)",
        ),
        Recognizer(
            "ipv6",
            "Network Identifier",
            pattern=_HEX_LABEL_COLON + r"(?=[0-9a-f]|::)(?:[0-9a-f]{0,4}:){2,7}[0-9a-f]{0,4}(?![0-9A-Za-z:])",
            validator=ip_ok,
            score=0.9,
            trigger=(":",),
            trigger_in_match=True,
            prefilter=lambda text: text.count(":") >= 2,
            description="IPv6 addresses via ipaddress",
        ),
        Recognizer(
            "mac_address",
            "Network Identifier",
            pattern=_HEX_LABEL_COLON + r"[0-9a-f]{2}([:\-])[0-9a-f]{2}(?:\1[0-9a-f]{2}){4}(?![0-9A-Za-z:\-])",
            validator=mac_ok,
            score=0.9,
            prefilter=_mac_separators,
            description="MAC addresses (colon or dash form)",
        ),
        Recognizer(
            "mac_dotted",
            "Network Identifier",
            finder=_dotted_macs,
            validator=mac_ok,
            score=0.9,
            prefilter=lambda text: text.count(".") >= 2,
            description="MAC addresses in Cisco's dotted form (0123.4567.89ab)",
        ),
        keyed(
            "mac_keyword",
            "Network Identifier",
            ("mac地址", r"mac(?: address)?", r"mac_"),
            r"[0-9a-f]{12}",
            validator=mac_ok,
            score=0.85,
            trigger=("mac",),
            behind=r"(?<![A-Za-z#\-])",  # log fields: "ERR_CONFLICT_MAC_001A2B3C4D5E"
        ),
        Recognizer(
            "imei",
            "Network Identifier",
            pattern=r"(?<![0-9A-Za-z\-])\d{2}[ \-]?\d{6}[ \-]?\d{6}[ \-]?\d(?![0-9A-Za-z]|-\d)",
            validator=imei_ok,
            context=_IMEI_WORDS,
            context_window=40,
            score=0.9,
            min_digits=15,
            description="IMEI via stdnum.imei, with an IMEI/device word before it",
        ),
        keyed(
            "wifi_name",
            "Network Identifier",
            _WIFI_WORDS,
            _WIFI_VALUE,
            validator=lambda v: len(v.rstrip(".")) >= 3 and not_placeholder(v),
            score=0.8,
            rstrip=".",
            trigger=("名称", "wifi", "wi-fi", "ssid", "network name", "wlan", "hotspot"),
            description="a Wi-Fi network's name after SSID/Wi-Fi name/无线网名称",
        ),
        keyed_after(
            "wifi_name_before",
            "Network Identifier",
            _WIFI_VALUE,
            ("network", "wifi", "wi-fi", "wlan", "hotspot", "网络", "无线网", "热点"),
            validator=_wifi_name_ok,
            score=0.75,
            trigger=("network", "wifi", "wi-fi", "wlan", "hotspot", "网络", "无线网", "热点"),
        ),
        keyed(
            "device_keyword",
            "Network Identifier",
            _DEVICE_WORDS,
            _DEVICE_VALUE,
            validator=_device_id_ok,
            score=0.85,
            rstrip="-:",
            trigger=_DEVICE_TRIGGERS,
            description="a device ID or serial number after its key word (S/N, UDID, 序列号, ...)",
        ),
    ]
