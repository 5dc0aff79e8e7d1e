"""The run summary: what one run did, file by file, and what needs a person — as Markdown for Prefect's
Artifacts tab (``ir-run-summary``) and for ``ir run``.

Its figures are this run's (:func:`summarize`: the works it created or changed, the decisions it made),
not the store's running totals; its links lead to the repository's web UI (``IR_WEB_URL``), where a
librarian reviews suggestions and unknown authors, with the CLI command beside each.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ir.store import Store

JOURNAL_MATCHES_EXCLUDED = ("wos-category", "code")  # subject tags, not a journal found in a list


@dataclass
class RunFigures:
    """This run's figures: works it created or changed, the decisions it made on authorships of ours,
    the journals of its works that no list has; and the review queue as it stands after it."""

    works_new: int = 0
    works_changed: int = 0
    works_total: int = 0  # active works in the repository after the run
    decided: dict[str, int] = field(default_factory=dict)  # status -> authorships of ours decided this run
    journals_not_found: list[tuple[str, int]] = field(default_factory=list)  # (journal, works of this run)
    review_queue: int = 0  # suggestions waiting, in all
    unknown_authors: int = 0  # authorships of ours nobody fits, in all
    retired: list[str] = field(default_factory=list)  # works without members retired before the run

    def as_json(self) -> dict:
        return {"works_new": self.works_new, "works_changed": self.works_changed, "works_total": self.works_total,
                "decided": self.decided, "journals_not_found": [{"journal": j, "works": n}
                                                               for j, n in self.journals_not_found],
                "review_queue": self.review_queue, "unknown_authors": self.unknown_authors,
                "retired_empty_works": self.retired}


def summarize(store: Store, since: dt.datetime) -> RunFigures:
    """The figures of the run that started at ``since`` (UTC). The run held the run lock, so the rows
    written since then are its own (bar a person's claims in the web UI meanwhile, which the pipeline
    does not decide)."""
    import sqlalchemy as sa

    from ir.store.tables.attribution import authorships as a
    from ir.store.tables.tagging import work_tags
    from ir.store.tables.works import works as w

    fig = RunFigures()
    with store.connect() as conn:
        rows = conn.execute(sa.select(w.c.work_id, w.c.created_at, w.c.data)
                            .where(w.c.status == "active", w.c.updated_at >= since)).all()
        fig.works_total = conn.execute(sa.select(sa.func.count()).select_from(w).where(w.c.status == "active")).scalar()
        fig.decided = {s: n for s, n in conn.execute(
            sa.select(a.c.status, sa.func.count()).where(a.c.is_ours, a.c.decided_by == "pipeline",
                                                         a.c.decided_at >= since).group_by(a.c.status))}
        fig.review_queue = conn.execute(sa.select(sa.func.count()).select_from(a).where(
            a.c.status == "suggested", a.c.person_id.is_not(None))).scalar()
        fig.unknown_authors = conn.execute(sa.select(sa.func.count()).select_from(a).where(
            a.c.is_ours, a.c.status == "unmatched")).scalar()
        ids = [r.work_id for r in rows]
        in_a_list: set[str] = set()
        for start in range(0, len(ids), 1000):
            in_a_list.update(conn.execute(sa.select(work_tags.c.work_id).distinct().where(
                work_tags.c.work_id.in_(ids[start:start + 1000]),
                work_tags.c.matched_by.not_in(JOURNAL_MATCHES_EXCLUDED))).scalars())
    missing: Counter = Counter()
    for r in rows:
        if _utc(r.created_at) >= _utc(since):
            fig.works_new += 1
        else:
            fig.works_changed += 1
        journal = (r.data or {}).get("journal") or {}
        name = journal.get("title") or journal.get("issn") or journal.get("eissn")
        if name and r.work_id not in in_a_list:
            missing[name] += 1
    fig.journals_not_found = sorted(missing.items(), key=lambda kv: (-kv[1], kv[0]))
    return fig


def _utc(t: dt.datetime) -> dt.datetime:
    return t if t.tzinfo else t.replace(tzinfo=dt.timezone.utc)


def stage_notes(name: str, report) -> list[str]:
    """The notes of a stage's report that are not figures of the whole store (those the summary gives
    for this run instead): dictionary problems, refused index writes, ambiguous journals."""
    if name == "ingest":
        return []
    if name == "attribute":
        problems = getattr(report, "problems", None) or []
        return [f"{len(problems)} row(s) of the people and organisation dictionaries refused: "
                "`ir dictionaries check`"] if problems else []
    notes = list(getattr(report, "attention", lambda: [])())
    if name == "tag":
        notes = [n for n in notes if "in no list" not in n]
    return notes


@dataclass
class RunSummary:
    title: str
    files: list  # ir.ingest.FileResult
    figures: RunFigures
    web_url: str
    moves: Mapping[str, object] = field(default_factory=dict)  # file path -> ir.inbox.Move (an inbox run)
    timings: Mapping[str, float] = field(default_factory=dict)
    notes: Mapping[str, list[str]] = field(default_factory=dict)  # stage -> stage_notes
    folder: Path | None = None  # the inbox: moves are shown relative to it

    def _where(self, f) -> str:
        move = self.moves.get(f.path)
        if move is None:
            return "not read" if f.error and not f.records_read else "stays where it is"
        target = Path(move.target)
        shown = target.relative_to(self.folder).as_posix() if self.folder and target.is_relative_to(self.folder) \
            else str(target)
        if move.rejected:
            return f"**rejected**: `{shown}` (why: `{shown}.reason.txt`)"
        return f"`{shown}`"

    def attention(self) -> list[str]:
        f, web = self.figures, self.web_url.rstrip("/")
        out = []
        for r in self.files:
            if r.error and not r.records_read:
                out.append(f"**rejected file** `{Path(r.path).name}`: {r.error}; nothing from it was stored")
        quarantined = [r for r in self.files if r.quarantined]
        if quarantined:
            listed = ", ".join(f"`{Path(r.path).name}` ({r.quarantined})" for r in quarantined)
            out.append(f"**quarantine**: {sum(r.quarantined for r in quarantined)} record(s) could not be read, "
                       f"from {listed}: each with file, record, line, field and reason in `ir quarantine`")
        suggested = f.decided.get("suggested", 0)
        if suggested or f.review_queue:
            out.append(f"**review**: {suggested} suggested link(s) from this run, {f.review_queue} waiting in all: "
                       f"[the review queue]({web}/review) (or `ir review`)")
        unmatched = f.decided.get("unmatched", 0)
        if unmatched:
            out.append(f"**unknown authors**: {unmatched} authorship(s) of ours from this run fit nobody in the "
                       f"dictionary: [unknown authors]({web}/unknown-authors), for the people dictionary")
        if f.journals_not_found:
            top = ", ".join(f"{j} ({n})" for j, n in f.journals_not_found[:5])
            more = f" and {len(f.journals_not_found) - 5} more" if len(f.journals_not_found) > 5 else ""
            out.append(f"**journals in no list**: {len(f.journals_not_found)} journal(s) of this run's works: "
                       f"{top}{more} (`ir tag --json` lists every one)")
        if f.retired:
            out.append(f"**repaired**: {len(f.retired)} work(s) no source record belonged to were retired: "
                       + ", ".join(f.retired[:10]))
        for stage, notes in self.notes.items():
            out += [f"**{stage}**: {n}" for n in notes]
        return out

    def markdown(self) -> str:
        f, web = self.figures, self.web_url.rstrip("/")
        lines = [f"# {self.title}", ""]
        if self.files:
            lines += ["| file | format | records | stored | quarantined | went to |", "|---|---|---:|---:|---:|---|"]
            lines += [f"| `{Path(r.path).name}` | {r.format or '–'} | {r.records_read} | {r.stored} | {r.quarantined} "
                      f"| {self._where(r)} |" for r in self.files]
            lines.append("")
        decided = f.decided
        lines += ["## This run", "", "| | |", "|---|---:|",
                  f"| works new | {f.works_new} |", f"| works changed (records joined or fields updated) | {f.works_changed} |",
                  f"| authorships of ours linked automatically | {decided.get('auto', 0)} |",
                  f"| authorships of ours suggested for review | {decided.get('suggested', 0)} |",
                  f"| authorships of ours nobody in the dictionary fits | {decided.get('unmatched', 0)} |",
                  f"| records quarantined | {sum(r.quarantined for r in self.files)} |",
                  f"| journals in no list | {len(f.journals_not_found)} |", "",
                  f"In the repository ({f.works_total} works): [search]({web}/) · [review queue]({web}/review) "
                  f"({f.review_queue} waiting) · [unknown authors]({web}/unknown-authors) ({f.unknown_authors})", ""]
        lines += ["## Needs a person's attention", ""]
        lines += [f"- {n}" for n in self.attention()] or ["Nothing: every file was read and every stage finished cleanly."]
        if self.timings:
            lines += ["", "## Stages", "", "| stage | seconds |", "|---|---:|"]
            lines += [f"| {name} | {secs:.1f} |" for name, secs in self.timings.items()]
        return "\n".join(lines) + "\n"
