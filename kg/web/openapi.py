"""What the OpenAPI document says besides the routes: answer bodies, error answers, formats.

Why declared here: schemathesis (in the tests) holds the API to its OpenAPI document, so every
status code an operation can answer, every constraint on a parameter and every media type is
declared, and the list answers' envelopes are dataclasses the schema is generated from.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kg.explorer import CaseSummary, CentralityRow, SearchHit, TopicSummary

JSONLD = "application/ld+json"
#: The string format of a SPARQL query text (declared on ``/sparql``'s query parameter).
QUERY_FORMAT = "sparql-query"
#: Longest IRI or free-text query parameter: percent-encoded, even four-byte characters keep a
#: request line within what the HTTP server reads (16 kB); longer SPARQL goes by POST.
MAX_PARAM = 1000


@dataclass(frozen=True)
class Topics:
    items: tuple[TopicSummary, ...]


@dataclass(frozen=True)
class SearchAnswer:
    q: str
    items: tuple[SearchHit, ...]


@dataclass(frozen=True)
class Centrality:
    items: tuple[CentralityRow, ...]


@dataclass(frozen=True)
class CasesPage:
    """A page of cases: ``total`` matches, this page's ``items``, links to the next and previous pages."""

    total: int
    offset: int
    limit: int
    items: tuple[CaseSummary, ...]
    next: str | None
    prev: str | None


def _error(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": {
        "type": "object", "required": ["detail"], "properties": {"detail": {"type": "string"}}}}}}


#: Error answers every API operation may give, with the cause in ``detail``.
ERRORS: dict[int | str, dict[str, Any]] = {
    400: _error("Bad input: the message names what is wrong"),
    401: _error("A valid `X-API-Key` header is required (the server has IPRG_API_KEYS set)"),
    404: _error("Not in the graph: the message names what was asked for"),
    413: _error("The request body is larger than IPRG_MAX_BODY bytes"),
    415: _error("Unsupported request body media type"),
    429: {**_error("Too many requests (IPRG_RATE_LIMIT) or too many queries at once (IPRG_QUERY_WORKERS); "
                   "see `Retry-After`"),
          "headers": {"Retry-After": {"description": "seconds to wait", "schema": {"type": "integer"}}}},
    503: _error("A part the answer needs is down or out of time: the store, Neo4j, or a query's time limit"),
}
#: The errors of a read operation of the REST API.
READ_ERRORS = {k: ERRORS[k] for k in (400, 401, 404, 429, 503)}


def media(types) -> dict[str, dict[str, Any]]:
    """``content`` entries for these media types: JSON ones are objects, the rest text."""
    return {t: {"schema": {"type": "object"} if t.endswith("json") else {"type": "string"}} for t in sorted(types)}


def with_jsonld(extra: dict[int | str, dict[str, Any]] | None = None) -> dict[int | str, dict[str, Any]]:
    """Responses of an operation answering JSON or (asked for) JSON-LD, plus the read errors."""
    return {200: {"content": {JSONLD: {"schema": {"type": "object"}}}}, **READ_ERRORS, **(extra or {})}
