"""EndNote tagged export (``%0 Journal Article``, ``%A`` one author per line), as CNKI writes it.

CNKI's EndNote export: ``%A`` one author per line, ``%+`` the units (';'-separated, linked to authors by
CNKI's order-based rule), ``%@`` ISSN, ``%L`` the CN serial number, ``%W CNKI``, ``%U`` the link with its
FileName (the native id); a thesis gives its university in ``%I``, its supervisor in ``%Y`` and its degree
in ``%9``, and its abstract (``%X``) may run over several paragraphs, blank lines between them. The same grammar comes from other databases: a record is ``cnki`` only when its
content says CNKI / 知网 (``%W``, ``%U``), otherwise it is the generic source ``ris``.
"""

from __future__ import annotations

import re

from ir.formats import Format, Parsed, register
from ir.formats._tagged import Grammar, TaggedRecord, first_line, parse_tagged, provider_source

LINE = re.compile(r"^%(?P<tag>[0-9A-Z@+#$&*^!~<>()\[\]=?|])(?:[ \t]+(?P<value>.*)|[ \t]*)$")
# a record opens at %0; blank lines and untagged lines (a thesis abstract's paragraphs) stay inside it
GRAMMAR = Grammar(LINE, starts=frozenset({"0"}), lost_start=True)

ROLES = {
    "0": "ref_type", "T": "title", "A": "authors", "+": "addresses", "J": "journal", "B": "secondary_title",
    "D": "year", "8": "date", "V": "volume", "N": "issue", "P": "pages", "K": "keywords", "X": "abstract",
    "@": "issn_isbn", "L": "cn", "U": "url", "R": "doi", "W": "provider", "G": "language", "I": "publisher",
    "9": "type_of_work", "Q": "translated_title", "Y": "tertiary_authors", "S": "tertiary_title",
}


def sniff(text: str | bytes) -> bool:
    head = first_line(text) if isinstance(text, str) else None
    return bool(head and re.match(r"^%0 \S", head))


def _source(rec: TaggedRecord) -> str:
    return provider_source(rec.first("W"), rec.first("U")) or "ris"


def parse(text: str | bytes) -> Parsed:
    return parse_tagged(text, GRAMMAR, roles=ROLES, title_tag="%T", source_of=_source)


FORMAT = register(Format(
    name="cnki-endnote",
    source="cnki",
    description="EndNote tagged export (%0 / %A / %T ...), CNKI's and others'",
    binary=False,
    sniff=sniff,
    parse=parse,
    priority=50,
))
