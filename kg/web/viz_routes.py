"""The graph pages ``/viz/…``: vis-network pages the UI shows in an iframe (and anyone can open)."""

from __future__ import annotations

from typing import Literal

from fastapi import FastAPI, HTTPException, Query
from fastapi.responses import FileResponse, HTMLResponse

from kg.context import Context
from kg.web import viz
from kg.web.openapi import MAX_PARAM, READ_ERRORS
from kg.web.text import ui_text

Lang = Literal["zh", "en"]
PAGE = {200: {"description": "an HTML page", "content": {"text/html": {"schema": {"type": "string"}}}},
        **READ_ERRORS}


def routes(app: FastAPI, ctx: Context) -> None:
    """Add ``/viz/lib/{name}``, ``/viz/neighbourhood`` and ``/viz/path`` to ``app``."""

    @app.get("/viz/lib/{name}", include_in_schema=False)
    def vis_lib(name: str):
        if name not in viz.VIS_FILES:
            raise HTTPException(404, f"no such file {name}")
        return FileResponse(viz.VIS_DIR / name, media_type=viz.VIS_FILES[name],
                            headers={"Cache-Control": "public, max-age=86400"})

    @app.get("/viz/neighbourhood", response_class=HTMLResponse, tags=["viz"], responses=PAGE,
             summary="An interactive (vis-network) neighbourhood graph page")
    def viz_neighbourhood(iri_: str = Query(..., alias="iri", max_length=MAX_PARAM),
                          depth: int = Query(1, ge=1, le=3), lang: Lang = "zh",
                          limit: int = Query(150, ge=1, le=500)):
        sub = ctx.explorer.neighbourhood(iri_, depth=depth, limit=limit)
        return HTMLResponse(viz.render_html(sub, center=iri_, lang=lang, depth=depth,
                                            page_url="/viz/neighbourhood"))

    @app.get("/viz/path", response_class=HTMLResponse, tags=["viz"], responses=PAGE,
             summary="A shortest path drawn as a graph page (an empty page when there is none within 6 hops)")
    def viz_path(from_: str = Query(..., alias="from", max_length=MAX_PARAM),
                 to: str = Query(..., max_length=MAX_PARAM), lang: Lang = "zh"):
        sub = ctx.explorer.shortest_path(from_, to)
        if sub is None:
            texts = ui_text()["viz"]
            return HTMLResponse(viz.render_html({"nodes": [], "edges": []}, lang=lang,
                                                title=texts["empty"]["en" if lang == "en" else "zh"]))
        order = [n.iri for n in sub.nodes]
        return HTMLResponse(viz.render_html(sub, center=from_, path=order, lang=lang,
                                            page_url="/viz/neighbourhood"))
