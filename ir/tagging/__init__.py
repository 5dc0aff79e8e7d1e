"""Tag: journal tiers (JCR, CAS, ESI, CSSCI, PKU core, CSCD, the institution's list), subjects, indexes
and highly-cited status for every work.

- :func:`tag` reads the journal lists in the dictionaries folder (``journals.csv`` and ``journals/``;
  see :mod:`ir.tagging.journals`), matches each active work's journal (:mod:`ir.tagging.matching`: ISSN,
  eISSN, CN, title, abbreviation, fuzzy title; the edition rule), derives subjects and indexes
  (:mod:`ir.tagging.tagger`) and writes ``work_tags``, ``work_indexes`` and ``highly_cited_history``.
- :func:`export_fields` gives the export lines their ``tags`` and ``indexes``.
- :func:`load_esi_list` records an ESI highly-cited / hot papers file as a dated snapshot;
  :func:`highly_cited_status` says since when a paper is highly cited.
"""

from __future__ import annotations

from ir.tagging.settings import TagSettings
from ir.tagging.stage import (
    EsiLoadReport,
    TagReport,
    export_fields,
    highly_cited_status,
    load_esi_list,
    tag,
)

__all__ = ["EsiLoadReport", "TagReport", "TagSettings", "export_fields", "highly_cited_status", "load_esi_list",
           "tag"]
