"""Which indexes a work is in: WoS editions, databases and core lists -> index codes.

Index codes: SCIE, SSCI, AHCI (A&HCI), ESCI, CPCI-S, CPCI-SSH, BKCI-S, BKCI-SSH (WoS editions); EI
(Compendex); CSCD, CSSCI (their databases, or their journal lists); PKU (北大核心, from the list).
"""

from __future__ import annotations

import re

INDEX_CODES = ("SCIE", "SSCI", "AHCI", "ESCI", "CPCI-S", "CPCI-SSH", "BKCI-S", "BKCI-SSH", "EI", "CSCD", "CSSCI", "PKU")

_DATABASES = {
    "ei": "EI", "compendex": "EI", "ei compendex": "EI", "engineering index": "EI", "cpx": "EI",
    "cscd": "CSCD", "中国科学引文数据库": "CSCD",
    "cssci": "CSSCI", "中文社会科学引文索引": "CSSCI",
    "pku": "PKU", "pku core": "PKU", "北大核心": "PKU",
}


def _fold(text: str) -> str:
    return re.sub(r"[^0-9a-z\u3400-\u9fff]+", " ", text.casefold().replace("&", " ")).strip()


def edition_code(text: str | None) -> str | None:
    """A WoS edition as exported ("Science Citation Index Expanded (SCI-EXPANDED)", "SSCI") -> its code.

    The names are the WoS parser's (:func:`ir.formats._wos_fields.edition_code`); unknown editions give None.
    """
    from ir.formats._wos_fields import edition_code as wos_edition_code

    code = wos_edition_code(text) if text else None
    return code if code in INDEX_CODES else None


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
