"""Vital signs (Medical Health, PL3): readings with their units, and readings after their names."""

from __future__ import annotations

from ..engine import Recognizer
from ._keyed import keyed

__all__ = ["health_recognizers"]


# After a vital's name, a dose, a count, a price, a duration or a range is not a reading ("my blood
# pressure medication is 20 mg", "I checked my blood pressure 3 times", "zone 2 is 60-70%").
_NOT_A_READING = (
    r"(?!\s?(?:-\s?\d|to \d|mg|mcg|ug|ml|g|kg|lbs?|pills?|tablets?|doses?|times?|x|dollars?|usd|bucks|"
    r"yuan|rmb|元|块|毫克|片|粒|个|次(?!/)|天|days?|weeks?|months?|years?|hours?|hrs?|minutes?|mins?)(?![a-z]))"
)


# Names of vitals and lab results ("BMI is 19.3", "my bp was 158/97", "A1C is 7.9", "尿酸640"); each
# is its own trigger word.
_VITAL_WORDS = (
    "bmi",
    "blood pressure",
    "heart rate",
    "resting pulse",
    "blood sugar",
    "心率",
    "血压",
    "血糖",
    "体脂率",
    "bp",
    "a1c",
    "hba1c",
    "ldl",
    "hdl",
    "cholesterol",
    "triglycerides",
    "fasting glucose",
    "blood glucose",
    "spo2",
    "oxygen level",
    "血氧",
    "血脂",
    "胆固醇",
    "尿酸",
    "糖化血红蛋白",
    "甲胎蛋白",
    "转氨酶",
    "肌酐",
)


def health_recognizers() -> list[Recognizer]:
    # Vital signs are health data: "167/95 mmHg", "6.1 mmol/L", a heart rate in bpm (next to a
    # heart word: songs have bpm too), and readings after their name ("BMI is 19.3", "血压 77/43").
    return [
        Recognizer(
            "vital_sign",
            "Medical Health",
            pattern=r"(?<![\d./])(?:\d{2,3}\s?/\s?\d{2,3}\s?mm\s?hg|\d{1,2}(?:\.\d{1,2})?\s?mmol/l)(?![a-z])",
            score=0.85,
            trigger=("mm", "mmol"),
            description="blood pressure and blood glucose readings with their units",
        ),
        Recognizer(
            "heart_rate",
            "Medical Health",
            pattern=r"(?<![\d.])\d{2,3}\s?bpm(?![a-z])",
            context=("heart", "pulse", "resting", "心率", "心跳", "脉搏"),
            context_window=40,
            context_after=True,
            score=0.8,
            trigger=("bpm",),
            trigger_in_match=True,
            description="a heart rate in bpm with a heart word before or after it",
        ),
        keyed(
            "vital_keyword",
            "Medical Health",
            _VITAL_WORDS,
            r"\d{1,3}(?:[./]\d{1,3})?(?:\s?(?:mmhg|bpm|mmol/l|次/分|%))?" + _NOT_A_READING,
            score=0.8,
            trigger=_VITAL_WORDS,
        ),
    ]
