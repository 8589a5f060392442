"""The questions users ask of the graph, answered by two backends with the same results.

Why two backends behind one interface: the embedded RDF store (SPARQL on Oxigraph) is the
source of truth and needs no server; the Neo4j mirror (Cypher) is what scales to every Chinese
IP judgment. The UI, the REST API and the CLI call :class:`Explorer` and must not care which
one answers, so both return the same frozen dataclasses, equal field by field (the parity tests
check every question).

How parity is kept: each backend runs its own queries for the *shape* of an answer (which
measures, which cases, which edges), with every user-supplied value passed as a binding
(SPARQL) or a parameter (Cypher), never concatenated. Node properties are read in the mirror's
property-graph form (``title_zh``, ``number``, lists for multi-valued properties) on both sides,
and one shared piece of Python turns rows into dataclasses, orders them and applies limits, so
ordering and truncation cannot drift between backends.

INTERFACE FROZEN (issue 6 part 1): the dataclasses and method signatures below are what
``kg/api.py`` and ``ui.py`` build on.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

__all__ = [
    "NodeRef", "MeasureRef", "TopicSummary", "RuleItem", "CaseSummary", "Citation",
    "MentionItem", "TopicRules", "MeasureDetail", "RelatedCase", "CaseDetail", "LawDetail",
    "Page", "SearchHit", "GraphNode", "GraphEdge", "SubGraph", "MatrixCell", "Matrix",
    "CentralityRow", "ConsoleResult", "ConsoleError", "NotFound", "Explorer",
    "SparqlExplorer", "CypherExplorer", "get_explorer", "run_console",
]


class NotFound(LookupError):
    """The IRI, number or id asked about is not in the graph (the message names it)."""


class ConsoleError(ValueError):
    """A console query was refused (write clause, bad syntax, timeout); the message says why."""


# ----------------------------------------------------------------------------- result models


@dataclass(frozen=True)
class NodeRef:
    """Any node: its IRI, its kind (ontology class local name: ``Measure``, ``Case``,
    ``Article``, ``Statute``, ``Court``, ``Concept``, ``Topic``, …) and its labels."""

    iri: str
    kind: str
    label_zh: str | None = None
    label_en: str | None = None


@dataclass(frozen=True)
class MeasureRef:
    iri: str
    number: int | None
    title_zh: str | None
    title_en: str | None


@dataclass(frozen=True)
class TopicSummary:
    """One topic of the topic scheme and how much of the graph is about it."""

    id: str                   # e.g. "trade_secrets" (skos:notation)
    iri: str
    label_zh: str | None
    label_en: str | None
    measures: int             # measures about the topic (directly or through one of their rules)
    rules: int                # rules about the topic
    cases: int                # cases about the topic


@dataclass(frozen=True)
class RuleItem:
    iri: str
    text_zh: str | None
    text_en: str | None
    modality: str | None      # obligation | permission | prohibition | exploration | encouragement
    modality_label_zh: str | None
    modality_label_en: str | None
    measure: MeasureRef | None
    topics: tuple[NodeRef, ...]


@dataclass(frozen=True)
class CaseSummary:
    """A case as listed: 案号 split into verified and unverified numbers, court(s), date."""

    iri: str
    label_zh: str | None
    label_en: str | None
    case_numbers: tuple[str, ...]             # iprg:caseNumber
    case_numbers_unverified: tuple[str, ...]  # iprg:caseNumberUnverified
    courts: tuple[NodeRef, ...]
    decided: str | None       # ISO date, month or year as known
    verified: str | None      # "yes" | "partly" | "no"
    outcome_zh: str | None
    outcome_en: str | None


@dataclass(frozen=True)
class Citation:
    """A cited statute or article; ``statute`` is the statute itself or the article's statute."""

    iri: str
    kind: str                 # "Article" | "Statute"
    label_zh: str | None
    label_en: str | None
    article_number: str | None
    statute: NodeRef | None


@dataclass(frozen=True)
class MentionItem:
    """One entity mention: span in the ORIGINAL text of ``source`` (a PolicyDocument or Case)."""

    iri: str
    start: int | None
    end: int | None
    exact: str | None
    body: NodeRef             # the entity mentioned
    kind: str                 # body.kind, repeated for table views
    target: str | None        # IRI of the Measure/Rule/Case text it was found in
    source: str | None        # IRI of the document whose original text the offsets index


@dataclass(frozen=True)
class TopicRules:
    """``rules_by_topic``: what a judge reads for a topic. Cases newest and highest court first."""

    topic: TopicSummary
    rules: tuple[RuleItem, ...]
    measures: tuple[MeasureRef, ...]
    cases: tuple[CaseSummary, ...]


@dataclass(frozen=True)
class MeasureDetail:
    iri: str
    number: int | None
    title_zh: str | None
    title_en: str | None
    text_zh: str | None
    section: NodeRef | None
    source: NodeRef | None    # the PolicyDocument
    doc_number: str | None    # its 文号
    rules: tuple[RuleItem, ...]
    mentions: tuple[MentionItem, ...]
    citations: tuple[Citation, ...]
    cases: tuple[CaseSummary, ...]
    topics: tuple[NodeRef, ...]


@dataclass(frozen=True)
class RelatedCase:
    case: CaseSummary
    relation: str             # "appealOf" | "appealedBy" | "relatedCase" | "sharesArticle"
    via: tuple[str, ...] = ()  # for sharesArticle: IRIs of the articles both cite


@dataclass(frozen=True)
class CaseDetail:
    summary: CaseSummary
    cause: str | None
    plaintiffs: tuple[str, ...]
    defendants: tuple[str, ...]
    holding_zh: str | None
    holding_en: str | None
    honours: tuple[str, ...]
    sources: tuple[str, ...]
    citations: tuple[Citation, ...]
    measures: tuple[MeasureRef, ...]   # measures it illustrates (directly or through a rule)
    rules: tuple[RuleItem, ...]        # rules it illustrates directly
    topics: tuple[NodeRef, ...]
    related: tuple[RelatedCase, ...]


@dataclass(frozen=True)
class LawDetail:
    """``article(iri)`` and ``statute(iri)``. For a statute, citing things include those that
    cite any of its articles."""

    iri: str
    kind: str                 # "Article" | "Statute"
    label_zh: str | None
    label_en: str | None
    gist_zh: str | None
    gist_en: str | None
    article_number: str | None
    statute: NodeRef | None   # the statute (itself for a statute)
    statute_kind: str | None
    status: str | None
    articles: tuple[NodeRef, ...]      # a statute's articles (empty for an article)
    measures: tuple[MeasureRef, ...]
    rules: tuple[RuleItem, ...]
    cases: tuple[CaseSummary, ...]


@dataclass(frozen=True)
class Page:
    total: int
    offset: int
    limit: int
    items: tuple[CaseSummary, ...]


@dataclass(frozen=True)
class SearchHit:
    """A node found by ``search``. ``fields`` are the property keys that matched (mirror naming,
    e.g. ``altLabel_en``); ``via`` are the concepts/topics through which it was reached when the
    words matched a concept rather than the node itself (empty for a direct hit)."""

    iri: str
    kind: str
    label_zh: str | None
    label_en: str | None
    fields: tuple[str, ...]
    via: tuple[NodeRef, ...] = ()


@dataclass(frozen=True)
class GraphNode:
    iri: str
    label: str | None         # zh label, else en
    kind: str
    label_en: str | None = None


@dataclass(frozen=True)
class GraphEdge:
    source: str
    type: str                 # UPPER_SNAKE of the property local name, as in Neo4j: HAS_PART
    target: str


@dataclass(frozen=True)
class SubGraph:
    nodes: tuple[GraphNode, ...]
    edges: tuple[GraphEdge, ...]
    truncated: bool = False


@dataclass(frozen=True)
class MatrixCell:
    topic: str                # topic id
    measure: str              # measure IRI
    count: int                # the measure, its rules and the cases illustrating it that are about the topic


@dataclass(frozen=True)
class Matrix:
    topics: tuple[TopicSummary, ...]
    measures: tuple[MeasureRef, ...]
    cells: tuple[MatrixCell, ...]     # non-zero cells only

    def count(self, topic: str, measure: str) -> int:
        for cell in self.cells:
            if cell.topic == topic and cell.measure == measure:
                return cell.count
        return 0


@dataclass(frozen=True)
class CentralityRow:
    iri: str
    kind: str
    label_zh: str | None
    label_en: str | None
    in_degree: int
    out_degree: int
    degree: int
    pagerank: float           # rounded to 6 decimals, damping 0.85, over the explorable graph


@dataclass(frozen=True)
class ConsoleResult:
    columns: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]   # plain JSON values; nodes as {"uri":…, "labels":…, …}
    truncated: bool                     # row limit reached (more rows were available)
    elapsed_ms: float


# ----------------------------------------------------------------------------- the interface


@runtime_checkable
class Explorer(Protocol):
    """The questions; both backends implement every one with equal results."""

    backend: str  # "sparql" | "cypher"

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


class SparqlExplorer:
    """The questions answered by SPARQL on the embedded Oxigraph store."""

    backend = "sparql"

    def __init__(self, store) -> None:
        self.store = store


class CypherExplorer:
    """The questions answered by Cypher on the Neo4j mirror (read transactions only)."""

    backend = "cypher"

    def __init__(self, driver, database: str = "neo4j") -> None:
        self.driver = driver
        self.database = database


def get_explorer(backend: str = "sparql", store=None, driver=None) -> Explorer:
    """An explorer on the default store (``sparql``) or on Neo4j from ``kg.config`` (``cypher``)."""
    raise NotImplementedError


def run_console(
    lang: str,
    text: str,
    store=None,
    driver=None,
    limit: int = 1000,
    timeout_s: float = 10,
    database: str | None = None,
) -> ConsoleResult:
    """Run a read-only SPARQL or Cypher query typed by a user (row- and time-limited)."""
    raise NotImplementedError
