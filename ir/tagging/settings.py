"""``[tag]`` settings (loaded and checked by :func:`ir.settings.load`: ``config.tag``). Every key is optional; these are the defaults.

```toml
[tag]
edition_rule = "publication-year-or-earlier"   # or "latest" | "nearest" (see ir.tagging.matching)
edition_rules = { institution = "latest" }       # per-list exceptions
fuzzy_threshold = 85.0                           # rapidfuzz ratio (0-100) of the candidates for a one-typo match
index_lists = { cscd = "CSCD", cssci = "CSSCI", pku_core = "PKU" }   # lists whose membership is an index
esi_from_categories = true                       # ESI field from WoS categories when no "esi" list has the journal
```
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class TagSettings:
    edition_rule: str = "publication-year-or-earlier"
    edition_rules: dict[str, str] = field(default_factory=dict)
    fuzzy_threshold: float = 85.0
    index_lists: dict[str, str] = field(default_factory=lambda: {"cscd": "CSCD", "cssci": "CSSCI", "pku_core": "PKU"})
    esi_from_categories: bool = True

    def __post_init__(self) -> None:
        from ir.tagging.matching import EDITION_RULES

        for name, rule in [("edition_rule", self.edition_rule), *self.edition_rules.items()]:
            if rule not in EDITION_RULES:
                from ir.settings import SettingsError

                raise SettingsError(f"[tag] {name}: unknown edition rule {rule!r}; known: {', '.join(EDITION_RULES)}")

