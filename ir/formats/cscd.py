"""CSCD (中国科学引文数据库) records exported from the Web of Science platform.

They come in the WoS plain-text layout (``FN``/``PT``/``UT``/``ER``) with ``UT CSCD:...`` ids and Chinese
and English fields, so parsing is the WoS plain-text parser's (format "wos-plain", owned by
``wos_plain.py``), whose field mapping names the source of every record by its UT: "cscd" for an id that
starts "CSCD:", wherever the record sits in the file, "wos" for the others (a mixed all-databases export).
This format only recognises a file whose first 64 KiB hold CSCD ids (priority 10, before "wos-plain" at 20),
so that the ingest report names the export for what it is.
"""

from __future__ import annotations

import re

from ir.formats import Format, register
from ir.formats.wos_plain import parse

_UT_CSCD = re.compile(r"(?m)^UT CSCD:\S")
_WOS_LAYOUT = re.compile(r"(?m)^(FN |PT |VR )")


def sniff(head: str | bytes) -> bool:
    if not isinstance(head, str):
        return False
    return bool(_UT_CSCD.search(head) and _WOS_LAYOUT.search(head))


register(Format("cscd", "cscd", "CSCD records in the WoS plain-text layout (UT CSCD:...)", False, sniff, parse,
                priority=10))
