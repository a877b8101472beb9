"""Health conditions, procedures and mental-health treatment (Medical Health, PL3): a term from the
lexicon with its modifiers, kept where the sentence says whose it is; hard negatives are general
talk about the same conditions (essays, questions, definitions, professions, code)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from rule_checks import assert_found, family_only, spans_of

from memprivacy_plugin.extractors.rules import RuleExtractor
from memprivacy_plugin.extractors.rules.catalog._cues import CuedTerms, Kind, compile_cues
from memprivacy_plugin.taxonomy import PrivacyLevel

MH = "Medical Health"


@pytest.fixture(scope="module")
def conditions_only() -> RuleExtractor:
    return family_only("conditions")


POSITIVES = [
    ("我上个月刚做完胆囊切除手术", "胆囊切除手术"),
    ("我妈下周要做膝关节置换手术", "膝关节置换手术"),
    ("我非常担心这种训练会诱发我的偏头痛，如果风险太高，我宁愿只做慢跑。", "偏头痛"),
    ("看着屏幕上的提示，偏头痛都要犯了。", "偏头痛"),
    ("偏头痛似乎也缓解了不少", "偏头痛"),
    ("the primary cause of my current claustrophobia", "claustrophobia"),
    ("I have a severe, pounding tension headache.", "severe, pounding tension headache"),
    ("given his recent arrhythmia we should wait", "arrhythmia"),
    ("she has a BMI of 31", "31"),
    ("偏头痛又让我一整天没法工作", "偏头痛"),
    ("I have flat feet and need insoles.", "flat feet"),
    ("I suffer from claustrophobia in lifts.", "claustrophobia"),
    ("我的体重降到了52 kg", "52 kg"),
    ("my weight dropped to 61 kg this month", "61 kg"),
    ("My BMI is 16.2 now.", "16.2"),
    ("我的BMI降至15.7", "15.7"),
    # diagnoses, with their modifiers in the span and the cue left out
    ("Last spring I was diagnosed with severe anxiety disorder.", "severe anxiety disorder"),
    ("my GP says I have type 2 diabetes", "type 2 diabetes"),
    ("I've suffered from chronic migraines since college", "chronic migraines"),
    ("She was diagnosed last month with stage 3 breast cancer", "stage 3 breast cancer"),
    ("I have really bad eczema on my hands", "eczema"),
    ("my psoriasis is acting up again", "psoriasis"),
    ("our son has mild asthma, is that a problem for the camp?", "mild asthma"),
    ("My dad's Parkinson's has gotten worse", "Parkinson's"),
    ("Dealing with insomnia for weeks now", "insomnia"),
    ("Tested positive for COVID on Monday", "COVID"),
    ("My wife is being treated for hypothyroidism", "hypothyroidism"),
    ("Celiac disease runs in my family", "Celiac disease"),
    ("my diagnosis: gastroesophageal reflux disease (GERD)", "gastroesophageal reflux disease (GERD)"),
    ("I'm diabetic, so no dessert for me", "diabetic"),
    ("I'm 20 weeks pregnant with twins", "20 weeks pregnant"),
    ("I am allergic to penicillin", "allergic to penicillin"),
    ("As a bipolar person I need structure", "bipolar"),
    ("my mom has had high blood pressure for years", "high blood pressure"),
    ("I think I have ADHD", "ADHD"),
    # procedures and treatment
    ("I had knee surgery in March", "knee surgery"),
    ("My upcoming hip replacement surgery is on the 14th", "hip replacement surgery"),
    ("We started IVF in January", "IVF"),
    ("my chemo sessions are on Thursdays", "chemo sessions"),
    ("I've been seeing a therapist since the divorce", "therapist"),
    ("My psychiatrist raised my dose", "psychiatrist"),
    ("I'm going to couples therapy with my husband", "couples therapy"),
    # Chinese
    ("我去年确诊了轻度抑郁症", "轻度抑郁症"),
    ("医生说我患有慢性胃炎", "慢性胃炎"),
    ("我有点花粉过敏", "花粉过敏"),
    ("我对青霉素过敏", "青霉素过敏"),
    ("我妈得了乳腺癌", "乳腺癌"),
    ("胃食管反流又犯了，好难受", "胃食管反流"),
    ("我最近失眠很严重", "失眠"),
    ("我患有轻度胃食管反流病（GERD）", "轻度胃食管反流病（GERD）"),
    ("体检查出了2型糖尿病", "2型糖尿病"),
    ("我老公下周要做膝关节手术", "膝关节手术"),
    ("我上周做了无痛胃镜", "无痛胃镜"),
    ("我每周去看心理医生", "心理医生"),
    ("我们在做试管婴儿", "试管婴儿"),
    ("我怀孕了", "怀孕"),
    # everyday words that are conditions with a severity, a diagnosis or a long history
    ("我有重度焦虑", "重度焦虑"),
    ("我长期失眠", "失眠"),
    ("我颈椎痛得更厉害了", "颈椎痛"),
    ("I was diagnosed with anxiety in 2019", "anxiety"),
    ("I had mild cardiac arrhythmia last year", "mild cardiac arrhythmia"),
    ("My knee injury still hurts when it rains", "knee injury"),
    ("I was treated for a wrist sprain last year", "wrist sprain"),
    ("I have occasional migraine headaches", "occasional migraine headaches"),
    # lists go on from a kept first item
    ("I have asthma, eczema and hay fever", "hay fever"),
    # blood type, weight and height
    ("my blood type is O+", "O+"),
    ("我的血型是AB型Rh阴性", "AB型Rh阴性"),
    ("I weigh 72 kg these days", "72 kg"),
    ("我现在体重120斤", "120斤"),
    ("身高172cm，体重65公斤", "172cm"),
    # a relation with a name; what a drug is taken for; an operation's object (ZH); a course of treatment
    ("My son Eli has ADHD and starts Concerta next week.", "ADHD"),
    ("My wife Ana's asthma is worse in spring", "asthma"),
    ("I've been taking 50mg sertraline for depression since college.", "depression"),
    ("She's on lisinopril for high blood pressure", "high blood pressure"),
    ("我在协和医院做了甲状腺结节切除手术。", "甲状腺结节切除手术"),
    ("我妈做了子宫肌瘤切除手术", "子宫肌瘤切除手术"),
    ("下周开始化疗，有点害怕", "化疗"),
    ("这是第三次化疗了", "化疗"),
    ("diagnosed w/ endometriosis last year", "endometriosis"),
    ("最近老是失眠，心慌", "失眠"),
    # heights and weights said of a person
    ("我身高175，体重70公斤", "175"),
    ("I'm 5'7\" and weigh 150 lbs", "150 lbs"),
    ("I'm 6'1 and trying to cut", "6'1"),
    ("she's 165 cm tall", "165 cm"),
]


@pytest.mark.parametrize(("text", "value"), POSITIVES)
def test_positive(conditions_only: RuleExtractor, text: str, value: str) -> None:
    assert_found(conditions_only, text, MH, value, PrivacyLevel.PL3)


@pytest.mark.parametrize(("text", "value"), POSITIVES[::4])
def test_positive_in_the_default_extractor(rules: RuleExtractor, text: str, value: str) -> None:
    start = text.index(value)
    spans = spans_of(rules, text)
    assert any(s.start <= start and start + len(value) <= s.end and s.privacy_type == MH for s in spans), (
        spans
    )


HARD_NEGATIVES = [
    "偏头痛会缓解吗？",
    "如果得了偏头痛怎么办",
    "The hero and her anxiety about the exam are the plot.",
    "his cancer research lab",
    "a male with a BMI of 22.0 is average",
    "A BMI of 25 is overweight.",
    "What is a healthy weight for 170cm?",
    "Claustrophobia is common in divers.",
    "I'm writing an essay on diabetes for my biology class.",
    "What are the early symptoms of diabetes?",
    "I have a question about asthma inhalers in general.",
    "Can dogs get allergies?",
    "How is ADHD diagnosed in adults?",
    "The documentary about cancer research was moving.",
    "I want to learn more about IVF success rates.",
    "My sister is a therapist in Boston.",
    "I want to become a psychiatrist one day.",
    "Depression was the theme of the novel we read.",
    "the Great Depression lasted a decade",
    "my std::vector is slow",
    "stroke order matters in calligraphy",
    "People who have asthma should avoid smoke.",
    "Therapy dogs visit the hospital on Fridays.",
    "Surgery residents work long hours.",
    "糖尿病有哪些早期症状？",
    "我想写一篇关于糖尿病的文章",
    "我想了解一下抑郁症",
    "我是心理咨询师",
    "高血压患者应该少吃盐",
    "这部电影讲的是一个癌症病人的故事",
    "手术室在三楼",
    # feelings and figures of speech, devices, research subjects
    "那个报销系统真让我头疼",
    "我对明天的面试有点焦虑",
    "我有点神经过敏，总觉得有人在看我",
    "my anxiety about the bill is silly",
    "I sat in my therapy chair all day",
    "我买了一个颈部理疗仪",
    "我在做白血病细胞的实验",
    "the blood type chart shows A+ and B-",
    "add weight 5 kg of flour",
    "the injury report for the game is out",
    "I ran the cancer research walk with my team",
    "We're hosting a diabetes awareness fundraiser this weekend",
    "I take the bus for work",
    "经常失眠的人要注意什么",
    "糖尿病患者能吃西瓜吗",
    "I'm 150 miles away from home",
]


@pytest.mark.parametrize("text", HARD_NEGATIVES)
def test_hard_negative(conditions_only: RuleExtractor, text: str) -> None:
    assert spans_of(conditions_only, text) == []


def test_a_repeated_condition_is_found_everywhere_in_the_message(rules: RuleExtractor) -> None:
    text = "I was diagnosed with GERD in May. GERD makes coffee hard."
    assert [s.text for s in spans_of(rules, text) if s.privacy_type == MH] == ["GERD", "GERD"]


def test_latin_terms_are_whole_words(conditions_only: RuleExtractor) -> None:
    # "ibs" inside "ribs", "flu" inside "fluent": no term at all
    assert spans_of(conditions_only, "I have ribs and I'm fluent in French") == []


def test_an_extension_that_ends_inside_a_word_is_not_taken() -> None:
    kinds = {"k": Kind(cues=compile_cues(r"\bmy\s+\Z"), right=compile_cues(r"(?:\s+scan)?"))}
    rules = RuleExtractor(recognizers=[], extra=[])
    from memprivacy_plugin.extractors.rules import Recognizer

    rules.add(Recognizer("probe", MH, finder=CuedTerms({"iris": "k"}, kinds), trigger=("iris",)))
    assert [s.text for s in rules.extract("my iris scanner")] == ["iris"]
    assert [s.text for s in rules.extract("my iris scan")] == ["iris scan"]


def test_terms_must_be_lower_case_and_of_a_known_kind() -> None:
    kinds = {"k": Kind(cues=compile_cues(r"x"))}
    with pytest.raises(ValueError, match="lower case"):
        CuedTerms({"Asthma": "k"}, kinds)
    with pytest.raises(ValueError, match="unknown kind"):
        CuedTerms({"asthma": "other"}, kinds)


def test_long_message_takes_linear_time(conditions_only: RuleExtractor, growth: Callable[..., float]) -> None:
    unit = "I was diagnosed with severe asthma. my GERD flared up. 我确诊了抑郁症。therapy "

    def make(n: int) -> str:
        return (unit * (n // len(unit) + 1))[:n]

    assert growth(conditions_only.extract, make, 20_000) < 4
