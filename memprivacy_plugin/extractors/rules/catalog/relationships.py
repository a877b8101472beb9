"""Relationship Info (PL2): a kinship or social word with the name of the person it points at.

"my sister Ana", "my husband, Tom,", "my boss Mr. Lee", "a coworker named Sam", "Ana is my sister",
"Aunt Linda"; "我妻子小林", "老同学王磊", "我儿子叫豆豆", "王磊是我的大学同学", "王老师". The span is the
kinship word with the name ("sister Ana", "妻子小林"): the name is who, the word is how the user
knows them. A kinship word without a name ("my sister is visiting") names nobody and is left alone.

English names are told by their capital letter after a possessive and a kinship word, with a list
of capitalised words that are not names (days, pronouns, languages, apps). Chinese names by the
common surnames and the familiar forms (`_cjk_names`); a cue such as 叫 or 名叫 lets any short name
through ("我儿子叫豆豆"). A spaCy pipeline, where one runs beside the rules, finds the bare names;
its span and ours overlap and merge into one.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace

from ..engine import Recognizer, Scan, ScanFinder
from ..patterns import literal_regex
from ._cjk_names import SURNAMES, cjk, cjk_name_at, familiar_name_at, nickname_at

__all__ = ["relationship_recognizers"]

RI = "Relationship Info"

# --------------------------------------------------------------------------------------------------
# English
# --------------------------------------------------------------------------------------------------

_FAMILY_TEXT = (
    "mother mom mum mommy mummy mama momma father dad daddy papa pop parent sister sis brother bro "
    "sibling twin son daughter kid child baby husband hubby wife wifey spouse partner fiance fiancee "
    "fiancé fiancée boyfriend girlfriend bf gf ex grandmother grandma granny gran nana nan grandfather "
    "grandpa granddad grandad gramps grandson granddaughter grandkid grandchild aunt auntie aunty uncle "
    "cousin niece nephew stepmother stepmom stepmum stepfather stepdad stepsister stepbrother stepson "
    "stepdaughter half-sister half-brother godmother godfather goddaughter godson mother-in-law "
    "father-in-law sister-in-law brother-in-law son-in-law daughter-in-law ex-wife ex-husband "
    "ex-boyfriend ex-girlfriend ex-partner"
)
_FAMILY = _FAMILY_TEXT.split()
_SOCIAL_TEXT = (
    "friend bestie bff buddy pal mate roommate roomie flatmate housemate neighbor neighbour classmate "
    "schoolmate teammate bandmate colleague coworker co-worker workmate boss manager supervisor "
    "mentor mentee teacher tutor professor prof advisor adviser coach trainer therapist counselor "
    "counsellor psychiatrist psychologist doctor doc dentist pediatrician physician surgeon nurse "
    "landlord landlady tenant employee intern student patient crush date lawyer attorney caregiver "
    "nanny babysitter sponsor"
)
_SOCIAL = _SOCIAL_TEXT.split()
_PLURAL_TEXT = (
    "parents sisters brothers siblings twins sons daughters kids children grandparents grandkids "
    "grandchildren cousins nieces nephews friends besties buddies roommates flatmates housemates "
    "neighbors neighbours classmates teammates colleagues coworkers co-workers"
)
_PLURAL = _PLURAL_TEXT.split()
_KIN = literal_regex(_FAMILY + _SOCIAL + _PLURAL).pattern
# Every kinship word in a match follows a space: " son" does not fire on "person" or "reason".
_KIN_TRIGGERS = tuple(sorted({" " + w for w in _FAMILY + _SOCIAL + _PLURAL}))

# Capitalised words that follow a kinship word without being a name.
_NOT_NAME_WORDS = """
    Monday Tuesday Wednesday Thursday Friday Saturday Sunday Today Tonight Tomorrow Yesterday
    The This That These Those There Then Than And But Or Nor So If When While What Why How Who Whom Where
    Which Also Just Maybe Please Thanks Thank Hi Hey Hello Yes Yeah No Not Never Ok Okay Oh Well Now Still
    My Our His Her Their Its It He She They We You Your Me Him Them Us Im Ive Ill Id
    Christmas Xmas Easter Thanksgiving Halloween Hanukkah Diwali New Happy Merry Dear Love God Lord Jesus
    English French Spanish Chinese German Japanese Italian Korean Mandarin Cantonese Russian Arabic
    Portuguese Hindi Dutch Greek Turkish American British Canadian Mexican Indian Asian African European
    Latino Latina Catholic Christian Jewish Muslim Buddhist Hindu
    Facetime Facetimed Zoom Skype Google Googled Venmo Venmoed Uber Amazon Netflix Spotify Instagram
    Facebook Whatsapp Snapchat Tiktok Twitter Youtube Discord Slack Teams Gmail Excel Word Python Java
    Mom Mum Dad Mama Papa Grandma Grandpa Sr Jr Inc Ltd Co Corp Day Week Month Year Mr Mrs Ms Dr
    About After Before Because Since Until Though Although Even Every Each Some Any All Both Here
    Work Life Everyone Everybody Nobody Somebody Someone Anyone Mommy Daddy Papa Nana Granny Auntie Uncle
    Sorry Lol Omg Btw Anyway Actually Honestly Basically Apparently Luckily Sadly Finally Recently
"""
_NOT_NAMES = rf"{literal_regex(set(_NOT_NAME_WORDS.split())).pattern}(?![a-z])"
_UP = "A-ZÀ-ÖØ-Þ"
_LOW = "a-zß-öø-ÿ"
# One capitalised name word: "Ana", "O'Brien", "McKenzie", "Jean-Luc", "Zoë"; not a listed word.
_NAME = (
    rf"(?!{_NOT_NAMES})(?:O['’]|D['’])?[{_UP}][{_LOW}]+(?:[{_UP}][{_LOW}]+)?(?:-[{_UP}][{_LOW}]+)?"
    rf"(?![{_LOW}{_UP}])"
)
_TITLE = r"(?:(?:Mr|Mrs|Ms|Mx|Dr|Prof|Miss)\.?\s)"
# A person: an optional title, then one to three name words ("Mr. Lee", "Ana Lopez"), not a date
# ("my mom May 5").
_PERSON = rf"{_TITLE}?{_NAME}(?:\s{_NAME}){{0,2}}(?!\s?\d)"
# Several people after a plural ("my kids Max and Lily", "my parents, Tom and Ann").
_PEOPLE = rf"{_PERSON}(?:,\s{_PERSON}){{0,3}}(?:,?\s(?:and|&)\s{_PERSON})?"
_POSSESSIVE = r"\b(?:my|our|his|her|their|your) "
# Words between the possessive and the kinship word: "my older sister", "my 8-year-old son",
# "my best friend's" ... (lower case only, so a name is never taken for one).
_MODIFIERS = r"(?:(?-i:[a-z0-9][a-z0-9\-]{0,15})(?:['’]s)? ){0,3}"
_SEP = r"(?:,\s?|\s-\s|\s\(|:\s|\s)"
# A kinship word and the people it names ("sister Ana", "husband, Tom", "kids Max and Lily").
_KIN_PEOPLE = rf"(?:{_KIN}){_SEP}(?:(?:named|called|aka)\s)?(?-i:{_PEOPLE})"


def _english() -> list[Recognizer]:
    return [
        Recognizer(
            "kin_name",
            RI,
            pattern=rf"{_POSSESSIVE}{_MODIFIERS}(?P<value>{_KIN_PEOPLE})",
            group="value",
            score=0.8,
            trigger=_KIN_TRIGGERS,
            trigger_in_match=True,
            description="a kinship or social word after a possessive, then a capitalised name",
        ),
        Recognizer(
            "kin_name_of",
            RI,
            pattern=rf"['’]s {_MODIFIERS}(?P<value>{_KIN_PEOPLE})",
            group="value",
            score=0.8,
            trigger=_KIN_TRIGGERS,
            trigger_in_match=True,
            description="a kinship word after someone's possessive, then a name ('Tom's wife Lisa')",
        ),
        Recognizer(
            "kin_is_named",
            RI,
            pattern=rf"(?:{_POSSESSIVE}|['’]s |\b(?:a|an|one) ){_MODIFIERS}(?P<value>(?:{_KIN})"
            r"(?:['’]s\sname\sis|,?\s(?:who\sis\s|whose\sname\sis\s)?(?:is\s|was\s)?(?:named|called)|"
            rf"\sgoes\sby|\sby\sthe\sname\sof)\s(?-i:{_PEOPLE}))",
            group="value",
            score=0.8,
            trigger=("named", "called", "name is", "goes by", "by the name"),
            trigger_in_match=True,
            description="'a friend named Jake', 'my son is called Max', 'my wife's name is Emma'",
        ),
        Recognizer(
            "name_is_kin",
            RI,
            pattern=rf"(?-i:(?<![{_UP}{_LOW}.])(?P<value>{_PERSON} ?"
            rf"(?:(?i:is|was) |\(|, (?=(?i:my|our) [^,]{{0,40}},))"
            rf"(?i:my|our) {_MODIFIERS}(?:{_KIN})(?![a-z])))",
            group="value",
            score=0.75,
            trigger=("is my ", "was my ", "(my ", ", my ", "is our ", "was our ", "(our ", ", our "),
            trigger_in_match=True,
            description="'Ana is my sister', 'Tom (my husband)', 'Ana, my sister, ...'",
        ),
        Recognizer(
            "kin_title_name",
            RI,
            pattern=rf"(?-i:(?<![{_UP}{_LOW}])(?:Aunt|Auntie|Aunty|Uncle|Grandma|Grandpa|Granny|Nana|Cousin|"
            rf"Grandmother|Grandfather)\s(?!Sam\b){_NAME})",
            score=0.8,
            trigger=("aunt", "uncle", "grand", "nana", "cousin"),
            trigger_in_match=True,
            description="a kinship title with a name ('Aunt Linda', 'Grandpa Joe')",
        ),
        Recognizer(
            "name_and_i",
            RI,
            pattern=rf"(?-i:(?<![{_UP}{_LOW}.'’])(?P<value>{_NAME}(?:\s{_NAME})?)\s(?:and|&)\s(?:I|me)(?![A-Za-z'’]))",
            group="value",
            score=0.7,
            trigger=(" and i", " and me", " & i", " & me"),
            description="a name before 'and I' ('Jake and I went')",
        ),
        Recognizer(
            "me_and_name",
            RI,
            pattern=rf"(?-i:\b(?:[Mm]e|I)\s(?:and|&)\s(?P<value>{_NAME}(?:\s{_NAME})?))",
            group="value",
            score=0.7,
            trigger=("me and ", "i and ", "me & ", "i & "),
            trigger_in_match=True,
            description="a name after 'me and' ('me and Priya')",
        ),
        Recognizer(
            "title_name",
            RI,
            pattern=rf"(?-i:(?<![{_UP}{_LOW}])(?:Mr|Mrs|Ms|Dr|Prof)\.? {_NAME}(?:\s{_NAME})?)",
            score=0.7,
            trigger=("mr. ", "mr ", "mrs. ", "mrs ", "ms. ", "ms ", "dr. ", "dr ", "prof. ", "prof "),
            trigger_in_match=True,
            description="a person's title with a surname ('Mr. Lee', 'Dr. Patel')",
        ),
    ]


# --------------------------------------------------------------------------------------------------
# Chinese
# --------------------------------------------------------------------------------------------------

# Kinship and social words, longest first in the regex. Family words that are usually followed by
# a verb rather than a name (妈, 爸) still count: the name check decides.
_ZH_FAMILY_TEXT = (
    "妈妈 妈 母亲 老妈 爸爸 爸 父亲 老爸 老公 老婆 丈夫 妻子 "
    "爱人 太太 媳妇 儿子 女儿 孩子 闺女 哥哥 姐姐 弟弟 妹妹 哥 姐 弟 妹 "
    "大哥 二哥 大姐 二姐 小弟 小妹 爷爷 奶奶 外公 外婆 姥姥 "
    "姥爷 叔叔 阿姨 舅舅 舅妈 姑姑 姑父 姨妈 伯伯 伯父 婶婶 "
    "表哥 表姐 表弟 表妹 堂哥 堂姐 堂弟 堂妹 侄子 侄女 外甥 外甥女 孙子 孙女 外孙 外孙女 岳父 岳母 公公 婆婆 "
    "嫂子 姐夫 妹夫 弟媳 女婿 儿媳 儿媳妇 男朋友 女朋友 男友 女友 未婚夫 未婚妻 前妻 前夫 前男友 前女友 对象"
)
_ZH_FAMILY = _ZH_FAMILY_TEXT.split()
_ZH_SOCIAL_TEXT = (
    "朋友 好朋友 好友 老朋友 闺蜜 发小 哥们 兄弟 同学 "
    "老同学 大学同学 高中同学 初中同学 小学同学 同桌 校友 学长 "
    "学姐 学弟 学妹 同事 老同事 前同事 室友 舍友 邻居 领导 "
    "老板 上司 主管 经理 导师 老师 班主任 师傅 师父 教练 "
    "医生 主治医生 心理医生 咨询师 律师 房东 客户 学生 徒弟 队友 网友 搭档 合伙人 助理 秘书 保姆 阿姨"
)
_ZH_SOCIAL = _ZH_SOCIAL_TEXT.split()
_ZH_KIN = literal_regex(set(_ZH_FAMILY + _ZH_SOCIAL))
# A cue that what follows is a name whatever it looks like ("叫豆豆", "名字是乐乐").
_ZH_CUE = re.compile(r"[,，]?\s?(?:的)?(?:名字|小名|大名|全名)?(?:叫做|名叫|叫|是)(?=\S)")
# Cues that make anything short a name ("名叫豆包"); a bare 叫 needs a name's form ("叫外卖" is no name).
_STRONG_CUE = ("名", "叫做")
# Titles after a surname that make the pair a way of naming someone ("王老师", "李医生", "张阿姨").
_ZH_TITLES_TEXT = (
    "老师 医生 大夫 阿姨 叔叔 师傅 经理 主任 教授 律师 先生 女士 "
    "小姐 总监 主管 老板 大爷 大妈 奶奶 爷爷 大哥 大姐 同学"
)
_ZH_TITLES = _ZH_TITLES_TEXT.split()
_ZH_TITLE_RE = literal_regex(_ZH_TITLES)
# The whole words: the finder runs only where one of them is ("子" alone is in every other message).
_ZH_TRIGGERS = tuple(
    sorted({*_ZH_FAMILY, *_ZH_SOCIAL, *_ZH_TITLES, "和我", "跟我", "与我", "我和", "我跟", "我与"})
)
# Words that end in a surname character and often stand before a title ("历史老师" is no 史老师).
_ENDS_IN_SURNAME = frozenset({"历史", "语文", "化学", "英文", "中文", "法律", "家庭", "数学"})
# What must not stand right after a cued name for it to be a name: a verb object ("叫我", "叫外卖").
_NOT_AFTER_CUE = set("我你他她它们车醒人声好")
# "我和", "跟我": who comes next is someone the user knows ("我和王磊去爬山").
_ZH_WITH = re.compile(r"我(?:们)?(?:和|跟|与)|(?:和|跟|与)我")
# "是我(的)" and what may qualify the kinship word after it, up to the kinship word.
_ZH_IS_MY = re.compile(r"是我(?:们)?(?:的)?(?:[^\s，,。！？、的是我你他她]{1,4}的?)?$")
_LATIN_NAME = re.compile(rf"(?-i:[{_UP}][{_LOW}]{{1,15}}(?:\s[{_UP}][{_LOW}]{{1,15}})?)(?![A-Za-z])")


def _name_end(text: str, i: int, *, cued: bool, strong: bool = False) -> int:
    """The end of a name starting at `i` (Chinese or a Latin name), or -1; `cued` after 叫, `strong`
    after 名叫/名字是."""
    if i >= len(text):
        return -1
    ch = text[i]
    if ch.isascii():
        m = _LATIN_NAME.match(text, i)
        return m.end() if m is not None else -1
    if not cjk(ch):
        return -1
    for found in (familiar_name_at(text, i), cjk_name_at(text, i, cued=cued), nickname_at(text, i)):
        if found > 0:
            return found
    if strong and ch not in _NOT_AFTER_CUE:
        # After 叫/名叫 a short name of any form ("叫豆包", "叫Lily"): up to the next break.
        end = i
        while (
            end < len(text)
            and end - i < 4
            and cjk(text[end])
            and text[end] not in "的了是在，,。！？、和跟也都"
        ):
            end += 1
        return end if end - i >= 2 else -1
    return -1


def _name_before(text: str, i: int) -> int:
    """Where a Chinese name ending at `i` starts, or -1 (the longest of four, three, two characters)."""
    for size in (4, 3, 2):
        s = i - size
        if s >= 0 and max(cjk_name_at(text, s), familiar_name_at(text, s), nickname_at(text, s)) == i:
            return s
    return -1


class ChineseKinFinder(ScanFinder):
    """ "我妻子小林", "老同学王磊", "我儿子叫豆豆", "王磊是我的同学", "王老师"."""

    def find(self, scan: Scan) -> Iterator[tuple[int, int]]:
        text = scan.text
        for m in _ZH_KIN.finditer(text):
            start, end = m.span()
            found = self._after(text, end)
            if found > 0:
                yield start, found
                continue
            before = self._before(text, start)
            if before >= 0:
                yield before, end
        for m in _ZH_WITH.finditer(text):
            if m.group().startswith("我"):
                found = _name_end(text, m.end(), cued=False)
                if found - m.end() >= 2:
                    yield m.end(), found
            else:
                before = _name_before(text, m.start())
                if before >= 0:
                    yield before, m.start()
        for m in _ZH_TITLE_RE.finditer(text):
            start = m.start()
            if (
                start
                and text[start - 1] in SURNAMES
                and text[max(0, start - 2) : start] not in _ENDS_IN_SURNAME
            ):
                yield start - 1, m.end()
            elif start > 1 and text[start - 2 : start] in ("欧阳", "司马", "上官", "诸葛", "司徒"):
                yield start - 2, m.end()

    @staticmethod
    def _after(text: str, end: int) -> int:
        """Where a name right after a kinship word ends ("妻子小林", "儿子叫豆豆"), or -1."""
        cue = _ZH_CUE.match(text, end)
        if cue is not None and ("叫" in cue.group() or "名" in cue.group()):
            strong = any(c in cue.group() for c in _STRONG_CUE)
            return _name_end(text, cue.end(), cued=True, strong=strong)
        i = end
        if i < len(text) and text[i] in ",，":
            i += 1
        return _name_end(text, i, cued=False)

    @staticmethod
    def _before(text: str, start: int) -> int:
        """Where a name before "是我(的)<kinship word>" starts ("王磊是我的同学", "韩梅是我大学室友"), or
        -1; up to four characters may qualify the kinship word ("大学", "最好的")."""
        lead = _ZH_IS_MY.search(text, max(0, start - 10), start)
        return -1 if lead is None else _name_before(text, lead.start())


def _chinese() -> list[Recognizer]:
    return [
        Recognizer(
            "kin_name_zh",
            RI,
            finder=ChineseKinFinder(),
            score=0.8,
            trigger=_ZH_TRIGGERS,
            description="a Chinese kinship word with a name (妻子小林, 儿子叫豆豆, 王磊是我的同学, 王老师)",
        ),
    ]


# A request for fiction or talk about a story's people, said before the name in its sentence: "write
# a short story about a nurse named Clara", "写一个关于医生李华的故事", "电视剧里那个医生叫江晚".
# Only words that announce fiction: "I watched a movie with my sister Ana" keeps its name.
_FICTION = (
    r"\b(?:write|writing|wrote|story|stories|novel|fiction|fanfic|character|characters|screenplay|"
    r"roleplay|role-play|role play|fairy tale|bedtime story|in the (?:book|movie|film|show|series|play))\b"
    r"|写一个|写一篇|写个|写篇|编一个|编个|故事|小说|剧里|剧中|电视剧里|电影里|书里|角色|人物"
)


def relationship_recognizers() -> list[Recognizer]:
    return [replace(rec, veto=_FICTION) for rec in _english() + _chinese()]
