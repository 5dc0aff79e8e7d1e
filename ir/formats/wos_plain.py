"""Web of Science plain text ("Full Record and Cited References", ``savedrecs.txt``).

::

    FN Clarivate Analytics Web of Science
    VR 1.0
    PT J
    AU Yu, RJ
       Wang, XS
    TI A title that wraps
       onto a second line
    UT WOS:000347600100012
    ER

    EF

A line is a two-character tag, a space and a value; lines starting with three spaces continue the
tag above. Records run from ``PT`` to ``ER``. Files concatenated from several exports repeat the
``FN``/``VR`` header between records; some exports have no header at all.

Speed: a well-formed file (the usual case, checked first by two C-level scans) is cut by one regex
into (tag, value) pairs, and each record's dicts are built by C-level ``dict(zip(...))`` calls, so the
thousands of cited-reference continuation lines are never visited one by one in Python. Any irregular
line (stray text, odd indentation, a record without ER) sends the whole file through the careful reader,
which reports every fault with its line.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from itertools import repeat
from operator import itemgetter

from ir.formats import Format, Parsed, register
from ir.formats._wos_fields import FILE_TAGS, TAG_SET, build_record
from ir.model import Problem, Record

# a line break not followed by a space: the start of a tag line, a blank line or a stray line
_FIELD_START = re.compile(r"\n(?! )")
# a line break before a line that is neither a tag line, a continuation line nor blank
_IRREGULAR = re.compile(r"\n(?![A-Z][A-Z0-9](?:[ \n]|\Z)|   |\n|\Z)")
_CONT = "\n   "
_WOS_TAGS = frozenset({"AU", "AF", "TI", "SO", "DT", "LA", "PY", "UT", "ER", "C1", "AB", "DI", "SN", "VL"})


def sniff(head: str | bytes) -> bool:
    if not isinstance(head, str):
        return False
    text = head.lstrip("\ufeff \t\n")[:8192]
    lines = text.split("\n", 60)[:60]
    first = lines[0]
    if first.startswith("FN ") and ("Web of Science" in first or "ISI Export" in first):
        return True
    # a header-less export (or a non-Clarivate FN line): PT first, then WoS tags
    if first.startswith(("FN ", "VR ")):
        lines = [ln for ln in lines[1:] if not ln.startswith(("FN ", "VR "))]
        if not lines:
            return False
        first = lines[0]
    if not first.startswith("PT ") or len(first) > 8:
        return False
    tags = {ln[:2] for ln in lines[1:] if ln[2:3] == " " or ln == "ER"}
    return len(tags & _WOS_TAGS) >= 3


def parse(text: str) -> Parsed:
    """One Record or Problem per record (PT..ER); never raises on bad input."""
    if text.startswith("\ufeff"):
        text = text[1:]
    chunks = None if _irregular(text) else _FIELD_START.split(text)
    fast = _segments(chunks) if chunks is not None else None
    if fast is None:
        return _Parser(text, chunks).run()
    return _fast(text, chunks, *fast)


def _irregular(text: str) -> bool:
    """A line that is neither a tag line, a continuation line nor blank, or a continuation after a blank line."""
    return bool(
        _IRREGULAR.search(text) or "\n\n   " in text or _IRREGULAR.match("\n" + text.partition("\n")[0] + "\n")
    )


_TAG = itemgetter(slice(0, 2))
_BODY = itemgetter(slice(3, None))


def _segments(chunks: list[str]):
    """(tags, [(start, end)] of each record's chunks) if every record runs PT..ER cleanly, else None."""
    tags = list(map(_TAG, chunks))
    segments = []
    start = 0
    try:
        while True:
            end = tags.index("ER", start)
            while start < end and (tags[start] in FILE_TAGS or not tags[start]):
                start += 1
            if start == end or tags[start] != "PT" or chunks[end] != "ER":
                return None
            segments.append((start, end))
            start = end + 1
    except ValueError:
        pass
    if any(t and t not in FILE_TAGS for t in tags[start:]):
        return None  # a record truncated before its ER
    # no PT, FN, VR, EF or blank line inside a record
    inside = sum(e - s for s, e in segments)
    outside = len(tags) - inside
    if tags.count("PT") != len(segments) or tags.count("") + sum(map(tags.count, FILE_TAGS)) + len(segments) != outside:
        return None
    return tags, segments


def _fast(text: str, chunks: list[str], tags: list[str], segments) -> Iterator[Record | Problem]:
    split, replace = str.split, str.replace
    sep, space = repeat(_CONT), repeat(" ")
    for no, (s, e) in enumerate(segments, 1):
        t = tags[s:e]
        bodies = list(map(_BODY, chunks[s:e]))
        fields = dict(zip(t, map(split, bodies, sep)))
        if len(fields) != e - s:  # a repeated tag: its values are merged
            fields, flat = _merge(t, bodies)
        else:
            flat = dict(zip(t, map(replace, bodies, sep, space)))
        out = build_record(fields, flat)
        if isinstance(out, Problem):
            out.record_no = no
            out.line = text.count("\n", 0, _offset(chunks, s)) + 1
            out.raw = "\n".join(chunks[s : e + 1])
        yield out


def _merge(tags, bodies) -> tuple[dict[str, list[str]], dict[str, str]]:
    """fields and flat values of a record that repeats a tag (two CT lines): the values are kept apart."""
    fields: dict[str, list[str]] = {}
    flat: dict[str, str] = {}
    for tag, body in zip(tags, bodies, strict=True):
        add_field(fields, flat, tag, body.split(_CONT))
    return fields, flat


def add_field(fields: dict[str, list[str]], flat: dict[str, str], tag: str, lines: list[str]) -> None:
    """Add one tag line (with its continuation lines); a repeated tag adds a "; "-separated value."""
    value = lines[0] if len(lines) == 1 else " ".join(x.strip() for x in lines)
    prev = fields.get(tag)
    if prev is None:
        fields[tag] = lines
        flat[tag] = value
    else:
        prev.extend(lines)
        if value.strip() and value.strip() not in flat[tag].split("; "):
            flat[tag] = f"{flat[tag]}; {value.strip()}"


def _offset(chunks: list[str], idx: int) -> int:
    """The character offset of chunk idx (only computed for a record that became a Problem)."""
    return sum(map(len, chunks[:idx])) + idx


class _Parser:
    def __init__(self, text: str, chunks: list[str] | None = None):
        self.chunks = _FIELD_START.split(text) if chunks is None else chunks
        self.item_no = 0

    def problem(self, reason: str, line: int, start: int, end: int, field: str | None = None) -> Problem:
        """A Problem carrying the text of chunks[start:end]."""
        self.item_no += 1
        raw = "\n".join(self.chunks[start:end])
        return Problem(reason=reason, record_no=self.item_no, line=line, field=field, raw=raw)

    def run(self) -> Iterator[Record | Problem]:
        chunks = self.chunks
        rec: dict[str, list[str]] | None = None  # the record being read
        flat: dict[str, str] = {}
        rec_line = rec_start = 0  # its first line (1-based) and first chunk
        fault: tuple[str, str | None] | None = None  # (reason, field): the record is unreadable
        stray_line = stray_start = -1  # a run of text outside any record
        line = 1
        for idx, chunk in enumerate(chunks):
            here = line
            line += chunk.count("\n") + 1
            if not chunk:
                continue  # a blank line
            tag = chunk[:2]
            sep = chunk[2:3]
            well_formed = tag in TAG_SET and (sep == " " or sep == "" or sep == "\n")
            if rec is None:
                if not well_formed or tag == "ER" or tag in FILE_TAGS:
                    if well_formed:  # FN / VR / EF / a stray ER: nothing to keep
                        if stray_start >= 0:
                            yield self.problem("text outside any record", stray_line, stray_start, idx)
                            stray_start = -1
                        continue
                    if chunk.isspace():
                        continue
                    if stray_start < 0:
                        stray_line, stray_start = here, idx
                    continue
                if stray_start >= 0:
                    yield self.problem("text outside any record", stray_line, stray_start, idx)
                    stray_start = -1
                # a record normally opens with PT; one that does not is still read and judged by its fields
                rec, flat, rec_line, rec_start, fault = {}, {}, here, idx, None
            elif tag == "ER" and (sep == "" or not chunk[2:].strip()):
                yield self.finish(rec, flat, rec_line, rec_start, idx + 1, fault)
                rec = None
                continue
            elif not well_formed:
                if fault is None:
                    # the field is the tag the stray line follows (an unindented continuation, most often)
                    last = next(reversed(rec), None) if rec else None
                    stray = chunk.split("\n", 1)[0][:80]
                    fault = (f"line {here}: not a field line{f' after {last}' if last else ''}: {stray!r}", last)
                continue
            elif tag == "PT" or tag in FILE_TAGS:
                # the next record (or the file's end) before this one's ER
                self.item_no += 1
                raw = "\n".join(chunks[rec_start:idx])
                yield Problem(
                    reason=f"record not closed by ER before line {here} ({tag})",
                    record_no=self.item_no, line=rec_line, field="ER", raw=raw,
                )
                rec = None
                if tag != "PT":
                    continue
                rec, flat, rec_line, rec_start, fault = {}, {}, here, idx, None
            # a field line, with its continuation lines
            body = chunk[3:]
            if "\n" in body:
                vals = body.split("\n   ")
                if body.count("\n") != len(vals) - 1:  # continuation lines indented other than 3 spaces
                    vals = [v.strip() for v in body.split("\n")]
            else:
                vals = [body]
            add_field(rec, flat, tag, vals)
        if rec is not None:
            self.item_no += 1
            yield Problem(
                reason="file ends inside a record (no ER): truncated export",
                record_no=self.item_no, line=rec_line, field="ER", raw="\n".join(chunks[rec_start:]),
            )
        if stray_start >= 0:
            yield self.problem("text outside any record", stray_line, stray_start, len(chunks))

    def finish(self, rec: dict[str, list[str]], flat: dict[str, str], line: int, start: int, end: int,
               fault: tuple[str, str | None] | None) -> Record | Problem:
        if fault is not None:
            return self.problem(fault[0], line, start, end, fault[1])
        out = build_record(rec, flat)
        self.item_no += 1
        if isinstance(out, Problem):
            out.record_no, out.line = self.item_no, line
            out.raw = "\n".join(self.chunks[start:end])
        return out


FORMAT = register(Format(
    name="wos-plain",
    source="wos",
    description="Web of Science plain text (Full Record and Cited References, savedrecs.txt)",
    binary=False,
    sniff=sniff,
    parse=parse,
    priority=20,
))
