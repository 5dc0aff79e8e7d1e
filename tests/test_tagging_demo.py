"""The demo journal lists (ir.demo.journals) end to end: they load without a problem, and every demo
journal is found, in every list and edition that has it, however a database presents it."""

from __future__ import annotations

import pytest

from ir.demo.journals import YEARS, generate_journals, list_rows, write_journals
from ir.tagging.journals import load_journal_lists, normalize_value
from ir.tagging.matching import JournalMatcher, WorkJournal, choose_edition

SEED = 7


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    folder = tmp_path_factory.mktemp("dictionaries")
    journals = generate_journals(SEED)
    written = write_journals(folder / "journals.csv", journals, SEED)
    entries, problems = load_journal_lists(folder)
    truth: dict[tuple[str, int, str], set] = {}
    for lst, year, issn, _eissn, _title, value, category, _cn in list_rows(journals, SEED):
        truth.setdefault((issn, year, lst), set()).add((normalize_value(lst, value)[0], category))
    return journals, written, entries, problems, truth, JournalMatcher(entries)


def test_demo_lists_load_without_problems(demo):
    _, written, entries, problems, _, matcher = demo
    assert problems == []
    assert len(entries) == written
    assert set(matcher.lists) == {"jcr", "cas", "esi", "cssci", "pku_core", "cscd", "institution"}


PRESENTATIONS = {
    # WoS: upper-case title, J9, JI, ISSN, eISSN
    "wos": lambda j: WorkJournal(title=j.title_en.upper(), abbreviation=j.j9, iso_abbreviation=j.ji, issn=j.issn,
                                 eissn=j.eissn or None),
    # CNKI: the journal's own (Chinese) title and its CN number, no ISSN
    "cnki": lambda j: WorkJournal(title=j.title, cn=j.cn or None),
    # Wanfang: the Chinese title and the translated English title
    "wanfang": lambda j: WorkJournal(title=j.title, translated_title=j.title_en),
    # EI: the print ISSN without its hyphen
    "ei": lambda j: WorkJournal(title=j.title_en, issn=j.issn.replace("-", "")),
}


@pytest.mark.parametrize("presentation", sorted(PRESENTATIONS))
def test_every_demo_journal_gets_every_tag_of_its_year(demo, presentation):
    journals, _, _, _, truth, matcher = demo
    wrong, missed, checked = [], [], 0
    for j in journals:
        for year in YEARS:
            want = {lst: v for (issn, y, lst), v in truth.items() if issn == j.issn and y == year}
            got = {r.list: {(m.entry.value, m.entry.category) for m in r.matches}
                   for r in matcher.match(PRESENTATIONS[presentation](j), year) if r.matches}
            checked += len(want)
            missed += [(j.title, year, lst) for lst in want if lst not in got]
            wrong += [(j.title, year, lst) for lst in got if got[lst] != want.get(lst)]
    assert checked > 2000
    assert (wrong, missed) == ([], [])


def test_abbreviations_alone_never_tag_the_wrong_journal(demo):
    """A work that gives only the WoS J9 (or ISO JI) abbreviation: right or refused, never wrong."""
    journals, _, _, _, truth, matcher = demo
    english = {j.issn for j in journals if j.lang != "zh"}
    expected = sum(1 for (issn, year, _) in truth if year == 2022 and issn in english)
    for field in ("abbreviation", "iso_abbreviation"):
        right = wrong = 0
        for j in journals:
            if j.lang == "zh":
                continue  # a Chinese-language journal is listed under its Chinese title only
            abbreviation = j.j9 if field == "abbreviation" else j.ji
            for r in matcher.match(WorkJournal(**{field: abbreviation}), 2022):
                if r.matches:
                    ok = {(m.entry.value, m.entry.category) for m in r.matches} == truth.get((j.issn, 2022, r.list))
                    right, wrong = right + ok, wrong + (not ok)
        assert wrong == 0
        assert right >= 0.95 * expected  # what is missed is refused: "J STAT" is too short to say


# ---------------------------------------------------------------- the pipeline on the demo institution


def test_demo_pipeline_tags_every_work_right(store, tmp_path):
    """Generate the demo, ingest its exports, consolidate, tag: each work's JCR, CAS and institution tags
    are those its journal has, in the lists, in the edition of its publication year."""
    import csv

    from ir.consolidate import consolidate
    from ir.demo.build import generate
    from ir.ingest import ingest_paths
    from ir.normalize import normalize_doi, title_key
    from ir.store.tables.works import works
    from ir.tagging import export_fields, highly_cited_status, tag

    summary = generate(tmp_path / "demo", works=300, people=60, seed=SEED)
    ingest_paths(store, [tmp_path / "demo" / "exports"])
    consolidate(store)
    report = tag(store, tmp_path / "demo" / "dictionaries")
    assert report.dictionary_problems == [] and report.entries_loaded == summary.journal_list_rows

    expected: dict[tuple[str, int, str], str] = {}
    for lst, year, issn, _e, _t, value, _c, _cn in list_rows(generate_journals(SEED), SEED):
        v = normalize_value(lst, value)[0]
        key = (issn, year, lst)
        if key not in expected or (lst == "jcr" and v < expected[key]):
            expected[key] = v
    truth: dict[str, dict] = {}
    with open(tmp_path / "demo" / "truth" / "works.csv", encoding="utf-8") as fh:
        for r in csv.DictReader(fh):  # by DOI, and by title for the records an export left without one
            truth[normalize_doi(r["doi"]) or title_key(r["title"])] = r
            truth.setdefault(title_key(r["title"]), r)
    import sqlalchemy as sa

    with store.connect() as conn:
        rows = [(w, normalize_doi(doi) or title_key(title), year) for w, doi, title, year in conn.execute(
            sa.select(works.c.work_id, works.c.doi, works.c.title, works.c.year).where(works.c.status == "active"))]
        fields = export_fields(conn, [w for w, _, _ in rows])
        hc = highly_cited_status(conn, [w for w, _, _ in rows])
    editions: dict[str, set[int]] = {}
    for issn, year, lst in expected:
        editions.setdefault(lst, set()).add(year)
    checked = 0
    wrong = []
    for work_id, key, year in rows:
        t = truth.get(key)
        if not t or not t["journal_issn"]:
            continue
        for lst in ("jcr", "cas", "institution"):
            # the work's year as the pipeline knows it (an early-access paper: the early-access year)
            edition = choose_edition(editions[lst], year)[0]
            want = expected.get((t["journal_issn"], edition, lst))
            got = fields[work_id]["tags"].get(lst)
            checked += 1
            if got != want:
                wrong.append((work_id, t["journal_title"], year, lst, want, got))
    assert checked > 300
    assert wrong == [], "\n".join(map(str, wrong))
    flagged = {w for w, key, _ in rows if truth.get(key, {}).get("highly_cited") == "1"}
    assert {w for w in hc if "hc" in hc[w]} == flagged  # from the exports' HC fields, dated by their ingest
    assert report.tagged >= 0.9 * report.works - report.no_journal
