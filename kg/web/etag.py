"""HTTP answers per store generation: ``ETag``/304, and whole ``/api/`` responses kept per generation.

Why: an API answer is a pure function of (generation, request), so a response built once can
be sent again until the generation changes, and a client holding it can be told "not modified"
without any work. The generation token is the explorer's (:mod:`kg.explorer.cache`: the store's
CURRENT generation, or the Neo4j mirror's Generation node when it is complete); when there is
none (Neo4j mid-sync) requests pass through uncached and without an ETag.

Measured on the bundled corpus (50 clients, 2-core machine shared with other work): repeated
``/api/v1/measures/15`` went from building and serialising the answer each time to sending
stored bytes (see README, Benchmarks). A pure ASGI middleware: the API-key check (added after
it, so it runs first) still guards every request.
"""

from __future__ import annotations

import hashlib
from typing import Any

from cachetools import LRUCache

from kg.context import Context
from kg.errors import IprgError

#: Responses larger than this are sent as usual but not kept (exports stream whole graphs).
MAX_BODY = 1 << 20


class GenerationCache:
    """ASGI middleware: ETag/304 and a bounded LRU of complete GET responses under ``prefix``."""

    def __init__(self, app: Any, ctx: Context, prefix: str = "/api/", maxsize: int = 2048) -> None:
        self.app = app
        self.ctx = ctx
        self.prefix = prefix
        self.responses: LRUCache = LRUCache(maxsize=maxsize)

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["method"] != "GET" or not scope["path"].startswith(self.prefix):
            await self.app(scope, receive, send)
            return
        try:
            token = self.ctx.explorer.generation()
        except IprgError:
            # the backend cannot say its generation (Neo4j down): pass the request on uncached;
            # the route meets the same cause and answers it (503 naming Neo4j), not this layer
            token = None
        if token is None:
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        accept = headers.get(b"accept", b"")
        key = (token, scope["path"], scope.get("query_string", b""), accept)
        etag = '"' + hashlib.blake2b(repr((token, accept)).encode(), digest_size=12).hexdigest() + '"'
        if etag.encode() in [t.strip() for t in headers.get(b"if-none-match", b"").split(b",")]:
            await send({"type": "http.response.start", "status": 304,
                        "headers": [(b"etag", etag.encode()), (b"cache-control", b"no-cache")]})
            await send({"type": "http.response.body", "body": b""})
            return
        stored = self.responses.get(key)
        if stored is not None:
            start, body = stored
            await send(start)
            await send({"type": "http.response.body", "body": body})
            return
        kept: dict[str, Any] = {"start": None, "chunks": [], "size": 0}

        async def keep(message: dict) -> None:
            if message["type"] == "http.response.start":
                extra = [(b"etag", etag.encode()), (b"cache-control", b"no-cache")] if message["status"] == 200 else []
                message = {**message, "headers": [*message.get("headers", []), *extra]}
                kept["start"] = message
            elif message["type"] == "http.response.body" and kept["size"] <= MAX_BODY:
                kept["chunks"].append(message.get("body", b""))
                kept["size"] += len(message.get("body", b""))
                start = kept["start"]
                if (not message.get("more_body") and start is not None and start["status"] == 200
                        and kept["size"] <= MAX_BODY):
                    self.responses[key] = (start, b"".join(kept["chunks"]))
            await send(message)

        await self.app(scope, receive, keep)


def install(app: Any, ctx: Context) -> None:
    """Register the middleware (before the API-key check is added, so that check runs first)."""
    app.add_middleware(GenerationCache, ctx=ctx)
