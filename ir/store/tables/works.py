"""Consolidate: works, their member source records, and librarians' manual decisions."""

from __future__ import annotations

import sqlalchemy as sa

from ir.store.tables import JSONDoc, UTCDateTime, metadata

works = sa.Table(
    "works",
    metadata,
    sa.Column("work_id", sa.String(32), primary_key=True),  # stable: "W" + digest of its founding record key
    sa.Column("status", sa.String(16), nullable=False, server_default="active"),  # active | merged | split
    sa.Column("merged_into", sa.String(32)),  # where a merged-away work went
    sa.Column("title", sa.Text),
    sa.Column("year", sa.Integer),
    sa.Column("doi", sa.String(255)),
    sa.Column("doc_type", sa.String(40)),
    sa.Column("data", JSONDoc, nullable=False),  # the merged work document (see ir.consolidate)
    sa.Column("content_hash", sa.String(64), nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("updated_at", UTCDateTime, nullable=False),
    sa.Index("ix_works_doi", "doi"),
    sa.Index("ix_works_year", "year"),
)

work_members = sa.Table(
    "work_members",
    metadata,
    sa.Column("source", sa.String(16), primary_key=True),
    sa.Column("source_id", sa.String(255), primary_key=True),
    sa.Column("work_id", sa.String(32), sa.ForeignKey("works.work_id"), nullable=False, index=True),
    sa.Column("evidence", JSONDoc),  # why this record joined its work: rule, scores, the record it matched
    sa.Column("content_hash", sa.String(64)),  # the source record's content when it was placed
    sa.Column("added_at", UTCDateTime, nullable=False),
)

# A librarian's split or merge: kept as constraints that every later run obeys.
work_decisions = sa.Table(
    "work_decisions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("kind", sa.String(16), nullable=False),  # must_link | cannot_link
    sa.Column("a_source", sa.String(16), nullable=False),
    sa.Column("a_source_id", sa.String(255), nullable=False),
    sa.Column("b_source", sa.String(16), nullable=False),
    sa.Column("b_source_id", sa.String(255), nullable=False),
    sa.Column("actor", sa.String(120), nullable=False),
    sa.Column("note", sa.Text),
    sa.Column("created_at", UTCDateTime, nullable=False),
)

# Relations between source records of different works, found by consolidation with their evidence: versions
# (a is a version of b: a conference paper, a preprint, an earlier record), notices (a corrects / retracts b),
# and likely duplicates for a librarian (possible_duplicate: scored just short of a match). Kept per record
# pair, so a relation follows its records through merges and splits; a work's relations are its members'.
record_links = sa.Table(
    "record_links",
    metadata,
    sa.Column("a_source", sa.String(16), primary_key=True),
    sa.Column("a_source_id", sa.String(255), primary_key=True),
    sa.Column("b_source", sa.String(16), primary_key=True),
    sa.Column("b_source_id", sa.String(255), primary_key=True),
    sa.Column("relation", sa.String(24), primary_key=True),  # is_version_of | corrects | retracts | possible_duplicate
    sa.Column("score", sa.Float),
    sa.Column("evidence", JSONDoc),
    sa.Column("found_at", UTCDateTime, nullable=False),
    sa.Index("ix_record_links_b", "b_source", "b_source_id"),
    sa.Index("ix_record_links_relation", "relation"),
)
