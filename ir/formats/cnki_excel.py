"""CNKI Excel exports (.xlsx and .xls): the fields of the text exports as columns.

Column headers are the field names with or without their English part ("Title-题名", "题名",
"Organ-单位", "单位", "文献来源" ...); they are recognised through the same table as the text exports
(:data:`ir.formats.cnki_estudy.FIELDS`), and each row becomes a record through the same builder.
The header row is the first of the sheet's first rows that names a title column; a workbook without
one is reported as a whole (it is some other Excel file), and a row without a title becomes a Problem.

Sniffing sees only the file's first bytes, so it goes by the container: an .xlsx zip (``PK\\x03\\x04``
and an ``xl/`` part) or an OLE2 compound file (``\\xD0\\xCF\\x11\\xE0``, .xls). It therefore sorts after
any more specific Excel format.

CNKI's older "Excel" export (and Wanfang's) is no workbook at all: an ``.xls`` file holding an HTML
``<table>`` that Excel opens. It is text, so it is decoded like any text export and read by the second
format here, ``cnki-html``, through the same header and row logic; a problem's line is the source line
of the row's ``<tr>``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Iterator

from ir.formats import Format, Parsed, register
from ir.formats._util import clean, csv_header, has_han
from ir.formats.cnki_estudy import build_record, field_role
from ir.model import Problem

ZIP = b"PK\x03\x04"
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
HEADER_ROWS = 10  # the header is looked for among the first rows (some exports put a caption above it)


def sniff(data: str | bytes) -> bool:
    if not isinstance(data, bytes):
        return False
    return (data.startswith(ZIP) and b"xl/" in data) or data.startswith(OLE2)


def _cell(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return clean(str(value))


def _rows(data: bytes) -> Iterator[list[str | None]]:
    if data.startswith(OLE2):
        import xlrd

        book = xlrd.open_workbook(file_contents=data, on_demand=True)
        sheet = book.sheet_by_index(0)
        for r in range(sheet.nrows):
            row = []
            for c in range(sheet.ncols):
                cell = sheet.cell(r, c)
                if cell.ctype == xlrd.XL_CELL_DATE:
                    row.append(_cell(xlrd.xldate_as_datetime(cell.value, book.datemode)))
                else:
                    row.append(_cell(cell.value))
            yield row
        return
    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        for values in book.worksheets[0].iter_rows(values_only=True):
            yield [_cell(v) for v in values]
    finally:
        book.close()


def _header(rows: Iterable[tuple[int, list[str | None]]]) -> tuple[int, list[str | None], list[str | None]] | None:
    """(line, headers, roles) of the first row naming a title column, among the first HEADER_ROWS rows."""
    for k, (n, row) in enumerate(rows, 1):
        roles = [field_role(h) if h else None for h in row]
        if "title" in roles:
            return n, row, roles
        if k >= HEADER_ROWS:
            break
    return None


def parse(data: str | bytes) -> Parsed:
    if not isinstance(data, bytes):
        yield Problem(reason="cnki-excel expects the workbook's bytes, got text")
        return
    try:
        rows = list(enumerate(_rows(data), 1))
    except Exception as exc:  # noqa: BLE001 - a damaged workbook is reported, not raised
        yield Problem(reason=f"cannot read the workbook: {type(exc).__name__}: {exc}", record_no=1)
        return
    yield from _records(rows, "Excel export")


def _records(rows: list[tuple[int, list[str | None]]], what: str) -> Parsed:
    """The records of a table's (line, cells) rows: the first row naming a title column is the header."""
    found = _header(rows)
    if found is None:
        seen = [h for _, row in rows[:1] for h in row if h]
        yield Problem(reason=f"not a CNKI {what}: no title column (题名 / Title-题名) in the first "
                             f"{HEADER_ROWS} rows; first row: {seen[:12]}", record_no=1,
                      line=rows[0][0] if rows else 1)
        return
    header_row, headers, roles = found
    title_field = next(h for h, r in zip(headers, roles, strict=False) if r == "title")
    record_no = 0
    heading = [h for h in headers if h]
    for n, row in rows:
        if n <= header_row or not any(row) or [c for c in row if c] == heading:
            continue  # a blank row, or the header again (exports of several pages joined into one file)
        record_no += 1
        values: dict[str, str | None] = {}
        raw: dict[str, list[str]] = {}
        for header, role, value in zip(headers, roles, row, strict=False):
            if not value:
                continue
            raw.setdefault(header or f"column {len(raw) + 1}", []).append(value)
            if role and not values.get(role):
                values[role] = value
        text = "\t".join(v or "" for v in row)
        yield build_record(values, raw, record_no=record_no, line=n, text=text, title_field=title_field)


# --------------------------------------------------------------------- the HTML table saved as ".xls"

_HTML_START = ("<html", "<!doctype html", "<table", "<meta", "<?xml")


def sniff_html(head: str | bytes) -> bool:
    """An HTML document (or bare table) whose first table names a CNKI title column."""
    if not isinstance(head, str):
        return False
    low = head.lstrip("\ufeff \t\r\n").casefold()
    if not low.startswith(_HTML_START):
        return False
    table = low.find("<table")
    return table >= 0 and ("题名" in low[table:] or "title-" in low[table:])


def _html_rows(text: str) -> list[tuple[int, list[str | None]]]:
    """(source line, cell texts) of every table row, in document order."""
    import lxml.html

    doc = lxml.html.document_fromstring(text)
    return [
        (tr.sourceline or 0, [clean(td.text_content()) for td in tr if td.tag in ("td", "th")])
        for tr in doc.iter("tr")
    ]


def parse_html(text: str | bytes) -> Parsed:
    if not isinstance(text, str):
        yield Problem(reason="cnki-html expects decoded text, got bytes")
        return
    try:
        rows = _html_rows(text.lstrip("\ufeff"))
    except Exception as exc:  # noqa: BLE001 - a broken document is reported, not raised
        yield Problem(reason=f"cannot read the HTML table: {type(exc).__name__}: {exc}", record_no=1)
        return
    yield from _records(rows, "Excel (HTML table) export")


HTML_FORMAT = register(Format(
    name="cnki-html",
    source="cnki",
    description="CNKI / Wanfang \"Excel\" export that is an HTML table saved as .xls (题名 / Title-题名 columns)",
    binary=False,
    sniff=sniff_html,
    parse=parse_html,
    priority=90,
))

# --------------------------------------------------------------------- the columns saved as CSV


def sniff_csv(head: str | bytes) -> bool:
    """A CSV file whose header names a CNKI title column and at least two more CNKI fields in Chinese
    ('SrcDatabase-来源库,Title-题名,Author-作者,...' or '题名,作者,单位,...')."""
    if not isinstance(head, str) or "," not in head.partition("\n")[0]:
        return False
    cols = csv_header(head)
    roles = [field_role(c) for c in cols]
    return "title" in roles and sum(1 for c, r in zip(cols, roles, strict=True) if r and has_han(c)) >= 3


def parse_csv(text: str | bytes) -> Parsed:
    if not isinstance(text, str):
        yield Problem(reason="cnki-csv expects decoded text, got bytes")
        return
    yield from _records(list(_csv_rows(text.lstrip("\ufeff"))), "CSV export")


def _csv_rows(text: str) -> Iterator[tuple[int, list[str | None]]]:
    """(line, cells) of every row; a row the csv module cannot read is one cell holding its text."""
    csv.field_size_limit(max(csv.field_size_limit(), 1 << 26))
    reader = csv.reader(io.StringIO(text, newline=""))
    line = 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error:
            cells = [text.split("\n")[line - 1]]
        yield line, [_cell(c) for c in cells]
        line = reader.line_num + 1


CSV_FORMAT = register(Format(
    name="cnki-csv",
    source="cnki",
    description="CNKI export columns saved as CSV (SrcDatabase-来源库,Title-题名,... or 题名,作者,...)",
    binary=False,
    sniff=sniff_csv,
    parse=parse_csv,
    priority=90,
))

FORMAT = register(Format(
    name="cnki-excel",
    source="cnki",
    description="CNKI Excel export (.xlsx / .xls) with 题名 / Title-题名 ... columns",
    binary=True,
    sniff=sniff,
    parse=parse,
    priority=90,
))
