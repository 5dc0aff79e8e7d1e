"""Matching a work's journal to the entries of journal lists, with the edition rule. Pure functions.

Order of evidence, per list, within the edition the rule picks (first that finds the journal wins):

1. ``issn`` / ``eissn``: the work's print ISSN / electronic ISSN equals an entry's ISSN or eISSN;
2. ``cn``: the Chinese serial number (``21-1117``; the class letter after "/" is ignored);
3. ``title``: the normalised title (or the translated title: Wanfang/CNKI give English titles) equals
   an entry's normalised title;
4. ``abbreviation``: the WoS (J9 "J AM CHEM SOC") or ISO (JI "J. Am. Chem. Soc.") abbreviation equals an
   entry's abbreviation or title, or reads word by word as exactly one title of the edition; when the
   work gives both, the journal must fit both;
5. ``fuzzy-title``: a near title, never a merely similar one: the list's title with a qualifier more
   or less ("...MANAGEMENT-ASCE", "BMJ-British Medical Journal"), or with one typo in
   one word ("Advanced Materails"; the titles must also score ``fuzzy_threshold`` or more by rapidfuzz ratio).
   "Developmental Psychology" is not "Developmental Psychobiology", however similar.

Whenever the evidence fits more than one journal, the match is refused and the candidates reported.

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
from dataclasses import dataclass, field, replace

from rapidfuzz import fuzz
from rapidfuzz.distance import OSA

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
    known_issns: frozenset[str] = frozenset()  # learned from another list that has the journal (see JournalMatcher)

    @classmethod
    def from_dict(cls, data: dict | None) -> WorkJournal:
        data = data or {}
        return cls(**{k: (data.get(k) or None) for k in cls.__dataclass_fields__ if k != "known_issns"})

    @property
    def issns(self) -> set[str]:
        return {i for i in (normalize_issn(self.issn), normalize_issn(self.eissn)) if i} | self.known_issns

    def is_empty(self) -> bool:
        return not any(getattr(self, k) for k in self.__dataclass_fields__ if k != "known_issns")


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


QUALIFIERS = frozenset("asce ieee basel oxford london amsterdam berlin heidelberg weinheim york switzerland print online".split())


def trimmed_keys(key: str) -> list[tuple[str, str]]:
    """Shorter forms of a title key that still name the same journal: (form, what was dropped).

    Only qualifiers: a trailing place or society ("-ASCE", "-BASEL": WoS's way of telling same-named
    journals apart) and a leading acronym of the rest ("BMJ-British Medical Journal"). Other words
    are never dropped: "International Journal of X" and "Journal of X Science" are other journals.
    """
    words = key.split()
    out: list[tuple[str, str]] = []
    if len(words) >= 2 and words[-1] in QUALIFIERS:
        out.append((" ".join(words[:-1]), words[-1]))
    if len(words) >= 3 and words[0] == "".join(w[0] for w in words[1:]):
        out.append((" ".join(words[1:]), words[0]))
    return out


def one_typo(a: str, b: str) -> bool:
    """Same words but one, and that one a typo: one edit or one swap of neighbours, in a word of 5+ letters."""
    wa, wb = a.split(), b.split()
    if len(wa) != len(wb) or len(wa) < 2:
        return False
    diff = [(x, y) for x, y in zip(wa, wb) if x != y]
    return len(diff) == 1 and min(map(len, diff[0])) >= 5 and OSA.distance(*diff[0]) <= 1


def _masks(key: str) -> list[str]:
    """The key with each word in turn replaced by "*": two titles one word apart share a mask."""
    words = key.split()
    if len(words) < 2:
        return []
    return [" ".join([*words[:i], "*", *words[i + 1:]]) for i in range(len(words))]


class EditionIndex:
    """The entries of one list edition, indexed for each kind of evidence."""

    def __init__(self, entries: list[JournalEntry]):
        self.entries = entries
        self.by_issn: dict[str, list[JournalEntry]] = defaultdict(list)
        self.by_cn: dict[str, list[JournalEntry]] = defaultdict(list)
        self.by_title: dict[str, list[JournalEntry]] = defaultdict(list)
        self.by_abbrev: dict[str, list[JournalEntry]] = defaultdict(list)
        self.by_signature: dict[str, set[str]] = defaultdict(set)
        self.by_trimmed: dict[str, set[str]] = defaultdict(set)  # a shorter form -> the list titles it comes from
        self.by_mask: dict[str, set[str]] = defaultdict(set)  # the title with one word masked -> list titles
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
                    for short, _ in trimmed_keys(key):
                        self.by_trimmed[short].add(key)
                    for mask in _masks(key):
                        self.by_mask[mask].add(key)
            for a in {title_key(e.abbreviation), title_key(e.iso_abbreviation)} - {""}:
                self.by_abbrev[a].append(e)

    @staticmethod
    def _distinct(entries: list[JournalEntry]) -> int:
        return len({e.identity for e in entries})

    def _abbreviated(self, key: str) -> list[JournalEntry]:
        hits = self.by_abbrev.get(key, []) or self.by_title.get(key, [])
        if not hits and " " in key and not is_han(key):
            fits = [t for t in self.by_signature.get(signature(key), ()) if abbreviation_fits(key, t)]
            hits = [e for t in fits for e in self.by_title[t]]
        return hits

    def _near_titles(self, key: str, threshold: float) -> dict[str, tuple[str, float]]:
        """List titles that are this title with a qualifier or an end word more or less, or with one typo."""
        found: dict[str, tuple[str, float]] = {}
        if is_han(key):
            return found
        for short, dropped in trimmed_keys(key):
            if short in self.by_title:
                found[short] = (f"list title without {dropped!r}", round(fuzz.ratio(key, short), 1))
        for longer in self.by_trimmed.get(key, ()):
            found[longer] = ("list title with a qualifier", round(fuzz.ratio(key, longer), 1))
        for t in {t for mask in _masks(key) for t in self.by_mask.get(mask, ())}:
            score = fuzz.ratio(key, t)
            if t != key and score >= threshold and one_typo(key, t):
                found[t] = ("one typo", round(score, 1))
        return found

    def match(self, journal: WorkJournal, fuzzy_threshold: float = 85.0) -> tuple[list[Match], str | None, list[str]]:
        """(matches, note, ambiguous candidates) for one journal in this edition."""
        for kind, value in (("issn", normalize_issn(journal.issn)), ("eissn", normalize_issn(journal.eissn))):
            if value and value in self.by_issn:
                return [Match(e, kind, 100.0, {kind: value}) for e in self.by_issn[value]], None, []
        key = cn_key(journal.cn)
        if key and key in self.by_cn:
            return [Match(e, "cn", 100.0, {"cn": key}) for e in self.by_cn[key]], None, []

        work_issns = journal.issns

        def compatible(hits: list[JournalEntry]) -> list[JournalEntry]:
            # an entry whose ISSNs disagree with the work's is another journal of the same name
            return [e for e in hits if not (work_issns and {e.issn, e.eissn} - {None}) or work_issns & {e.issn, e.eissn}]

        def refuse(what: str, hits: list[JournalEntry]):
            return [], f"{what} fits {self._distinct(hits)} journals", sorted({e.title or "" for e in hits})

        for source in ("title", "translated_title"):
            key = title_key(getattr(journal, source))
            hits = compatible(self.by_title.get(key, [])) if key else []
            if hits and self._distinct(hits) == 1:
                return [Match(e, "title", 100.0, {source: getattr(journal, source)}) for e in hits], None, []
            if hits:
                return refuse(f"title {getattr(journal, source)!r}", hits)

        # abbreviations: a journal must fit every abbreviation the work gives (J9 and JI), so that one loose
        # contraction ("Transp." for Transplantation) cannot decide alone; a title given in abbreviated
        # form ("J. Am. Chem. Soc.") is tried when the work has no abbreviation
        given = {s: getattr(journal, s) for s in ("abbreviation", "iso_abbreviation") if title_key(getattr(journal, s))}
        if not given and journal.title and "." in journal.title:
            given = {"title": journal.title}
        if given:
            per_source = [compatible(self._abbreviated(title_key(v))) for v in given.values()]
            common = set.intersection(*({e.identity for e in hits} for hits in per_source))
            hits = [e for e in per_source[0] if e.identity in common]
            if hits and self._distinct(hits) == 1:
                return [Match(e, "abbreviation", 100.0, {**given, "list_title": e.title}) for e in hits], None, []
            if hits:
                return refuse(f"abbreviation {next(iter(given.values()))!r}", hits)

        for source in ("title", "translated_title"):
            key = title_key(getattr(journal, source))
            if not key:
                continue
            near = {t: v for t, v in self._near_titles(key, fuzzy_threshold).items() if compatible(self.by_title[t])}
            hits = [e for t in near for e in compatible(self.by_title[t])]
            if hits and self._distinct(hits) == 1:
                return [Match(e, "fuzzy-title", near[e.title_key][1],
                              {source: getattr(journal, source), "list_title": e.title, "how": near[e.title_key][0],
                               "score": near[e.title_key][1]}) for e in hits], None, []
            if hits:
                return refuse(f"near title {getattr(journal, source)!r}", hits)
        return [], None, []


class ListIndex:
    """All editions of one list."""

    def __init__(self, name: str, entries: list[JournalEntry]):
        self.name = name
        by_year: dict[int, list[JournalEntry]] = defaultdict(list)
        for e in entries:
            by_year[e.year].append(e)
        self.editions = {y: EditionIndex(es) for y, es in sorted(by_year.items())}

    def match(self, journal: WorkJournal, year: int | None, rule: str = "publication-year-or-earlier",
              fuzzy_threshold: float = 85.0) -> ListResult:
        edition, why = choose_edition(self.editions, year, rule)
        if edition is None:
            return ListResult(self.name, None, note=why)
        matches, note, ambiguous = self.editions[edition].match(journal, fuzzy_threshold)
        for m in matches:
            m.evidence["edition"] = edition
            m.evidence["edition_rule"] = why
        return ListResult(self.name, edition, matches, note or (None if matches else "not in the list"), ambiguous)


class JournalMatcher:
    """Every loaded list, ready to match journals; results are cached per (journal, year)."""

    def __init__(self, entries: Iterable[JournalEntry], rule: str = "publication-year-or-earlier",
                 fuzzy_threshold: float = 85.0, rules_by_list: dict[str, str] | None = None):
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
        self._cache: dict[tuple[WorkJournal, int | None], list[ListResult]] = {}

    def _match_lists(self, journal: WorkJournal, year: int | None, names) -> dict[str, ListResult]:
        return {name: self.lists[name].match(journal, year, self.rules_by_list.get(name, self.rule), self.fuzzy_threshold)
                for name in names}

    def match(self, journal: WorkJournal, year: int | None) -> list[ListResult]:
        """Every list's verdict. A journal given without ISSN but found by its CN number or its own title in
        one list takes that list's ISSNs along to the others, where a translated title, an abbreviation or
        a near title must then agree with them (a Chinese journal's English title may be another journal's)."""
        cache_key = (journal, year)
        if cache_key not in self._cache:
            results = self._match_lists(journal, year, self.lists)
            if not journal.issns:
                learned = frozenset(i for r in results.values() for m in r.matches
                                    if m.matched_by == "cn" or (m.matched_by == "title" and "title" in m.evidence)
                                    for i in (m.entry.issn, m.entry.eissn) if i)
                weak = [n for n, r in results.items()
                        if not r.matches or r.matches[0].matched_by in ("abbreviation", "fuzzy-title")
                        or "translated_title" in r.matches[0].evidence]
                if learned and weak:
                    again = self._match_lists(replace(journal, known_issns=learned), year, weak)
                    for r in again.values():
                        for m in r.matches:
                            m.evidence["issn_from_other_lists"] = sorted(learned)
                    results.update(again)
            self._cache[cache_key] = list(results.values())
        return self._cache[cache_key]
