"""The demo data generator: deterministic, consistent with its truth, noisy, and readable by our parsers."""

from __future__ import annotations

import csv
import json
import os
import random
import re
import subprocess
import sys
from collections import Counter, defaultdict
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ir.cli import app
from ir.demo import generate, write_dictionaries
from ir.demo.exports import inspec_style, title_cnki, title_ei
from ir.demo.institution import generate_people, orcid_check_digit
from ir.demo.journals import issn_check_digit, valid_issn
from ir.demo.names import Name, dotted_initials, forename_first, typo, upper_family, wos_abbrev, wos_full
from ir.demo.works import make_isbn, plain

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ("wos", "ei", "cnki")


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def tree_bytes(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def export_text(path: Path) -> str:
    data = path.read_bytes()
    for enc in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(enc).replace("\r\n", "\n")
        except UnicodeDecodeError:
            continue
    raise AssertionError(f"{path} is neither UTF-8 nor GB18030")


# What each export file says about its records, read off the text without any parser:
# (source id, number of authors) per record, in file order.
def records_in(source: str, text: str) -> list[tuple[str, int]]:
    out = []
    if source == "wos":
        for block in re.findall(r"^PT .*?^ER$", text, flags=re.M | re.S):
            ut = re.search(r"^UT (\S+)", block, flags=re.M).group(1)
            au = re.search(r"^AU (.*?)\n(?=[A-Z][A-Z0-9] )", block, flags=re.M | re.S).group(1)
            out.append((ut, len(au.split("\n"))))
    elif source == "ei":
        for block in re.split(r"^<RECORD \d+>$", text, flags=re.M)[1:]:
            an = re.search(r"^Accession number: (\S+)", block, flags=re.M).group(1)
            authors = re.search(r"^Authors: (.*)$", block, flags=re.M).group(1)
            out.append((an, len(authors.split("; "))))
    elif text.startswith("%0 "):  # CNKI's EndNote export
        for block in text.split("%0 Journal Article\n")[1:]:
            fn = re.search(r"FileName=([^&\s]+)", block).group(1)
            out.append((fn, len(re.findall(r"^%A ", block, flags=re.M))))
    else:
        for block in text.split("DataType: 1\n")[1:]:
            fn = re.search(r"FileName=([^&\s]+)", block).group(1)
            authors = re.search(r"^Author-作者: (.*)$", block, flags=re.M).group(1)
            out.append((fn, len([a for a in authors.split(";") if a])))
    return out


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("demo") / "default"
    generate(out)
    return out


@pytest.fixture(scope="module")
def bigger(tmp_path_factory) -> Path:
    """Enough works that every kind of noise shows up many times."""
    out = tmp_path_factory.mktemp("demo") / "bigger"
    generate(out, works=1500, people=600, seed=11)
    return out


# ---- pure pieces ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("issn, valid", [
    ("0317-8471", True), ("2049-3630", True), ("1050-124X", True), ("0378-5955", True),
    ("0317-8472", False), ("1050-1241", False), ("2049-363", False),
])
def test_issn_check_digit(issn, valid):
    assert valid_issn(issn) is valid


def test_issn_check_digit_x():
    assert issn_check_digit("1050124") == "X"


@pytest.mark.parametrize("orcid", ["0000-0002-1825-0097", "0000-0001-5109-3700", "0000-0002-1694-233X"])
def test_orcid_check_digit(orcid):
    digits = orcid.replace("-", "")
    assert orcid_check_digit(digits[:15]) == digits[15]


WEILI = Name("张伟立", ("Zhang",), ("wei", "li"))
WEI = Name("张伟", ("Zhang",), ("wei",))
JIAAN = Name("李嘉安", ("Li",), ("jia", "an"))
LU = Name("吕平", ("Lü",), ("ping",))
OUYANG = Name("欧阳明", ("Ou", "yang"), ("ming",))


@pytest.mark.parametrize("got, expected", [
    (wos_full(WEILI, "plain"), "Zhang, Weili"),
    (wos_full(WEILI, "hyphen"), "Zhang, Wei-Li"),
    (wos_full(WEILI, "lowerhyphen"), "Zhang, Wei-li"),
    (wos_full(WEILI, "spaced"), "Zhang, Wei Li"),
    (wos_full(WEI, "hyphen"), "Zhang, Wei"),
    (wos_abbrev(WEILI, "hyphen"), "Zhang, WL"),
    (wos_abbrev(WEILI, "plain"), "Zhang, W"),
    (dotted_initials(WEILI), "Zhang W.L."),
    (forename_first(WEILI), "Weili Zhang"),
    (forename_first(WEILI, hyphen=True), "Wei-Li Zhang"),
    (upper_family(WEI), "ZHANG Wei"),
    (JIAAN.canonical_en, "Li Jia'an"),
    (LU.canonical_en, "Lv Ping"),
    (OUYANG.canonical_en, "Ouyang Ming"),
    (WEILI.canonical_en, "Zhang Weili"),
])
def test_name_forms(got, expected):
    assert got == expected


@pytest.mark.parametrize("title, cnki, ei, flat", [
    ("CO<sub>2</sub> capture", "CO_2 capture", "CO<inf>2</inf> capture", "CO2 capture"),
    ("Er<sup>3+</sup>-doped fibers", "Er~(3+)-doped fibers", "Er<sup>3+</sup>-doped fibers", "Er3+-doped fibers"),
    ("Li<sup>+</sup> in Al<sub>2</sub>O<sub>3</sub>", "Li~+ in Al_2O_3", "Li<sup>+</sup> in Al<inf>2</inf>O<inf>3</inf>",
     "Li+ in Al2O3"),
])
def test_title_markup_per_source(title, cnki, ei, flat):
    # a seed whose first draws apply no random noise to these short titles
    assert title_cnki(title, random.Random(1)) == cnki
    rng = random.Random(3)
    assert rng.random() >= 0.1 and rng.random() >= 0.1  # the draws title_ei makes: no entities, no Title Case
    assert title_ei(title, random.Random(3)) == ei
    assert plain(title) == flat


@pytest.mark.parametrize("addr, expected", [
    ("School of Chemical Engineering, Huanghai University of Technology, Qingdao; 266580, China",
     "Sch. of Chem. Eng., Huanghai Univ. of Technol., Qingdao, China"),
    ("Department of Cardiology, Qingdao Huanghai Hospital, Qingdao; 266003, China",
     "Dept. of Cardiology, Qingdao Huanghai Hospital, Qingdao, China"),
])
def test_inspec_abbreviates_addresses(addr, expected):
    assert inspec_style(addr) == expected


def test_typo_changes_one_letter_only():
    rng = random.Random(5)
    for word in ("Zhang", "Huanghai", "selectivity"):
        damaged = typo(word, rng)
        assert damaged != word and abs(len(damaged) - len(word)) <= 1
        assert sorted(damaged) == sorted(word) or len(damaged) == len(word) - 1


def test_isbn_check_digit_is_valid():
    rng = random.Random(2)
    for _ in range(50):
        digits = make_isbn(rng).replace("-", "")
        assert len(digits) == 13
        assert sum(int(d) * (1 if i % 2 == 0 else 3) for i, d in enumerate(digits)) % 10 == 0


# ---- determinism --------------------------------------------------------------------------------------

def test_same_seed_writes_identical_bytes(demo, tmp_path):
    again = tmp_path / "again"
    generate(again)
    assert tree_bytes(again) == tree_bytes(demo)


def test_identical_across_processes(demo, tmp_path):
    """No output may depend on Python's per-process string hashing (set order and the like)."""
    for hash_seed in ("1", "2"):
        out = tmp_path / f"h{hash_seed}"
        code = f"from pathlib import Path; from ir.demo import generate; generate(Path({str(out)!r}))"
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        subprocess.run([sys.executable, "-c", code], check=True, env=env, cwd=ROOT)
        assert tree_bytes(out) == tree_bytes(demo)


def test_different_seed_differs(demo, tmp_path):
    other = tmp_path / "other"
    generate(other, seed=8)
    a, b = tree_bytes(demo), tree_bytes(other)
    assert a["truth/works.csv"] != b["truth/works.csv"]
    assert a["dictionaries/people.csv"] != b["dictionaries/people.csv"]
    assert a["dictionaries/organizations.csv"] == b["dictionaries/organizations.csv"]  # the tree is fixed


def test_shipped_dictionaries_are_the_generated_ones(tmp_path):
    """dictionaries/*.csv in the repository are the seed-7 default set: regenerate with
    `python -c "from ir.demo import write_dictionaries; from pathlib import Path; write_dictionaries(Path('dictionaries'))"`."""
    write_dictionaries(tmp_path)
    for name in ("organizations.csv", "people.csv", "journals.csv"):
        assert (ROOT / "dictionaries" / name).read_bytes() == (tmp_path / name).read_bytes(), name


def test_generate_rejects_empty_sizes(tmp_path):
    with pytest.raises(ValueError):
        generate(tmp_path, works=0)
    with pytest.raises(ValueError):
        generate(tmp_path, people=5)


# ---- truth consistency -------------------------------------------------------------------------------

def test_every_exported_record_is_in_the_truth(demo):
    truth = read_csv(demo / "truth/records.csv")
    by_file: dict[str, list[str]] = defaultdict(list)
    for r in truth:
        by_file[r["file"]].append(r["source_id"])
    files = sorted((demo / "exports").rglob("*.txt"))
    assert {p.relative_to(demo).as_posix() for p in files} == set(by_file)
    for path in files:
        source = path.parent.name
        ids = [i for i, _ in records_in(source, export_text(path))]
        assert ids == by_file[path.relative_to(demo).as_posix()], path
        assert 0 < len(ids) <= 500
    for source in SOURCES:
        ids = [r["source_id"] for r in truth if r["source"] == source]
        assert ids and len(ids) == len(set(ids)), f"{source} ids must be unique"
    works = {w["work_key"] for w in read_csv(demo / "truth/works.csv")}
    assert {r["work_key"] for r in truth} == works  # every work is exported at least once


def test_every_author_position_has_a_truth_row(demo):
    rows = read_csv(demo / "truth/authorships.csv")
    positions: dict[tuple[str, str], list[int]] = defaultdict(list)
    for r in rows:
        positions[(r["source"], r["source_id"])].append(int(r["position"]))
    for path in sorted((demo / "exports").rglob("*.txt")):
        for source_id, n_authors in records_in(path.parent.name, export_text(path)):
            assert positions[(path.parent.name, source_id)] == list(range(1, n_authors + 1)), source_id


def test_authorship_truth_refers_to_real_people_and_units(demo):
    people = read_csv(demo / "dictionaries/people.csv")
    person_ids = {p["person_id"] for p in people}
    org_ids = {o["org_id"] for o in read_csv(demo / "dictionaries/organizations.csv")}
    rows = read_csv(demo / "truth/authorships.csv")
    assert rows
    for r in rows:
        if r["person_id"]:
            assert r["person_id"] in person_ids and r["author_key"] == r["person_id"]
        else:
            assert r["author_key"][0] in "XL"
        units = [u for u in r["org_id"].split("|") if u]
        assert all(u in org_ids for u in units)
        assert r["is_ours"] == ("1" if units else "0")
    assert any(r["is_ours"] == "0" and r["author_key"].startswith("L") for r in rows), "look-alike authors"


def test_people_dictionary_is_consistent(demo):
    people = read_csv(demo / "dictionaries/people.csv")
    orgs = read_csv(demo / "dictionaries/organizations.csv")
    org_ids = {o["org_id"] for o in orgs}
    assert len(orgs) >= 15 and all(o["parent_id"] in org_ids for o in orgs if o["parent_id"])
    roles = {p["person_id"]: p["role"] for p in people}
    assert len(roles) == 200
    for p in people:
        assert p["org_id"] in org_ids
        assert not p["supervisor_id"] or roles.get(p["supervisor_id"]) == "faculty"
        assert (p["role"] == "student") == bool(p["supervisor_id"])
        assert not p["end_year"] or int(p["end_year"]) >= int(p["start_year"])
        assert not p["email"] or p["email"].endswith("@hhut.edu.cn")
        if p["orcid"]:
            digits = p["orcid"].replace("-", "")
            assert orcid_check_digit(digits[:15]) == digits[15]
    emails = {p["person_id"]: p["email"] for p in people if p["email"]}
    assert len(set(emails.values())) == len(emails)


def test_people_include_homonyms_and_moves(demo):
    people = read_csv(demo / "dictionaries/people.csv")
    first = {}
    for p in people:
        first.setdefault(p["person_id"], p)
    by_en: dict[str, set[str]] = defaultdict(set)
    same_unit: Counter = Counter()
    for p in first.values():
        by_en[p["name_en"]].add(p["name_zh"])
        same_unit[(p["name_zh"], p["org_id"])] += 1
    assert any(len(zh) > 1 for zh in by_en.values()), "same pinyin, other characters (张伟/章伟)"
    assert any(n > 1 for n in same_unit.values()), "the exact same name in the same unit"
    orgs_of: dict[str, set[str]] = defaultdict(set)
    for p in people:
        orgs_of[p["person_id"]].add(p["org_id"])
    assert any(len(o) > 1 for o in orgs_of.values()), "a move between units"
    names = [p["name_zh"] for p in first.values()]
    assert any(len(n) == 2 for n in names) and any(len(n) == 3 for n in names)


def test_surnames_with_special_readings_are_spelled_right():
    special = {"单": "Shan", "曾": "Zeng", "解": "Xie", "区": "Ou", "仇": "Qiu", "欧阳": "Ouyang"}
    seen = Counter()
    for p in generate_people(20000, 7).persons:
        for zh, en in special.items():
            if p.name.zh.startswith(zh):
                seen[zh] += 1
                assert p.name.canonical_en.split(" ")[0] == en, p.name
    assert set(seen) == set(special)


@pytest.mark.parametrize("which", ["demo", "bigger"])
def test_dictionaries_load_without_problems(which, request):
    from ir.dictionaries import load_dictionaries
    from ir.tagging.journals import load_journal_lists

    folder = request.getfixturevalue(which) / "dictionaries"
    loaded = load_dictionaries(folder)
    assert loaded.problems == []
    assert len(loaded.people) == len({p["person_id"] for p in read_csv(folder / "people.csv")})
    entries, problems = load_journal_lists(folder)
    assert problems == [] and len(entries) == len(read_csv(folder / "journals.csv"))


def test_journal_lists(demo):
    rows = read_csv(demo / "dictionaries/journals.csv")
    assert {r["list"] for r in rows} == {"jcr", "cas", "esi", "cssci", "pku_core", "cscd", "institution"}
    assert {int(r["year"]) for r in rows} == set(range(2019, 2025))
    allowed = {"jcr": {"Q1", "Q2", "Q3", "Q4"}, "cas": {"1区", "2区", "3区", "4区"},
               "cscd": {"core", "extended"}, "institution": {"A", "B", "C"}}
    for r in rows:
        assert valid_issn(r["issn"]), r
        assert not r["eissn"] or valid_issn(r["eissn"])
        assert r["value"] in allowed.get(r["list"], {r["value"]})
        assert not r["cn"] or re.fullmatch(r"\d\d-\d{4}/[A-Z]{1,2}\d?", r["cn"])
    assert len({r["value"] for r in rows if r["list"] == "esi"}) >= 10
    assert any(re.search(r"[\u4e00-\u9fff]", r["title"]) and r["cn"] for r in rows)
    # a journal in two WoS categories with different quartiles, as in the real JCR
    by_journal = defaultdict(set)
    for r in rows:
        if r["list"] == "jcr":
            by_journal[(r["issn"], r["year"])].add(r["category"])
    assert any(len(c) > 1 for c in by_journal.values())
    works = read_csv(demo / "truth/works.csv")
    issns = {r["issn"] for r in rows}
    assert all(w["journal_issn"] in issns for w in works if w["journal_issn"])


def test_related_works_are_different_works(bigger):
    works = {w["work_key"]: w for w in read_csv(bigger / "truth/works.csv")}
    corrections = [w for w in works.values() if w["relation"] == "correction_of"]
    versions = [w for w in works.values() if w["relation"] == "journal_version_of"]
    assert corrections and versions
    for c in corrections:
        assert c["doc_type"] == "correction" and c["title"] == "Correction: " + works[c["related_work_key"]]["title"]
    for v in versions:
        orig = works[v["related_work_key"]]
        assert orig["doc_type"] == "proceedings paper" and v["doc_type"] == "article"
        assert int(v["year"]) >= int(orig["year"])
        if v["language"] == "zh":  # CNKI's conference database: the same title, a year earlier
            assert v["title"] == orig["title"] and int(v["year"]) > int(orig["year"])
        else:
            assert v["title"] != orig["title"]
    assert {v["language"] for v in versions} == {"en", "zh"}
    dois = [w["doi"] for w in works.values() if w["doi"]]
    assert len(dois) == len(set(dois))
    assert sum(w["highly_cited"] == "1" for w in works.values()) >= 3


# ---- the noise is really there ----------------------------------------------------------------------

def _all_text(root: Path, source: str) -> str:
    return "".join(export_text(p) for p in sorted((root / "exports" / source).glob("*.txt")))


def test_name_forms_are_varied(bigger):
    wos, ei, cnki = (_all_text(bigger, s) for s in SOURCES)
    af = re.findall(r"^(?:AF|  ) ([^\n]+)$", wos, flags=re.M)
    assert sum(bool(re.fullmatch(r"[A-Z][a-z]+, [A-Z][a-z]+-[A-Z][a-z]+", n)) for n in af) > 20  # Zhang, Wei-Li
    assert sum(bool(re.fullmatch(r"[A-Z][a-z]+, [A-Z][a-z]{4,}", n)) for n in af) > 100  # Zhang, Weili
    au = re.findall(r"^AU ([^\n]+)$", wos, flags=re.M)
    assert any(re.fullmatch(r"[A-Z][a-z]+, [A-Z]{2}", n) for n in au) and any(re.fullmatch(r"[A-Z][a-z]+, [A-Z]", n) for n in au)
    ei_names = [n for line in re.findall(r"^Authors: (.*)$", ei, flags=re.M) for n in line.split("; ")]
    assert any(re.fullmatch(r"[A-Z][a-z]+, ([A-Z]\.)+ \(.*\)", n) for n in ei_names)  # Zhang, W.L.
    assert any(re.fullmatch(r"[A-Z]{2,}, [A-Z][a-z]+ \(.*\)", n) for n in ei_names)  # ZHANG, Wei
    assert any(re.fullmatch(r"[A-Z][a-z]+ [A-Z][a-z]+ \(.*\)", n) for n in ei_names)  # Wei Zhang
    cnki_names = [n for line in re.findall(r"^Author-作者: (.*)$", cnki, flags=re.M) for n in line.split(";") if n]
    assert sum(bool(re.fullmatch(r"[\u4e00-\u9fff]{2,4}", n)) for n in cnki_names) > 100  # 张伟
    assert any(re.fullmatch(r"[A-Z]{2,} [A-Z][a-z]+", n) for n in cnki_names)  # ZHANG Wei
    assert any(re.fullmatch(r"[A-Z][a-z]+ ([A-Z]\.)+", n) for n in cnki_names)  # Zhang W.L.
    assert re.search(r"^(AF|  ) (Lv|Lyu|Lu), ", wos, flags=re.M) or "Lyu, " in ei or "Lv, " in ei


def test_affiliations_are_varied(bigger):
    wos, ei, cnki = (_all_text(bigger, s) for s in SOURCES)
    assert "Huanghai Univ Technol, Sch Chem Engn" in wos
    assert re.search(r"\] State Key Lab [^,]+, Qingdao", wos), "a laboratory without its university"
    assert "Qingdao Huanghai Hosp" in wos and "青岛市黄海医院" in cnki
    assert "Sch Chem Engn & Technol" in wos or "Sch Mech Engn, Qingdao" in wos  # former names
    assert "黄海理工大学化工学院" in cnki and "黄海理工大学化学工程学院" in cnki
    assert re.search(r"黄海理工大学[^;]*,山东青岛2665", cnki)
    assert "School of Chemical Engineering, Huanghai University of Technology, Qingdao; 266580, China" in ei
    assert "Huanghai Univ. of Technol." in ei  # Inspec's abbreviations
    for lookalike in ("Huanghai Med Univ", "Huanghai Inst Technol", "Huanghai Maritime Univ"):
        assert lookalike in wos


def test_titles_pages_and_ids_are_noisy(bigger):
    wos, ei, cnki = (_all_text(bigger, s) for s in SOURCES)
    assert "<inf>" in ei and re.search(r"[A-Za-z]_\d", cnki)
    assert re.search(r"\balpha-|\bbeta-|\bgamma-", wos) and re.search(r"[αβγ]-", wos)
    assert re.search(r"&(alpha|beta|gamma);", ei)
    assert re.search(r"^Pages: (\d+)-(\d+)$", ei, flags=re.M)
    assert any(len(b) < len(a) for a, b in re.findall(r"^Pages: (\d+)-(\d+)$", ei, flags=re.M)), "1234-45"
    assert "Early Access" in wos and re.search(r"^EA [A-Z]{3} \d{4}$", wos, flags=re.M)
    assert re.search(r"^AR \d+$", wos, flags=re.M) and "Article number: " in ei
    assert "(reprint author)" in wos and "(corresponding author)" in wos
    assert "Database: Inspec" in ei and "DbName=CAPJLAST" in cnki
    assert re.search(r"^DI 10\.\d+/[^a-z\n]+$", wos, flags=re.M), "an upper-cased DOI"


def test_sources_overlap_and_duplicate(bigger):
    records = read_csv(bigger / "truth/records.csv")
    works = {w["work_key"]: w for w in read_csv(bigger / "truth/works.csv")}
    per_work: dict[str, list[str]] = defaultdict(list)
    for r in records:
        per_work[r["work_key"]].append(r["source"])
    assert any(len(s) == 1 for s in per_work.values()), "works only in one source"
    assert any(len(set(s)) == 3 for s in per_work.values()), "works in all three sources"
    twice = Counter((r["source"], r["work_key"]) for r in records)
    assert {s for (s, _), n in twice.items() if n > 1} >= {"ei", "cnki"}, "the same work twice in one source"
    assert sum(r["kind"] == "duplicate" for r in records) == sum(n - 1 for n in twice.values())
    # a DOI present in one source and missing from another
    dois_in_wos = set(re.findall(r"^DI (\S+)$", _all_text(bigger, "wos"), flags=re.M))
    dois_in_ei = set(re.findall(r"^DOI: (\S+)$", _all_text(bigger, "ei"), flags=re.M))
    both = [w for w, s in per_work.items() if {"wos", "ei"} <= set(s) and works[w]["doi"]]
    missing = [w for w in both if works[w]["doi"] not in dois_in_ei or
               (works[w]["doi"] not in dois_in_wos and works[w]["doi"].upper() not in dois_in_wos)]
    assert missing
    assert any(r["doc_type"] == "correction" for r in works.values())


def test_hard_noise_is_recorded_in_the_truth(bigger):
    """Typos in our institution's name (the reprint line mostly right), and outside authors named like one
    of our people, each listed in truth/noise.csv by source record and byline position."""
    noise = read_csv(bigger / "truth/noise.csv")
    authorships = {(r["source"], r["source_id"], r["position"]): r for r in read_csv(bigger / "truth/authorships.csv")}
    people = {r["person_id"]: r["name_zh"] for r in read_csv(bigger / "dictionaries/people.csv")}
    typos = [r for r in noise if r["kind"] == "address_typo"]
    namesakes = [r for r in noise if r["kind"] == "outside_namesake"]
    assert {r["source"] for r in typos} == {"wos", "ei"} and {r["source"] for r in namesakes} >= {"wos", "cnki"}
    for r in typos:
        assert authorships[(r["source"], r["source_id"], r["position"])]["is_ours"] == "1"
    for r in namesakes:
        t = authorships[(r["source"], r["source_id"], r["position"])]
        assert t["is_ours"] == "0" and t["person_id"] == "" and r["detail"] in people
    wos = _all_text(bigger, "wos")
    slipped = [r["detail"] for r in typos if r["source"] == "wos"]
    assert any(f"(reprint author), {d}" not in wos and f"(corresponding author), {d}" not in wos for d in slipped)
    cnki = _all_text(bigger, "cnki")
    assert any(people[r["detail"]] in cnki for r in namesakes if r["source"] == "cnki")


def test_encodings_and_line_ends(demo):
    wos_files = sorted((demo / "exports/wos").glob("*.txt"))
    assert all(p.read_bytes().startswith(b"\xef\xbb\xbfFN ") for p in wos_files)
    cnki_first = (demo / "exports/cnki/CNKI-001.txt").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        cnki_first.decode("utf-8")
    assert "黄海理工大学".encode("gb18030") in cnki_first
    assert b"\r\n" in (demo / "exports/ei/ev-export-001.txt").read_bytes()
    assert all(b"\r\n" not in p.read_bytes() for p in sorted((demo / "exports/ei").glob("*.txt"))[1:])


# ---- the CLI -----------------------------------------------------------------------------------------

def test_cli_writes_and_summarises(tmp_path):
    result = CliRunner().invoke(app, ["demo-data", str(tmp_path / "d"), "--works", "60", "--people", "40",
                                      "--seed", "3", "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    records = read_csv(tmp_path / "d/truth/records.csv")
    assert summary["works"] == 60 and summary["people"] == 40
    assert summary["records"] == {s: sum(r["source"] == s for r in records) for s in SOURCES}
    assert all((tmp_path / "d" / f).is_file() for f in summary["files"])
    table = CliRunner().invoke(app, ["demo-data", str(tmp_path / "e"), "--works", "30", "--people", "30"])
    assert table.exit_code == 0 and "wos" in table.output and "total" in table.output


# ---- our parsers read the exports ---------------------------------------------------------------------

OURS_IN_ADDRESS = re.compile(
    r"Huanghai Univ(ersity|\.)? (of )?Technol|Huanghai Hosp|State Key Lab(oratory|\.)? (of )?(Fine Chem|Marine Mat|Mar\. Mater)"
    r"|Qingdao Inst(itute|\.)? (of )?Chem")


def _parser_for(source: str):
    from ir import formats

    found = [f for f in formats.formats() if f.source == source and not f.binary]
    return found


@pytest.mark.parametrize("which", ["demo", "bigger"])
@pytest.mark.parametrize("source", SOURCES)
def test_exports_parse_without_problems(which, source, request):
    from ir.ingest import read_file
    from ir.model import Problem

    if not _parser_for(source):
        pytest.skip(f"no parser for source {source!r} is registered in ir.formats yet")
    demo = request.getfixturevalue(which)
    truth = read_csv(demo / "truth/records.csv")
    works = {w["work_key"]: w for w in read_csv(demo / "truth/works.csv")}
    authorships = {(r["source"], r["source_id"], int(r["position"])): r for r in read_csv(demo / "truth/authorships.csv")}
    positions = Counter((s, i) for s, i, _ in authorships)
    typos = {(r["source"], r["source_id"], int(r["position"])) for r in read_csv(demo / "truth/noise.csv")
             if r["kind"] == "address_typo"}
    by_file: dict[str, list[dict]] = defaultdict(list)
    for r in truth:
        by_file[r["file"]].append(r)
    files = sorted((demo / "exports" / source).glob("*.txt"))
    assert files
    for path in files:
        pf = read_file(path)
        assert pf.error is None and pf.fmt is not None and pf.fmt.source == source, (path, pf.error)
        problems = [i for i in pf.items if isinstance(i, Problem)]
        assert not problems, (path, problems[:3])
        expected = by_file[path.relative_to(demo).as_posix()]
        assert [r.source_id for r in pf.items] == [e["source_id"] for e in expected], path
        for rec, exp in zip(pf.items, expected):
            work = works[exp["work_key"]]
            assert len(rec.authors) == positions[(source, rec.source_id)], rec.source_id
            assert rec.title
            assert rec.year in (int(work["year"]), int(work["year"]) - 1, int(work["year"]) + 1)
            if rec.doi:
                assert rec.doi.casefold() == work["doi"].casefold()
            if source != "cnki":  # CNKI does not link authors to units
                same = Counter(a.full_name or a.name for a in rec.authors)
                for a in rec.authors:
                    if same[a.full_name or a.name] > 1:
                        continue  # two 'Liu, Wei' in one byline: WoS brackets cannot tell whose address is whose
                    texts = [rec.affiliations[i].text for i in a.affiliations]
                    assert texts, (rec.source_id, a.position)
                    if (source, rec.source_id, a.position) in typos:  # our name misspelt, on purpose
                        assert authorships[(source, rec.source_id, a.position)]["is_ours"] == "1"
                        continue
                    # the truth says "ours" exactly when the author's own address names us
                    ours = any(OURS_IN_ADDRESS.search(t) for t in texts)
                    assert ours == (authorships[(source, rec.source_id, a.position)]["is_ours"] == "1"), \
                        (rec.source_id, a.position, texts)


def test_chinese_papers_carry_what_makes_cnki_and_ei_records_hard_to_pair(bigger):
    """The university journal's edition in CNKI that Ei leaves out, '09' against '9', CNKI's EndNote export with
    the English title, CNKI's conference database, Western co-authors of Chinese papers given name first."""
    cnki = _all_text(bigger, "cnki")
    ei = _all_text(bigger, "ei")
    assert "Source-刊名: 黄海理工大学学报(自然科学版)" in cnki or "%J 黄海理工大学学报(自然科学版)" in cnki
    assert "Source title: Huanghai Ligong Daxue Xuebao/Journal of Huanghai University of Technology\n" in ei
    assert re.search(r"^Period-期: 0\d$", cnki, flags=re.M) and re.search(r"^Issue: \d$", ei, flags=re.M)
    assert re.search(r"^%Q [A-Z][a-z]", cnki, flags=re.M)  # the English title of a Chinese paper
    assert "SrcDatabase-来源库: 中国会议" in cnki and "DbName=CPFDLAST" in cnki
    works = {w["work_key"]: w for w in read_csv(bigger / "truth/works.csv")}
    zh_versions = [w for w in works.values() if w["relation"] == "journal_version_of" and w["language"] == "zh"]
    assert zh_versions
    from ir.demo.names import WESTERN_FAMILY

    western = set(WESTERN_FAMILY)
    zh_with_western = [a for a in re.findall(r"^(?:Author-作者: |%A )(.*)$", cnki, flags=re.M)
                       if re.search(r"[\u4e00-\u9fff]", a) and any(f" {fam};" in a or a.endswith(f" {fam}")
                                                                    for fam in western)]
    assert zh_with_western, "a Chinese paper with a Western co-author, given name first"
