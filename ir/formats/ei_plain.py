"""Engineering Village (Ei Compendex / Inspec) plain-text full records.

Layout (no public real sample yet; built from Elsevier's documented field names)::

    <RECORD 1>
    Accession number:20214210997362
    Title:Fatigue behaviour of ...
    Authors:Zhang, San (1); Li, Wei (1, 2)
    Author affiliation:(1) School of ..., Dalian University of Technology, Dalian; 116024, China; (2) ...
    ...
    Database:Compendex
    Compilation and indexing terms, Copyright 2021 Elsevier Inc.
    Data Provider: Engineering Village

Field names are matched case-insensitively; a line that is not ``Name:value`` continues the previous
field (long values wrap). Without ``<RECORD n>`` markers a second ``Accession number`` starts a record.
"""

from __future__ import annotations

import re

from ir.formats import Format, Parsed, register
from ir.formats._ei_fields import FREE_TEXT, canonical, is_known, record_from_fields
from ir.model import Problem

_MARKER = re.compile(r"^\s*<\s*RECORD\s+\d+\s*>\s*$", re.I)
_FIELD = re.compile(r"^\s*([A-Za-z][A-Za-z0-9 .()/&'\-]{0,60}?)\s*:(?!//)\s?(.*)$")
_SKIP = re.compile(r"^\s*data provider\s*:", re.I)
_COPYRIGHT = re.compile(r"^\s*(compilation and indexing terms|copyright\b)", re.I)
_PLAUSIBLE_NAME = re.compile(r"^[A-Z][A-Za-z\-.()/]*(?: [A-Za-z\-.()/]+){0,4}$")


def _field_name(line: str, current: str | None) -> tuple[str, str] | None:
    """The (name, value) a line starts, or None when it continues the current field."""
    m = _FIELD.match(line)
    if not m:
        return None
    name = m.group(1)
    if is_known(name):
        return name, m.group(2)
    # an unknown field ('Funding acronym:...'), unless we are inside free text where 'Results: ...' occurs
    if current not in FREE_TEXT and _PLAUSIBLE_NAME.match(name.strip()):
        return name, m.group(2)
    return None


def sniff(head: str | bytes) -> bool:
    if not isinstance(head, str):
        return False
    head = head.lstrip("\ufeff")
    if re.search(r"(?mi)^\s*<\s*RECORD\s+\d+\s*>\s*$", head):
        return bool(re.search(r"(?mi)^\s*(accession number|title|authors)\s*:", head))
    return bool(
        re.search(r"(?mi)^\s*accession number\s*:\s*\S", head)
        and re.search(r"(?mi)^\s*(author affiliation|database|classification code|controlled terms)\s*:", head)
    )


def parse(text: str | bytes) -> Parsed:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    lines = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    record_no = 0
    pairs: list[list[str]] = []
    chunk: list[str] = []
    start: int | None = None

    def flush():
        nonlocal record_no
        if start is None or (not pairs and not any(s.strip() for s in chunk)):
            return None
        record_no += 1
        raw_text = "\n".join(chunk).strip("\n")
        if not pairs:
            return Problem("no 'Field name:value' lines in the record", record_no=record_no, line=start, raw=raw_text)
        return record_from_fields([(n, v) for n, v in pairs], record_no=record_no, line=start, raw_text=raw_text)

    for lineno, line in enumerate(lines, 1):
        if _MARKER.match(line):
            item = flush()
            if item is not None:
                yield item
            pairs, chunk, start = [], [line], lineno
            continue
        if not line.strip() or _SKIP.match(line):
            if start is not None:
                chunk.append(line)
            continue
        if _COPYRIGHT.match(line):
            if start is not None:
                chunk.append(line)
                pairs.append(["Copyright", line.strip()])
            continue
        current = canonical(pairs[-1][0]) if pairs else None
        field = _field_name(line, current)
        if field is not None and canonical(field[0]) == "accession number" and any(
            canonical(n) == "accession number" for n, _ in pairs
        ):
            item = flush()  # a record without its <RECORD n> marker
            if item is not None:
                yield item
            pairs, chunk, start = [], [], lineno
        if field is not None and start is None:
            start = lineno  # a file without markers
        if start is None:
            continue  # text before the first record (export header)
        chunk.append(line)
        if field is not None:
            pairs.append([field[0], field[1].strip()])
        elif pairs:
            pairs[-1][1] = (pairs[-1][1] + " " + line.strip()).strip()
    item = flush()
    if item is not None:
        yield item


register(Format("ei-plain", "ei", "Engineering Village plain-text full records (<RECORD n>)", False, sniff, parse))
