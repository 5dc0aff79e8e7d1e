"""A watch folder: librarians drop exports into an inbox; each run takes the settled files.

After a run, a file that could be read (even partly: its bad records are in quarantine) moves to
``processed/<date>/``; a file that could not be read at all moves to ``rejected/`` beside a
``<name>.reason.txt`` that says why. Files still being copied (modified in the last few seconds)
wait for the next run.
"""

from __future__ import annotations

import datetime as dt
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

PROCESSED = "processed"
REJECTED = "rejected"


@dataclass(frozen=True)
class Move:
    source: Path
    target: Path
    rejected: bool
    reason: str | None = None


def pending(inbox: Path, settle_seconds: float = 5.0, now: float | None = None) -> list[Path]:
    """Files directly in the inbox (not hidden, not in processed/ or rejected/), unchanged for a while."""
    if not inbox.is_dir():
        return []
    now = time.time() if now is None else now
    return sorted(
        p for p in inbox.iterdir()
        if p.is_file() and not p.name.startswith(".") and now - p.stat().st_mtime >= settle_seconds
    )


def _free_name(folder: Path, name: str) -> Path:
    """A target that never overwrites an earlier file of the same name."""
    target = folder / name
    n = 1
    while target.exists():
        stem, dot, ext = name.partition(".")
        target = folder / f"{stem}.{n}{dot}{ext}"
        n += 1
    return target


def settle(inbox: Path, results, today: dt.date | None = None) -> list[Move]:
    """Move each ingested file (ir.ingest.FileResult) out of the inbox according to its outcome."""
    today = today or dt.date.today()
    moves = []
    for res in results:
        src = Path(res.path)
        if not src.exists() or src.parent.resolve() != inbox.resolve():
            continue
        if res.error and res.records_read == 0:
            folder = inbox / REJECTED
            folder.mkdir(parents=True, exist_ok=True)
            target = _free_name(folder, src.name)
            shutil.move(str(src), target)
            target.with_name(target.name + ".reason.txt").write_text(
                f"{src.name}: {res.error}\nrejected on {today.isoformat()}; nothing from this file was stored.\n",
                encoding="utf-8",
            )
            moves.append(Move(src, target, True, res.error))
        else:
            folder = inbox / PROCESSED / today.isoformat()
            folder.mkdir(parents=True, exist_ok=True)
            target = _free_name(folder, src.name)
            shutil.move(str(src), target)
            moves.append(Move(src, target, False))
    return moves
