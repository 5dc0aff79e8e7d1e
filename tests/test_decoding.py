"""Decoding export bytes: every encoding seen in practice, line ends, and refusal of binary data."""

from __future__ import annotations

import codecs
import random

import pytest

from ir.decoding import UndecodableError, damage_mark, damaged_lines, decode, garbled, looks_binary

TEXT = "PT J\nAU 张三\nTI Catalysis of CO₂ — α-Fe2O3\nER\n"


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (TEXT.encode("utf-8"), "utf-8"),
        (codecs.BOM_UTF8 + TEXT.encode("utf-8"), "utf-8-sig"),
        (codecs.BOM_UTF16_LE + TEXT.encode("utf-16-le"), "utf-16"),
        (codecs.BOM_UTF16_BE + TEXT.encode("utf-16-be"), "utf-16"),
        (TEXT.replace("₂", "2").replace("—", "-").replace("α", "a").encode("utf-16-le"), "utf-16-le"),
        ("题名: 催化剂的制备与表征研究\n作者: 张三;李四;\n单位: 大连理工大学化工学院\n".encode("gb18030"), "gb18030"),
    ],
)
def test_decodes_every_export_encoding(data, encoding):
    decoded = decode(data)
    assert decoded.encoding == encoding
    assert "\r" not in decoded.text and not decoded.text.startswith("\ufeff")
    assert ("张三" in decoded.text) or ("AU" in decoded.text)


@pytest.mark.parametrize("newline", ["\r\n", "\r", "\n"])
def test_line_ends_become_lf(newline):
    assert decode(TEXT.replace("\n", newline).encode()).text == TEXT


def test_gbk_text_is_not_mistaken_for_utf8_or_latin1():
    text = "摘要: 以大连理工大学化工学院的催化实验为例，研究了反应机理。" * 20
    assert decode(text.encode("gbk")).text == text


@pytest.mark.parametrize(
    ("data", "binary"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4, True),
        (bytes(range(256)) * 8, True),
        (TEXT.encode("utf-8"), False),
        (codecs.BOM_UTF16_LE + TEXT.encode("utf-16-le"), False),
        ("AU Zhang\n".encode("utf-16-le"), False),
    ],
)
def test_binary_detection(data, binary):
    assert looks_binary(data) is binary


def test_undecodable_bytes_raise_a_clear_error_or_decode():
    # invalid in UTF-8 and in GB18030; whatever detection decides, it never crashes with another error
    data = b"\xff\xfe\xfd\x80\x81" * 3 + b"\xc3\x28" * 5
    try:
        decode(data[2:])
    except UndecodableError as exc:
        assert "encoding" in str(exc) or "decode" in str(exc)


@pytest.mark.parametrize("bom", [b"", codecs.BOM_UTF8])
def test_a_few_corrupt_bytes_in_utf8_text_are_marked_on_their_line_not_misread(bom):
    text = "TI 催化剂的制备 and catalysis\n" * 400
    data = bytearray(bom + text.encode("utf-8"))
    data[len(bom) + 5000] = 0x80  # one damaged byte in the middle of a download
    decoded = decode(bytes(data))
    assert decoded.encoding == ("utf-8-sig" if bom else "utf-8")
    [line] = decoded.damaged
    assert decoded.text.splitlines()[line - 1] == "TI 催化剂的制备 and cataly" + damage_mark(line) + "is"
    assert decoded.damaged[line] == "TI 催化剂的制备 and cataly\\x80is"  # the bytes as read, nothing lost
    assert decoded.text.count("催化剂的制备") == 400 and damaged_lines(decoded.text) == [line]


def test_binary_lines_and_nul_bytes_become_one_mark_per_line():
    text = "PT J\nTI A title\nER\n"
    data = text.encode() + b"\x00\x01\x02\x03garbage\x04\x05\n" + text.encode()
    decoded = decode(data)
    assert decoded.text == text + damage_mark(4) + "\n" + text
    assert decoded.damaged == {4: "\\x00\\x01\\x02\\x03garbage\\x04\\x05"}
    assert "\x00" not in decoded.text


def test_gbk_text_with_a_damaged_stretch_stays_gbk():
    rows = [f"题名: 催化剂的制备与表征研究 第{i}篇\n作者: 张三;李四;\n单位: 大连理工大学化工学院\n" for i in range(300)]
    data = bytearray("".join(rows).encode("gb18030"))
    data[4000:4040] = b"\xff" * 40
    decoded = decode(bytes(data))
    assert decoded.encoding == "gb18030" and decoded.warning is None
    assert len(decoded.damaged) == 1 and decoded.text.count("大连理工大学化工学院") >= 298


def test_a_valid_start_followed_by_garbage_is_text_with_a_damaged_tail():
    rng = random.Random(11)
    head = "FN Clarivate Analytics Web of Science\nVR 1.0\nPT J\nTI Catalysis\nER\n".encode()
    data = head + bytes(rng.randrange(256) for _ in range(50_000))
    assert not looks_binary(data)
    decoded = decode(data)
    assert decoded.encoding == "utf-8" and decoded.text.startswith(head.decode())
    assert min(decoded.damaged) >= 6 and len(decoded.damaged) > 50
    assert "\x00" not in decoded.text and "\udcff" not in decoded.text


def test_utf8_read_as_windows_1252_and_saved_again_is_called_garbled():
    text = "AU Müller, J\nC1 Univ Zürich, Inst Chem, CH-8057 Zürich, Switzerland.\nTI Über die Katalyse – eine Übersicht\n" * 20
    double = text.encode("utf-8").decode("cp1252").encode("utf-8")
    decoded = decode(double)
    assert decoded.encoding == "utf-8" and "Windows-1252" in decoded.warning and "encodings tried: utf-8" in decoded.warning
    assert decode(text.encode("utf-8")).warning is None


def test_real_chinese_text_is_not_called_garbled_but_shift_jis_read_as_gb18030_is():
    text = "摘要: 以大连理工大学化工学院的催化实验为例，研究了反应机理。关键词: 催化剂;表征;\n" * 30
    assert garbled(text) is None
    mojibake = text.encode("shift_jis", "replace").decode("gb18030", "replace")
    assert "common use" in garbled(mojibake)


def test_an_encoding_given_by_the_librarian_is_used_as_is():
    text = "題名: 触媒の研究\n"
    decoded = decode(text.encode("shift_jis"), encoding="shift_jis")
    assert (decoded.text, decoded.encoding, decoded.warning, decoded.guessed) == (text, "shift_jis", None, None)
    with pytest.raises(UndecodableError, match="unknown encoding"):
        decode(b"x", encoding="no-such-encoding")
