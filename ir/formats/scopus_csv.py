"""Scopus CSV export (UTF-8 with BOM; quoted fields span lines).

Columns used: Authors ("Caseau Y.; ..." or, in older exports, "Caseau Y., ..."), Author full names
("Caseau, Yves (57209571323); ..." in newer exports), Authors with affiliations ("Author, affiliation;
Author, affiliation"), Affiliations, Correspondence Address ("Name; address; email: x"), the bibliographic
columns, and EID, the native id. Every non-empty column is kept verbatim in ``raw``.
"""

from __future__ import annotations

import re

from ir.formats import Format, Parsed, register
from ir.formats._util import (
    clean,
    country_of,
    csv_header,
    csv_rows,
    doc_type,
    ensure_source_id,
    find_doi,
    find_emails,
    issns,
    language,
    mark_corresponding,
    name_key,
    parse_int,
    parse_year,
    split_list,
    text_lang,
)
from ir.model import Affiliation, Author, Journal, Problem, Record, Title

_NO_AUTHOR = re.compile(r"^\[no author", re.I)


def sniff(head: str | bytes) -> bool:
    if not isinstance(head, str):
        return False
    cols = set(csv_header(head))
    if not (cols & {"Authors", "Author full names"} and "Source title" in cols):
        return False
    return "EID" in cols or ("Link" in cols and "scopus.com" in head.casefold())


def split_short_authors(value: str | None) -> list[str]:
    """'Govil N.; Sharma A.' or the older 'Govil N., Sharma A.' -> ['Govil N.', 'Sharma A.'].

    Scopus's short names ('Family I.') never contain a comma, so a single ';'-part with commas is the
    older comma-separated list.
    """
    value = clean(value)
    if not value or _NO_AUTHOR.match(value):
        return []
    parts = split_list(value, ";")
    if len(parts) == 1 and "," in value:
        return split_list(value, ",")
    return parts


def split_full_names(value: str | None) -> list[tuple[str, str | None]]:
    """'Govil, Nikhil (57209571323); Sharma, Amit (57220907015)' -> [('Govil, Nikhil', '57209571323'), ...]."""
    out = []
    for part in split_list(value, ";"):
        m = re.match(r"^(.*?)\s*\((\d+)\)\s*$", part)
        out.append((clean(m.group(1)), m.group(2)) if m else (part, None))
    return out


def link_affiliations(
    entries: str | None, affiliations: list[str]
) -> list[tuple[str, list[str]]]:
    """'Authors with affiliations' -> [(author as written, [affiliations])].

    An author with several affiliations has them joined by ', ' after the name
    ('Jadhav, P.P., Univ A, Pune, India, Univ B, Pune, India'), so the known affiliations (the
    'Affiliations' column) are found in each entry, longest first; what is left before them is the name.
    An entry none of them fits keeps its text after the name ('Family, Initials,') as a new affiliation.
    """
    out = []
    known = sorted(set(affiliations), key=len, reverse=True)
    for entry in split_list(entries, ";"):
        found: list[tuple[int, str]] = []
        rest = entry
        for aff in known:
            pos = rest.find(aff)
            if pos > 0:  # never at 0: the entry starts with the author's name
                found.append((pos, aff))
                rest = rest[:pos] + "\0" * len(aff) + rest[pos + len(aff):]
        if found:
            found.sort()
            name = clean(entry[: found[0][0]].rstrip().rstrip(","))
            out.append((name or entry, [a for _, a in found]))
            continue
        parts = [p.strip() for p in entry.split(",")]
        name_parts = parts[:2] if len(parts) > 1 else parts
        extra = clean(", ".join(parts[2:]))
        out.append((", ".join(name_parts), [extra] if extra else []))
    return out


_PERSON = re.compile(r"^[^,;]{1,60},\s*[A-Z][\w.\- ]{0,30}$")  # 'Govil, N.', 'van Manen, H.'
_PERSON_INITIALS_FIRST = re.compile(r"^(?:[A-Z]\.\s?-?)+\s*[A-Z][\w'\-]*(?: [A-Z][\w'\-]*){0,3}$")  # 'Y. Li'


def _is_person(part: str) -> bool:
    return bool(_PERSON.match(part) or (len(part) <= 60 and _PERSON_INITIALS_FIRST.match(part)))


def split_correspondence(value: str | None) -> list[tuple[str | None, str | None, str | None]]:
    """'Govil, N.; Department of CEA, ..., India; email: nikhil.govil@gla.ac.in' -> [(name, address, email)].

    Newer exports write the name initials first ('Y. Li; Department ...; email: ...') and list several
    corresponding authors one after another ('B. Zhu; School ...; email: a@x; P. Wang; Management ...').
    Some rows give only an address ('Federal Institute of Pernambuco - IFPE, Garanhuns, Brazil'): a lone part
    is a name only if it reads as one.
    """
    parts = [p.strip() for p in (value or "").split(";") if p.strip()]
    entries: list[list] = []  # [name, [address parts], email]
    for i, p in enumerate(parts):
        if p.casefold().startswith("email:") or find_emails(p):
            if not entries:
                entries.append([None, [], None])
            entries[-1][2] = entries[-1][2] or (find_emails(p) or [None])[0]
            continue
        opens = not entries or entries[-1][2] is not None  # the first part, or the first after an e-mail
        if opens and (_is_person(p) or (not entries and i + 1 < len(parts))):
            entries.append([p, [], None])
        elif opens and not entries:
            entries.append([None, [p], None])
        else:
            entries[-1][1].append(p)
    return [(name, clean("; ".join(address)), email) for name, address, email in entries]


def _entry_for(
    author: Author, i: int, linked: list[tuple[str, list[str]]], count: int
) -> tuple[str, list[str]] | None:
    """The 'Authors with affiliations' entry of the i-th author: by position when the counts agree,
    else by name ('Govil, N.' ~ 'Govil N.')."""
    if len(linked) == count:
        return linked[i]
    keys = {name_key(author.abbreviated), name_key(author.full_name)} - {""}
    fits = [e for e in linked if name_key(e[0]) in keys]
    return fits[0] if len(fits) == 1 else None


def _record(row: dict[str, str], record_no: int, line: int, raw_text: str) -> Record | Problem:
    def get(col: str) -> str | None:
        return clean(row.get(col))

    eid, title = get("EID"), get("Title")
    if not eid and not title:
        return Problem("row has neither an EID nor a title", record_no=record_no, line=line, field="EID",
                       raw=raw_text)
    rec = Record(source="scopus", source_id=eid or "")
    rec.raw = {k: [v.strip()] for k, v in row.items() if k and v and v.strip()}
    rec.doc_type_raw = get("Document Type")
    rec.doc_type = doc_type(rec.doc_type_raw)
    if title:
        rec.titles.append(Title(title, text_lang(title)))

    short = split_short_authors(get("Authors"))
    full = split_full_names(get("Author full names"))
    rec.affiliations = [Affiliation(a, country=country_of(a)) for a in split_list(get("Affiliations"), ";")]
    linked = link_affiliations(get("Authors with affiliations"), [a.text for a in rec.affiliations])
    count = max(len(short), len(full)) or len(linked)
    for i in range(count):
        abbreviated = short[i] if i < len(short) else None
        full_name = full[i][0] if i < len(full) else None
        author = Author(i + 1, full_name or abbreviated or "", full_name=full_name, abbreviated=abbreviated)
        entry = _entry_for(author, i, linked, count)
        if entry is not None:
            author.name = full_name or entry[0] or author.name
            for aff in entry[1]:
                texts = [a.text for a in rec.affiliations]
                if aff not in texts:
                    rec.affiliations.append(Affiliation(aff, country=country_of(aff)))
                author.affiliations.append(len(texts) if aff not in texts else texts.index(aff))
        rec.authors.append(author)

    mark_corresponding(rec, split_correspondence(get("Correspondence Address")))

    issn_list = issns(get("ISSN"))
    rec.journal = Journal(
        title=get("Source title"),
        abbreviation=get("Abbreviated Source Title"),
        issn=issn_list[0] if issn_list else None,
        eissn=issn_list[1] if len(issn_list) > 1 else None,
        publisher=get("Publisher"),
    )
    rec.conference = get("Conference name")
    rec.year = parse_year(get("Year"))
    rec.volume = get("Volume")
    rec.issue = get("Issue")
    rec.article_number = get("Art. No.")
    rec.first_page = get("Page start")
    rec.last_page = get("Page end")
    rec.page_count = parse_int(get("Page count"))
    rec.times_cited = parse_int(get("Cited by"))
    rec.doi = find_doi(get("DOI"))
    rec.pmid = get("PubMed ID")
    isbn = split_list(get("ISBN"), ";")
    rec.isbn = isbn[0] if isbn else None
    rec.url = get("Link")
    rec.abstract = get("Abstract")
    rec.keywords = split_list(get("Author Keywords"), ";")
    rec.index_keywords = split_list(get("Index Keywords"), ";")
    rec.funding = split_list(get("Funding Details"), ";")
    texts = [t for k, t in row.items() if k.startswith("Funding Text") and t.strip()]
    rec.funding_text = "\n\n".join(t.strip() for t in texts) or None
    rec.language = language(get("Language of Original Document"))
    rec.database = get("Source")
    return ensure_source_id(rec)


_EID = re.compile(r"^2-s2\.0-\d+$")


def widen(header: list[str], cells: list[str]) -> list[str] | None:
    """The columns of a row with more cells than the header names: Scopus numbers its funding texts
    ('Funding Text 1') but may write more of them than the header names. The extra cells are further
    funding texts after the last named one, if the row's last cell is then still its EID."""
    extra = len(cells) - len(header)
    at = max((i for i, h in enumerate(header) if h.startswith("Funding Text")), default=-1)
    if at < 0 or (header[-1] == "EID" and not _EID.match(cells[-1].strip())):
        return None
    n = len([h for h in header if h.startswith("Funding Text")])
    names = [f"Funding Text {n + k}" for k in range(1, extra + 1)]
    return header[: at + 1] + names + header[at + 1 :]


def parse(text: str | bytes) -> Parsed:
    if isinstance(text, bytes):
        text = text.decode("utf-8-sig", "replace")
    for record_no, line, raw, row in csv_rows(text, widen):
        if isinstance(row, str):
            yield Problem(row, record_no=record_no, line=line, raw=raw)
        else:
            yield _record(row, record_no, line, raw)


register(Format("scopus-csv", "scopus", "Scopus CSV export", False, sniff, parse))
