"""CSCD records exported from the Web of Science platform: the WoS plain-text layout with UT CSCD:... ids.

No real CSCD export is among the shared samples: the fixture is the WoS layout (see the wos_plain samples)
with CSCD ids and the Chinese fields CSCD adds (Z1-Z4: Chinese title, authors, source, abstract), plus one
WOS: record, as in an all-databases export. Parsing is the WoS parser's; this format names the source.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from ir import formats
from ir.formats._wos_fields import build_record
from ir.ingest import ingest_paths, read_file
from ir.model import Record
from ir.store.tables.ingest import source_records

CSCD = """\
FN Clarivate Analytics Web of Science
VR 1.0
PT J
AU Zhang, S
   Li, W
AF Zhang, San
   Li, Wei
TI Fatigue behaviour of welded joints in orthotropic steel bridge decks
Z1 正交异性钢桥面板焊接接头疲劳性能
SO Journal of Dalian University of Technology
Z3 大连理工大学学报
LA Chinese
DT Article
Z2 张三; 李四
DE fatigue; welded joint; steel bridge deck
AB Fatigue tests were carried out on rib-to-deck welded joints.
Z4 对纵肋与顶板焊接接头进行了疲劳试验。
C1 [Zhang, San; Li, Wei] Dalian Univ Technol, Sch Civil Engn, Dalian 116024, Peoples R China.
SN 1000-8608
PY 2021
VL 61
IS 3
BP 271
EP 279
UT CSCD:6987654
ER

PT J
AU Chen, J
AF Chen, Jing
TI A hybrid model for short-term wind power forecasting
Z1 短期风电功率预测的混合模型
SO Power System Technology
Z3 电网技术
LA Chinese
DT Article
PY 2020
VL 44
IS 5
BP 1
EP 9
UT CSCD:6811111
ER

PT J
AU Yu, RJ
AF Yu, Rongjie
TI Utilizing support vector machine in real-time crash risk evaluation
SO ACCIDENT ANALYSIS AND PREVENTION
PY 2013
VL 51
BP 252
EP 259
UT WOS:000316834300029
ER

EF
"""


def test_cscd_records_are_named_cscd():
    fmt = formats.get("cscd")
    assert formats.detect_text(CSCD) is fmt
    items = list(fmt.parse(CSCD))
    assert all(isinstance(i, Record) for i in items), items
    assert [(r.source, r.source_id) for r in items] == [
        ("cscd", "CSCD:6987654"), ("cscd", "CSCD:6811111"), ("wos", "WOS:000316834300029")]
    first = items[0]
    assert first.title == "Fatigue behaviour of welded joints in orthotropic steel bridge decks"
    assert [a.full_name or a.name for a in first.authors][:2] == ["Zhang, San", "Li, Wei"]
    assert (first.year, first.volume, first.issue, first.first_page, first.last_page) == (2021, "61", "3", "271", "279")
    assert first.raw["Z1"] == ["正交异性钢桥面板焊接接头疲劳性能"]
    # the WoS parser's reading, untouched apart from the source
    plain = list(formats.get("wos-plain").parse(CSCD))
    for a, b in zip(items, plain, strict=True):
        b.source = a.source
        assert a.to_dict() == b.to_dict()


def _wos_filler(n: int) -> str:
    """n WoS records (distinct UTs) of an all-databases export, in the layout of the fixture's WOS: record."""
    rec = CSCD[CSCD.index("PT J\nAU Yu, RJ") : CSCD.index("ER\n\nEF")]
    return "".join(rec.replace("WOS:000316834300029", f"WOS:{k:015d}") + "ER\n\n" for k in range(n))


def test_cscd_ids_past_the_sniffed_head_are_cscd(tmp_path):
    """Detection reads the first 64 KiB only: CSCD records further down are named by the WoS mapping itself."""
    head, _, body = CSCD.partition("VR 1.0\n")
    text = head + "VR 1.0\n" + _wos_filler(400) + body
    assert text.index("UT CSCD:") > formats.SNIFF_BYTES
    assert formats.detect_text(text).name == "wos-plain"
    items = list(formats.get("wos-plain").parse(text))
    assert len(items) == 403 and all(isinstance(i, Record) for i in items)
    assert {i.source for i in items[:400]} == {"wos"}
    assert [(r.source, r.source_id) for r in items[400:]] == [
        ("cscd", "CSCD:6987654"), ("cscd", "CSCD:6811111"), ("wos", "WOS:000316834300029")]
    # the same through read_file, and the careful reader (a stray line sends the file there) agrees
    path = tmp_path / "savedrecs.txt"
    path.write_text(text, encoding="utf-8")
    assert [i.source for i in read_file(path).items] == [i.source for i in items]
    careful = list(formats.get("wos-plain").parse(text.replace("\nEF", "\nstray text\nEF")))
    assert [i.source for i in careful if isinstance(i, Record)] == [i.source for i in items]


@pytest.mark.parametrize("ut,source", [
    ("CSCD:6987654", "cscd"), ("cscd:6987654", "cscd"), ("WOS:000316834300029", "wos"), ("MEDLINE:123", "wos"),
    ("CSCDX:1", "wos"),
])
def test_source_by_ut(ut, source):
    fields = {"TI": ["A title"], "UT": [ut]}
    assert build_record(fields).source == source


def test_sniff_leaves_plain_wos_to_the_wos_parser(samples):
    fmt = formats.get("cscd")
    assert not fmt.sniff(CSCD.replace("UT CSCD:", "UT WOS:"))
    for path in sorted(samples.rglob("*")):
        if path.is_file() and path.name != "MANIFEST.md":
            head = read_file(path).data.decode("utf-8-sig", "replace")[: formats.SNIFF_BYTES]
            assert not fmt.sniff(head), path.name
    # and no other format claims a CSCD file
    assert [f.name for f in formats.formats() if not f.binary and f.sniff(CSCD)][0] == "cscd"


def test_ingest_end_to_end(store, tmp_path):
    path = tmp_path / "savedrecs.txt"
    path.write_bytes(CSCD.replace("\n", "\r\n").encode("utf-8-sig"))
    (res,) = ingest_paths(store, [path])
    assert (res.format, res.records_read, res.stored, res.quarantined) == ("cscd", 3, 3, 0)
    with store.connect() as conn:
        rows = conn.execute(sa.select(source_records.c.source, source_records.c.source_id, source_records.c.updated_at)
                            .order_by(source_records.c.source_id)).all()
    assert [(s, i) for s, i, _ in rows] == [("cscd", "CSCD:6811111"), ("cscd", "CSCD:6987654"),
                                           ("wos", "WOS:000316834300029")]
    ingest_paths(store, [path])
    with store.connect() as conn:
        again = conn.execute(sa.select(source_records.c.source, source_records.c.source_id, source_records.c.updated_at)
                             .order_by(source_records.c.source_id)).all()
    assert again == rows
