"""Decoding export bytes: every encoding seen in practice, line ends, and refusal of binary data."""

from __future__ import annotations

import codecs

import pytest

from ir.decoding import UndecodableError, decode, looks_binary

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
def test_a_few_corrupt_bytes_in_utf8_text_are_replaced_not_misread(bom):
    text = "TI 催化剂的制备 and catalysis\n" * 400
    data = bytearray(bom + text.encode("utf-8"))
    data[len(bom) + 5000] = 0x80  # one damaged byte in the middle of a download
    decoded = decode(bytes(data))
    assert decoded.encoding.endswith("1 bad byte(s) replaced")
    assert decoded.text.count("催化剂的制备") >= 399 and "\ufffd" in decoded.text
