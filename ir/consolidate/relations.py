"""Works that are related but not one publication, and pairs just short of a match (pure: features in, dicts out).

A librarian keeps apart, and links, what the matcher must never merge:

- ``is_version_of``: a conference paper and its journal version, a preprint and its published version, an
  untyped record and a typed one in another venue a year or more later (:func:`ir.consolidate.scoring.
  version_conflict`). The earlier form (preprint, conference paper, the earlier record) is the version of the
  later one (never younger than it); the titles must agree at ``version_min_title`` or better (or one is
  the other with words added: 'An extended study of X') and the first authors must agree;
- ``corrects`` / ``retracts``: a correction or retraction notice and the article it names: the notice's title
  without its prefix ('Correction to: X', 'Retraction Note: X') is the article's title
  (``notice_min_ratio``), the article is not younger than the notice and not in another venue.

And the pairs a librarian should look at (:func:`near_misses`): scored within ``review_margin`` below the
match threshold, or at the threshold but refused by the chain guard or a rival in the same source, and in
two works at the end of the run.

Every relation and near miss carries its evidence. Record indices are the caller's; ``a`` -> ``b`` is the
relation's direction (a is a version of b, a corrects b).
"""

from __future__ import annotations

import zlib

import numpy as np
from rapidfuzz import fuzz, process
from rapidfuzz.distance import JaroWinkler

from ir.consolidate.features import AUTHORS_COMPARED, MISSING_YEAR, Features
from ir.consolidate.scoring import (
    SPECIAL_KINDS, VERSION_CONFLICTS, _surnames, _titles, _venue, hard_conflict, version_conflict,
)
from ir.consolidate.settings import ConsolidateSettings

RELATIONS = ("is_version_of", "corrects", "retracts")
INVERSE = {"is_version_of": "has_version", "corrects": "corrected_by", "retracts": "retracted_by"}
NOTICE_RELATION = {"correction": "corrects", "retraction": "retracts"}
# which of two versions is the earlier form: a preprint, then a conference paper, then an untyped record
_VERSION_RANK = {"preprint": 0, "conference": 1, None: 2, "journal": 3}


def _kind_codes(f: Features) -> np.ndarray:
    def build():
        codes: dict = {}
        return np.fromiter((codes.setdefault(k, len(codes)) for k in f.kind), dtype=np.int64, count=len(f))
    return f.cached("_kind_codes", build)


def find_relations(f: Features, I: np.ndarray, J: np.ndarray, labels, s: ConsolidateSettings) -> list[dict]:
    """Relations between records of different clusters among the candidate pairs (I, J) blocking proposed."""
    I = np.asarray(I, dtype=np.int64)
    J = np.asarray(J, dtype=np.int64)
    lab = np.asarray(labels, dtype=np.int64)
    codes = _kind_codes(f)
    keep = (lab[I] != lab[J]) & (codes[I] != codes[J])
    I, J = I[keep], J[keep]
    out: list[dict] = []
    if not len(I):
        return out
    named = f.cached("_names_a_work", lambda: np.fromiter(map(bool, f.corrects), dtype=bool, count=len(f)))
    notice = named[I] | named[J]
    for i, j in zip(I[notice].tolist(), J[notice].tolist()):
        rel = _notice(f, i, j, s) if named[i] else _notice(f, j, i, s)
        if rel:
            out.append(rel)
    # versions: two kinds that can be two versions, bylines that share a name, titles that may agree: the cheap
    # tests first, on every candidate pair of a run
    I, J = I[~notice], J[~notice]
    maybe = _version_kinds(f)[codes[I], codes[J]]
    I, J = I[maybe], J[maybe]
    for test in (_share_a_name, _titles_may_agree):
        if len(I):
            ok = test(f, I, J)
            I, J = I[ok], J[ok]
    vi, vj, why = [], [], []
    for i, j in zip(I.tolist(), J.tolist()):
        reason = version_conflict(f, i, j, s)
        if reason in VERSION_CONFLICTS:
            vi.append(i)
            vj.append(j)
            why.append(reason)
    if vi:
        A, B = np.asarray(vi, dtype=np.int64), np.asarray(vj, dtype=np.int64)
        ratio, _tset, title, _cross, _contained = _titles(f, A, B, s)
        surname = _surnames(f, A, B, s)
        # a title inside the other, at least half of it, agrees at a ratio of 2/3 or better
        todo = np.flatnonzero((title < s.version_min_title) & (surname > 0) & (ratio >= 66))
        extended = [k for k in todo.tolist() if _extends(f, vi[k], vj[k])]
        title[extended] = s.version_min_title
        for k in np.flatnonzero((title >= s.version_min_title) & (surname > 0)).tolist():
            a, b = int(A[k]), int(B[k])
            if _version_order(f, a, b) > 0:
                a, b = b, a
            ya, yb = _year(f, a), _year(f, b)
            if ya is not None and yb is not None and ya > yb:  # a conference paper after its journal version
                continue
            out.append({"a": a, "b": b, "relation": "is_version_of", "score": round(float(title[k] + surname[k]), 2),
                        "evidence": {"reason": why[k], "title_points": round(float(title[k]), 2),
                                     "title_ratio": round(float(ratio[k]), 1), "surname_points": round(float(surname[k]), 2),
                                     "kinds": [f.kind[a], f.kind[b]], "years": [_year(f, a), _year(f, b)]}})
    return _best_per_record(out)


def _version_kinds(f: Features) -> np.ndarray:
    """[kind code, kind code] -> whether records of the two kinds can be two versions (see version_conflict)."""
    def build():
        kinds: dict = {}
        for k in f.kind:
            kinds.setdefault(k, len(kinds))
        m = np.zeros((len(kinds), len(kinds)), dtype=bool)
        typed = {"conference", "journal"}
        for a, x in kinds.items():
            for b, y in kinds.items():
                if a == b or a in SPECIAL_KINDS or b in SPECIAL_KINDS:
                    continue
                m[x, y] = ({a, b} == typed or ("preprint" in (a, b) and a is not None and b is not None)
                           or ((a is None) != (b is None) and bool({a, b} & typed)))
        return m
    _kind_codes(f)  # the same order of first appearance
    return f.cached("_version_kinds", build)


def _titles_may_agree(f: Features, I: np.ndarray, J: np.ndarray) -> np.ndarray:
    """Per pair: the first titles agree at a ratio of 60 or a token-set ratio of 90 (every pair whose titles
    could earn version_min_title, or contain one another, does)."""
    counts, starts = f.var_starts()
    has = (counts[I] > 0) & (counts[J] > 0)
    out = np.zeros(len(I), dtype=bool)
    k = np.flatnonzero(has)
    if len(k):
        compact, keys = f.array("var_compact"), f.array("var_key")
        a, b = starts[I[k]], starts[J[k]]
        r = process.cpdist(compact[a].tolist(), compact[b].tolist(), scorer=fuzz.ratio, workers=1)
        t = process.cpdist(keys[a].tolist(), keys[b].tolist(), scorer=fuzz.token_set_ratio, workers=1)
        out[k] = (r >= 60) | (t >= 90)
    return out


def _share_a_name(f: Features, I: np.ndarray, J: np.ndarray) -> np.ndarray:
    """Per pair: the first authors' surnames are alike, or the bylines' first few surnames share one (a test that
    keeps every pair whose surname points could be positive, on hashed names)."""
    codes = f.cached("_surname_codes", lambda: _surname_codes(f))
    a, b = codes[I], codes[J]
    shared = ((a[:, :, None] == b[:, None, :]) & (a[:, :, None] != 0)).any(axis=(1, 2))
    sn = f.array("surname")
    rest = np.flatnonzero(~shared & (sn[I] != "") & (sn[J] != ""))
    if len(rest):
        sim = process.cpdist(sn[I[rest]].tolist(), sn[J[rest]].tolist(), scorer=JaroWinkler.normalized_similarity,
                             workers=1)
        shared[rest[sim >= 0.85]] = True
    return shared


def _surname_codes(f: Features) -> np.ndarray:
    """Per record, the hashed surnames of its first authors (0: none), AUTHORS_COMPARED columns."""
    out = np.zeros((len(f), AUTHORS_COMPARED + 1), dtype=np.int64)
    for i, (first, names) in enumerate(zip(f.surname, f.surnames)):
        for k, name in enumerate(sorted(({first} if len(first) > 1 else set()) | set(names))[:AUTHORS_COMPARED + 1]):
            out[i, k] = zlib.crc32(name.encode("utf-8")) + 1
    return out


def _extends(f: Features, a: int, b: int, min_chars: int = 20) -> bool:
    """Whether one record's title is the other's with words added anywhere ('An extended study of X', 'X:
    extended results', 'X revisited'): a journal version's title often is."""
    for x in f.titles_of(a):
        for y in f.titles_of(b):
            short, long_ = sorted((x.replace(" ", ""), y.replace(" ", "")), key=len)
            if len(short) >= min_chars and 2 * len(short) >= len(long_) and fuzz.partial_ratio(short, long_) >= 95:
                return True
    return False


def _year(f: Features, i: int) -> int | None:
    y = int(f.year[i])
    return None if y == MISSING_YEAR else y


def _version_order(f: Features, a: int, b: int) -> int:
    """< 0 when a is the earlier form of the two (it is the version of b), > 0 when b is."""
    ra, rb = _VERSION_RANK.get(f.kind[a], 2), _VERSION_RANK.get(f.kind[b], 2)
    if ra != rb and not (f.kind[a] is None or f.kind[b] is None):
        return ra - rb
    ya, yb = _year(f, a), _year(f, b)
    if ya is not None and yb is not None and ya != yb:
        return ya - yb
    return ra - rb or (a - b)


def _notice(f: Features, n: int, t: int, s: ConsolidateSettings) -> dict | None:
    """The relation of notice ``n`` (a correction or retraction) to record ``t``, when n names t."""
    named = f.corrects[n]
    if not named or f.kind[t] in SPECIAL_KINDS:
        return None
    best = max((fuzz.ratio(named, key) for key in f.titles_of(t)), default=0.0)
    if best < s.notice_min_ratio:
        return None
    yn, yt = _year(f, n), _year(f, t)
    if yn is not None and yt is not None and yt > yn:  # a notice never comes before its article
        return None
    venue = _venue(f, n, t, s)
    if venue <= 0 and f.venues[n] and f.venues[t]:  # a notice appears where its article did
        return None
    shared = bool(f.surnames[n] & f.surnames[t])
    return {"a": n, "b": t, "relation": NOTICE_RELATION[f.kind[n]],
            "score": round(best / 100 + (1 if venue > 0 else 0) + (1 if shared else 0), 2),
            "evidence": {"title_ratio": round(float(best), 1), "same_venue": venue > 0, "shared_author": shared,
                         "years": [yn, yt]}}


def _best_per_record(rels: list[dict]) -> list[dict]:
    """A notice names one article: of several candidates it keeps the best (same venue, shared author, closest
    year); versions are kept as they are (a conference paper may have a journal and an extended version)."""
    best: dict[tuple[int, str], dict] = {}
    out = []
    for r in rels:
        if r["relation"] == "is_version_of":
            out.append(r)
            continue
        key = (r["a"], r["relation"])
        years = r["evidence"]["years"]
        gap = (years[0] - years[1]) if None not in years else 99
        rank = (r["score"], -gap, -r["b"])
        if key not in best or rank > best[key][0]:
            best[key] = (rank, r)
    out.extend(r for _rank, r in best.values())
    return sorted(out, key=lambda r: (r["a"], r["b"], r["relation"]))


def near_misses(f: Features, ps, labels, refused: list[dict], cannot: set[tuple[int, int]],
                s: ConsolidateSettings) -> list[dict]:
    """Pairs in two clusters that scored within ``review_margin`` below the threshold with nothing forbidding
    them, or at the threshold but refused for a reason a person can weigh (a chain, a rival in the same
    source, the size cap): the queue of likely duplicates, with the evidence."""
    if s.review_margin <= 0 or not len(ps):
        return []
    lab = np.asarray(labels, dtype=np.int64)
    out: dict[tuple[int, int], dict] = {}
    lo = s.match_threshold - s.review_margin
    for k in np.flatnonzero((ps.total >= lo) & (ps.total < s.match_threshold)).tolist():
        i, j = int(ps.i[k]), int(ps.j[k])
        if lab[i] == lab[j] or (min(i, j), max(i, j)) in cannot or hard_conflict(f, i, j, s):
            continue
        out[(min(i, j), max(i, j))] = {"a": min(i, j), "b": max(i, j), "relation": "possible_duplicate",
                                       "score": round(float(ps.total[k]), 2),
                                       "evidence": {**ps.evidence(k), "reason": "scored just below the threshold"}}
    where = {(int(a), int(b)): k for k, (a, b) in enumerate(zip(ps.i.tolist(), ps.j.tolist()))} if refused else {}
    for r in refused:
        i, j = min(r["i"], r["j"]), max(r["i"], r["j"])
        reason = r.get("reason", "")
        if lab[i] == lab[j] or (i, j) in cannot or not _weighable(reason):
            continue
        k = where.get((i, j))
        ev = ps.evidence(k) if k is not None else {"score": round(float(r["score"]), 2)}
        out[(i, j)] = {"a": i, "b": j, "relation": "possible_duplicate", "score": round(float(r["score"]), 2),
                       "evidence": {**ev, "reason": reason}}
    return [out[key] for key in sorted(out)]


def _weighable(reason: str) -> bool:
    return "chain guard" in reason or "candidate in the same source" in reason or "would exceed" in reason
