"""Adapters: journal lists in other layouts -> entries of the journals.csv schema.

- ``mrhelper-jcr``: ``field, field-cn, title, if, quarter`` (a JCR quartile table, titles only, no ISSN;
  a journal appears once per WoS category) -> value = quartile, category = the WoS category, note = IF;
- ``mrhelper-core``: ``code, journal`` (a core-journal list of English titles of Chinese journals) ->
  value = "core", note = the list's journal code.

``ir journals import-list FILE --list NAME --year YYYY`` writes the result as a journals.csv file.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from ir.tagging.journals import JournalEntry, LoadProblem, canonical_list, normalize_value, title_key

FORMATS = ("mrhelper-jcr", "mrhelper-core")


def sniff_format(header: list[str]) -> str | None:
    cols = {h.strip().strip("\ufeff").casefold() for h in header}
    if {"field", "title", "quarter"} <= cols:
        return "mrhelper-jcr"
    if {"code", "journal"} <= cols:
        return "mrhelper-core"
    return None


def convert_list(path: Path, list_name: str, year: int, fmt: str | None = None) -> tuple[list[JournalEntry], list[LoadProblem], str | None]:
    """(entries, problems, the format used). Never raises on bad rows or files."""
    from ir.decoding import UndecodableError, decode

    file = str(path)
    try:
        text = decode(Path(path).read_bytes()).text
    except (OSError, UndecodableError) as exc:
        return [], [LoadProblem(file, 0, None, f"cannot read the file: {exc}")], fmt
    reader = csv.reader(io.StringIO(text))
    header = next(reader, [])
    fmt = fmt or sniff_format(header)
    if fmt not in FORMATS:
        return [], [LoadProblem(file, 1, None, f"unknown list layout (header: {', '.join(header)}); "
                                             f"give --format {' or '.join(FORMATS)}")], fmt
    cols = {h.strip().strip("\ufeff").casefold(): i for i, h in enumerate(header)}
    need = ("field", "title", "quarter") if fmt == "mrhelper-jcr" else ("code", "journal")
    missing = [c for c in need if c not in cols]
    if missing:
        return [], [LoadProblem(file, 1, None, f"missing column(s) for {fmt}: {', '.join(missing)}")], fmt
    list_name = canonical_list(list_name)
    entries: list[JournalEntry] = []
    problems: list[LoadProblem] = []
    for row in reader:
        line = reader.line_num
        cell = lambda c: (row[cols[c]].strip() if c in cols and cols[c] < len(row) else "")  # noqa: E731
        if not any(x.strip() for x in row):
            continue
        title = cell("title" if fmt == "mrhelper-jcr" else "journal")
        if not title_key(title):
            problems.append(LoadProblem(file, line, "title" if fmt == "mrhelper-jcr" else "journal", "no journal title"))
            continue
        if fmt == "mrhelper-jcr":
            value, reason = normalize_value(list_name, cell("quarter"))
            if value is None:
                problems.append(LoadProblem(file, line, "quarter", reason or "no quartile"))
                continue
            note = "; ".join(p for p in (f"IF {cell('if')}" if cell("if") else "", cell("field-cn")) if p) or None
            entries.append(JournalEntry(list=list_name, year=year, value=value, title=title, category=cell("field"),
                                        note=note, file=file, line=line))
        else:
            value, reason = normalize_value(list_name, "core")
            entries.append(JournalEntry(list=list_name, year=year, value=value or "core", title=title,
                                        note=cell("code") or None, file=file, line=line))
    return entries, problems, fmt


__all__ = ["FORMATS", "convert_list", "sniff_format"]
