"""Turning an export file's bytes into text: BOMs, UTF-16, GB18030/GBK, CRLF; damage marked, not fatal.

Exports seen in practice: UTF-8 with or without BOM (WoS, Scopus), UTF-16LE with BOM (WoS tab-delimited
"Windows" option), GB18030/GBK (CNKI and older Chinese tools).

A damaged file (a broken download, a disk error, garbage appended to a good export) is decoded all the
same. Every stretch of bytes that is not text in the file's encoding, and every binary line (NUL bytes,
runs of control characters), becomes a *damage mark* naming its line, ``\\ufffdL57\\ufffd``
(:func:`damage_mark`). The parser reads the file as usual; the record it finds around a mark carries
the mark in one of its fields, so ingest quarantines that record alone and stores the rest
(:func:`damaged_lines` finds the marks again). :attr:`Decoded.damaged` keeps each damaged line as read,
its bad bytes written ``\\xNN``, so that nothing is lost.

Text that decodes but reads as garbage (a Shift-JIS file decoded as GB18030; UTF-8 read as Windows-1252
and saved again) is not taken for text: :attr:`Decoded.warning` says so and names the encodings tried.
"""

from __future__ import annotations

import codecs
import dataclasses
import functools
import re
from dataclasses import dataclass, field

import charset_normalizer

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),  # before UTF-16LE: its BOM starts with the UTF-16LE one
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Encodings a garbled file is tried in, to tell the librarian what it probably is
_ALTERNATIVES = ("utf-8", "gb18030", "big5", "shift_jis", "euc_jp", "euc_kr", "cp1252")


class UndecodableError(ValueError):
    """The bytes are not text in any encoding seen in exports."""


@dataclass(frozen=True, slots=True)
class Decoded:
    text: str  # with LF line ends, no BOM, damage marks in place of bytes that are not text
    encoding: str  # what was used: utf-8, utf-8-sig, utf-16, gb18030, ...
    damaged: dict[int, str] = field(default_factory=dict)  # line -> that line as read, bad bytes as \xNN
    warning: str | None = None  # the text looks garbled: why, and the encodings tried
    guessed: str | None = None  # the encoding is detection's guess: the encodings tried first


# ------------------------------------------------------------------------------------------ damage marks

MARK = re.compile(r"\ufffd[Ll](\d+)\ufffd")
_ESCAPED = re.compile("[\udc00-\udcff]+")  # bad bytes, each byte b decoded as U+DC00 + b
# a line worth a closer look: bad bytes, NUL, or a C0 control other than tab, form feed, ^Z and escape
_SUSPECT = re.compile("[\udc00-\udcff\x00-\x08\x0b\x0e-\x19\x1c-\x1f\x7f]")
_CONTROLS = re.compile("[\x00-\x08\x0b\x0e-\x19\x1c-\x1f\x7f]")
_CONTROL_BYTES = re.compile(b"[\x00-\x08\x0b\x0e-\x19\x1c-\x1f\x7f]")
_TEXT_BYTES = bytes(b for b in range(256) if not _CONTROL_BYTES.match(bytes((b,))))


def damage_mark(line: int) -> str:
    return f"\ufffdL{line}\ufffd"


def damaged_lines(text: str) -> list[int]:
    """The lines named by the damage marks in a text (a field value, a record's JSON), in order."""
    if "\ufffd" not in text:
        return []
    return list(dict.fromkeys(int(n) for n in MARK.findall(text)))


def _escape_bytes(err: UnicodeError) -> tuple[str, int]:
    """Decoding: each bad byte b becomes U+DC00 + b (lossless, and never a character of real text)."""
    if isinstance(err, UnicodeDecodeError):
        return "".join(chr(0xDC00 + b) for b in err.object[err.start:err.end]), err.end
    raise err


codecs.register_error("ir-escape", _escape_bytes)


def _as_read(line: str) -> str:
    """A damaged line for people: bad bytes and control characters written as \\xNN."""
    line = _ESCAPED.sub(lambda m: "".join(f"\\x{ord(c) - 0xDC00:02x}" for c in m.group()), line)
    return _CONTROLS.sub(lambda m: f"\\x{ord(m.group()):02x}", line)


def _is_binary(line: str) -> bool:
    """Not text at all: NUL bytes, or control characters or bad bytes making up much of the line."""
    if "\x00" in line:
        return True
    controls = len(_CONTROLS.findall(line))
    bad = sum(len(m) for m in _ESCAPED.findall(line))
    return (controls >= 2 and controls > 0.05 * len(line)) or bad > 0.3 * len(line)


def _marked(data: bytes, name: str) -> tuple[str, dict[int, str]]:
    """Decode in ``name`` whatever the damage: bad stretches and binary lines become damage marks."""
    try:
        return _checked(data, _lf(data.decode(name)), name)
    except UnicodeDecodeError:
        return _mark_lines(_lf(data.decode(name, errors="ir-escape")))


def _checked(data: bytes, text: str, name: str) -> tuple[str, dict[int, str]]:
    """A text decoded without error, binary lines marked. In ASCII-compatible encodings control characters
    are control bytes, which ``bytes.translate`` finds 10x faster than a regular expression."""
    if not name.startswith(("utf-16", "utf-32")) and not data.translate(None, _TEXT_BYTES):
        return text, {}
    return _mark_lines(text)


def _mark_lines(text: str) -> tuple[str, dict[int, str]]:
    if not _SUSPECT.search(text):
        return text, {}
    lines = text.split("\n")
    damaged: dict[int, str] = {}
    for i, line in enumerate(lines):
        if not _SUSPECT.search(line):
            continue
        if _is_binary(line):
            lines[i] = damage_mark(i + 1)
        elif _ESCAPED.search(line):
            lines[i] = _ESCAPED.sub(damage_mark(i + 1), line)
        else:
            continue  # a stray control character in a text line: the parser's to judge
        damaged[i + 1] = _as_read(line)
    return "\n".join(lines), damaged


# --------------------------------------------------------------------------------------------- decoding

# files that land in an inbox beside the exports: PDF, ZIP (docx, xlsx not recognised), images, OLE, archives
_BINARY_MAGIC = (b"%PDF", b"PK\x03\x04", b"\x89PNG", b"GIF8", b"\xff\xd8\xff", b"\xd0\xcf\x11\xe0", b"\x1f\x8b",
                 b"Rar!", b"7z\xbc\xaf")


def looks_binary(data: bytes) -> bool:
    """A known binary file type, or NUL bytes outside UTF-16/32 text, or many control characters: not a text
    export, unless its first line is text (then it is a text file damaged further on: decode it, marking
    the damage)."""
    head = data[:8192]
    if not head:
        return False
    if head.startswith(_BINARY_MAGIC):
        return True
    if any(head.startswith(bom) for bom, _ in _BOMS):
        return False
    if b"\x00" in head:
        # BOM-less UTF-16: every other byte NUL in ASCII text
        zeros_even = head[0::2].count(0)
        zeros_odd = head[1::2].count(0)
        half = len(head) / 2
        binary = not (zeros_odd > 0.4 * half or zeros_even > 0.4 * half)
    else:
        binary = sum(1 for b in head if b < 9 or 13 < b < 32) > 0.05 * len(head)
    return binary and not _text_line(head.split(b"\n", 1)[0][:1024])


def _text_line(line: bytes) -> bool:
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(line) - 3:  # not only a character cut at the end of the sample
            return False
        text = line[: exc.start].decode("utf-8")
    return bool(text.strip()) and not _CONTROLS.search(text)


def decode(data: bytes, encoding: str | None = None) -> Decoded:
    """The text of an export file. ``encoding``: the librarian's word for it (no guessing, no garble check).

    Without it: a byte-order mark decides; else UTF-16 by its NUL bytes; else UTF-8 or GB18030, whichever
    decodes the file cleanly and reads as text; else whichever of them decodes more lines, if all it
    fails on is a few bytes or a few stretches of the file (that is damage); else detection
    (charset-normalizer).
    """
    if encoding:
        try:
            name = codecs.lookup(encoding).name
        except LookupError:
            raise UndecodableError(f"unknown encoding {encoding!r}") from None
        return _result(data, name, check=False)
    for bom, name in _BOMS:
        if data.startswith(bom):
            return _result(data, name)
    head = data[:4096]
    if b"\x00" in head and max(head[1::2].count(0), head[0::2].count(0)) > 0.4 * len(head) / 2:
        # BOM-less UTF-16: the NULs sit in the high byte of ASCII characters
        name = "utf-16-le" if head[1::2].count(0) > head[0::2].count(0) else "utf-16-be"
        try:
            return _finish(data, *_checked(data, _lf(data.decode(name)), name), name, [])
        except UnicodeDecodeError:
            pass
    tried: list[str] = []
    for name in ("utf-8", "gb18030"):
        try:
            text = _lf(data.decode(name))
        except UnicodeDecodeError:
            tried.append(f"{name} (invalid)")
            continue
        if name == "gb18030" and (not _plausible_cjk(text) or garbled(text)):
            tried.append(f"{name} (not Chinese text)")
            continue
        return _finish(data, *_checked(data, text, name), name, tried)
    lines = data.split(b"\n")
    damage = {name: _damage(lines, name) for name in ("utf-8", "gb18030")}
    # the encoding most lines are in: GB18030 only if it fails on far fewer lines (it decodes most garbage)
    name = "gb18030" if 2 * damage["gb18030"][0] < damage["utf-8"][0] else "utf-8"
    bad_lines, bad_bytes, runs, good = damage[name]
    if bad_bytes <= max(8, len(data) // 20000) or runs <= max(3, good // 4) and bad_lines < 0.5 * len(lines):
        return _finish(data, *_marked(data, name), name, tried)
    best = charset_normalizer.from_bytes(data[:1_000_000]).best()
    if best is None or best.encoding is None:
        raise UndecodableError("not text in any known encoding (tried UTF-8, UTF-16, GB18030 and detection)")
    try:
        decoded = _finish(data, *_checked(data, _lf(data.decode(best.encoding)), best.encoding), best.encoding, tried)
    except (UnicodeDecodeError, LookupError) as exc:
        raise UndecodableError(f"detected {best.encoding} but could not decode: {exc}") from None
    return dataclasses.replace(decoded, guessed=f"encoding {best.encoding} guessed by detection (tried first: "
                                                f"{', '.join(tried)}): check that the records read right")


def _result(data: bytes, name: str, check: bool = True) -> Decoded:
    """A file whose encoding is known (a BOM, the librarian): damage marked, never refused."""
    text, damaged = _marked(data, name)
    if text.startswith("\ufeff"):
        text = text[1:]
    if not check:
        return Decoded(text, name, damaged)
    return _finish(data, text, damaged, name, [])


def _finish(data: bytes, text: str, damaged: dict[int, str], name: str, tried: list[str]) -> Decoded:
    why = garbled(text)
    if why is None:
        return Decoded(text, name, damaged)
    others = alternatives(data, name)
    hint = f"; it decodes cleanly as {' or '.join(others)}" if others else ""
    return Decoded(text, name, damaged, warning=f"text decoded as {name} looks garbled ({why}); encodings tried: "
                                               f"{', '.join([*tried, name])}{hint}")


def _damage(lines: list[bytes], name: str) -> tuple[int, int, int, int]:
    """(bad lines, bad bytes, runs of bad lines, good non-ASCII lines) of a file's lines decoded in ``name``.

    Text in another encoding fails on the lines that are not ASCII, all through the file; damage fails
    on a few lines, or in a few runs of lines. Binary lines are damage in any encoding: they join a run
    of damage but add no bad bytes.
    """
    bad_lines = bad_bytes = good = runs = 0
    last_bad = -10
    for i, raw in enumerate(lines):
        if raw.isascii():
            continue
        try:
            text = raw.decode(name)
        except UnicodeDecodeError:
            text = None
        if text is not None and (name != "gb18030" or _chinese(text)):
            good += 1
            continue
        if not (b"\x00" in raw or len(_CONTROL_BYTES.findall(raw)) > max(1, 0.05 * len(raw))):
            bad_lines += 1
            bad_bytes += sum(len(m) for m in _ESCAPED.findall(raw.decode(name, errors="ir-escape"))) or len(raw)
        runs += i - last_bad > 3
        last_bad = i
    return bad_lines, bad_bytes, runs, good


# ------------------------------------------------------------------------------------- garbled text

_HAN = re.compile(r"[\u4e00-\u9fff]")
# UTF-8 bytes read as Windows-1252 / Latin-1: a lead byte's letter then a continuation byte's character
_CONT = "\u0080-\u00bf\u20ac\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u017d" \
        "\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u017e\u0178"
_LATIN_MOJIBAKE = re.compile(f"[\u00c2-\u00d6\u00d8-\u00f4][{_CONT}]")
_SAMPLE = 500_000


@functools.cache
def _common_han() -> frozenset[str]:
    """The Han characters in common use: all of GB2312 (simplified) and Big5's level 1 (traditional)."""
    def table(enc: str, leads: range, trails: list[int]) -> set[str]:
        out = set()
        for a in leads:
            for b in trails:
                try:
                    out.add(bytes((a, b)).decode(enc))
                except UnicodeDecodeError:
                    pass
        return out

    gb = table("gb2312", range(0xB0, 0xF8), list(range(0xA1, 0xFF)))
    big5 = table("big5", range(0xA4, 0xC7), [*range(0x40, 0x7F), *range(0xA1, 0xFF)])
    return frozenset(c for c in gb | big5 if _HAN.match(c))


def _chinese(line: str) -> bool:
    """A line decoded as GB18030 reads as Chinese: Han characters, mostly common ones, no private-use area."""
    han = _HAN.findall(line)
    common = _common_han()
    return bool(han) and sum(c in common for c in han) >= 0.8 * len(han) and _plausible_cjk(line)


def garbled(text: str) -> str | None:
    """Why a decoded text looks like mojibake, or None: Chinese characters mostly outside common use
    (another CJK encoding decoded as GB18030: real Chinese text has 99% common characters, Shift-JIS
    read as GB18030 under 25%), or UTF-8 sequences read as Windows-1252 (``Ã©``, ``â€™``)."""
    sample = text[:_SAMPLE]
    han = _HAN.findall(sample)
    if len(han) >= 20:
        common = _common_han()
        share = sum(c in common for c in han) / len(han)
        if share < 0.8:
            return f"only {share:.0%} of its {len(han)} Chinese characters are ones in common use"
    if not sample.isascii():
        moj = _LATIN_MOJIBAKE.findall(sample)
        non_ascii = len(sample) - len(sample.encode("ascii", "ignore"))
        if len(moj) >= 3 and 2 * len(moj) >= 0.3 * non_ascii:
            return f"{len(moj)} sequences like {moj[0]!r}: UTF-8 read as Windows-1252"
    return None


def alternatives(data: bytes, exclude: str) -> list[str]:
    """The encodings (of those exports come in) in which ``data`` decodes cleanly and does not look garbled."""
    out = []
    for name in _ALTERNATIVES:
        if codecs.lookup(name).name == codecs.lookup(exclude).name:
            continue
        try:
            text = data[:_SAMPLE].decode(name)
        except UnicodeDecodeError as exc:
            if exc.start < _SAMPLE - 4:  # not only a character cut at the sample's end
                continue
            text = data[: exc.start].decode(name)
        if garbled(text) is None and not _CONTROLS.search(text):
            out.append(name)
    return out


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
