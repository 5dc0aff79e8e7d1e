"""A work as a search document: the one shape both backends index.

:func:`build_document` is pure: it takes a work's export record (``works.data`` plus ``work_id``, and
the fields other stages add through :mod:`ir.export`: ``authors`` with person/department/status from
attribution, ``tags`` and ``indexes`` from tagging) and returns the document. :func:`load_records`
reads those records from the store, through ``ir.export`` when it is there, so that the export and the
index never disagree.

Document fields (see ``schemas/es-works.json``):

* display: ``work_id, title, year, type, doi, journal, issn, authors``; ``title`` and ``journal`` are
  the display forms: a mixed-case version from another source beats an ALL-CAPS one (:func:`best_cased`)
* text (searched): ``title_en, title_zh, abstract_en, abstract_zh, keywords_en, keywords_zh,
  authors, journal_text``; ``title_sort`` for sorting by title
* facets/filters: ``year, type, departments, persons, indexes, tiers, tags, sources``;
  ``department_facet``/``person_facet`` hold ``"id\\x1flabel"`` so counts come with names
* authorship status: ``authorships: [{position, name, person_id, org_id, status}]`` and
  ``person_status: ["P001:claimed", ...]``. ``persons`` counts a person only when the authorship is
  ``auto`` or ``claimed``; ``departments`` count every authorship that is not ``rejected``.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Iterable, Iterator

import sqlalchemy as sa

from ir.export import field_sources, work_document
from ir.search.query import LABEL_SEP, has_han

ATTRIBUTED = ("auto", "claimed")


_LATIN_WORD = re.compile(r"[^\W\d_]{2,}")


def is_shouting(text: str | None) -> bool:
    """ALL CAPS: at least three words with cased letters, and no lower-case letter."""
    if not text:
        return False
    words = [w for w in _LATIN_WORD.findall(text) if w.upper() != w.lower()]
    return len(words) >= 3 and not any(c.islower() for c in text)


def _same_text(a: str, b: str) -> bool:
    def key(s: str) -> str:
        return "".join(c for c in unicodedata.normalize("NFKC", s).casefold() if c.isalnum())
    return key(a) == key(b)


def best_cased(chosen: str | None, alternatives: Iterable[str | None]) -> str | None:
    """``chosen``, or the same text in mixed case when ``chosen`` is ALL CAPS and a source has that
    (Web of Science writes titles and journal names in capitals; Ei, Scopus and CNKI do not)."""
    if not chosen or not is_shouting(chosen):
        return chosen
    for alt in alternatives:
        if alt and not is_shouting(alt) and any(c.islower() for c in alt) and _same_text(alt, chosen):
            return alt
    return chosen


def _texts(values) -> list[str]:
    out: list[str] = []
    for v in values if isinstance(values, (list, tuple)) else [values]:
        if isinstance(v, dict):
            v = v.get("text") or v.get("value") or v.get("name")
        if isinstance(v, str) and v.strip():
            out.append(" ".join(v.split()))
    return list(dict.fromkeys(out))


def _split_lang(items) -> tuple[list[str], list[str]]:
    """(non-Chinese, Chinese) texts. A text with Han characters is Chinese whatever its language tag says
    (exports tag Chinese titles as 'en' often enough); the rest are analysed as English."""
    en: list[str] = []
    zh: list[str] = []
    for text in _texts(items):
        (zh if has_han(text) else en).append(text)
    return en, zh


def sort_key(title: str | None) -> str:
    """Case- and accent-insensitive, leading punctuation ignored: 'The "Éclair"' sorts as 'the eclair'."""
    if not title:
        return "\uffff"  # works without a title sort last
    text = unicodedata.normalize("NFKD", title.casefold())
    text = "".join(c for c in text if not unicodedata.combining(c))
    return text.lstrip(" \"'“”‘’([{<《【「-—.,:;").strip()[:256] or "\uffff"


def _code(value, *keys: str) -> str | None:
    if isinstance(value, dict):
        for k in keys:
            if value.get(k):
                return str(value[k]).strip()
        return None
    return str(value).strip() if value not in (None, "") else None


def _tier(tag) -> str | None:
    """'jcr:Q1' from 'jcr:Q1', {'scheme': 'jcr', 'tier': 'Q1'} or {'list': 'cas', 'value': '1'}."""
    if isinstance(tag, str):
        return tag.strip() or None
    if isinstance(tag, dict):
        scheme = _code(tag, "scheme", "system", "list", "source", "name")
        value = _code(tag, "tier", "value", "level", "quartile", "zone")
        if scheme and value:
            return f"{scheme}:{value}"
        return scheme or value
    return None


def _authorships(authors) -> list[dict]:
    out = []
    for pos, a in enumerate(authors or [], start=1):
        if isinstance(a, str):
            a = {"name": a}
        if not isinstance(a, dict):
            continue
        name = _code(a, "display_name", "name", "full_name", "person_name") or None
        out.append({
            "position": int(a.get("position") or pos),
            "name": name,
            "person_id": _code(a, "person_id"),
            "person_name": _code(a, "person_name", "display_name", "name"),
            "org_id": _code(a, "org_id", "department_id"),
            "org_name": _code(a, "org_name", "department", "department_name"),
            "status": _code(a, "status") or ("auto" if a.get("person_id") else "external"),
        })
    return out


def build_document(record: dict) -> dict:
    """The search document of one work (pure; see the module docstring for the fields)."""
    titles = record.get("titles") or []
    if record.get("title") and not any(_texts([t]) == [record["title"]] for t in titles):
        titles = [{"text": record["title"]}] + list(titles)
    title_en, title_zh = _split_lang(titles)
    abstracts = record.get("abstracts") or ([record["abstract"]] if record.get("abstract") else [])
    abstract_en, abstract_zh = _split_lang(abstracts)
    keywords = _texts(record.get("keywords") or [])
    journal = record.get("journal") or {}
    if isinstance(journal, str):
        journal = {"title": journal}
    issn = [i for i in (journal.get("issn"), journal.get("eissn")) if i]

    authorships = _authorships(record.get("authors"))
    persons, person_facet, person_status, departments, department_facet = [], [], [], [], []
    for a in authorships:
        if a["person_id"]:
            person_status.append(f"{a['person_id']}:{a['status']}")
            if a["status"] in ATTRIBUTED:
                persons.append(a["person_id"])
                person_facet.append(f"{a['person_id']}{LABEL_SEP}{a['person_name'] or a['person_id']}")
        if a["org_id"] and a["status"] != "rejected":
            departments.append(a["org_id"])
            department_facet.append(f"{a['org_id']}{LABEL_SEP}{a['org_name'] or a['org_id']}")

    raw_tags = record.get("tags") or []
    if isinstance(raw_tags, dict):  # {list: best value}, as ir.tagging exports them
        raw_tags = [f"{k}:{v}" if v not in (None, "", True) else str(k) for k, v in raw_tags.items()]
    tags = [t for t in (_tier(t) for t in raw_tags) if t]
    tiers = [t for t in (_tier(t) for t in record.get("tiers") or []) if t] + [t for t in tags if ":" in t]
    indexes = [i for i in (_code(x, "index", "code", "name") for x in record.get("indexes") or []) if i]
    sources = [s for s in (_code(x, "source") for x in record.get("sources") or []) if s]
    year = record.get("year")
    try:
        year = int(year) if year not in (None, "") else None
    except (TypeError, ValueError):
        year = None
    title = record.get("title") or (title_en + title_zh or [None])[0]
    title = best_cased(title, [t.get("text") if isinstance(t, dict) else t for t in titles]
                       + [s.get("title") for s in record.get("sources") or [] if isinstance(s, dict)])
    journal_title = best_cased(journal.get("title"), record.get("journal_alternatives") or [])

    def uniq(xs):
        return list(dict.fromkeys(xs))

    return {
        "work_id": record["work_id"],
        "title": title,
        "title_sort": sort_key(title),
        "title_en": title_en,
        "title_zh": title_zh,
        "abstract_en": abstract_en,
        "abstract_zh": abstract_zh,
        "keywords": keywords,
        "keywords_en": [k for k in keywords if not has_han(k)],
        "keywords_zh": [k for k in keywords if has_han(k)],
        "authors": [a["name"] for a in authorships if a["name"]],
        "year": year,
        "type": record.get("doc_type") or record.get("type"),
        "doi": record.get("doi"),
        "journal": journal_title,
        "journal_text": journal.get("title"),
        "issn": uniq(issn),
        "departments": uniq(departments),
        "department_facet": uniq(department_facet),
        "persons": uniq(persons),
        "person_facet": uniq(person_facet),
        "person_status": uniq(person_status),
        "authorships": [{k: a[k] for k in ("position", "name", "person_id", "org_id", "status")} for a in authorships],
        "indexes": uniq(indexes),
        "tiers": uniq(tiers),
        "tags": uniq(tags),
        "sources": uniq(sources),
        # versions, corrections, retractions (ir.consolidate.links): the other work, its title and year
        "relations": [{k: x.get(k) for k in ("relation", "work_id", "title", "year")}
                      for x in record.get("relations") or [] if isinstance(x, dict) and x.get("work_id")],
    }


def doc_hash(doc: dict) -> str:
    return hashlib.sha256(json.dumps(doc, sort_keys=True, ensure_ascii=False, default=str).encode()).hexdigest()


HIT_FIELDS = ("work_id", "title", "year", "type", "journal", "doi", "authors", "sources", "indexes", "tiers")


def hit_from_doc(doc: dict) -> dict:
    hit = {k: doc.get(k) for k in HIT_FIELDS}
    hit["authors"] = (doc.get("authors") or [])[:10]
    return hit


# --- reading works from the store ------------------------------------------------------------

def _labels(conn: sa.Connection, records: list[dict]) -> tuple[dict[str, str], dict[str, str]]:
    """Display names of the people and units the authorships point to, from the dictionaries snapshot."""
    try:
        from ir.store.tables.attribution import dict_organizations as org, dict_people as ppl
    except ImportError:
        return {}, {}
    pids = {a.get("person_id") for r in records for a in r.get("authors") or [] if isinstance(a, dict)} - {None}
    oids = {a.get("org_id") for r in records for a in r.get("authors") or [] if isinstance(a, dict)} - {None}
    people: dict[str, str] = {}
    orgs: dict[str, str] = {}
    if pids:
        q = sa.select(ppl.c.person_id, ppl.c.name_zh, ppl.c.name_en).where(ppl.c.person_id.in_(sorted(pids))) \
            .order_by(ppl.c.person_id, ppl.c.appointment)
        for pid, zh, en in conn.execute(q):
            people.setdefault(pid, " ".join(x for x in (zh, en) if x) or pid)
    if oids:
        q = sa.select(org.c.org_id, org.c.name_zh, org.c.name_en).where(org.c.org_id.in_(sorted(oids)))
        for oid, zh, en in conn.execute(q):
            orgs[oid] = en or zh or oid
    return people, orgs


def _journal_alternatives(conn: sa.Connection, records: list[dict]) -> None:
    """``journal_alternatives``: the journal names the member records write, for the works whose chosen
    name is ALL CAPS (only those are read)."""
    from ir.store.tables.ingest import source_records as sr
    from ir.store.tables.works import work_members as wm

    shouting = [r["work_id"] for r in records if is_shouting(((r.get("journal") or {}) if isinstance(r.get("journal"), dict)
                                                              else {}).get("title"))]
    if not shouting:
        return
    found: dict[str, list[str]] = {}
    for start in range(0, len(shouting), 500):
        q = (sa.select(wm.c.work_id, sr.c.data)
             .select_from(wm.join(sr, sa.and_(sr.c.source == wm.c.source, sr.c.source_id == wm.c.source_id)))
             .where(wm.c.work_id.in_(shouting[start:start + 500])))
        for wid, data in conn.execute(q):
            title = ((data or {}).get("journal") or {}).get("title")
            if title:
                found.setdefault(wid, []).append(title)
    for r in records:
        if r["work_id"] in found:
            r["journal_alternatives"] = found[r["work_id"]]


def records_from_rows(conn: sa.Connection, rows: list, sources: list | None = None) -> list[dict]:
    """Export records (:func:`ir.export.work_document` plus the stages' fields) of these ``works`` rows,
    with what search needs beyond the export: the abstract and the names behind person and unit ids."""

    sources = field_sources() if sources is None else sources
    ids = [r.work_id for r in rows]
    extra: dict[str, dict] = {}
    for fn in sources:
        for wid, fields in (fn(conn, ids) or {}).items():
            extra.setdefault(wid, {}).update(fields)
    records = []
    for r in rows:
        rec = work_document(r)
        data = r.data or {}
        for k in ("abstract", "abstracts", "tags", "authors"):  # the export leaves these out
            if data.get(k) and k not in rec:
                rec[k] = data[k]
        rec.update(extra.get(r.work_id, {}))  # as ir.export does: the stages' fields win
        records.append(rec)
    _journal_alternatives(conn, records)
    people, orgs = _labels(conn, records)
    for rec in records:
        for a in rec.get("authors") or []:
            if isinstance(a, dict):
                if a.get("person_id") in people and not a.get("person_name"):
                    a["person_name"] = people[a["person_id"]]
                if a.get("org_id") in orgs and not a.get("org_name"):
                    a["org_name"] = orgs[a["org_id"]]
    return records


def iter_documents(conn: sa.Connection, batch: int = 1000, work_ids: Iterable[str] | None = None) -> Iterator[list[dict]]:
    """Documents of the active works, in batches, in work_id order (keyset paging: constant memory)."""
    from ir.store.tables.works import works

    q = sa.select(works.c.work_id, works.c.data).where(works.c.status == "active").order_by(works.c.work_id)
    sources = field_sources()
    if work_ids is not None:
        ids = sorted(set(work_ids))
        for start in range(0, len(ids), batch):
            rows = conn.execute(q.where(works.c.work_id.in_(ids[start:start + batch]))).all()
            if rows:
                yield [build_document(r) for r in records_from_rows(conn, rows, sources)]
        return
    last = None
    while True:
        page = q.limit(batch) if last is None else q.where(works.c.work_id > last).limit(batch)
        rows = conn.execute(page).all()
        if not rows:
            return
        last = rows[-1].work_id
        yield [build_document(r) for r in records_from_rows(conn, rows, sources)]
