"""Subjects: WoS categories -> ESI's 22 fields, EI classification codes -> groups, CLC codes -> disciplines.

The mapping tables are CSV files in ``ir/tagging/data/`` (librarians can read and correct them):

- ``esi_fields.csv``: the 22 ESI fields with their Chinese names;
- ``wos_esi.csv``: WoS category -> ESI field. ESI assigns fields by *journal*, so a journal's entry in an
  "esi" list wins; the table is the fallback for journals the list lacks (Multidisciplinary journals are
  split by ESI paper by paper, which no table can reproduce);
- ``ei_classification.csv``: the first two digits of an EI code -> its subject group and series
  (4xx civil, 5xx mining, 6xx mechanical, 7xx electrical, 8xx chemical & agricultural, 9xx general);
- ``clc_classes.csv``: CLC classes (A..Z, and the subclasses of O and T) -> disciplines; the longest
  prefix of a code wins ("TP391.4" -> TP).
"""

from __future__ import annotations

import csv
import re
import unicodedata
from functools import cache
from pathlib import Path

DATA = Path(__file__).with_name("data")


def _rows(name: str) -> list[dict[str, str]]:
    with open(DATA / name, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold().replace("&", " and ")
    return re.sub(r"[^0-9a-z\u3400-\u9fff]+", " ", text).strip()


@cache
def _esi_names() -> dict[str, str]:
    names: dict[str, str] = {}
    for r in _rows("esi_fields.csv"):
        names[_fold(r["esi_field"])] = r["esi_field"]
        names[_fold(r["name_zh"])] = r["esi_field"]
    # spellings seen in the wild
    for alias, field in {
        "environment ecology": "Environment/Ecology", "environment and ecology": "Environment/Ecology", "environmental science and ecology": "Environment/Ecology",
        "psychiatry psychology": "Psychiatry/Psychology", "social sciences": "Social Sciences General",
        "social sciences general": "Social Sciences General", "social sciences, general": "Social Sciences General",
        "multidisciplinary sciences": "Multidisciplinary", "neuroscience and behaviour": "Neuroscience & Behavior",
        "plant and animal sciences": "Plant & Animal Science", "economics business": "Economics & Business",
    }.items():
        names[_fold(alias)] = field
    return names


ESI_FIELDS: tuple[str, ...] = tuple(r["esi_field"] for r in _rows("esi_fields.csv"))


def esi_field(name: str | None) -> str | None:
    """The canonical ESI field of a name in English or Chinese ("化学" -> "Chemistry"), else None."""
    return _esi_names().get(_fold(name or "")) if name else None


@cache
def _wos_esi() -> dict[str, str]:
    return {_fold(r["wos_category"]): r["esi_field"] for r in _rows("wos_esi.csv")}


def wos_category_esi(category: str | None) -> str | None:
    """A WoS category ("Chemistry, Physical" or "CHEMISTRY, PHYSICAL") -> its ESI field, else None."""
    return _wos_esi().get(_fold(category or "")) if category else None


@cache
def _ei_groups() -> dict[str, tuple[str, str]]:
    return {r["code"]: (r["group"], r["series"]) for r in _rows("ei_classification.csv")}


def ei_group(code: str | None) -> tuple[str, str, str] | None:
    """An EI classification code ("723.5", "Ei 461.9") -> (its 3-digit code, subject group, series)."""
    m = re.search(r"(?<!\d)([4-9]\d\d)(?:\.\d+)?(?!\d)", code or "")
    if not m:
        return None
    found = _ei_groups().get(m.group(1)[:2])
    return (m.group(1), *found) if found else None


@cache
def _clc() -> dict[str, tuple[str, str]]:
    return {r["code"]: (r["name_zh"], r["name_en"]) for r in _rows("clc_classes.csv")}


def clc_class(code: str | None) -> tuple[str, str, str] | None:
    """A CLC code ("TP391.4", "O643.36") -> (class code, Chinese name, English name) by longest prefix."""
    text = unicodedata.normalize("NFKC", code or "").strip().upper()
    m = re.match(r"[A-Z]{1,2}\d?", text)
    if not m:
        return None
    table = _clc()
    head = m.group(0)
    for n in range(len(head), 0, -1):
        if head[:n] in table:
            return (head[:n], *table[head[:n]])
    return None
