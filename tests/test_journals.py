"""Journal lists: ISSN/CN/title normalisation, list values, the loader's problems, the adapters on real lists."""

from __future__ import annotations

from pathlib import Path

import pytest

from ir.tagging.adapters import convert_list, sniff_format
from ir.tagging.journals import (
    JournalEntry,
    LoadProblem,
    abbreviation_fits,
    canonical_list,
    cn_key,
    journal_files,
    load_journal_lists,
    normalize_cn,
    normalize_value,
    parse_issn,
    parse_rows,
    read_journal_file,
    title_key,
    write_journal_csv,
)


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("0002-7863", ("0002-7863", None)),  # J Am Chem Soc
        ("00027863", ("0002-7863", None)),  # no hyphen
        ("1520-5126", ("1520-5126", None)),
        ("0021-9606 ", ("0021-9606", None)),
        ("2041-1723", ("2041-1723", None)),  # Nature Communications
        ("1095-564X", ("1095-564X", None)),  # X check digit
        ("1095-564x", ("1095-564X", None)),  # lower-case x
        ("ISSN 0028-0836", ("0028-0836", None)),
        ("０００２－７８６３", ("0002-7863", None)),  # full-width
        ("", (None, None)),
        ("-", (None, None)),
        (None, (None, None)),
    ],
)
def test_parse_issn_accepts_real_world_variants(raw, expected):
    assert parse_issn(raw) == expected


@pytest.mark.parametrize(
    "raw, reason_part",
    [
        ("0002-7864", "wrong ISSN check digit"),  # 3 expected
        ("1095-5640", "expected X"),
        ("0002-786", "not an ISSN"),
        ("ABCD-EFGH", "not an ISSN"),
    ],
)
def test_parse_issn_reports_bad_values(raw, reason_part):
    value, reason = parse_issn(raw)
    assert value is None and reason_part in reason


@pytest.mark.parametrize(
    "raw, normalised, key",
    [
        ("21-1117/N", "21-1117/N", "21-1117"),
        ("CN 11-2223/N", "11-2223/N", "11-2223"),
        ("CN11-1804/TP", "11-1804/TP", "11-1804"),
        ("11－1804／tp", "11-1804/TP", "11-1804"),  # full-width, lower case
        ("11-1804", "11-1804", "11-1804"),
        ("ISSN 1000-9825", None, None),  # an ISSN is not a CN number
        ("", None, None),
    ],
)
def test_cn_numbers(raw, normalised, key):
    assert normalize_cn(raw) == normalised
    assert cn_key(raw) == key


@pytest.mark.parametrize(
    "a, b",
    [
        ("Journal of the American Chemical Society", "JOURNAL OF THE AMERICAN CHEMICAL SOCIETY"),
        ("IEEE/ACM Transactions on Audio, Speech, and Language Processing",
         "IEEE-ACM Transactions on Audio Speech and Language Processing"),
        ("The Lancet", "LANCET"),
        ("Physical Review B (Print)", "Physical Review B"),
        ("Food & Function", "Food and Function"),
        ("中国科学：化学", "中国科学:化学"),
        ("《计算机学报》", "计算机学报"),
        ("Zeitschrift für Physik", "Zeitschrift fur Physik"),
    ],
)
def test_title_keys_equal(a, b):
    assert title_key(a) == title_key(b) != ""


@pytest.mark.parametrize(
    "a, b",
    [("Physical Review A", "Physical Review B"), ("计算机学报", "软件学报"), ("Nature", "Nature Materials")],
)
def test_title_keys_differ(a, b):
    assert title_key(a) != title_key(b)


@pytest.mark.parametrize(
    "abbreviation, title, fits",
    [
        ("J AM CHEM SOC", "Journal of the American Chemical Society", True),
        ("J. Am. Chem. Soc.", "Journal of the American Chemical Society", True),
        ("CHEM REV", "Chemical Reviews", True),
        ("J PHYS", "Journal of Physiotherapy", False),  # too short to say
        ("J AM CHEM SOC", "Journal of the American Ceramic Society", False),
        ("PHYS REV B", "Physical Review Letters", False),
        ("J ALLOY COMPD", "Journal of Alloys and Compounds", True),  # ISO 4 contraction
        ("J. Natl. Cancer Inst.", "Journal of the National Cancer Institute", True),
        ("J CHEM PHYS", "Journal of Chemical Psychology", False),
    ],
)
def test_abbreviation_fits(abbreviation, title, fits):
    assert abbreviation_fits(title_key(abbreviation), title_key(title)) is fits


@pytest.mark.parametrize(
    "name, expected",
    [("JCR", "jcr"), ("中科院分区", "cas"), ("北大核心", "pku_core"), ("CSSCI", "cssci"), ("cscd", "cscd"),
     ("本校", "institution"), ("My Faculty List", "my_faculty_list")],
)
def test_canonical_list_names(name, expected):
    assert canonical_list(name) == expected


@pytest.mark.parametrize(
    "lst, raw, expected",
    [
        ("jcr", "Q1", "Q1"), ("jcr", "q2", "Q2"), ("jcr", "3", "Q3"), ("jcr", "Q4 ", "Q4"),
        ("cas", "1", "1"), ("cas", "1区", "1"), ("cas", "二区", "2"), ("cas", "3区 Top", "3"), ("cas", "Q4", "4"),
        ("esi", "Chemistry", "Chemistry"), ("esi", "CLINICAL MEDICINE", "Clinical Medicine"),
        ("esi", "化学", "Chemistry"), ("esi", "Environment & Ecology", "Environment/Ecology"),
        ("cssci", "", "core"), ("cssci", "扩展版", "extended"), ("cscd", "核心库", "core"), ("cscd", "扩展库", "extended"),
        ("pku_core", "", "core"), ("institution", "A", "A"), ("institution", "b类", "B"),
        ("my_list", "Top 10%", "Top 10%"),
    ],
)
def test_list_values_normalised(lst, raw, expected):
    assert normalize_value(lst, raw) == (expected, None)


@pytest.mark.parametrize(
    "lst, raw",
    [("jcr", "Q5"), ("jcr", ""), ("cas", "Top"), ("esi", "Astrology"), ("pku_core", "extended"), ("institution", "Z"),
     ("my_list", "")],
)
def test_list_values_refused(lst, raw):
    value, reason = normalize_value(lst, raw)
    assert value is None and reason


JOURNALS_CSV = """\
list,year,issn,eissn,title,value,category
jcr,2022,0002-7863,1520-5126,Journal of the American Chemical Society,Q1,"Chemistry, Multidisciplinary"
jcr,2022,00092614,,Chemical Reviews,Q1,"Chemistry, Multidisciplinary"
jcr,2022,0002-7864,,Broken Check Digit Journal,Q2,"Chemistry, Physical"
jcr,2022,,,,Q3,Physics
jcr,2022,0021-9606,,Journal of Chemical Physics,Q5,"Physics, Atomic, Molecular & Chemical"
cas,,0002-7863,,Journal of the American Chemical Society,1,化学
,2022,0002-7863,,Journal of the American Chemical Society,A,
pku_core,2020,1000-9825,,软件学报,,
"""


def test_loader_reports_bad_rows_with_file_line_and_column(tmp_path):
    path = tmp_path / "journals.csv"
    path.write_text(JOURNALS_CSV, encoding="utf-8")
    entries, problems = read_journal_file(path)
    assert [(e.list, e.year, e.issn, e.eissn, e.value) for e in entries] == [
        ("jcr", 2022, "0002-7863", "1520-5126", "Q1"),
        ("jcr", 2022, "0009-2614", None, "Q1"),
        ("jcr", 2022, None, None, "Q2"),  # kept without its bad ISSN: the title still matches
        ("pku_core", 2020, "1000-9825", None, "core"),
    ]
    got = {(p.line, p.column, p.severity): p.reason for p in problems}
    assert set(got) == {(4, "issn", "warning"), (5, None, "error"), (6, "value", "error"), (7, "year", "error"),
                        (8, "list", "error")}
    assert "expected 3" in got[(4, "issn", "warning")]
    assert all(p.file == str(path) for p in problems)


GOOD = {"list": "jcr", "year": "2022", "issn": "0002-7863", "eissn": "1520-5126", "cn": "",
        "title": "Journal of the American Chemical Society", "value": "Q1", "category": "Chemistry"}
ROW_CASES = [
    # (case, changed columns, problems {(column, severity)}, loaded: the entry's fields, or None: refused)
    ("a clean row", {}, set(), {"issn": "0002-7863", "eissn": "1520-5126"}),
    ("a wrong ISSN check digit drops the ISSN", {"issn": "0002-7864"}, {("issn", "warning")},
     {"issn": None, "eissn": "1520-5126"}),
    ("a malformed eISSN drops the eISSN", {"eissn": "1520-512"}, {("eissn", "warning")}, {"eissn": None}),
    ("a malformed CN drops the CN", {"cn": "CN 21-11"}, {("cn", "warning")}, {"cn": None}),
    ("an empty category is no problem", {"category": ""}, set(), {"category": ""}),
    ("no valid ISSN, but the title still names the journal", {"issn": "x", "eissn": ""}, {("issn", "warning")},
     {"issn": None, "title": "Journal of the American Chemical Society"}),
    # keys: the row is refused
    ("no list", {"list": ""}, {("list", "error")}, None),
    ("no edition year", {"year": "n/a"}, {("year", "error")}, None),
    ("a tier the list does not have", {"value": "Q5"}, {("value", "error")}, None),
    ("nothing left to name the journal", {"issn": "0002-7864", "eissn": "", "title": ""},
     {("issn", "warning"), (None, "error")}, None),
]


@pytest.mark.parametrize("case, changes, problems, loaded", ROW_CASES, ids=[c[0] for c in ROW_CASES])
def test_only_a_bad_key_refuses_a_journal_row(case, changes, problems, loaded):
    out = list(parse_rows([(2, {**GOOD, **changes})], "journals.csv"))
    entries = [x for x in out if isinstance(x, JournalEntry)]
    assert {(p.column, p.severity) for p in out if isinstance(p, LoadProblem)} == problems
    if loaded is None:
        assert entries == []
    else:
        assert [(getattr(entries[0], k)) for k in loaded] == list(loaded.values())


def test_loader_reads_chinese_headers_gbk_and_a_folder(tmp_path):
    (tmp_path / "journals").mkdir()
    text = "名单,年份,ISSN,EISSN,刊名,分区,学科,CN号\n中科院分区,2023,1000-9825,,软件学报,2区,计算机科学,11-2560/TP\n"
    (tmp_path / "journals" / "cas-2023.csv").write_bytes(text.encode("gb18030"))
    (tmp_path / "journals.csv").write_text("list,year,issn,eissn,title,value,category\ncscd,2023,1000-9825,,软件学报,核心库,\n",
                                           encoding="utf-8-sig")
    assert [p.name for p in journal_files(tmp_path)] == ["journals.csv", "cas-2023.csv"]
    entries, problems = load_journal_lists(tmp_path)
    assert problems == []
    assert [(e.list, e.value, e.cn, e.category) for e in entries] == [
        ("cscd", "core", None, ""), ("cas", "2", "11-2560/TP", "计算机科学")]


def test_loader_missing_columns_is_one_problem(tmp_path):
    path = tmp_path / "journals.csv"
    path.write_text("title,issn\nNature,0028-0836\n", encoding="utf-8")
    entries, problems = read_journal_file(path)
    assert entries == [] and len(problems) == 1
    assert problems[0].line == 1 and "missing column" in problems[0].reason


def test_written_csv_reads_back_the_same(tmp_path):
    entry = JournalEntry(list="jcr", year=2020, value="Q1", title="ADVANCED MATERIALS", category="NANOSCIENCE & NANOTECHNOLOGY",
                         note="IF 27.398", file="x", line=2)
    path = tmp_path / "j.csv"
    with open(path, "w", encoding="utf-8", newline="") as fh:
        write_journal_csv([entry], fh)
    (back,), problems = read_journal_file(path)
    assert problems == []
    assert (back.list, back.year, back.value, back.title, back.category, back.note) == (
        "jcr", 2020, "Q1", "ADVANCED MATERIALS", "NANOSCIENCE & NANOTECHNOLOGY", "IF 27.398")


# ---------------------------------------------------------------- the real lists


def test_adapter_reads_the_real_jcr_list(samples):
    path = samples / "journal_lists" / "mrhelper-sci-jcr-quartiles.csv"
    entries, problems, fmt = convert_list(path, "jcr", 2020)
    assert fmt == "mrhelper-jcr"
    assert len(entries) + len(problems) == 14492
    # the one row of the file without a title, reported with its line
    assert [(p.line, p.column, p.reason) for p in problems] == [(5065, "title", "no journal title")]
    assert {e.value for e in entries} == {"Q1", "Q2", "Q3", "Q4"}
    am = [e for e in entries if e.title == "ADVANCED MATERIALS"]
    assert len(am) == 6 and {e.value for e in am} == {"Q1"}  # one entry per WoS category
    first = entries[0]
    assert (first.title, first.value, first.category, first.note, first.line) == (
        "ULTRASONICS SONOCHEMISTRY", "Q1", "ACOUSTICS", "IF 7.279; 声学", 2)


def test_adapter_reads_the_real_core_list(samples):
    path = samples / "journal_lists" / "mrhelper-hexin.csv"
    entries, problems, fmt = convert_list(path, "cscd", 2021)
    assert fmt == "mrhelper-core" and problems == []
    assert len(entries) == 2054
    assert (entries[0].title, entries[0].value, entries[0].note, entries[0].list) == (
        "ACTA BIOCHIMICA ET BIOPHYSICA SINICA", "core", "F034", "cscd")


def test_adapter_output_loads_as_journals_csv(samples, tmp_path):
    entries, _, _ = convert_list(samples / "journal_lists" / "mrhelper-hexin.csv", "pku_core", 2021)
    (tmp_path / "journals").mkdir()
    with open(tmp_path / "journals" / "pku_core-2021.csv", "w", encoding="utf-8", newline="") as fh:
        write_journal_csv(entries, fh)
    loaded, problems = load_journal_lists(tmp_path)
    assert problems == [] and len(loaded) == 2054


def test_adapter_refuses_an_unknown_layout(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("a,b\n1,2\n", encoding="utf-8")
    entries, problems, fmt = convert_list(path, "jcr", 2020)
    assert entries == [] and isinstance(problems[0], LoadProblem) and "--format" in problems[0].reason
    assert sniff_format(["field", "field-cn", "title", "if", "quarter"]) == "mrhelper-jcr"


def test_missing_dictionaries_folder_is_empty_not_an_error(tmp_path):
    assert load_journal_lists(Path(tmp_path / "nowhere")) == ([], [])
