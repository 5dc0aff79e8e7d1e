"""Which indexes a work is in: WoS editions, databases and core lists -> index codes.

Index codes: SCIE, SSCI, AHCI (A&HCI), ESCI, CPCI-S, CPCI-SSH, BKCI-S, BKCI-SSH (WoS editions); EI
(Compendex); CSCD, CSSCI (their databases, or their journal lists); PKU (北大核心, from the list).
"""

from __future__ import annotations

import re

INDEX_CODES = ("SCIE", "SSCI", "AHCI", "ESCI", "CPCI-S", "CPCI-SSH", "BKCI-S", "BKCI-SSH", "EI", "CSCD", "CSSCI", "PKU")

_EDITIONS = {
    "sci expanded": "SCIE", "scie": "SCIE", "sci": "SCIE", "science citation index expanded": "SCIE",
    "science citation index": "SCIE",
    "ssci": "SSCI", "social sciences citation index": "SSCI", "social science citation index": "SSCI",
    "a hci": "AHCI", "ahci": "AHCI", "arts humanities citation index": "AHCI",
    "esci": "ESCI", "emerging sources citation index": "ESCI",
    "cpci s": "CPCI-S", "istp": "CPCI-S", "conference proceedings citation index science": "CPCI-S",
    "cpci ssh": "CPCI-SSH", "isshp": "CPCI-SSH",
    "conference proceedings citation index social science humanities": "CPCI-SSH",
    "conference proceedings citation index social sciences humanities": "CPCI-SSH",
    "bkci s": "BKCI-S", "book citation index science": "BKCI-S",
    "bkci ssh": "BKCI-SSH", "book citation index social sciences humanities": "BKCI-SSH",
}
_DATABASES = {
    "ei": "EI", "compendex": "EI", "ei compendex": "EI", "engineering index": "EI", "cpx": "EI",
    "cscd": "CSCD", "中国科学引文数据库": "CSCD",
    "cssci": "CSSCI", "中文社会科学引文索引": "CSSCI",
    "pku": "PKU", "pku core": "PKU", "北大核心": "PKU",
}


def _fold(text: str) -> str:
    return re.sub(r"[^0-9a-z\u3400-\u9fff]+", " ", text.casefold().replace("&", " ")).strip()


def edition_code(text: str | None) -> str | None:
    """A WoS edition as exported ("Science Citation Index Expanded (SCI-EXPANDED)", "SSCI") -> its code."""
    if not text:
        return None
    m = re.search(r"\(([^()]+)\)\s*$", text)  # the code in brackets wins over the long name
    if m and _fold(m.group(1)) in _EDITIONS:
        return _EDITIONS[_fold(m.group(1))]
    folded = _fold(re.sub(r"\([^()]*\)", "", text))
    return _EDITIONS.get(folded) or _EDITIONS.get(_fold(text))


def database_code(text: str | None) -> str | None:
    """A database or source name ("Compendex", "ei", "CSCD") -> its index code."""
    return _DATABASES.get(_fold(text or "")) if text else None


def index_code(text: str | None) -> tuple[str, str] | None:
    """Any index name -> (code, how it was known: "wos-edition" | "database"), else None."""
    if not text:
        return None
    if text.upper() in INDEX_CODES:
        code = text.upper()
        return code, ("database" if code in ("EI", "CSCD", "CSSCI", "PKU") else "wos-edition")
    code = edition_code(text)
    if code:
        return code, "wos-edition"
    code = database_code(text)
    return (code, "database") if code else None


def split_editions(values: list[str] | str | None) -> list[str]:
    """WE values may come one per item or several in one string separated by ";"."""
    if not values:
        return []
    items = [values] if isinstance(values, str) else values
    return [p.strip() for v in items for p in re.split(r";\s*", v or "") if p.strip()]
