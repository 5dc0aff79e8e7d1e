"""Building an extract from the store: the counted works and authorships of a year, under the rules.

:func:`build_extract` reads the works (through :func:`ir.export.work_document`, the export line, so the
report, the export and the search index agree), the authorships and their decisions (the audit log tells
a librarian's confirmation from a person's claim), the tiers (``work_tags``, or the journal lists again
when the rules ask for another edition), the indexes, the ESI highly-cited history and the
dictionaries snapshot (names, departments). Everything the workbook shows is in the :class:`Extract`,
which a snapshot stores as canonical JSON.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass, field

import sqlalchemy as sa

from ir.export import field_sources, work_document
from ir.report import counting as C
from ir.report.rank import work_ranks
from ir.report.rules import Rules
from ir.store import Store
from ir.store.tables.attribution import authorships, dict_organizations, dict_people
from ir.store.tables.audit import audit_log
from ir.store.tables.tagging import highly_cited_history, journal_list_entries, work_indexes, work_tags
from ir.store.tables.works import works as works_t

PAYLOAD_VERSION = 1
LINK_ORDER = ("claimed", "confirmed", "auto", "suggested")  # a work's strongest uncounted link names its reason
RANK_FIELDS = ("position", "units", "first_unit", "first_author", "corresponding", "label", "source")


@dataclass
class Extract:
    year_from: int
    year_to: int
    rules: Rules
    created_at: dt.datetime  # UTC, whole seconds: the extract's date (also the workbook's metadata)
    institution: dict  # {"org_id", "name", "name_zh"}
    departments: dict[str, str]  # dept id -> name
    people: dict[str, dict]  # person id -> {"name", "name_zh", "role"}
    works: list[dict]  # counted works, by work id (see ir.report.counting)
    links: list[dict]  # counted authorships, by work id and position
    trend: list[dict]  # the chart: {"dept_id", "year", "tier", "works"}
    trend_years: list[int]
    data_stamps: dict = field(default_factory=dict)  # latest change timestamps (not part of the data version)
    notes: list[str] = field(default_factory=list)  # what was left out and why
    left_out: dict[str, int] = field(default_factory=dict)  # the same as numbers: reason -> works
    snapshot_id: int | None = None

    @property
    def year_label(self) -> str:
        return str(self.year_from) if self.year_from == self.year_to else f"{self.year_from}-{self.year_to}"

    @property
    def data_version(self) -> str:
        """A digest of the counted rows: the same data gives the same version, whenever it is read."""
        body = json.dumps({"works": self.works, "links": self.links, "trend": self.trend},
                          sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(body.encode("utf-8")).hexdigest()

    def payload(self) -> dict:
        return {"version": PAYLOAD_VERSION, "year_from": self.year_from, "year_to": self.year_to,
                "rules_text": self.rules.text, "rules_source": self.rules.source,
                "created_at": self.created_at.isoformat(),
                "institution": self.institution, "departments": self.departments, "people": self.people,
                "works": self.works, "links": self.links, "trend": self.trend, "trend_years": self.trend_years,
                "data_stamps": self.data_stamps, "notes": self.notes, "left_out": self.left_out}

    def payload_text(self) -> str:
        return json.dumps(self.payload(), sort_keys=True, ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_payload(cls, data: dict, snapshot_id: int | None = None) -> Extract:
        if data.get("version") != PAYLOAD_VERSION:
            raise ValueError(f"snapshot payload version {data.get('version')!r}; this ir reads {PAYLOAD_VERSION}")
        return cls(year_from=data["year_from"], year_to=data["year_to"],
                   rules=Rules.from_text(data["rules_text"], source=data.get("rules_source") or ""),
                   created_at=dt.datetime.fromisoformat(data["created_at"]), institution=data["institution"],
                   departments=data["departments"], people=data["people"], works=data["works"], links=data["links"],
                   trend=data["trend"], trend_years=data["trend_years"], data_stamps=data.get("data_stamps") or {},
                   notes=data.get("notes") or [], left_out=data.get("left_out") or {}, snapshot_id=snapshot_id)

    # ------------------------------------------------------------------ the sheets' rows

    def measures(self) -> list[C.Measure]:
        return C.measures(self.works, self.rules)

    def department_rows(self) -> list[dict]:
        return C.department_rows(self.works, self.links, self.rules, self.departments, self.measures())

    def person_rows(self) -> list[dict]:
        return C.person_rows(self.works, self.links, self.rules, self.departments, self.people, self.measures())


# ------------------------------------------------------------------------------ reading the store


def _chunks(items: list, n: int = 500):
    for i in range(0, len(items), n):
        yield items[i:i + n]


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0)


def _organizations(conn) -> tuple[dict[str, str | None], dict[str, dict]]:
    parents, names = {}, {}
    for oid, parent, zh, en in conn.execute(sa.select(dict_organizations.c.org_id, dict_organizations.c.parent_id,
                                                      dict_organizations.c.name_zh, dict_organizations.c.name_en)):
        parents[oid] = parent
        names[oid] = {"name": en or zh or oid, "name_zh": zh}
    return parents, names


def _last_actions(conn) -> dict[str, str]:
    """object id "work:position" -> the last decision recorded on that authorship."""
    q = (sa.select(audit_log.c.object_id, audit_log.c.action)
         .where(audit_log.c.object_type == "authorship",
                audit_log.c.action.in_(("claim", "confirm", "reassign", "reject")))
         .order_by(audit_log.c.id))
    return {oid: action for oid, action in conn.execute(q)}


def _stamps(conn) -> dict:
    def latest(col):
        v = conn.execute(sa.select(sa.func.max(col))).scalar()
        return v.isoformat() if hasattr(v, "isoformat") else (str(v) if v is not None else None)
    return {"works": latest(works_t.c.updated_at), "authorships": latest(authorships.c.decided_at),
            "decisions": latest(audit_log.c.at), "tags": latest(work_tags.c.tagged_at),
            "journal_lists": latest(journal_list_entries.c.loaded_at), "people": latest(dict_people.c.loaded_at)}


def _retag(conn, rows: dict[str, dict], rules: Rules) -> dict[str, dict[str, tuple[str, int | None]]]:
    """Tiers of these works (work id -> work data) under another edition rule: the journal lists in the
    store matched again (see ir.tagging.matching)."""
    from ir.tagging.journals import JournalEntry
    from ir.tagging.matching import JournalMatcher
    from ir.tagging.settings import TagSettings
    from ir.tagging.tagger import tag_work

    rule, fixed = C.edition_choice(rules.edition)
    j = journal_list_entries
    q = sa.select(j.c.list, j.c.edition_year, j.c.value, j.c.title, j.c.issn, j.c.eissn, j.c.cn, j.c.abbreviation,
                  j.c.category, j.c.file, j.c.line).order_by(j.c.id)
    if fixed is not None:
        q = q.where(j.c.edition_year == fixed)
    entries = [JournalEntry(list=r.list, year=r.edition_year, value=r.value, title=r.title, issn=r.issn, eissn=r.eissn,
                            cn=r.cn, abbreviation=r.abbreviation, category=r.category or "", file=r.file, line=r.line)
               for r in conn.execute(q)]
    matcher = JournalMatcher(entries, rule)
    settings = TagSettings()
    out: dict[str, dict] = {}
    for wid, data in rows.items():
        out[wid] = {t["list"]: (t["value"], t["edition_year"]) for t in tag_work(data, matcher, settings).tags
                    if t["best"] and t["list"] in rules.lists}
    return out


def extract_years(store: Store) -> list[int]:
    """The years with works that have at least one link to one of our people."""
    with store.connect() as conn:
        q = (sa.select(works_t.c.year).distinct()
             .select_from(works_t.join(authorships, authorships.c.work_id == works_t.c.work_id))
             .where(works_t.c.status == "active", works_t.c.year.is_not(None), authorships.c.person_id.is_not(None)))
        return sorted(y for (y,) in conn.execute(q))


def build_extract(store: Store, year: int | tuple[int, int], rules: Rules | None = None,
                  created_at: dt.datetime | None = None) -> Extract:
    """The extract of ``year`` (or an inclusive ``(from, to)`` range) under ``rules`` (default: the
    shipped rules). The chart covers ``rules.chart_years`` years up to the last year."""
    from ir.report.rules import load_rules

    rules = rules or load_rules()
    year_from, year_to = (year, year) if isinstance(year, int) else (int(year[0]), int(year[1]))
    if year_from > year_to:
        raise ValueError(f"year range {year_from}-{year_to} is backwards")
    trend_years = list(range(year_to - rules.chart_years + 1, year_to + 1))
    wanted = set(range(year_from, year_to + 1)) | set(trend_years)
    lo, hi = min(wanted), max(wanted)
    hi_read = hi + (2 if rules.year_basis == "first-online" else 0)  # a later paper may have been online earlier
    created_at = (created_at or _now()).astimezone(dt.timezone.utc).replace(microsecond=0)
    notes: list[str] = []
    left_out: dict[str, int] = {}  # why works of the year with links to our people are not counted

    with store.connect() as conn:
        parents, org_names = _organizations(conn)
        roots = sorted(o for o, p in parents.items() if not p)
        root = roots[0] if roots else None
        institution = {"org_id": root, **(org_names.get(root) or {"name": "(no organisations loaded)", "name_zh": None})}
        last_action = _last_actions(conn)

        # candidate works, their links and per-work facts
        cands: dict[str, dict] = {}
        q = (sa.select(works_t.c.work_id, works_t.c.year, works_t.c.doc_type, works_t.c.data)
             .where(works_t.c.status == "active", works_t.c.year >= lo - 1, works_t.c.year <= hi_read)
             .order_by(works_t.c.work_id))
        for r in conn.execute(q):
            data = r.data or {}
            y = C.counting_year(r.year, data.get("early_access_year"), rules)
            if y in wanted:
                cands[r.work_id] = {"row": r, "year": y}
        links: list[dict] = []
        has_corr: set[str] = set()
        excluded_types: dict[str, int] = defaultdict(int)
        uncounted: dict[str, set[str]] = defaultdict(set)  # work id -> bases of its links that do not count
        a = authorships
        for chunk in _chunks(sorted(cands)):
            q = (sa.select(a.c.work_id, a.c.position, a.c.name, a.c.person_id, a.c.org_id, a.c.status, a.c.is_first,
                           a.c.is_corresponding, a.c.decided_by)
                 .where(a.c.work_id.in_(chunk)).order_by(a.c.work_id, a.c.position))
            for x in conn.execute(q):
                if x.is_corresponding:
                    has_corr.add(x.work_id)
                basis = C.link_basis(x.status, x.person_id, last_action.get(f"{x.work_id}:{x.position}"))
                if not C.link_counts(basis, rules):
                    if basis is not None:
                        uncounted[x.work_id].add(basis)
                    continue
                links.append({"work_id": x.work_id, "position": x.position, "name": x.name, "person_id": x.person_id,
                              "org_id": x.org_id,
                              "dept_id": C.department_of(x.org_id, parents, rules.department_level) or root,
                              "basis": basis, "marked_first": bool(x.is_first),
                              "marked_corresponding": bool(x.is_corresponding), "decided_by": x.decided_by})
        counted_ids = sorted({x["work_id"] for x in links})
        in_year = {w for w, c in cands.items() if year_from <= c["year"] <= year_to}
        only_uncounted = {w: b for w, b in uncounted.items() if w in in_year and w not in set(counted_ids)}
        reasons: dict[str, int] = defaultdict(int)
        for bases in only_uncounted.values():
            reasons[min(bases, key=LINK_ORDER.index)] += 1  # the strongest link a work has names its reason
        for basis in LINK_ORDER:
            if reasons.get(basis):
                left_out[f"links {basis} only"] = reasons[basis]
                notes.append(f"{reasons[basis]} work(s) of {year_from if year_from == year_to else f'{year_from}-{year_to}'}"
                             f" left out: their links to our people are {basis} (or weaker) only, and the rules "
                             f"count {', '.join(rules.count_statuses)} (count_statuses)")
        kept = []
        for wid in counted_ids:
            t = cands[wid]["row"].doc_type or (cands[wid]["row"].data or {}).get("doc_type")
            if C.type_counts(t, rules):
                kept.append(wid)
            else:
                excluded_types[t or "unknown"] += 1
                if wid in in_year:
                    left_out[f"type {t or 'unknown'}"] = left_out.get(f"type {t or 'unknown'}", 0) + 1
        for t, n in sorted(excluded_types.items()):
            notes.append(f"{n} work(s) of type {t!r} left out (doc_types / exclude_doc_types)")
        ranks = {w: r.as_json() for w, r in work_ranks(conn, kept).items()}
        if rules.institution_rank != "any":
            before = kept
            kept = [w for w in kept if C.rank_counts(ranks.get(w), rules)]
            n = len([w for w in before if w in in_year]) - len([w for w in kept if w in in_year])
            if len(before) != len(kept):
                left_out[f"rank not {rules.institution_rank}"] = n
                notes.append(f"{n} work(s) left out: the institution's rank on them is not "
                             f"{rules.institution_rank} (institution_rank)")
        keep = set(kept)
        links = [x for x in links if x["work_id"] in keep]

        # the export line of each kept work, tiers, editions, indexes, highly cited
        sources = field_sources()
        docs: dict[str, dict] = {}
        for chunk in _chunks(kept):
            extra: dict[str, dict] = defaultdict(dict)
            for fn in sources:
                for wid, fields in (fn(conn, chunk) or {}).items():
                    extra[wid].update(fields)
            for wid in chunk:
                doc = work_document(cands[wid]["row"])
                doc.update(extra.get(wid, {}))
                docs[wid] = doc
        tiers: dict[str, dict[str, tuple[str, int | None]]] = defaultdict(dict)
        if rules.edition == "as-tagged":
            for chunk in _chunks(kept):
                q = (sa.select(work_tags.c.work_id, work_tags.c.list, work_tags.c.value, work_tags.c.edition_year)
                     .where(work_tags.c.work_id.in_(chunk), work_tags.c.best.is_(True), work_tags.c.list.in_(rules.lists)))
                for wid, lst, value, ed in conn.execute(q):
                    tiers[wid][lst] = (value, ed)
        else:
            tiers.update(_retag(conn, {w: cands[w]["row"].data or {} for w in kept}, rules))
        indexes: dict[str, set[str]] = defaultdict(set)
        hc: dict[str, set[str]] = defaultdict(set)
        for chunk in _chunks(kept):
            for wid, code in conn.execute(sa.select(work_indexes.c.work_id, work_indexes.c.index_code)
                                          .where(work_indexes.c.work_id.in_(chunk))):
                indexes[wid].add(code)
            h = highly_cited_history
            for wid, flag in conn.execute(sa.select(h.c.work_id, h.c.flag).where(
                    h.c.work_id.in_(chunk), h.c.snapshot_date <= created_at.date())):
                hc[wid].add(flag)

        # people: the name of the first appointment, the role of the latest
        people: dict[str, dict] = {}
        pids = sorted({x["person_id"] for x in links})
        for chunk in _chunks(pids):
            q = (sa.select(dict_people.c.person_id, dict_people.c.name_zh, dict_people.c.name_en, dict_people.c.role)
                 .where(dict_people.c.person_id.in_(chunk)).order_by(dict_people.c.person_id, dict_people.c.appointment))
            for pid, zh, en, role in conn.execute(q):
                p = people.setdefault(pid, {"name": en or zh or pid, "name_zh": zh, "role": role})
                p["role"] = role
        for pid in pids:
            people.setdefault(pid, {"name": pid, "name_zh": None, "role": None})
        for x in links:
            x["person_name"] = people[x["person_id"]]["name"]
        stamps = _stamps(conn)

    from ir.tagging.indexes import INDEX_CODES

    work_rows = []
    for wid in kept:
        doc, row = docs[wid], cands[wid]["row"]
        data = row.data or {}
        journal = doc.get("journal") or {}
        codes = sorted(indexes.get(wid, set()) | set(doc.get("indexes") or []) & set(INDEX_CODES),
                       key=lambda c: (INDEX_CODES.index(c) if c in INDEX_CODES else 99, c))
        work_rows.append({
            "work_id": wid, "title": doc.get("title"), "year": cands[wid]["year"], "pub_year": doc.get("year"),
            "type": doc.get("type") or "unknown", "doi": doc.get("doi"), "journal": journal.get("title"),
            "issn": journal.get("issn"), "eissn": journal.get("eissn"),
            "sources": [f"{s['source']}:{s['source_id']}" for s in doc.get("sources") or []],
            "indexes": codes,
            "tiers": {lst: v for lst, (v, _) in sorted(tiers.get(wid, {}).items())},
            "editions": {lst: ed for lst, (_, ed) in sorted(tiers.get(wid, {}).items()) if ed is not None},
            "highly_cited": bool(data.get("highly_cited")) or "hc" in hc.get(wid, set()),
            "hot_paper": bool(data.get("hot_paper")) or "hp" in hc.get(wid, set()),
            "has_corresponding": wid in has_corr,
            "times_cited": doc.get("times_cited"),
            "rank": {k: (ranks.get(wid) or {}).get(k) for k in RANK_FIELDS} if wid in ranks else None,
        })
    in_range = [w for w in work_rows if year_from <= w["year"] <= year_to]
    in_ids = {w["work_id"] for w in in_range}
    departments = {d: org_names.get(d, {}).get("name") or d for d in sorted({x["dept_id"] for x in links if x["dept_id"]})}
    if root in departments:
        departments[root] += " (no unit given)"
        n = sum(1 for x in links if x["dept_id"] == root and x["work_id"] in in_ids)
        notes.append(f"{n} counted authorship(s) name no unit below the institution: "
                     f"they count under {departments[root]!r}")
    trend = C.trend_rows(work_rows, links, rules, trend_years)
    in_links = [x for x in links if x["work_id"] in in_ids]
    used_people = {x["person_id"] for x in in_links}
    return Extract(year_from=year_from, year_to=year_to, rules=rules, created_at=created_at, institution=institution,
                   departments=departments, people={p: v for p, v in people.items() if p in used_people},
                   works=in_range, links=in_links, trend=trend, trend_years=trend_years, data_stamps=stamps,
                   notes=notes, left_out=left_out)
