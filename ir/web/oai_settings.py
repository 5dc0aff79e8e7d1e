"""The ``[oai]`` section: how the OAI-PMH endpoint (:mod:`ir.web.oai`) names the repository to harvesters.

Loaded and checked with the rest of the configuration (:func:`ir.settings.load`: ``config.oai``; the
ranges and patterns in :data:`ir.settings.CHECKS`); the web app takes it once, when it is created.
Kept apart from the endpoint so that loading the configuration does not import the web stack.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class OaiSettings:
    """The [oai] section: how the repository names itself to harvesters."""

    repository_name: str = "ir institutional repository"
    repository_identifier: str = "ir.example.edu"  # the domain part of every oai: identifier; set it once
    admin_email: str = "repository@example.edu"
    base_url: str = ""  # the public URL of /oai (behind a proxy); empty: the URL the request came to
    page_size: int = 100  # records (or headers) per list response
    token_hours: int = 24  # how long a resumption token stays valid
    item_url: str = "/works/{work_id}"  # a work's page, relative to the site (empty: none)
