"""Engineering Village CSV export: the plain-text record's field names as columns, one record per row."""

from __future__ import annotations

from ir.formats import Format, Parsed, register
from ir.formats._ei_fields import canonical, record_from_fields
from ir.formats._util import csv_header, csv_rows
from ir.model import Problem


def sniff(head: str | bytes) -> bool:
    if not isinstance(head, str):
        return False
    cols = {canonical(c) for c in csv_header(head)}
    return {"accession number", "title"} <= cols and bool(cols & {"author affiliation", "database"})


def parse(text: str | bytes) -> Parsed:
    if isinstance(text, bytes):
        text = text.decode("utf-8-sig", "replace")
    for record_no, line, raw, row in csv_rows(text):
        if isinstance(row, str):
            yield Problem(row, record_no=record_no, line=line, raw=raw)
        else:
            yield record_from_fields(list(row.items()), record_no=record_no, line=line, raw_text=raw)


register(Format("ei-csv", "ei", "Engineering Village CSV export", False, sniff, parse))
