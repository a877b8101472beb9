"""Religion, ethnicity, political affiliation and sexual orientation or gender identity (Sensitive
Identity, PL3), in English and Chinese, said of the speaker or of someone they name: "I'm a
practising Muslim", "my brother is gay", "I converted to Judaism", "I'm a registered Democrat",
"我信佛", "我是回族", "我爸是党员", "我已经向父母出柜了".

The words are closed classes (faiths and their followers, ethnic groups, parties and political
leanings, orientations and gender identities), listed below from general knowledge. A word is kept
only where the sentence says it of someone: "I'm a", "my sister is", "identify as", "came out as",
"converted to", "我是", "我妈是", "我们家信". General talk ("Muslims fast during Ramadan", "an essay
on Buddhism", "回族的风俗", "党员要带头") is not. Words with an everyday sense ("conservative",
"liberal", "progressive") need a political word or a plain "I'm a" before them, and a veto after
them ("conservative with money", "liberal arts").

The span is the word with its modifiers ("devout Catholic", "registered Democrat", "gay man"),
never the cue, through `_cues.CuedTerms` (one Aho-Corasick pass, bounded windows).
"""

from __future__ import annotations

from ..engine import Recognizer
from ._cues import EN_KIN_NAMED, EN_VETO, ZH_KIN, ZH_VETO, CuedTerms, Kind, compile_cues

__all__ = ["identity_recognizers"]


def _terms(block: str) -> list[str]:
    return [t.strip() for t in block.split("|") if t.strip()]


_EN_FOLLOWERS = """
muslim|christian|catholic|roman catholic|protestant|orthodox christian|eastern orthodox|greek orthodox|
russian orthodox|evangelical|evangelical christian|born-again christian|baptist|southern baptist|methodist|
lutheran|presbyterian|anglican|episcopalian|pentecostal|mormon|latter-day saint|jehovah's witness|
jehovah’s witness|seventh-day adventist|adventist|quaker|amish|mennonite|jewish|jew|orthodox jew|hasidic jew|
hindu|buddhist|zen buddhist|tibetan buddhist|sikh|jain|taoist|daoist|shintoist|confucian|bahá'í|baha'i|bahai|
zoroastrian|pagan|neopagan|wiccan|atheist|agnostic|non-religious|nonreligious|irreligious|
secular humanist|humanist|sunni|sunni muslim|shia|shia muslim|shiite|sufi|ismaili|unitarian|
unitarian universalist|coptic christian|copt|maronite|rastafarian|spiritual but not religious
"""
_EN_FAITHS = """
islam|christianity|catholicism|protestantism|judaism|buddhism|hinduism|sikhism|jainism|taoism|
orthodox christianity|orthodoxy|mormonism|paganism|wicca|atheism|agnosticism|the catholic church|
the orthodox church|the mormon church|the lds church
"""
_EN_ETHNICITIES = """
hispanic|latino|latina|latinx|latine|african american|african-american|black american|black british|
afro-caribbean|afro-latino|afro-latina|asian american|asian-american|chinese american|chinese-american|
korean american|korean-american|japanese american|japanese-american|filipino american|filipino-american|
vietnamese american|vietnamese-american|indian american|indian-american|mexican american|mexican-american|
arab american|arab-american|arab|middle eastern|north african|east asian|south asian|southeast asian|
pacific islander|native american|native hawaiian|indigenous|first nations|aboriginal|torres strait islander|
inuit|métis|metis|roma|romani|kurdish|kurd|tamil|uyghur|uighur|tibetan|hmong|berber|amazigh|biracial|
mixed race|mixed-race|multiracial|caucasian|person of color|woman of color|man of color|
black woman|black man|black guy|black girl|black person|white woman|white man|white guy|white person
"""
_EN_PARTIES = """
democrat|republican|libertarian|socialist|democratic socialist|communist|marxist|leftist|left-winger|
right-winger|centrist|tory|trump supporter|maga supporter|maga republican|anarchist|feminist|
green party member|labour voter|labour supporter|labour party member|lib dem|liberal democrat|
independent voter|swing voter
"""
_EN_PARTY_NAMES = """
communist party|labour party|labor party|democratic party|republican party|green party|conservative party|
liberal party|the greens|libertarian party|socialist party|reform uk|the tories
"""
_EN_LEANINGS = """
conservative|liberal|progressive|moderate|left-wing|right-wing|far-left|far-right|left-leaning|
right-leaning|center-left|centre-left|center-right|centre-right
"""
_EN_ORIENTATIONS = """
gay|lesbian|bisexual|pansexual|asexual|aromantic|demisexual|queer|homosexual|heterosexual|transgender|
trans|trans woman|trans man|non-binary|nonbinary|genderqueer|genderfluid|gender-fluid|intersex|
two-spirit|lgbt|lgbtq|lgbtq+|lgbtqia+
"""

_ZH_FOLLOWERS = """
穆斯林|基督徒|天主教徒|新教徒|东正教徒|佛教徒|道教徒|犹太教徒|印度教徒|锡克教徒|摩门教徒|耶和华见证人|
伊斯兰教徒|回教徒|无神论者|世俗无神论者|不可知论者|无宗教信仰者|居士|虔诚的教徒|基督教徒
"""
_ZH_FAITHS = "佛教|基督教|天主教|伊斯兰教|道教|犹太教|印度教|东正教|新教|锡克教|摩门教|真主|耶稣|基督|上帝"
# A verb that is the whole fact: "我信佛", "我受洗了", "我们家吃斋念佛".
_ZH_BELIEVING = """
信佛|信基督|信耶稣|信主|信教|信天主|信天主教|信伊斯兰教|信真主|信道教|吃斋念佛|受洗|受过洗|皈依|
没有宗教信仰|无宗教信仰|不信教|不信任何宗教
"""
_ZH_ETHNICITIES = """
汉族|回族|藏族|维吾尔族|维族|蒙古族|壮族|满族|苗族|彝族|土家族|朝鲜族|侗族|瑶族|白族|哈萨克族|傣族|黎族|
傈僳族|佤族|畲族|高山族|拉祜族|东乡族|纳西族|景颇族|柯尔克孜族|土族|达斡尔族|仫佬族|羌族|布朗族|撒拉族|
毛南族|仡佬族|锡伯族|阿昌族|普米族|塔吉克族|怒族|乌孜别克族|俄罗斯族|鄂温克族|德昂族|保安族|裕固族|京族|
塔塔尔族|独龙族|鄂伦春族|赫哲族|门巴族|珞巴族|基诺族|布依族|少数民族|混血|混血儿|华裔|亚裔|非裔|拉丁裔|
西班牙裔|阿拉伯裔|犹太裔|拉美裔|北非裔|南亚裔|东亚裔|东南亚裔|中东裔|加勒比裔|非洲裔|欧洲裔|韩裔|日裔|
越南裔|印度裔|墨西哥裔|意大利裔|爱尔兰裔|德裔|法裔|英裔|印第安人|原住民|黑人|白人|库尔德人|犹太人
"""
_ZH_POLITICS = """
共产党员|中共党员|中共预备党员|预备党员|党员|共青团员|民主党派人士|民盟盟员|九三学社社员|民革党员|民建会员|
国民党员|民进党员|左派|右派|自由派|保守派|中间派|左翼|右翼|极左|极右|社会主义者|共产主义者|无政府主义者|
自由主义者|民族主义者|女权主义者|世俗主义者|环保主义者|进步派|中左翼|中右翼|温和派|激进派|民主党人|共和党人|民主党支持者|共和党支持者|工党支持者|保守党支持者
"""
_ZH_ORIENTATIONS = """
同性恋|男同|女同|男同性恋|女同性恋|双性恋|异性恋|无性恋|泛性恋|跨性别|跨性别者|跨性别女性|跨性别男性|拉拉|
基佬|酷儿|性少数|性少数群体|出柜|出过柜
"""

# ---- cues -----------------------------------------------------------------------------------------

_EN_WHO = (
    rf"\b(?:i'm|i’m|im|i am|we're|we’re|we are|he's|he’s|she's|she’s|he is|she is|they're|they are|i was|"
    rf"we were|he was|she was|i've been|i’ve been|i have been|he's been|she's been|i became|he became|"
    rf"she became|i'd become|(?:my|our|his|her|their)\s+{EN_KIN_NAMED}\s+(?:is|was|are|were|'s|’s|has been|"
    rf"have been|became))"
)
_EN_ADVERBS = (
    r"(?:(?:also|still|now|actually|really|very|quite|pretty|fairly|deeply|devoutly|proudly|openly|"
    r"culturally|ethnically|technically|basically|originally|both|all|half|kind of|sort of|a bit|"
    r"raised|born|and)\s+){0,3}"
)
# An age before the word ("I'm a 34-year-old Catholic"), or the word in a list about the person
# ("I'm 34, Catholic, and ..."; not "I'm sorry, Jewish holidays ...").
_EN_AGE = r"(?:\d{1,3}[- ](?:year|yr)s?[- ]old\s+)?"
_EN_LISTED = (
    r"(?:(?!(?:sorry|afraid|not|sure|so|just|confused|curious|wondering|thinking|glad|happy|sad|here|"
    r"back|ok|okay|fine|well|yes|no|like|telling|saying|asking|guessing|kidding|serious)\b)"
    r"[\w'-]+(?:\s+[\w'-]+){0,2},\s+){1,3}(?:and\s+)?"
)
_EN_SAID = (
    rf"{_EN_WHO}\s+{_EN_ADVERBS}(?:an?\s+)?{_EN_ADVERBS}{_EN_AGE}\Z",
    rf"{_EN_WHO}\s+{_EN_LISTED}(?:an?\s+)?{_EN_ADVERBS}\Z",
    # "As a devout Muslim, I ...": at the start of a clause only ("as a Catholic school" is not)
    r"(?:\A|[,:]\s*|\b(?:and|but|so)\s+)as\s+an?\s+(?:\w+\s+)?\Z",
    r"\b(?:i|we|he|she|they)\s+(?:\w+\s+)?(?:identify|identifies|identified)\s+as\s+(?:an?\s+)?\Z",
    r"\b(?:came|come|coming|comes)\s+out\s+(?:to\s+[a-z' ]{1,30}\s+)?as\s+(?:an?\s+)?\Z",
    r"\b(?:i|we|he|she|they)\s+(?:was|were)\s+(?:raised|brought up)\s+(?:as\s+)?(?:an?\s+)?\Z",
    r"\b(?:i|we|he|she)\s+grew\s+up\s+(?:as\s+)?(?:an?\s+)?\Z",
    r"\bmy\s+(?:religion|faith|ethnicity|race|heritage|background|identity|orientation|sexuality|"
    r"political party|party)\s+is\s+(?:an?\s+)?\Z",
)
_EN_MODIFIERS = (
    r"(?<![a-z])(?:(?:devout|practicing|practising|observant|lapsed|non-practicing|non-practising|strict|"
    r"reform|orthodox|conservative|born-again|cultural|nominal|proud|openly|out|closeted|registered|"
    r"lifelong|staunch|committed|card-carrying|die-hard|first-generation|second-generation|half|"
    r"mixed|secular|sunni|shia|catholic|christian|queer|trans|black|white|gay)[ -]+)+\Z"
)
_EN_PERSON_NOUN = (
    r"(?:[ -](?:man|woman|men|women|guy|girl|person|people|couple|dad|mom|mum|parent|kid|teen))?"
)
_EN_FAITH_CUES = compile_cues(
    r"\b(?:i|we|he|she|they)\s+(?:\w+\s+)?(?:converted|convert|converting|belong|belongs|belonged|"
    r"practice|practise|practices|practises|practiced|practised|follow|follows|followed)\s+(?:to\s+)?\Z",
    r"\b(?:my|our)\s+(?:religion|faith)\s+is\s+\Z",
    rf"(?:\bmy|\bour|\b(?:my|our)\s+{EN_KIN_NAMED}(?:'s|’s))\s+(?:\w+\s+)?(?:faith|religion)\s+(?:is\s+)?\Z",
)
_EN_LEANING_CUES = compile_cues(
    rf"{_EN_WHO}\s+(?:(?:also|still|now|pretty|fairly|very|quite|staunch|lifelong|proud|politically|"
    r"socially|fiscally|firmly|solidly|more)\s+){0,2}(?:an?\s+)?(?:(?:politically|socially|fiscally)\s+)?\Z",
    r"\b(?:i|we|he|she|they)\s+(?:\w+\s+)?(?:lean|leans|leaned|vote|votes|voted)\s+\Z",
    r"\b(?:i|we|he|she|they)\s+(?:\w+\s+)?identify\s+as\s+(?:an?\s+)?\Z",
)
# An everyday sense: "conservative with money", "liberal arts", "progressive lenses", "moderate pain".
_EN_LEANING_VETO = compile_cues(
    r"\A[ -](?:with|about|when|in|on|estimate|arts?|lenses|glasses|amounts?|portions?|pain|exercise|"
    r"rain|weather|dose|doses|approach|school|college|education|use|tax|rock|jazz|party|parties|"
    r"side|enough)\b"
)
_EN_VOTE = r"\b(?:i|we|he|she|they)\s+(?:\w+\s+)?(?:vote|votes|voted|voting)\s+(?:for\s+)?(?:the\s+)?\Z"
# the word goes on into a noun ("vote green energy bills through")
_EN_NOT_VOTE = compile_cues(r"\A[ -](?!(?:and|or|but|in|at|since|this|last|every|again|now|too|all)\b)[a-z]")
_EN_VOTED_PARTIES = "labour|labor|green|greens|tory|tories|lib dems|snp|ukip|gop|reform|plaid cymru"
_EN_PARTY_CUES = compile_cues(
    r"\b(?:member|members|supporter|supporters)\s+of\s+(?:the\s+)?\Z",
    r"\b(?:i|we|he|she|they)\s+(?:\w+\s+)?(?:joined|join|belong\s+to|vote|voted|votes|volunteer\s+for|"
    r"volunteered\s+for|donate\s+to|donated\s+to|canvass\s+for|canvassed\s+for|support|supported)\s+"
    r"(?:for\s+)?(?:the\s+)?\Z",
)

_ZH_WHO = rf"(?:我|咱|俺|本人|我们|我们家|我家|全家|{ZH_KIN}|他|她)"
_ZH_IS = rf"{_ZH_WHO}(?:的[\u4e00-\u9fff]{{1,4}})?(?:也|都|其实|本身|一直|从小|原本|本来|现在|已经|还)?"
_ZH_SAID = compile_cues(
    rf"{_ZH_IS}(?:是|算是|属于|成为了?|变成了?)(?:一个|一名|一位|个|名|位|虔诚的|坚定的|忠实的|正式的|"
    rf"老|纯正的|半个){{0,2}}\Z",
    r"(?:民族|族裔|种族|宗教信仰|信仰|政治面貌|政治倾向|政治立场|政治观点|性取向)(?:是|为|[:：])\s*\Z",
    r"作为(?:一[个名位])?(?:虔诚的|坚定的|忠实的)?\Z",
    r"(?:我|他|她)[^，。！？；\n]{0,6}政治[^，。！？；\n]{0,6}(?:偏向|倾向于?|属于)\s*(?:温和|激进|坚定)?的?\Z",
    # the second of two: "我是世俗主义者和中左翼进步派"
    rf"{_ZH_IS}(?:是|算是|属于)(?:一[个名位])?[^，。！？；\n]{{1,12}}(?:和|与|、|兼)(?:一[个名位])?(?:坚定的|稳健的|温和的)?\Z",
)
_ZH_FAITH = compile_cues(
    rf"{_ZH_IS}(?:信|信仰|信奉|皈依了?|改信了?|入了)\Z",
    r"(?:宗教信仰|信仰)(?:是|为|[:：])\s*\Z",
)
_ZH_DOING = compile_cues(
    rf"{_ZH_IS}(?:也|都|早就|刚|终于|向[\u4e00-\u9fff]{{1,6}}|跟[\u4e00-\u9fff]{{1,6}})?\Z",
)

# A word that goes on into another one: "拉拉队" (cheerleaders), "党员大会", "白人区".
_ZH_NOT_IDENTITY = r"\A(?:队|链|面|票|大会|会议|干部|活动|区|作家|导演|角色)"

_KINDS = {
    "en_follower": Kind(
        cues=compile_cues(*_EN_SAID),
        left=compile_cues(_EN_MODIFIERS),
        veto=compile_cues(EN_VETO, r"\A\s(?:dior|louboutin|slater|bale)\b"),  # names, not faiths
    ),
    "en_faith": Kind(cues=_EN_FAITH_CUES, left=compile_cues(_EN_MODIFIERS), veto=compile_cues(EN_VETO)),
    "en_person": Kind(
        cues=compile_cues(*_EN_SAID),
        left=compile_cues(_EN_MODIFIERS),
        right=compile_cues(_EN_PERSON_NOUN),
        veto=compile_cues(EN_VETO),
    ),
    "en_party": Kind(
        cues=compile_cues(*_EN_SAID, _EN_VOTE), left=compile_cues(_EN_MODIFIERS), veto=compile_cues(EN_VETO)
    ),
    # a party's short name, only as what someone votes: "I usually vote Labour", "we voted Green"
    "en_vote": Kind(cues=compile_cues(_EN_VOTE), veto=compile_cues(EN_VETO), spoil=_EN_NOT_VOTE),
    "en_party_name": Kind(
        cues=_EN_PARTY_CUES, right=compile_cues(r"(?: member| supporter| voter)?"), veto=compile_cues(EN_VETO)
    ),
    "en_leaning": Kind(cues=_EN_LEANING_CUES, veto=compile_cues(EN_VETO, _EN_LEANING_VETO.pattern)),
    "zh_said": Kind(cues=_ZH_SAID, veto=compile_cues(ZH_VETO, _ZH_NOT_IDENTITY)),
    "zh_faith": Kind(cues=_ZH_FAITH, veto=compile_cues(ZH_VETO)),
    "zh_doing": Kind(cues=_ZH_DOING, veto=compile_cues(ZH_VETO)),
}


def _lexicon() -> dict[str, str]:
    terms: dict[str, str] = {}
    for block, kind in (
        (_EN_FOLLOWERS, "en_follower"),
        (_EN_FAITHS, "en_faith"),
        (_EN_ETHNICITIES, "en_person"),
        (_EN_ORIENTATIONS, "en_person"),
        (_EN_PARTIES, "en_party"),
        (_EN_PARTY_NAMES, "en_party_name"),
        (_EN_LEANINGS, "en_leaning"),
        (_EN_VOTED_PARTIES, "en_vote"),
        (_ZH_FOLLOWERS, "zh_said"),
        (_ZH_ETHNICITIES, "zh_said"),
        (_ZH_POLITICS, "zh_said"),
        (_ZH_ORIENTATIONS, "zh_said"),
        (_ZH_FAITHS, "zh_faith"),
        (_ZH_BELIEVING, "zh_doing"),
    ):
        for term in _terms(block):
            terms.setdefault(term.lower(), kind)
    # Coming out is done, not been: "我出柜了", "我向父母出柜".
    terms["出柜"] = terms["出过柜"] = "zh_doing"
    return terms


# Heritage named by a capitalised adjective: "my Ghanaian and Colombian heritage", "I'm of Korean
# descent", "a first-generation Palestinian-American" (any people's name, not only those listed).
_ADJ = r"(?-i:[A-Z][a-z]+(?:-[A-Z][a-z]+)?)"
_HERITAGE = (
    rf"(?:\b(?:my|our|his|her|their)\s+(?:own\s+)?|{_EN_WHO}\s+(?:proudly\s+)?of\s+(?:mixed\s+)?)"
    rf"(?P<value>{_ADJ}(?:(?:,\s*|\s+(?:and|&)\s+){_ADJ}){{0,2}}\s+(?:heritage|descent|ancestry))\b"
)
_HYPHENATED = (
    rf"(?:{_EN_WHO}|\b(?:grew up|raised|born)\s+as)\s+(?:an?\s+)?"
    r"(?:(?:proud|first-generation|second-generation|third-generation)\s+)?"
    r"(?P<value>(?-i:[A-Z][a-z]+)-(?-i:American|Canadian|British|Australian))\b"
)


def identity_recognizers() -> list[Recognizer]:
    terms = _lexicon()
    return [
        Recognizer(
            "heritage",
            "Sensitive Identity",
            pattern=_HERITAGE,
            group="value",
            score=0.7,
            trigger=("heritage", "descent", "ancestry"),
            description="a people's or a faith's name before heritage/descent/ancestry, said of someone",
        ),
        Recognizer(
            "hyphenated_identity",
            "Sensitive Identity",
            pattern=_HYPHENATED,
            group="value",
            score=0.7,
            trigger=("-american", "-canadian", "-british", "-australian"),
            description="'I'm a first-generation Palestinian-American' and the like",
        ),
        Recognizer(
            "sensitive_identity",
            "Sensitive Identity",
            finder=CuedTerms(terms, _KINDS),
            score=0.75,
            trigger=tuple(sorted(terms)),
            description="religion, ethnicity, political affiliation and sexual orientation said of someone",
        ),
    ]
