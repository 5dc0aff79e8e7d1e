"""The repository's web UI: server-rendered pages and a JSON API under ``/api`` (see :mod:`ir.web.app`).

Modules: :mod:`~ir.web.accounts` (users, passwords, single sign-on), :mod:`~ir.web.policies` (who may
do what, in one place), :mod:`~ir.web.actions` (every change a person can make, shared by pages and
API), :mod:`~ir.web.views` (what pages and API read), :mod:`~ir.web.app` (routes).
"""
