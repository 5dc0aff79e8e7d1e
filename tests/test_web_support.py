"""A realistic repository for the web tests: the generated demo institution run through the real
pipeline (ingest, consolidate, attribute, index), plus one export whose title and author carry HTML."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from ir.config import Settings
from ir.store import Store

PASSWORD = "correct-horse-42"
# a RIS record whose title and author name are HTML: the pages must show them as text
HOSTILE_RIS = """TY  - JOUR
TI  - <script>alert('x')</script> Heavy metals & <b>bold</b> claims
AU  - <img src=x onerror=alert(1)>, Evil
PY  - 2022
JO  - Journal of Hostile Markup
DO  - 10.9999/hostile.2022.1
ER  - 

TY  - JOUR
TI  - Corrosion of pipeline steel in seawater: field data from the Yellow Sea
AU  - Qwertyuiop, Zed
AD  - School of Chemical Engineering, Huanghai University of Technology, Qingdao 266580, China
PY  - 2023
JO  - Journal of Marine Corrosion
DO  - 10.9999/unknown.2023.7
ER  - 
"""
UNKNOWN_AUTHOR = "Qwertyuiop"  # ours by address, but in no dictionary


@dataclass
class World:
    store: Store
    settings: Settings
    dictionaries: Path
    faculty_person: str  # has suggestions
    other_person: str  # another person with attributed works


def generate_demo(folder: Path) -> Path:
    from ir.demo import generate

    generate(folder, works=120, people=60, seed=7)
    (folder / "exports" / "extra").mkdir(parents=True, exist_ok=True)
    (folder / "exports" / "extra" / "hostile.ris").write_text(HOSTILE_RIS, encoding="utf-8")
    (folder / "exports" / "extra" / "chem.ris").write_text(CHEM_RIS, encoding="utf-8")
    (folder / "exports" / "extra" / "ranked.txt").write_text(ranked_wos(folder / "dictionaries"), encoding="utf-8")
    (folder / "exports" / "extra" / "caps-ei.txt").write_text(CAPS_EI, encoding="utf-8")
    return folder


CAPS_TITLE = "Shape-selective cracking over ZSM-5 zeolite catalysts with hierarchical pores"
CAPS_DOI = "10.9999/caps.2022.3"
# the same paper as the third record of ranked_wos, as Ei writes it: mixed case, with its published month
CAPS_EI = f"""Data Provider: Engineering Village

<RECORD 1>
Accession number:20229999000003
Title:{CAPS_TITLE}
Authors:Smith, John (1)
Author affiliation:(1) Department of Chemistry, Tsinghua University, Beijing; 100084, China
Source title:Journal of Catalysis
Volume:410
Issue date:November 2022
Publication year:2022
Pages:10-19
Language:English
Document type:Journal article (JA)
DOI:{CAPS_DOI}
Database:Compendex
"""


def ranked_wos(dictionaries: Path) -> str:
    """Two Web of Science records where the institution is not the first unit: one of our faculty (by
    name and e-mail) writes from Tsinghua first and from us second; then from us as the third unit."""
    import csv

    with open(dictionaries / "people.csv", encoding="utf-8") as fh:
        p = next(r for r in csv.DictReader(fh) if r["role"] == "faculty" and r["email"] and not r["end_year"])
    family, given = p["name_en"].split(" ", 1)
    initials = "".join(w[0] for w in given.replace("-", " ").split())
    me_au, me_af = f"{family}, {initials}", f"{family}, {given}"
    ours = "Huanghai Univ Technol, Sch Chem Engn, Qingdao 266580, Peoples R China."

    def record(ut: str, title: str, c1: str, rp: str) -> str:
        return (f"PT J\nAU {me_au}\n   Smith, J\nAF {me_af}\n   Smith, John\nTI {title}\nSO JOURNAL OF CATALYSIS\n"
                f"DT Article\nC1 {c1}\nRP {rp}\nEM {p['email']}\nPY 2022\nVL 410\nBP 1\nEP 9\n"
                f"UT WOS:{ut}\nER\n\n")
    return ("FN Clarivate Analytics Web of Science\nVR 1.0\n"
            + record("000900000000001", "Ranked second: zeolite catalysts written from two universities",
                     f"[{me_af}; Smith, John] Tsinghua Univ, Dept Chem, Beijing 100084, Peoples R China.\n"
                     f"   [{me_af}] {ours}",
                     "Smith, J (corresponding author), Tsinghua Univ, Dept Chem, Beijing 100084, Peoples R China.")
            + record("000900000000002", "Ranked third: alumina supports from three universities",
                     f"[Smith, John] Tsinghua Univ, Dept Chem, Beijing 100084, Peoples R China.\n"
                     f"   [Smith, John] Peking Univ, Coll Chem, Beijing 100871, Peoples R China.\n"
                     f"   [{me_af}] {ours}",
                     f"{me_au} (corresponding author), {ours}")
            + record("000900000000003", CAPS_TITLE.upper(),
                     f"[Smith, John] Tsinghua Univ, Dept Chem, Beijing 100084, Peoples R China.\n   [{me_af}] {ours}",
                     f"{me_au} (corresponding author), {ours}").replace("BP 1\nEP 9\n", f"BP 10\nEP 19\nDI {CAPS_DOI}\nPD NOV\n")
            + "EF\n")


def build(store: Store, settings: Settings, demo: Path) -> World:
    from ir.attribute import attribute
    from ir.consolidate import consolidate
    from ir.ingest import ingest_paths
    from ir.search import index

    from ir.pipeline import tag

    ingest_paths(store, [demo / "exports"])
    consolidate(store)
    attribute(store, demo / "dictionaries")
    tag(store, settings)  # journal tiers and indexes, as the pages show them
    rep = index(store, settings)
    assert not rep.errors, rep.errors
    from ir.store.tables.attribution import authorships as a

    with store.connect() as conn:
        fac = conn.execute(sa.select(a.c.person_id).where(a.c.status == "suggested")
                           .group_by(a.c.person_id).order_by(sa.func.count().desc(), a.c.person_id)).scalars().first()
        other = conn.execute(sa.select(a.c.person_id).where(a.c.status == "auto", a.c.person_id != fac)
                             .group_by(a.c.person_id).order_by(sa.func.count().desc(), a.c.person_id)).scalars().first()
    assert fac and other, "the demo institution should give suggestions and automatic links"
    return World(store, settings, demo / "dictionaries", fac, other)


def sqlite_world(tmp: Path, demo: Path | None = None) -> World:
    """The demo institution (generated here unless given) through the pipeline into SQLite and the
    embedded index, with the accounts."""
    from ir.store import open_store

    demo = demo or generate_demo(tmp / "demo")
    conf = tmp / "ir.toml"
    conf.write_text(f'[search]\nembedded_path = "{tmp / "idx.sqlite"}"\n')
    st = open_store(f"sqlite:///{tmp / 'ir.sqlite'}")
    world = build(st, Settings(database_url=st.url, config_file=conf, dictionaries=demo / "dictionaries"), demo)
    add_accounts(world)
    return world


def add_accounts(world: World) -> None:
    from ir.web.accounts import create_user, find_user

    for name, role, pid in (("fac", "faculty", world.faculty_person), ("other", "faculty", world.other_person),
                            ("lib", "librarian", None), ("ro", "research_office", None), ("adm", "admin", None)):
        if find_user(world.store, name) is None:
            create_user(world.store, name, role, password=PASSWORD, person_id=pid)


# ------------------------------------------------------------------------------ the real server

CHEM_RIS = """TY  - JOUR
TI  - Capture of CO_2 on amine-grafted mesoporous silica at low partial pressure
AU  - Tester, Chem
PY  - 2021
JO  - Journal of Carbon Capture
DO  - 10.9999/co2.2021.5
AB  - Amine-grafted silica takes up CO_2 at 0.4 mbar.
ER  - 
"""


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """``ir serve`` in a subprocess on a free loopback port (stopped by :meth:`stop`)."""

    def __init__(self, world: World, folder: Path, env: dict[str, str] | None = None):
        import os
        import subprocess
        import sys
        import time
        import urllib.request

        folder.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log_path = folder / f"serve-{self.port}.log"
        run_env = {k: v for k, v in os.environ.items() if not k.startswith("IR_")}
        run_env.update(IR_DATABASE_URL=world.store.url, IR_SECRET_KEY="server-test", IR_AUTH="local")
        if world.settings.config_file:
            run_env["IR_CONFIG"] = str(world.settings.config_file)
        if world.settings.search_url:
            run_env["IR_SEARCH_URL"] = world.settings.search_url
        run_env.update(env or {})
        self._log = open(self.log_path, "w")
        self.proc = subprocess.Popen([sys.executable, "-m", "ir.cli", "serve", "--host", "127.0.0.1", "--port",
                                      str(self.port)], env=run_env, cwd=folder, stdout=self._log,
                                     stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(self.base + "/static/favicon.svg", timeout=2).read()
                break
            except OSError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError("ir serve did not start: " + self.log_path.read_text())
                time.sleep(0.3)

    def log(self) -> str:
        self._log.flush()
        return self.log_path.read_text()

    def stop(self) -> None:
        import subprocess

        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self._log.close()
