"""ir's configuration, loaded and checked once, before any work: :func:`load` -> :class:`Config`.

    config = ir.settings.load()                                  # the environment and the file it names
    config = ir.settings.load(path="ir.toml", database_url=url)  # command-line flags override
    config.consolidate, config.attribute, config.tag, config.search, config.flows, config.report,
    config.harvest, config.oai

Two sources:

* the environment; each variable but the last two has a command-line twin (``ir --help``):

  | variable          | flag             | default                                                   |
  |-------------------|------------------|-----------------------------------------------------------|
  | IR_DATABASE_URL   | --database-url   | sqlite:///./var/ir.sqlite                                 |
  | IR_DICTIONARIES   | --dictionaries   | ./dictionaries                                            |
  | IR_SEARCH_URL     | --search-url     | unset: the embedded index (SQLite FTS5)                   |
  | IR_CONFIG         | --config         | unset: the built-in settings of every stage               |
  | IR_WEB_URL        |                  | http://127.0.0.1:8000: the web UI, linked from run summaries |
  | IR_TASK_RUNNER    |                  | overrides ``[flows] task_runner``                         |

* the settings file (TOML), one section per stage (:data:`SECTIONS`): ``[consolidate]``, ``[attribute]``,
  ``[tag]``, ``[search]``, ``[flows]``, ``[report]``, ``[harvest]``, ``[oai]``. Every key is optional; a
  missing file section means the stage's defaults, documented on its settings dataclass.

Every problem (a file that is not TOML, an unknown section or key, a value of the wrong type or out of
range, a bad environment variable) is a :class:`SettingsError` naming the file, line, section and key,
all problems of the file at once. The CLI, the web app and every flow load the configuration at their
start, so nothing is written under settings that would fail later. Stages receive their section
(``config.consolidate``), never a path; nothing reads the file again. Values given for one run on top
of a checked section (a flow's parameters, the demo's local API URLs) go through the same checks:
:func:`replace_section`.

The stages' settings dataclasses stay beside their stages (``ir.consolidate.settings`` ...); this module
collects them (:data:`SECTIONS`), checks the types their annotations declare (pydantic, strict) and the
ranges declared in :data:`CHECKS`.
"""

from __future__ import annotations

import dataclasses
import difflib
import importlib
import os
import re
import tomllib
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the stages' own modules; imported when a configuration is built
    from ir.attribute.settings import AttributeSettings
    from ir.consolidate.settings import ConsolidateSettings
    from ir.harvest.settings import HarvestSettings
    from ir.report.rules import Rules
    from ir.search import SearchSettings
    from ir.tagging.settings import TagSettings
    from ir.web.oai_settings import OaiSettings

DEFAULT_DATABASE_URL = "sqlite:///./var/ir.sqlite"
DEFAULT_WEB_URL = "http://127.0.0.1:8000"


# ------------------------------------------------------------------------------ errors

@dataclass(frozen=True)
class Problem:
    """One thing wrong with the configuration, and where."""

    source: str  # the settings file, or "environment"
    message: str
    section: str | None = None
    key: str | None = None
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.source}:{self.line}" if self.line else self.source
        what = " ".join(p for p in (f"[{self.section}]" if self.section else "", self.key or "") if p)
        if self.section and not self.key and self.message.startswith("unknown section"):
            what = f"[{self.section}]"
        return f"{where}: {what}: {self.message}" if what else f"{where}: {self.message}"


class SettingsError(ValueError):
    """The configuration cannot be used: every problem found, each naming its file, line, section and key."""

    def explain(self) -> str:
        """The problems for a person: one line, or a count and a line for each."""
        if len(self.problems) == 1:
            return f"settings: {self.problems[0]}"
        return (f"settings: {len(self.problems)} problems; nothing was done:\n"
                + "\n".join(f"  {p}" for p in self.problems))

    def __init__(self, problems: list[Problem] | str):
        self.problems = [Problem("settings", problems)] if isinstance(problems, str) else \
            sorted(problems, key=lambda p: (p.source != "environment", p.source, p.line or 0))
        super().__init__("\n".join(map(str, self.problems)))


# ------------------------------------------------------------------------------ checks declared as data

@dataclass(frozen=True)
class Range:
    """low <= value <= high (either bound optional); ``also`` lists special values allowed besides."""

    low: float | None = None
    high: float | None = None
    also: tuple = ()

    def __call__(self, value) -> str | None:
        if value in self.also or (self.low is None or value >= self.low) and (self.high is None or value <= self.high):
            return None
        bounds = (f"from {self.low:g} to {self.high:g}" if self.low is not None and self.high is not None
                  else f"at least {self.low:g}" if self.low is not None else f"at most {self.high:g}")
        also = f" (or {', '.join(map(str, self.also))})" if self.also else ""
        return f"{value!r} is out of range: must be {bounds}{also}"


@dataclass(frozen=True)
class OneOf:
    values: tuple
    why: str = ""  # said after the choices: what they are

    def __call__(self, value) -> str | None:
        items = value if isinstance(value, list | tuple) else [value]
        bad = [v for v in items if v not in self.values]
        why = f" ({self.why})" if self.why else ""
        return f"{bad[0]!r} is not one of {', '.join(map(repr, self.values))}{why}" if bad else None


@dataclass(frozen=True)
class Pattern:
    regex: str
    meaning: str

    def __call__(self, value) -> str | None:
        return None if re.fullmatch(self.regex, value) else f"{value!r}: must be {self.meaning}"


def _title_levels(levels: list) -> str | None:
    for level in levels:
        ok = (isinstance(level, list) and len(level) == 4 and isinstance(level[0], str)
              and all(isinstance(x, int | float) and not isinstance(x, bool) for x in level[1:])
              and 0 <= level[1] <= 100 and 0 <= level[2] <= 100)
        if not ok:
            return f"{level!r}: each level is [name, min ratio 0-100, min token-set ratio 0-100, points]"
    return None


def _field_precedence(value: dict) -> str | None:
    from ir.model import SOURCES

    for name, order in value.items():
        if not isinstance(order, list) or (msg := OneOf(SOURCES)(order)):
            return f"{name}: {msg or 'a list of sources'}"
    return None


def _sources(value) -> str | None:
    from ir.model import SOURCES

    return OneOf(SOURCES)(value)


def _api_sources(value) -> str | None:
    from ir.harvest.settings import API_SOURCES

    return OneOf(API_SOURCES)(value)


def _ror(value: str) -> str | None:
    from ir.harvest.settings import ROR_ID

    if not value.strip() or ROR_ID.fullmatch(value.strip()):
        return None
    return f"{value!r}: must be a ROR id (https://ror.org/0xxxxxx00, or its last part), or empty"


def _cron(value: str) -> str | None:
    """A cron expression as Prefect's scheduler reads it (five fields: minute hour day month weekday)."""
    from prefect.client.schemas.schedules import CronSchedule

    try:
        CronSchedule(cron=value)
    except ValueError:
        return f'{value!r} is not a cron schedule: five fields, minute hour day month weekday (e.g. "0 3 * * *")'
    return None


EMAIL = r"[^@\s]+@[^@\s]+\.[^@\s]+"
UNIT = Range(0, 1)
PERCENT = Range(0, 100)
COUNT = Range(0)
SOME = Range(1)
CORES = Range(1, also=(-1,))

#: The ranges and choices each section's values must respect (types come from the dataclasses' annotations).
CHECKS: dict[str, dict[str, Callable[[Any], str | None]]] = {
    "consolidate": {
        "min_cluster_consistency": UNIT, "consistency_slack": COUNT, "max_cluster_size": Range(2),
        "rival_margin": COUNT, "title_levels": _title_levels, "title_contained_coverage": UNIT,
        "title_contained_min_chars": COUNT, "title_contained_partial": PERCENT, "title_short_tokens": COUNT,
        "title_short_chars": COUNT, "title_long_tokens": COUNT, "year_tolerance": COUNT,
        "surname_similarity": UNIT, "max_block_size": Range(2), "window": Range(2), "workers": CORES,
        "processes": CORES, "pairs_per_process": SOME, "candidate_min_ratio": PERCENT,
        "candidate_min_token_set": PERCENT, "source_precedence": _sources, "field_precedence": _field_precedence,
    },
    "attribute": {
        "auto_margin": COUNT, "auto_min_name": UNIT, "max_suggested": SOME, "min_name": UNIT, "year_slack": COUNT,
        "passes": COUNT, "weak_max_holders": SOME, "max_elsewhere": COUNT, "max_candidates": SOME,
    },
    "tag": {"fuzzy_threshold": PERCENT},
    "search": {
        "index_alias": Pattern(r"[a-z0-9][a-z0-9_.-]*", "lower-case letters, digits, '-', '_' or '.' "
                                                         "(an Elasticsearch index name)"),
        "shards": SOME, "replicas": COUNT, "batch_size": Range(1, 100_000), "max_retries": Range(0, 20),
        "initial_backoff": Range(0.01, 60), "max_backoff": Range(0.01, 3600), "timeout": Range(0.1),
        "query_timeout": Range(0.1, 120), "query_retries": Range(0, 5), "facet_size": Range(1, 10_000),
    },
    "flows": {"task_runner": OneOf(("threads", "dask")), "dask_workers": SOME, "attribute_batch_size": SOME},
    "harvest": {
        "contact_email": Pattern(f"({EMAIL})?", "an e-mail address (or empty)"), "ror": _ror,
        "sources": _api_sources, "per_person": _api_sources,
        "enrich_sources": OneOf(("crossref", "openalex"), "the APIs asked by DOI; ORCID cannot be"),
        "rows": Range(1, 1000), "max_records": SOME, "max_enrich": COUNT, "max_people": COUNT,
        "requests_per_second": Range(0.01, 1000), "timeout_connect": Range(0.1, 600), "timeout_read": Range(0.1, 3600),
        "retries": Range(0, 20), "backoff_factor": Range(0, 600), "backoff_max": Range(0, 3600),
        "retry_after_max": COUNT, "page_attempts": Range(1, 20), "overlap_days": COUNT, "republish_days": COUNT,
        "retry_not_found_days": COUNT, "schedule_cron": _cron, "schedule_interval": COUNT,
    },
    "oai": {
        "repository_identifier": Pattern(r"[A-Za-z][A-Za-z0-9\-]*(\.[A-Za-z][A-Za-z0-9\-]*)+",
                                         "a domain name, as the oai-identifier scheme asks (e.g. "
                                         "repository.example.edu)"),
        "admin_email": Pattern(EMAIL, "an e-mail address"), "base_url": Pattern(r"(https?://\S+)?",
                                                                               "an http(s) URL (or empty)"),
        "page_size": Range(1, 10_000), "token_hours": Range(1, 24 * 365),
    },
}


# ------------------------------------------------------------------------------ the [flows] section

@dataclass(frozen=True)
class FlowSettings:
    """The [flows] section: where the CPU-heavy stages run their batches when run as Prefect flows."""

    task_runner: str = "threads"  # threads | dask (IR_TASK_RUNNER overrides)
    dask_address: str = ""  # an existing Dask scheduler ("tcp://host:8786"); empty: a local cluster
    dask_workers: int = 2  # workers of the local cluster (threads: the thread pool's size)
    dask_processes: bool = True  # local cluster of processes (False: threads, for tests)
    attribute_batch_size: int = 5000  # works per attribute task (one task per batch, never per work)


# ------------------------------------------------------------------------------ the sections

def _report_section(table: dict, file: Path | None, lines: dict) -> Rules:
    from ir.report.rules import Rules, RulesError, rules_from_section

    source = str(file) if file else "settings"
    known = {f.name for f in dataclasses.fields(Rules)} - {"text", "source"} | {"rules"}
    _unknown_keys("report", table, known, source, lines)
    try:
        return rules_from_section(table, base=file.parent if file else None, source=f"{source} [report]")
    except RulesError as exc:
        raise SettingsError([_problem(str(exc).removeprefix(f"{source} [report]: "), "report", table, source,
                                      lines)]) from None


@dataclass(frozen=True)
class Section:
    """A section of the settings file and the dataclass that holds it (``module:Class``, imported when used)."""

    name: str
    target: str  # "module:attribute"
    doc: str

    def cls(self):
        module, _, attr = self.target.partition(":")
        return getattr(importlib.import_module(module), attr)


SECTIONS: tuple[Section, ...] = (
    Section("consolidate", "ir.consolidate.settings:ConsolidateSettings", "matching thresholds and weights"),
    Section("attribute", "ir.attribute.settings:AttributeSettings", "evidence weights and decision thresholds"),
    Section("tag", "ir.tagging.settings:TagSettings", "journal list editions and matching"),
    Section("search", "ir.search:SearchSettings", "the index: alias, analyzers, batches, retries, timeouts"),
    Section("flows", "ir.settings:FlowSettings", "task runner of the Prefect flows"),
    Section("report", "ir.report.rules:Rules", "the counting rules of the annual extract (or rules = FILE)"),
    Section("harvest", "ir.harvest.settings:HarvestSettings", "the public APIs: contact, institution, bounds, "
                                                              "politeness, schedule"),
    Section("oai", "ir.web.oai_settings:OaiSettings", "how the OAI-PMH endpoint names the repository"),
)
SECTION_NAMES = tuple(s.name for s in SECTIONS)


# ------------------------------------------------------------------------------ the configuration

@dataclass(frozen=True)
class Config:
    """The whole configuration: where things are, and every stage's section, checked.

    Build it with :func:`load`. Constructed directly, the sections not given are read from
    ``config_file`` (checked the same way) or take their defaults.
    """

    database_url: str = DEFAULT_DATABASE_URL
    dictionaries: Path = Path("dictionaries")
    search_url: str | None = None
    config_file: Path | None = None  # where the sections were read from (for messages); never read again
    web_url: str = DEFAULT_WEB_URL
    consolidate: ConsolidateSettings = None  # type: ignore[assignment]
    attribute: AttributeSettings = None  # type: ignore[assignment]
    tag: TagSettings = None  # type: ignore[assignment]
    search: SearchSettings = None  # type: ignore[assignment]
    flows: FlowSettings = None  # type: ignore[assignment]
    report: Rules = None  # type: ignore[assignment]
    harvest: HarvestSettings = None  # type: ignore[assignment]
    oai: OaiSettings = None  # type: ignore[assignment]

    def __post_init__(self) -> None:
        object.__setattr__(self, "dictionaries", Path(self.dictionaries))
        object.__setattr__(self, "web_url", self.web_url.rstrip("/"))
        if self.config_file is not None:
            object.__setattr__(self, "config_file", Path(self.config_file))
        missing = [s.name for s in SECTIONS if getattr(self, s.name) is None]
        if missing:
            read = read_sections(self.config_file)
            for name in missing:
                object.__setattr__(self, name, read[name])

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Config:
        return load(env)

    def with_overrides(self, **values) -> Config:
        """A copy with the values given (None: unchanged); a new ``config_file`` is read and checked."""
        values = {k: v for k, v in values.items() if v is not None}
        if "config_file" in values and Path(values["config_file"]) != self.config_file:
            values.update({s.name: None for s in SECTIONS})
        return dataclasses.replace(self, **values)


def load(env: Mapping[str, str] | None = None, path: str | os.PathLike | None = None, **overrides) -> Config:
    """The configuration from ``env`` (default: the process environment), the settings file at ``path``
    (default: ``IR_CONFIG``) and ``overrides`` (command-line flags, flow parameters; None: not given).
    Raises :class:`SettingsError` with every problem found."""
    env = os.environ if env is None else env
    values: dict[str, Any] = {
        "database_url": env.get("IR_DATABASE_URL") or DEFAULT_DATABASE_URL,
        "dictionaries": Path(env.get("IR_DICTIONARIES") or "dictionaries"),
        "search_url": env.get("IR_SEARCH_URL") or None,
        "web_url": env.get("IR_WEB_URL") or DEFAULT_WEB_URL,
    }
    values.update({k: v for k, v in overrides.items() if v is not None and k != "config_file"})
    file = path or overrides.get("config_file") or env.get("IR_CONFIG") or None
    file = Path(file) if file else None
    problems = _check_environment(values, env)
    try:
        sections = read_sections(file, env)
    except SettingsError as exc:
        problems += exc.problems
    if problems:
        raise SettingsError(problems)
    return Config(**values, config_file=file, **sections)


def _check_environment(values: dict, env: Mapping[str, str]) -> list[Problem]:
    import sqlalchemy as sa

    problems = []
    try:
        sa.engine.make_url(values["database_url"])
    except Exception as exc:  # noqa: BLE001 - any parse failure is the same problem
        problems.append(Problem("environment", f"{values['database_url']!r} is not a database URL ({exc})",
                                key="IR_DATABASE_URL"))
    for key, name in (("search_url", "IR_SEARCH_URL"), ("web_url", "IR_WEB_URL")):
        if values.get(key) and not re.match(r"https?://[^/\s]+", values[key]):
            problems.append(Problem("environment", f"{values[key]!r} is not an http(s) URL", key=name))
    runner = (env.get("IR_TASK_RUNNER") or "").strip().lower()
    if runner and (msg := CHECKS["flows"]["task_runner"](runner)):
        problems.append(Problem("environment", msg, key="IR_TASK_RUNNER"))
    return problems


# ------------------------------------------------------------------------------ reading the file

def read_sections(file: Path | None, env: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Every section of the settings file, built and checked (defaults for the sections it lacks)."""
    source = str(file) if file else "settings"
    text = ""
    if file is not None:
        try:
            text = Path(file).read_text(encoding="utf-8")
        except FileNotFoundError:
            raise SettingsError([Problem(source, "settings file not found")]) from None
        except (OSError, UnicodeDecodeError) as exc:
            raise SettingsError([Problem(source, f"cannot read the settings file: {exc}")]) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"\(at line (\d+), column \d+\)", str(exc))
        raise SettingsError([Problem(source, f"not valid TOML: {exc}", line=int(m.group(1)) if m else None)]) from None
    lines = key_lines(text)
    problems: list[Problem] = []
    for name in data:
        if name not in SECTION_NAMES:
            problems.append(Problem(source, f"unknown section{_did_you_mean(name, SECTION_NAMES)}; sections: "
                                            f"{', '.join(SECTION_NAMES)}", name, None, lines.get((name,))))
    out: dict[str, Any] = {}
    for sec in SECTIONS:
        table = data.get(sec.name, {})
        if not isinstance(table, dict):
            problems.append(Problem(source, "must be a section ([name] and keys below it), not a value",
                                    sec.name, None, lines.get((sec.name,))))
            continue
        runner = (env or {}).get("IR_TASK_RUNNER", "").strip().lower()
        if sec.name == "flows" and runner and not CHECKS["flows"]["task_runner"](runner):  # a bad one: see load
            table = {**table, "task_runner": runner}
        try:
            out[sec.name] = (_report_section(table, file, lines) if sec.name == "report"
                             else build_section(sec.cls(), sec.name, table, source, lines))
        except SettingsError as exc:
            problems += exc.problems
    if problems:
        raise SettingsError(problems)
    return out


def build_section(cls: type, name: str, table: Mapping[str, Any], source: str = "settings",
                  lines: Mapping[tuple, int] | None = None):
    """``cls`` (a dataclass) from the keys of section ``name``: unknown keys, types (the annotations,
    strictly: no "5" for 5, no 1 for true; a TOML array where a tuple is declared) and the ranges of
    :data:`CHECKS` checked."""
    lines = lines or {}
    values = _checked(cls, name, table, source, lines)
    return _construct(lambda: cls(**values), name, table, source, lines)


def replace_section(current, name: str, values: Mapping[str, Any], source: str = "overrides"):
    """``current`` (a checked section) with ``values`` on top, checked as the settings file is (for the
    values given for one run: a flow's parameters, the demo's local API URLs). ``source`` names where
    they came from in the problems."""
    checked = _checked(type(current), name, values, source, {})
    return _construct(lambda: dataclasses.replace(current, **checked), name, values, source, {})


def _checked(cls: type, name: str, table: Mapping[str, Any], source: str, lines: Mapping[tuple, int]) -> dict:
    """The values of ``table`` that pass: known keys, their declared types and :data:`CHECKS`; else
    :class:`SettingsError` with every problem."""
    from pydantic import TypeAdapter, ValidationError

    known = [f.name for f in dataclasses.fields(cls) if f.init]
    problems = _unknown_keys(name, table, known, source, lines, raise_=False)
    hints = typing.get_type_hints(cls)
    values = {}
    for key, value in table.items():
        if key not in known:
            continue
        where = dict(source=source, section=name, key=key, line=lines.get((name, key)))
        hint = hints[key]
        if typing.get_origin(hint) is tuple and isinstance(value, list):
            value = tuple(value)  # TOML has arrays, not tuples: the elements are still checked strictly
        try:
            value = TypeAdapter(hint).validate_python(value, strict=True)
        except ValidationError as exc:
            err = exc.errors()[0]
            inner = "".join(f"[{p!r}]" for p in err["loc"])
            message = (f"{_shown(value)}: at {inner}: {err['msg'].lower()}" if inner
                       else f"{_shown(value)} is not {_type_name(hint)}")
            problems.append(Problem(message=message, **where))
            continue
        check = CHECKS.get(name, {}).get(key)
        if check and (msg := check(value)):
            problems.append(Problem(message=msg, **where))
            continue
        values[key] = value
    if problems:
        raise SettingsError(problems)
    return values


def _shown(value):
    """A value as the person wrote it (a TOML array, not the tuple it was turned into)."""
    return repr(list(value)) if isinstance(value, tuple) else repr(value)


def _construct(make: Callable, name: str, table: Mapping, source: str, lines: Mapping):
    try:
        return make()
    except (TypeError, ValueError) as exc:  # the dataclass's own checks (__post_init__)
        message = exc.problems[0].message if isinstance(exc, SettingsError) else str(exc)
        raise SettingsError([_problem(re.sub(r"^\[\w+\] ", "", message), name, table, source, lines)]) from None


def _problem(message: str, section: str, table: Mapping, source: str, lines: Mapping) -> Problem:
    """A problem a section's own checks raised as text: the key it names (the longest that occurs) gives the line."""
    key = next((k for k in sorted(table, key=len, reverse=True) if k in message), None)
    if key:
        message = re.sub(rf"^{re.escape(key)}(?: = |: )", "", message)
    return Problem(source, message, section, key, lines.get((section, key)))


def _unknown_keys(name: str, table: Mapping, known, source: str, lines: Mapping, raise_: bool = True) -> list[Problem]:
    problems = [Problem(source, f"unknown key{_did_you_mean(key, known) or _known(known)}", name, key,
                        lines.get((name, key)))
                for key in table if key not in known]
    if problems and raise_:
        raise SettingsError(problems)
    return problems


def _known(known) -> str:
    known = sorted(known)
    return f"; known keys: {', '.join(known)}" if len(known) <= 12 else \
        f"; known keys: {', '.join(known[:12])} ... (`ir settings` lists them all)"


def _did_you_mean(word: str, choices) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.75)
    return f" (did you mean {close[0]}?)" if close else ""


def _type_name(hint) -> str:
    names = {float: "a number", int: "a whole number", bool: "true or false", str: "a string (in quotes)"}
    if hint in names:
        return names[hint]
    origin = typing.get_origin(hint)
    if origin is list or origin is tuple:
        return "a list"
    if origin is dict:
        return "a table"
    return str(hint).replace("typing.", "")


_HEADER = re.compile(r"\s*\[\s*([A-Za-z0-9_-]+(?:\s*\.\s*[A-Za-z0-9_-]+)*)\s*\]\s*(?:#.*)?$")
_KEY = re.compile(r"\s*([A-Za-z0-9_-]+|\"[^\"]*\")((?:\s*\.\s*[A-Za-z0-9_-]+)*)\s*=")


def key_lines(text: str) -> dict[tuple, int]:
    """Where each section (``(name,)``) and key (``(section, key)``) of a TOML text is: its 1-based line.
    tomllib gives values without positions; this scan of headers and ``key =`` lines (outside
    multi-line arrays and strings) gives them back for messages."""
    out: dict[tuple, int] = {}
    section: str | None = None
    depth = 0  # open brackets and braces of a value spanning lines
    in_string = None  # an open multi-line string's quotes
    for no, line in enumerate(text.splitlines(), 1):
        if in_string:
            if in_string in line:
                in_string = None
            continue
        if depth == 0:
            if m := _HEADER.match(line):
                section = re.sub(r"\s+", "", m.group(1)).split(".")[0]
                out.setdefault((section,), no)
                continue
            if m := _KEY.match(line):
                key = m.group(1).strip('"')
                dotted = [p.strip() for p in m.group(2).split(".") if p.strip()]
                if section is None and dotted:  # search.batch_size = 10 at the top
                    out.setdefault((key,), no)
                    out.setdefault((key, dotted[0]), no)
                elif section is not None:
                    out.setdefault((section, key), no)
                else:
                    out.setdefault((key,), no)
                line = line[m.end():]
        depth, in_string = _scan_value(line, depth)
    return out


def _scan_value(text: str, depth: int) -> tuple[int, str | None]:
    """Bracket depth after ``text`` (strings and comments skipped), and an unclosed multi-line quote."""
    i = 0
    while i < len(text):
        c = text[i]
        if c == "#":
            break
        if c in "\"'":
            triple = text[i:i + 3]
            if triple in ('"""', "'''"):
                end = text.find(triple, i + 3)
                if end < 0:
                    return depth, triple
                i = end + 3
                continue
            end = i + 1
            while end < len(text) and text[end] != c:
                end += 2 if c == '"' and text[end] == "\\" else 1
            i = end + 1
            continue
        if c in "[{":
            depth += 1
        elif c in "]}":
            depth = max(0, depth - 1)
        i += 1
    return depth, None


__all__ = ["CHECKS", "Config", "DEFAULT_DATABASE_URL", "DEFAULT_WEB_URL", "FlowSettings", "Problem", "SECTIONS",
           "SettingsError", "build_section", "key_lines", "load", "read_sections", "replace_section"]
