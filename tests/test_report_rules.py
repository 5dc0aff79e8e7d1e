"""The extract's counting rules and pure counting functions: table-driven."""

from __future__ import annotations

import datetime as dt

import pytest

from ir.report import Extract, Rules, RulesError, diff, load_rules
from ir.report import counting as C
from ir.report.rules import DEFAULT_RULES

R = Rules()


# ------------------------------------------------------------------------------ links


@pytest.mark.parametrize("status, person, last_action, expected", [
    ("claimed", "P1", "claim", "claimed"),
    ("claimed", "P1", None, "claimed"),  # claimed without an audit entry (imported): a claim
    ("claimed", "P1", "confirm", "confirmed"),  # a librarian confirmed the pipeline's link
    ("claimed", "P1", "reassign", "confirmed"),  # a librarian linked it to another person
    ("auto", "P1", None, "auto"),
    ("suggested", "P1", None, "suggested"),
    ("rejected", "P1", "reject", None),
    ("unmatched", None, None, None),
    ("external", None, None, None),
    ("auto", None, None, None),  # no person: nothing to count
])
def test_link_basis(status, person, last_action, expected):
    assert C.link_basis(status, person, last_action) == expected


@pytest.mark.parametrize("statuses, basis, expected", [
    (("claimed", "confirmed"), "claimed", True),
    (("claimed", "confirmed"), "confirmed", True),
    (("claimed", "confirmed"), "auto", False),
    (("claimed", "confirmed"), "suggested", False),
    (("claimed", "confirmed", "auto"), "auto", True),
    (("confirmed",), "claimed", False),
    (("claimed", "confirmed", "auto"), None, False),
])
def test_link_counts(statuses, basis, expected):
    assert C.link_counts(basis, Rules(count_statuses=statuses)) is expected


@pytest.mark.parametrize("year_basis, pub, early, expected", [
    ("publication", 2023, 2022, 2023),
    ("first-online", 2023, 2022, 2022),
    ("first-online", 2023, None, 2023),
    ("first-online", 2023, 2024, 2023),  # an "early" access after publication is no earlier year
    ("first-online", None, 2022, 2022),
    ("publication", None, 2022, None),
])
def test_counting_year(year_basis, pub, early, expected):
    assert C.counting_year(pub, early, Rules(year_basis=year_basis)) == expected


@pytest.mark.parametrize("doc_types, exclude, doc_type, expected", [
    ((), ("correction",), "article", True),
    ((), ("correction",), "Correction", False),
    ((), (), "correction", True),
    (("article", "review"), (), "review", True),
    (("article", "review"), (), "proceedings paper", False),
    ((), ("correction",), None, True),
])
def test_type_counts(doc_types, exclude, doc_type, expected):
    assert C.type_counts(doc_type, Rules(doc_types=doc_types, exclude_doc_types=exclude)) is expected


PARENTS = {"U": None, "S1": "U", "S2": "U", "H": "U", "H-CARD": "H", "H-CARD-LAB": "H-CARD"}


@pytest.mark.parametrize("org, level, expected", [
    ("S1", 1, "S1"),
    ("H-CARD", 1, "H"),  # a hospital department counts for the hospital
    ("H-CARD-LAB", 1, "H"),
    ("H-CARD-LAB", 2, "H-CARD"),
    ("H-CARD", 2, "H-CARD"),
    ("S1", 2, "S1"),  # shallower than the level: itself
    ("U", 1, "U"),  # the institution itself (no unit given)
    ("UNKNOWN", 1, "UNKNOWN"),  # not in the snapshot: itself
    (None, 1, None),
])
def test_department_of(org, level, expected):
    assert C.department_of(org, PARENTS, level) == expected


def _link(position, first=False, corr=False):
    return {"position": position, "marked_first": first, "marked_corresponding": corr}


@pytest.mark.parametrize("rule, link, expected", [
    ("first-only", _link(1, True), True),
    ("first-only", _link(2, True), False),  # a co-first author in position 2
    ("co-first", _link(2, True), True),
    ("co-first", _link(2, False), False),
    ("co-first", _link(1, False), True),  # position 1 is first whatever the flag says
])
def test_is_first(rule, link, expected):
    assert C.is_first(link, Rules(first_author=rule)) is expected


@pytest.mark.parametrize("rule, link, work_has_corr, expected", [
    ("marked", _link(2, corr=True), True, True),
    ("marked", _link(1), False, False),
    ("marked-or-first", _link(1), False, True),  # no corresponding author marked: the first author
    ("marked-or-first", _link(1), True, False),  # someone else is marked
    ("marked-or-first", _link(2), False, False),
    ("marked-or-first", _link(3, corr=True), True, True),
])
def test_is_corresponding(rule, link, work_has_corr, expected):
    assert C.is_corresponding(link, {"has_corresponding": work_has_corr}, Rules(corresponding=rule)) is expected


@pytest.mark.parametrize("edition, expected", [
    ("as-tagged", (None, None)),
    ("publication-year", ("publication-year-or-earlier", None)),
    ("latest", ("latest", None)),
    (2022, ("latest", 2022)),
])
def test_edition_choice(edition, expected):
    assert C.edition_choice(edition) == expected


# ------------------------------------------------------------------------------ the rules file


def test_default_rules_file_is_the_dataclass_defaults_and_keeps_its_text():
    rules = load_rules()
    assert rules == Rules()
    assert rules.text == DEFAULT_RULES.read_text(encoding="utf-8")
    assert "# Which links" in rules.text  # the comments travel to the cover sheet


@pytest.mark.parametrize("text, message", [
    ('count_statuses = ["claimed", "approved"]', "count_statuses = 'approved'"),
    ("count_statuses = []", "count_statuses is empty"),
    ('unit = "school"', "unit = 'school'"),
    ('first_author = "all"', "first_author"),
    ('corresponding = "any"', "corresponding"),
    ('edition = "newest"', "edition"),
    ("edition = true", "edition"),
    ('year_basis = "online"', "year_basis"),
    ("department_level = 0", "department_level"),
    ('chart_list = "jcr"\nlists = ["cas"]', "chart_list"),
    ('count_statuses = "claimed"', "must be a list"),
    ("colour = 1", "unknown key(s) colour"),
    ("unit = ", "rules.toml"),  # a TOML syntax error names the file
])
def test_bad_rules_are_refused_with_the_key(tmp_path, text, message):
    path = tmp_path / "rules.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RulesError) as exc:
        load_rules(path)
    assert message in str(exc.value)


@pytest.mark.parametrize("text, key, value", [
    ('count_statuses = ["claimed", "confirmed", "auto"]', "count_statuses", ("claimed", "confirmed", "auto")),
    ('unit = "person"', "unit", "person"),
    ("edition = 2022", "edition", 2022),
    ('doc_types = ["Article"]', "doc_types", ("article",)),
])
def test_partial_rules_file_keeps_the_other_defaults(tmp_path, text, key, value):
    path = tmp_path / "rules.toml"
    path.write_text(text, encoding="utf-8")
    rules = load_rules(path)
    assert getattr(rules, key) == value
    assert rules.unit == (value if key == "unit" else "department")
    assert rules.text == text and rules.source == str(path)


def test_rules_from_the_settings_file(tmp_path):
    from ir.report import rules_from_settings

    (tmp_path / "office.toml").write_text('unit = "person"\n', encoding="utf-8")
    cfg = tmp_path / "ir.toml"
    cfg.write_text('[report]\nrules = "office.toml"\n', encoding="utf-8")
    assert rules_from_settings(cfg).unit == "person"
    cfg.write_text('[report]\nfirst_author = "co-first"\n', encoding="utf-8")
    assert rules_from_settings(cfg).first_author == "co-first"
    assert rules_from_settings(None) == Rules()


# ------------------------------------------------------------------------------ counting


def _w(wid, **kw):
    return {"work_id": wid, "year": 2023, "type": "article", "indexes": [], "tiers": {}, "has_corresponding": True, **kw}


def _x(wid, pos, person, dept, first=False, corr=False):
    return {"work_id": wid, "position": pos, "person_id": person, "dept_id": dept,
            "marked_first": first or pos == 1, "marked_corresponding": corr}


# W1: two authors of S1 (P1 first, P2 co-first), one of S2 (P3, corresponding)
# W2: P1 (S1) in position 3, corresponding; nobody marked first among ours
# W3: P3 (S2) alone in position 2, the work marks no corresponding author
WORKS = [_w("W1", tiers={"jcr": "Q1"}, indexes=["SCIE"]), _w("W2", tiers={"jcr": "Q2"}),
         _w("W3", tiers={"jcr": "Q1"}, has_corresponding=False, highly_cited=True)]
LINKS = [_x("W1", 1, "P1", "S1"), _x("W1", 2, "P2", "S1", first=True), _x("W1", 4, "P3", "S2", corr=True),
         _x("W2", 3, "P1", "S1", corr=True), _x("W3", 2, "P3", "S2")]


@pytest.mark.parametrize("rules, dept, expected", [
    # once per department: W1 and W2 for S1
    (Rules(), "S1", {"works": 2, "jcr:Q1": 1, "jcr:Q2": 1, "index:SCIE": 1, "role:first": 1,
                     "role:corresponding": 1, "role:first_or_corresponding": 2, "esi:highly_cited": 0}),
    # once per person: W1 twice (P1, P2), W2 once
    (Rules(unit="person"), "S1", {"works": 3, "jcr:Q1": 2, "jcr:Q2": 1, "index:SCIE": 2, "role:first": 1,
                                  "role:corresponding": 1, "role:first_or_corresponding": 2}),
    # co-first: P2 counts as first author too
    (Rules(unit="person", first_author="co-first"), "S1", {"works": 3, "role:first": 2,
                                                            "role:first_or_corresponding": 3}),
    (Rules(), "S2", {"works": 2, "jcr:Q1": 2, "role:first": 0, "role:corresponding": 1, "esi:highly_cited": 1}),
    # W3 marks no corresponding author, but P3 is not first: still not corresponding
    (Rules(corresponding="marked-or-first"), "S2", {"role:corresponding": 1}),
    # the institution: every work once
    (Rules(unit="person"), None, {"works": 3, "jcr:Q1": 2, "role:first": 1, "role:corresponding": 2,
                                  "role:first_or_corresponding": 2}),
])
def test_department_rows(rules, dept, expected):
    rows = C.department_rows(WORKS, LINKS, rules, {"S1": "School 1", "S2": "School 2"})
    assert [r["dept_id"] for r in rows] == ["S1", "S2", None]
    counts = next(r["counts"] for r in rows if r["dept_id"] == dept)
    assert {k: counts[k] for k in expected} == expected


@pytest.mark.parametrize("rules, key, expected", [
    (Rules(), ("P1", "S1"), {"works": 2, "role:first": 1, "role:corresponding": 1}),
    (Rules(), ("P2", "S1"), {"works": 1, "role:first": 0}),
    (Rules(first_author="co-first"), ("P2", "S1"), {"works": 1, "role:first": 1}),
    (Rules(), ("P3", "S2"), {"works": 2, "role:corresponding": 1, "jcr:Q1": 2}),
])
def test_person_rows(rules, key, expected):
    rows = {(r["person_id"], r["dept_id"]): r["counts"]
            for r in C.person_rows(WORKS, LINKS, rules, {}, {"P1": {"name": "One"}})}
    assert {k: rows[key][k] for k in expected} == expected


def test_measures_always_show_the_known_tiers_in_order():
    keys = [m.key for m in C.measures(WORKS, Rules(lists=("jcr", "cas"), chart_list="jcr"))]
    assert keys[keys.index("jcr:Q1"):keys.index("jcr:Q1") + 8] == ["jcr:Q1", "jcr:Q2", "jcr:Q3", "jcr:Q4",
                                                                   "cas:1", "cas:2", "cas:3", "cas:4"]


def test_trend_counts_each_department_and_year_like_the_summary():
    works = WORKS + [_w("W4", year=2021, tiers={"jcr": "Q3"})]
    links = LINKS + [_x("W4", 1, "P1", "S1")]
    rows = C.trend_rows(works, links, Rules(chart_list="jcr"), [2021, 2022, 2023])
    assert rows == [{"dept_id": "S1", "year": 2021, "tier": "Q3", "works": 1},
                    {"dept_id": "S1", "year": 2023, "tier": "Q1", "works": 1},
                    {"dept_id": "S1", "year": 2023, "tier": "Q2", "works": 1},
                    {"dept_id": "S2", "year": 2023, "tier": "Q1", "works": 2}]


def _extract(works, links, rules=R, sid=None):
    return Extract(year_from=2023, year_to=2023, rules=rules, created_at=dt.datetime(2024, 3, 1, tzinfo=dt.timezone.utc),
                   institution={"org_id": "U", "name": "U"}, departments={"S1": "School 1", "S2": "School 2"},
                   people={}, works=works, links=[{**x, "name": x["person_id"], "person_name": x["person_id"],
                                                  "basis": "claimed"} for x in links],
                   trend=[], trend_years=[2023], snapshot_id=sid)


def test_diff_reports_added_removed_changed_and_department_deltas():
    a = _extract(WORKS[:2], LINKS[:4], sid=1)
    later = [dict(WORKS[0], tiers={"jcr": "Q2"}), WORKS[2]]
    b = _extract(later, [LINKS[0], LINKS[1], LINKS[2], LINKS[4]], sid=2)
    d = diff(a, b)
    assert [w["work_id"] for w in d.added] == ["W3"] and d.added[0]["departments"] == ["S2"]
    assert [w["work_id"] for w in d.removed] == ["W2"]
    assert d.changed == [{"work_id": "W1", "title": None, "changes": {"tier jcr": ["Q1", "Q2"]}}]
    s1 = next(r for r in d.departments if r["dept_id"] == "S1")["changes"]
    assert s1["Works"] == [2, 1, -1] and s1["JCR quartile: Q1"] == [1, 0, -1]
    s2 = next(r for r in d.departments if r["dept_id"] == "S2")["changes"]
    assert s2["Works"] == [1, 2, 1]
    assert not d.rules_changed
