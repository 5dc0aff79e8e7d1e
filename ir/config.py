"""The configuration's old name: :class:`Settings` is :class:`ir.settings.Config` (see :mod:`ir.settings`)."""

from __future__ import annotations

from ir.settings import DEFAULT_DATABASE_URL, Config

Settings = Config

__all__ = ["DEFAULT_DATABASE_URL", "Settings"]
