"""The watch folder: which files a run takes, and where they go afterwards."""

from __future__ import annotations

import datetime as dt
import os
import time

from ir.inbox import pending, settle
from ir.ingest import FileResult


def test_pending_takes_only_settled_visible_files(tmp_path):
    old, fresh, hidden = tmp_path / "old.txt", tmp_path / "copying.txt", tmp_path / ".part"
    for p in (old, fresh, hidden):
        p.write_text("x")
    (tmp_path / "processed").mkdir()
    (tmp_path / "processed" / "done.txt").write_text("x")
    now = time.time()
    os.utime(old, (now - 60, now - 60))
    assert pending(tmp_path, settle_seconds=5, now=now) == [old]
    assert pending(tmp_path / "missing") == []


def test_settle_moves_read_files_to_processed_and_unreadable_ones_to_rejected_with_reason(tmp_path):
    ok, partly, bad = tmp_path / "wos.txt", tmp_path / "cnki.txt", tmp_path / "photo.png"
    for p in (ok, partly, bad):
        p.write_text("x")
    (tmp_path / "rejected").mkdir()
    (tmp_path / "rejected" / "photo.png").write_text("an earlier rejected file of the same name")
    day = dt.date(2026, 11, 22)
    moves = settle(tmp_path, [
        FileResult(str(ok), "wos-plain", "utf-8", 10, 10, 0),
        FileResult(str(partly), "cnki-estudy", "utf-8", 5, 3, 2),
        FileResult(str(bad), None, None, 0, 0, 0, error="binary file, not a known export format"),
    ], today=day)
    assert {m.source.name: (m.target.relative_to(tmp_path).as_posix(), m.rejected) for m in moves} == {
        "wos.txt": ("processed/2026-11-22/wos.txt", False),
        "cnki.txt": ("processed/2026-11-22/cnki.txt", False),
        "photo.png": ("rejected/photo.1.png", True),
    }
    reason = (tmp_path / "rejected" / "photo.1.png.reason.txt").read_text()
    assert "binary file" in reason and "photo.png" in reason
    assert (tmp_path / "rejected" / "photo.png").read_text().startswith("an earlier")
    assert not any(p.exists() for p in (ok, partly, bad))
