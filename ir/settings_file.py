"""The settings file, section by section: kept for the stages' ``Settings.load(path)`` helpers.

The pipeline itself loads the whole configuration once (:func:`ir.settings.load`) and hands each stage
its section; this module builds one section with the same checks, for tests and scripts.
"""

from __future__ import annotations

from pathlib import Path
from typing import TypeVar

from ir.settings import SettingsError, build_section, key_lines  # noqa: F401 - SettingsError is re-exported

T = TypeVar("T")


def read(path: Path | None) -> dict:
    import tomllib

    from ir.settings import Problem

    if path is None:
        return {}
    try:
        with open(path, "rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        raise SettingsError([Problem(str(path), "settings file not found")]) from None
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError([Problem(str(path), f"not valid TOML: {exc}")]) from None


def section(cls: type[T], name: str, path: Path | None = None, data: dict | None = None) -> T:
    """Build ``cls`` from section ``name`` of the settings file (or of ``data``), checked as
    :func:`ir.settings.load` checks it."""
    if data is None and path is not None:
        text = Path(path).read_text(encoding="utf-8") if Path(path).exists() else ""
        return build_section(cls, name, read(path).get(name, {}), str(path), key_lines(text))
    return build_section(cls, name, (data or {}).get(name, {}), str(path or "settings"))
