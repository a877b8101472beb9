"""The MemPrivacy taxonomy: four ordered levels, the standard type tags of each, and the
normalisation of the open-vocabulary type strings that models emit onto those tags.

Models say "Debt/Loan Info", "IP Address", "手机号" or "session token"; policies, placeholders and
metrics need one name per kind of data. `normalize_type` maps what it knows onto a standard tag and
keeps anything else usable as a cleaned custom type instead of failing.
"""

from __future__ import annotations

import enum
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

__all__ = [
    "STANDARD_TYPES",
    "PrivacyLevel",
    "TypeInfo",
    "level_of",
    "normalize_type",
    "types_of_level",
]


class PrivacyLevel(str, enum.Enum):
    """Privacy levels, ordered PL1 < PL2 < PL3 < PL4.

    PL1 preferences and habits (never extracted), PL2 identifiable, PL3 highly sensitive,
    PL4 credentials and immediate-loss secrets.
    """

    PL1 = "PL1"
    PL2 = "PL2"
    PL3 = "PL3"
    PL4 = "PL4"

    @property
    def rank(self) -> int:
        return int(self.value[2])

    @classmethod
    def _missing_(cls, value: object) -> PrivacyLevel | None:
        # Accept 3, "3", "pl3", "L3", "PL 3", "Level 3" and full-width digits.
        text = unicodedata.normalize("NFKC", str(value)).strip().upper().replace(" ", "")
        match = re.fullmatch(r"(?:PL|L|LEVEL)?([1-4])", text)
        return cls(f"PL{match.group(1)}") if match else None

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, PrivacyLevel):
            return NotImplemented
        return self.rank < other.rank

    def __le__(self, other: object) -> bool:
        if not isinstance(other, PrivacyLevel):
            return NotImplemented
        return self.rank <= other.rank

    def __gt__(self, other: object) -> bool:
        if not isinstance(other, PrivacyLevel):
            return NotImplemented
        return self.rank > other.rank

    def __ge__(self, other: object) -> bool:
        if not isinstance(other, PrivacyLevel):
            return NotImplemented
        return self.rank >= other.rank

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class TypeInfo:
    """What `normalize_type` found: the tag to use, its default level, and whether it is standard."""

    name: str
    level: PrivacyLevel | None
    known: bool
    description: str = ""


def _t(name: str, level: str, description: str) -> TypeInfo:
    return TypeInfo(name=name, level=PrivacyLevel(level), known=True, description=description)


STANDARD_TYPES: dict[str, TypeInfo] = {
    t.name: t
    for t in (
        # PL4: credentials and secrets whose exposure causes immediate loss.
        _t("Password", "PL4", "Passwords, passphrases, PINs and answers to security questions."),
        _t("Verification Code", "PL4", "One-time codes: SMS/e-mail OTPs, 2FA, backup and recovery codes."),
        _t("Token", "PL4", "Access, session, bearer and API tokens."),
        _t("Key", "PL4", "API keys, secret keys, licence or activation keys."),
        _t("Private Key", "PL4", "Cryptographic private keys (PEM blocks, SSH keys, wallet keys, seeds)."),
        _t("Payment Security Code", "PL4", "Card CVV/CVC and payment PINs."),
        _t("Database Connection String", "PL4", "Connection URIs or DSNs, usually with credentials."),
        _t("Vulnerability Details", "PL4", "Unpatched weaknesses, attack paths, internal system exposure."),
        _t("Business Secret", "PL4", "Confidential projects, codes, plans and internal identifiers."),
        # PL3: highly sensitive personal data.
        _t("ID Number", "PL3", "Government or official identifiers: national ID, SSN, passport, licence."),
        _t("Financial Account", "PL3", "Bank accounts, card numbers, IBANs and payment accounts."),
        _t("Transaction Record", "PL3", "Purchases, transfers, orders and payments with their details."),
        _t("Assets/Income", "PL3", "Salary, income, net worth, debts, loans and credit standing."),
        _t("Medical Health", "PL3", "Diagnoses, symptoms, medication, treatments and medical records."),
        _t("Precise Location", "PL3", "Exact current position or coordinates of a person."),
        _t("Itinerary/Trajectory", "PL3", "Travel plans, bookings, movements and stays over time."),
        _t("Biometrics", "PL3", "Fingerprints, face, voice, iris and other biometric data."),
        _t("Communication Content", "PL3", "Content of private messages, calls and e-mails."),
        _t("Sensitive Identity", "PL3", "Religion, politics, sexuality, ethnicity, minors and similar."),
        _t("Judicial Record", "PL3", "Criminal records, lawsuits, court cases and penalties."),
        # PL2: data that identifies a person.
        _t("Real Name", "PL2", "The user's own real name."),
        _t("Phone Number", "PL2", "Telephone and mobile numbers."),
        _t("Email", "PL2", "E-mail addresses."),
        _t("Detailed Address", "PL2", "Street addresses, home or work addresses, postcodes."),
        _t("Account ID/Username", "PL2", "Usernames, account and member IDs, handles."),
        _t("Network Identifier", "PL2", "IP and MAC addresses, device IDs (IMEI), hostnames."),
        _t("Identity Background", "PL2", "Employer, job title, school, age, birth date, gender."),
        _t(
            "Relationship Info",
            "PL2",
            "Names and details of third parties such as family, friends, colleagues.",
        ),
    )
}


def _key(text: str) -> str:
    """A comparison key: NFKC, lower case, separators collapsed to single spaces."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = text.replace("'s ", "s ").replace("’s ", "s ")
    return " ".join(re.split(r"[\s_\-/&|,.:;()\[\]{}'’\"]+", text)).strip()


# Synonyms seen in model output and in the MemPrivacy datasets, in English and Chinese.
_ALIASES: dict[str, str] = {
    # PL4
    "password": "Password",
    "passcode": "Password",
    "passphrase": "Password",
    "pin": "Password",
    "pin code": "Password",
    "security question": "Password",
    "security question answer": "Password",
    "security answer": "Password",
    "login credential": "Password",
    "credentials": "Password",
    "密码": "Password",
    "口令": "Password",
    "登录密码": "Password",
    "支付密码": "Password",
    "pin码": "Password",
    "密保问题": "Password",
    "密保答案": "Password",
    "verification code": "Verification Code",
    "otp": "Verification Code",
    "one time password": "Verification Code",
    "2fa code": "Verification Code",
    "sms code": "Verification Code",
    "backup code": "Verification Code",
    "recovery code": "Verification Code",
    "auth code": "Verification Code",
    "captcha": "Verification Code",
    "验证码": "Verification Code",
    "动态码": "Verification Code",
    "校验码": "Verification Code",
    "短信验证码": "Verification Code",
    "备用码": "Verification Code",
    "恢复码": "Verification Code",
    "token": "Token",
    "session token": "Token",
    "access token": "Token",
    "auth token": "Token",
    "bearer token": "Token",
    "refresh token": "Token",
    "jwt": "Token",
    "cookie": "Token",
    "令牌": "Token",
    "会话令牌": "Token",
    "key": "Key",
    "api key": "Key",
    "secret key": "Key",
    "access key": "Key",
    "license key": "Key",
    "activation key": "Key",
    "secret": "Key",
    "密钥": "Key",
    "秘钥": "Key",
    "激活码": "Key",
    "private key": "Private Key",
    "ssh key": "Private Key",
    "seed phrase": "Private Key",
    "mnemonic": "Private Key",
    "wallet seed": "Private Key",
    "私钥": "Private Key",
    "助记词": "Private Key",
    "payment security code": "Payment Security Code",
    "cvv": "Payment Security Code",
    "cvc": "Payment Security Code",
    "card security code": "Payment Security Code",
    "安全码": "Payment Security Code",
    "cvv码": "Payment Security Code",
    "database connection string": "Database Connection String",
    "connection string": "Database Connection String",
    "dsn": "Database Connection String",
    "数据库连接串": "Database Connection String",
    "数据库连接字符串": "Database Connection String",
    "vulnerability details": "Vulnerability Details",
    "vulnerability": "Vulnerability Details",
    "system attack": "Vulnerability Details",
    "exploit": "Vulnerability Details",
    "漏洞": "Vulnerability Details",
    "漏洞信息": "Vulnerability Details",
    "business secret": "Business Secret",
    "trade secret": "Business Secret",
    "project task id": "Business Secret",
    "project code": "Business Secret",
    "classified information": "Business Secret",
    "confidential information": "Business Secret",
    "internal project": "Business Secret",
    "商业机密": "Business Secret",
    "商业秘密": "Business Secret",
    "机密信息": "Business Secret",
    "项目代号": "Business Secret",
    # PL3
    "id number": "ID Number",
    "national id": "ID Number",
    "identity card number": "ID Number",
    "id card number": "ID Number",
    "ssn": "ID Number",
    "social security number": "ID Number",
    "passport number": "ID Number",
    "passport": "ID Number",
    "drivers license number": "ID Number",
    "driver license number": "ID Number",
    "driving licence number": "ID Number",
    "document number": "ID Number",
    "license plate": "ID Number",
    "vehicle information": "ID Number",
    "tax id": "ID Number",
    "身份证号": "ID Number",
    "身份证号码": "ID Number",
    "身份证": "ID Number",
    "护照号": "ID Number",
    "护照号码": "ID Number",
    "驾驶证号": "ID Number",
    "驾照号": "ID Number",
    "车牌号": "ID Number",
    "证件号": "ID Number",
    "证件号码": "ID Number",
    "社保号": "ID Number",
    "financial account": "Financial Account",
    "bank account": "Financial Account",
    "iban": "Financial Account",
    "bank payment card number": "Financial Account",
    "credit card": "Financial Account",
    "credit card number": "Financial Account",
    "card number": "Financial Account",
    "bank card number": "Financial Account",
    "debit card": "Financial Account",
    "银行卡号": "Financial Account",
    "银行账户": "Financial Account",
    "银行卡": "Financial Account",
    "信用卡号": "Financial Account",
    "金融账户": "Financial Account",
    "支付账户": "Financial Account",
    "transaction record": "Transaction Record",
    "transaction": "Transaction Record",
    "purchase record": "Transaction Record",
    "order record": "Transaction Record",
    "交易记录": "Transaction Record",
    "消费记录": "Transaction Record",
    "订单记录": "Transaction Record",
    "assets income": "Assets/Income",
    "income": "Assets/Income",
    "salary": "Assets/Income",
    "assets net worth": "Assets/Income",
    "net worth": "Assets/Income",
    "debt loan info": "Assets/Income",
    "debt": "Assets/Income",
    "loan": "Assets/Income",
    "credit score": "Assets/Income",
    "收入": "Assets/Income",
    "薪资": "Assets/Income",
    "工资": "Assets/Income",
    "资产": "Assets/Income",
    "负债": "Assets/Income",
    "贷款": "Assets/Income",
    "债务": "Assets/Income",
    "信用分": "Assets/Income",
    "medical health": "Medical Health",
    "medical record": "Medical Health",
    "health": "Medical Health",
    "diagnosis": "Medical Health",
    "medical condition": "Medical Health",
    "medication": "Medical Health",
    "health condition": "Medical Health",
    "医疗健康": "Medical Health",
    "健康状况": "Medical Health",
    "病历": "Medical Health",
    "疾病": "Medical Health",
    "诊断": "Medical Health",
    "医疗记录": "Medical Health",
    "precise location": "Precise Location",
    "gps": "Precise Location",
    "coordinates": "Precise Location",
    "current location": "Precise Location",
    "精确位置": "Precise Location",
    "定位": "Precise Location",
    "itinerary trajectory": "Itinerary/Trajectory",
    "itinerary": "Itinerary/Trajectory",
    "trajectory": "Itinerary/Trajectory",
    "travel plan": "Itinerary/Trajectory",
    "accommodation records": "Itinerary/Trajectory",
    "flight": "Itinerary/Trajectory",
    "行程": "Itinerary/Trajectory",
    "行程轨迹": "Itinerary/Trajectory",
    "轨迹": "Itinerary/Trajectory",
    "住宿记录": "Itinerary/Trajectory",
    "biometrics": "Biometrics",
    "biometric": "Biometrics",
    "fingerprint": "Biometrics",
    "face data": "Biometrics",
    "生物特征": "Biometrics",
    "指纹": "Biometrics",
    "人脸": "Biometrics",
    "communication content": "Communication Content",
    "private message": "Communication Content",
    "chat content": "Communication Content",
    "通信内容": "Communication Content",
    "聊天内容": "Communication Content",
    "sensitive identity": "Sensitive Identity",
    "religious beliefs": "Sensitive Identity",
    "religion": "Sensitive Identity",
    "political views stance": "Sensitive Identity",
    "political views": "Sensitive Identity",
    "sexual orientation": "Sensitive Identity",
    "ethnicity": "Sensitive Identity",
    "minor information": "Sensitive Identity",
    "敏感身份": "Sensitive Identity",
    "宗教信仰": "Sensitive Identity",
    "政治立场": "Sensitive Identity",
    "性取向": "Sensitive Identity",
    "未成年人信息": "Sensitive Identity",
    "judicial record": "Judicial Record",
    "criminal record": "Judicial Record",
    "court case": "Judicial Record",
    "lawsuit": "Judicial Record",
    "司法记录": "Judicial Record",
    "犯罪记录": "Judicial Record",
    "诉讼": "Judicial Record",
    # PL2
    "real name": "Real Name",
    "full name": "Real Name",
    "name": "Real Name",
    "person name": "Real Name",
    "真实姓名": "Real Name",
    "姓名": "Real Name",
    "名字": "Real Name",
    "phone number": "Phone Number",
    "phone": "Phone Number",
    "mobile number": "Phone Number",
    "telephone": "Phone Number",
    "cell phone": "Phone Number",
    "手机号": "Phone Number",
    "手机号码": "Phone Number",
    "电话号码": "Phone Number",
    "电话": "Phone Number",
    "联系电话": "Phone Number",
    "email": "Email",
    "e mail": "Email",
    "email address": "Email",
    "mail": "Email",
    "邮箱": "Email",
    "电子邮件": "Email",
    "邮箱地址": "Email",
    "电子邮箱": "Email",
    "detailed address": "Detailed Address",
    "address": "Detailed Address",
    "home address": "Detailed Address",
    "street address": "Detailed Address",
    "work address": "Detailed Address",
    "zip code": "Detailed Address",
    "postal code": "Detailed Address",
    "postcode": "Detailed Address",
    "详细地址": "Detailed Address",
    "地址": "Detailed Address",
    "家庭住址": "Detailed Address",
    "住址": "Detailed Address",
    "邮编": "Detailed Address",
    "account id username": "Account ID/Username",
    "account id": "Account ID/Username",
    "username": "Account ID/Username",
    "user id": "Account ID/Username",
    "user name": "Account ID/Username",
    "handle": "Account ID/Username",
    "member id": "Account ID/Username",
    "账号": "Account ID/Username",
    "用户名": "Account ID/Username",
    "账户名": "Account ID/Username",
    "会员号": "Account ID/Username",
    "network identifier": "Network Identifier",
    "ip address": "Network Identifier",
    "ip": "Network Identifier",
    "internal ip": "Network Identifier",
    "mac address": "Network Identifier",
    "device id": "Network Identifier",
    "imei": "Network Identifier",
    "hostname": "Network Identifier",
    "intranet entry point": "Network Identifier",
    "ip地址": "Network Identifier",
    "内网ip": "Network Identifier",
    "mac地址": "Network Identifier",
    "设备id": "Network Identifier",
    "设备号": "Network Identifier",
    "网络标识": "Network Identifier",
    "identity background": "Identity Background",
    "job title rank": "Identity Background",
    "job title": "Identity Background",
    "occupation": "Identity Background",
    "company organization info": "Identity Background",
    "employer company name": "Identity Background",
    "company name": "Identity Background",
    "employer": "Identity Background",
    "school": "Identity Background",
    "education": "Identity Background",
    "specific age": "Identity Background",
    "age": "Identity Background",
    "specific date of birth": "Identity Background",
    "date of birth": "Identity Background",
    "birthday": "Identity Background",
    "gender": "Identity Background",
    "nationality": "Identity Background",
    "身份背景": "Identity Background",
    "职位": "Identity Background",
    "职业": "Identity Background",
    "工作单位": "Identity Background",
    "公司": "Identity Background",
    "学校": "Identity Background",
    "年龄": "Identity Background",
    "出生日期": "Identity Background",
    "生日": "Identity Background",
    "性别": "Identity Background",
    "relationship info": "Relationship Info",
    "third party identifiable info": "Relationship Info",
    "family member": "Relationship Info",
    "relationship": "Relationship Info",
    "third party name": "Relationship Info",
    "关系信息": "Relationship Info",
    "第三方可识别信息": "Relationship Info",
    "家庭成员": "Relationship Info",
    "亲属": "Relationship Info",
    "人际关系": "Relationship Info",
}

# When no alias matches exactly, the first keyword found in the type string decides (order matters:
# more specific first). Keys are matched as whole words for Latin text, as substrings for CJK.
_KEYWORDS: tuple[tuple[str, str], ...] = (
    ("private key", "Private Key"),
    ("connection string", "Database Connection String"),
    ("verification", "Verification Code"),
    ("otp", "Verification Code"),
    ("验证码", "Verification Code"),
    ("password", "Password"),
    ("passcode", "Password"),
    ("pin", "Password"),
    ("密码", "Password"),
    ("cvv", "Payment Security Code"),
    ("cvc", "Payment Security Code"),
    ("token", "Token"),
    ("令牌", "Token"),
    ("api key", "Key"),
    ("secret key", "Key"),
    ("密钥", "Key"),
    ("vulnerab", "Vulnerability Details"),
    ("漏洞", "Vulnerability Details"),
    ("secret", "Business Secret"),
    ("confidential", "Business Secret"),
    ("机密", "Business Secret"),
    ("passport", "ID Number"),
    ("license", "ID Number"),
    ("licence", "ID Number"),
    ("ssn", "ID Number"),
    ("身份证", "ID Number"),
    ("证件", "ID Number"),
    ("护照", "ID Number"),
    ("card", "Financial Account"),
    ("bank", "Financial Account"),
    ("iban", "Financial Account"),
    ("account number", "Financial Account"),
    ("银行", "Financial Account"),
    ("卡号", "Financial Account"),
    ("transaction", "Transaction Record"),
    ("purchase", "Transaction Record"),
    ("order", "Transaction Record"),
    ("交易", "Transaction Record"),
    ("消费", "Transaction Record"),
    ("income", "Assets/Income"),
    ("salary", "Assets/Income"),
    ("asset", "Assets/Income"),
    ("debt", "Assets/Income"),
    ("loan", "Assets/Income"),
    ("收入", "Assets/Income"),
    ("资产", "Assets/Income"),
    ("medical", "Medical Health"),
    ("health", "Medical Health"),
    ("disease", "Medical Health"),
    ("医疗", "Medical Health"),
    ("健康", "Medical Health"),
    ("病", "Medical Health"),
    ("location", "Precise Location"),
    ("位置", "Precise Location"),
    ("itinerary", "Itinerary/Trajectory"),
    ("travel", "Itinerary/Trajectory"),
    ("trip", "Itinerary/Trajectory"),
    ("行程", "Itinerary/Trajectory"),
    ("biometric", "Biometrics"),
    ("生物", "Biometrics"),
    ("communication", "Communication Content"),
    ("message", "Communication Content"),
    ("religio", "Sensitive Identity"),
    ("politic", "Sensitive Identity"),
    ("宗教", "Sensitive Identity"),
    ("judicial", "Judicial Record"),
    ("criminal", "Judicial Record"),
    ("司法", "Judicial Record"),
    ("phone", "Phone Number"),
    ("mobile", "Phone Number"),
    ("电话", "Phone Number"),
    ("手机", "Phone Number"),
    ("email", "Email"),
    ("邮箱", "Email"),
    ("邮件", "Email"),
    ("address", "Detailed Address"),
    ("地址", "Detailed Address"),
    ("住址", "Detailed Address"),
    ("username", "Account ID/Username"),
    ("account", "Account ID/Username"),
    ("账号", "Account ID/Username"),
    ("ip", "Network Identifier"),
    ("mac", "Network Identifier"),
    ("device", "Network Identifier"),
    ("network", "Network Identifier"),
    ("设备", "Network Identifier"),
    ("网络", "Network Identifier"),
    ("job", "Identity Background"),
    ("employer", "Identity Background"),
    ("company", "Identity Background"),
    ("school", "Identity Background"),
    ("职业", "Identity Background"),
    ("公司", "Identity Background"),
    ("relationship", "Relationship Info"),
    ("third party", "Relationship Info"),
    ("family", "Relationship Info"),
    ("关系", "Relationship Info"),
    ("家人", "Relationship Info"),
    ("name", "Real Name"),
    ("姓名", "Real Name"),
)

_ALIAS_KEYS: dict[str, str] = {_key(alias): tag for alias, tag in _ALIASES.items()}
_ALIAS_KEYS.update({_key(tag): tag for tag in STANDARD_TYPES})
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff]")


def _keyword_match(key: str) -> str | None:
    words = f" {key} "
    for keyword, tag in _KEYWORDS:
        if (_CJK.search(keyword) and keyword in key) or f" {keyword} " in words:
            return tag
    return None


def _clean_custom(raw: str) -> str:
    text = unicodedata.normalize("NFKC", raw).strip()
    text = re.sub(r"\s+", " ", text)
    return text[:64] or "Private Data"


@lru_cache(maxsize=4096)
def normalize_type(raw: str) -> TypeInfo:
    """Map a type string from any extractor onto a standard tag.

    Exact synonyms first, then keywords; an unknown type comes back cleaned with `known=False`
    and no default level, so the caller keeps the level the extractor gave.
    """
    key = _key(raw)
    tag = _ALIAS_KEYS.get(key) or _ALIAS_KEYS.get(key.removesuffix(" info")) or _keyword_match(key)
    if tag is not None:
        return STANDARD_TYPES[tag]
    return TypeInfo(name=_clean_custom(raw), level=None, known=False)


def level_of(raw_type: str, default: PrivacyLevel = PrivacyLevel.PL4) -> PrivacyLevel:
    """The standard level of a type; an unknown type gets `default` (the strictest unless told)."""
    return normalize_type(raw_type).level or default


def types_of_level(level: PrivacyLevel | str | int) -> list[TypeInfo]:
    """The standard types of one level, in taxonomy order."""
    wanted = PrivacyLevel(level)
    return [t for t in STANDARD_TYPES.values() if t.level == wanted]


def coerce_level(value: Any) -> PrivacyLevel:
    """`PrivacyLevel(value)` that also takes an existing member (pydantic validators use it)."""
    return value if isinstance(value, PrivacyLevel) else PrivacyLevel(value)
