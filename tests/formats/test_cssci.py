"""CSSCI text export parser.

No real CSSCI export is among the shared samples: the fixture follows the layout of the 南京大学 system's
download (the header, 【...】 labels with inner spaces, "/"-separated lists, the dashed separator, references
one per line), with both 机构名称 styles ("[作者名]机构." and "[1]机构.城市.邮编"), a record missing fields,
a wrapped English title, GB18030 bytes and CRLF. Golden file tests/golden/cssci/fixture.json.
Set IR_UPDATE_GOLDEN=1 to rewrite it (then review the diff).
"""

from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path

import pytest
import sqlalchemy as sa

from ir import formats
from ir.formats.cssci import label, split_institutions, split_year_volume_issue
from ir.ingest import ingest_paths, read_file
from ir.model import Problem, Record
from ir.store.tables.ingest import source_records

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "cssci"

CSSCI = """\
南京大学中国社会科学研究评价中心
数字文献处理系统 版本：2.1
版权所有 (C) 2000 - 2001 CSSCI Corp.


【来源篇名】基于关键词演进的我国科技评价学科发展研究
【英文篇名】The Development of Evaluation on Science and Technology: A Theory Tree
based on Keyword Evolution
【来源作者】李强/赵一方/黄岑
【基    金】国家自然科学基金面上项目(71373253)/创新方法工作专项项目(2013IM010100)
【期    刊】科学学与科学技术管理
【第一机构】中国科学院科技战略咨询研究院
【机构名称】[李强]中国科学院科技战略咨询研究院./[赵一方]《中国学术期刊(光盘版)》电子杂志社./[黄岑]《中国学术期刊(光盘版)》电子杂志社.
【第一作者】李强
【中图类号】G306.0
【年代卷期】2019,40(010):3-19
【关 键 词】科技评价/关键词/共词分析/学科树
【基金类别】国家自然科学基金
【参考文献】
1.邱均平.文献计量学.北京:科学技术文献出版社.1988
2.Small H.Co-citation in the scientific literature.Journal of the American Society for Information Science.1973.24(4)
-----------------------------------------------------------------------

【来源篇名】清代州县档案中的诉讼文书
【来源作者】张三/李四
【期    刊】历史研究
【机构名称】[1]北京大学历史学系.北京.100871/[2]清华大学历史系.北京.100084/[1]北京大学法学院.北京.100871
【通讯作者】李四(lisi@tsinghua.edu.cn)
【学科类别】历史学
【文章类型】论文
【年代卷期】2020,(05):10-20
【关 键 词】清代/州县档案/诉讼
【参考文献】
-----------------------------------------------------------------------

【来源篇名】
【来源作者】王五
【期    刊】图书情报工作
-----------------------------------------------------------------------

【来源篇名】只有题名与期刊的记录
【期    刊】图书馆论坛
【年代卷期】2021,41(3):1
"""


def parse(text: str) -> list:
    return list(formats.get("cssci").parse(text))


def test_fixture_golden():
    got = [i.to_dict() if isinstance(i, Record) else {"problem": dataclasses.asdict(i)} for i in parse(CSSCI)]
    path = GOLDEN / "fixture.json"
    if os.environ.get("IR_UPDATE_GOLDEN"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(got, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    assert got == json.loads(path.read_text(encoding="utf-8"))


def test_records():
    r1, r2, bad, r4 = parse(CSSCI)
    assert (r1.source, r1.source_id_kind, r1.source_id[:5]) == ("cssci", "hash", "hash:")
    assert [(t.text, t.lang, t.translated) for t in r1.titles] == [
        ("基于关键词演进的我国科技评价学科发展研究", "zh", False),
        ("The Development of Evaluation on Science and Technology: A Theory Tree based on Keyword Evolution", "en", True),
    ]
    assert [(a.name, a.affiliations) for a in r1.authors] == [("李强", [0]), ("赵一方", [1]), ("黄岑", [1])]
    assert [a.text for a in r1.affiliations] == ["中国科学院科技战略咨询研究院", "《中国学术期刊(光盘版)》电子杂志社"]
    assert (r1.year, r1.volume, r1.issue, r1.first_page, r1.last_page) == (2019, "40", "1", "3", "19")
    assert r1.keywords == ["科技评价", "关键词", "共词分析", "学科树"]
    assert r1.funding == ["国家自然科学基金面上项目(71373253)", "创新方法工作专项项目(2013IM010100)"]
    assert (r1.clc_codes, r1.journal.title, r1.language, r1.doc_type) == (["G306.0"], "科学学与科学技术管理", "zh", "article")
    assert r1.raw["参考文献"] == ["1.邱均平.文献计量学.北京:科学技术文献出版社.1988\n2.Small H.Co-citation in the scientific "
                               "literature.Journal of the American Society for Information Science.1973.24(4)"]
    assert r1.raw["基金类别"] == ["国家自然科学基金"]

    # numbered institutions: author 1 has two
    assert [(a.name, a.affiliations, a.corresponding) for a in r2.authors] == [
        ("张三", [0, 2], False), ("李四", [1], True)]
    assert [a.text for a in r2.affiliations] == ["北京大学历史学系.北京.100871", "清华大学历史系.北京.100084", "北京大学法学院.北京.100871"]
    assert (r2.year, r2.volume, r2.issue, r2.first_page, r2.last_page) == (2020, None, "05", "10", "20")
    assert r2.categories == ["历史学"] and r2.doc_type == "article" and r2.doc_type_raw == "论文"

    assert isinstance(bad, Problem) and (bad.record_no, bad.field) == (3, "来源篇名")
    assert bad.line == 36 and bad.raw.startswith("【来源篇名】\n【来源作者】王五")
    assert (r4.title, r4.year, r4.volume, r4.issue, r4.first_page, r4.authors) == ("只有题名与期刊的记录", 2021, "41", "3", "1", [])


def test_ids_are_stable_and_distinct():
    a, b = parse(CSSCI), parse(CSSCI.replace("\n", "\r\n"))
    ids = [r.source_id for r in a if isinstance(r, Record)]
    assert ids == [r.source_id for r in b if isinstance(r, Record)] and len(set(ids)) == 3


def test_an_id_field_is_used():
    (rec,) = parse("【来源篇名】一篇\n【文献编号】CSSCI2020050001\n【期    刊】历史研究\n")
    assert (rec.source_id, rec.source_id_kind) == ("CSSCI2020050001", "native")


@pytest.mark.parametrize(("value", "expected"), [
    ("2019,40(010):3-19", (2019, "40", "1", "3-19")),  # CSSCI's issue code: the issue times ten
    ("2011,55(240):75-79,131", (2011, "55", "24", "75-79,131")),
    ("2019,38(041):1-5", (2019, "38", "041", "1-5")),  # not a multiple of ten: as given
    ("2020,(05):10-20", (2020, None, "05", "10-20")),
    ("2021,41(3):1", (2021, "41", "3", "1")),
    ("2018，(增刊):5-9", (2018, None, "增刊", "5-9")),
    ("2017", (2017, None, None, None)),
    ("", (None, None, None, None)),
])
def test_split_year_volume_issue(value, expected):
    assert split_year_volume_issue(value) == expected


@pytest.mark.parametrize(("value", "expected"), [
    ("[1]北京大学历史学系.北京.100871/[2]清华大学", [("1", "北京大学历史学系.北京.100871"), ("2", "清华大学")]),
    ("[李强]中国科学院科技战略咨询研究院./[赵一方]电子杂志社.", [("李强", "中国科学院科技战略咨询研究院"), ("赵一方", "电子杂志社")]),
    ("南京大学信息管理学院", [(None, "南京大学信息管理学院")]),
    ("", []),
])
def test_split_institutions(value, expected):
    assert split_institutions(value) == expected


@pytest.mark.parametrize(("value", "expected"), [("关 键 词", "关键词"), ("基    金", "基金"), ("期\u3000刊", "期刊")])
def test_label(value, expected):
    assert label(value) == expected


def test_sniff(samples):
    fmt = formats.get("cssci")
    assert formats.detect_text(CSSCI) is fmt
    assert fmt.sniff("【来 源 篇 名】x\n")
    for path in sorted(samples.rglob("*")):
        if path.is_file() and path.name != "MANIFEST.md":
            head = read_file(path).data.decode("utf-8-sig", "replace")[: formats.SNIFF_BYTES]
            assert fmt.sniff(head) == (path.parent.name == "cssci"), path.name


def test_ingest_gb18030_end_to_end(store, tmp_path):
    path = tmp_path / "LY_20200602204532.txt"
    path.write_bytes(CSSCI.replace("\n", "\r\n").encode("gb18030"))
    pf = read_file(path)
    assert (pf.encoding, pf.fmt.name) == ("gb18030", "cssci")
    (res,) = ingest_paths(store, [path])
    assert (res.records_read, res.stored, res.quarantined) == (4, 3, 1)
    with store.connect() as conn:
        before = conn.execute(sa.select(source_records.c.source_id, source_records.c.updated_at)
                              .where(source_records.c.source == "cssci").order_by(source_records.c.source_id)).all()
    ingest_paths(store, [path])
    with store.connect() as conn:
        after = conn.execute(sa.select(source_records.c.source_id, source_records.c.updated_at)
                             .where(source_records.c.source == "cssci").order_by(source_records.c.source_id)).all()
    assert after == before and len(after) == 3
