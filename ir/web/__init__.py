"""The repository's web UI: server-rendered pages and a JSON API under ``/api`` (see :mod:`ir.web.app`).

Modules: :mod:`~ir.web.app` (the factory, settings, middleware order, the list of routers),
:mod:`~ir.web.proxy` (which requests come through a trusted proxy; HTTPS-aware session cookie),
:mod:`~ir.web.auth` and :mod:`~ir.web.sessions` (who is asking: server-side sessions, throttled sign-in,
CSRF), :mod:`~ir.web.accounts` (users, passwords, single sign-on), :mod:`~ir.web.validation` (bounds on
every input), :mod:`~ir.web.policies` (who may do and see what, in one place), :mod:`~ir.web.actions`
(every change a person can make, shared by pages and API; :mod:`~ir.web.claims` for contested claims),
:mod:`~ir.web.views` (what pages and API read), :mod:`~ir.web.display` and :mod:`~ir.web.citations`
(how a work reads; BibTeX, RIS, CSL-JSON), :mod:`~ir.web.extract` (the research office's extract),
:mod:`~ir.web.pages` and :mod:`~ir.web.api` (routes).
"""
