"""Identity Background (PL2): what someone does, where they work or study, and how old they are,
said with the context that makes it theirs.

"I'm a nurse at St. Mary's" -> "nurse at St. Mary's"; "I work at Stripe as a data engineer" ->
"Stripe as a data engineer"; "I'm 34" -> "34"; "born in 1990" -> "1990"; "majoring in economics";
"我在腾讯做产品经理" -> "腾讯做产品经理"; "我在复旦读研" -> "复旦读研"; "我是一名护士"; "我是做销售的";
"毕业于浙江大学"; "我今年28了"; "我是90后". Ages with their unit ("34 years old", "28岁") are in
`identifiers`.

Precision comes from the context words, not from the value alone: a job title only after a
self-description ("I'm a", "I work as", "as a" opening a sentence, "我是") and only from a list of
occupations, never after an evaluative word ("a terrible driver" is no job); an employer only as a
capitalised name after "work at/for" ("I work hard", "I work at home" have none); an age only as a
bare number after "I'm" that ends the clause ("I'm 5 minutes away" is no age).
"""

from __future__ import annotations

from collections.abc import Iterator

from ..engine import Recognizer, Scan, ScanFinder
from ..patterns import compile_pattern, literal_regex
from ._places import ZH_PLACES

__all__ = ["background_recognizers"]

IB = "Identity Background"

# --------------------------------------------------------------------------------------------------
# English
# --------------------------------------------------------------------------------------------------

# Occupations (the head of a job title; words before it such as "senior data" are taken with it).
_OCCUPATIONS = """
engineer developer programmer coder scientist analyst designer architect consultant accountant auditor
actuary economist statistician researcher postdoc professor lecturer teacher tutor instructor educator
principal librarian nurse doctor physician surgeon dentist orthodontist pharmacist therapist
physiotherapist physical-therapist psychologist psychiatrist counselor counsellor social-worker paramedic
midwife optometrist radiologist anesthesiologist veterinarian vet medic caregiver nanny
lawyer attorney paralegal solicitor barrister judge prosecutor notary
manager director executive administrator coordinator supervisor officer secretary receptionist
clerk cashier bookkeeper banker trader broker realtor recruiter salesperson sales-rep salesman
saleswoman marketer copywriter editor journalist reporter writer author translator interpreter
photographer videographer illustrator animator artist musician composer actor actress dancer
chef sous-chef line-cook baker barista bartender waiter waitress pilot flight-attendant
mechanic electrician plumber carpenter welder technician machinist contractor
firefighter police-officer cop detective soldier marine sailor veteran
farmer rancher fisherman miner truck-driver bus-driver taxi-driver cab-driver uber-driver
delivery-driver courier mail-carrier postman janitor housekeeper security-guard
founder co-founder cofounder entrepreneur freelancer ceo cto cfo coo vp intern apprentice trainee
student undergrad undergraduate grad-student phd-student phd-candidate med-student law-student
homemaker stay-at-home-mom stay-at-home-dad pastor priest rabbi imam minister missionary
data-scientist product-manager project-manager scrum-master devops sysadmin
"""
_HEADS = sorted({w.replace("-", " ") for w in _OCCUPATIONS.split()})
_HEAD = literal_regex(_HEADS).pattern
_HEAD_TRIGGERS = tuple(sorted({h.split()[-1] for h in _HEADS}))
# Words before an occupation that make it a judgement or a hobby, not a job.
_EVALUATIVE = (
    r"(?:good|great|bad|terrible|awful|decent|better|best|worse|worst|horrible|excellent|amazing|nervous|"
    r"careful|fast|slow|safe|picky|lazy|messy|huge|big|total|complete|natural|wannabe|fake|pretend|"
    r"hobby|hobbyist|amateur|aspiring|future|would-be|armchair|backseat|weekend|sunday|home|wonderful|"
    r"perfect|real|true|typical|proper|average|poor|lousy|shitty|crappy)(?![a-z])"
)
_MOD = rf"(?:(?!{_EVALUATIVE})[a-z][a-z\-/&]{{0,19}}\s){{0,3}}"
# An age between "a" and a title, left to the age rules: "a 34 yo nurse", "a 41-year-old teacher".
_AGE_BEFORE_TITLE = r"(?:\d{1,2}(?:\s?yo|\s?y/o|-year-old|\s(?:years?|yrs?)\sold)\s)?"
# A capitalised organisation name: "Stripe", "St. Mary's", "Bank of America", "AT&T", "3M".
_NOT_ORG_WORDS = (
    "Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March April June July August "
    "September October November December I Im The This That It "
    "My Our Your His Her Their Christmas Night Home "
    "Least Most First Last Times Work School Least"
)
_NOT_ORG = rf"{literal_regex(set(_NOT_ORG_WORDS.split())).pattern}(?![A-Za-z'’])"
_ORG_WORD = r"(?:(?:St|Mt|Ft)\.|[A-Z0-9](?:[A-Za-z0-9&'’\-]|\.(?=[A-Za-z]))*)"
_ORG = (
    rf"(?-i:(?!{_NOT_ORG}){_ORG_WORD}(?:(?:\s(?:of|and|&|de|for|the|on))?\s(?!{_NOT_ORG}){_ORG_WORD}){{0,4}})"
)
# Lines of work ("I work in finance").
_FIELD = (
    r"finance|banking|marketing|sales|(?-i:HR|IT|PR)|human\sresources|tech|healthcare|health\scare|education|retail|"
    r"hospitality|construction|insurance|real\sestate|consulting|law|accounting|logistics|manufacturing|"
    r"engineering|software|cybersecurity|government|nonprofits?|non-profits?|pharma|pharmaceuticals|biotech|"
    r"media|advertising|public\srelations|customer\sservice|customer\ssupport|academia|research|"
    r"publishing|journalism|fashion|aviation|energy|oil\sand\sgas|agriculture|nursing|medicine|dentistry|"
    r"social\swork|policing|the\smilitary|politics|venture\scapital|private\sequity|investment\sbanking|"
    r"data\sscience|product\smanagement|operations|procurement|compliance|recruiting|recruitment|"
    r"film|television|gaming|game\sdevelopment|telecom|telecommunications|transportation|trucking"
)
# Whose it is: a personal pronoun or possessive shortly before, in the same sentence ("I graduated
# from", "my son goes to"), so that "students at Harvard protested" or "a degree in law helps" is not.
_WHO = (
    r"\b(?:i|i['’]m|i['’]ve|i['’]d|i['’]ll|me|my|we|we['’]re|our|he|she|he['’]s|she['’]s|his|her)"
    r"\b[^.!?\n]{0,40}?"
)
# The words before "at Employer" in `employer_context`.
_JOB_WORDS = (
    "job",
    "position",
    "role",
    "intern",
    "gig",
    "boss",
    "manager",
    "supervisor",
    "worker",
    "colleague",
    "team",
    "department",
    "hired",
    "promoted",
    "teach",
    "taught",
)
# After an occupation: the end of the clause, or a word that goes on about the job.
_JOB_END = (
    r"(?=\s?[.,;:!?)\n]|\s?$|\s(?:at|in|for|with|and|who|from|by|on|since|now|too|so|but|here|there|"
    r"myself|of|currently|based|working|specializing|specialising|turned|for|full-time|part-time)(?![a-z]))"
)
_AT_ORG = rf"(?:\s(?:at|for|with)\s(?:the\s)?{_ORG})?"
# Who the title belongs to: the user ("I'm a", "I work as", "my job is"), or a named person ("my
# wife is a", "she's a").
_SELF = (
    r"(?:\bi['’]?m|\bi\sam|\bi\swas|\bi['’]ve\sbeen|\bi\shave\sbeen|\bi\sused\sto\sbe|\bi\sbecame|"
    r"\bi\swork(?:ed)?\sas|\bi\s(?:am|was)\sworking\sas|\bi['’]m\sworking\sas|\bi['’]ve\sworked\sas|"
    r"\b(?:my|his|her)\s(?:job|role|position|title|profession|occupation)\s(?:is|was)|"
    r"\b(?:job|career|role|position|experience|years?|time)\sas|\bworked\sas|\bworking\sas|"
    r"\b(?:he|she)['’]s|\b(?:he|she)\s(?:is|was)|"
    r"\b(?:my|our|his|her|their)\s(?:[a-z\-]+\s)?[a-z\-]+\s(?:is|was)|"
    r"(?:^|(?<=[.!?\n]\s)|(?<=[.!?\n])|(?<=,\s))as)"
)


_JOB_LEFT = compile_pattern(
    rf"(?:{_SELF})\s(?:now\s|currently\s|also\s|still\s)?(?:an?\s|the\s)?{_AGE_BEFORE_TITLE}(?P<mod>{_MOD})\Z"
)
_JOB_RIGHT = compile_pattern(rf"{_AT_ORG}{_JOB_END}")
# Occupations by their last word, longest first ("truck driver" before "driver").
_HEADS_BY_LAST: dict[str, list[str]] = {}
for _head in sorted(_HEADS, key=len, reverse=True):
    _HEADS_BY_LAST.setdefault(_head.split()[-1], []).append(_head)


class JobTitleFinder(ScanFinder):
    """Occupations found from their word outwards: the word (known present from the trigger pass),
    then the self-description before it and the end of the clause after it. Cheaper than one
    pattern that tries every self-description at every position of every message."""

    watch = _HEAD_TRIGGERS

    def find(self, scan: Scan) -> Iterator[tuple[int, int]]:
        text, lower = scan.text, scan.lower
        for last, heads in _HEADS_BY_LAST.items():
            if not scan.has(last):
                continue
            pos = lower.find(last)
            while pos != -1:
                end = pos + len(last)
                if (end == len(lower) or not lower[end].isalpha()) and (
                    pos == 0 or not lower[pos - 1].isalpha()
                ):
                    found = self._around(text, lower, end, heads)
                    if found is not None:
                        yield found
                pos = lower.find(last, end)

    @staticmethod
    def _around(text: str, lower: str, end: int, heads: list[str]) -> tuple[int, int] | None:
        for head in heads:
            start = end - len(head)
            if start < 0 or lower[start:end] != head or (start and lower[start - 1].isalpha()):
                continue
            left = _JOB_LEFT.search(text, max(0, start - 120), start)
            right = _JOB_RIGHT.match(text, end)
            if left is not None and right is not None:
                return left.start("mod"), right.end()
        return None


def _english() -> list[Recognizer]:
    return [
        Recognizer(
            "job_title",
            IB,
            finder=JobTitleFinder(),
            score=0.75,
            trigger=_HEAD_TRIGGERS,
            rstrip=".",
            description="an occupation after 'I'm a', 'I work as', 'my wife is a' (with 'at Employer')",
        ),
        Recognizer(
            "employer",
            IB,
            pattern=rf"{_WHO}(?<!\bit\s)(?<!\bthis\s)(?<!\bthat\s)(?<!\bwhich\s)\b(?:work|works|worked|working|"
            r"intern|interning|interned|employed|volunteer|volunteering)\s(?:at|for|by)\s(?:the\s)?"
            rf"(?P<value>{_ORG}(?:,?\sas\s(?:an?\s)?{_MOD}(?:{_HEAD}))?)(?![A-Za-z])",
            group="value",
            score=0.75,
            trigger=("work", "intern", "employed", "volunteer"),
            trigger_in_match=True,
            rstrip=".",
            description="a capitalised employer after 'work at/for' ('I work at Stripe as a data engineer')",
        ),
        Recognizer(
            "employer_context",
            IB,
            pattern=rf"(?:{_WHO}\b(?:(?:new|old|first|current|summer|part-time|full-time|former)\s)?(?:job|"
            r"position|role|internship|gig|department|hired|promoted|teach|teaching|taught)\s"
            r"(?:[a-z0-9\-]+\s){0,3}?"
            # "my boss at Accenture", not where someone was met ("I met my boss at Starbucks")
            r"|(?<!\bmet\s)(?<!\bmeet\s)(?<!\bsaw\s)(?<!\bsee\s)(?<!\bwith\s)(?<!\band\s)"
            r"\b(?:my|our|his|her)\s(?:(?:old|new|former|current)\s)?(?:boss|manager|supervisor|team|"
            r"coworkers?|co-workers?|colleagues?|teammates)\s)"
            rf"at\s(?:the\s)?(?=[A-Z])(?P<value>{_ORG})(?![A-Za-z])",
            group="value",
            score=0.7,
            trigger=_JOB_WORDS,
            trigger_in_match=True,
            rstrip=".",
            description="an employer or school after a job word ('my boss at Accenture', 'a new job at "
            "Pfizer', 'I teach 3rd grade at Lincoln Elementary')",
        ),
        Recognizer(
            "work_field",
            IB,
            pattern=r"\b(?:i|we|he|she|they)\s(?:still\s|currently\s|now\s|also\s|used\sto\s)?(?:work|works|worked|"
            r"am\sworking|['’]m\sworking|have\sworked|['’]ve\sworked)\s(?:in|at)\s(?:the\s)?"
            rf"(?P<value>(?:{_FIELD})(?:\s(?:industry|sector|field|department|dept|team))?)(?![a-z])",
            group="value",
            score=0.7,
            trigger=("work",),
            trigger_in_match=True,
            description="a line of work after 'I work in' ('I work in finance', 'she works in HR')",
        ),
        Recognizer(
            "employment_status",
            IB,
            pattern=r"\b(?:i['’]?m|i\sam|i\swas|i\sgot|i['’]ve\sbeen|i\shave\sbeen|(?:he|she)['’]s|(?:he|she)\s(?:is|was))"
            r"\s(?:now\s|currently\s|recently\s|just\s|semi-)?(?P<value>retired|unemployed|self-employed|laid\soff|"
            r"between\sjobs|out\sof\swork|on\sdisability|a\sretiree|a\sstay-at-home\s(?:mom|mum|dad|parent)|"
            r"a\shomemaker|a\shousewife|a\shomeschooler)(?![a-z])",
            group="value",
            score=0.7,
            trigger=(
                "retire",
                "employed",
                "laid",
                "between jobs",
                "out of work",
                "disability",
                "stay-at-home",
                "homemaker",
                "housewife",
                "homeschool",
            ),
            description="employment status said of oneself ('I'm retired', 'I got laid off')",
        ),
        Recognizer(
            "teaches_at",
            IB,
            pattern=r"\b(?:i|he|she)\s(?:still\s|currently\s|now\s|also\s)?(?:teach|teaches|taught|lecture|lectures)\s"
            rf"(?:at|for)\s(?:the\s)?(?P<value>{_ORG})(?![A-Za-z])",
            group="value",
            score=0.75,
            trigger=("teach", "taught", "lecture"),
            trigger_in_match=True,
            rstrip=".",
            description="'I teach at Lincoln Elementary'",
        ),
        Recognizer(
            "school",
            IB,
            pattern=rf"{_WHO}\b(?:study|studies|studied|studying|student|students|enrolled|undergrad|grad|"
            r"graduated|graduate|alum|alumna|alumnus|alumni|degree|phd|ph\.d\.|masters?|master['’]s|"
            r"bachelors?|bachelor['’]s|mba|freshman|sophomore|junior|senior|year)\s(?:at|from|of)\s(?:the\s)?"
            rf"(?P<value>{_ORG})(?![A-Za-z])",
            group="value",
            score=0.75,
            trigger=(
                "stud",
                "enrolled",
                "grad",
                "alum",
                "degree",
                "phd",
                "ph.d",
                "master",
                "bachelor",
                "mba",
                "freshman",
                "sophomore",
                "junior",
                "senior",
                "year",
            ),
            trigger_in_match=True,
            rstrip=".",
            description="a capitalised school after 'study at', 'graduated from', 'degree from'",
        ),
        Recognizer(
            "school_attended",
            IB,
            pattern=rf"{_WHO}\b(?:go|goes|went|going|attend|attends|attended|attending)\s(?:to\s)?(?:the\s)?"
            r"(?P<value>(?-i:(?:[A-Z][A-Za-z'’.\-]*\s){0,4}(?:University|College|School|Institute|Academy|"
            r"Polytechnic|Conservatory|High)(?:\sof(?:\s[A-Z][A-Za-z'’\-]*){1,3})?"
            r"|(?:University|College|Institute)\sof(?:\s[A-Z][A-Za-z'’\-]*){1,3}))",
            group="value",
            score=0.75,
            trigger=(
                "university",
                "college",
                "school",
                "institute",
                "academy",
                "polytechnic",
                "conservatory",
                "high",
            ),
            trigger_in_match=True,
            description="a named school after 'go to' or 'attend' ('I go to Lincoln High School')",
        ),
        Recognizer(
            "field_of_study",
            IB,
            pattern=rf"{_WHO}\b(?:major(?:ing|ed)?|minor(?:ing|ed)?|degree|phd|ph\.d\.|masters?|master['’]s|"
            r"bachelors?|bachelor['’]s|mba|specializ(?:ing|ed|e)|specialis(?:ing|ed|e))\sin\s"
            r"(?P<value>(?!(?:it|the|that|this|a|an|my|and)\b)[a-z][a-z\-]{1,20}"
            r"(?:\s(?!(?:and|at|but|so|with|because|while|since|now|from|in|for|to|or|when|this|last|next|"
            r"is|was|i|he|she|we|they)\b)[a-z][a-z\-]{1,20}){0,2})(?![a-z])",
            group="value",
            score=0.7,
            trigger=("major", "minor", "degree", "phd", "ph.d", "master", "bachelor", "mba", "speciali"),
            trigger_in_match=True,
            description="a field of study after 'majoring in', 'degree in', 'PhD in'",
        ),
        Recognizer(
            "school_year",
            IB,
            pattern=r"\b(?:i['’]?m|i\sam|i\swas)\s(?:an?\s|in\s(?:my\s)?)?(?P<value>(?:freshman|sophomore|junior|"
            r"senior|(?:first|second|third|fourth|final|1st|2nd|3rd|4th)[\s\-]year)(?:\s(?:student|undergrad|"
            r"undergraduate))?\s(?:at|in)\s(?:the\s)?(?:college|high\sschool|university|uni|grad\sschool|"
            rf"med\sschool|law\sschool|{_ORG}))(?![A-Za-z])",
            group="value",
            score=0.75,
            trigger=("freshman", "sophomore", "junior", "senior", " year", "-year"),
            trigger_in_match=True,
            rstrip=".",
            description="'I'm a junior at Ohio State', 'I'm in my second year at university'",
        ),
        Recognizer(
            "age_i_am",
            IB,
            pattern=r"\b(?:i['’]?m|i\sam|i\sjust\sturned|i['’]m\sturning|i\sturn)\s(?:only\s|just\s|now\s)?"
            r"(?P<value>1[3-9]|[2-9]\d)(?=[,;!?)]|\.(?!\d)|\s?$|\s(?:and|but|now|this|so|if|too|myself|already|"
            r"soon|though|with|next)(?![a-z])|\s?-\s)",
            group="value",
            score=0.75,
            trigger=("i'm", "i am", "im ", "i’m", "turn"),
            description="a bare age after 'I'm' that ends the clause ('I'm 34, ...')",
        ),
        Recognizer(
            "age_decade",
            IB,
            pattern=r"\bin\s(?P<value>(?:my|his|her)\s(?:early|mid|late)?[\s\-]?(?:[1-9]0['’]?s|twenties|"
            r"thirties|forties|fifties|sixties|seventies|eighties|nineties))(?![a-z])",
            group="value",
            score=0.7,
            trigger=(
                "0s",
                "0's",
                "0’s",
                "twenties",
                "thirties",
                "forties",
                "fifties",
                "sixties",
                "seventies",
                "eighties",
                "nineties",
            ),
            description="'in my early 30s', 'in her forties'",
        ),
        Recognizer(
            "birth_date",
            IB,
            pattern=r"\b(?:born\s(?:in|on)|birthday\s(?:is|was|:)\s(?:on\s)?|date\sof\sbirth\s(?:is\s|:\s?)|dob\s?:?\s?)"
            r"\s?(?P<value>(?:19|20)\d{2}|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s\d{1,2}"
            r"(?:st|nd|rd|th)?(?:,?\s(?:19|20)\d{2})?|\d{1,2}(?:st|nd|rd|th)?\s(?:of\s)?(?:jan|feb|mar|apr|may|jun|"
            r"jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?(?:,?\s(?:19|20)\d{2})?|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|"
            r"sept|oct|nov|dec)[a-z]*\s(?:19|20)\d{2}|\d{1,2}[/.\-]\d{1,2}[/.\-](?:19|20)?\d{2})(?![0-9])",
            group="value",
            score=0.75,
            trigger=("born", "birthday", "birth", "dob"),
            trigger_in_match=True,
            description="a birth date or year ('born in 1990', 'my birthday is May 5th')",
        ),
    ]


# --------------------------------------------------------------------------------------------------
# Chinese
# --------------------------------------------------------------------------------------------------

# Occupations; a field may stand before any of them ("前端工程师", "游戏策划", "小学老师").
_ZH_OCCUPATIONS_TEXT = (
    "医生 护士 老师 教师 教授 讲师 律师 会计 程序员 "
    "码农 工程师 设计师 分析师 架构师 咨询师 会计师 药剂师 营养师 "
    "心理咨询师 建筑师 摄影师 理发师 厨师 面包师 经理 产品经理 项目经理 "
    "总监 主管 专员 研究员 公务员 销售 运营 编辑 "
    "记者 主持人 主播 演员 作家 画家 翻译 导游 司机 快递员 "
    "外卖员 保安 警察 军人 消防员 飞行员 空姐 空乘 乘务员 "
    "农民 工人 技术员 实习生 学生 研究生 博士生 硕士生 本科生 大学生 高中生 初中生 小学生 留学生 博士后 "
    "创业者 自由职业者 个体户 店主 老板 全职妈妈 家庭主妇 HR CEO CTO "
    "CFO 产品 客服 前台 文员 出纳 财务 人事 行政 "
    "测试 开发 策划 算法工程师 数据分析师 医师 牙医 兽医 "
    "中医 护工 保姆 月嫂 教练 健身教练 律师助理 法官 检察官 "
    "科学家 学者 副教授 主编 艺术家 诗人 编剧 导演 制片人 策展人 评论家 专家 音乐家 企业家 "
    "治疗师 物理治疗师 社工 博主 作曲家"
)
_ZH_OCCUPATIONS = _ZH_OCCUPATIONS_TEXT.split()
_ZH_SUFFIXES = (
    "工程师",
    "设计师",
    "分析师",
    "经理",
    "总监",
    "专员",
    "老师",
    "医生",
    "教授",
    "研究员",
    "主管",
    "顾问",
    "助理",
)
_ZH_OCC = literal_regex(_ZH_OCCUPATIONS).pattern
_ZH_TITLE_TRIGGERS = tuple(sorted({w.lower() for w in (*_ZH_OCCUPATIONS, *_ZH_SUFFIXES)}))
_ZH_SUFFIX = literal_regex(_ZH_SUFFIXES).pattern
# A field before a suffix ("高中数学老师", "前端工程师"): CJK or Latin, no pronoun or particle.
_ZH_FIELD = r"(?:[A-Za-z]{1,10}|[^\s的你我他她它这那谁个一名位是在了，,。！？、：:（）()\x00-\x40]{1,6})"
_ZH_TITLE = rf"(?:{_ZH_FIELD}?(?:{_ZH_SUFFIX}|{_ZH_OCC}))"
# After a title: not more of a noun ("学生会", "老师的").
_ZH_TITLE_END = r"(?![的们会证卡费])"
# Companies and schools known by a short name; anything else needs an organisation's suffix.
_ZH_KNOWN_ORGS_TEXT = (
    "腾讯 阿里 阿里巴巴 字节 字节跳动 百度 华为 京东 美团 网易 "
    "小米 拼多多 滴滴 快手 蚂蚁 携程 微软 谷歌 苹果 亚马逊 "
    "特斯拉 比亚迪 中兴 联想 大疆 米哈游 哔哩哔哩 B站 小红书 知乎 "
    "新浪 搜狐 顺丰 招行 工行 建行 农行 中行 平安 "
    "国企 外企 央企 投行 券商 四大 清华 北大 复旦 交大 上交 "
    "浙大 南大 人大 武大 中大 华科 同济 哈工大 北航 北师大 "
    "川大 厦大 山大 南开 天大 中科大 中科院 社科院"
)
_ZH_KNOWN_ORGS = _ZH_KNOWN_ORGS_TEXT.split()
_ZH_ORG_SUFFIXES_TEXT = (
    "公司 集团 银行 医院 诊所 大学 学院 中学 小学 高中 "
    "初中 一中 二中 附中 学校 研究所 研究院 实验室 事务所 科技 "
    "工作室 局 厅 厂 店 中心 协会 基金会 酒店 餐厅 律所 报社 电视台 出版社 幼儿园 部队 法院 检察院 政府 机关 "
    "分行 支行 分公司 总部"
)
_ZH_ORG_SUFFIXES = _ZH_ORG_SUFFIXES_TEXT.split()
_ZH_ORG = (
    rf"(?:(?!一家|一个|一所|某|这|那|哪)[^\s我你他她它这那的了在是，,。！？、：:（）()]{{1,14}}"
    rf"(?:{literal_regex(_ZH_ORG_SUFFIXES).pattern})"
    # a well-known short name, with the place of its office before it ("深圳华为", "杭州阿里")
    rf"|(?:(?:{ZH_PLACES})市?)?(?:{literal_regex(_ZH_KNOWN_ORGS).pattern})|(?-i:[A-Z][A-Za-z0-9&.\-]{{1,20}}))"
)
# Any place before 读研/读博/做<title>, except the generic ones.
_ZH_PLACE = (
    r"(?!(?:家|家里|这|那|这里|那里|这边|那边|外面|网上|线上|学校|公司|单位|宿舍|图书馆|办公室|大学|医院)"
    r"(?:做|当|任|担任|读|上|念|就|留))[^\s我你他她它的了在是，,。！？、：:（）()]{2,10}?"
)
_ZH_STUDY = (
    r"(?:读研究生|读研|读博士|读博|读硕士|读本科|读大学|上大学|念大学|读大一|读大二|读大三|读大四|"
    r"读高中|上高中|读初中|留学|读MBA|读书|上学|念书|就读|(?:上|读|念)(?:小学|初中|幼儿园|托班|"
    r"[一二三四五六]年级|初[一二三]|高[一二三]|[大小中]班))"
)
# What a patient does at a hospital, not a job there ("我在协和医院做了手术", "在医院做检查").
_ZH_PATIENT = r"[了过完]|手术|检查|体检|化疗|放疗|治疗|理疗|康复|透析|复查|核酸|B超|CT|胃镜|肠镜"
_ZH_SUBJECT = (
    r"(?:我|他|她|(?:我老公|我老婆|我丈夫|我妻子|我爸|我妈|我儿子|我女儿|我哥|我姐|我弟|我妹|"
    r"我男朋友|我女朋友|我朋友)(?:[\u4e00-\u9fff]{2,3}(?=在|是|当|现在|目前|以前|之前))?)"
)


# Working at an organisation, the subject left out ("目前在腾讯上班").
_ZH_AT_WORK = rf"在(?P<value>{_ZH_ORG})(?:工作|上班|任职|实习)"


def _chinese() -> list[Recognizer]:
    return [
        Recognizer(
            "workplace_zh",
            IB,
            pattern=rf"{_ZH_SUBJECT}(?:现在|目前|以前|之前|曾经|一直|也|还)?在(?P<value>{_ZH_ORG}"
            rf"(?:(?:做|当|任|担任)(?:一名|一个|个)?{_ZH_TITLE})?)(?:工作|上班|任职|实习|做(?!{_ZH_PATIENT})|当|任|担任|$|[,，。!！])",
            group="value",
            score=0.75,
            trigger=("在",),
            description="我在腾讯做产品经理, 我在招商银行上班",
        ),
        Recognizer(
            "workplace_title_zh",
            IB,
            pattern=rf"{_ZH_SUBJECT}(?:现在|目前|以前|之前|曾经|一直|也|还)?在(?P<value>{_ZH_PLACE}"
            rf"(?:做|当|任|担任)(?:一名|一个|个)?{_ZH_TITLE}){_ZH_TITLE_END}",
            group="value",
            score=0.75,
            trigger=_ZH_TITLE_TRIGGERS,
            description="我在一家外企做销售: any place, with the title after it",
        ),
        Recognizer(
            "study_place_zh",
            IB,
            pattern=rf"{_ZH_SUBJECT}(?:现在|目前|以前|之前|曾经|一直|也|还)?在(?P<value>(?:{_ZH_ORG}|{_ZH_PLACE})"
            rf"{_ZH_STUDY})",
            group="value",
            score=0.75,
            trigger=("读", "上", "念书", "留学", "就读"),
            description="我在复旦读研, 我在北京大学读博",
        ),
        Recognizer(
            "occupation_zh",
            IB,
            pattern=rf"{_ZH_SUBJECT}(?:现在|目前|以前|之前|曾经|是一个|也|还|就)?(?:是|当)(?:一名|一个|一位|个|名|位)?"
            rf"(?P<value>{_ZH_TITLE}){_ZH_TITLE_END}",
            group="value",
            score=0.75,
            trigger=_ZH_TITLE_TRIGGERS,
            description="我是一名护士, 我老公是程序员",
        ),
        Recognizer(
            "as_occupation_zh",
            IB,
            pattern=rf"(?:作为|身为)(?:一名|一个|一位|名|位)?(?P<value>{_ZH_TITLE})(?![们会证卡费])",
            group="value",
            score=0.7,
            trigger=("作为", "身为"),
            description="作为一名科学家, 身为心理学副教授",
        ),
        Recognizer(
            "occupation_phrase_zh",
            IB,
            pattern=r"(?:我|他|她)(?:是做|做的是|从事|的工作是|的职业是|的职位是|的岗位是|职业是)"
            r"(?P<value>[^\s的了，,。！？、]{1,10}?)(?:的|工作|行业|方面|相关|$|[,，。!！])",
            group="value",
            score=0.75,
            trigger=("做", "从事", "工作", "职业", "职位", "岗位"),
            description="我是做销售的, 我从事金融行业, 我的工作是会计",
        ),
        Recognizer(
            "workplace_bare_zh",
            IB,
            pattern=rf"(?:现在|目前|以前|之前|曾经|一直|平时){_ZH_AT_WORK}",
            group="value",
            score=0.75,
            trigger=("工作", "上班", "任职", "实习"),
            description="目前在腾讯上班 (the subject left out, as Chinese does)",
        ),
        Recognizer(
            "workplace_clause_zh",
            IB,
            # after a comma, as a clause of its own in a list about a person; not "他说，在华为工作很辛苦"
            pattern=rf"[，,]{_ZH_AT_WORK}(?=[，,。！!；;\s]|$)",
            group="value",
            score=0.7,
            trigger=("工作", "上班", "任职", "实习"),
            description="陈思远，32岁，在深圳华为上班",
        ),
        Recognizer(
            "years_as_zh",
            IB,
            pattern=rf"(?:当|做|干)了(?:[一二三四五六七八九十两几多半\d]{{1,3}})年(?:多)?(?:的)?(?P<value>{_ZH_TITLE})"
            rf"{_ZH_TITLE_END}",
            group="value",
            score=0.75,
            trigger=("当了", "做了", "干了"),
            description="当了十年老师, 做了三年会计",
        ),
        Recognizer(
            "major_zh",
            IB,
            pattern=r"(?:我|他|她)(?:是|学的是|读的是|念的是|学|读)(?P<value>[^\s的了是我你他她，,。！？、]{2,8}专业)",
            group="value",
            score=0.75,
            trigger=("专业",),
            description="我是计算机专业的, 我学的是金融专业",
        ),
        Recognizer(
            "school_year_zh",
            IB,
            pattern=r"(?:我|他|她)(?:现在|目前|今年)?(?:是|在读|读|上)(?P<value>大[一二三四五]|研[一二三]|博[一二三四五]|"
            r"高[一二三]|初[一二三]|小学[一二三四五六]年级)(?:的)?(?:学生|新生)?(?![\u4e00-\u9fff]{0,1}[吗呢])",
            group="value",
            score=0.75,
            trigger=(
                "大一",
                "大二",
                "大三",
                "大四",
                "大五",
                "研一",
                "研二",
                "研三",
                "博一",
                "博二",
                "博三",
                "博四",
                "博五",
                "高一",
                "高二",
                "高三",
                "初一",
                "初二",
                "初三",
                "年级",
            ),
            description="我是大三学生, 我读研二",
        ),
        Recognizer(
            "graduated_zh",
            IB,
            pattern=rf"(?:毕业于|就读于|本科在|硕士在|博士在|研究生在)(?P<value>(?:{_ZH_ORG})[^\s的了，,。！？、]{{0,8}}?)"
            r"(?=[的了，,。！？、\s]|$|毕业|读|学)",
            group="value",
            score=0.75,
            trigger=("毕业于", "就读于", "本科在", "硕士在", "博士在", "研究生在"),
            description="毕业于浙江大学, 本科在南京大学",
        ),
        Recognizer(
            "alumni_zh",
            IB,
            pattern=rf"(?:我|他|她)是(?P<value>{_ZH_ORG})(?:毕业的|的学生|的校友|的研究生|的博士|的本科)",
            group="value",
            score=0.75,
            trigger=("毕业", "学生", "校友", "研究生", "博士", "本科"),
            description="我是复旦毕业的, 我是浙大的学生",
        ),
        Recognizer(
            "age_zh",
            IB,
            pattern=r"(?:今年|年纪|岁数)(?:已经|才|刚|都)?(?P<value>1[0-9]|[2-9][0-9])(?=了|[,，。!！\s]|$)",
            group="value",
            score=0.75,
            trigger=("今年", "年纪", "岁数"),
            description="我今年28了",
        ),
        Recognizer(
            "generation_zh",
            IB,
            pattern=r"(?:我|他|她)是(?P<value>[05-9][05]后|1[05]后)",
            group="value",
            score=0.75,
            trigger=("0后", "5后"),
            description="我是90后",
        ),
        Recognizer(
            "birth_zh",
            IB,
            pattern=r"(?:出生于|生于|出生在|生日是|生日在|出生日期是?[:：]?)(?P<value>(?:19|20)\d{2}年(?:\d{1,2}月(?:\d{1,2}[日号])?)?"
            r"|\d{1,2}月\d{1,2}[日号])",
            group="value",
            score=0.75,
            trigger=("出生", "生于", "生日"),
            description="出生于1990年, 生日是5月3号",
        ),
        Recognizer(
            "birth_year_zh",
            IB,
            pattern=r"(?P<value>(?:19|20)\d{2}年(?:\d{1,2}月(?:\d{1,2}[日号])?)?)(?:出生|生的|生人)",
            group="value",
            score=0.75,
            trigger=("出生", "生的", "生人"),
            description="1990年出生",
        ),
    ]


def background_recognizers() -> list[Recognizer]:
    return _english() + _chinese()
