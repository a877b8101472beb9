"""Vehicle licence plates (filed under ID Number, PL3, as the taxonomy does): mainland-China plates
anywhere (a province character, a letter and five characters, or the eight-character plates of
new-energy vehicles), and US/EU plates after a plate word."""

from __future__ import annotations

from ..engine import Recognizer
from ._keyed import keyed

__all__ = ["vehicle_recognizers"]

_PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼使领"
# Plate letters skip I and O (they read as 1 and 0).
_L = "A-HJ-NP-Z"
_CN_PLATE = (
    rf"(?-i:[{_PROVINCES}][{_L}][·•・.\- ]?"
    rf"(?:[DF][{_L}0-9]\d{{4}}|\d{{5}}[DF]|[{_L}0-9]{{4}}[{_L}0-9挂学警港澳领]))(?![A-Za-z0-9])"
)
_PLATE_WORDS = (
    "车牌号码",
    "车牌号",
    "车牌",
    "牌照",
    r"(?:license|licence|number|registration|reg|vehicle|car|tag)[ _-]?plate(?:[ _-]?(?:number|no\.?|#))?",
    r"plate[ _-]?(?:number|no\.?|#)",
    # a bare "plate" is a dish or a hot plate ("hot plate 2000W"): it needs an owner, or a colon or
    # "is" after it ("my plate is 7ABC123", "Plates: 6TRJ244")
    r"(?:my|our|his|her|their|car[’']?s?|vehicle[’']?s?) plates?",
    r"plates?(?=[ ]?[:：#=]|[ ](?:is|was|are|reads|says)\b)",
    r"(?:vehicle )?registration (?:number|no\.?|mark)",
    r"reg(?:istration)? (?:number|no\.?)",
    r"(?:my|car|car's|the) reg",
    r"rego",
    r"kennzeichen",
    r"immatriculation",
    r"matr[ií]cula",
    r"targa",
    r"placa",
)
# Upper-case groups: one of up to 8 ("7ABC123", "AB123CD") or several ("B-MW 1234", "CA 7ABC123").
_PLATE_VALUE = r"(?-i:[A-Z0-9]{1,8}(?:[ \-·][A-Z0-9]{1,8}){0,3})"


def _plate_ok(value: str) -> bool:
    core = [c for c in value if c.isalnum()]
    digits = sum(c.isdigit() for c in core)
    return 4 <= len(core) <= 10 and digits >= 1 and (digits < len(core) or len(core) >= 5)


def _cn_plate_ok(value: str) -> bool:
    return sum(c.isdigit() for c in value) >= 2


def vehicle_recognizers() -> list[Recognizer]:
    return [
        Recognizer(
            "cn_plate",
            "ID Number",
            pattern=_CN_PLATE,
            validator=_cn_plate_ok,
            score=0.9,
            min_digits=2,
            description="mainland-China plates (京A12345, 粤B·D12345 new-energy)",
        ),
        keyed(
            "plate_keyword",
            "ID Number",
            _PLATE_WORDS,
            _PLATE_VALUE,
            validator=_plate_ok,
            score=0.85,
            trigger=(
                "车牌",
                "牌照",
                "plate",
                "registration",
                "reg",
                "rego",
                "kennzeichen",
                "immatricul",
                "matr",
                "targa",
                "placa",
            ),
            description="a plate after a plate word (licence plate, reg number, 车牌, Kennzeichen, ...)",
        ),
    ]
