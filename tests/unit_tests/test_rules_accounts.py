"""Account ID/Username (PL2): usernames, handles and platform IDs after the word that announces
them; hard negatives are stop words and placeholders after "username", "handle" as a verb, code that
reads a username, and numbers that are counts or versions."""

from __future__ import annotations

import pytest
from rule_checks import assert_found, family_only, spans_of

from memprivacy_plugin.extractors.rules import RuleExtractor
from memprivacy_plugin.taxonomy import PrivacyLevel

ACCOUNT = "Account ID/Username"


@pytest.fixture(scope="module")
def accounts_only() -> RuleExtractor:
    return family_only("accounts")


POSITIVES = [
    ("and my Username, ekovač407, is still locked", "ekovač407"),
    ("用户名是 jürgen_88，请核对", "jürgen_88"),
    ("my username is quill_fox77", "quill_fox77"),
    ("Username: marigold.", "marigold"),
    ("my user name on the forum is Bramble_Owl", "Bramble_Owl"),
    ("my Steam ID is 76561198034567812", "76561198034567812"),
    ("add me, my gamertag is SilentMoose", "SilentMoose"),
    ("my PSN is vortex_kid_04", "vortex_kid_04"),
    ("IG: @tamsin.draws", "@tamsin.draws"),
    ("my instagram is @leaf.and.ink", "@leaf.and.ink"),
    ("Discord: corvid#2290", "corvid#2290"),
    ("follow me on twitter wren_codes", "wren_codes"),
    ("my handle is @plumtree", "@plumtree"),
    ("my reddit is u/old_lighthouse", "u/old_lighthouse"),
    ("my screen name was xXfrostXx99", "xXfrostXx99"),
    ("微信号是 lanyu_2021", "lanyu_2021"),
    ("微信号：wxid_q8r2m5", "wxid_q8r2m5"),
    ("QQ号 28461937", "28461937"),
    ("我的QQ是905512347", "905512347"),
    ("抖音号：moli_daily", "moli_daily"),
    ("用户名是zhouzhou88", "zhouzhou88"),
    ("我的微信是yuyan_0621，加我", "yuyan_0621"),
    ("我的游戏账号是xiaoyu_88", "xiaoyu_88"),
    ("I logged in as moss_runner3 yesterday", "moss_runner3"),
    ("follow me @inkwell.studio", "@inkwell.studio"),
]


@pytest.mark.parametrize(("text", "value"), POSITIVES)
def test_positive(rules: RuleExtractor, text: str, value: str) -> None:
    assert_found(rules, text, ACCOUNT, value, PrivacyLevel.PL2)


HARD_NEGATIVES = [
    "my username is the same as my email",
    "enter your username and password",
    "my username is pretty long",
    "username: admin",
    "how do I handle errors in Go?",
    "how should I handle user_input here?",
    'username = request.form["username"]',
    'user_id = request.args.get("id")',
    "error on line 420",
    "twitter 2.0 is a mess",
    "QQ音乐很好用",
    "我用微信支付",
    "用户名是什么",
    "instagram is down again",
    "I deleted my tiktok account",
    "my steam library has 300 games",
    "the login page is broken",
    "账号 62220212345678",
]


@pytest.mark.parametrize("text", HARD_NEGATIVES)
def test_hard_negative(accounts_only: RuleExtractor, text: str) -> None:
    assert spans_of(accounts_only, text) == []


def test_long_text_near_triggers_matches_full_scan() -> None:
    texts = [t for t, _ in POSITIVES] + HARD_NEGATIVES
    filler = "Nothing private in this sentence about the weather and lunch plans. "
    text = "\n".join(s + " " + filler * (i % 4) for i, s in enumerate(texts * 3))
    near, full = family_only("accounts"), family_only("accounts")
    full.near_triggers = False
    got = [(s.start, s.end) for s in near.extract(text)]
    assert len(got) >= len(POSITIVES) * 3
    assert got == [(s.start, s.end) for s in full.extract(text)]


@pytest.mark.parametrize(
    "unit", ["username is a_1 ", "username ", "IG: @a.b ", "微信号是abc123 ", "QQ号 12345678 "]
)
def test_repeated_input_takes_linear_time(growth, unit: str) -> None:
    rules = family_only("accounts")

    def make(n: int) -> str:
        return (unit * (n // len(unit) + 1))[:n]

    assert growth(rules.extract, make, 20_000) < 4
