"""The true works of the demo institution: what was really published, by whom, from which unit.

Works are generated one at a time (:func:`generate_works` is a generator), so that 100,000 of them
never sit in memory together. A work's authors keep their true order; each author is one of our
people (with the unit they belonged to that year) or an outside person (with their institution,
sometimes a look-alike of ours). A few works come in pairs that must stay apart: a correction
("Correction: <title>") of an earlier work, and a conference paper followed by its journal version
under a nearly identical title.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace

from ir.demo.fields import FIELDS, Field
from ir.demo.institution import (
    EXTERNALS,
    HOST_LAB,
    LAB_HOST,
    LOOKALIKES,
    ORG_BY_ID,
    OUTSIDE_DEPTS,
    Institution,
    Org,
    People,
    Person,
)
from ir.demo.journals import Journal
from ir.demo.names import Name, random_chinese_name, random_western_name

YEARS = (2019, 2020, 2021, 2022, 2023, 2024)
UNIVERSITY_JOURNAL_SHARE = 0.2  # of Chinese papers in a field the university's journal covers
WESTERN_IN_CHINESE_PAPER = 0.1  # of Chinese papers whose team has a Western co-author: they keep one
CHINESE_CONFERENCE_VERSION = 0.04  # of Chinese journal articles: a conference paper came first
_YEAR_WEIGHTS = (0.13, 0.15, 0.16, 0.17, 0.19, 0.20)
ZH_SHARE = {"econ": 0.45, "lang": 0.45, "med": 0.35}
PROCEEDINGS_SHARE = {"cs": 0.22, "ee": 0.18, "mech": 0.12}
MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")


@dataclass(frozen=True, slots=True)
class Affil:
    kind: str  # "ours", "outside", "lookalike"
    org: Org | None = None
    inst: Institution | None = None
    dept: tuple[str, str, str] | None = None  # (English, WoS, 中文) of an outside department


@dataclass(slots=True)
class WorkAuthor:
    name: Name
    key: str  # the true author: a person_id, or "X…"/"L…" for outside people
    person: Person | None
    affils: list[Affil]
    corresponding: bool = False
    email: str | None = None
    orcid: str | None = None
    english_name: str = ""
    namesake_of: str = ""  # an outside person named exactly like this person_id of ours

    @property
    def ours(self) -> bool:
        return any(a.kind == "ours" for a in self.affils)

    def org_ids(self) -> list[str]:
        return [a.org.org_id for a in self.affils if a.kind == "ours"]


@dataclass(frozen=True, slots=True)
class Conference:
    name: str
    acronym: str
    date: str  # "JUN 12-14, 2021"
    location: str  # "Qingdao, PEOPLES R CHINA"
    sponsor: str
    proceedings: str  # the book's title ("Proceedings of the 12th ..."; WoS prints it in capitals)
    isbn: str
    publisher: tuple[str, str, str, str, str]


@dataclass(slots=True)
class Work:
    key: str
    idx: int
    doc_type: str  # article, review, proceedings paper, correction
    lang: str  # en, zh
    field: str
    title: str  # the original title, with <sub>/<sup> markup and Greek letters
    title_en: str  # the English title (a translation for Chinese works)
    year: int
    month: int
    journal: Journal | None
    conference: Conference | None
    volume: str
    issue: str
    first_page: str
    last_page: str
    article_no: str
    page_count: int
    doi: str
    authors: list[WorkAuthor]
    keywords: list[tuple[str, str]]
    abstract_en: str
    abstract_zh: str
    highly_cited: bool = False
    early_access_year: int | None = None
    related: str = ""  # key of the work this one corrects / extends
    relation: str = ""  # correction_of, journal_version_of
    extras: dict = field(default_factory=dict)

    @property
    def ours(self) -> bool:
        return any(a.ours for a in self.authors)

    @property
    def issn(self) -> str:
        return self.journal.issn if self.journal else ""


def work_key(idx: int) -> str:
    return f"W{idx + 1:06d}"


# ---- markup -----------------------------------------------------------------------------------------
_TAG = re.compile(r"</?(sub|sup)>")


def plain(text: str) -> str:
    """Markup removed: 'CO<sub>2</sub>' -> 'CO2'."""
    return _TAG.sub("", text)


def _cap(text: str) -> str:
    return text[0].upper() + text[1:] if text and "a" <= text[0] <= "z" else text


def _pair(entry: str) -> tuple[str, str]:
    en, zh = entry.split("|")
    return en, zh


_STUDIES = (("experimental", "实验"), ("numerical", "数值"), ("theoretical", "理论"), ("comparative", "对比"),
            ("systematic", "系统"), ("case", "案例"), ("pilot-scale", "中试"), ("multi-scale", "多尺度"),
            ("long-term", "长期"), ("field", "现场"))
_NOUNS = (("study", "研究"), ("investigation", "探究"), ("analysis", "分析"))


def make_title(f: Field, rng: random.Random, review: bool) -> tuple[str, str, list[tuple[str, str]]]:
    """(English title, Chinese title, keywords) saying the same thing in both languages."""
    obj, meth, goal, prop = (_pair(rng.choice(v)) for v in (f.objects, f.methods, f.goals, f.properties))
    if review:
        t = rng.randrange(2)
        en, zh = ((f"Recent advances in {obj[0]} for {goal[0]}", f"{obj[1]}在{goal[1]}中的研究进展"),
                  (f"{_cap(obj[0])} for {goal[0]}: a review", f"{obj[1]}用于{goal[1]}的研究综述"))[t]
    else:
        t = rng.randrange(7)
        en, zh = (
            (f"{_cap(meth[0])} of {obj[0]} for {goal[0]}", f"用于{goal[1]}的{obj[1]}{meth[1]}研究"),
            (f"Enhanced {prop[0]} of {obj[0]} via {meth[0]}", f"{meth[1]}提升{obj[1]}的{prop[1]}"),
            (f"Effect of {meth[0]} on the {prop[0]} of {obj[0]}", f"{meth[1]}对{obj[1]}{prop[1]}的影响"),
            (f"{_cap(obj[0])} with improved {prop[0]} for {goal[0]}", f"具有高{prop[1]}的{obj[1]}及其{goal[1]}应用"),
            (f"Insights into the {prop[0]} of {obj[0]} from {meth[0]}", f"基于{meth[1]}的{obj[1]}{prop[1]}研究"),
            (f"{_cap(goal[0])} using {obj[0]} based on {meth[0]}", f"基于{obj[1]}和{meth[1]}的{goal[1]}"),
            (f"{_cap(prop[0])} and {goal[0]} of {obj[0]}", f"{obj[1]}的{prop[1]}与{goal[1]}"),
        )[t]
        if rng.random() < 0.6:
            study, noun = rng.choice(_STUDIES), rng.choice(_NOUNS)
            en, zh = f"{en}: a {study[0]} {noun[0]}", f"{zh}:{study[1]}{noun[1]}"
    keywords = [(plain(obj[0]), plain(obj[1])), (plain(meth[0]), plain(meth[1])), (plain(goal[0]), plain(goal[1]))]
    return en, zh, keywords


def abstracts(title_en: str, keywords, rng: random.Random) -> tuple[str, str]:
    n = rng.randrange(12, 68)
    obj, meth, goal = keywords
    en = (f"{_cap(obj[0])} were studied by {meth[0]} with a view to {goal[0]}. "
          f"The results show an improvement of {n}% over the reference, and the mechanism is discussed.")
    zh = f"采用{meth[1]}研究了{obj[1]}在{goal[1]}中的应用。结果表明,相关性能较对照提高了{n}%,并探讨了其作用机理。"
    return en, zh


# ---- outside people ---------------------------------------------------------------------------------

NAMESAKE_SHARE = 0.05  # of the Chinese collaborators outside: named exactly like one of our people


class OutsidePeople:
    """Collaborators outside the institution, and the staff of look-alike institutions.

    A fixed pool, so that the same outside person recurs across works (as collaborators do). Some Chinese
    collaborators are namesakes of our people in the same field (王芳 at Tianjin University beside our
    王芳 in chemistry): on CNKI's organ list, which does not say whose each organ is, only other evidence
    tells them apart (``namesake_of`` keeps the truth).
    """

    def __init__(self, n: int, seed: int, ours: People | None = None):
        rng = random.Random(f"ir-demo-outside-{seed}")
        self.namesake_of: dict[str, str] = {}
        by_field: dict[str, list[Person]] = {}
        for p in (ours.persons if ours is not None else ()):
            if not p.name.western:
                by_field.setdefault(ORG_BY_ID[p.appointments[-1].org_id].field or "chem", []).append(p)
        twin_rng = random.Random(f"ir-demo-namesakes-{seed}")  # (the pool itself stays as it was)
        fields = list(FIELDS)
        chinese = [i for i in EXTERNALS if i.chinese]
        foreign = [i for i in EXTERNALS if not i.chinese]
        self.chinese: list[tuple[str, Name, Institution, str]] = []
        self.foreign: list[tuple[str, Name, Institution, str]] = []
        self.lookalike: list[tuple[str, Name, Institution, str]] = []
        for i in range(max(n, 40)):
            f = fields[i % len(fields)]
            r = rng.random()
            if r < 0.7:
                key, name = f"X{i + 1:06d}", random_chinese_name(rng)
                pool = by_field.get(f)
                if pool and twin_rng.random() < NAMESAKE_SHARE:
                    twin = pool[twin_rng.randrange(len(pool))]
                    name, self.namesake_of[key] = twin.name, twin.person_id
                self.chinese.append((key, name, rng.choice(chinese), f))
            elif r < 0.9:
                inst = rng.choice(foreign)
                nm = random_chinese_name(rng) if rng.random() < 0.35 else random_western_name(rng)
                self.foreign.append((f"X{i + 1:06d}", nm, inst, f))
            else:
                inst = LOOKALIKES[len(self.lookalike) % len(LOOKALIKES)]  # every look-alike has staff
                self.lookalike.append((f"L{i + 1:06d}", random_chinese_name(rng), inst, f))

    def pick(self, rng: random.Random, f: str, kind: str):
        pool = getattr(self, kind)
        # prefer people of the same field: probe a few entries, fall back to any
        for _ in range(4):
            cand = pool[rng.randrange(len(pool))]
            if cand[3] == f:
                return cand
        return pool[rng.randrange(len(pool))]


def _outside_author(entry, f: str, namesake_of: dict[str, str]) -> WorkAuthor:
    key, name, inst, _ = entry
    kind = "lookalike" if inst.lookalike else "outside"
    return WorkAuthor(name, key, None, [Affil(kind, inst=inst, dept=OUTSIDE_DEPTS[f])],
                      namesake_of=namesake_of.get(key, ""))


def _outside_email(a: WorkAuthor, rng: random.Random) -> str:
    inst = a.affils[0].inst
    domain = re.sub(r"[^a-z]", "", inst.wos.lower().replace("univ", "u"))[:10] + (
        ".edu.cn" if inst.chinese else ".edu")
    local = f"{a.name.given_en.lower()}.{a.name.family_en.lower()}" if rng.random() < 0.5 else \
        f"{a.name.family_en.lower()}{a.name.initials.lower()}"
    return re.sub(r"[^a-z0-9.@-]", "", f"{local}@{domain}")


# ---- the generator ----------------------------------------------------------------------------------

class WorkFactory:
    def __init__(self, people: People, journals: list[Journal], seed: int):
        self.people = people
        self.rng = random.Random(f"ir-demo-works-{seed}")
        self.outside = OutsidePeople(max(60, len(people) // 2), seed, people)
        self.journals_en: dict[str, list[Journal]] = {}
        self.journals_zh: dict[str, list[Journal]] = {}
        for j in journals:
            (self.journals_zh if j.lang == "zh" else self.journals_en).setdefault(j.field, []).append(j)
        self.titles: set[str] = set()
        self._consolidation_features(journals, seed)

    # -- what makes CNKI and Ei records of one Chinese paper hard to pair (own random draws) --
    def _consolidation_features(self, journals: list[Journal], seed: int) -> None:
        from ir.demo.journals import UNIVERSITY_JOURNALS

        self.rng_c = random.Random(f"ir-demo-works-consolidation-{seed}")
        self._pages_used: set[tuple] = set()  # (journal, year, issue, first page) of the papers so far
        by_key = {j.key: j for j in journals}
        self.university: dict[str, Journal] = {}
        for key, _zh, _en, fields, _ei in UNIVERSITY_JOURNALS:
            for f in fields:
                if key in by_key:
                    self.university[f] = by_key[key]

    def _first_page_free(self, w: Work) -> None:
        """Two papers never start on the same page of one issue: a page already taken moves on."""
        venue = w.journal.key if w.journal else w.conference.name
        start = int(w.first_page)
        while (venue, w.year, w.issue, start) in self._pages_used:
            start += self.rng_c.randrange(1, 30)
        self._pages_used.add((venue, w.year, w.issue, start))
        w.first_page, w.last_page = str(start), str(start + w.page_count - 1)

    def _university_journal(self, journal: Journal, fkey: str) -> Journal:
        """A share of Chinese papers appear in the university's own journal (an edition CNKI names, Ei omits)."""
        uj = self.university.get(fkey)
        return uj if uj is not None and self.rng_c.random() < UNIVERSITY_JOURNAL_SHARE else journal

    def _chinese_byline(self, authors: list[WorkAuthor]) -> list[WorkAuthor]:
        """Chinese-language papers rarely have Western co-authors; a few keep one (CNKI writes them given name
        first, Ei family name first)."""
        western = [a for a in authors if a.name.western]
        kept = [a for a in authors if not a.name.western]
        if western and kept and self.rng_c.random() < WESTERN_IN_CHINESE_PAPER:
            kept.insert(min(len(kept), 1 + self.rng_c.randrange(len(kept))), western[0])
        return kept or authors[:1]

    def chinese_conference_version(self, w: Work, idx: int) -> Work:
        """The paper a Chinese journal article grew out of, in a national conference's proceedings a year
        earlier (CNKI's conference database): the same title and authors, another work."""
        rng = self.rng_c
        year = w.year - 1
        f = FIELDS[w.field]
        n = year - 1990 + rng.randrange(1, 5)
        name = f"第{n}届全国{f.cas}学术会议"
        conf = Conference(name=name, acronym="", date=f"{year}-{rng.randrange(4, 12):02d}", location="中国",
                          sponsor="中国工程学会", proceedings=f"{name}论文集", isbn="", publisher=w.journal.publisher)
        c = replace(w, key=work_key(idx), idx=idx, doc_type="proceedings paper", year=year,
                    month=rng.randrange(1, 13), journal=None, conference=conf, volume="", issue="", first_page="",
                    last_page="", article_no="", doi="", early_access_year=None, highly_cited=False, related="",
                    relation="", extras={}, authors=[replace(a, affils=list(a.affils)) for a in w.authors])
        start = rng.randrange(1, 600)
        c.page_count = rng.randrange(4, 9)
        c.first_page, c.last_page = str(start), str(start + c.page_count - 1)
        w.related, w.relation = c.key, "journal_version_of"
        return c

    # -- authors --
    def _ours(self, p: Person, year: int) -> WorkAuthor:
        rng = self.rng
        org_id = p.org_in(year) or p.appointments[-1].org_id
        org = ORG_BY_ID[org_id]
        affils = [Affil("ours", org=org)]
        if org_id in HOST_LAB and rng.random() < 0.25:
            affils.insert(rng.randrange(2), Affil("ours", org=ORG_BY_ID[HOST_LAB[org_id]]))
        elif org_id in LAB_HOST and rng.random() < 0.6:
            affils.append(Affil("ours", org=ORG_BY_ID[LAB_HOST[org_id]]))
        if rng.random() < 0.05:  # a second, outside affiliation
            inst = rng.choice(EXTERNALS)
            affils.append(Affil("outside", inst=inst, dept=OUTSIDE_DEPTS[org.field or "chem"]))
        return WorkAuthor(p.name, p.person_id, p, affils, email=p.email, orcid=p.orcid, english_name=p.english_name)

    def _active(self, idx: int, year: int) -> bool:
        return self.people[idx].org_in(year) is not None

    def authors(self, year: int) -> tuple[list[WorkAuthor], str]:
        rng, people = self.rng, self.people
        faculty = people.faculty_by_year[year]
        pi = people[faculty[rng.randrange(len(faculty))]]
        org_id = pi.org_in(year)
        f = ORG_BY_ID[org_id].field or "chem"
        team: list[Person] = []
        students = [s for s in people.students_of.get(pi.idx, ()) if self._active(s, year)]
        rng.shuffle(students)
        team += [people[s] for s in students[: rng.choice((0, 1, 1, 2, 2, 3))]]
        postdocs = people.postdocs_by_org_year.get((org_id, year), ())
        if postdocs and rng.random() < 0.35:
            team.append(people[postdocs[rng.randrange(len(postdocs))]])
        members = people.members_by_org_year.get((org_id, year), ())
        if len(members) > 1 and rng.random() < 0.4:
            team.append(people[members[rng.randrange(len(members))]])
        if rng.random() < 0.1:  # a colleague from another unit
            other = people[faculty[rng.randrange(len(faculty))]]
            team.append(other)
        seen = {pi.idx}
        team = [p for p in team if not (p.idx in seen or seen.add(p.idx))]
        ours = [self._ours(p, year) for p in team]
        n_out = rng.choices((0, 1, 2, 3, 4, 6), (0.33, 0.25, 0.2, 0.12, 0.07, 0.03))[0]
        outside = []
        for _ in range(n_out):
            kind = rng.choices(("chinese", "foreign", "lookalike"), (0.72, 0.2, 0.08))[0]
            outside.append(_outside_author(self.outside.pick(rng, f, kind), f, self.outside.namesake_of))
        pi_author = self._ours(pi, year)
        middle = ours[1:] + outside
        rng.shuffle(middle)
        if ours and rng.random() < 0.75:
            byline = [ours[0]] + middle + [pi_author]
        else:
            byline = [pi_author] + ours + outside
        seen_keys: set[str] = set()
        byline = [a for a in byline if not (a.key in seen_keys or seen_keys.add(a.key))]
        corr = [a for a in byline if a.key == pi.person_id]
        if outside and rng.random() < 0.08:
            corr = [rng.choice([a for a in byline if not a.ours] or byline)]
        elif rng.random() < 0.2 and byline[0] not in corr:
            corr.append(byline[0])
        for a in corr:
            a.corresponding = True
            if not a.email:
                a.email = _outside_email(a, rng) if a.person is None else f"{a.name.family_en.lower()}{year}@163.com"
        return byline, f

    def lookalike_authors(self) -> tuple[list[WorkAuthor], str]:
        """A work of a look-alike institution only: found by a sloppy search, never ours."""
        rng = self.rng
        first = self.outside.pick(rng, rng.choice(list(FIELDS)), "lookalike")
        f = first[3]
        byline = [_outside_author(first, f, self.outside.namesake_of)]
        for _ in range(rng.randrange(1, 5)):
            kind = "lookalike" if rng.random() < 0.6 else "chinese"
            byline.append(_outside_author(self.outside.pick(rng, f, kind), f, self.outside.namesake_of))
        seen: set[str] = set()
        byline = [a for a in byline if not (a.key in seen or seen.add(a.key))]
        byline[-1].corresponding = True
        byline[-1].email = _outside_email(byline[-1], rng)
        return byline, f

    # -- titles, venues --
    def title(self, f: Field, review: bool) -> tuple[str, str, list]:
        for attempt in range(12):
            en, zh, kw = make_title(f, self.rng, review)
            if attempt == 11:
                en, zh = f"{en} (II)", f"{zh}(Ⅱ)"
            if en.casefold() not in self.titles:
                self.titles.add(en.casefold())
                return en, zh, kw
        return en, zh, kw

    def pages(self, w: Work, n_pages: int | None = None) -> None:
        rng, j = self.rng, w.journal
        n = n_pages or rng.randrange(6, 16)
        w.page_count = n
        if j is not None and j.article_numbers:
            w.article_no = str(rng.randrange(100000, 160000)) if j.publisher[3] == "10.1016" else str(rng.randrange(1, 9000))
            return
        start = rng.randrange(1, 250) + (int(w.issue) - 1) * 250 if w.issue else rng.randrange(1, 2000)
        w.first_page, w.last_page = str(start), str(start + n - 1)
        self._first_page_free(w)

    def doi(self, w: Work) -> str:
        rng = self.rng
        num = (w.idx * 7919 + 12345) % 900000 + 100000
        yy = w.year % 100
        if w.conference is not None:
            pub = w.conference.publisher[3]
            if pub == "10.1109":
                return f"10.1109/{w.conference.acronym}{w.year}.{num:07d}"
            return f"10.1007/978-3-031-{num % 100000:05d}-{rng.randrange(10)}_{rng.randrange(1, 60)}"
        j = w.journal
        prefix, code = j.publisher[3], j.code
        if prefix == "10.1016":
            return f"10.1016/j.{code}.{w.year}.{num}"
        if prefix == "10.1007":
            return f"10.1007/s{10000 + int(j.issn[:4]):05d}-0{yy}-{num}-{rng.randrange(10)}"
        if prefix == "10.1002":
            return f"10.1002/{code}.{w.year}{num}"
        if prefix == "10.1021":
            return f"10.1021/acs.{code}.{yy % 10}c{num}"
        if prefix == "10.1039":
            return f"10.1039/d{yy % 10}{code[:2]}{num}{rng.choice('abcdefgh')}"
        if prefix == "10.1109":
            return f"10.1109/{code.upper()}.{w.year}.{num:07d}"
        if prefix == "10.1080":
            return f"10.1080/{j.issn.replace('-', '')}.{w.year}.{num:07d}"
        if prefix == "10.3390":
            return f"10.3390/{code}{w.volume}{int(w.issue or 1):02d}{num}"
        return f"{prefix}/j.issn.{j.issn}.{w.year}.{int(w.issue or 1):02d}.{num}"

    def conference(self, f: Field, year: int) -> Conference:
        rng = self.rng
        topic = rng.choice(f.journal_topics)
        acr = "IC" + "".join(w[0] for w in topic.split() if w[0].isupper())
        n = year - 2000 + rng.randrange(1, 9)
        place = rng.choice((("Qingdao", "PEOPLES R CHINA"), ("Singapore", "SINGAPORE"), ("Kyoto", "JAPAN"),
                            ("Hangzhou", "PEOPLES R CHINA"), ("Munich", "GERMANY"), ("Virtual", "ONLINE")))
        month = rng.randrange(4, 12)
        day = rng.randrange(1, 25)
        ieee = f.key in ("cs", "ee") or rng.random() < 0.5
        pub = ("IEEE", "NEW YORK", "345 E 47TH ST, NEW YORK, NY 10017 USA", "10.1109",
               "Institute of Electrical and Electronics Engineers Inc.") if ieee else \
            ("SPRINGER INTERNATIONAL PUBLISHING AG", "CHAM", "GEWERBESTRASSE 11, CHAM, CH-6330, SWITZERLAND", "10.1007",
             "Springer Science and Business Media Deutschland GmbH")
        name = f"{n}th International Conference on {topic} ({acr})"
        return Conference(
            name=name, acronym=acr, date=f"{MONTHS[month - 1]} {day:02d}-{day + 2:02d}, {year}",
            location=f"{place[0]}, {place[1]}", sponsor=rng.choice(("IEEE", "Chinese Society of Engineering",
                                                                    "Huanghai University of Technology")),
            proceedings=f"{year} {name}" if ieee else f"Proceedings of the {name}",
            isbn=make_isbn(rng), publisher=pub)

    # -- works --
    def work(self, idx: int) -> Work:
        rng = self.rng
        year = rng.choices(YEARS, _YEAR_WEIGHTS)[0]
        if rng.random() < 0.035:
            authors, fkey = self.lookalike_authors()
        else:
            authors, fkey = self.authors(year)
        f = FIELDS[fkey]
        lang = "zh" if rng.random() < ZH_SHARE.get(fkey, 0.18) else "en"
        proceedings = lang == "en" and rng.random() < PROCEEDINGS_SHARE.get(fkey, 0.04)
        review = not proceedings and rng.random() < 0.08
        doc_type = "proceedings paper" if proceedings else "review" if review else "article"
        en, zh, kw = self.title(f, review)
        month = rng.randrange(1, 13)
        journal = conference = None
        if proceedings:
            conference = self.conference(f, year)
        elif lang == "zh":
            journal = self._university_journal(rng.choice(self.journals_zh[fkey]), fkey)
        else:
            pool = self.journals_en[fkey]
            cn = [j for j in pool if j.chinese]
            journal = cn[0] if cn and rng.random() < 0.15 else rng.choice([j for j in pool if not j.chinese])
        if lang == "zh" and len(authors) > 1:
            authors = self._chinese_byline(authors)
        ab_en, ab_zh = abstracts(en, kw, rng)
        w = Work(key=work_key(idx), idx=idx, doc_type=doc_type, lang=lang, field=fkey,
                 title=zh if lang == "zh" else en, title_en=en, year=year, month=month, journal=journal,
                 conference=conference, volume="", issue="", first_page="", last_page="", article_no="",
                 page_count=0, doi="", authors=authors, keywords=kw, abstract_en=ab_en, abstract_zh=ab_zh)
        if journal is not None:
            w.volume = str(journal.volume(year))
            w.issue = str(min(journal.issues, (month - 1) * journal.issues // 12 + 1))
        self.pages(w)
        if rng.random() < (0.9 if lang == "en" else 0.55):
            w.doi = self.doi(w)
        if journal is not None and lang == "en" and rng.random() < 0.15:
            w.early_access_year = year - 1 if month <= 6 else year
        w.highly_cited = (doc_type in ("article", "review") and lang == "en" and year <= 2022
                          and journal is not None and journal.quartile == 1 and rng.random() < 0.12)
        return w

    def correction(self, w: Work, idx: int) -> Work:
        """'Correction: <title>' — a different work that names the one it corrects."""
        rng = self.rng
        year = min(2024, w.year + rng.choice((0, 0, 1)))
        c = replace(w, key=work_key(idx), idx=idx, doc_type="correction", title=f"Correction: {w.title}",
                    title_en=f"Correction: {w.title_en}", year=year, month=min(12, w.month + 2),
                    authors=[replace(a, affils=list(a.affils)) for a in w.authors], abstract_en="", abstract_zh="",
                    keywords=[], highly_cited=False, early_access_year=None, related=w.key, relation="correction_of",
                    doi="", extras={})
        c.volume = str(w.journal.volume(year))
        c.issue = str(min(w.journal.issues, (c.month - 1) * w.journal.issues // 12 + 1))
        self.pages(c, n_pages=1)
        c.doi = self.doi(c) if rng.random() < 0.95 else ""
        return c

    def journal_version(self, p: Work, idx: int) -> Work:
        """The journal paper that grew out of a conference paper: nearly the same title, a different work."""
        rng = self.rng
        year = min(2024, p.year + 1)
        title = _near_title(p.title_en, rng)
        self.titles.add(title.casefold())
        journal = rng.choice([j for j in self.journals_en[p.field] if not j.chinese])
        authors = [replace(a, affils=list(a.affils), corresponding=a.corresponding) for a in p.authors]
        j = Work(key=work_key(idx), idx=idx, doc_type="article", lang="en", field=p.field, title=title,
                 title_en=title, year=year, month=rng.randrange(1, 13), journal=journal, conference=None,
                 volume=str(journal.volume(year)), issue="", first_page="", last_page="", article_no="",
                 page_count=0, doi="", authors=authors, keywords=p.keywords, abstract_en=p.abstract_en,
                 abstract_zh=p.abstract_zh, related=p.key, relation="journal_version_of")
        j.issue = str(min(journal.issues, (j.month - 1) * journal.issues // 12 + 1))
        self.pages(j)
        j.doi = self.doi(j)
        return j


def _near_title(title: str, rng: random.Random) -> str:
    options = [
        lambda t: t.replace(" for ", " towards ", 1) if " for " in t else t + " revisited",
        lambda t: t.replace(" via ", " through ", 1) if " via " in t else "An extended study of " + t[0].lower() + t[1:],
        lambda t: t.split(": ")[0] if ": " in t else t + ": extended results",
        lambda t: "Improved " + t[0].lower() + t[1:],
    ]
    out = rng.choice(options)(title)
    return out if out != title else title + " (extended version)"


def make_isbn(rng: random.Random) -> str:
    body = "978" + str(rng.choice((1, 3))) + "".join(str(rng.randrange(10)) for _ in range(8))
    total = sum(int(d) * (1 if i % 2 == 0 else 3) for i, d in enumerate(body))
    check = (10 - total % 10) % 10
    return f"{body[:3]}-{body[3]}-{body[4:8]}-{body[8:12]}-{check}"


def generate_works(n: int, people: People, journals: list[Journal], seed: int) -> Iterator[Work]:
    """``n`` true works, one at a time; corrections and journal versions follow their originals."""
    factory = WorkFactory(people, journals, seed)
    rng = factory.rng
    idx = 0
    while idx < n:
        w = factory.work(idx)
        idx += 1
        # a Chinese article with its earlier version in CNKI's conference database
        conference = factory.chinese_conference_version(w, idx) if idx < n and w.lang == "zh" \
            and w.doc_type == "article" and factory.rng_c.random() < CHINESE_CONFERENCE_VERSION else None
        yield w
        if conference is not None:
            yield conference
            idx += 1
        if idx < n and w.journal is not None and w.lang == "en" and w.doc_type in ("article", "review") \
                and rng.random() < 0.025:
            yield factory.correction(w, idx)
            idx += 1
        if idx < n and w.doc_type == "proceedings paper" and rng.random() < 0.3:
            yield factory.journal_version(w, idx)
            idx += 1
