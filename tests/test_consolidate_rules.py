"""Consolidation rules for dirty bibliographic sources, table-driven: realistic record pairs (shaped like
the DBLP, ACM and Google Scholar records of the public benchmarks) that must or must not become one work.
Every pair runs through the whole matcher (features, blocking, scoring, clustering)."""

from __future__ import annotations

import pytest

from ir.consolidate.blocking import candidate_pairs
from ir.consolidate.engine import resolve
from ir.consolidate.features import byline_name, extract, given_initial
from ir.consolidate.scoring import _best_possible, _swapped, score_pairs
from ir.consolidate.settings import ConsolidateSettings
from ir.model import Author, Journal, Record, Title
from ir.normalize import is_person_name, repair_mojibake, venue_kind


def rec(source: str, sid: str, title: str, authors: str, venue: str = "", year: int | None = None) -> Record:
    return Record(source=source, source_id=sid, titles=[Title(title)],
                  authors=[Author(position=k + 1, name=a.strip()) for k, a in enumerate(authors.split(",")) if a.strip()],
                  journal=Journal(title=venue or None), year=year)


def together(records: list[Record], a: int = 0, b: int = 1) -> bool:
    res = resolve(records)
    return res.labels[a] == res.labels[b]


DBLP = "dblp"
SCH = "scholar"

MUST_MERGE = [
    # a citation scraped whole: the title preceded by its own authors' names and year
    ("scraped citation", rec(DBLP, "1", "Adapting Materialized Views after Redefinitions", "A Gupta, I Mumick, K Ross", "SIGMOD Conference", 1995),
     rec(SCH, "a", "RossK (1995) Adapting materialized views after redefinitions", "MI GuptaA", "")),
    ("words run together", rec(DBLP, "2", "Improved Histograms for Selectivity Estimation of Range Predicates", "V Poosala, Y Ioannidis, P Haas, E Shekita", "SIGMOD Conference", 1996),
     rec(SCH, "b", "Improved HistogramsforSelectivity EstimationofRangePredicates", "V Poosala, YE Ioannidis, PJ Haas, EJ Shekita", "ACM SIGMOD Int. Conf. on Management of Data")),
    ("truncated title", rec(DBLP, "3", "FastMap: A Fast Algorithm for Indexing, Data-Mining and Visualization of Traditional and Multimedia Datasets", "C Faloutsos, K Lin", "SIGMOD Conference", 1995),
     rec(SCH, "c", "FastMap: A Fast Algorithm for Indexing, Data-Mining and Visualization of", "C Faloutsos, KI Lin", "")),
    ("venue appended to the title", rec(DBLP, "4", "Infomaster: An Information Integration System", "M Genesereth, A Keller, O Duschka", "SIGMOD Conference", 1997),
     rec(SCH, "d", 'Infomaster: An Information Integration System", in proceedings of 1997 ACM SIGMOD Conference', "MR Genesereth, AM Keller, O Duschka", "", 1997)),
    ("placeholder author", rec(DBLP, "5", "Report on the 13th Brazilian Symposium on Database Systems (SBBD'98)", "N/A", "N/A", 1999),
     rec(SCH, "e", "Report on the 13th Brazilian Symposium on Database Systems (SBBD'98)", "MA Nascimento, CB Medeiros", "SIGMOD Record,", 1999)),
    ("long exact title, garbled byline", rec(DBLP, "6", "Metadata Standards for Data Warehousing: Open Information Model vs. Common Warehouse Metamodel", "T Vetterli, A Vaduva, M Staudt", "SIGMOD Record", 2000),
     rec(SCH, "f", "Metadata Standards for Data Warehousing: Open Information Model vs. Common Warehouse Metamodel", "GC Introduction", "")),
    ("same words reordered", rec(DBLP, "7", "A Taxonomy for Secure Object-Oriented Databases", "M Olivier, S Solms", "ACM Trans. Database Syst.", 1994),
     rec(SCH, "g", "A Taxonomy for Object-Oriented Secure Databases", "M Olivier, S Von Solms", "ACM TODS,")),
    ("first author's name the other way round", rec(DBLP, "9", "Fast Joins Using Join Indices", "Z Li, K Ross", "VLDB J.", 1999),
     rec(SCH, "i", "Fast joins using join indices", "L Zhe, AR Kenneth", "The VLDB Journal,")),
    ("next author glued to the first", rec(DBLP, "10", "Synchronizing a Database to Improve Freshness", "J Cho, H Garcia-Molina", "SIGMOD Conference", 2000),
     rec(SCH, "j", "Garcia-Molina. Synchronizing a database to improve freshness", "J Cho andH", "Proc. of the ACM SIGMOD Int. Conf. on Management of Data,")),
    # neither end of the title nor its rare words agree: only the byline brings the two together
    ("byline tail before run-together words", rec(DBLP, "11", "Evaluating Queries with Generalized Path Expressions", "V Christophides, S Cluet, G Moerkotte", "SIGMOD Conference", 1996),
     rec(SCH, "k", "andG. Moerkotte. Evaluating queries withgeneralized pathexpressions", "V Christophides, S Cluet", "Proceedings of ACM SIGMOD Conference on Management of")),
    # 'DE' reads as a pinyin family name ('LI Wei' is Li): the name read the other way round is still the author
    ("initials that read as pinyin", rec(DBLP, "12", "Subsequence Indexing of Time Series", "D Shasha", "SIGMOD Conference", 2002),
     rec(SCH, "l", "Subsequence indexing of time series", "DE Shasha", "")),
    ("mojibake quotes", rec(DBLP, "8", "STING: A Statistical Information Grid Approach to Spatial Data Mining", "W Wang, J Yang, R Muntz", "VLDB", 1997),
     rec(SCH, "h", "Ã¢â?¬ Å?STING: A Statistical Information Grid Approach to Spatial Data MiningÃ¢â?¬Â?", "W Wei, J Yang, R Muntz", "Proc. of the 23rd VLDB")),
]

MUST_NOT_MERGE = [
    # the shorter title is the tail of a different, longer one: the extra words are a title's, not noise
    ("title inside another", rec(DBLP, "1", "A Scalable Algorithm for Answering Queries Using Views", "R Pottinger, A Levy", "VLDB", 2000),
     rec(SCH, "a", "Answering Queries Using Views", "AY Levy, AO Mendelzon, Y Sagiv, D Srivastava", "")),
    ("extended title of another paper", rec(DBLP, "2", "Streaming Queries over Streaming Data", "S Chandrasekaran, M Franklin", "VLDB", 2002),
     rec(SCH, "b", "PSoup: a system for streaming queries over streaming data", "S Chandrasekaran, MJ Franklin", "The VLDB Journal", 2003)),
    ("erratum against its untyped article", rec(DBLP, "3", "Erratum: A Database Model for Object Dynamics", "Mike P. Papazoglou, Bernd J. Kramer", "VLDB J.", 1997),
     rec("acm", "c", "A database model for object dynamics", "M. P. Papazoglou, B. J. Kramer", "The VLDB Journal", 1997)),
    # 'R Sion' read the other way round is surname 'r': an initial shared with 'R Agrawal' is no shared author
    ("different authors sharing an initial", rec(DBLP, "5", "Watermarking Relational Databases", "R Agrawal, J Kiernan", "VLDB", 2002),
     rec(SCH, "e", "Watermarking Relational Databases", "R Sion, M Atallah, S Prabhakar", "")),
    ("conference paper and journal version, typed by venue", rec(DBLP, "4", "Sleepers and Workaholics: Caching Strategies in Mobile Environments", "Daniel Barbara, Tomasz Imielinski", "SIGMOD Conference", 1994),
     rec("acm", "d", "Sleepers and workaholics: caching strategies in mobile environments (extended version)", "Daniel Barbara, Tomasz Imielinski", "The VLDB Journal", 1995)),
]


@pytest.mark.parametrize("case, a, b", MUST_MERGE, ids=[c[0] for c in MUST_MERGE])
def test_dirty_pairs_merge(case, a, b):
    res = resolve([a, b])
    assert res.labels[0] == res.labels[1], case
    ev = res.joined_by[0]
    assert ev["rule"] == "fuzzy" and ev["score"] >= 5.0 and "title" in ev["points"]


@pytest.mark.parametrize("case, a, b", MUST_NOT_MERGE, ids=[c[0] for c in MUST_NOT_MERGE])
def test_different_works_stay_apart(case, a, b):
    assert not together([a, b]), case


def column(source: str, sid: str, year: int, venue: str) -> Record:
    return rec(source, sid, "Book Review Column", "Karl Aberer", venue, year)


def test_recurring_column_instalments_are_left_for_a_librarian():
    """Two instalments of one column a year in each source, nothing to tell them apart: no link at all,
    each refusal names the ambiguity."""
    records = [column("dblp", f"d{y}{k}", y, "SIGMOD Record") for y in (2001, 2002, 2003) for k in (1, 2)]
    records += [column("acm", f"a{y}{k}", y, "ACM SIGMOD Record") for y in (2002,) for k in (1, 2)]
    res = resolve(records)
    assert len(set(res.labels)) == len(records)
    assert any("ambiguous" in r["reason"] for r in res.refused)


def test_best_rival_wins_and_the_other_link_is_refused():
    """An ACM record with two DBLP candidates that are certainly different works (a conference paper and
    an erratum-free journal article of the same title) joins the better one only."""
    conf = rec("dblp", "c", "Views in a Large Scale XML Repository", "Sophie Cluet, Pierangelo Veltri, Dan Vodislav", "Proc. VLDB", 2001)
    jour = rec("dblp", "j", "Views in a large-scale XML repository", "Vincent Aguilera, Sophie Cluet, Tova Milo, Pierangelo Veltri, Dan Vodislav", "VLDB J.", 2002)
    acm_j = rec("acm", "x", "Views in a large-scale XML repository", "Vincent Aguilera, Sophie Cluet, Tova Milo, Pierangelo Veltri, Dan Vodislav", "The VLDB Journal", 2002)
    res = resolve([conf, jour, acm_j])
    assert res.labels[1] == res.labels[2] and res.labels[0] != res.labels[2]


@pytest.mark.parametrize("name, person", [
    ("N/A", False), ("portal.acm.org", False), ("ACMS Anthology", False), ("The Access Team", False),
    ("MKP Inc", False), ("www-db.in.tum.de", False), ("J Han", True), ("Zhang, S", True), ("张三", True),
    ("Grouper, A", True),
])
def test_is_person_name(name, person):
    assert is_person_name(name) is person


@pytest.mark.parametrize("venue, kind", [
    ("VLDB", None), ("VLDB J.", "journal"), ("Proc. VLDB", "conference"), ("SIGMOD Conference", "conference"),
    ("ACM Trans. Database Syst.", "journal"), ("SIGMOD Record", None),
    ("Journal of Physics: Conference Series", None),
])
def test_venue_kind(venue, kind):
    assert venue_kind(venue) == kind


@pytest.mark.parametrize("raw, fixed", [
    ("SjÃ¶strÃ¶m", "Sjöström"),
    ("Mediator languagesâ??a proposal", "Mediator languages a proposal"),
    ("Coddâ??s rules", "Codd's rules"),
    ("plain text", "plain text"),
])
def test_repair_mojibake(raw, fixed):
    assert repair_mojibake(raw) == fixed


@pytest.mark.parametrize("name, initial", [
    ("Zhang, S", "s"), ("S. Zhang", "s"), ("ZHANG SQ", "s"), ("L Zhe", "l"), ("Z Li", "z"),
    ("H Garcia-Molina", "h"), ("van Beethoven, Ludwig", "l"), ("Ludwig van Beethoven", "l"),
    ("Smith", ""), ("张三", ""), ("", ""), (None, ""),
])
def test_given_initial(name, initial):
    assert given_initial(name) == initial


@pytest.mark.parametrize("a, b, swapped", [
    (("li", "z"), ("zhe", "l"), True),  # 'Z Li' / 'L Zhe'
    (("garofalakis", "m"), ("minos", "g"), True),  # 'M Garofalakis' / 'G Minos'
    (("lee", "b"), ("byung", "s"), False),  # 'B Lee' / 'SL Byung': one initial only
    (("li", "z"), ("li", "z"), False),  # the same name is not swapped
    (("li", ""), ("zhe", "l"), False),  # no initial, no evidence
    (("l", "z"), ("z", "l"), False),  # initials alone are no surnames
])
def test_swapped_names(a, b, swapped):
    assert _swapped(a[0], b[0], a[1], b[1]) is swapped


@pytest.mark.parametrize("raw, name", [
    ("J Cho andH", "J Cho"), ("T NguyenandV", "T Nguyen"), ("S Chaudhuri andV.", "S Chaudhuri"),
    ("A Legrand", "A Legrand"), ("Ferdinand", "Ferdinand"), ("B Andersen", "B Andersen"), ("Grand, K", "Grand, K"),
    ("", ""), (None, None),
])
def test_byline_name(raw, name):
    assert byline_name(raw) == name


@pytest.mark.parametrize("rule, a, b", [
    ("two_authors", rec(DBLP, "1", "Evaluating Queries with Generalized Path Expressions", "V Christophides, S Cluet, G Moerkotte"),
     rec(SCH, "a", "andG. Moerkotte. Evaluating queries withgeneralized pathexpressions", "V Christophides, S Cluet")),
    ("title_compact_suffix", rec(DBLP, "2", "Rapid Bushy Join-order Optimization with Cartesian Products", "B Vance, D Maier"),
     rec(SCH, "b", "Maier. RapidBushyJoin-orderOptimizationwithCartesian Products", "B VanceandD")),
])
def test_blocking_rule_proposes_the_pair(rule, a, b):
    other_rules = ("title_prefix", "title_compact_prefix", "title_suffix", "title_rare_words")
    I, J, per_rule = candidate_pairs(extract([a, b]), max_block_size=40, window=6)
    assert list(zip(I.tolist(), J.tolist())) == [(0, 1)] and per_rule[rule] == 1
    assert all(per_rule[name] == 0 for name in other_rules)


YEARS_APART = [  # the same title and first author, years apart, nothing else in common: never compared
    ("years apart", rec(DBLP, "1", "Book Review Column", "K Aberer", "SIGMOD Record", 1998),
     rec(SCH, "a", "Book Review Column", "K Aberer", "SIGMOD Record", 2002)),
]


@pytest.mark.parametrize("case, a, b", MUST_MERGE + MUST_NOT_MERGE + YEARS_APART,
                         ids=[c[0] for c in MUST_MERGE + MUST_NOT_MERGE + YEARS_APART])
def test_best_possible_points_bound_the_points(case, a, b):
    s = ConsolidateSettings()
    f = extract([a, b])
    bound = _best_possible(f, [0], [1], s)[0]
    full = score_pairs(f, [0], [1], s, prune=False)
    assert bound >= full.total[0]
    pruned = score_pairs(f, [0], [1], s)
    assert (len(pruned) == 0) == (bound < s.match_threshold)
    assert (case == "years apart") == (bound < s.match_threshold)


def test_a_common_surname_is_weak_evidence_of_a_shared_author():
    """First authors differ and the bylines share only 王 Wang, carried by many of the run's bylines: the shared
    author earns surname_shared_common, not surname_shared; a rare shared name earns the full points."""
    s = ConsolidateSettings()
    crowd = [rec("cnki", f"c{k}", f"无关论文{k}号", f"Xu Wang, Ming Zhou{k}", "", 2020) for k in range(60)]
    a = rec("wos", "A", "Adaptive control of offshore wind turbines under extreme waves", "San Zhang, Wu Wang", "", 2020)
    b = rec("ei", "B", "Adaptive control of floating offshore wind turbines", "Si Li, Liu Wang", "", 2020)
    c = rec("ei", "C", "Adaptive control of floating offshore wind turbines", "Si Li, San Zhang", "", 2020)
    f = extract([a, b, c, *crowd])
    ps = score_pairs(f, [0, 0], [1, 2], s, prune=False)
    assert ps.points["surname"].tolist() == [s.surname_shared_common, s.surname_shared]
