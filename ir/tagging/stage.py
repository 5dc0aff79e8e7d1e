"""The tag stage's I/O: read works, write tags, indexes and highly-cited history; ESI list files."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa

from ir.normalize import normalize_doi
from ir.store import Store
from ir.store.engine import utcnow
from ir.store.tables.ingest import ingest_batches, source_records
from ir.store.tables.tagging import highly_cited_history, journal_list_entries, work_indexes, work_tags
from ir.store.tables.works import work_members, works
from ir.tagging.indexes import INDEX_CODES
from ir.tagging.journals import LoadProblem, load_journal_lists
from ir.tagging.matching import JournalMatcher
from ir.tagging.settings import TagSettings
from ir.tagging.tagger import tag_work


@dataclass
class TagReport:
    works: int = 0
    tagged: int = 0  # works whose journal is in at least one journal list
    untagged: int = 0
    no_journal: int = 0  # works without any journal (conference papers, books ...)
    per_list: dict[str, int] = field(default_factory=dict)  # works with a tag of each list
    matched_by: dict[str, dict[str, int]] = field(default_factory=dict)  # list -> how -> works
    indexes: dict[str, int] = field(default_factory=dict)
    highly_cited: int = 0
    hot_papers: int = 0
    entries_loaded: int = 0
    editions: dict[str, list[int]] = field(default_factory=dict)
    dictionary_problems: list[LoadProblem] = field(default_factory=list)
    journals_not_found: list[dict] = field(default_factory=list)  # for librarians: journal, issn, works
    ambiguous: list[dict] = field(default_factory=list)  # refused matches: journal, list, candidates, works

    def as_json(self) -> dict:
        return {
            "works": self.works, "tagged": self.tagged, "untagged": self.untagged, "no_journal": self.no_journal,
            "per_list": self.per_list, "matched_by": self.matched_by, "indexes": self.indexes,
            "highly_cited": self.highly_cited, "hot_papers": self.hot_papers,
            "entries_loaded": self.entries_loaded, "editions": self.editions,
            "dictionary_problems": [p.as_json() for p in self.dictionary_problems],
            "journals_not_found": self.journals_not_found, "ambiguous": self.ambiguous,
        }

    def as_table(self) -> list[dict]:
        """One row per list: its editions, the works it tags and how their best tags were matched."""
        rows = []
        for lst in sorted(set(self.per_list) | set(self.editions)):
            how = ", ".join(f"{k} {v}" for k, v in sorted(self.matched_by.get(lst, {}).items(), key=lambda kv: -kv[1]))
            rows.append({"list": lst, "editions": ", ".join(map(str, self.editions.get(lst, []))) or "-",
                         "works": self.per_list.get(lst, 0), "matched by": how})
        rows.append({"list": "(all lists)", "editions": f"{self.entries_loaded} entries",
                     "works": self.tagged, "matched by": f"of {self.works} works; {self.no_journal} without a journal"})
        rows.append({"list": "(indexes)", "editions": "", "works": sum(self.indexes.values()),
                     "matched by": ", ".join(f"{k} {v}" for k, v in self.indexes.items())})
        rows.append({"list": "(highly cited / hot)", "editions": "", "works": self.highly_cited + self.hot_papers,
                     "matched by": f"hc {self.highly_cited}, hp {self.hot_papers}"})
        return rows

    def attention(self) -> list[str]:
        """What a librarian should look at: unusable list rows, journals in no list, refused matches."""
        notes = []
        errors = [p for p in self.dictionary_problems if p.severity == "error"]
        if self.dictionary_problems:
            notes.append(f"{len(self.dictionary_problems)} problem(s) in the journal lists ({len(errors)} rows not loaded): "
                         "see `ir journals check`")
        if not self.entries_loaded:
            notes.append("no journal lists loaded: put journals.csv (or journals/*.csv) in the dictionaries folder")
        if self.journals_not_found:
            top = ", ".join(f"{j['journal'] or j['issn']} ({j['works']})" for j in self.journals_not_found[:5])
            notes.append(f"{len(self.journals_not_found)} journal(s) in no list, e.g. {top}: `ir tag --json` lists them all")
        if self.ambiguous:
            notes.append(f"{len(self.ambiguous)} journal(s) fit several list entries and were not tagged: "
                         + "; ".join(f"{a['journal']} in {a['list']}: {' / '.join(a['candidates'][:3])}" for a in self.ambiguous[:3]))
        return notes


def _entry_rows(entries, now) -> list[dict]:
    return [{"list": e.list, "edition_year": e.year, "issn": e.issn, "eissn": e.eissn, "cn": e.cn, "title": e.title,
             "title_key": e.title_key, "abbreviation": e.abbreviation or e.iso_abbreviation, "value": e.value,
             "category": e.category, "note": e.note, "file": e.file, "line": e.line, "loaded_at": now} for e in entries]


def _chunks(items: list, n: int = 900):
    for i in range(0, len(items), n):
        yield items[i : i + n]


def tag(store: Store, dictionaries_dir: Path, settings: TagSettings | None = None) -> TagReport:
    """Tag every active work from the journal lists in ``dictionaries_dir``. Idempotent: a re-run on the
    same works and lists writes the same rows (tags and indexes are replaced; history is kept)."""
    settings = settings or TagSettings()
    entries, problems = load_journal_lists(Path(dictionaries_dir))
    matcher = JournalMatcher(entries, settings.edition_rule, settings.fuzzy_threshold, settings.edition_rules)
    report = TagReport(entries_loaded=len(entries), dictionary_problems=problems,
                       editions={name: sorted(idx.editions) for name, idx in matcher.lists.items()})
    now = utcnow()
    tag_rows: list[dict] = []
    index_rows: list[dict] = []
    flagged: dict[str, set[str]] = {}
    not_found: dict[tuple, int] = Counter()
    ambiguous: dict[tuple, int] = Counter()
    per_list: dict[str, set[str]] = defaultdict(set)
    how: dict[str, Counter] = defaultdict(Counter)
    index_counts: Counter = Counter()

    with store.connect() as conn:
        result = conn.execution_options(yield_per=2000).execute(
            sa.select(works.c.work_id, works.c.year, works.c.data).where(works.c.status == "active").order_by(works.c.work_id))
        for work_id, year, data in result:
            data = data or {}
            report.works += 1
            wt = tag_work(data, matcher, settings, year)
            for t in wt.tags:
                tag_rows.append({"work_id": work_id, **t, "tagged_at": now})
                per_list[t["list"]].add(work_id)
                if t["best"]:
                    how[t["list"]][t["matched_by"]] += 1
            for i in wt.indexes:
                index_rows.append({"work_id": work_id, **i})
            for code in {i["index_code"] for i in wt.indexes}:
                index_counts[code] += 1
            if wt.journal is None or wt.journal.is_empty():
                report.no_journal += 1
                report.untagged += 1
            elif wt.tiered:
                report.tagged += 1
            else:
                report.untagged += 1
                j = wt.journal
                not_found[(j.title or j.abbreviation or j.iso_abbreviation or j.translated_title, j.issn, j.eissn, j.cn)] += 1
            for r in wt.results:
                if r.ambiguous:
                    j = wt.journal
                    ambiguous[(r.list, j.title or j.abbreviation or j.iso_abbreviation, r.note, tuple(r.ambiguous))] += 1
            for flag, key in (("hc", "highly_cited"), ("hp", "hot_paper")):
                if data.get(key):
                    flagged.setdefault(work_id, set()).add(flag)

        history = _wos_flag_history(conn, flagged, now)

    report.per_list = {k: len(v) for k, v in sorted(per_list.items())}
    report.matched_by = {k: dict(v) for k, v in sorted(how.items())}
    report.indexes = {c: index_counts[c] for c in sorted(index_counts, key=lambda c: (INDEX_CODES.index(c) if c in INDEX_CODES else 99, c))}
    report.journals_not_found = [
        {"journal": k[0], "issn": k[1], "eissn": k[2], "cn": k[3], "works": n}
        for k, n in sorted(not_found.items(), key=lambda kv: (-kv[1], str(kv[0][0])))
    ]
    report.ambiguous = [{"list": k[0], "journal": k[1], "reason": k[2], "candidates": list(k[3]), "works": n}
                        for k, n in sorted(ambiguous.items(), key=lambda kv: -kv[1])]

    with store.begin() as conn:
        conn.execute(journal_list_entries.delete())
        for chunk in _chunks(_entry_rows(entries, now), 2000):
            conn.execute(journal_list_entries.insert(), chunk)
        conn.execute(work_tags.delete())
        for chunk in _chunks(tag_rows, 2000):
            conn.execute(work_tags.insert(), chunk)
        conn.execute(work_indexes.delete())
        for chunk in _chunks(index_rows, 2000):
            conn.execute(work_indexes.insert(), chunk)
        _upsert_history(conn, history)
        resolve_history(conn)
        counts = conn.execute(sa.select(highly_cited_history.c.flag, sa.func.count(sa.distinct(highly_cited_history.c.work_id)))
                              .where(highly_cited_history.c.work_id.is_not(None)).group_by(highly_cited_history.c.flag)).all()
    counts = dict(counts)
    report.highly_cited, report.hot_papers = counts.get("hc", 0), counts.get("hp", 0)
    return report


def _wos_flag_history(conn, flagged: dict[str, set[str]], now) -> list[dict]:
    """History rows for WoS HC/HP flags: the snapshot is the day the export was ingested."""
    rows: list[dict] = []
    ids = sorted(flagged)
    for chunk in _chunks(ids):
        q = (sa.select(work_members.c.work_id, source_records.c.source_id, source_records.c.data,
                       ingest_batches.c.ingested_at, ingest_batches.c.path)
             .join(source_records, sa.and_(source_records.c.source == work_members.c.source,
                                           source_records.c.source_id == work_members.c.source_id))
             .join(ingest_batches, ingest_batches.c.id == source_records.c.batch_id)
             .where(work_members.c.work_id.in_(chunk), work_members.c.source == "wos"))
        for work_id, ut, data, ingested_at, path in conn.execute(q):
            for flag, key in (("hc", "highly_cited"), ("hp", "hot_paper")):
                if flag in flagged[work_id] and (data or {}).get(key):
                    rows.append({"record_key": f"ut:{ut}", "flag": flag, "snapshot_date": ingested_at.date(),
                                 "work_id": work_id, "ut": ut, "doi": normalize_doi((data or {}).get("doi")),
                                 "research_field": None, "source": "wos-field", "source_file": path, "loaded_at": now})
    return rows


def _upsert_history(conn, rows: list[dict]) -> None:
    from ir.store import upsert

    upsert(conn, highly_cited_history, rows, key=["record_key", "flag", "snapshot_date"],
           update=["work_id", "ut", "doi", "research_field", "source", "source_file"])


def resolve_history(conn) -> int:
    """Point history rows at their current active work (by UT through work_members, else by DOI)."""
    h = highly_cited_history
    rows = conn.execute(sa.select(h.c.id, h.c.ut, h.c.doi, h.c.work_id)).all()
    if not rows:
        return 0
    uts = sorted({r.ut for r in rows if r.ut})
    by_ut: dict[str, str] = {}
    for chunk in _chunks(uts):
        for sid, wid in conn.execute(sa.select(work_members.c.source_id, work_members.c.work_id)
                                     .join(works, works.c.work_id == work_members.c.work_id)
                                     .where(work_members.c.source == "wos", work_members.c.source_id.in_(chunk),
                                            works.c.status == "active")):
            by_ut[sid] = wid
    dois = sorted({r.doi for r in rows if r.doi})
    by_doi: dict[str, str] = {}
    for chunk in _chunks(dois):
        for doi, wid in conn.execute(sa.select(sa.func.lower(works.c.doi), works.c.work_id)
                                     .where(sa.func.lower(works.c.doi).in_(chunk), works.c.status == "active")):
            by_doi.setdefault(doi, wid)
    changed = 0
    for r in rows:
        wid = by_ut.get(r.ut) or by_doi.get(r.doi)
        if wid != r.work_id:
            conn.execute(h.update().where(h.c.id == r.id).values(work_id=wid))
            changed += 1
    return changed


# ---------------------------------------------------------------- reading tags back


def export_fields(conn, work_ids) -> dict[str, dict]:
    """``{work_id: {"tags": {list: best value}, "indexes": [codes]}}`` for the export lines."""
    ids = list(dict.fromkeys(work_ids))
    out = {w: {"tags": {}, "indexes": []} for w in ids}
    for chunk in _chunks(ids):
        for wid, lst, value in conn.execute(sa.select(work_tags.c.work_id, work_tags.c.list, work_tags.c.value)
                                            .where(work_tags.c.work_id.in_(chunk), work_tags.c.best.is_(True))
                                            .order_by(work_tags.c.work_id, work_tags.c.list)):
            out[wid]["tags"][lst] = value
        found: dict[str, set[str]] = defaultdict(set)
        for wid, code in conn.execute(sa.select(work_indexes.c.work_id, work_indexes.c.index_code)
                                      .where(work_indexes.c.work_id.in_(chunk))):
            found[wid].add(code)
        for wid, codes in found.items():
            out[wid]["indexes"] = sorted(codes, key=lambda c: (INDEX_CODES.index(c) if c in INDEX_CODES else 99, c))
    return out


def highly_cited_status(conn, work_ids) -> dict[str, dict[str, dict]]:
    """``{work_id: {"hc": {"since": date, "last_seen": date, "snapshots": n}, "hp": {...}}}``: when a paper
    became highly cited (its first snapshot) and the last snapshot that still listed it."""
    h = highly_cited_history
    out: dict[str, dict[str, dict]] = {}
    ids = list(dict.fromkeys(work_ids))
    for chunk in _chunks(ids):
        q = (sa.select(h.c.work_id, h.c.flag, sa.func.min(h.c.snapshot_date), sa.func.max(h.c.snapshot_date),
                       sa.func.count(sa.distinct(h.c.snapshot_date)))
             .where(h.c.work_id.in_(chunk)).group_by(h.c.work_id, h.c.flag))
        for wid, flag, first, last, n in conn.execute(q):
            out.setdefault(wid, {})[flag] = {"since": first, "last_seen": last, "snapshots": n}
    return out


# ---------------------------------------------------------------- ESI list files


@dataclass
class EsiLoadReport:
    file: str
    snapshot_date: dt.date
    flag: str
    rows: int = 0
    stored: int = 0
    matched_works: int = 0
    problems: list[LoadProblem] = field(default_factory=list)

    def as_json(self) -> dict:
        return {"file": self.file, "snapshot_date": self.snapshot_date.isoformat(), "flag": self.flag,
                "rows": self.rows, "stored": self.stored, "matched_works": self.matched_works,
                "problems": [p.as_json() for p in self.problems]}


_UT_HEADERS = {"ut", "accession number", "accession no", "ut (unique wos id)", "wos", "wos id", "wos号", "入藏号",
               "unique wos id", "ut (unique ws id)"}
_DOI_HEADERS = {"doi", "di"}
_FIELD_HEADERS = {"research field", "research fields", "esi field", "field", "学科"}


def normalize_ut(value: str | None) -> str | None:
    """'000452344600001' / 'WOS:000452344600001' / 'ISI:...' -> 'WOS:000452344600001'."""
    m = re.search(r"(?:(WOS|ISI)\s*:\s*)?(\d{15})", (value or "").strip(), re.I)
    return f"WOS:{m.group(2)}" if m else None


def read_esi_list(text: str, file: str) -> tuple[list[dict], list[LoadProblem], str | None]:
    """Rows {ut, doi, research_field} of an ESI highly-cited / hot papers download (or any CSV with a UT
    or DOI column); the title lines above the header and the copyright line below are skipped.
    Returns the flag the file's title announces ("hp" for hot papers), if any."""
    lines = list(csv.reader(io.StringIO(text)))
    header_at = None
    announced = None
    for i, row in enumerate(lines[:30]):
        cells = {c.strip().strip("\ufeff").casefold() for c in row}
        joined = " ".join(row).casefold()
        if "hot paper" in joined and header_at is None:
            announced = "hp"
        elif "highly cited" in joined and header_at is None and announced is None:
            announced = "hc"
        if cells & (_UT_HEADERS | _DOI_HEADERS):
            header_at = i
            break
    if header_at is None:
        return [], [LoadProblem(file, 1, None, "no UT (Accession Number) or DOI column in the first 30 lines")], announced
    header = [c.strip().strip("\ufeff").casefold() for c in lines[header_at]]
    col = lambda names: next((i for i, h in enumerate(header) if h in names), None)  # noqa: E731
    ut_i, doi_i, field_i = col(_UT_HEADERS), col(_DOI_HEADERS), col(_FIELD_HEADERS)
    rows: list[dict] = []
    problems: list[LoadProblem] = []
    for n, row in enumerate(lines[header_at + 1 :], start=header_at + 2):
        if not any(c.strip() for c in row):
            continue
        cell = lambda i: row[i].strip() if i is not None and i < len(row) else ""  # noqa: E731
        ut, doi = normalize_ut(cell(ut_i)), normalize_doi(cell(doi_i))
        if not ut and not doi:
            if len(row) >= 3:
                problems.append(LoadProblem(file, n, "UT/DOI", f"no valid UT or DOI: {cell(ut_i) or cell(doi_i)!r}"))
            continue
        rows.append({"ut": ut, "doi": doi, "research_field": cell(field_i)[:80] or None})
    return rows, problems, announced


def load_esi_list(store: Store, file: Path, snapshot_date: dt.date | str, flag: str | None = None) -> EsiLoadReport:
    """Record every paper of an ESI list file as seen on ``snapshot_date`` (kept as history)."""
    from ir.decoding import UndecodableError, decode

    if isinstance(snapshot_date, str):
        snapshot_date = dt.date.fromisoformat(snapshot_date)
    file = Path(file)
    try:
        text = decode(file.read_bytes()).text
    except (OSError, UndecodableError) as exc:
        return EsiLoadReport(str(file), snapshot_date, flag or "hc", problems=[LoadProblem(str(file), 0, None, f"cannot read the file: {exc}")])
    rows, problems, announced = read_esi_list(text, str(file))
    flag = flag or announced or ("hp" if "hot" in file.name.casefold() else "hc")
    if flag not in ("hc", "hp"):
        raise ValueError(f"flag must be hc or hp, not {flag!r}")
    report = EsiLoadReport(str(file), snapshot_date, flag, rows=len(rows) + len(problems), problems=problems)
    now = utcnow()
    history = [{"record_key": f"ut:{r['ut']}" if r["ut"] else f"doi:{r['doi']}", "flag": flag, "snapshot_date": snapshot_date,
                "work_id": None, "ut": r["ut"], "doi": r["doi"], "research_field": r["research_field"],
                "source": "esi-list", "source_file": str(file), "loaded_at": now} for r in rows]
    with store.begin() as conn:
        _upsert_history(conn, history)
        resolve_history(conn)
        keys = [h["record_key"] for h in history]
        matched = set()
        for chunk in _chunks(keys):
            matched |= {w for (w,) in conn.execute(
                sa.select(highly_cited_history.c.work_id).where(
                    highly_cited_history.c.record_key.in_(chunk), highly_cited_history.c.flag == flag,
                    highly_cited_history.c.snapshot_date == snapshot_date, highly_cited_history.c.work_id.is_not(None)))}
    report.stored = len({h["record_key"] for h in history})
    report.matched_works = len(matched)
    return report
