"""The configuration, loaded and checked once (ir.settings): every mistake in a settings file is one clear
problem naming the file, line, section and key; the command line stops before writing anything."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
import textwrap

import pytest

from ir.settings import CHECKS, SECTIONS, Config, FlowSettings, SettingsError, key_lines, load, replace_section

# (settings file, line, section, key, what the message says)
BAD_FILES = [
    ("[search]\nbatch_sise = 10\n", 2, "search", "batch_sise", "unknown key (did you mean batch_size?)"),
    ("[consolidate]\nmatch_treshold = 4.0\n", 2, "consolidate", "match_treshold", "did you mean match_threshold?"),
    ("[attribute]\nzzz = 1\n", 2, "attribute", "zzz", "unknown key; known keys: "),
    ("[serach]\nbatch_size = 10\n", 1, "serach", None, "unknown section (did you mean search?)"),
    ("search = 5\n", 1, "search", None, "must be a section"),
    ('[consolidate]\nmatch_threshold = "high"\n', 2, "consolidate", "match_threshold", "'high' is not a number"),
    ("[search]\nshards = true\n", 2, "search", "shards", "True is not a whole number"),
    ("[attribute]\npasses = 1.5\n", 2, "attribute", "passes", "1.5 is not a whole number"),
    ("[tag]\nesi_from_categories = 1\n", 2, "tag", "esi_from_categories", "1 is not true or false"),
    ("[search]\nindex_alias = 5\n", 2, "search", "index_alias", "5 is not a string"),
    ("[tag]\nindex_lists = { cscd = 5 }\n", 2, "tag", "index_lists", "at ['cscd']: input should be a valid string"),
    ("[search]\nbatch_size = 0\n", 2, "search", "batch_size", "0 is out of range: must be from 1 to 100000"),
    ("[search]\ntimeout = -1.0\n", 2, "search", "timeout", "out of range: must be at least 0.1"),
    ("[search]\nindex_alias = \"IR Works\"\n", 2, "search", "index_alias", "must be lower-case letters"),
    ("[consolidate]\nmin_cluster_consistency = 1.5\n", 2, "consolidate", "min_cluster_consistency",
     "1.5 is out of range: must be from 0 to 1"),
    ("[consolidate]\nworkers = 0\n", 2, "consolidate", "workers", "must be at least 1 (or -1)"),
    ('[consolidate]\nsource_precedence = ["wos", "webofscience"]\n', 2, "consolidate", "source_precedence",
     "'webofscience' is not one of"),
    ('[consolidate]\nfield_precedence = { abstract = ["wos", "x"] }\n', 2, "consolidate", "field_precedence",
     "abstract: 'x' is not one of"),
    ('[consolidate]\ntitle_levels = [["exact", 100, 0]]\n', 2, "consolidate", "title_levels",
     "each level is [name, min ratio 0-100, min token-set ratio 0-100, points]"),
    ("[attribute]\nmax_suggested = 0\n", 2, "attribute", "max_suggested", "out of range"),
    ("[tag]\nfuzzy_threshold = 101\n", 2, "tag", "fuzzy_threshold", "must be from 0 to 100"),
    ('[tag]\nedition_rule = "bogus"\n', 2, "tag", "edition_rule", "unknown edition rule 'bogus'"),
    ('[flows]\ntask_runner = "ray"\n', 2, "flows", "task_runner", "'ray' is not one of 'threads', 'dask'"),
    ("[flows]\ndask_workers = 0\n", 2, "flows", "dask_workers", "out of range"),
    ('[report]\nunit = "school"\n', 2, "report", "unit", "'school' is not one of 'department', 'person'"),
    ('[report]\ncolour = "red"\n', 2, "report", "colour", "unknown key"),
    ("[report]\nchart_years = 50\n", 2, "report", "chart_years", "from 1 to 20"),
    ('[report]\nrules = "office-rules.toml"\n', 2, "report", "rules", "office-rules.toml: rules file not found"),
    # [harvest]: TOML arrays where tuples are declared, each element checked; the APIs' etiquette and bounds
    ('[harvest]\nsources = ["crossref", "scopus"]\n', 2, "harvest", "sources",
     "'scopus' is not one of 'crossref', 'openalex', 'orcid'"),
    ('[harvest]\nper_person = "orcid"\n', 2, "harvest", "per_person", "'orcid' is not a list"),
    ('[harvest]\nsources = ["crossref", 5]\n', 2, "harvest", "sources",
     "['crossref', 5]: at [1]: input should be a valid string"),
    ('[harvest]\nenrich_sources = ["crossref", "orcid"]\n', 2, "harvest", "enrich_sources",
     "'orcid' is not one of 'crossref', 'openalex' (the APIs asked by DOI; ORCID cannot be)"),
    ('[harvest]\nror = "Example University"\n', 2, "harvest", "ror", "must be a ROR id"),
    ('[harvest]\ncontact_email = "library"\n', 2, "harvest", "contact_email", "'library': must be an e-mail address"),
    ("[harvest]\nrows = 0\n", 2, "harvest", "rows", "0 is out of range: must be from 1 to 1000"),
    ("[harvest]\nrequests_per_second = 0\n", 2, "harvest", "requests_per_second", "must be from 0.01 to 1000"),
    ('[harvest]\nmax_records = "lots"\n', 2, "harvest", "max_records", "'lots' is not a whole number"),
    ("[harvest]\nretries = -1\n", 2, "harvest", "retries", "-1 is out of range: must be from 0 to 20"),
    ('[harvest]\nschedule_cron = "every night"\n', 2, "harvest", "schedule_cron", "is not a cron schedule"),
    ("[harvest]\nschedule_interval = -5\n", 2, "harvest", "schedule_interval", "must be at least 0"),
    ("[harvest]\nrate = 3\n", 2, "harvest", "rate", "unknown key; known keys: "),
    # [oai]: how the repository names itself to harvesters
    ('[oai]\nrepository_identifier = "not a domain"\n', 2, "oai", "repository_identifier", "must be a domain name"),
    ('[oai]\nadmin_email = "nobody"\n', 2, "oai", "admin_email", "'nobody': must be an e-mail address"),
    ('[oai]\nbase_url = "repo.example.edu/oai"\n', 2, "oai", "base_url", "must be an http(s) URL"),
    ("[oai]\npage_size = 0\n", 2, "oai", "page_size", "0 is out of range: must be from 1 to 10000"),
    ("[oai]\ntoken_hours = 0\n", 2, "oai", "token_hours", "out of range"),
    ("[oai]\npagesize = 10\n", 2, "oai", "pagesize", "unknown key (did you mean page_size?)"),
    # where the line comes from: dotted keys, keys after multi-line values, comments and strings with brackets
    ("search.batch_sise = 3\n", 1, "search", "batch_sise", "did you mean batch_size?"),
    ("# [tag]\n[consolidate]\ntitle_levels = [\n  [\"exact\", 100, 0, 6.0],\n  [\"near\", 95, 0, 5.0]\n]\nwindow = 1\n",
     7, "consolidate", "window", "1 is out of range: must be at least 2"),
    ('[search]\nanalyzer_en = """\n[tag]\n"""\nshards = 0\n', 5, "search", "shards", "out of range"),
    ("[search]  # the index\n  batch_size = 0 # none\n", 2, "search", "batch_size", "out of range"),
    ("[search\nbatch_size = 1\n", 1, None, None, "not valid TOML"),
]


@pytest.mark.parametrize("text, line, section, key, message", BAD_FILES,
                         ids=[f"{i}:{c[3] or c[2] or c[4][:20]}" for i, c in enumerate(BAD_FILES)])
def test_a_bad_settings_file_is_one_problem_naming_file_line_section_and_key(tmp_path, text, line, section, key,
                                                                          message):
    path = tmp_path / "ir.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SettingsError) as exc:
        load({}, path)
    [problem] = exc.value.problems
    assert (problem.source, problem.line, problem.section, problem.key) == (str(path), line, section, key)
    assert message in problem.message
    shown = str(exc.value)
    assert shown.startswith(f"{path}:{line}: " if line else f"{path}: ") and message in shown
    if section and key:
        assert f"[{section}] {key}: " in shown


BAD_ENVIRONMENT = [
    ({"IR_TASK_RUNNER": "ray"}, "IR_TASK_RUNNER", "'ray' is not one of 'threads', 'dask'"),
    ({"IR_DATABASE_URL": "not a url"}, "IR_DATABASE_URL", "is not a database URL"),
    ({"IR_SEARCH_URL": "localhost:9200"}, "IR_SEARCH_URL", "is not an http(s) URL"),
    ({"IR_WEB_URL": "repository"}, "IR_WEB_URL", "is not an http(s) URL"),
]


@pytest.mark.parametrize("env, key, message", BAD_ENVIRONMENT, ids=[c[1] for c in BAD_ENVIRONMENT])
def test_a_bad_environment_variable_is_named(env, key, message):
    with pytest.raises(SettingsError) as exc:
        load(env)
    [problem] = exc.value.problems
    assert (problem.source, problem.key) == ("environment", key) and message in problem.message


def test_every_problem_of_a_file_is_reported_at_once_in_line_order(tmp_path):
    path = tmp_path / "ir.toml"
    path.write_text('[tag]\nedition_rule = "x"\n[search]\nbatch_sise = 1\nshards = 0\n', encoding="utf-8")
    with pytest.raises(SettingsError) as exc:
        load({"IR_TASK_RUNNER": "ray"}, path)
    assert [(p.line, p.key) for p in exc.value.problems] == [(None, "IR_TASK_RUNNER"), (2, "edition_rule"),
                                                             (4, "batch_sise"), (5, "shards")]
    assert exc.value.explain().startswith("settings: 4 problems; nothing was done:\n  environment: IR_TASK_RUNNER")


def test_a_missing_settings_file_is_an_error():
    with pytest.raises(SettingsError, match="nope.toml: settings file not found"):
        load({"IR_CONFIG": "nope.toml"})


def test_a_good_file_gives_one_typed_object_with_every_section(tmp_path):
    path = tmp_path / "ir.toml"
    path.write_text(textwrap.dedent("""
        [consolidate]
        match_threshold = 6          # an int where a number is expected is fine
        source_precedence = ["cnki", "wos"]
        [attribute]
        auto_min = 7.5
        [tag]
        edition_rules = { institution = "latest" }
        [search]
        index_alias = "ir-test"
        replicas = 0
        [flows]
        dask_workers = 4
        [report]
        unit = "person"
        [harvest]
        sources = ["crossref", "openalex"]   # TOML arrays where the section declares tuples
        per_person = []
        ror = "0abcde012"
        [oai]
        repository_identifier = "repository.example.edu"
    """), encoding="utf-8")
    cfg = load({"IR_DATABASE_URL": "sqlite:///x.sqlite", "IR_WEB_URL": "https://ir.example.edu"}, path,
               dictionaries="dicts")
    assert cfg.database_url == "sqlite:///x.sqlite" and str(cfg.dictionaries) == "dicts"
    assert cfg.web_url == "https://ir.example.edu" and cfg.config_file == path
    assert cfg.consolidate.match_threshold == 6.0 and isinstance(cfg.consolidate.match_threshold, float)
    assert cfg.consolidate.source_precedence == ["cnki", "wos"] and cfg.attribute.auto_min == 7.5
    assert cfg.tag.edition_rules == {"institution": "latest"} and cfg.search.index_alias == "ir-test"
    assert cfg.flows == FlowSettings(dask_workers=4) and cfg.report.unit == "person"
    assert cfg.harvest.sources == ("crossref", "openalex") and cfg.harvest.per_person == ()
    assert cfg.harvest.ror_url == "https://ror.org/0abcde012" and cfg.oai.repository_identifier == "repository.example.edu"
    # built directly, a Config reads the same file the same way; a new file replaces every section
    assert Config(database_url="sqlite:///x.sqlite", config_file=path).consolidate == cfg.consolidate
    other = tmp_path / "other.toml"
    other.write_text("[search]\nreplicas = 2\n", encoding="utf-8")
    again = cfg.with_overrides(config_file=other)
    assert again.search.replicas == 2 and again.search.index_alias == "ir-works" and again.report.unit == "department"
    assert load({}).consolidate == SECTIONS[0].cls()()  # no file: every stage's defaults


# values given for one run on top of a checked section (a flow's parameters, a command's options)
BAD_OVERRIDES = [
    ("harvest", {"ror": "nope"}, "ror", "must be a ROR id"),
    ("harvest", {"per_person": ["orcid", "wos"]}, "per_person", "'wos' is not one of"),
    ("harvest", {"rows": "10"}, "rows", "'10' is not a whole number"),
    ("harvest", {"crossref": "http://127.0.0.1:9"}, "crossref", "unknown key (did you mean crossref_url?)"),
    ("oai", {"page_size": -1}, "page_size", "out of range"),
]


@pytest.mark.parametrize("section, values, key, message", BAD_OVERRIDES, ids=[c[2] for c in BAD_OVERRIDES])
def test_values_for_one_run_are_checked_as_the_file_is(section, values, key, message):
    current = getattr(load({}), section)
    with pytest.raises(SettingsError) as exc:
        replace_section(current, section, values, source="the flow's overrides")
    [problem] = exc.value.problems
    assert (problem.source, problem.section, problem.key) == ("the flow's overrides", section, key)
    assert message in problem.message and str(problem).startswith(f"the flow's overrides: [{section}] {key}: ")


def test_values_for_one_run_go_on_top_of_the_file(tmp_path):
    path = tmp_path / "ir.toml"
    path.write_text('[harvest]\nror = "0abcde012"\nrows = 50\n', encoding="utf-8")
    hs = load({}, path).harvest
    local = replace_section(hs, "harvest", {"crossref_url": "http://127.0.0.1:8765/crossref", "per_person": ["orcid"]})
    assert (local.crossref_url, local.per_person, local.rows, local.ror) == (
        "http://127.0.0.1:8765/crossref", ("orcid",), 50, "0abcde012")
    assert hs.crossref_url == "https://api.crossref.org"  # the checked section itself is unchanged


def test_the_declared_checks_name_real_keys():
    for section in SECTIONS:
        if section.name in CHECKS:
            fields = {f.name for f in dataclasses.fields(section.cls())}
            assert set(CHECKS[section.name]) <= fields, section.name


def test_key_lines_finds_sections_and_keys():
    text = '[a]\nx = 1\ny = [\n  1,\n  2,\n]\n"z" = 3\n[b.c]\nw = """\nq = 1\n"""\nv = 2\n'
    assert key_lines(text) == {("a",): 1, ("a", "x"): 2, ("a", "y"): 3, ("a", "z"): 7, ("b",): 8,
                               ("b", "w"): 9, ("b", "v"): 12}


def ir(*args, cwd, env=None):
    full = {k: v for k, v in os.environ.items() if not k.startswith("IR_")}
    full.update(env or {})
    return subprocess.run([sys.executable, "-m", "ir.cli", *args], cwd=cwd, env=full, capture_output=True,
                          text=True, timeout=300)


@pytest.mark.parametrize("command", [["run"], ["ingest"], ["consolidate"], ["serve"]])
def test_the_command_line_stops_before_writing_anything(tmp_path, samples, command):
    (tmp_path / "ir.toml").write_text("[search]\nbatch_sise = 10\n", encoding="utf-8")
    paths = [str(samples / "wos_plain" / "mrhelper-demo_wos_202101.txt")] if command[0] in ("run", "ingest") else []
    proc = ir("--config", "ir.toml", *command, *paths, cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.strip() == ("error: settings: ir.toml:2: [search] batch_sise: unknown key "
                                   "(did you mean batch_size?)")
    assert not (tmp_path / "var").exists()  # no database, nothing at all


def test_help_still_shows_with_a_bad_settings_file(tmp_path):
    (tmp_path / "ir.toml").write_text("[search]\nbatch_sise = 10\n", encoding="utf-8")
    proc = ir("--config", "ir.toml", "run", "--help", cwd=tmp_path)
    assert proc.returncode == 0 and "Ingest the exports" in proc.stdout


def test_ir_settings_shows_the_configuration_in_force(tmp_path):
    (tmp_path / "ir.toml").write_text('[consolidate]\nmatch_threshold = 6\n[report]\nunit = "person"\n'
                                      '[harvest]\norcid_token = "s3cr3t-0rc1d"\nsources = ["orcid"]\n', encoding="utf-8")
    proc = ir("--config", "ir.toml", "settings", "--json", cwd=tmp_path,
              env={"IR_DATABASE_URL": "postgresql+psycopg://ir:secret@db.example.edu/ir"})
    assert proc.returncode == 0, proc.stderr
    rows = {(r["section"], r["key"]): r for r in __import__("json").loads(proc.stdout)}
    assert rows[("consolidate", "match_threshold")] == {"section": "consolidate", "key": "match_threshold",
                                                        "value": "6.0", "set": "changed"}
    assert rows[("report", "unit")]["set"] == "changed" and rows[("search", "batch_size")]["set"] == ""
    assert rows[("", "database_url")]["value"] == "postgresql+psycopg://ir:***@db.example.edu/ir"
    assert rows[("harvest", "orcid_token")] == {"section": "harvest", "key": "orcid_token", "value": '"***"',
                                                "set": "changed"} and "s3cr3t" not in proc.stdout
    assert rows[("harvest", "sources")]["value"] == '["orcid"]' and rows[("oai", "page_size")]["value"] == "100"
