"""Pipeline settings: one TOML file (IR_CONFIG / --config), one section per stage.

Each stage declares its settings as a dataclass with documented defaults and reads its section with
:func:`section`; a missing file or section means the defaults. Unknown keys are an error naming
the file, section and key, so a typo never passes silently.
"""

from __future__ import annotations

import dataclasses
import tomllib
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")


class SettingsError(ValueError):
    pass


def read(path: Path | None) -> dict:
    if path is None:
        return {}
    try:
        with open(path, "rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        raise SettingsError(f"{path}: settings file not found") from None
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"{path}: {exc}") from None


def section(cls: type[T], name: str, path: Path | None = None, data: dict | None = None) -> T:
    """Build ``cls`` from section ``name`` of the settings file (or of ``data``)."""
    values = (read(path) if data is None else data).get(name, {})
    known = {f.name for f in dataclasses.fields(cls)}
    unknown = sorted(set(values) - known)
    if unknown:
        raise SettingsError(f"{path or 'settings'}: [{name}] unknown key(s): {', '.join(unknown)}; known: {', '.join(sorted(known))}")
    return cls(**values)
