"""Secrets (PL4): one-time codes, PINs, passwords, keys and tokens (in prose, in assignments and in
URLs), connection strings and private-key blocks; each with hard negatives, in English and Chinese."""

from __future__ import annotations

import pytest
from rule_checks import assert_found, family_only, spans_of

from memprivacy_plugin.extractors.rules import RuleExtractor
from memprivacy_plugin.taxonomy import PrivacyLevel

PL4 = PrivacyLevel.PL4


@pytest.fixture(scope="module")
def secrets_only() -> RuleExtractor:
    return family_only("secrets")


VC = "Verification Code"
PW = "Password"


POSITIVES = [
    # verification codes announced by "code": "your/my/this code is ..."
    ("your code is 482913", VC, "482913"),
    ("my code is 4829", VC, "4829"),
    ("this code: 5521 09", VC, "5521 09"),
    ("Your code is: 482913. Don't share it with anyone.", VC, "482913"),
    ("ok so my code is 7731, what do I type next?", VC, "7731"),
    ("The code I got was 558 201 but the app says it's wrong", VC, "558 201"),
    ("Here's the code - 90412", VC, "90412"),
    ("I got the code 338102 but it says expired", VC, "338102"),
    ("the 2FA code is 118 227", VC, "118 227"),
    ("Your Google verification code is G-482913", VC, "G-482913"),
    ("login code: 552891", VC, "552891"),
    ("my passcode is 2580", VC, "2580"),
    ("OTP = `604 113`", VC, "604 113"),
    ("**verification code**: 7 3 0 9 1 4", VC, "7 3 0 9 1 4"),
    # the code first, its name after
    ("Use 482913 as your verification code", VC, "482913"),
    ("482913 is your Google verification code. It expires in 10 minutes.", VC, "482913"),
    ("that 849-201 code didn't work", VC, "849-201"),
    # backup codes come as a list
    ("my backup codes: 7731-2284, 9910-4452", VC, "7731-2284"),
    ("my backup codes: 7731-2284, 9910-4452", VC, "9910-4452"),
    ("recovery codes are 11223344 55667788 99001122", VC, "55667788"),
    ("backup codes:\n- 3810-5527\n- 6402-9913", VC, "6402-9913"),
    # Chinese
    ("验证码是482913，别告诉别人", VC, "482913"),
    ("【某某银行】验证码：771029，5分钟内有效，请勿泄露。", VC, "771029"),
    ("我收到的验证码为 3 3 8 1 0 2", VC, "3 3 8 1 0 2"),
    ("短信验证码 ５５２１０９ 怎么输入啊", VC, "５５２１０９"),
    ("“验证码”是 660431", VC, "660431"),
    ("482913是您的验证码，请勿泄露", VC, "482913"),
    ("【某银行】335102为您的登录验证码", VC, "335102"),
    ("备用码：8821-3390, 1123-4456、5566-7788", VC, "1123-4456"),
    ("备用码：8821-3390, 1123-4456、5566-7788", VC, "5566-7788"),
    ("动态码 4471 09，帮我看看是不是过期了", VC, "4471 09"),
    # PINs, digits spaced or dashed
    ("PIN: 4 8 2 9", PW, "4 8 2 9"),
    ("PIN码是 4 8 2 9", PW, "4 8 2 9"),
    ("my PIN is 4-8-2-9", PW, "4-8-2-9"),
    ("my ATM PIN is 0815", PW, "0815"),
    ("PIN number 7 7 3 1, please remember it for me", PW, "7 7 3 1"),
    ("PIN -- 4482", PW, "4482"),
    ("手机卡的PIN码：１２３４", PW, "１２３４"),
    ("蓝牙配对码是 9 9 0 2", PW, "9 9 0 2"),
    # passwords, including spaced digits after 密码
    ("取款密码是 4 8 2 9 1 3", PW, "4 8 2 9 1 3"),
    ("银行卡密码是 6 6 2 1 9 0", PW, "6 6 2 1 9 0"),
    ("支付密码：１３５７９０", PW, "１３５７９０"),
    ("门禁密码是 4 4 1 0", PW, "4 4 1 0"),
    ("wifi密码：Abc12345", PW, "Abc12345"),
    ("我的密码是 abc@2024，用户名是 zhangsan", PW, "abc@2024"),
    ("密码是123456", PW, "123456"),
    ("my wifi password is sunshine2024!", PW, "sunshine2024!"),
    ('my password is "Blue-Falcon-77"', PW, "Blue-Falcon-77"),
    ("password is `P@ssw0rd!2`", PW, "P@ssw0rd!2"),
    ("pwd: hunter2", PW, "hunter2"),
    ("the password for the router is admin1234", PW, "admin1234"),
    ("Password: Tr0ub4dor&3 (don't tell anyone)", PW, "Tr0ub4dor&3"),
    ("login for the NAS is admin / Gr33n&Lake!9", PW, "Gr33n&Lake!9"),
    ("db_password = 'hunter22'", PW, "hunter22"),
    # card security codes
    ("CVV: 123", "Payment Security Code", "123"),
    ("the CVC on the back is 4821", "Payment Security Code", "4821"),
    ("安全码是 847", "Payment Security Code", "847"),
    # keys and tokens inside URLs
    (
        'curl "https://api.weather.example.net/data/2.5/weather?q=London&appid=3f9a1c7e52b04d8e9a6f1b2c3d4e5f60"',
        "Key",
        "3f9a1c7e52b04d8e9a6f1b2c3d4e5f60",
    ),
    ("GET https://api.shop.io/v2/items?limit=50&api_key=k7Hq2PzX9mR4tW1v", "Key", "k7Hq2PzX9mR4tW1v"),
    (
        "fetch('https://maps.example.com/api/js?key=Qz8Lw3NcV6pR2tY9bX4mK7jH1fD5sA0&callback=init')",
        "Key",
        "Qz8Lw3NcV6pR2tY9bX4mK7jH1fD5sA0",
    ),
    ("[docs](https://docs.vendor.org/api?apikey=Z9y8X7w6V5u4)", "Key", "Z9y8X7w6V5u4"),
    (
        "https://cdn.vendor.com/v.mp4?Expires=1718000000&sig=a1B2c3D4e5F6g7H8i9J0",
        "Key",
        "a1B2c3D4e5F6g7H8i9J0",
    ),
    ("webhook: https://hooks.vendor.net/notify?token=9f8e7d6c5b4a3f2e1d0c", "Token", "9f8e7d6c5b4a3f2e1d0c"),
    (
        "https://graph.social.example/me?fields=id,name&access_token=EAAGm0PX4ZCpsBAKq1w2e3r4t5y6",
        "Token",
        "EAAGm0PX4ZCpsBAKq1w2e3r4t5y6",
    ),
    (
        "这个接口 https://api.wx.example.cn/cgi-bin/token?grant_type=client_credential"
        "&appid=wx1a2b3c4d5e6f7a8b 报错了",
        "Key",
        "wx1a2b3c4d5e6f7a8b",
    ),
    ("请求地址是 http://10.0.0.5:8080/api/list?page=2&token=ab12cd34ef56，返回401", "Token", "ab12cd34ef56"),
    # keys and tokens in prose and in assignments
    ("my api key is Xk29fLq0Pz81mWv7", "Key", "Xk29fLq0Pz81mWv7"),
    ("我的密钥：a8F3kP0qL2zX9vB7", "Key", "a8F3kP0qL2zX9vB7"),
    ("SECRET_KEY=9f8a7b6c5d4e3f2a", "Key", "9f8a7b6c5d4e3f2a"),
    ("session token: 7f3e9a1c2b4d", "Token", "7f3e9a1c2b4d"),
    ("会话令牌是 SEC-DRAFT-44", "Token", "SEC-DRAFT-44"),
    ("OPENAI_API_KEY=sk-proj-Qm72Lx0Zp4Wn8Tb3Vc6Rk1Yd9", "Key", "sk-proj-Qm72Lx0Zp4Wn8Tb3Vc6Rk1Yd9"),
    ("my gitlab token glpat-Hk7s2Lq9Wm4Xp0Zr8Tn3 stopped working", "Token", "glpat-Hk7s2Lq9Wm4Xp0Zr8Tn3"),
    (
        "DATABASE_URL=postgres://app:Wint3rIsC0ming@db.internal:5432/prod",
        "Database Connection String",
        "postgres://app:Wint3rIsC0ming@db.internal:5432/prod",
    ),
    ("短信里那个码是 520137，要告诉他吗", VC, "520137"),
]


@pytest.mark.parametrize(("text", "ptype", "value"), POSITIVES)
def test_positive(rules: RuleExtractor, text: str, ptype: str, value: str) -> None:
    assert_found(rules, text, ptype, value, PL4)


HARD_NEGATIVES = [
    # "code" that is source code or some other kind of code
    "my code is 1500 lines",
    "my code is 2000 lines long and slow",
    "your code is broken, can you fix it?",
    "this code has 3 bugs",
    "the code is 404 not found",
    "error code 500",
    "HTTP status code: 404",
    "the zip code is 10001",
    "The area code is 415",
    "promo code SAVE20 doesn't work",
    "use code 2024 for the discount",
    "use code 4410 for 20% off",
    "my code is 300 lines and it fails",
    "the code took 30 seconds to compile",
    "this code runs 100 times",
    "the code on line 42 fails",
    "line 12 of the code",
    "your code is 15% faster now",
    "In 2019 the code was rewritten",
    "Since 2021 the code has grown a lot",
    "Line 1500 is the code that fails",
    "exit code -1073741819",
    "I generated backup codes yesterday",
    "Please review this code: def f(x): return x",
    "这段代码有3个bug",
    "代码有 300 行",
    "验证码没收到，能再发一次吗？",
    # tokens, keys and passwords in prose
    "the token is valid",
    "my token expired yesterday",
    "In 2019 the token expired",
    "password: ********",
    "password: <your password>",
    "password = ${DB_PASSWORD}",
    "my password is correct",
    "my password is the same as before",
    "the password must contain 8 characters",
    "password must be at least 12 characters",
    "I forgot my password again",
    "change your password every 90 days",
    "密码是什么？",
    "密码忘了怎么办",
    "密码至少8位，要包含大小写字母",
    "I reset my PIN yesterday",
    "PIN码错误3次被锁了",
    "the pin is 3 inches long",
    "my API key is abc",
    "the api key is stored in vault",
    'api_key = os.environ["API_KEY"]',
    'token = os.getenv("GH_TOKEN")',
    "const secret = process.env.SECRET_KEY;",
    "API_KEY=your_api_key_here",
    "the secret is love",
    "秘钥在哪里配置？",
    # URLs whose query strings carry no credential
    "https://shop.example.com/?key=value",
    "https://shop.example.com/search?q=hello&page=2&lang=en",
    "https://shop.example.com/list?sort=price&key=color",
    "https://shop.example.com/docs?key=section-2",
    "https://shop.example.com/?token=true",
    "https://shop.example.com/callback?sig=abc",
    "https://x.example.com/?api_key=<your-key>",
    "https://site.example.com/reset?token=xxxxxxxx",
    "https://video.example.com/watch?v=dQw4w9WgXcQ&t=42",
    "?key=YOUR_API_KEY",
    "请看 https://docs.example.cn/guide?lang=zh&page=3",
    "这个二维码是 12345 号窗口的",
]


@pytest.mark.parametrize("text", HARD_NEGATIVES)
def test_hard_negative(secrets_only: RuleExtractor, text: str) -> None:
    assert spans_of(secrets_only, text) == []


def test_every_code_of_a_list_is_found(rules: RuleExtractor) -> None:
    text = "备用码：8821-3390, 1123-4456、5566-7788"
    assert [(s.privacy_type, s.text) for s in spans_of(rules, text)] == [
        (VC, "8821-3390"),
        (VC, "1123-4456"),
        (VC, "5566-7788"),
    ]


def test_two_credentials_in_one_url(rules: RuleExtractor) -> None:
    url = (
        "https://api.vendor.cn/cgi-bin/token?appid=wx1a2b3c4d5e6f7a8b&secret=9c8b7a6f5e4d3c2b1a0f9e8d7c6b5a4f"
    )
    assert [(s.privacy_type, s.text) for s in spans_of(rules, url)] == [
        ("Key", "wx1a2b3c4d5e6f7a8b"),
        ("Key", "9c8b7a6f5e4d3c2b1a0f9e8d7c6b5a4f"),
    ]


def test_a_password_value_does_not_take_the_colon(rules: RuleExtractor) -> None:
    # The full-width colon folds to ':' for matching; the span must still start at the value.
    (span,) = spans_of(rules, "wifi密码：Abc12345")
    assert (span.text, span.start) == ("Abc12345", 7)
