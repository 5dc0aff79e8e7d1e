"""CSSCI (中文社会科学引文索引) text export, from 南京大学中国社会科学研究评价中心's system.

Layout (no public real sample yet; built from the documented layout and parsers that read it)::

    南京大学中国社会科学研究评价中心 ... (a header)
    【来源篇名】基于关键词演进的我国科技评价学科发展研究
    【英文篇名】The Development of ...
    【来源作者】李强/赵一方/黄岑
    【基    金】国家自然科学基金面上项目(71373253)/...
    【期    刊】科学学与科学技术管理
    【第一机构】中国科学院科技战略咨询研究院
    【机构名称】[李强]中国科学院科技战略咨询研究院./[赵一方]...   (or "[1]北京大学历史学系.北京.100871/[2]...")
    【第一作者】李强
    【中图类号】G306.0
    【年代卷期】2019,40(010):3-19
    【关 键 词】科技评价/关键词/共词分析/学科树
    【参考文献】
    1.作者.题名.期刊.2010.(3)
    -----------------------------------------------------------------------

Labels are matched with their inner spaces removed ("【关 键 词】" = "【关键词】"). Values are "/"-separated
lists. A record starts at 【来源篇名】 or after a line of dashes. CSSCI gives no record id: the source id
is a content hash (title, year, first author, journal) unless an id field is present.
"""

from __future__ import annotations

import re

from ir.formats import Format, Parsed, register
from ir.formats._tagged import Grammar, TaggedRecord, page_range, split_records, unwrap
from ir.formats._util import clean, doc_type, ensure_source_id, has_han, parse_year, split_list, text_lang
from ir.model import Affiliation, Author, Journal, Problem, Record, Title

_LABEL = re.compile(r"^\s*【(?P<tag>[^】]{1,20})】\s*(?P<value>.*)$")
_SEPARATOR = re.compile(r"^\s*-{5,}\s*$")
_SPACES = re.compile(r"[\s\u3000]+")
_FIRST_LABEL = "来源篇名"
_ID_LABELS = ("文献编号", "记录号", "来源编号", "文章编号", "ID")
_TYPES = {"论文": "article", "综述": "review", "书评": "book review", "译文": "article", "评论": "editorial"}


def label(text: str) -> str:
    """'关 键 词' -> '关键词', '基    金' -> '基金'."""
    return _SPACES.sub("", text)


# a record opens at 【来源篇名】 and closes at a line of dashes; the system's banner comes before the first
GRAMMAR = Grammar(_LABEL, starts=frozenset({_FIRST_LABEL}), separator=_SEPARATOR, header=True, key=label)


def sniff(head: str | bytes) -> bool:
    if not isinstance(head, str):
        return False
    return bool(re.search(r"(?m)^\s*【\s*来\s*源\s*篇\s*名\s*】", head))


_VOL_ISSUE = re.compile(
    r"^\s*(?P<year>\d{4})\s*[,，]\s*(?P<vol>[^(（:：]*?)\s*[(（](?P<iss>[^)）]*)[)）]\s*(?:[:：]\s*(?P<pages>.*))?$"
)


def split_year_volume_issue(value: str | None) -> tuple[int | None, str | None, str | None, str | None]:
    """'2019,40(010):3-19' -> (2019, '40', '1', '3-19'); '2020,(05):10-20' -> (2020, None, '05', '10-20').

    CSSCI writes the issue times ten in three digits ('010' is issue 1, '240' issue 24); other codes stay as given.
    """
    value = clean(value)
    if not value:
        return None, None, None, None
    m = _VOL_ISSUE.match(value)
    if not m:
        pages = value.split(":", 1)[1] if ":" in value else None
        return parse_year(value), None, None, clean(pages)
    issue = clean(m.group("iss"))
    if issue and len(issue) == 3 and issue.isdigit() and issue.endswith("0") and issue != "000":
        issue = str(int(issue) // 10)
    return int(m.group("year")), clean(m.group("vol")), issue, clean(m.group("pages"))


_INSTITUTION = re.compile(r"^\s*\[([^\]]*)\]\s*(.*)$")


def split_institutions(value: str | None) -> list[tuple[str | None, str]]:
    """'[1]北京大学历史学系.北京.100871/[2]清华大学...' -> [('1', '北京大学历史学系.北京.100871'), ('2', ...)].

    The bracket names the author, by position or by name ('[李强]中国科学院...'); the final '.' goes.
    """
    out = []
    for part in split_list(value, "/"):
        m = _INSTITUTION.match(part)
        tag, text = (clean(m.group(1)), m.group(2)) if m else (None, part)
        text = clean(text.rstrip(" .。"))
        if text:
            out.append((tag, text))
    return out


def _record(rec: TaggedRecord) -> Record | Problem:
    raw: dict[str, list[str]] = {}
    for f in rec.fields:
        if f.value.strip():
            raw.setdefault(label(f.tag), []).append(f.value.strip())

    def first(name: str) -> str | None:
        return unwrap(raw.get(name, [None])[0])

    title = first("来源篇名")
    if not title:
        return Problem("record has no title (【来源篇名】)", record_no=rec.record_no, line=rec.line, field="来源篇名",
                       raw=rec.text)
    native = next((first(n) for n in _ID_LABELS if first(n)), None)
    out = Record(source="cssci", source_id=native or "")
    out.raw = raw
    out.titles.append(Title(title, text_lang(title)))
    english = first("英文篇名")
    if english:
        out.titles.append(Title(english, text_lang(english), translated=True))
    out.doc_type_raw = first("文章类型") or first("文献类型")
    # CSSCI indexes journal articles; its own type names: 论文 (research paper), 综述 (review), ...
    out.doc_type = _TYPES.get(out.doc_type_raw or "论文") or doc_type(out.doc_type_raw)

    names = split_list(first("来源作者") or first("作者"), "/;；")
    out.authors = [Author(i, n, name_zh=n if has_han(n) else None) for i, n in enumerate(names, 1)]
    for tag, text in split_institutions(first("机构名称")):
        texts = [a.text for a in out.affiliations]
        if text not in texts:
            out.affiliations.append(Affiliation(text))
            texts.append(text)
        idx = texts.index(text)
        if tag is None:
            continue
        if tag.isdigit():
            targets = [out.authors[int(tag) - 1]] if 0 < int(tag) <= len(out.authors) else []
        else:
            targets = [a for a in out.authors if a.name == tag]
        for a in targets:
            if idx not in a.affiliations:
                a.affiliations.append(idx)
    first_org = first("第一机构")
    if first_org and not out.affiliations:
        out.affiliations.append(Affiliation(first_org))
        if out.authors:
            out.authors[0].affiliations.append(0)
    corresponding = first("通讯作者")
    if corresponding:
        who = re.split(r"[（(,，\s]", corresponding, maxsplit=1)[0]
        for a in out.authors:
            if a.name == who:
                a.corresponding = True

    out.journal = Journal(title=first("期刊"))
    year, volume, issue, pages = split_year_volume_issue(first("年代卷期"))
    out.year, out.volume, out.issue = year, volume, issue
    out.first_page, out.last_page, out.continued_pages = page_range(pages)
    out.keywords = split_list(first("关键词"), "/;；")
    out.funding = split_list(first("基金"), "/")
    out.clc_codes = split_list(first("中图类号"), "/;；")
    out.categories = split_list(first("学科类别") or first("学科分类"), "/;；")
    out.language = "zh" if text_lang(title) == "zh" else None
    out.database = "CSSCI"
    return ensure_source_id(out)


def parse(text: str | bytes) -> Parsed:
    if isinstance(text, bytes):
        text = text.decode("utf-8-sig", "replace")
    for rec in split_records(text.lstrip("\ufeff"), GRAMMAR):
        if rec.fields:
            yield _record(rec)
        else:
            line, content = rec.stray[0]
            yield Problem(f"text outside any record: {content[:80]!r}", record_no=rec.record_no, line=line,
                          raw=rec.text)


register(Format("cssci", "cssci", "CSSCI text export (【来源篇名】...)", False, sniff, parse))
