"""The work document: member records merged field by field, each field naming the record it came from.

Fields follow the source precedence of the settings (``source_precedence``, overridable per field in
``field_precedence``); within a source, the record seen first (smallest key) wins. Lists that mean
membership (indexes, categories, classification codes) are unions; ``times_cited`` is the maximum.
Authors are deliberately not merged here: attribution aligns them across member records.
"""

from __future__ import annotations

import hashlib
import json

from ir.consolidate.settings import ConsolidateSettings
from ir.model import Record
from ir.normalize import normalize_doi, normalize_issn, title_display, title_key

# the database a source stands for, as an index the work is in
SOURCE_INDEX = {"ei": "EI Compendex", "cnki": "CNKI", "cscd": "CSCD", "cssci": "CSSCI", "scopus": "Scopus",
                "wanfang": "Wanfang", "wos": "Web of Science"}
EDITION_ALIASES = {
    "science citation index expanded": "SCIE", "sci-expanded": "SCIE", "scie": "SCIE",
    "social sciences citation index": "SSCI", "ssci": "SSCI", "arts & humanities citation index": "AHCI",
    "a&hci": "AHCI", "ahci": "AHCI", "emerging sources citation index": "ESCI", "esci": "ESCI",
    "conference proceedings citation index - science": "CPCI-S", "cpci-s": "CPCI-S",
    "conference proceedings citation index - social science & humanities": "CPCI-SSH", "cpci-ssh": "CPCI-SSH",
    "compendex": "EI Compendex", "ei compendex": "EI Compendex", "inspec": "Inspec", "cscd": "CSCD", "cssci": "CSSCI",
}
SCALARS = ("year", "doc_type", "volume", "issue", "first_page", "last_page", "article_number", "abstract",
           "language", "pmid", "pub_date", "early_access_year", "conference", "isbn", "url")
JOURNAL_FIELDS = ("title", "abbreviation", "iso_abbreviation", "cn", "publisher")


def work_id_for(founder_key: str, salt: int = 0) -> str:
    text = founder_key if not salt else f"{founder_key}#{salt}"
    return "W" + hashlib.sha1(text.encode("utf-8")).hexdigest()[:16].upper()


def member_key(r: Record) -> str:
    return f"{r.source}:{r.source_id}"


def ordered(records: list[Record], precedence: list[str]) -> list[Record]:
    rank = {s: k for k, s in enumerate(precedence)}
    return sorted(records, key=lambda r: (rank.get(r.source, len(rank)), member_key(r)))


def build_work(work_id: str, records: list[Record], settings: ConsolidateSettings, founder: str | None = None) -> dict:
    s = settings
    prov: dict[str, str] = {}
    keys = {id(r): member_key(r) for r in records}
    by_precedence: dict[tuple, list[Record]] = {}  # most fields share one precedence: the records sorted once

    def in_order(field_name: str) -> list[Record]:
        precedence = s.precedence(field_name)
        got = by_precedence.get(key := tuple(precedence))
        if got is None:
            got = by_precedence[key] = records if len(records) == 1 else ordered(records, precedence)
        return got

    def pick(field_name: str, get):
        for r in in_order(field_name):
            value = get(r)
            if value not in (None, "", []):
                prov[field_name] = keys[id(r)]
                return value
        return None

    # the display title: the first original English title by precedence, else any original title
    title = pick("title", lambda r: next((title_display(t.text) for t in r.titles if not t.translated and t.lang != "zh"
                                          and title_display(t.text)), None))
    if title is None:
        title = pick("title", lambda r: title_display(r.title))
    titles, seen = [], set()
    for r in in_order("title"):
        for t in r.titles:
            text = title_display(t.text)
            if text and (text, t.lang) not in seen:
                seen.add((text, t.lang))
                titles.append({"text": text, "lang": t.lang, "source": member_key(r), "translated": t.translated})
    doc: dict = {"work_id": work_id, "title": title, "title_key": title_key(title), "titles": titles}
    for name in SCALARS:
        doc[name] = pick(name, lambda r, n=name: getattr(r, n))
    # the publication year: a record still in early access gives only the year it went online, where another
    # source already has the issue's year (WoS exported before the issue, Ei or CNKI after it)
    final = {id(r) for r in records if r.year and not in_early_access(r)}
    if final and len(final) < len(records):
        doc["year"] = pick("year", lambda r: r.year if id(r) in final else None)
    doc["doi"] = pick("doi", lambda r: normalize_doi(r.doi))
    journal = {}
    for name in JOURNAL_FIELDS:
        value = pick(f"journal.{name}", lambda r, n=name: getattr(r.journal, n))
        journal[name] = value
    journal["issn"] = pick("journal.issn", lambda r: normalize_issn(r.journal.issn))
    journal["eissn"] = pick("journal.eissn", lambda r: normalize_issn(r.journal.eissn))
    doc["journal"] = journal
    doc["keywords"] = pick("keywords", lambda r: list(r.keywords)) or []
    doc["index_keywords"] = _union(r.index_keywords for r in records)
    doc["categories"] = _union(r.categories for r in records)
    doc["research_areas"] = _union(r.research_areas for r in records)
    doc["classification_codes"] = _union(r.classification_codes for r in records)
    doc["clc_codes"] = _union(r.clc_codes for r in records)
    doc["indexes"] = indexes_of(records)
    doc["highly_cited"] = any(bool(r.highly_cited) for r in records) or None
    doc["hot_paper"] = any(bool(r.hot_paper) for r in records) or None
    cites = [(r.times_cited, member_key(r)) for r in records if r.times_cited is not None]
    doc["times_cited"] = max(cites)[0] if cites else None
    if cites:
        prov["times_cited"] = max(cites)[1]
    doc["sources"] = [{"source": r.source, "source_id": r.source_id, "title": r.title, "doc_type": r.doc_type}
                      for r in sorted(records, key=member_key)]
    doc["founder"] = founder or min(member_key(r) for r in records)
    doc["provenance"] = prov
    return doc


def in_early_access(r: Record) -> bool:
    """A record of a paper online before its issue: typed so ('Article; Early Access'), or with an early-access
    date and neither volume, issue nor pages (its year is the year it went online)."""
    if "early access" in (r.doc_type_raw or "").casefold():
        return True
    return bool(r.early_access_year) and not (r.volume or r.issue or r.first_page or r.article_number)


def indexes_of(records: list[Record]) -> list[str]:
    out = []
    for r in records:
        editions = [EDITION_ALIASES.get(e.strip().casefold(), e.strip()) for e in r.editions if e and e.strip()]
        out.extend(editions)
        if r.database:
            out.append(EDITION_ALIASES.get(r.database.strip().casefold(), r.database.strip()))
        if r.source in SOURCE_INDEX and not (r.source == "wos" and editions):
            out.append(SOURCE_INDEX[r.source])
    return sorted(set(out))


def _union(lists) -> list[str]:
    out: dict[str, None] = {}
    for items in lists:
        for x in items or []:
            if x:
                out.setdefault(x, None)
    return list(out)


def doc_hash(doc: dict) -> str:
    return hashlib.sha256(json.dumps(doc, sort_keys=True, ensure_ascii=False, default=str).encode("utf-8")).hexdigest()
