"""The institution's dictionaries: organizations.csv and people.csv, edited by librarians.

UTF-8 CSV (a BOM is accepted) with a header; extra columns are kept. Loading checks every row and reports
each fault as a :class:`DictionaryProblem` (file, line, column, reason); a faulty row is refused (left
out) and the rest is used. Refused: rows missing a required value, duplicate ids (an org twice, the same
appointment twice, one ORCID or e-mail for two people), dangling ids (a parent, an appointment's org or
a supervisor that is not in the dictionaries), malformed years, ORCIDs, e-mails and roles.

``organizations.csv``: org_id, parent_id, name_zh, name_en, variants ("|"-separated)
``people.csv``: person_id, name_zh, name_en, variants, org_id, email, orcid, role, start_year, end_year
(optional: supervisor_id, researcher_id); one row per appointment.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
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


@dataclass(frozen=True, slots=True)
class DictionaryProblem:
    file: str
    line: int  # 1-based line of the file (the header is line 1); 0 for the file as a whole
    column: str | None
    reason: str

    def __str__(self) -> str:
        col = f" [{self.column}]" if self.column else ""
        return f"{self.file}:{self.line}{col}: {self.reason}"

    def as_json(self) -> dict:
        return {"file": self.file, "line": self.line, "column": self.column, "reason": self.reason}


@dataclass(slots=True)
class Organization:
    org_id: str
    parent_id: str | None
    name_zh: str | None
    name_en: str | None
    variants: list[str]
    line: int
    extra: dict = field(default_factory=dict)

    def entry(self) -> OrgEntry:
        return OrgEntry(self.org_id, self.parent_id, self.name_zh, self.name_en, list(self.variants))

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
    role: str
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


def load_dictionaries(folder: Path, *, strict: bool = False) -> Dictionaries:
    """Read and check ``organizations.csv`` and ``people.csv`` in ``folder``. Faulty rows are refused and
    reported in ``problems``; ``strict`` raises :class:`DictionaryError` instead when there are any."""
    folder = Path(folder)
    d = Dictionaries()
    p = d.problems
    org_path, people_path = folder / "organizations.csv", folder / "people.csv"
    h = hashlib.sha256()
    for path in (org_path, people_path):
        if path.exists():
            h.update(path.read_bytes())
    d.digest = h.hexdigest()

    org_rows = _read_csv(org_path, ORG_COLUMNS, p)
    seen_lines: dict[str, int] = {}
    pending: list[Organization] = []
    for line, r in org_rows:
        oid = r["org_id"]
        if not oid:
            p.append(DictionaryProblem(org_path.name, line, "org_id", "empty org_id"))
            continue
        if oid in seen_lines:
            p.append(DictionaryProblem(org_path.name, line, "org_id", f"duplicate org_id {oid!r} (first on line {seen_lines[oid]})"))
            continue
        seen_lines[oid] = line
        if not r["name_zh"] and not r["name_en"]:
            p.append(DictionaryProblem(org_path.name, line, "name_en", "neither name_zh nor name_en given"))
            continue
        if r["parent_id"] == oid:
            p.append(DictionaryProblem(org_path.name, line, "parent_id", "an organisation cannot be its own parent"))
            continue
        extra = {k: v for k, v in r.items() if k not in ORG_COLUMNS and v}
        pending.append(Organization(oid, r["parent_id"] or None, r["name_zh"] or None, r["name_en"] or None,
                                    _split_variants(r["variants"]), line, extra))
    by_id = {o.org_id: o for o in pending}
    for o in pending:
        if o.parent_id and o.parent_id not in by_id:
            p.append(DictionaryProblem(org_path.name, o.line, "parent_id", f"unknown parent_id {o.parent_id!r}"))
            continue
        seen, cur = {o.org_id}, o.parent_id  # a cycle of parents is a dangling hierarchy too
        while cur and cur in by_id and cur not in seen:
            seen.add(cur)
            cur = by_id[cur].parent_id
        if cur and cur in seen:
            p.append(DictionaryProblem(org_path.name, o.line, "parent_id", f"parent chain of {o.org_id!r} loops"))
            continue
        d.organizations[o.org_id] = o
    # a refused parent refuses its children (their parent_id would dangle)
    changed = True
    while changed:
        changed = False
        for oid, o in list(d.organizations.items()):
            if o.parent_id and o.parent_id not in d.organizations:
                p.append(DictionaryProblem(org_path.name, o.line, "parent_id", f"parent {o.parent_id!r} was refused"))
                del d.organizations[oid]
                changed = True

    people_rows = _read_csv(people_path, PEOPLE_COLUMNS, p)
    fname = people_path.name
    identity: dict[str, tuple[int, str | None, str | None]] = {}
    orcid_of: dict[str, tuple[str, int]] = {}
    email_of: dict[str, tuple[str, int]] = {}
    appt_seen: dict[tuple, int] = {}
    accepted: list[Appointment] = []
    for line, r in people_rows:
        pid = r["person_id"]
        bad = []
        if not pid:
            bad.append(("person_id", "empty person_id"))
        if not r["name_zh"] and not r["name_en"]:
            bad.append(("name_en", "neither name_zh nor name_en given"))
        if not r["org_id"]:
            bad.append(("org_id", "empty org_id"))
        elif r["org_id"] not in d.organizations:
            bad.append(("org_id", f"unknown org_id {r['org_id']!r}"))
        role = r["role"].lower()
        if role not in ROLES:
            bad.append(("role", f"role {r['role']!r} is not one of {', '.join(ROLES)}"))
        years = {}
        for col in ("start_year", "end_year"):
            v = r[col]
            if not v:
                years[col] = None
            elif re.fullmatch(r"\d{4}", v) and 1900 <= int(v) <= 2100:
                years[col] = int(v)
            else:
                bad.append((col, f"{v!r} is not a year"))
        if years.get("start_year") and years.get("end_year") and years["start_year"] > years["end_year"]:
            bad.append(("end_year", f"ends ({years['end_year']}) before it starts ({years['start_year']})"))
        orcid = None
        if r["orcid"]:
            m = _ORCID.match(r["orcid"])
            if not m or not _orcid_ok(m.group(1)):
                bad.append(("orcid", f"{r['orcid']!r} is not a valid ORCID iD"))
            else:
                orcid = m.group(1).upper()
        email = r["email"].lower() or None
        if email and not _EMAIL.match(email):
            bad.append(("email", f"{r['email']!r} is not an e-mail address"))
        if bad:
            p.extend(DictionaryProblem(fname, line, col, why) for col, why in bad)
            continue
        if pid in identity:
            first_line, zh, en = identity[pid]
            if (r["name_zh"] or None, r["name_en"] or None) != (zh, en):
                p.append(DictionaryProblem(fname, line, "name_en",
                                           f"person {pid!r} is named differently on line {first_line}"))
                continue
        key = (pid, r["org_id"], years["start_year"])
        if key in appt_seen:
            p.append(DictionaryProblem(fname, line, "person_id",
                                       f"duplicate appointment of {pid!r} at {r['org_id']!r} from {years['start_year']} (line {appt_seen[key]})"))
            continue
        if orcid and orcid in orcid_of and orcid_of[orcid][0] != pid:
            p.append(DictionaryProblem(fname, line, "orcid", f"ORCID {orcid} also belongs to {orcid_of[orcid][0]!r} (line {orcid_of[orcid][1]})"))
            continue
        if email and email in email_of and email_of[email][0] != pid:
            p.append(DictionaryProblem(fname, line, "email", f"e-mail {email} also belongs to {email_of[email][0]!r} (line {email_of[email][1]})"))
            continue
        identity.setdefault(pid, (line, r["name_zh"] or None, r["name_en"] or None))
        appt_seen[key] = line
        if orcid:
            orcid_of.setdefault(orcid, (pid, line))
        if email:
            email_of.setdefault(email, (pid, line))
        accepted.append(Appointment(
            person_id=pid, name_zh=r["name_zh"] or None, name_en=r["name_en"] or None,
            variants=_split_variants(r["variants"]), org_id=r["org_id"], email=email, orcid=orcid, role=role,
            start_year=years["start_year"], end_year=years["end_year"], line=line,
            supervisor_id=r.get("supervisor_id") or None, researcher_id=r.get("researcher_id") or None,
            extra={k: v for k, v in r.items() if v and k not in _KNOWN_PEOPLE},
        ))
    persons = {a.person_id for a in accepted}
    for a in accepted:
        if a.supervisor_id and a.supervisor_id not in persons:
            p.append(DictionaryProblem(fname, a.line, "supervisor_id", f"unknown supervisor_id {a.supervisor_id!r}"))
            continue
        if a.supervisor_id == a.person_id:
            p.append(DictionaryProblem(fname, a.line, "supervisor_id", "a person cannot supervise themselves"))
            continue
        d.appointments.append(a)
    p.sort(key=lambda x: (x.file, x.line))
    if strict and p:
        raise DictionaryError(p)
    return d
