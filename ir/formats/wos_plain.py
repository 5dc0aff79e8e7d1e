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

Speed: a well-formed file (the usual case) is read by :func:`read_regular`, which cuts it with C-level
string operations and never visits a line in Python; any irregular line sends the whole file through the
careful reader, which reports every fault with its line.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from itertools import repeat

from ir.formats import Format, Parsed, register
from ir.formats._wos_fields import FILE_TAGS, TAG_SET, build_record
from ir.model import Problem, Record

# a line break not followed by a space: the start of a tag line, a blank line or a stray line
_FIELD_START = re.compile(r"\n(?! )")
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
    return _parse(text)


def _parse(text: str) -> Iterator[Record | Problem]:
    items = read_regular(text)
    if items is None:
        yield from _Parser(text).run()
    else:
        yield from items


# stands for a continuation line break ("\n   ") while a record is cut into fields; a file that holds
# the character itself is left to the careful reader
_MARK = "\x1f"
_ER = "\nER\n"
_CONT_RE = re.compile(_CONT)  # its sub() is twice as fast as str.replace for this pattern
_TAG_LINE = re.compile(r"\n([A-Z][A-Z0-9]) ")  # the start of a tag line (with its value) inside a record
# the tags a record's lines may carry: not a file tag, not ER (PT is counted: only the first line's)
_RECORD_TAGS = TAG_SET - FILE_TAGS - {"ER"}
_SEPS = frozenset({" ", ""})


def read_regular(text: str) -> list[Record | Problem] | None:
    """Every record of a well-formed file (the usual case), or None if any line is irregular.

    The file is cut at its ER lines by C-level searches; each record's continuation breaks are marked
    by one substitution, the record is cut into (tag, value) pairs by one regex split, and its tag ->
    lines dicts are built by C-level ``dict(zip(...))`` calls, so the thousands of cited-reference lines
    are never visited one by one in Python. Any irregular line (stray text, odd indentation, a record
    without ER, a blank line inside a record) gives None, and the whole file goes to the careful reader,
    which reports every fault with its line.
    """
    if _MARK in text:
        return None
    last = text.rfind(_ER)
    tail = text[last + len(_ER) :] if last >= 0 else text
    final = None
    if tail.endswith("\nER") or tail == "ER":  # the last ER line ends the file, without a line break
        final, tail = tail[:-3], ""
    if not _outside(tail):
        return None
    return _read_blocks(text, _blocks(text, last, final))


def _blocks(text: str, last: int, final: str | None) -> Iterator[tuple[int, str]]:
    """(offset, text) of each stretch of the file before an ER line, up to the one at ``last``, and final."""
    pos = 0
    find = text.find
    while pos <= last:
        end = find(_ER, pos)
        yield pos, text[pos:end]
        pos = end + len(_ER)
    if last >= 0 and pos != last + len(_ER):  # the last ER line follows another one: not a record
        yield pos, text[pos:]
    elif final is not None:
        yield pos, final


def _read_blocks(text: str, blocks: Iterator[tuple[int, str]]) -> list[Record | Problem] | None:
    """The records of blocks (each one record after any blank or file lines); None if one is irregular."""
    out: list[Record | Problem] = []
    append = out.append
    split, replace = str.split, str.replace
    mark, space = repeat(_MARK), repeat(" ")
    record_tags = _RECORD_TAGS
    cont_sub, tag_split = _CONT_RE.sub, _TAG_LINE.split
    for k, (pos, block) in enumerate(blocks):
        if block.startswith("\nPT "):  # the usual: a blank line after the previous record's ER
            rec = block[1:]
        elif block.startswith("PT "):
            rec = block
        else:
            i = block.find("\nPT ")
            if i < 0 or not _outside(block[:i]):
                return None
            rec = block[i + 1 :]
        rec2 = cont_sub(_MARK, rec)
        # [PT line, tag, body, tag, body, ...]: every line break but a continuation's must open a tag line
        parts = tag_split(rec2)
        tags = parts[1::2]
        if rec2.count("\n") != len(tags):
            return None
        tags.insert(0, "PT")
        if tags.count("PT") != 1 or not record_tags.issuperset(tags):
            return None
        bodies = parts[2::2]
        bodies.insert(0, parts[0][3:])
        fields = dict(zip(tags, map(split, bodies, mark)))
        if len(fields) != len(tags):  # a repeated tag: its values are merged
            fields, flat = _merge(tags, bodies)
        else:
            flat = dict(zip(tags, map(replace, bodies, mark, space)))
        item = build_record(fields, flat)
        if isinstance(item, Problem):
            item.record_no = k + 1
            item.line = text.count("\n", 0, pos + len(block) - len(rec)) + 1
            item.raw = rec + "\nER"
        append(item)
    return out


def _outside(text: str) -> bool:
    """Whether text between records holds only blank lines and file lines (FN, VR, EF) with their continuations."""
    if not text:
        return True
    prev = ""
    for line in text.split("\n"):
        if line.startswith("   "):
            if not prev:  # a continuation of nothing
                return False
        elif line and (line[:2] not in FILE_TAGS or line[2:3] not in _SEPS):
            return False
        prev = line
    return True


def _merge(tags, bodies) -> tuple[dict[str, list[str]], dict[str, str]]:
    """fields and flat values of a record that repeats a tag (two CT lines): the values are kept apart."""
    fields: dict[str, list[str]] = {}
    flat: dict[str, str] = {}
    for tag, body in zip(tags, bodies, strict=True):
        add_field(fields, flat, tag, body.split(_MARK))
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
