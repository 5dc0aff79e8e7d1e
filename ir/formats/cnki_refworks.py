"""RefWorks tagged export (``RT Journal Article``, ``A1``, ``T1`` ...), as CNKI writes it.

CNKI's RefWorks export: ``A1`` holds every author ("张三;李四;"), ``AD`` the units (';'-separated, linked
by CNKI's order-based rule), ``vo`` the volume in lower case, ``OP`` the page range, ``CN`` the CN serial
number, ``DS CNKI`` and ``LK`` the link with its FileName (the native id). Records are ``cnki`` when the
content says CNKI / 知网 (``DS``, ``LK``), otherwise the generic source ``ris``. ``K1`` is followed by an
untagged line of the English keywords and a blank line, inside the record; older records separate ``A1``
names with commas and continue ``AD`` on untagged lines (``,武汉,430074``). A thesis gives its university
in ``PB``, its supervisor in ``A3`` and its degree in ``CL``.
"""

from __future__ import annotations

import re

from ir.formats import Format, Parsed, register
from ir.formats._tagged import Grammar, TaggedRecord, first_line, parse_tagged, provider_source

TAGS = (
    "RT", "SR", "ID", "A1", "A2", "A3", "A4", "A5", "A6", "AD", "T1", "T2", "T3", "JF", "JO", "JA", "YR", "FD",
    "VO", "IS", "SP", "OP", "K1", "AB", "NO", "PB", "PP", "ED", "SN", "CN", "LA", "DS", "LK", "DO", "UL", "WT",
    "WP", "CL", "OL", "SL", "RD", "AN", "AV", "U1", "U2", "U3", "U4", "U5", "FT", "IP", "CR", "ST",
)
# tags in capitals, but for CNKI's lower-case "vo": an abstract's wrapped line may start "is" or "id"
LINE = re.compile(r"^(?P<tag>" + "|".join(TAGS) + r"|vo)(?:[ \t]+(?P<value>.*)|[ \t]*)$")
GRAMMAR = Grammar(LINE, starts=frozenset({"RT"}), lost_start=True, key=str.upper)

ROLES = {
    "RT": "ref_type", "T1": "title", "A1": "authors", "AD": "addresses", "JF": "journal", "JO": "journal",
    "T2": "secondary_title", "YR": "year", "FD": "date", "VO": "volume", "IS": "issue", "SP": "start_page",
    "OP": "end_page", "K1": "keywords", "AB": "abstract", "SN": "issn_isbn", "CN": "cn", "LK": "url",
    "UL": "url", "DO": "doi", "DS": "provider", "LA": "language", "PB": "publisher", "CL": "type_of_work",
    "A3": "tertiary_authors",
}


def sniff(text: str | bytes) -> bool:
    if not isinstance(text, str):
        return False
    head = first_line(text)
    if not head or not re.match(r"^RT \S", head):
        return False
    lines = text.lstrip("\ufeff").split("\n", 20)[1:20]
    return any(re.match(r"^(SR|A1|T1|JF|YR) ", ln) for ln in lines)


def _source(rec: TaggedRecord) -> str:
    return provider_source(rec.first("DS"), rec.first("LK", "UL")) or "ris"


def parse(text: str | bytes) -> Parsed:
    return parse_tagged(text, GRAMMAR, roles=ROLES, title_tag="T1", source_of=_source)


FORMAT = register(Format(
    name="cnki-refworks",
    source="cnki",
    description="RefWorks tagged export (RT / A1 / T1 ...), CNKI's and others'",
    binary=False,
    sniff=sniff,
    parse=parse,
    priority=50,
))
