"""Writing a whole demo set: dictionaries, export files and the truth, deterministically for a seed."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from ir.demo.exports import Exporter
from ir.demo.institution import generate_people, write_organizations, write_people
from ir.demo.journals import generate_journals, write_journals
from ir.demo.works import generate_works

DEFAULT_WORKS = 300
DEFAULT_PEOPLE = 200
DEFAULT_SEED = 7
DICTIONARY_FILES = ("organizations.csv", "people.csv", "journals.csv")


@dataclass
class GeneratedSummary:
    out_dir: Path
    seed: int
    works: int = 0
    people: int = 0
    appointments: int = 0
    organizations: int = 0
    journals: int = 0
    journal_list_rows: int = 0
    records: dict[str, int] = field(default_factory=dict)  # per source
    duplicates: dict[str, int] = field(default_factory=dict)  # second records of a work within one source
    works_by_sources: dict[str, int] = field(default_factory=dict)  # "cnki+ei": n
    files: list[Path] = field(default_factory=list)
    seconds: float = 0.0

    def as_json(self) -> dict:
        return {
            "out_dir": str(self.out_dir), "seed": self.seed, "works": self.works, "people": self.people,
            "appointments": self.appointments, "organizations": self.organizations, "journals": self.journals,
            "journal_list_rows": self.journal_list_rows, "records": self.records, "duplicates": self.duplicates,
            "works_by_sources": self.works_by_sources,
            "files": [p.relative_to(self.out_dir).as_posix() for p in self.files], "seconds": round(self.seconds, 2),
        }


def write_dictionaries(folder: Path, *, people: int = DEFAULT_PEOPLE, seed: int = DEFAULT_SEED,
                       _cache: dict | None = None) -> tuple[int, int, int, int]:
    """organizations.csv, people.csv, journals.csv: (organizations, appointments, journals, list rows)."""
    folder.mkdir(parents=True, exist_ok=True)
    pp = generate_people(people, seed) if _cache is None else _cache["people"]
    jj = generate_journals(seed) if _cache is None else _cache["journals"]
    n_orgs = write_organizations(folder / "organizations.csv")
    n_rows = write_people(folder / "people.csv", pp)
    n_list = write_journals(folder / "journals.csv", jj, seed)
    return n_orgs, n_rows, len(jj), n_list


def generate(out_dir: Path, *, works: int = DEFAULT_WORKS, people: int = DEFAULT_PEOPLE,
             seed: int = DEFAULT_SEED) -> GeneratedSummary:
    """Write ``out_dir/dictionaries``, ``out_dir/exports/{wos,ei,cnki}`` and ``out_dir/truth``.

    The same arguments give byte-identical files. Works are streamed: memory stays bounded by the
    number of people, not of works.
    """
    if works < 1 or people < 20:
        raise ValueError("need at least 1 work and 20 people")
    t0 = time.perf_counter()
    out_dir = Path(out_dir)
    summary = GeneratedSummary(out_dir=out_dir, seed=seed, works=works, people=people)
    pp = generate_people(people, seed)
    jj = generate_journals(seed)
    (summary.organizations, summary.appointments, summary.journals,
     summary.journal_list_rows) = write_dictionaries(out_dir / "dictionaries", people=people, seed=seed,
                                                     _cache={"people": pp, "journals": jj})
    summary.files += [out_dir / "dictionaries" / name for name in DICTIONARY_FILES]
    cap = max(20, min(500, works // 8))
    exporter = Exporter(out_dir, cap, seed)
    try:
        for w in generate_works(works, pp, jj, seed):
            srcs = exporter.add(w)
            combo = "+".join(sorted(set(srcs)))
            summary.works_by_sources[combo] = summary.works_by_sources.get(combo, 0) + 1
    finally:
        exporter.close()
    for name, writer in exporter.writers().items():
        summary.records[name] = writer.records
        summary.files += writer.files
    summary.duplicates = dict(exporter.duplicates)
    summary.works_by_sources = dict(sorted(summary.works_by_sources.items()))
    summary.files += [out_dir / "truth" / n for n in ("works.csv", "records.csv", "authorships.csv", "noise.csv")]
    summary.seconds = time.perf_counter() - t0
    return summary
