"""The institution's dictionaries: organizations.csv and people.csv, edited by librarians.

UTF-8 CSV (a BOM is accepted) with a header; extra columns are kept. Loading checks every row and reports
each fault as a :class:`DictionaryProblem`: file, line, column, reason, and what was done about it.

A typo never deletes a person or a unit: only a missing or malformed *key* refuses a row
(``severity="error"``). The keys are an organisation's ``org_id``, and an appointment's ``person_id``, name
(``name_zh`` or ``name_en``) and ``org_id``; the same organisation or appointment twice is refused too. Any
other value that is malformed (a year, an ORCID iD with a wrong check digit, an e-mail, a role, a
ResearcherID) or dangling (a parent or a supervisor the dictionaries do not hold) is dropped, and the row
is loaded without it (``severity="warning"``). An e-mail, ORCID iD or ResearcherID that two people share
is evidence for neither: it is dropped from both. A unit whose parent is unknown (or whose parents loop)
is kept under the institution when the dictionary holds one institution, and otherwise kept for its
people but never used to recognise an address (``Organization.detached``); an appointment at an unknown
unit of a one-institution dictionary is kept at the institution.

``organizations.csv``: org_id, parent_id, name_zh, name_en, variants ("|"-separated)
``people.csv``: person_id, name_zh, name_en, variants, org_id, email, orcid, role, start_year, end_year
(optional: supervisor_id, researcher_id); one row per appointment.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ir.affiliations import OrgEntry

ORG_COLUMNS = ("org_id", "parent_id", "name_zh", "name_en", "variants")
PEOPLE_COLUMNS = ("person_id", "name_zh", "name_en", "variants", "org_id", "email", "orcid", "role",
                  "start_year", "end_year")
ROLES = ("faculty", "staff", "postdoc", "student")
_KNOWN_PEOPLE = frozenset(PEOPLE_COLUMNS) | {"supervisor_id", "researcher_id"}
_ORCID = re.compile(r"^(?:https?://orcid\.org/)?(\d{4}-\d{4}-\d{4}-\d{3}[\dX])$", re.I)
_EMAIL = re.compile(r"^[^@\s;,]+@[^@\s;,]+\.[^@\s;,]+$")
_RESEARCHER_ID = re.compile(r"^[A-Z]{1,3}-\d{4}-(?:19|20)\d\d$")
REFUSED, DROPPED = "error", "warning"


@dataclass(frozen=True, slots=True)
class DictionaryProblem:
    file: str
    line: int  # 1-based line of the file (the header is line 1); 0 for the file as a whole
    column: str | None
    reason: str
    severity: str = REFUSED  # error: the row was refused; warning: the row was loaded without the value

    @property
    def refused(self) -> bool:
        return self.severity == REFUSED

    def __str__(self) -> str:
        col = f" [{self.column}]" if self.column else ""
        what = "" if self.line == 0 else (": row refused" if self.refused else ": loaded without this value")
        return f"{self.file}:{self.line}{col}: {self.reason}{what}"

    def as_json(self) -> dict:
        return {"file": self.file, "line": self.line, "column": self.column, "reason": self.reason,
                "severity": self.severity}


@dataclass(slots=True)
class Organization:
    org_id: str
    parent_id: str | None
    name_zh: str | None
    name_en: str | None
    variants: list[str]
    line: int
    extra: dict = field(default_factory=dict)
    detached: bool = False  # its parent is unknown: kept for its people, never matched in addresses

    def entry(self) -> OrgEntry:
        return OrgEntry(self.org_id, self.parent_id, self.name_zh, self.name_en, list(self.variants),
                        self.detached)

    @property
    def name(self) -> str:
        return self.name_en or self.name_zh or self.org_id


@dataclass(slots=True)
class Appointment:
    """One row of people.csv: a person at one unit for a span of years."""

    person_id: str
    name_zh: str | None
    name_en: str | None
    variants: list[str]
    org_id: str
    email: str | None
    orcid: str | None
    role: str  # one of ROLES, or "" when not given (or not valid)
    start_year: int | None
    end_year: int | None
    line: int
    supervisor_id: str | None = None
    researcher_id: str | None = None
    extra: dict = field(default_factory=dict)

    @property
    def names(self) -> list[str]:
        return [n for n in (self.name_zh, self.name_en, *self.variants) if n]

    def covers(self, year: int | None, slack: int = 1) -> bool | None:
        """Whether the appointment covers a publication year (``slack`` years of publishing lag after
        it ends, and before it starts); None when the year is unknown."""
        if year is None:
            return None
        if self.start_year is not None and year < self.start_year - slack:
            return False
        if self.end_year is not None and year > self.end_year + slack:
            return False
        return True


@dataclass(slots=True)
class Dictionaries:
    organizations: dict[str, Organization] = field(default_factory=dict)
    appointments: list[Appointment] = field(default_factory=list)
    problems: list[DictionaryProblem] = field(default_factory=list)
    digest: str = ""  # of both files' bytes: a changed dictionary re-decides every authorship

    @property
    def people(self) -> dict[str, list[Appointment]]:
        out: dict[str, list[Appointment]] = {}
        for a in self.appointments:
            out.setdefault(a.person_id, []).append(a)
        return out

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def refused(self) -> list[DictionaryProblem]:
        """The problems that refused a row (the others dropped one value of a loaded row)."""
        return [p for p in self.problems if p.refused]


class DictionaryError(ValueError):
    def __init__(self, problems: list[DictionaryProblem]):
        self.problems = problems
        super().__init__("; ".join(map(str, problems[:5])) + (f" (+{len(problems) - 5} more)" if len(problems) > 5 else ""))


def _orcid_ok(value: str) -> bool:
    digits = value.replace("-", "")
    total = 0
    for ch in digits[:-1]:
        total = (total + int(ch)) * 2
    check = (12 - total % 11) % 11
    return digits[-1].upper() == ("X" if check == 10 else str(check))


def _read_csv(path: Path, required: tuple[str, ...], problems: list[DictionaryProblem]) -> list[tuple[int, dict]]:
    name = path.name
    try:
        raw = path.read_bytes()
    except OSError as exc:
        problems.append(DictionaryProblem(name, 0, None, f"cannot read: {exc.strerror or exc}"))
        return []
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        problems.append(DictionaryProblem(name, 0, None, f"not UTF-8 (byte {exc.start})"))
        return []
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        problems.append(DictionaryProblem(name, 0, None, "empty file"))
        return []
    missing = [c for c in required if c not in header]
    if missing:
        problems.append(DictionaryProblem(name, 1, ", ".join(missing), "missing column(s) in the header"))
        return []
    dup = sorted({h for h in header if header.count(h) > 1})
    if dup:
        problems.append(DictionaryProblem(name, 1, ", ".join(dup), "column named twice in the header"))
        return []
    rows = []
    for row in reader:
        line = reader.line_num
        if not any(c.strip() for c in row):
            continue
        if len(row) > len(header):
            problems.append(DictionaryProblem(name, line, None, f"{len(row)} values for {len(header)} columns"))
            continue
        rows.append((line, {h: (row[i].strip() if i < len(row) else "") for i, h in enumerate(header)}))
    return rows


def _split_variants(value: str) -> list[str]:
    return [v.strip() for v in value.split("|") if v.strip()]


# ------------------------------------------------------------------------------ optional values
# column -> parse(text) -> (value, reason): the value when it is good, else None and why (empty: no reason)


def _parse_year(v: str) -> tuple[int | None, str | None]:
    if re.fullmatch(r"\d{4}", v) and 1900 <= int(v) <= 2100:
        return int(v), None
    return None, f"{v!r} is not a year"


def _parse_orcid(v: str) -> tuple[str | None, str | None]:
    m = _ORCID.match(v)
    if not m:
        return None, f"{v!r} is not an ORCID iD (0000-0000-0000-000X)"
    if not _orcid_ok(m.group(1)):
        return None, f"{v!r} has a wrong ORCID check digit"
    return m.group(1).upper(), None


def _parse_email(v: str) -> tuple[str | None, str | None]:
    v = v.lower()
    return (v, None) if _EMAIL.match(v) else (None, f"{v!r} is not an e-mail address")


def _parse_role(v: str) -> tuple[str | None, str | None]:
    r = v.lower()
    return (r, None) if r in ROLES else (None, f"role {v!r} is not one of {', '.join(ROLES)}")


def _parse_researcher_id(v: str) -> tuple[str | None, str | None]:
    r = v.upper()
    return (r, None) if _RESEARCHER_ID.match(r) else (None, f"{v!r} is not a ResearcherID (A-1234-2010)")


OPTIONAL_PEOPLE: dict[str, Callable[[str], tuple[object, str | None]]] = {
    "email": _parse_email, "orcid": _parse_orcid, "role": _parse_role, "start_year": _parse_year,
    "end_year": _parse_year, "researcher_id": _parse_researcher_id,
}
SHARED_IDS = ("email", "orcid", "researcher_id")  # evidence for one person only


# ------------------------------------------------------------------------------ loading


def load_dictionaries(folder: Path, *, strict: bool = False) -> Dictionaries:
    """Read and check ``organizations.csv`` and ``people.csv`` in ``folder``. Problems are reported in
    ``problems`` (rows refused, values dropped); ``strict`` raises :class:`DictionaryError` instead when
    there are any."""
    folder = Path(folder)
    d = Dictionaries()
    org_path, people_path = folder / "organizations.csv", folder / "people.csv"
    h = hashlib.sha256()
    for path in (org_path, people_path):
        if path.exists():
            h.update(path.read_bytes())
    d.digest = h.hexdigest()
    d.organizations = _load_organizations(org_path, d.problems)
    d.appointments = _load_people(people_path, d.organizations, d.problems)
    d.problems.sort(key=lambda x: (x.file, x.line))
    if strict and d.problems:
        raise DictionaryError(d.problems)
    return d


def _load_organizations(path: Path, p: list[DictionaryProblem]) -> dict[str, Organization]:
    name = path.name
    seen_lines: dict[str, int] = {}
    orgs: dict[str, Organization] = {}
    for line, r in _read_csv(path, ORG_COLUMNS, p):
        oid = r["org_id"]
        if not oid:
            p.append(DictionaryProblem(name, line, "org_id", "empty org_id"))
            continue
        if oid in seen_lines:
            p.append(DictionaryProblem(name, line, "org_id", f"duplicate org_id {oid!r} (first on line {seen_lines[oid]})"))
            continue
        seen_lines[oid] = line
        if not r["name_zh"] and not r["name_en"]:
            p.append(DictionaryProblem(name, line, "name_en", "neither name_zh nor name_en given: no address "
                                       "can name this unit (kept for its people)", DROPPED))
        extra = {k: v for k, v in r.items() if k not in ORG_COLUMNS and v}
        orgs[oid] = Organization(oid, r["parent_id"] or None, r["name_zh"] or None, r["name_en"] or None,
                                 _split_variants(r["variants"]), line, extra)
    roots = [o.org_id for o in orgs.values() if o.parent_id is None]
    home = roots[0] if len(roots) == 1 else None
    where = f"placed under {home!r}" if home else "kept apart, never matched in addresses"
    broken: dict[str, str] = {}
    for o in orgs.values():
        if o.parent_id == o.org_id:
            broken[o.org_id] = "an organisation cannot be its own parent"
        elif o.parent_id and o.parent_id not in orgs:
            broken[o.org_id] = f"unknown parent_id {o.parent_id!r}"
        elif o.parent_id:
            seen, cur = {o.org_id}, o.parent_id  # a cycle of parents is a dangling hierarchy too
            while cur and cur in orgs and cur not in seen:
                seen.add(cur)
                cur = orgs[cur].parent_id
            if cur == o.org_id:
                broken[o.org_id] = f"the parent chain of {o.org_id!r} loops"
    for oid, why in broken.items():
        o = orgs[oid]
        p.append(DictionaryProblem(name, o.line, "parent_id", f"{why} ({where})", DROPPED))
        o.parent_id, o.detached = home, home is None
    return orgs


def _load_people(path: Path, orgs: dict[str, Organization], p: list[DictionaryProblem]) -> list[Appointment]:
    fname = path.name
    roots = [o.org_id for o in orgs.values() if o.parent_id is None and not o.detached]
    home = roots[0] if len(roots) == 1 else None
    identity: dict[str, tuple[int, str | None, str | None, list[str]]] = {}
    appt_seen: dict[tuple, int] = {}
    accepted: list[Appointment] = []
    for line, r in _read_csv(path, PEOPLE_COLUMNS, p):
        pid, oid = r["person_id"], r["org_id"]
        bad = []
        if not pid:
            bad.append(("person_id", "empty person_id"))
        if not r["name_zh"] and not r["name_en"]:
            bad.append(("name_en", "neither name_zh nor name_en given"))
        if not oid:
            bad.append(("org_id", "empty org_id"))
        elif oid not in orgs and home is None:
            bad.append(("org_id", f"unknown org_id {oid!r}"))
        if bad:
            p.extend(DictionaryProblem(fname, line, col, why) for col, why in bad)
            continue
        if oid not in orgs:
            p.append(DictionaryProblem(fname, line, "org_id", f"unknown org_id {oid!r} (the appointment is kept "
                                       f"at {home!r})", DROPPED))
            oid = home
        values: dict[str, object] = {}
        for col, parse in OPTIONAL_PEOPLE.items():
            raw = (r.get(col) or "").strip()
            values[col], why = parse(raw) if raw else (None, None)
            if why:
                p.append(DictionaryProblem(fname, line, col, why, DROPPED))
        start, end = values["start_year"], values["end_year"]
        if start and end and start > end:
            p.append(DictionaryProblem(fname, line, "end_year", f"ends ({end}) before it starts ({start}): "
                                       "loaded without either year", DROPPED))
            values["start_year"] = values["end_year"] = None
        names = (r["name_zh"] or None, r["name_en"] or None, _split_variants(r["variants"]))
        if pid in identity:
            first_line, *first = identity[pid]
            if tuple(first[:2]) != names[:2]:
                p.append(DictionaryProblem(fname, line, "name_en", f"person {pid!r} is named differently on line "
                                           f"{first_line} (that line's names are kept)", DROPPED))
                names = tuple(first)
        key = (pid, oid, values["start_year"])
        if key in appt_seen:
            p.append(DictionaryProblem(fname, line, "person_id", f"duplicate appointment of {pid!r} at {oid!r} "
                                       f"from {values['start_year']} (line {appt_seen[key]})"))
            continue
        identity.setdefault(pid, (line, *names))
        appt_seen[key] = line
        accepted.append(Appointment(
            person_id=pid, name_zh=names[0], name_en=names[1], variants=names[2], org_id=oid,
            email=values["email"], orcid=values["orcid"], role=values["role"] or "",
            start_year=values["start_year"], end_year=values["end_year"], line=line,
            supervisor_id=r.get("supervisor_id") or None, researcher_id=values["researcher_id"],
            extra={k: v for k, v in r.items() if v and k not in _KNOWN_PEOPLE},
        ))
    _drop_shared(accepted, fname, p)
    persons = {a.person_id for a in accepted}
    for a in accepted:
        if a.supervisor_id and a.supervisor_id not in persons:
            p.append(DictionaryProblem(fname, a.line, "supervisor_id", f"unknown supervisor_id {a.supervisor_id!r}",
                                       DROPPED))
            a.supervisor_id = None
        elif a.supervisor_id == a.person_id:
            p.append(DictionaryProblem(fname, a.line, "supervisor_id", "a person cannot supervise themselves", DROPPED))
            a.supervisor_id = None
    return accepted


def _drop_shared(appointments: list[Appointment], fname: str, p: list[DictionaryProblem]) -> None:
    """An e-mail, ORCID iD or ResearcherID on the rows of two people says nothing about either: dropped
    from every row that has it, each reported."""
    for col in SHARED_IDS:
        holders: dict[str, set[str]] = {}
        for a in appointments:
            v = getattr(a, col)
            if v:
                holders.setdefault(v, set()).add(a.person_id)
        shared = {v: sorted(ps) for v, ps in holders.items() if len(ps) > 1}
        if not shared:
            continue
        for a in appointments:
            v = getattr(a, col)
            if v in shared:
                others = ", ".join(repr(x) for x in shared[v] if x != a.person_id)
                p.append(DictionaryProblem(fname, a.line, col, f"{col.replace('_', ' ')} {v} is also given for {others}: "
                                           "evidence for neither", DROPPED))
                setattr(a, col, None)
