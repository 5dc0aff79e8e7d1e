"""Scoring candidate pairs: each comparison gives points, the evidence says which fields agreed.

Titles are compared in bulk with rapidfuzz (``process.cpdist`` over the de-duplicated candidate
pairs, every title variant against every variant); the other fields with numpy or small loops over
the pairs that survive the title floor. Hard conflicts are reasons a pair may never be linked,
whatever its points.
"""

from __future__ import annotations

import dataclasses
import multiprocessing as mp
import os
import re
from dataclasses import dataclass

import numpy as np
from rapidfuzz import fuzz, process
from rapidfuzz.distance import JaroWinkler

from ir.consolidate.features import MISSING_YEAR, Features
from ir.consolidate.settings import ConsolidateSettings
from ir.runtime import can_fork

SPECIAL_KINDS = frozenset({"correction", "retraction", "reply"})
FIELDS = ("title", "year", "surname", "venue", "volume", "pages", "source")


@dataclass
class PairScores:
    i: np.ndarray
    j: np.ndarray
    ratio: np.ndarray
    token_set: np.ndarray
    points: dict[str, np.ndarray]
    total: np.ndarray
    conflict: list[str | None]

    def __len__(self) -> int:
        return len(self.i)

    def evidence(self, k: int) -> dict:
        pts = {name: round(float(v[k]), 2) for name, v in self.points.items() if v[k] != 0}
        return {"score": round(float(self.total[k]), 2), "title_ratio": round(float(self.ratio[k]), 1),
                "title_token_set": round(float(self.token_set[k]), 1), "points": pts}


def max_other_points(s: ConsolidateSettings) -> float:
    return s.year_equal + s.surname_equal + s.coauthors_shared + max(s.venue_issn_equal, s.venue_name_equal) + s.volume_equal + s.page_equal


def _best_possible(f: Features, I: np.ndarray, J: np.ndarray, s: ConsolidateSettings) -> np.ndarray:
    """An upper bound of each pair's points, from the comparisons numpy makes at once: the year, the source,
    first authors equal or not, volume and pages equal or not; the title, venue and co-authors at their best.

    Titles are the costly comparison: pairs years apart that share no volume or page (most pairs that blocking
    proposes) are left out without comparing them. Lossless: the pairs left out score below the threshold.
    """
    sn = f.array("surname")
    a, b = sn[I], sn[J]
    present = (a != "") & (b != "")
    coauthors = max(s.coauthors_shared, 0.0)  # added only to positive surname points
    equal = s.surname_equal + (coauthors if s.surname_equal > 0 else 0.0)
    other = max(s.surname_similar, s.surname_shared, s.surname_swapped, s.surname_different,
                s.surname_different_long_title)
    other += coauthors if other > 0 else 0.0
    surname = np.where(present, np.where(a == b, equal, other), 0.0)
    sources = f.array("sources")
    source = np.where(sources[I] == sources[J], s.same_source, 0.0)
    vol = f.volume_code
    same_volume = (vol[I] == vol[J]) & (vol[I] != 0)
    pa, pb = f.page_codes[I], f.page_codes[J]
    same_page = (((pa[:, :1] == pb) | (pa[:, 1:] == pb)) & (pb != 0)).any(axis=1)
    title = max(level[3] for level in s.title_levels)
    venue = max(s.venue_issn_equal, s.venue_name_equal, s.venue_different, 0.0)
    return (title + _years(f, I, J, s) + surname + source + venue + np.where(same_volume, max(s.volume_equal, 0.0), 0.0)
            + np.where(same_page, max(s.page_equal, 0.0), 0.0))


def score_pairs(f: Features, I: np.ndarray, J: np.ndarray, s: ConsolidateSettings, *, prune: bool = True) -> PairScores:
    I = np.asarray(I, dtype=np.int64)
    J = np.asarray(J, dtype=np.int64)
    if prune and len(I):  # a pair that cannot reach the threshold even with the best title is not compared at all
        keep = _best_possible(f, I, J, s) >= s.match_threshold
        I, J = I[keep], J[keep]
    ratio, tset, title_pts, cross, contained = _titles(f, I, J, s)
    if prune and len(I):  # a pair whose title rules out reaching the threshold is not scored further
        keep = title_pts + max_other_points(s) >= s.match_threshold
        # a cross-script pair needs its first pages to agree, so only those go on
        located = cross & (f.page_code[I] == f.page_code[J]) & (f.page_code[I] != 0)
        keep &= ((ratio >= s.candidate_min_ratio) | (tset >= s.candidate_min_token_set) | (ratio < 0) | located
                 | contained)
        I, J, ratio, tset, title_pts = I[keep], J[keep], ratio[keep], tset[keep], title_pts[keep]
    ratio = np.where(ratio < 0, 0.0, ratio)
    years = _years(f, I, J, s)
    # the near-shared co-author search (a loop) only where its points could still make a link
    worth = (title_pts + years + max(s.surname_similar, s.surname_shared) + max_other_points(s) - s.year_equal
             - s.surname_equal >= s.match_threshold) if prune else None
    pts = {"title": title_pts, "year": years, "surname": _surnames(f, I, J, s, worth)}
    # two or more co-authors in common are evidence beyond the first author (teams recur, but rarely
    # on differently titled works of one year); counted only where the first authors agree
    pts["coauthors"] = np.zeros(len(I))
    idx = np.flatnonzero(pts["surname"] > 0)
    if len(idx):
        shared = np.fromiter((len(f.surnames[i] & f.surnames[j]) >= 2 for i, j in zip(I[idx].tolist(), J[idx].tolist())),
                             dtype=bool, count=len(idx))
        pts["coauthors"][idx[shared]] = s.coauthors_shared
    # a long title that agrees (near-)exactly outweighs a first author who differs: bylines get truncated,
    # reordered and garbled far more often than two works share a title of six words or more
    long_title = (title_pts >= s.title_long_points) & (_min_tokens(f, I, J) >= s.title_long_tokens)
    pts["surname"] = np.where(long_title & (pts["surname"] < s.surname_different_long_title),
                              s.surname_different_long_title, pts["surname"])
    sources = f.array("sources")
    pts["source"] = np.where(sources[I] == sources[J],
                             s.same_source, 0.0) if len(I) else np.zeros(0)
    # the remaining comparisons are loops: only for pairs that can still reach the threshold
    rest = max(s.venue_issn_equal, s.venue_name_equal) + s.volume_equal + s.page_equal
    partial = pts["title"] + pts["year"] + pts["surname"] + pts["source"] + pts["coauthors"]
    todo = np.flatnonzero(partial + rest >= s.match_threshold) if prune else np.arange(len(I))
    venue, volume, pages = np.zeros(len(I)), np.zeros(len(I)), np.zeros(len(I))
    for k, i, j in zip(todo.tolist(), I[todo].tolist(), J[todo].tolist()):
        venue[k] = _venue(f, i, j, s)
        va = f.volume[i]
        if va and va == f.volume[j]:
            volume[k] = s.volume_equal
        pa, pb = f.pages[i], f.pages[j]
        if pa and pb and pa & pb:
            pages[k] = s.page_equal
    pts["venue"], pts["volume"], pts["pages"] = venue, volume, pages
    # a pair whose titles are in different scripts only may match on a full bibliographic locator
    sa_, sb_ = f.script[I], f.script[J]
    cross = (sa_ != 0) & (sb_ != 0) & ((sa_ & sb_) == 0)
    located = (pts["venue"] > 0) & (pts["pages"] > 0) & (pts["surname"] > 0) & _issues_agree(f, I, J)
    pts["locator"] = np.where(cross & ~located, s.cross_script_unlocated, 0.0)
    total = sum(pts.values()) if len(I) else np.zeros(0)
    total = np.asarray(total, dtype=float)
    # hard conflicts matter only where the points would link the pair
    conflict: list[str | None] = [None] * len(I)
    for k in np.flatnonzero(total >= s.match_threshold - (s.consistency_slack if not prune else 0)).tolist():
        conflict[k] = hard_conflict(f, int(I[k]), int(J[k]), s)
    return PairScores(I, J, ratio, tset, pts, np.asarray(total, dtype=float), conflict)


def score_pairs_parallel(f: Features, I: np.ndarray, J: np.ndarray, s: ConsolidateSettings) -> PairScores:
    """:func:`score_pairs` over the candidate pairs in chunks, one per process (``s.processes``), the same scores.

    The workers are forked: they inherit the features instead of receiving them, and send back only the
    chunk's scores. Only where forking is safe and allowed (a single-threaded, non-daemonic process) and the
    pairs are many.
    """
    procs = (os.cpu_count() or 1) if s.processes < 0 else s.processes
    procs = min(procs, len(I) // s.pairs_per_process)
    if procs < 2 or not can_fork():
        return score_pairs(f, I, J, s)
    one = dataclasses.replace(s, workers=1)  # a process per core: no threads on top
    bounds = np.linspace(0, len(I), procs + 1).astype(np.int64)
    global _FORKED
    _FORKED = (f, np.asarray(I, dtype=np.int64), np.asarray(J, dtype=np.int64), one)
    try:
        with mp.get_context("fork").Pool(procs - 1) as pool:
            others = pool.map_async(_score_chunk, list(zip(bounds[1:-1].tolist(), bounds[2:].tolist())))
            first = _score_chunk((int(bounds[0]), int(bounds[1])))
            parts = [first, *others.get()]
    finally:
        _FORKED = None
    return PairScores(np.concatenate([p.i for p in parts]), np.concatenate([p.j for p in parts]),
                      np.concatenate([p.ratio for p in parts]), np.concatenate([p.token_set for p in parts]),
                      {k: np.concatenate([p.points[k] for p in parts]) for k in parts[0].points},
                      np.concatenate([p.total for p in parts]), [c for p in parts for c in p.conflict])


_FORKED: tuple | None = None  # what forked scoring workers inherit: (features, I, J, settings)


def _score_chunk(bounds: tuple[int, int]) -> PairScores:
    f, I, J, s = _FORKED
    a, b = bounds
    return score_pairs(f, I[a:b], J[a:b], s)


def _titles(f: Features, I: np.ndarray, J: np.ndarray, s: ConsolidateSettings):
    """Best title agreement over all variant pairs; -1 ratio where either record has no title.

    Besides the spaced keys, titles are compared without spaces ('Adaptingmaterializedviews' is
    'adapting materialized views'), and one title may contain the other in order: a truncated title,
    a dropped subtitle, or a citation scraped whole ('Ross K (1995) Adapting materialized views ...',
    'Infomaster: an information integration system, in Proc. SIGMOD'). Text before the contained title
    must be noise (the records' own author names, years, initials), else the longer title says more
    than the shorter ('Answering queries using views' is not 'A scalable algorithm for answering ...').
    """
    counts, starts = f.var_starts()
    ci, cj = counts[I], counts[J]
    tot = ci * cj
    ratio = np.full(len(I), -1.0)
    tset = np.full(len(I), -1.0)
    points = np.zeros(len(I))
    cross_pair = np.zeros(len(I), dtype=bool)
    contained_pair = np.zeros(len(I), dtype=bool)
    if tot.sum() == 0:
        return ratio, tset, points, cross_pair, contained_pair
    pair = np.repeat(np.arange(len(I)), tot)
    within = np.arange(tot.sum()) - np.repeat(np.cumsum(tot) - tot, tot)
    vi = starts[I][pair] + within // cj[pair]
    vj = starts[J][pair] + within % cj[pair]
    keys = f.array("var_key")
    compact = f.array("var_compact")
    ka, kb = keys[vi].tolist(), keys[vj].tolist()
    ca, cb = compact[vi].tolist(), compact[vj].tolist()
    workers = s.workers if len(ka) > 20_000 else 1  # threads only pay off on big batches
    r = process.cpdist(ka, kb, scorer=fuzz.ratio, workers=workers).astype(float)
    r = np.maximum(r, process.cpdist(ca, cb, scorer=fuzz.ratio, workers=workers))
    t = process.cpdist(ka, kb, scorer=fuzz.token_set_ratio, workers=workers).astype(float)
    o = np.zeros(len(ka))
    maybe = np.flatnonzero((t >= 90) & (r < 95))
    if len(maybe):  # the same words in another order ('secure object-oriented' / 'object-oriented secure')
        o[maybe] = process.cpdist([ka[k] for k in maybe.tolist()], [kb[k] for k in maybe.tolist()],
                                  scorer=fuzz.token_sort_ratio, workers=workers)
    na, nb = f.var_ntok[vi], f.var_ntok[vj]
    short = np.minimum(na, nb)
    coverage = short / np.maximum(na, nb)
    la = np.fromiter(map(len, ca), dtype=np.int64, count=len(ca))
    lb = np.fromiter(map(len, cb), dtype=np.int64, count=len(cb))
    contained = _contained(f, I[pair], J[pair], ca, cb, la, lb, r, s, workers, vi, vj)
    p = np.full(len(ka), s.title_else, dtype=float)
    done = np.zeros(len(ka), dtype=bool)
    for name, min_ratio, min_tset, level_pts in s.title_levels:
        if name == "contained":
            hit = ~done & contained
            p[hit] = np.where(coverage[hit] >= s.title_contained_coverage, level_pts,
                              min(level_pts, s.title_contained_low_coverage))
            done |= hit
            continue
        if name == "reordered":
            hit = ~done & (o >= min_ratio) & (short >= 4)
            p[hit] = level_pts
            done |= hit
            continue
        hit = ~done & (r >= min_ratio) & (t >= min_tset)
        if name == "exact":
            hit &= np.fromiter((a == b for a, b in zip(ca, cb)), dtype=bool, count=len(ka)) if hit.any() else hit
        p[hit] = level_pts
        done |= hit
    # a short title ('Online aggregation') is weak evidence; words run together ('Improved HistogramsforSelectivity
    # EstimationofRangePredicates') do not make a title short
    is_short = (short <= s.title_short_tokens) & (np.minimum(la, lb) < s.title_short_chars)
    p = np.where(is_short & (p > s.title_short_cap), s.title_short_cap, p)
    han = f.array("var_han")
    # a Chinese title against an English one says nothing either way; where the two records also have titles
    # in one script (CNKI's English translation beside Ei's English title), only those are compared
    cross = han[vi] != han[vj]
    generic = f.var_generic[vi] | f.var_generic[vj]
    p = np.where(generic & (p > s.title_generic_cap), s.title_generic_cap, p)
    same = ~cross
    np.maximum.at(ratio, pair[same], r[same])
    np.maximum.at(tset, pair[same], t[same])
    points[:] = -np.inf
    np.maximum.at(points, pair[same], p[same])
    np.logical_or.at(contained_pair, pair[same], contained[same])
    has_same = np.zeros(len(I), dtype=bool)
    np.logical_or.at(has_same, pair, same)
    cross_pair[:] = (tot > 0) & ~has_same
    points[cross_pair] = s.title_cross_script
    points[tot == 0] = 0.0
    return ratio, tset, points, cross_pair, contained_pair


_CONNECTORS = ("and", "et", "al", "in", "by", "eds", "ed", "with")


def _contained(f: Features, RI: np.ndarray, RJ: np.ndarray, ca: list[str], cb: list[str],
               la: np.ndarray, lb: np.ndarray, r: np.ndarray, s: ConsolidateSettings, workers: int,
               VI: np.ndarray, VJ: np.ndarray) -> np.ndarray:
    """Per variant pair: the shorter spaceless title occurs, in order, in the longer, after nothing but noise."""
    out = np.zeros(len(ca), dtype=bool)
    # a pair at 'near' or better never needs the 'contained' level
    near = next((lv[1] for lv in s.title_levels if lv[0] == "near"), 100)
    todo = np.flatnonzero((np.minimum(la, lb) >= s.title_contained_min_chars) & (r < near) & (la != lb))
    if len(todo):
        todo = todo[_may_contain(f, VI[todo], VJ[todo], la[todo], lb[todo], s.title_contained_partial)]
    if not len(todo):
        return out
    shorter = [ca[k] if la[k] < lb[k] else cb[k] for k in todo.tolist()]
    longer = [cb[k] if la[k] < lb[k] else ca[k] for k in todo.tolist()]
    part = process.cpdist(shorter, longer, scorer=fuzz.partial_ratio, workers=workers)
    for x in np.flatnonzero(part >= s.title_contained_partial).tolist():
        k = int(todo[x])
        al = fuzz.partial_ratio_alignment(shorter[x], longer[x])
        if al is None or al.score < s.title_contained_partial:
            continue
        head = longer[x][: al.dest_start]
        if head and not _is_noise(head, f.name_words[int(RI[k])] | f.name_words[int(RJ[k])]):
            continue
        out[k] = True
    return out


_BINS = 64


def _char_histograms(f: Features) -> np.ndarray:
    """Per title variant, how often each character (hashed into 64 bins) occurs in its spaceless key; cached."""
    h = getattr(f, "_char_hist", None)
    if h is None or len(h) != len(f.var_compact):
        lengths = np.fromiter(map(len, f.var_compact), dtype=np.int64, count=len(f.var_compact))
        codes = np.frombuffer("".join(f.var_compact).encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
        rows = np.repeat(np.arange(len(lengths)), lengths)
        h = np.bincount(rows * _BINS + codes % _BINS, minlength=len(lengths) * _BINS).reshape(-1, _BINS)
        h = np.minimum(h, 30_000).astype(np.int16)
        f._char_hist = h
    return h


def _may_contain(f: Features, vi: np.ndarray, vj: np.ndarray, la: np.ndarray, lb: np.ndarray,
                 min_partial: float) -> np.ndarray:
    """A lossless prefilter for ``partial_ratio(shorter, longer) >= min_partial``.

    The best window of the longer title differs from the shorter title (m characters) by an Indel
    distance of at most (1 - min_partial/100) * 2m, and at least by the characters of the shorter
    title missing from the whole longer one (counted as a multiset; bins only lower the count).
    """
    h = _char_histograms(f)
    swap = la > lb
    short = np.where(swap, vj, vi)
    long_ = np.where(swap, vi, vj)
    m = np.minimum(la, lb)
    allowed = np.floor((1 - min_partial / 100) * 2 * m + 1e-9)
    keep = np.zeros(len(vi), dtype=bool)
    step = 200_000
    for a in range(0, len(vi), step):
        hs, hl = h[short[a:a + step]], h[long_[a:a + step]]
        missing = np.maximum(hs - hl, 0).sum(axis=1)
        keep[a:a + step] = missing <= allowed[a:a + step]
    return keep


_YEAR = re.compile(r"(?:19|20)\d\d")


def _is_noise(head: str, names: frozenset) -> bool:
    """Whether the text before a contained title is a citation's byline: only author names, years and
    connecting words, or a short run that names one of the records' authors or a year."""
    rest = "".join(ch for ch in head if not ch.isdigit())
    named = False
    for w in sorted(names, key=len, reverse=True):
        if (len(w) > 2 or len(rest) <= 6) and w in rest:
            rest = rest.replace(w, "")
            named = named or len(w) > 3
    for w in _CONNECTORS:
        rest = rest.replace(w, "")
    return len(rest) <= 3 or (len(head) <= 40 and (named or bool(_YEAR.search(head))))


def _min_tokens(f: Features, I: np.ndarray, J: np.ndarray) -> np.ndarray:
    """Words in the shorter of the two records' longest titles."""
    longest = f.cached("_longest_title", lambda: _longest_title(f))
    return np.minimum(longest[I], longest[J])


def _longest_title(f: Features) -> np.ndarray:
    longest = np.zeros(len(f), dtype=np.int64)
    if len(f.var_rec):
        np.maximum.at(longest, f.var_rec, f.var_ntok)
    return longest


def _years(f: Features, I, J, s: ConsolidateSettings) -> np.ndarray:
    ya, yb, ea, eb = f.year[I], f.year[J], f.ea_year[I], f.ea_year[J]
    missing = (ya == MISSING_YEAR) | (yb == MISSING_YEAR)
    diff = np.abs(ya - yb)
    for x, y in ((ea, yb), (ya, eb), (ea, eb)):
        ok = (x != MISSING_YEAR) & (y != MISSING_YEAR)
        diff = np.where(ok, np.minimum(diff, np.abs(x - y)), diff)
    out = np.where(diff == 0, s.year_equal, np.where(diff <= s.year_tolerance, s.year_near, s.year_far))
    return np.where(missing, 0.0, out)


def _surnames(f: Features, I, J, s: ConsolidateSettings, worth: np.ndarray | None = None) -> np.ndarray:
    sn = f.array("surname")
    a, b = sn[I], sn[J]
    out = np.zeros(len(I))
    present = np.fromiter((bool(x) and bool(y) for x, y in zip(a, b)), dtype=bool, count=len(I))
    equal = present & (a == b)
    out[equal] = s.surname_equal
    rest = present & ~equal
    if rest.any():
        sim = process.cpdist(a[rest].tolist(), b[rest].tolist(), scorer=JaroWinkler.normalized_similarity, workers=1)
        out[rest] = np.where(sim >= s.surname_similarity, s.surname_similar, s.surname_different)
        # the first author differs, but another author is shared (bylines in another order)
        # (a name that many bylines carry, 王 Wang or 李 Li, is weak evidence of a shared author)
        idx = np.flatnonzero(rest & (out == s.surname_different))
        common = _common_surnames(f, s.surname_common_share)
        shared = [f.surnames[i] & f.surnames[j] for i, j in zip(I[idx].tolist(), J[idx].tolist())]
        out[idx] = [s.surname_different if not x else s.surname_shared_common if x <= common else s.surname_shared
                    for x in shared]
        # or another author is nearly shared ('Molesky' / 'MoleskyandK', 'Faloutsos' / 'Faloutsost')
        idx = np.flatnonzero(rest & (out == s.surname_different) & (True if worth is None else worth))
        near = [_names_near(f.surnames[i], f.surnames[j], s.surname_similarity)
                for i, j in zip(I[idx].tolist(), J[idx].tolist())]
        out[idx[np.asarray(near, dtype=bool)]] = s.surname_similar
        # or the first authors' names are one name, surname and given name swapped ('Z Li' / 'L Zhe')
        idx = np.flatnonzero(rest & (out == s.surname_different))
        if len(idx):
            ini = f.array("initial")
            swapped = [_swapped(x, y, p, q) for x, y, p, q in zip(a[idx], b[idx], ini[I[idx]], ini[J[idx]])]
            out[idx[np.asarray(swapped, dtype=bool)]] = s.surname_swapped
    return out


def _issues_agree(f: Features, I: np.ndarray, J: np.ndarray) -> np.ndarray:
    """Per pair: not two different issues ('09' and '9' are one). Many Chinese journals number pages per issue, so
    a first page locates a paper only within its issue."""
    if not len(I):
        return np.ones(0, dtype=bool)
    issue = f.array("issue")
    a, b = issue[I], issue[J]
    return np.fromiter((not (x and y and x != y) for x, y in zip(a, b)), dtype=bool, count=len(I))


def _common_surnames(f: Features, share: float) -> frozenset:
    """Surnames among the first authors of more than ``share`` of the run's records (at least 50 records)."""
    def build():
        from collections import Counter

        counts = Counter(name for names in f.surnames for name in names)
        floor = max(50, share * len(f))
        return frozenset(name for name, c in counts.items() if c > floor)
    return f.cached(f"_common_surnames_{share}", build)


def _swapped(surname_a: str, surname_b: str, initial_a: str, initial_b: str) -> bool:
    """Whether two different surnames with their given initials are one name written both ways round."""
    return bool(initial_a and initial_b and len(surname_a) > 1 and len(surname_b) > 1
                and surname_a[0] == initial_b and surname_b[0] == initial_a)


def _names_near(a: frozenset, b: frozenset, threshold: float) -> bool:
    for x in a:
        if len(x) < 4:
            continue
        for y in b:
            if len(y) >= 4 and (JaroWinkler.normalized_similarity(x, y) >= threshold
                                or (len(x) >= 5 and x in y) or (len(y) >= 5 and y in x)):
                return True
    return False


def _venue(f: Features, i: int, j: int, s: ConsolidateSettings) -> float:
    ia, ib = f.issns[i], f.issns[j]
    if ia and ib:
        if ia & ib:
            return s.venue_issn_equal
    va, vb = f.venues[i], f.venues[j]
    if va and vb:
        from ir.normalize import _journal_match

        if any(_journal_match(x, y) for x in va for y in vb) or f.venue_compact[i] & f.venue_compact[j]:
            ea, eb = f.editions[i], f.editions[j]
            if ea and eb and not ea & eb:  # two editions of one university journal
                return s.venue_different
            return s.venue_name_equal
        return s.venue_different
    if ia and ib:
        return s.venue_issn_different
    return 0.0


VERSION_CONFLICTS = ("conference paper vs journal article", "preprint vs published version",
                     "another venue and year: a version")


def version_conflict(f: Features, i: int, j: int, s: ConsolidateSettings) -> str | None:
    """Why two records are two publications of one piece of research, or a notice and its article: a correction,
    retraction or reply against anything else; a conference paper against its journal version; a preprint
    against its published version; without a document type on one side, a record in another venue a year or
    more apart from a typed one (the journal version of an untyped conference paper). None when none of these."""
    ka, kb = f.kind[i], f.kind[j]
    if ka == kb:
        return None
    if ka in SPECIAL_KINDS or kb in SPECIAL_KINDS:  # an erratum never joins its article, typed or not
        return f"{ka or 'untyped'} vs {kb or 'untyped'}"
    if "preprint" in (ka, kb) and ka and kb:
        return "preprint vs published version"
    if s.merge_conference_journal:
        return None
    if {ka, kb} == {"conference", "journal"}:
        # a proceedings paper published in a journal (same ISSN or journal) is one publication typed two ways
        return "conference paper vs journal article" if _venue(f, i, j, s) <= 0 else None
    if s.version_years and (ka is None) != (kb is None) and {ka, kb} & {"conference", "journal"} \
            and f.venues[i] and f.venues[j] and _venue(f, i, j, s) <= 0:
        ya, yb = int(f.year[i]), int(f.year[j])
        if ya != MISSING_YEAR and yb != MISSING_YEAR and abs(ya - yb) >= s.version_years:
            return "another venue and year: a version"
    return None


def hard_conflict(f: Features, i: int, j: int, s: ConsolidateSettings) -> str | None:
    """Why records i and j may never be one work (None when nothing forbids it)."""
    da, db = f.doi[i], f.doi[j]
    if da and db and da != db:
        return "different DOIs"
    if da and da == db:
        return None  # the same DOI outweighs the descriptive fields below
    na, nb = f.parts[i], f.parts[j]
    if na and nb and not na & nb:
        return "different part numbers"
    why = version_conflict(f, i, j, s)
    if why:
        return why
    if f.sources[i] == f.sources[j] and f.generic[i] and f.generic[j]:
        # one source listing a recurring title twice ('Book Review Column') lists two instalments
        return "instalments of a recurring title"
    pa, pb = f.pmid[i], f.pmid[j]
    if pa and pb and pa != pb:
        return "different PMIDs"
    if s.volume_conflict_blocks:
        va, vb = f.volume[i], f.volume[j]
        if va and vb and va != vb:
            return "different volumes"
    if s.page_conflict_blocks:
        ga, gb = f.pages[i], f.pages[j]
        if ga and gb and not ga & gb:
            return "different pages"
    return None
