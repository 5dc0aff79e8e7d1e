"""Tagging, pure: journal matching, the edition rule, subjects, indexes, one work's tags."""

from __future__ import annotations

import pytest

from ir.tagging.indexes import index_code, split_editions
from ir.tagging.journals import JournalEntry
from ir.tagging.matching import JournalMatcher, WorkJournal, choose_edition
from ir.tagging.settings import TagSettings
from ir.tagging.subjects import ESI_FIELDS, clc_class, ei_group, esi_field, wos_category_esi
from ir.tagging.tagger import tag_work


def E(list_, year, value, title=None, issn=None, eissn=None, cn=None, category="", abbreviation=None):
    return JournalEntry(list=list_, year=year, value=value, title=title, issn=issn, eissn=eissn, cn=cn,
                        category=category, abbreviation=abbreviation, file="journals.csv", line=0)


ENTRIES = [
    E("jcr", 2022, "Q1", "Journal of the American Chemical Society", "0002-7863", "1520-5126", category="Chemistry, Multidisciplinary"),
    E("jcr", 2022, "Q1", "Advanced Materials", "0935-9648", "1521-4095", category="Materials Science, Multidisciplinary"),
    E("jcr", 2022, "Q2", "Advanced Materials", "0935-9648", "1521-4095", category="Physics, Applied"),  # hypothetical 2nd category
    E("jcr", 2022, "Q2", "Journal of Physical Chemistry A", "1089-5639", category="Chemistry, Physical"),
    E("jcr", 2022, "Q2", "Journal of Physical Chemistry B", "1520-6106", category="Chemistry, Physical"),
    E("jcr", 2022, "Q3", "Nanomaterials", None, "2079-4991", category="Nanoscience & Nanotechnology"),
    E("jcr", 2022, "Q4", "Sustainability", "2071-1050", category="Environmental Studies"),
    E("jcr", 2022, "Q1", "Food & Function", "2042-6496", category="Food Science & Technology"),
    E("cas", 2022, "1", "Journal of the American Chemical Society", "0002-7863", category="化学"),
    E("pku_core", 2020, "core", "软件学报", "1000-9825", cn="11-2560/TP"),
    E("pku_core", 2020, "core", "中国科学：化学", None, cn="11-5838/O"),
    E("cscd", 2021, "core", "CHINESE JOURNAL OF CATALYSIS"),  # title only, like the real core list
    E("institution", 2019, "A", "Chemical Reviews", abbreviation="CHEM REV"),
    # titles only, as in the real JCR-style list: near but other journals must not match
    E("jcr", 2022, "Q1", "JOURNAL OF CONSTRUCTION ENGINEERING AND MANAGEMENT", category="Engineering, Civil"),
    E("jcr", 2022, "Q1", "BMJ-British Medical Journal", category="Medicine, General & Internal"),
    E("jcr", 2022, "Q3", "DEVELOPMENTAL PSYCHOBIOLOGY", category="Psychology"),
    E("jcr", 2022, "Q3", "JOURNAL OF SPACECRAFT AND ROCKETS", category="Engineering, Aerospace"),
    E("jcr", 2022, "Q4", "Transplantation Reviews", category="Transplantation"),
    E("jcr", 2022, "Q2", "International Journal of Ocean Engineering", "2238-6513", category="Engineering, Ocean"),
    E("jcr", 2022, "Q2", "Journal of Catalysis", category="Chemistry, Physical"),
    E("jcr", 2022, "Q3", "Journal of Catalysts", category="Chemistry, Physical"),
    E("jcr", 2022, "Q4", "Journal of Ocean Engineering", "1016-8478", category="Engineering, Ocean"),
    E("cscd", 2021, "core", "海洋工程学报", "2238-6521", cn="32-1423/P"),
]


@pytest.fixture(scope="module")
def matcher():
    return JournalMatcher(ENTRIES)


def _verdict(matcher, journal: WorkJournal, year=2023):
    return {r.list: sorted({(m.entry.value, m.matched_by) for m in r.matches}) for r in matcher.match(journal, year) if r.matches}


@pytest.mark.parametrize(
    "journal, expected",
    [
        # ISSN variants: hyphen or not, print or electronic, X check digit
        (WorkJournal(issn="0002-7863"), {"jcr": [("Q1", "issn")], "cas": [("1", "issn")]}),
        (WorkJournal(issn="00027863"), {"jcr": [("Q1", "issn")], "cas": [("1", "issn")]}),
        (WorkJournal(eissn="1520-5126"), {"jcr": [("Q1", "eissn")]}),
        (WorkJournal(issn="1520-5126"), {"jcr": [("Q1", "issn")]}),  # the work's ISSN is the list's eISSN
        (WorkJournal(eissn="2079-4991", title="NANOMATERIALS-BASEL"), {"jcr": [("Q3", "eissn")]}),  # eISSN-only journal
        # a wrong check digit is no ISSN: the title decides
        (WorkJournal(issn="0002-7864", title="Journal of the American Chemical Society"),
         {"jcr": [("Q1", "title")], "cas": [("1", "title")]}),
        # CN number (Chinese journals), with or without the class letter
        (WorkJournal(cn="CN 11-2560/TP"), {"pku_core": [("core", "cn")]}),
        (WorkJournal(cn="11-2560"), {"pku_core": [("core", "cn")]}),
        # Chinese titles: full-width punctuation, book-title marks
        (WorkJournal(title="中国科学:化学"), {"pku_core": [("core", "title")]}),
        (WorkJournal(title="《软件学报》"), {"pku_core": [("core", "title")]}),
        # title variants
        (WorkJournal(title="JOURNAL OF THE AMERICAN CHEMICAL SOCIETY"), {"jcr": [("Q1", "title")], "cas": [("1", "title")]}),
        (WorkJournal(title="Food and Function"), {"jcr": [("Q1", "title")]}),
        (WorkJournal(title="Chinese Journal of Catalysis", issn="0253-9837"), {"cscd": [("core", "title")]}),
        # English translated title of a Chinese journal (Wanfang)
        (WorkJournal(title="催化学报", translated_title="Chinese Journal of Catalysis"), {"cscd": [("core", "title")]}),
        # WoS and ISO abbreviations
        (WorkJournal(abbreviation="J AM CHEM SOC"), {"jcr": [("Q1", "abbreviation")], "cas": [("1", "abbreviation")]}),
        (WorkJournal(iso_abbreviation="J. Am. Chem. Soc."), {"jcr": [("Q1", "abbreviation")], "cas": [("1", "abbreviation")]}),
        (WorkJournal(abbreviation="ADV MATER"), {"jcr": [("Q1", "abbreviation"), ("Q2", "abbreviation")]}),
        (WorkJournal(abbreviation="CHEM REV"), {"institution": [("A", "abbreviation")]}),  # the list's own abbreviation
        # fuzzy only where unambiguous
        (WorkJournal(title="Journal of the American Chemical Soc."), {"jcr": [("Q1", "abbreviation")], "cas": [("1", "abbreviation")]}),
        # near titles: a qualifier more or less, one typo
        (WorkJournal(title="JOURNAL OF CONSTRUCTION ENGINEERING AND MANAGEMENT-ASCE"), {"jcr": [("Q1", "fuzzy-title")]}),
        (WorkJournal(title="BRITISH MEDICAL JOURNAL"), {"jcr": [("Q1", "fuzzy-title")]}),
        (WorkJournal(title="NANOMATERIALS-BASEL"), {"jcr": [("Q3", "fuzzy-title")]}),
        # similar titles of other journals (real near misses): never matched
        (WorkJournal(title="DEVELOPMENTAL PSYCHOLOGY"), {}),
        (WorkJournal(title="JOURNAL OF SAFETY RESEARCH", abbreviation="J SAFETY RES", iso_abbreviation="J. Saf. Res."), {}),
        (WorkJournal(title="TRANSPORT REVIEWS", abbreviation="TRANSPORT REV", iso_abbreviation="Transp. Rev."), {}),
        (WorkJournal(title="Ocean Engineering"), {}),
        # a Chinese journal whose English title is another journal's: the CSCD list's ISSN tells them apart
        (WorkJournal(title="海洋工程学报", translated_title="Journal of Ocean Engineering"), {"cscd": [("core", "title")]}),
        (WorkJournal(title="Journal of Ocean Engineering"), {"jcr": [("Q4", "title")]}),
        (WorkJournal(title="Advanced Materails"), {"jcr": [("Q1", "fuzzy-title"), ("Q2", "fuzzy-title")]}),
        (WorkJournal(title="Journal of Physical Chemistry"), {}),  # A or B? refused
        (WorkJournal(abbreviation="J PHYS CHEM"), {}),  # A or B? refused
        # same title, other ISSN: another journal
        (WorkJournal(title="Sustainability", issn="1937-0695"), {}),
        (WorkJournal(title="Journal of Unknown Results", issn="1234-5679"), {}),
        (WorkJournal(), {}),
    ],
)
def test_matching(matcher, journal, expected):
    assert _verdict(matcher, journal) == expected


def test_ambiguous_fuzzy_is_refused_with_its_candidates(matcher):
    (jcr,) = [r for r in matcher.match(WorkJournal(title="Journal of Catalysys"), 2023) if r.list == "jcr"]
    assert jcr.matches == []  # one typo away from two journals
    assert jcr.ambiguous == ["Journal of Catalysis", "Journal of Catalysts"]
    assert jcr.note == "near title 'Journal of Catalysys' fits 2 journals"
    (jcr,) = [r for r in matcher.match(WorkJournal(title="Journal of Catalysiss"), 2023) if r.list == "jcr"]
    assert [(m.entry.title, m.matched_by, m.evidence["how"]) for m in jcr.matches] == [
        ("Journal of Catalysis", "fuzzy-title", "one typo")]


def test_fuzzy_threshold_is_a_setting():
    strict = JournalMatcher(ENTRIES, fuzzy_threshold=99.5)
    assert _verdict(JournalMatcher(ENTRIES), WorkJournal(title="Advanced Materails")) != {}
    assert _verdict(strict, WorkJournal(title="Advanced Materails")) == {}


def test_match_evidence_names_edition_and_rule(matcher):
    (jcr,) = [r for r in matcher.match(WorkJournal(issn="0002-7863"), 2024) if r.list == "jcr"]
    assert jcr.edition == 2022
    assert jcr.matches[0].evidence == {"issn": "0002-7863", "edition": 2022,
                                       "edition_rule": "nearest earlier edition to 2024"}


@pytest.mark.parametrize(
    "editions, year, rule, expected",
    [
        ([2019, 2020, 2021], 2020, "publication-year-or-earlier", 2020),  # exact year
        ([2019, 2021], 2020, "publication-year-or-earlier", 2019),  # nearest earlier
        ([2019, 2021], 2024, "publication-year-or-earlier", 2021),
        ([2019, 2021], 2015, "publication-year-or-earlier", None),  # none earlier
        ([2019, 2021], None, "publication-year-or-earlier", 2021),  # no year: latest
        ([2019, 2021], 2015, "latest", 2021),
        ([2019, 2021], 2020, "latest", 2021),
        ([2019, 2021], 2015, "nearest", 2019),
        ([2018, 2020], 2019, "nearest", 2018),  # a tie goes to the earlier edition
        ([2018, 2021], 2020, "nearest", 2021),
        ([], 2020, "latest", None),
    ],
)
def test_edition_rule(editions, year, rule, expected):
    assert choose_edition(editions, year, rule)[0] == expected


def test_edition_rule_applies_to_the_list_not_the_journal():
    entries = [E("jcr", 2020, "Q1", "Journal A", "0002-7863"), E("jcr", 2021, "Q2", "Journal B", "1520-5126"),
               E("jcr", 2022, "Q3", "Journal A", "0002-7863")]
    by_year = {y: _verdict(JournalMatcher(entries), WorkJournal(issn="0002-7863"), y) for y in (2019, 2020, 2021, 2022, 2030)}
    # 2021: the 2021 edition does not have journal A, so no tag (it was dropped that year)
    assert by_year == {2019: {}, 2020: {"jcr": [("Q1", "issn")]}, 2021: {}, 2022: {"jcr": [("Q3", "issn")]},
                       2030: {"jcr": [("Q3", "issn")]}}
    latest = JournalMatcher(entries, rule="latest")
    assert _verdict(latest, WorkJournal(issn="0002-7863"), 2019) == {"jcr": [("Q3", "issn")]}
    per_list = JournalMatcher(entries, rules_by_list={"jcr": "nearest"})
    assert _verdict(per_list, WorkJournal(issn="0002-7863"), 2019) == {"jcr": [("Q1", "issn")]}


def test_unknown_edition_rule_is_refused():
    with pytest.raises(ValueError, match="unknown edition rule"):
        JournalMatcher(ENTRIES, rule="newest")


@pytest.mark.parametrize(
    "value, expected",
    [
        ("Science Citation Index Expanded (SCI-EXPANDED)", ("SCIE", "wos-edition")),
        ("SCI-EXPANDED", ("SCIE", "wos-edition")),
        ("SSCI", ("SSCI", "wos-edition")),
        ("Social Sciences Citation Index (SSCI)", ("SSCI", "wos-edition")),
        ("Arts &amp; Humanities Citation Index (A&HCI)", ("AHCI", "wos-edition")),
        ("Emerging Sources Citation Index (ESCI)", ("ESCI", "wos-edition")),
        ("Conference Proceedings Citation Index - Science (CPCI-S)", ("CPCI-S", "wos-edition")),
        ("Conference Proceedings Citation Index - Social Science &amp; Humanities (CPCI-SSH)", ("CPCI-SSH", "wos-edition")),
        ("CPCI-SSH", ("CPCI-SSH", "wos-edition")),
        ("Compendex", ("EI", "database")),
        ("Ei Compendex", ("EI", "database")),
        ("CSCD", ("CSCD", "database")),
        ("cssci", ("CSSCI", "database")),
        ("Inspec", None),
        ("Current Contents", None),
        ("", None),
    ],
)
def test_index_codes(value, expected):
    assert index_code(value) == expected


def test_split_editions():
    assert split_editions(["SCI-EXPANDED; SSCI", "CPCI-S"]) == ["SCI-EXPANDED", "SSCI", "CPCI-S"]
    assert split_editions("SCIE") == ["SCIE"] and split_editions(None) == []


@pytest.mark.parametrize(
    "category, field",
    [("Chemistry, Physical", "Chemistry"), ("CHEMISTRY, PHYSICAL", "Chemistry"), ("Engineering, Chemical", "Engineering"),
     ("Nanoscience & Nanotechnology", "Materials Science"), ("Oncology", "Clinical Medicine"),
     ("Psychology, Experimental", "Psychiatry/Psychology"), ("Astronomy & Astrophysics", "Space Science"),
     ("Economics", "Economics & Business"), ("Multidisciplinary Sciences", "Multidisciplinary"),
     ("Underwater Basket Weaving", None)],
)
def test_wos_categories_to_esi(category, field):
    assert wos_category_esi(category) == field


def test_esi_has_22_fields_and_every_mapping_lands_in_one():
    assert len(ESI_FIELDS) == 22
    from ir.tagging.subjects import _wos_esi

    assert set(_wos_esi().values()) <= set(ESI_FIELDS)
    assert esi_field("免疫学") == "Immunology"


@pytest.mark.parametrize(
    "code, expected",
    [("723.5", ("723", "Computers and data processing", "Electrical engineering")),
     ("802.2 Chemical Reactions", ("802", "Chemical engineering, general", "Chemical and agricultural engineering")),
     ("406.1", ("406", "Civil engineering", "Civil engineering")),
     ("951 Materials Science", ("951", "Biomedical engineering and health", "Engineering general")),
     ("X12", None)],
)
def test_ei_classification_groups(code, expected):
    assert ei_group(code) == expected


@pytest.mark.parametrize(
    "code, expected",
    [("TP391.4", "TP"), ("O643.36", "O6"), ("R73", "R"), ("F272", "F"), ("tq426", "TQ"), ("X703", "X"), ("123", None)],
)
def test_clc_classes(code, expected):
    found = clc_class(code)
    assert (found[0] if found else None) == expected


def test_tag_work_tiers_subjects_indexes_and_best():
    data = {
        "year": 2023,
        "journal": {"title": "ADVANCED MATERIALS", "abbreviation": "ADV MATER", "issn": "0935-9648"},
        "categories": ["Chemistry, Multidisciplinary", "Materials Science, Multidisciplinary", "Nanoscience & Nanotechnology"],
        "classification_codes": ["761", "951 Materials Science", "804.2"],
        "clc_codes": ["TB383"],
        "indexes": ["SCIE", "Compendex"],
        "sources": [{"source": "wos", "source_id": "WOS:000123456700001"}, {"source": "ei", "source_id": "20230112345678"}],
    }
    settings = TagSettings()
    wt = tag_work(data, JournalMatcher(ENTRIES), settings)
    tags = {(t["list"], t["category"]): (t["value"], t["matched_by"], t["best"]) for t in wt.tags}
    assert tags == {
        ("jcr", "Materials Science, Multidisciplinary"): ("Q1", "issn", True),
        ("jcr", "Physics, Applied"): ("Q2", "issn", False),
        ("esi", "Chemistry, Multidisciplinary"): ("Chemistry", "wos-category", False),
        ("esi", "Materials Science, Multidisciplinary"): ("Materials Science", "wos-category", True),  # 2 of 3
        ("esi", "Nanoscience & Nanotechnology"): ("Materials Science", "wos-category", False),
        ("ei_class", "76"): ("Electrical engineering", "code", True),
        ("ei_class", "95"): ("Engineering general", "code", False),
        ("ei_class", "80"): ("Chemical and agricultural engineering", "code", False),
        ("clc", "TB"): ("一般工业技术", "code", True),
    }
    assert sorted((i["index_code"], i["derived_from"]) for i in wt.indexes) == [("EI", "database"), ("SCIE", "wos-edition")]
    assert wt.tiered


def test_tag_work_list_indexes_and_esi_list_wins():
    entries = [*ENTRIES, E("esi", 2020, "Computer Science", "软件学报", "1000-9825")]
    data = {"year": 2021, "journal": {"title": "软件学报", "cn": "11-2560/TP"}, "categories": ["Mathematics, Applied"],
            "sources": [{"source": "cnki", "source_id": "RJXB202101001"}]}
    wt = tag_work(data, JournalMatcher(entries), TagSettings())
    assert {(t["list"], t["value"], t["matched_by"]) for t in wt.tags} == {
        ("pku_core", "core", "cn"), ("esi", "Computer Science", "title")}
    assert [(i["index_code"], i["derived_from"]) for i in wt.indexes] == [("PKU", "list")]
    no_pku = TagSettings(index_lists={"cscd": "CSCD"})
    assert tag_work(data, JournalMatcher(entries), no_pku).indexes == []


def test_tag_work_without_journal():
    wt = tag_work({"year": 2020, "doc_type": "proceedings paper", "indexes": ["CPCI-S"]}, JournalMatcher(ENTRIES), TagSettings())
    assert wt.tags == [] and not wt.tiered
    assert [(i["index_code"], i["derived_from"]) for i in wt.indexes] == [("CPCI-S", "wos-edition")]
