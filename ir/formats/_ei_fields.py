"""Engineering Village (Compendex, Inspec) field mapping shared by the plain-text and CSV exports.

Both exports carry the same named fields ("Accession number", "Authors", "Author affiliation", ...); the
plain text puts them on ``Name:value`` lines, the CSV in columns. :func:`record_from_fields` turns one
record's ``(name as written, value)`` pairs into a :class:`~ir.model.Record`; the pieces that split EV's
compound values (numbered authors and affiliations, corresponding authors, classification codes, term
lists) are pure functions, tested with tables.

Mapping choices: controlled terms (with the main heading) are the index keywords; uncontrolled terms,
EV's free-language indexing, are the keywords; every field is kept verbatim in ``raw`` by its name.
"""

from __future__ import annotations

import re
from functools import lru_cache

from ir.formats._util import (
    ensure_source_id,
    clean,
    country_of,
    doc_type,
    find_doi,
    find_emails,
    issns,
    language,
    mark_corresponding,
    parse_year,
    split_list,
    split_pages,
    text_lang,
)
from ir.model import Affiliation, Author, Journal, Problem, Record, Title

# canonical key -> the spellings EV has used for it (compared casefolded, inner spaces folded)
_ALIASES: dict[str, tuple[str, ...]] = {
    "accession number": ("accession number", "accession no", "accession no.", "an"),
    "title": ("title",),
    "translated title": ("translated title", "title of translation", "original title"),
    "authors": ("authors", "author", "author(s)"),
    "author affiliation": ("author affiliation", "author affiliations", "affiliation", "affiliations"),
    "corresponding author": ("corresponding author", "corresponding authors", "corr. author"),
    "corr. author affiliation": ("corr. author affiliation", "corresponding author affiliation"),
    "corr. author email": ("corr. author email", "corresponding author email"),
    "source title": ("source title", "serial title", "journal", "journal title"),
    "abbreviated source title": ("abbreviated source title", "abbreviated title"),
    "volume": ("volume",),
    "issue": ("issue",),
    "issue date": ("issue date", "publication date"),
    "publication year": ("publication year", "year"),
    "pages": ("pages", "page", "page(s)"),
    "article number": ("article number", "article no."),
    "language": ("language",),
    "issn": ("issn",),
    "e-issn": ("e-issn", "eissn"),
    "isbn": ("isbn", "isbn-13", "isbn13", "isbn-10", "isbn10"),
    "coden": ("coden",),
    "document type": ("document type", "doc type"),
    "publisher": ("publisher",),
    "abstract": ("abstract",),
    "number of references": ("number of references",),
    "main heading": ("main heading", "ei main heading"),
    "controlled terms": ("controlled terms", "controlled/subject terms", "ei controlled terms",
                         "inspec controlled terms", "controlled term"),
    "uncontrolled terms": ("uncontrolled terms", "uncontrolled term", "free-language terms"),
    "classification code": ("classification code", "classification codes", "ei classification code",
                            "ei classification codes", "inspec classification codes"),
    "doi": ("doi",),
    "database": ("database",),
    "conference name": ("conference name",),
    "funding details": ("funding details",),
    "funding text": ("funding text",),
}
_CANON = {spelling: key for key, spellings in _ALIASES.items() for spelling in spellings}

KNOWN_NAMES = frozenset(_CANON) | frozenset({
    "conference date", "conference location", "conference code", "sponsor", "editors", "monograph title",
    "part number", "issue title", "page count", "numerical data indexing", "treatment", "discipline",
    "open access type(s)", "open access", "country of publication", "place of publication", "source",
    "compilation and indexing terms", "copyright", "data provider", "record type", "abbreviated conference name",
    "chemical indexing", "astronomical indexing", "ipc code", "isbn-13", "isbn-10", "author keywords",
    "funding number", "funding acronym", "funding sponsor", "funding information", "preprint",
})

_SPACES = re.compile(r"\s+")

# free-text fields whose wrapped lines may look like "Results: ..." and must not start a new field
FREE_TEXT = frozenset({"abstract", "title", "translated title", "funding text"})


@lru_cache(maxsize=4096)
def is_known(name: str) -> bool:
    """Whether a name is one of EV's field names (in any of its spellings)."""
    key = _SPACES.sub(" ", name).strip().casefold()
    return key in KNOWN_NAMES or canonical(name) in _ALIASES


@lru_cache(maxsize=4096)
def canonical(name: str) -> str:
    """'Author  Affiliation' -> 'author affiliation'; an alias -> its canonical key."""
    key = _SPACES.sub(" ", name).strip().rstrip(":").strip().casefold()
    return _CANON.get(key, key)


# ---------------------------------------------------------------------------- compound values

_AUTHOR_NUMS = re.compile(r"\(\s*(\d+(?:\s*,\s*\d+)*)\s*\)")


def split_authors(value: str | None) -> list[tuple[str, list[int], str | None]]:
    """'Zhang, San (1); Li, Wei (1, 2)' -> [('Zhang, San', [1], None), ('Li, Wei', [1, 2], None)].

    An e-mail written beside a name ('Zhang, San (1) (zs@dlut.edu.cn)' or '<...>') is taken out.
    """
    out = []
    for part in split_list(value, ";"):
        emails = find_emails(part)
        for e in emails:
            part = part.replace(e, "")
        part = re.sub(r"[(<\[]\s*[)>\]]", "", part)  # the brackets an e-mail leaves behind
        nums: list[int] = []
        for m in _AUTHOR_NUMS.finditer(part):
            nums.extend(int(n) for n in re.findall(r"\d+", m.group(1)))
        name = clean(_AUTHOR_NUMS.sub("", part))
        if name:
            out.append((name.rstrip(" ,"), nums, emails[0] if emails else None))
    return out


_AFF_NUM = re.compile(r"(?:^|;)\s*\(\s*(\d+)\s*\)\s*")


def split_affiliations(value: str | None) -> list[tuple[int | None, str]]:
    """'(1) School of ..., Dalian; 116024, China; (2) ...' -> [(1, 'School of ..., Dalian; 116024, China'), ...].

    The semicolons inside one address ('Dalian; 116024, China') are kept: only the '(n)' markers split.
    A value without markers is one unnumbered affiliation.
    """
    value = clean(value)
    if not value:
        return []
    marks = list(_AFF_NUM.finditer(value))
    if not marks or marks[0].start() != 0:
        return [(None, value.rstrip(" ;"))] if not marks else _numbered(value, marks, lead=True)
    return _numbered(value, marks)


def _numbered(value: str, marks: list[re.Match], lead: bool = False) -> list[tuple[int | None, str]]:
    out: list[tuple[int | None, str]] = []
    if lead:  # text before the first marker: an unnumbered address
        head = clean(value[: marks[0].start()].rstrip(" ;"))
        if head:
            out.append((None, head))
    for i, m in enumerate(marks):
        end = marks[i + 1].start() if i + 1 < len(marks) else len(value)
        text = clean(value[m.end() : end].rstrip(" ;"))
        if text:
            out.append((int(m.group(1)), text))
    return out


def split_corresponding(value: str | None) -> list[tuple[str, str | None, str | None]]:
    """The corresponding author(s) -> [(name, email, address)].

    Forms seen: 'Zhang, San(zs@dlut.edu.cn)', 'Zhang, San(zs@x.cn); Li, Wei(lw@y.cn)' and
    'Zhang, San; zs@dlut.edu.cn; School of ..., Dalian, China'.
    """
    value = clean(value)
    if not value:
        return []
    paired = re.findall(r"([^;()]+?)\s*\(([^()]*@[^()]*)\)", value)
    if paired:
        return [(clean(n).strip(" ,;"), clean(e), None) for n, e in paired if clean(n)]
    parts = [p.strip() for p in value.split(";") if p.strip()]
    name = parts[0]
    email = next((find_emails(p)[0] for p in parts[1:] if find_emails(p)), None)
    address = "; ".join(p for p in parts[1:] if not find_emails(p)) or None
    if email is None and find_emails(name):  # 'Zhang, San zs@x.cn'
        email = find_emails(name)[0]
        name = clean(name.replace(email, "")) or name
    return [(name.strip(" ,"), email, address)]


_CODE = re.compile(r"^([A-Z]?\d{3,4}(?:\.\d+)*[A-Z]?\d*[A-Z]?)(?=\s|$)")


def classification_codes(value: str | None) -> list[str]:
    """'802.2 Chemical Reactions  -  804 Chemical Products' -> ['802.2', '804'] (also Inspec 'B7230G ...').

    Parts are split on ' - '; a part that does not start with a code continues the previous name.
    A value of bare codes ('802.2; 804') works too.
    """
    value = clean(value)
    if not value:
        return []
    codes: list[str] = []
    for part in re.split(r"\s+-\s+|\s*;\s*", value):
        m = _CODE.match(part.strip())
        if m and m.group(1) not in codes:
            codes.append(m.group(1))
    return codes


def split_terms(value: str | None) -> list[str]:
    """EV term lists: 'Anodes  -  Cathodes  -  Lithium-ion batteries' (or ';'-separated)."""
    value = clean(value)
    if not value:
        return []
    if re.search(r"\s-\s", value):
        return [t for t in (clean(p) for p in re.split(r"\s+-\s+", value)) if t]
    return split_list(value, ";")


def _doc_type(raw: str | None) -> str | None:
    """'Journal article (JA)' -> 'article'; EV adds its two-letter code in brackets."""
    return doc_type(re.sub(r"\s*\([A-Z]{2,3}\)\s*$", "", raw or ""))


# ---------------------------------------------------------------------------- the record


def record_from_fields(
    pairs: list[tuple[str, str]], *, record_no: int, line: int | None, raw_text: str | None = None
) -> Record | Problem:
    """One EV record from its ``(field name as written, value)`` pairs."""
    raw: dict[str, list[str]] = {}
    f: dict[str, str] = {}  # canonical key -> first non-empty value
    for name, value in pairs:
        value = value.strip()
        if not value:
            continue
        raw.setdefault(name.strip(), []).append(value)
        f.setdefault(canonical(name), value)

    accession = clean(f.get("accession number"))
    title = clean(f.get("title"))
    if not raw:
        return Problem("record has no fields", record_no=record_no, line=line, raw=raw_text)
    if not accession and not title:
        return Problem("record has neither an accession number nor a title", record_no=record_no,
                       line=line, field="Accession number", raw=raw_text)

    rec = Record(source="ei", source_id=accession or "")
    rec.raw = raw
    rec.doc_type_raw = clean(f.get("document type"))
    rec.doc_type = _doc_type(rec.doc_type_raw)
    if title:
        rec.titles.append(Title(title, text_lang(title)))
    translated = clean(f.get("translated title"))
    if translated and translated != title:
        rec.titles.append(Title(translated, text_lang(translated), translated=True))

    # affiliations first, so that authors can point at them by their numbers
    by_number: dict[int, int] = {}
    unnumbered: list[int] = []
    for num, text in split_affiliations(f.get("author affiliation")):
        rec.affiliations.append(Affiliation(text, country=country_of(text)))
        idx = len(rec.affiliations) - 1
        if num is None:
            unnumbered.append(idx)
        else:
            by_number.setdefault(num, idx)
    for pos, (name, nums, email) in enumerate(split_authors(f.get("authors")), 1):
        links = [by_number[n] for n in nums if n in by_number]
        if not nums and unnumbered:  # no numbers anywhere: the addresses belong to every author
            links = list(unnumbered)
        rec.authors.append(Author(pos, name, email=email, affiliations=links))

    mark_corresponding(rec, ((n, a, e) for n, e, a in split_corresponding(f.get("corresponding author"))))
    corr_aff = clean(f.get("corr. author affiliation"))
    if corr_aff and corr_aff not in rec.corresponding_addresses:
        rec.corresponding_addresses.append(corr_aff)

    issn_list = issns(f.get("issn"))
    eissn_list = issns(f.get("e-issn"))
    rec.journal = Journal(
        title=clean(f.get("source title")),
        abbreviation=clean(f.get("abbreviated source title")),
        issn=issn_list[0] if issn_list else None,
        eissn=eissn_list[0] if eissn_list else (issn_list[1] if len(issn_list) > 1 else None),
        publisher=clean(f.get("publisher")),
    )
    rec.conference = clean(f.get("conference name"))
    rec.year = parse_year(f.get("publication year")) or parse_year(f.get("issue date"))
    rec.pub_date = clean(f.get("issue date"))
    rec.volume = clean(f.get("volume"))
    rec.issue = clean(f.get("issue"))
    rec.first_page, rec.last_page = split_pages(f.get("pages"))
    rec.article_number = clean(f.get("article number"))
    rec.doi = find_doi(f.get("doi"))
    isbn = clean(f.get("isbn"))
    rec.isbn = isbn.split(";")[0].strip() if isbn else None
    rec.abstract = clean(f.get("abstract"))
    rec.language = language(f.get("language"))
    rec.keywords = split_terms(f.get("uncontrolled terms"))
    controlled = split_terms(f.get("controlled terms"))
    heading = clean(f.get("main heading"))
    if heading and heading not in controlled:
        controlled.insert(0, heading)
    rec.index_keywords = controlled
    rec.classification_codes = classification_codes(f.get("classification code"))
    rec.funding = split_list(f.get("funding details"), ";")
    rec.funding_text = clean(f.get("funding text"))
    rec.database = clean(f.get("database"))

    return ensure_source_id(rec)
