"""Matching features of source records, column by column (pure: Records in, arrays out)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from ir.model import Record
from ir.normalize import (
    corrected_title, document_kind, expand_pages, is_han, is_person_name, is_preprint_doi, issue_key, journal_edition,
    journal_key, normalize_doi, normalize_issn, page_key, surname_key, title_key, venue_kind, volume_key,
)

MISSING_YEAR = -10_000
AUTHORS_COMPARED = 5


def record_key(source: str, source_id: str) -> str:
    return f"{source}:{source_id}"


@dataclass
class Features:
    """One row per record; ``variants`` holds every title key of every record (original and translated)."""

    keys: list[str] = field(default_factory=list)  # "source:source_id"
    sources: list[str] = field(default_factory=list)
    doi: list[str | None] = field(default_factory=list)
    pmid: list[str | None] = field(default_factory=list)
    cross: list[tuple[str, ...]] = field(default_factory=list)  # keys of the same work elsewhere
    kind: list[str | None] = field(default_factory=list)
    surname: list[str] = field(default_factory=list)  # first author's
    second: list[str] = field(default_factory=list)  # second author's surname ('' when none)
    initial: list[str] = field(default_factory=list)  # first author's first given-name initial ('' when unknown)
    surnames: list[frozenset] = field(default_factory=list)  # the first few authors'
    name_words: list[frozenset] = field(default_factory=list)  # every word of every author's name, folded
    venues: list[tuple[str, ...]] = field(default_factory=list)  # journal keys (title, abbreviations, conference)
    script: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int8))  # 1: a Chinese title, 2: a Latin one
    parts: list[frozenset] = field(default_factory=list)  # part numbers a title names ('Part II')
    page_code: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))  # first page, hashed; 0 = none
    page_codes: np.ndarray = field(default_factory=lambda: np.zeros((0, 2), dtype=np.int64))  # every page key, hashed
    volume_code: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))  # hashed; 0 = none
    venue_compact: list[frozenset] = field(default_factory=list)  # spaceless keys; Chinese names as pinyin
    editions: list[frozenset] = field(default_factory=list)  # a university journal's editions its names state
    venue_pinyin: list[frozenset] = field(default_factory=list)  # a Chinese journal's name in pinyin, spaceless
    issns: list[frozenset] = field(default_factory=list)
    volume: list[str | None] = field(default_factory=list)
    issue: list[str | None] = field(default_factory=list)
    # a correction's or retraction's title without its notice prefix: the title of the work it names
    corrects: list[str] = field(default_factory=list)
    pages: list[frozenset] = field(default_factory=list)  # first page and article number keys
    year: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int32))
    ea_year: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int32))
    var_rec: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    var_key: list[str] = field(default_factory=list)
    var_compact: list[str] = field(default_factory=list)  # the key without spaces ('clientserver paradise' -> 'clientserverparadise')
    var_han: list[bool] = field(default_factory=list)
    var_ntok: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))  # words per title key
    var_generic: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    generic: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))  # a record with a recurring title

    def __len__(self) -> int:
        return len(self.keys)

    def cached(self, name: str, build):
        """A value derived from the columns, built once (the columns do not change after :func:`extract`)."""
        cache = self.__dict__.setdefault("_derived", {})
        if name not in cache:
            cache[name] = build()
        return cache[name]

    def array(self, name: str) -> np.ndarray:
        """A list column as a numpy array (object; bool for ``var_han``), built once: scoring indexes
        these arrays on every call, and the chain guard scores a few pairs at a time, many times."""
        return self.cached(name, lambda: np.asarray(getattr(self, name), dtype=bool if name == "var_han" else object))

    def var_starts(self) -> tuple[np.ndarray, np.ndarray]:
        """Per record, how many title variants it has and where they start in ``var_*``."""
        def build():
            n = len(self)
            counts = np.bincount(self.var_rec, minlength=n) if len(self.var_rec) else np.zeros(n, dtype=np.int64)
            starts = np.concatenate([[0], np.cumsum(counts)[:-1]]) if n else np.zeros(0, dtype=np.int64)
            return counts, starts.astype(np.int64)
        return self.cached("_var_starts", build)

    def titles_of(self, i: int) -> list[str]:
        if not hasattr(self, "_var_index"):
            idx: dict[int, list[str]] = {}
            for rec, key in zip(self.var_rec.tolist(), self.var_key):
                idx.setdefault(rec, []).append(key)
            self._var_index = idx
        return self._var_index.get(i, [])


def extract(records: list[Record]) -> Features:
    f = Features()
    years, ea, var_rec = [], [], []
    for i, r in enumerate(records):
        f.keys.append(record_key(r.source, r.source_id))
        f.sources.append(r.source)
        f.doi.append(normalize_doi(r.doi))
        f.pmid.append((r.pmid or "").strip() or None)
        f.cross.append(tuple(sorted(_cross_key(k, v) for k, v in (r.cross_ids or {}).items() if v)))
        j = r.journal
        venues, compact, issns, venue_says, editions, pinyin = _venue_features(
            j.title, j.abbreviation, j.iso_abbreviation, j.translated_title, r.conference, j.issn, j.eissn)
        f.kind.append(record_kind(r, venue_says, f.doi[-1]))
        f.corrects.append(corrected_title(r.title) if f.kind[-1] in ("correction", "retraction") else "")
        # placeholders ('N/A') and bodies ('The Access Team', 'portal.acm.org') are no evidence about people
        people = [n for n in map(_person, (a.full_name or a.name or a.name_zh for a in r.authors)) if n]
        f.surname.append(_surname(people[0]) if people else "")
        f.initial.append(given_initial(people[0]) if people else "")
        f.second.append(_surname(people[1]) if len(people) > 1 else "")
        # an initial is no surname ('R Sion' read the other way round gives 'r', shared with 'R Agrawal')
        f.surnames.append(frozenset(k for n in people[:AUTHORS_COMPARED] for k in _surname_candidates(n) if len(k) > 1))
        f.name_words.append(frozenset(w for n in people for w in _name_words(n)))
        f.venues.append(venues)
        f.venue_compact.append(compact)
        f.editions.append(editions)
        f.venue_pinyin.append(pinyin)
        f.issns.append(issns)
        f.volume.append(volume_key(r.volume))
        f.issue.append(issue_key(r.issue))
        first_page, _ = expand_pages(r.first_page, r.last_page)
        f.pages.append(frozenset(p for p in (page_key(first_page), page_key(r.article_number)) if p))
        years.append(r.year if r.year else MISSING_YEAR)
        ea.append(r.early_access_year if r.early_access_year else MISSING_YEAR)
        seen = set()
        for t in r.titles:
            k = title_key(t.text)
            if k and k not in seen:
                seen.add(k)
                var_rec.append(i)
                f.var_key.append(k)
                f.var_compact.append(k.replace(" ", ""))
                f.var_han.append(is_han(k))
    f.page_code = np.asarray([_code(min(p)) if p else 0 for p in f.pages], dtype=np.int64)
    f.page_codes = np.zeros((len(f), 2), dtype=np.int64)  # a record has a first page and an article number at most
    for i, p in enumerate(f.pages):
        for k, key in enumerate(sorted(p)):
            f.page_codes[i, k] = _code(key)
    f.volume_code = np.fromiter((_code(v) if v else 0 for v in f.volume), dtype=np.int64, count=len(f))
    f.year = np.asarray(years, dtype=np.int32)
    f.ea_year = np.asarray(ea, dtype=np.int32)
    f.var_rec = np.asarray(var_rec, dtype=np.int64)
    f.var_generic = _generic_titles(f)
    generic = np.zeros(len(f), dtype=bool)
    np.logical_or.at(generic, f.var_rec, f.var_generic)
    f.generic = generic
    f.var_ntok = np.fromiter((k.count(" ") + 1 for k in f.var_key), dtype=np.int64, count=len(f.var_key))
    script = np.zeros(len(f), dtype=np.int8)
    np.bitwise_or.at(script, f.var_rec, np.where(np.asarray(f.var_han, dtype=bool), 1, 2).astype(np.int8))
    f.script = script
    f.parts = [_part_numbers(f.titles_of(i)) for i in range(len(f))]
    return f


ROMAN = {"i": "1", "ii": "2", "iii": "3", "iv": "4", "v": "5", "vi": "6", "vii": "7", "viii": "8", "ix": "9", "x": "10"}
_EMPTY: frozenset = frozenset()


def _part_numbers(keys: list[str]) -> frozenset:
    """The numbers a title names as parts ('... (Part II)', 'Part 2: ...')."""
    out = set()
    for k in keys:
        if "part " in k or "paper " in k or "section " in k or "chapter " in k:
            toks = k.split()
            for x, tok in enumerate(toks):
                if x and toks[x - 1] in ("part", "paper", "section", "chapter"):
                    out.add(ROMAN.get(tok, tok))
    return frozenset(out) if out else _EMPTY


def _generic_titles(f: Features) -> np.ndarray:
    """Titles that recur within one source in different years ('Editor's Notes', 'Book Review Column'):
    in three or more years, or a title of at most five words in two.

    Such a title does not identify a work on its own; the matcher caps the points it earns.
    """
    years: dict[tuple[str, str], set] = {}
    for rec, key in zip(f.var_rec.tolist(), f.var_key):
        y = int(f.year[rec])
        if y != MISSING_YEAR:
            years.setdefault((f.sources[rec], key), set()).add(y)
    generic = {key for (_, key), ys in years.items() if len(ys) > 2 or (len(ys) == 2 and key.count(" ") < 5)}
    return np.fromiter((k in generic for k in f.var_key), dtype=bool, count=len(f.var_key))


def _code(text: str) -> int:
    import zlib

    return zlib.crc32(text.encode("utf-8")) + 1


@lru_cache(maxsize=100_000)
def _compact_venue(name: str) -> str:
    """'计算机工程与应用研究' and 'Jisuan Jigong Chengyu Yingyong Yanjiu' both -> 'jisuanjigongchengyuyingyongyanjiu'."""
    if is_han(name):
        from pypinyin import lazy_pinyin

        return "".join(ch for ch in "".join(lazy_pinyin(name)).casefold() if ch.isalnum() and ch.isascii())
    return journal_key(name).replace(" ", "") if len(name) > 6 else ""


_PREPRINT_KINDS = frozenset({None, "journal", "conference"})  # kinds a preprint server's venue or DOI overrides


def record_kind(r: Record, venue_says: str | None, doi: str | None = None) -> str | None:
    """What a record is for matching: its document type or title ('Correction: ...') first; without them the
    venue's own name ('Proc. VLDB', 'VLDB J.'), CNKI's conference databases (a link to CPFD / IPFD); a preprint
    server's venue or DOI (``doi``: the record's, normalised) makes it a preprint, however it is typed."""
    kind = document_kind(r.doc_type, r.title)
    if kind is None and r.source == "cnki":
        kind = document_kind(r.database, None) or (document_kind(r.url, None) if r.url else None)
    if kind in _PREPRINT_KINDS and (venue_says == "preprint" or (doi and is_preprint_doi(doi))):
        return "preprint"
    return kind or venue_says


@lru_cache(maxsize=50_000)
def _venue_features(title, abbreviation, iso_abbreviation, translated_title, conference, issn, eissn):
    """A venue's journal keys, spaceless keys, ISSNs, the kind its name says and the editions it names: once per
    distinct venue. A university journal's edition ('大连理工大学学报(自然科学版)') is kept apart from its name,
    which is compared with and without it: Ei's 'Dalian Ligong Daxue Xuebao/Journal of Dalian University of
    Technology' leaves the edition out. The last: the spaceless pinyin of a Chinese name (CNKI's, or the
    pinyin half of Ei's), where the two scripts meet."""
    names = [n for n in (title, abbreviation, iso_abbreviation, translated_title, conference) if n]
    # EI gives 'Jisuan Jigong/Computer Engineering': the pinyin and the English name, both usable
    pinyin = [n for n in names if is_han(n)] + [n.split("/")[0] for n in names if "/" in n]
    names = [part for n in names for part in ([n, *n.split("/")] if "/" in n else [n])]
    editions = set()
    for n in list(names):
        base, edition = journal_edition(n)
        if edition:
            editions.add(edition)
            names.append(base)
            if n in pinyin:
                pinyin.append(base)
    venues = tuple(dict.fromkeys(k for k in map(journal_key, names) if k))
    compact = frozenset(_compact_venue(n) for n in names) - {""}
    issns = frozenset(x for x in (_issn(issn), _issn(eissn)) if x)
    says = "conference" if conference and not title else venue_kind(title or conference)
    return venues, compact, issns, says, frozenset(editions), frozenset(_compact_venue(n) for n in pinyin) - {""}


@lru_cache(maxsize=200_000)
def _person(name: str | None) -> str | None:
    """The byline name (:func:`byline_name`) when it names a person, else None."""
    name = byline_name(name)
    return name if is_person_name(name) else None


# the same people and journals recur across records: their keys are computed once per distinct name
_surname = lru_cache(maxsize=200_000)(surname_key)
_issn = lru_cache(maxsize=50_000)(normalize_issn)


_GLUED_AND = re.compile(r"(?:\s+|(?<=[a-z]))and[A-Z]\.?$")


@lru_cache(maxsize=200_000)
def byline_name(name: str | None) -> str | None:
    """A name without the start of the next one glued to it by a scraper: 'J Cho andH' / 'T NguyenandV' -> 'J Cho' /
    'T Nguyen' (the byline 'J Cho and H Garcia-Molina' split at the wrong place)."""
    if not name or "and" not in name:
        return name
    return _GLUED_AND.sub("", name) or name


@lru_cache(maxsize=200_000)
def given_initial(name: str | None) -> str:
    """The first letter of a byline name's given names, folded: 'Zhang, S' / 'S. Zhang' / 'Zhang S' -> 's';
    '' for a Chinese-script name or a name without given names.

    With the surname (:func:`ir.normalize.surname_key`) it tells a name written the other way round:
    'L Zhe' (surname first, then the given name) is 'Z Li', 'G Minos' is 'M Garofalakis'.
    """
    if not name or is_han(name):
        return ""
    key = surname_key(name)
    compact = title_key(name).replace(" ", "")
    if not key or len(compact) <= len(key):
        return ""
    if compact.startswith(key):
        return compact[len(key)]
    if compact.endswith(key):
        return compact[0]
    return ""


@lru_cache(maxsize=200_000)
def _name_words(name: str) -> tuple[str, ...]:
    return tuple(w for w in title_key(name).split() if len(w) > 1)


@lru_cache(maxsize=200_000)
def _surname_candidates(name: str | None) -> tuple[str, ...]:
    """The surname, and for 'Kui Yang' / 'Yang Kui' / 'DE Shasha' without a comma both ends of the name too."""
    key = surname_key(name)
    if name and "," not in name and " " in name.strip() and not is_han(name):
        words = name.split()
        return tuple(dict.fromkeys((key, surname_key(words[0] + ","), surname_key(words[-1] + ","))))
    return (key,)


def _cross_key(source: str, value: str) -> str:
    return record_key(source.strip().casefold(), value.strip())
