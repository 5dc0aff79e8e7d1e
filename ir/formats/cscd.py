"""CSCD (中国科学引文数据库) records exported from the Web of Science platform.

They come in the WoS plain-text layout (``FN``/``PT``/``UT``/``ER``) with ``UT CSCD:...`` ids and Chinese
and English fields, so parsing is the WoS plain-text parser's (format "wos-plain", owned by
``wos_plain.py``); this format only recognises the CSCD ids first (priority 10, before "wos-plain" at 20) and
names the source: records whose id starts "CSCD:" are "cscd", others (a mixed all-databases export)
keep what the WoS parser gave them.
"""

from __future__ import annotations

import re

from ir import formats
from ir.formats import Format, Parsed, register
from ir.model import Problem, Record

_UT_CSCD = re.compile(r"(?m)^UT CSCD:\S")
_WOS_LAYOUT = re.compile(r"(?m)^(FN |PT |VR )")


def sniff(head: str | bytes) -> bool:
    if not isinstance(head, str):
        return False
    return bool(_UT_CSCD.search(head) and _WOS_LAYOUT.search(head))


def parse(text: str | bytes) -> Parsed:
    try:
        wos = formats.get("wos-plain")
    except KeyError:
        yield Problem("the WoS plain-text parser (format 'wos-plain') is not installed; CSCD needs it", record_no=1)
        return
    for item in wos.parse(text):
        if isinstance(item, Record) and item.source_id.upper().startswith("CSCD:"):
            item.source = "cscd"
        yield item


register(Format("cscd", "cscd", "CSCD records in the WoS plain-text layout (UT CSCD:...)", False, sniff, parse,
                priority=10))
