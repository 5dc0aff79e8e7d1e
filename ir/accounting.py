"""Ingest accounting: where each item of a parsed file goes — stored, quarantined, or a named duplicate.

:func:`prepare` turns a :class:`~ir.ingest.ParsedFile` into a :class:`Prepared` file, so that
``records_read == stored + quarantined + duplicates``:

- a record holding a damage mark (bytes that were not text, see :mod:`ir.decoding`) is quarantined with
  its record number, the damaged lines, the field they are in, and its text with those lines as read;
- a reader's problem over damaged lines says so; problems that hold nothing but damage (garbage lines
  that a CSV reader took for rows) are one quarantine row per damaged stretch; damaged lines no record or
  problem holds are one quarantine row per stretch, numbered after the file's items;
- in a file whose text looks garbled, the records with non-ASCII text are quarantined;
- a record repeating an earlier record's (source, native id) is a duplicate when its content is the same,
  else quarantined beside it;
- the rest is stored: each record as the JSON text of :meth:`ir.model.Record.to_json` and its sha256.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import orjson

from ir.decoding import MARK, damaged_lines
from ir.model import Problem, Record

if TYPE_CHECKING:
    from ir.ingest import ParsedFile

RAW_LIMIT = 100_000  # characters of an unreadable file kept in its quarantine row


@dataclass
class Prepared:
    """A file read, parsed and accounted for, ready to store: where each of its items goes (record numbers
    are 1-based positions in the file). Plain values only, cheap to pass from a reading process."""

    path: Path
    sha256: str | None = None
    size: int = 0
    format: str | None = None
    fidelity: int = 100
    encoding: str | None = None
    error: str | None = None
    warnings: list[str] = field(default_factory=list)
    records: list[tuple[int, str, str, str, str]] = field(default_factory=list)  # (no, source, id, JSON, hash)
    problems: list[tuple[int, Problem]] = field(default_factory=list)
    duplicates: list[dict] = field(default_factory=list)

    @property
    def read(self) -> int:
        return len(self.records) + len(self.problems) + len(self.duplicates)


_MARK_BYTES = "\ufffdL".encode()
_NUL = re.compile(rb"(?<!\\)((?:\\\\)*)\\u0000")


def prepare(pf: ParsedFile) -> Prepared:
    """Decide, for every item of a parsed file, whether it is stored, quarantined or a duplicate."""
    out = Prepared(pf.path, pf.sha256 if pf.data else None, len(pf.data), pf.fmt.name if pf.fmt else None,
                   pf.fmt.fidelity if pf.fmt else 100, pf.encoding, pf.error, list(pf.warnings))
    if pf.error and pf.data:  # an unreadable file is itself quarantined (record 0), so it is not lost either
        raw = pf.data[:RAW_LIMIT].decode("utf-8", "replace").replace("\x00", "\ufffd")
        out.problems.append((0, Problem(reason=pf.error, raw=raw)))
    claimed: set[int] = set()  # damaged lines found inside a record or problem
    first: dict[tuple[str, str], tuple[int, str]] = {}  # (source, source_id) -> (record no, hash)
    damage_only = _DamageOnly()
    for n, item in enumerate(pf.items, 1):
        if isinstance(item, Problem):
            _add_problem(out, n, item, pf, claimed, damage_only)
            continue
        js = item.to_json()
        if pf.damaged and _MARK_BYTES in js:
            lines = damaged_lines(js.decode())
            claimed.update(lines)
            out.problems.append((n, _damaged_record(item, js, lines, pf)))
            continue
        if pf.garbled and not js.isascii():
            out.problems.append((n, Problem(reason=f"garbled text, not stored: {pf.warnings[0]}", record_no=n,
                                            raw=_record_text(item, js))))
            continue
        if b"\\u0000" in js:  # PostgreSQL cannot hold NUL in text: a NUL from a binary format's cell
            js = _NUL.sub(rb"\1\\ufffd", js)
        digest = hashlib.sha256(js).hexdigest()
        key = (item.source, item.source_id[:255])
        if key in first:
            was, was_digest = first[key]
            if was_digest == digest:
                out.duplicates.append({"record_no": n, "source": key[0], "source_id": key[1], "first_record_no": was})
            else:
                out.problems.append((n, Problem(
                    reason=f"the same {key[0]} id {key[1]} as record {was}, with other content: record {was} is "
                           f"stored, this one is kept here", record_no=n, field="source_id", raw=_record_text(item, js))))
            continue
        first[key] = (n, digest)
        out.records.append((n, *key, js.decode(), digest))
    stray = sorted(set(pf.damaged) - claimed)
    for k, (a, b) in enumerate(_runs(stray), len(pf.items) + 1):
        lines = [n for n in stray if a <= n <= b]
        out.problems.append((k, Problem(
            reason=f"{_damage_note(lines, pf)}, outside any record the {pf.fmt.name if pf.fmt else ''} reader found",
            record_no=k, line=a, raw=_as_read(lines, pf).lstrip("\n"))))
    return out


@dataclass
class _DamageOnly:
    """The last reader's problem, if it held nothing but damage: its item number and damaged lines."""

    item: int = 0
    lines: list[int] = field(default_factory=list)


def _add_problem(out: Prepared, n: int, p: Problem, pf: ParsedFile, claimed: set[int], last: _DamageOnly) -> None:
    """A reader's problem; one that holds nothing but damage (a garbage line read as a row) joins the
    damage-only problem just before it, so that a damaged stretch is one quarantine row, not one per line."""
    lines = damaged_lines((p.raw or "") + (p.reason or "")) if pf.damaged else []
    if not lines:
        out.problems.append((n, p))
        return
    claimed.update(lines)
    only_damage = not MARK.sub("", p.raw or "").strip()
    if only_damage and last.lines and last.item == n - 1:
        m, prev = out.problems[-1]
        lines = sorted({*last.lines, *lines})
        out.problems[-1] = (m, Problem(reason=f"{_damage_note(lines, pf)}: no record could be read there",
                                       record_no=m, line=prev.line, raw=_as_read(lines, pf).lstrip("\n")))
    else:
        out.problems.append((n, Problem(reason=f"{p.reason} ({_damage_note(lines, pf)})", record_no=p.record_no,
                                        line=p.line or lines[0], field=p.field,
                                        raw=(p.raw or "") + _as_read(lines, pf))))
    last.item, last.lines = n, (lines if only_damage else [])


def _runs(lines: list[int], gap: int = 4) -> Iterator[tuple[int, int]]:
    """Line numbers as (first, last) runs, a run going on over gaps of fewer than ``gap`` lines."""
    start = prev = None
    for n in lines:
        if start is not None and n - prev > gap:
            yield start, prev
            start = None
        if start is None:
            start = n
        prev = n
    if start is not None:
        yield start, prev


def _damage_note(lines: list[int], pf: ParsedFile) -> str:
    spans = [str(a) if a == b else f"{a}-{b}" for a, b in _runs(lines, gap=2)]
    where = ("line " if spans == [str(lines[0])] else "lines ") + ", ".join(spans[:4]) + (", ..." if len(spans) > 4 else "")
    return f"damaged bytes (not {pf.encoding} text) on {where}"


def _as_read(lines: list[int], pf: ParsedFile) -> str:
    return "\n\n--- damaged lines as read (bad bytes as \\xNN) ---\n" + "\n".join(
        f"line {n}: {pf.damaged.get(n, '')}" for n in lines)


def _damaged_record(rec: Record, js: bytes, lines: list[int], pf: ParsedFile) -> Problem:
    tag = next((MARK.sub("?", t) for t, vals in rec.raw.items()
                if damaged_lines(t) or any(damaged_lines(str(v)) for v in vals)), None)
    if tag is None:
        tag = next((k for k, v in orjson.loads(js).items() if damaged_lines(orjson.dumps(v).decode())), None)
    return Problem(reason=f"{_damage_note(lines, pf)}, in field {tag}", line=lines[0], field=tag,
                   raw=_record_text(rec, js) + _as_read(lines, pf))


def _record_text(rec: Record, js: bytes) -> str:
    """A quarantined record as read: its fields verbatim, by tag (or its JSON when the reader kept none)."""
    if rec.raw:
        return "\n".join(f"{tag} {v}" for tag, values in rec.raw.items() for v in values)
    return js.decode()
