"""CNKI E-Study and CNKI "custom" (自定义) exports: ``Field-中文名: value`` lines.

E-Study records start at ``DataType: 1``; the custom export starts each record at
``SrcDatabase-来源库:``. Both share one line grammar (an English field name, a hyphen, a Chinese
label, a colon), so one parser reads both: a record starts wherever the file's first field repeats.

Field names differ between the two (``Organ-机构`` / ``Organ-单位``, ``Source-刊名`` /
``Source-文献来源``, ``Roll-卷`` / ``Volume-卷``, ``Page-页码`` / ``PageCount-页码``): a field is
recognised by its English name first, then by its Chinese label (:data:`FIELDS`), and the same table
serves the CNKI Excel exports, whose column headers are the same names with or without the English part.

Authors and units: CNKI lists units (``Organ``) apart from authors, with no stated correspondence.
When there are as many units as authors they are linked by position; otherwise no author is linked and
every unit stays on the record (:func:`ir.formats._tagged.link_by_order`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from functools import lru_cache

from ir.formats import Format, Parsed, register
from ir.formats._tagged import (
    Grammar,
    TaggedRecord,
    build_tagged,
    first_line,
    provider_source,
    split_names,
    split_records,
    unwrap,
)
from ir.formats._util import clean, split_list
from ir.model import Problem, Record

# role -> the names a CNKI field goes by: English field names (case-insensitive) and Chinese labels
FIELDS: dict[str, tuple[str, ...]] = {
    "title": ("title", "题名", "篇名", "标题", "中文题名"),
    "author": ("author", "authors", "作者", "作者名", "责任者"),
    "first_duty": ("firstduty", "第一责任人", "第一作者"),
    "organ": ("organ", "机构", "单位", "作者单位", "作者机构", "机构名称"),
    "source": ("source", "刊名", "文献来源", "来源", "来源刊", "期刊名称", "来源期刊", "报纸名称"),
    "year": ("year", "年", "年份", "年度", "出版年"),
    "pub_time": ("pubtime", "出版时间", "发表时间", "出版日期", "发表日期", "publishdate"),
    "keywords": ("keyword", "keywords", "关键词", "关键字"),
    "summary": ("summary", "abstract", "摘要"),
    "issue": ("period", "issue", "期"),
    "volume": ("roll", "volume", "卷"),
    "pages": ("page", "pages", "页码"),
    "page_count": ("pagecount", "页数"),
    "src_database": ("srcdatabase", "来源库", "数据库", "文献类型"),
    "link": ("link", "url", "链接", "网址"),
    "filename": ("filename", "文件名"),
    "doi": ("doi",),
    "issn": ("issn", "国际标准刊号"),
    "isbn": ("isbn", "国际标准书号"),
    "cn": ("cn", "国内统一刊号", "统一刊号"),
    "clc": ("clc", "中图分类号", "分类号"),
    "fund": ("fund", "基金", "基金资助"),
    "conference": ("meeting", "meetingname", "conference", "会议名称"),
    "cited": ("cited", "被引", "被引频次", "被引次数"),
    "language": ("language", "语种"),
    "supervisor": ("contributor", "supervisor", "导师", "指导教师"),
    "degree": ("degree", "学位", "学位授予类型"),
}
_BY_NAME = {name.casefold(): role for role, names in FIELDS.items() for name in names}


@lru_cache(maxsize=1024)
def field_role(name: str) -> str | None:
    """'Title-题名' / 'Title' / '题名' / 'Organ-单位' -> the role of the field; None when unknown."""
    name = clean(name.replace("\ufeff", "")) or ""
    english, _, label = name.partition("-")
    for key in (english, label, name):
        role = _BY_NAME.get(key.strip().casefold()) if key else None
        if role:
            return role
    return None


def split_authors(value: str | None) -> list[str]:
    """'柯洪琴;陈璿英;王启斌;' -> 3 names. Commas separate too in Chinese lists (names never hold one)."""
    return split_names([value]) if value else []


def split_keywords(value: str | None) -> list[str]:
    """Keywords are split on ';' / '；'; on commas only when no semicolon is present (chemical names keep theirs)."""
    if not value:
        return []
    if re.search("[;；]", value):
        return split_list(value, ";；")
    return split_list(value, ",，")


def build_record(
    values: Mapping[str, str | None],
    raw: dict[str, list[str]],
    *,
    record_no: int,
    line: int | None,
    text: str,
    title_field: str = "Title-题名",
    source: str | None = None,
) -> Record | Problem:
    """One CNKI record from its fields by role (shared by the text and the Excel exports)."""
    get = lambda role: unwrap(values.get(role))  # noqa: E731
    if not get("title"):
        return Problem(reason="record has no title", record_no=record_no, line=line, field=title_field, raw=text)
    page_range, page_count = get("pages"), get("page_count")
    if page_count and not re.fullmatch(r"\d+", page_count):
        # the custom export calls the page range "PageCount-页码"
        page_range, page_count = page_range or page_count, None
    roles = {
        "ref_type": [get("src_database")],
        "authors": split_authors(get("author") or get("first_duty")),
        "addresses": [values.get("organ")],  # one ';'-separated entry: CNKI's order-based rule
        "keywords": split_keywords(get("keywords")),
        "pages": [page_range],
        "page_count": [page_count],
        "url": [get("link")],
        "native_id": [get("filename")],
        "journal": [get("source")],
        "date": [get("pub_time")],
        "volume": [get("volume")], "issue": [get("issue")],
        "issn_isbn": [get("issn")], "isbn": [get("isbn")], "cn": [get("cn")],
        "title": [get("title")], "abstract": [values.get("summary")], "year": [get("year")], "doi": [get("doi")],
        "conference": [get("conference")], "language": [get("language")], "clc": [get("clc")],
        "fund": [get("fund")], "times_cited": [get("cited")],
        "tertiary_authors": [get("supervisor")], "type_of_work": [get("degree")],
    }
    # the database the record names (a Wanfang link or 来源库), CNKI by default: these are CNKI's layouts
    source = source or provider_source(get("link"), get("src_database")) or "cnki"
    return build_tagged({k: [x for x in v if x] for k, v in roles.items()}, raw, source=source)


# ---------------------------------------------------------------- the text export

LINE = re.compile(r"^(?P<tag>DataType|[A-Za-z][A-Za-z0-9_]*-[^:：\s]{1,24})[ \t]*[:：][ \t]?(?P<value>.*)$")
_LABELLED = re.compile(r"^[A-Za-z][A-Za-z0-9_]*-[\u3400-\u9fff]+[ \t]*[:：]")


def sniff(text: str | bytes) -> bool:
    if not isinstance(text, str):
        return False
    head = first_line(text)
    if head is None:
        return False
    if re.match(r"^(DataType|SrcDatabase-来源库)\s*[:：]", head):
        return True
    lines = [ln for ln in text.lstrip("\ufeff").split("\n", 30)[:30] if ln.strip()]
    return bool(_LABELLED.match(head)) and sum(1 for ln in lines if _LABELLED.match(ln)) >= 3


def parse(text: str | bytes) -> Parsed:
    if isinstance(text, bytes):
        yield Problem(reason="cnki-estudy expects text, got bytes")
        return
    text = text.lstrip("\ufeff")
    m = next((LINE.match(ln) for ln in text.split("\n") if LINE.match(ln)), None)
    start = m.group("tag") if m else "DataType"
    yield from _records(split_records(text, Grammar(LINE, starts=frozenset({start}), lost_start=True)))


def _records(records: Iterator[TaggedRecord]) -> Parsed:
    for rec in records:
        if rec.stray:
            line, content = rec.stray[0]
            yield Problem(reason=f"text outside any field: {content[:80]!r}", record_no=rec.record_no, line=line,
                          raw=rec.text)
            continue
        values: dict[str, str | None] = {}
        title_tag = "Title-题名"
        titles = 0
        for f in rec.fields:
            role = field_role(f.tag)
            if role == "title":
                title_tag = f.tag
                titles += 1
            if role and not clean(values.get(role)):
                values[role] = f.value
        if titles > 1:
            yield Problem(reason="two titles in one record: a record start line (DataType/SrcDatabase) is missing",
                          record_no=rec.record_no, line=rec.line, field=title_tag, raw=rec.text)
            continue
        yield build_record(values, rec.raw(), record_no=rec.record_no, line=rec.line, text=rec.text,
                           title_field=title_tag)


FORMAT = register(Format(
    name="cnki-estudy",
    source="cnki",
    description="CNKI E-Study / custom export (DataType: 1, Title-题名: ...)",
    binary=False,
    sniff=sniff,
    parse=parse,
    priority=40,
))
