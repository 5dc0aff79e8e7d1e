"""Normalisation: table-driven tests of the pure functions in ir.normalize."""

from __future__ import annotations

import pytest

from ir.normalize import (
    document_kind, expand_pages, journal_key, journal_match, normalize_doi, normalize_issn, page_key,
    surname_key, title_display, title_key, valid_issn, volume_key,
)


@pytest.mark.parametrize("raw, key", [
    ("Deep Learning for Image Segmentation.", "deep learning for image segmentation"),
    ("ＤＥＥＰ　Ｌｅａｒｎｉｎｇ：ａ ｓｕｒｖｅｙ", "deep learning a survey"),  # full-width forms
    ("CO<sub>2</sub> capture on <i>MOF-5</i>", "co2 capture on mof 5"),
    ("Effect of TiO₂ on x²", "effect of tio2 on x2"),
    ("$\\alpha$-Synuclein in H_{2}O", "alpha synuclein in h2o"),
    ("α-Synuclein aggregation", "alpha synuclein aggregation"),
    ("alpha-Synuclein aggregation", "alpha synuclein aggregation"),
    ("<mml:math><mml:mi>β</mml:mi></mml:math>-catalysts", "beta catalysts"),
    ("Self‐healing – “smart” materials", "self healing smart materials"),  # special dashes and quotes
    ("Müller’s Straße", "mullers strasse"),
    ("Crash risk &amp; driver&#39;s age", "crash risk drivers age"),
    ("基于深度学习的图像分割", "基 于 深 度 学 习 的 图 像 分 割"),
    ("", ""),
    (None, ""),
])
def test_title_key(raw, key):
    assert title_key(raw) == key


@pytest.mark.parametrize("raw, shown", [
    ("Effect of TiO₂ on  the α-phase.", "Effect of TiO₂ on the α-phase"),  # original characters kept
    ("CO<sub>2</sub> capture on <i>MOF-5</i>", "CO2 capture on MOF-5"),
    ("ＤＥＥＰ Learning", "ＤＥＥＰ Learning"),
    ("  ", None),
])
def test_title_display_keeps_original_characters(raw, shown):
    assert title_display(raw) == shown


@pytest.mark.parametrize("raw, doi", [
    ("10.1016/j.ssci.2020.104567", "10.1016/j.ssci.2020.104567"),
    ("https://doi.org/10.1016/J.SSCI.2020.104567", "10.1016/j.ssci.2020.104567"),
    ("http://dx.doi.org/10.1016/j.ssci.2020.104567.", "10.1016/j.ssci.2020.104567"),
    ("doi:10.1109/TITS.2019.2901234;", "10.1109/tits.2019.2901234"),
    ("DOI: 10.1002/(SICI)1097-0258(19980815)17:15", "10.1002/(sici)1097-0258(19980815)17:15"),
    ("https://doi.org/10.1000%2Fabc", "10.1000/abc"),
    ("not a doi", None),
    (None, None),
])
def test_normalize_doi(raw, doi):
    assert normalize_doi(raw) == doi


@pytest.mark.parametrize("raw, issn, valid", [
    ("0028-0836", "0028-0836", True),
    ("00280836", "0028-0836", True),
    ("0028 0836", "0028-0836", True),
    ("2049-3630", "2049-3630", True),
    ("1000-002x", "1000-002X", True),
    ("0028-0837", None, False),  # wrong check digit
    ("", None, False),
])
def test_issn(raw, issn, valid):
    assert normalize_issn(raw) == issn
    assert valid_issn(raw) is valid


@pytest.mark.parametrize("first, last, expected", [
    ("1234", "45", ("1234", "1245")),
    ("1234-45", None, ("1234", "1245")),
    ("1234", "1245", ("1234", "1245")),
    ("98", "102", ("98", "102")),
    ("199", "2", ("199", "202")),
    ("e1234", None, ("e1234", None)),
    ("S12", "S19", ("s12", "s19")),
    ("0012", None, ("12", None)),
    (None, None, (None, None)),
])
def test_expand_pages(first, last, expected):
    assert expand_pages(first, last) == expected


@pytest.mark.parametrize("raw, key", [("e1234", "1234"), ("104567", "104567"), ("0012", "12"), ("S1", "1"), (None, None)])
def test_page_key(raw, key):
    assert page_key(raw) == key


@pytest.mark.parametrize("raw, key", [("12", "12"), ("Vol. 12", "12"), ("012", "12"), ("12(3)", "12"), (None, None)])
def test_volume_key(raw, key):
    assert volume_key(raw) == key


@pytest.mark.parametrize("a, b, same", [
    ("J AM CHEM SOC", "Journal of the American Chemical Society", True),
    ("J. Am. Chem. Soc.", "JOURNAL OF THE AMERICAN CHEMICAL SOCIETY", True),
    ("SAFETY SCI", "Safety Science", True),
    ("VLDB", "Very Large Data Bases", True),
    ("SIGMOD Record", "ACM SIGMOD Record", True),
    ("The Lancet", "LANCET", True),
    ("Safety Science", "Accident Analysis and Prevention", False),
    ("J AM CHEM SOC", "Journal of Applied Chemistry", False),
    ("Safety Science", None, None),
])
def test_journal_match(a, b, same):
    assert journal_match(a, b) is same


@pytest.mark.parametrize("raw, key", [
    ("The Journal of Physical Chemistry", "journal physical chemistry"),
    ("Accident Analysis & Prevention", "accident analysis prevention"),
    ("", ""),
])
def test_journal_key(raw, key):
    assert journal_key(raw) == key


@pytest.mark.parametrize("name, key", [
    ("Zhang, S", "zhang"),
    ("Zhang, San", "zhang"),
    ("ZHANG S", "zhang"),
    ("San Zhang", "zhang"),
    ("AS Argon", "argon"),
    ("D. Scott Mackay", "mackay"),
    ("张三", "zhang"),
    ("欧阳修", "ou"),  # the first character; compound surnames are not guessed
    ("Müller, K.", "muller"),
    ("Ludwig van Beethoven", "vanbeethoven"),
    ("Barbar&#225;, D", "barbara"),
    ("", ""),
])
def test_surname_key(name, key):
    assert surname_key(name) == key


@pytest.mark.parametrize("doc_type, title, kind", [
    ("article", "Deep learning for crash prediction", "journal"),
    ("article", "Correction: Deep learning for crash prediction", "correction"),
    ("article", "Erratum to \"Deep learning for crash prediction\"", "correction"),
    ("correction", "Deep learning for crash prediction", "correction"),
    ("article", "Retraction notice to: Deep learning", "retraction"),
    ("letter", "Reply to comment on Deep learning", "reply"),
    ("article", "更正：基于深度学习的交通事故预测", "correction"),
    ("proceedings paper", "Deep learning for crash prediction", "conference"),
    (None, "Deep learning", None),
])
def test_document_kind(doc_type, title, kind):
    assert document_kind(doc_type, title) == kind
