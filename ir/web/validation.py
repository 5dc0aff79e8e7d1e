"""Bounds on every input of the web app, so that bad input answers 400/413/422 with a message, never 500.

- :class:`RejectControlCharacters`: an address (path or query) with a control character (NUL and the
  other C0 characters) is refused with 400 before any route runs: no database or search engine ever
  sees one.
- :class:`LimitBody`: a request body larger than :data:`MAX_BODY` is refused with 413.
- The parameter types (:data:`Position`, :data:`PageNo`, :data:`PageSize`, :data:`Limit`, :data:`Year`,
  :data:`SearchText`, :data:`Note`, ...) carry their bounds, for the API (FastAPI/pydantic) and the
  pages alike; :func:`form_text` and :func:`bounded_int` check form fields and hand-read parameters
  with the same bounds.
"""

from __future__ import annotations

import json
import re
from typing import Annotated
from urllib.parse import unquote_to_bytes

from pydantic import AfterValidator, Field
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ir.web.errors import Forbidden

MAX_BODY = 10 * 1024 * 1024  # bytes of a request body
MAX_POSITION = 100_000  # author positions (the longest bylines have a few thousand names)
MAX_PAGE = 10_000
MAX_PAGE_SIZE = 1000
MAX_LIMIT = 10_000
YEAR_MIN, YEAR_MAX = 1000, 2999
MAX_QUERY = 500  # characters of a search query
MAX_NOTE = 4000  # characters of a note for the audit log
MAX_ID = 64  # work ids, person ids, user names
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def no_control(value):
    """A text without control characters (tab and line breaks are fine)."""
    if isinstance(value, str) and _CONTROL.search(value):
        raise ValueError("contains a control character (such as NUL); remove it")
    return value


def _text(max_length: int):
    return [Field(max_length=max_length), AfterValidator(no_control)]


SearchText = Annotated[str, *_text(MAX_QUERY)]
Note = Annotated[str | None, *_text(MAX_NOTE)]
Ident = Annotated[str, *_text(MAX_ID)]
Position = Annotated[int, Field(ge=1, le=MAX_POSITION, description="1-based author position in the byline")]
PageNo = Annotated[int, Field(ge=1, le=MAX_PAGE)]
PageSize = Annotated[int, Field(ge=1, le=MAX_PAGE_SIZE)]
Limit = Annotated[int, Field(ge=1, le=MAX_LIMIT)]
Year = Annotated[int, Field(ge=YEAR_MIN, le=YEAR_MAX)]


def validation_message(errors) -> str:
    """FastAPI's validation errors as one sentence: 'page: must be at most 10000; note: ...'."""
    parts = []
    for e in errors:
        loc = [str(x) for x in e.get("loc", ()) if x not in ("query", "path", "body", "header")]
        parts.append(f"{'.'.join(loc) or 'input'}: {e.get('msg', 'is not valid')}")
    return "; ".join(parts) or "the input is not valid"


def form_text(form, name: str, max_length: int = MAX_NOTE, *, required: bool = False) -> str | None:
    """A form field, stripped; None when empty. Too long or with control characters: 422."""
    raw = form.get(name)
    if raw is None or raw == "":
        if required:
            raise Forbidden(422, f"{name}: a value is needed")
        return None
    if not isinstance(raw, str):
        raise Forbidden(422, f"{name}: a text is expected, not a file")
    if len(raw) > max_length:
        raise Forbidden(422, f"{name}: at most {max_length} characters ({len(raw)} given)")
    try:
        no_control(raw)
    except ValueError as exc:
        raise Forbidden(422, f"{name}: {exc}") from None
    return raw.strip() or None


def bounded_int(raw: str | None, default: int, lo: int, hi: int) -> int:
    """A hand-read whole number within [lo, hi]; missing or not a number: the default; out of range: clamped."""
    raw = (raw or "").strip()
    if not raw.isascii() or not raw.isdigit():
        return default
    return hi if len(raw) > 9 else min(max(int(raw), lo), hi)


# ------------------------------------------------------------------------------ ASGI guards


async def _refuse(send: Send, status: int, message: str, api: bool) -> None:
    if api:
        body, ctype = json.dumps({"detail": message}).encode(), b"application/json"
    else:
        body, ctype = message.encode(), b"text/plain; charset=utf-8"
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", ctype), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


class RejectControlCharacters:
    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            raw = (scope.get("raw_path") or scope.get("path", "").encode()) + b"?" + (scope.get("query_string") or b"")
            decoded = unquote_to_bytes(raw.replace(b"+", b" "))
            if re.search(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", decoded):
                await _refuse(send, 400, "the address contains a control character (such as NUL); remove it",
                              scope.get("path", "").startswith("/api/"))
                return
        await self.app(scope, receive, send)


class LimitBody:
    def __init__(self, app: ASGIApp, max_body: int = MAX_BODY):
        self.app = app
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        api = scope.get("path", "").startswith("/api/")
        message = f"the request is larger than {self.max_body // (1024 * 1024)} MB"
        length = dict(scope.get("headers") or []).get(b"content-length", b"")
        if length.isdigit() and int(length) > self.max_body:
            await _refuse(send, 413, message, api)
            return
        seen = 0
        started = False

        async def counted() -> Message:
            nonlocal seen
            msg = await receive()
            if msg["type"] == "http.request":
                seen += len(msg.get("body", b""))
                if seen > self.max_body:
                    raise _TooLarge()
            return msg

        async def tracking(msg: Message) -> None:
            nonlocal started
            if msg["type"] == "http.response.start":
                started = True
            await send(msg)

        try:
            await self.app(scope, counted, tracking)
        except _TooLarge:
            if not started:
                await _refuse(send, 413, message, api)


class _TooLarge(Exception):
    pass
