"""Tagged-line exports: splitting text into records of (tag, value, line) fields.

EndNote (``%A value``), RefWorks (``A1 value``), NoteExpress (``{Author}: value``), CNKI E-Study
(``Author-作者: value``), RIS (``AU  - value``), CSSCI (``【来源篇名】value``) and Engineering Village
(``Authors:value``) share one shape: one field per line, a tag at the start of the line, lines that carry
no tag continue the field above. They differ in how a record starts and ends, and each says so in a
:class:`Grammar` (its line grammar, start and end tags, marker and separator lines); :func:`split_records`
splits every one of them by its grammar, so that blank lines, bare CRs, untagged continuation lines and
file headers never cut or merge records.

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
    country_of,
    doc_type,
    find_doi,
    has_han,
    language,
    parse_int,
    parse_year,
    separators,
    split_list,
    split_pages,
    text_lang,
)
from ir.model import Affiliation, Author, Journal, Problem, Record, Title, fallback_id


@dataclass(slots=True)
class Field:
    tag: str  # the tag as the line grammar captured it
    value: str  # continuation lines joined with "\n" (a blank line between them: "\n\n")
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
        """The first non-empty value among the given tags (in the order of the tags), unwrapped."""
        for tag in tags:
            for f in self.fields:
                if f.tag == tag:
                    v = unwrap(f.value)
                    if v:
                        return v
        return None

    def all(self, *tags: str) -> list[str]:
        """Every non-empty value of the given tags, in file order, unwrapped."""
        wanted = set(tags)
        return [v for v in (unwrap(f.value) for f in self.fields if f.tag in wanted) if v]

    def line_of(self, tag: str) -> int | None:
        return next((f.line for f in self.fields if f.tag == tag), None)

    def raw(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for f in self.fields:
            out.setdefault(f.tag, []).append(f.value.strip())
        return out


FieldOf = Callable[[str, "str | None"], "tuple[str, str] | None"]


@dataclass(frozen=True, slots=True)
class Grammar:
    """How one tagged export marks its fields and its records (read by :func:`split_records`).

    ``field`` is a regular expression with the groups ``tag`` and ``value``, or, for a grammar where a
    line's meaning depends on the field it follows (EV's free text may read "Results: ..."), a function
    ``(line, tag of the field above) -> (tag, value) | None``. Tags are compared after ``key``.
    """

    field: re.Pattern[str] | FieldOf
    starts: frozenset[str] = frozenset()  # tags that open a record (RIS TY, EndNote %0)
    ends: frozenset[str] = frozenset()  # tags that close one (RIS ER): in the record's text, not a field
    marker: re.Pattern[str] | None = None  # a line that opens a record and is no field (EV "<RECORD 1>")
    separator: re.Pattern[str] | None = None  # a line that closes a record and belongs to none (CSSCI "-----")
    once: frozenset[str] = frozenset()  # tags a record holds once: a second one opens the next record
    lost_start: bool = False  # after a blank line, a tag the record already holds opens the next record
    header: bool = False  # text outside records (a file header, a joined export's banner) is skipped
    skip: re.Pattern[str] | None = None  # lines in a record's text that are no field and continue none
    key: Callable[[str], str] | None = None  # a tag as compared: str.upper for RefWorks's "vo"


def split_records(text: str, grammar: Grammar) -> Iterator[TaggedRecord]:
    """Split an export into records by its grammar; never raises.

    A record opens at a start tag or marker line, at the first field after the previous record closed,
    or (``once`` / ``lost_start``) where a field repeats that a record holds once; it closes at an end tag,
    a separator line, or where the next one opens. Inside a record a blank line is a paragraph break and an
    untagged line continues the field above (CR, CRLF and LF all end a line). Untagged lines before any
    field are kept as ``stray``. Text outside any record (a file header, the banner of exports joined into
    one file) is skipped where the grammar has a header; elsewhere it is a record of stray lines only.
    """
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    g = grammar
    regex = None if callable(g.field) else g.field
    field_of = g.field if callable(g.field) else None
    key = g.key
    starts, ends, once, lost_start, header = g.starts, g.ends, g.once, g.lost_start, g.header
    marker, separator, skip = g.marker, g.separator, g.skip
    rec: TaggedRecord | None = None
    seen: set[str] = set()
    last: Field | None = None
    more: list[str] = []  # the continuation lines of the last field ("" for a blank line between them)
    gap = False  # a blank line since the record's last line
    n = 0
    for i, line in enumerate(text.split("\n"), 1):
        if not line or line.isspace():
            if rec is not None:
                rec.lines.append(line)
                gap = True
            continue
        if separator is not None and separator.match(line):
            if rec is not None:
                _close(last, more)
                yield _trim(rec)
            rec, last, more = None, None, []
            continue
        if marker is not None and marker.match(line):
            if rec is not None:
                _close(last, more)
                yield _trim(rec)
            n += 1
            rec, last, more, gap, seen = TaggedRecord(n, i, lines=[line]), None, [], False, set()
            continue
        if skip is not None and skip.match(line):
            if rec is not None:
                rec.lines.append(line)
            continue
        if regex is not None:
            m = regex.match(line)
            tv = (m.group("tag"), m.group("value") or "") if m else None
        else:
            tv = field_of(line, last.tag if last is not None else None)
        if tv is None:  # an untagged line: it continues the field above
            if rec is None:
                if header:
                    continue
                n += 1
                rec, seen = TaggedRecord(n, i), set()
            rec.lines.append(line)
            if last is not None:
                if gap:
                    more.append("")
                more.append(line)
            else:
                rec.stray.append((i, line))
            gap = False
            continue
        tag, value = tv
        k = key(tag) if key is not None else tag
        if rec is None or (
            (k in starts and (rec.fields or rec.stray))
            or (k in once and k in seen)
            or (lost_start and gap and k in seen)
        ):
            if rec is not None:
                _close(last, more)
                yield _trim(rec)
            n += 1
            rec, seen = TaggedRecord(n, i), set()
        if more:
            _close(last, more)
        rec.lines.append(line)
        gap = False
        if k in ends:
            yield _trim(rec)
            rec, last = None, None
            continue
        last = Field(tag, value, i)
        rec.fields.append(last)
        seen.add(k)
    if rec is not None:
        _close(last, more)
        yield _trim(rec)


def _close(last: Field | None, more: list[str]) -> None:
    """Join a field's continuation lines to its value (a blank line between lines: a paragraph break)."""
    if last is not None and more:
        last.value = "\n".join([last.value, *more])
        more.clear()


def _trim(rec: TaggedRecord) -> TaggedRecord:
    while rec.lines and not rec.lines[-1].strip():
        rec.lines.pop()
    return rec


_CJK_END = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]$")
_CJK_START = re.compile(r"^[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")


def unwrap(value: str | None) -> str | None:
    """A wrapped value on one line: white space folded, and no space put between two Chinese characters
    that a line break parted ('基于深度\n学习' -> '基于深度学习'). Empty becomes None."""
    if not value:
        return None
    if "\n" not in value:
        return clean(value)
    out = ""
    for part in value.split("\n"):
        part = clean(part)
        if not part:
            continue
        if out and not (_CJK_END.search(out) and _CJK_START.match(part)):
            out += " "
        out += part
    return out or None


def paragraphs(value: str | None) -> str | None:
    """A long text (an abstract) with its paragraphs: a blank line or an indented line starts one, other
    line breaks only wrap. Paragraphs are joined with a line break; '(#br)' (CNKI's markup for one) too."""
    if not value:
        return None
    value = _BR.sub("\n\n", _BR_HEADING.sub("", value))
    out: list[str] = []
    for block in _PARAGRAPH.split(value):
        text = unwrap(block)
        if text:
            out.append(text)
    return "\n".join(out) or None


_BR = re.compile(r"\s*\(#br\)\s*", re.I)
_BR_HEADING = re.compile(r"^\s*(?:abstract|摘要)\s*[:：]?\s*\(#br\)", re.I)  # 'Abstract(#br)The paper ...'
_PARAGRAPH = re.compile(r"\n(?=[ \t]*\n|\t|\u3000| {4})")


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


_PAGE_EXTRA = re.compile(r"\s*[,，+;；]\s*")


def page_range(value: str | None) -> tuple[str | None, str | None, str | None]:
    """(first, last, continued) of a page range with pages it continues on:
    '121-125,171' -> ('121', '125', '171'); '175-177+183' -> ('175', '177', '183'); '12-20' -> ('12', '20', None)."""
    value = clean(value)
    if not value:
        return None, None, None
    parts = _PAGE_EXTRA.split(value, maxsplit=1)
    first, last = split_pages(parts[0])
    return first, last, clean(parts[1]) if len(parts) > 1 else None


def pages(value: str | None) -> tuple[str | None, str | None]:
    """The page range only: '175-177+183' and '187-188,195' -> the first range (see :func:`page_range`)."""
    return page_range(value)[:2]


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


def _affiliation(text: str) -> Affiliation:
    """A unit as written; a Latin-script address gives its country ('..., Davis, CA, 95616, USA')."""
    return Affiliation(text=text, country=None if has_han(text) else country_of(text))


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
            affs.append(_affiliation(org))
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
                affs.append(_affiliation(unit))
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
    entries = [e for e in entries if e and e.strip()]
    if len(entries) > 1 and len(entries) == len(authors):
        return link_by_position(authors, [unwrap(e) or "" for e in entries], sep)
    return link_by_order(authors, [u for e in entries for u in address_units(e, sep)])


_OLD_PLACE = re.compile(r"\n\s*,")
_OLD_UNIT = re.compile(r"^[^\s,;；]{4,}$")
_UNIT_NUMBER = re.compile(r"^\d{1,2}[.．、]\s*(?=\D)|\|[A-Z]{2}\d+$")  # '1.中国铁道科学研究院'; yiigle's '|JG001257'


def address_units(entry: str, sep: str = ";；") -> list[str]:
    """The units of one CNKI address field.

    Older CNKI records (before about 2010) write the units, then the places, comma-separated, and may put
    each further place on a line of its own (often after bare CRs):

        华中科技大学图书馆,华中科技大学控制科学与工程系 武汉,430074
        ,武汉,430074

    Units and places pair by position ('华中科技大学图书馆 武汉,430074', ...) when the places divide evenly
    among the units, else the units are kept without places. Anything else is the usual ';'-separated list.
    """
    lines = [x for x in (clean(ln) for ln in entry.split("\n")) if x]
    if not lines or separators(sep).search(entry):
        return [_UNIT_NUMBER.sub("", u) for u in split_list(unwrap(entry), sep)]
    head, _, place = lines[0].partition(" ")
    units = [u for u in head.split(",") if u.strip()]
    continued = bool(_OLD_PLACE.search(entry))
    if not (continued or len(units) > 1) or not all(_OLD_UNIT.match(u) and has_han(u) for u in units):
        return [_UNIT_NUMBER.sub("", unwrap(entry) or "")] if unwrap(entry) else []
    rest = ",".join(x.lstrip(",") for x in [place, *lines[1:]] if x.lstrip(","))
    places = [p.strip() for p in rest.split(",")] if rest else []
    if not place and continued:  # ',unit' lines: more units, no places
        return units + [p for p in places if p]
    if places and len(places) % len(units) == 0 and all(places):
        k = len(places) // len(units)
        return [f"{u} {','.join(places[i * k : (i + 1) * k])}" for i, u in enumerate(units)]
    return units


_NAME_SEPS = ";；"
_NAME_SEPS_ZH = ";；,，、"


def split_names(values: list[str]) -> list[str]:
    """Author fields: one name per line, or several on a line separated by ';' (CNKI: '张三;李四;').
    Chinese names are separated by commas too ('谢昕,王小增'): a Chinese name never holds one."""
    return [n for v in values for n in split_list(v, _NAME_SEPS_ZH if has_han(v) else _NAME_SEPS)]


def split_terms(values: list[str], commas: bool = False) -> list[str]:
    """Keyword fields: one per line, or ';'-separated on a line (an untagged line of English keywords after
    CNKI's Chinese ones is more keywords); duplicates dropped, order kept. With ``commas``, a line without
    semicolons is comma-separated when it is Chinese or ends with a comma (CNKI: '巴拿马,习近平,巴雷拉,')."""
    out: list[str] = []
    for v in values:
        for line in v.split("\n"):
            comma = commas and not re.search("[;；]", line) and (has_han(line) or line.rstrip().endswith(","))
            for t in split_list(line, ",，" if comma else ";；"):
                if t not in out:
                    out.append(t)
    return out


# ------------------------------------------------------------ one record from fields by role

ROLE_NAMES = (
    "ref_type", "title", "translated_title", "authors", "translated_authors", "addresses", "journal",
    "translated_journal", "secondary_title", "tertiary_title", "conference", "year", "date", "volume", "issue",
    "pages", "start_page", "end_page", "page_count", "keywords", "translated_keywords", "abstract", "issn_isbn",
    "issn", "isbn", "cn", "url", "native_id", "doi", "provider", "language", "publisher", "type_of_work",
    "tertiary_authors", "clc", "fund", "times_cited",
)
_DEGREES = ("硕士", "博士", "硕士论文", "博士论文", "master", "master's", "masters", "doctor", "doctoral", "phd", "ph.d.")
_CLC = re.compile(r"^[A-Z][A-Z]?\d")  # a CLC code ('TP391.1'), where RefWorks's CL holds one instead of a degree


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


_URLID_DATE = re.compile(r"/urlid/[^/?#\s]*?\.((?:19|20)\d\d)(\d\d)(\d\d)\.\d{4}\.")


def online_first_date(url: str | None) -> str | None:
    """The date of a CNKI online-first link ('.../urlid/22.1264.G2.20241113.2224.002' -> '2024-11-13'):
    a record published online before its issue has no year of its own."""
    m = _URLID_DATE.search(url or "")
    return f"{m.group(1)}-{m.group(2)}-{m.group(3)}" if m else None


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
        return next((v for v in (unwrap(x) for x in roles.get(role, [])) if v), None)

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

    titles = [Title(title, lang=text_lang(title))] if title else []
    for tr in roles.get("translated_title", []):
        tr = unwrap(tr)
        if tr:
            titles.append(Title(tr, lang=text_lang(tr), translated=True))

    first, last, continued = page_range(one("pages"))
    if not first:  # RefWorks: SP start page, OP other pages (CNKI puts the whole range in OP)
        sp, op = one("start_page"), one("end_page")
        ranged = next((v for v in (op, sp) if v and re.search(r"\d\s*[-–~]", v)), None)
        first, last, continued = page_range(ranged) if ranged else (sp, op, None)

    ident = one("issn_isbn")
    issn_value = issn(one("issn")) or issn(ident)
    isbn_value = one("isbn") or (ident if ident and not issn_value else None)
    url = one("url")
    doi_raw = one("doi")
    rtype = one("ref_type")
    dtype = ref_type(rtype)
    work = one("type_of_work") or (rtype if rtype and rtype.casefold() in _DEGREES else None)
    clc = [one("clc")]
    if work and _CLC.match(work):  # RefWorks's CL: a classification code rather than the degree
        clc, work = [work, *clc], None
    if work and work.casefold() in _DEGREES:
        dtype = "thesis"
    thesis = dtype == "thesis"
    publisher = one("publisher")
    journal_title = one("journal") or (one("secondary_title") if dtype in ("article", "newspaper article") else None)
    institution = (publisher or journal_title) if thesis else None  # the degree-granting university
    # a thesis's author belongs to the university that grants the degree, which CNKI gives as its publisher
    address_entries = roles.get("addresses") or ([institution] if thesis and institution else [])
    affiliations = link_addresses(authors, address_entries)
    date = one("date") or online_first_date(url)
    year = parse_year(one("year")) or parse_year(date)
    fund = one("fund")
    keywords = split_terms(roles.get("keywords", []) + roles.get("translated_keywords", []), commas=True)
    conference = one("conference") or (
        (one("secondary_title") or one("tertiary_title")) if dtype == "proceedings paper" else None)
    rec = Record(
        source=source,
        source_id="",
        doc_type=dtype,
        doc_type_raw=rtype,
        titles=titles,
        authors=authors,
        affiliations=affiliations,
        journal=Journal(
            title=journal_title if not thesis else None,
            issn=issn_value,
            cn=next((c for c in (find_cn(v) for v in roles.get("cn", [])) if c), None),
            publisher=publisher or (journal_title if thesis else None),
            translated_title=one("translated_journal"),
        ),
        conference=conference,
        year=year,
        pub_date=date,
        volume=one("volume"),
        issue=one("issue"),
        first_page=first,
        last_page=last,
        continued_pages=continued,
        page_count=parse_int(one("page_count")),
        doi=find_doi(nfkc(doi_raw)) or doi_raw,
        isbn=isbn_value,
        keywords=keywords,
        abstract=paragraphs(_STRIP_ZHENG.sub("", one_text(roles.get("abstract", [])) or "")),
        funding=split_list(fund, ";；"),
        funding_text=fund,
        language=language(one("language").rstrip(";；") if one("language") else None) or text_lang(title),
        clc_codes=[c for v in clc for c in split_list(v, ";；,， ")],
        times_cited=parse_int(one("times_cited")),
        url=url,
        raw=raw,
        degree=work if thesis else None,
        supervisors=split_names(roles.get("tertiary_authors", [])) if thesis else [],
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


def one_text(values: list[str]) -> str | None:
    """The first value with text in it, its line breaks kept (for :func:`paragraphs`)."""
    return next((v.strip() for v in values if v and v.strip()), None)


_STRIP_ZHENG = re.compile(r"^\s*<正>\s*")


def parse_tagged(
    text: str | bytes,
    grammar: Grammar,
    *,
    roles: dict[str, str],
    title_tag: str,
    source_of: Callable[[TaggedRecord], str],
    name_form: Callable[[str, str | None], str | None] | None = None,
) -> Iterator[Record | Problem]:
    """Parse a tagged export (EndNote, RefWorks, NoteExpress): one Record or Problem per record, never raising.

    ``roles`` maps a tag (as the grammar's ``key`` gives it) to its role in :func:`build_tagged`; a record
    must open with the grammar's start tag.
    """
    if isinstance(text, bytes):
        yield Problem(reason="a text format was given bytes")
        return
    key = grammar.key or (lambda tag: tag)
    start_tag = " / ".join(sorted(grammar.starts))
    for rec in split_records(text.lstrip("\ufeff"), grammar):
        if rec.stray:
            line, content = rec.stray[0]
            yield Problem(reason=f"text outside any field (a record must start with {start_tag}): {content[:80]!r}",
                          record_no=rec.record_no, line=line, raw=rec.text)
            continue
        first = rec.fields[0]
        if key(first.tag) not in grammar.starts:
            yield Problem(reason=f"record does not start with {start_tag}", record_no=rec.record_no,
                          line=first.line, field=first.tag, raw=rec.text)
            continue
        by_role: dict[str, list[str]] = {}
        for f in rec.fields:
            role = roles.get(key(f.tag))
            if role:
                by_role.setdefault(role, []).append(f.value)
        if not any(unwrap(v) for v in by_role.get("title", [])):
            yield Problem(reason="record has no title", record_no=rec.record_no, line=rec.line, field=title_tag,
                          raw=rec.text)
            continue
        yield build_tagged(by_role, rec.raw(), source=source_of(rec), name_form=name_form)
