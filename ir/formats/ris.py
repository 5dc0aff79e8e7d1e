"""Generic RIS (``TY  - JOUR`` ... ``ER  -``), as Engineering Village, Scopus, WoS and reference managers write it.

Records run from ``TY`` to ``ER``; an export whose records lack ``TY`` (Scopus, 2016: they start with
``TI``) opens a record at the first tag after an ``ER``. A line without a tag continues the tag above (EndNote
writes one keyword per line after a single ``KW``). The database a record came from is read from its content
(:func:`detect_source`): DB/DP naming Compendex/Inspec/Engineering Village -> "ei"; an AN/UT "WOS:..." or
"ISI:..." or a note naming Web of Science -> "wos"; Scopus in the URL or DB, or Scopus's "Export Date:" note
-> "scopus"; CNKI -> "cnki"; otherwise "ris". The native id is AN (or UT/ID; the EID in a Scopus link; the
FileName in a CNKI link); without one, a content hash. EV's numbered authors and addresses ('Zhang, San (1)',
'(1) School of ...') are linked as in the EV plain text. ``C1`` is "Custom 1" (a user's own note), never an
address. Scopus's "Correspondence Address:" note flags the corresponding authors. Sniffed last (priority 200).
"""

from __future__ import annotations

import re

from ir.formats import Format, Parsed, register
from ir.formats._ei_fields import split_affiliations, split_authors
from ir.formats._tagged import Grammar, TaggedRecord, split_records, split_terms, unwrap
from ir.formats._util import (
    clean,
    country_of,
    doc_type,
    ensure_source_id,
    find_doi,
    has_han,
    issns,
    language,
    mark_corresponding,
    parse_year,
    split_pages,
    text_lang,
)
from ir.formats.scopus_csv import split_correspondence
from ir.model import Affiliation, Author, Journal, Problem, Record, Title

TAG = re.compile(r"^(?P<tag>[A-Z][A-Z0-9])  ?- ?(?P<value>.*)$")
GRAMMAR = Grammar(TAG, starts=frozenset({"TY"}), ends=frozenset({"ER"}), header=True)
_FIRST_TAG = re.compile(r"^\s*TY  ?- ?\S")
_STRICT_TAG = re.compile(r"^[A-Z][A-Z0-9]  - ")
_ER = re.compile(r"(?m)^ER  -")
_HEADER_LINES = 5  # lines of text an export may put before its first record

_EI = re.compile(r"compendex|inspec|engineering village|engineeringvillage|geobase|\bei\b", re.I)
_SCOPUS = re.compile(r"scopus", re.I)
_SCOPUS_NOTE = re.compile(r"^Export Date: \d", re.M)  # Scopus opens its N1 note so
_CNKI = re.compile(r"cnki", re.I)
_EID = re.compile(r"eid=(2-s2\.0-\d+)", re.I)
_CNKI_FILE = re.compile(r"[?&]filename=([^&#\s]+)", re.I)
_WOS_ID = ("WOS:", "ISI:")
_WOS = re.compile(r"web of science", re.I)  # EndNote's note 'Times Cited in Web of Science Core Collection: 22'

_ARTN = re.compile(r"\bARTN\s+(\S+)")
_CORRESPONDENCE = re.compile(r"Correspondence Address:\s*(.*?)(?=;\s*(?:Export Date|Cited By|References|Funding"
                             r"(?: details| text \d*)?|Language of Original Document|Publisher|CODEN|PubMed ID):|$)",
                             re.I | re.S)


def detect_source(ids: list[str], provider: list[str], urls: list[str]) -> str:
    """Which database the record came from: ids (AN/UT/ID), provider texts (DB/DP/notes), URLs."""
    text = " ".join(provider)
    if _EI.search(text) or any("engineeringvillage" in u.casefold() for u in urls):
        return "ei"
    if any(i.strip().upper().startswith(_WOS_ID) for i in ids) or _WOS.search(text):
        return "wos"
    if _SCOPUS.search(text) or _SCOPUS_NOTE.search(text) or any(_SCOPUS.search(u) for u in urls):
        return "scopus"
    if _CNKI.search(text) or any(_CNKI.search(u) for u in urls):
        return "cnki"
    return "ris"


def native_id(source: str, ids: list[str], urls: list[str]) -> str | None:
    """The record's id in its database: AN/UT first; for Scopus the EID of its link, for CNKI the FileName."""
    for i in ids:
        i = clean(i)
        if i and not (i.isdigit() and len(i) < 8):  # '1', '384': a reference manager's own numbering
            return i
    for u in urls:
        m = (_EID if source == "scopus" else _CNKI_FILE if source == "cnki" else None)
        found = m.search(u) if m else None
        if found:
            return found.group(1)
    return None


def sniff(head: str | bytes) -> bool:
    """TY on the first line of text, or after a few lines of a header; or, for an export without TY lines,
    a strict tag line first and ER lines after it."""
    if not isinstance(head, str):
        return False
    seen = 0
    for line in head.lstrip("\ufeff").split("\n"):
        if not line.strip():
            continue
        if _FIRST_TAG.match(line) or (not seen and _STRICT_TAG.match(line) and _ER.search(head)):
            return True
        seen += 1
        if seen >= _HEADER_LINES or TAG.match(line):
            return False
    return False


def _record(rec: TaggedRecord) -> Record | Problem:
    raw: dict[str, list[str]] = {}
    for tag, value in ((f.tag, f.value.strip()) for f in rec.fields):
        if value:
            raw.setdefault(tag, []).append(value)

    def first(*names: str) -> str | None:
        for n in names:
            for v in raw.get(n, []):
                v = unwrap(v)
                if v:
                    return v
        return None

    def every(*names: str) -> list[str]:
        return [v for n in names for v in raw.get(n, [])]

    title = first("TI", "T1", "CT")
    ids = every("AN", "UT", "ID")
    urls = [u.strip() for v in every("UR", "L1", "L2", "LK") for u in v.split("\n") if u.strip()]
    notes = every("N1")
    source = detect_source(ids, every("DB", "DP", "M3") + notes, urls)
    sid = native_id(source, ids, urls)
    if not (sid or title or first("AU", "A1") or first("T2", "JO", "JF", "JA")):
        return Problem("record names no work: no title (TI/T1), id (AN/UT/ID), author (AU) or source (T2/JO)",
                       record_no=rec.record_no, line=rec.line, field="TI", raw=rec.text)
    out = Record(source=source, source_id=sid or "")
    out.raw = raw
    out.doc_type_raw = first("M3", "TY")
    out.doc_type = doc_type(re.sub(r"\s*\([A-Z]{2,3}\)\s*$", "", out.doc_type_raw or "")) or doc_type(first("TY"))
    if title:
        out.titles.append(Title(title, text_lang(title)))
    for t in every("TT"):  # translated title
        t = unwrap(t)
        if t and t != title:
            out.titles.append(Title(t, text_lang(t), translated=True))

    by_number: dict[int, int] = {}
    for ad in every("AD"):
        for num, text in split_affiliations(unwrap(ad)):
            texts = [x.text for x in out.affiliations]
            if text not in texts:
                out.affiliations.append(Affiliation(text, country=country_of(text)))
                texts.append(text)
            if num is not None:
                by_number.setdefault(num, texts.index(text))
    names = [n for value in every("AU", "A1") for line in value.split("\n") for n in split_authors(line)]
    for pos, (name, nums, email) in enumerate(names, 1):
        links = [by_number[n] for n in nums if n in by_number]
        out.authors.append(Author(pos, name, name_zh=name if has_han(name) else None, email=email,
                                  affiliations=links))
    if len(out.affiliations) == 1 and not by_number:  # one address, no numbers: every author's
        for a in out.authors:
            a.affiliations = [0]
    for note in notes:
        m = _CORRESPONDENCE.search(note)
        mark_corresponding(out, split_correspondence(m.group(1) if m else None))

    issn_list = [i for v in every("SN") for i in issns(v)]
    journal = first("T2", "JO", "JF", "JA")
    abbreviation = first("J2", "JA", "J1")
    out.journal = Journal(
        title=journal,
        abbreviation=abbreviation if abbreviation != journal else None,
        issn=issn_list[0] if issn_list else None,
        eissn=issn_list[1] if len(issn_list) > 1 else None,
        publisher=first("PB"),
    )
    if (first("TY") or "").startswith(("CONF", "CPAPER")):
        out.conference = first("C3", "T2")
    date = first("PY", "Y1", "DA")
    out.year = parse_year(date)
    out.pub_date = first("DA", "Y1") or None
    out.volume = first("VL", "VO")
    out.issue = first("IS")
    sp, ep = first("SP"), first("EP")
    if sp and not ep:
        sp, ep = split_pages(sp)
    out.first_page, out.last_page = sp, ep
    doi_field = first("DO", "DI")
    out.doi = find_doi(doi_field) or find_doi(" ".join(u for u in urls if "doi.org/" in u))
    artn = _ARTN.search(doi_field or "")  # EndNote from WoS: 'DO  - ARTN 107353' and the DOI on the next line
    out.article_number = first("C7") or (artn.group(1) if artn else None)
    if out.article_number and out.first_page == out.article_number and not out.last_page:
        out.first_page = None  # EndNote puts WoS's article number in SP too
    sn = first("SN") or ""
    if not issn_list and re.sub(r"[\s-]", "", sn).isdigit() and len(re.sub(r"[\s-]", "", sn)) in (10, 13):
        out.isbn = sn
    out.url = urls[0] if urls else None
    out.abstract = first("AB", "N2")
    out.keywords = split_terms(every("KW"))
    out.language = language(first("LA")) or ("zh" if has_han(title) else None)
    out.database = first("DB", "DP")
    return ensure_source_id(out)


def parse(text: str | bytes) -> Parsed:
    if isinstance(text, bytes):
        text = text.decode("utf-8-sig", "replace")
    for rec in split_records(text.lstrip("\ufeff"), GRAMMAR):
        if not rec.fields:
            line, content = rec.stray[0] if rec.stray else (rec.line, "")
            yield Problem(f"text outside any record: {content[:80]!r}", record_no=rec.record_no, line=line,
                          raw=rec.text)
        else:
            yield _record(rec)


register(Format("ris", "ris", "RIS (TY  - ... ER  -), any database", False, sniff, parse, priority=200, fidelity=50))
