"""The SPARQL 1.1 Protocol endpoint ``/sparql``: read-only, time-, row- and size-limited.

Why only HTTP here: reading the request (``query=`` by GET, a form or an
``application/sparql-query`` body), refusing updates at the door and negotiating the answer's
media type are protocol; running the query (in a worker process, stopped at its deadline or
when the client leaves) and writing JSON/CSV/TSV/XML/Turtle is :mod:`kg.console`'s, the same
runner the consoles and ``kg query`` use.

With ``IPRG_BACKEND=cypher`` the endpoint still answers from the embedded store when this
machine has one; otherwise it says clearly that it is off (503).
"""

from __future__ import annotations

import time
from typing import Any

from fastapi import FastAPI, HTTPException, Query, Request
from fastapi.responses import Response

from kg import console
from kg.context import Context
from kg.errors import Unavailable
from kg.web.openapi import ERRORS, MAX_PARAM, QUERY_FORMAT, media

READ_ONLY_MSG = console.READ_ONLY_MSG
#: Every media type an answer may have, by kind, for OpenAPI.
_ALL_TYPES = sorted({*console.SELECT_TYPES, *console.BOOLEAN_TYPES, *console.GRAPH_TYPES})


def negotiate(accept: str, offered: list[str] | tuple[str, ...], default: str) -> str:
    """The offered media type the client prefers (q-values, then order); ``default`` for */*."""
    prefs = []
    for i, part in enumerate(accept.split(",")):
        bits = [b.strip() for b in part.split(";")]
        q = 1.0
        for b in bits[1:]:
            if b.startswith("q="):
                try:
                    q = float(b[2:])
                except ValueError:
                    q = 0.0
        prefs.append((q, -i, bits[0].lower()))
    for q, _i, mt in sorted(prefs, reverse=True):
        if q <= 0:
            continue
        if mt in offered:
            return mt
        if mt == "*/*":
            return default
        if mt.endswith("/*"):
            for cand in [default, *offered]:
                if cand.startswith(mt[:-1]):
                    return cand
    return default


def media_for(table: console.SparqlTable, accept: str) -> str:
    if table.kind == "graph":
        return negotiate(accept, list(console.GRAPH_TYPES), "text/turtle")
    offered = console.BOOLEAN_TYPES if table.kind == "boolean" else console.SELECT_TYPES
    return negotiate(accept, offered, console.SPARQL_JSON)


def _responses() -> dict[int | str, dict[str, Any]]:
    ok = {"description": "The answer: SPARQL results (SELECT, ASK) or RDF (CONSTRUCT, DESCRIBE), as negotiated "
                         "by `Accept`; `X-IPRG-Truncated: true` when the row limit cut it",
          "content": media(_ALL_TYPES)}
    return {200: ok, **ERRORS}


def routes(app: FastAPI, ctx: Context) -> None:
    """Add ``GET`` and ``POST /sparql`` to ``app``."""

    async def answer(request: Request, text: str | None) -> Response:
        if not text or not text.strip():
            raise HTTPException(400, "missing SPARQL query: pass query= (GET or form POST) or a application/sparql-query body")
        if not ctx.store.exists():
            raise Unavailable(f"the SPARQL endpoint is off: there is no embedded RDF store at {ctx.store.root} "
                              f"(this server answers from {ctx.settings.backend}); run `kg ingest` to build one")
        started = time.perf_counter()
        table = await ctx.runner.sparql_async(ctx.store, text, request.is_disconnected)
        media = media_for(table, request.headers.get("accept", "*/*"))
        headers = {"X-IPRG-Truncated": "true"} if table.truncated else {}
        headers["Server-Timing"] = f"query;dur={(time.perf_counter() - started) * 1000:.1f}"
        ctype = media + ("; charset=utf-8" if media.startswith("text/") else "")
        return Response(console.serialise(table, media), media_type=ctype, headers=headers)

    @app.get("/sparql", tags=["sparql"], summary="SPARQL 1.1 Protocol, read-only (GET ?query=)",
             responses=_responses(), response_class=Response)
    async def sparql_get(request: Request, query: str = Query(
            ..., min_length=1, max_length=MAX_PARAM, json_schema_extra={"format": QUERY_FORMAT},
            description="a SPARQL 1.1 query (SELECT, ASK, CONSTRUCT or DESCRIBE); updates are refused; "
                        "longer queries by POST")):
        if "update" in request.query_params:
            raise HTTPException(400, READ_ONLY_MSG)
        return await answer(request, query)

    form_schema = {"type": "object", "required": ["query"], "properties": {
        "query": {"type": "string", "minLength": 1, "format": QUERY_FORMAT}}}
    @app.post("/sparql", tags=["sparql"], summary="SPARQL 1.1 Protocol, read-only (POST form or application/sparql-query)",
              responses={**_responses(), 413: ERRORS[413], 415: ERRORS[415]}, response_class=Response,
              openapi_extra={"requestBody": {"required": True, "content": {
                  "application/x-www-form-urlencoded": {"schema": form_schema},
                  "application/sparql-query": {"schema": {"type": "string", "minLength": 1, "format": QUERY_FORMAT}},
              }}})
    async def sparql_post(request: Request):
        ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if ctype == "application/sparql-update":
            raise HTTPException(400, READ_ONLY_MSG)
        if ctype == "application/sparql-query":
            text = (await request.body()).decode("utf-8", errors="replace")
        elif ctype in ("application/x-www-form-urlencoded", "multipart/form-data"):
            form = await request.form()
            if "update" in form:
                raise HTTPException(400, READ_ONLY_MSG)
            text = str(form.get("query") or "")
        else:
            raise HTTPException(415, "POST /sparql takes application/x-www-form-urlencoded (query=…) or application/sparql-query")
        return await answer(request, text)
