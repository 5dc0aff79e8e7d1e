"""Harvest settings: section ``[harvest]`` of the pipeline settings file, loaded and checked with the
rest of the configuration (:func:`ir.settings.load`: ``config.harvest``; the ranges in
:data:`ir.settings.CHECKS`).

Every default below is safe for the public APIs; a production institution sets at least ``contact_email``
(the APIs' "polite pool": Crossref and OpenAlex serve requests that carry a contact address first, and
tell its owner when something goes wrong) and ``ror`` (the institution's ROR id)::

    [harvest]
    contact_email = "repository@library.example.edu"
    ror = "https://ror.org/012abcd34"
    affiliation_query = "Huanghai University of Technology"

The base URLs are settings so that the tests and the demo can point them at a local server
(:mod:`ir.harvest.fakeapi`, a fake of these outside APIs): values for one run go on top of the checked
section with the same checks (:func:`ir.settings.replace_section`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

API_SOURCES = ("crossref", "openalex", "orcid")
ROR_ID = re.compile(r"(?:https?://ror\.org/)?(0[a-z0-9]{6}\d{2})", re.I)


@dataclass(frozen=True)
class HarvestSettings:
    # --- who asks: sent as mailto= and in the User-Agent, as the APIs' etiquette asks
    contact_email: str = ""
    user_agent: str = "ir-harvest/0.1 (institutional repository pipeline)"
    # --- where: the APIs' base URLs (a local server's in the tests and the demo)
    crossref_url: str = "https://api.crossref.org"
    openalex_url: str = "https://api.openalex.org"
    orcid_url: str = "https://pub.orcid.org/v3.0"
    openalex_api_key: str = ""  # OpenAlex premium key: enables from_updated_date, else see republish_days
    orcid_token: str = ""  # an ORCID /read-public token; the public API also answers without one
    # --- what: the institution, and which sources each kind of harvest reads
    ror: str = ""  # the institution's ROR id ("https://ror.org/0abcdef12" or "0abcdef12")
    affiliation_query: str = ""  # Crossref query.affiliation, for publishers that deposit no ROR id
    sources: tuple[str, ...] = API_SOURCES  # read by `ir harvest run`
    per_person: tuple[str, ...] = ("orcid", "openalex")  # read per person of people.csv with an ORCID iD
    enrich_sources: tuple[str, ...] = ("crossref", "openalex")  # asked by DOI for works that lack data
    # --- how much: pages and bounds (a bounded run keeps its cursor; the next run goes on from there)
    rows: int = 100  # records per page (Crossref allows up to 1000, OpenAlex 200)
    max_records: int = 10_000  # per query and run
    max_enrich: int = 1_000  # DOIs looked up per run
    max_people: int = 0  # people harvested per run (0: all); the rest wait for the next run
    # --- politeness
    requests_per_second: float = 5.0  # per API; lowered further when Crossref's X-Rate-Limit headers ask
    timeout_connect: float = 10.0  # seconds
    timeout_read: float = 60.0  # seconds
    retries: int = 5  # on 429, 5xx, connection errors and timeouts (Retry-After is honoured)
    backoff_factor: float = 1.0  # exponential backoff: factor * 2^(n-1) seconds between retries ...
    backoff_max: float = 120.0  # ... at most this
    retry_after_max: int = 600  # a Retry-After longer than this many seconds is shortened to it
    page_attempts: int = 3  # tries of a page whose body is not valid JSON before the query stops
    # --- incremental harvesting
    overlap_days: int = 1  # a pass asks from this many days before the day the last complete pass began
    republish_days: int = 730  # OpenAlex without an API key: asks for works published in this window
    retry_not_found_days: int = 30  # a DOI no API knew is asked again after this many days
    # --- the Prefect deployment (`ir serve-flows`: harvest/scheduled)
    schedule_cron: str = "0 3 * * *"  # when the harvest flow runs (minute hour day month weekday) ...
    schedule_interval: int = 0  # ... or every this many seconds instead, when set (cron's finest grain is a minute)

    @property
    def ror_url(self) -> str | None:
        m = ROR_ID.fullmatch(self.ror.strip()) if self.ror else None
        return f"https://ror.org/{m.group(1).lower()}" if m else None

    @property
    def timeout(self) -> tuple[float, float]:
        return (self.timeout_connect, self.timeout_read)

    def agent(self) -> str:
        """The User-Agent: product, and the contact address as Crossref's etiquette asks."""
        return f"{self.user_agent} (mailto:{self.contact_email})" if self.contact_email else self.user_agent
