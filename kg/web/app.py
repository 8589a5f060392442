"""One server for everyone: the Gradio UI at ``/``, the REST API at ``/api/v1``, SPARQL at ``/sparql``.

Why one app: judges, academics and law firms look at the same graph; serving the UI, the JSON
API and the SPARQL 1.1 Protocol endpoint from one FastAPI process (as Datasette does) means one
command (``kg serve`` or ``python ui.py``), one port, and answers that cannot disagree — every
route calls the one :class:`~kg.context.Context`'s explorer, which the UI calls too.

Errors: only :class:`~kg.errors.IprgError` and its kinds become 4xx/503 answers (their
``status``); anything else is a bug and a 500. In front of the routes (:mod:`kg.web.guard`):
API keys, a per-client rate limit, 405 for undeclared methods, a body-size limit and security
headers. The app keeps no per-user state, so ``kg serve --workers N`` runs N copies behind one
port.
"""

from __future__ import annotations

import os
from pathlib import Path

import gradio as gr
from fastapi import FastAPI, Request
from fastapi.exception_handlers import request_validation_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi_offline import FastAPIOffline

from kg import config
from kg.context import Context, ExplorerFactory
from kg.errors import IprgError, TooBusy
from kg.web import api, api_features, etag, guard, sparql_protocol, viz_document, viz_routes
from kg.web.text import label
from kg.web.ui import blocks, views

DESCRIPTION = (
    "{graph}\n\n"
    "Stable IRIs under https://w3id.org/iprg/id/…; JSON by default, JSON-LD with "
    "`Accept: application/ld+json` or `?format=jsonld`. Facts carry `verified` "
    "(yes / partly / no): unverified facts are marked, never presented as certain. "
    "SPARQL 1.1 Protocol (read-only) at /sparql. With IPRG_API_KEYS set, send `X-API-Key`. "
    "Limits: {limits}."
)


def _limits(settings: config.Settings) -> str:
    rate = settings.rate_limit or "none"
    return (f"user-typed queries {settings.query_timeout:g} s, {settings.query_max_rows} rows, "
            f"{settings.query_workers} at once per worker (then 429); request bodies {settings.max_body} bytes "
            f"(then 413); rate {rate} per client (then 429)")


def create_app(store_root: Path | str | None = None, *, explorer_factory: ExplorerFactory | None = None,
               with_ui: bool = True, ctx: Context | None = None) -> FastAPI:
    """The FastAPI app: ``/api/v1`` (OpenAPI at ``/docs``), ``/sparql``, ``/viz``, Gradio at ``/``."""
    ctx = ctx or Context(store_root=store_root, explorer_factory=explorer_factory)
    settings = ctx.settings
    app = FastAPIOffline(
        title=label("api_title"),
        version="1.0",
        summary="Chinese IP judicial rules as a knowledge graph: topics, measures, rules, cases, statutes.",
        description=DESCRIPTION.format(graph=views.graph_summary(ctx.overview()), limits=_limits(settings)),
    )
    app.state.ctx = ctx
    etag.install(app, ctx)   # ETag/304 and responses kept per generation (inside guard's key check)
    described: dict[str, str | None] = {"generation": ctx.store.current_generation()}
    schema_of = app.openapi

    def openapi() -> dict:
        # The description names what the graph holds, so a rebuild under a running server
        # must not leave /openapi.json describing the graph it replaced.
        gen = ctx.store.current_generation()
        if gen != described["generation"]:
            described["generation"] = gen
            app.description = DESCRIPTION.format(graph=views.graph_summary(ctx.overview()),
                                                 limits=_limits(settings))
            app.openapi_schema = None
        return schema_of()

    app.openapi = openapi  # type: ignore[method-assign]

    @app.exception_handler(IprgError)
    async def known_error(_request: Request, exc: IprgError):
        headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, TooBusy) else None
        return JSONResponse({"detail": str(exc)}, status_code=exc.status, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError):
        # a SPARQL Update sent by GET has no query= at all: say it is refused, not "missing"
        if request.url.path == "/sparql" and "update" in request.query_params:
            return JSONResponse({"detail": sparql_protocol.READ_ONLY_MSG}, status_code=400)
        return await request_validation_exception_handler(request, exc)

    app.include_router(api.router(ctx), tags=["api"])
    app.include_router(api_features.router(ctx), tags=["api"])
    sparql_protocol.routes(app, ctx)
    viz_routes.routes(app, ctx)
    viz_document.routes(app, ctx)

    sizes: dict[str | None, int] = {}

    @app.get("/healthz", include_in_schema=False)
    def healthz():
        # The size is what a monitor compares across workers and rebuilds; counting is a full
        # scan, so it is counted once per generation.
        gen = ctx.store.current_generation()
        if gen not in sizes:
            sizes.clear()
            sizes[gen] = len(ctx.store) if gen is not None else 0
        return {"ok": True, "backend": settings.backend, "generation": gen, "triples": sizes[gen],
                "pid": os.getpid()}

    @app.on_event("startup")
    def starting() -> None:
        if ctx.store.exists():
            ctx.runner.start()

    @app.on_event("shutdown")
    def closing() -> None:
        ctx.close()

    if settings.rate_limit:
        app.add_middleware(guard.RateLimit, limit=settings.rate_limit)
    app.add_middleware(guard.MethodNotAllowed, api=app)
    app.add_middleware(guard.ApiKeys)
    app.add_middleware(guard.BodyLimit, max_bytes=settings.max_body)
    app.add_middleware(guard.SecurityHeaders)
    if with_ui:
        app = gr.mount_gradio_app(app, blocks.build_ui(ctx), path="/", **blocks.mount_kwargs())
    return app


def app_from_env() -> FastAPI:
    """The app for the settings in the environment: what ``kg serve`` hands uvicorn, so every
    worker process builds the same app (uvicorn's ``factory=True``)."""
    return create_app(ctx=Context(config.settings()))
