"""Names: every byline form parses to the same keys; pinyin with surname readings; compatibility."""

from __future__ import annotations

import pytest

from ir.names import chinese_readings, compatibility, parse_name, split_pinyin


@pytest.mark.parametrize("text, family, given, initials", [
    ("Zhang, San", "zhang", "san", "s"),
    ("Zhang, S", "zhang", "", "s"),
    ("San Zhang", "zhang", "san", "s"),
    ("ZHANG San-Li", "zhang", "sanli", "sl"),
    ("Zhang, San-li", "zhang", "sanli", "sl"),
    ("Zhang S.L.", "zhang", "", "sl"),
    ("Zhang SL", "zhang", "", "sl"),
    ("Zhang, SL", "zhang", "", "sl"),
    ("S.L. Zhang", "zhang", "", "sl"),
    ("张三", "zhang", "san", "s"),
    ("张三丽", "zhang", "sanli", "sl"),
    ("Zhang, Sanli", "zhang", "sanli", "sl"),
    ("Wenjie JIANG", "jiang", "wenjie", "wj"),
    (" Chao HAN", "han", "chao", "c"),
    ("ZHANG, LI", "zhang", "li", "l"),
    ("Smith, John A.", "smith", "john", "ja"),
    ("Müller, Jörg", "muller", "jorg", "j"),
    ("单志刚", "shan", "zhigang", "zg"),
    ("曾伟", "zeng", "wei", "w"),
    ("欧阳修", "ouyang", "xiu", "x"),
    ("区家明", "ou", "jiaming", "jm"),
    ("Zhang, San (1)", "zhang", "san", "s"),
    ("Shen, Yi'e", "shen", "yie", "ye"),  # 沈怡峨: "e" is a syllable (峨), not a middle initial
    ("Zhang, E-le", "zhang", "ele", "el"),  # 张峨乐
    ("Zhao Xiao-E", "zhao", "xiaoe", "xe"),
    ("Smith, John A", "smith", "john", "ja"),  # "John" is no pinyin: "A" stays a middle initial
])
def test_parse_name(text, family, given, initials):
    p = parse_name(text)
    assert (p.family, p.given, p.initials) == (family, given, initials)


@pytest.mark.parametrize("zh, first_reading", [
    ("单", ("shan", "", "")), ("曾", ("zeng", "", "")), ("仇", ("qiu", "", "")), ("朴", ("piao", "", "")),
    ("解", ("xie", "", "")), ("查", ("zha", "", "")),
])
def test_surname_readings(zh, first_reading):
    assert chinese_readings(zh)[0] == first_reading


def test_polyphonic_surname_keeps_the_everyday_reading_as_an_alternative():
    readings = chinese_readings("单志刚")
    assert readings[0][0] == "shan" and ("dan", "zhigang", "zg") in readings


@pytest.mark.parametrize("word, syllables", [
    ("sanli", ("san", "li")), ("zhigang", ("zhi", "gang")), ("xian", ("xian",)), ("wenjie", ("wen", "jie")),
    ("john", None),
])
def test_split_pinyin(word, syllables):
    assert split_pinyin(word) == syllables


@pytest.mark.parametrize("a, b, level", [
    ("Zhang, San", "张三", "full"),
    ("Zhang, S", "张三", "initials"),
    ("Zhang S.L.", "张三丽", "initials"),
    ("ZHANG San-Li", "Zhang, Sanli", "full"),
    ("Zhang, San-li", "San-Li Zhang", "full"),
    ("Shan, Zhigang", "单志刚", "full"),
    ("Zeng, Wei", "曾伟", "full"),
    ("Zhang, S", "Zhang, Sanli", "first_initial"),
    ("Zhnag, San", "Zhang, San", "full_typo"),
    ("张三", "张三", "same_zh"),
    ("Zhang, San", "Zhang, Sen", "none"),
    ("Zhang, San", "Wang, San", "none"),
    ("张三", "张叁", "full_typo"),  # same reading, other characters: plausible, never certain
    ("张三", "李三", "none"),
    ("Zhang, SL", "Zhang, SM", "none"),
    ("Shen, Yi'e", "沈怡峨", "full"),
    ("Shen, Yi'e", "沈怡", "none"),  # another person: 沈怡 is Shen Yi
    ("Zhang, E-le", "张乐", "none"),
])
def test_compatibility_levels(a, b, level):
    c = compatibility(a, b)
    assert c.level == level, c
    assert (c.score > 0) == (level != "none")
    assert c.evidence


def test_full_name_scores_above_initials_above_first_initial():
    full = compatibility("Zhang, Sanli", "张三丽").score
    ini = compatibility("Zhang, SL", "张三丽").score
    first = compatibility("Zhang, S", "张三丽").score
    assert full > ini > first > 0


def test_forms_cover_the_usual_writings():
    forms = parse_name("张三").forms
    assert {"Zhang, San", "San Zhang", "Zhang, S", "张三"} <= set(forms)


@pytest.mark.parametrize("text, family, given", [
    ("Yang Jingyao", "yang", "jingyao"),  # family first: a one-syllable surname, a two-syllable given name
    ("Jingyao Yang", "yang", "jingyao"),
    ("San Zhang", "zhang", "san"),  # both one syllable: the Western order is read first ...
])
def test_order_of_uncommaed_names(text, family, given):
    p = parse_name(text)
    assert (p.family, p.given) == (family, given)


def test_ambiguous_order_keeps_both_readings():
    assert ("san", "zhang", "z") in parse_name("San Zhang").readings  # ... and the other order is kept
