"""Tag: journal list entries, work tags (tiers and subjects), indexes, highly-cited history."""

from __future__ import annotations

import sqlalchemy as sa

from ir.store.tables import JSONDoc, UTCDateTime, metadata

# Every loaded row of every journal list file (replaced on each `ir tag`: the files are the truth).
journal_list_entries = sa.Table(
    "journal_list_entries",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("list", sa.String(40), nullable=False),  # jcr | cas | esi | cssci | pku_core | cscd | institution | ...
    sa.Column("edition_year", sa.Integer, nullable=False),
    sa.Column("issn", sa.String(9)),
    sa.Column("eissn", sa.String(9)),
    sa.Column("cn", sa.String(16)),
    sa.Column("title", sa.Text),
    sa.Column("title_key", sa.Text),
    sa.Column("abbreviation", sa.Text),
    sa.Column("value", sa.String(80), nullable=False),
    sa.Column("category", sa.String(200), nullable=False, server_default=""),
    sa.Column("note", sa.Text),
    sa.Column("file", sa.Text, nullable=False),
    sa.Column("line", sa.Integer, nullable=False),
    sa.Column("loaded_at", UTCDateTime, nullable=False),
    sa.Index("ix_journal_list_entries_list_year", "list", "edition_year"),
    sa.Index("ix_journal_list_entries_issn", "issn"),
)

# One tag per work, list and category (a JCR journal in two categories gives two tags; `best` marks
# the one the export shows). Subjects are tags too: lists "esi" (also from WoS categories), "ei_class", "clc".
work_tags = sa.Table(
    "work_tags",
    metadata,
    sa.Column("work_id", sa.String(32), primary_key=True),
    sa.Column("list", sa.String(40), primary_key=True),
    sa.Column("category", sa.String(200), primary_key=True, server_default=""),
    sa.Column("value", sa.String(80), nullable=False),
    sa.Column("edition_year", sa.Integer),
    sa.Column("matched_by", sa.String(20), nullable=False),  # issn|eissn|cn|title|abbreviation|fuzzy-title|wos-category|code
    sa.Column("score", sa.Float, nullable=False, server_default="100"),
    sa.Column("best", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("evidence", JSONDoc),
    sa.Column("tagged_at", UTCDateTime, nullable=False),
    sa.Index("ix_work_tags_list_value", "list", "value"),
)

work_indexes = sa.Table(
    "work_indexes",
    metadata,
    sa.Column("work_id", sa.String(32), primary_key=True),
    sa.Column("index_code", sa.String(16), primary_key=True),  # SCIE, SSCI, AHCI, ESCI, CPCI-S, EI, CSCD, PKU ...
    sa.Column("derived_from", sa.String(16), primary_key=True),  # wos-edition | database | list
    sa.Column("evidence", JSONDoc),
    sa.Index("ix_work_indexes_index_code", "index_code"),
)

# Highly cited (hc) / hot paper (hp) as seen in each snapshot: an ESI list file or a WoS export's HC/HP.
highly_cited_history = sa.Table(
    "highly_cited_history",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("record_key", sa.String(300), nullable=False),  # "ut:WOS:000..." or "doi:10...."
    sa.Column("flag", sa.String(2), nullable=False),  # hc | hp
    sa.Column("snapshot_date", sa.Date, nullable=False),
    sa.Column("work_id", sa.String(32), index=True),  # resolved on load and on every `ir tag`
    sa.Column("ut", sa.String(64)),
    sa.Column("doi", sa.String(255)),
    sa.Column("research_field", sa.String(80)),
    sa.Column("source", sa.String(16), nullable=False),  # esi-list | wos-field
    sa.Column("source_file", sa.Text),
    sa.Column("loaded_at", UTCDateTime, nullable=False),
    sa.UniqueConstraint("record_key", "flag", "snapshot_date"),
)
