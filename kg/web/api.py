"""The REST API: ``/api/v1`` routes over the explorer, JSON and JSON-LD.

Contract for programmatic users:

* Stable IRIs (``https://w3id.org/iprg/id/<kind>/<slug>``, minted by :mod:`kg.ns`) are the ids
  in every answer (``iri``); ``/api/v1/cases/{id}`` and friends take the record id.
* JSON by default; JSON-LD with an ``@context`` for ``Accept: application/ld+json`` or
  ``?format=jsonld`` — the same body, so the JSON is already linked data.
* Lists are paginated with ``total`` and ``next``/``prev`` links (also in a ``Link`` header).
"""

from __future__ import annotations

import functools
import json
from dataclasses import asdict, dataclass, is_dataclass
from typing import Any, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import FileResponse, JSONResponse, Response

from kg.context import Context
from kg.errors import NotFound
from kg.explorer import CaseDetail as CaseAnswer
from kg.explorer import (
    Detail,
    Explorer,
    Matrix,
    MeasureDetail,
    Page,
    SubGraph,
    detail,
)
from kg.explorer.versions import LawAnswer as VersionedLaw
from kg.explorer.versions import TopicAnswer, law_answer, topic_answer
from kg.ns import BASE, PREFIXES, iri
from kg.store import EXPORT_FORMATS
from kg.web.openapi import (
    JSONLD,
    MAX_PARAM,
    READ_ERRORS,
    CasesPage,
    Centrality,
    SearchAnswer,
    Topics,
    media,
    with_jsonld,
)

API_PREFIX = "/api/v1"
MAX_LIMIT = 200
#: ``?as_of=YYYY-MM-DD``: read the law in force on that day (articles, statutes, rules, topics).
AS_OF = Query(None, pattern=r"^\d{4}-\d{2}-\d{2}$", description="a date YYYY-MM-DD: the law in force on that day",
              examples=["2026-01-01"], json_schema_extra={"format": "date"})

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
    "cases_next": {"@type": "@id"},
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


def _iri(kind: str, *parts: str) -> str:
    """The IRI a record id names; an id no IRI can be minted from names nothing in the graph."""
    try:
        return str(iri(kind, *parts))
    except ValueError as exc:
        raise NotFound(f"no {kind} {'/'.join(parts)!r} in the graph ({exc})") from exc


def _cases_filter(value: str | None, kind: str) -> str | None:
    """A filter given as an id, a name or an IRI, as the IRI the explorer compares with."""
    if not value or value.startswith(("http://", "https://")):
        return value
    return _iri(kind, value)


ExportFormat = Literal["turtle", "jsonld", "nt", "graphml", "csv"]
IriQuery = Query(..., alias="iri", max_length=MAX_PARAM, description="a node's IRI",
                 examples=["https://w3id.org/iprg/id/case/vanillin"])


def _cases_next(request: Request, answer: Any, **filters: str) -> dict[str, Any]:
    """The answer with ``cases_next``: where its cases list goes on (``/cases`` with the same
    set as a filter), when the answer carries only the first page of them."""
    body = jsonable(answer)
    more = len(answer.cases) < answer.cases_total
    query = urlencode({**filters, "offset": len(answer.cases), "limit": len(answer.cases) or 20})
    body["cases_next"] = str(request.url.replace(path=API_PREFIX + "/cases", query=query)) if more else None
    return body


@dataclass(frozen=True)
class MeasureAnswer(MeasureDetail):
    """A measure as the API gives it: ``cases_next`` continues its first page of cases."""

    cases_next: str | None = None


@dataclass(frozen=True)
class LawAnswer(VersionedLaw):
    """A statute or article as the API gives it (with its versions): ``cases_next`` continues its
    first page of cases."""

    cases_next: str | None = None


def router(ctx: Context) -> APIRouter:
    """The REST routes under ``/api/v1``, answering from ``ctx``'s explorer. Every operation
    declares its answer body (generated from the explorer's dataclasses), JSON-LD, and the
    errors it may give (:mod:`kg.web.openapi`)."""
    r = APIRouter(prefix=API_PREFIX)

    def ex() -> Explorer:
        return ctx.explorer

    def pinned(handler):
        """Answer from one store generation, named in ``X-IPRG-Generation`` (see GraphStore.pinned)."""
        @functools.wraps(handler)
        def wrapper(*args, **kwargs):
            with ctx.pinned() as generation:
                response = handler(*args, **kwargs)
            if generation is not None:
                response.headers["X-IPRG-Generation"] = generation
            return response
        return wrapper

    @r.get("/topics", summary="Topics of the topic scheme with counts of measures, rules and cases",
           response_model=Topics, responses=with_jsonld())
    @pinned
    def topics(request: Request):
        return respond(request, _items(ex().topics()))

    @r.get("/topics/{topic_id}/rules", summary="Rules, measures and cases about a topic (cases newest and highest court first); "
                                                "with as_of, also what it held on that day",
           response_model=TopicAnswer, responses=with_jsonld())
    @pinned
    def topic_rules(request: Request, topic_id: str = Path(..., max_length=200, examples=["trade_secrets"]),
                    as_of: str | None = AS_OF):
        return respond(request, topic_answer(ex(), ex().rules_by_topic(topic_id), as_of))

    @r.get("/topic/{topic_id}/rules", include_in_schema=False)
    def topic_rules_alias(request: Request, topic_id: str):
        return respond(request, ex().rules_by_topic(topic_id))

    @r.get("/measures/{number}", summary="A measure of the newest policy document that has one by that number, "
                                         "with rules, mentions, citations and cases",
           response_model=MeasureAnswer, responses=with_jsonld())
    @pinned
    def measure(request: Request, number: int = Path(..., ge=1, le=100_000, examples=[15])):
        return respond(request, _cases_next(request, ex().measure(number), measure=str(number)))

    @r.get("/cases", summary="Cases, filtered and paginated (total, next and prev links)",
           response_model=CasesPage, responses=with_jsonld())
    @pinned
    def cases(
        request: Request,
        topic: str | None = Query(None, max_length=100, description="topic id, e.g. trade_secrets"),
        court: str | None = Query(None, max_length=300, description="court IRI or its Chinese name"),
        year: int | None = Query(None, ge=1949, le=2100),
        statute: str | None = Query(None, max_length=300,
                                    description="statute id or IRI; also matches citations of its articles"),
        measure: str | None = Query(None, max_length=300, description="measure number or IRI"),
        offset: int = Query(0, ge=0, le=10**9),
        limit: int = Query(20, ge=1, le=MAX_LIMIT),
    ):
        measure_arg: int | str | None = int(measure) if measure and measure.isdigit() else measure
        try:
            page = ex().cases(topic=topic, court=_cases_filter(court, "court"), year=year,
                              statute=_cases_filter(statute, "statute"), measure=measure_arg,
                              offset=offset, limit=limit)
        except NotFound:   # a filter naming nothing in the graph (or no valid IRI) matches no case
            page = Page(0, offset, limit, ())
        nxt, prev = _page_links(request, page.total, page.offset, page.limit)
        body = {**jsonable(page), "next": nxt, "prev": prev}
        links = ", ".join(f'<{u}>; rel="{rel}"' for u, rel in ((nxt, "next"), (prev, "prev")) if u)
        return respond(request, body, headers={"Link": links} if links else None)

    @r.get("/cases/{case_id}", summary="One case by its record id", response_model=CaseAnswer,
           responses=with_jsonld())
    @pinned
    def case(request: Request, case_id: str = Path(..., max_length=200, examples=["vanillin"])):
        return respond(request, ex().case(_iri("case", case_id)))

    @r.get("/statutes/{statute_id}", summary="A statute by its id, with its articles, versions and what cites it",
           response_model=LawAnswer, responses=with_jsonld())
    @pinned
    def statute(request: Request, statute_id: str = Path(..., max_length=200, examples=["prc_aucl_2019"]),
                as_of: str | None = AS_OF):
        answer = law_answer(ex(), ex().statute(_iri("statute", statute_id)), as_of)
        return respond(request, _cases_next(request, answer, statute=answer.iri))

    @r.get("/articles/{statute_id}/{number}", summary="An article of a statute (number as written, e.g. 9 or 10-1), "
                                                     "with the corresponding article in each version",
           response_model=LawAnswer, responses=with_jsonld())
    @pinned
    def article(request: Request, statute_id: str = Path(..., max_length=200, examples=["prc_aucl_2019"]),
                number: str = Path(..., max_length=50, examples=["9"]), as_of: str | None = AS_OF):
        answer = law_answer(ex(), ex().article(_iri("article", statute_id, number)), as_of)
        return respond(request, _cases_next(request, answer, statute=answer.iri))

    @r.get("/resource", summary="Any node by IRI: a measure, case, statute, article or topic answer, else its "
                                "one-hop neighbourhood", response_model=Detail, responses=with_jsonld())
    @pinned
    def resource(request: Request, iri_: str = IriQuery):
        return respond(request, detail(ex(), iri_))

    @r.get("/search", summary="Search in Chinese or English (labels, texts, concept synonyms)",
           response_model=SearchAnswer, responses=with_jsonld())
    @pinned
    def search(request: Request, q: str = Query(..., min_length=1, max_length=200, examples=["trade secret"]),
               limit: int = Query(20, ge=1, le=MAX_LIMIT)):
        return respond(request, {"q": q, **_items(ex().search(q, limit=limit))})

    @r.get("/graph/neighbourhood", summary="Nodes and edges around a node, up to depth hops",
           response_model=SubGraph, responses=with_jsonld())
    @pinned
    def neighbourhood(request: Request, iri_: str = IriQuery, depth: int = Query(1, ge=1, le=3),
                      limit: int = Query(200, ge=1, le=1000)):
        return respond(request, ex().neighbourhood(iri_, depth=depth, limit=limit))

    @r.get("/graph/path", summary="A shortest path between two nodes (404 when none within 6 hops)",
           response_model=SubGraph, responses=with_jsonld())
    @pinned
    def path(request: Request, from_: str = Query(..., alias="from", max_length=MAX_PARAM,
                               examples=["https://w3id.org/iprg/id/case/vanillin"]),
             to: str = Query(..., max_length=MAX_PARAM, examples=["https://w3id.org/iprg/id/article/prc_aucl_2019/9"])):
        sub = ex().shortest_path(from_, to)
        if sub is None:
            raise NotFound(f"no path between {from_} and {to} within 6 hops")
        return respond(request, sub)

    @r.get("/matrix", summary="Topic × measure matrix (non-zero cells)", response_model=Matrix,
           responses=with_jsonld())
    @pinned
    def matrix(request: Request):
        return respond(request, ex().topic_measure_matrix())

    @r.get("/centrality", summary="Degree and PageRank of the explorable graph's nodes",
           response_model=Centrality, responses=with_jsonld())
    @pinned
    def centrality(request: Request, limit: int = Query(50, ge=1, le=1000)):
        return respond(request, _items(ex().centrality(limit=limit)))

    @r.get("/export/{fmt}", summary="The whole graph: turtle, jsonld, nt, graphml or csv (zip of nodes/edges)",
           response_class=FileResponse, responses={
               200: {"description": "the graph as a file",
                     "content": media({m for _, m in EXPORT_FORMATS.values()})},
               **READ_ERRORS})
    def export(fmt: ExportFormat):
        path = ctx.export_file(fmt)
        suffix, media = EXPORT_FORMATS[fmt]
        return FileResponse(path, media_type=media, filename=f"iprg-graph{suffix}")

    @r.get("/context.jsonld", summary="The JSON-LD @context of every answer", response_class=Response,
           responses={200: {"description": "the @context", "content": {JSONLD: {"schema": {"type": "object"}}}},
                      **READ_ERRORS})
    def context():
        return Response(json.dumps({"@context": CONTEXT}, ensure_ascii=False), media_type=JSONLD)

    return r
