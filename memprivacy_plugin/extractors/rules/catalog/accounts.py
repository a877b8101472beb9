"""Account ID/Username (PL2): a username, handle or platform ID after the word that announces it.

"my username is dana_k92", "my Steam ID is 76561198012345678", "IG: @dana.k", "Discord: dana#4821",
"微信号是 abc123", "QQ号 12345678", "抖音号：dana_2020". An identifier alone is not taken: "@dana" in a
message may be anyone's, and a word after "handle" is usually a verb's object ("handle errors").

Two strengths of key word. After "username", "screen name", "gamertag", "用户名", "微信号" and the like,
any value counts, a plain word too ("username: sunflower"), unless it is a stop word or a
placeholder ("username is the same as ...", "username: admin"). After a platform's name or a weaker
word ("my Instagram is ...", "handle", "ID") the value must look like an identifier: a digit, an
underscore, a dot, a leading @ or an inner capital. Code that reads a value ("username =
request.form[...]") is not one. Bank account numbers after 账号/account are `finance`'s.
"""

from __future__ import annotations

from ..engine import Recognizer
from ..validators import not_placeholder
from ._keyed import keyed

__all__ = ["account_recognizers"]

ACCOUNT = "Account ID/Username"

_STRONG_WORDS = (
    r"user[ _-]?name",
    r"screen[ _-]?name",
    r"login[ _-]?name",
    r"gamer[ _-]?tag",
    r"battle[ _-]?tag",
    r"psn(?: id| name)?",
    r"xbox(?: live)? (?:gamertag|id|name)",
    r"steam (?:id|name|username)",
    r"riot id",
    r"discord (?:id|tag|name|username|handle)",
    r"用户名",
    r"账号名",
    r"帐号名",
    r"账户名",
    r"登录名",
    r"登录账号",
    r"微信号",
    r"微信id",
    r"vx号",
    r"wx号",
    r"qq号码?",
    r"抖音号",
    r"快手号",
    r"小红书号",
    r"b站(?:id|账号|uid)",
    r"微博(?:id|账号|名)",
    r"游戏(?:id|账号|昵称)",
    r"用户id",
)
_STRONG_TRIGGERS = (
    "username",
    "user name",
    "user_name",
    "user-name",
    "screen name",
    "screenname",
    "screen_name",
    "screen-name",
    "login name",
    "loginname",
    "login_name",
    "login-name",
    "gamertag",
    "gamer tag",
    "gamer_tag",
    "gamer-tag",
    "battletag",
    "battle tag",
    "battle_tag",
    "battle-tag",
    "psn",
    "xbox",
    "steam",
    "riot id",
    "discord",
    "用户名",
    "用户id",
    "账号名",
    "帐号名",
    "账户名",
    "登录",
    "微信",
    "vx号",
    "wx号",
    "qq",
    "抖音号",
    "快手号",
    "小红书号",
    "b站",
    "微博",
    "游戏",
)
_PLATFORM_WORDS = (
    r"(?:instagram|insta|ig|twitter|tiktok|snapchat|reddit|github|gitlab|twitch|telegram|discord|"
    r"steam|skype|kakao(?:talk)?|venmo|cash ?app|roblox|minecraft|fortnite|epic games|wechat|weixin|"
    r"weibo|douyin|bluesky|mastodon|line id|youtube|linkedin|pinterest|tumblr|spotify|"
    r"xbox|playstation|nintendo|friend code)"
    r"(?: (?:id|handle|username|user|name|tag|account|acct|profile|channel|code))?",
    # "handle" is mostly a verb: only when a value is announced ("my handle is ...", "handle: ...").
    r"handle(?= ?(?:is|was|[:：=]))",
    r"user[ _-]?id",
    r"account (?:id|name|handle)",
    r"member(?:ship)? (?:id|number|no\.?)",
    r"player (?:id|name)",
    r"customer (?:id|number|no\.?)",
    r"微信",
    r"vx",
    r"wx",
    r"qq",
    r"b站",
    r"微博",
    r"uid",
)
_PLATFORM_TRIGGERS = (
    "instagram",
    "insta",
    "ig ",
    "ig:",
    "ig,",
    "twitter",
    "tiktok",
    "snapchat",
    "reddit",
    "github",
    "gitlab",
    "twitch",
    "telegram",
    "discord",
    "steam",
    "skype",
    "kakao",
    "venmo",
    "cash app",
    "cashapp",
    "roblox",
    "minecraft",
    "fortnite",
    "epic games",
    "wechat",
    "weixin",
    "weibo",
    "douyin",
    "bluesky",
    "mastodon",
    "line id",
    "youtube",
    "linkedin",
    "pinterest",
    "tumblr",
    "spotify",
    "xbox",
    "playstation",
    "nintendo",
    "friend code",
    "handle",
    "user id",
    "userid",
    "user_id",
    "user-id",
    "account id",
    "account name",
    "account handle",
    "member id",
    "member number",
    "member no",
    "membership",
    "player id",
    "player name",
    "customer id",
    "customer number",
    "customer no",
    "微信",
    "vx",
    "wx",
    "qq",
    "b站",
    "微博",
    "uid:",
    "uid ",
    "uid是",
    "uid=",
)

# An identifier (Latin letters with accents too: "ekovač407"): a leading @ or u/, or a digit,
# underscore, dot or dash inside, or an inner capital ("DanaK"); a Discord discriminator may
# follow ("dana#4821").
_MARKED = (
    r"(?:@[A-Za-z0-9_][A-Za-z0-9_.]{1,30}"
    r"|u/[A-Za-z0-9_\-]{3,20}"
    r"|(?=[A-Za-z\u00c0-\u024f0-9_.\-]{0,31}[0-9_.\-])[A-Za-z\u00c0-\u024f0-9_][A-Za-z\u00c0-\u024f0-9_.\-]{2,31}"
    r"|(?-i:[A-Za-z][a-z0-9]*[A-Z][A-Za-z0-9]*)"
    r"|[A-Za-z0-9_.]{2,32}(?=#\d{4}))"
    r"(?:#\d{4})?"
)
# A plain word, only where the clause ends after it ("username: sunflower.", "用户名是sunflower，").
_PLAIN = (
    r"[A-Za-z][A-Za-z]{2,31}(?=\s?[.,!?;:)\"'’”\]\n，。！？；、）]|\s?$|[\u4e00-\u9fff]|"
    r"\s(?:and|but|on|for|if|so|in|at|from|with|or)(?![A-Za-z]))"
)
# What ends a value: not more of it, and not code reading it ("request.form[", "get(").
_END = r"(?![0-9A-Za-z\u00c0-\u024f_@.\[(])"
_STOP_WORDS_TEXT = """
    and or the a an is was are be my your his her our their its same different not still just also too
    field fields password passwords pass email mail required optional invalid valid wrong correct
    incorrect taken available public private visible hidden changed change please here there below above
    for with without from to in on at of that this it which what whatever something anything nothing none
    null nil undefined empty blank missing unique case sensitive should must can will would could may
    str string int integer bool boolean true false text varchar char type value name names user users
    username usernames admin administrator root guest test demo example sample default login logout
    id ids number account accounts handle handles profile settings mine yours new old real fake
    """
_STOP_WORDS = frozenset(_STOP_WORDS_TEXT.split())


# Names code reads values from ("request.form", "self.username", "config.user").
_CODE_WORDS_TEXT = """
    self this request req args form params param config settings os env environ user data json body query
    props state ctx context session input payload obj model record row item db cursor response res result
    get set name username id value values field fields info details auth creds credentials
    """
_CODE_WORDS = frozenset(_CODE_WORDS_TEXT.split())


def _account_ok(value: str) -> bool:
    core = value.lstrip("@").rstrip(".-")
    if len(core) < 3 or core.lower() in _STOP_WORDS or not not_placeholder(core):
        return False
    if not any(c.isalpha() for c in core):
        # A QQ number or a Steam ID is all digits; a short number is more likely a count.
        return core.isdigit() and len(core) >= 5
    parts = core.lower().split(".")
    return not (
        len(parts) > 1 and not value.startswith("@") and (parts[0] in _CODE_WORDS or parts[-1] in _CODE_WORDS)
    )


# Words that announce a login or a bank account alike; a value with a letter is a login
# ("我的账号是dana_2020", "logged in as dana_k"); digits alone are left to `finance`.
_LOGIN_WORDS = (
    r"login",
    r"log(?:ged)?[ -]?in as",
    r"sign(?:ed)?[ -]?in as",
    r"follow me(?: on [a-z]+)?(?: at)?",
    r"账号",
    r"帐号",
    r"账户",
    r"游戏id",
    r"id号",
)


def _login_ok(value: str) -> bool:
    return _account_ok(value) and any(c.isalpha() for c in value)


def account_recognizers() -> list[Recognizer]:
    return [
        keyed(
            "username_keyword",
            ACCOUNT,
            _STRONG_WORDS,
            rf"(?:{_MARKED}|{_PLAIN})",
            validator=_account_ok,
            score=0.85,
            rstrip=".-",
            end=_END,
            trigger=_STRONG_TRIGGERS,
            description="a username or ID after username/screen name/gamertag/用户名/微信号/QQ号",
        ),
        keyed(
            "platform_handle",
            ACCOUNT,
            _PLATFORM_WORDS,
            _MARKED,
            validator=_account_ok,
            score=0.8,
            rstrip=".-",
            end=_END,
            trigger=_PLATFORM_TRIGGERS,
            description="an identifier-shaped handle after a platform's name ('my IG is @dana.k')",
        ),
        keyed(
            "login_keyword",
            ACCOUNT,
            _LOGIN_WORDS,
            _MARKED,
            validator=_login_ok,
            score=0.8,
            rstrip=".-",
            end=_END,
            trigger=(
                "login",
                "log in",
                "logged in",
                "log-in",
                "sign in",
                "signed in",
                "sign-in",
                "follow me",
                "账号",
                "帐号",
                "账户",
                "游戏id",
                "id号",
            ),
            description="a login with a letter after login/logged in as/账号 ('我的账号是dana_2020')",
        ),
    ]
