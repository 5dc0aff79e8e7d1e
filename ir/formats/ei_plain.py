"""Engineering Village (Ei Compendex / Inspec) plain-text exports: full records and the citation view.

Full records (built from Elsevier's documented field names; no public real sample yet)::

    <RECORD 1>
    Accession number:20214210997362
    Title:Fatigue behaviour of ...
    Authors:Zhang, San (1); Li, Wei (1, 2)
    Author affiliation:(1) School of ..., Dalian University of Technology, Dalian; 116024, China; (2) ...
    ...
    Database:Compendex
    Compilation and indexing terms, Copyright 2021 Elsevier Inc.
    Data Provider: Engineering Village

Field names are matched case-insensitively; a line that is not ``Name:value`` continues the previous
field (long values wrap). Without ``<RECORD n>`` markers a second ``Accession number`` starts a record.

The citation view (real sample: ei_plain/sci-ref-ei-citation.txt) gives each record a title line, a line of
authors (the first with an affiliation in parentheses) followed by ``Source:`` and the source description,
then ``Language:`` (when not English) and ``Database:`` lines::

    <RECORD 1>
    Targeted advertising in public transportation systems with quantitative evaluation
    Zhang, Dongxiang (University of ..., Chengdu, Sichuan, China); Guo, Long; Nie, Liqiang Source: ACM Transactions on Information Systems,  v 35, n 3,  January 2017

    Database: Compendex

Both are split by the shared tagged-line splitter (:mod:`ir.formats._tagged`): the marker opens a record,
blank lines stay inside it; the citation view's untagged lines are the record's stray lines.
"""

from __future__ import annotations

import re

from ir.formats import Format, Parsed, register
from ir.formats._ei_fields import FREE_TEXT, canonical, is_known, record_from_fields
from ir.formats._tagged import Grammar, TaggedRecord, split_records, unwrap
from ir.formats._util import clean, country_of, ensure_source_id, language, parse_year, split_pages, text_lang
from ir.model import Affiliation, Author, Journal, Problem, Record, Title

_MARKER = re.compile(r"^\s*<\s*RECORD\s+\d+\s*>\s*$", re.I)
_FIELD = re.compile(r"^\s*([A-Za-z][A-Za-z0-9 .()/&'\-]{0,60}?)\s*:(?!//)\s?(.*)$")
_SKIP = re.compile(r"^\s*data provider\s*:", re.I)
_COPYRIGHT = re.compile(r"^\s*(compilation and indexing terms|copyright\b)", re.I)
_PLAUSIBLE_NAME = re.compile(r"^[A-Z][A-Za-z\-.()/]*(?: [A-Za-z\-.()/]+){0,4}$")


def _field_of(line: str, current: str | None) -> tuple[str, str] | None:
    """The (name, value) a line starts, or None when it continues the current field.

    A known field name always starts a field; an unknown one ('Funding acronym:...') only inside a record's
    fields and outside free text, where 'Results: ...' occurs (and never on a citation's title line)."""
    m = _FIELD.match(line)
    if not m:
        return ("Copyright", line.strip()) if _COPYRIGHT.match(line) else None
    name = m.group(1)
    if is_known(name):
        return name, m.group(2)
    if current is not None and canonical(current) not in FREE_TEXT and _PLAUSIBLE_NAME.match(name.strip()):
        return name, m.group(2)
    return None


GRAMMAR = Grammar(_field_of, marker=_MARKER, once=frozenset({"accession number"}), header=True, skip=_SKIP,
                  key=canonical)


def sniff(head: str | bytes) -> bool:
    if not isinstance(head, str):
        return False
    head = head.lstrip("\ufeff")
    if re.search(r"(?mi)^\s*<\s*RECORD\s+\d+\s*>\s*$", head):
        return bool(re.search(r"(?mi)^\s*(accession number|title|authors)\s*:", head)
                    or re.search(r"(?mi)^\s*database\s*:\s*(compendex|inspec|geobase|\S)", head)
                    and re.search(r"\sSource:\s", head))
    return bool(
        re.search(r"(?mi)^\s*accession number\s*:\s*\S", head)
        and re.search(r"(?mi)^\s*(author affiliation|database|classification code|controlled terms)\s*:", head)
    )


def parse(text: str | bytes) -> Parsed:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    for rec in split_records(text.lstrip("\ufeff"), GRAMMAR):
        keys = {canonical(f.tag) for f in rec.fields}
        if not keys & {"accession number", "title", "authors"} and any(_SOURCE.search(x) for _, x in rec.stray[1:]):
            yield _citation(rec)
        elif not rec.fields:
            yield Problem("no 'Field name:value' lines in the record", record_no=rec.record_no, line=rec.line,
                          raw=rec.text)
        else:
            # wrapped lines joined with a space; the value otherwise as written (EV's '  -  ' term separators)
            pairs = [(f.tag, _joined(f.value)) for f in rec.fields]
            yield record_from_fields(pairs, record_no=rec.record_no, line=rec.line, raw_text=rec.text)


def _joined(value: str) -> str:
    return " ".join(x.strip() for x in value.split("\n") if x.strip()) if "\n" in value else value


# ---------------------------------------------------------------------------- the citation view

_SOURCE = re.compile(r"(?:^|\s)Source:\s*")
_MONTHS = ("january|february|march|april|may|june|july|august|september|october|november|december|"
           "jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec")
_DATE = re.compile(rf"^(?:(?:{_MONTHS})\.?(?:\s+\d{{1,2}})?(?:\s+\d{{4}})?|\d{{4}}|\d{{1,2}}\s+(?:{_MONTHS})\.?(?:\s+\d{{4}})?)$",
                   re.I)
_PART = re.compile(r"^(?P<kind>[vnp])\s+(?P<value>\S.*)$")


def split_citation_source(value: str | None) -> dict[str, str | None]:
    """EV's citation 'Source:' text -> its parts:
    'SIGIR 2016 - Proceedings ..., p 1109-1112,  July 7, 2016,  SIGIR 2016 - Proceedings ...' ->
    title, volume ('v'), issue ('n'), pages ('p'), date, and what follows the date (the conference or
    the proceedings' own title)."""
    out: dict[str, str | None] = dict.fromkeys(("title", "volume", "issue", "pages", "date", "after"))
    parts = [p.strip() for p in (value or "").split(",")]
    i = next((k for k, p in enumerate(parts) if k and (_PART.match(p) or _DATE.match(p))), len(parts))
    out["title"] = clean(", ".join(parts[:i]))
    dates: list[str] = []
    k = i
    while k < len(parts):
        m = _PART.match(parts[k])
        if m and not dates:
            out[{"v": "volume", "n": "issue", "p": "pages"}[m.group("kind")]] = clean(m.group("value"))
        elif _DATE.match(parts[k]):
            dates.append(parts[k])
        else:
            break
        k += 1
    out["date"] = clean(", ".join(dates))
    out["after"] = clean(", ".join(parts[k:]))
    return out


def _split_outside_parentheses(value: str) -> list[str]:
    out, depth, last = [], 0, 0
    for i, c in enumerate(value):
        if c == "(":
            depth += 1
        elif c == ")":
            depth = max(0, depth - 1)
        elif c == ";" and depth == 0:
            out.append(value[last:i])
            last = i + 1
    out.append(value[last:])
    return [p for p in (clean(x) for x in out) if p]


def _citation(rec: TaggedRecord) -> Record | Problem:
    """One record of EV's citation view: title line, 'authors Source: source' line, Language/Database fields."""
    lines = [clean(line) for _, line in rec.stray]
    title = lines[0]
    rest = " ".join(x for x in lines[1:] if x)
    m = _SOURCE.search(rest)
    byline, source = (rest[: m.start()], rest[m.end():]) if m else (rest, "")
    fields = {canonical(f.tag): unwrap(f.value) for f in rec.fields}
    out = Record(source="ei", source_id="")
    out.raw = {"Title": [title], "Authors": [byline] if byline else [], "Source": [source] if source else [],
               **{f.tag.strip(): [f.value.strip()] for f in rec.fields if f.value.strip()}}
    out.raw = {k: v for k, v in out.raw.items() if v}
    out.titles.append(Title(title, text_lang(title)))
    for pos, part in enumerate(_split_outside_parentheses(byline), 1):
        name, _, affiliation = part.partition(" (")
        author = Author(pos, clean(name) or part)
        affiliation = clean(affiliation.removesuffix(")")) if affiliation else None
        if affiliation:
            texts = [a.text for a in out.affiliations]
            if affiliation not in texts:
                out.affiliations.append(Affiliation(affiliation, country=country_of(affiliation)))
                texts.append(affiliation)
            author.affiliations.append(texts.index(affiliation))
        out.authors.append(author)
    parts = split_citation_source(source)
    out.journal = Journal(title=parts["title"])
    out.conference = parts["after"]
    out.volume, out.issue = parts["volume"], parts["issue"]
    out.first_page, out.last_page = split_pages(parts["pages"])
    out.pub_date = parts["date"]
    out.year = parse_year(parts["date"])
    out.language = language(fields.get("language")) or text_lang(title)  # EV names a language other than English
    out.database = fields.get("database")
    return ensure_source_id(out)


register(Format("ei-plain", "ei", "Engineering Village plain text: full records or citations (<RECORD n>)", False,
                sniff, parse))
