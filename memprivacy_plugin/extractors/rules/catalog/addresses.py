"""Street addresses written the Chinese way (Detailed Address, PL2): the administrative units, the
road, its number and what follows it ("杭州市西湖区文三路 259 号", "上海市徐汇区漕溪北路 1200 弄 3 号
502 室", "建国路88号5号楼1203室", "阿尔伯特路104号").

The anchor is a road word followed by a house number with 号/弄 ("路 259 号"): "路" alone is in
思路, 一路上, 走路, and only a number with 号 makes it an address. The span runs left over the road's
name and the units before it (省, 市, 区, 县, 镇 ...), never over words that start the sentence
("我住在", "地址是", "寄到"), and right over building, unit, floor and room numbers. Latin-script
addresses are `contact`'s (`street_address`).
"""

from __future__ import annotations

from ..engine import Recognizer

__all__ = ["address_recognizers"]

# A Chinese character that can be part of a place name: not a pronoun, verb or particle that
# introduces the address ("我家住在", "地址是", "寄到", "搬到了").
_NAME_CHAR = (
    r"(?:(?![我你他她它们在住到是为址于从往的了和与及给请寄送搬去来回还就也家把被这那个位])[\u4e00-\u9fff])"
)
_UNIT = rf"{_NAME_CHAR}{{1,7}}?(?:省|自治区|特别行政区|市|区|县|旗|镇|乡|街道|新区|开发区)"
_ROAD = rf"{_NAME_CHAR}{{1,8}}?(?:大街|大道|公路|胡同|路|街|道|巷|弄|里)"
_SECTION = r"(?:[东西南北中](?:路|街)?|[一二三四五六七八九十\d]段)?"
_NUMBER = r"\s?\d{1,5}(?:-\d{1,4})?\s?(?:号院|号|弄)"
_TAIL_PART = (
    r"(?:\s?\d{1,4}\s?(?:号楼|号院|栋|幢|座|单元|层|楼|室|号|弄|户)"
    r"|\s?[A-Za-z]\s?(?:座|栋|区|室)|\s?\d{1,4}[A-Za-z]?\s?室?(?![\d号]))"
)
_ADDRESS = rf"(?:{_UNIT})*{_ROAD}{_SECTION}{_NUMBER}(?:{_TAIL_PART}){{0,4}}"


def address_recognizers() -> list[Recognizer]:
    return [
        Recognizer(
            "street_address_zh",
            "Detailed Address",
            pattern=_ADDRESS,
            score=0.8,
            min_digits=1,
            trigger=("号", "弄"),
            rstrip=" ",
            description="a Chinese street address: units, road, house number with 号/弄, building and room",
        ),
    ]
