"""The SPARQL 1.1 Protocol endpoint ``/sparql``: read-only, time- and row-limited.

Why only HTTP here: reading the request (``query=`` by GET, a form or an
``application/sparql-query`` body), refusing updates at the door and negotiating the answer's
media type are protocol; running the query and writing JSON/CSV/TSV/XML/Turtle is
:mod:`kg.console`'s, the same runner the consoles and ``kg query`` use.
"""

from __future__ import annotations

import asyncio

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import Response

from kg import console
from kg.context import Context
from kg.errors import Unavailable

READ_ONLY_MSG = console.READ_ONLY_MSG


def routes(app: FastAPI, ctx: Context) -> None:
    """Add ``GET`` and ``POST /sparql`` to ``app``."""

    async def answer(request: Request, text: str | None) -> Response:
        if not text or not text.strip():
            raise HTTPException(400, "missing SPARQL query: pass query= (GET or form POST) or a application/sparql-query body")
        accept = request.headers.get("accept", "*/*")
        timeout = ctx.settings.sparql_timeout
        try:
            body, media, truncated = await asyncio.wait_for(asyncio.to_thread(
                console.run_sparql, ctx.store, text, accept, ctx.settings.sparql_max_rows), timeout)
        except TimeoutError as exc:
            raise Unavailable(f"SPARQL query exceeded the time limit of {timeout:g} s") from exc
        headers = {"X-IPRG-Truncated": "true"} if truncated else {}
        return Response(body, media_type=media, headers=headers)

    @app.get("/sparql", tags=["sparql"], summary="SPARQL 1.1 Protocol, read-only (GET ?query=)")
    async def sparql_get(request: Request, query: str | None = None, update: str | None = None):
        if update is not None:
            raise HTTPException(400, READ_ONLY_MSG)
        return await answer(request, query)

    @app.post("/sparql", tags=["sparql"], summary="SPARQL 1.1 Protocol, read-only (POST form or application/sparql-query)")
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
