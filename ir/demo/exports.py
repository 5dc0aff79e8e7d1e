"""Export files written from the true works, with the noise real databases add, and the truth beside them.

Each true work goes to one to three sources — Web of Science plain text, Engineering Village plain text,
CNKI E-Study — as its language, venue and indexing decide. Every source prints names, addresses and
titles its own way, and then some more: initials and hyphens, Chinese and abbreviated addresses,
former unit names, typos (in titles, names, and the institution's name in addresses, where the reprint
line usually spells it right), missing DOIs, early-access years, abbreviated page ranges, Greek letters
spelled out, HTML entities, the same work twice in one source (a Compendex and an Inspec record; a
CNKI online-first and final record). The truth (``truth/records.csv``, ``truth/authorships.csv``,
``truth/works.csv``) says which work and which person every record and byline position really is;
``truth/noise.csv`` names the byline positions that noise made hard: an ``address_typo`` in the
author's address, an ``outside_namesake`` (an outside author named like one of our people).
"""

from __future__ import annotations

import csv
import heapq
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from ir.demo.fields import FIELDS
from ir.demo.institution import (
    CITY_EN,
    CITY_ZH,
    PROVINCE_ZH,
    STREET_EN,
    UNIVERSITY_EN,
    UNIVERSITY_FORMER_EN,
    UNIVERSITY_FORMER_WOS,
    UNIVERSITY_FORMER_ZH,
    UNIVERSITY_WOS,
    UNIVERSITY_ZH,
    org_path,
)
from ir.demo.names import (
    Name,
    dotted_initials,
    forename_first,
    lu_forms,
    typo,
    upper_family,
    wos_abbrev,
    wos_full,
)
from ir.demo.works import MONTHS, Affil, Work, WorkAuthor, plain

MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
               "November", "December")
_GREEK = {"α": "alpha", "β": "beta", "γ": "gamma", "δ": "delta"}
_INSPEC_WORDS = {
    "School": "Sch.", "Chemical": "Chem.", "Engineering": "Eng.", "University": "Univ.", "Technology": "Technol.",
    "Science": "Sci.", "Sciences": "Sci.", "Materials": "Mater.", "Department": "Dept.", "Laboratory": "Lab.",
    "Mechanical": "Mech.", "Electrical": "Electr.", "Computer": "Comput.", "Environmental": "Environ.",
    "Marine": "Mar.", "Economics": "Econ.", "Management": "Manage.", "Mathematics": "Math.", "Physical": "Phys.",
    "College": "Coll.", "Institute": "Inst.", "and": "&", "of": "of",
}
WOS_EDITIONS = {"SCIE": "Science Citation Index Expanded (SCI-EXPANDED)", "SSCI": "Social Science Citation Index (SSCI)",
                "ESCI": "Emerging Sources Citation Index (ESCI)",
                "CPCI-S": "Conference Proceedings Citation Index - Science (CPCI-S)"}
EXPORT_DATE = "2025-03-01"


# ---- titles --------------------------------------------------------------------------------------------

def title_wos(t: str, rng: random.Random) -> str:
    t = plain(t)
    if rng.random() < 0.15:
        for g, n in _GREEK.items():
            t = t.replace(g, n)
    if rng.random() < 0.01:
        t = typo(t, rng)
    if rng.random() < 0.02:
        t = t.upper()
    return t


def title_ei(t: str, rng: random.Random) -> str:
    t = t.replace("<sub>", "<inf>").replace("</sub>", "</inf>")
    if rng.random() < 0.1:
        for g, n in _GREEK.items():
            t = t.replace(g, f"&{n};")
    if rng.random() < 0.1:  # Title Case
        t = " ".join(w[:1].upper() + w[1:] if w.lower() not in ("of", "and", "for", "the", "on", "in", "a") else w
                     for w in t.split(" "))
    if rng.random() < 0.01:
        t = typo(t, rng)
    return t


def title_cnki(t: str, rng: random.Random) -> str:
    """CNKI writes subscripts '_2' and superscripts '~+' / '~(3+)'."""
    out, i = [], 0
    while i < len(t):
        if t.startswith("<sub>", i):
            j = t.index("</sub>", i)
            out.append("_" + t[i + 5:j])
            i = j + 6
        elif t.startswith("<sup>", i):
            j = t.index("</sup>", i)
            inner = t[i + 5:j]
            out.append("~" + (inner if len(inner) == 1 else f"({inner})"))
            i = j + 6
        else:
            out.append(t[i])
            i += 1
    t = "".join(out)
    if rng.random() < 0.01 and t.isascii():
        t = typo(t, rng)
    return t


def _upper_first(text: str) -> str:
    return text[:1].upper() + text[1:]


# ---- names ---------------------------------------------------------------------------------------------

def _family_variant(name: Name, rng: random.Random) -> Name:
    """吕 as Lv/Lu/Lyu; 欧阳 as Ouyang / Ou-Yang."""
    forms = lu_forms(name)
    if len(forms) > 1:
        fam = rng.choice(forms)
        return Name(name.zh, (fam,), name.given)
    if len(name.family) > 1 and rng.random() < 0.25:
        return Name(name.zh, (f"{name.family[0]}-{name.family[1].capitalize()}",), name.given)
    return name


def names_wos(a: WorkAuthor, rng: random.Random) -> tuple[str, str]:
    """(AU, AF)."""
    name = _family_variant(a.name, rng)
    if a.english_name and rng.random() < 0.3:
        return f"{name.family_en}, {a.english_name[0]}", f"{name.family_en}, {a.english_name}"
    style = rng.choices(("plain", "hyphen", "lowerhyphen", "spaced"), (0.72, 0.16, 0.08, 0.04))[0]
    au, af = wos_abbrev(name, style), wos_full(name, style)
    if rng.random() < 0.007:
        fam, _, given = af.partition(", ")
        af = f"{fam}, {typo(given, rng)}" if len(given) > 2 else af
    return au, af


def name_ei(a: WorkAuthor, rng: random.Random) -> str:
    name = _family_variant(a.name, rng)
    r = rng.random()
    if name.western:
        return name.full_inverted()
    if r < 0.74:
        out = f"{name.family_en}, {name.given_en}"
    elif r < 0.86:
        out = f"{name.family_en}, {name.given_hyphen}" if len(name.given) > 1 else f"{name.family_en}, {name.given_en}"
    elif r < 0.92:
        out = f"{name.family_en}, {'.'.join(name.initials)}."
    elif r < 0.96:
        out = f"{name.family_en.upper()}, {name.given_en}"
    else:
        out = forename_first(name)  # a reversed byline: 'Wei Zhang'
    if rng.random() < 0.005:
        out = typo(out, rng)
    return out


def name_cnki_en(a: WorkAuthor, rng: random.Random) -> str:
    name = _family_variant(a.name, rng)
    if name.western:
        return f"{name.given_en} {name.family_en}"
    r = rng.random()
    if r < 0.4:
        return forename_first(name, hyphen=rng.random() < 0.3)
    if r < 0.65:
        return upper_family(name, hyphen=rng.random() < 0.5)
    if r < 0.8:
        return dotted_initials(name)
    return name.canonical_en


def name_cnki_zh(a: WorkAuthor, rng: random.Random) -> str:
    if a.name.western:
        return f"{a.name.given_en} {a.name.family_en}"
    return a.name.zh


# ---- addresses -----------------------------------------------------------------------------------------

ADDRESS_TYPO = {"wos": 0.02, "rp": 0.005, "ei": 0.02}  # per address of ours: a slip in the institution's name


def address_slip(text: str, rng: random.Random) -> str:
    """One slip of the keyboard in the institution's name in an address: two letters swapped, one
    dropped or doubled ("Huanghai nUiv Technol", "Huanghai Univ Tecnol", "Huanghaai Univ Technol")."""
    target = next((u for u in (UNIVERSITY_WOS, UNIVERSITY_EN, UNIVERSITY_FORMER_WOS, UNIVERSITY_FORMER_EN)
                   if u in text), text.split(", ")[0])
    if rng.random() < 0.25:
        i = rng.choice([i for i, ch in enumerate(target) if ch.isalpha()])
        slipped = target[:i + 1] + target[i] + target[i + 1:]
    else:
        slipped = typo(target, rng)
    return text.replace(target, slipped, 1)

def _aff_key(a: Affil) -> tuple:
    return (a.kind, a.org.org_id if a.org else a.inst.key, a.dept)


def addr_wos(a: Affil, rng: random.Random) -> str:
    if a.kind != "ours":
        inst, dept = a.inst, a.dept[1]
        if inst.country_wos == "USA":
            return f"{inst.wos}, {dept}, {inst.city} {inst.postcode} USA"
        return f"{inst.wos}, {dept}, {inst.city} {inst.postcode}, {inst.country_wos}"
    path = org_path(a.org)
    units = []
    for o in path:
        u = o.wos
        if o.former_wos and rng.random() < 0.08:
            u = o.former_wos
        elif u.startswith("Sch ") and rng.random() < 0.05:
            u = "Coll " + u[4:]
        units.append(u)
    tail = f"{CITY_EN} {a.org.postcode}, Peoples R China"
    top = path[0]
    if top.kind == "hospital" and rng.random() < 0.3:
        return ", ".join([top.alias_wos] + units[1:] + [tail])
    if top.kind == "lab" and rng.random() < 0.35:
        return ", ".join(units + [tail])
    uni = UNIVERSITY_FORMER_WOS if rng.random() < 0.01 else UNIVERSITY_WOS
    if rng.random() < 0.04:
        units = []
    parts = [uni] + units
    if rng.random() < 0.1:
        parts.append(STREET_EN)
    return ", ".join(parts + [tail])


def addr_ei(a: Affil, rng: random.Random) -> str:
    if a.kind != "ours":
        inst = a.inst
        return f"{a.dept[0]}, {inst.name_en}, {inst.city}; {inst.postcode}, {inst.country_en}"
    path = org_path(a.org)
    units = []
    for o in reversed(path):
        u = o.name_en
        r = rng.random()
        if o.former_en and r < 0.06:
            u = o.former_en
        elif o.alt_en and r < 0.16 and o.kind != "hospital":
            u = o.alt_en
        units.append(u)
    top = path[0]
    if top.kind == "hospital" and rng.random() < 0.3:
        units[-1] = top.alias_en
        uni = []
    elif top.kind == "lab" and rng.random() < 0.3:
        uni = []
    elif top.kind == "hospital":
        uni = []  # the hospital's English name already names the university
    else:
        uni = [UNIVERSITY_FORMER_EN if rng.random() < 0.01 else UNIVERSITY_EN]
    if rng.random() < 0.12:
        return ", ".join(uni + units[::-1] + [f"{CITY_EN}, China"])
    return ", ".join(units + uni) + f", {CITY_EN}; {a.org.postcode}, China"


def inspec_style(addr: str) -> str:
    """'School of Chemical Engineering, ...' -> 'Sch. of Chem. Eng., ...' as Inspec abbreviates."""
    head = addr.split(";")[0]
    return " ".join(_INSPEC_WORDS.get(w.rstrip(","), w.rstrip(",")) + ("," if w.endswith(",") else "")
                    for w in head.split(" ")) + ", China" * ("China" in addr and "China" not in head)


def organ_cnki(a: Affil, rng: random.Random) -> str:
    if a.kind != "ours":
        inst = a.inst
        return inst.name_zh + (a.dept[2] if inst.chinese else "")
    path = org_path(a.org)
    top = path[0]
    units = []
    for o in path:
        r = rng.random()
        if o.former_zh and r < 0.07:
            units.append(o.former_zh)
        elif o.short_zh and r < 0.32 and o.kind not in ("hospital", "lab"):
            units.append(o.short_zh)
        else:
            units.append(o.name_zh)
    if top.kind == "hospital":
        out = (top.alias_zh + "".join(units[1:])) if rng.random() < 0.3 else "".join(units)
    elif top.kind == "lab" and rng.random() < 0.4:
        out = units[0] + ("(黄海理工大学)" if rng.random() < 0.5 else "")
    elif rng.random() < 0.04:
        out = UNIVERSITY_ZH
    else:
        uni = UNIVERSITY_FORMER_ZH if rng.random() < 0.01 else UNIVERSITY_ZH
        out = uni + "".join(units)
    if rng.random() < 0.25:
        out += f",{PROVINCE_ZH}{CITY_ZH}{a.org.postcode}"
    return out


# ---- the writers ---------------------------------------------------------------------------------------

Render = Callable[[int], tuple[str, str]]  # record number in file -> (text, source_id)


@dataclass(order=True)
class _Pending:
    due: int
    seq: int
    render: Render = field(compare=False)
    truth: Callable[[str], None] = field(compare=False)


class SourceWriter:
    """Writes one source's records into files of at most ``cap`` records, rotating as real exports do."""

    def __init__(self, folder: Path, stem: str, ext: str, cap: int, rng: random.Random,
                 header: str = "", footer: str = "", encodings: Callable[[int], tuple[str, str | None]] = None):
        self.folder, self.stem, self.ext = folder, stem, ext
        self.cap, self.rng = cap, rng
        self.header, self.footer = header, footer
        self.encodings = encodings or (lambda n: ("utf-8", None))
        self.fh: TextIO | None = None
        self.files: list[Path] = []
        self.in_file = 0
        self.limit = 0
        self.records = 0
        self.pending: list[_Pending] = []
        self.seq = 0

    @property
    def current(self) -> Path:
        return self.files[-1]

    def _open(self) -> None:
        n = len(self.files) + 1
        path = self.folder / f"{self.stem}-{n:03d}.{self.ext}"
        encoding, newline = self.encodings(n)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.fh = path.open("w", encoding=encoding, newline=newline)
        self.files.append(path)
        self.fh.write(self.header)
        self.in_file = 0
        self.limit = self.rng.randint(max(1, self.cap // 2), self.cap)

    def _close(self) -> None:
        if self.fh is not None:
            self.fh.write(self.footer)
            self.fh.close()
            self.fh = None

    def _write(self, render: Render, truth: Callable[[str, Path, int], None]) -> None:
        if self.fh is None:
            self._open()
        self.in_file += 1
        self.records += 1
        text, source_id = render(self.in_file)
        self.fh.write(text)
        truth(source_id, self.current, self.in_file)
        if self.in_file >= self.limit:
            self._close()

    def add(self, render: Render, truth, delay: int = 0) -> None:
        if delay:
            self.seq += 1
            heapq.heappush(self.pending, _Pending(self.records + delay, self.seq, render, truth))
            return
        self._write(render, truth)
        while self.pending and self.pending[0].due <= self.records:
            p = heapq.heappop(self.pending)
            self._write(p.render, p.truth)

    def close(self) -> None:
        while self.pending:
            p = heapq.heappop(self.pending)
            self._write(p.render, p.truth)
        self._close()


class Truth:
    def __init__(self, folder: Path, root: Path):
        folder.mkdir(parents=True, exist_ok=True)
        self.root = root
        self._fhs = []

        def open_csv(name: str, header: list[str]):
            fh = (folder / name).open("w", encoding="utf-8", newline="")
            self._fhs.append(fh)
            w = csv.writer(fh, lineterminator="\n")
            w.writerow(header)
            return w

        self.records = open_csv("records.csv", ["source", "source_id", "work_key", "file", "record_no", "kind"])
        self.authorships = open_csv("authorships.csv", ["source", "source_id", "position", "person_id", "org_id",
                                                        "is_ours", "author_key"])
        self.noise_csv = open_csv("noise.csv", ["source", "source_id", "position", "kind", "detail"])
        self.works = open_csv("works.csv", ["work_key", "title", "year", "doi", "doc_type", "journal_issn",
                                            "title_en", "language", "journal_title", "related_work_key", "relation",
                                            "highly_cited", "ours"])

    def work(self, w: Work) -> None:
        j = w.journal
        self.works.writerow([w.key, w.title, w.year, w.doi, w.doc_type, w.issn, w.title_en, w.lang,
                             j.title if j else (w.conference.proceedings if w.conference else ""), w.related,
                             w.relation, int(w.highly_cited), int(w.ours)])

    def record(self, source: str, w: Work, kind: str, noise: list[tuple[int, str, str]] | None = None
               ) -> Callable[[str, Path, int], None]:
        """``noise``: filled by the record's rendering, just before this is called: (position, kind, detail)."""
        def write(source_id: str, path: Path, record_no: int) -> None:
            self.records.writerow([source, source_id, w.key, path.relative_to(self.root).as_posix(), record_no, kind])
            for pos, a in enumerate(w.authors, 1):
                self.authorships.writerow([source, source_id, pos, a.person.person_id if a.person else "",
                                           "|".join(a.org_ids()), int(a.ours), a.key])
                if a.namesake_of:
                    self.noise_csv.writerow([source, source_id, pos, "outside_namesake", a.namesake_of])
            for pos, what, detail in noise or ():
                self.noise_csv.writerow([source, source_id, pos, what, detail])
        return write

    def close(self) -> None:
        for fh in self._fhs:
            fh.close()


# ---- records -------------------------------------------------------------------------------------------

def _field(tag: str, values: list[str] | str) -> str:
    """A WoS field: the tag, then one value per line, continuation lines indented three spaces."""
    if isinstance(values, str):
        values = [values]
    values = [v for v in values if v]
    if not values:
        return ""
    return f"{tag} {values[0]}\n" + "".join(f"   {v}\n" for v in values[1:])


def _wrap(text: str, width: int = 76) -> list[str]:
    words, lines, cur = text.split(" "), [], ""
    for w in words:
        if cur and len(cur) + 1 + len(w) > width:
            lines.append(cur)
            cur = w
        else:
            cur = f"{cur} {w}" if cur else w
    if cur:
        lines.append(cur)
    return lines


@dataclass
class Noise:
    """The per-record decisions that are shared with other sources of the same work."""

    drop_doi: str = ""  # the source that lost the DOI


# ---- what makes CNKI and Ei records of one Chinese paper hard to pair ------------------------------------

CNKI_ENDNOTE_SHARE = 0.3  # of CNKI journal records: exported as EndNote, with the English title (%Q)


class _CnkiExports:
    """CNKI's exports: E-Study text, and EndNote for a share of the journal papers (one writer to the rest)."""

    def __init__(self, estudy: SourceWriter, endnote: SourceWriter):
        self.estudy, self.endnote = estudy, endnote

    @property
    def records(self) -> int:
        return self.estudy.records + self.endnote.records

    @property
    def files(self) -> list[Path]:
        return self.estudy.files + self.endnote.files

    def add(self, render: Render, truth, delay: int = 0) -> None:
        self.estudy.add(render, truth, delay)

    def close(self) -> None:
        self.estudy.close()
        self.endnote.close()


class _ConsolidationFeatures:
    """Exporter methods for the features of CNKI and Ei records of one Chinese paper: the English title in
    CNKI's EndNote export, CNKI's conference database. Their own random draws leave every other record as it was."""

    def _consolidation_features(self, exports: Path, cap: int, seed: int) -> None:
        self.rng_c = random.Random(f"ir-demo-exports-consolidation-{seed}")
        self.cnki = _CnkiExports(self.cnki, SourceWriter(exports / "cnki", "CNKI-EndNote", "txt", cap, self.rng_c))
        self.cnki_endnote_works: set[str] = set()
        self.cnki_conference_ids = 0

    def cnki_writer(self, w: Work) -> SourceWriter:
        """The export a CNKI journal record goes to: E-Study, or EndNote (which carries the English title)."""
        if w.conference is None and self.rng_c.random() < CNKI_ENDNOTE_SHARE:
            self.cnki_endnote_works.add(w.key)
            return self.cnki.endnote
        return self.cnki.estudy

    def cnki_endnote_text(self, w: Work, authors: list[str], organs: list[str], summary: str, file_name: str,
                          db: str) -> str:
        """CNKI's EndNote export of a journal paper: one author a line, the organs in one line, the issue as '09',
        the translated English title of a Chinese paper in %Q."""
        j, zh = w.journal, w.lang == "zh"
        lines = ["%0 Journal Article", *(f"%A {a}" for a in authors), "%+ " + "".join(f"{o};" for o in organs),
                 f"%T {title_cnki(w.title if zh else w.title_en, self.rng_c)}"]
        if zh:
            lines.append(f"%Q {plain(w.title_en)}")
        lines += [f"%J {j.title}", f"%D {w.year}"]
        if w.volume and self.rng_c.random() < 0.5:
            lines.append(f"%V {w.volume}")
        lines += [f"%N {int(w.issue or 1):02d}", "%K " + ";;".join(k[1] if zh else k[0] for k in w.keywords),
                  f"%X {summary}", f"%P {w.first_page}-{w.last_page}" if w.first_page else f"%P 1-{w.page_count}",
                  f"%@ {j.issn}", f"%L {j.cn}", "%W CNKI",
                  f"%U https://kns.cnki.net/kcms/detail/detail.aspx?FileName={file_name}&DbName={db}"]
        return "\n".join(x for x in lines if x.strip() not in ("%+", "%K")) + "\n\n"

    def cnki_conference_record(self, w: Work) -> tuple[str, str]:
        """A paper of a Chinese national conference, from CNKI's conference database (SrcDatabase 中国会议)."""
        rng = self.rng_c
        conf = w.conference
        self.cnki_conference_ids += 1
        file_name = f"ZGHY{w.year}{self.cnki_conference_ids:05d}"
        organs = list(dict.fromkeys(organ_cnki(aff, rng) for a in w.authors for aff in a.affils))
        lines = ["DataType: 1", f"Title-题名: {title_cnki(w.title, rng)}",
                 "Author-作者: " + "".join(f"{name_cnki_zh(a, rng)};" for a in w.authors),
                 f"Source-刊名: {conf.proceedings}", f"Meeting-会议名称: {conf.name}", f"Year-年: {w.year}",
                 f"PubTime-出版时间: {conf.date}-{rng.randrange(1, 28):02d}",
                 "Keyword-关键词: " + ";".join(k[1] for k in w.keywords), f"Summary-摘要: {w.abstract_zh}",
                 f"PageCount-页数: {w.page_count}", f"Page-页码: {w.first_page}-{w.last_page}",
                 "SrcDatabase-来源库: 中国会议", "Organ-机构: " + "".join(f"{o};" for o in organs),
                 f"Link-链接: https://kns.cnki.net/kcms/detail/detail.aspx?FileName={file_name}&DbName=CPFDLAST{w.year}"]
        return "\n".join(lines) + "\n", file_name


class Exporter(_ConsolidationFeatures):
    def __init__(self, out: Path, cap: int, seed: int):
        self.rng = random.Random(f"ir-demo-exports-{seed}")
        rng = self.rng
        exports = out / "exports"
        self.truth = Truth(out / "truth", out)
        self.wos = SourceWriter(exports / "wos", "savedrecs", "txt", cap, rng,
                                header="FN Clarivate Analytics Web of Science\nVR 1.0\n", footer="EF\n",
                                encodings=lambda n: ("utf-8-sig", None))
        self.ei = SourceWriter(exports / "ei", "ev-export", "txt", cap, rng,
                               encodings=lambda n: ("utf-8", "\r\n" if n == 1 else None))
        self.cnki = SourceWriter(exports / "cnki", "CNKI", "txt", cap, rng,
                                 encodings=lambda n: ("gb18030" if n == 1 else "utf-8", None))
        self.wos_ids = 0
        self.ei_ids = 0
        self.inspec_ids = 0
        self.cnki_seq: dict[tuple, int] = {}
        self.duplicates = {"wos": 0, "ei": 0, "cnki": 0}
        self.noise: list[tuple[int, str, str]] = []  # the record being rendered: (position, kind, detail)
        self._consolidation_features(exports, cap, seed)

    def writers(self) -> dict[str, SourceWriter]:
        return {"wos": self.wos, "ei": self.ei, "cnki": self.cnki}

    def close(self) -> None:
        for w in self.writers().values():
            w.close()
        self.truth.close()

    # -- which sources --
    def plan(self, w: Work) -> list[str]:
        rng = self.rng
        j = w.journal
        srcs: list[str] = []
        if w.lang == "zh" and w.conference is not None:  # CNKI's conference database only
            return ["cnki"]
        if w.conference is not None:
            if rng.random() < 0.7:
                srcs.append("wos")
            if rng.random() < 0.9:
                srcs.append("ei")
            primary = "ei"
        elif w.doc_type == "correction":
            if rng.random() < 0.95:
                srcs.append("wos")
            if j.ei and rng.random() < 0.15:
                srcs.append("ei")
            primary = "wos"
        elif w.lang == "zh":
            if rng.random() < 0.97:
                srcs.append("cnki")
            if j.ei and rng.random() < 0.8:
                srcs.append("ei")
            primary = "cnki"
        else:
            if rng.random() < 0.93:
                srcs.append("wos")
            if j.ei and rng.random() < 0.75:
                srcs.append("ei")
            if j.chinese and rng.random() < 0.9:
                srcs.append("cnki")
            primary = "wos"
        return srcs or [primary]

    def add(self, w: Work) -> list[str]:
        rng = self.rng
        self.truth.work(w)
        srcs = self.plan(w)
        noise = Noise(drop_doi=rng.choice(srcs) if w.doi and len(srcs) > 1 and rng.random() < 0.12 else "")
        for s in srcs:
            if s == "wos":
                self.wos.add(lambda n, w=w, nz=noise: self.wos_record(w, nz),
                             self.truth.record("wos", w, "primary", self.noise))
            elif s == "ei":
                self.ei.add(lambda n, w=w, nz=noise: self.ei_record(w, nz, n, "Compendex"),
                            self.truth.record("ei", w, "primary", self.noise))
                if rng.random() < 0.04:  # the same work again, from Inspec
                    self.duplicates["ei"] += 1
                    self.ei.add(lambda n, w=w, nz=noise: self.ei_record(w, nz, n, "Inspec"),
                                self.truth.record("ei", w, "duplicate", self.noise), delay=rng.randrange(2, 40))
            else:
                final = lambda n, w=w: self.cnki_record(w, online_first=False)  # noqa: E731
                if w.lang == "zh" and rng.random() < 0.05:  # online-first and final: two CNKI records
                    self.duplicates["cnki"] += 1
                    self.cnki.add(lambda n, w=w: self.cnki_record(w, online_first=True),
                                  self.truth.record("cnki", w, "duplicate"))
                    self.cnki.add(final, self.truth.record("cnki", w, "primary"), delay=rng.randrange(2, 40))
                else:
                    self.cnki_writer(w).add(final, self.truth.record("cnki", w, "primary"))
        return srcs

    # -- Web of Science --
    def wos_record(self, w: Work, noise: Noise) -> tuple[str, str]:
        rng = self.rng
        self.wos_ids += 1
        ut = f"WOS:{500_000_000_000 + self.wos_ids * 1000 + rng.randrange(1000):015d}"
        j, conf = w.journal, w.conference
        names = [names_wos(a, rng) for a in w.authors]
        cache: dict[tuple, str] = {}

        def addr(a: Affil) -> str:
            k = _aff_key(a)
            if k not in cache:
                cache[k] = addr_wos(a, rng)
            return cache[k]

        slipped: dict[tuple, str] = {}  # C1 only: the reprint line is typed apart, and usually right

        def c1_addr(a: Affil) -> str:
            k = _aff_key(a)
            if k not in slipped:
                slip = a.kind == "ours" and rng.random() < ADDRESS_TYPO["wos"]
                slipped[k] = address_slip(addr(a), rng) if slip else addr(a)
            return slipped[k]

        self.noise.clear()
        groups: dict[str, list[str]] = {}
        for pos, ((au, af), a) in enumerate(zip(names, w.authors), 1):
            for aff in a.affils:
                text = c1_addr(aff)
                groups.setdefault(text, []).append(af)
                if text != addr(aff):
                    self.noise.append((pos, "address_typo", text))
        if len(groups) == 1 and rng.random() < 0.03:
            c1 = [f"{next(iter(groups))}."]  # an address without brackets belongs to every author
        else:
            c1 = [f"[{'; '.join(v)}] {k}." for k, v in groups.items()]
        marker = "(reprint author)" if rng.random() < 0.2 else "(corresponding author)"
        rp, em = [], []
        for (au, af), a in zip(names, w.authors):
            if a.corresponding:
                text = addr(a.affils[0])
                if a.affils[0].kind == "ours" and rng.random() < ADDRESS_TYPO["rp"]:
                    text = address_slip(text, rng)
                rp.append(f"{au} {marker}, {text}.")
                if a.email:
                    em.append(a.email if rng.random() > 0.1 or a.person is None
                              else f"{a.name.family_en.lower()}{a.name.given_en.lower().replace(chr(39), '')}{rng.randrange(70, 99)}@163.com")
        oi = [f"{af}/{a.orcid}" for (au, af), a in zip(names, w.authors) if a.orcid and rng.random() < 0.7]
        c3 = []
        for a in w.authors:
            for aff in a.affils:
                org = UNIVERSITY_EN if aff.kind == "ours" else aff.inst.name_en
                if org not in c3:
                    c3.append(org)
        doc = {"article": "Article", "review": "Review", "proceedings paper": "Proceedings Paper",
               "correction": "Correction"}[w.doc_type]
        year, volume, issue, bp, ep, ar = str(w.year), w.volume, w.issue, w.first_page, w.last_page, w.article_no
        ea = ""
        if w.early_access_year is not None:
            ea = f"{MONTHS[max(0, w.month - 4)] if w.early_access_year == w.year else rng.choice(MONTHS[6:])} {w.early_access_year}"
            if rng.random() < 0.4:  # still in early access when exported: no issue yet, the year of early access
                doc += "; Early Access"
                year, volume, issue, bp, ep, ar = str(w.early_access_year), "", "", "", "", ""
        if j is None:
            edition = "CPCI-S"
        else:
            edition = j.edition or "ESCI"
        doi = "" if noise.drop_doi == "wos" else w.doi
        if doi and rng.random() < 0.05:
            doi = doi.upper()
        pub = conf.publisher if conf else j.publisher
        cites = rng.randrange(150, 900) if w.highly_cited else int(rng.paretovariate(1.6)) - 1
        title = title_wos(w.title_en, rng)
        parts = [
            _field("PT", "C" if conf else "J"),
            _field("AU", [n[0] for n in names]),
            _field("AF", [n[1] for n in names]),
            _field("TI", _wrap(title)),
            _field("SO", (conf.proceedings if conf else j.title_en).upper()),
            _field("LA", "English"),
            _field("DT", doc),
        ]
        if conf:
            parts += [_field("CT", conf.name), _field("CY", conf.date), _field("CL", conf.location),
                      _field("SP", conf.sponsor)]
        if w.keywords:
            parts.append(_field("DE", _wrap("; ".join(k[0] for k in w.keywords))))
        if w.abstract_en:
            parts.append(_field("AB", w.abstract_en))
        parts += [
            _field("C1", c1),
            _field("C3", "; ".join(c3) if rng.random() < 0.5 else ""),
            _field("RP", "; ".join(rp)),
            _field("EM", "; ".join(em)),
            _field("OI", "; ".join(oi)),
            _field("NR", str(rng.randrange(15, 80)) if w.doc_type != "correction" else "1"),
            _field("TC", str(cites)), _field("Z9", str(cites)),
            _field("U1", str(rng.randrange(0, 20))), _field("U2", str(rng.randrange(0, 60))),
            _field("PU", pub[0]), _field("PI", pub[1]), _field("PA", pub[2]),
        ]
        if j is not None:
            parts += [_field("SN", j.issn if rng.random() > 0.03 else ""), _field("EI", j.eissn),
                      _field("J9", j.j9), _field("JI", j.ji)]
        else:
            parts += [_field("BN", conf.isbn), _field("J9", conf.acronym), _field("JI", conf.acronym)]
        parts += [
            _field("PD", f"{MONTHS[w.month - 1]}" + (f" {rng.randrange(1, 29)}" if rng.random() < 0.4 else "")
                   if volume or conf else ""),
            _field("PY", year), _field("VL", volume), _field("IS", issue), _field("BP", bp), _field("EP", ep),
            _field("AR", ar), _field("DI", doi), _field("EA", ea), _field("PG", str(w.page_count)),
            _field("WC", "; ".join(FIELDS[w.field].wos_categories if j is None else j.wos_categories)),
            _field("WE", WOS_EDITIONS[edition]),
            _field("SC", FIELDS[w.field].research_area),
            _field("GA", "".join(rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ0123456789") for _ in range(5))),
            _field("UT", ut),
            _field("HC", "Y" if w.highly_cited else ""),
            _field("DA", EXPORT_DATE),
            "ER\n\n",
        ]
        return "".join(parts), ut

    # -- Engineering Village --
    def ei_record(self, w: Work, noise: Noise, n: int, database: str) -> tuple[str, str]:
        rng = self.rng
        j, conf = w.journal, w.conference
        inspec = database == "Inspec"
        index_year = w.year + (1 if w.month == 12 and rng.random() < 0.5 else 0)
        if inspec:
            self.inspec_ids += 1
            an = f"{17_000_000 + self.inspec_ids * 13 + rng.randrange(13)}"
        else:
            self.ei_ids += 1
            an = f"{index_year}{rng.randrange(1, 53):02d}{10_000_000 + self.ei_ids * 97 + rng.randrange(97):08d}"
        affs: list[str] = []
        keys: dict[tuple, int] = {}
        authors = []
        slips: set[int] = set()
        self.noise.clear()
        for pos, a in enumerate(w.authors, 1):
            nums = []
            for aff in a.affils:
                k = _aff_key(aff)
                if k not in keys:
                    text = addr_ei(aff, rng)
                    if aff.kind == "ours" and rng.random() < ADDRESS_TYPO["ei"]:
                        text = address_slip(text, rng)
                        slips.add(len(affs) + 1)
                    affs.append(inspec_style(text) if inspec else text)
                    keys[k] = len(affs)
                nums.append(str(keys[k]))
                if keys[k] in slips:
                    self.noise.append((pos, "address_typo", affs[keys[k] - 1]))
            authors.append((name_ei(a, rng), nums, a))
        corr = next(((nm, a) for nm, _, a in authors if a.corresponding), None)
        doc = {"article": "Journal article (JA)", "review": "Journal article (JA)",
               "proceedings paper": "Conference article (CA)", "correction": "Erratum (ER)"}[w.doc_type]
        title = title_ei(w.title_en, rng)
        pages = ""
        if w.first_page:
            pages = f"{w.first_page}-{w.last_page}"
            if rng.random() < 0.08 and len(w.last_page) == len(w.first_page) and len(w.first_page) > 2:
                k = next((i for i in range(len(w.first_page)) if w.first_page[i] != w.last_page[i]), 0)
                pages = f"{w.first_page}-{w.last_page[k:]}"  # 1234-41
        doi = "" if noise.drop_doi == "ei" or (inspec and rng.random() < 0.3) else w.doi
        lines = [
            f"<RECORD {n}>", "",
            f"Accession number: {an}",
            f"Title: {title}",
            "Authors: " + "; ".join(f"{nm} ({', '.join(nums)})" for nm, nums, _ in authors),
            "Author affiliation: " + "; ".join(f"({i}) {t}" for i, t in enumerate(affs, 1)),
        ]
        if corr and corr[1].email:
            lines.append(f"Corresponding author: {corr[0]} ({corr[1].email})")
        if conf:
            lines += [f"Source title: {conf.proceedings}", f"Abbreviated source title: {conf.acronym}"]
        else:
            lines += [f"Source title: {j.ei_title}", f"Abbreviated source title: {j.ji}"]
            if w.volume:
                lines.append(f"Volume: {w.volume}")
            if w.issue:
                lines.append(f"Issue: {w.issue}")
        lines += [f"Issue date: {MONTH_NAMES[w.month - 1]} {w.year}", f"Publication year: {w.year}"]
        if pages:
            lines.append(f"Pages: {pages}")
        if w.article_no:
            lines.append(f"Article number: {w.article_no}")
        lines.append(f"Language: {'Chinese' if w.lang == 'zh' else 'English'}")
        if j is not None:
            lines.append(f"ISSN: {j.issn}")
            if j.eissn:
                lines.append(f"E-ISSN: {j.eissn}")
            lines.append(f"CODEN: {(j.code.upper() + 'XXXXX')[:5]}{'ABCDEFGH'[len(j.code) % 8]}")
        else:
            lines.append(f"ISBN-13: {conf.isbn.replace('-', '')}")
        lines.append(f"Document type: {doc}")
        if conf:
            lines += [f"Conference name: {conf.name}", f"Conference date: {conf.date}",
                      f"Conference location: {conf.location.title().replace('Peoples R China', 'China')}",
                      f"Conference code: {150000 + rng.randrange(50000)}", f"Sponsor: {conf.sponsor}"]
        lines.append(f"Publisher: {(conf.publisher if conf else j.publisher)[4]}")
        if w.abstract_en:
            lines.append(f"Abstract: {w.abstract_en} &copy; {w.year} Elsevier B.V. All rights reserved."
                         if rng.random() < 0.3 else f"Abstract: {w.abstract_en}")
        lines.append(f"Number of references: {rng.randrange(15, 80)}")
        if w.keywords:
            kws = [k[0] for k in w.keywords]
            lines += [f"Main heading: {_upper_first(kws[0])}", "Controlled terms: " + " - ".join(_upper_first(k) for k in kws[1:]),
                      "Uncontrolled terms: " + " - ".join(kws)]
        lines.append("Classification code: " + " - ".join(FIELDS[w.field].ei_codes or ("901 Engineering Profession",)))
        if doi:
            lines.append(f"DOI: {doi}")
        lines += [f"Database: {database}",
                  f"Compilation and indexing terms, Copyright {index_year + 1} Elsevier Inc.", "", ""]
        return "\n".join(lines), an

    # -- CNKI E-Study --
    def cnki_record(self, w: Work, online_first: bool) -> tuple[str, str]:
        if w.conference is not None:
            return self.cnki_conference_record(w)
        rng = self.rng
        j = w.journal
        zh = w.lang == "zh"
        code = "".join(s[0] for s in j.code.upper())[:4].ljust(4, "X")
        if online_first:
            day = rng.randrange(1, 28)
            k = (code, w.year, w.month, day)
            self.cnki_seq[k] = self.cnki_seq.get(k, 0) + 1
            file_name = f"{code}{w.year}{w.month:02d}{day:02d}{self.cnki_seq[k]:03d}"
            db = "CAPJLAST"
            pubtime = f"{w.year}-{w.month:02d}-{day:02d} {rng.randrange(8, 19):02d}:{rng.randrange(60):02d}"
        else:
            k = (code, w.year, w.issue)
            self.cnki_seq[k] = self.cnki_seq.get(k, 0) + 1
            file_name = f"{code}{w.year}{int(w.issue or 1):02d}{self.cnki_seq[k]:03d}"
            db = f"CJFDLAST{w.year}"
            pubtime = f"{w.year}-{w.month:02d}-{rng.randrange(1, 28):02d}"
        authors = [name_cnki_zh(a, rng) if zh else name_cnki_en(a, rng) for a in w.authors]
        organs: list[str] = []
        seen: set[tuple] = set()
        for a in w.authors:
            for aff in a.affils:
                k2 = _aff_key(aff)
                if k2 in seen:
                    continue
                seen.add(k2)
                organs.append(organ_cnki(aff, rng) if zh else addr_ei(aff, rng).replace(";", ""))
        summary = w.abstract_zh if zh else w.abstract_en
        if zh and rng.random() < 0.05:
            summary = "<正>" + summary
        lines = ["DataType: 1", f"Title-题名: {title_cnki(w.title if zh else w.title_en, rng)}",
                 "Author-作者: " + "".join(f"{x};" for x in authors),
                 f"Source-刊名: {j.title}"]
        if rng.random() < 0.85:
            lines.append(f"Year-年: {w.year}")
        lines += [f"PubTime-出版时间: {pubtime}",
                  "Keyword-关键词: " + ";".join(k[1] if zh else k[0] for k in w.keywords),
                  f"Summary-摘要: {summary}"]
        if not online_first:
            lines.append(f"Period-期: {int(w.issue or 1):02d}")
            if w.volume and rng.random() < 0.7:
                lines.append(f"Roll-卷: {w.volume}")
        lines.append(f"PageCount-页数: {w.page_count}")
        if not online_first:
            if w.first_page:
                page = f"{w.first_page}-{w.last_page}"
                if rng.random() < 0.03:
                    page += f"+{int(w.last_page) + rng.randrange(5, 40)}"
            else:
                page = f"1-{w.page_count}"
            lines.append(f"Page-页码: {page}")
        lines += ["SrcDatabase-来源库: 期刊", "Organ-机构: " + "".join(f"{o};" for o in organs),
                  f"Link-链接: https://kns.cnki.net/kcms/detail/detail.aspx?FileName={file_name}&DbName={db}"]
        if w.key in self.cnki_endnote_works:
            return self.cnki_endnote_text(w, authors, organs, summary, file_name, db), file_name
        return "\n".join(lines) + "\n", file_name

