"""Health conditions, procedures and mental-health treatment (Medical Health, PL3), in English and
Chinese, said of the speaker or of someone they name ("I was diagnosed with type 2 diabetes", "my
knee surgery", "seeing a therapist", "我确诊了轻度抑郁症", "我妈做了心脏支架").

The lexicons are compact, general-language lists: chronic, mental-health and infectious conditions,
common symptoms, pregnancy and fertility, surgeries and treatments. A term is kept only where a cue
says whose it is (`_cues.CuedTerms`); the span is the term with its modifiers ("severe anxiety
disorder", "stage 3 breast cancer", "轻度花粉过敏"), never the cue. Vital signs with values are in
`health`.
"""

from __future__ import annotations

from dataclasses import replace

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
from ._keyed import keyed

__all__ = ["condition_recognizers"]

_EN_CONDITIONS = """
knee injury|back injury|head injury|brain injury|traumatic brain injury|sports injury|spinal cord injury|
sprained ankle|sprained wrist|wrist sprain|ankle sprain|fracture|broken arm|broken leg|broken wrist|
broken ankle|torn ligament|whiplash|hearing loss|vision loss|allergic rhinitis|rhinitis|
tension headache|tension headaches|cluster headaches|chronic headaches|myopia|astigmatism|vertigo|
diabetes|prediabetes|pre-diabetes|type 1 diabetes|type 2 diabetes|gestational diabetes|hypertension|
high blood pressure|low blood pressure|hypotension|high cholesterol|hyperlipidemia|asthma|copd|
emphysema|bronchitis|arthritis|rheumatoid arthritis|osteoarthritis|psoriatic arthritis|gout|lupus|
fibromyalgia|chronic fatigue syndrome|chronic fatigue|multiple sclerosis|crohn's disease|crohn's|crohns|
ulcerative colitis|colitis|irritable bowel syndrome|ibs|gerd|acid reflux|
gastroesophageal reflux disease|gastro-oesophageal reflux disease|reflux disease|celiac disease|
coeliac disease|gastritis|stomach ulcer|peptic ulcer|diverticulitis|hemorrhoids|haemorrhoids|migraine|
epilepsy|seizures|seizure disorder|hypothyroidism|hyperthyroidism|hashimoto's|graves' disease|pcos|
polycystic ovary syndrome|endometriosis|fibroids|infertility|heart disease|coronary artery disease|
heart failure|arrhythmia|atrial fibrillation|afib|a-fib|heart murmur|angina|kidney disease|
chronic kidney disease|kidney stones|kidney stone|gallstones|fatty liver|fatty liver disease|cirrhosis|
hepatitis|hepatitis b|hepatitis c|hiv|aids|herpes|hpv|chlamydia|gonorrhea|syphilis|tuberculosis|covid|
covid-19|long covid|flu|pneumonia|strep throat|shingles|mononucleosis|lyme disease|cancer|breast cancer|
prostate cancer|lung cancer|colon cancer|colorectal cancer|skin cancer|melanoma|leukemia|leukaemia|
lymphoma|ovarian cancer|cervical cancer|pancreatic cancer|thyroid cancer|brain tumor|brain tumour|tumor|
tumour|anemia|anaemia|iron deficiency|vitamin d deficiency|b12 deficiency|osteoporosis|scoliosis|
herniated disc|slipped disc|sciatica|chronic pain|tendonitis|carpal tunnel|plantar fasciitis|torn acl|
acl tear|torn meniscus|concussion|tinnitus|glaucoma|cataracts|cataract|macular degeneration|dementia|
alzheimer's|alzheimers|parkinson's|parkinsons|sleep apnea|sleep apnoea|insomnia|narcolepsy|eczema|
psoriasis|rosacea|acne|hives|vitiligo|alopecia|obesity|allergy|allergies|food allergy|peanut allergy|
nut allergy|shellfish allergy|pollen allergy|hay fever|lactose intolerance|gluten intolerance|sinusitis|
tonsillitis|uti|urinary tract infection|yeast infection|erectile dysfunction|low testosterone|menopause|
perimenopause|pmdd|depression|major depressive disorder|clinical depression|postpartum depression|
anxiety disorder|generalized anxiety disorder|generalised anxiety disorder|social anxiety|
panic disorder|panic attack|ptsd|c-ptsd|cptsd|ocd|adhd|autism|asperger's|aspergers|bipolar disorder|
schizophrenia|schizoaffective disorder|borderline personality disorder|bpd|eating disorder|anorexia|
bulimia|binge eating disorder|alcoholism|alcohol addiction|drug addiction|substance abuse|
opioid addiction|dyslexia|dyspraxia|tourette's|tourettes|seasonal affective disorder|suicidal thoughts|
self-harm|pregnancy|miscarriage|ectopic pregnancy|stillbirth|high-risk pregnancy|flat feet|
photophobia|claustrophobia|agoraphobia|acrophobia|dry eye syndrome|hypoglycemia|hypoglycaemia|
low blood sugar|high blood sugar|heart palpitations|palpitations|motion sickness|histamine intolerance|
dermatitis|atopic dermatitis|varicose veins|pancreatitis|appendicitis|hernia|hemophilia|haemophilia|
sickle cell disease|sickle cell anemia|thalassemia|cystic fibrosis|muscular dystrophy|cerebral palsy|
down syndrome|spina bifida|ovarian cyst|thyroid nodules|gastroparesis|incontinence|lower back pain|
chronic back pain|chronic neck pain|frozen shoulder|tennis elbow|bunions|gum disease|periodontitis
"""
# Adjectives said of a person ("I'm diabetic", "she is 20 weeks pregnant", "allergic to penicillin").
_EN_STATES = """
lactose sensitive|gluten sensitive|nearsighted|short-sighted|farsighted|long-sighted|
diabetic|prediabetic|pre-diabetic|asthmatic|epileptic|anemic|anaemic|autistic|dyslexic|pregnant|
hypertensive|lactose intolerant|gluten intolerant|celiac|coeliac|immunocompromised|infertile|
hiv positive|hiv-positive|suicidal|bulimic|anorexic|insomniac|allergic|colorblind|color blind|
colour blind|hard of hearing|legally blind|bipolar
"""
_ZH_CONDITIONS = """
神经衰弱|散光|乳糖不耐|
糖尿病|1型糖尿病|2型糖尿病|妊娠糖尿病|高血压|低血压|高血脂|高脂血症|高胆固醇|高尿酸|痛风|哮喘|
慢阻肺|支气管炎|肺炎|关节炎|类风湿|类风湿关节炎|红斑狼疮|纤维肌痛|胃炎|胃溃疡|十二指肠溃疡|
胃食管反流|胃食管反流病|反流性食管炎|胃酸反流|胃反流|肠易激综合征|肠胃炎|结肠炎|溃疡性结肠炎|
克罗恩病|乳糜泻|痔疮|胆结石|肾结石|肾炎|肾病|肾衰竭|尿毒症|脂肪肝|肝硬化|肝炎|乙肝|丙肝|甲亢|
甲减|甲状腺结节|桥本甲状腺炎|多囊卵巢综合征|多囊卵巢|子宫内膜异位症|子宫肌瘤|卵巢囊肿|乳腺增生|
乳腺结节|肺结节|不孕|不孕不育|不育|心脏病|冠心病|心衰|心力衰竭|心律不齐|心律失常|房颤|早搏|
心肌炎|心绞痛|脑梗|脑梗塞|中风|脑出血|癫痫|偏头痛|失眠症|睡眠呼吸暂停|抑郁症|焦虑症|广泛性焦虑|
惊恐障碍|惊恐发作|社交恐惧症|双相情感障碍|双相障碍|躁郁症|精神分裂症|精神分裂|创伤后应激障碍|
多动症|注意力缺陷|自闭症|孤独症|阿斯伯格|进食障碍|厌食症|暴食症|贪食症|酒精依赖|药物成瘾|
阿尔茨海默|老年痴呆|帕金森|癌症|肺癌|胃癌|肝癌|肠癌|结肠癌|直肠癌|结直肠癌|乳腺癌|宫颈癌|
卵巢癌|前列腺癌|甲状腺癌|鼻咽癌|食道癌|食管癌|胰腺癌|白血病|淋巴瘤|肿瘤|脑瘤|贫血|缺铁性贫血|
骨质疏松|脊柱侧弯|腰椎间盘突出|椎间盘突出|颈椎病|腰肌劳损|坐骨神经痛|肩周炎|腱鞘炎|网球肘|
半月板损伤|韧带撕裂|脑震荡|耳鸣|青光眼|白内障|干眼症|高度近视|黄斑变性|湿疹|银屑病|牛皮癣|
荨麻疹|痤疮|白癜风|脱发|斑秃|鼻炎|过敏性鼻炎|鼻窦炎|咽炎|扁桃体炎|花粉过敏|尘螨过敏|海鲜过敏|
花生过敏|青霉素过敏|乳糖不耐受|麸质不耐受|艾滋病|梅毒|淋病|疱疹|带状疱疹|尖锐湿疣|肺结核|结核病|
新冠|流感|痛经|月经不调|更年期|经前综合征|尿路感染|阴道炎|前列腺炎|勃起功能障碍|阳痿|早泄|怀孕|
孕期|流产|小产|宫外孕|胎停|先兆流产|早产|产后抑郁|肥胖症|过敏|扁平足|畏光|幽闭恐惧症|恐高症|
晕动症|低血糖|高血糖|颈椎劳损|腰椎劳损|肌肉劳损|骨折|脚踝扭伤|韧带损伤|胃黏膜损伤|胃出血|阑尾炎|
胰腺炎|疝气|静脉曲张|血友病|地中海贫血|唐氏综合征|脑瘫|皮炎|特应性皮炎|甲状腺功能减退|甲状腺功能亢进|
牙周炎|肩袖损伤|足底筋膜炎
"""
# Everyday feelings and passing symptoms ("焦虑", "头疼": "让我头疼" is a figure of speech): a
# condition only with a diagnosis, a severity or a flare ("我有重度焦虑", "偏头痛又犯了").
_ZH_PASSING = """
近视|视力疲劳|酸痛|恶心|焦虑|抑郁|强迫症|头痛|头疼|头晕|咳嗽|发烧|感冒|胃疼|胃痛|腰疼|腰痛|背痛|颈椎痛|膝盖疼|关节痛|反酸|胃胀|
心悸|胸闷|低烧|眼干|便秘|失眠
"""
# The same in English ("my anxiety about the bill", "my back pain"; a stroke in swimming).
_EN_PASSING = "anxiety|back pain|neck pain|stroke|burnout|headaches|nausea"


def _terms(block: str) -> list[str]:
    return [t.strip() for t in block.split("|") if t.strip()]


# ---- English --------------------------------------------------------------------------------------

_EN_MODIFIERS = (
    r"(?<![a-z])(?:(?:severe|mild|moderate|chronic|acute|serious|major|minor|"
    r"clinical|early[- ]onset|late[- ]onset|early[- ]stage|late[- ]stage|advanced|metastatic|terminal|"
    r"recurring|recurrent|persistent|seasonal|postpartum|post-partum|high[- ]functioning|borderline|"
    r"full[- ]blown|diagnosed|untreated|type (?:1|2|i|ii|one|two)|stage (?:[1-4]|i{1,3}|iv|one|two|three|"
    r"four)|grade \d|level \d|slight|light|constant|frequent|occasional|mild-to-moderate|"
    r"moderate-to-severe|treatment-resistant|intermittent|iron-deficiency|seasonal|cardiac|pulmonary|renal|hepatic|cervical|lumbar|spinal|"
    r"lower|upper|left|right|bilateral|pounding|throbbing|flaring|nagging|lingering|worsening|"
    r"undocumented|undiagnosed|\d{1,2}(?:st|nd|rd|th)[- ]trimester)(?:,\s?|[ -]+))+\Z"
)
# A plural, a parenthesised short form ("gastroesophageal reflux disease (GERD)") or a word that
# completes the name ("anxiety attacks", "peanut allergy").
_EN_RIGHT = (
    r"(?:e?s)?(?:[ -](?:disorder|disease|syndrome|attacks?|episodes?|flare-ups?|headaches?))?"
    r"(?:\s?\([^()\n]{1,24}\))?"
)
# "my", "my mom's", and words a possessor puts before a condition ("my current claustrophobia",
# "his recent arrhythmia").
_EN_POSSESSIVE = (
    rf"(?:\b(?:my|our|his|her)|\b(?:my|our)\s+{EN_KIN_NAMED}(?:'s|’s))\s+(?:(?:current|recent|new|latest|"
    r"ongoing|usual|old|bad|little|annoying|occasional|elevated)(?:,\s?|\s+)){0,3}\Z"
)
_EN_SUBJECT = rf"\b(?:i|we|he|she|they|i've|we've|he's|she's|(?:my|our)\s+{EN_KIN_NAMED})"
_EN_ADVERBS = (
    r"(?:\s+(?:also|still|now|already|just|recently|probably|possibly|might|may|actually|definitely|"
    r"apparently|both|finally|even|really|do|does|did|think|thinks|thought|was|were|have|has|had|been|"
    r"always|sometimes|often|suddenly|found out|learned|learnt|guess|believe|kind of|sort of))*"
)
_EN_ARTICLES = (
    r"(?:(?:a|an|the|some|bad|really|pretty|such|this|that|serious|terrible|horrible|awful|slight|bit|"
    r"touch|case|form|history|kind|sort|bout|mild|of|quite|very|what|they|think|is|might|be)\s+){0,4}"
)
# Cues that say a condition is someone's, beyond "my": having it, a diagnosis, living with it.
_EN_SAID_CUES = (
    rf"{_EN_SUBJECT}{_EN_ADVERBS}\s+(?:have|has|had|got|get|gets|getting|developed|develop|caught|"
    rf"contracted|inherited|suffer|suffers|suffered)\s+(?:from\s+|with\s+)?{_EN_ARTICLES}\Z",
    r"\b(?:diagnos\w*|dx|dx'?d)\b[^.!?\n]{0,40}?(?:\b(?:with|of|as|was|is)\s+|\bw/\s*|:\s*)(?:(?:a|an|the|having|"
    r"some)\s+){0,2}\Z",
    rf"(?:{EN_FIRST_PERSON}|\A\s*|\b(?:he|she)\b)[^.!?\n]{{0,40}}?\b(?:suffer\w*|struggl\w*|living|lives|"
    r"dealing|deals|dealt|battl\w*|coping|copes|fighting|fights|fought|recover\w*|beat|beating|survived|"
    r"survivor|relapsed?|remission|tested positive|test positive|came back positive)\s+(?:from|with|for|of|"
    r"against)?\s*(?:(?:a|an|the|my|his|her|bad|some)\s+){0,2}\Z",
    r"\b(?:i'm|i am|i was|i've been|i have been|being|getting|he's|she's|(?:my|our)\s+\w+\s+(?:is|was))"
    r"\s+(?:\w+\s+)?treated\s+for\s+(?:(?:a|an|the|my|his|her)\s+)?\Z",
    r"\bmy\s+(?:treatment|meds|medication|medicine|prescription|doctor|gp|specialist)\s+(?:for|of)\s+\Z",
    # what a drug is taken for: "I've been taking 50mg sertraline for depression"
    rf"(?:{EN_FIRST_PERSON}|\b(?:he|she)\b)[^.!?\n]{{0,40}}?\b(?:take|takes|taking|took|on|prescribed|"
    r"started|starting|meds|medication|medicine|pills?|tablets?|inhalers?|injections?)\b[^.!?\n]{0,30}?"
    r"\b(?:for|to treat|to manage|to control|to help with)\s+\Z",
)
_EN_CONDITION_CUES = compile_cues(_EN_POSSESSIVE, *_EN_SAID_CUES)
# A feeling about something, not a condition ("my anxiety about the bill").
_EN_PASSING_SPOIL = compile_cues(r"\A\s+(?:about|over|around|regarding|when|whenever|if)\b")
# A cause or a campaign, not anyone's condition ("cancer research", "a diabetes awareness walk").
_EN_CONDITION_SPOIL = compile_cues(
    r"\A\s+(?:awareness|prevention|research|fundraiser|charity|walk|foundation|society|association|"
    r"month)\b"
)
_EN_CONDITION_AFTER = compile_cues(
    r"\s+(?:runs in (?:my|our) family|(?:is|has been|was|keeps|kept)\s+(?:acting up|flaring(?: up)?|"
    r"killing me)|flared(?: up)?\b|(?:is|has been)\s+(?:back|worse)\s+again)"
)
_EN_STATE_LEFT = (
    r"(?<![a-z])(?:(?:\d{1,2}|a few|several|two|three|four|five|six|seven|eight|nine|ten)\s+(?:weeks?|"
    r"months?)\s+|(?:very|severely|mildly|slightly|borderline|pre-?|type\s+(?:1|2|i|ii|one|two)|highly|"
    r"extremely|super|heavily|newly|mildly|somewhat)\s+)+\Z"
)
# "allergic to penicillin and sulfa", "lactose intolerant"
_EN_STATE_RIGHT = r"(?:\s+to\s+[a-z'-]+(?:\s+(?:and|&|or)\s+[a-z'-]+)?)?"
_EN_STATE_CUES = compile_cues(
    rf"\b(?:i'm|i am|im|i was|i've been|i have been|i became|i got|being|we're|we are|he's|he is|she's|"
    rf"she is|he was|she was|(?:my|our)\s+{EN_KIN_NAMED}\s+(?:is|was|has been|'s))\s+(?:(?:also|still|now|so|"
    rf"very|just|currently|recently|officially|finally|actually|apparently|both)\s+){{0,2}}\Z",
    r"\bas an?\s+\Z",
)

_EN_BODY = (
    r"knee|hip|shoulder|back|spine|spinal|neck|heart|open[- ]heart|brain|eye|laser eye|laser|cataract|acl|"
    r"meniscus|rotator cuff|wrist|ankle|foot|hand|elbow|gallbladder|hernia|kidney|liver|lung|sinus|jaw|"
    r"dental|oral|wisdom tooth|wisdom teeth|weight[- ]loss|bariatric|cosmetic|plastic|breast|cardiac|"
    r"thyroid|appendix|tonsil|bladder|prostate|uterine|ovarian|colon|stomach|gastric|nasal|ear|skin|"
    r"minor|major|emergency|elective|outpatient|keyhole|laparoscopic|reconstructive|corrective|"
    r"follow-up|second|third|first|bone marrow|stem cell|fertility|ivf|egg|embryo|top|bottom|"
    r"gender[- ]affirming|couples|marriage|family|grief|trauma|group|online|talk|behavioral|behavioural|"
    r"cognitive behavioral|cognitive behavioural|speech|occupational|physical|hormone|radiation"
)
_EN_PROCEDURES = """
surgery|surgeries|appendectomy|tonsillectomy|hysterectomy|mastectomy|double mastectomy|lumpectomy|
vasectomy|c-section|cesarean|caesarean|colonoscopy|endoscopy|biopsy|mri|ct scan|cat scan|pet scan|
mammogram|chemo|chemotherapy|radiation therapy|radiation treatment|radiotherapy|immunotherapy|dialysis|
physical therapy|physiotherapy|ivf|iui|egg retrieval|egg freezing|embryo transfer|fertility treatment|
abortion|root canal|lasik|stent|angioplasty|bypass surgery|pacemaker|transplant|blood transfusion|
skin graft|rhinoplasty|nose job|liposuction|breast augmentation|breast reduction|tummy tuck|facelift|
gastric sleeve|gastric bypass|knee replacement|hip replacement|acl reconstruction|spinal fusion|
wisdom teeth removal|wisdom tooth extraction|tooth extraction|hernia repair|gallbladder removal|
hormone therapy|hrt|rehab|amputation|colostomy|ileostomy|stitches|cardiac catheterization|
infusion|infusions|iv drip
"""
# "knee replacement surgery", "IVF consultation", "chemo sessions"
_EN_PROCEDURE_RIGHT = (
    r"(?:e?s)?(?:[ -](?:surgery|operation|procedure|appointment|consultation|treatment|cycle|session)s?)?"
)
_EN_THERAPY = """
therapist|psychiatrist|psychologist|counselor|counsellor|therapy|counseling|counselling|
psychotherapy|cbt|dbt|emdr|psych ward|mental hospital|inpatient treatment|psychiatric hospital
"""
_EN_DOING = (
    r"(?:had|have|having|get|getting|got|underwent|undergo|undergoing|scheduled|booked|need|needs|"
    r"needed|start|started|starting|finish|finished|finishing|recovering from|recovered from|"
    r"going in for|went in for|in for|doing|did|done|do|facing|due for|waiting for|waiting on)"
)
_EN_PROCEDURE_CUES = compile_cues(
    rf"\b(?:my|our)\s+(?:{EN_KIN}(?:'s|’s)\s+)?(?:(?:upcoming|recent|last|next|scheduled|planned)\s+)?\Z",
    rf"{_EN_SUBJECT}(?:'m|'ll| am| will| was| were| had| have| has| is| are)?{_EN_ADVERBS}\s+{_EN_DOING}"
    r"\s+(?:(?:a|an|the|my|his|her|some|another|two|three|several|\d+|more|round|rounds|of|sessions?)\s+){0,4}\Z",
)
_EN_THERAPY_CUES = compile_cues(
    rf"\b(?:my|our)\s+(?:{EN_KIN}(?:'s|’s)\s+)?(?:new\s+|old\s+|former\s+)?\Z",
    rf"{EN_FIRST_PERSON}[^.!?\n]{{0,30}}?\b(?:see|seeing|saw|seen|visit|visiting|visited|go to|going to|"
    r"went to|goes to|been to|started|starting|start|begin|began|in|attend|attending|book|booked|"
    r"booking|found|find|finding|quit|stopped|tried|trying|need|needs|needed|referred(?: me)? to|"
    r"talked to|talk to|talking to|appointment with|session with|sessions with|doing|do|did|had|have|"
    r"having|get|getting|got)\s+(?:(?:a|an|the|my|new|another|some|weekly|regular)\s+){0,2}\Z",
)
# A profession, not treatment ("she is a therapist", "I want to become a psychiatrist").
_EN_THERAPY_NEAR = compile_cues(
    r"\b(?:am|is|are|was|were|be|become|becoming|became|as|work as|working as|job as|train as|"
    r"training as|studying to be)\s+(?:an?\s+)?(?:\w+\s+)?\Z"
)

# ---- Chinese --------------------------------------------------------------------------------------

_ZH_MODIFIERS = (
    r"(?:(?:轻度|中度|重度|极重度|中重度|严重|轻微|比较严重|很严重|慢性|急性|早期|中期|晚期|末期|"
    r"[一二三四1-4]期|[一二12]型|i{1,2}型|先天性|遗传性|季节性|产后|顽固性|复发性|原发性|继发性|良性|恶性|"
    r"老)(?:的)?)+\Z"
)
_ZH_RIGHT = r"(?:\s?[（(][^()（）\n]{1,24}[)）])?"
_ZH_SPEAKER = rf"{ZH_FIRST_PERSON}[^，,。！？；\n]{{0,12}}\Z"
_ZH_DIAGNOSED = (
    r"(?:确诊|诊断|查出|检查出|患有|患上|患了|得了|得过|染上|感染了|有过|复查)[^。！？；\n]{0,16}\Z"
)
_ZH_CONDITION_CUES = compile_cues(_ZH_SPEAKER, _ZH_DIAGNOSED)
# A research subject, a ward or people in general, not someone's condition ("白血病细胞", "肿瘤学",
# "肿瘤科", "经常失眠的人").
_ZH_CONDITION_SPOIL = compile_cues(
    r"\A(?:细胞|学|科|研究|领域|专家|专业|中心|医院|基金|研讨|药|数据|模型|的人|患者|人群|病人|的病人)"
)
_ZH_CONDITION_AFTER = compile_cues(
    r"(?:又|也|还|总是|经常|都|就|快|要|都要|快要|就要|又要|似乎|好像|已经){0,2}"
    r"(?:犯了|发作|复发|加重了?|严重了|好转|好多了|又犯|犯的|发了|减轻了|缓解了|消失了|退了)(?![吗么])"
    r"|(?:又|还|一直|总是|经常)?(?:让我|害得我|害我|折磨着?我|困扰着?我|使我|弄得我)"
    r"|(?:很|特别|非常|越来越|比较|挺)严重|得?(?:更|越来越|很|特别)厉害|的(?:老)?毛病|的病史"
)
# Long-standing, not passing: "我长期失眠", "我一直偏头痛".
_ZH_CHRONIC = (
    rf"(?:{ZH_FIRST_PERSON}[^，,。！？；\n]{{0,6}}|(?:\A|[，,。！？；\n])\s*(?:最近|这几天|这段时间|这阵子|晚上|夜里)?)"
    r"(?:长期|一直|经常|总是|常常|老是|反复)(?:有|都|会)?\Z"
)
# "对花粉过敏": the allergen before 过敏 is the fact.
_ZH_ALLERGY_LEFT = r"(?<=对)[^\s，,。！？；对我]{1,8}\Z"
_ZH_PROCEDURES = """
手术|开刀|化疗|放疗|靶向治疗|免疫治疗|透析|血液透析|胃镜|肠镜|无痛胃镜|无痛肠镜|活检|穿刺|核磁共振|
核磁|试管婴儿|取卵|冻卵|胚胎移植|促排|人流|人工流产|药流|剖腹产|剖宫产|心脏支架|支架|搭桥|种植牙|
根管治疗|拔智齿|康复训练|针灸|输液|打点滴|住院|住院治疗|激素治疗
"""
_ZH_THERAPY = """
心理咨询|心理咨询师|心理医生|精神科|精神科医生|心理治疗|心理辅导|咨询师|精神卫生中心|精神病院
"""
_ZH_PROCEDURE_LEFT = (
    r"(?:膝盖|膝关节|髋关节|心脏|阑尾|胆囊|甲状腺|白内障|近视|激光|腰椎|颈椎|脊柱|乳腺|子宫|卵巢|前列腺|"
    r"疝气|痔疮|鼻子|眼睛|眼部|牙齿|整形|美容|减重|胃|肠|肝|肾|肺|脑|微创|腹腔镜|小|大|急诊|二次|第二次)"
    r"(?:切除|摘除|置换|修复|移植|矫正|重建|缝合)?\Z"
    # what an operation removes or repairs, when it is named: "甲状腺结节切除手术", "子宫肌瘤剔除术"
    r"|(?:(?![做了的在我要过完次])[\u4e00-\u9fff]){2,6}(?:切除|摘除|剔除|置换|修复|移植|矫正|重建|缝合)\Z"
)
_ZH_PROCEDURE_CUES = compile_cues(
    rf"{ZH_FIRST_PERSON}[^。！？；\n]{{0,16}}\Z",
    r"(?:做了|做完|要做|去做|刚做|在做|做过|动了|动过|约了|预约了?|安排了?|准备做|需要做|接受了?|开始|"
    r"继续|结束了?|第[一二三四五六七八九十\d]{1,2}次|[一二三四五六七八九十\d]{1,2}个疗程的?)"
    r"[^。！？；\n]{0,6}\Z",
)
# A device, a shop or a practitioner ("理疗仪", "针灸馆").
_ZH_PROCEDURE_SPOIL = compile_cues(r"\A(?:仪|器|机|贴|店|馆|师|室|科|床|费)")
_EN_THERAPY_SPOIL = compile_cues(
    r"\A[ -](?:chair|dogs?|ball|light|lamp|putty|bands?|mat|pillow|device|machine|gun|app|room|animal)\b"
)
_ZH_THERAPY_NEAR = compile_cues(r"(?:是|当|成为|考|学)(?:一[名个位])?(?:[\u4e00-\u9fff]{0,2})?\Z")


def _kinds() -> dict[str, Kind]:
    en_veto = compile_cues(EN_VETO)
    zh_veto = compile_cues(ZH_VETO)
    body_left = compile_cues(rf"(?<![a-z])(?:(?:{_EN_BODY})[ -]+){{1,3}}\Z")
    condition = Kind(
        cues=_EN_CONDITION_CUES,
        after=_EN_CONDITION_AFTER,
        left=compile_cues(_EN_MODIFIERS),
        right=compile_cues(_EN_RIGHT),
        veto=en_veto,
        spoil=_EN_CONDITION_SPOIL,
    )
    zh_condition = Kind(
        cues=_ZH_CONDITION_CUES,
        after=_ZH_CONDITION_AFTER,
        left=compile_cues(_ZH_MODIFIERS),
        right=compile_cues(_ZH_RIGHT),
        veto=zh_veto,
        spoil=_ZH_CONDITION_SPOIL,
    )
    return {
        "condition": condition,
        "passing": replace(
            condition,
            cues=compile_cues(*_EN_SAID_CUES),
            modified=_EN_CONDITION_CUES,
            spoil=compile_cues(_EN_PASSING_SPOIL.pattern, _EN_CONDITION_SPOIL.pattern),
        ),
        "state": Kind(
            cues=_EN_STATE_CUES,
            left=compile_cues(_EN_STATE_LEFT),
            right=compile_cues(_EN_STATE_RIGHT),
            veto=en_veto,
        ),
        "procedure": Kind(
            cues=_EN_PROCEDURE_CUES, left=body_left, right=compile_cues(_EN_PROCEDURE_RIGHT), veto=en_veto
        ),
        "therapy": Kind(
            cues=_EN_THERAPY_CUES,
            left=body_left,
            right=compile_cues(r"s?(?:\s+(?:sessions?|appointments?))?"),
            veto=en_veto,
            near=_EN_THERAPY_NEAR,
            spoil=_EN_THERAPY_SPOIL,
        ),
        "zh_condition": zh_condition,
        "zh_passing": replace(
            zh_condition, cues=compile_cues(_ZH_DIAGNOSED, _ZH_CHRONIC), modified=compile_cues(_ZH_SPEAKER)
        ),
        "zh_allergy": replace(
            zh_condition,
            left=compile_cues(f"{_ZH_ALLERGY_LEFT}|{_ZH_MODIFIERS}"),
            near=compile_cues(r"神经\Z"),
        ),
        "zh_procedure": Kind(
            cues=_ZH_PROCEDURE_CUES,
            left=compile_cues(_ZH_PROCEDURE_LEFT),
            veto=zh_veto,
            spoil=_ZH_PROCEDURE_SPOIL,
        ),
        "zh_therapy": Kind(cues=_ZH_PROCEDURE_CUES, veto=zh_veto, near=_ZH_THERAPY_NEAR),
    }


def _lexicon() -> dict[str, str]:
    terms: dict[str, str] = {}
    for block, kind in (
        (_EN_CONDITIONS, "condition"),
        (_EN_STATES, "state"),
        (_EN_PROCEDURES, "procedure"),
        (_EN_THERAPY, "therapy"),
        (_EN_PASSING, "passing"),
        (_ZH_CONDITIONS, "zh_condition"),
        (_ZH_PASSING, "zh_passing"),
        (_ZH_PROCEDURES, "zh_procedure"),
        (_ZH_THERAPY, "zh_therapy"),
    ):
        terms.update(dict.fromkeys(_terms(block), kind))
    terms["过敏"] = "zh_allergy"
    return terms


# Substrings that every term of the lexicon contains or starts with: the trigger index runs the
# finder only on messages holding one.
def _triggers(terms: dict[str, str]) -> tuple[str, ...]:
    return tuple(sorted(terms))


# Blood type, weight and height, after their names ("my blood type is O+", "体重 59.5 kg").
_BLOOD_TYPE = (
    r"(?:ab|a|b|o)(?:\s?[+-](?![\w+-])|\s(?:positive|negative|pos|neg)\b|型(?:\s?rh\s?[阴阳]性|[阴阳]性)?)"
)
_WEIGHT = r"\d{2,3}(?:\.\d{1,2})?\s?(?:kg|kgs|kilos?|kilograms?|lbs?|pounds|公斤|千克|斤)(?![a-z])"
_HEIGHT = (
    r"(?:\d{3}(?:\.\d)?\s?(?:cm|厘米|公分)|1\.\d{1,2}\s?(?:m|米)|[4-7]\s?(?:'|ft|feet|foot)\s?\d{1,2}"
    r"(?:\s?(?:\"|''|in|inches))?)(?![a-z0-9])"
)


def _measure_recognizers() -> list[Recognizer]:
    return [
        keyed(
            "blood_type",
            "Medical Health",
            (r"blood (?:type|group)", "血型"),
            _BLOOD_TYPE,
            trigger=("blood type", "blood group", "血型"),
            score=0.8,
            end="",
        ),
        keyed(
            "body_weight",
            "Medical Health",
            (
                r"(?:my |body |current )weight(?: has| had)?(?: (?:dropped|fallen|fell|gone up|went up|"
                r"increased|decreased|climbed|risen|rose)(?: to)?)?",
                r"i weigh(?:ed)?",
                r"(?:he|she) weighs",
                r"\b(?:and|but) (?:i )?weigh(?:s|ed)?",
                r"体重(?:已经|又|进一步|竟然|现在|只有|才)?(?:降到了?|降至|掉到了?|涨到了?|升到了?|上升到了?|增加到了?|"
                r"减到了?|到了|只有|才|达到了?)?",
            ),
            _WEIGHT,
            trigger=("weight", "weigh", "体重"),
            score=0.75,
            end="",
        ),
        keyed(
            "body_mass_index",
            "Medical Health",
            (
                r"\b(?:i|he|she)(?:'m| am| is| was)? (?:with|have|has|had|at) a bmi of",
                r"(?:my|his|her|current) bmi(?: has| had)?"
                r"(?: (?:dropped|fallen|fell|gone up|went up|risen|rose)(?: to)?)?",
                r"(?:我的|我|目前的|现在的)bmi(?:已经|又|现在|只有)?(?:降到了?|降至|是|为|只有|到了)?",
            ),
            r"\d{2}(?:\.\d{1,2})?(?![\d.])",
            trigger=("bmi",),
            score=0.75,
            end="",
        ),
        keyed(
            "body_height",
            "Medical Health",
            (r"(?:my |body )height", "身高"),
            # after its name a height may go without its unit ("身高175")
            rf"{_HEIGHT}|1[3-9]\d(?![\d.])",
            trigger=("height", "身高"),
            score=0.75,
            end="",
        ),
        keyed(
            "body_height_said",
            "Medical Health",
            (r"\b(?:i'm|i am|im|he's|he is|she's|she is)",),
            # said of a person, only with its unit: "I'm 6'1", "she's 165 cm" (not "I'm 150 miles away")
            _HEIGHT,
            trigger=("i'm", "i am", "im ", "he", "she"),
            score=0.7,
            end="",
            gap=False,
        ),
    ]


def condition_recognizers() -> list[Recognizer]:
    terms = _lexicon()
    return [
        *_measure_recognizers(),
        Recognizer(
            "medical_condition",
            "Medical Health",
            finder=CuedTerms(terms, _kinds()),
            score=0.75,
            trigger=_triggers(terms),
            description=(
                "conditions, symptoms, pregnancy, procedures and mental-health treatment said of the "
                "speaker or someone they name (English and Chinese)"
            ),
        ),
    ]
