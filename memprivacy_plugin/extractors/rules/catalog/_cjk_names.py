"""Chinese personal names as rules can see them: a common surname and one or two given-name
characters ("王磊", "欧阳娜娜"), a familiar form ("小林", "老王", "阿强"), or a doubled nickname
("豆豆").

Chinese writes no spaces, so where a name ends is a guess: the given name stops before characters
that are nearly always grammar (的, 了, 说, 是, ...), and words that begin with a surname character but
are not names ("马上", "高兴", "毕业") are refused. Surname characters that are far more often
ordinary words ("于", "和", "向", "全", "查") are left out of the list used without a cue such as
"叫", so "我妈于是..." is no name. The surname list is the common-surname list (百家姓 order of
frequency), general knowledge rather than data.
"""

from __future__ import annotations

__all__ = [
    "ALL_SURNAMES",
    "COMPOUND_SURNAMES",
    "SURNAMES",
    "cjk",
    "cjk_name_at",
    "familiar_name_at",
    "nickname_at",
]

# The ~250 most common single-character surnames.
_ALL_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蔡蒋余于杜叶程苏魏吕丁任沈"
    "姚卢姜崔钟谭陆汪范金石廖贾夏韦付傅方白邹孟熊秦邱江尹薛闫阎段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔"
    "向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕"
    "单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚"
    "娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池"
    "查麻苑迟邝"
)
# Surname characters that, right after a kinship word, are far more often the start of an ordinary
# word ("于是", "和", "向", "全都", "时候", "关于", "路上", "项目", "司机", "房子", "游戏", ...).
_AMBIGUOUS = set(
    "于向连全时和单成明文安常管应师解车路关万能宁尚尤简景甘米包符"
    "华阳司古项麦党费冷卫商沙查麻迟欧游房曲钱农齐谷"
)
SURNAMES = frozenset(_ALL_SURNAMES) - _AMBIGUOUS
ALL_SURNAMES = frozenset(_ALL_SURNAMES)
_COMPOUND_WORDS = "欧阳 司马 上官 诸葛 皇甫 尉迟 公孙 慕容 长孙 宇文 司徒 夏侯 令狐"
COMPOUND_SURNAMES = tuple(_COMPOUND_WORDS.split())

# Characters a given name (or a nickname) does not contain: particles, pronouns, common verbs and
# adverbs, numerals and measure words that follow a name in a sentence.
_STOP = set(
    "的了着过是在和与跟同说讲也都就还又很太最更把被给对让从向往到去来回要会能可想得地不没有无这那哪个们吗呢吧"
    "啊呀哦嘛哈我你他她它您咱谁什么怎今昨前后上下里外中每各些几一二三四五六七八九十百千万两半年月日号周点"
    "分秒岁次遍第等刚才已经正在将并且而但却如果因为所以虽然然比及或请问告诉叫喊找帮替为以之其此"
    "做干吃喝玩看听写读买卖走跑住坐站睡醒拿带送用开关"
)
# Words that begin with a surname character (or with 小/老/阿) but are not names.
_NOT_NAME_WORDS = """
马上 马路 马桶 高兴 高中 高考 高铁 高速 高血 高烧 高温 高级 高手 高度 高峰 高价
高三 高二 高一 张罗 王者 周末 周围 周岁 周年 黄金 方便 方面 方法 方向 方案 方式
白天 白色 白白 金额 金钱 林林 陆续 任何 任务 任性 何时 何必 毕业 曾经 程序 毛病
牛逼 牛肉 熊孩 温度 温柔 康复 祝福 舒服 纪念 童年 凌晨 季度 蓝色 辛苦 石头 江湖
左右 夏天 秋天 黎明 谷歌 蒙古 宋朝 唐朝 雷人 龙虾 邮件 苏醒 许多 许久 冯巩 孔子
吉他 姜汤 胡说 胡乱 朱红 黄色 红色 罗列 严重 严格 武汉 杜绝 叶子 丁点 史上 陶瓷
贾某 余下 余额 徐徐 孟浪 杨树 柳树 梅花 明天 今天 天天 后天 昨天 郭某 赵某 李某
王某 张某 刘某 陈某 杨某 小时 小学 小孩 小心 小区 小说 小便 小伙 小组 小事 小吃
小名 小费 小号 小猫 小狗 小店 小镇 小朋 小姐 小哥 小弟 小妹 小孙 小儿 小女 小儿子
小家 小米 小红书 小程 小时候 小声 小心翼 小腿 小脑 小屋 小麦 小票 小菜 小额 小型 小的
小了 小点 小些 小一 小两 老是 老公 老婆 老家 老师 老板 老人 老了 老年 老大 老实
老样 老毛 老地 老同 老友 老爸 老妈 老乡 老总 老爷 老太 老头 老婆婆 老鼠 老虎 老化
老旧 老款 老去 老早 老想 老觉 老说 老在 老不 老有 老被 老要 阿姨 阿公 阿婆 阿爸
阿妈 阿里 阿根 阿拉 小于 小至 小到
"""
_NOT_NAMES = frozenset(_NOT_NAME_WORDS.split())
# Doubled characters that are words, not nicknames ("常常", "刚刚", "看看").
_NOT_NICKNAMES = frozenset(
    "常刚天慢偷好渐往早轻悄默明仅稍多大哈呵嘿谢看想说试走等个人处年步乖统通白满紧久匆纷频连屡时每远深高长静暗快"
    "爸妈哥姐弟妹爷奶叔舅姑婆公"
)


def cjk(ch: str) -> bool:
    """A CJK unified ideograph (the common block)."""
    return "\u4e00" <= ch <= "\u9fff"


def _given(text: str, i: int, most: int) -> int:
    """How many given-name characters (0 to `most`) start at `i`."""
    n = 0
    while n < most and i + n < len(text) and cjk(text[i + n]) and text[i + n] not in _STOP:
        n += 1
    return n


def cjk_name_at(text: str, i: int, *, cued: bool = False) -> int:
    """The end of a surname-and-given-name starting at `i`, or -1. Without a cue (叫, 名叫) the
    ambiguous surname characters are refused; a name is two or three characters (four with a
    compound surname)."""
    surname = 2 if text.startswith(COMPOUND_SURNAMES, i) else 1
    if surname == 1 and (i >= len(text) or text[i] not in (ALL_SURNAMES if cued else SURNAMES)):
        return -1
    given = _given(text, i + surname, 2)
    if given == 0:
        return -1
    # Prefer the two-character given name unless its first two characters form a non-name word.
    for size in range(given, 0, -1):
        end = i + surname + size
        if text[i : i + surname + 1] in _NOT_NAMES or text[i:end] in _NOT_NAMES:
            return -1
        if size == 2 and text[i + surname : end] in _NOT_NAMES:
            continue
        return end
    return -1


def familiar_name_at(text: str, i: int) -> int:
    """The end of 小X / 阿X / 老X(surname) starting at `i`, or -1 ("小林", "阿强", "老王")."""
    if i + 1 >= len(text) or text[i] not in "小阿老":
        return -1
    second = text[i + 1]
    # a common surname is a familiar name even where it is also a grammar word ("小周", week)
    if not cjk(second) or (second in _STOP and second not in SURNAMES):
        return -1
    if text[i] == "老" and second not in ALL_SURNAMES:
        return -1
    if text[i : i + 2] in _NOT_NAMES or text[i : i + 3] in _NOT_NAMES:
        return -1
    return i + 2


def nickname_at(text: str, i: int) -> int:
    """The end of a doubled nickname ("豆豆", "乐乐") starting at `i`, or -1."""
    if i + 1 >= len(text):
        return -1
    a, b = text[i], text[i + 1]
    if a != b or not cjk(a) or a in _STOP or a in _NOT_NICKNAMES:
        return -1
    if i + 2 < len(text) and text[i + 2] == a:  # "哈哈哈"
        return -1
    return i + 2
