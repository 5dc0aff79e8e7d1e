"""Runs that overlap, as a cron job and a librarian will start them: two ``ir run`` processes on one
database at the same time, on SQLite and on PostgreSQL, from a new (empty) database. Migrations are
serialised, the second run waits for the first (saying for whom), and the result is the export the same
files give run one after the other. Two ``ir ingest`` of one file at once store it once."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid

import pytest
import sqlalchemy as sa

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    from ir.demo import generate

    folder = tmp_path_factory.mktemp("demo")
    generate(folder, works=80, people=80, seed=7)
    files = sorted(p for p in (folder / "exports").rglob("*") if p.is_file())
    first = [p for p in files if "wos" in p.parts or p.name.endswith("001.txt") and "cnki" in p.parts]
    second = [p for p in files if p not in first]
    assert first and second
    return folder, first, second


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def new_database(request, tmp_path):
    """The URL of a database nothing has touched yet (a new SQLite file, a new PostgreSQL schema), and a
    function giving more of them."""
    made: list[str] = []
    admin = None
    if request.param == "postgres":
        pg_url = request.getfixturevalue("pg_url")
        admin = sa.create_engine(pg_url)

    def make() -> str:
        if admin is None:
            return f"sqlite:///{tmp_path / f'ir-{uuid.uuid4().hex[:8]}.sqlite'}"
        schema = "t_" + uuid.uuid4().hex[:12]
        with admin.begin() as conn:
            conn.execute(sa.text(f"CREATE SCHEMA {schema}"))
        made.append(schema)
        sep = "&" if "?" in pg_url else "?"
        return f"{pg_url}{sep}options=-csearch_path%3D{schema}"

    yield make
    if admin is not None:
        with admin.begin() as conn:
            for schema in made:
                conn.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


def ir_env(url: str, dictionaries) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("IR_")}
    env.update(IR_DATABASE_URL=url, IR_DICTIONARIES=str(dictionaries))
    return env


def start(args: list[str], url: str, dictionaries, cwd) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "ir.cli", *args], cwd=cwd, env=ir_env(url, dictionaries),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def finish(proc: subprocess.Popen) -> tuple[str, str, float]:
    out, err = proc.communicate(timeout=900)
    assert proc.returncode == 0, err[-3000:]
    return out, err, time.monotonic()


def export(url: str, dictionaries, cwd) -> list[dict]:
    out, _, _ = finish(start(["export", "works", "--format", "jsonl"], url, dictionaries, cwd))
    return [json.loads(line) for line in out.splitlines()]


def first_ingested(url: str, group_a, group_b) -> str:
    """Which group the database saw first (by the time each file was ingested)."""
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        at = dict(conn.execute(sa.text("SELECT path, ingested_at FROM ingest_batches")).all())
    engine.dispose()
    a, b = min(at[str(p)] for p in group_a), min(at[str(p)] for p in group_b)
    return "a" if a < b else "b"


def empty_active_works(url: str) -> int:
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        n = conn.execute(sa.text("SELECT count(*) FROM works w WHERE w.status = 'active' AND NOT EXISTS "
                                 "(SELECT 1 FROM work_members m WHERE m.work_id = w.work_id)")).scalar()
    engine.dispose()
    return n


def test_two_runs_started_together_give_the_export_of_the_same_runs_one_after_the_other(demo, new_database, tmp_path):
    folder, group_a, group_b = demo
    dictionaries = folder / "dictionaries"
    url = new_database()
    runs = {"a": start(["run", *map(str, group_a)], url, dictionaries, tmp_path),
            "b": start(["run", *map(str, group_b)], url, dictionaries, tmp_path)}
    done = {name: finish(proc) for name, proc in runs.items()}
    first = first_ingested(url, group_a, group_b)
    second = "b" if first == "a" else "a"
    # the second waited for the first (it was started while the first was running), and said for whom
    assert "waiting: the database is busy: ir run (pid " in done[second][1].replace("\n", " ")
    assert "waiting:" not in done[first][1]
    together = export(url, dictionaries, tmp_path)

    serial = new_database()
    for group in ([group_a, group_b] if first == "a" else [group_b, group_a]):
        finish(start(["run", *map(str, group)], serial, dictionaries, tmp_path))
    one_after_the_other = export(serial, dictionaries, tmp_path)
    assert len(together) > 50
    assert together == one_after_the_other
    assert empty_active_works(url) == 0


def test_two_ingests_of_one_file_at_once_store_it_once(demo, new_database, tmp_path):
    folder, group_a, _ = demo
    url = new_database()
    procs = [start(["ingest", "--json", str(group_a[0])], url, folder / "dictionaries", tmp_path) for _ in range(2)]
    results = [json.loads(finish(p)[0]) for p in procs]
    assert [r["files"][0]["stored"] for r in results] == [results[0]["files"][0]["records_read"]] * 2
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM ingest_batches")).scalar() == 1
        assert conn.execute(sa.text("SELECT count(*) FROM source_records")).scalar() == results[0]["files"][0]["stored"]
    engine.dispose()


def test_a_run_retires_works_left_without_members(demo, tmp_path):
    """Earlier overlapping runs (before the run lock) left works no record belongs to: the next run
    retires them, with an audit entry, and they leave the export."""
    from ir import audit
    from ir.store import open_store

    folder, group_a, _ = demo
    url = f"sqlite:///{tmp_path / 'ir.sqlite'}"
    finish(start(["run", *map(str, group_a)], url, folder / "dictionaries", tmp_path))
    before = export(url, folder / "dictionaries", tmp_path)
    st = open_store(url)
    with st.begin() as conn:  # what overlapping runs used to leave: a copy of a work whose records went elsewhere
        conn.execute(sa.text("INSERT INTO works (work_id, status, merged_into, title, year, doi, doc_type, data, "
                             "content_hash, created_at, updated_at) SELECT 'WEMPTY0000000001', status, merged_into, "
                             "title, year, doi, doc_type, data, content_hash, created_at, updated_at FROM works "
                             "WHERE work_id = :w"), {"w": before[0]["work_id"]})
    assert empty_active_works(url) == 1
    out, _, _ = finish(start(["run", "--json", *map(str, group_a)], url, folder / "dictionaries", tmp_path))
    assert json.loads(out)["run"]["retired_empty_works"] == ["WEMPTY0000000001"]
    assert empty_active_works(url) == 0
    assert export(url, folder / "dictionaries", tmp_path) == before
    with st.connect() as conn:
        [entry] = audit.entries(conn, object_type="work", object_id="WEMPTY0000000001")
    st.dispose()
    assert entry["action"] == "retire-empty" and entry["actor"] == "pipeline"


def test_two_demos_at_once_take_turns_with_prefect_at_home_in_var(tmp_path):
    """`make demo` twice at once: the second waits for the first; Prefect keeps its runs under var/prefect
    (never the shared ~/.prefect), and the demo tells a new shell where everything is."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("IR_", "PREFECT_HOME"))}
    cmd = [sys.executable, "-m", "ir.cli", "demo", "--works", "40", "--people", "40"]
    procs = [subprocess.Popen(cmd, cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(2)]
    outs = [p.communicate(timeout=900) for p in procs]
    for p, (out, err) in zip(procs, outs):
        assert p.returncode == 0 and "Traceback" not in out + err, err[-3000:]
    assert sum("waiting: the database is busy: ir demo (pid " in err for _, err in outs) == 1
    assert (tmp_path / "var" / "prefect").is_dir()
    out = outs[0][0]
    assert f"database:        sqlite:///{tmp_path / 'var' / 'ir.sqlite'}" in out
    assert f"PREFECT_HOME={tmp_path / 'var' / 'prefect'} " in out
    assert f"{sys.prefix}/bin/ir serve" in out and f"source {sys.prefix}/bin/activate" in out


def test_a_run_that_will_not_wait_is_told_who_holds_the_database(new_database, tmp_path):
    """The run lock held by another process (here a script that holds it until told to stop): a caller
    with a timeout gives up with a message naming the holder; once it is released, the lock is free."""
    from ir.store import open_store
    from ir.store.engine import RunLockError, run_lock

    url = new_database()
    st = open_store(url)
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys; from ir.store import open_store; from ir.store.engine import run_lock\n"
         f"with run_lock(open_store({url!r}), 'ir run exports/'):\n    print('held', flush=True); sys.stdin.read()"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        heard = []
        with pytest.raises(RunLockError, match=r"ir run exports/ \(pid \d+ on .*\) holds its run lock; try again"):
            with run_lock(st, timeout=0):
                pass
        with pytest.raises(RunLockError, match="stayed busy for 0.5 s"):
            with run_lock(st, on_wait=heard.append, timeout=0.5):
                pass
        assert heard and heard[0].startswith(f"the database is busy: ir run exports/ (pid {holder.pid} on ")
    finally:
        holder.communicate("", timeout=60)
    with run_lock(st, timeout=5):  # released with its holder
        pass
    st.dispose()


# ------------------------------------------------------------------------------ a harvest and a run of the pipeline

def harvest_settings(tmp_path, api) -> str:
    """A settings file pointing [harvest] at the fake APIs (a long read timeout: a test holds requests)."""
    from ir.harvest.fakeapi import DEMO_ROR

    path = tmp_path / "ir.toml"
    path.write_text(f'[harvest]\ncrossref_url = "{api.url}/crossref"\nopenalex_url = "{api.url}/openalex"\n'
                    f'orcid_url = "{api.url}/orcid"\nror = "{DEMO_ROR}"\ncontact_email = "repository@library.example.edu"\n'
                    "requests_per_second = 500\nmax_people = 5\ntimeout_read = 600\n", encoding="utf-8")
    return str(path)


def start_logged(args: list[str], url: str, dictionaries, config: str, cwd, name: str):
    """``ir ARGS`` with its output in files the test can read while it runs: (process, stdout, stderr)."""
    out, err = cwd / f"{name}.out", cwd / f"{name}.err"
    env = {**ir_env(url, dictionaries), "IR_CONFIG": config}
    with open(out, "w") as o, open(err, "w") as e:
        proc = subprocess.Popen([sys.executable, "-m", "ir.cli", *args], cwd=cwd, env=env, stdout=o, stderr=e, text=True)
    return proc, out, err


def ended(proc, out, err) -> tuple[str, str]:
    proc.wait(timeout=900)
    assert proc.returncode == 0, err.read_text()[-3000:]
    return out.read_text(), err.read_text()


def stored_by_source(url: str) -> dict[str, int]:
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        rows = dict(conn.execute(sa.text("SELECT source, count(*) FROM source_records GROUP BY source")).all())
    engine.dispose()
    return rows


def in_the_store(url: str, sql: str) -> int:
    """A count, or 0 while the database (or the table) is not there yet."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(sa.text(sql)).scalar() or 0
    except sa.exc.SQLAlchemyError:
        return 0
    finally:
        engine.dispose()


def test_a_harvest_and_a_run_of_the_pipeline_take_turns(demo, new_database, tmp_path):
    """`ir harvest run` and `ir run` on one database, as the nightly harvest and a librarian's run will meet:
    whichever holds the run lock, the other waits for it and says for whom. First the harvest is caught in
    the middle of its run (the fake APIs hold its requests) until `ir run` has said that it waits; then the
    harvest starts while `ir run` is writing (stopped there by a signal until the harvest has said that it
    waits). Each time the store ends as the same two run one after the other leave it."""
    from conftest import wait_for
    from ir.harvest.fakeapi import demo_corpus, serve

    folder, group_a, _ = demo
    dictionaries = folder / "dictionaries"
    with serve(demo_corpus(80, 80, 7)) as api:
        config = harvest_settings(tmp_path, api)

        # 1. the harvest holds the lock (its requests unanswered), `ir run` waits for it
        url = new_database()
        with api.held():
            harvest = start_logged(["harvest", "run", "--json"], url, dictionaries, config, tmp_path, "harvest-1")
            wait_for(lambda: api.requests, 300, "the harvest's first request", log=[harvest[2]])
            run = start_logged(["run", *map(str, group_a)], url, dictionaries, config, tmp_path, "run-1")
            wait_for(lambda: "waiting: the database is busy: ir harvest run (pid " in run[2].read_text().replace("\n", " "),
                     300, "ir run waiting for the harvest", log=[run[2], harvest[2]])
            assert in_the_store(url, "SELECT count(*) FROM ingest_batches WHERE path NOT LIKE '% (harvest run %'") == 0
        report = json.loads(ended(*harvest)[0])
        assert report["status"] == "complete" and report["totals"]["new"] > 0
        ended(*run)
        serial = new_database()
        for args in (["harvest", "run", "--json"], ["run", *map(str, group_a)]):
            ended(*start_logged(args, serial, dictionaries, config, tmp_path, "serial-1"))
        assert stored_by_source(url) == stored_by_source(serial) and {"crossref", "openalex", "orcid"} <= set(
            stored_by_source(url))
        assert export(url, dictionaries, tmp_path) == export(serial, dictionaries, tmp_path)  # harvested ones joined

        requests_before = len(api.requests)
        # 2. `ir run` holds the lock (caught while it writes: stopped by a signal), the harvest waits for it
        url = new_database()
        run = start_logged(["run", *map(str, group_a)], url, dictionaries, config, tmp_path, "run-2")
        wait_for(lambda: in_the_store(url, "SELECT count(*) FROM ingest_batches"), 300, "ir run ingesting",
                 interval=0.05, log=[run[2]])
        os.kill(run[0].pid, signal.SIGSTOP)
        try:
            assert run[0].poll() is None
            harvest = start_logged(["harvest", "run", "--json"], url, dictionaries, config, tmp_path, "harvest-2")
            wait_for(lambda: "waiting:" in harvest[2].read_text(), 300, "the harvest waiting for ir run",
                     log=[harvest[2]])
            assert not api.requests[requests_before:]  # it asked the APIs nothing before it had the lock
        finally:
            os.kill(run[0].pid, signal.SIGCONT)
        _, run_err = ended(*run)
        _, harvest_err = ended(*harvest)
        assert f"waiting: the database is busy: ir run (pid {run[0].pid} " in harvest_err.replace("\n", " ")
        assert "waiting:" not in run_err
        serial = new_database()
        for args in (["run", *map(str, group_a)], ["harvest", "run", "--json"]):
            ended(*start_logged(args, serial, dictionaries, config, tmp_path, "serial-2"))
        assert stored_by_source(url) == stored_by_source(serial)
        assert export(url, dictionaries, tmp_path) == export(serial, dictionaries, tmp_path)
        assert empty_active_works(url) == 0
