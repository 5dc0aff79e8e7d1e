"""Attribution settings: the [attribute] section of the pipeline settings file. Weights are points of
evidence added to a candidate's score; thresholds turn the score into a decision."""

from __future__ import annotations

from dataclasses import asdict, dataclass



@dataclass(frozen=True)
class AttributeSettings:
    # evidence weights (points)
    name: float = 4.0  # times the name compatibility (1.0 full/same Chinese name, 0.7 initials, ...)
    dept_exact: float = 2.0  # the appointment's unit is named in the address
    dept_related: float = 1.5  # a unit above or below it is named (school vs its lab)
    dept_other: float = -1.5  # the address names another of our units
    year_in: float = 0.5  # the work's year falls within the appointment
    year_out: float = -3.0  # ... or clearly outside it
    email: float = 5.0  # the author's e-mail is the person's
    orcid: float = 8.0  # the same ORCID iD / ResearcherID
    orcid_conflict: float = -8.0  # the author carries another ORCID iD
    coauthor: float = 1.5  # per co-author linked to someone this person has published with (at most 2)
    supervisor: float = 1.5  # a student whose supervisor is (a candidate for) another author of the work, or vice versa
    student_alone: float = -2.0  # a student whose recorded supervisor is no candidate for any other author
    unique_name: float = 1.5  # the full name (or the Chinese name) is held by this one person of the dictionary
    unlinked: float = -0.5  # the address is not tied to this author (CNKI's unlinked organ list)
    # decisions
    auto_min: float = 6.0  # at least this score ...
    auto_margin: float = 1.5  # ... and this far ahead of the next person: auto
    auto_min_name: float = 0.7  # name compatibility needed for auto without e-mail/ORCID evidence
    suggest_min: float = 3.0  # at least this score: suggested
    max_suggested: int = 10  # a suggestion goes to the people tied for it (within auto_margin), at most this
    # many: each of them can claim it (a tie among more is a name too common to ask everyone about)
    min_name: float = 0.4  # weaker names are no candidates unless e-mail/ORCID say so
    year_slack: int = 1  # publishing lag accepted around an appointment (years)
    passes: int = 2  # passes adding co-author and supervisor evidence for the authors still in doubt
    weak_max_holders: int = 0  # an unlinked organ list (CNKI): auto without e-mail/ORCID/supervisor/co-author
    # evidence when at most this many people of the dictionary hold the name (0: never on the name alone)
    max_elsewhere: int = 3  # when people of the units named fit the name: at most this many namesakes
    # elsewhere stay candidates (they score dept_other; with thousands of people most common names are there)
    max_candidates: int = 400  # initials-only lookups with more people than this are not widened

    def as_json(self) -> dict:
        return asdict(self)
