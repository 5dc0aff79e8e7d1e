"""The metadata formats the OAI-PMH endpoint disseminates: a work as ``oai_dc`` and as MODS 3.7.

Pure functions from an :class:`OaiWork` (the work's document, its authors from attribution, its units,
what the harvested member records say of licence, open access and funding) to an lxml element.

MODS is the richer format: what library repositories and aggregators that take more than Dublin Core
expect (DSpace, Fedora and union catalogues harvest it): names with ORCID iDs and affiliations, the host
journal with volume, issue and pages, typed identifiers, licence and funding, and where the record came from.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree

OAI_DC_NS = "http://www.openarchives.org/OAI/2.0/oai_dc/"
DC_NS = "http://purl.org/dc/elements/1.1/"
MODS_NS = "http://www.loc.gov/mods/v3"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

FORMATS = {  # metadataPrefix -> (schema, namespace)
    "oai_dc": ("http://www.openarchives.org/OAI/2.0/oai_dc.xsd", OAI_DC_NS),
    "mods": ("http://www.loc.gov/standards/mods/v3/mods-3-7.xsd", MODS_NS),
}

# ir's document types -> (DC type from the DCMI Type Vocabulary's usage in repositories, MODS genre)
GENRES = {
    "article": "journal article", "review": "review article", "proceedings paper": "conference paper",
    "book chapter": "book chapter", "book": "book", "thesis": "thesis", "preprint": "preprint",
    "correction": "correction", "editorial": "editorial", "letter": "letter",
}


@dataclass
class OaiWork:
    work_id: str
    identifier: str  # oai:{repository}:{work_id}
    datestamp: str  # YYYY-MM-DDThh:mm:ssZ
    deleted: bool
    sets: list[str]
    doc: dict = field(default_factory=dict)  # works.data
    authors: list[dict] = field(default_factory=list)  # attribution: {position, name, person_id, org_id, ...}
    units: dict[str, str] = field(default_factory=dict)  # org_id -> name, for the authors' affiliations
    orcids: dict[int, str] = field(default_factory=dict)  # position -> ORCID iD (from the member records)
    licence: str | None = None
    oa_status: str | None = None
    funding: list[str] = field(default_factory=list)
    url: str | None = None  # the work's page in the repository


def _sub(parent, tag: str, text=None, **attrs):
    el = etree.SubElement(parent, tag, {k.rstrip("_").replace("__", ":"): v for k, v in attrs.items() if v is not None})
    if text is not None:
        el.text = _xml_text(str(text))
    return el


def _xml_text(text: str) -> str:
    """Text XML 1.0 can carry: control characters a database let through are dropped."""
    return "".join(ch for ch in text if ch in "\t\n\r" or ch >= " ") if any(ch < " " for ch in text) else text


def _lang(value: str | None) -> str | None:
    return value.split("_")[0].split("-")[0].lower() if value else None


def _pages(doc: dict) -> str | None:
    first, last = doc.get("first_page"), doc.get("last_page")
    return f"{first}-{last}" if first and last and first != last else first or doc.get("article_number")


def _titles(w: OaiWork) -> list[tuple[str, str | None, bool]]:
    doc = w.doc
    out = [(doc["title"], None, False)] if doc.get("title") else []
    for t in doc.get("titles") or []:
        if t.get("text") and t["text"] != doc.get("title"):
            out.append((t["text"], t.get("lang"), bool(t.get("translated"))))
    return out


def oai_dc(w: OaiWork) -> etree._Element:
    doc = w.doc
    root = etree.Element(f"{{{OAI_DC_NS}}}dc", nsmap={"oai_dc": OAI_DC_NS, "dc": DC_NS, "xsi": XSI_NS})
    root.set(f"{{{XSI_NS}}}schemaLocation", f"{OAI_DC_NS} {FORMATS['oai_dc'][0]}")
    d = f"{{{DC_NS}}}"
    for text, lang, _ in _titles(w):
        el = _sub(root, d + "title", text)
        if _lang(lang):
            el.set(XML_LANG, _lang(lang))
    for a in w.authors:
        _sub(root, d + "creator", a["name"])
    for k in doc.get("keywords") or []:
        _sub(root, d + "subject", k)
    if doc.get("abstract"):
        _sub(root, d + "description", doc["abstract"])
    journal = doc.get("journal") or {}
    if journal.get("publisher"):
        _sub(root, d + "publisher", journal["publisher"])
    if doc.get("year"):
        _sub(root, d + "date", doc.get("pub_date") if str(doc.get("pub_date") or "")[:4] == str(doc["year"])
             and "-" in str(doc.get("pub_date")) else doc["year"])
    _sub(root, d + "type", "Text")
    if doc.get("doc_type"):
        _sub(root, d + "type", GENRES.get(doc["doc_type"], doc["doc_type"]))
    if doc.get("doi"):
        _sub(root, d + "identifier", f"https://doi.org/{doc['doi']}")
    if w.url:
        _sub(root, d + "identifier", w.url)
    citation = ", ".join(str(x) for x in (journal.get("title"), doc.get("volume") and f"vol. {doc['volume']}",
                                          doc.get("issue") and f"no. {doc['issue']}",
                                          _pages(doc) and f"pp. {_pages(doc)}", doc.get("year")) if x)
    if citation:
        _sub(root, d + "source", citation)
    for issn in (journal.get("issn"), journal.get("eissn")):
        if issn:
            _sub(root, d + "relation", f"urn:ISSN:{issn}")
    if doc.get("language"):
        _sub(root, d + "language", doc["language"])
    if w.licence:
        _sub(root, d + "rights", w.licence)
    if w.oa_status:
        _sub(root, d + "rights", "info:eu-repo/semantics/openAccess" if w.oa_status != "closed"
             else "info:eu-repo/semantics/closedAccess")
    return root


def mods(w: OaiWork) -> etree._Element:
    doc = w.doc
    root = etree.Element(f"{{{MODS_NS}}}mods", nsmap={None: MODS_NS, "xsi": XSI_NS}, version="3.7")
    root.set(f"{{{XSI_NS}}}schemaLocation", f"{MODS_NS} {FORMATS['mods'][0]}")
    m = f"{{{MODS_NS}}}"
    for text, lang, translated in _titles(w):
        info = _sub(root, m + "titleInfo", type="translated" if translated else None, lang=_lang(lang))
        _sub(info, m + "title", text)
    for a in w.authors:
        name = _sub(root, m + "name", type="personal")
        _sub(name, m + "namePart", a["name"])
        if orcid := w.orcids.get(a["position"]):
            _sub(name, m + "nameIdentifier", orcid, type="orcid", typeURI="http://orcid.org")
        if a.get("org_id") and a["org_id"] in w.units:
            _sub(name, m + "affiliation", w.units[a["org_id"]])
        role = _sub(name, m + "role")
        _sub(role, m + "roleTerm", "aut", authority="marcrelator", type="code")
        if a.get("corresponding"):
            _sub(name, m + "description", "corresponding author")
    _sub(root, m + "typeOfResource", "text")
    if doc.get("doc_type"):
        _sub(root, m + "genre", GENRES.get(doc["doc_type"], doc["doc_type"]))
    if doc.get("year"):
        origin = _sub(root, m + "originInfo", eventType="publication")
        _sub(origin, m + "dateIssued", doc["year"], encoding="w3cdtf", keyDate="yes")
    if doc.get("language"):
        lang = _sub(root, m + "language")
        _sub(lang, m + "languageTerm", doc["language"], type="code", authority="rfc5646")
    if doc.get("abstract"):
        _sub(root, m + "abstract", doc["abstract"])
    if doc.get("keywords"):
        subject = _sub(root, m + "subject")
        for k in doc["keywords"]:
            _sub(subject, m + "topic", k)
    journal = doc.get("journal") or {}
    if journal.get("title") or doc.get("conference"):
        host = _sub(root, m + "relatedItem", type="host")
        _sub(_sub(host, m + "titleInfo"), m + "title", journal.get("title") or doc.get("conference"))
        if journal.get("publisher"):
            _sub(_sub(host, m + "originInfo"), m + "publisher", journal["publisher"])
        for issn, kind in ((journal.get("issn"), "issn"), (journal.get("eissn"), "eissn")):
            if issn:
                _sub(host, m + "identifier", issn, type=kind)
        part = _sub(host, m + "part")
        for kind in ("volume", "issue"):
            if doc.get(kind):
                _sub(_sub(part, m + "detail", type=kind), m + "number", doc[kind])
        if doc.get("first_page"):
            extent = _sub(part, m + "extent", unit="pages")
            _sub(extent, m + "start", doc["first_page"])
            if doc.get("last_page"):
                _sub(extent, m + "end", doc["last_page"])
        elif doc.get("article_number"):
            _sub(_sub(part, m + "detail", type="article-number"), m + "number", doc["article_number"])
        if doc.get("year"):
            _sub(part, m + "date", doc["year"])
    if doc.get("doi"):
        _sub(root, m + "identifier", doc["doi"], type="doi")
    if doc.get("pmid"):
        _sub(root, m + "identifier", doc["pmid"], type="pmid")
    _sub(root, m + "identifier", w.identifier, type="oai")
    if w.url:
        _sub(_sub(root, m + "location"), m + "url", w.url, usage="primary")
    if w.licence:
        _sub(root, m + "accessCondition", w.licence, type="use and reproduction")
    if w.oa_status:
        _sub(root, m + "accessCondition", w.oa_status, type="restriction on access")
    for f in w.funding:
        _sub(root, m + "note", f, type="funding")
    record = _sub(root, m + "recordInfo")
    _sub(record, m + "recordIdentifier", w.work_id, source="ir")
    _sub(record, m + "recordChangeDate", w.datestamp, encoding="iso8601")
    sources = sorted(f"{s['source']}:{s['source_id']}" for s in doc.get("sources") or [])
    if sources:
        _sub(record, m + "recordOrigin", "Merged by ir from: " + "; ".join(sources))
    return root


BUILDERS = {"oai_dc": oai_dc, "mods": mods}
