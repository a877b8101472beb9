"""Biometric data said as someone's own (Biometrics, PL3), in English and Chinese: fingerprints, face
and voice data, iris and retina scans, palm prints, DNA and genetic data ("my fingerprint template",
"I enrolled my face", "I uploaded my voiceprint", "我的指纹", "我录入了声纹").

Everything else that is called a fingerprint is not ("browser fingerprint", "the SSH key's
fingerprint"), nor a device's sensor or a feature ("the fingerprint reader", "face unlock"), nor an
idiom ("it's in my DNA"). The span is the biometric with the word for its data ("fingerprint
template", "face scan", "声纹数据").
"""

from __future__ import annotations

from ..engine import Recognizer
from ._cues import (
    EN_FIRST_PERSON,
    EN_KIN,
    EN_VETO,
    ZH_FIRST_PERSON,
    ZH_KIN,
    ZH_VETO,
    CuedTerms,
    Kind,
    compile_cues,
)

__all__ = ["biometric_recognizers"]

_EN_TERMS = """
fingerprint|fingerprints|thumbprint|thumbprints|finger print|face data|facial data|face scan|facial scan|
face template|faceprint|face print|facial recognition data|face geometry|facial geometry|face model|
voiceprint|voice print|voice sample|voice samples|voice biometrics|iris scan|iris data|iris pattern|
iris template|retina scan|retinal scan|palm print|palmprint|palm vein|hand geometry|gait data|dna|
dna sample|dna profile|dna results|dna test results|genetic data|genome|genetic test results|
biometric data|biometrics|biometric template|biometric profile|face id data|face|iris|retina|voice
"""
# Bare "face", "iris", "retina" and "voice" count only after an enrolment verb ("I enrolled my face").
_EN_BARE = frozenset({"face", "iris", "retina", "voice"})
_ZH_TERMS = """
指纹|指纹数据|指纹信息|指纹模板|人脸数据|人脸信息|人脸照片|人脸模板|面部数据|面部信息|面部特征|
人脸识别数据|人脸特征|脸部数据|声纹|声纹数据|声纹信息|声音样本|虹膜|虹膜数据|虹膜信息|视网膜|掌纹|
掌静脉|基因数据|基因信息|基因检测结果|基因检测报告|基因报告|生物特征|生物特征数据|生物识别信息|
步态数据|人脸
"""

_EN_DATA = (
    r"(?:data|template|templates|scan|scans|hash|hashes|sample|samples|record|records|profile|profiles|"
    r"image|images|photo|photos|print|prints|model|signature)"
)
_EN_RIGHT = rf"(?:e?s)?(?:\s+{_EN_DATA})?"
_EN_VERBS = (
    r"(?:enroll|enrolled|enrolling|enrol|enrols|register|registered|registering|scan|scanned|scanning|"
    r"upload|uploaded|uploading|store|stored|storing|save|saved|saving|set up|setup|add|added|adding|"
    r"record|recorded|recording|submit|submitted|gave|give|given|provide|provided|providing|share|shared|"
    r"sharing|collected|took|taken|capture|captured|sent|send|verified|verify|trained|train|cloned|clone)"
)
_EN_CUES = compile_cues(
    rf"\b(?:my|our)\s+(?:{EN_KIN}(?:'s|’s)\s+)?(?:(?:own|left|right|thumb|index finger|enrolled|"
    r"registered|stored|raw|biometric)\s+){0,2}\Z",
    rf"{EN_FIRST_PERSON}[^.!?\n]{{0,40}}?\b{_EN_VERBS}\s+(?:(?:a|an|the|my|his|her|our|new|another|some|"
    r"both|all|ten|\d+)\s+){{0,2}}\Z",
)
_EN_BARE_CUES = compile_cues(
    rf"{EN_FIRST_PERSON}[^.!?\n]{{0,40}}?\b{_EN_VERBS}\s+(?:(?:my|his|her|our)\s+)\Z",
)
# Not a person's: a browser's or a key's fingerprint; an idiom.
_EN_NEAR = compile_cues(
    r"\b(?:browser|device|canvas|audio|tls|ssl|ssh|gpg|pgp|key|key's|host|server|certificate|cert|file|"
    r"digital|git|commit|hardware|network|tcp|ja3|public key|carbon|environmental|social media|online|"
    r"unique)\s+\Z",
    r"\bin\s+(?:my|our|his|her|their|your)\s+\Z",
)
# A sensor, an unlock feature or a setting, not the data.
_EN_SPOIL = compile_cues(
    r"\A(?:\s+|-)(?:unlock|unlocking|login|log-?in|sign-?in|sensor|reader|scanner|lock|feature|option|"
    r"setting|settings|support|api|sdk|library|algorithm|recognition(?!\s+data)|id\b(?!\s+data)|"
    r"mask|cream|wash|paint|time|call|chat|message|memo|mail|note|notes|assistant|actor|over)"
)

_ZH_CUES = compile_cues(
    rf"(?:我|我们|咱|本人|{ZH_KIN})的?\Z",
    rf"{ZH_FIRST_PERSON}[^。！？；\n]{{0,16}}(?:录入|录了|录过|录制|采集|上传|注册|绑定|存了|存储|保存|提交|登记|"
    r"扫描|扫了|留了|留过|给了|提供|做了|做过)(?:了|过)?(?:我的?|自己的?)?[^。！？；\n]{0,3}\Z",
)
_ZH_SPOIL = compile_cues(r"\A(?:解锁|识别器|传感器|模块|锁|功能|算法|设置|开关|支付功能|门锁)")
_ZH_RIGHT = r"(?:数据|信息|模板|样本|特征)?"


def _terms(block: str) -> list[str]:
    return [t.strip() for t in block.split("|") if t.strip()]


def biometric_recognizers() -> list[Recognizer]:
    terms = {t: ("bare" if t in _EN_BARE else "bio") for t in _terms(_EN_TERMS)}
    terms |= dict.fromkeys(_terms(_ZH_TERMS), "zh_bio")
    en_veto = compile_cues(EN_VETO)
    kinds = {
        "bio": Kind(
            cues=_EN_CUES,
            right=compile_cues(_EN_RIGHT),
            veto=en_veto,
            near=_EN_NEAR,
            spoil=_EN_SPOIL,
        ),
        "bare": Kind(
            cues=_EN_BARE_CUES,
            right=compile_cues(rf"(?:\s+{_EN_DATA})?"),
            veto=en_veto,
            spoil=_EN_SPOIL,
        ),
        "zh_bio": Kind(
            cues=_ZH_CUES, right=compile_cues(_ZH_RIGHT), veto=compile_cues(ZH_VETO), spoil=_ZH_SPOIL
        ),
    }
    return [
        Recognizer(
            "biometric_data",
            "Biometrics",
            finder=CuedTerms(terms, kinds),
            score=0.75,
            trigger=tuple(
                [*sorted(t for t in terms if t not in _EN_BARE), "enrol", "regist", "scan", "upload"]
            ),
            description="fingerprint, face, voice, iris, palm and genetic data said as someone's own",
        )
    ]
