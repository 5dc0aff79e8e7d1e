"""Every real export in shared/samples read whole and right.

For each file of MANIFEST.md: the format it is detected as, its record count (counted by the manifest on the
raw bytes), nothing quarantined (one exception, explained below), the source of every record as the record
itself says it, and golden values of a few records per file (tests/golden/samples/<folder>/<file>.json: every
field of the model, the raw tags by name). The golden records were checked by hand against the file's text;
set IR_UPDATE_GOLDEN=1 to rewrite them after a deliberate change, then review the diff.

The fields the issue found wrong are checked by name below (test_fields_*), so that a regression names itself.
"""

from __future__ import annotations

import json
import os
import re
from collections import Counter
from pathlib import Path

import pytest

from ir.formats._util import has_han
from ir.ingest import read_file
from ir.model import Problem, Record
from tests.conftest import SAMPLES

GOLDEN = Path(__file__).resolve().parent / "golden" / "samples"


def manifest(exports_only: bool = True) -> list[tuple[str, int]]:
    """(file, records) of every row of MANIFEST.md; the journal lists are no exports."""
    rows = []
    text = (SAMPLES / "MANIFEST.md").read_text(encoding="utf-8") if SAMPLES.is_dir() else ""
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) >= 5 and "/" in cells[0] and re.fullmatch(r"\d+", cells[4]):
            rows.append((cells[0], int(cells[4])))
    return [r for r in rows if not (exports_only and r[0].startswith("journal_lists/"))]


FORMATS = {
    "bibtex": "bibtex", "cnki_custom": "cnki-csv", "cnki_endnote": "cnki-endnote", "cnki_estudy": "cnki-estudy",
    "cnki_excel": "cnki-excel", "cnki_noteexpress": "noteexpress", "cnki_refworks": "cnki-refworks",
    "cssci": "cssci", "ei_plain": "ei-plain", "ris": "ris", "scopus_csv": "scopus-csv",
    "wanfang_noteexpress": "noteexpress", "wos_plain": "wos-plain", "wos_tab": "wos-tab",
}

# the source of the records of a file, when not the one of its folder; a record is a database's only when it
# says so (%W CNKI, DS CNKI, {Database Provider}, a Scopus link or note, ISI:/WOS: ids, Database: Compendex)
SOURCES = {
    "bibtex/bibliometrix-scopus.bib": {"scopus": 46},  # source={Scopus}, scopus.com links
    "bibtex/bibliometrix-wos-savedrecs.bib": {"wos": 377},  # Unique-ID = {ISI:...}
    # a yiigle.com record ({Database Provider}: 《中华医学杂志》社): not CNKI's
    "cnki_noteexpress/cnki2bibtex-ChineseColon.net": {"ris": 1},
    # the patent (record 10) names no provider
    "cnki_noteexpress/cnki2bibtex-CoverAllTest15Entries.net": {"cnki": 14, "ris": 1},
    # record 21 was written by hand by that project's developers: no provider
    "cnki_noteexpress/cnki2bibtex-LotsOfEnglish.net": {"cnki": 20, "ris": 1},
    # a converter's output: nothing in it names CNKI
    "ris/cnki-converter-demo.ris": {"ris": 40},
    "ris/litstudy-example.ris": {"ris": 25},  # IEEE Xplore writes no database tag
    # EndNote's library: AN WOS:... or 'Times Cited in Web of Science' (5), DB Scopus (13), PDFs of neither (3)
    "ris/ris_transform-ceshi-endnote-wos.ris": {"wos": 5, "scopus": 13, "ris": 3},
    "ris/scopus2histcite-scopus.ris": {"scopus": 25},  # scopus.com links, 'Export Date:' notes
    "wanfang_noteexpress/mrhelper-demo_wanfang_202101.NET": {"wanfang": 20},
}
FOLDER_SOURCES = {"cnki": "cnki", "cssci": "cssci", "ei": "ei", "scopus": "scopus", "wos": "wos"}

# Records quarantined on purpose. scopus2histcite-scopus.ris record 25 is "N1  - Export Date: 3 January 2016"
# and "ER  -" and nothing else: it names no work (no title, id, author or source), so it cannot be stored as
# one; it is quarantined with that reason rather than stored as an empty work.
EXPECTED_PROBLEMS = {
    "ris/scopus2histcite-scopus.ris": [(25, 1944, "record names no work")],
}

# Files with fewer records than MANIFEST.md counts. citespace-lite-2.csv joins three pages of a CNKI export and
# repeats the header row before each further page (data rows 25 and 50 read 'SrcDatabase-来源库,Title-题名,...'):
# the manifest's csv.reader count takes those two rows for records.
RECORDS = {"cnki_custom/citespace-lite-2.csv": 59}

# golden records per file: the first and last, and the ones with the quirks the issue names
PICKS = {
    "bibtex/bibliometrix-scopus.bib": [1, 5, 13, 46],  # affiliation letters (13: nine affiliations), 5: none
    "bibtex/bibliometrix-wos-savedrecs.bib": [1, 2, 38, 377],  # 2: reprint + 3 addresses, e-mail; 38: conference
    "cnki_custom/citespace-lite-2.csv": [1, 10, 25, 59],  # 10: a quoted unit list with a comma; 25: after a header
    "cnki_endnote/cnki-converter-demo.txt": [1, 9, 21, 29, 40],  # 9: (#br) headings; 21: thesis, paragraphs
    "cnki_estudy/mrhelper-demo_cnki_202101.txt": [1, 2, 20],
    "cnki_excel/ai-literature-assistant-CNKI_1_1.xlsx": [1, 2, 299],
    "cnki_noteexpress/cnki2bibtex-ChineseColon.net": [1],
    "cnki_noteexpress/cnki2bibtex-Classic5Test.net": [1, 5],
    "cnki_noteexpress/cnki2bibtex-CoverAllTest15Entries.net": [2, 3, 10, 14, 15],  # 3: thesis; 14: commas
    "cnki_noteexpress/cnki2bibtex-LotsOfEnglish.net": [1, 5, 21],
    "cnki_noteexpress/cnki2bibtex-mixed.net": [1, 4, 10, 11],  # 10, 11: old addresses with blank lines
    "cnki_noteexpress/cnki2bibtex-withLineBreakInAddress.net": [1],  # bare CRs in the address
    "cnki_refworks/cross-reality-CNKI.txt": [1, 3, 10, 298],  # 3: online first, no YR
    "cnki_refworks/lda-CNKI-20210429002635507.txt": [1, 18, 396, 398, 410],  # 18: thesis; 396-410: older
    "cssci/cssciTextParser-1-100b.txt": [1, 50, 100],
    "cssci/paper-longtail-DataSet-CSSCI.txt": [1, 2, 96],  # 2: '121-125,171'
    "cssci/paper-longtail-source-DataSet-CSSCI.txt": [2, 3],
    "ei_plain/sci-ref-ei-citation.txt": [1, 2, 13, 46],  # 2: proceedings; 13: Language: Chinese
    "ris/cnki-converter-demo.ris": [1, 40],
    "ris/litstudy-example.ris": [1, 2, 25],
    "ris/ris_transform-ceshi-endnote-wos.ris": [1, 3, 17, 19],  # 1: KW lines, ARTN; 17: two corresponding
    "ris/scopus2histcite-scopus.ris": [1, 2, 26],  # 26: no title, authors and source only
    "scopus_csv/bibliometrix-fixture-scopus_sample.csv": [1, 8],  # NA cells, 'Y. Li;'
    "scopus_csv/helioszjr-bibliometrix-scopus.csv": [1, 81],
    "scopus_csv/litstudy-scopus.csv": [1, 18, 58],  # 18: the unnamed second funding text
    "wanfang_noteexpress/mrhelper-demo_wanfang_202101.NET": [1, 6, 20],
    "wos_plain/bibliometrix-valuecreation2_96_records.txt": [1, 96],  # 96: 1992 address style
    "wos_plain/helioszjr-bibliometrix-savedrecs.txt": [1, 17],
    "wos_plain/mrhelper-demo_wos_202101.txt": [1, 10],
    "wos_plain/trafficsafety-savedrecs.txt": [1, 856],
    "wos_plain/worm-dataset.txt": [1, 1949],
    "wos_tab/scientopy-2020-wos_3054.txt": [1, 24, 54],  # 24: a chapter with only BA/BF
    "wos_tab/scientopy-old-wos_1_500.txt": [1, 500],
    "wos_tab/scientopy-wos_2026_04_02_4071.txt": [1, 36, 37, 71],  # 36: a book; 37: a chapter
}

ROWS = manifest() or [pytest.param("none", 0, marks=pytest.mark.skip(reason="no shared samples"))]

_read_cache: dict[str, list[Record | Problem]] = {}


def items_of(name: str) -> list[Record | Problem]:
    if name not in _read_cache:
        pf = read_file(SAMPLES / name)
        assert pf.error is None, pf.error
        _read_cache[name] = pf.items
    return _read_cache[name]


def expected_sources(name: str, count: int) -> dict[str, int]:
    if name in SOURCES:
        return SOURCES[name]
    folder = name.split("/")[0]
    return {next(v for k, v in FOLDER_SOURCES.items() if folder.startswith(k)): count}


@pytest.mark.parametrize(("name", "count"), ROWS)
def test_sample_reads_whole(samples, name, count):
    pf = read_file(samples / name)
    assert pf.error is None
    assert pf.fmt.name == FORMATS[name.split("/")[0]]
    assert len(pf.items) == RECORDS.get(name, count)  # records_read, as MANIFEST.md counted them on the raw bytes
    problems = [(i.record_no, i.line, i.reason) for i in pf.items if isinstance(i, Problem)]
    expected = EXPECTED_PROBLEMS.get(name, [])
    assert [(n, line) for n, line, _ in problems] == [(n, line) for n, line, _ in expected]
    assert all(got.startswith(want) for (_, _, got), (_, _, want) in zip(problems, expected, strict=True))
    records = [i for i in pf.items if isinstance(i, Record)]
    want = expected_sources(name, len(records))
    assert dict(Counter(r.source for r in records)) == want
    assert len({r.source_id for r in records}) == len(records)  # no two records of a file share an id


@pytest.mark.parametrize(("name", "count"), ROWS)
def test_sample_golden_records(samples, name, count):
    items = items_of(name)
    got = {}
    for n in PICKS[name]:
        d = items[n - 1].to_dict()
        d["raw_tags"] = sorted(d.pop("raw"))
        got[str(n)] = d
    path = GOLDEN / f"{name}.json"
    if os.environ.get("IR_UPDATE_GOLDEN"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(got, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    expected = json.loads(path.read_text(encoding="utf-8"))
    assert sorted(expected, key=int) == [str(n) for n in PICKS[name]]
    for n in expected:
        assert got[n] == expected[n], f"record {n} of {name} differs from its golden file"


@pytest.mark.parametrize(("name", "count"), ROWS)
def test_chinese_names_have_their_chinese_form(samples, name, count):
    for rec in items_of(name):
        if isinstance(rec, Record):
            for a in rec.authors:
                if has_han(a.name):
                    assert a.name_zh == a.name, (name, rec.title, a.name)


def test_manifest_lists_every_export_sample(samples):
    listed = {name for name, _ in manifest(exports_only=False)}
    on_disk = {p.relative_to(samples).as_posix() for p in samples.rglob("*") if p.is_file() and p.name != "MANIFEST.md"}
    assert on_disk <= listed, f"samples not in MANIFEST.md: {sorted(on_disk - listed)}"
    assert set(PICKS) == {name for name, _ in manifest()}


# ---------------------------------------------------------------------------- the fields the issue named


def record(name: str, title_start: str) -> Record:
    return next(r for r in items_of(name) if isinstance(r, Record) and r.title and r.title.startswith(title_start))


def test_fields_cssci_issue_codes_and_continued_pages(samples):
    rec = record("cssci/paper-longtail-DataSet-CSSCI.txt", "基于决策树方法的网络舆情反转识别")
    assert rec.raw["年代卷期"] == ["2019,38(080):121-125,171"]
    assert (rec.year, rec.volume, rec.issue) == (2019, "38", "8")
    assert (rec.first_page, rec.last_page, rec.continued_pages) == ("121", "125", "171")
    issues = Counter(r.issue for r in items_of("cssci/cssciTextParser-1-100b.txt"))
    assert set(issues) <= {str(i) for i in range(1, 25)}  # '010'..'240' are issues 1..24
    assert [a.name_zh for a in rec.authors] == ["田俊静", "兰月新", "夏一雪", "张双狮", "连芷萱"]


def test_fields_comma_separated_chinese_authors(samples):
    rec = record("cnki_noteexpress/cnki2bibtex-mixed.net", "基于公共行政理念的政府公共关系")
    assert [a.name for a in rec.authors] == ["谢昕", "王小增"]
    lda = record("cnki_refworks/lda-CNKI-20210429002635507.txt", "域内资源整合系统及其标准协议体系")
    assert [a.name for a in lda.authors] == ["郭一平", "王亮"]
    # 'unit,unit place' + ',place' on an untagged line after bare CRs: units and places paired, by position
    assert [a.text for a in lda.affiliations] == ["华中科技大学图书馆 武汉,430074", "华中科技大学控制科学与工程系 武汉,430074"]
    assert [a.affiliations for a in lda.authors] == [[0], [1]]
    assert lda.source == "cnki" and lda.abstract and lda.journal.issn == "1002-1027" and lda.journal.cn == "11-2952/G2"


def test_fields_wos_chapters_and_compound_types(samples):
    rec = items_of("wos_tab/scientopy-2020-wos_3054.txt")[23]
    assert rec.raw.get("AU") is None and rec.raw["BA"] == ["Gupta, N"]
    assert [a.name for a in rec.authors] == ["Gupta, N"]
    assert (rec.doc_type_raw, rec.doc_type) == ("Article; Book Chapter", "book chapter")
    books = Counter(r.doc_type for r in items_of("wos_tab/scientopy-2020-wos_3054.txt") if r.raw["PT"] == ["B"])
    assert books == {"book chapter": 15}
    assert all(r.authors for r in items_of("wos_tab/scientopy-2020-wos_3054.txt"))


def test_fields_old_wos_address_country(samples):
    rec = items_of("wos_plain/bibliometrix-valuecreation2_96_records.txt")[95]
    assert [(a.text, a.country) for a in rec.affiliations] == [
        ("UNIV ALABAMA,GRAD SCH MANAGEMENT,BIRMINGHAM,AL 35294.", "USA"),
        ("UNIV ALABAMA,SCH PUBL HLTH,BIRMINGHAM,AL 35294.", "USA")]


def test_fields_ris_continuation_lines_and_custom_1(samples):
    items = items_of("ris/ris_transform-ceshi-endnote-wos.ris")
    rec = items[0]
    assert len(rec.keywords) == 12 and rec.keywords[:2] == ["carbon price forecasting", "variational mode decomposition"]
    assert (rec.doi, rec.article_number, rec.first_page) == ("10.1016/j.eneco.2024.107353", "107353", None)
    wos_rank_notes = items[18]
    assert wos_rank_notes.raw["C1"] == ["FMS:B;\nAJG:3;\nZUFE:1A;"] and wos_rank_notes.affiliations == []
    scopus = items[16]  # 'Correspondence Address: B. Zhu; ...; J. Chevallier; ...' in N1
    assert [a.name for a in scopus.authors if a.corresponding] == ["Zhu, B.", "Chevallier, J."]
    converter = items_of("ris/cnki-converter-demo.ris")[1]
    assert [a.name_zh for a in converter.authors] == ["赵亚欧", "张家重", "李贻斌", "付宪瑞", "生伟"]


def test_fields_scopus_correspondence_countries_and_na(samples):
    rec = items_of("scopus_csv/bibliometrix-fixture-scopus_sample.csv")[0]
    assert rec.raw["Correspondence Address"][0].startswith("Y. Li;")
    assert [(a.name, a.corresponding, a.email) for a in rec.authors if a.corresponding] == [
        ("Li, Yufei", True, "Liyufei666@163.com")]
    assert {a.country for a in rec.affiliations} == {"China"}
    assert all("NA" not in v for r in items_of("scopus_csv/bibliometrix-fixture-scopus_sample.csv")
               for v in r.raw.values())
    assert (rec.isbn, rec.pmid, rec.conference) == (None, None, None)
    wide = items_of("scopus_csv/litstudy-scopus.csv")[17]
    assert wide.raw["EID"] == [wide.source_id] and "Funding Text 2" in wide.raw


def test_fields_cnki_theses(samples):
    endnote = record("cnki_endnote/cnki-converter-demo.txt", "基于深度学习的语音识别应用研究")
    assert (endnote.doc_type, endnote.degree, endnote.supervisors) == ("thesis", "硕士", ["徐蔚然"])
    assert [a.text for a in endnote.affiliations] == ["北京邮电大学"] and endnote.authors[0].affiliations == [0]
    assert endnote.abstract.count("\n") == 6 and "\n1、基于深度神经网络的声学特征提取研究\n" in endnote.abstract
    refworks = record("cnki_refworks/lda-CNKI-20210429002635507.txt", "基于纳米出版的学术论文信息资源聚合研究")
    assert (refworks.degree, refworks.supervisors, refworks.journal.publisher) == ("硕士", ["罗琳"], "武汉大学")
    assert [a.text for a in refworks.affiliations] == ["武汉大学"]
    noteexpress = record("cnki_noteexpress/cnki2bibtex-CoverAllTest15Entries.net", "云环境下铁路")
    assert (noteexpress.degree, noteexpress.supervisors, [a.text for a in noteexpress.affiliations]) == (
        "博士", ["何世伟"], ["北京交通大学"])


def test_fields_markup_online_first_and_keywords(samples):
    assert not any("(#br)" in (r.abstract or "") for r in items_of("cnki_endnote/cnki-converter-demo.txt"))
    online = record("cnki_refworks/cross-reality-CNKI.txt", "面向元宇宙技术体系的数字图书馆建设研究")
    assert "YR" not in online.raw and (online.year, online.pub_date) == (2024, "2024-11-13")
    lda = items_of("cnki_refworks/lda-CNKI-20210429002635507.txt")[0]
    assert lda.keywords == ["图书馆资源发现系统", "用户画像", "语义检索", "Library resource discovery system",
                            "User portrait", "Semantic retrieval"]


def test_fields_wos_bibtex(samples):
    rec = items_of("bibtex/bibliometrix-wos-savedrecs.bib")[1]
    assert (rec.source, rec.source_id, rec.raw["unique-id"]) == ("wos", "WOS:000186671900002", ["{ISI:000186671900002}"])
    assert [a.text for a in rec.affiliations] == [
        "Univ Vermont, Dept Comp Sci, Burlington, VT 05405 USA.",
        "Lawrence Livermore Natl Lab, Ctr Appl Sci Comp, Livermore, CA 94551 USA.",
        "Ikuni Inc, Palo Alto, CA 94304 USA."]
    assert rec.corresponding_addresses == ["Univ Vermont, Dept Comp Sci, Votey Bldg, Burlington, VT 05405 USA."]
    assert [(a.name, a.email) for a in rec.authors if a.corresponding] == [("Lee, B", "bslee@cs.uvm.edu")]
    assert (rec.journal.issn, rec.journal.eissn) == ("0020-0255", "1872-6291")


def test_fields_scopus_bibtex_letters(samples):
    rec = items_of("bibtex/bibliometrix-scopus.bib")[0]
    assert [(a.name, a.affiliations) for a in rec.authors] == [
        ("D'Ambrosio, A.", [0]), ("Aria, M.", [0]), ("Iorio, C.", [1]), ("Siciliano, R.", [1])]
    assert rec.authors[0].corresponding and rec.authors[0].email == "antdambr@unina.it"


def test_fields_ei_citation(samples):
    rec = items_of("ei_plain/sci-ref-ei-citation.txt")[1]
    assert rec.title == "iGlasses: A novel recommendation system for best-fit glasses"
    assert [a.name for a in rec.authors][:2] == ["Gu, Xiaoling", "Shou, Lidan"]
    assert rec.authors[0].affiliations == [0] and rec.affiliations[0].country == "China"
    assert (rec.first_page, rec.last_page, rec.year, rec.database) == ("1109", "1112", 2016, "Compendex")
    assert rec.conference.startswith("SIGIR 2016 - Proceedings of the 39th")
