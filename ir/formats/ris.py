"""Generic RIS (``TY  - JOUR`` ... ``ER  -``), as Engineering Village, Scopus, WoS and reference managers write it.

The database a record came from is read from its content (:func:`detect_source`): DB/DP naming
Compendex/Inspec/Engineering Village -> "ei"; an AN/UT "WOS:..." -> "wos"; Scopus in the URL or DB ->
"scopus"; CNKI -> "cnki"; otherwise "ris". The native id is AN (or UT/ID; the EID in a Scopus URL; the
FileName in a CNKI link); without one, a content hash. EV's numbered authors and addresses
('Zhang, San (1)', '(1) School of ...') are linked as in the EV plain text. Sniffed last (priority 200).
"""

from __future__ import annotations

import re

from ir.formats import Format, Parsed, register
from ir.formats._ei_fields import split_affiliations, split_authors
from ir.formats._util import (
    ensure_source_id,
    clean,
    doc_type,
    find_doi,
    issns,
    language,
    parse_year,
    split_list,
    split_pages,
    text_lang,
)
from ir.model import Affiliation, Author, Journal, Problem, Record, Title

_TAG = re.compile(r"^([A-Z][A-Z0-9])  ?- ?(.*)$")
_FIRST_TAG = re.compile(r"^\s*TY  ?- ?\S")

_EI = re.compile(r"compendex|inspec|engineering village|engineeringvillage|geobase|\bei\b", re.I)
_SCOPUS = re.compile(r"scopus", re.I)
_CNKI = re.compile(r"cnki", re.I)
_EID = re.compile(r"eid=(2-s2\.0-\d+)", re.I)
_CNKI_FILE = re.compile(r"[?&]filename=([^&#\s]+)", re.I)


def detect_source(ids: list[str], provider: list[str], urls: list[str]) -> str:
    """Which database the record came from: ids (AN/UT/ID), provider texts (DB/DP/notes), URLs."""
    text = " ".join(provider)
    if _EI.search(text) or any("engineeringvillage" in u.casefold() for u in urls):
        return "ei"
    if any(i.strip().upper().startswith("WOS:") for i in ids):
        return "wos"
    if _SCOPUS.search(text) or any(_SCOPUS.search(u) for u in urls):
        return "scopus"
    if _CNKI.search(text) or any(_CNKI.search(u) for u in urls):
        return "cnki"
    return "ris"


def native_id(source: str, ids: list[str], urls: list[str]) -> str | None:
    """The record's id in its database: AN/UT first; for Scopus the EID of its link, for CNKI the FileName."""
    for i in ids:
        i = clean(i)
        if i and not (source == "ris" and i.isdigit() and len(i) < 8):  # '1', '2': a library's own numbering
            return i
    for u in urls:
        m = (_EID if source == "scopus" else _CNKI_FILE if source == "cnki" else None)
        found = m.search(u) if m else None
        if found:
            return found.group(1)
    return None


def sniff(head: str | bytes) -> bool:
    if not isinstance(head, str):
        return False
    for line in head.lstrip("\ufeff").split("\n"):
        if line.strip():
            return bool(_FIRST_TAG.match(line))
    return False


def _records(text: str):
    """(record_no, line, [(tag, value)], raw text) per record; continuation lines join the previous tag."""
    tags: list[list[str]] = []
    chunk: list[str] = []
    start = None
    record_no = 0
    for lineno, line in enumerate(text.lstrip("\ufeff").replace("\r\n", "\n").split("\n"), 1):
        m = _TAG.match(line)
        if m and m.group(1) == "TY":
            if start is not None and tags:  # a record without its ER
                record_no += 1
                yield record_no, start, tags, "\n".join(chunk)
            tags, chunk, start = [], [], lineno
        if start is None:
            continue
        chunk.append(line)
        if m and m.group(1) == "ER":
            record_no += 1
            yield record_no, start, tags, "\n".join(chunk)
            tags, chunk, start = [], [], None
        elif m:
            tags.append([m.group(1), m.group(2).strip()])
        elif line.strip() and tags:
            tags[-1][1] = (tags[-1][1] + " " + line.strip()).strip()
    if start is not None and tags:
        record_no += 1
        yield record_no, start, tags, "\n".join(chunk)


def _record(tags: list[list[str]], record_no: int, line: int, raw_text: str) -> Record | Problem:
    raw: dict[str, list[str]] = {}
    for tag, value in tags:
        if value:
            raw.setdefault(tag, []).append(value)

    def first(*names: str) -> str | None:
        for n in names:
            for v in raw.get(n, []):
                if clean(v):
                    return clean(v)
        return None

    def every(*names: str) -> list[str]:
        return [v for n in names for v in raw.get(n, [])]

    title = first("TI", "T1", "CT")
    ids = every("AN", "UT", "ID")
    urls = every("UR", "L1", "L2", "LK")
    source = detect_source(ids, every("DB", "DP", "N1", "M3"), urls)
    sid = native_id(source, ids, urls)
    if not sid and not title:
        return Problem("record has neither an id (AN/UT/ID) nor a title (TI/T1)", record_no=record_no, line=line,
                       field="TI", raw=raw_text)
    rec = Record(source=source, source_id=sid or "")
    rec.raw = raw
    rec.doc_type_raw = first("M3", "TY")
    rec.doc_type = doc_type(re.sub(r"\s*\([A-Z]{2,3}\)\s*$", "", rec.doc_type_raw or "")) or doc_type(first("TY"))
    if title:
        rec.titles.append(Title(title, text_lang(title)))
    for t in every("TT"):  # translated title
        if clean(t) and clean(t) != title:
            rec.titles.append(Title(clean(t), text_lang(t), translated=True))

    by_number: dict[int, int] = {}
    for ad in every("AD", "C1"):
        for num, text in split_affiliations(ad):
            texts = [x.text for x in rec.affiliations]
            if text not in texts:
                rec.affiliations.append(Affiliation(text))
                texts.append(text)
            if num is not None:
                by_number.setdefault(num, texts.index(text))
    names = [n for value in every("AU", "A1") for n in split_authors(value)]
    for pos, (name, nums, email) in enumerate(names, 1):
        links = [by_number[n] for n in nums if n in by_number]
        rec.authors.append(Author(pos, name, email=email, affiliations=links))

    issn_list = [i for v in every("SN") for i in issns(v)]
    journal = first("T2", "JO", "JF", "JA")
    abbreviation = first("J2", "JA", "J1")
    rec.journal = Journal(
        title=journal,
        abbreviation=abbreviation if abbreviation != journal else None,
        issn=issn_list[0] if issn_list else None,
        eissn=issn_list[1] if len(issn_list) > 1 else None,
        publisher=first("PB"),
    )
    if (first("TY") or "").startswith(("CONF", "CPAPER")):
        rec.conference = first("C3", "T2")
    date = first("PY", "Y1", "DA")
    rec.year = parse_year(date)
    rec.pub_date = first("DA", "Y1") or None
    rec.volume = first("VL")
    rec.issue = first("IS")
    sp, ep = first("SP"), first("EP")
    if sp and not ep:
        sp, ep = split_pages(sp)
    rec.first_page, rec.last_page = sp, ep
    rec.doi = find_doi(first("DO", "DI")) or find_doi(" ".join(u for u in urls if "doi.org/" in u))
    sn = first("SN") or ""
    if not issn_list and re.sub(r"[\s-]", "", sn).isdigit() and len(re.sub(r"[\s-]", "", sn)) in (10, 13):
        rec.isbn = sn
    rec.url = urls[0] if urls else None
    rec.abstract = first("AB", "N2")
    rec.keywords = [k for v in every("KW") for k in split_list(v, ";")]
    rec.language = language(first("LA"))
    rec.database = first("DB", "DP")
    return ensure_source_id(rec)


def parse(text: str | bytes) -> Parsed:
    if isinstance(text, bytes):
        text = text.decode("utf-8-sig", "replace")
    for record_no, line, tags, raw_text in _records(text):
        yield _record(tags, record_no, line, raw_text)


register(Format("ris", "ris", "RIS (TY  - ... ER  -), any database", False, sniff, parse, priority=200, fidelity=50))
