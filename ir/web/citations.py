"""Citation export: BibTeX, RIS and CSL-JSON, the formats reference managers (Zotero, EndNote, Mendeley,
JabRef, NoteExpress) import. Pure functions from works' export documents (:func:`ir.export.work_document`
with the attribution fields) to text.

Titles and journal names are the display forms (:mod:`ir.web.display`: a mixed-case version beats an
ALL-CAPS one, ``CO_2`` becomes ``CO₂``). Names: ``"Zhang, San"`` -> family ``Zhang``, given ``San``; a
name without a comma (``张三``, ``San Zhang``) is kept whole as a literal.
"""

from __future__ import annotations

import json
import re

from unidecode import unidecode

from ir.web.display import best_cased, chem_text

FORMATS = {  # name -> (media type, file extension)
    "bibtex": ("application/x-bibtex; charset=utf-8", "bib"),
    "ris": ("application/x-research-info-systems; charset=utf-8", "ris"),
    "csl-json": ("application/vnd.citationstyles.csl+json; charset=utf-8", "json"),
}
# document type -> (CSL type, BibTeX entry type, RIS type)
TYPES = {
    "article": ("article-journal", "article", "JOUR"),
    "review": ("article-journal", "article", "JOUR"),
    "letter": ("article-journal", "article", "JOUR"),
    "editorial material": ("article-journal", "article", "JOUR"),
    "proceedings paper": ("paper-conference", "inproceedings", "CPAPER"),
    "conference paper": ("paper-conference", "inproceedings", "CPAPER"),
    "meeting abstract": ("paper-conference", "inproceedings", "ABST"),
    "book": ("book", "book", "BOOK"),
    "book chapter": ("chapter", "incollection", "CHAP"),
    "dissertation": ("thesis", "phdthesis", "THES"),
    "thesis": ("thesis", "phdthesis", "THES"),
    "patent": ("patent", "misc", "PAT"),
    "report": ("report", "techreport", "RPRT"),
}
DEFAULT_TYPE = ("article-journal", "article", "JOUR")


class CitationError(ValueError):
    pass


def _types(doc: dict) -> tuple[str, str, str]:
    return TYPES.get(str(doc.get("type") or doc.get("doc_type") or "").casefold(), DEFAULT_TYPE)


def _title(doc: dict) -> str:
    alts = [t.get("text") if isinstance(t, dict) else t for t in doc.get("titles") or []]
    alts += [s.get("title") for s in doc.get("sources") or [] if isinstance(s, dict)]
    return chem_text(best_cased(doc.get("title"), alts) or "")


def _journal(doc: dict) -> str | None:
    j = doc.get("journal") or {}
    if isinstance(j, str):
        return j
    return best_cased(j.get("title"), doc.get("journal_alternatives") or []) or j.get("title")


def split_name(name: str) -> dict:
    """A byline name as CSL: ``{"family", "given"}`` when written "Family, Given", else ``{"literal"}``."""
    name = " ".join(str(name or "").split())
    if "," in name:
        family, _, given = name.partition(",")
        if family.strip() and given.strip():
            return {"family": family.strip(), "given": given.strip()}
    return {"literal": name}


def _authors(doc: dict) -> list[dict]:
    out = []
    for a in doc.get("authors") or []:
        name = a.get("name") if isinstance(a, dict) else a
        if name:
            out.append(split_name(name))
    return out


def _pages(doc: dict) -> str | None:
    first, last = doc.get("first_page"), doc.get("last_page")
    if first and last and str(first) != str(last):
        return f"{first}-{last}"
    return str(first) if first else (str(doc["article_number"]) if doc.get("article_number") else None)


# ------------------------------------------------------------------------------ CSL-JSON


def csl_item(doc: dict) -> dict:
    csl_type, _, _ = _types(doc)
    item: dict = {"id": doc["work_id"], "type": csl_type, "title": _title(doc)}
    authors = _authors(doc)
    if authors:
        item["author"] = authors
    if doc.get("year"):
        item["issued"] = {"date-parts": [[int(doc["year"])]]}
    journal = _journal(doc)
    if journal:
        item["container-title"] = journal
    for key, field in (("volume", "volume"), ("issue", "issue"), ("DOI", "doi"), ("abstract", "abstract"),
                       ("language", "language"), ("PMID", "pmid"), ("ISBN", "isbn")):
        if doc.get(field):
            item[key] = str(doc[field])
    j = doc.get("journal") or {}
    issn = [x for x in (j.get("issn"), j.get("eissn")) if x] if isinstance(j, dict) else []
    if issn:
        item["ISSN"] = issn[0]
    pages = _pages(doc)
    if pages:
        item["page"] = pages
    if doc.get("keywords"):
        item["keyword"] = ", ".join(str(k) for k in doc["keywords"])
    if doc.get("doi"):
        item["URL"] = f"https://doi.org/{doc['doi']}"
    return item


def csl_json(docs: list[dict]) -> str:
    return json.dumps([csl_item(d) for d in docs], ensure_ascii=False, indent=2) + "\n"


# ------------------------------------------------------------------------------ BibTeX

_BIB_SPECIAL = re.compile(r"([\\{}&%$#_~^])")
_BIB_REPLACE = {"\\": r"\textbackslash{}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}"}


def bib_escape(text: str) -> str:
    return _BIB_SPECIAL.sub(lambda m: _BIB_REPLACE.get(m.group(1), "\\" + m.group(1)), " ".join(str(text).split()))


def _bib_key(doc: dict, taken: set[str]) -> str:
    authors = _authors(doc)
    first = authors[0].get("family") or authors[0].get("literal") if authors else "anon"
    word = next((w for w in re.findall(r"\w+", unidecode(_title(doc))) if len(w) > 3), "work")
    base = re.sub(r"[^A-Za-z0-9]", "", unidecode(first or "anon")).lower() or "anon"
    base = f"{base}{doc.get('year') or ''}{word.lower()}"
    key, n = base, 1
    while key in taken:
        n += 1
        key = f"{base}{chr(ord('a') + n - 2) if n <= 27 else n}"
    taken.add(key)
    return key


def bibtex(docs: list[dict]) -> str:
    taken: set[str] = set()
    entries = []
    for doc in docs:
        _, entry_type, _ = _types(doc)
        fields: list[tuple[str, str]] = []
        names = []
        for a in _authors(doc):
            names.append(f"{bib_escape(a['family'])}, {bib_escape(a['given'])}" if "family" in a
                         else "{" + bib_escape(a["literal"]) + "}")
        if names:
            fields.append(("author", " and ".join(names)))
        fields.append(("title", "{" + bib_escape(_title(doc)) + "}"))
        journal = _journal(doc)
        if journal:
            fields.append(("journal" if entry_type == "article" else "booktitle", bib_escape(journal)))
        for key, field in (("year", "year"), ("volume", "volume"), ("number", "issue"), ("doi", "doi"),
                           ("isbn", "isbn"), ("language", "language")):
            if doc.get(field):
                fields.append((key, bib_escape(str(doc[field]))))
        pages = _pages(doc)
        if pages:
            fields.append(("pages", bib_escape(pages).replace("-", "--")))
        j = doc.get("journal") or {}
        if isinstance(j, dict) and (j.get("issn") or j.get("eissn")):
            fields.append(("issn", bib_escape(j.get("issn") or j.get("eissn"))))
        if doc.get("keywords"):
            fields.append(("keywords", bib_escape(", ".join(str(k) for k in doc["keywords"]))))
        if doc.get("abstract"):
            fields.append(("abstract", bib_escape(doc["abstract"])))
        body = ",\n".join(f"  {k} = {{{v}}}" for k, v in fields)
        entries.append(f"@{entry_type}{{{_bib_key(doc, taken)},\n{body}\n}}\n")
    return "\n".join(entries)


# ------------------------------------------------------------------------------ RIS


def ris(docs: list[dict]) -> str:
    lines: list[str] = []

    def tag(t: str, value) -> None:
        value = " ".join(str(value).split()) if value not in (None, "") else ""
        if value:
            lines.append(f"{t}  - {value}")

    for doc in docs:
        _, _, ris_type = _types(doc)
        lines.append(f"TY  - {ris_type}")
        for a in doc.get("authors") or []:
            tag("AU", a.get("name") if isinstance(a, dict) else a)
        tag("TI", _title(doc))
        journal = _journal(doc)
        tag("T2", journal)
        tag("PY", doc.get("year"))
        tag("VL", doc.get("volume"))
        tag("IS", doc.get("issue"))
        tag("SP", doc.get("first_page") or doc.get("article_number"))
        tag("EP", doc.get("last_page"))
        j = doc.get("journal") or {}
        if isinstance(j, dict):
            tag("SN", j.get("issn") or j.get("eissn"))
        tag("DO", doc.get("doi"))
        if doc.get("doi"):
            tag("UR", f"https://doi.org/{doc['doi']}")
        tag("LA", doc.get("language"))
        for k in doc.get("keywords") or []:
            tag("KW", k)
        tag("AB", doc.get("abstract"))
        tag("ID", doc.get("work_id"))
        lines.append("ER  - ")
        lines.append("")
    return "\r\n".join(lines)


def render(docs: list[dict], fmt: str) -> str:
    if fmt == "bibtex":
        return bibtex(docs)
    if fmt == "ris":
        return ris(docs)
    if fmt == "csl-json":
        return csl_json(docs)
    raise CitationError(f"citation format is one of {', '.join(FORMATS)}, not {fmt!r}")
