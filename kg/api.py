"""One server for everyone: the Gradio UI at ``/``, the REST API at ``/api/v1``, SPARQL at ``/sparql``.

Why one app: judges, academics and law firms look at the same graph; serving the UI, the JSON
API and the SPARQL 1.1 Protocol endpoint from one FastAPI process (as Datasette does) means one
command (``kg serve`` or ``python ui.py``), one port, and answers that cannot disagree — every
route calls :mod:`kg.explorer`, which the UI calls too.

Contract for programmatic users:

* Stable IRIs (``https://w3id.org/iprg/id/<kind>/<slug>``, minted by :mod:`kg.ns`) are the ids
  in every answer (``iri``); ``/api/v1/cases/{id}`` and friends take the record id.
* JSON by default; JSON-LD with an ``@context`` for ``Accept: application/ld+json`` or
  ``?format=jsonld`` — the same body, so the JSON is already linked data.
* ``/sparql`` is read-only: an ``update=`` parameter, an ``application/sparql-update`` body or an
  UPDATE operation in ``query=`` is refused with 400 and a message saying so.
* ``IPRG_API_KEYS`` (comma-separated) turns on API keys for ``/api`` and ``/sparql``
  (header ``X-API-Key``; 401 without a valid one). The UI itself stays open.
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
import os
import secrets
import tempfile
import threading
from collections.abc import Callable
from dataclasses import asdict, is_dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pyoxigraph as ox
from fastapi import APIRouter, FastAPI, HTTPException, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response

from kg import viz
from kg.explorer import sparql_update_keyword
from kg.ns import BASE, PREFIXES, iri
from kg.store import EXPORT_FORMATS, GraphStore, StoreError

API_PREFIX = "/api/v1"
JSONLD = "application/ld+json"
SPARQL_JSON = "application/sparql-results+json"
MAX_LIMIT = 200
SPARQL_MAX_ROWS = int(os.environ.get("IPRG_SPARQL_MAX_ROWS", "10000"))
SPARQL_TIMEOUT_S = float(os.environ.get("IPRG_SPARQL_TIMEOUT", "30"))

#: The JSON-LD context: API field names → ontology terms. Fields not listed here are API
#: structure (``total``, ``items``…) and fall under ``@vocab`` ``…/iprg/api#``.
CONTEXT: dict[str, Any] = {
    "@vocab": BASE + "api#",
    "iprg": BASE,
    "rdfs": str(PREFIXES["rdfs"]),
    "skos": str(PREFIXES["skos"]),
    "xsd": str(PREFIXES["xsd"]),
    "oa": str(PREFIXES["oa"]),
    "iri": "@id",
    "label_zh": {"@id": "rdfs:label", "@language": "zh"},
    "label_en": {"@id": "rdfs:label", "@language": "en"},
    "title_zh": {"@id": "iprg:title", "@language": "zh"},
    "title_en": {"@id": "iprg:title", "@language": "en"},
    "text_zh": {"@id": "iprg:text", "@language": "zh"},
    "text_en": {"@id": "iprg:text", "@language": "en"},
    "number": {"@id": "iprg:number", "@type": "xsd:integer"},
    "case_numbers": "iprg:caseNumber",
    "case_numbers_unverified": "iprg:caseNumberUnverified",
    "courts": "iprg:court",
    "decided": "iprg:decided",
    "verified": "iprg:verified",
    "outcome_zh": {"@id": "iprg:outcome", "@language": "zh"},
    "outcome_en": {"@id": "iprg:outcome", "@language": "en"},
    "holding_zh": {"@id": "iprg:holding", "@language": "zh"},
    "holding_en": {"@id": "iprg:holding", "@language": "en"},
    "cause": {"@id": "iprg:cause", "@language": "zh"},
    "plaintiffs": {"@id": "iprg:plaintiff", "@language": "zh"},
    "defendants": {"@id": "iprg:defendant", "@language": "zh"},
    "honours": {"@id": "iprg:honour", "@language": "zh"},
    "sources": {"@id": "iprg:source", "@type": "xsd:anyURI"},
    "citations": "iprg:cites",
    "topics": "iprg:aboutTopic",
    "gist_zh": {"@id": "iprg:gist", "@language": "zh"},
    "gist_en": {"@id": "iprg:gist", "@language": "en"},
    "article_number": "iprg:articleNumber",
    "statute_kind": "iprg:statuteKind",
    "status": "iprg:status",
    "doc_number": "iprg:docNumber",
    "start": {"@id": "oa:start", "@type": "xsd:integer"},
    "end": {"@id": "oa:end", "@type": "xsd:integer"},
    "exact": "oa:exact",
    "body": "oa:hasBody",
    "source": {"@type": "@id"},
    "target": {"@type": "@id"},
    "next": {"@type": "@id"},
    "prev": {"@type": "@id"},
}

_CONCEPT_KINDS = {"Concept", "Topic"}


# ----------------------------------------------------------------------------- helpers

def jsonable(obj: Any) -> Any:
    """Dataclasses (frozen explorer results) → plain JSON values, recursively."""
    if is_dataclass(obj) and not isinstance(obj, type):
        return jsonable(asdict(obj))
    if isinstance(obj, dict):
        return {str(k): jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [jsonable(v) for v in obj]
    return obj


def _typed(obj: Any) -> Any:
    """Add ``@type`` to every object that has an ``iri`` and a ``kind`` (ontology class name)."""
    if isinstance(obj, dict):
        out = {k: _typed(v) for k, v in obj.items()}
        kind = obj.get("kind")
        if "iri" in obj and isinstance(kind, str) and kind:
            out["@type"] = "skos:Concept" if kind in _CONCEPT_KINDS else f"iprg:{kind}"
        return out
    if isinstance(obj, list):
        return [_typed(v) for v in obj]
    return obj


def wants_jsonld(request: Request) -> bool:
    if request.query_params.get("format", "").lower() in {"jsonld", "json-ld"}:
        return True
    accept = request.headers.get("accept", "")
    return JSONLD in accept and "application/json" not in accept.split(JSONLD)[0]


def respond(request: Request, body: Any, *, headers: dict[str, str] | None = None) -> Response:
    """JSON, or JSON-LD (same body plus ``@context`` and ``@type``s) when asked for."""
    data = jsonable(body)
    if wants_jsonld(request):
        doc = {"@context": CONTEXT, **_typed(data)} if isinstance(data, dict) else {
            "@context": CONTEXT, "items": _typed(data)}
        return Response(json.dumps(doc, ensure_ascii=False), media_type=JSONLD, headers=headers)
    return JSONResponse(data, headers=headers)


def _items(values: Any) -> dict[str, Any]:
    return {"items": jsonable(values)}


def _api_keys() -> set[str]:
    return {k.strip() for k in os.environ.get("IPRG_API_KEYS", "").split(",") if k.strip()}


def _key_ok(given: str | None, keys: set[str]) -> bool:
    if not given:
        return False
    return any(secrets.compare_digest(given.encode(), k.encode()) for k in keys)


# ----------------------------------------------------------------------------- SPARQL protocol



class ReadOnlyError(ValueError):
    """A write was sent to a read-only endpoint."""


def is_update(text: str) -> bool:
    """True when ``text`` holds a SPARQL Update keyword (outside comments, strings and IRIs)."""
    return sparql_update_keyword(text) is not None


_READ_ONLY_MSG = ("this SPARQL endpoint is read-only: SPARQL UPDATE (INSERT, DELETE, LOAD, CLEAR, "
                  "DROP, CREATE, ADD, MOVE, COPY) is not accepted; rebuild the graph with `kg ingest`")


def _term_json(term: Any) -> dict[str, str]:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    out = {"type": "literal", "value": term.value}
    if term.language:
        out["xml:lang"] = term.language
    elif term.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
        out["datatype"] = term.datatype.value
    return out


def _term_csv(term: Any) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.BlankNode):
        return "_:" + term.value
    return term.value


def _term_tsv(term: Any) -> str:
    return "" if term is None else str(term)


_SELECT_TYPES = {
    SPARQL_JSON: "json", "application/json": "json", "text/csv": "csv",
    "text/tab-separated-values": "tsv", "application/sparql-results+xml": "xml",
}
_GRAPH_TYPES = {
    "text/turtle": ox.RdfFormat.TURTLE, "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/ld+json": ox.RdfFormat.JSON_LD, "application/rdf+xml": ox.RdfFormat.RDF_XML,
}


def _negotiate(accept: str, offered: list[str], default: str) -> str:
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


def run_sparql(store: GraphStore, text: str, accept: str, max_rows: int = SPARQL_MAX_ROWS) -> tuple[bytes, str, bool]:
    """Evaluate a read-only query; returns (body, media type, truncated)."""
    if is_update(text):
        raise ReadOnlyError(_READ_ONLY_MSG)
    try:
        result = store.query(text)
    except SyntaxError as exc:
        raise ValueError(f"SPARQL syntax error: {exc}") from exc
    if isinstance(result, ox.QueryBoolean):
        mt = _negotiate(accept, [SPARQL_JSON, "application/json", "text/csv"], SPARQL_JSON)
        if mt == "text/csv":
            return (b"_askResult\r\n" + (b"true" if bool(result) else b"false") + b"\r\n"), "text/csv; charset=utf-8", False
        return json.dumps({"head": {}, "boolean": bool(result)}).encode(), SPARQL_JSON, False
    if isinstance(result, ox.QueryTriples):
        mt = _negotiate(accept, list(_GRAPH_TYPES), "text/turtle")
        triples = []
        truncated = False
        for t in result:
            if len(triples) >= max_rows:
                truncated = True
                break
            triples.append(t)
        fmt = _GRAPH_TYPES[mt]
        prefixes = {k: str(v) for k, v in PREFIXES.items()} if fmt in (ox.RdfFormat.TURTLE,) else None
        body = ox.serialize(triples, format=fmt, prefixes=prefixes) if prefixes else ox.serialize(triples, format=fmt)
        ctype = mt + ("; charset=utf-8" if mt.startswith("text/") else "")
        return body, ctype, truncated
    names = [v.value for v in result.variables]
    mt = _negotiate(accept, list(_SELECT_TYPES), SPARQL_JSON)
    kind = _SELECT_TYPES[mt]
    rows = []
    truncated = False
    for sol in result:
        if len(rows) >= max_rows:
            truncated = True
            break
        rows.append([sol[n] for n in names])
    if kind == "json":
        bindings = [{n: _term_json(t) for n, t in zip(names, row, strict=True) if t is not None} for row in rows]
        doc = {"head": {"vars": names}, "results": {"bindings": bindings}}
        return json.dumps(doc, ensure_ascii=False).encode("utf-8"), SPARQL_JSON, truncated
    if kind == "xml":
        # Rare; let Oxigraph write it from a re-run (results are small when asked this way).
        body = store.query(text).serialize(format=ox.QueryResultsFormat.XML)
        return body, "application/sparql-results+xml", False
    buf = io.StringIO()
    if kind == "csv":
        writer = csv.writer(buf, lineterminator="\r\n")
        writer.writerow(names)
        for row in rows:
            writer.writerow([_term_csv(t) for t in row])
        return buf.getvalue().encode("utf-8"), "text/csv; charset=utf-8", truncated
    buf.write("\t".join("?" + n for n in names) + "\n")
    for row in rows:
        buf.write("\t".join(_term_tsv(t) for t in row) + "\n")
    return buf.getvalue().encode("utf-8"), "text/tab-separated-values; charset=utf-8", truncated


# ----------------------------------------------------------------------------- the app

class Graph:
    """The store and its explorer, created once per app; the store follows rebuilds itself."""

    def __init__(self, store_root: Path | str | None = None, explorer_factory: Callable | None = None) -> None:
        self.store = GraphStore(Path(store_root) if store_root else None)
        self._factory = explorer_factory
        self._explorer = None
        self._lock = threading.Lock()
        self.export_dir = Path(tempfile.mkdtemp(prefix="iprg-export-"))

    @property
    def explorer(self):
        with self._lock:
            if self._explorer is None:
                if self._factory is not None:
                    self._explorer = self._factory(self.store)
                else:
                    from kg.explorer import get_explorer

                    self._explorer = get_explorer("sparql", store=self.store)
            return self._explorer

    def export_file(self, fmt: str) -> Path:
        """The export of the current generation in ``fmt``, written once and reused."""
        if fmt not in EXPORT_FORMATS:
            raise ValueError(f"unknown export format {fmt!r}; choose one of {sorted(EXPORT_FORMATS)}")
        gen = self.store.current_generation() or "none"
        dest = self.export_dir / f"iprg-graph-{gen}{EXPORT_FORMATS[fmt][0]}"
        if not dest.exists():
            tmp = dest.with_name("." + dest.name + ".tmp")
            self.store.export(fmt, tmp)
            os.replace(tmp, dest)
        return dest


def _page_links(request: Request, total: int, offset: int, limit: int) -> tuple[str | None, str | None]:
    params = dict(request.query_params)

    def url(off: int) -> str:
        params["offset"] = str(off)
        params["limit"] = str(limit)
        return str(request.url.replace(query=urlencode(params)))

    nxt = url(offset + limit) if offset + limit < total else None
    prev = url(max(0, offset - limit)) if offset > 0 else None
    return nxt, prev


def _router(graph: Graph) -> APIRouter:
    r = APIRouter(prefix=API_PREFIX)

    def ex():
        return graph.explorer

    @r.get("/topics", summary="Topics of the topic scheme with counts of measures, rules and cases")
    def topics(request: Request):
        return respond(request, _items(ex().topics()))

    @r.get("/topics/{topic_id}/rules", summary="Rules, measures and cases about a topic (cases newest and highest court first)")
    def topic_rules(request: Request, topic_id: str):
        return respond(request, ex().rules_by_topic(topic_id))

    @r.get("/topic/{topic_id}/rules", include_in_schema=False)
    def topic_rules_alias(request: Request, topic_id: str):
        return respond(request, ex().rules_by_topic(topic_id))

    @r.get("/measures/{number}", summary="A measure of the policy document by its number (1–20), with rules, mentions, citations and cases")
    def measure(request: Request, number: int):
        return respond(request, ex().measure(number))

    @r.get("/cases", summary="Cases, filtered and paginated (total, next and prev links)")
    def cases(
        request: Request,
        topic: str | None = Query(None, description="topic id, e.g. trade_secrets"),
        court: str | None = Query(None, description="court IRI or its Chinese name"),
        year: int | None = Query(None, ge=1949, le=2100),
        statute: str | None = Query(None, description="statute id or IRI; also matches citations of its articles"),
        measure: str | None = Query(None, description="measure number or IRI"),
        offset: int = Query(0, ge=0),
        limit: int = Query(20, ge=1, le=MAX_LIMIT),
    ):
        measure_arg: int | str | None = int(measure) if measure and measure.isdigit() else measure
        statute_arg = statute if not statute or statute.startswith("http") else str(iri("statute", statute))
        court_arg = court if not court or court.startswith("http") else str(iri("court", court))
        page = ex().cases(topic=topic, court=court_arg, year=year, statute=statute_arg, measure=measure_arg,
                          offset=offset, limit=limit)
        nxt, prev = _page_links(request, page.total, page.offset, page.limit)
        body = {**jsonable(page), "next": nxt, "prev": prev}
        links = ", ".join(f'<{u}>; rel="{rel}"' for u, rel in ((nxt, "next"), (prev, "prev")) if u)
        return respond(request, body, headers={"Link": links} if links else None)

    @r.get("/cases/{case_id}", summary="One case by its record id (or a full case IRI in ?iri=)")
    def case(request: Request, case_id: str):
        return respond(request, ex().case(str(iri("case", case_id))))

    @r.get("/statutes/{statute_id}", summary="A statute by its id, with its articles and what cites it")
    def statute(request: Request, statute_id: str):
        return respond(request, ex().statute(str(iri("statute", statute_id))))

    @r.get("/articles/{statute_id}/{number}", summary="An article of a statute (number as written, e.g. 9 or 10-1)")
    def article(request: Request, statute_id: str, number: str):
        return respond(request, ex().article(str(iri("article", statute_id, number))))

    @r.get("/resource", summary="Any node by IRI: dispatches to measure, case, statute or article views")
    def resource(request: Request, iri_: str = Query(..., alias="iri")):
        return respond(request, lookup(ex(), iri_))

    @r.get("/search", summary="Search in Chinese or English (labels, texts, concept synonyms)")
    def search(request: Request, q: str = Query(..., min_length=1, max_length=200), limit: int = Query(20, ge=1, le=MAX_LIMIT)):
        return respond(request, {"q": q, **_items(ex().search(q, limit=limit))})

    @r.get("/graph/neighbourhood", summary="Nodes and edges around a node, up to depth hops")
    def neighbourhood(request: Request, iri_: str = Query(..., alias="iri"), depth: int = Query(1, ge=1, le=3),
                      limit: int = Query(200, ge=1, le=1000)):
        return respond(request, ex().neighbourhood(iri_, depth=depth, limit=limit))

    @r.get("/graph/path", summary="A shortest path between two nodes (null when none within 6 hops)")
    def path(request: Request, from_: str = Query(..., alias="from"), to: str = Query(...)):
        sub = ex().shortest_path(from_, to)
        if sub is None:
            raise HTTPException(404, f"no path between {from_} and {to} within 6 hops")
        return respond(request, sub)

    @r.get("/matrix", summary="Topic × measure matrix (non-zero cells)")
    def matrix(request: Request):
        return respond(request, ex().topic_measure_matrix())

    @r.get("/centrality", summary="Degree and PageRank of the explorable graph's nodes")
    def centrality(request: Request, limit: int = Query(50, ge=1, le=1000)):
        return respond(request, _items(ex().centrality(limit=limit)))

    @r.get("/export/{fmt}", summary="The whole graph: turtle, jsonld, nt, graphml or csv (zip of nodes/edges)")
    def export(fmt: str):
        path = graph.export_file(fmt)
        suffix, media = EXPORT_FORMATS[fmt]
        return FileResponse(path, media_type=media, filename=f"iprg-graph{suffix}")

    @r.get("/context.jsonld", summary="The JSON-LD @context of every answer")
    def context():
        return Response(json.dumps({"@context": CONTEXT}, ensure_ascii=False), media_type=JSONLD)

    return r


def lookup(explorer, node_iri: str):
    """The detail view for any IRI by its kind (the ``id/<kind>/`` segment)."""
    from kg.explorer import NotFound

    kind = viz.kind_of(node_iri)
    if kind == "measure":
        return explorer.measure(node_iri)
    if kind == "case":
        return explorer.case(node_iri)
    if kind == "statute":
        return explorer.statute(node_iri)
    if kind == "article":
        return explorer.article(node_iri)
    if kind == "topic":
        return explorer.rules_by_topic(node_iri.rstrip("/").rsplit("/", 1)[-1])
    sub = explorer.neighbourhood(node_iri, depth=1, limit=200)
    if not sub.nodes:
        raise NotFound(f"no node {node_iri} in the graph")
    return sub


def _sparql_routes(app: FastAPI, graph: Graph) -> None:
    async def answer(request: Request, text: str | None) -> Response:
        if not text or not text.strip():
            raise HTTPException(400, "missing SPARQL query: pass query= (GET or form POST) or a application/sparql-query body")
        accept = request.headers.get("accept", "*/*")
        try:
            body, media, truncated = await asyncio.wait_for(
                asyncio.to_thread(run_sparql, graph.store, text, accept), SPARQL_TIMEOUT_S)
        except TimeoutError as exc:
            raise HTTPException(503, f"SPARQL query exceeded the time limit of {SPARQL_TIMEOUT_S:g} s") from exc
        headers = {"X-IPRG-Truncated": "true"} if truncated else {}
        return Response(body, media_type=media, headers=headers)

    @app.get("/sparql", tags=["sparql"], summary="SPARQL 1.1 Protocol, read-only (GET ?query=)")
    async def sparql_get(request: Request, query: str | None = None, update: str | None = None):
        if update is not None:
            raise HTTPException(400, _READ_ONLY_MSG)
        return await answer(request, query)

    @app.post("/sparql", tags=["sparql"], summary="SPARQL 1.1 Protocol, read-only (POST form or application/sparql-query)")
    async def sparql_post(request: Request):
        ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if ctype == "application/sparql-update":
            raise HTTPException(400, _READ_ONLY_MSG)
        if ctype == "application/sparql-query":
            text = (await request.body()).decode("utf-8", errors="replace")
        elif ctype in ("application/x-www-form-urlencoded", "multipart/form-data"):
            form = await request.form()
            if "update" in form:
                raise HTTPException(400, _READ_ONLY_MSG)
            text = str(form.get("query") or "")
        else:
            raise HTTPException(415, "POST /sparql takes application/x-www-form-urlencoded (query=…) or application/sparql-query")
        return await answer(request, text)


def _viz_routes(app: FastAPI, graph: Graph) -> None:
    @app.get("/viz/lib/{name}", include_in_schema=False)
    def vis_lib(name: str):
        if name not in viz.VIS_FILES:
            raise HTTPException(404, f"no such file {name}")
        return FileResponse(viz.VIS_DIR / name, media_type=viz.VIS_FILES[name],
                            headers={"Cache-Control": "public, max-age=86400"})

    @app.get("/viz/neighbourhood", response_class=HTMLResponse, tags=["viz"],
             summary="An interactive (vis-network) neighbourhood graph page")
    def viz_neighbourhood(iri_: str = Query(..., alias="iri"), depth: int = Query(1, ge=1, le=3),
                          lang: str = "zh", limit: int = Query(150, ge=1, le=500)):
        sub = graph.explorer.neighbourhood(iri_, depth=depth, limit=limit)
        return HTMLResponse(viz.render_html(sub, center=iri_, lang=lang, depth=depth,
                                            page_url="/viz/neighbourhood"))

    @app.get("/viz/path", response_class=HTMLResponse, tags=["viz"], summary="A shortest path drawn as a graph page")
    def viz_path(from_: str = Query(..., alias="from"), to: str = Query(...), lang: str = "zh"):
        sub = graph.explorer.shortest_path(from_, to)
        if sub is None:
            texts = viz.ui_text()["viz"]
            return HTMLResponse(viz.render_html({"nodes": [], "edges": []}, lang=lang,
                                                title=texts["empty"]["en" if lang == "en" else "zh"]))
        order = [n.iri for n in sub.nodes]
        return HTMLResponse(viz.render_html(sub, center=from_, path=order, lang=lang,
                                            page_url="/viz/neighbourhood"))


def create_app(store_root: Path | str | None = None, *, explorer_factory: Callable | None = None,
               with_ui: bool = True) -> FastAPI:
    """The FastAPI app: ``/api/v1`` (OpenAPI at ``/docs``), ``/sparql``, ``/viz``, Gradio at ``/``."""
    from kg.explorer import NotFound

    graph = Graph(store_root, explorer_factory)
    app = FastAPI(
        title="IP Rule Graph API · 知识产权司法规则图谱",
        version="1.0",
        summary="Chinese IP judicial rules as a knowledge graph: topics, measures, rules, cases, statutes.",
        description=(
            "Stable IRIs under https://w3id.org/iprg/id/…; JSON by default, JSON-LD with "
            "`Accept: application/ld+json` or `?format=jsonld`. Facts carry `verified` "
            "(yes / partly / no): unverified facts are marked, never presented as certain. "
            "SPARQL 1.1 Protocol (read-only) at /sparql. With IPRG_API_KEYS set, send `X-API-Key`."
        ),
    )
    app.state.graph = graph

    @app.middleware("http")
    async def api_keys(request: Request, call_next):
        path = request.url.path
        if path.startswith("/api/") or path == "/sparql":
            keys = _api_keys()
            if keys and not _key_ok(request.headers.get("x-api-key"), keys):
                return JSONResponse({"detail": "a valid X-API-Key header is required (IPRG_API_KEYS is set)"},
                                    status_code=401, headers={"WWW-Authenticate": "X-API-Key"})
        return await call_next(request)

    @app.exception_handler(NotFound)
    async def not_found(_request: Request, exc: NotFound):
        return JSONResponse({"detail": str(exc)}, status_code=404)

    @app.exception_handler(ReadOnlyError)
    async def read_only(_request: Request, exc: ReadOnlyError):
        return JSONResponse({"detail": str(exc)}, status_code=400)

    @app.exception_handler(ValueError)
    async def bad_value(_request: Request, exc: ValueError):
        return JSONResponse({"detail": str(exc)}, status_code=400)

    @app.exception_handler(StoreError)
    async def store_error(_request: Request, exc: StoreError):
        return JSONResponse({"detail": str(exc)}, status_code=503)

    app.include_router(_router(graph), tags=["api"])
    _sparql_routes(app, graph)
    _viz_routes(app, graph)

    @app.get("/healthz", include_in_schema=False)
    def healthz():
        return {"ok": True, "generation": graph.store.current_generation(), "triples": len(graph.store)}

    if with_ui:
        import gradio as gr

        from kg import ui_app

        blocks = ui_app.build_ui(lambda: graph.explorer, store=graph.store, export=graph.export_file)
        app = gr.mount_gradio_app(app, blocks, path="/", **ui_app.mount_kwargs())
    return app


def ensure_built(store_root: Path | str | None = None) -> bool:
    """Build the graph from the bundled corpus when the store is empty. True if it built one."""
    store = GraphStore(Path(store_root) if store_root else None)
    if store.exists() and len(store) > 0:
        return False
    from kg.rebuild import run_ingest

    print(f"[kg] no graph in {store.root}: building it from the bundled corpus …", flush=True)
    report = run_ingest(None, store)
    print(f"[kg] built: {getattr(report, 'triples', '?')} triples", flush=True)
    return True


def serve(host: str = "127.0.0.1", port: int = 7860, store_root: Path | str | None = None) -> None:
    """Run the one server (UI + API + SPARQL) with uvicorn, building the graph first if needed."""
    import uvicorn

    ensure_built(store_root)
    from kg import config

    if not config.neo4j_settings().configured:
        print("[kg] Neo4j not configured (set NEO4J_URI): the Cypher console is off; everything else works.", flush=True)
    print(f"[kg] serving on http://{host}:{port}/  (API /api/v1, docs /docs, SPARQL /sparql)", flush=True)
    uvicorn.run(create_app(store_root), host=host, port=port, log_level="info")
