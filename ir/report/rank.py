"""The institution's rank on a work (产权排序 / 署名单位排序), as Chinese assessments and the national
paper statistics count it.

From one source record (the addresses in their printed order, each author's addresses, the
corresponding authors) and a rule telling our addresses from others (:class:`~ir.affiliations.OrgIndex`):

- ``position``: the institution's place among the paper's distinct units (institutions) in the order
  the addresses are printed: 1 = the first unit (以我校为第一署名单位); None when no address is ours;
- ``first_unit``: the paper's first address is ours;
- ``first_author``: the first author's first address is ours (a record that links no author to an
  address, like CNKI's organ list, gives the first address to the first author);
- ``corresponding``: the first address of a corresponding author is ours (or, when no corresponding
  author is linked to an address, the reprint address is ours); None: the record marks none.

:func:`rank_of_record` is pure; :func:`work_ranks` reads the works' member records and the
organisations snapshot, and takes the record that says most (WoS, Scopus, Ei link authors to
addresses; CNKI lists organs only).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass

import sqlalchemy as sa

# which record of a work the rank is read from: the first of these sources that has addresses
SOURCE_PREFERENCE = ("wos", "scopus", "ei", "cscd", "cssci", "cnki", "wanfang")

# (address text, organisation name or None) -> (unit key, ours)
UnitOf = Callable[[str, "str | None"], "tuple[str, bool]"]


@dataclass(frozen=True)
class InstitutionRank:
    position: int | None  # 1-based place of our institution among the paper's units; None: not ours
    units: int  # distinct units (institutions) the paper names
    first_unit: bool  # the paper's first address is ours
    first_author: bool  # the first author's first address is ours
    corresponding: bool | None  # a corresponding author's first address is ours; None: none marked
    source: str = ""  # the record it was read from, "wos:WOS:000..."

    @property
    def label(self) -> str:
        """A short phrase for lists: "1st unit", "first author's unit", "3rd of 4 units", "not ours"."""
        if self.position is None:
            return "not in the addresses"
        if self.first_unit:
            return f"1st unit of {self.units}" if self.units > 1 else "sole unit"
        if self.first_author:
            return f"first author's unit ({_ordinal(self.position)} of {self.units})"
        if self.corresponding:
            return f"corresponding author's unit ({_ordinal(self.position)} of {self.units})"
        return f"{_ordinal(self.position)} of {self.units} units"

    def as_json(self) -> dict:
        return asdict(self) | {"label": self.label}


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def rank_of_record(record: dict, unit_of: UnitOf, source: str = "") -> InstitutionRank | None:
    """The rank from one record (the :class:`~ir.model.Record` as a dict); None when it has no address."""
    affs = [a for a in record.get("affiliations") or [] if isinstance(a, dict) and (a.get("text") or "").strip()]
    if not affs:
        return None
    all_affs = record.get("affiliations") or []
    units: list[tuple[str, bool]] = [unit_of(a["text"], a.get("organization")) for a in affs]
    unit_index = {id(a): u for a, u in zip(affs, units)}
    order: list[str] = []
    ours_at: int | None = None
    for key, ours in units:
        if key not in order:
            order.append(key)
        if ours and ours_at is None:
            ours_at = order.index(key) + 1

    def first_address(author: dict) -> tuple[str, bool] | None:
        for i in author.get("affiliations") or []:
            if isinstance(i, int) and 0 <= i < len(all_affs) and id(all_affs[i]) in unit_index:
                return unit_index[id(all_affs[i])]
        return None

    authors = [a for a in record.get("authors") or [] if isinstance(a, dict)]
    linked = any(a.get("affiliations") for a in authors)
    first = min(authors, key=lambda a: a.get("position") or 0) if authors else None
    if first is not None and linked:
        fa = first_address(first)
        first_author = bool(fa and fa[1])
    else:  # no author linked to an address: the first address is the first author's
        first_author = units[0][1]
    corr = [a for a in authors if a.get("corresponding")]
    corresponding = None
    addrs = [first_address(a) for a in corr] if linked else []
    if any(addrs):
        corresponding = any(x and x[1] for x in addrs)
    elif record.get("corresponding_addresses"):  # the reprint address, where no author is linked to it
        corresponding = any(unit_of(t, None)[1] for t in record["corresponding_addresses"] if t)
    elif corr:
        corresponding = False
    return InstitutionRank(position=ours_at, units=len(order), first_unit=units[0][1], first_author=first_author,
                           corresponding=corresponding, source=source)


def unit_rule(index) -> UnitOf:
    """The unit of an address under an :class:`~ir.affiliations.OrgIndex`: ours -> the matched
    institution (the university or one of its hospitals counts as one unit: the root); other
    addresses -> their institution part, folded."""
    from ir.affiliations import split_affiliation

    def unit_of(text: str, organization: str | None = None) -> tuple[str, bool]:
        m = index.match(text, organization)
        if m.ours:
            return "ours", True
        sp = split_affiliation(text)
        name = sp.institution or (sp.parts[0] if sp.parts else text)
        return "other:" + re.sub(r"\W+", " ", name.casefold()).strip(), False
    return unit_of


def org_index(conn: sa.Connection):
    """The organisations snapshot (written by the attribute stage) as an OrgIndex."""
    from ir.affiliations import OrgEntry, OrgIndex
    from ir.store.tables.attribution import dict_organizations as o

    return OrgIndex(OrgEntry(r.org_id, r.parent_id, r.name_zh, r.name_en, list(r.variants or []))
                    for r in conn.execute(sa.select(o.c.org_id, o.c.parent_id, o.c.name_zh, o.c.name_en, o.c.variants)))


def _preference(source: str) -> int:
    return SOURCE_PREFERENCE.index(source) if source in SOURCE_PREFERENCE else len(SOURCE_PREFERENCE)


def work_ranks(conn: sa.Connection, work_ids: Iterable[str], index=None) -> dict[str, InstitutionRank]:
    """work id -> rank, from each work's most telling member record (works without addresses: absent)."""
    from ir.store.tables.ingest import source_records as sr
    from ir.store.tables.works import work_members as wm

    ids = sorted(set(work_ids))
    if not ids:
        return {}
    unit_of = unit_rule(index if index is not None else org_index(conn))
    members: dict[str, list[tuple[int, str, dict]]] = {}
    for start in range(0, len(ids), 500):
        q = (sa.select(wm.c.work_id, wm.c.source, wm.c.source_id, sr.c.data)
             .select_from(wm.join(sr, sa.and_(sr.c.source == wm.c.source, sr.c.source_id == wm.c.source_id)))
             .where(wm.c.work_id.in_(ids[start:start + 500])))
        for wid, src, sid, data in conn.execute(q):
            members.setdefault(wid, []).append((_preference(src), f"{src}:{sid}", data or {}))
    out: dict[str, InstitutionRank] = {}
    for wid, recs in members.items():
        for _, key, data in sorted(recs, key=lambda r: (r[0], r[1])):
            rank = rank_of_record(data, unit_of, key)
            if rank is not None:
                out[wid] = rank
                break
    return out
