"""Blocking: which pairs of records are compared at all.

Rules are declared as data (:data:`RULES`): each names a key function over a record's features;
records sharing a key form a block. A block larger than ``max_block_size`` (a common title opening,
a prolific author's year) is not compared all-against-all but within a sliding window after sorting
by title, so the number of pairs grows near-linearly with the number of records.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np

from ir.consolidate.features import MISSING_YEAR, Features
from ir.normalize import is_han


@dataclass(frozen=True)
class BlockingRule:
    name: str
    description: str
    keys: Callable[[Features, dict], Iterator[tuple[int, str]]]  # yields (record index, block key)
    # blocks larger than this (or than the run's max_block_size) are compared within a sorted window only;
    # keys made of common names ('wang|zhang') make many large blocks of unrelated works
    max_block_size: int | None = None


def _title_prefix(f: Features, ctx: dict) -> Iterator[tuple[int, str]]:
    for rec, key, han in zip(f.var_rec, f.var_key, f.var_han):
        toks = key.split()
        n = 6 if han else 3
        yield int(rec), " ".join(toks[:n])
    # a correction or retraction notice blocks with the article it names ('Correction to: X' with 'X')
    for rec, key in enumerate(f.corrects):
        if key:
            yield rec, " ".join(key.split()[:6 if is_han(key) else 3])


def _noticed_title(f: Features, ctx: dict) -> Iterator[tuple[int, str]]:
    """A correction or retraction notice with every record whose title is the one it names, exactly (the
    title_prefix block of a common opening is compared in a sorted window only, where 'Correction: X' sorts
    far from 'X')."""
    named = {key for key in f.corrects if key}
    if not named:
        return
    for rec, key in enumerate(f.corrects):
        if key:
            yield rec, key
    for rec, key in zip(f.var_rec.tolist(), f.var_key):
        if key in named:
            yield rec, key


def _title_compact_prefix(f: Features, ctx: dict) -> Iterator[tuple[int, str]]:
    """The first twelve letters of a title without spaces: words run together ('Improved HistogramsforSelectivity')."""
    for rec, key, han in zip(f.var_rec.tolist(), f.var_compact, f.var_han):
        if not han and len(key) >= 12:
            yield rec, key[:12]


def _title_compact_suffix(f: Features, ctx: dict) -> Iterator[tuple[int, str]]:
    """The last twelve letters of a title without spaces: words run together after a scraped byline
    ('Maier. RapidBushyJoin-orderOptimizationwithCartesian Products')."""
    for rec, key, han in zip(f.var_rec.tolist(), f.var_compact, f.var_han):
        if not han and len(key) >= 12:
            yield rec, key[-16:]


def _title_suffix(f: Features, ctx: dict) -> Iterator[tuple[int, str]]:
    for rec, key, han in zip(f.var_rec, f.var_key, f.var_han):
        toks = key.split()
        n = 6 if han else 3
        if len(toks) > n:
            yield int(rec), " ".join(toks[-n:])


def _rare_tokens(f: Features, ctx: dict) -> Iterator[tuple[int, str]]:
    df = ctx.get("df")
    if df is None:
        df = ctx["df"] = Counter(t for key in f.var_key for t in set(key.split()) if len(t) > 2)
    for rec, key, han in zip(f.var_rec, f.var_key, f.var_han):
        if han:
            continue
        toks = sorted({t for t in key.split() if len(t) > 2}, key=lambda t: (df[t], t))
        if len(toks) >= 2:
            yield int(rec), " ".join(sorted(toks[:2]))


def _author_title_word(f: Features, ctx: dict) -> Iterator[tuple[int, str]]:
    """The first author's surname with any of the title's three rarest words: finds a title
    whose opening and end are both spoiled (a citation scraped whole, a truncated title, a typo)."""
    df = ctx.get("df")
    if df is None:
        df = ctx["df"] = Counter(t for key in f.var_key for t in set(key.split()) if len(t) > 2)
    words: dict[int, set] = defaultdict(set)
    for rec, key, han in zip(f.var_rec.tolist(), f.var_key, f.var_han):
        if not han:
            words[rec].update(sorted({t for t in key.split() if len(t) > 3}, key=lambda t: (df[t], t))[:3])
    for rec, ws in words.items():
        name = f.surname[rec]
        if len(name) > 1:
            for w in ws:
                yield rec, f"{name}|{w}"


def _two_authors(f: Features, ctx: dict) -> Iterator[tuple[int, str]]:
    """The first two authors' surnames, in byline order: a team's works, whatever their titles' state
    (a citation scraped with a tail of its byline, 'andG. Moerkotte. Evaluating queries withgeneralized ...')."""
    for i, (first, second) in enumerate(zip(f.surname, f.second)):
        if len(first) > 1 and len(second) > 1:
            yield i, f"{first}|{second}"


def _author_year(f: Features, ctx: dict) -> Iterator[tuple[int, str]]:
    for i, (s, y) in enumerate(zip(f.surname, f.year.tolist())):
        if s and y != MISSING_YEAR:
            yield i, f"{s}|{y}"


def _venue_volume_page(f: Features, ctx: dict) -> Iterator[tuple[int, str]]:
    for i in range(len(f)):
        vol, pages = f.volume[i], f.pages[i]
        if not pages:
            continue
        venues = (list(f.issns[i]) or list(f.venues[i][:1])) if vol else []
        for v in venues:
            for p in pages:
                yield i, f"{v}|{vol}|{p}"
        if f.year[i] != MISSING_YEAR:  # the year stands in for a venue named differently (or in Chinese)
            for p in pages:
                yield i, f"{int(f.year[i])}||{p}"
        # a venue in either script: CNKI's '大连理工大学学报(自然科学版)' and Ei's 'Dalian Ligong Daxue Xuebao' meet
        # on the pinyin of the name without its edition
        for v in f.venue_pinyin[i]:
            if len(v) >= 10:
                for p in pages:
                    yield i, f"{v}|||{p}"


RULES: tuple[BlockingRule, ...] = (
    BlockingRule("title_prefix", "the first three words of a title (six characters of a Chinese title)", _title_prefix),
    BlockingRule("noticed_title", "a correction or retraction notice and the records with the title it names",
                 _noticed_title),
    BlockingRule("title_compact_prefix", "the first twelve letters of a title, spaces ignored", _title_compact_prefix),
    BlockingRule("title_suffix", "the last three words of a title", _title_suffix),
    BlockingRule("title_compact_suffix", "the last twelve letters of a title, spaces ignored", _title_compact_suffix,
                 max_block_size=16),
    BlockingRule("title_rare_words", "the two rarest words of a title", _rare_tokens),
    BlockingRule("author_title_word", "the first author's surname and one of the title's three rarest words",
                 _author_title_word, max_block_size=16),
    BlockingRule("two_authors", "the first two authors' surnames", _two_authors, max_block_size=16),
    BlockingRule("author_year", "first author's surname and the year", _author_year),
    BlockingRule("venue_volume_page", "ISSN (or journal) + volume + first page or article number; year + first page; "
                 "the journal's name in pinyin + first page", _venue_volume_page),
)


def candidate_pairs(f: Features, *, max_block_size: int, window: int, active: np.ndarray | None = None,
                    rules: tuple[BlockingRule, ...] = RULES) -> tuple[np.ndarray, np.ndarray, dict[str, int]]:
    """Distinct pairs (i < j) sharing a block under any rule; with ``active``, only pairs touching an active record.

    Returns (I, J, pairs generated per rule before de-duplication).
    """
    n = len(f)
    ctx: dict = {}
    sort_key = _sort_keys(f)
    chunks: list[np.ndarray] = []
    per_rule: dict[str, int] = {}
    for rule in rules:
        cap = min(max_block_size, rule.max_block_size or max_block_size)
        blocks: dict[str, list[int]] = defaultdict(list)
        for i, key in rule.keys(f, ctx):
            blocks[key].append(i)
        count = 0
        small_i: list[int] = []
        small_j: list[int] = []
        for members in blocks.values():
            if len(members) < 2:
                continue
            if len(members) <= min(8, cap):  # most blocks: plain Python is faster than numpy here
                ms = sorted(set(members))
                for x in range(len(ms)):
                    for y in range(x + 1, len(ms)):
                        a, b = ms[x], ms[y]
                        if active is None or active[a] or active[b]:
                            small_i.append(a)
                            small_j.append(b)
                continue
            m = np.asarray(sorted(set(members)), dtype=np.int64)
            if len(m) < 2:
                continue
            if active is not None and not active[m].any():
                continue
            if len(m) <= cap:
                a, b = np.triu_indices(len(m), 1)
                pi, pj = m[a], m[b]
            else:  # sorted neighbourhood inside an oversized block
                m = m[np.argsort(sort_key[m], kind="stable")]
                pi = np.concatenate([m[:-k] for k in range(1, min(window, len(m) - 1) + 1)])
                pj = np.concatenate([m[k:] for k in range(1, min(window, len(m) - 1) + 1)])
            codes = np.minimum(pi, pj) * n + np.maximum(pi, pj)
            if active is not None:
                codes = codes[active[pi] | active[pj]]
            chunks.append(codes)
            count += len(codes)
        if small_i:
            codes = np.asarray(small_i, dtype=np.int64) * n + np.asarray(small_j, dtype=np.int64)
            chunks.append(codes)
            count += len(codes)
        per_rule[rule.name] = count
    if not chunks:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, per_rule
    codes = np.sort(np.concatenate(chunks))  # sort, then drop repeats: faster than np.unique's hashing here
    if len(codes):
        codes = codes[np.concatenate(([True], codes[1:] != codes[:-1]))]
    return codes // n, codes % n, per_rule


def _sort_keys(f: Features) -> np.ndarray:
    first = {}
    for rec, key in zip(f.var_rec.tolist(), f.var_key):
        first.setdefault(rec, key)
    keys = [first.get(i, "") for i in range(len(f))]
    order = np.argsort(np.asarray(keys, dtype=object), kind="stable")
    rank = np.empty(len(f), dtype=np.int64)
    rank[order] = np.arange(len(f))
    return rank
