"""Medications someone takes (Medical Health, PL3), in English and Chinese: "I'm on 50mg of
sertraline", "my doctor prescribed Lexapro", "my insulin", "我在吃二甲双胍", "医生给我开了抗抑郁药".

Drug names come from the dictionary of the `drug-named-entity-recognition` package where it is
installed (the `drugs` extra): about 11,000 names and brand names of the drugs MedlinePlus or the NHS
describe, read once per process from the package's own data file (its module is not imported:
that would build an n-gram index of its whole 100,000-name dictionary). Without it, and in Chinese, a
compact list of common drugs and drug classes is used. A name is kept only where the sentence says
someone takes it (a verb such as take, on, prescribed, 吃, 服用, with the speaker or a relation), and
the span is the drug with a dose written next to it ("50mg of sertraline", "Lexapro 10 mg").
"""

from __future__ import annotations

import ast
import bz2
import logging
import pickle
import re
from functools import cache
from importlib.util import find_spec
from pathlib import Path

from ..engine import Recognizer
from ._cues import (
    EN_FIRST_PERSON,
    EN_KIN,
    EN_KIN_NAMED,
    EN_VETO,
    ZH_FIRST_PERSON,
    ZH_VETO,
    CuedTerms,
    Kind,
    compile_cues,
)

__all__ = ["drug_dictionary", "medication_recognizers"]

_log = logging.getLogger(__name__)

# Common drugs and drug classes, for messages the dictionary cannot see (it is optional) and the
# classes it does not name ("antidepressants", "blood thinners").
_EN_DRUGS = """
antidepressants|antidepressant|ssris|ssri|snris|snri|anti-anxiety medication|anti-anxiety meds|
anxiety medication|anxiety meds|antipsychotics|antipsychotic|mood stabilizers|mood stabilizer|benzos|
benzodiazepines|sleeping pills|sleeping pill|sleep meds|birth control|birth control pills|
contraceptive pill|contraceptives|blood thinners|blood thinner|blood pressure meds|
blood pressure medication|blood pressure pills|statins|beta blockers|beta-blockers|ace inhibitors|
insulin|steroids|corticosteroids|prednisone|antibiotics|painkillers|pain meds|pain medication|opioids|
adhd meds|adhd medication|stimulants|antihistamines|inhaler|inhalers|rescue inhaler|
thyroid medication|thyroid meds|hormone replacement|testosterone|estrogen|oestrogen|progesterone|
antivirals|antiretrovirals|methadone|suboxone|buprenorphine|naltrexone|glp-1|semaglutide|ozempic|
wegovy|mounjaro|tirzepatide|metformin|sertraline|zoloft|fluoxetine|prozac|escitalopram|lexapro|
citalopram|celexa|paroxetine|paxil|venlafaxine|effexor|duloxetine|cymbalta|bupropion|wellbutrin|
mirtazapine|trazodone|lithium|lamotrigine|lamictal|quetiapine|seroquel|aripiprazole|abilify|olanzapine|
risperidone|alprazolam|xanax|lorazepam|ativan|clonazepam|klonopin|diazepam|valium|zolpidem|ambien|
melatonin|adderall|ritalin|vyvanse|concerta|methylphenidate|atomoxetine|strattera|ibuprofen|advil|
motrin|acetaminophen|tylenol|paracetamol|aspirin|naproxen|aleve|tramadol|oxycodone|hydrocodone|codeine|
gabapentin|lyrica|pregabalin|levothyroxine|synthroid|lisinopril|amlodipine|losartan|metoprolol|
atorvastatin|lipitor|rosuvastatin|crestor|simvastatin|warfarin|eliquis|xarelto|clopidogrel|plavix|
omeprazole|prilosec|pantoprazole|nexium|famotidine|pepcid|albuterol|ventolin|symbicort|advair|
montelukast|singulair|cetirizine|zyrtec|loratadine|claritin|allegra|benadryl|epipen|humira|accutane|
isotretinoin|spironolactone|finasteride|minoxidil|sildenafil|viagra|cialis|valacyclovir|valtrex|
acyclovir|tamiflu|paxlovid|amoxicillin|azithromycin|doxycycline|ciprofloxacin|hydroxychloroquine|
methotrexate|tamoxifen|letrozole|clomid|clomiphene|estradiol|prenatal vitamins|iron supplements|
iron pills|b12 shots|allergy shots|allergy meds|antacids|vitamin d|vitamin d3|vitamin b12|
vitamin b complex|magnesium|magnesium glycinate|zinc|fish oil|omega-3|probiotics|glucosamine|biotin|
folic acid|artificial tears|eye drops|nasal spray
"""
_ZH_DRUGS = """
布洛芬|对乙酰氨基酚|扑热息痛|阿司匹林|二甲双胍|胰岛素|氨氯地平|硝苯地平|缬沙坦|厄贝沙坦|氯沙坦|
阿托伐他汀|瑞舒伐他汀|辛伐他汀|氯吡格雷|华法林|左甲状腺素|优甲乐|甲巯咪唑|奥美拉唑|雷贝拉唑|泮托拉唑|
兰索拉唑|艾司奥美拉唑|铝碳酸镁|蒙脱石散|头孢|阿莫西林|阿奇霉素|左氧氟沙星|甲硝唑|舍曲林|氟西汀|
帕罗西汀|艾司西酞普兰|西酞普兰|文拉法辛|度洛西汀|米氮平|安非他酮|阿戈美拉汀|喹硫平|奥氮平|利培酮|
阿立哌唑|碳酸锂|丙戊酸钠|拉莫三嗪|卡马西平|左乙拉西坦|劳拉西泮|阿普唑仑|氯硝西泮|地西泮|艾司唑仑|
唑吡坦|右佐匹克隆|褪黑素|哌甲酯|专注达|托莫西汀|泼尼松|甲泼尼龙|地塞米松|氯雷他定|西替利嗪|孟鲁司特|
布地奈德|沙丁胺醇|舒利迭|信必可|格列美脲|阿卡波糖|西格列汀|达格列净|恩格列净|司美格鲁肽|利拉鲁肽|
别嘌醇|非布司他|秋水仙碱|甲氨蝶呤|羟氯喹|他莫昔芬|来曲唑|恩替卡韦|替诺福韦|奥司他韦|连花清瘟|
达英-35|优思明|黄体酮|雌激素|孕酮|克罗米芬|西地那非|他达拉非|非那雄胺|米诺地尔|异维a酸|维a酸|
降压药|降糖药|降脂药|抗抑郁药|抗焦虑药|安眠药|助眠药|镇静剂|止痛药|止疼药|消炎药|抗生素|激素药|
避孕药|紧急避孕药|胃药|抗过敏药|抗组胺药|精神类药物|抗精神病药|靶向药|化疗药|免疫抑制剂|抗病毒药|
中药|感冒药|退烧药|叶酸|钙片|铁剂|降压药物|抗抑郁药物|维生素d|维生素d3|维生素b12|复合维生素|鱼油|
益生菌|氨基葡萄糖|葡萄糖胺|镁片|锌片|人工泪液|眼药水|滴眼液
"""
# Dictionary names that are everyday words or people's names ("Kendrick", "modus", "Sunkist").
_NOT_DRUGS = frozenset(
    {
        "alli",
        "aman",
        "banan",
        "capex",
        "cera",
        "cinna",
        "dopar",
        "gana",
        "genac",
        "modus",
        "nisis",
        "sone",
        "vals",
        "rela",
        "relif",
        "salex",
        "sebar",
        "siran",
        "theon",
        "triaz",
        "urso",
        "kalma",
        "marol",
        "lonol",
        "jumex",
        "kendrick",
        "sunkist",
        "luminal",
        "colgate",
        "armour",
        "vicks",
        "lexir",
        "serc",
        "atra",
        "dala",
        "agit",
        "cafda",
        "aotal",
        "amca",
        "ilube",
    }
)
_NAME = re.compile(r"[a-z][a-z0-9'\-]*(?: [a-z0-9'\-]+){0,2}")


def _package_folder() -> Path | None:
    """Where drug-named-entity-recognition is installed, found without importing it."""
    spec = find_spec("drug_named_entity_recognition")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def _package_stopwords(folder: Path) -> frozenset[str]:
    """The package's own list of words that are not drugs (a set literal in its util.py)."""
    try:
        tree = ast.parse((folder / "util.py").read_text("utf-8"))
    except (OSError, SyntaxError, ValueError):
        return frozenset()
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "stopwords" for t in node.targets):
            try:
                return frozenset(ast.literal_eval(node.value))
            except ValueError:
                return frozenset()
    return frozenset()


@cache
def drug_dictionary() -> frozenset[str]:
    """Lower-case drug names and brand names from drug-named-entity-recognition (the drugs that
    MedlinePlus or the NHS describe), or an empty set where the package is not installed or its data
    cannot be read. Read once per process; the data file is the installed package's own."""
    folder = _package_folder()
    if folder is None:
        return frozenset()
    try:
        with bz2.open(folder / "drug_ner_dictionary.pkl.bz2", "rb") as f:
            data = pickle.load(f)  # the installed package's own data, loaded as its own code does
        variants = data["drug_variant_to_canonical"]
        canonical = data["drug_canonical_to_data"]
    except Exception as exc:  # a changed or damaged data file: the built-in list still works
        _log.warning("drug dictionary unreadable (%s); using the built-in drug list", type(exc).__name__)
        return frozenset()
    stop = _package_stopwords(folder) | _NOT_DRUGS
    names: set[str] = set()
    for variant, targets in variants.items():
        if not isinstance(variant, str) or not 4 <= len(variant) <= 40 or not _NAME.fullmatch(variant):
            continue
        if variant in stop:
            continue
        if any(
            "medline_plus_id" in canonical.get(t, {}) or "nhs_url" in canonical.get(t, {}) for t in targets
        ):
            names.add(variant)
    return frozenset(names)


def _terms(block: str) -> list[str]:
    return [t.strip() for t in block.split("|") if t.strip()]


_DOSE = r"\d+(?:\.\d+)?\s?(?:mg|mcg|µg|ug|ml|units?|iu|g)"
_EN_RIGHT = (
    r"(?:e?s)?(?:\s?(?:xr|er|sr|xl|cr|ir|dr|odt))?"
    rf"(?:\s?{_DOSE}\b(?:\s?(?:daily|a day|per day|twice a day|once a day|at night|a week|weekly))?)?"
)
_EN_LEFT = rf"(?<![\w.]){_DOSE}\s+(?:of\s+)?\Z"
_EN_CUES = compile_cues(
    rf"\b(?:my|our)\s+(?:{EN_KIN}(?:'s|’s)\s+)?(?:(?:daily|morning|evening|night|nightly|new|current|usual|"
    r"regular|prescribed|weekly)\s+)?\Z",
    rf"(?:{EN_FIRST_PERSON}|\b(?:he|she|he's|she's)\b)[^.!?\n]{{0,40}}?\b(?:take|takes|taking|took|taken|on|prescribed|prescribe|"
    r"prescribes|started|start|starts|starting|stopped|stop|stopping|quit|quitting|switched|switch|switching|"
    r"refill|refilled|inject|injecting|injected|using|use|uses|used|pop|popping|wean|weaning|weaned|taper|"
    r"tapering|tapered|off|upped|increased|decreased|lowered|doubled|halved|need|needs|needed|rely on|"
    r"relies on|allergic to|dose of|doses of|dosage of|course of|prescription for|script for|"
    r"refill of|bottle of|pills? of|tablets? of|shots? of|"
    r"(?:switched|changed|moved|went) (?:me )?(?:to|from)|"
    r"gave me|give me|gives me|put (?:me|him|her|us) on)\s+(?:(?:a|an|the|some|my|his|her|low-dose|"
    r"high-dose|daily|generic|extended-release|more|less|another)\s+){0,3}\Z",
    rf"\b(?:switched|changed|moved|put|started|gave|given|prescribed|prescribing)\s+(?:me|us|(?:my|our)\s+{EN_KIN_NAMED})"
    r"\s+(?:on\s+|to\s+|from\s+)?(?:(?:a|an|the|some)\s+)?\Z",
)
_EN_NEAR = compile_cues(r"\b(?:price|prices|cost|costs|patent|maker|manufacturer|shortage|recall)\s+of\s+\Z")

_ZH_CUES = compile_cues(
    rf"{ZH_FIRST_PERSON}[^。！？；\n]{{0,40}}\Z",
    r"(?:在吃|吃了|吃着|吃过|每天吃|一直吃|开始吃|停了|停药|服用|在服|口服|在用|用了|开了|开的|打了|注射|"
    r"换成|换了|加量|减量|剂量)[^。！？；\n]{0,4}\Z",
)
_ZH_RIGHT = (
    r"(?:缓释片|肠溶片|缓释胶囊|胶囊|注射液|滴眼液|喷雾|颗粒|口服液|片)?"
    r"(?:\s?\d+(?:\.\d+)?\s?(?:mg|毫克|微克|μg|mcg|ml|毫升|单位|iu|片|粒|颗|支))?"
)


def _kinds() -> dict[str, Kind]:
    return {
        "drug": Kind(
            cues=_EN_CUES,
            left=compile_cues(_EN_LEFT),
            right=compile_cues(_EN_RIGHT),
            veto=compile_cues(EN_VETO),
            near=_EN_NEAR,
        ),
        "zh_drug": Kind(cues=_ZH_CUES, right=compile_cues(_ZH_RIGHT), veto=compile_cues(ZH_VETO)),
    }


def medication_recognizers() -> list[Recognizer]:
    """The medication recogniser. Its drug names are its triggers, so a message that names no drug
    costs nothing more; building it reads the dictionary once per process (about half a second)."""
    terms = dict.fromkeys(drug_dictionary(), "drug")
    terms |= dict.fromkeys(_terms(_EN_DRUGS), "drug") | dict.fromkeys(_terms(_ZH_DRUGS), "zh_drug")
    return [
        Recognizer(
            "medication",
            "Medical Health",
            finder=CuedTerms(terms, _kinds()),
            score=0.75,
            trigger=tuple(sorted(terms)),
            description="a medication (drug dictionary, common drugs, classes) someone takes, with its dose",
        )
    ]
