"""The questions users ask of the graph, answered by two backends with the same results.

Why two backends behind one interface: the embedded RDF store (SPARQL on Oxigraph) is the
source of truth and needs no server; the Neo4j mirror (Cypher) is what scales to every Chinese
IP judgment. The UI, the REST API and the CLI call :class:`Explorer` and must not care which
one answers, so both return the same frozen dataclasses (:mod:`kg.explorer.models`), equal
field by field (the parity tests check every question).

The package, one job per module:

* :mod:`~kg.explorer.models` — the answers (the frozen API contract);
* :mod:`~kg.explorer.search` — search terms, their matching, the Lucene query;
* :mod:`~kg.explorer.questions` — every question, written once over backend primitives;
* :mod:`~kg.explorer.sparql` and :mod:`~kg.explorer.cypher` — the two backends and their query text.

User-typed SPARQL/Cypher (the consoles, ``/sparql``, ``kg query``) is :mod:`kg.console`'s job;
importing this package loads no web or UI module (a test checks it).
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable
from urllib.parse import unquote

from kg import config
from kg.errors import BadInput, NotFound
from kg.explorer.cypher import CypherExplorer
from kg.explorer.models import (
    CaseDetail,
    CaseSummary,
    CentralityRow,
    Citation,
    DocumentSummary,
    GraphEdge,
    GraphNode,
    LawDetail,
    Matrix,
    MatrixCell,
    MeasureDetail,
    MeasureRef,
    MentionItem,
    NodeRef,
    Overview,
    Page,
    RelatedCase,
    RuleItem,
    SearchHit,
    SubGraph,
    TopicRules,
    TopicSummary,
)
from kg.explorer.search import SEARCH_BASES
from kg.explorer.sparql import SparqlExplorer
from kg.mirror import FULLTEXT_INDEX
from kg.ns import kind_of
from kg.store import GraphStore

__all__ = [
    "NodeRef", "MeasureRef", "TopicSummary", "RuleItem", "CaseSummary", "Citation",
    "MentionItem", "TopicRules", "MeasureDetail", "RelatedCase", "CaseDetail", "LawDetail",
    "Page", "SearchHit", "GraphNode", "GraphEdge", "SubGraph", "MatrixCell", "Matrix",
    "CentralityRow", "DocumentSummary", "Overview", "NotFound", "Explorer", "SparqlExplorer", "CypherExplorer", "get_explorer",
    "FULLTEXT_INDEX", "SEARCH_BASES", "BACKENDS", "Detail", "detail",
]

BACKENDS = ("sparql", "cypher")


@runtime_checkable
class Explorer(Protocol):
    """The questions; both backends implement every one with equal results."""

    backend: str  # "sparql" | "cypher"

    def overview(self) -> Overview: ...

    def topics(self) -> tuple[TopicSummary, ...]: ...

    def rules_by_topic(self, topic_id: str) -> TopicRules: ...

    def measure(self, number_or_iri: int | str) -> MeasureDetail: ...

    def case(self, iri: str) -> CaseDetail: ...

    def article(self, iri: str) -> LawDetail: ...

    def statute(self, iri: str) -> LawDetail: ...

    def cases(
        self,
        topic: str | None = None,
        court: str | None = None,
        year: int | None = None,
        statute: str | None = None,
        measure: int | str | None = None,
        offset: int = 0,
        limit: int = 20,
    ) -> Page: ...

    def search(self, q: str, limit: int = 20) -> tuple[SearchHit, ...]: ...

    def neighbourhood(self, iri: str, depth: int = 1, limit: int = 200) -> SubGraph: ...

    def shortest_path(self, a: str, b: str, max_depth: int = 6) -> SubGraph | None: ...

    def topic_measure_matrix(self) -> Matrix: ...

    def centrality(self, limit: int = 50) -> tuple[CentralityRow, ...]: ...

    def generation(self) -> str | None:
        """What answers are a function of (with the question): a token that changes with the
        graph, or None while it cannot be known (see :mod:`kg.explorer.cache`)."""
        ...



def get_explorer(backend: str = "sparql", store: GraphStore | None = None, driver=None,
                 database: str | None = None) -> Explorer:
    """An explorer on ``store`` (default: the configured RDF store) for ``sparql``, or on
    ``driver`` (default: :func:`kg.config.neo4j_driver`, i.e. ``NEO4J_URI``… or the running
    ``kg neo4j`` launcher) for ``cypher``."""
    if backend == "sparql":
        return SparqlExplorer(store if store is not None else GraphStore())
    if backend == "cypher":
        settings = config.settings()
        return CypherExplorer(driver if driver is not None else config.neo4j_driver(settings),
                              database or settings.neo4j_database)
    raise BadInput(f"unknown explorer backend {backend!r}; choose 'sparql' or 'cypher'")


#: What :func:`detail` answers, by the kind of IRI asked about.
Detail = MeasureDetail | CaseDetail | LawDetail | TopicRules | SubGraph


def detail(explorer: Explorer, node_iri: str) -> Detail:
    """The detail view of any node, chosen by the kind in its IRI (``…/id/<kind>/…``): a measure,
    case, statute, article or topic answer; any other node as its one-hop neighbourhood. The REST
    API's ``/resource`` and the UI's detail tab both call this, so they cannot disagree."""
    kind = kind_of(node_iri)
    if kind == "measure":
        return explorer.measure(node_iri)
    if kind == "case":
        return explorer.case(node_iri)
    if kind == "statute":
        return explorer.statute(node_iri)
    if kind == "article":
        return explorer.article(node_iri)
    if kind == "topic":
        return explorer.rules_by_topic(unquote(node_iri.rstrip("/").rsplit("/", 1)[-1]))
    sub = explorer.neighbourhood(node_iri, depth=1, limit=200)
    if not sub.nodes:
        raise NotFound(f"no node {node_iri} in the graph")
    return sub
