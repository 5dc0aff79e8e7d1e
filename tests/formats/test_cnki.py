"""CNKI (E-Study/custom, EndNote, RefWorks, NoteExpress, Excel) and Wanfang (NoteExpress) parsers.

Real samples: shared/samples/cnki_estudy and shared/samples/wanfang_noteexpress (golden files in
tests/golden/cnki, checked by hand against the sample text). The other CNKI formats have no real sample
yet: their fixtures below follow the formats' documentation, with the quirks seen in the real files
(trailing ';', full-width '；', missing fields, GB18030 bytes, CRLF).

Set IR_UPDATE_GOLDEN=1 to rewrite the golden files after a deliberate change (then review the diff).
"""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

import pytest
import sqlalchemy as sa
from hypothesis import given, settings
from hypothesis import strategies as st

from ir import formats
from ir.formats import cnki_estudy, cnki_excel, noteexpress
from ir.formats._tagged import Grammar, link_by_order, link_by_position, pages, split_records
from ir.ingest import ingest_paths, read_file
from ir.model import Author, Problem, Record
from ir.store.tables.ingest import ingest_batches, quarantine, source_records

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "cnki"
ESTUDY = "cnki_estudy/mrhelper-demo_cnki_202101.txt"
WANFANG = "wanfang_noteexpress/mrhelper-demo_wanfang_202101.NET"


def parse_file(path: Path) -> list[Record | Problem]:
    pf = read_file(path)
    assert pf.error is None, pf.error
    return pf.items


def records(items) -> list[Record]:
    return [i for i in items if isinstance(i, Record)]


def problems(items) -> list[Problem]:
    return [i for i in items if isinstance(i, Problem)]


def check_golden(name: str, items: list[Record | Problem], picks: list[int]) -> None:
    got = {str(n): items[n - 1].to_dict() for n in picks}
    path = GOLDEN / f"{name}.json"
    if os.environ.get("IR_UPDATE_GOLDEN"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(got, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    expected = json.loads(path.read_text(encoding="utf-8"))
    for n in expected:
        assert got[n] == expected[n], f"record {n} of {name} differs from its golden file"


# ---------------------------------------------------------------------------- the real samples


def test_estudy_sample_reads_every_record(samples):
    items = parse_file(samples / ESTUDY)
    assert read_file(samples / ESTUDY).fmt.name == "cnki-estudy"
    assert len(items) == 20
    assert problems(items) == []
    recs = records(items)
    assert all(r.source == "cnki" and r.source_id_kind == "native" for r in recs)
    assert len({r.source_id for r in recs}) == 20
    assert sum(1 for r in recs if not r.authors) == 1  # 中国女性乳腺癌筛查标准 has no Author line
    assert all(r.year == 2021 for r in recs)  # Year-年 on 13, PubTime-出版时间 on the other 7
    assert not any(r.abstract.startswith("<正>") for r in recs)
    assert all(r.titles[0].lang == "zh" for r in recs)


def test_estudy_sample_golden(samples):
    check_golden("estudy", parse_file(samples / ESTUDY), [1, 2, 5, 7, 8, 20])


@pytest.mark.parametrize(
    ("record_no", "source_id", "year", "volume", "issue", "pages", "page_count", "authors", "links"),
    [
        # 3 authors, 2 units: CNKI does not say who belongs where, so nobody is linked
        (1, "ZNYX202101034", 2021, "19", "01", ("168", "170"), 3, ["柯洪琴", "陈璿英", "王启斌"], [[], [], []]),
        # no Author, no Year (year from PubTime "2021-01-15 16:54"), no Roll/Period
        (2, "JBKZ20210115000", 2021, None, None, ("1", "7"), 7, [], []),
        # "175-177+183": the range is 175-177
        (5, "MDJB202101046", 2021, "42", "01", ("175", "177"), 4,
         ["尹贵彬", "金春明", "李亚南", "宫方岩", "张雯琼"], [[], [], [], [], []]),
        # 2 authors, 2 units: linked by position
        (8, "NMYX202101027", 2021, "43", "01", ("100", "103"), 4, ["赵娜", "张瑞"], [[0], [1]]),
        # one unit: every author's
        (4, "LCYW202101007", 2021, "19", "01", ("31", "34"), 4, ["王菲", "陈月", "张海英"], [[0], [0], [0]]),
    ],
)
def test_estudy_sample_fields(samples, record_no, source_id, year, volume, issue, pages, page_count, authors, links):
    rec = parse_file(samples / ESTUDY)[record_no - 1]
    assert isinstance(rec, Record)
    assert (rec.source_id, rec.year, rec.volume, rec.issue) == (source_id, year, volume, issue)
    assert (rec.first_page, rec.last_page, rec.page_count) == (*pages, page_count)
    assert [a.name for a in rec.authors] == authors
    assert [a.name_zh for a in rec.authors] == authors
    assert [a.affiliations for a in rec.authors] == links


def test_wanfang_sample_reads_every_record(samples):
    pf = read_file(samples / WANFANG)
    assert pf.fmt.name == "noteexpress"
    assert len(pf.items) == 20
    assert problems(pf.items) == []
    recs = records(pf.items)
    assert all(r.source == "wanfang" and r.source_id_kind == "native" for r in recs)
    assert len({r.source_id for r in recs}) == 20
    assert all(r.language == "zh" and r.doc_type == "article" and r.year == 2020 for r in recs)
    # every record has as many address lines as authors: all authors are linked
    assert all(a.affiliations for r in recs for a in r.authors)


def test_wanfang_sample_golden(samples):
    check_golden("wanfang", parse_file(samples / WANFANG), [1, 4, 6, 10, 12, 19])


def test_wanfang_translations_and_addresses(samples):
    items = parse_file(samples / WANFANG)
    first = items[0]
    assert [(a.name, a.name_zh, a.full_name) for a in first.authors] == [
        ("江文杰", "江文杰", "Jiang, Wenjie"), ("韩超", "韩超", "Han, Chao"), ("顾达民", "顾达民", "Gu, Damin")]
    assert [(t.lang, t.translated) for t in first.titles] == [("zh", False), ("en", True)]
    assert first.journal.title == "临床检验杂志（电子版）"
    assert first.journal.translated_title == "Clinical Laboratory Journal (Electronic Edition)"
    assert first.source_id == "lcjyzz-d202001100"
    # "A;B" on the first author's address line: two units for that author, one for the second
    sixth = items[5]
    assert [a.affiliations for a in sixth.authors] == [[0, 1], [2]]
    assert sixth.affiliations[1].text == "西安交通大学第二附属医院肿瘤病院,陕西 西安,710004"
    # a full-width DOI ("10.3969／j.issn.1672－187X...") is folded to ASCII
    assert items[11].doi == "10.3969/j.issn.1672-187X.2020.01.017"
    # one author of five at another unit
    assert [a.affiliations for a in items[18].authors] == [[0], [1], [0], [0], [0]]


@pytest.mark.parametrize(
    ("translated", "name_zh", "expected"),
    [
        ("Wenjie JIANG", "江文杰", "Jiang, Wenjie"),
        (" Chao HAN", "韩超", "Han, Chao"),
        ("WANG Ya-jun", "王雅俊", "Wang, Ya-jun"),
        ("Jiang Bingjian", "蒋炳涧", "Jiang, Bingjian"),
        ("Bingjian Jiang", "蒋炳涧", "Jiang, Bingjian"),
        ("Shan Tianfang", "单田芳", "Shan, Tianfang"),  # a surname with several readings
        ("Ouyang Xiu", "欧阳修", "Ouyang, Xiu"),  # a two-character surname
        ("Li Ming", None, "Li Ming"),  # no Chinese name to tell the order: as written
        ("Zhang, San", "张三", "Zhang, San"),
        ("", "张三", None),
    ],
)
def test_romanized_name(translated, name_zh, expected):
    assert noteexpress.romanized_name(translated, name_zh) == expected


# ---------------------------------------------------------------------------- fixtures by format

CUSTOM = """SrcDatabase-来源库: 期刊
Title-题名: 高校图书馆科研数据管理服务研究
Author-作者: 张三;李四；王五;
Organ-单位: 北京大学信息管理系;清华大学图书馆;
Source-文献来源: 图书情报工作
Keyword-关键词: 科研数据管理;高校图书馆；数据服务;
Summary-摘要: <正>科研数据管理是高校图书馆的新兴服务。
PubTime-发表时间: 2020-01-05
FirstDuty-第一责任人: 张三;
Fund-基金: 国家社会科学基金(19BTQ001);教育部人文社会科学研究项目;
Year-年: 2020
Volume-卷: 64
Period-期: 01
PageCount-页码: 12-20
CLC-中图分类号: G250;G258.6
ISSN-国际标准刊号: 0252-3116
CN-国内统一刊号: 11-1541/G2
URL-网址: https://kns.cnki.net/kcms/detail/detail.aspx?dbcode=CJFD&filename=TSQB202001002
DOI-DOI: 10.13266/j.issn.0252-3116.2020.01.002

SrcDatabase-来源库: 硕士
Title-题名: 基于深度学习的图像检索研究
Author-作者: 李明;
Organ-单位: 华中科技大学;
Source-文献来源: 华中科技大学
PubTime-发表时间: 2019-05-01
Year-年: 2019

SrcDatabase-来源库: 期刊
Author-作者: 赵六;
Source-文献来源: 情报学报
"""


def test_custom_export():
    assert formats.detect_text(CUSTOM).name == "cnki-estudy"
    items = list(cnki_estudy.parse(CUSTOM))
    assert len(items) == 3
    rec, thesis, broken = items
    assert rec.source_id == "TSQB202001002" and rec.database == "CJFD"
    assert [a.name for a in rec.authors] == ["张三", "李四", "王五"]
    assert [a.affiliations for a in rec.authors] == [[], [], []]  # 3 authors, 2 units: not linked
    assert [a.text for a in rec.affiliations] == ["北京大学信息管理系", "清华大学图书馆"]
    assert rec.keywords == ["科研数据管理", "高校图书馆", "数据服务"]
    assert rec.abstract == "科研数据管理是高校图书馆的新兴服务。"
    assert (rec.volume, rec.issue, rec.first_page, rec.last_page, rec.page_count) == ("64", "01", "12", "20", None)
    assert rec.clc_codes == ["G250", "G258.6"]
    assert (rec.journal.title, rec.journal.issn, rec.journal.cn) == ("图书情报工作", "0252-3116", "11-1541/G2")
    assert rec.doi == "10.13266/j.issn.0252-3116.2020.01.002"
    assert rec.funding == ["国家社会科学基金(19BTQ001)", "教育部人文社会科学研究项目"]
    assert (rec.doc_type, rec.doc_type_raw, rec.pub_date, rec.year) == ("article", "期刊", "2020-01-05", 2020)
    assert thesis.doc_type == "thesis" and thesis.journal.title is None and thesis.journal.publisher == "华中科技大学"
    assert thesis.source_id_kind == "hash" and thesis.source_id.startswith("hash:")
    assert thesis.authors[0].affiliations == [0]
    assert isinstance(broken, Problem)
    assert (broken.record_no, broken.line, broken.field, broken.reason) == (3, 29, "Title-题名", "record has no title")
    assert "赵六" in broken.raw


def test_estudy_hash_id_is_stable_and_distinct():
    a = list(cnki_estudy.parse(CUSTOM))[1]
    b = list(cnki_estudy.parse(CUSTOM.replace("Summary-摘要: <正>", "Summary-摘要: ")))[1]
    c = list(cnki_estudy.parse(CUSTOM.replace("基于深度学习的图像检索研究", "另一篇论文")))[1]
    assert a.source_id == b.source_id != c.source_id


def test_estudy_broken_records():
    text = (
        "这一行不属于任何字段\n"
        "DataType: 1\nTitle-题名: 第一篇\nAuthor-作者: 甲;\n"
        "DataType: 1\nTitle-题名: 第二篇\nTitle-题名: 第三篇\n"
        "DataType: 1\nTitle-题名: 第四篇\nSummary-摘要: 第一段\n第二段\n"
    )
    items = list(cnki_estudy.parse(text))
    assert [type(i).__name__ for i in items] == ["Problem", "Record", "Problem", "Record"]
    assert (items[0].record_no, items[0].line) == (1, 1) and "outside any field" in items[0].reason
    assert (items[2].record_no, items[2].line, items[2].field) == (3, 5, "Title-题名")
    assert items[3].abstract == "第一段第二段"  # a line break between Chinese characters is no space


ENDNOTE = """%0 Journal Article
%A 王晓光
%A 徐雷
%+ 武汉大学信息管理学院;武汉大学信息资源研究中心;
%T 数字人文视角下的文化遗产语义描述
%J 中国图书馆学报
%D 2020
%V 46
%N 01
%K 数字人文;语义出版；知识组织;
%X 本文提出一种文化遗产语义描述模型，
并以敦煌壁画为例验证。
%P 4-16
%@ 1001-8867
%L 11-2746/G2
%W CNKI
%U https://kns.cnki.net/kcms/detail/detail.aspx?FileName=ZGTS202001001&DbName=CJFQ2020

%0 Thesis
%A 李明
%+ 华中科技大学
%T 基于深度学习的图像检索研究
%I 华中科技大学
%D 2019
%9 硕士
%K 深度学习;图像检索
%W CNKI

%0 Journal Article
%A 赵六
%J 情报学报
%D 2019
%W CNKI

%A 孙七
%T 缺少类型行的记录
%W CNKI

%0 Journal Article
%A Smith, John
%A Doe, Jane
%T A study of citation networks
%J Scientometrics
%D 2021
%V 126
%N 3
%P 2001-2020
%R https://doi.org/10.1007/s11192-020-03812-1
%@ 0138-9130
"""


def test_endnote_gb18030_crlf_through_read_file(tmp_path):
    path = tmp_path / "cnki.enw"
    path.write_bytes(ENDNOTE.replace("\n", "\r\n").encode("gb18030"))
    pf = read_file(path)
    assert (pf.fmt.name, pf.encoding) == ("cnki-endnote", "gb18030")
    items = pf.items
    assert [type(i).__name__ for i in items] == ["Record", "Record", "Problem", "Problem", "Record"]
    rec, thesis, no_title, no_type, other = items
    assert rec.source == "cnki" and rec.source_id == "ZGTS202001001" and rec.database == "CJFQ2020"
    assert [a.name for a in rec.authors] == ["王晓光", "徐雷"]
    assert [a.affiliations for a in rec.authors] == [[0], [1]]  # 2 units, 2 authors: by position
    assert rec.keywords == ["数字人文", "语义出版", "知识组织"]
    assert rec.abstract == "本文提出一种文化遗产语义描述模型，并以敦煌壁画为例验证。"
    assert (rec.journal.title, rec.journal.issn, rec.journal.cn) == ("中国图书馆学报", "1001-8867", "11-2746/G2")
    assert (rec.year, rec.volume, rec.issue, rec.first_page, rec.last_page) == (2020, "46", "01", "4", "16")
    assert rec.doc_type == "article" and rec.language == "zh"
    assert thesis.doc_type == "thesis" and thesis.journal.publisher == "华中科技大学"
    assert thesis.source_id_kind == "hash"
    assert (no_title.record_no, no_title.line, no_title.field, no_title.reason) == (3, 29, "%T", "record has no title")
    assert (no_type.record_no, no_type.line, no_type.field) == (4, 35, "A")
    assert "does not start with 0" in no_type.reason
    assert other.source == "ris"  # no CNKI in the record: the generic source
    assert [a.name for a in other.authors] == ["Smith, John", "Doe, Jane"]
    assert all(a.name_zh is None for a in other.authors)
    assert other.doi == "10.1007/s11192-020-03812-1" and other.language == "en"


REFWORKS = """RT Journal Article
SR 1
A1 张三;李四；王五;
AD 北京大学信息管理系;清华大学图书馆;北京大学信息管理系;
T1 高校图书馆科研数据管理服务研究
JF 图书情报工作
YR 2020
IS 01
vo 64
OP 12-20
K1 科研数据管理;高校图书馆;服务
AB 科研数据管理是高校图书馆的新兴服务。
SN 0252-3116
CN 11-1541/G2
LA 中文;
DS CNKI
LK https://kns.cnki.net/kcms/detail/detail.aspx?dbcode=CJFD&filename=TSQB202001002
DO 10.13266/j.issn.0252-3116.2020.01.002

RT Journal Article
SR 1
A1 钱八;
T1 只有题名的记录
DS CNKI

RT Journal Article
SR 1
A1 周九;
JF 情报杂志
"""


def test_refworks():
    assert formats.detect_text(REFWORKS).name == "cnki-refworks"
    items = list(formats.get("cnki-refworks").parse(REFWORKS.replace("\n", "\r\n")))
    rec, bare, broken = items
    assert rec.source == "cnki" and rec.source_id == "TSQB202001002"
    assert [a.name for a in rec.authors] == ["张三", "李四", "王五"]
    # 3 units for 3 authors (one repeated): by position, the repeated unit stored once
    assert [a.affiliations for a in rec.authors] == [[0], [1], [0]]
    assert [a.text for a in rec.affiliations] == ["北京大学信息管理系", "清华大学图书馆"]
    assert (rec.volume, rec.issue, rec.first_page, rec.last_page) == ("64", "01", "12", "20")
    assert rec.language == "zh" and rec.journal.cn == "11-1541/G2" and rec.journal.issn == "0252-3116"
    assert rec.doi == "10.13266/j.issn.0252-3116.2020.01.002"
    assert bare.title == "只有题名的记录" and bare.year is None and bare.source_id_kind == "hash"
    assert isinstance(broken, Problem) and (broken.record_no, broken.line, broken.field) == (3, 26, "T1")


NOTEEXPRESS_CNKI = """{Reference Type}: Journal Article
{Title}: 基于知识图谱的引文分析方法
{Author}: 张三;李四;
{Author Address}: 南京大学信息管理学院;
{Journal}: 情报学报
{Year}: 2019
{Volume}: 38
{Issue}: 05
{Pages}: 441-450
{Keywords}: 知识图谱;引文分析;
{Abstract}: <正>引文分析是情报学的经典方法。
{ISBN/ISSN}: 1000-0135
{Notes}: 11-2257/G3
{Database Provider}: CNKI
{URL}: https://kns.cnki.net/kcms/detail/detail.aspx?FileName=QBXB201905001&DbName=CJFQ2019
"""


def test_noteexpress_from_cnki():
    items = list(noteexpress.parse(NOTEEXPRESS_CNKI))
    assert formats.detect_text(NOTEEXPRESS_CNKI).name == "noteexpress"
    (rec,) = items
    assert rec.source == "cnki" and rec.source_id == "QBXB201905001"
    assert [a.name for a in rec.authors] == ["张三", "李四"]
    assert [a.affiliations for a in rec.authors] == [[0], [0]]  # one unit: every author's
    assert rec.journal.cn == "11-2257/G3" and rec.journal.issn == "1000-0135"
    assert rec.keywords == ["知识图谱", "引文分析"] and rec.abstract == "引文分析是情报学的经典方法。"
    assert (rec.first_page, rec.last_page) == ("441", "450")


def test_noteexpress_problems():
    # a blank line does not end a record: {Title} after it still belongs to the first record; a tag the
    # record already holds after a blank line ({Author}) opens a record whose {Reference Type} was lost
    text = ("{Reference Type}: Journal Article\n{Author}: 张三\n\n{Title}: 题一\n\n"
            "{Author}: 李四\n{Title}: 无类型\n\n{Reference Type}: Book\n{Title}: 书\n{Author}: 王五\n")
    items = list(noteexpress.parse(text))
    assert [(type(i).__name__, getattr(i, "line", None)) for i in items] == [
        ("Record", None), ("Problem", 6), ("Record", None)]
    assert items[0].title == "题一" and [a.name for a in items[0].authors] == ["张三"]
    assert items[1].field == "Author" and "does not start with Reference Type" in items[1].reason
    assert items[2].doc_type == "book" and items[2].source == "ris"
    no_title = list(noteexpress.parse("{Reference Type}: Journal Article\n{Author}: 张三\n"))
    assert [(type(i).__name__, i.line, i.field) for i in no_title] == [("Problem", 1, "{Title}")]


# ---------------------------------------------------------------------------- Excel

HEADERS_EN = ["SrcDatabase-来源库", "Title-题名", "Author-作者", "Organ-单位", "Source-文献来源", "Keyword-关键词",
              "Summary-摘要", "PubTime-发表时间", "Year-年", "Volume-卷", "Period-期", "PageCount-页码",
              "CLC-中图分类号", "ISSN-国际标准刊号", "URL-网址", "DOI-DOI"]
HEADERS_ZH = ["来源库", "题名", "作者", "单位", "文献来源", "关键词", "摘要", "发表时间", "年", "卷", "期", "页码",
              "中图分类号", "ISSN", "网址", "DOI"]
ROWS = [
    ["期刊", "高校图书馆科研数据管理服务研究", "张三;李四;", "北京大学信息管理系;清华大学图书馆;", "图书情报工作",
     "科研数据管理;高校图书馆", "<正>科研数据管理是新兴服务。", "2020-01-05", 2020, 64, 1, "12-20", "G250",
     "0252-3116", "https://kns.cnki.net/kcms/detail/detail.aspx?dbcode=CJFD&filename=TSQB202001002",
     "10.13266/j.issn.0252-3116.2020.01.002"],
    [None] * 16,  # an empty row is skipped
    ["期刊", None, "赵六;", None, "情报学报", None, None, None, 2019, None, None, None, None, None, None, None],
    ["会议", "数字图书馆会议论文", "孙七", "武汉大学", "第十届数字图书馆论坛论文集", None, None, "2018-10-01",
     None, None, None, "1-5", None, None, None, None],
]


def xlsx_bytes(headers, rows, caption: str | None = None) -> bytes:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    if caption:
        ws.append([caption])
    ws.append(headers)
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def xls_bytes(headers, rows) -> bytes:
    xlwt = pytest.importorskip("xlwt")
    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet("CNKI")
    for c, h in enumerate(headers):
        ws.write(0, c, h)
    for r, row in enumerate(rows, 1):
        for c, v in enumerate(row):
            if v is not None:
                ws.write(r, c, v)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


@pytest.mark.parametrize(
    ("make", "headers", "caption", "header_line"),
    [
        (xlsx_bytes, HEADERS_EN, None, 1),
        (xlsx_bytes, HEADERS_ZH, None, 1),
        (xlsx_bytes, HEADERS_ZH, "中国知网 检索结果导出", 2),
        (xls_bytes, HEADERS_EN, None, 1),
        (xls_bytes, HEADERS_ZH, None, 1),
    ],
)
def test_excel(make, headers, caption, header_line):
    data = make(headers, ROWS, caption) if caption else make(headers, ROWS)
    assert formats.detect_binary(data).name == "cnki-excel"
    items = list(cnki_excel.parse(data))
    assert [type(i).__name__ for i in items] == ["Record", "Problem", "Record"]
    rec, broken, conf = items
    assert rec.source_id == "TSQB202001002" and rec.title == "高校图书馆科研数据管理服务研究"
    assert [a.name for a in rec.authors] == ["张三", "李四"] and [a.affiliations for a in rec.authors] == [[0], [1]]
    assert (rec.year, rec.volume, rec.issue, rec.first_page, rec.last_page) == (2020, "64", "1", "12", "20")
    assert rec.abstract == "科研数据管理是新兴服务。" and rec.keywords == ["科研数据管理", "高校图书馆"]
    assert rec.clc_codes == ["G250"] and rec.journal.issn == "0252-3116" and rec.doc_type == "article"
    assert rec.raw[headers[1]] == ["高校图书馆科研数据管理服务研究"]
    assert (broken.record_no, broken.line, broken.field) == (2, header_line + 3, headers[1])
    assert "赵六" in broken.raw
    assert conf.doc_type == "proceedings paper" and conf.year == 2018 and conf.source_id_kind == "hash"


def html_xls_bytes(headers, rows, encoding: str) -> bytes:
    """CNKI's old "Excel" export: an HTML table, one line per row, saved as .xls in the page's charset."""
    from html import escape

    def tr(cells, tag="td"):
        return "<tr>" + "".join(f"<{tag}>{escape('' if v is None else str(v))}</{tag}>" for v in cells) + "</tr>"

    charset = "gb2312" if encoding == "gb18030" else "utf-8"
    lines = [
        '<html xmlns:o="urn:schemas-microsoft-com:office:office" xmlns:x="urn:schemas-microsoft-com:office:excel">',
        f'<head><meta http-equiv="Content-Type" content="text/html; charset={charset}"></head>',
        "<body>", '<table border="1">', tr(headers, "th"), *map(tr, rows), "</table>", "</body></html>",
    ]
    return "\r\n".join(lines).encode(encoding)


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gb18030"])
def test_excel_html_table_reads_like_the_workbook(tmp_path, encoding):
    path = tmp_path / "CNKI-20240301.xls"
    path.write_bytes(html_xls_bytes(HEADERS_EN, ROWS, encoding))
    pf = read_file(path)
    assert pf.fmt.name == "cnki-html", pf.error
    workbook = list(cnki_excel.parse(xlsx_bytes(HEADERS_EN, ROWS)))
    assert [type(i).__name__ for i in pf.items] == ["Record", "Problem", "Record"]
    assert [r.to_dict() for r in records(pf.items)] == [r.to_dict() for r in records(workbook)]
    (broken,) = problems(pf.items)
    # the broken row is the third <tr> after the header's, on line 5 + 3 of the file
    assert (broken.record_no, broken.field, broken.line) == (2, "Title-题名", 8)
    assert "赵六" in broken.raw


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('<html><body><table><tr><td>Title-题名</td></tr></table></body></html>', True),
        ('\ufeff<table border="1"><tr><th>题名</th><th>作者</th></tr></table>', True),
        ("<html><body><table><tr><td>Name</td><td>Score</td></tr></table></body></html>", False),
        ("<html><body><p>题名</p></body></html>", False),  # no table
        ("Title-题名: x\n", False),  # the E-Study text export
    ],
)
def test_sniff_html(text, expected):
    assert cnki_excel.sniff_html(text) is expected


def test_excel_html_other_table_is_one_problem():
    text = "<html><body><table><tr><td>Name</td></tr><tr><td>a</td></tr></table></body></html>"
    (item,) = cnki_excel.parse_html(text)
    assert isinstance(item, Problem) and "no title column" in item.reason and "Name" in item.reason


def test_excel_other_workbook_is_one_problem():
    items = list(cnki_excel.parse(xlsx_bytes(["Name", "Score"], [["a", 1]])))
    assert len(items) == 1 and isinstance(items[0], Problem)
    assert "no title column" in items[0].reason and "Name" in items[0].reason


def test_excel_damaged_workbook_is_a_problem():
    data = xlsx_bytes(HEADERS_EN, ROWS)
    (item,) = cnki_excel.parse(data[:3000])
    assert isinstance(item, Problem) and item.reason.startswith("cannot read the workbook")


# ---------------------------------------------------------------------------- sniffing and helpers


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("DataType: 1\nTitle-题名: x\n", "cnki-estudy"),
        ("\ufeffSrcDatabase-来源库: 期刊\nTitle-题名: x\n", "cnki-estudy"),
        ("Title-题名: x\nAuthor-作者: 甲;\nSource-刊名: y\n", "cnki-estudy"),
        ("\n%0 Journal Article\n%T x\n", "cnki-endnote"),
        ("RT Journal Article\nSR 1\nT1 x\n", "cnki-refworks"),
        ("{Reference Type}: Journal Article\n{Title}: x\n", "noteexpress"),
    ],
)
def test_sniff(text, expected):
    assert formats.detect_text(text).name == expected


@pytest.mark.parametrize(
    "text",
    [
        "TY  - JOUR\nTI  - x\nER  - \n",  # RIS
        "FN Clarivate Analytics Web of Science\nVR 1.0\n",  # WoS plain text
        "RT is not a tag here\nThe second line is prose.\n",
        "Title: not CNKI\nAuthor: x\n",
    ],
)
def test_sniff_leaves_other_formats_alone(text):
    mine = {"cnki-estudy", "cnki-endnote", "cnki-refworks", "noteexpress"}
    found = formats.detect_text(text)
    assert found is None or found.name not in mine


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("168-170", ("168", "170")),
        ("175-177+183", ("175", "177")),
        ("187-188,195", ("187", "188")),
        ("173,175", ("173", None)),
        ("26", ("26", None)),
        ("", (None, None)),
    ],
)
def test_pages(value, expected):
    assert pages(value) == expected


@pytest.mark.parametrize(
    ("n_authors", "units", "links", "n_affs"),
    [
        (2, ["A", "B"], [[0], [1]], 2),
        (3, ["A", "B"], [[], [], []], 2),
        (3, ["A"], [[0], [0], [0]], 1),
        (1, ["A", "B"], [[0, 1]], 2),
        (3, ["A", "B", "A"], [[0], [1], [0]], 2),
        (0, ["A"], [], 1),
    ],
)
def test_link_by_order(n_authors, units, links, n_affs):
    authors = [Author(position=i, name=f"n{i}") for i in range(1, n_authors + 1)]
    affs = link_by_order(authors, units)
    assert [a.affiliations for a in authors] == links and len(affs) == n_affs


@pytest.mark.parametrize(
    ("n_authors", "entries", "links"),
    [
        (2, ["A;B", "C"], [[0, 1], [2]]),
        (2, ["A", "A"], [[0], [0]]),
        (3, ["A", "B"], [[], [], []]),
    ],
)
def test_link_by_position(n_authors, entries, links):
    authors = [Author(position=i, name=f"n{i}") for i in range(1, n_authors + 1)]
    link_by_position(authors, entries)
    assert [a.affiliations for a in authors] == links


def test_split_records_keeps_continuations_and_stray_lines():
    import re

    grammar = Grammar(re.compile(r"^(?P<tag>[A-Z]{2}) (?P<value>.*)$"), starts=frozenset({"RT"}))
    recs = list(split_records("junk\nRT a\nAB one\ntwo\n\nthree\n\nRT b\n", grammar))
    assert [(r.record_no, r.line) for r in recs] == [(1, 1), (2, 2), (3, 8)]
    assert recs[0].stray == [(1, "junk")] and not recs[0].fields
    assert recs[1].fields[1].value == "one\ntwo\n\nthree"  # a blank line inside a record: a paragraph break
    assert recs[1].first("AB") == "one two three" and recs[2].first("RT") == "b"


# ---------------------------------------------------------------------------- end to end


def _state(store):
    with store.connect() as conn:
        recs = conn.execute(sa.select(source_records.c.source, source_records.c.source_id,
                                      source_records.c.content_hash, source_records.c.updated_at)
                            .order_by(source_records.c.source, source_records.c.source_id)).all()
        n_batches = conn.execute(sa.select(sa.func.count()).select_from(ingest_batches)).scalar()
        n_quarantine = conn.execute(sa.select(sa.func.count()).select_from(quarantine)).scalar()
    return recs, n_batches, n_quarantine


def test_same_work_has_the_same_id_across_cnki_formats():
    """The native id (FileName) and, without one, the content id agree between exports of one work."""
    custom = list(cnki_estudy.parse(CUSTOM))
    endnote = list(formats.get("cnki-endnote").parse(ENDNOTE))
    refworks = list(formats.get("cnki-refworks").parse(REFWORKS))
    excel = list(cnki_excel.parse(xlsx_bytes(HEADERS_ZH, ROWS)))
    assert custom[0].source_id == refworks[0].source_id == excel[0].source_id == "TSQB202001002"
    assert custom[1].source_id == endnote[1].source_id  # the thesis: title, author, university, year


def test_ingest_every_format(store, samples, tmp_path):
    folder = tmp_path / "exports"
    folder.mkdir()
    # distinct works per file, so that no file overwrites another's records
    (folder / "endnote.txt").write_bytes(ENDNOTE.replace("李明", "李明明").replace("\n", "\r\n").encode("gb18030"))
    (folder / "refworks.txt").write_text(REFWORKS.replace("TSQB202001002", "TSQB202001003"), encoding="utf-8")
    (folder / "noteexpress.net").write_text(NOTEEXPRESS_CNKI, encoding="utf-8-sig")
    (folder / "custom.txt").write_text(CUSTOM, encoding="utf-8")
    rows = [[(v.replace("TSQB202001002", "TSQB202001004") if isinstance(v, str) else v) for v in r] for r in ROWS]
    (folder / "cnki.xlsx").write_bytes(xlsx_bytes(HEADERS_EN, rows))
    paths = [samples / ESTUDY, samples / WANFANG, folder]
    results = ingest_paths(store, paths)
    by_format = {}
    for res in results:
        assert res.error is None, res
        assert res.records_read == res.stored + res.quarantined
        by_format[res.format] = by_format.get(res.format, 0) + res.records_read
    assert by_format == {"cnki-estudy": 23, "noteexpress": 21, "cnki-endnote": 5, "cnki-refworks": 3,
                         "cnki-excel": 3}
    before = _state(store)
    assert len(before[0]) == sum(r.stored for r in results) == 20 + 2 + 20 + 1 + 3 + 2 + 2
    assert before[1:] == (7, sum(r.quarantined for r in results)) == (7, 1 + 2 + 1 + 1)
    again = ingest_paths(store, paths)
    assert [(r.records_read, r.stored, r.quarantined) for r in again] == [
        (r.records_read, r.stored, r.quarantined) for r in results]
    assert _state(store) == before


# ---------------------------------------------------------------------------- robustness

_PIECES = st.sampled_from([
    "DataType: 1", "Title-题名: 题", "Author-作者: 甲;乙；", "Organ-机构: ;;", "Page-页码: -", "Year-年: 二〇二〇",
    "Link-链接: http://[bad", "%0 Journal Article", "%A", "%T 题", "%+ ;", "%P ,+", "RT Journal Article", "A1 ;",
    "T1 x", "OP -", "{Reference Type}: Book", "{Author}: ", "{Translated Author}: JIANG", "{Title}: t",
    "{URL}: http://www.wanfangdata.com.cn/", "{Pages}: 1-", "", "\r", "正文", "%", "{", "-:",
])


@settings(max_examples=150, deadline=None)
@given(st.lists(_PIECES, max_size=30), st.sampled_from(["cnki-estudy", "cnki-endnote", "cnki-refworks", "noteexpress"]))
def test_text_parsers_never_raise(lines, name):
    items = list(formats.get(name).parse("\n".join(lines)))
    assert all(isinstance(i, Record | Problem) for i in items)
    assert all(i.title for i in items if isinstance(i, Record))


@settings(max_examples=30, deadline=None)
@given(st.binary(max_size=2000))
def test_excel_parser_never_raises(data):
    for prefix in (cnki_excel.ZIP, cnki_excel.OLE2):
        items = list(cnki_excel.parse(prefix + data))
        assert len(items) == 1 and isinstance(items[0], Problem)
