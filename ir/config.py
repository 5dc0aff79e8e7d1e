"""Configuration: environment variables, each with a CLI flag twin (see ir.cli).

| variable          | flag             | default                              |
|-------------------|------------------|--------------------------------------|
| IR_DATABASE_URL   | --database-url   | sqlite:///./var/ir.sqlite            |
| IR_DICTIONARIES   | --dictionaries   | ./dictionaries                       |
| IR_SEARCH_URL     | --search-url     | unset: the embedded index (SQLite FTS5) |
| IR_CONFIG         | --config         | unset: built-in pipeline settings    |
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path

DEFAULT_DATABASE_URL = "sqlite:///./var/ir.sqlite"


@dataclass(frozen=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    dictionaries: Path = Path("dictionaries")
    search_url: str | None = None
    config_file: Path | None = None

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        return cls(
            database_url=env.get("IR_DATABASE_URL") or DEFAULT_DATABASE_URL,
            dictionaries=Path(env.get("IR_DICTIONARIES") or "dictionaries"),
            search_url=env.get("IR_SEARCH_URL") or None,
            config_file=Path(env["IR_CONFIG"]) if env.get("IR_CONFIG") else None,
        )

    def with_overrides(self, **values) -> Settings:
        return replace(self, **{k: v for k, v in values.items() if v is not None})
