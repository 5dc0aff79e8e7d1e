"""Ingest export files: detect format and encoding, parse, upsert source records, quarantine the rest.

Per file, every record read ends stored or quarantined (``records_read == stored + quarantined``).
Ingesting the same file again changes nothing: batches are keyed by the file's sha256 and source
records by (source, source_id), updated only when their content changed.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa

from ir import formats
from ir.decoding import UndecodableError, decode, looks_binary
from ir.model import Problem, Record
from ir.runtime import gc_paused
from ir.store import Store, upsert
from ir.store.engine import utcnow
from ir.store.tables.ingest import ingest_batches, quarantine, source_records

BATCH = 2000
SKIP_NAMES = {"MANIFEST.md", "README.md", ".DS_Store", "Thumbs.db"}


@dataclass
class FileResult:
    path: str
    format: str | None = None
    encoding: str | None = None
    records_read: int = 0
    stored: int = 0
    quarantined: int = 0
    error: str | None = None  # the file as a whole could not be read
    sha256: str | None = None

    def as_json(self) -> dict:
        out = {k: getattr(self, k) for k in ("path", "format", "encoding", "records_read", "stored", "quarantined")}
        if self.error:
            out["error"] = self.error
        return out


@dataclass
class ParsedFile:
    """A file read and parsed, not yet stored."""

    path: Path
    data: bytes
    fmt: formats.Format | None = None
    encoding: str | None = None
    error: str | None = None
    items: list[Record | Problem] = field(default_factory=list)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def expand_paths(paths: Iterable[str | os.PathLike]) -> list[Path]:
    """Files as given, and every file under a folder (sorted, hidden and documentation files skipped)."""
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            out.extend(
                f
                for f in sorted(p.rglob("*"))
                if f.is_file() and not any(part.startswith(".") for part in f.relative_to(p).parts)
                and f.name not in SKIP_NAMES
            )
        else:
            out.append(p)
    return out


def read_file(path: Path, data: bytes | None = None) -> ParsedFile:
    """Read, detect and parse one file. Never raises for bad content: the error is in the result."""
    try:
        data = path.read_bytes() if data is None else data
    except OSError as exc:
        return ParsedFile(path, b"", error=f"cannot read: {exc.strerror or exc}")
    pf = ParsedFile(path, data)
    if not data.strip():
        pf.error = "empty file"
        return pf
    fmt = formats.detect_binary(data)
    if fmt is not None:
        pf.fmt, pf.encoding = fmt, "binary"
        pf.items = parse_all(fmt, data)
        return pf
    if looks_binary(data):
        pf.error = "binary file, not a known export format (expected text, .xls or .xlsx)"
        return pf
    try:
        decoded = decode(data)
    except UndecodableError as exc:
        pf.error = f"wrong or unknown encoding: {exc}"
        return pf
    pf.encoding = decoded.encoding
    text = decoded.text
    if "\x00" in text:  # stray NULs: PostgreSQL text and JSONB cannot hold them
        text = text.replace("\x00", "\ufffd")
    fmt = formats.detect_text(text)
    if fmt is None:
        first = text.lstrip()[:60].splitlines()[0] if text.strip() else ""
        pf.error = f"unknown format (starts with {first!r})"
        return pf
    pf.fmt = fmt
    pf.items = parse_all(fmt, text)
    return pf


def parse_all(fmt: formats.Format, content: str | bytes) -> list[Record | Problem]:
    """Every record or problem of one file, in order."""
    with gc_paused():
        return list(_guarded(fmt.parse(content), fmt))


def _guarded(items: Iterator[Record | Problem], fmt: formats.Format) -> Iterator[Record | Problem]:
    """A parser bug must not lose the rest of the file silently: it becomes a file-level problem."""
    n = 0
    try:
        for item in items:
            n += 1
            yield item
    except Exception as exc:  # noqa: BLE001 - turned into a quarantine row with its reason
        yield Problem(reason=f"{fmt.name} parser failed after record {n}: {type(exc).__name__}: {exc}", record_no=n + 1)


def store_file(store: Store, pf: ParsedFile) -> FileResult:
    """Write one parsed file: its batch row, its records (upserted), its problems (quarantined)."""
    res = FileResult(str(pf.path), pf.fmt.name if pf.fmt else None, pf.encoding, sha256=pf.sha256 if pf.data else None)
    now = utcnow()
    # an item's record number is its 1-based position in the file, records and problems alike
    records = [(n, i) for n, i in enumerate(pf.items, 1) if isinstance(i, Record)]
    problems = [(n, i) for n, i in enumerate(pf.items, 1) if isinstance(i, Problem)]
    res.stored, res.quarantined = len(records), len(problems)
    res.records_read = res.stored + res.quarantined
    if pf.error:
        res.error = pf.error
        if pf.data:  # an unreadable file is itself quarantined (record 0), so it is not lost either
            raw = pf.data[:100_000].decode("utf-8", "replace").replace("\x00", "\ufffd")
            problems = [(0, Problem(reason=pf.error, raw=raw))]
    if not pf.data:
        return res
    with store.begin() as conn:
        batch = {
            "sha256": pf.sha256, "path": str(pf.path), "format": res.format, "encoding": res.encoding,
            "size_bytes": len(pf.data), "records_read": res.records_read, "stored": res.stored,
            "quarantined": res.quarantined, "error": res.error, "ingested_at": now,
        }
        existing = conn.execute(sa.select(ingest_batches.c.id).where(ingest_batches.c.sha256 == pf.sha256)).scalar()
        if existing is None:
            batch_id = conn.execute(ingest_batches.insert().values(**batch)).inserted_primary_key[0]
        else:
            batch_id = existing  # the same bytes again: nothing to change
        rows = []
        for n, rec in records:
            rows.append({
                "source": rec.source, "source_id": rec.source_id[:255], "batch_id": batch_id,
                "record_no": n, "format": res.format, "fidelity": pf.fmt.fidelity,
                "content_hash": rec.content_hash(), "data": rec.to_dict(), "first_seen": now, "updated_at": now,
            })
        for start in range(0, len(rows), BATCH):
            upsert(conn, source_records, rows[start : start + BATCH], key=("source", "source_id"),
                   update=("batch_id", "record_no", "format", "fidelity", "content_hash", "data", "updated_at"),
                   where_changed="content_hash", where_not_less="fidelity")
        qrows = [{
            "batch_id": batch_id, "path": str(pf.path), "record_no": n, "line": p.line,
            "field": p.field, "reason": p.reason, "raw": p.raw, "created_at": now,
        } for n, p in problems]
        upsert(conn, quarantine, qrows, key=("batch_id", "record_no"), update=())
    return res


def ingest_paths(
    store: Store, paths: Iterable[str | os.PathLike], progress: Callable[[FileResult], None] | None = None
) -> list[FileResult]:
    results = []
    for path in expand_paths(paths):
        res = store_file(store, read_file(path))
        results.append(res)
        if progress:
            progress(res)
    return results


def list_quarantine(store: Store, limit: int | None = None) -> list[dict]:
    q = sa.select(quarantine).order_by(quarantine.c.path, quarantine.c.record_no)
    if limit:
        q = q.limit(limit)
    with store.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(q)]
