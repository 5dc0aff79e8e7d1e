"""NoteExpress export (``{Reference Type}: Journal Article``), from Wanfang and from CNKI.

``{Database Provider}`` says where a record comes from: 北京万方数据股份有限公司 -> ``wanfang``,
CNKI / 知网 -> ``cnki``, anything else -> the generic ``ris``.

Wanfang writes one ``{Author}`` per line with a matching ``{Translated Author}`` ("Wenjie JIANG",
"WANG Ya-jun", "Jiang Bingjian", sometimes with a leading space) and one ``{Author Address}`` per
author, so names and addresses pair by position. CNKI writes ``{Author}: 张三;李四;`` and one
';'-separated ``{Author Address}`` (linked by CNKI's order-based rule) and its CN number in ``{Notes}``.
"""

from __future__ import annotations

import re

from pypinyin import Style, pinyin

from ir.formats import Format, Parsed, register
from ir.formats._tagged import Grammar, TaggedRecord, first_line, parse_tagged, provider_source
from ir.formats._util import clean

LINE = re.compile(r"^\{(?P<tag>[^{}]+)\}[ \t]*[:：][ \t]?(?P<value>.*)$")
GRAMMAR = Grammar(LINE, starts=frozenset({"Reference Type"}), lost_start=True, key=lambda tag: tag.strip(" ,"))

ROLES = {
    "Reference Type": "ref_type", "Title": "title", "Translated Title": "translated_title",
    "Author": "authors", "Translated Author": "translated_authors", "Author Address": "addresses",
    "Journal": "journal", "Translated Journal": "translated_journal", "Secondary Title": "secondary_title",
    "Year": "year", "Date": "date", "Volume": "volume", "Issue": "issue", "Pages": "pages",
    "Keywords": "keywords", "Abstract": "abstract", "ISBN/ISSN": "issn_isbn", "ISSN": "issn", "ISBN": "isbn",
    "Notes": "cn", "URL": "url", "DOI": "doi", "Database Provider": "provider", "Language": "language",
    "Publisher": "publisher", "Type of Work": "type_of_work", "Call Number": "clc", "Fund": "fund",
    "Tertiary Author": "tertiary_authors", "Tertiary Title": "tertiary_title", "Translated Keywords":
    "translated_keywords",
}


def sniff(text: str | bytes) -> bool:
    head = first_line(text) if isinstance(text, str) else None
    return bool(head and re.match(r"^\{Reference Type\}\s*[:：]", head))


def _source(rec: TaggedRecord) -> str:
    return provider_source(rec.first("Database Provider"), rec.first("URL")) or "ris"


def _surname_readings(name_zh: str) -> list[tuple[int, set[str]]]:
    """Pinyin readings of the one- and two-character surname candidates of a Chinese name."""
    out = []
    for n in (2, 1):
        if len(name_zh) > n:
            readings = pinyin(name_zh[:n], style=Style.NORMAL, heteronym=True)
            combos = {""}
            for choices in readings:
                combos = {c + r for c in combos for r in choices}
            out.append((n, combos))
    return out


def romanized_name(translated: str | None, name_zh: str | None) -> str | None:
    """A romanised name as "Family, Given".

    Wanfang's forms: "Wenjie JIANG" and "WANG Ya-jun" (the family name in capitals), "Jiang Bingjian"
    (family first, in Chinese order, told by the pinyin of the Chinese name's surname).
    When neither tells which part is the family name the name is returned as written.
    """
    translated = clean(translated)
    if not translated:
        return None
    if "," in translated:
        return translated
    parts = translated.split()
    if len(parts) < 2:
        return translated
    caps = [i for i, p in enumerate(parts) if len(p) > 1 and p.isupper()]
    family_at: int | None = None
    if len(caps) == 1 and len(parts) - 1 > 0 and not all(p.isupper() for p in parts):
        family_at = caps[0]
    elif name_zh:
        folded = [re.sub(r"[^a-z]", "", p.casefold()) for p in parts]
        for _n, readings in _surname_readings(name_zh):
            if folded[0] in readings:
                family_at = 0
                break
            if folded[-1] in readings:
                family_at = len(parts) - 1
                break
    if family_at is None:
        return translated
    family = parts[family_at]
    given = " ".join(p for i, p in enumerate(parts) if i != family_at)
    family = "-".join(w[:1].upper() + w[1:].lower() for w in family.split("-"))
    return f"{family}, {given}"


def parse(text: str | bytes) -> Parsed:
    return parse_tagged(text, GRAMMAR, roles=ROLES, title_tag="{Title}", source_of=_source,
                        name_form=romanized_name)


FORMAT = register(Format(
    name="noteexpress",
    source="cnki",
    description="NoteExpress export ({Reference Type}: ...), from Wanfang or CNKI",
    binary=False,
    sniff=sniff,
    parse=parse,
    priority=50,
))
