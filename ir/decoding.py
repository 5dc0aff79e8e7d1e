"""Turning an export file's bytes into text: BOMs, UTF-16, GB18030/GBK, CRLF.

Exports seen in practice: UTF-8 with or without BOM (WoS, Scopus), UTF-16LE with BOM
(WoS tab-delimited "Windows" option), GB18030/GBK (CNKI and older Chinese tools).
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass

import charset_normalizer

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),  # before UTF-16LE: its BOM starts with the UTF-16LE one
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


class UndecodableError(ValueError):
    """The bytes are not text in any encoding seen in exports."""


@dataclass(frozen=True, slots=True)
class Decoded:
    text: str  # with LF line ends and no BOM
    encoding: str  # what was used: utf-8, utf-8-sig, utf-16, gb18030, ...


def looks_binary(data: bytes) -> bool:
    """NUL bytes outside UTF-16/32 text, or mostly control characters, mean this is not a text export."""
    head = data[:8192]
    if not head:
        return False
    if any(head.startswith(bom) for bom, _ in _BOMS):
        return False
    if b"\x00" in head:
        # BOM-less UTF-16: every other byte NUL in ASCII text
        zeros_even = head[0::2].count(0)
        zeros_odd = head[1::2].count(0)
        half = len(head) / 2
        return not (zeros_odd > 0.4 * half or zeros_even > 0.4 * half)
    controls = sum(1 for b in head if b < 9 or 13 < b < 32)
    return controls > 0.05 * len(head)


def _mostly(data: bytes, name: str) -> Decoded | None:
    """Text in ``name`` but for a few corrupt bytes (a damaged download): those become U+FFFD and the
    encoding says how many, rather than the whole file being misread as another encoding."""
    text = data.decode(name, errors="replace")
    bad = text.count("\ufffd") - data.decode(name, errors="ignore").count("\ufffd")
    if bad <= max(8, len(data) // 20000):
        return Decoded(_lf(text), f"{name}, {bad} bad byte(s) replaced")
    return None


def decode(data: bytes) -> Decoded:
    for bom, name in _BOMS:
        if data.startswith(bom):
            try:
                return Decoded(_lf(data.decode(name)), name)
            except UnicodeDecodeError:
                mostly = _mostly(data, name)
                if mostly is None:
                    raise UndecodableError(f"starts with a {name} byte-order mark but is not {name} text") from None
                return mostly
    if b"\x00" in data[:4096]:
        # BOM-less UTF-16: the NULs sit in the high byte of ASCII characters
        odd_zeros = data[1:4096:2].count(0)
        name = "utf-16-le" if odd_zeros > data[0:4096:2].count(0) else "utf-16-be"
        try:
            return Decoded(_lf(data.decode(name)), name)
        except UnicodeDecodeError:
            pass
    try:
        return Decoded(_lf(data.decode("utf-8")), "utf-8")
    except UnicodeDecodeError:
        mostly = _mostly(data, "utf-8")
        if mostly is not None:
            return mostly
    # Chinese exports that are not UTF-8 are GBK or GB18030 (a superset): try it before guessing
    try:
        text = data.decode("gb18030")
        if _plausible_cjk(text):
            return Decoded(_lf(text), "gb18030")
    except UnicodeDecodeError:
        pass
    best = charset_normalizer.from_bytes(data[:1_000_000]).best()
    if best is None or best.encoding is None:
        raise UndecodableError("not text in any known encoding (tried UTF-8, UTF-16, GB18030 and detection)")
    try:
        return Decoded(_lf(data.decode(best.encoding)), best.encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        raise UndecodableError(f"detected {best.encoding} but could not decode: {exc}") from None


def _plausible_cjk(text: str) -> bool:
    """GB18030 decodes almost any byte string; accept it only if the result reads as text."""
    sample = text[:20000]
    if not sample:
        return True
    odd = sum(1 for ch in sample if ("\ue000" <= ch <= "\uf8ff") or ch == "\ufffd" or (ord(ch) < 32 and ch not in "\t\r\n"))
    return odd < 0.01 * len(sample)


def _lf(text: str) -> str:
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text
