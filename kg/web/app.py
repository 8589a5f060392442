"""One server for everyone: the Gradio UI at ``/``, the REST API at ``/api/v1``, SPARQL at ``/sparql``.

Why one app: judges, academics and law firms look at the same graph; serving the UI, the JSON
API and the SPARQL 1.1 Protocol endpoint from one FastAPI process (as Datasette does) means one
command (``kg serve`` or ``python ui.py``), one port, and answers that cannot disagree — every
route calls the one :class:`~kg.context.Context`'s explorer, which the UI calls too.

Errors: only :class:`~kg.errors.IprgError` and its kinds become 4xx/503 answers (their
``status``); anything else is a bug and a 500. ``IPRG_API_KEYS`` (comma-separated) turns on API
keys for ``/api`` and ``/sparql`` (header ``X-API-Key``; 401 without a valid one).
"""

from __future__ import annotations

import secrets
from pathlib import Path

import gradio as gr
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from kg import config
from kg.context import Context, ExplorerFactory
from kg.errors import IprgError, TooBusy
from kg.web import api, api_features, sparql_protocol, viz_document, viz_routes
from kg.web.text import label
from kg.web.ui import blocks


def key_ok(given: str | None, keys: tuple[str, ...]) -> bool:
    """``given`` is one of ``keys``, compared in constant time (never logged)."""
    if not given:
        return False
    return any(secrets.compare_digest(given.encode(), k.encode()) for k in keys)


def create_app(store_root: Path | str | None = None, *, explorer_factory: ExplorerFactory | None = None,
               with_ui: bool = True, ctx: Context | None = None) -> FastAPI:
    """The FastAPI app: ``/api/v1`` (OpenAPI at ``/docs``), ``/sparql``, ``/viz``, Gradio at ``/``."""
    ctx = ctx or Context(store_root=store_root, explorer_factory=explorer_factory)
    app = FastAPI(
        title=label("api_title"),
        version="1.0",
        summary="Chinese IP judicial rules as a knowledge graph: topics, measures, rules, cases, statutes.",
        description=(
            "Stable IRIs under https://w3id.org/iprg/id/…; JSON by default, JSON-LD with "
            "`Accept: application/ld+json` or `?format=jsonld`. Facts carry `verified` "
            "(yes / partly / no): unverified facts are marked, never presented as certain. "
            "SPARQL 1.1 Protocol (read-only) at /sparql. With IPRG_API_KEYS set, send `X-API-Key`."
        ),
    )
    app.state.ctx = ctx

    @app.middleware("http")
    async def api_keys(request: Request, call_next):
        path = request.url.path
        if path.startswith("/api/") or path == "/sparql":
            keys = config.settings().api_keys
            if keys and not key_ok(request.headers.get("x-api-key"), keys):
                return JSONResponse({"detail": "a valid X-API-Key header is required (IPRG_API_KEYS is set)"},
                                    status_code=401, headers={"WWW-Authenticate": "X-API-Key"})
        return await call_next(request)

    @app.exception_handler(IprgError)
    async def known_error(_request: Request, exc: IprgError):
        headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, TooBusy) else None
        return JSONResponse({"detail": str(exc)}, status_code=exc.status, headers=headers)

    app.include_router(api.router(ctx), tags=["api"])
    app.include_router(api_features.router(ctx), tags=["api"])
    sparql_protocol.routes(app, ctx)
    viz_routes.routes(app, ctx)
    viz_document.routes(app, ctx)

    @app.get("/healthz", include_in_schema=False)
    def healthz():
        return {"ok": True, "generation": ctx.store.current_generation(), "triples": len(ctx.store)}

    if with_ui:
        app = gr.mount_gradio_app(app, blocks.build_ui(ctx), path="/", **blocks.mount_kwargs())
    return app


def app_from_env() -> FastAPI:
    """The app for the settings in the environment: what ``kg serve`` hands uvicorn, so every
    worker process builds the same app (uvicorn's ``factory=True``)."""
    return create_app(ctx=Context(config.settings()))
