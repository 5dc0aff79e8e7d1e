"""Web of Science tab-delimited export (``savedrecs.txt`` "Tab-delimited (Win/Mac, UTF-8)" or UTF-16LE).

The first line names the columns with the plain-text export's two-letter tags (``PT\\tAU\\tBA\\t...\\tUT``);
then one record per line, multi-valued fields joined with "; ". Decoding (UTF-8 with BOM, UTF-16LE) is
done by :mod:`ir.decoding`. Each row becomes the same tag -> values dict the plain-text reader builds
(one item per author, address, cited reference), so both map to records by the same code.
"""

from __future__ import annotations

from collections.abc import Iterator

from ir.formats import Format, Parsed, register
from ir.formats._wos_fields import TAG_SET, build_record, split_cell
from ir.model import Problem, Record

_KEY_TAGS = frozenset({"PT", "AU", "TI", "SO", "UT", "PY", "DT", "AF"})


def _header(line: str) -> list[str] | None:
    cols = [c.strip().strip('"') for c in line.strip(" \t\r\n\ufeff").split("\t")]
    if len(cols) < 5 or any(c not in TAG_SET for c in cols):
        return None
    if len(set(cols) & _KEY_TAGS) < 4 or "UT" not in cols and "TI" not in cols:
        return None
    return cols


def sniff(head: str | bytes) -> bool:
    if not isinstance(head, str):
        return False
    first = head.lstrip("\ufeff \n").partition("\n")[0]
    return "\t" in first and _header(first) is not None


def _unquote(cell: str) -> str:
    """A cell that a spreadsheet wrapped in quotes ("a ""b"" c") back to its value."""
    if len(cell) >= 2 and cell[0] == '"' and cell[-1] == '"' and '"' not in cell[1:-1].replace('""', ""):
        return cell[1:-1].replace('""', '"')
    return cell


def parse(text: str) -> Parsed:
    """One Record or Problem per data row; never raises on bad input."""
    return _parse(text)


def _parse(text: str) -> Iterator[Record | Problem]:
    lines = text.lstrip("\ufeff").split("\n")
    # the header is the first non-blank line
    start = 0
    while start < len(lines) and not lines[start].strip():
        start += 1
    if start == len(lines):
        return
    cols = _header(lines[start])
    if cols is None:
        yield Problem(reason="no Web of Science column header (PT, AU, TI, ..., UT)", record_no=1,
                      line=start + 1, raw=lines[start][:10_000])
        return
    ncols = len(cols)
    no = 0
    for i in range(start + 1, len(lines)):
        row = lines[i].rstrip("\r")
        if not row.strip():
            continue
        no += 1
        cells = row.split("\t")
        if len(cells) > ncols:
            # exports end every row with a tab: extra cells must be empty
            if any(c.strip() for c in cells[ncols:]):
                yield Problem(reason=f"row has {len(cells)} cells, the header {ncols} columns",
                              record_no=no, line=i + 1, raw=row)
                continue
            cells = cells[:ncols]
        elif len(cells) < ncols:
            yield Problem(reason=f"row has {len(cells)} cells, the header {ncols} columns (truncated or split row)",
                          record_no=no, line=i + 1, raw=row)
            continue
        fields: dict[str, list[str]] = {}
        for tag, cell in zip(cols, cells, strict=True):
            cell = _unquote(cell).strip()
            if cell:
                vals = split_cell(tag, cell)
                if tag in fields:
                    fields[tag].extend(vals)
                else:
                    fields[tag] = vals
        out = build_record(fields)
        if isinstance(out, Problem):
            out.record_no, out.line, out.raw = no, i + 1, row
        yield out


FORMAT = register(Format(
    name="wos-tab",
    source="wos",
    description="Web of Science tab-delimited export (UTF-8 or UTF-16LE)",
    binary=False,
    sniff=sniff,
    parse=parse,
    priority=20,
))
