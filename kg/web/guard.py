"""What stands between the network and the app: keys, rate limit, methods, body size, headers.

Why plain ASGI middlewares (not ``@app.middleware("http")``): they see every response the app
sends, including Gradio's and the error answers, and they do not buffer bodies or hide a client
disconnecting (which :mod:`kg.console` watches to stop abandoned queries).

* :class:`ApiKeys` — with ``IPRG_API_KEYS`` set, ``/api``, ``/sparql`` and ``/viz`` need
  ``X-API-Key`` (compared in constant time; the key is never logged or echoed). The UI itself
  stays open; the graph pages and export links it shows carry a short-lived signature
  (:func:`sign`) made from the keys, so every worker accepts them and nobody else can mint one.
* :class:`MethodNotAllowed` — a known API path asked with an undeclared method answers 405
  with ``Allow`` (without it, the Gradio app mounted at ``/`` would answer 404).
* :class:`BodyLimit` — request bodies past ``IPRG_MAX_BODY`` bytes answer 413, whether announced
  by ``Content-Length`` or streamed.
* :class:`SecurityHeaders` — a Content-Security-Policy that fits Gradio and the vis-network
  pages and allows nothing from another origin, plus nosniff, framing and referrer rules.
* :class:`RateLimit` — a per-client request rate (``IPRG_RATE_LIMIT``), counted by ``limits``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import math
import re
import time
from collections.abc import Iterable
from urllib.parse import parse_qsl, urlencode, urlsplit

from fastapi import FastAPI
from limits import parse_many
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter
from starlette.routing import compile_path
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kg import config

PROTECTED = ("/api/", "/sparql", "/viz/")
OPEN = ("/viz/lib/",)
SIGNED = ("/viz/", "/api/v1/export/")
SIGNATURE_TTL_S = 6 * 3600

#: The UI (Gradio: inline scripts and styles, ``new Function`` for per-view scripts, blob workers)
#: and the graph pages; nothing may load from another origin.
HTML_CSP = ("default-src 'self'; script-src 'self' 'unsafe-inline' 'unsafe-eval'; "
            "style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self' data:; "
            "connect-src 'self'; media-src 'self' blob:; worker-src 'self' blob:; frame-src 'self'; "
            "frame-ancestors 'self'; object-src 'none'; base-uri 'self'; form-action 'self'")
#: Everything else (JSON, files): nothing to run or load.
DATA_CSP = "default-src 'none'; frame-ancestors 'none'; sandbox"


async def _json(send: Send, status: int, detail: str, headers: dict[str, str] | None = None) -> None:
    body = json.dumps({"detail": detail}, ensure_ascii=False).encode("utf-8")
    raw = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    raw += [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})


def key_ok(given: str | None, keys: Iterable[str]) -> bool:
    """``given`` is one of ``keys``, compared in constant time."""
    if not given:
        return False
    return any(hmac.compare_digest(given.encode(), k.encode()) for k in keys)


def _secret(keys: Iterable[str]) -> bytes:
    return hashlib.sha256(b"iprg-ui-link\0" + "\0".join(sorted(keys)).encode()).digest()


def _mac(keys: Iterable[str], path: str, params: list[tuple[str, str]]) -> str:
    text = path + "?" + urlencode(sorted(params))
    return hmac.new(_secret(keys), text.encode(), hashlib.sha256).hexdigest()[:32]


def sign(url: str, keys: Iterable[str] = (), ttl_s: int = SIGNATURE_TTL_S) -> str:
    """``url`` (a path with a query) with ``exp`` and ``sig`` added, when keys are set."""
    keys = tuple(keys)
    if not keys:
        return url
    parts = urlsplit(url)
    params = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in ("exp", "sig")]
    params.append(("exp", str(int(time.time()) + ttl_s)))
    return parts.path + "?" + urlencode(params + [("sig", _mac(keys, parts.path, params))])


def signature_ok(path: str, query: str, keys: Iterable[str]) -> bool:
    params = parse_qsl(query, keep_blank_values=True)
    given = dict(params).get("sig")
    rest = [(k, v) for k, v in params if k != "sig"]
    exp = dict(rest).get("exp", "")
    if not given or not exp.isdigit() or int(exp) < time.time():
        return False
    return hmac.compare_digest(given, _mac(keys, path, rest))


class ApiKeys:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            path = scope["path"]
            if path.startswith(PROTECTED) and not path.startswith(OPEN):
                keys = config.settings().api_keys
                if keys and not self._allowed(scope, path, keys):
                    await _json(send, 401, "a valid X-API-Key header is required (IPRG_API_KEYS is set)",
                                {"WWW-Authenticate": "X-API-Key"})
                    return
        await self.app(scope, receive, send)

    @staticmethod
    def _allowed(scope: Scope, path: str, keys: tuple[str, ...]) -> bool:
        given = dict(scope["headers"]).get(b"x-api-key")
        if given is not None and key_ok(given.decode("latin-1"), keys):
            return True
        return (scope["method"] == "GET" and path.startswith(SIGNED)
                and signature_ok(path, scope.get("query_string", b"").decode("latin-1"), keys))


class MethodNotAllowed:
    """405 with ``Allow`` for a path of the OpenAPI document asked with a method it does not
    declare (GET paths take HEAD too, as Starlette answers it)."""

    def __init__(self, app: ASGIApp, api: FastAPI) -> None:
        self.app = app
        self.api = api
        self._paths: list[tuple[re.Pattern[str], set[str]]] | None = None

    def _declared(self) -> list[tuple[re.Pattern[str], set[str]]]:
        if self._paths is None:
            self._paths = []
            for template, operations in self.api.openapi()["paths"].items():
                methods = {m.upper() for m in operations}
                if "GET" in methods:
                    methods.add("HEAD")
                self._paths.append((compile_path(template)[0], methods))
        return self._paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith(PROTECTED):
            allowed = [methods for regex, methods in self._declared() if regex.match(scope["path"])]
            if allowed and not any(scope["method"] in methods for methods in allowed):
                names = ", ".join(sorted(set().union(*allowed)))
                await _json(send, 405, f"{scope['method']} is not allowed here; use {names}", {"Allow": names})
                return
        await self.app(scope, receive, send)


class _TooLarge(Exception):
    pass


class BodyLimit:
    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        limit = self.max_bytes
        message = f"the request body is larger than {limit} bytes (IPRG_MAX_BODY)"
        length = dict(scope["headers"]).get(b"content-length", b"")
        if length.isdigit() and int(length) > limit:
            await _json(send, 413, message)
            return
        seen = 0
        started = False

        async def counted() -> Message:
            nonlocal seen
            msg = await receive()
            if msg["type"] == "http.request":
                seen += len(msg.get("body", b""))
                if seen > limit:
                    raise _TooLarge
            return msg

        async def tracked(msg: Message) -> None:
            nonlocal started
            started = started or msg["type"] == "http.response.start"
            await send(msg)

        try:
            await self.app(scope, counted, tracked)
        except _TooLarge:
            if not started:
                await _json(send, 413, message)


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(msg: Message) -> None:
            if msg["type"] == "http.response.start":
                headers = [(k, v) for k, v in msg.get("headers", []) if k.lower() != b"content-security-policy"]
                ctype = dict(headers).get(b"content-type", b"")
                csp = HTML_CSP if ctype.startswith(b"text/html") else DATA_CSP
                headers += [(b"content-security-policy", csp.encode()),
                            (b"x-content-type-options", b"nosniff"),
                            (b"x-frame-options", b"SAMEORIGIN"),
                            (b"referrer-policy", b"same-origin")]
                msg = {**msg, "headers": headers}
            await send(msg)

        await self.app(scope, receive, with_headers)


def client_key(scope: Scope) -> str:
    """Who is asking: the API key when one is sent (hashed; the key itself is never stored), else
    the peer address (behind a proxy, run uvicorn with ``--proxy-headers`` so this is the client)."""
    given = dict(scope["headers"]).get(b"x-api-key")
    if given:
        return "key:" + hashlib.sha256(given).hexdigest()[:16]
    client = scope.get("client")
    return "ip:" + (client[0] if client else "?")


class RateLimit:
    """Per-client request rate for ``/api``, ``/sparql`` and ``/viz``: ``limits``' moving window
    (the library slowapi is built on), in this worker's memory; past it 429 with Retry-After."""

    def __init__(self, app: ASGIApp, limit: str) -> None:
        self.app = app
        self.items = parse_many(limit)
        self.window = MovingWindowRateLimiter(MemoryStorage())

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith(PROTECTED) and not scope["path"].startswith(OPEN):
            key = client_key(scope)
            for item in self.items:
                if not self.window.hit(item, key):
                    reset = self.window.get_window_stats(item, key).reset_time
                    await _json(send, 429, f"too many requests: the limit is {item} per client (IPRG_RATE_LIMIT)",
                                {"Retry-After": str(max(1, math.ceil(reset - time.time())))})
                    return
        await self.app(scope, receive, send)
