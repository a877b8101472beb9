"""Where someone is, to the metre (Precise Location, PL3): geographic coordinates in decimal degrees
("40.7128, -74.0060", "lat 31.2304 lng 121.4737", "31.2304°N, 121.4737°E") or in degrees, minutes
and seconds ("40°42'46\"N 74°0'21\"W"), as a phone's share-location link or a pasted pin gives them.

A pair of decimals is a position only when each has four decimal places (about 10 m), or three
with a label or a hemisphere, and the pair lies within the latitude and longitude ranges; "1.5,
2.25", two fractions ("0.853, 0.912") or a version number is not. Place names ("I'm at the
Starbucks on Main") need a model extractor.
"""

from __future__ import annotations

import re

from ..engine import Recognizer

__all__ = ["location_recognizers"]

PL = "Precise Location"

_DEC = r"-?\d{1,3}\.\d{3,8}"
_HEMI = r"\s?°?\s?[NSEW]"
_DECIMAL_PAIR = (
    rf"(?<![\w.\-])(?:(?:lat(?:itude)?|纬度)\s?[:=]?\s?)?(?P<lat>{_DEC})(?:{_HEMI})?"
    rf"\s?(?:,|，|/|\s)\s?(?:(?:lng|lon|long|longitude|经度)\s?[:=]?\s?)?(?P<lon>{_DEC})(?:{_HEMI})?(?![\w.])"
)
_DMS_ONE = r"\d{1,3}\s?°\s?\d{1,2}\s?['′]\s?(?:\d{1,2}(?:\.\d+)?\s?(?:\"|″|''))?\s?[NSEW]"
_DMS_PAIR = rf"(?<![\w.]){_DMS_ONE}\s?,?\s?{_DMS_ONE}(?![\w])"
_NUMBER = re.compile(r"-?\d{1,3}\.\d+")


_LABELLED = re.compile(r"lat|lng|lon|纬度|经度|°|[nsew]\b", re.IGNORECASE)


def _in_range(text: str) -> bool:
    """A decimal pair is a latitude and a longitude: in range, not two fractions ("0.853, 0.912"),
    and with four decimals each unless a label or a hemisphere says what they are."""
    found = _NUMBER.findall(text)
    if len(found) < 2:
        return False
    lat, lon = float(found[0]), float(found[1])
    if abs(lat) > 90 or abs(lon) > 180 or (abs(lat) < 1 and abs(lon) < 1):
        return False
    places = min(len(n.split(".")[1]) for n in found[:2])
    return places >= 4 or _LABELLED.search(text) is not None


def location_recognizers() -> list[Recognizer]:
    return [
        Recognizer(
            "coordinates_decimal",
            PL,
            pattern=_DECIMAL_PAIR,
            validator=_in_range,
            score=0.85,
            min_digits=8,
            trigger=(".",),
            description="a latitude and longitude in decimal degrees, three decimals or more each",
        ),
        Recognizer(
            "coordinates_dms",
            PL,
            pattern=_DMS_PAIR,
            score=0.85,
            min_digits=4,
            trigger=("°",),
            description="a latitude and longitude in degrees, minutes and seconds",
        ),
    ]
