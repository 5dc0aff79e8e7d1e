"""Matching a work's journal to the entries of journal lists, with the edition rule. Pure functions.

Order of evidence, per list, within the edition the rule picks (first that finds the journal wins):

1. ``issn`` / ``eissn``: the work's print ISSN / electronic ISSN equals an entry's ISSN or eISSN;
2. ``cn``: the Chinese serial number (``21-1117``; the class letter after "/" is ignored);
3. ``title``: the normalised title (or the translated title: Wanfang/CNKI give English titles) equals
   an entry's normalised title;
4. ``abbreviation``: the WoS (J9 "J AM CHEM SOC") or ISO (JI "J. Am. Chem. Soc.") abbreviation equals an
   entry's abbreviation or title, or reads word by word as exactly one title of the edition;
5. ``fuzzy-title``: the closest title scores at least ``fuzzy_threshold`` (rapidfuzz ratio, 0-100) and no
   other journal comes within ``fuzzy_margin`` of it. Ambiguous candidates are refused and reported.

Title and abbreviation matches are refused when both sides carry ISSNs and these disagree.

Edition rules (``TagSettings.edition_rule``):

- ``publication-year-or-earlier`` (default): the edition of the publication year, else the nearest
  earlier one; a work older than every edition gets no tag from that list; a work without a year
  takes the latest edition;
- ``latest``: always the latest edition (some offices judge every paper by the current list);
- ``nearest``: the nearest edition either side, the earlier on a tie.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

from ir.normalize import is_han

from ir.tagging.journals import (
    JournalEntry,
    abbreviation_fits,
    cn_key,
    normalize_issn,
    signature,
    title_key,
)

EDITION_RULES = ("publication-year-or-earlier", "latest", "nearest")
MATCHED_BY = ("issn", "eissn", "cn", "title", "abbreviation", "fuzzy-title")


@dataclass(frozen=True, slots=True)
class WorkJournal:
    """The journal as a work gives it (works.data["journal"])."""

    title: str | None = None
    abbreviation: str | None = None
    iso_abbreviation: str | None = None
    issn: str | None = None
    eissn: str | None = None
    cn: str | None = None
    translated_title: str | None = None

    @classmethod
    def from_dict(cls, data: dict | None) -> WorkJournal:
        data = data or {}
        return cls(**{k: (data.get(k) or None) for k in cls.__dataclass_fields__})

    @property
    def issns(self) -> set[str]:
        return {i for i in (normalize_issn(self.issn), normalize_issn(self.eissn)) if i}

    def is_empty(self) -> bool:
        return not any(getattr(self, k) for k in self.__dataclass_fields__)


@dataclass(frozen=True, slots=True)
class Match:
    entry: JournalEntry
    matched_by: str
    score: float  # 100 for exact evidence; the fuzzy score otherwise
    evidence: dict


@dataclass(slots=True)
class ListResult:
    """One list's verdict for one journal: the matches (one per category), or why there are none."""

    list: str
    edition: int | None
    matches: list[Match] = field(default_factory=list)
    note: str | None = None  # why nothing matched, or how the edition was chosen
    ambiguous: list[str] = field(default_factory=list)  # candidate titles when a match was refused


def choose_edition(editions: Iterable[int], year: int | None, rule: str = "publication-year-or-earlier") -> tuple[int | None, str]:
    """The edition year a work of ``year`` is judged by, and a note saying why."""
    years = sorted(set(editions))
    if not years:
        return None, "the list has no editions"
    if rule not in EDITION_RULES:
        raise ValueError(f"unknown edition rule {rule!r}; known: {', '.join(EDITION_RULES)}")
    if rule == "latest":
        return years[-1], "latest edition"
    if year is None:
        return years[-1], "no publication year: latest edition"
    if rule == "nearest":
        best = min(years, key=lambda y: (abs(y - year), y > year))
        return best, "edition of the publication year" if best == year else f"nearest edition to {year}"
    earlier = [y for y in years if y <= year]
    if not earlier:
        return None, f"no edition in or before {year} (first: {years[0]})"
    return earlier[-1], "edition of the publication year" if earlier[-1] == year else f"nearest earlier edition to {year}"


class EditionIndex:
    """The entries of one list edition, indexed for each kind of evidence."""

    def __init__(self, entries: list[JournalEntry]):
        self.entries = entries
        self.by_issn: dict[str, list[JournalEntry]] = defaultdict(list)
        self.by_cn: dict[str, list[JournalEntry]] = defaultdict(list)
        self.by_title: dict[str, list[JournalEntry]] = defaultdict(list)
        self.by_abbrev: dict[str, list[JournalEntry]] = defaultdict(list)
        self.by_signature: dict[str, set[str]] = defaultdict(set)
        for e in entries:
            for i in {e.issn, e.eissn} - {None}:
                self.by_issn[i].append(e)
            if e.cn:
                self.by_cn[cn_key(e.cn)].append(e)
            key = e.title_key
            if key:
                self.by_title[key].append(e)
                if " " in key and not is_han(key):
                    self.by_signature[signature(key)].add(key)
            for a in {title_key(e.abbreviation), title_key(e.iso_abbreviation)} - {""}:
                self.by_abbrev[a].append(e)
        self.title_keys = list(self.by_title)

    def _distinct(self, entries: list[JournalEntry]) -> int:
        return len({e.identity for e in entries})

    def match(self, journal: WorkJournal, fuzzy_threshold: float = 92.0, fuzzy_margin: float = 3.0) -> tuple[list[Match], str | None, list[str]]:
        """(matches, note, ambiguous candidates) for one journal in this edition."""
        for kind, value in (("issn", normalize_issn(journal.issn)), ("eissn", normalize_issn(journal.eissn))):
            if value and value in self.by_issn:
                hits = self.by_issn[value]
                return [Match(e, kind, 100.0, {kind: value}) for e in hits], None, []
        key = cn_key(journal.cn)
        if key and key in self.by_cn:
            return [Match(e, "cn", 100.0, {"cn": key}) for e in self.by_cn[key]], None, []

        work_issns = journal.issns

        def compatible(hits: list[JournalEntry]) -> list[JournalEntry]:
            # an entry whose ISSNs disagree with the work's is another journal of the same name
            return [e for e in hits if not (work_issns and {e.issn, e.eissn} - {None}) or work_issns & {e.issn, e.eissn}]

        refused: list[str] = []
        for source in ("title", "translated_title"):
            key = title_key(getattr(journal, source))
            hits = compatible(self.by_title.get(key, [])) if key else []
            if hits and self._distinct(hits) == 1:
                return [Match(e, "title", 100.0, {source: getattr(journal, source), "title_key": key}) for e in hits], None, []
            if hits:
                refused = sorted({e.title or "" for e in hits})
                return [], f"title {getattr(journal, source)!r} names {self._distinct(hits)} journals", refused

        for source in ("abbreviation", "iso_abbreviation"):
            key = title_key(getattr(journal, source))
            if not key:
                continue
            hits = compatible(self.by_abbrev.get(key, []) or self.by_title.get(key, []))
            how = "equal"
            if not hits and " " in key and not is_han(key):
                fits = [t for t in self.by_signature.get(signature(key), ()) if abbreviation_fits(key, t)]
                hits = compatible([e for t in fits for e in self.by_title[t]])
                how = "word prefixes"
            if hits and self._distinct(hits) == 1:
                return [Match(e, "abbreviation", 100.0, {source: getattr(journal, source), "how": how,
                                                        "list_title": e.title}) for e in hits], None, []
            if hits:
                refused = sorted({e.title or "" for e in hits})
                return [], f"abbreviation {getattr(journal, source)!r} fits {self._distinct(hits)} journals", refused

        for source in ("title", "translated_title"):
            key = title_key(getattr(journal, source))
            if not key or len(key) < 4 or not self.title_keys:
                continue
            found = process.extract(key, self.title_keys, scorer=fuzz.ratio, limit=5, score_cutoff=fuzzy_threshold)
            candidates = [(t, s) for t, s, _ in found if compatible(self.by_title[t])]
            if not candidates:
                continue
            best_title, best_score = candidates[0]
            rivals = [(t, s) for t, s in candidates[1:] if s > best_score - fuzzy_margin]
            if rivals:
                refused = [self.by_title[t][0].title or t for t, _ in [candidates[0], *rivals]]
                return [], f"fuzzy title {getattr(journal, source)!r} is ambiguous", refused
            hits = compatible(self.by_title[best_title])
            return [Match(e, "fuzzy-title", round(best_score, 1), {source: getattr(journal, source), "list_title": e.title,
                                                               "score": round(best_score, 1)}) for e in hits], None, []
        return [], None, refused


class ListIndex:
    """All editions of one list."""

    def __init__(self, name: str, entries: list[JournalEntry]):
        self.name = name
        by_year: dict[int, list[JournalEntry]] = defaultdict(list)
        for e in entries:
            by_year[e.year].append(e)
        self.editions = {y: EditionIndex(es) for y, es in sorted(by_year.items())}

    def match(self, journal: WorkJournal, year: int | None, rule: str = "publication-year-or-earlier",
              fuzzy_threshold: float = 92.0, fuzzy_margin: float = 3.0) -> ListResult:
        edition, why = choose_edition(self.editions, year, rule)
        if edition is None:
            return ListResult(self.name, None, note=why)
        matches, note, ambiguous = self.editions[edition].match(journal, fuzzy_threshold, fuzzy_margin)
        for m in matches:
            m.evidence["edition"] = edition
            m.evidence["edition_rule"] = why
        return ListResult(self.name, edition, matches, note or (None if matches else "not in the list"), ambiguous)


class JournalMatcher:
    """Every loaded list, ready to match journals; results are cached per (journal, year)."""

    def __init__(self, entries: Iterable[JournalEntry], rule: str = "publication-year-or-earlier",
                 fuzzy_threshold: float = 92.0, fuzzy_margin: float = 3.0, rules_by_list: dict[str, str] | None = None):
        by_list: dict[str, list[JournalEntry]] = defaultdict(list)
        for e in entries:
            by_list[e.list].append(e)
        self.lists = {name: ListIndex(name, es) for name, es in sorted(by_list.items())}
        self.rule = rule
        self.rules_by_list = rules_by_list or {}
        for r in [rule, *self.rules_by_list.values()]:
            if r not in EDITION_RULES:
                raise ValueError(f"unknown edition rule {r!r}; known: {', '.join(EDITION_RULES)}")
        self.fuzzy_threshold = fuzzy_threshold
        self.fuzzy_margin = fuzzy_margin
        self._cache: dict[tuple[WorkJournal, int | None], list[ListResult]] = {}

    def match(self, journal: WorkJournal, year: int | None) -> list[ListResult]:
        cache_key = (journal, year)
        if cache_key not in self._cache:
            self._cache[cache_key] = [
                idx.match(journal, year, self.rules_by_list.get(name, self.rule), self.fuzzy_threshold, self.fuzzy_margin)
                for name, idx in self.lists.items()
            ]
        return self._cache[cache_key]
