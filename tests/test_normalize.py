"""Normalisation: table-driven tests of the pure functions in ir.normalize."""

from __future__ import annotations

import pytest

from ir.normalize import (
    corrected_title, document_kind, expand_pages, is_preprint, issue_key, journal_edition, journal_key, journal_match,
    normalize_doi, normalize_issn, page_key, surname_key, title_display, title_key, valid_issn, venue_kind, volume_key,
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
    ("欧阳修", "ouyang"),  # a compound surname (Ei writes 'Ouyang, Xiu')
    ("欧阳", "ou"),  # a two-character name: 欧 and the given name 阳
    ("曾小明", "zeng"),  # the surname reading, not the everyday 'ceng'
    ("单田芳", "shan"),
    ("LI Wei", "li"),  # CNKI's and Ei's family name in capitals, first
    ("ZHANG San-li", "zhang"),
    ("OUYANG Xiaoming", "ouyang"),
    ("PBMGC Koch", "koch"),
    ("吕倩", "lv"), ("Lyu, Qian", "lv"), ("Lv, Qian", "lv"),  # 吕 in pypinyin's and the databases' spellings  # Google Scholar's initials of three authors run together, then the last surname
    ("John Smith", "smith"),  # a Western co-author in CNKI, given name first
    ("JD Ullman", "ullman"),
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
    ("gen", "Deep learning for crash prediction", None),  # RIS GEN: says nothing
    ("misc", "Deep learning for crash prediction", None),  # BibTeX misc
    ("中国会议", "基于深度学习的交通事故预测", "conference"),  # CNKI's conference database (SrcDatabase)
    ("国际会议", "Deep learning for crash prediction", "conference"),
    ("inproceedings", "Deep learning for crash prediction", "conference"),
    ("posted content", "Deep learning for crash prediction", "preprint"),
    ("article", "RETRACTED ARTICLE: Deep learning for crash prediction", "journal"),  # the retracted article itself
    ("article", "Retraction Note: Deep learning for crash prediction", "retraction"),
])
def test_document_kind(doc_type, title, kind):
    assert document_kind(doc_type, title) == kind


@pytest.mark.parametrize("name, base, edition", [
    ("大连理工大学学报(自然科学版)", "大连理工大学学报", "natural science"),
    ("大连理工大学学报（社会科学版）", "大连理工大学学报", "social science"),  # full-width brackets
    ("浙江大学学报(工学版)", "浙江大学学报", "engineering"),
    ("吉林大学学报(医学版)", "吉林大学学报", "medicine"),
    ("Journal of Jilin University (Engineering and Technology Edition)", "Journal of Jilin University", "engineering"),
    ("Journal of Tsinghua University (Science and Technology)", "Journal of Tsinghua University", "natural science"),
    ("Zhongshan Daxue Xuebao, Ziran Kexue Ban", "Zhongshan Daxue Xuebao", "natural science"),
    ("Xi'an Jiaotong Daxue Xuebao (Yixue Ban)", "Xi'an Jiaotong Daxue Xuebao", "medicine"),
    ("Journal of Southeast University (Natural Science Edition)", "Journal of Southeast University", "natural science"),
    ("Acta Physica Sinica (Chinese Edition)", "Acta Physica Sinica", "chinese"),
    # no edition: Ei's pinyin/English name, and names that end in words an edition also uses
    ("Dalian Ligong Daxue Xuebao/Journal of Dalian University of Technology",
     "Dalian Ligong Daxue Xuebao/Journal of Dalian University of Technology", None),
    ("Journal of Harbin Institute of Technology", "Journal of Harbin Institute of Technology", None),
    ("Chinese Journal of Natural Science", "Chinese Journal of Natural Science", None),
    ("", "", None),
])
def test_journal_edition(name, base, edition):
    assert journal_edition(name) == (base, edition)


@pytest.mark.parametrize("title, named", [
    ("Correction: Deep learning for crash prediction", "deep learning for crash prediction"),
    ("Correction to: Deep learning for crash prediction", "deep learning for crash prediction"),
    ("Erratum to \"Deep learning for crash prediction\" [Saf. Sci. 120 (2020) 1-10]", "deep learning for crash prediction"),
    ("Corrigendum to 'Deep learning for crash prediction'", "deep learning for crash prediction"),
    ("Publisher Correction: Deep learning for crash prediction", "deep learning for crash prediction"),
    ("Deep learning for crash prediction (vol 12, pg 100, 2020)", ""),  # no notice prefix
    ("Correction: Deep learning for crash prediction (vol 12, pg 100, 2020)", "deep learning for crash prediction"),
    ("Retraction Note: Deep learning for crash prediction", "deep learning for crash prediction"),
    ("Retraction notice to “Deep learning for crash prediction” [Saf. Sci. 5 (2019) 100-110]", "deep learning for crash prediction"),
    ("Notice of Retraction: Deep learning for crash prediction", "deep learning for crash prediction"),
    ("更正：基于深度学习的交通事故预测", title_key("基于深度学习的交通事故预测")),
    ("Deep learning for crash prediction", ""),
    (None, ""),
])
def test_corrected_title(title, named):
    assert corrected_title(title) == named


@pytest.mark.parametrize("venue, doi, preprint", [
    ("arXiv", None, True),
    ("CoRR", None, True),  # DBLP's arXiv
    ("bioRxiv", None, True),
    ("SSRN Electronic Journal", None, True),
    ("Research Square", None, True),
    (None, "10.48550/arXiv.2101.00001", True),
    (None, "https://doi.org/10.1101/2020.03.04.123456", True),  # bioRxiv / medRxiv
    (None, "10.1101/gad.123456.119", False),  # Genes & Development, the same prefix
    (None, "10.21203/rs.3.rs-123456/v1", True),
    ("Journal of Physics: Conference Series", "10.1088/1742-6596/1234/1/012001", False),
    (None, None, False),
])
def test_is_preprint(venue, doi, preprint):
    assert is_preprint(venue, doi) is preprint


@pytest.mark.parametrize("name, kind", [
    ("Proc. VLDB", "conference"),
    ("VLDB J.", "journal"),
    ("VLDB", None),
    ("CoRR", "preprint"),
    ("arXiv preprint arXiv:2101.00001", "preprint"),
])
def test_venue_kind(name, kind):
    assert venue_kind(name) == kind


@pytest.mark.parametrize("raw, key", [("09", "9"), ("9", "9"), ("No. 9", "9"), ("9-10", "9"), ("S1", "1"), (None, None)])
def test_issue_key(raw, key):
    assert issue_key(raw) == key


@pytest.mark.parametrize("first, last, pages", [
    ("501", "05", ("501", "505")),  # Ei's shortened last page
    ("501-05", None, ("501", "505")),
    ("1299", "02", ("1299", "1302")),
    ("0501", "0505", ("501", "505")),
])
def test_expand_pages_ei_forms(first, last, pages):
    assert expand_pages(first, last) == pages
