"""Counting rules of the annual extract: a dataclass read from a readable TOML file.

The rules file (:data:`DEFAULT_RULES`, ``ir/report/default_rules.toml``) explains each rule in its
comments and is printed on the extract's cover sheet exactly as written. :func:`load_rules` reads a file
(unknown keys and bad values are errors naming the file and key); the pipeline settings file may carry
the same keys in a ``[report]`` section (:func:`rules_from_settings`).
"""

from __future__ import annotations

import hashlib
import tomllib
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

DEFAULT_RULES = Path(__file__).with_name("default_rules.toml")

LINK_BASES = ("claimed", "confirmed", "auto", "suggested")
UNITS = ("department", "person")
FIRST_AUTHOR = ("first-only", "co-first")
CORRESPONDING = ("marked", "marked-or-first")
EDITIONS = ("as-tagged", "publication-year", "latest")
YEAR_BASES = ("publication", "first-online")
INSTITUTION_RANKS = ("any", "first-unit", "first-author", "first-or-corresponding")
KNOWN_LISTS = ("jcr", "cas", "esi", "cssci", "pku_core", "cscd", "institution")


class RulesError(ValueError):
    pass


@dataclass(frozen=True)
class Rules:
    count_statuses: tuple[str, ...] = ("claimed", "confirmed")
    unit: str = "department"
    first_author: str = "first-only"
    corresponding: str = "marked"
    edition: str | int = "as-tagged"
    year_basis: str = "publication"
    institution_rank: str = "any"
    doc_types: tuple[str, ...] = ()
    exclude_doc_types: tuple[str, ...] = ("correction", "erratum", "retraction", "retracted publication",
                                          "editorial material")
    lists: tuple[str, ...] = KNOWN_LISTS
    indexes: tuple[str, ...] = ("SCIE", "SSCI", "AHCI", "ESCI", "CPCI-S", "CPCI-SSH", "EI", "CSCD", "CSSCI", "PKU")
    department_level: int = 1
    chart_list: str = "institution"
    chart_years: int = 5
    text: str = field(default="", compare=False, repr=False)  # the TOML as read (printed on the cover)
    source: str = field(default="", compare=False, repr=False)  # where it was read from

    def __post_init__(self) -> None:
        where = self.source or "rules"

        def bad(key: str, value, known) -> RulesError:
            return RulesError(f"{where}: {key} = {value!r} is not one of {', '.join(map(repr, known))}")

        for key in ("count_statuses", "doc_types", "exclude_doc_types", "lists", "indexes"):
            value = getattr(self, key)
            if isinstance(value, str) or not all(isinstance(v, str) for v in value):
                raise RulesError(f"{where}: {key} must be a list of strings, not {value!r}")
            object.__setattr__(self, key, tuple(value))
        if not self.count_statuses:
            raise RulesError(f"{where}: count_statuses is empty: nothing would count")
        for s in self.count_statuses:
            if s not in LINK_BASES:
                raise bad("count_statuses", s, LINK_BASES)
        for key, known in (("unit", UNITS), ("first_author", FIRST_AUTHOR), ("corresponding", CORRESPONDING),
                           ("year_basis", YEAR_BASES), ("institution_rank", INSTITUTION_RANKS)):
            if getattr(self, key) not in known:
                raise bad(key, getattr(self, key), known)
        if isinstance(self.edition, bool) or not (self.edition in EDITIONS or isinstance(self.edition, int)):
            raise RulesError(f"{where}: edition = {self.edition!r} must be one of "
                             f"{', '.join(map(repr, EDITIONS))} or an edition year")
        if not isinstance(self.department_level, int) or self.department_level < 1:
            raise RulesError(f"{where}: department_level must be a whole number of 1 or more")
        if not isinstance(self.chart_years, int) or not 1 <= self.chart_years <= 20:
            raise RulesError(f"{where}: chart_years must be a whole number from 1 to 20")
        if self.chart_list not in self.lists:
            raise RulesError(f"{where}: chart_list = {self.chart_list!r} must be one of lists ({', '.join(self.lists)})")
        object.__setattr__(self, "doc_types", tuple(t.casefold() for t in self.doc_types))
        object.__setattr__(self, "exclude_doc_types", tuple(t.casefold() for t in self.exclude_doc_types))
        if not self.text:
            object.__setattr__(self, "text", self.to_toml())

    # ------------------------------------------------------------------ reading and writing

    @classmethod
    def from_dict(cls, data: dict, *, text: str = "", source: str = "") -> Rules:
        known = {f.name for f in fields(cls)} - {"text", "source"}
        unknown = sorted(set(data) - known)
        if unknown:
            raise RulesError(f"{source or 'rules'}: unknown key(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}")
        return cls(**data, text=text, source=source)

    @classmethod
    def from_text(cls, text: str, source: str = "") -> Rules:
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise RulesError(f"{source or 'rules'}: {exc}") from None
        return cls.from_dict(data, text=text, source=source)

    def to_toml(self) -> str:
        """The rules as TOML (for rules built in code; a file's rules keep their own text)."""
        def val(v) -> str:
            if isinstance(v, (tuple, list)):
                return "[" + ", ".join(val(x) for x in v) + "]"
            if isinstance(v, str):
                return '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'
            return str(v)
        return "".join(f"{k} = {val(v)}\n" for k, v in self.as_dict().items())

    def as_dict(self) -> dict:
        return {k: (list(v) if isinstance(v, tuple) else v) for k, v in asdict(self).items()
                if k not in ("text", "source")}

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()

    # ------------------------------------------------------------------ in words (the cover sheet)

    def explain(self) -> list[str]:
        statuses = {"claimed": "claimed by the person (or by a librarian on their behalf)",
                    "confirmed": "confirmed or reassigned by a librarian",
                    "auto": "linked automatically by the pipeline, not yet reviewed",
                    "suggested": "only suggested by the pipeline"}
        edition = {"as-tagged": "the editions chosen by the tag stage (as in the export and the search index)",
                   "publication-year": "the edition of the publication year, else the nearest earlier one",
                   "latest": "the latest edition of every list"}.get(self.edition, f"the {self.edition} edition of every list")
        return [
            "An authorship counts when its link to one of our people is: "
            + "; ".join(statuses[s] for s in self.count_statuses) + ".",
            "A work counts when at least one of its authorships counts, and its document type "
            + (f"is one of {', '.join(self.doc_types)}" if self.doc_types else "is any type")
            + (f" except {', '.join(self.exclude_doc_types)}." if self.exclude_doc_types else "."),
            "Department summary: a work counts " + ("once per department, however many of its authors belong to it."
                                                    if self.unit == "department" else
                                                    "once per author of the department (two authors: two).")
            + " The institution row counts every work once; the person sheet counts it once per person.",
            "First author: " + ("the author in first position only." if self.first_author == "first-only" else
                                "the first author and the authors the data marks as co-first."),
            "Corresponding author: " + ("the authors the source marks as corresponding." if self.corresponding == "marked"
                                        else "the authors marked as corresponding; when a work marks none, its first author."),
            f"Tiers (JCR, CAS, ESI, CSSCI, PKU core, CSCD, institution): {edition}.",
            "The institution's rank on a work: " + {
                "any": "any; a work counts wherever the institution stands among its units.",
                "first-unit": "the institution must be the work's first unit (以我校为第一署名单位): "
                              "the first address printed is ours.",
                "first-author": "the first author's first address must be ours (第一作者单位).",
                "first-or-corresponding": "the first author's or a corresponding author's first address must "
                                          "be ours (第一作者或通讯作者单位)."}[self.institution_rank],
            "A work belongs to its " + ("publication year." if self.year_basis == "publication" else
                                        "early-access (online first) year when earlier than its publication year."),
            f"Departments: organisation units at level {self.department_level} under the institution; "
            "authors of deeper units count for the unit above them.",
            f"Chart: works per department per {self.chart_list} tier over {self.chart_years} years.",
        ]


def load_rules(path: Path | str | None = None) -> Rules:
    """The rules of a TOML file; the shipped defaults when ``path`` is None."""
    path = Path(path) if path else DEFAULT_RULES
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise RulesError(f"{path}: rules file not found") from None
    return Rules.from_text(text, source=str(path) if path != DEFAULT_RULES else "default_rules.toml")


def rules_from_settings(config_file: Path | None) -> Rules:
    """The ``[report]`` section of the pipeline settings file (see :func:`rules_from_section`). The
    pipeline reads it once, with the rest of the configuration (``ir.settings.load``: ``config.report``)."""
    from ir.settings import read_sections

    return read_sections(Path(config_file) if config_file else None)["report"]


def rules_from_section(section: dict, base: Path | None = None, source: str = "settings [report]") -> Rules:
    """The rules of a ``[report]`` section: ``rules = "FILE"`` names a rules file (relative to ``base``,
    the settings file's folder); other keys are rules themselves. An empty section: the shipped defaults."""
    section = dict(section)
    if not section:
        return load_rules()
    if "rules" in section:
        path = section.pop("rules")
        if not isinstance(path, str):
            raise RulesError(f"{source}: rules: {path!r} must be the path of a rules file (a string)")
        path = Path(path)
        if section:
            raise RulesError(f"{source}: rules: takes either rules = FILE or the rules themselves, not both")
        if not path.is_absolute() and base:
            path = Path(base) / path
        return load_rules(path)
    return Rules.from_dict(section, source=source)
