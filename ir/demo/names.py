"""Chinese and Western personal names for the demo data, and the ways databases write them.

A :class:`Name` keeps the characters and the pinyin syllables apart, so that every form a database
prints ("Zhang, Wei-Li", "Zhang, WL", "Wei-Li Zhang", "ZHANG Weili", "Zhang W.L.", "张伟立") is derived
from one true name. Pinyin is spelled here by hand: surnames with special readings (单 Shan, 曾 Zeng,
解 Xie, 区 Ou, 仇 Qiu) would be misread by a character-by-character converter.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from itertools import accumulate

# (characters, pinyin syllables, relative frequency ‰) — the 100 commonest surnames in roughly their
# census proportions, then rare ones chosen for their readings and compound surnames.
SURNAMES: tuple[tuple[str, tuple[str, ...], float], ...] = (
    ("王", ("Wang",), 71), ("李", ("Li",), 70), ("张", ("Zhang",), 67), ("刘", ("Liu",), 54), ("陈", ("Chen",), 45),
    ("杨", ("Yang",), 31), ("黄", ("Huang",), 22), ("赵", ("Zhao",), 22), ("吴", ("Wu",), 20), ("周", ("Zhou",), 19),
    ("徐", ("Xu",), 15), ("孙", ("Sun",), 15), ("马", ("Ma",), 13), ("朱", ("Zhu",), 13), ("胡", ("Hu",), 13),
    ("郭", ("Guo",), 11), ("何", ("He",), 11), ("高", ("Gao",), 10), ("林", ("Lin",), 10), ("罗", ("Luo",), 9),
    ("郑", ("Zheng",), 9), ("梁", ("Liang",), 9), ("谢", ("Xie",), 8), ("宋", ("Song",), 8), ("唐", ("Tang",), 7),
    ("许", ("Xu",), 7), ("韩", ("Han",), 7), ("冯", ("Feng",), 7), ("邓", ("Deng",), 7), ("曹", ("Cao",), 6),
    ("彭", ("Peng",), 6), ("曾", ("Zeng",), 6), ("肖", ("Xiao",), 6), ("田", ("Tian",), 5), ("董", ("Dong",), 5),
    ("袁", ("Yuan",), 5), ("潘", ("Pan",), 5), ("于", ("Yu",), 5), ("蒋", ("Jiang",), 5), ("蔡", ("Cai",), 5),
    ("余", ("Yu",), 5), ("杜", ("Du",), 4), ("叶", ("Ye",), 4), ("程", ("Cheng",), 4), ("苏", ("Su",), 4),
    ("魏", ("Wei",), 4), ("吕", ("Lü",), 4), ("丁", ("Ding",), 4), ("任", ("Ren",), 4), ("沈", ("Shen",), 4),
    ("姚", ("Yao",), 4), ("卢", ("Lu",), 4), ("姜", ("Jiang",), 4), ("崔", ("Cui",), 4), ("钟", ("Zhong",), 3),
    ("谭", ("Tan",), 3), ("陆", ("Lu",), 3), ("汪", ("Wang",), 3), ("范", ("Fan",), 3), ("金", ("Jin",), 3),
    ("石", ("Shi",), 3), ("廖", ("Liao",), 3), ("贾", ("Jia",), 3), ("夏", ("Xia",), 3), ("韦", ("Wei",), 3),
    ("付", ("Fu",), 3), ("方", ("Fang",), 3), ("白", ("Bai",), 2), ("邹", ("Zou",), 2), ("孟", ("Meng",), 2),
    ("熊", ("Xiong",), 2), ("秦", ("Qin",), 2), ("邱", ("Qiu",), 2), ("江", ("Jiang",), 2), ("尹", ("Yin",), 2),
    ("薛", ("Xue",), 2), ("闫", ("Yan",), 2), ("段", ("Duan",), 2), ("雷", ("Lei",), 2), ("侯", ("Hou",), 2),
    ("龙", ("Long",), 2), ("史", ("Shi",), 2), ("陶", ("Tao",), 2), ("黎", ("Li",), 2), ("贺", ("He",), 2),
    ("顾", ("Gu",), 2), ("毛", ("Mao",), 2), ("郝", ("Hao",), 2), ("龚", ("Gong",), 2), ("邵", ("Shao",), 2),
    ("万", ("Wan",), 2), ("钱", ("Qian",), 2), ("严", ("Yan",), 2), ("武", ("Wu",), 2), ("戴", ("Dai",), 2),
    ("莫", ("Mo",), 1), ("孔", ("Kong",), 1), ("向", ("Xiang",), 1), ("汤", ("Tang",), 1), ("章", ("Zhang",), 1),
    ("柳", ("Liu",), 0.6), ("俞", ("Yu",), 0.6), ("阳", ("Yang",), 0.5), ("安", ("An",), 0.6), ("欧", ("Ou",), 0.4),
    # special readings: the character's everyday reading is not the surname's
    ("单", ("Shan",), 0.5), ("解", ("Xie",), 0.3), ("区", ("Ou",), 0.2), ("仇", ("Qiu",), 0.3), ("查", ("Zha",), 0.3),
    ("朴", ("Piao",), 0.3), ("盖", ("Ge",), 0.2), ("尉", ("Yu",), 0.1),
    # compound surnames
    ("欧阳", ("Ou", "yang"), 0.6), ("司马", ("Si", "ma"), 0.1), ("上官", ("Shang", "guan"), 0.1),
    ("诸葛", ("Zhu", "ge"), 0.05), ("皇甫", ("Huang", "fu"), 0.05),
)

# given-name characters: (character, syllable)
GIVEN_CHARS: tuple[tuple[str, str], ...] = tuple(
    (c, p) for c, p in (pair.split(":") for pair in (
        "伟:wei 芳:fang 娜:na 敏:min 静:jing 丽:li 强:qiang 磊:lei 军:jun 洋:yang 勇:yong 艳:yan 杰:jie 娟:juan "
        "涛:tao 明:ming 超:chao 秀:xiu 霞:xia 平:ping 刚:gang 桂:gui 英:ying 华:hua 玉:yu 兰:lan 飞:fei 鹏:peng "
        "辉:hui 建:jian 国:guo 文:wen 志:zhi 红:hong 晓:xiao 小:xiao 海:hai 波:bo 宇:yu 浩:hao 然:ran 子:zi "
        "欣:xin 怡:yi 佳:jia 梓:zi 涵:han 晨:chen 雨:yu 轩:xuan 博:bo 思:si 婷:ting 雪:xue 琳:lin 慧:hui "
        "颖:ying 凯:kai 亮:liang 俊:jun 峰:feng 斌:bin 鑫:xin 龙:long 林:lin 阳:yang 晶:jing 倩:qian 璐:lu "
        "瑶:yao 琪:qi 帅:shuai 健:jian 彬:bin 东:dong 昊:hao 宁:ning 丹:dan 蕾:lei 萍:ping 嘉:jia 家:jia "
        "云:yun 永:yong 春:chun 秋:qiu 立:li 力:li 新:xin 德:de 福:fu 庆:qing 良:liang 成:cheng 忠:zhong "
        "荣:rong 宏:hong 卫:wei 胜:sheng 学:xue 振:zhen 维:wei 泽:ze 铭:ming 天:tian 一:yi 诗:shi 雅:ya 梦:meng "
        "若:ruo 昕:xin 悦:yue 彤:tong 岩:yan 蓉:rong 丰:feng 淼:miao 旭:xu 睿:rui 哲:zhe 帆:fan 翔:xiang "
        "珊:shan 薇:wei 婧:jing 安:an 恩:en 爱:ai 昂:ang 傲:ao 鸥:ou 峨:e 凤:feng 琦:qi 毅:yi 晖:hui 炜:wei "
        "玮:wei 巍:wei 威:wei 微:wei 莉:li 利:li 黎:li 俐:li 婉:wan 欢:huan 乐:le 锋:feng"
    ).split())
)

# a handful of same-sound characters, to make in-house homonyms on purpose (张伟 / 章伟)
HOMOPHONE_SURNAMES: dict[str, tuple[str, ...]] = {
    "Zhang": ("张", "章"), "Wang": ("王", "汪"), "Li": ("李", "黎"), "Xu": ("徐", "许"),
    "Xie": ("谢", "解"), "Qiu": ("邱", "仇"), "Yu": ("于", "余", "俞"), "Jiang": ("姜", "蒋", "江"),
    "Liu": ("刘", "柳"), "Yang": ("杨", "阳"), "Wu": ("吴", "武"), "Lu": ("卢", "陆"),
}

WESTERN_GIVEN = ("James", "Maria", "David", "Anna", "Thomas", "Laura", "Michael", "Sophie", "Peter", "Elena",
                 "Robert", "Julia", "Daniel", "Sarah", "Martin", "Emma", "Paul", "Olga", "Kenji", "Yuki",
                 "Hiroshi", "Min-jun", "Ji-woo", "Rahul", "Priya", "Ahmed", "Fatima", "Lucas", "Marco", "Ingrid")
WESTERN_FAMILY = ("Smith", "Müller", "Garcia", "Rossi", "Johnson", "Schmidt", "Martin", "Brown", "Nguyen", "Kim",
                  "Tanaka", "Suzuki", "Park", "Lee", "Sharma", "Patel", "Ivanov", "Novak", "Andersen", "Dubois",
                  "O'Brien", "van der Berg", "Fernández", "Kowalski", "Nakamura", "Hassan", "Silva", "Jensen",
                  "Wilson", "Taylor")

_SURNAME_CUM = list(accumulate(s[2] for s in SURNAMES))
_VOWEL_START = ("a", "o", "e")


@dataclass(frozen=True, slots=True)
class Name:
    """A true personal name. ``family``/``given`` are pinyin syllables for Chinese names."""

    zh: str  # 张伟立; "" for a Western name
    family: tuple[str, ...]  # ("Zhang",) ("Ou", "yang")
    given: tuple[str, ...]  # ("wei", "li")
    western: bool = False
    middle_initial: str = ""

    # ---- the forms ------------------------------------------------------------------------------
    @property
    def family_en(self) -> str:
        return _ascii("".join(self.family)) if not self.western else self.family[0]

    @property
    def given_en(self) -> str:
        """'Weili', "Jia'an": syllables run together, an apostrophe before a vowel-initial one."""
        if self.western:
            return self.given[0]
        out = self.given[0].capitalize()
        for syl in self.given[1:]:
            out += ("'" if syl[0] in _VOWEL_START else "") + syl
        return _ascii(out)

    @property
    def given_hyphen(self) -> str:
        """'Wei-Li'."""
        if self.western:
            return self.given[0]
        return _ascii("-".join(s.capitalize() for s in self.given))

    @property
    def initials(self) -> str:
        """'WL' for Wei-Li, 'W' for Wei, 'JA' for Western 'James A.'."""
        if self.western:
            return self.given[0][0] + self.middle_initial
        return "".join(s[0].upper() for s in self.given)

    @property
    def canonical_en(self) -> str:
        """The form of the dictionary's name_en: 'Zhang Weili' ('James Smith' for Western names)."""
        if self.western:
            return f"{self.given_en} {self.family_en}"
        return f"{self.family_en} {self.given_en}"

    def full_inverted(self) -> str:
        """'Zhang, Weili' (WoS AF, EI)."""
        if self.western and self.middle_initial:
            return f"{self.family_en}, {self.given_en} {self.middle_initial}."
        return f"{self.family_en}, {self.given_en}"


def _ascii(text: str) -> str:
    return text.replace("ü", "v").replace("Ü", "V") if "ü" in text.casefold() else text


def lu_forms(name: Name) -> tuple[str, ...]:
    """吕 Lü is printed Lv, Lu or Lyu depending on the database and the decade."""
    return ("Lv", "Lu", "Lyu") if name.family == ("Lü",) else (name.family_en,)


def random_chinese_name(rng: random.Random, *, single_ratio: float = 0.3) -> Name:
    idx = _pick_index(rng.random() * _SURNAME_CUM[-1])
    zh, fam, _ = SURNAMES[idx]
    n_given = 1 if rng.random() < single_ratio else 2
    chars = [GIVEN_CHARS[rng.randrange(len(GIVEN_CHARS))] for _ in range(n_given)]
    if n_given == 2 and chars[0][0] == chars[1][0] and rng.random() < 0.7:  # 伟伟 is rare: redraw once
        chars[1] = GIVEN_CHARS[rng.randrange(len(GIVEN_CHARS))]
    return Name(zh + "".join(c for c, _ in chars), fam, tuple(p for _, p in chars))


def homophone_of(name: Name, rng: random.Random) -> Name | None:
    """The same pinyin written with another surname character (张伟 -> 章伟), if there is one."""
    family = "".join(name.family)
    options = HOMOPHONE_SURNAMES.get(family)
    if not options or name.western:
        return None
    current = name.zh[: len(options[0])]
    others = [o for o in options if o != current]
    if not others:
        return None
    return Name(rng.choice(others) + name.zh[len(current):], name.family, name.given)


def random_western_name(rng: random.Random) -> Name:
    mid = rng.choice("ABCDEFGHJKLMNPRST") if rng.random() < 0.35 else ""
    return Name("", (rng.choice(WESTERN_FAMILY),), (rng.choice(WESTERN_GIVEN),), western=True, middle_initial=mid)


def _pick_index(x: float) -> int:
    lo, hi = 0, len(_SURNAME_CUM) - 1
    while lo < hi:
        mid = (lo + hi) // 2
        if _SURNAME_CUM[mid] < x:
            lo = mid + 1
        else:
            hi = mid
    return lo


# ---- how the databases print a name ---------------------------------------------------------------
# Each function returns one printed form; the exporters choose among them with the probabilities of
# ir.demo.exports. ``typo`` damages a form on purpose (a transposition or a dropped letter).

def wos_full(name: Name, style: str) -> str:
    """WoS AF. style: plain 'Zhang, Weili' | hyphen 'Zhang, Wei-Li' | lowerhyphen 'Zhang, Wei-li' | spaced."""
    if name.western or len(name.given) == 1 or style == "plain":
        return name.full_inverted()
    if style == "hyphen":
        return f"{name.family_en}, {name.given_hyphen}"
    if style == "lowerhyphen":
        return f"{name.family_en}, {name.given_hyphen.capitalize()}"
    return f"{name.family_en}, {' '.join(s.capitalize() for s in name.given)}"  # spaced: 'Zhang, Wei Li'


def wos_abbrev(name: Name, style: str) -> str:
    """WoS AU: 'Zhang, WL' when the full form separates the syllables, else 'Zhang, W'."""
    if name.western:
        return f"{name.family_en}, {name.initials}"
    if style in ("hyphen", "lowerhyphen", "spaced"):
        return f"{name.family_en}, {name.initials}"
    return f"{name.family_en}, {name.given[0][0].upper()}"


def dotted_initials(name: Name) -> str:
    """'Zhang W.L.' (no comma), as Chinese journals' English bylines and old EI records print it."""
    return f"{name.family_en} {'.'.join(name.initials)}."


def forename_first(name: Name, hyphen: bool = False) -> str:
    """'Weili Zhang' / 'Wei-Li Zhang'."""
    return f"{name.given_hyphen if hyphen else name.given_en} {name.family_en}"


def upper_family(name: Name, hyphen: bool = False) -> str:
    """'ZHANG Weili' / 'ZHANG Wei-li' (Chinese journals' English author lines)."""
    given = name.given_hyphen.capitalize() if hyphen else name.given_en
    return f"{name.family_en.upper()} {given}"


def typo(text: str, rng: random.Random) -> str:
    """One keyboard slip in the letters of ``text``: a swap of neighbours, or a dropped letter."""
    letters = [i for i, ch in enumerate(text[:-1]) if ch.isalpha() and text[i + 1].isalpha()]
    if not letters:
        return text
    i = rng.choice(letters)
    if rng.random() < 0.6:
        return text[:i] + text[i + 1] + text[i] + text[i + 2:]
    return text[:i] + text[i + 1:]
