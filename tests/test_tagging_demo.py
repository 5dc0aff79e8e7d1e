"""The demo journal lists (ir.demo.journals) end to end: they load without a problem, and every demo
journal is found, in every list and edition that has it, however a database presents it."""

from __future__ import annotations

import pytest

from ir.demo.journals import YEARS, generate_journals, list_rows, write_journals
from ir.tagging.journals import load_journal_lists, normalize_value
from ir.tagging.matching import JournalMatcher, WorkJournal

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
