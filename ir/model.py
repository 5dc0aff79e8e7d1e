"""The canonical source record: one record as one database exported it.

Every parser returns these types and nothing else; every later stage reads them.
Dataclasses keep parsing fast (a WoS file of 100,000 records parses in seconds);
pydantic derives the JSON Schema in ``schemas/record.schema.json`` from the same classes
(``python -m ir.model`` rewrites it, and a test keeps it in step).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass, field
from typing import Literal

import orjson

# file exports, then the public scholarly APIs that ir.harvest reads (Crossref, OpenAlex, ORCID)
Source = Literal["wos", "ei", "cnki", "scopus", "cssci", "cscd", "ris", "wanfang", "crossref", "openalex", "orcid"]
SOURCES: tuple[str, ...] = ("wos", "ei", "cnki", "scopus", "cssci", "cscd", "ris", "wanfang", "crossref", "openalex",
                            "orcid")


@dataclass(slots=True)
class Title:
    text: str
    lang: str | None = None  # ISO 639-1 where known: "en", "zh"
    translated: bool = False  # a translation supplied by the database, not the original title


@dataclass(slots=True)
class Author:
    position: int  # 1-based order in the byline
    name: str  # as written in the byline (the fullest form the record gives)
    full_name: str | None = None  # WoS AF, Scopus full name
    abbreviated: str | None = None  # WoS AU "Zhang, S"
    name_zh: str | None = None  # the Chinese form, where the source gives one
    email: str | None = None
    orcid: str | None = None
    researcher_id: str | None = None
    affiliations: list[int] = field(default_factory=list)  # indexes into Record.affiliations
    corresponding: bool = False


@dataclass(slots=True)
class Affiliation:
    text: str  # the address as written
    organization: str | None = None  # an organisation-enhanced name (WoS C3) where given
    country: str | None = None


@dataclass(slots=True)
class Journal:
    title: str | None = None
    abbreviation: str | None = None  # WoS J9 / EI abbreviated source title
    iso_abbreviation: str | None = None  # WoS JI
    issn: str | None = None
    eissn: str | None = None
    cn: str | None = None  # Chinese CN serial number "21-1117/N"
    publisher: str | None = None
    translated_title: str | None = None


@dataclass(slots=True)
class Record:
    """One record of one export file, as its database described the work."""

    source: str  # one of SOURCES
    source_id: str  # the native id (WoS UT, EI accession number, Scopus EID, CNKI FileName, ...)
    source_id_kind: Literal["native", "hash"] = "native"
    doc_type: str | None = None  # normalised: article, review, proceedings paper, ... (see ir.doctypes)
    doc_type_raw: str | None = None
    titles: list[Title] = field(default_factory=list)  # the original first, then translations
    authors: list[Author] = field(default_factory=list)
    affiliations: list[Affiliation] = field(default_factory=list)
    corresponding_addresses: list[str] = field(default_factory=list)  # WoS RP addresses, EI corr. author
    corporate_authors: list[str] = field(default_factory=list)
    journal: Journal = field(default_factory=Journal)
    conference: str | None = None
    year: int | None = None
    early_access_year: int | None = None
    pub_date: str | None = None  # as given: "JAN 15", "2021-01-18"
    volume: str | None = None
    issue: str | None = None
    first_page: str | None = None
    last_page: str | None = None
    article_number: str | None = None
    page_count: int | None = None
    doi: str | None = None
    pmid: str | None = None
    isbn: str | None = None
    keywords: list[str] = field(default_factory=list)  # the authors' keywords
    index_keywords: list[str] = field(default_factory=list)  # WoS Keywords Plus, EI controlled terms
    abstract: str | None = None
    funding: list[str] = field(default_factory=list)
    funding_text: str | None = None
    language: str | None = None
    times_cited: int | None = None
    categories: list[str] = field(default_factory=list)  # WoS WC, Scopus subject areas
    research_areas: list[str] = field(default_factory=list)  # WoS SC
    classification_codes: list[str] = field(default_factory=list)  # EI classification codes
    clc_codes: list[str] = field(default_factory=list)  # Chinese Library Classification
    editions: list[str] = field(default_factory=list)  # index editions: SCIE, SSCI, CPCI-S, ...
    database: str | None = None  # the database within the platform: Compendex, Inspec, CJFD, ...
    highly_cited: bool | None = None
    hot_paper: bool | None = None
    cross_ids: dict[str, str] = field(default_factory=dict)  # ids of the same work elsewhere: {"wos": "WOS:..."}
    url: str | None = None
    raw: dict[str, list[str]] = field(default_factory=dict)  # every field verbatim, by its tag
    continued_pages: str | None = None  # pages it continues on after its range: CSSCI "121-125,171" -> "171"
    degree: str | None = None  # a thesis's degree as given: "硕士", "博士", "Master's"
    supervisors: list[str] = field(default_factory=list)  # a thesis's supervisors (CNKI %Y, 导师)

    @property
    def title(self) -> str | None:
        return self.titles[0].text if self.titles else None

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> Record:
        data = dict(data)
        data["titles"] = [Title(**t) for t in data.get("titles", [])]
        data["authors"] = [Author(**a) for a in data.get("authors", [])]
        data["affiliations"] = [Affiliation(**a) for a in data.get("affiliations", [])]
        data["journal"] = Journal(**(data.get("journal") or {}))
        return cls(**data)

    def to_json(self) -> bytes:
        """The record as JSON (UTF-8; fields in the order above): the document the store keeps and hashes.
        orjson writes a record 10x faster than ``json.dumps(to_dict())``; ``Record.from_dict(orjson.loads(
        to_json()))`` gives the record back."""
        return orjson.dumps(self, default=str)

    def content_hash(self) -> str:
        """A digest of every field, so that re-ingesting an unchanged record is recognised as a no-op."""
        return hashlib.sha256(self.to_json()).hexdigest()


@dataclass(slots=True)
class Problem:
    """A record (or part of a file) that could not be read: it goes to quarantine, never away."""

    reason: str
    record_no: int | None = None  # 1-based position of the record in its file
    line: int | None = None  # 1-based line where the record starts (or the fault is)
    field: str | None = None  # the tag or column at fault
    raw: str | None = None  # the record's text as read, so nothing is lost


def fallback_id(*parts: object) -> str:
    """A content-derived id for formats that carry no native id: stable across re-exports."""
    text = "\x1f".join("" if p is None else str(p).strip().casefold() for p in parts)
    return "hash:" + hashlib.sha1(text.encode("utf-8")).hexdigest()[:20]


def json_schema() -> dict:
    from pydantic import TypeAdapter

    schema = TypeAdapter(Record).json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://ir.example.org/schemas/record.schema.json"
    schema["description"] = Record.__doc__.strip()
    return schema


if __name__ == "__main__":  # python -m ir.model > schemas/record.schema.json
    print(json.dumps(json_schema(), indent=2, ensure_ascii=False))
