"""The people dictionary indexed for lookup by name keys, e-mail, ORCID and ResearcherID.

Keys are pinyin-based: (family, given) for full names, (family, initials) and (family, first initial) for
abbreviated ones, so a 200,000-person dictionary answers a byline name with a handful of candidates.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from ir.dictionaries import Appointment, Dictionaries
from ir.names import parse_name

_LETTERS = re.compile(r"[^a-z]")


@dataclass(slots=True)
class Person:
    person_id: str
    names: list[str]
    appointments: list[Appointment]
    emails: set[str] = field(default_factory=set)
    orcid: str | None = None
    researcher_id: str | None = None
    supervisor_id: str | None = None
    role: str = ""
    name_zh: str | None = None
    name_key: tuple[str, ...] = ()  # every name form: people written alike compare alike

    @property
    def display(self) -> str:
        a = self.appointments[0]
        return " ".join(x for x in (a.name_zh, a.name_en) if x) or self.person_id


class PeopleIndex:
    def __init__(self, dicts: Dictionaries):
        self.people: dict[str, Person] = {}
        for a in dicts.appointments:
            p = self.people.get(a.person_id)
            if p is None:
                p = self.people[a.person_id] = Person(a.person_id, [], [])
            p.appointments.append(a)
            for n in a.names:
                if n not in p.names:
                    p.names.append(n)
            if a.email:
                p.emails.add(a.email.lower())
            p.orcid = p.orcid or a.orcid
            p.researcher_id = p.researcher_id or (a.researcher_id.upper() if a.researcher_id else None)
            p.supervisor_id = p.supervisor_id or a.supervisor_id
            p.name_zh = p.name_zh or a.name_zh
            p.role = a.role
        self.by_full: dict[tuple[str, str], set[str]] = defaultdict(set)
        self.by_initials: dict[tuple[str, str], set[str]] = defaultdict(set)
        self.by_first: dict[tuple[str, str], set[str]] = defaultdict(set)
        self.zh_holders: dict[str, int] = defaultdict(int)  # people per Chinese name
        self.by_email: dict[str, str] = {}
        self.by_orcid: dict[str, str] = {}
        self.by_rid: dict[str, str] = {}
        for p in self.people.values():
            if p.name_zh:
                self.zh_holders[parse_name(p.name_zh).zh or p.name_zh] += 1
            covered: set[str] = set()
            for n in p.names:
                if covered and n.isascii() and _LETTERS.sub("", n.lower()) in covered:
                    continue  # "Yang Jing-Yao" of 杨婧瑶: the Chinese name's readings already index it
                pn = parse_name(n)
                if pn.zh:
                    covered.update(f + g for f, g, _ in pn.readings)
                    covered.update(g + f for f, g, _ in pn.readings)
                for fam, given, ini in pn.readings:
                    if not fam:
                        continue
                    if given:
                        self.by_full[(fam, given)].add(p.person_id)
                    if ini:
                        self.by_initials[(fam, ini)].add(p.person_id)
                    self.by_first[(fam, ini[:1])].add(p.person_id)
            for e in p.emails:
                self.by_email[e] = p.person_id
            if p.orcid:
                self.by_orcid[p.orcid] = p.person_id
            if p.researcher_id:
                self.by_rid[p.researcher_id] = p.person_id
        self.students_of: dict[str, set[str]] = defaultdict(set)
        self.in_org: dict[str, set[str]] = defaultdict(set)  # unit -> people with an appointment there
        for p in self.people.values():
            p.name_key = tuple(p.names)
            if p.supervisor_id:
                self.students_of[p.supervisor_id].add(p.person_id)
            for a in p.appointments:
                self.in_org[a.org_id].add(p.person_id)
        self.students_of = dict(self.students_of)
        self.in_org = dict(self.in_org)
        # people with a supervisor or students: the ones supervisor evidence concerns
        self.tied: frozenset[str] = frozenset(
            {p.person_id for p in self.people.values() if p.supervisor_id} | set(self.students_of))
        self.families = sorted({f for f, _ in self.by_first})
        self._near: dict[str, list[str]] = {}

    def holders(self, names: list[str], name_zh: str | None) -> int:
        """How many people of the dictionary hold this name: the Chinese name when known, else the full
        (family, given) key of any reading (the largest). 0 when only initials are known."""
        if name_zh:
            return self.zh_holders.get(parse_name(name_zh).zh or name_zh, 0)
        n = 0
        for x in names:
            for fam, given, _ in parse_name(x).readings:
                if fam and given:
                    n = max(n, len(self.by_full.get((fam, given), ())))
        return n

    def near_families(self, family: str) -> list[str]:
        """Family names one typo away (for a byline whose family name is misspelt)."""
        if family not in self._near:
            if len(family) < 4:
                self._near[family] = []
            else:
                hits = process.extract(family, self.families, scorer=Levenshtein.distance, score_cutoff=1, limit=10)
                self._near[family] = [h[0] for h in hits if h[0] != family]
        return self._near[family]

    def candidates(self, names: list[str], max_wide: int = 400, typo_families: bool = False) -> set[str]:
        out: set[str] = set()
        for n in names:
            pn = parse_name(n)
            for fam, given, ini in pn.readings:
                fams = [fam] + (self.near_families(fam) if typo_families else [])
                for f in fams:
                    full = self.by_full.get((f, given), ()) if given else ()
                    out.update(full)
                    if ini and not full:  # initials only, or a given name that may be misspelt
                        out |= self.by_initials.get((f, ini), set())
                        if not given or typo_families:
                            wide = self.by_first.get((f, ini[:1]), set())
                            if len(wide) <= max_wide:
                                out |= wide
        return out
