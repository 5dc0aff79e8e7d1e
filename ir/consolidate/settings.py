"""Consolidation settings: section ``[consolidate]`` of the pipeline settings file.

Every threshold and weight of the matcher is here, as data: the ``[consolidate]`` section, loaded and checked
with the rest of the configuration (:func:`ir.settings.load`: ``config.consolidate``).
The weights are log-odds-like points: a candidate pair whose points reach ``match_threshold`` is a
match, unless a hard conflict (different DOIs, conflicting pages or volumes, a correction against its
article, a conference paper against a journal article, a librarian's cannot-link) forbids it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

DEFAULT_PRECEDENCE = ["wos", "scopus", "ei", "cscd", "cssci", "cnki", "wanfang", "ris"]


@dataclass
class ConsolidateSettings:
    # --- decision
    match_threshold: float = 5.0
    # a cluster must stay mostly pairwise-consistent: when two clusters join, at least this share of
    # their cross pairs must score >= match_threshold - consistency_slack (guards against chains)
    min_cluster_consistency: float = 0.34
    consistency_slack: float = 3.0
    max_cluster_size: int = 60
    # a record's candidates in one source that are certainly different works are rivals: a link stands only
    # when no rival scores within this margin of it or better (see clustering.prefer_best)
    rival_margin: float = 1.0
    # --- what may never merge
    merge_conference_journal: bool = False  # a conference paper and its later journal version
    # a record without a document type and a typed one (journal or conference) in different venues this many
    # years apart are two versions, not one publication (an untyped conference paper and its journal version);
    # 0: never inferred
    version_years: int = 1
    volume_conflict_blocks: bool = True
    page_conflict_blocks: bool = True
    # --- relations between works kept apart (ir.consolidate.relations): a version's title agrees at least this
    # well (title points; the first authors agree too), a notice names its article's title this well (ratio)
    version_min_title: float = 4.0
    notice_min_ratio: float = 95.0
    # the queue of likely duplicates: pairs scored this many points below match_threshold or closer (0: none)
    review_margin: float = 1.5
    # --- title levels: (name, min ratio, min token-set ratio, points); the first that holds wins
    title_levels: list[list] = field(default_factory=lambda: [
        ["exact", 100, 0, 6.0],
        ["near", 95, 0, 5.0],
        ["contained", 0, 0, 4.0],  # one title inside the other, in order (see title_contained_*)
        ["reordered", 95, 0, 4.0],  # token-sort ratio: the same words in another order (4+ words)
        ["similar", 88, 0, 3.0],
        ["loose", 80, 90, 2.0],
    ])
    title_contained_coverage: float = 0.5  # 'contained' with fewer than this share of the longer title's words ...
    title_contained_low_coverage: float = 3.0  # ... earns at most this
    title_contained_min_chars: int = 15  # the contained title has at least this many letters and digits
    title_contained_partial: float = 95.0  # and is found in the longer one this well (a typo may differ)
    title_else: float = -4.0
    # a Chinese title against an English one (no translation on either side) scores this, and such a pair
    # matches only on a full locator (venue, first page, first author), else it gets cross_script_unlocated
    title_cross_script: float = 0.0
    cross_script_unlocated: float = -10.0
    title_short_tokens: int = 3  # a title this short is weak evidence on its own ...
    title_short_chars: int = 25  # (unless its letters and digits run to this many: words run together)
    title_short_cap: float = 3.0  # ... and earns at most this many points
    title_generic_cap: float = 2.0  # a title one source uses in several years ('Editor's Notes')
    # --- the other comparisons
    year_equal: float = 1.0
    year_tolerance: int = 1  # early access vs issue year
    year_near: float = -1.0
    year_far: float = -6.0
    surname_equal: float = 2.0
    surname_similar: float = 1.0  # Jaro-Winkler >= surname_similarity
    surname_similarity: float = 0.92
    surname_shared: float = 1.5  # first authors differ but another author is shared
    surname_shared_common: float = 0.5  # ... but only by a surname common in the run (see surname_common_share)
    surname_common_share: float = 0.01  # a surname in the bylines of more than this share of the records is common
    coauthors_shared: float = 1.0  # two or more of the first authors' surnames in common (added to the above)
    surname_different: float = -2.5
    # ... unless the two names are one name written the other way round ('Z Li' / 'L Zhe': each one's given
    # initial is the other's surname initial), as Google Scholar and Chinese sources often print them
    surname_swapped: float = 0.0
    # ... but no lower than this when the titles agree at 'near' or better and have this many words
    surname_different_long_title: float = -1.0
    title_long_points: float = 5.0
    title_long_tokens: int = 6
    venue_issn_equal: float = 1.5
    venue_name_equal: float = 1.0
    venue_different: float = 0.0  # names differ: weak evidence, venue strings vary so much
    venue_issn_different: float = -1.0
    volume_equal: float = 1.0
    page_equal: float = 2.5
    same_source: float = -1.0  # one database rarely holds a paper twice
    # --- blocking
    max_block_size: int = 40  # larger blocks are compared within a sorted window only
    window: int = 6
    workers: int = -1  # threads for bulk title scoring (-1: every core)
    # processes scoring the candidate pairs of a large run, each a chunk (-1: one per core; 1: this one only)
    processes: int = -1
    pairs_per_process: int = 250_000  # fewer pairs per process than this are not worth a process
    candidate_min_ratio: float = 60.0  # pairs below both title floors are not scored further
    candidate_min_token_set: float = 75.0
    # --- merging: source precedence for the work's fields, and per-field overrides
    source_precedence: list[str] = field(default_factory=lambda: list(DEFAULT_PRECEDENCE))
    field_precedence: dict[str, list[str]] = field(default_factory=lambda: {
        "abstract": ["wos", "scopus", "ei", "cnki", "cscd", "cssci", "wanfang", "ris"],
    })

    def precedence(self, field_name: str) -> list[str]:
        return self.field_precedence.get(field_name) or self.source_precedence
