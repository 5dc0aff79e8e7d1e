"""Tagging one work: its journal's list tags, its subjects and its indexes. Pure: a work document in, rows out.

Tags (one per list and category):

- journal lists (jcr, cas, esi, cssci, pku_core, cscd, institution, any other): through
  :class:`ir.tagging.matching.JournalMatcher`, ``matched_by`` issn|eissn|cn|title|abbreviation|fuzzy-title;
- ``esi`` from the work's WoS categories through ``wos_esi.csv`` (``matched_by = "wos-category"``) when no
  "esi" list has the journal;
- ``ei_class`` from EI classification codes (value: the series, e.g. "Electrical engineering";
  category: the two-digit group), ``clc`` from CLC codes (value: the class's Chinese name; category: the class).

``best`` marks, per list, the tag an export shows: the best tier (Q1 before Q2, 1区 before 2区, A before B,
core before extended); for subjects the most frequent field, then the first code.

Indexes: WoS editions and databases (works.data["indexes"], ["editions"], the member sources) and the
journal lists named in ``TagSettings.index_lists`` (cscd -> CSCD, cssci -> CSSCI, pku_core -> PKU).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from ir.tagging.indexes import database_code, index_code, split_editions
from ir.tagging.journals import value_rank
from ir.tagging.matching import JournalMatcher, ListResult, WorkJournal
from ir.tagging.settings import TagSettings
from ir.tagging.subjects import clc_class, ei_group, wos_category_esi

SUBJECT_LISTS = ("esi", "ei_class", "clc")


@dataclass
class WorkTags:
    tags: list[dict] = field(default_factory=list)  # work_tags rows without work_id / tagged_at
    indexes: list[dict] = field(default_factory=list)  # work_indexes rows without work_id
    results: list[ListResult] = field(default_factory=list)  # every list's verdict on the journal
    journal: WorkJournal | None = None

    @property
    def tiered(self) -> bool:
        """Whether any journal list has the work's journal."""
        return any(r.matches for r in self.results)


def _mark_best(rows: list[dict]) -> None:
    by_list: dict[str, list[dict]] = {}
    for r in rows:
        by_list.setdefault(r["list"], []).append(r)
    for lst, group in by_list.items():
        if lst in SUBJECT_LISTS and group[0]["matched_by"] in ("wos-category", "code"):
            freq = Counter(r["value"] for r in group)
            best = min(range(len(group)), key=lambda i: (-freq[group[i]["value"]], i))
        else:
            best = min(range(len(group)), key=lambda i: (value_rank(lst, group[i]["value"]), group[i]["category"]))
        for i, r in enumerate(group):
            r["best"] = i == best


def tag_work(data: dict, matcher: JournalMatcher, settings: TagSettings, year: int | None = None) -> WorkTags:
    """The tags and indexes of one work document (works.data)."""
    out = WorkTags()
    year = data.get("year") or year
    journal = WorkJournal.from_dict(data.get("journal"))
    out.journal = journal
    if not journal.is_empty():
        out.results = matcher.match(journal, year)
    rows: dict[tuple[str, str], dict] = {}
    for result in out.results:
        for m in result.matches:
            e = m.entry
            key = (e.list, e.category)
            row = {"list": e.list, "category": e.category, "value": e.value, "edition_year": e.year,
                   "matched_by": m.matched_by, "score": m.score,
                   "evidence": {**m.evidence, "list_title": e.title, "list_issn": e.issn, "list_eissn": e.eissn,
                                "file": e.file, "line": e.line, **({"note": e.note} if e.note else {})}}
            if key not in rows or value_rank(e.list, e.value) < value_rank(e.list, rows[key]["value"]):
                rows[key] = row

    if settings.esi_from_categories and not any(k[0] == "esi" for k in rows):
        for cat in data.get("categories") or []:
            found = wos_category_esi(cat)
            if found and ("esi", cat) not in rows:
                rows[("esi", cat)] = {"list": "esi", "category": cat, "value": found, "edition_year": None,
                                      "matched_by": "wos-category", "score": 100.0,
                                      "evidence": {"wos_category": cat, "table": "wos_esi.csv"}}
    for code in data.get("classification_codes") or []:
        found = ei_group(code)
        if found:
            key = ("ei_class", found[0][:2])
            if key in rows:
                rows[key]["evidence"]["codes"].append(code)
            else:
                rows[key] = {"list": "ei_class", "category": found[0][:2], "value": found[2], "edition_year": None,
                             "matched_by": "code", "score": 100.0,
                             "evidence": {"codes": [code], "group": found[1], "table": "ei_classification.csv"}}
    for code in data.get("clc_codes") or []:
        found = clc_class(code)
        if found:
            key = ("clc", found[0])
            if key in rows:
                rows[key]["evidence"]["codes"].append(code)
            else:
                rows[key] = {"list": "clc", "category": found[0], "value": found[1], "edition_year": None,
                             "matched_by": "code", "score": 100.0,
                             "evidence": {"codes": [code], "name_en": found[2], "table": "clc_classes.csv"}}
    out.tags = list(rows.values())
    _mark_best(out.tags)

    indexes: dict[tuple[str, str], dict] = {}
    for value in [*split_editions(data.get("indexes")), *split_editions(data.get("editions"))]:
        found = index_code(value)
        if found:
            indexes.setdefault(found, {"index_code": found[0], "derived_from": found[1], "evidence": {"value": value}})
    for src in [] if "indexes" in data else data.get("sources") or []:  # consolidation's indexes, else the sources
        code = database_code(src.get("source")) if isinstance(src, dict) else None
        if code and code != "PKU":
            indexes.setdefault((code, "database"), {"index_code": code, "derived_from": "database",
                                                    "evidence": {"source": src.get("source"), "source_id": src.get("source_id")}})
    for t in out.tags:
        code = settings.index_lists.get(t["list"])
        if code and t["matched_by"] not in ("wos-category", "code"):
            indexes.setdefault((code, "list"), {"index_code": code, "derived_from": "list",
                                                "evidence": {"list": t["list"], "value": t["value"],
                                                             "edition": t["edition_year"], "matched_by": t["matched_by"]}})
    out.indexes = list(indexes.values())
    return out
