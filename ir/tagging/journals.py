"""Journal lists: the values (ISSN, CN, titles, tiers) and the loader of ``journals.csv``.

A journal list file has the columns ``list, year, issn, eissn, title, value, category`` (optional:
``cn, abbreviation, iso_abbreviation, note``); headers may be in Chinese (``刊名``, ``分区`` ...). The
dictionaries folder holds ``journals.csv`` and/or a folder ``journals/`` of such files (CSV or XLSX),
one list and edition or many per file. Loading never raises on a bad row: it returns a
:class:`LoadProblem` naming file, line, column and reason, and keeps every usable row. Only a missing or
malformed key refuses a row (``severity="error"``): the list, the edition year, the value, and something
that names the journal (an ISSN, eISSN, CN or title). A bad ISSN, eISSN or CN is dropped and the row
loaded without it (``severity="warning"``).

The pure functions here (ISSN check digits, CN numbers, title keys, list values) are what the
matcher compares; they are tested with tables of (input, expected) rows.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ir.normalize import JOURNAL_STOPWORDS, issn_check_digit, normalize_issn  # noqa: F401 (re-exported)
from ir.normalize import title_key as _text_key

# ---------------------------------------------------------------- ISSN


def parse_issn(raw: str | None) -> tuple[str | None, str | None]:
    """``(normalised "1234-567X", None)``, ``(None, None)`` for an empty value, ``(None, reason)`` if bad.

    Accepts the usual variants: no hyphen, a lower-case x, an "ISSN" prefix, full-width digits, spaces.
    """
    if raw is None:
        return None, None
    text = unicodedata.normalize("NFKC", str(raw)).strip()
    text = re.sub(r"^(e-?)?issn[:：\s]*", "", text, flags=re.I).strip()
    if not text or text in {"-", "—", "N/A", "n/a", "NA", "无"}:
        return None, None
    compact = re.sub(r"[\s\-‐‑–—]", "", text)
    if not re.fullmatch(r"\d{7}[0-9Xx]", compact):
        return None, f"not an ISSN: {raw!r} (expected 8 characters, 7 digits and a check digit or X)"
    compact = compact.upper()
    expected = issn_check_digit(compact[:7])
    if compact[7] != expected:
        return None, f"wrong ISSN check digit in {raw!r}: expected {expected}"
    return f"{compact[:4]}-{compact[4:]}", None


# ---------------------------------------------------------------- CN serial numbers

_CN = re.compile(r"(?:CN)?\s*(?<!\d)(\d{2})\s*[-－]\s*(\d{4})(?!\d)\s*(?:/\s*([A-Za-z]{1,2}))?", re.I)


def normalize_cn(raw: str | None) -> str | None:
    """Chinese serial number ``CN 21-1117/N`` -> ``21-1117/N`` (the letter is the CLC class, may be absent)."""
    if not raw:
        return None
    m = _CN.search(unicodedata.normalize("NFKC", str(raw)))
    if not m:
        return None
    return f"{m.group(1)}-{m.group(2)}" + (f"/{m.group(3).upper()}" if m.group(3) else "")


def cn_key(raw: str | None) -> str | None:
    """The part of a CN number that identifies the journal: ``21-1117``."""
    cn = normalize_cn(raw)
    return cn.split("/")[0] if cn else None


# ---------------------------------------------------------------- titles

_BRACKETED_EDITION = re.compile(r"\((print|online|english edition|english ed\.?|chinese edition|中文版|英文版)\)\s*$", re.I)


def title_key(text: str | None) -> str:
    """The comparison form of a journal title or abbreviation.

    Like :func:`ir.normalize.journal_key` (case, accents, punctuation, "&"/"and" and little words do not
    matter; Chinese characters are kept), but a closing section letter stays: "Journal of Physical
    Chemistry A" is not "Journal of Physical Chemistry". A trailing "(Print)"/"(Online)" is dropped.
    """
    if not text:
        return ""
    words = _text_key(_BRACKETED_EDITION.sub("", str(text).strip()).replace("&", " and ")).split()
    return " ".join(w for i, w in enumerate(words)
                    if w not in JOURNAL_STOPWORDS or (i == len(words) - 1 and i > 0 and len(w) == 1))


def abbreviation_fits(abbreviation_key: str, title_key_: str) -> bool:
    """Does an abbreviation read as this title, word by word? ("j am chem soc" ~ "journal of the american chemical society")

    Both are keys (little words like "of", "the" already dropped); every word of the abbreviation must
    begin (or contract, ISO 4 style: "Compd" for "Compounds") the matching word of the title, in order,
    with no word left over on either side. Two-word abbreviations need three letters a word ("CHEM REV" fits, "J PHYS" is too short to say).
    """
    a, t = abbreviation_key.split(), title_key_.split()
    if len(a) < 2 or len(a) != len(t) or (len(a) == 2 and min(map(len, a)) < 3):
        return False
    return all(_abbreviates(aw, tw) for aw, tw in zip(a, t))


def _abbreviates(short: str, word: str) -> bool:
    """"chem" ~ "chemical" (a prefix) or "compd" ~ "compounds", "natl" ~ "national" (ISO 4 contractions:
    the first three letters shared, the others in order)."""
    if word.startswith(short):
        return True
    if len(short) < 4 or word[:3] != short[:3]:
        return False
    rest = iter(word[3:])
    return all(ch in rest for ch in short[3:])


def signature(key: str) -> str:
    """First letters of the words: the blocking key for abbreviation matching."""
    return "".join(w[0] for w in key.split())


# ---------------------------------------------------------------- lists and their values

LIST_ALIASES = {
    "jcr": "jcr", "jcr分区": "jcr", "jcr quartile": "jcr", "wos jcr": "jcr", "sci": "jcr",
    "cas": "cas", "中科院": "cas", "中科院分区": "cas", "中国科学院分区": "cas", "cas分区": "cas", "jcr升级版": "cas",
    "esi": "esi", "esi学科": "esi",
    "cssci": "cssci", "南大核心": "cssci", "c刊": "cssci",
    "pku_core": "pku_core", "pku": "pku_core", "pku core": "pku_core", "北大核心": "pku_core", "中文核心": "pku_core",
    "中文核心期刊": "pku_core", "北大中文核心": "pku_core",
    "cscd": "cscd", "中国科学引文数据库": "cscd",
    "institution": "institution", "本校": "institution", "校定": "institution", "学校": "institution",
    "单位": "institution", "inst": "institution",
}
TIER_ORDER = {  # best first: what "the best tag" of a list means
    "jcr": ("Q1", "Q2", "Q3", "Q4"),
    "cas": ("1", "2", "3", "4"),
    "cssci": ("core", "extended"),
    "pku_core": ("core",),
    "cscd": ("core", "extended"),
    "institution": ("A", "B", "C"),
}
_CN_DIGITS = {"一": "1", "二": "2", "三": "3", "四": "4"}
_CORE = {"core", "核心", "核心库", "核心版", "来源", "来源期刊", "来源刊", "source", "c", "y", "yes", "是", "1", "true", "收录"}
_EXTENDED = {"extended", "扩展", "扩展库", "扩展版", "扩展期刊", "e", "ext", "expanded"}


def canonical_list(name: str | None) -> str:
    """The list's canonical name: "中科院分区" -> "cas", "北大核心" -> "pku_core"; other names lower-cased."""
    text = unicodedata.normalize("NFKC", name or "").strip().casefold()
    return LIST_ALIASES.get(text, re.sub(r"[\s\-]+", "_", text))


def normalize_value(list_name: str, raw: str | None) -> tuple[str | None, str | None]:
    """A list's value in canonical form, or ``(None, reason)``.

    jcr: Q1..Q4 ("q1", "1", "一区"); cas: 1..4 ("1区", "一区", "1区 Top"); esi: one of the 22 fields
    (English or Chinese name); cssci/cscd: core|extended; pku_core: core; institution: A/B/C ("A类").
    Lists of other names keep their values as given.
    """
    from ir.tagging.subjects import esi_field

    text = unicodedata.normalize("NFKC", raw or "").strip()
    low = text.casefold()
    if list_name in ("jcr", "cas"):
        m = re.match(r"^(?:q|第)?\s*([1-4一二三四])\s*(?:区)?(?:\s*top)?$", low.replace(" ", "") or "-")
        if not m:
            m = re.match(r"^(?:q|第)?\s*([1-4一二三四])\s*(?:区|quartile)?\b", low)
        if not m:
            return None, f"{list_name} value must be {'Q1..Q4' if list_name == 'jcr' else '1..4 (1区..4区)'}: {raw!r}"
        digit = _CN_DIGITS.get(m.group(1), m.group(1))
        return (f"Q{digit}" if list_name == "jcr" else digit), None
    if list_name == "esi":
        found = esi_field(text)
        return (found, None) if found else (None, f"not one of the 22 ESI fields: {raw!r}")
    if list_name in ("cssci", "cscd", "pku_core"):
        if not low or low in _CORE:
            return "core", None
        if low in _EXTENDED and list_name != "pku_core":
            return "extended", None
        return None, f"{list_name} value must be core{'' if list_name == 'pku_core' else ' or extended'}: {raw!r}"
    if list_name == "institution":
        m = re.match(r"^([a-d])(?:类|级|档|\s*class|\s*tier)?$", low)
        if not m:
            return None, f"institution value must be a letter A/B/C: {raw!r}"
        return m.group(1).upper(), None
    return (text, None) if text else (None, "empty value")


def value_rank(list_name: str, value: str) -> int:
    order = TIER_ORDER.get(list_name)
    if order and value in order:
        return order.index(value)
    return len(order) if order else 0


# ---------------------------------------------------------------- entries and loading


@dataclass(frozen=True, slots=True)
class JournalEntry:
    """One journal in one edition of one list (a journal in several JCR categories is several entries)."""

    list: str
    year: int
    value: str
    title: str | None = None
    issn: str | None = None
    eissn: str | None = None
    cn: str | None = None
    abbreviation: str | None = None
    iso_abbreviation: str | None = None
    category: str = ""
    note: str | None = None
    file: str = ""
    line: int = 0

    @property
    def title_key(self) -> str:
        return title_key(self.title)

    @property
    def identity(self) -> str:
        """What makes two entries the same journal: its ISSN, else its eISSN, CN or title."""
        return self.issn or self.eissn or (f"cn:{cn_key(self.cn)}" if self.cn else f"title:{self.title_key}")


@dataclass(frozen=True, slots=True)
class LoadProblem:
    file: str
    line: int
    column: str | None
    reason: str
    severity: str = "error"  # error: the row was not loaded; warning: loaded without the bad value

    def as_json(self) -> dict:
        return {"file": self.file, "line": self.line, "column": self.column, "reason": self.reason,
                "severity": self.severity}


COLUMNS = ("list", "year", "issn", "eissn", "title", "value", "category", "cn", "abbreviation",
           "iso_abbreviation", "note")
HEADER_ALIASES = {
    "list": ("list", "list name", "list_name", "名单", "列表", "目录", "来源", "收录"),
    "year": ("year", "edition", "edition year", "edition_year", "年份", "年度", "版本", "版次"),
    "issn": ("issn", "pissn", "p-issn", "print issn", "issn号", "国际标准刊号"),
    "eissn": ("eissn", "e-issn", "e_issn", "electronic issn", "online issn", "电子issn"),
    "title": ("title", "journal", "journal title", "full journal title", "source title", "刊名", "期刊名称",
              "期刊名", "期刊", "杂志名称", "中文刊名"),
    "value": ("value", "tier", "quartile", "jcr quartile", "quarter", "partition", "rank", "level", "grade", "分区",
              "等级", "级别", "类别等级", "分级", "大类分区"),
    "category": ("category", "subject", "field", "wos category", "subject category", "学科", "学科类别",
                 "类别", "大类", "领域", "学科分类"),
    "cn": ("cn", "cn号", "cn number", "国内统一刊号", "国内刊号", "统一刊号"),
    "abbreviation": ("abbreviation", "abbrev", "jcr abbreviation", "j9", "缩写", "刊名缩写"),
    "iso_abbreviation": ("iso_abbreviation", "iso abbreviation", "iso abbrev", "ji"),
    "note": ("note", "notes", "remark", "code", "备注", "说明"),
}
_HEADER_INDEX = {unicodedata.normalize("NFKC", a).casefold(): col for col, names in HEADER_ALIASES.items() for a in names}


def header_map(header: list[str]) -> dict[int, str]:
    """Column positions -> canonical column names (unknown columns are ignored)."""
    found: dict[int, str] = {}
    for i, name in enumerate(header):
        key = unicodedata.normalize("NFKC", name or "").strip().strip("\ufeff").casefold()
        col = _HEADER_INDEX.get(key)
        if col and col not in found.values():
            found[i] = col
    return found


def parse_rows(rows: Iterable[tuple[int, dict[str, str]]], file: str) -> Iterator[JournalEntry | LoadProblem]:
    """Rows (line number, {canonical column: text}) -> entries and problems."""
    for line, row in rows:
        get = lambda c: (row.get(c) or "").strip() or None  # noqa: E731
        if not any(row.values()):
            continue
        list_raw = get("list")
        if not list_raw:
            yield LoadProblem(file, line, "list", "no list name")
            continue
        list_name = canonical_list(list_raw)
        year_raw = get("year")
        m = re.search(r"(19|20)\d\d", year_raw or "")
        if not m:
            yield LoadProblem(file, line, "year", f"no edition year: {year_raw!r}")
            continue
        value, reason = normalize_value(list_name, get("value"))
        if value is None:
            yield LoadProblem(file, line, "value", reason or "no value")
            continue
        ids: dict[str, str | None] = {}
        for col in ("issn", "eissn"):
            ids[col], reason = parse_issn(get(col))
            if reason:
                yield LoadProblem(file, line, col, reason, "warning")
        cn = normalize_cn(get("cn"))
        if get("cn") and not cn:
            yield LoadProblem(file, line, "cn", f"not a CN number: {get('cn')!r}", "warning")
        title = get("title")
        if not (ids["issn"] or ids["eissn"] or cn or title_key(title) or get("abbreviation")):
            yield LoadProblem(file, line, None, "no valid ISSN, eISSN, CN or title: the journal cannot be matched")
            continue
        if ids["issn"] and ids["issn"] == ids["eissn"]:
            ids["eissn"] = None
        yield JournalEntry(
            list=list_name, year=int(m.group(0)), value=value, title=title, issn=ids["issn"], eissn=ids["eissn"],
            cn=cn, abbreviation=get("abbreviation"), iso_abbreviation=get("iso_abbreviation"),
            category=get("category") or "", note=get("note"), file=file, line=line,
        )


def _csv_rows(text: str, file: str) -> Iterator[tuple[int, dict[str, str]] | LoadProblem]:
    reader = csv.reader(io.StringIO(text))
    try:
        header = next(reader)
    except StopIteration:
        yield LoadProblem(file, 1, None, "empty file")
        return
    cols = header_map(header)
    missing = {"list", "year", "value"} - set(cols.values())
    if missing:
        yield LoadProblem(file, 1, None, f"missing column(s): {', '.join(sorted(missing))} (header: {', '.join(header)})")
        return
    for row in reader:
        yield reader.line_num, {col: row[i] if i < len(row) else "" for i, col in cols.items()}


def _xlsx_rows(path: Path, file: str) -> Iterator[tuple[int, dict[str, str]] | LoadProblem]:
    import openpyxl

    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    ws = wb.worksheets[0]
    rows = ws.iter_rows(values_only=True)
    header = [str(c or "") for c in next(rows, ())]
    cols = header_map(header)
    missing = {"list", "year", "value"} - set(cols.values())
    if missing:
        yield LoadProblem(file, 1, None, f"missing column(s): {', '.join(sorted(missing))}")
        return
    for n, row in enumerate(rows, start=2):
        yield n, {col: "" if i >= len(row) or row[i] is None else str(row[i]) for i, col in cols.items()}
    wb.close()


def read_journal_file(path: Path) -> tuple[list[JournalEntry], list[LoadProblem]]:
    """One list file (CSV in any export encoding, or XLSX)."""
    from ir.decoding import UndecodableError, decode

    file = str(path)
    entries: list[JournalEntry] = []
    problems: list[LoadProblem] = []
    try:
        if path.suffix.lower() == ".xlsx":
            raw_rows = _xlsx_rows(path, file)
        else:
            raw_rows = _csv_rows(decode(path.read_bytes()).text, file)
        rows = []
        for item in raw_rows:
            (problems.append(item) if isinstance(item, LoadProblem) else rows.append(item))
        for item in parse_rows(rows, file):
            (problems.append(item) if isinstance(item, LoadProblem) else entries.append(item))
    except (OSError, UndecodableError, csv.Error, ValueError) as exc:
        problems.append(LoadProblem(file, 0, None, f"cannot read the file: {exc}"))
    return entries, problems


def journal_files(dictionaries_dir: Path) -> list[Path]:
    """``journals.csv`` (or .xlsx) and every CSV/XLSX in ``journals/``, in a stable order."""
    found = [dictionaries_dir / f"journals{ext}" for ext in (".csv", ".xlsx")]
    folder = dictionaries_dir / "journals"
    if folder.is_dir():
        found += sorted(p for p in folder.iterdir() if p.suffix.lower() in (".csv", ".xlsx") and not p.name.startswith("."))
    return [p for p in found if p.is_file()]


def load_journal_lists(dictionaries_dir: Path) -> tuple[list[JournalEntry], list[LoadProblem]]:
    entries: list[JournalEntry] = []
    problems: list[LoadProblem] = []
    for path in journal_files(Path(dictionaries_dir)):
        e, p = read_journal_file(path)
        entries += e
        problems += p
    return entries, problems


ENTRY_FIELDS = ("list", "year", "issn", "eissn", "title", "value", "category", "cn", "abbreviation",
                "iso_abbreviation", "note")


def write_journal_csv(entries: Iterable[JournalEntry], out: io.TextIOBase) -> int:
    """Entries in the journals.csv schema (what ``ir journals import-list`` writes)."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(ENTRY_FIELDS)
    n = 0
    for e in entries:
        writer.writerow(["" if getattr(e, f) is None else getattr(e, f) for f in ENTRY_FIELDS])
        n += 1
    return n


@dataclass
class ListSummary:
    """Per list and edition: how many entries were loaded (for ``ir journals check``)."""

    counts: dict[tuple[str, int], int] = field(default_factory=dict)

    @classmethod
    def of(cls, entries: Iterable[JournalEntry]) -> ListSummary:
        s = cls()
        for e in entries:
            s.counts[(e.list, e.year)] = s.counts.get((e.list, e.year), 0) + 1
        return s
