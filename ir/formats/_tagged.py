"""Tagged-line exports: splitting text into records of (tag, value, line) fields.

EndNote (``%A value``), RefWorks (``A1 value``), NoteExpress (``{Author}: value``), CNKI E-Study
(``Author-作者: value``) and RIS (``AU  - value``) share one shape: one field per line, a tag at the
start of the line, lines that carry no tag continue the field above, and a start tag (or a blank
line) begins the next record. :func:`split_records` does that once for all of them; each format
passes the regular expression of its own line grammar.

Also here: helpers those formats share (reference types, page ranges, CN serial numbers,
native ids inside URLs, order-based author-affiliation linking).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

from ir.formats._util import (
    clean,
    doc_type,
    find_doi,
    has_han,
    language,
    parse_int,
    parse_year,
    split_list,
    split_pages,
    text_lang,
)
from ir.model import Affiliation, Author, Journal, Problem, Record, Title, fallback_id


@dataclass(slots=True)
class Field:
    tag: str  # the tag as the line grammar's "tag" group captured it
    value: str  # continuation lines joined with "\n"
    line: int  # 1-based line of the tag


@dataclass(slots=True)
class TaggedRecord:
    record_no: int  # 1-based position in the file
    line: int  # 1-based line where the record starts
    fields: list[Field] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)  # the record's text, line by line
    stray: list[tuple[int, str]] = field(default_factory=list)  # untagged lines before any field

    @property
    def text(self) -> str:
        return "\n".join(self.lines)

    def first(self, *tags: str) -> str | None:
        """The first non-empty value among the given tags (in the order of the tags)."""
        for tag in tags:
            for f in self.fields:
                if f.tag == tag:
                    v = clean(f.value)
                    if v:
                        return v
        return None

    def all(self, *tags: str) -> list[str]:
        """Every non-empty value of the given tags, in file order."""
        wanted = set(tags)
        return [v for v in (clean(f.value) for f in self.fields if f.tag in wanted) if v]

    def line_of(self, tag: str) -> int | None:
        return next((f.line for f in self.fields if f.tag == tag), None)

    def raw(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for f in self.fields:
            out.setdefault(f.tag, []).append(f.value.strip())
        return out


def split_records(
    text: str,
    line_re: re.Pattern[str],
    is_start: Callable[[str], bool],
    *,
    blank_separates: bool = False,
) -> Iterator[TaggedRecord]:
    """Split an export into records.

    ``line_re`` matches a tagged line and has the groups ``tag`` and ``value``. A record starts at a
    line whose tag satisfies ``is_start``; with ``blank_separates`` a blank line also closes the
    record, so that a record which lost its start tag is still kept apart (its parser reports it).
    Untagged lines continue the previous field; untagged lines before any field are kept as ``stray``.
    """
    rec: TaggedRecord | None = None
    n = 0
    closed = True  # the current record was closed by a blank line
    last: Field | None = None
    for i, line in enumerate(text.split("\n"), 1):
        line = line.rstrip("\r")
        if not line.strip():
            if blank_separates and rec is not None and rec.fields:
                closed, last = True, None
            elif rec is not None:
                rec.lines.append(line)  # inside a record: a paragraph break in the field above
                if last is not None:
                    last.value += "\n"
            continue
        m = line_re.match(line)
        if m:
            tag = m.group("tag")
            if rec is None or (is_start(tag) and (rec.fields or rec.stray)) or (blank_separates and closed):
                if rec is not None:
                    yield _trim(rec)
                n += 1
                rec = TaggedRecord(n, i)
            closed = False
            last = Field(tag, m.group("value") or "", i)
            rec.fields.append(last)
            rec.lines.append(line)
        else:
            if rec is None or (blank_separates and closed):
                if rec is not None:
                    yield _trim(rec)
                n += 1
                rec = TaggedRecord(n, i)
                closed = False
            rec.lines.append(line)
            if last is not None:
                last.value += "\n" + line
            else:
                rec.stray.append((i, line))
    if rec is not None:
        yield _trim(rec)


def _trim(rec: TaggedRecord) -> TaggedRecord:
    while rec.lines and not rec.lines[-1].strip():
        rec.lines.pop()
    return rec


def first_line(text: str, limit: int = 50) -> str | None:
    """The first non-blank line of the text (BOM removed), for sniffs."""
    for line in text.lstrip("\ufeff").split("\n", limit)[:limit]:
        if line.strip():
            return line.strip("\r")
    return None


# EndNote / NoteExpress / RefWorks reference types -> ir's document types
_REF_TYPES = {
    "journal article": "article",
    "electronic article": "article",
    "magazine article": "article",
    "thesis": "thesis",
    "dissertation": "thesis",
    "dissertation/thesis": "thesis",
    "conference proceedings": "proceedings paper",
    "conference paper": "proceedings paper",
    "conference proceeding": "proceedings paper",
    "newspaper article": "newspaper article",
    "book": "book",
    "edited book": "book",
    "book section": "book chapter",
    "book, section": "book chapter",
    "book, whole": "book",
    "patent": "patent",
    "report": "report",
    "standard": "standard",
    "generic": None,
    # CNKI's SrcDatabase-来源库 values
    "期刊": "article", "特色期刊": "article", "学术辑刊": "article",
    "硕士": "thesis", "博士": "thesis", "硕士论文": "thesis", "博士论文": "thesis",
    "会议": "proceedings paper", "国际会议": "proceedings paper", "国内会议": "proceedings paper",
    "报纸": "newspaper article", "年鉴": "yearbook entry", "专利": "patent", "标准": "standard",
    "成果": "research result", "图书": "book",
}


def ref_type(raw: str | None) -> str | None:
    raw = clean(raw)
    if not raw:
        return None
    key = raw.casefold()
    if key in _REF_TYPES:
        return _REF_TYPES[key]
    return doc_type(raw)


_PAGE_EXTRA = re.compile(r"[,，+;；]")


def pages(value: str | None) -> tuple[str | None, str | None]:
    """Page range with extra pages after it: '175-177+183' and '187-188,195' -> the first range only."""
    value = clean(value)
    if not value:
        return None, None
    return split_pages(_PAGE_EXTRA.split(value, maxsplit=1)[0])


_CN = re.compile(r"(?<![\dA-Za-z])(\d{2}-\d{4}/[A-Z][A-Z0-9.]*)")


def find_cn(value: str | None) -> str | None:
    """The Chinese serial number ('11-1541/G2', '21-1117/N') inside a value."""
    if not value:
        return None
    m = _CN.search(unicodedata.normalize("NFKC", value))
    return m.group(1) if m else None


_ISSN = re.compile(r"^\s*(\d{4})-?(\d{3}[\dXx])\s*$")


def issn(value: str | None) -> str | None:
    """'0252-3116' / '02523116' -> '0252-3116'; anything else -> None (may be an ISBN)."""
    if not value:
        return None
    m = _ISSN.match(unicodedata.normalize("NFKC", value))
    return f"{m.group(1)}-{m.group(2).upper()}" if m else None


def url_param(url: str | None, *names: str) -> str | None:
    """A query parameter of a URL, names compared case-insensitively ('FileName', 'filename')."""
    if not url:
        return None
    try:
        query = parse_qs(urlsplit(url.strip()).query)
    except ValueError:
        return None
    lowered = {k.casefold(): v for k, v in query.items()}
    for name in names:
        vals = lowered.get(name.casefold())
        if vals and vals[0].strip():
            return vals[0].strip()
    return None


def cnki_filename(url: str | None) -> str | None:
    """CNKI's native id: the FileName (or filename) parameter of a kns.cnki.net link."""
    return url_param(url, "FileName", "filename")


def nfkc(value: str | None) -> str | None:
    """Full-width ASCII folded to half-width ('10.3969／j.issn' -> '10.3969/j.issn'), for identifiers."""
    return unicodedata.normalize("NFKC", value) if value else value


def link_by_order(authors: list[Author], organisations: list[str]) -> list[Affiliation]:
    """CNKI lists units apart from authors, in no stated order of correspondence.

    When the number of units equals the number of authors they are linked by position (the usual
    CNKI layout for one unit per author); a single unit is every author's unit; otherwise no author is
    linked and every unit stays on the record (a sole author holds every unit). Identical units are
    stored once.
    """
    affs: list[Affiliation] = []
    index: dict[str, int] = {}
    for org in organisations:
        if org not in index:
            index[org] = len(affs)
            affs.append(Affiliation(text=org))
    if authors and len(organisations) == len(authors):
        for author, org in zip(authors, organisations, strict=True):
            author.affiliations = [index[org]]
    elif authors and len(affs) == 1:
        for author in authors:
            author.affiliations = [0]
    elif len(authors) == 1:  # a sole author holds every unit listed
        authors[0].affiliations = list(range(len(affs)))
    return affs


def link_by_position(authors: list[Author], addresses: list[str], sep: str = ";；") -> list[Affiliation]:
    """Wanfang-style: one address entry per author, in byline order (an entry may list several units).

    With as many entries as authors, author i gets the units of entry i; otherwise no author is linked.
    """
    affs: list[Affiliation] = []
    index: dict[str, int] = {}
    per_entry: list[list[int]] = []
    for entry in addresses:
        ids = []
        for unit in split_list(entry, sep):
            if unit not in index:
                index[unit] = len(affs)
                affs.append(Affiliation(text=unit))
            if index[unit] not in ids:
                ids.append(index[unit])
        per_entry.append(ids)
    if authors and len(per_entry) == len(authors):
        for author, ids in zip(authors, per_entry, strict=True):
            author.affiliations = ids
    return affs


def link_addresses(authors: list[Author], entries: list[str], sep: str = ";；") -> list[Affiliation]:
    """Address fields of EndNote (%+), RefWorks (AD) and NoteExpress ({Author Address}).

    Several entries, one per author (Wanfang), pair by position; a single ';'-separated entry (CNKI)
    or a count that does not match falls back to CNKI's order-based rule (:func:`link_by_order`).
    """
    if len(entries) > 1 and len(entries) == len(authors):
        return link_by_position(authors, entries, sep)
    return link_by_order(authors, [u for e in entries for u in split_list(e, sep)])


def split_names(values: list[str]) -> list[str]:
    """Author fields: one name per line, or several on a line separated by ';' (CNKI: '张三;李四;')."""
    return [n for v in values for n in split_list(v, ";；")]


def split_terms(values: list[str]) -> list[str]:
    """Keyword fields: one per line, or ';'-separated on a line; duplicates dropped, order kept."""
    out: list[str] = []
    for v in values:
        for t in split_list(v, ";；"):
            if t not in out:
                out.append(t)
    return out


# ------------------------------------------------------------ one record from fields by role

ROLE_NAMES = (
    "ref_type", "title", "translated_title", "authors", "translated_authors", "addresses", "journal",
    "translated_journal", "secondary_title", "conference", "year", "date", "volume", "issue", "pages",
    "start_page", "end_page", "page_count", "keywords", "abstract", "issn_isbn", "issn", "isbn", "cn", "url",
    "native_id", "doi", "provider", "language", "publisher", "type_of_work", "clc", "fund", "times_cited",
)


def provider_source(*values: str | None) -> str | None:
    """'CNKI' / '中国知网' -> 'cnki'; 'Wanfang' / '北京万方数据股份有限公司' -> 'wanfang'; else None."""
    text = " ".join(v for v in values if v).casefold()
    if "cnki" in text or "知网" in text:
        return "cnki"
    if "wanfang" in text or "万方" in text:
        return "wanfang"
    return None


def wanfang_id(url: str | None) -> str | None:
    """Wanfang's native id: 'detail.do?_type=perio&id=X' or 'd.wanfangdata.com.cn/periodical/X'."""
    found = url_param(url, "id")
    if found or not url or "wanfangdata" not in url.casefold():
        return found
    path = urlsplit(url.strip()).path.rstrip("/")
    last = path.rsplit("/", 1)[-1] if "/" in path else ""
    return last or None


def build_tagged(
    roles: dict[str, list[str]],
    raw: dict[str, list[str]],
    *,
    source: str,
    name_form: Callable[[str, str | None], str | None] | None = None,
) -> Record:
    """A Record from the values of a tagged record by role (:data:`ROLE_NAMES`): EndNote, RefWorks, CNKI, NoteExpress.

    ``source`` is the database the content names; ``name_form`` turns a translated (romanised) author
    name and the Chinese name into the full name ("Jiang, Wenjie").
    """

    def one(role: str) -> str | None:
        return next((v for v in (clean(x) for x in roles.get(role, [])) if v), None)

    title = one("title") or ""
    names = split_names(roles.get("authors", []))
    translated = split_names(roles.get("translated_authors", []))
    pair = len(translated) == len(names)
    authors = []
    for i, name in enumerate(names, 1):
        zh = name if has_han(name) else None
        roman = translated[i - 1] if pair else None
        full = (name_form(roman, zh) if name_form else roman) if roman else None
        authors.append(Author(position=i, name=name, name_zh=zh, full_name=full))
    affiliations = link_addresses(authors, roles.get("addresses", []))

    titles = [Title(title, lang=text_lang(title))] if title else []
    for tr in roles.get("translated_title", []):
        tr = clean(tr)
        if tr:
            titles.append(Title(tr, lang=text_lang(tr), translated=True))

    first, last = pages(one("pages"))
    if not first:  # RefWorks: SP start page, OP other pages (CNKI puts the whole range in OP)
        sp, op = one("start_page"), one("end_page")
        ranged = next((v for v in (op, sp) if v and re.search(r"\d\s*[-–~]", v)), None)
        first, last = pages(ranged) if ranged else (sp, op)

    ident = one("issn_isbn")
    issn_value = issn(one("issn")) or issn(ident)
    isbn_value = one("isbn") or (ident if ident and not issn_value else None)
    url = one("url")
    doi_raw = one("doi")
    rtype = one("ref_type")
    dtype = ref_type(rtype)
    work = one("type_of_work")
    if work and work in ("硕士", "博士", "硕士论文", "博士论文"):
        dtype = "thesis"
    journal_title = one("journal") or (one("secondary_title") if dtype == "article" else None)
    year = parse_year(one("year")) or parse_year(one("date"))
    fund = one("fund")
    rec = Record(
        source=source,
        source_id="",
        doc_type=dtype,
        doc_type_raw=rtype,
        titles=titles,
        authors=authors,
        affiliations=affiliations,
        journal=Journal(
            title=journal_title if dtype != "thesis" else None,
            issn=issn_value,
            cn=next((c for c in (find_cn(v) for v in roles.get("cn", [])) if c), None),
            publisher=one("publisher") or (journal_title if dtype == "thesis" else None),
            translated_title=one("translated_journal"),
        ),
        conference=one("conference") or (one("secondary_title") if dtype == "proceedings paper" else None),
        year=year,
        pub_date=one("date"),
        volume=one("volume"),
        issue=one("issue"),
        first_page=first,
        last_page=last,
        page_count=parse_int(one("page_count")),
        doi=find_doi(nfkc(doi_raw)) or doi_raw,
        isbn=isbn_value,
        keywords=split_terms(roles.get("keywords", [])),
        abstract=_STRIP_ZHENG.sub("", one("abstract") or "") or None,
        funding=split_list(fund, ";；"),
        funding_text=fund,
        language=language(one("language").rstrip(";；") if one("language") else None) or text_lang(title),
        clc_codes=split_list(one("clc"), ";；,， "),
        times_cited=parse_int(one("times_cited")),
        url=url,
        raw=raw,
    )
    native = one("native_id") or (
        cnki_filename(url) if source == "cnki" else wanfang_id(url) if source == "wanfang" else None
    )
    if native:
        rec.source_id = native
        if source == "cnki":
            rec.database = url_param(url, "DbName", "dbcode")
    else:
        venue = journal_title or rec.journal.publisher  # a thesis: the degree-granting university
        rec.source_id = fallback_id(title, ";".join(a.name for a in authors), venue, year)
        rec.source_id_kind = "hash"
    return rec


_STRIP_ZHENG = re.compile(r"^\s*<正>\s*")


def parse_tagged(
    text: str | bytes,
    line_re: re.Pattern[str],
    *,
    start_tag: str,
    roles: dict[str, str],
    title_tag: str,
    source_of: Callable[[TaggedRecord], str],
    name_form: Callable[[str, str | None], str | None] | None = None,
    key: Callable[[str], str] = lambda tag: tag,
) -> Iterator[Record | Problem]:
    """Parse a blank-line-separated tagged export: one Record or Problem per record, never raising.

    ``roles`` maps a tag (after ``key``, e.g. upper-casing) to its role in :func:`build_tagged`.
    """
    if isinstance(text, bytes):
        yield Problem(reason="a text format was given bytes")
        return
    text = text.lstrip("\ufeff")
    for rec in split_records(text, line_re, lambda t: key(t) == start_tag, blank_separates=True):
        if rec.stray:
            line, content = rec.stray[0]
            yield Problem(reason=f"text outside any field (a record must start with {start_tag}): {content[:80]!r}",
                          record_no=rec.record_no, line=line, raw=rec.text)
            continue
        first = rec.fields[0]
        if key(first.tag) != start_tag:
            yield Problem(reason=f"record does not start with {start_tag}", record_no=rec.record_no,
                          line=first.line, field=first.tag, raw=rec.text)
            continue
        by_role: dict[str, list[str]] = {}
        for f in rec.fields:
            role = roles.get(key(f.tag))
            if role:
                by_role.setdefault(role, []).append(f.value)
        if not any(clean(v) for v in by_role.get("title", [])):
            yield Problem(reason="record has no title", record_no=rec.record_no, line=rec.line, field=title_tag,
                          raw=rec.text)
            continue
        yield build_tagged(by_role, rec.raw(), source=source_of(rec), name_form=name_form)
