"""Other people named in Chinese text without a kinship word (Relationship Info, PL2): a Latin
name in a Chinese sentence, with a verb or preposition that only a person takes ("和Claire一起",
"Sofia刚才说", "给Marc发了消息"), and a transliterated foreign name with its separating dot
("约翰·范·德·伯格", "大卫·斯特恩").

spaCy's Chinese pipelines are rarely installed and the English one does not read Chinese, so a
Chinese message would otherwise keep every such name. A capitalised word alone is not taken:
brands, apps and places take the same position ("用WhatsApp", "在Paris"), so the word must be in
the cue's place next to a person's verb, and must not be one of the common brand and place words
(`_NOT_PEOPLE`). Names with a kinship word ("我妻子Marie") are `relationships`' own.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..engine import Recognizer, Scan, ScanFinder

__all__ = ["named_people_recognizers"]

_CJK = r"\u3400-\u9fff\uf900-\ufaff"
_UP = "A-ZÀ-ÖØ-Þ"
_LOW = "a-zß-öø-ÿ"
_LATIN = re.compile(
    rf"(?<![A-Za-z0-9À-ÿ@#_.\-/])(?-i:[{_UP}][{_LOW}]{{2,14}}(?:\s[{_UP}][{_LOW}]{{2,14}})?)(?![A-Za-z0-9À-ÿ_@.])"
)
# Right before a person: with, to, for, ask, tell, meet, wait for, look after ...
_BEFORE = re.compile(
    r"(?:和|跟|与|陪|陪着|给|让|叫上|告诉|问问|问|找|等|带|送|帮|联系|提醒|通知|嫁给|娶了|见到|见了|遇到|"
    r"约了|邀请|照顾|担心|想念|替|向|同|并和|还有|以及)\s?\Z"
)
# Right after a person: says, asks, just, is doing, came back, thinks, and their belongings.
_AFTER = re.compile(
    r"\A\s?(?:刚才|刚刚|刚|正在|在忙|说|发来|发了|发消息|告诉|问我|问|提议|建议|觉得|认为|笑|哭|回来|回家|"
    r"下班|出差|答应|同意|打电话|提醒|抱怨|担心|喜欢|希望|决定|知道|记得|忘了|一直|最近|这周|今天|明天|"
    r"昨天|今晚|昨晚|会来|要来|来了|去了|走了|到了|回了|和我|跟我|陪我|帮我|给我|让我|叫我|的(?:工作|生日|病|身体|妈妈|爸爸|父母|家人|孩子|"
    r"公司|同事|老板|电话|手机|邮箱|消息|意见|情况|压力|想法|建议|婚礼|葬礼|手术|签证|航班))"
)
# Capitalised words that are brands, services, products and places far more often than people.
_NOT_PEOPLE_WORDS = """
    Google Apple Amazon Microsoft Facebook Meta Instagram Twitter Tiktok Youtube Netflix Spotify
    Uber Lyft Airbnb Booking Expedia Paypal Venmo Alipay Wechat Whatsapp Telegram Signal Line
    Slack Zoom Teams Skype Discord Reddit Linkedin Github Gitlab Notion Trello Jira Figma Canva
    Dropbox Gmail Outlook Hotmail Yahoo Fastmail Proton Icloud Excel Word Powerpoint Keynote
    Pages Numbers Chrome Safari Firefox Edge Windows Linux Ubuntu Android Mac Macbook Iphone Ipad
    Kindle Alexa Siri Cortana Python Java Rust Swift Ruby Docker Tesla Toyota Honda Volvo Subaru
    Nissan Ford Bmw Audi Porsche Ikea Costco Walmart Target Tesco Carrefour Starbucks Visa
    Mastercard Amex Chase Citi Hsbc Barclays Santander Revolut Wise Nubank Stripe Shopify Ebay
    Etsy Temu Shein Zara Uniqlo Nike Adidas Lego Nintendo Sony Samsung Huawei Xiaomi Oppo Vivo
    Lenovo Dell Intel Nvidia Amd Openai Claude Gemini Chatgpt Copilot Duolingo Coursera Udemy
    Paris London Berlin Madrid Rome Tokyo Seoul Sydney Boston Chicago Seattle Toronto Vancouver
    Dubai Singapore Barcelona Lisbon Amsterdam Vienna Prague Zurich Geneva Milan Munich Dublin
    Europe Asia Africa America Canada France Germany Spain Italy Japan Korea China India Brazil
    Mexico Australia England Scotland Ireland Wales Monday Tuesday Wednesday Thursday Friday
    Saturday Sunday January February March April June July August September October November
    December Christmas Easter Halloween The This That Okay Hello Thanks Sorry Please
    """
_NOT_PEOPLE = frozenset(_NOT_PEOPLE_WORDS.split())
# The characters of the standard transliteration tables for foreign personal names: a dotted run
# made of them alone is a name ("约翰·范·德·伯格"), not a dash between words ("我觉得—好的").
_SOUNDS = (
    "阿埃艾爱安昂奥敖巴芭拜班邦保鲍贝本比彼毕宾波玻伯勃博布查达戴黛丹当道德登迪蒂丁东杜多朵厄恩尔法凡"
    "范菲费芬丰冯弗伏福富盖甘冈高戈哥格葛根贡古瓜圭果哈海汉豪赫黑亨洪胡华怀惠霍吉基贾加嘉杰捷金居卡"
    "凯坎康考柯科可克肯孔库奎拉莱赖兰朗劳勒雷蕾黎里理丽利莉连廉琳林铃凌留柳龙卢鲁陆路伦罗洛玛马迈麦"
    "曼芒梅蒙孟米密敏明摩莫姆穆纳娜奈南楠瑙内妮尼宁纽努诺欧帕派潘庞佩彭皮平珀普奇齐契恰乔切琼丘萨塞"
    "赛桑瑟森沙莎山尚绍舍申圣施什史舒斯司松苏索塔泰坦汤唐特提蒂廷通图托瓦万旺威韦维温翁沃乌伍西希"
    "夏谢辛欣休雅亚扬耶叶伊因英尤于约扎詹珍兹佐卫翰大利尔姆德伦顿得密茨泽策珊丝思芙薇琪琦娅露璐瑞芮萝"
)
_DOTTED = re.compile(rf"[{_SOUNDS}]{{1,5}}(?:-[{_SOUNDS}]{{1,6}}){{1,3}}(?![{_SOUNDS}])")
_CJK_CHAR = re.compile(rf"[{_CJK}]")


class ChineseContextNames(ScanFinder):
    """Latin names in a Chinese sentence with a person's cue, and dotted transliterated names."""

    def find(self, scan: Scan) -> Iterator[tuple[int, int]]:
        text = scan.text
        for m in _LATIN.finditer(text):
            start, end = m.span()
            words = m.group().split()
            if any(w.capitalize() in _NOT_PEOPLE for w in words):
                continue
            before = text[max(0, start - 4) : start]
            after = text[end : end + 8]
            near_cjk = bool(_CJK_CHAR.search(before[-2:]) or _CJK_CHAR.search(after[:2]))
            if near_cjk and (_BEFORE.search(before) or _AFTER.match(after)):
                yield start, end
        for m in _DOTTED.finditer(text):
            yield m.span()


def _has_cjk(text: str) -> bool:
    return _CJK_CHAR.search(text) is not None


def named_people_recognizers() -> list[Recognizer]:
    return [
        Recognizer(
            "named_person_in_chinese",
            "Relationship Info",
            finder=ChineseContextNames(),
            score=0.6,
            prefilter=_has_cjk,
            description="Latin names next to a person's verb in Chinese, dotted transliterated names",
        ),
    ]
