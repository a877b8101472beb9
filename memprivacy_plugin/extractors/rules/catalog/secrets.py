"""PL4 secrets: private-key blocks, connection strings, provider keys and tokens, passwords, PINs,
one-time codes, card security codes, and keys or tokens inside URLs."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..engine import Recognizer
from ..validators import (
    assigned_secret_ok,
    char_classes,
    code_ok,
    digits_of,
    password_ok,
    secret_ok,
    strong_password_ok,
    token_ok,
)
from ._keyed import (
    CODE_VALUE,
    DIGITS_VALUE,
    END,
    NOT_A_DATE,
    NOT_AFTER_TAIL,
    SECRET_VALUE,
    SPACED_DIGITS,
    TOKEN_VALUE,
    keyed,
    keyed_after,
)

__all__ = ["secret_recognizers"]

_PK_BEGIN = re.compile(r"-----BEGIN [A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----", re.ASCII)
_PK_END = re.compile(r"-----END [A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----", re.ASCII)
_PK_BODY = re.compile(r"[A-Za-z0-9+/=:,\-\s]{0,20000}", re.ASCII)


def _private_key_blocks(text: str) -> Iterator[tuple[int, int]]:
    """PEM/OpenSSH/PGP private-key blocks, from BEGIN to END (or to the end of the base64 body when
    the block is cut off). Linear: each END is searched once from where the scan stands."""
    if "PRIVATE KEY" not in text.upper():
        return
    pos = 0
    no_end_after = len(text) + 1
    while True:
        m = _PK_BEGIN.search(text, pos)
        if m is None:
            return
        end_at = text.find("-----END", m.end()) if m.end() < no_end_after else -1
        if end_at == -1:
            no_end_after = min(no_end_after, m.end())
            body = _PK_BODY.match(text, m.end())
            stop = body.end() if body else m.end()
            yield m.start(), stop
            pos = max(stop, m.end())
            continue
        tail = _PK_END.match(text, end_at)
        stop = tail.end() if tail else end_at
        yield m.start(), stop
        pos = stop


# A one-time code's key words. A bare "code" counts too, but not a zip/area/error/status/promo/...
# code; "my/your code is 4829" is a code, "my code is 1500 lines" is not (see _NOT_A_QUANTITY).
_NOT_CODE_KINDS = (
    "zip",
    "area",
    "postal",
    "country",
    "error",
    "status",
    "exit",
    "return",
    "source",
    "qr",
    "promo",
    "discount",
    "coupon",
    "product",
    "tracking",
    "airport",
    "color",
    "colour",
    "html",
    "dress",
    "postcode",
    "bar",
    "morse",
    "machine",
    "python",
    "sample",
    "example",
    "the following",
    "denial",
    "reference",
    "referral",
    "invite",
    "invitation",
    "booking",
    "gift",
    "tax",
    "reason",
    "sort",
)
_VC_WORDS = (
    "验证码",
    "校验码",
    "动态码",
    "动态密码",
    "激活码",
    "确认码",
    "授权码",
    "安全码",
    "取消码",
    "备用码",
    "恢复码",
    "取件码",
    "提取码",
    "取货码",
    "签收码",
    "指示码",
    "核验码",
    # a code said without its kind, after the text message that brought it ("短信里那个码是 520137")
    r"(?:短信|短信里的?|短信里那个|那个|这个|收到的|发来的)码",
    r"otp",
    r"2fa",
    r"mfa",
    r"one[- ]time (?:pass)?code",
    r"one[- ]time password",
    r"passcode",
    r"verification code",
    r"security code",
    r"auth(?:entication|orization)? code",
    r"sms code",
    r"login code",
    r"confirmation code",
    r"backup code",
    r"recovery code",
    r"access code",
    r"code" + "".join(f"(?<!{w} code)" for w in _NOT_CODE_KINDS),
)
# A number followed by a unit or a count noun is a quantity, not a code ("my code is 1500 lines").
_NOT_A_QUANTITY = (
    r"(?!\s?(?:lines?|loc|characters?|chars?|bytes?|[kmg]b|words?|times?|seconds?|secs?|ms|minutes?|mins?|"
    r"hours?|days?|errors?|warnings?|bugs?|tests?|files?|functions?|rows?|columns?|steps?|%|percent|px|"
    r"行|个|次|秒|分钟)(?![a-z])"
    # "use code 2024 for the discount": a promotion, not a one-time code
    r"|\s(?:for|to get)\s(?:a\s|an\s|the\s|your\s)?(?:\d{1,2}\s?%\s?)?(?:discount|off|free)"
    r"|\s?%\s?off|\sat checkout)"
)
# "482913 is your Google verification code", "Use 482913 as your login code", "482913是您的验证码":
# the value, then is/as and a possessive, then a named code (a bare "code" is too common for this).
_NAMED_CODE = (
    r"(?:(?:verification|security|login|sign[- ]?in|confirmation|authentication|auth|access|sms|2fa|mfa|"
    r"one[- ]time|backup|recovery) (?:code|pin)|otp|passcode|one[- ]time password)(?![A-Za-z])"
)
_CODE_THEN_NAME = (
    rf"""(?<![0-9A-Za-z_\-#])(?P<value>{CODE_VALUE})["'*”’]{{0,3}}"""
    rf"(?: (?:is|as) (?:your|the|my|a) (?:[A-Za-z][A-Za-z\-]{{1,15}} ){{0,2}}{_NAMED_CODE}"
    r"|[ ]?(?:是|为|作为)(?:你|您|我)?的?[\u4e00-\u9fff]{0,4}?(?:验证码|校验码|动态码))"
)
# Backup and recovery codes come as a list: every code of it is a code.
_CODE_LIST_KEY = re.compile(
    r"(?:(?<![A-Za-z])(?:backup|recovery|2fa|mfa)[ _-]codes?(?![A-Za-z])|备用码|恢复码|备用验证码)"
    r"""(?:[ ]?(?:are|is)\b)?[\s:：="'`*]{0,6}(?:[-*•][ ])?""",
    re.IGNORECASE,
)
_LIST_CODE = r"(?:[A-Za-z0-9]{3,6}-[A-Za-z0-9]{3,6}|\d{4,10}|[A-Za-z0-9]{8,10})"
_LIST_SEP = r"(?:[ ]?[,，、;；/][ ]?|[ ]{1,3}|\n[ ]?[-*•]?[ ]?)(?:and |和)?"
_CODE_LIST = re.compile(rf"{_LIST_CODE}(?:{_LIST_SEP}{_LIST_CODE}){{0,15}}(?![0-9A-Za-z])")
_ONE_CODE = re.compile(_LIST_CODE)


def _code_lists(text: str) -> Iterator[tuple[int, int]]:
    """Each code of a list after "backup codes" / "recovery codes" / 备用码."""
    for key in _CODE_LIST_KEY.finditer(text):
        codes = _CODE_LIST.match(text, key.end())
        if codes is None:
            continue
        for code in _ONE_CODE.finditer(text, codes.start(), codes.end()):
            if code_ok(code.group()):
                yield code.span()


_PASSWORD_WORDS = (
    "密码",
    "口令",
    "登录密码",
    r"password",
    r"passwd",
    r"pwd",
    r"passphrase",
    r"pass word",
)
_PIN_WORDS = ("pin码", r"pin(?: code| number)?", "配对码")
_CVV_WORDS = (r"cvv2?", r"cvc2?", r"card security code", "安全码", "cvv码")
_TOKEN_WORDS = (
    "令牌",
    "会话id",
    "会话标识",
    "口令",
    r"token",
    r"session(?:[ _-]?(?:auth[ _-]?)?(?:token|id|key))?",
    r"bearer",
    r"access[ _-]?token",
    r"refresh[ _-]?token",
    r"auth[ _-]?token",
)
_KEY_WORDS = (
    "密钥",
    "秘钥",
    r"api[ _-]?key",
    r"secret[ _-]?key",
    r"access[ _-]?key(?:[ _-]?id)?",
    r"auth[ _-]?key",
    r"client[ _-]?secret",
    r"secret",
    r"license key",
    r"licence key",
    r"activation key",
    r"product key",
)
# URL query parameters that carry a credential: the key kind and the token kind.
_URL_KEY_PARAMS = r"app_?id|app_?key|api_?key|apikey|key|secret|client_secret|sig|signature|x-amz-signature"
_URL_TOKEN_PARAMS = r"token|access_token|auth_token|id_token|refresh_token|auth|session|sessionid|sid|jwt"


# A word and a short number ("section-2", "page10", "v2") reads as an ordinary parameter value.
_READABLE = re.compile(r"[A-Za-z]{2,}[-_.]?\d{1,3}|\d{1,3}[-_.]?[A-Za-z]{2,}")


# A name that goes on after its key word with one of these is a setting about the secret, not the
# secret ("PASSWORD_MIN_LENGTH = 12", "TOKEN_URL=https://...", "SECRET_KEY_FILE=/etc/key").
_NOT_A_SETTING = (
    r"(?![a-z0-9_]{0,20}?(?:timeout|length|_len|_min|_max|min_|max_|expir|ttl|_age|attempt|retr|policy|"
    r"algorithm|rounds|reset|count|size|limit|field|label|hint|regex|pattern|validator|required|"
    r"enabled|strength|history|rule|prompt|_file|_path|_url|_uri|_header|_name|_env|_var|_type))"
)


def _url_param_value_ok(value: str) -> bool:
    """A credential in a query string: 6+ characters with a digit, or 16+ random-looking ones;
    not a word with a short number."""
    return len(value) >= 6 and secret_ok(value) and not _READABLE.fullmatch(value)


def secret_recognizers() -> list[Recognizer]:
    return [
        Recognizer(
            "private_key",
            "Private Key",
            finder=_private_key_blocks,
            trigger=("private key",),
            score=1.0,
            description="-----BEGIN ... PRIVATE KEY----- block to its END line",
        ),
        Recognizer(
            "db_connection_uri",
            "Database Connection String",
            pattern=r"\b(?:postgres(?:ql)?|mysql|mariadb|mongodb(?:\+srv)?|redis|rediss|amqps?|mssql|sqlserver|"
            r"oracle|cockroachdb|clickhouse|neo4j(?:\+s)?|cassandra|couchdb|memcached)(?:\+[a-z0-9]{1,20})?"
            r"://[^\s'\"<>`]{1,2000}",
            rstrip=".,;)]}",
            score=0.97,
            trigger=("://",),
            trigger_in_match=True,
            description="database URI schemes (postgres://, mysql://, mongodb+srv://, redis://, ...)",
        ),
        Recognizer(
            "jdbc_connection",
            "Database Connection String",
            pattern=r"\bjdbc:[a-z0-9]{1,20}:[^\s'\"<>`]{1,2000}",
            rstrip=".,;)]}",
            score=0.97,
            trigger=("jdbc:",),
            trigger_in_match=True,
            description="jdbc:... URLs",
        ),
        Recognizer(
            "ado_connection",
            "Database Connection String",
            pattern=r"\b(?:server|data source|host|addr)=[^;\n]{1,200}"
            r"(?:;[ ]?[a-z][a-z ]{0,30}=[^;\n]{0,200}){1,20};?",
            validator=lambda v: bool(re.search(r"(?i)(?:password|pwd)=", v)),
            score=0.95,
            trigger=("password=", "pwd="),
            description="Server=...;Password=... connection strings",
        ),
        Recognizer(
            "url_credentials",
            "Password",
            pattern=r"\b[a-z][a-z0-9+.\-]{1,15}://[^\s/:@'\"<>]{1,256}:[^\s/@'\"<>]{1,256}@[^\s'\"<>]{1,2000}",
            rstrip=".,;)]}",
            score=0.95,
            trigger=("://",),
            trigger_in_match=True,
            description="any URL with user:password@",
        ),
        Recognizer(
            "url_query_key",
            "Key",
            pattern=rf"[?&;](?:{_URL_KEY_PARAMS})=(?P<value>[A-Za-z0-9._~+/%\-]{{4,400}})",
            group="value",
            validator=_url_param_value_ok,
            rstrip=".",
            score=0.9,
            trigger=("key=", "appid=", "app_id=", "secret=", "sig=", "signature="),
            trigger_in_match=True,
            description="API keys and signatures in URL query strings (?appid=, &api_key=, &key=, &sig=)",
        ),
        Recognizer(
            "url_query_token",
            "Token",
            pattern=rf"[?&;](?:{_URL_TOKEN_PARAMS})=(?P<value>[A-Za-z0-9._~+/%\-]{{4,4000}})",
            group="value",
            validator=_url_param_value_ok,
            rstrip=".",
            score=0.9,
            trigger=("token=", "auth=", "session=", "sessionid=", "sid=", "jwt="),
            trigger_in_match=True,
            description="tokens in URL query strings (?token=, &access_token=, &sid=)",
        ),
        Recognizer(
            "openai_key",
            "Key",
            pattern=r"\bsk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_\-]{20,200}" + END,
            score=0.98,
            trigger=("sk-",),
            trigger_in_match=True,
            validator=lambda v: char_classes(v[3:]) >= 2,
            description="OpenAI-style sk-... keys",
        ),
        Recognizer(
            "anthropic_key",
            "Key",
            pattern=r"\bsk-ant-[A-Za-z0-9_\-]{20,200}" + END,
            score=0.99,
            trigger=("sk-ant-",),
            trigger_in_match=True,
            description="Anthropic sk-ant-... keys",
        ),
        Recognizer(
            "aws_access_key",
            "Key",
            pattern=r"(?-i:\b(?:AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16})" + END,
            score=0.98,
            trigger=("akia", "asia", "abia", "acca"),
            trigger_in_match=True,
            description="AWS access key ids",
        ),
        Recognizer(
            "google_api_key",
            "Key",
            pattern=r"(?-i:\bAIza[0-9A-Za-z_\-]{35})" + END,
            score=0.98,
            trigger=("aiza",),
            trigger_in_match=True,
            description="Google API keys (AIza...)",
        ),
        Recognizer(
            "stripe_key",
            "Key",
            pattern=r"\b(?:sk|rk)_(?:live|test)_[0-9A-Za-z]{16,200}" + END,
            score=0.98,
            trigger=("_live_", "_test_"),
            trigger_in_match=True,
            description="Stripe secret/restricted keys",
        ),
        Recognizer(
            "github_token",
            "Token",
            pattern=r"\b(?:gh[pousr]_[A-Za-z0-9]{30,255}|github_pat_[A-Za-z0-9_]{40,255})" + END,
            score=0.98,
            trigger=("ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"),
            trigger_in_match=True,
            description="GitHub tokens (ghp_, gho_, ghu_, ghs_, ghr_, github_pat_)",
        ),
        Recognizer(
            "gitlab_token",
            "Token",
            pattern=r"\bglpat-[A-Za-z0-9_\-]{20,200}" + END,
            score=0.98,
            trigger=("glpat-",),
            trigger_in_match=True,
            description="GitLab personal access tokens",
        ),
        Recognizer(
            "slack_token",
            "Token",
            pattern=r"\bxox[abposr]-[A-Za-z0-9\-]{10,250}" + END,
            score=0.98,
            trigger=("xox",),
            trigger_in_match=True,
            description="Slack tokens (xoxb-, xoxp-, ...)",
        ),
        Recognizer(
            "huggingface_token",
            "Token",
            pattern=r"(?-i:\bhf_[A-Za-z]{34,40})" + END,
            score=0.95,
            trigger=("hf_",),
            trigger_in_match=True,
            description="Hugging Face tokens",
        ),
        Recognizer(
            "jwt",
            "Token",
            pattern=r"\beyJ[A-Za-z0-9_\-]{5,4000}\.eyJ[A-Za-z0-9_\-]{5,4000}\.[A-Za-z0-9_\-]{10,4000}" + END,
            score=0.97,
            trigger=("eyj",),
            description="JSON Web Tokens (eyJ...eyJ...sig)",
        ),
        Recognizer(
            "secret_assignment",
            "Key",
            pattern=r"(?:api_?key|secret(?:_key)?|access_?key|auth_?key|private_?key|"
            r"client_secret)" + _NOT_A_SETTING + r"[a-z0-9_]{0,20}[\"']?[ \t]{0,4}[=:][ \t]{0,4}[\"']?"
            r"(?P<value>[^\s\"'`,;]{4,400})",
            group="value",
            validator=assigned_secret_ok,
            score=0.9,
            rstrip=".)]}>",
            trigger=("key", "secret"),
            trigger_in_match=True,
            # The name may carry any prefix (MY_API_KEY=...): matching starts at the key word.
            description="KEY=value / api_key: value assignments",
        ),
        Recognizer(
            "token_assignment",
            "Token",
            pattern=r"(?:token|session_?id|cookie)" + _NOT_A_SETTING + r"[a-z0-9_]{0,20}"
            r"[\"']?[ \t]{0,4}[=:][ \t]{0,4}"
            r"[\"']?(?P<value>[^\s\"'`,;]{8,400})",
            group="value",
            validator=lambda v: assigned_secret_ok(v) and char_classes(v) >= 2,
            score=0.9,
            rstrip=".)]}>",
            trigger=("token", "session", "cookie"),
            trigger_in_match=True,
            description="TOKEN=value assignments",
        ),
        Recognizer(
            "password_assignment",
            "Password",
            pattern=r"(?:password|passwd|pwd)"
            + _NOT_A_SETTING
            + r"[a-z0-9_]{0,20}[\"']?[ \t]{0,4}[=:][ \t]{0,4}"
            r"[\"']?(?P<value>[^\s\"'`,;]{3,200})",
            group="value",
            validator=assigned_secret_ok,
            score=0.9,
            trigger=("pass", "pwd"),
            trigger_in_match=True,
            description="PASSWORD=value assignments",
        ),
        keyed(
            "api_key_keyword",
            "Key",
            _KEY_WORDS,
            r"[A-Za-z0-9#][A-Za-z0-9._~+/=\-]{3,400}",
            validator=secret_ok,
            score=0.85,
            rstrip=".",
            trigger=("密钥", "秘钥", "key", "secret"),
        ),
        keyed(
            "verification_code",
            "Verification Code",
            _VC_WORDS,
            CODE_VALUE + _NOT_A_QUANTITY,
            validator=code_ok,
            score=0.95,
            trigger=("码", "otp", "2fa", "mfa", "code", "password"),
        ),
        Recognizer(
            "verification_code_named_after",
            "Verification Code",
            pattern=_CODE_THEN_NAME,
            group="value",
            validator=code_ok,
            score=0.9,
            not_before=f"{NOT_AFTER_TAIL}|{NOT_A_DATE}",
            trigger=("code", "pin", "otp", "passcode", "password", "验证码", "校验码", "动态码"),
            trigger_in_match=True,
            description="a code before 'is your verification code' / '是您的验证码'",
        ),
        Recognizer(
            "backup_code_list",
            "Verification Code",
            finder=_code_lists,
            score=0.9,
            trigger=("code", "备用", "恢复码"),
            description="each code of a list of backup or recovery codes",
        ),
        keyed_after(
            "verification_code_before",
            "Verification Code",
            CODE_VALUE,
            ("验证码", "code", "otp", "2fa code", "mfa code"),
            validator=code_ok,
            score=0.9,
            trigger=("验证码", "code", "otp"),
        ),
        keyed_after(
            "token_before",
            "Token",
            TOKEN_VALUE,
            ("令牌", "签收码", "指示码", "token", "auth-token", "session token"),
            validator=token_ok,
            score=0.85,
            trigger=("令牌", "码", "token"),
        ),
        keyed(
            "pin",
            "Password",
            _PIN_WORDS,
            DIGITS_VALUE,
            validator=lambda v: 4 <= len(digits_of(v)) <= 12,
            score=0.93,
            trigger=("pin", "配对码"),
        ),
        keyed_after(
            "pin_before",
            "Password",
            DIGITS_VALUE,
            ("is my pin", "is my pin code", "is the pin", "是我的pin", "是我的密码", "是密码"),
            validator=lambda v: 4 <= len(digits_of(v)) <= 12,
            score=0.9,
            trigger=("pin", "密码"),
        ),
        keyed_after(
            "password_before",
            "Password",
            SECRET_VALUE,
            ("is my password", "is my new password", "is the password", "是我的密码", "是新密码"),
            validator=password_ok,
            score=0.85,
            trigger=("password", "密码"),
        ),
        keyed(
            "payment_security_code",
            "Payment Security Code",
            _CVV_WORDS,
            r"\d{3,4}",
            score=0.95,
            trigger=("cvv", "cvc", "security code", "安全码"),
        ),
        keyed(
            "password_keyword",
            "Password",
            _PASSWORD_WORDS,
            rf"(?:{SPACED_DIGITS}|{SECRET_VALUE})",
            validator=password_ok,
            score=0.85,
            rstrip=".,;:)]}>'\"`*",
            end="",
            trigger=("密码", "口令", "pass", "pwd"),
            gap_exclude="，,、",
            lstrip=":'\"`*=(",
        ),
        Recognizer(
            "password_shaped",
            "Password",
            # All four character classes, checked by look-aheads before any Python runs.
            pattern=r"(?<![!-~])(?-i:(?=[!-~]{0,65}[a-z])(?=[!-~]{0,65}[A-Z])(?=[!-~]{0,65}[0-9])"
            r"(?=[!-~]{0,65}[!-,/:-@\[-^`{-~]))[!-~]{8,66}(?![!-~])",
            validator=strong_password_ok,
            score=0.6,
            rstrip=".,;:)]}>'\"`*",
            lstrip="'\"`*(<[:=",
            trigger=("密码", "口令", "pass", "credential", "login", "登录"),
            context=("password", "密码", "口令", "passphrase", "passwd", "credential", "login", "登录"),
            context_window=160,
            context_after=True,
            description="password-shaped string (all four character classes) near a password word",
        ),
        keyed(
            "session_token",
            "Token",
            _TOKEN_WORDS,
            TOKEN_VALUE,
            validator=token_ok,
            score=0.88,
            rstrip=".",
            trigger=("令牌", "会话", "口令", "token", "session", "bearer"),
        ),
    ]
