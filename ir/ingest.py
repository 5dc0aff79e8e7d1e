"""Ingest export files: detect format and encoding, parse, store source records, quarantine the rest.

    read_file(path) -> ParsedFile        bytes -> text (ir.decoding) -> format -> records and problems
    prepare(parsed) -> Prepared          where each item goes (ir.accounting): stored, quarantined, duplicate
    store_prepared(store, prepared)      the batch row, new and changed source records, quarantine rows
    ingest_paths(store, paths)           all of it per file, files read in parallel, unchanged files skipped

Per file, every record read ends stored, quarantined with its file, record number, line, field and
reason, or a named duplicate of an earlier record of the same file: ``records_read == stored +
quarantined + duplicates``. A damaged stretch of a file costs the record it is in, not the file.

Ingesting the same file again changes nothing: a batch is keyed by the file's sha256 and remembers
which readers read it (:func:`reader_version`), so the same bytes are not read again by the same code;
records are keyed by (source, source_id) and written only when their content hash changed, never
replacing a fuller format's copy (``Format.fidelity``).
"""

from __future__ import annotations

import functools
import hashlib
import multiprocessing
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa

from ir import formats
from ir.accounting import Prepared, prepare
from ir.decoding import UndecodableError, decode, looks_binary
from ir.model import Problem, Record
from ir.runtime import can_fork, gc_paused
from ir.store import Store
from ir.store.engine import utcnow
from ir.store.ingest_io import find_batch, replace_quarantine, save_batch, stored_versions, write_records
from ir.store.tables.ingest import quarantine

SKIP_NAMES = {"MANIFEST.md", "README.md", ".DS_Store", "Thumbs.db"}


@dataclass
class FileResult:
    path: str
    format: str | None = None
    encoding: str | None = None
    records_read: int = 0
    stored: int = 0  # stored now or before: the store holds them (unless a fuller copy was kept)
    quarantined: int = 0
    error: str | None = None  # the file as a whole could not be read
    sha256: str | None = None
    duplicates: list[dict] = field(default_factory=list)  # {record_no, source, source_id, first_record_no}
    warnings: list[str] = field(default_factory=list)  # garbled text, a guessed encoding
    new: int = 0  # of the stored: rows added
    updated: int = 0  # rows whose content changed
    unchanged: int = 0  # rows stored before as they are (or a fuller format's copy, kept)
    skipped: bool = False  # the same bytes, read before by the same readers: counts as recorded then

    def as_json(self) -> dict:
        out = {k: getattr(self, k) for k in ("path", "format", "encoding", "records_read", "stored", "quarantined")}
        out["duplicates"] = len(self.duplicates)
        if self.duplicates:
            out["duplicate_records"] = self.duplicates
        out.update(new=self.new, updated=self.updated, unchanged=self.unchanged, skipped=self.skipped)
        if self.warnings:
            out["warnings"] = self.warnings
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
    damaged: dict[int, str] = field(default_factory=dict)  # line -> the line as read (ir.decoding.Decoded)
    warnings: list[str] = field(default_factory=list)
    garbled: bool = False  # the text looks like mojibake: records with non-ASCII text are not stored

    @functools.cached_property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


@functools.cache
def reader_version(encoding: str | None = None) -> str:
    """A digest of the code that turns a file's bytes into records (the readers, the record model, decoding,
    accounting and this module): a file read by the same code is not read again; after any change, it is."""
    import ir.formats

    h = hashlib.sha256((encoding or "").encode())
    files = sorted(Path(ir.formats.__file__).parent.glob("*.py"))
    here = Path(__file__).parent
    for f in [*files, here / "model.py", here / "decoding.py", here / "accounting.py", Path(__file__)]:
        h.update(f.name.encode() + b"\0" + f.read_bytes())
    return h.hexdigest()


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


# -------------------------------------------------------------------------------------------------- reading

def read_file(path: Path, data: bytes | None = None, encoding: str | None = None) -> ParsedFile:
    """Read, detect and parse one file. Never raises for bad content: the error is in the result.
    ``encoding``: the librarian's word for the file's encoding (no detection, no garble check)."""
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
        decoded = decode(data, encoding)
    except UndecodableError as exc:
        pf.error = f"wrong or unknown encoding: {exc}"
        return pf
    pf.encoding, pf.damaged = decoded.encoding, decoded.damaged
    pf.warnings = [w for w in (decoded.warning, decoded.guessed) if w]
    pf.garbled = decoded.warning is not None
    text = decoded.text
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


# --------------------------------------------------------------------------------------------------- storing

def store_file(store: Store, pf: ParsedFile, reader: str | None = None) -> FileResult:
    """Write one parsed file: its batch row, its new and changed records, its quarantine rows."""
    with gc_paused():
        return store_prepared(store, prepare(pf), reader)


def store_prepared(store: Store, prep: Prepared, reader: str | None = None) -> FileResult:
    res = FileResult(str(prep.path), prep.format, prep.encoding, records_read=prep.read, stored=len(prep.records),
                     quarantined=len(prep.problems), error=prep.error, sha256=prep.sha256,
                     duplicates=prep.duplicates, warnings=prep.warnings)
    if prep.error:  # the file is quarantined whole: it counts as no record read
        res.records_read = res.quarantined = 0
    if not prep.size:
        return res
    now = utcnow()
    with store.begin() as conn:
        batch_id = save_batch(conn, {
            "sha256": prep.sha256, "path": str(prep.path), "format": res.format, "encoding": res.encoding,
            "size_bytes": prep.size, "records_read": res.records_read, "stored": res.stored,
            "quarantined": res.quarantined, "duplicates": len(res.duplicates), "error": res.error,
            "notes": {"duplicates": res.duplicates, "warnings": res.warnings} if res.duplicates or res.warnings else None,
            "reader": reader or reader_version(), "ingested_at": now,
        }, find_batch(conn, prep.sha256))
        _store_records(conn, prep, batch_id, res, now)
        replace_quarantine(conn, batch_id, [{
            "path": str(prep.path), "record_no": n, "line": p.line, "field": p.field, "reason": p.reason,
            "raw": p.raw, "created_at": now} for n, p in prep.problems])
    return res


def _store_records(conn: sa.Connection, prep: Prepared, batch_id: int, res: FileResult, now) -> None:
    """New rows in bulk, changed rows by upsert, unchanged rows (the same content hash) not at all."""
    stored = stored_versions(conn, ((source, source_id) for _, source, source_id, _, _ in prep.records))
    new, changed = [], []
    for n, source, source_id, js, digest in prep.records:
        row = (source, source_id, batch_id, n, res.format, prep.fidelity, digest, js)
        was = stored.get((source, source_id))
        if was is None:
            new.append(row)
        elif was[0] != digest and prep.fidelity >= was[1]:
            changed.append(row)
    res.new, res.updated = len(new), len(changed)
    res.unchanged = len(prep.records) - res.new - res.updated
    write_records(conn, new, now, new=True)
    write_records(conn, changed, now, new=False)


def ingest_file(store: Store, path: Path, *, encoding: str | None = None) -> FileResult:
    """Ingest one file, unless its bytes were read before by the same readers (then: the counts of then)."""
    reader = reader_version(encoding)
    return _already_read(store, path, reader) or _store(store, read_and_prepare(path, encoding), reader)


def read_and_prepare(path: Path, encoding: str | None = None) -> Prepared:
    """Read, parse and account for one file: all the work but the database's (what a reading process does)."""
    with gc_paused():
        return prepare(read_file(path, encoding=encoding))


def _store(store: Store, prep: Prepared, reader: str) -> FileResult:
    with gc_paused():
        return store_prepared(store, prep, reader)


def _already_read(store: Store, path: Path, reader: str) -> FileResult | None:
    """The file's result as recorded, if the same readers read the same bytes before."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    if not data:
        return None
    with store.connect() as conn:
        batch = find_batch(conn, hashlib.sha256(data).hexdigest())
    if batch is None or batch.reader != reader:
        return None
    notes = batch.notes or {}
    return FileResult(str(path), batch.format, batch.encoding, batch.records_read, batch.stored, batch.quarantined,
                      batch.error, batch.sha256, duplicates=notes.get("duplicates", []),
                      warnings=notes.get("warnings", []), unchanged=batch.stored, skipped=True)


PARALLEL_BYTES = 4_000_000  # files to read worth starting reading processes for


def ingest_paths(
    store: Store, paths: Iterable[str | os.PathLike], progress: Callable[[FileResult], None] | None = None,
    *, encoding: str | None = None, workers: int | None = None,
) -> list[FileResult]:
    """Ingest files and folders of them, in order. Files the same readers read before are not read again;
    the others are read and parsed by ``workers`` processes (default: one per core, up to 4, when there
    are several and enough to read, and forking is safe) while this one writes what they send back."""
    files = expand_paths(paths)
    reader = reader_version(encoding)
    results: list[FileResult | None] = [_already_read(store, p, reader) for p in files]
    todo = [i for i, r in enumerate(results) if r is None]
    if workers is None:
        size = sum(files[i].stat().st_size for i in todo if files[i].is_file())
        workers = min(len(todo), os.cpu_count() or 1, 4) if size >= PARALLEL_BYTES else 1
    for i in range(len(files)):
        if results[i] is not None and progress:
            progress(results[i])
    for i, prep in zip(todo, _prepared([files[i] for i in todo], encoding, workers)):
        results[i] = _store(store, prep, reader)
        if progress:
            progress(results[i])
    return results


def _prepared(files: list[Path], encoding: str | None, workers: int) -> Iterator[Prepared]:
    """Each file read and prepared, in order: here, or in forked processes when more than one is asked for."""
    if workers < 2 or len(files) < 2 or not can_fork():
        yield from (read_and_prepare(p, encoding) for p in files)
        return
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        yield from pool.imap(functools.partial(read_and_prepare, encoding=encoding), files)


def list_quarantine(store: Store, limit: int | None = None, path: str | None = None) -> list[dict]:
    """Quarantine rows by file and record; ``path``: only the files whose path contains it."""
    q = sa.select(quarantine).order_by(quarantine.c.path, quarantine.c.record_no)
    if path:
        q = q.where(quarantine.c.path.contains(path, autoescape=True))
    if limit:
        q = q.limit(limit)
    with store.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(q)]
