"""The REST API: ``/api/v1`` routes over the explorer, JSON and JSON-LD.

Contract for programmatic users:

* Stable IRIs (``https://w3id.org/iprg/id/<kind>/<slug>``, minted by :mod:`kg.ns`) are the ids
  in every answer (``iri``); ``/api/v1/cases/{id}`` and friends take the record id.
* JSON by default; JSON-LD with an ``@context`` for ``Accept: application/ld+json`` or
  ``?format=jsonld`` — the same body, so the JSON is already linked data.
* Lists are paginated with ``total`` and ``next``/``prev`` links (also in a ``Link`` header).
"""

from __future__ import annotations

import json
from dataclasses import asdict, is_dataclass
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import FileResponse, JSONResponse, Response

from kg.context import Context
from kg.explorer import Explorer, detail
from kg.explorer.versions import law_answer, topic_answer
from kg.ns import BASE, PREFIXES, iri
from kg.store import EXPORT_FORMATS

API_PREFIX = "/api/v1"
JSONLD = "application/ld+json"
MAX_LIMIT = 200
#: ``?as_of=YYYY-MM-DD``: read the law in force on that day (articles, statutes, rules, topics).
AS_OF = Query(None, pattern=r"^\d{4}-\d{2}-\d{2}$", description="a date YYYY-MM-DD: the law in force on that day",
              examples=["2026-01-01"])

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



def _page_links(request: Request, total: int, offset: int, limit: int) -> tuple[str | None, str | None]:
    params = dict(request.query_params)

    def url(off: int) -> str:
        params["offset"] = str(off)
        params["limit"] = str(limit)
        return str(request.url.replace(query=urlencode(params)))

    nxt = url(offset + limit) if offset + limit < total else None
    prev = url(max(0, offset - limit)) if offset > 0 else None
    return nxt, prev


def router(ctx: Context) -> APIRouter:
    """The REST routes under ``/api/v1``, answering from ``ctx``'s explorer."""
    r = APIRouter(prefix=API_PREFIX)

    def ex() -> Explorer:
        return ctx.explorer

    @r.get("/topics", summary="Topics of the topic scheme with counts of measures, rules and cases")
    def topics(request: Request):
        return respond(request, _items(ex().topics()))

    @r.get("/topics/{topic_id}/rules", summary="Rules, measures and cases about a topic (cases newest and highest court first); "
                                                "with as_of, also what it held on that day")
    def topic_rules(request: Request, topic_id: str, as_of: str | None = AS_OF):
        return respond(request, topic_answer(ex(), ex().rules_by_topic(topic_id), as_of))

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

    @r.get("/statutes/{statute_id}", summary="A statute by its id, with its articles, versions and what cites it")
    def statute(request: Request, statute_id: str, as_of: str | None = AS_OF):
        return respond(request, law_answer(ex(), ex().statute(str(iri("statute", statute_id))), as_of))

    @r.get("/articles/{statute_id}/{number}", summary="An article of a statute (number as written, e.g. 9 or 10-1), "
                                                     "with the corresponding article in each version")
    def article(request: Request, statute_id: str, number: str, as_of: str | None = AS_OF):
        return respond(request, law_answer(ex(), ex().article(str(iri("article", statute_id, number))), as_of))

    @r.get("/resource", summary="Any node by IRI: dispatches to measure, case, statute or article views")
    def resource(request: Request, iri_: str = Query(..., alias="iri")):
        return respond(request, detail(ex(), iri_))

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
        path = ctx.export_file(fmt)
        suffix, media = EXPORT_FORMATS[fmt]
        return FileResponse(path, media_type=media, filename=f"iprg-graph{suffix}")

    @r.get("/context.jsonld", summary="The JSON-LD @context of every answer")
    def context():
        return Response(json.dumps({"@context": CONTEXT}, ensure_ascii=False), media_type=JSONLD)

    return r
