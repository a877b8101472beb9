"""Contact details (PL2): e-mail addresses, phone numbers, street addresses and unit designators."""

from __future__ import annotations

from ..engine import Recognizer
from ..phones import PhoneFinder
from ..validators import email_ok

__all__ = ["contact_recognizers"]

_STREET_WORDS = (
    r"Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Court|Ct|Way|Place|Pl|Terrace|"
    r"Parkway|Pkwy|Highway|Hwy|Square|Sq|Crescent|Close|Gardens|Row|Alley|Circle|Trail"
)
_NAME_WORD = r"[A-ZÀ-Þ][A-Za-zÀ-ÿ'\-]{1,20}"
# "2437 Main St", "14 Seaview Avenue"
_STREET = rf"(?-i:(?<![\dA-Za-z])\d{{1,6}}[A-Za-z]? (?:{_NAME_WORD} ){{1,3}}(?:{_STREET_WORDS})\b\.?)"
_ROMANCE_WORDS: tuple[str, ...] = (
    "Rue",
    "Rua",
    "Avenida",
    "Avenue",
    "Av.",
    "Via",
    "Viale",
    "Calle",
    "Carrer",
    "Strada",
)
_ROMANCE_WORDS += ("Piazza", "Plaza", "Praça", "Largo")
_COMPOUND_ENDINGS: tuple[str, ...] = (
    "strasse",
    "straße",
    "gasse",
    "weg",
    "allee",
    "platz",
    "gatan",
    "vägen",
    "gata",
    "vej",
)
_COMPOUND_ENDINGS += ("gade", "katu", "tie", "laan", "straat", "plein", "veien", "gaten", "utca")
_STREET_NAME_FIRST = (
    r"(?-i:"
    # "Rua do Arenque 1634", "Avenida Pedro Ulisses 888", "Via Franscini 71"
    rf"(?<![A-Za-z])(?:{'|'.join(w.replace('.', '[.]') for w in _ROMANCE_WORDS)})"
    r"(?: (?:d[aeiou]s?|de la|del|di|du|des|[A-ZÀ-Þ][A-Za-zÀ-ÿ'\-]{1,20})){1,5} \d{1,5}[a-z]?(?![\d])"
    # "Strickstrasse 61", "Nybyvägen 65", "Kiannonkatu 98", "Søndergade 52"
    rf"|(?<![A-Za-zÀ-ÿ])[A-ZÀ-Þ][a-zà-ÿ]{{1,20}}(?:{'|'.join(_COMPOUND_ENDINGS)}) \d{{1,5}}[a-z]?(?![\d])"
    r")"
)


def contact_recognizers() -> list[Recognizer]:
    return [
        Recognizer(
            "email",
            "Email",
            pattern=r"(?<![A-Za-z0-9._%+\-])[A-Za-z0-9._%+\-]{1,64}@[A-Za-z0-9\-]{1,63}(?:\.[A-Za-z0-9\-]{1,63}){0,8}"
            r"\.[A-Za-z]{2,24}(?![A-Za-z0-9\-])",
            validator=email_ok,
            score=0.98,
            trigger=("@",),
            trigger_in_match=True,
            description="e-mail addresses (reserved domains skipped)",
        ),
        Recognizer(
            "phone",
            "Phone Number",
            finder=PhoneFinder(),
            score=0.9,
            min_digits=7,
            description="phone numbers parsed and validated by phonenumbers",
        ),
        # Address parts rules can recognise: unit designators, post boxes, and street names with a
        # street word and a house number. Cities are left to NER; a postcode alone, like a city,
        # identifies nobody and is not extracted.
        Recognizer(
            "address_unit",
            "Detailed Address",
            pattern=r"(?<![A-Za-z])(?:"
            r"(?-i:PSC|Unit) \d{1,5},? Box \d{1,5}(?:\n?\s{0,4}(?-i:[ADF]PO [A-Z]{2} \d{5}))?|"
            r"(?-i:Apt\.?|APT\.?|apt\.|Apartment|Suite|SUITE|Ste\.|Unit|UNIT|Flat|Room)\s?#?\s?\d{1,5}[A-Za-z]?|"
            r"p\.?\s?o\.?\s?box\s?\d{1,6}|postbox\s\d{1,6})(?![\d])",
            score=0.8,
            trigger=("apt", "apartment", "suite", "ste.", "unit", "flat", "room", "box"),
            trigger_in_match=True,
            description="apartment, suite, unit and post-box designators",
        ),
        Recognizer(
            "street_address",
            "Detailed Address",
            pattern=_STREET,
            score=0.8,
            min_digits=1,
            description="house number, street name and street word ('2437 Main St')",
        ),
        Recognizer(
            "street_name_number",
            "Detailed Address",
            pattern=_STREET_NAME_FIRST,
            score=0.8,
            min_digits=1,
            trigger=tuple(w.lower() for w in _ROMANCE_WORDS) + _COMPOUND_ENDINGS,
            trigger_in_match=True,
            description="street name, then house number ('Rua do Arenque 1634', 'Strickstrasse 61')",
        ),
    ]
