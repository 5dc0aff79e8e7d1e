"""The one exception routes raise to refuse a request: a status and a message for a person.

Pages render it as an error page (a 401 on a GET redirects to the sign-in form); the API answers
``{"detail": message}`` with the status.
"""

from __future__ import annotations


class Forbidden(Exception):
    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}
