"""Chinese-language papers in CNKI and Ei Compendex, table-driven: each pair is written as the export text the two
databases produce (CNKI E-Study or EndNote, Engineering Village plain text), read by ir's own readers, and run
through the whole matcher. The features are the real ones of such pairs: the university journal's edition that
Ei's "Pinyin/English" name leaves out, Ei's shortened last page, issue '09' against '9', a Chinese title against
the English one (or CNKI's English translation of it), authors in characters against pinyin, compound and
polyphonic surnames, Western co-authors written given name first."""

from __future__ import annotations

from pathlib import Path

import pytest

from ir.consolidate.engine import resolve
from ir.ingest import read_file
from ir.model import Record


def parse(text: str, name: str = "export.txt") -> Record:
    pf = read_file(Path(name), data=text.encode("utf-8"))
    records = [r for r in pf.items if isinstance(r, Record)]
    assert pf.error is None and len(records) == 1, (pf.error, pf.items)
    return records[0]


def cnki(title: str, authors: list[str], journal: str, year: int, issue: str, pages: str, *, volume: str = "",
         file_name: str = "DLLG202109010", organ: str = "大连理工大学化工学院;", db: str = "期刊") -> Record:
    lines = ["DataType: 1", f"Title-题名: {title}", "Author-作者: " + "".join(f"{a};" for a in authors),
             f"Source-刊名: {journal}", f"Year-年: {year}", f"PubTime-出版时间: {year}-09-15",
             "Keyword-关键词: 催化;吸附", "Summary-摘要: 研究了……", f"Period-期: {issue}"]
    if volume:
        lines.append(f"Roll-卷: {volume}")
    lines += [f"Page-页码: {pages}", f"SrcDatabase-来源库: {db}", f"Organ-机构: {organ}",
              f"Link-链接: https://kns.cnki.net/kcms/detail/detail.aspx?FileName={file_name}&DbName=CJFDLAST{year}"]
    return parse("\n".join(lines) + "\n")


def cnki_endnote(title: str, english: str, authors: list[str], journal: str, year: int, issue: str, pages: str, *,
                 issn: str = "1000-8608", file_name: str = "DLLG202109011") -> Record:
    lines = ["%0 Journal Article", *(f"%A {a}" for a in authors), "%+ 大连理工大学化工学院;", f"%T {title}",
             f"%Q {english}", f"%J {journal}", f"%D {year}", f"%N {issue}", f"%P {pages}", f"%@ {issn}", "%W CNKI",
             f"%U https://kns.cnki.net/kcms/detail/detail.aspx?FileName={file_name}&DbName=CJFDLAST{year}"]
    return parse("\n".join(lines) + "\n")


def ei(title: str, authors: list[str], source: str, year: int, issue: str, pages: str, *, volume: str = "42",
       issn: str = "1000-8608", an: str = "20214511130021", language: str = "Chinese") -> Record:
    lines = ["<RECORD 1>", "", f"Accession number: {an}", f"Title: {title}",
             "Authors: " + "; ".join(f"{a} (1)" for a in authors),
             "Author affiliation: (1) School of Chemical Engineering, Dalian University of Technology, Dalian; 116024, China",
             f"Source title: {source}", f"Abbreviated source title: {source.split('/')[0]}",
             f"Volume: {volume}", f"Issue: {issue}", f"Issue date: September {year}", f"Publication year: {year}",
             f"Pages: {pages}", f"Language: {language}", f"ISSN: {issn}", "CODEN: DLLHAM",
             "Document type: Journal article (JA)", "Publisher: Dalian University of Technology",
             "Database: Compendex", f"Compilation and indexing terms, Copyright {year + 1} Elsevier Inc.", "", ""]
    return parse("\n".join(lines))


DLUT_ZH = "大连理工大学学报(自然科学版)"
DLUT_EI = "Dalian Ligong Daxue Xuebao/Journal of Dalian University of Technology"
TITLE_ZH = "基于密度泛函理论的CO_2在MOF-5上吸附机理研究"
TITLE_EN = "Adsorption mechanism of CO<inf>2</inf> on MOF-5 based on density functional theory"

MUST_MERGE = [
    ("edition, shortened last page, issue 09 vs 9, characters vs pinyin",
     cnki(TITLE_ZH, ["张三", "李四丽", "王五"], DLUT_ZH, 2021, "09", "501-505"),
     ei(TITLE_EN, ["Zhang, San", "Li, Sili", "Wang, Wu"], DLUT_EI, 2021, "9", "501-05")),
    ("Ei names the edition in English",
     cnki(TITLE_ZH, ["张三", "李四丽"], "吉林大学学报(工学版)", 2021, "05", "1234-1240"),
     ei(TITLE_EN, ["Zhang, San", "Li, Sili"], "Jilin Daxue Xuebao (Gongxue Ban)/Journal of Jilin University "
        "(Engineering and Technology Edition)", 2021, "5", "1234-40", issn="1671-5497")),
    ("compound surname in characters vs pinyin",
     cnki(TITLE_ZH, ["欧阳晓明", "曾宪国"], DLUT_ZH, 2020, "03", "88-94"),
     ei(TITLE_EN, ["Ouyang, Xiaoming", "Zeng, Xianguo"], DLUT_EI, 2020, "3", "88-94")),
    ("a Western co-author first, given name first in CNKI",
     cnki(TITLE_ZH, ["John Smith", "张三"], DLUT_ZH, 2022, "01", "12-18"),
     ei(TITLE_EN, ["Smith, John", "Zhang, San"], DLUT_EI, 2022, "1", "12-18")),
    ("CNKI's English translation of the title",
     cnki_endnote(TITLE_ZH, "Adsorption mechanism of CO2 on MOF-5 based on density functional theory",
                  ["张三", "李四丽"], "大连理工大学学报", 2021, "09", "501-505"),
     ei(TITLE_EN, ["Zhang, San", "Li, Sili"], DLUT_EI, 2021, "9", "501-05")),
    ("an English paper in CNKI, family name in capitals",
     cnki("Adsorption mechanism of CO_2 on MOF-5 based on density functional theory", ["ZHANG San", "LI Sili"],
          "Chinese Journal of Chemical Engineering", 2021, "09", "501-505", volume="29"),
     ei(TITLE_EN, ["Zhang, San", "Li, Sili"], "Chinese Journal of Chemical Engineering", 2021, "9", "501-05",
        volume="29", issn="1004-9541", language="English")),
]

MUST_NOT_MERGE = [
    # many Chinese journals number pages per issue: the same first page in another issue is another paper
    ("same journal, year, first page and surname, another issue",
     cnki(TITLE_ZH, ["张三", "李四丽"], DLUT_ZH, 2021, "05", "501-505"),
     ei(TITLE_EN, ["Zhang, San", "Li, Sili"], DLUT_EI, 2021, "9", "501-05")),
    ("two editions of one university journal",
     cnki(TITLE_ZH, ["张三", "李四丽"], "大连理工大学学报(社会科学版)", 2021, "09", "501-505"),
     ei(TITLE_EN, ["Zhang, San", "Li, Sili"], "Journal of Dalian University of Technology (Natural Science Edition)",
        2021, "9", "501-05")),
    ("a look-alike journal: 大连大学学报 is not 大连理工大学学报",
     cnki(TITLE_ZH, ["张三", "李四丽"], "大连大学学报", 2021, "09", "501-505"),
     ei(TITLE_EN, ["Zhang, San", "Li, Sili"], DLUT_EI, 2021, "9", "501-05")),
    ("no author in common at the same place",
     cnki(TITLE_ZH, ["王五", "赵六"], DLUT_ZH, 2021, "09", "501-505"),
     ei(TITLE_EN, ["Zhang, San", "Li, Sili"], DLUT_EI, 2021, "9", "501-05")),
    # CNKI's English title is compared with Ei's: it says another paper, whatever the Chinese one cannot say
    ("CNKI's English title names another paper in another journal on the same page",
     cnki_endnote("具有高疲劳强度的滚动轴承及其强化传热应用", "Rolling bearings with high fatigue strength for heat transfer",
                  ["潘鹏", "李梓天"], "热能动力工程", 2020, "04", "960-968", issn="1001-2060"),
     ei("Effect of radiofrequency ablation on the safety of non-small cell lung cancer", ["Zeng, Ze", "Li, Xin"],
        "Journal of Clinical Oncology", 2020, "4", "960-71", issn="1527-7755", language="English")),
    ("a conference paper from CNKI's conference database and the journal article",
     cnki(TITLE_ZH, ["张三", "李四丽"], "第十届全国化工学术会议论文集", 2020, "", "501-505", db="中国会议"),
     cnki(TITLE_ZH, ["张三", "李四丽"], DLUT_ZH, 2021, "09", "501-505", file_name="DLLG202109099")),
]


@pytest.mark.parametrize("case, a, b", MUST_MERGE, ids=[c[0] for c in MUST_MERGE])
def test_cnki_and_ei_records_of_one_paper_merge(case, a, b):
    res = resolve([a, b])
    assert res.labels[0] == res.labels[1], (case, res.refused)
    ev = res.joined_by[0]
    assert ev["rule"] == "fuzzy" and ev["score"] >= 5.0


@pytest.mark.parametrize("case, a, b", MUST_NOT_MERGE, ids=[c[0] for c in MUST_NOT_MERGE])
def test_different_papers_stay_apart(case, a, b):
    res = resolve([a, b])
    assert res.labels[0] != res.labels[1], (case, res.joined_by)


def test_records_read_as_the_databases_write_them():
    """The features the matcher relies on come through the readers."""
    a = cnki(TITLE_ZH, ["张三"], DLUT_ZH, 2021, "09", "501-505")
    b = ei(TITLE_EN, ["Zhang, San"], DLUT_EI, 2021, "9", "501-05")
    assert (a.source, a.issue, a.first_page, a.last_page) == ("cnki", "09", "501", "505")
    assert (b.source, b.issue, b.first_page) == ("ei", "9", "501")
    assert b.last_page in ("05", "505")
    c = cnki_endnote(TITLE_ZH, "Adsorption mechanism", ["张三"], "大连理工大学学报", 2021, "09", "501-505")
    assert [t.translated for t in c.titles] == [False, True]


def test_the_cross_script_pair_is_proposed_by_the_venue_in_pinyin():
    """Among many papers of one year and first page, the pair meets on the pinyin of the journal's name."""
    from ir.consolidate.blocking import candidate_pairs
    from ir.consolidate.features import extract

    a = cnki(TITLE_ZH, ["张三"], DLUT_ZH, 2021, "09", "501-505")
    b = ei(TITLE_EN, ["Zhang, San"], DLUT_EI, 2021, "9", "501-05")
    f = extract([a, b])
    I, J, per_rule = candidate_pairs(f, max_block_size=40, window=6)
    assert (0, 1) in set(zip(I.tolist(), J.tolist()))
    assert f.venue_pinyin[0] & f.venue_pinyin[1] == {"dalianligongdaxuexuebao"}
    assert f.editions[0] == {"natural science"} and not f.editions[1]
