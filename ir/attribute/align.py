"""One list of authors per work, aligned across the work's member records.

Member records list the same byline in different forms (WoS "Zhang, San" / "Zhang, S"; CNKI "张三";
Wanfang "张三" with "San ZHANG"). The richest record is the base; another record aligns by position
when its list has the same length and the names agree, and otherwise name by name (Chinese names meet
English forms through pinyin). Each work author gathers the evidence of every source: names in all
forms, e-mails, ORCIDs, ResearcherIDs, addresses (linked to the author or, for CNKI's unlinked organ
list, only to the record; a corresponding author's reprint address as a second source, where the record
says whose it is), corresponding flags.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from ir.names import compatibility_cached as compatibility, has_cjk, parse_name

# richer bylines first: full names with linked addresses
# sources whose author-address links are the parser's guess (CNKI's organ list matched by position)
GUESSED_LINKS = frozenset({"cnki"})
# sources whose organ list follows the byline (each author's institutions in order of first appearance,
# as Chinese journals number them): the first organ is the first author's, whatever the guess says
ORGANS_IN_AUTHOR_ORDER = frozenset({"cnki"})
SOURCE_RANK = {"wos": 0, "scopus": 1, "ei": 2, "cscd": 3, "ris": 4, "cssci": 5, "wanfang": 6, "cnki": 7}


@dataclass(slots=True)
class AuthorAddress:
    text: str
    organization: str | None
    linked: bool  # False: the record lists it without saying whose it is
    source: str
    guess: bool = False  # linked by the parser's guess (CNKI's organ list matched by position)
    reprint: bool = False  # the record's reprint / corresponding address (WoS RP, EI), this author's


@dataclass(slots=True)
class WorkAuthor:
    position: int
    name: str  # display
    names: list[str] = field(default_factory=list)  # every form seen
    name_zh: str | None = None
    emails: set[str] = field(default_factory=set)
    orcids: set[str] = field(default_factory=set)
    researcher_ids: set[str] = field(default_factory=set)
    addresses: list[AuthorAddress] = field(default_factory=list)
    corresponding: bool = False
    sources: list[tuple[str, str, int]] = field(default_factory=list)  # (source, source_id, position)
    _best: tuple | None = None

    def best_names(self) -> list[str]:
        """The informative forms: with a given name or in Chinese characters. "Zhang, S" says less than
        "Zhang, San" about the same author, so it is dropped when the fuller form is known."""
        if self._best is None or self._best[0] != len(self.names):
            full = [n for n in self.names if parse_name(n).given or parse_name(n).zh]
            self._best = (len(self.names), full or list(self.names))
        return self._best[1]

    def add_name(self, name: str | None) -> None:
        if name and name.strip() and name.strip() not in self.names:
            self.names.append(name.strip())
            if has_cjk(name) and not self.name_zh:
                self.name_zh = name.strip()


def _author_names(a: dict) -> list[str]:
    return [n for n in (a.get("full_name"), a.get("name"), a.get("abbreviated"), a.get("name_zh")) if n]


def _short_key(a: dict) -> tuple[str, str]:
    """Family name and first initial: what a reprint line's "Li, W" tells apart (WoS and EI write
    "Family, Given"; a name without a comma is its own key)."""
    n = (a.get("abbreviated") or a.get("full_name") or a.get("name") or "").casefold()
    fam, _, given = n.partition(",")
    return fam.strip(), given.strip()[:1]


def reprint_addresses(rec: dict) -> dict[int, list[str]]:
    """Byline position -> the record's reprint (corresponding) addresses, where the record says whose they
    are: it has one corresponding author, or one address for all of them. An author whose family name and
    initial another author of the record shares gets none: "Li, W (corresponding author)" could be
    either of them."""
    addrs = [x for x in rec.get("corresponding_addresses") or () if x]
    authors = rec.get("authors") or ()
    corr = [a for a in authors if a.get("corresponding")]
    if not addrs or not corr or (len(corr) > 1 and len(set(addrs)) > 1):
        return {}
    keys = Counter(_short_key(a) for a in authors)
    return {a.get("position") or 0: addrs for a in corr if keys[_short_key(a)] == 1}


def _absorb(wa: WorkAuthor, rec: dict, a: dict, reprint: list[str] = ()) -> None:
    for n in _author_names(a):
        wa.add_name(n)
    if reprint:  # a second source of this author's address (the first may carry a typo)
        have = {x.text for x in wa.addresses}
        wa.addresses.extend(AuthorAddress(t, None, True, rec["source"], reprint=True) for t in reprint if t not in have)
    if a.get("email"):
        wa.emails.update(e.strip().lower() for e in str(a["email"]).replace(",", ";").split(";") if "@" in e)
    if a.get("orcid"):
        wa.orcids.add(str(a["orcid"]).strip().upper()[-19:])
    if a.get("researcher_id"):
        wa.researcher_ids.add(str(a["researcher_id"]).strip().upper())
    wa.corresponding = wa.corresponding or bool(a.get("corresponding"))
    affs = rec.get("affiliations") or []
    src = rec["source"]
    idx = [i for i in (a.get("affiliations") or []) if isinstance(i, int) and 0 <= i < len(affs)]
    if src in ORGANS_IN_AUTHOR_ORDER and a.get("position") == 1 and len(affs) > 1:
        aff = affs[0]  # the first author's (first) institution opens the list: a link, not a guess
        wa.addresses.append(AuthorAddress(aff.get("text") or "", aff.get("organization"), True, src))
        return _record_source(wa, rec, a)
    linked = bool(idx) or len(affs) == 1  # a record's only address is everybody's
    guess = bool(idx) and src in GUESSED_LINKS
    for i in idx or range(len(affs)):
        aff = affs[i]
        wa.addresses.append(AuthorAddress(aff.get("text") or "", aff.get("organization"), linked, src, guess))
    if guess:  # the link is a guess: the other organs stay candidates
        for i in range(len(affs)):
            if i not in idx:
                aff = affs[i]
                wa.addresses.append(AuthorAddress(aff.get("text") or "", aff.get("organization"), False, src))
    _record_source(wa, rec, a)


def _record_source(wa: WorkAuthor, rec: dict, a: dict) -> None:
    wa.sources.append((rec["source"], rec["source_id"], a.get("position") or 0))


def _compat(wa: WorkAuthor, a: dict) -> float:
    best = 0.0
    for x in wa.names:
        for y in _author_names(a):
            best = max(best, compatibility(x, y).score)
            if best >= 1.0:
                return best
    return best


def align(records: list[dict]) -> list[WorkAuthor]:
    """Align the bylines of a work's member records (``Record.to_dict()`` dicts) into work authors."""
    records = [r for r in records if r.get("authors")]
    if not records:
        return []
    records.sort(key=lambda r: (-len(r["authors"]), SOURCE_RANK.get(r["source"], 9), r["source_id"]))
    base = records[0]
    out: list[WorkAuthor] = []
    rp = reprint_addresses(base)
    for i, a in enumerate(base["authors"], 1):
        display = a.get("full_name") or a.get("name") or a.get("name_zh") or a.get("abbreviated") or "?"
        wa = WorkAuthor(position=i, name=display)
        _absorb(wa, base, a, rp.get(a.get("position") or 0, ()))
        out.append(wa)
    for rec in records[1:]:
        authors = rec["authors"]
        rp = reprint_addresses(rec)
        if len(authors) == len(out) and all(_compat(wa, a) >= 0.4 for wa, a in zip(out, authors)):
            for wa, a in zip(out, authors):
                _absorb(wa, rec, a, rp.get(a.get("position") or 0, ()))
            continue
        taken: set[int] = set()
        for j, a in enumerate(authors):
            scored = sorted(((_compat(wa, a), -abs(wa.position - 1 - j), k) for k, wa in enumerate(out)
                             if k not in taken), reverse=True)
            if scored and scored[0][0] >= 0.45:
                taken.add(scored[0][2])
                _absorb(out[scored[0][2]], rec, a, rp.get(a.get("position") or 0, ()))
    return out
