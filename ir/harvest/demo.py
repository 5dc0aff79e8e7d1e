"""``ir demo``'s harvest: the demo institution harvested from a FAKE of the outside APIs on 127.0.0.1.

The fake (:mod:`ir.harvest.fakeapi`) serves what Crossref, OpenAlex and ORCID would know of the synthetic
institution; the harvest itself is the real code path (requests, cursors, the store), then enrichment by
DOI and the pipeline's later stages, as the scheduled harvest flow runs them.
"""

from __future__ import annotations

from ir.config import Settings
from ir.harvest.fakeapi import DEMO_ROR, demo_corpus, serve

DEMO_PEOPLE = 20  # people harvested by ORCID iD in the demo run (the rest would follow on later runs)


def overrides(url: str) -> dict:
    """[harvest] values pointing at the fake server."""
    return {"crossref_url": f"{url}/crossref", "openalex_url": f"{url}/openalex", "orcid_url": f"{url}/orcid",
            "ror": DEMO_ROR, "contact_email": "repository@library.hhut.example.edu", "requests_per_second": 100,
            "max_people": DEMO_PEOPLE}


def run(cfg: Settings, works: int, people: int, seed: int = 7, prefect: bool = True) -> list[tuple[str, object]]:
    """Harvest, enrich and run the later stages; the stage reports, in order."""
    with serve(demo_corpus(works, people, seed)) as api:
        if prefect:
            from flows.harvest import harvest_flow

            out = harvest_flow(database_url=cfg.database_url, search_url=cfg.search_url,
                               dictionaries=str(cfg.dictionaries),
                               config_file=str(cfg.config_file) if cfg.config_file else None,
                               overrides=overrides(api.url))
            return [("harvest", out["harvest"]), ("enrich", out["enrich"])]
        from ir import pipeline
        from ir.harvest import enrich, harvest, people_with_orcid
        from ir.settings import replace_section
        from ir.store import open_store

        store = open_store(cfg.database_url)
        hs = replace_section(cfg.harvest, "harvest", overrides(api.url), source="the demo's fake APIs")
        reports: list[tuple[str, object]] = [("harvest", harvest(store, hs, people_with_orcid(cfg.dictionaries)))]
        pipeline.consolidate(store, cfg)
        reports.append(("enrich", enrich(store, hs)))
        for name, fn in pipeline.STAGES:
            reports.append((name, fn(store, cfg)))
        return reports
