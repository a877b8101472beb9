"""Judicial records (PL3), in English and Chinese: arrests, charges, convictions, sentences,
probation and parole, lawsuits and court dates said of the speaker or someone they name ("I was
arrested for shoplifting", "my brother got two DUIs", "I'm suing my landlord", "我因酒驾被拘留了",
"我哥被判了三年").

The same words in general talk ("the lawsuit against a company was in the news", "how does
probation work?", "酒驾会被拘留吗") are not a record: a term is kept only where the speaker or a
relation stands shortly before it in the sentence (or "me" right after it: "they sued me"), and not
in a question, a hypothetical or a story about someone else. The span is the term with the offence or
the penalty written next to it ("arrested for shoplifting", "felony conviction", "判了三年").
"""

from __future__ import annotations

from dataclasses import replace

from ..engine import Recognizer
from ._cues import (
    EN_FIRST_PERSON,
    EN_KIN_NAMED,
    EN_VETO,
    ZH_FIRST_PERSON,
    ZH_VETO,
    CuedTerms,
    Kind,
    compile_cues,
)

__all__ = ["judicial_recognizers"]

# Events take the offence or the penalty after them ("arrested for shoplifting"); records do not.
_EN_EVENTS = """
arrested|detained|jailed|imprisoned|incarcerated|convicted|pleaded guilty|pled guilty|plead guilty|
pleading guilty|indicted|charged with|sentenced|sued|suing|fined|deported|acquitted|exonerated|pardoned|
served time|did time|paroled
"""
_EN_RECORDS = """
arrest|conviction|plea deal|plea bargain|indictment|criminal charges|criminal charge|jail time|
prison time|prison sentence|jail sentence|suspended sentence|probation|on parole|parole|
parole officer|probation officer|house arrest|ankle monitor|community service|posted bail|on bail|
out on bail|dui|dwi|owi|drunk driving charge|felony|misdemeanor|misdemeanour|criminal record|expunged|
expungement|mugshot|restraining order|protective order|no-contact order|court date|court hearing|
court appearance|custody hearing|custody battle|custody case|lawsuit|class action|small claims|
deposition|subpoena|subpoenaed|arrest warrant|bench warrant|deportation|deportation order|
sex offender|parking violation|traffic violation|speeding ticket|parking ticket|traffic ticket|
time in jail|time in prison|in jail|in prison|out of jail|out of prison
"""
_ZH_TERMS = """
被捕|被逮捕|逮捕|被抓|被警察抓|被拘留|拘留|行政拘留|刑事拘留|刑拘|被判|判刑|判了|判决|判处|缓刑|假释|
坐牢|坐过牢|入狱|服刑|蹲监狱|监狱|看守所|前科|犯罪记录|案底|被起诉|起诉|被告|吃官司|打官司|官司|诉讼|
开庭|出庭|庭审|传票|酒驾|醉驾|被罚款|取保候审|立案|被通缉|失信被执行人|老赖|被执行人|社区矫正|
劳动仲裁|仲裁|离婚诉讼|抚养权官司|强制执行|判决书|拘留所|戒毒所|强制戒毒
"""

# The offence or the penalty right after an event ("arrested for shoplifting", "sentenced to 18
# months", "a DUI in 2019" stops before "in"), up to three words, not running into the next clause.
_STOP = (
    r"(?:last|in|at|on|when|because|and|but|so|after|before|back|which|that|while|during|since|ago|"
    r"yesterday|today|this|next|by|from|with|for|if|though|although|then|now|once|twice|again|i|we|he|"
    r"she|they|it|my|our)"
)
_EN_RIGHT = (
    rf"(?:(?:\s+(?:for|of|with|to|over)|(?<=\bwith)|(?<=\bto))\s+(?:(?:a|an|the|my|his|her|two|three|\d+)\s+)?"
    rf"(?!{_STOP}\b)[a-z$0-9'-]+(?:\s+(?!{_STOP}\b)[a-z$0-9'-]+){{0,2}})?"
)
_EN_LEFT = (
    r"(?<![a-z])(?:(?:felony|misdemeanou?r|criminal|civil|drug|assault|fraud|theft|dui|dwi|custody|"
    r"divorce|malpractice|personal injury|wrongful termination|wrongful death|discrimination|"
    r"harassment|federal|prior|previous|two|three|four|several|multiple|\d+)\s+)+\Z"
)
_EN_CUES = compile_cues(
    # the speaker or a relation shortly before: "I was arrested", "my brother got a DUI"
    rf"(?:{EN_FIRST_PERSON}|\b(?:he|she|he's|she's)\b|\b(?:my|our)\s+{EN_KIN_NAMED})[^.!?\n]{{0,40}}\Z",
    # no subject, at the start of a sentence: "Got a DUI last year", "Arrested in 2019, ..."
    r"\A\s*(?:(?:just|finally|recently|once|still|been|got|was|getting|currently|now|also)\s+){0,3}"
    r"(?:(?:a|an|two|three)\s+)?\Z",
)
_EN_AFTER = compile_cues(r"\s+(?:me|us|my\s+\w+)\b")
# Questions, hypotheticals and other people's stories in the news, before the term.
_EN_DOUBT = compile_cues(
    r"\b(?:if|whether|would|could|might|read|reading|heard|hear|saw|watch|watching|watched|according|"
    r"reported|allegedly|celebrity|rapper|actor|actress|politician|president|senator|ceo|company|"
    r"corporation|what happens|how does|how do|how long|what is|explain|famous|suspect)\b"
)
# Not a court's: a new job's probation, a cardiac arrest, said with conviction.
_EN_SPOIL = compile_cues(r"\b(?:period|at work|at my job|new job|employee|probationary|internship)\b")
_EN_NEAR = compile_cues(r"\b(?:cardiac|heart|respiratory|with|with such|with great|with real)\s+\Z")

_ZH_LEFT = (
    r"(?:(?:酒驾|醉驾|盗窃|偷窃|诈骗|打架斗殴|打架|斗殴|吸毒|贩毒|赌博|逃税|偷税|行贿|受贿|贪污|"
    r"故意伤害|危险驾驶|寻衅滋事|交通肇事|非法集资|超速|闯红灯)罪?(?:而|被)?)\Z"
)
_ZH_PENALTY = r"(?:有期徒刑|无期徒刑|死缓|缓刑)"
_ZH_TERM_LENGTH = r"[0-9一二两三四五六七八九十百半]+(?:个)?(?:年|个月|月|天|日|元|块)"
_ZH_RIGHT = rf"(?:了?{_ZH_PENALTY}?{_ZH_TERM_LENGTH}|了?{_ZH_PENALTY})?"
_ZH_CUES = compile_cues(
    rf"{ZH_FIRST_PERSON}[^。！？；\n]{{0,20}}\Z",
    r"\A\s*(?:去年|前年|上个月|上周|之前|以前|曾经|刚刚|刚|最近|昨天|今天|前天)[^。！？；\n]{0,8}\Z",
)
_ZH_DOUBT = compile_cues(
    r"会被|会不会|可能会|如何|什么|哪些|多久|怎么判|怎么处理|明星|演员|歌手|官员|公司|企业|某某|嫌疑人|"
    r"听说|据说|网上|热搜"
)


def _terms(block: str) -> list[str]:
    return [t.strip() for t in block.split("|") if t.strip()]


def judicial_recognizers() -> list[Recognizer]:
    terms = dict.fromkeys(_terms(_EN_RECORDS), "record") | dict.fromkeys(_terms(_EN_EVENTS), "event")
    terms |= dict.fromkeys(_terms(_ZH_TERMS), "zh_legal")
    english = Kind(
        cues=_EN_CUES,
        after=_EN_AFTER,
        left=compile_cues(_EN_LEFT),
        right=compile_cues(r"(?:e?s)?"),
        veto=compile_cues(EN_VETO),
        doubt=_EN_DOUBT,
        spoil=_EN_SPOIL,
        near=_EN_NEAR,
    )
    kinds = {
        "record": english,
        "event": replace(english, right=compile_cues(_EN_RIGHT)),
        "zh_legal": Kind(
            cues=_ZH_CUES,
            left=compile_cues(_ZH_LEFT),
            right=compile_cues(_ZH_RIGHT),
            veto=compile_cues(ZH_VETO),
            doubt=_ZH_DOUBT,
        ),
    }
    return [
        Recognizer(
            "judicial_record",
            "Judicial Record",
            finder=CuedTerms(terms, kinds),
            score=0.75,
            trigger=tuple(sorted(terms)),
            description="arrests, charges, convictions, sentences, lawsuits and court dates said of the "
            "speaker or someone they name (English and Chinese)",
        )
    ]
