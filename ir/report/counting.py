"""The counting of the annual extract: pure functions over the counted rows and the rules.

An extract holds two lists of plain dicts (JSON as stored in a snapshot):

- **works**: one per counted work — ``work_id, title, year`` (the year it counts for), ``pub_year, type,
  doi, journal, issn, eissn, sources, indexes`` (codes), ``tiers`` (list -> value), ``editions``
  (list -> edition year), ``highly_cited, hot_paper, has_corresponding``;
- **links**: one per counted authorship — ``work_id, position, name, person_id, person_name, org_id,
  dept_id, basis`` (claimed|confirmed|auto|suggested), ``marked_first, marked_corresponding, decided_by``.

Every number of the department and person sheets is a count of *items*: (work, flags) pairs where
the flags say whether the unit's authorships in that work are first / corresponding authors. Which
items a row has is the ``unit`` rule (:func:`items_by`); which items a column counts is its
:class:`Measure`. The same functions count the chart's years, so every number has one definition.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from ir.report.rules import Rules
from ir.tagging.journals import TIER_ORDER as TIER_VALUES  # the values every extract shows, best first

LIST_LABELS = {"jcr": "JCR quartile", "cas": "CAS partition", "esi": "ESI field", "cssci": "CSSCI",
               "pku_core": "PKU core", "cscd": "CSCD", "institution": "Institution tier"}
TYPE_ORDER = ("article", "review", "proceedings paper", "book", "book chapter", "letter", "meeting abstract",
              "dissertation", "patent")
NO_TIER = "none"


# ------------------------------------------------------------------------------ links and works


def link_basis(status: str | None, person_id: str | None, last_action: str | None) -> str | None:
    """What an authorship's link to a person rests on: ``claimed`` (the person, or a librarian for them,
    claimed it), ``confirmed`` (a librarian confirmed or reassigned the pipeline's link), ``auto``,
    ``suggested``; None when there is no link to a person (unmatched, rejected, external)."""
    if not person_id:
        return None
    if status == "claimed":
        return "confirmed" if last_action in ("confirm", "reassign") else "claimed"
    if status in ("auto", "suggested"):
        return status
    return None


def link_counts(basis: str | None, rules: Rules) -> bool:
    return basis is not None and basis in rules.count_statuses


def rank_counts(rank: dict | None, rules: Rules) -> bool:
    """Whether the institution's rank on a work (:mod:`ir.report.rank`, as a dict) passes the
    ``institution_rank`` rule; a work whose addresses say nothing passes only ``any``."""
    if rules.institution_rank == "any":
        return True
    if not rank:
        return False
    if rules.institution_rank == "first-unit":
        return bool(rank.get("first_unit"))
    if rules.institution_rank == "first-author":
        return bool(rank.get("first_author"))
    return bool(rank.get("first_author") or rank.get("corresponding"))


def counting_year(pub_year: int | None, early_access_year: int | None, rules: Rules) -> int | None:
    """The year a work counts for: its publication year, or (``year_basis = "first-online"``) its
    early-access year when that is earlier."""
    if rules.year_basis == "first-online" and early_access_year and (pub_year is None or early_access_year < pub_year):
        return early_access_year
    return pub_year


def type_counts(doc_type: str | None, rules: Rules) -> bool:
    t = (doc_type or "").casefold()
    if t in rules.exclude_doc_types:
        return False
    return not rules.doc_types or t in rules.doc_types


def department_of(org_id: str | None, parents: dict[str, str | None], level: int = 1) -> str | None:
    """The unit at ``level`` under the institution (the root) that ``org_id`` belongs to: itself when it
    is at that level, the ancestor at that level when deeper, itself when shallower (the institution)."""
    if not org_id:
        return None
    path = [org_id]
    seen = {org_id}
    while (parent := parents.get(path[-1])) and parent not in seen:
        path.append(parent)
        seen.add(parent)
    path.reverse()  # root first
    return path[level] if len(path) > level else path[-1]


def is_first(link: dict, rules: Rules) -> bool:
    if link["position"] == 1:
        return True
    return rules.first_author == "co-first" and bool(link.get("marked_first"))


def is_corresponding(link: dict, work: dict, rules: Rules) -> bool:
    if link.get("marked_corresponding"):
        return True
    return (rules.corresponding == "marked-or-first" and not work.get("has_corresponding")
            and link["position"] == 1)


def edition_choice(edition: str | int) -> tuple[str | None, int | None]:
    """The rules' ``edition`` as (matcher edition rule, fixed edition year); (None, None) for as-tagged."""
    if edition == "as-tagged":
        return None, None
    if edition == "publication-year":
        return "publication-year-or-earlier", None
    if edition == "latest":
        return "latest", None
    return "latest", int(edition)


# ------------------------------------------------------------------------------ items


@dataclass(frozen=True)
class Item:
    """One thing a sheet cell counts: a work, with whether the unit's authors in it are first /
    corresponding authors."""
    work_id: str
    first: bool
    corresponding: bool


def _flags(links: Iterable[dict], work: dict, rules: Rules) -> tuple[bool, bool]:
    links = list(links)
    return (any(is_first(x, rules) for x in links), any(is_corresponding(x, work, rules) for x in links))


def items_by(works: dict[str, dict], links: list[dict], rules: Rules, by: str) -> dict:
    """Row key -> items. ``by``: ``department`` (per the ``unit`` rule: a work once per department, or
    once per author of the department), ``person`` (key (person_id, dept_id); a work once per person),
    ``institution`` (key None; every work once)."""
    groups: dict = defaultdict(lambda: defaultdict(list))
    for x in links:
        if x["work_id"] not in works:
            continue
        if by == "institution":
            groups[None][(x["work_id"],)].append(x)
        elif by == "person":
            groups[(x["person_id"], x["dept_id"])][(x["work_id"],)].append(x)
        elif by == "department":
            sub = (x["work_id"],) if rules.unit == "department" else (x["work_id"], x["person_id"])
            groups[x["dept_id"]][sub].append(x)
        else:
            raise ValueError(f"unknown grouping {by!r}")
    out = {}
    for key, per_work in groups.items():
        items = []
        for sub, group in sorted(per_work.items()):
            first, corr = _flags(group, works[sub[0]], rules)
            items.append(Item(sub[0], first, corr))
        out[key] = items
    return out


# ------------------------------------------------------------------------------ measures (columns)


@dataclass(frozen=True)
class Measure:
    key: str  # stable id, e.g. "jcr:Q1" (used by snapshot comparisons)
    group: str  # header over a group of columns
    label: str
    test: Callable[[dict, Item], bool]


def _value_label(lst: str, value: str) -> str:
    if lst == "cas":
        return f"{value}区"
    return value


def measures(works: Iterable[dict], rules: Rules) -> list[Measure]:
    """The columns of the summaries, in order, for these works and rules."""
    works = list(works)
    types = sorted({w.get("type") or "unknown" for w in works},
                   key=lambda t: (TYPE_ORDER.index(t) if t in TYPE_ORDER else len(TYPE_ORDER), t))
    out = [Measure("works", "Works", "Works", lambda w, i: True)]
    out += [Measure(f"type:{t}", "Document type", t, lambda w, i, t=t: (w.get("type") or "unknown") == t) for t in types]
    codes = list(rules.indexes)
    if not codes:
        from ir.tagging.indexes import INDEX_CODES

        present = {c for w in works for c in w.get("indexes") or []}
        codes = [c for c in INDEX_CODES if c in present] + sorted(present - set(INDEX_CODES))
    out += [Measure(f"index:{c}", "Index", c, lambda w, i, c=c: c in (w.get("indexes") or [])) for c in codes]
    for lst in rules.lists:
        values = list(TIER_VALUES.get(lst, ()))
        values += sorted({w["tiers"][lst] for w in works if lst in (w.get("tiers") or {})} - set(values))
        group = LIST_LABELS.get(lst, lst)
        out += [Measure(f"{lst}:{v}", group, _value_label(lst, v),
                        lambda w, i, lst=lst, v=v: (w.get("tiers") or {}).get(lst) == v) for v in values]
    out += [
        Measure("role:first", "Our authors as", "first author", lambda w, i: i.first),
        Measure("role:corresponding", "Our authors as", "corresponding author", lambda w, i: i.corresponding),
        Measure("role:first_or_corresponding", "Our authors as", "first or corresponding",
                lambda w, i: i.first or i.corresponding),
        Measure("esi:highly_cited", "ESI", "highly cited", lambda w, i: bool(w.get("highly_cited"))),
        Measure("esi:hot_paper", "ESI", "hot paper", lambda w, i: bool(w.get("hot_paper"))),
    ]
    return out


def count_items(items: list[Item], works: dict[str, dict], cols: list[Measure]) -> dict[str, int]:
    return {m.key: sum(1 for i in items if m.test(works[i.work_id], i)) for m in cols}


# ------------------------------------------------------------------------------ the sheets' rows


def department_rows(works_list: list[dict], links: list[dict], rules: Rules, departments: dict[str, str],
                    cols: list[Measure] | None = None) -> list[dict]:
    """One row per department with counted works, in department id order, then the institution's total
    (every work once): ``{"dept_id", "department", "counts": {measure key: n}}``."""
    works = {w["work_id"]: w for w in works_list}
    cols = cols if cols is not None else measures(works_list, rules)
    rows = []
    for dept, items in sorted(items_by(works, links, rules, "department").items(), key=lambda kv: kv[0] or ""):
        rows.append({"dept_id": dept, "department": departments.get(dept, dept), "counts": count_items(items, works, cols)})
    total = items_by(works, links, rules, "institution").get(None, [])
    rows.append({"dept_id": None, "department": "Institution (each work once)", "counts": count_items(total, works, cols)})
    return rows


def person_rows(works_list: list[dict], links: list[dict], rules: Rules, departments: dict[str, str],
                people: dict[str, dict], cols: list[Measure] | None = None) -> list[dict]:
    """One row per person and department, by department then person id."""
    works = {w["work_id"]: w for w in works_list}
    cols = cols if cols is not None else measures(works_list, rules)
    rows = []
    for (pid, dept), items in sorted(items_by(works, links, rules, "person").items(),
                                     key=lambda kv: (kv[0][1] or "", kv[0][0])):
        p = people.get(pid, {})
        rows.append({"person_id": pid, "name": p.get("name") or pid, "name_zh": p.get("name_zh"), "role": p.get("role"),
                     "dept_id": dept, "department": departments.get(dept, dept),
                     "counts": count_items(items, works, cols)})
    return rows


def trend_rows(works_list: list[dict], links: list[dict], rules: Rules, years: list[int]) -> list[dict]:
    """The chart's data: per department, year and tier of ``rules.chart_list`` (``none``: not in the
    list), the number of works — counted as the department summary counts them."""
    works = {w["work_id"]: w for w in works_list}
    lst = rules.chart_list
    counts: dict[tuple, int] = defaultdict(int)
    for dept, items in items_by(works, links, rules, "department").items():
        for i in items:
            w = works[i.work_id]
            if w["year"] in years:
                counts[(dept, w["year"], (w.get("tiers") or {}).get(lst) or NO_TIER)] += 1
    return [{"dept_id": d, "year": y, "tier": t, "works": n} for (d, y, t), n in sorted(counts.items())]


def tier_order(lst: str, tiers: Iterable[str]) -> list[str]:
    known = list(TIER_VALUES.get(lst, ()))
    rest = sorted(set(tiers) - set(known) - {NO_TIER})
    return known + rest + [NO_TIER]
