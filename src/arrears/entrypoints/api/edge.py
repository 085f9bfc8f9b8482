"""The app's edge, as ASGI middleware: a limit on request bodies, and security headers on
every response."""

from __future__ import annotations

import json
from collections.abc import Mapping

from starlette.datastructures import Headers, QueryParams
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from arrears.entrypoints.api.errors import envelope, language_of

DEFAULT_MAX_BODY_BYTES = 1024 * 1024


def _json_answer(status: int, body: dict[str, object]) -> tuple[Message, Message]:
    payload = json.dumps(body, ensure_ascii=False).encode()
    start: Message = {"type": "http.response.start", "status": status, "headers": [
        (b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode())]}
    return start, {"type": "http.response.body", "body": payload}


class BodyTooLarge(Exception):
    """Raised from ``receive`` once a body passes its limit; the middleware answers 413."""


class BodySizeLimit:
    """Refuses a request body above ``max_bytes`` with 413 and a bilingual JSON message.

    A declared Content-Length above the limit is refused before the app runs. A body that is
    streamed (chunked, or with a Content-Length that lies) is counted as it is received, and
    the app gets no chunk past the limit: nothing is buffered here, and what the app buffers
    stays under the limit plus one chunk. ``limits`` gives a path prefix its own limit;
    ``span_limits`` a path that starts and ends as given (the customer's hardship form,
    ``/p/{token}/hardship``: prefix ``/p/``, ending ``/hardship``).
    """

    def __init__(self, app: ASGIApp, max_bytes: int = DEFAULT_MAX_BODY_BYTES,
                 limits: Mapping[str, int] | None = None,
                 span_limits: Mapping[tuple[str, str], int] | None = None) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.limits = dict(limits or {})
        self.span_limits = dict(span_limits or {})

    def limit_for(self, path: str) -> int:
        for (start, end), limit in self.span_limits.items():
            if path.startswith(start) and path.endswith(end):
                return limit
        prefixes = [p for p in self.limits if path.startswith(p)]
        return self.limits[max(prefixes, key=len)] if prefixes else self.max_bytes

    def answer(self, limit: int, language: str = "zh") -> tuple[Message, Message]:
        return _json_answer(413, envelope("BodyTooLarge", f"请求体超过 {limit} 字节的上限",
                                          f"the request body is larger than {limit} bytes", language, field="body"))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope["path"])
        headers = Headers(scope=scope)
        language = language_of(QueryParams(scope.get("query_string", b"")), headers)
        declared = headers.get("content-length")
        if declared is not None and declared.isdigit() and (len(declared) > 18 or int(declared) > limit):
            for message in self.answer(limit, language):
                await send(message)
            return
        await _Counted(self, limit, receive, send, language).run(scope)


class _Counted:
    """One request whose body is counted against its limit as the app receives it."""

    def __init__(self, limiter: BodySizeLimit, limit: int, receive: Receive, send: Send, language: str) -> None:
        self.limiter, self.limit, self._receive, self._send = limiter, limit, receive, send
        self.language = language
        self.received = 0
        self.exceeded = False
        self.started = False
        self.refused = False

    async def receive(self) -> Message:
        if self.exceeded:
            raise BodyTooLarge
        message = await self._receive()
        if message["type"] == "http.request":
            self.received += len(message.get("body", b""))
            if self.received > self.limit:
                self.exceeded = True
                raise BodyTooLarge
        return message

    async def send(self, message: Message) -> None:
        if self.refused:
            return
        if self.exceeded and not self.started:  # the app answered the failed read its own way: 413 instead
            await self._refuse()
            return
        if message["type"] == "http.response.start":
            self.started = True
        await self._send(message)

    async def _refuse(self) -> None:
        if self.started:
            return
        self.started = self.refused = True
        for message in self.limiter.answer(self.limit, self.language):
            await self._send(message)

    async def run(self, scope: Scope) -> None:
        try:
            await self.limiter.app(scope, self.receive, self.send)
        except BodyTooLarge:
            await self._refuse()
        except Exception:
            if not self.exceeded:
                raise
            await self._refuse()


# ---------------------------------------------------------------- security headers
PAGE_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
               "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'")
# The API documentation pages (Swagger UI and ReDoc, served from the package) style their
# elements inline and ReDoc runs a worker from a blob; they show no account data.
DOCS_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
               "worker-src 'self' blob:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; "
               "object-src 'none'")
DOCS_PATHS = ("/docs", "/redoc")
STATIC_PREFIX = "/static/"


def security_headers(path: str) -> list[tuple[bytes, bytes]]:
    """The headers every response carries; ``Cache-Control: no-store`` on all but static files
    (pages and /v1 answers carry account data, revealed values included)."""
    policy = DOCS_POLICY if path.startswith(DOCS_PATHS) else PAGE_POLICY
    headers = [(b"content-security-policy", policy.encode()), (b"x-frame-options", b"DENY"),
               (b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"no-referrer")]
    if not path.startswith(STATIC_PREFIX):
        headers += [(b"cache-control", b"no-store"), (b"pragma", b"no-cache")]
    return headers


class SecurityHeaders:
    """Adds ``security_headers`` to every HTTP response (replacing any the app set), and
    answers an unhandled error with a bilingual 500 that carries them too."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = security_headers(scope["path"])
        names = {name for name, _ in extra}
        started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                kept = [(k, v) for k, v in message.get("headers", []) if k.lower() not in names]
                message = {**message, "headers": kept + extra}
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        except Exception:
            if not started:
                language = language_of(QueryParams(scope.get("query_string", b"")), Headers(scope=scope))
                body = envelope("InternalError", "服务器内部错误，已记录", "internal error; it was logged", language)
                for message in _json_answer(500, body):
                    await send_with_headers(message)
            raise
