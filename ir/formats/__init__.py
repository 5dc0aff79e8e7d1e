"""Export formats, registered by name.

A format is a small module in this package that calls :func:`register` with a
:class:`Format`: a ``sniff`` that recognises the format from the start of the content
(never from the file name) and a ``parse`` that yields :class:`~ir.model.Record` or
:class:`~ir.model.Problem` values, one per record, and never raises on bad input.
Adding a format touches one module here and one test folder.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from ir.model import Problem, Record

Parsed = Iterator[Record | Problem]


@dataclass(frozen=True, slots=True)
class Format:
    name: str  # "wos-plain", "cnki-endnote", ...
    source: str  # the database the records come from: wos, ei, cnki, ...
    description: str
    # text formats get the decoded text; binary formats (Excel) get the raw bytes
    binary: bool
    sniff: Callable[[str | bytes], bool]  # the first 64 KiB: decoded text, or bytes for binary formats
    parse: Callable[[str | bytes], Parsed]
    priority: int = 100  # lower sniffs first: specific formats before generic ones (RIS last)
    # how complete a record of this format is: a record already stored from a fuller export of the
    # same source (WoS plain text) is never replaced by a thinner copy of it (a WoS record as RIS)
    fidelity: int = 100


_REGISTRY: dict[str, Format] = {}
_LOADED = False


def register(fmt: Format) -> Format:
    if fmt.name in _REGISTRY and _REGISTRY[fmt.name] is not fmt:
        raise ValueError(f"format {fmt.name!r} registered twice")
    _REGISTRY[fmt.name] = fmt
    return fmt


def _load_all() -> None:
    global _LOADED
    if not _LOADED:
        for info in pkgutil.iter_modules(__path__):
            if not info.name.startswith("_"):
                importlib.import_module(f"{__name__}.{info.name}")
        _LOADED = True


def formats() -> list[Format]:
    _load_all()
    return sorted(_REGISTRY.values(), key=lambda f: (f.priority, f.name))


def get(name: str) -> Format:
    _load_all()
    try:
        return _REGISTRY[name]
    except KeyError:
        raise KeyError(f"unknown format {name!r}; known: {', '.join(sorted(_REGISTRY))}") from None


SNIFF_BYTES = 64 * 1024


def detect_binary(data: bytes) -> Format | None:
    head = data[:SNIFF_BYTES]
    for fmt in formats():
        if fmt.binary and fmt.sniff(head):
            return fmt
    return None


def detect_text(text: str) -> Format | None:
    head = text[:SNIFF_BYTES]
    for fmt in formats():
        if not fmt.binary and fmt.sniff(head):
            return fmt
    return None
