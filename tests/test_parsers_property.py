"""Robustness of every parser: truncated, corrupted or shuffled exports never raise, and every record
read ends stored or quarantined (read = stored + quarantined), on real samples and generated exports."""

from __future__ import annotations

import random
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ir import formats
from ir.ingest import ParsedFile, read_file, store_file
from ir.model import Problem, Record
from tests.conftest import SAMPLES

# small real and generated exports of every family: WoS, Scopus, CNKI, Wanfang, EI
SEEDS: list[bytes] = []
for rel in ("wos_plain/mrhelper-demo_wos_202101.txt", "cnki_estudy/mrhelper-demo_cnki_202101.txt",
            "wanfang_noteexpress/mrhelper-demo_wanfang_202101.NET"):
    if (SAMPLES / rel).is_file():
        SEEDS.append((SAMPLES / rel).read_bytes()[:20000])
if (SAMPLES / "scopus_csv/helioszjr-bibliometrix-scopus.csv").is_file():
    SEEDS.append((SAMPLES / "scopus_csv/helioszjr-bibliometrix-scopus.csv").read_bytes()[:30000])


@pytest.fixture(scope="module")
def seeds(tmp_path_factory):
    from ir.demo import generate

    folder = tmp_path_factory.mktemp("demo")
    generate(folder, works=12, people=20, seed=5)
    generated = [p.read_bytes() for p in sorted((folder / "exports").rglob("*")) if p.is_file()]
    return SEEDS + generated


def shuffle_lines(data: bytes, rnd: random.Random) -> bytes:
    lines = data.split(b"\n")
    i, j = sorted(rnd.sample(range(len(lines)), 2)) if len(lines) > 2 else (0, 0)
    lines[i], lines[j] = lines[j], lines[i]
    return b"\n".join(lines)


@st.composite
def damaged(draw, seeds):
    data = draw(st.sampled_from(seeds))
    rnd = random.Random(draw(st.integers(0, 2**32)))
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["truncate", "garbage", "shuffle", "delete"]))
        if kind == "truncate" and len(data) > 1:
            data = data[: rnd.randrange(1, len(data))]
        elif kind == "garbage":
            at = rnd.randrange(0, len(data) + 1)
            data = data[:at] + draw(st.binary(min_size=1, max_size=64)) + data[at:]
        elif kind == "shuffle":
            data = shuffle_lines(data, rnd)
        elif kind == "delete" and len(data) > 10:
            at = rnd.randrange(0, len(data) - 5)
            data = data[:at] + data[at + rnd.randrange(1, 200):]
    return data


def test_damaged_exports_never_raise_and_every_record_is_accounted_for(seeds, tmp_path, sqlite_store):
    path = tmp_path / "export.txt"
    counter = iter(range(10**6))

    @settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
    @given(damaged(seeds))
    def check(data):
        pf = read_file(path, data)  # never raises
        assert all(isinstance(i, Record | Problem) for i in pf.items)
        assert pf.error is not None or pf.fmt is not None
        # stored under a unique name so every example is its own batch
        res = store_file(sqlite_store, ParsedFile(tmp_path / f"e{next(counter)}.txt", data + b"\n" * 0,
                                                  pf.fmt, pf.encoding, pf.error, pf.items))
        assert res.records_read == res.stored + res.quarantined == len(pf.items)

    check()


# ---------------------------------------------------------------------------- record splitting
#
# Exports written from generated records with the quirks real files have: multi-paragraph abstracts (blank
# lines, indented lines), untagged continuation lines, bare CRs inside a value, CRLF and LF mixed, blank lines
# between and inside records, a file header. Every format must give back exactly the records written, in
# order, each with its own title, authors and abstract: nothing cut, nothing merged.

_ZH = "的研究基于分析模型数据网络学习深度图书馆信息资源知识发现系统方法应用技术"
_NAME = st.text(alphabet="王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文",
                min_size=2, max_size=3)
_WORD = st.text(alphabet=_ZH, min_size=2, max_size=6)
_LINE = st.lists(_WORD, min_size=1, max_size=4).map(" ".join)
_PARAGRAPH = st.lists(_LINE, min_size=1, max_size=3)


@st.composite
def _records(draw):
    return [
        {
            "title": draw(_LINE),
            "authors": draw(st.lists(_NAME, min_size=1, max_size=4, unique=True)),
            "abstract": draw(st.lists(_PARAGRAPH, min_size=1, max_size=3)),
            "keywords": draw(st.lists(_WORD, min_size=1, max_size=4, unique=True)),
            "unit": draw(_WORD) + "大学",
        }
        for _ in range(draw(st.integers(1, 6)))
    ]


def _abstract(paragraphs: list[list[str]], first: str, indent: str, gap: str = "\n") -> list[str]:
    """An abstract's lines: its first line after the tag, paragraphs after blank lines and indented."""
    lines = [first + paragraphs[0][0]] + [indent + x for x in paragraphs[0][1:]]
    for para in paragraphs[1:]:
        lines += [""] * gap.count("\n") + [indent + x for x in para]
    return lines


def _endnote(r) -> list[str]:
    return (["%0 Journal Article"] + [f"%A {a}" for a in r["authors"]] + [f"%+ {r['unit']};", f"%T {r['title']}",
            f"%K {';;'.join(r['keywords'])}"] + _abstract(r["abstract"], "%X ", "    ", "\n\n") + ["%W CNKI"])


def _refworks(r) -> list[str]:
    # K1 then an untagged line of more keywords and a blank line, inside the record (CNKI, 2021)
    return (["RT Journal Article", "SR 1", f"A1 {';'.join(r['authors'])};", f"AD {r['unit']};", f"T1 {r['title']}",
             f"K1 {';'.join(r['keywords'])}", " english;keywords", ""] + _abstract(r["abstract"], "AB ", "\t")
            + ["LA 中文;", "DS CNKI"])


def _noteexpress(r) -> list[str]:
    # an older address: bare CRs, then an untagged ',place' line
    return (["{Reference Type}: Journal Article", f"{{Title}}: {r['title']}", f"{{Author}}: {','.join(r['authors'])}",
             f"{{Author Address}}: {r['unit']} 武汉,430074\r\r\r\r", ",武汉,430074"]
            + _abstract(r["abstract"], "{Abstract}: ", "", "\n\n") + ["{Database Provider}: CNKI"])


def _ris(r) -> list[str]:
    return (["TY  - JOUR", f"TI  - {r['title']}"] + [f"AU  - {a}" for a in r["authors"]]
            + [f"KW  - {r['keywords'][0]}"] + r["keywords"][1:] + _abstract(r["abstract"], "AB  - ", "  ")
            + ["DB  - CNKI", "ER  - "])


def _ris_without_ty(r) -> list[str]:
    return _ris(r)[1:]


def _cssci(r) -> list[str]:
    return ([f"【来源篇名】{r['title']}", f"【来源作者】{'/'.join(r['authors'])}", f"【机构名称】[1]{r['unit']}",
             f"【关 键 词】{'/'.join(r['keywords'])}", "【年代卷期】2019,38(040):121-125,171", "【参考文献】",
             "1.引文一.期刊.2010.(3)", "2.引文二.期刊.2011.(4)", "-" * 71])


def _ei(r) -> list[str]:
    return (["<RECORD 1>", "Accession number:20214210997362", f"Title:{r['title']}",
             f"Authors:{'; '.join(r['authors'])}"] + _abstract(r["abstract"], "Abstract:", "")
            + ["Database:Compendex", "Compilation and indexing terms, Copyright 2021 Elsevier Inc."])


def _bibtex(r) -> list[str]:
    abstract = _abstract(r["abstract"], "abstract = {", "   ", "\n\n")
    abstract[-1] += "},"
    return ([f"@article{{{r['unit']},", f"title = {{{r['title']}}},", f"author = {{{' and '.join(r['authors'])}}},"]
            + abstract + ["year = {2020}", "}"])


_WRITERS = {  # format -> (writer, file header, abstract kept)
    "cnki-endnote": (_endnote, [], True),
    "cnki-refworks": (_refworks, [], True),
    "noteexpress": (_noteexpress, [], True),
    "ris": (_ris, ["Provider: a reference manager", ""], True),
    "ris-no-ty": (_ris_without_ty, [], True),
    "cssci": (_cssci, ["南京大学中国社会科学研究评价中心", "数字文献处理系统 版本：2.1", ""], False),
    "ei-plain": (_ei, ["Data Provider: Engineering Village", ""], True),
    "bibtex": (_bibtex, ["Scopus", "EXPORT DATE: 13 January 2017", ""], True),
}


def _squash(text: str | None) -> str:
    return re.sub(r"\s+", "", text or "")


@pytest.mark.parametrize("kind", sorted(_WRITERS))
def test_splitting_keeps_every_record_whole(kind):
    writer, header, has_abstract = _WRITERS[kind]
    fmt = formats.get("ris" if kind == "ris-no-ty" else kind)

    @settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
    @given(_records(), st.lists(st.sampled_from(["\n", "\r\n"]), min_size=1, max_size=8),
           st.lists(st.integers(0, 3), min_size=1, max_size=8))
    def check(records, line_ends, gaps):
        lines = list(header)
        for k, r in enumerate(records):
            lines += writer(r) + [""] * (gaps[k % len(gaps)] or (1 if kind != "cssci" else 0))
        text = "".join(line + line_ends[i % len(line_ends)] for i, line in enumerate(lines))
        assert formats.detect_text(text) is fmt
        items = list(fmt.parse(text))
        assert [type(i).__name__ for i in items] == ["Record"] * len(records), [getattr(i, "reason", "") for i in items]
        for rec, r in zip(items, records, strict=True):
            assert _squash(rec.title) == _squash(r["title"])
            assert [a.name for a in rec.authors] == r["authors"]
            if has_abstract:
                assert _squash(rec.abstract) == _squash("".join(x for p in r["abstract"] for x in p))
                assert rec.abstract.count("\n") <= sum(len(p) for p in r["abstract"])

    check()
