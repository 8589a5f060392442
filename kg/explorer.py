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

import operator
import re
import threading
import time
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from rdflib import Literal, URIRef
from rdflib.namespace import RDF, RDFS, SKOS, XSD

from kg import config
from kg.ns import OA, local_name
from kg.ns import iri as mint_iri
from kg.pg import upper_snake

__all__ = [
    "NodeRef", "MeasureRef", "TopicSummary", "RuleItem", "CaseSummary", "Citation",
    "MentionItem", "TopicRules", "MeasureDetail", "RelatedCase", "CaseDetail", "LawDetail",
    "Page", "SearchHit", "GraphNode", "GraphEdge", "SubGraph", "MatrixCell", "Matrix",
    "CentralityRow", "ConsoleResult", "ConsoleError", "NotFound", "Explorer",
    "SparqlExplorer", "CypherExplorer", "get_explorer", "run_console", "check_sparql",
    "check_cypher", "FULLTEXT_INDEX",
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


# ----------------------------------------------------------------------------- shared helpers

_ID = "https://w3id.org/iprg/id/"
_IPRG = "https://w3id.org/iprg/"
_TOPIC_PREFIX = _ID + "topic/"
_SCHEME_TOPICS = _ID + "scheme/topics"
#: Nodes kept out of graph views and graph algorithms: reified mentions, provenance runs and
#: the concept schemes (hubs that would connect everything within two hops).
_HIDDEN_KINDS = ("mention/", "ingestion/", "scheme/")
#: Relationship types kept out of graph views (provenance and scheme bookkeeping).
_HIDDEN_TYPES = frozenset({"WAS_GENERATED_BY", "IN_SCHEME", "TOP_CONCEPT_OF", "HAS_TOP_CONCEPT"})
#: Which class names a node's kind, when it has several types (first match wins).
_KIND_ORDER = (
    "PolicyDocument", "Section", "Measure", "Rule", "Statute", "Article", "Case", "Court",
    "Organisation", "Place", "Mention", "Modality", "Ingestion", "Concept",
)
_SEARCH_KIND_RANK = {k: i for i, k in enumerate(
    ("Measure", "Rule", "Case", "Article", "Statute", "Topic", "Concept", "PolicyDocument",
     "Section", "Court", "Organisation", "Place"))}
_COURT_RANK = {"supreme": 0, "high": 1, "intermediate": 2, "specialised": 2, "basic": 3}
_RELATION_RANK = {"appealOf": 0, "appealedBy": 1, "relatedCase": 2, "sharesArticle": 3}

#: Literal properties a card reads: key (as the mirror names it) → predicate IRI.
_CARD_PREDICATES: dict[str, str] = {
    "label": str(RDFS.label), "prefLabel": str(SKOS.prefLabel), "altLabel": str(SKOS.altLabel),
    "hiddenLabel": str(SKOS.hiddenLabel), "notation": str(SKOS.notation),
    "title": _IPRG + "title", "text": _IPRG + "text", "number": _IPRG + "number",
    "docNumber": _IPRG + "docNumber", "caseNumber": _IPRG + "caseNumber",
    "caseNumberUnverified": _IPRG + "caseNumberUnverified", "decided": _IPRG + "decided",
    "cause": _IPRG + "cause", "plaintiff": _IPRG + "plaintiff", "defendant": _IPRG + "defendant",
    "outcome": _IPRG + "outcome", "holding": _IPRG + "holding", "honour": _IPRG + "honour",
    "verified": _IPRG + "verified", "source": _IPRG + "source", "statuteKind": _IPRG + "statuteKind",
    "status": _IPRG + "status", "articleNumber": _IPRG + "articleNumber",
    "articleLabel": _IPRG + "articleLabel", "gist": _IPRG + "gist", "shortTitle": _IPRG + "shortTitle",
    "courtLevel": _IPRG + "courtLevel", "start": str(OA.start), "end": str(OA.end),
    "exact": str(OA.exact),
}
_PRED_KEY = {v: k for k, v in _CARD_PREDICATES.items()}
#: Property keys search looks in (labels, titles, texts, numbers).
#: (All are in the mirror's full-text index, kg.mirror.TEXT_PREDICATES; a test checks it.)
_SEARCH_BASES = ("label", "prefLabel", "altLabel", "hiddenLabel", "title", "text", "holding",
                 "gist", "cause", "outcome", "shortTitle", "articleLabel", "caseNumber", "docNumber")
#: Relationship predicates the questions walk: type name → predicate IRI.
_REL_PREDICATES: dict[str, str] = {
    "HAS_PART": _IPRG + "hasPart", "ABOUT_TOPIC": _IPRG + "aboutTopic", "MENTIONS": _IPRG + "mentions",
    "CITES": _IPRG + "cites", "ILLUSTRATES": _IPRG + "illustrates", "COURT": _IPRG + "court",
    "MODALITY": _IPRG + "modality", "ARTICLE_OF": _IPRG + "articleOf", "APPEAL_OF": _IPRG + "appealOf",
    "RELATED_CASE": _IPRG + "relatedCase", "HAS_BODY": str(OA.hasBody), "HAS_TARGET": str(OA.hasTarget),
    "SOURCE_DOCUMENT": _IPRG + "sourceDocument", "CONCEPT": _IPRG + "concept",
}
#: Lucene's English stop words, which the ``cjk`` analyzer drops from the index: search ignores
#: them on both backends so that the full-text index and CONTAINS agree.
_STOP_WORDS = frozenset(
    "a an and are as at be but by for if in into is it no not of on or such that the their then "
    "there these they this to was will with".split()
)
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"
_TERM_RE = re.compile(rf"[{_CJK}]+|[a-z0-9_]+(?:['.’:,][a-z0-9_]+)*")
_WORD_RE = re.compile(r"[a-z0-9_]+(?:['.’:,][a-z0-9_]+)*")


def _py(value: Any) -> Any:
    """A literal value in plain JSON terms: ints, floats, bools, strings (dates as ISO text)."""
    if isinstance(value, Literal):
        dtype = str(value.datatype) if value.datatype else None
        if value.language or dtype is None or dtype == str(XSD.string):
            return str(value)
        if dtype in _INT_TYPES:
            try:
                return int(str(value))
            except ValueError:
                return str(value)
        if dtype in (str(XSD.decimal), str(XSD.double), str(XSD.float)):
            try:
                return float(str(value))
            except ValueError:
                return str(value)
        if dtype == str(XSD.boolean):
            return str(value) == "true"
        return str(value)
    if isinstance(value, URIRef):
        return str(value)
    if hasattr(value, "iso_format"):
        return value.iso_format()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


_INT_TYPES = {str(XSD[t]) for t in ("integer", "int", "long", "short", "byte", "nonNegativeInteger",
                                    "positiveInteger", "negativeInteger", "nonPositiveInteger")}


def _sortable(v: Any) -> tuple[str, str]:
    return (type(v).__name__, str(v))


@dataclass(frozen=True)
class _Card:
    """One node's types and literal properties, in the mirror's naming, values as sorted tuples."""

    iri: str
    types: frozenset[str]
    props: dict[str, tuple[Any, ...]]

    def all(self, key: str) -> tuple[Any, ...]:
        return self.props.get(key, ())

    def one(self, key: str) -> Any:
        values = self.props.get(key, ())
        return values[0] if values else None

    def text(self, base: str, lang: str) -> str | None:
        return self.one(f"{base}_{lang}")

    @property
    def kind(self) -> str:
        for name in _KIND_ORDER:
            if name in self.types:
                if name == "Concept" and self.iri.startswith(_TOPIC_PREFIX):
                    return "Topic"
                return name
        return sorted(self.types)[0] if self.types else "Resource"

    def label(self, lang: str) -> str | None:
        for base in ("label", "prefLabel", "title", "shortTitle", "articleLabel"):
            value = self.text(base, lang)
            if value is not None:
                return value
        if lang == "zh":
            for key in ("caseNumber", "docNumber", "notation", "exact"):
                if self.one(key) is not None:
                    return str(self.one(key))
        return None

    def ref(self) -> NodeRef:
        return NodeRef(self.iri, self.kind, self.label("zh"), self.label("en"))


def _card_from_props(iri: str, types: Iterable[str], props: dict[str, list[Any]]) -> _Card:
    clean = {k: tuple(sorted((_py(v) for v in vs), key=_sortable)) for k, vs in props.items() if vs}
    return _Card(iri, frozenset(types), clean)


def _year(decided: str | None) -> int | None:
    if decided and decided[:4].isdigit():
        return int(decided[:4])
    return None


def _explorable(iri: str) -> bool:
    return iri.startswith(_ID) and not iri[len(_ID):].startswith(_HIDDEN_KINDS)


def _terms(q: str) -> list[str]:
    """The user's words as search terms: CJK runs and Latin words, lower-cased, NFKC-folded,
    without Lucene's English stop words."""
    norm = unicodedata.normalize("NFKC", q).lower()
    return [t for t in dict.fromkeys(_TERM_RE.findall(norm)) if t not in _STOP_WORDS]


def _is_cjk(term: str) -> bool:
    return bool(re.match(rf"[{_CJK}]", term))


def _matches(text: str, terms: Sequence[str]) -> bool:
    """Search semantics shared by both backends: every CJK term is a substring of the text, and
    every Latin term begins a word of the text (as Lucene's prefix query does)."""
    norm = unicodedata.normalize("NFKC", text).lower()
    words: list[str] | None = None
    for term in terms:
        if _is_cjk(term):
            if term not in norm:
                return False
        else:
            if words is None:
                words = _WORD_RE.findall(norm)
            if not any(w.startswith(term) for w in words):
                return False
    return True


def _search_key(key: str) -> bool:
    base = key.rsplit("_", 1)[0] if key.rsplit("_", 1)[-1] in ("zh", "en") else key
    return base in _SEARCH_BASES


def _lucene(terms: Sequence[str]) -> str | None:
    """A Lucene query that finds at least every node :func:`_matches` accepts: CJK runs of two or
    more characters as phrases (the cjk analyzer indexes bigrams), Latin words as prefix
    queries. Terms contain only letters, digits and ``_'.’:,``; the punctuation is escaped."""
    parts = []
    for term in terms:
        if _is_cjk(term):
            if len(term) >= 2:
                parts.append('"' + term + '"')
        else:
            for word in re.findall(r"[a-z0-9_]+", term):   # Lucene splits on the punctuation
                if word not in _STOP_WORDS:
                    parts.append(word + "*")
    return " AND ".join(parts) if parts else None


def _pagerank(nodes: Sequence[str], edges: Iterable[tuple[str, str]], damping: float = 0.85,
              iterations: int = 100, tol: float = 1e-12) -> dict[str, float]:
    """Power iteration on the directed graph; dangling nodes spread their rank evenly."""
    n = len(nodes)
    if n == 0:
        return {}
    index = {u: i for i, u in enumerate(nodes)}
    out: list[list[int]] = [[] for _ in range(n)]
    for s, o in edges:
        out[index[s]].append(index[o])
    rank = [1.0 / n] * n
    sinks = [i for i in range(n) if not out[i]]
    for _ in range(iterations):
        dangling = sum([rank[i] for i in sinks])
        new = [(1.0 - damping) / n + damping * dangling / n] * n
        for i, targets in enumerate(out):
            if targets:
                share = damping * rank[i] / len(targets)
                for j in targets:
                    new[j] += share
        delta = sum(map(abs, map(operator.sub, new, rank)))
        rank = new
        if delta < tol:
            break
    return {u: rank[i] for u, i in index.items()}


# ----------------------------------------------------------------------------- node sets


@dataclass(frozen=True)
class _Reach:
    """A set of nodes named by how it is reached, so a backend can read all of them in ONE query.

    Why: Oxigraph binds one value per variable, so a list of IRIs cannot be passed to a SPARQL
    query; reading each node with its own query made the big questions N+1. A reach starts at
    one bound IRI (``iri``) or at a named shape pattern with bound ``params`` (``start``), then
    follows relationship types (``steps``: direction "out"/"in" and type names). Backends
    compile it into one pattern joined from the bound start; user values stay bindings.
    """

    start: str = ""                                   # shape name ("" when starting at ``iri``)
    params: tuple[tuple[str, Any], ...] = ()
    iri: str | None = None
    steps: tuple[tuple[str, tuple[str, ...]], ...] = ()

    def out(self, *types: str) -> _Reach:
        return self._step("out", types)

    def into(self, *types: str) -> _Reach:
        """Nodes with a ``types`` relationship pointing at a node of this set."""
        return self._step("in", types)

    def _step(self, direction: str, types: tuple[str, ...]) -> _Reach:
        unknown = [t for t in types if t not in _REL_PREDICATES]
        if not types or unknown:   # steps are written into query text: fixed names only
            raise ValueError(f"a reach steps along known relationship types only, not {unknown or types}")
        return _Reach(self.start, self.params, self.iri, (*self.steps, (direction, types)))


def _at(iri_: str) -> _Reach:
    return _Reach(iri=iri_)


def _via(name: str, **params: Any) -> _Reach:
    return _Reach(start=name, params=tuple(sorted(params.items())))


# ----------------------------------------------------------------------------- the questions


class _Questions:
    """Every question, written once over a handful of backend primitives.

    A backend supplies ``_rows(name, **params)`` (its own query for each named shape query,
    returning dicts of plain values), ``_cards(iris)``, ``_links(iris, types, direction)``,
    ``_edges()``, and ``_cards_at(reach)`` / ``_links_at(reach, types, direction)`` that read a
    whole :class:`_Reach` in one query; this class turns them into dataclasses, orders and pages
    them. Sets that can grow with the case law (a topic's cases, a statute's citing cases) are
    passed as reaches; short lists (a page of cases, a graph frontier) as IRIs.
    """

    backend = "?"

    # -- primitives (backend) ------------------------------------------------------------------
    def _rows(self, name: str, **params: Any) -> list[dict[str, Any]]:
        raise NotImplementedError

    def _cards(self, iris: Iterable[str]) -> dict[str, _Card]:
        raise NotImplementedError

    def _links(self, iris: Iterable[str], types: Sequence[str] | None, direction: str) -> list[tuple[str, str, str]]:
        """(node, type, other) for the given nodes; ``direction`` "out" or "in"."""
        raise NotImplementedError

    def _edges(self) -> list[tuple[str, str, str]]:
        """Every relationship (source, TYPE, target) between data nodes."""
        raise NotImplementedError

    def _search_candidates(self, terms: Sequence[str]) -> dict[str, _Card]:
        raise NotImplementedError

    def _cards_at(self, reach: _Reach) -> dict[str, _Card]:
        """Cards of every node of ``reach``, in one query."""
        raise NotImplementedError

    def _links_at(self, reach: _Reach, types: Sequence[str] | None, direction: str) -> list[tuple[str, str, str]]:
        """(node, type, other) for every node of ``reach``, in one query."""
        raise NotImplementedError

    # -- node sets: a _Reach, a tuple of them (their union) or plain IRIs ------------------------
    def _cards_of(self, nodes: Any, only: set[str] | None = None) -> dict[str, _Card]:
        if isinstance(nodes, _Reach):
            cards = self._cards_at(nodes)
        elif isinstance(nodes, tuple) and nodes and all(isinstance(n, _Reach) for n in nodes):
            cards = {}
            for reach in nodes:
                cards.update(self._cards_at(reach))
        else:
            cards = self._cards(set(nodes))
        if only is not None:
            cards = {k: v for k, v in cards.items() if k in only}
        return cards

    def _links_of(self, nodes: Any, types: Sequence[str], direction: str) -> list[tuple[str, str, str]]:
        if isinstance(nodes, _Reach):
            return self._links_at(nodes, types, direction)
        if isinstance(nodes, tuple) and nodes and all(isinstance(n, _Reach) for n in nodes):
            return sorted({link for r in nodes for link in self._links_at(r, types, direction)})
        return self._links(sorted(set(nodes)), types, direction)

    @staticmethod
    def _next(nodes: Any, direction: str, type_: str, known: Iterable[str]) -> Any:
        """The nodes one ``type_`` step from ``nodes``: a longer reach, or the ``known`` IRIs."""
        step = (lambda r: r.out(type_)) if direction == "out" else (lambda r: r.into(type_))
        if isinstance(nodes, _Reach):
            return step(nodes)
        if isinstance(nodes, tuple) and nodes and all(isinstance(n, _Reach) for n in nodes):
            return tuple(step(r) for r in nodes)
        return list(known)

    # -- helpers --------------------------------------------------------------------------------
    def _out(self, iris: Iterable[str], *types: str) -> list[tuple[str, str, str]]:
        return self._links(sorted(set(iris)), types or None, "out")

    def _in(self, iris: Iterable[str], *types: str) -> list[tuple[str, str, str]]:
        return self._links(sorted(set(iris)), types or None, "in")

    def _card(self, iri: str) -> _Card:
        card = self._cards([iri]).get(iri)
        if card is None or not (card.types or card.props):
            raise NotFound(f"no node {iri} in the graph")
        return card

    def _measure_refs(self, iris: Any, only: set[str] | None = None) -> tuple[MeasureRef, ...]:
        return self._measure_refs_of(self._cards_of(iris, only))

    @staticmethod
    def _measure_refs_of(cards: dict[str, _Card]) -> tuple[MeasureRef, ...]:
        refs = [MeasureRef(c.iri, c.one("number"), c.text("title", "zh"), c.text("title", "en"))
                for c in cards.values() if c.kind == "Measure"]
        return tuple(sorted(refs, key=lambda m: (m.number is None, m.number or 0, m.iri)))

    def _refs(self, iris: Any, only: set[str] | None = None) -> tuple[NodeRef, ...]:
        cards = self._cards_of(iris, only)
        return tuple(sorted((c.ref() for c in cards.values()), key=lambda r: (r.kind, r.label_zh or "", r.iri)))

    def _rule_items(self, nodes: Any, only: set[str] | None = None,
                    cards: dict[str, _Card] | None = None) -> tuple[RuleItem, ...]:
        """``cards``: the nodes' cards when the caller has read them already."""
        if not isinstance(nodes, (_Reach, tuple)):
            nodes = sorted(set(nodes))
            if not nodes:
                return ()
        cards = self._cards_of(nodes, only) if cards is None else _restrict(cards, only)
        iris = sorted(cards)
        if not iris:
            return ()
        parents: dict[str, str] = {}
        for r, _, m in self._links_of(nodes, ("HAS_PART",), "in"):
            if r in cards:
                parents.setdefault(r, m)
        out = [link for link in self._links_of(nodes, ("MODALITY", "ABOUT_TOPIC"), "out") if link[0] in cards]
        modality = {r: o for r, t, o in out if t == "MODALITY"}
        topics: dict[str, list[str]] = {}
        for r, t, o in out:
            if t == "ABOUT_TOPIC":
                topics.setdefault(r, []).append(o)
        measures = {m.iri: m for m in self._measure_refs(
            self._next(nodes, "in", "HAS_PART", parents.values()), set(parents.values()))}
        mod_cards = self._cards_of(self._next(nodes, "out", "MODALITY", modality.values()), set(modality.values()))
        topic_iris = {o for v in topics.values() for o in v}
        topic_refs = {ref.iri: ref for ref in self._refs(self._next(nodes, "out", "ABOUT_TOPIC", topic_iris), topic_iris)}
        items = []
        for iri in iris:
            card = cards.get(iri)
            if card is None or card.kind != "Rule":
                continue
            mod = mod_cards.get(modality.get(iri, ""))
            items.append(RuleItem(
                iri=iri,
                text_zh=card.text("text", "zh"),
                text_en=card.text("text", "en"),
                modality=local_name(mod.iri).lower() if mod else None,
                modality_label_zh=mod.label("zh") if mod else None,
                modality_label_en=mod.label("en") if mod else None,
                measure=measures.get(parents.get(iri, "")),
                topics=tuple(sorted((topic_refs[t] for t in set(topics.get(iri, ())) if t in topic_refs),
                                    key=lambda r: r.iri)),
            ))

        def key(item: RuleItem) -> tuple:
            m = item.measure
            return (m is None, m.number if m and m.number is not None else 0, m.iri if m else "",
                    cards[item.iri].one("number") or 0, item.iri)

        return tuple(sorted(items, key=key))

    def _case_summaries(self, nodes: Any, only: set[str] | None = None,
                        cards: dict[str, _Card] | None = None) -> tuple[CaseSummary, ...]:
        """Cases newest first; within a year the highest court first; then by full date."""
        return tuple(s for s, _ in sorted(self._case_items(nodes, only, cards), key=_case_order))

    def _case_items(self, nodes: Any, only: set[str] | None = None,
                    cards: dict[str, _Card] | None = None) -> list[tuple[CaseSummary, int]]:
        """Unordered (summary, best court rank) pairs."""
        if not isinstance(nodes, (_Reach, tuple)):
            nodes = sorted(set(nodes))
            if not nodes:
                return []
        cards = self._cards_of(nodes, only) if cards is None else _restrict(cards, only)
        iris = sorted(cards)
        if not iris:
            return []
        courts: dict[str, list[str]] = {}
        for c, _, court in self._links_of(nodes, ("COURT",), "out"):
            if c in cards:
                courts.setdefault(c, []).append(court)
        court_iris = {x for v in courts.values() for x in v}
        court_cards = self._cards_of(self._next(nodes, "out", "COURT", court_iris), court_iris)
        items = []
        for iri in iris:
            card = cards.get(iri)
            if card is None or card.kind != "Case":
                continue
            refs = sorted((court_cards[x] for x in set(courts.get(iri, ())) if x in court_cards),
                          key=lambda c: (_COURT_RANK.get(c.one("courtLevel"), 9), c.iri))
            items.append((CaseSummary(
                iri=iri,
                label_zh=card.label("zh"),
                label_en=card.label("en"),
                case_numbers=card.all("caseNumber"),
                case_numbers_unverified=card.all("caseNumberUnverified"),
                courts=tuple(c.ref() for c in refs),
                decided=card.one("decided"),
                verified=card.one("verified"),
                outcome_zh=card.text("outcome", "zh"),
                outcome_en=card.text("outcome", "en"),
            ), min((_COURT_RANK.get(c.one("courtLevel"), 9) for c in refs), default=9)))
        return items

    def _citations(self, nodes: Any) -> tuple[Citation, ...]:
        cards = self._cards_of(nodes if isinstance(nodes, (_Reach, tuple)) else set(nodes))
        articles = {c.iri for c in cards.values() if c.kind == "Article"}
        if isinstance(nodes, (_Reach, tuple)):
            links = [x for x in self._links_of(nodes, ("ARTICLE_OF",), "out") if x[0] in articles]
        else:
            links = self._out(articles, "ARTICLE_OF")
        statute_of = {a: s for a, _, s in links}
        statutes = {s.iri: s for s in self._refs(
            self._next(nodes, "out", "ARTICLE_OF", statute_of.values()), set(statute_of.values()))}
        out = []
        for c in cards.values():
            if c.kind == "Article":
                out.append(Citation(c.iri, "Article", c.label("zh"), c.label("en"),
                                    c.one("articleNumber"), statutes.get(statute_of.get(c.iri, ""))))
            elif c.kind == "Statute":
                out.append(Citation(c.iri, "Statute", c.label("zh"), c.label("en"), None, c.ref()))
        return tuple(sorted(out, key=_citation_order))

    def _resolve_measure(self, number_or_iri: int | str) -> str:
        if isinstance(number_or_iri, str) and not number_or_iri.strip().isdigit():
            return number_or_iri
        n = int(number_or_iri)
        rows = self._rows("measure_by_number", n=n)
        if not rows:
            raise NotFound(f"no measure number {n} in the graph")
        # several policy documents may number a measure n: the newest document's wins
        return sorted(rows, key=lambda r: (-_date_key(r.get("issued")), r["m"]))[0]["m"]

    @staticmethod
    def _topic_iri(topic: str) -> str:
        return topic if topic.startswith(("http://", "https://")) else str(mint_iri("topic", topic))

    # -- the questions -------------------------------------------------------------------------
    def topics(self) -> tuple[TopicSummary, ...]:
        rows = self._rows("topics", scheme=URIRef(_SCHEME_TOPICS))
        cards = self._cards_at(_via("in_scheme", scheme=URIRef(_SCHEME_TOPICS)))
        out = []
        for r in rows:
            c = cards[r["t"]]
            out.append(TopicSummary(
                id=c.one("notation") or local_name(c.iri), iri=c.iri, label_zh=c.label("zh"),
                label_en=c.label("en"), measures=int(r["nm"]), rules=int(r["nr"]), cases=int(r["nc"])))
        return tuple(sorted(out, key=lambda t: t.id))

    def _topic_summary(self, topic_iri: str) -> TopicSummary:
        for t in self.topics():
            if t.iri == topic_iri:
                return t
        raise NotFound(f"no topic {topic_iri} in the topic scheme")

    def rules_by_topic(self, topic_id: str) -> TopicRules:
        t = self._topic_iri(topic_id)
        summary = self._topic_summary(t)
        return TopicRules(summary, self._rule_items(_via("topic_rules", t=URIRef(t))),
                          self._measure_refs(_via("topic_measures", t=URIRef(t))),
                          self._case_summaries(_via("topic_cases", t=URIRef(t))))

    def measure(self, number_or_iri: int | str) -> MeasureDetail:
        m = self._resolve_measure(number_or_iri)
        card = self._card(m)
        if card.kind != "Measure":
            raise NotFound(f"{m} is a {card.kind}, not a measure")
        parts = self._out([m], "HAS_PART")
        rules = [o for _, _, o in parts]
        parents = [s for _, _, s in self._in([m], "HAS_PART")]
        parent_cards = self._cards(parents)
        section = next((c for c in sorted(parent_cards.values(), key=lambda c: c.iri) if c.kind == "Section"), None)
        doc = next((c for c in parent_cards.values() if c.kind == "PolicyDocument"), None)
        if doc is None and section is not None:
            up = self._cards(s for _, _, s in self._in([section.iri], "HAS_PART"))
            doc = next((c for c in sorted(up.values(), key=lambda c: c.iri) if c.kind == "PolicyDocument"), None)
        # the measure and its parts (rules), as one reach: every list below is one query
        holders = _via("self_and_parts", m=URIRef(m))
        mentions = self._mentions(holders.into("HAS_TARGET"))
        cited = holders.out("CITES")
        case_iris = holders.into("ILLUSTRATES")
        topics = holders.out("ABOUT_TOPIC")
        return MeasureDetail(
            iri=m, number=card.one("number"), title_zh=card.text("title", "zh"),
            title_en=card.text("title", "en"), text_zh=card.text("text", "zh"),
            section=section.ref() if section else None, source=doc.ref() if doc else None,
            doc_number=doc.one("docNumber") if doc else None,
            rules=self._rule_items(_at(m).out("HAS_PART"), set(rules)), mentions=mentions, citations=self._citations(cited),
            cases=self._case_summaries(case_iris), topics=self._refs(topics),
        )

    def _mentions(self, nodes: Any) -> tuple[MentionItem, ...]:
        cards = self._cards_of(nodes)
        iris = sorted(cards)
        if not iris:
            return ()
        links: dict[tuple[str, str], str] = {}
        for s, t, o in self._links_of(nodes, ("HAS_BODY", "HAS_TARGET", "SOURCE_DOCUMENT"), "out"):
            if s in cards:
                links.setdefault((s, t), o)
        body_iris = {o for (_, t), o in links.items() if t == "HAS_BODY"}
        bodies = {r.iri: r for r in self._refs(self._next(nodes, "out", "HAS_BODY", body_iris), body_iris)}
        out = []
        for iri_ in iris:
            c = cards.get(iri_)
            body = bodies.get(links.get((iri_, "HAS_BODY"), ""))
            if c is None or body is None:
                continue
            out.append(MentionItem(iri_, c.one("start"), c.one("end"), c.one("exact"), body, body.kind,
                                   links.get((iri_, "HAS_TARGET")), links.get((iri_, "SOURCE_DOCUMENT"))))
        return tuple(sorted(out, key=lambda x: (x.start if x.start is not None else -1, x.end or 0, x.iri)))

    def case(self, iri_: str) -> CaseDetail:
        card = self._card(iri_)
        if card.kind != "Case":
            raise NotFound(f"{iri_} is a {card.kind}, not a case")
        summary = self._case_summaries([iri_])[0]
        out = self._out([iri_], "CITES", "ILLUSTRATES", "ABOUT_TOPIC", "APPEAL_OF", "RELATED_CASE")
        by: dict[str, list[str]] = {}
        for _, t, o in out:
            by.setdefault(t, []).append(o)
        illustrated = self._cards(by.get("ILLUSTRATES", []))
        rule_iris = [c.iri for c in illustrated.values() if c.kind == "Rule"]
        measure_iris = [c.iri for c in illustrated.values() if c.kind == "Measure"]
        measure_iris += [m for r, _, m in self._in(rule_iris, "HAS_PART")]
        relations: dict[tuple[str, str], tuple[str, ...]] = {}
        for o in by.get("APPEAL_OF", []):
            relations[(o, "appealOf")] = ()
        for _, _, s in self._in([iri_], "APPEAL_OF"):
            relations[(s, "appealedBy")] = ()
        for o in by.get("RELATED_CASE", []):
            relations[(o, "relatedCase")] = ()
        for _, _, s in self._in([iri_], "RELATED_CASE"):
            relations[(s, "relatedCase")] = ()
        cited = _at(iri_).out("CITES")
        cited_cards = self._cards_at(cited)
        articles = {c.iri for c in cited_cards.values() if c.kind == "Article"}
        shared: dict[str, set[str]] = {}
        for a, _, other in self._links_at(cited, ("CITES",), "in"):
            if a in articles and other != iri_:
                shared.setdefault(other, set()).add(a)
        # the cases sharing an article are read as one reach (they can be thousands)
        items = {s.iri: (s, rank) for s, rank in self._case_items(cited.into("CITES"), set(shared))}
        items.update((s.iri, (s, rank)) for s, rank in self._case_items([k for k, _ in relations]))
        summaries = {s.iri: s for s, _ in sorted(items.values(), key=_case_order)}
        for other, arts in shared.items():
            if other in summaries:
                relations[(other, "sharesArticle")] = tuple(sorted(arts))
        order = {iri2: i for i, iri2 in enumerate(summaries)}
        related = tuple(
            RelatedCase(summaries[o], rel, via)
            for (o, rel), via in sorted(relations.items(),
                                         key=lambda kv: (_RELATION_RANK[kv[0][1]], order.get(kv[0][0], 0)))
            if o in summaries
        )
        return CaseDetail(
            summary=summary, cause=card.text("cause", "zh"),
            plaintiffs=card.all("plaintiff_zh"), defendants=card.all("defendant_zh"),
            holding_zh=card.text("holding", "zh"), holding_en=card.text("holding", "en"),
            honours=card.all("honour_zh"), sources=card.all("source"),
            citations=self._citations(by.get("CITES", [])),
            measures=self._measure_refs(measure_iris), rules=self._rule_items(rule_iris),
            topics=self._refs(by.get("ABOUT_TOPIC", [])), related=related,
        )

    def _law(self, iri_: str, kind: str) -> LawDetail:
        card = self._card(iri_)
        if card.kind != kind:
            raise NotFound(f"{iri_} is a {card.kind}, not an {kind.lower()}")
        targets: tuple[_Reach, ...]
        if kind == "Article":
            statute_cards = self._cards_at(_at(iri_).out("ARTICLE_OF"))
            statute_iris = sorted(statute_cards)
            statute = self._refs(statute_iris)[0] if statute_iris else None
            articles: tuple[NodeRef, ...] = ()
            targets = (_at(iri_),)
            citing_targets = {iri_}
            scard = statute_cards.get(statute.iri) if statute else None
        else:
            statute, scard = card.ref(), card
            targets = (_at(iri_), _via("statute_parts", s=URIRef(iri_)))
            art_cards = self._cards_at(targets[1])
            articles = tuple(c.ref() for c in sorted(
                (c for c in art_cards.values() if c.kind == "Article"),
                key=lambda c: (_article_key(c.one("articleNumber")), c.iri)))
            citing_targets = {iri_, *(a.iri for a in articles)}
        citers = {s for t, _, s in self._links_of(targets, ("CITES",), "in") if t in citing_targets}
        by_citer = tuple(t.into("CITES") for t in targets)
        citing = self._cards_of(by_citer, citers)
        return LawDetail(
            iri=iri_, kind=kind, label_zh=card.label("zh"), label_en=card.label("en"),
            gist_zh=card.text("gist", "zh"), gist_en=card.text("gist", "en"),
            article_number=card.one("articleNumber"), statute=statute,
            statute_kind=scard.one("statuteKind") if scard else None,
            status=scard.one("status") if scard else None, articles=articles,
            measures=self._measure_refs_of(citing),
            rules=self._rule_items(by_citer, {c.iri for c in citing.values() if c.kind == "Rule"}, citing),
            cases=self._case_summaries(by_citer, {c.iri for c in citing.values() if c.kind == "Case"}, citing),
        )

    def article(self, iri_: str) -> LawDetail:
        return self._law(iri_, "Article")

    def statute(self, iri_: str) -> LawDetail:
        return self._law(iri_, "Statute")

    def cases(self, topic: str | None = None, court: str | None = None, year: int | None = None,
              statute: str | None = None, measure: int | str | None = None, offset: int = 0,
              limit: int = 20) -> Page:
        if offset < 0 or limit < 0:
            raise ValueError("offset and limit must not be negative")
        params: dict[str, Any] = {}
        if topic:
            params["topic"] = URIRef(self._topic_iri(topic))
        if court:
            params["court"] = URIRef(court if court.startswith(("http://", "https://")) else str(mint_iri("court", court)))
        if year is not None:
            params["year"] = str(int(year))
        if statute:
            params["statute"] = URIRef(statute)
        if measure is not None:
            try:
                params["measure"] = URIRef(self._resolve_measure(measure))
            except NotFound:
                return Page(0, offset, limit, ())
        # order every match by its sort key (one query), then read only the page's cases
        keys: dict[str, tuple[list[str], list[int]]] = {}
        for r in self._rows("cases", **params):
            d, lv = keys.setdefault(r["c"], ([], []))
            if r.get("d") is not None:
                d.append(str(r["d"]))
            for level in r["lvl"] if isinstance(r.get("lvl"), list) else [r.get("lvl")]:
                if level is not None:
                    lv.append(_COURT_RANK.get(level, 9))
        ordered = sorted(keys, key=lambda c: _case_key(c, min(keys[c][0], default=None),
                                                        min(keys[c][1], default=9)))
        page = ordered[offset: offset + limit]
        return Page(len(ordered), offset, limit, self._case_summaries(page))

    def search(self, q: str, limit: int = 20) -> tuple[SearchHit, ...]:
        terms = _terms(q or "")
        if not terms:
            return ()
        matched: dict[str, tuple[str, ...]] = {}
        for cand in self._search_candidates(terms).values():
            if not _explorable(cand.iri):
                continue
            fields = tuple(sorted(k for k, vs in cand.props.items() if _search_key(k)
                                  and any(_matches(str(v), terms) for v in vs)))
            if fields:
                matched[cand.iri] = fields
        full = self._cards(matched)
        direct = {i: (full[i], f) for i, f in matched.items() if i in full}
        concepts = [i for i, (c, _) in direct.items() if c.kind in ("Concept", "Topic")]
        via: dict[str, set[str]] = {}
        for c, _, x in self._in(concepts, "MENTIONS", "ABOUT_TOPIC", "CONCEPT"):
            via.setdefault(x, set()).add(c)
        mentions = {m: c for c, _, m in self._in(concepts, "HAS_BODY")}
        for m, _, target in self._out(mentions, "HAS_TARGET"):
            via.setdefault(target, set()).add(mentions[m])
        hop_cards = self._cards(set(via) - set(direct))
        concept_refs = {r.iri: r for r in self._refs(concepts)}
        hits = []
        for card, fields in direct.values():
            hits.append((0, SearchHit(card.iri, card.kind, card.label("zh"), card.label("en"), fields), card))
        for x, card in hop_cards.items():
            if not _explorable(x) or card.kind not in ("Measure", "Rule", "Case", "Statute", "Article", "PolicyDocument"):
                continue
            refs = tuple(concept_refs[c] for c in sorted(via[x]) if c in concept_refs)
            hits.append((1, SearchHit(x, card.kind, card.label("zh"), card.label("en"), (), refs), card))
        hits.sort(key=lambda h: (h[0], _SEARCH_KIND_RANK.get(h[1].kind, 99), -len(h[1].via),
                                 h[2].one("number") if isinstance(h[2].one("number"), int) else 0,
                                 h[1].label_zh or "", h[1].iri))
        return tuple(h for _, h, _ in hits[:limit])

    def _adjacent(self, frontier: Sequence[str]) -> list[tuple[str, str, str]]:
        """Explorable edges (source, TYPE, target) touching the frontier."""
        edges = set()
        for s, t, o in self._links(frontier, None, "out"):
            if t not in _HIDDEN_TYPES and _explorable(o):
                edges.add((s, t, o))
        for n, t, other in self._links(frontier, None, "in"):
            if t not in _HIDDEN_TYPES and _explorable(other):
                edges.add((other, t, n))
        return sorted(edges)

    def _subgraph(self, nodes: Sequence[str], edges: Iterable[tuple[str, str, str]], truncated: bool) -> SubGraph:
        cards = self._cards(nodes)
        keep = set(nodes)
        gnodes = tuple(GraphNode(n, cards[n].label("zh") or cards[n].label("en"), cards[n].kind, cards[n].label("en"))
                       for n in nodes if n in cards)
        gedges = tuple(GraphEdge(s, t, o) for s, t, o in sorted(set(edges)) if s in keep and o in keep)
        return SubGraph(gnodes, gedges, truncated)

    def neighbourhood(self, iri_: str, depth: int = 1, limit: int = 200) -> SubGraph:
        if not 1 <= depth <= 3:
            raise ValueError("depth must be 1, 2 or 3")
        self._card(iri_)
        seen = [iri_]
        seen_set = {iri_}
        edges: set[tuple[str, str, str]] = set()
        frontier = [iri_]
        truncated = False
        for _ in range(depth):
            level: set[str] = set()
            for s, t, o in self._adjacent(frontier):
                edges.add((s, t, o))
                for n in (s, o):
                    if n not in seen_set:
                        level.add(n)
            new = sorted(level)
            room = max(0, limit - len(seen))
            if len(new) > room:
                new, truncated = new[:room], True
            seen += new
            seen_set.update(new)
            frontier = new
            if not frontier:
                break
        return self._subgraph(seen, edges, truncated)

    def shortest_path(self, a: str, b: str, max_depth: int = 6) -> SubGraph | None:
        """A shortest undirected path; among equals, the one whose IRIs sort first."""
        self._card(a)
        self._card(b)
        if a == b:
            return self._subgraph([a], [], False)
        parent: dict[str, tuple[str, tuple[str, str, str]] | None] = {a: None}
        frontier = [a]
        for _ in range(max_depth):
            nxt: dict[str, tuple[str, tuple[str, str, str]]] = {}
            for edge in self._adjacent(frontier):
                s, _, o = edge
                for here, there in ((s, o), (o, s)):
                    if here in frontier and there not in parent:
                        best = nxt.get(there)
                        if best is None or (here, edge) < best:
                            nxt[there] = (here, edge)
            if not nxt:
                return None
            parent.update(nxt)
            if b in nxt:
                path, edges = [b], []
                node = b
                while parent[node] is not None:
                    prev, edge = parent[node]
                    edges.append(edge)
                    path.append(prev)
                    node = prev
                path.reverse()
                edges.reverse()
                sub = self._subgraph(path, edges, False)
                return SubGraph(sub.nodes, tuple(GraphEdge(*e) for e in edges), False)
            frontier = sorted(nxt)
        return None

    def topic_measure_matrix(self) -> Matrix:
        topics = self.topics()
        cells: dict[tuple[str, str], set[str]] = {}
        for r in self._rows("matrix"):
            cells.setdefault((r["t"], r["m"]), set()).add(r["x"])
        ids = {t.iri: t.id for t in topics}
        measures = self._measure_refs(self._rows_values("all_measures", "m"))
        return Matrix(topics, measures, tuple(sorted(
            (MatrixCell(ids[t], m, len(xs)) for (t, m), xs in cells.items() if t in ids),
            key=lambda c: (c.topic, c.measure))))

    def _rows_values(self, name: str, col: str, **params: Any) -> list[str]:
        return [r[col] for r in self._rows(name, **params)]

    def centrality(self, limit: int = 50) -> tuple[CentralityRow, ...]:
        edges = sorted({(s, t, o) for s, t, o in self._edges()
                        if t not in _HIDDEN_TYPES and _explorable(s) and _explorable(o)})
        indeg: dict[str, int] = {}
        outdeg: dict[str, int] = {}
        for s, _, o in edges:
            outdeg[s] = outdeg.get(s, 0) + 1
            indeg[o] = indeg.get(o, 0) + 1
        nodes = sorted(set(indeg) | set(outdeg))
        pr = _pagerank(nodes, [(s, o) for s, _, o in edges])
        top = sorted(nodes, key=lambda n: (-(indeg.get(n, 0) + outdeg.get(n, 0)), n))[:limit]
        cards = self._cards(top)
        return tuple(CentralityRow(n, cards[n].kind, cards[n].label("zh"), cards[n].label("en"),
                                   indeg.get(n, 0), outdeg.get(n, 0), indeg.get(n, 0) + outdeg.get(n, 0),
                                   round(pr[n], 6))
                     for n in top if n in cards)


def _restrict(cards: dict[str, _Card], only: set[str] | None) -> dict[str, _Card]:
    return cards if only is None else {k: v for k, v in cards.items() if k in only}


def _date_key(value: Any) -> int:
    digits = re.sub(r"\D", "", str(value or ""))[:8]
    return int(digits.ljust(8, "0")) if digits else 0


def _case_order(item: tuple[CaseSummary, int]) -> tuple:
    s, court_rank = item
    return _case_key(s.iri, s.decided, court_rank)


def _case_key(case: str, decided: str | None, court_rank: int) -> tuple:
    """Newest year first; within a year the highest court first; then the fuller/later date."""
    year = _year(decided)
    return (year is None, -(year or 0), court_rank, -_date_key(decided), case)


def _article_key(number: str | None) -> tuple[int, ...]:
    if not number:
        return (10**9,)
    return tuple(int(p) if p.isdigit() else 10**9 for p in number.split("-"))


def _citation_order(c: Citation) -> tuple:
    return (c.statute.iri if c.statute else c.iri, c.kind != "Statute", _article_key(c.article_number), c.iri)


# ----------------------------------------------------------------------------- SPARQL backend

_SPARQL: dict[str, str] = {
    "topics": """
SELECT ?scheme ?t (COUNT(DISTINCT ?m) AS ?nm) (COUNT(DISTINCT ?r) AS ?nr) (COUNT(DISTINCT ?c) AS ?nc) WHERE {
  ?t skos:inScheme ?scheme .
  { } UNION {
    ?m a iprg:Measure . { ?m iprg:aboutTopic ?t } UNION { ?m iprg:hasPart ?r0 . ?r0 a iprg:Rule ; iprg:aboutTopic ?t }
  } UNION { ?r a iprg:Rule ; iprg:aboutTopic ?t }
  UNION { ?c a iprg:Case ; iprg:aboutTopic ?t }
} GROUP BY ?scheme ?t""",
    "measure_by_number": """
SELECT ?n ?m (MAX(STR(?d)) AS ?issued) WHERE { ?m a iprg:Measure ; iprg:number ?n .
  OPTIONAL { ?doc iprg:hasPart+ ?m . ?doc dcterms:issued ?d } } GROUP BY ?n ?m""",
    "all_measures": "SELECT ?m WHERE { ?m a iprg:Measure }",
    "matrix": """
SELECT DISTINCT ?t ?m ?x WHERE {
  { ?m a iprg:Measure ; iprg:aboutTopic ?t . BIND(?m AS ?x) }
  UNION { ?m a iprg:Measure ; iprg:hasPart ?x . ?x a iprg:Rule ; iprg:aboutTopic ?t }
  UNION { ?m a iprg:Measure . ?x a iprg:Case ; iprg:illustrates ?m ; iprg:aboutTopic ?t }
  UNION { ?m a iprg:Measure ; iprg:hasPart ?r . ?r a iprg:Rule .
          ?x a iprg:Case ; iprg:illustrates ?r ; iprg:aboutTopic ?t }
}""",
}
#: Fixed fragments of the ``cases`` filter query, chosen by which filters are set.
_SPARQL_CASE_FILTERS = {
    "topic": "?c iprg:aboutTopic ?topic .",
    "court": "?c iprg:court ?court .",
    "year": "FILTER EXISTS { ?c iprg:decided ?dy . FILTER(STRSTARTS(STR(?dy), ?year)) }",
    "statute": "?c iprg:cites ?a . FILTER(?a = ?statute || EXISTS { ?a iprg:articleOf ?statute })",
    "measure": "{ ?c iprg:illustrates ?measure } UNION { ?c iprg:illustrates ?r0 . ?measure iprg:hasPart ?r0 }",
}
#: Start patterns of reaches: the nodes ``?h0``, joined from the bound variables. They begin at
#: the bound node (Oxigraph plans poorly when a pattern starts from a type scan: "every case,
#: then its topics" took 1.4 s at 100× the case law, "the topic, then its cases" 60 ms).
_SPARQL_REACH: dict[str, str] = {
    "in_scheme": "?h0 skos:inScheme ?scheme .",
    "statute_parts": "{ ?s iprg:hasPart ?h0 } UNION { ?h0 iprg:articleOf ?s }",
    "self_and_parts": "{ ?m ?p0 ?o0 . BIND(?m AS ?h0) } UNION { ?m iprg:hasPart ?h0 }",
    "topic_rules": "?h0 iprg:aboutTopic ?t . ?h0 a iprg:Rule .",
    "topic_measures": "{ ?h0 iprg:aboutTopic ?t . ?h0 a iprg:Measure } UNION "
                      "{ ?r0 iprg:aboutTopic ?t . ?r0 a iprg:Rule . ?h0 iprg:hasPart ?r0 . ?h0 a iprg:Measure }",
    "topic_cases": "{ ?h0 iprg:aboutTopic ?t . ?h0 a iprg:Case } UNION "
                   "{ ?r0 iprg:aboutTopic ?t . ?r0 a iprg:Rule . ?h0 iprg:illustrates ?r0 . ?h0 a iprg:Case }",
}
_SPARQL_CARD = "SELECT ?s ?p ?o WHERE { ?s ?p ?o . FILTER(?p = rdf:type || isLiteral(?o)) }"
_SPARQL_OUT = "SELECT ?s ?p ?o WHERE { ?s ?p ?o . FILTER(isIRI(?o) && ?p != rdf:type) }"
_SPARQL_IN = "SELECT ?s ?p ?o WHERE { ?o ?p ?s . FILTER(?p != rdf:type) }"
_SPARQL_EDGES = "SELECT ?p ?s ?o WHERE { ?s ?p ?o . FILTER(isIRI(?o) && isIRI(?s)) }"
_SPARQL_PREDICATES = "SELECT DISTINCT ?p WHERE { ?s ?p ?o . FILTER(isIRI(?o) && ?p != rdf:type) }"
_SEARCH_VALUES = " ".join(f"<{_CARD_PREDICATES[b]}>" for b in _SEARCH_BASES)  # fixed ontology IRIs
_SPARQL_SEARCH = (
    "SELECT ?w ?s ?p ?o WHERE { VALUES ?p { " + _SEARCH_VALUES + " } ?s ?p ?o . "
    "FILTER(isLiteral(?o) && CONTAINS(LCASE(STR(?o)), ?w)) }"
)


_XSD_STRING = str(XSD.string)


def _lit_key(p: str, o: Literal) -> str | None:
    base = _PRED_KEY.get(p)
    if base is None:
        return None
    if o.language:
        return f"{base}_{o.language}" if o.language in ("zh", "en") else None
    return base


class SparqlExplorer(_Questions):
    """The questions answered by SPARQL on the embedded Oxigraph store."""

    backend = "sparql"

    def __init__(self, store) -> None:
        self.store = store
        self._names: tuple[str | None, dict[str, str]] = (None, {})

    def _type_name(self, predicate: str) -> str:
        return self._type_names(predicate).get(predicate) or upper_snake(local_name(predicate))

    def _type_names(self, predicate: str | None = None) -> dict[str, str]:
        """Relationship predicate → type name, for the current generation (re-read when the
        generation moves or ``predicate`` is not known yet)."""
        gen = self.store.current_generation()
        if self._names[0] != gen or (predicate is not None and predicate not in self._names[1]):
            from kg.pg import _type_names

            preds = [str(r["p"]) for r in self.store.select(_SPARQL_PREDICATES)]
            self._names = (gen, _type_names(preds))
        return self._names[1]

    def _namer(self):
        """``_type_name`` for one question: the generation is checked once (not per row, which
        read the CURRENT pointer file 50,000 times for centrality at 100×)."""
        memo: dict[str, str] = {}

        def name(predicate: str) -> str:
            t = memo.get(predicate)
            if t is None:
                t = memo[predicate] = self._type_name(predicate)
            return t

        return name

    def _rows(self, name: str, **params: Any) -> list[dict[str, Any]]:
        if name == "cases":
            parts = [_SPARQL_CASE_FILTERS[k] for k in ("topic", "court", "year", "statute", "measure") if k in params]
            # the bound variables must be projected for Oxigraph to substitute them
            head = " ".join("?" + k for k in params)
            text = (f"SELECT DISTINCT {head} ?c ?d ?lvl WHERE {{ ?c a iprg:Case . " + " ".join(parts)
                    + " OPTIONAL { ?c iprg:decided ?d } OPTIONAL { ?c iprg:court/iprg:courtLevel ?lvl } }")
        else:
            text = _SPARQL[name]
        bindings = {k: (v if isinstance(v, URIRef) else Literal(v)) for k, v in params.items()}
        return [{k: _py(v) for k, v in row.items()} for row in self.store.select(text, bindings)]

    def _cards(self, iris: Iterable[str]) -> dict[str, _Card]:
        out = {}
        for iri_ in sorted(set(iris)):
            types: list[str] = []
            props: dict[str, list[Any]] = {}
            for row in self.store.select(_SPARQL_CARD, {"s": URIRef(iri_)}):
                p, o = str(row["p"]), row["o"]
                if p == str(RDF.type):
                    types.append(local_name(o))
                elif isinstance(o, Literal):
                    key = _lit_key(p, o)
                    if key:
                        props.setdefault(key, []).append(o)
            if types or props:
                out[iri_] = _card_from_props(iri_, types, props)
        return out

    def _links(self, iris, types, direction):
        text = _SPARQL_OUT if direction == "out" else _SPARQL_IN
        wanted = set(types) if types else None
        out = []
        type_name = self._namer()
        for iri_ in iris:
            for row in self.store.select(text, {"s": URIRef(iri_)}):
                if not isinstance(row["o"], URIRef):
                    continue
                t = type_name(str(row["p"]))
                if wanted is None or t in wanted:
                    out.append((iri_, t, str(row["o"])))
        return sorted(set(out))

    def _edges(self):
        # one query per relationship predicate (~35, however large the graph): index scans,
        # 3× faster at 100× than one whole-store scan filtering every triple; the caller keeps
        # data nodes only
        out = []
        for predicate, name in sorted(self._type_names().items()):
            for sol in self.store.query(_SPARQL_EDGES, {"p": URIRef(predicate)}):
                s, o = sol["s"], sol["o"]
                if s.value.startswith(_ID) and o.value.startswith(_ID):
                    out.append((s.value, name, o.value))
        return out

    def _reach_pattern(self, reach: _Reach) -> tuple[str, dict[str, Any], str]:
        """(group pattern, bindings, final node variable). Steps use the ontology's fixed
        predicate IRIs; the start IRI and the shape's parameters are substitutions.

        Each level is a DISTINCT sub-select (projecting the bound variables, else Oxigraph does
        not substitute inside it), and each hop a ``LATERAL`` join (Oxigraph's SEP-0006
        extension: evaluated once per node found so far, by index lookups). Flat joins let
        Oxigraph hash-join a whole-store scan: court cards of the 800 trade-secret cases at 100×
        took 18 s flat, 1.2 s nested, 0.06 s nested and lateral.
        """
        if reach.iri is not None:
            text, binds = "", {"h0": URIRef(reach.iri)}
        else:
            binds = dict(reach.params)
            bound = " ".join("?" + k for k in binds)
            text = f"{{ SELECT DISTINCT {bound} ?h0 WHERE {{ {_SPARQL_REACH[reach.start]} }} }}"
        bound = " ".join("?" + k for k in binds if k != "h0")
        for i, (direction, types) in enumerate(reach.steps):
            path = "|".join(f"<{_REL_PREDICATES[t]}>" for t in types)
            a, b = (f"?h{i}", f"?h{i + 1}") if direction == "out" else (f"?h{i + 1}", f"?h{i}")
            keep = bound + (" ?h0" if "h0" in binds else "")
            text = f"{{ SELECT DISTINCT {keep} ?h{i + 1} WHERE {{ {text} LATERAL {{ {a} {path} {b} . }} }} }}"
        return text, binds, f"?h{len(reach.steps)}"

    def _solutions(self, text: str, binds: dict[str, Any], cols: Sequence[str]) -> set[tuple]:
        """Distinct rows of raw Oxigraph terms (a reach may arrive at a node by several paths)."""
        bindings = {k: (v if isinstance(v, URIRef) else Literal(v)) for k, v in binds.items()}
        return {tuple(sol[c] for c in cols) for sol in self.store.query(text, bindings)}

    def _cards_at(self, reach: _Reach) -> dict[str, _Card]:
        import pyoxigraph as ox

        from kg.store import from_ox

        pattern, binds, x = self._reach_pattern(reach)
        head = " ".join("?" + k for k in binds)   # Oxigraph substitutes projected variables only
        text = (f"SELECT {head} ({x} AS ?x) ?p ?o WHERE {{ {pattern} LATERAL {{ {x} ?p ?o . "
                "FILTER(?p = rdf:type || isLiteral(?o)) }}")
        types: dict[str, list[str]] = {}
        props: dict[str, dict[str, list[Any]]] = {}
        rdf_type = str(RDF.type)
        for s, p, o in self._solutions(text, binds, ("x", "p", "o")):
            if not isinstance(s, ox.NamedNode):
                continue
            if p.value == rdf_type:
                types.setdefault(s.value, []).append(local_name(o.value))
                props.setdefault(s.value, {})
            elif isinstance(o, ox.Literal):
                base = _PRED_KEY.get(p.value)
                if base is None:
                    continue
                lang = o.language
                if lang:
                    if lang not in ("zh", "en"):
                        continue
                    key, value = f"{base}_{lang}", o.value   # as _py gives it, without rdflib
                elif o.datatype.value == _XSD_STRING:
                    key, value = base, o.value
                else:                                        # typed: rdflib's reading, as before
                    key, value = base, from_ox(o)
                props.setdefault(s.value, {}).setdefault(key, []).append(value)
                types.setdefault(s.value, [])
        return {i: _card_from_props(i, types[i], props[i]) for i in types if types[i] or props[i]}

    def _links_at(self, reach, types, direction):
        import pyoxigraph as ox

        pattern, binds, x = self._reach_pattern(reach)
        head = " ".join("?" + k for k in binds)
        if types:   # one index lookup per fixed ontology predicate
            parts = [(f"{x} <{_REL_PREDICATES[t]}> ?o" if direction == "out" else f"?o <{_REL_PREDICATES[t]}> {x}")
                     + f" . BIND(<{_REL_PREDICATES[t]}> AS ?p)" for t in types]
            edge = parts[0] if len(parts) == 1 else " UNION ".join(f"{{ {part} }}" for part in parts)
        elif direction == "out":
            edge = f"{x} ?p ?o . FILTER(isIRI(?o) && ?p != rdf:type)"
        else:
            edge = f"?o ?p {x} . FILTER(?p != rdf:type)"
        text = f"SELECT {head} ({x} AS ?x) ?p ?o WHERE {{ {pattern} LATERAL {{ {edge} }} }}"
        wanted = set(types) if types else None
        out = set()
        type_name = self._namer()
        for s, p, o in self._solutions(text, binds, ("x", "p", "o")):
            if not isinstance(o, ox.NamedNode) or not isinstance(s, ox.NamedNode):
                continue
            t = type_name(p.value)
            if wanted is None or t in wanted:
                out.add((s.value, t, o.value))
        return sorted(out)

    def _search_candidates(self, terms):
        anchor = max(terms, key=len)
        found: dict[str, dict[str, list[Any]]] = {}
        for row in self.store.select(_SPARQL_SEARCH, {"w": Literal(anchor)}):
            key = _lit_key(str(row["p"]), row["o"])
            if key:
                found.setdefault(str(row["s"]), {}).setdefault(key, []).append(row["o"])
        return {s: _card_from_props(s, (), props) for s, props in found.items()}


# ----------------------------------------------------------------------------- Cypher backend

_CYPHER: dict[str, str] = {
    "topics": """
MATCH (t:Resource)-[:IN_SCHEME]->(:Resource {uri: $scheme})
RETURN t.uri AS t,
  COUNT { MATCH (m:Measure) WHERE (m)-[:ABOUT_TOPIC]->(t)
          OR EXISTS { MATCH (m)-[:HAS_PART]->(:Rule)-[:ABOUT_TOPIC]->(t) } } AS nm,
  COUNT { MATCH (r:Rule)-[:ABOUT_TOPIC]->(t) } AS nr,
  COUNT { MATCH (c:Case)-[:ABOUT_TOPIC]->(t) } AS nc""",
    "measure_by_number": """
MATCH (m:Measure) WHERE $n = m.number OR (valueType(m.number) STARTS WITH 'LIST' AND $n IN m.number)
OPTIONAL MATCH (doc:Resource)-[:HAS_PART*1..4]->(m) WHERE doc.issued IS NOT NULL
RETURN m.uri AS m, max(toString(doc.issued)) AS issued""",
    "all_measures": "MATCH (m:Measure) RETURN m.uri AS m",
    "matrix": """
MATCH (m:Measure)-[:ABOUT_TOPIC]->(t) RETURN t.uri AS t, m.uri AS m, m.uri AS x
UNION MATCH (m:Measure)-[:HAS_PART]->(x:Rule)-[:ABOUT_TOPIC]->(t) RETURN t.uri AS t, m.uri AS m, x.uri AS x
UNION MATCH (x:Case)-[:ILLUSTRATES]->(m:Measure), (x)-[:ABOUT_TOPIC]->(t) RETURN t.uri AS t, m.uri AS m, x.uri AS x
UNION MATCH (x:Case)-[:ILLUSTRATES]->(:Rule)<-[:HAS_PART]-(m:Measure), (x)-[:ABOUT_TOPIC]->(t)
      RETURN t.uri AS t, m.uri AS m, x.uri AS x""",
    "cases": """
MATCH (c:Case)
WHERE ($topic IS NULL OR EXISTS { MATCH (c)-[:ABOUT_TOPIC]->(:Resource {uri: $topic}) })
  AND ($court IS NULL OR EXISTS { MATCH (c)-[:COURT]->(:Resource {uri: $court}) })
  AND ($year IS NULL OR any(d IN CASE WHEN c.decided IS NULL THEN []
        WHEN valueType(c.decided) STARTS WITH 'LIST' THEN c.decided ELSE [c.decided] END
        WHERE toString(d) STARTS WITH $year))
  AND ($statute IS NULL OR EXISTS { MATCH (c)-[:CITES]->(a:Resource)
        WHERE a.uri = $statute OR EXISTS { MATCH (a)-[:ARTICLE_OF]->(:Resource {uri: $statute}) } })
  AND ($measure IS NULL OR EXISTS { MATCH (c)-[:ILLUSTRATES]->(:Resource {uri: $measure}) }
       OR EXISTS { MATCH (c)-[:ILLUSTRATES]->(:Resource)<-[:HAS_PART]-(:Resource {uri: $measure}) })
OPTIONAL MATCH (c)-[:COURT]->(ct:Resource)
UNWIND CASE WHEN c.decided IS NULL THEN [null] WHEN valueType(c.decided) STARTS WITH 'LIST'
            THEN c.decided ELSE [c.decided] END AS d
RETURN c.uri AS c, d, ct.courtLevel AS lvl""",
}
#: Start patterns of reaches (the nodes ``h0``), as :data:`_SPARQL_REACH`.
_CYPHER_REACH: dict[str, str] = {
    "in_scheme": "MATCH (h0:Resource)-[:IN_SCHEME]->(:Resource {uri: $scheme})",
    "self_and_parts": """MATCH (m:Resource {uri: $m})
CALL (m) { RETURN m AS h0 UNION MATCH (m)-[:HAS_PART]->(h0:Resource) RETURN h0 }""",
    "statute_parts": """CALL () { MATCH (:Resource {uri: $s})-[:HAS_PART]->(h0:Resource) RETURN h0
  UNION MATCH (h0:Resource)-[:ARTICLE_OF]->(:Resource {uri: $s}) RETURN h0 }""",
    "topic_rules": "MATCH (h0:Rule)-[:ABOUT_TOPIC]->(:Resource {uri: $t})",
    "topic_measures": """CALL () { MATCH (h0:Measure)-[:ABOUT_TOPIC]->(:Resource {uri: $t}) RETURN h0
  UNION MATCH (h0:Measure)-[:HAS_PART]->(:Rule)-[:ABOUT_TOPIC]->(:Resource {uri: $t}) RETURN h0 }""",
    "topic_cases": """CALL () { MATCH (h0:Case)-[:ABOUT_TOPIC]->(:Resource {uri: $t}) RETURN h0
  UNION MATCH (h0:Case)-[:ILLUSTRATES]->(:Rule)-[:ABOUT_TOPIC]->(:Resource {uri: $t}) RETURN h0 }""",
}
_CYPHER_CARDS = """
UNWIND $uris AS u MATCH (n:Resource {uri: u})
RETURN n.uri AS uri, labels(n) AS labels, properties(n) AS props"""
_CYPHER_OUT = """
UNWIND $uris AS u MATCH (n:Resource {uri: u})-[r]->(o:Resource)
WHERE $types IS NULL OR type(r) IN $types RETURN u AS n, type(r) AS t, o.uri AS o"""
_CYPHER_IN = """
UNWIND $uris AS u MATCH (n:Resource {uri: u})<-[r]-(o:Resource)
WHERE $types IS NULL OR type(r) IN $types RETURN u AS n, type(r) AS t, o.uri AS o"""
# (no STARTS WITH here: the planner would seek the uri index for both ends and join, which is
# ~30× slower than one relationship scan; the caller keeps data nodes only)
_CYPHER_EDGES = "MATCH (s:Resource)-[r]->(o:Resource) RETURN s.uri AS s, type(r) AS t, o.uri AS o"
_CYPHER_SEARCH = """
CALL db.index.fulltext.queryNodes($index, $q) YIELD node
RETURN node.uri AS uri, properties(node) AS props"""
_CYPHER_SCAN = """
MATCH (n:Resource)
WITH n, [k IN keys(n) WHERE k IN $keys] AS ks
WHERE any(k IN ks WHERE any(v IN CASE WHEN valueType(n[k]) STARTS WITH 'LIST' THEN n[k] ELSE [n[k]] END
                            WHERE toLower(toString(v)) CONTAINS $w))
RETURN n.uri AS uri, properties(n) AS props"""
FULLTEXT_INDEX = "iprg_text"


def _prop_base(key: str) -> tuple[str, str | None]:
    head, _, tail = key.rpartition("_")
    if head and tail in ("zh", "en"):
        return head, tail
    return key, None


def _neo_props(props: dict[str, Any], bases: Iterable[str] | None = None) -> dict[str, list[Any]]:
    allowed = set(bases) if bases is not None else set(_CARD_PREDICATES)
    out: dict[str, list[Any]] = {}
    for key, value in props.items():
        base, _ = _prop_base(key)
        if base in allowed:
            out[key] = list(value) if isinstance(value, (list, tuple)) else [value]
    return out


class CypherExplorer(_Questions):
    """The questions answered by Cypher on the Neo4j mirror (read transactions only)."""

    backend = "cypher"

    def __init__(self, driver, database: str = "neo4j") -> None:
        self.driver = driver
        self.database = database

    def _run(self, text: str, params: dict[str, Any]) -> list[dict[str, Any]]:
        import neo4j

        clean = {k: (str(v) if isinstance(v, URIRef) else v) for k, v in params.items()}
        records, _, _ = self.driver.execute_query(
            text, clean, database_=self.database, routing_=neo4j.RoutingControl.READ)
        return [dict(r) for r in records]

    def _rows(self, name: str, **params: Any) -> list[dict[str, Any]]:
        if name == "cases":
            params = {k: params.get(k) for k in ("topic", "court", "year", "statute", "measure")}
        return [{k: _py(v) for k, v in row.items()} for row in self._run(_CYPHER[name], params)]

    def _cards(self, iris: Iterable[str]) -> dict[str, _Card]:
        uris = sorted(set(iris))
        if not uris:
            return {}
        out = {}
        for row in self._run(_CYPHER_CARDS, {"uris": uris}):
            types = [lbl for lbl in row["labels"] if lbl != "Resource"]
            out[row["uri"]] = _card_from_props(row["uri"], types, _neo_props(row["props"]))
        return out

    @staticmethod
    def _reach_match(reach: _Reach) -> tuple[str, dict[str, Any], str]:
        """(MATCH clauses ending in ``WITH DISTINCT hN``, parameters, hN). Relationship types are
        the fixed names of :data:`_REL_PREDICATES`; the start IRI and parameters are parameters."""
        if reach.iri is not None:
            text, params = "MATCH (h0:Resource {uri: $h0})", {"h0": reach.iri}
        else:
            text, params = _CYPHER_REACH[reach.start], dict(reach.params)
        text += " WITH DISTINCT h0"
        for i, (direction, types) in enumerate(reach.steps):
            rel = "|".join(types)   # checked against _REL_PREDICATES by _Reach
            a, b = f"h{i}", f"h{i + 1}"
            arrow = f"-[:{rel}]->" if direction == "out" else f"<-[:{rel}]-"
            text += f" MATCH ({a}){arrow}({b}:Resource) WITH DISTINCT {b}"
        return text, params, f"h{len(reach.steps)}"

    def _cards_at(self, reach: _Reach) -> dict[str, _Card]:
        match, params, x = self._reach_match(reach)
        text = f"{match} RETURN {x}.uri AS uri, labels({x}) AS labels, properties({x}) AS props"
        out = {}
        for row in self._run(text, params):
            types = [lbl for lbl in row["labels"] if lbl != "Resource"]
            out[row["uri"]] = _card_from_props(row["uri"], types, _neo_props(row["props"]))
        return out

    def _links_at(self, reach, types, direction):
        match, params, x = self._reach_match(reach)
        arrow = "-[r]->" if direction == "out" else "<-[r]-"
        text = (f"{match} MATCH ({x}){arrow}(o:Resource) WHERE $types IS NULL OR type(r) IN $types "
                f"RETURN {x}.uri AS n, type(r) AS t, o.uri AS o")
        rows = self._run(text, {**params, "types": list(types) if types else None})
        return sorted({(r["n"], r["t"], r["o"]) for r in rows})

    def _links(self, iris, types, direction):
        uris = list(iris)
        if not uris:
            return []
        text = _CYPHER_OUT if direction == "out" else _CYPHER_IN
        rows = self._run(text, {"uris": uris, "types": list(types) if types else None})
        return sorted({(r["n"], r["t"], r["o"]) for r in rows})

    def _edges(self):
        return [(r["s"], r["t"], r["o"]) for r in self._run(_CYPHER_EDGES, {"base": _ID})]

    def _search_candidates(self, terms):
        query = _lucene(terms)
        if query is None:  # only one-character CJK words: the bigram index cannot see them
            keys = [f"{b}{s}" for b in _SEARCH_BASES for s in ("", "_zh", "_en")]
            rows = self._run(_CYPHER_SCAN, {"keys": keys, "w": max(terms, key=len)})
        else:
            rows = self._run(_CYPHER_SEARCH, {"index": FULLTEXT_INDEX, "q": query})
        return {r["uri"]: _card_from_props(r["uri"], (), _neo_props(r["props"], _SEARCH_BASES))
                for r in rows}


# ----------------------------------------------------------------------------- factory


def get_explorer(backend: str = "sparql", store=None, driver=None, database: str | None = None) -> Explorer:
    """An explorer on ``store`` (default: the configured RDF store) for ``sparql``, or on
    ``driver`` (default: Neo4j from ``NEO4J_URI``… or the running ``kg neo4j`` launcher) for
    ``cypher``."""
    if backend == "sparql":
        if store is None:
            from kg.store import GraphStore

            store = GraphStore()
        return SparqlExplorer(store)
    if backend == "cypher":
        settings = config.neo4j_settings()
        if driver is None:
            driver = _default_driver()
        return CypherExplorer(driver, database or settings.database)
    raise ValueError(f"unknown explorer backend {backend!r}; choose 'sparql' or 'cypher'")


def _default_driver():
    from neo4j import GraphDatabase

    settings = config.neo4j_settings()
    if settings.configured:
        return GraphDatabase.driver(settings.uri, auth=(settings.user, settings.password or ""))
    from kg import neo4j_server

    info = neo4j_server.cli_state()
    if info is None:
        raise ConsoleError("no Neo4j configured: set NEO4J_URI (and NEO4J_USER/NEO4J_PASSWORD) "
                           "or start the bundled server with `kg neo4j start`")
    return GraphDatabase.driver(info.uri, auth=(info.user, info.password))


# ----------------------------------------------------------------------------- consoles

_SPARQL_UPDATE_WORDS = ("INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH")
_CYPHER_WRITE_WORDS = ("CREATE", "MERGE", "SET", "DELETE", "DETACH", "REMOVE", "DROP", "FOREACH",
                       "GRANT", "REVOKE", "DENY", "ALTER", "RENAME", "START", "STOP", "TERMINATE",
                       "ENABLE", "DEALLOCATE", "REALLOCATE", "USE")
#: Procedures the Cypher console may CALL (all read-only); everything else is refused.
_CYPHER_READ_PROCEDURES = frozenset({
    "db.labels", "db.relationshiptypes", "db.propertykeys", "db.schema.visualization",
    "db.schema.nodetypeproperties", "db.schema.reltypeproperties", "db.index.fulltext.querynodes",
    "db.index.fulltext.queryrelationships", "db.info", "dbms.components",
})


def _strip(text: str, lang: str) -> str:
    """The query with comments, string literals (and, for SPARQL, IRIs; for Cypher, backquoted
    names) blanked out, so that a keyword inside them is not mistaken for a clause."""
    out, i, n = [], 0, len(text)
    quotes = ("'", '"', "`") if lang == "cypher" else ("'", '"')
    while i < n:
        ch = text[i]
        if lang == "cypher" and text.startswith("//", i) or lang == "sparql" and ch == "#":
            j = text.find("\n", i)
            i = n if j < 0 else j
            out.append(" ")
        elif lang == "cypher" and text.startswith("/*", i):
            j = text.find("*/", i + 2)
            i = n if j < 0 else j + 2
            out.append(" ")
        elif lang == "sparql" and ch == "<" and re.match(r"<[^<>\"{}|^`\\\s]*>", text[i:]):
            j = text.index(">", i)
            out.append("<>")
            i = j + 1
        elif ch in quotes:
            long = lang == "sparql" and text.startswith(ch * 3, i)
            end = ch * 3 if long else ch
            j = i + len(end)
            while j < n and not text.startswith(end, j):
                j += 2 if text[j] == "\\" else 1
            i = j + len(end)
            out.append(" '' ")
        else:
            out.append(ch)
            i += 1
    return "".join(out)


def _sparql_keywords(text: str) -> list[str]:
    bare = _strip(text, "sparql")
    return [w.upper() for w in re.findall(r"(?<![?$:\w])[A-Za-z_]+(?![\w:])", bare)]


def sparql_update_keyword(text: str) -> str | None:
    """The first SPARQL Update keyword outside comments, strings and IRIs, or None.

    One detector for every read-only door (the consoles here, ``/sparql`` in kg.api).
    """
    return next((w for w in _sparql_keywords(text) if w in _SPARQL_UPDATE_WORDS and w != "WITH"), None)


def check_sparql(text: str) -> None:
    """Refuse anything but a SELECT/ASK/CONSTRUCT/DESCRIBE query (SPARQL Update is refused)."""
    word = sparql_update_keyword(text)
    if word is not None:
        raise ConsoleError(f"the SPARQL console is read-only: {word} (SPARQL Update) is not allowed")
    upper = _sparql_keywords(text)
    forms = [w for w in upper if w in ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")]
    if not forms:
        raise ConsoleError("the SPARQL console runs queries only: write SELECT, ASK, CONSTRUCT or DESCRIBE")


def check_cypher(text: str) -> None:
    """Refuse write clauses, admin commands and procedures that are not known to be read-only."""
    bare = _strip(text, "cypher")
    upper = bare.upper()
    for w in _CYPHER_WRITE_WORDS:
        if re.search(rf"(?<![\w$.]){w}(?![\w])", upper):
            raise ConsoleError(f"the Cypher console is read-only: {w} is not allowed")
    if re.search(r"\bLOAD\s+CSV\b", upper):
        raise ConsoleError("the Cypher console is read-only: LOAD CSV is not allowed")
    if re.search(r"\bIN\s+(?:\d+\s+)?(?:CONCURRENT\s+)?TRANSACTIONS\b", upper):
        raise ConsoleError("the Cypher console is read-only: CALL { … } IN TRANSACTIONS is not allowed")
    for m in re.finditer(r"\bCALL\s*(?!\s*[{(])([A-Za-z_][\w.]*)", bare, flags=re.IGNORECASE):
        name = m.group(1).lower()
        if name not in _CYPHER_READ_PROCEDURES:
            raise ConsoleError(f"the Cypher console may not call the procedure {m.group(1)}: only "
                               f"{', '.join(sorted(_CYPHER_READ_PROCEDURES))} are allowed")


def _json_sparql(term: Any) -> Any:
    from kg.store import from_ox

    if term is None:
        return None
    value = from_ox(term)
    if isinstance(value, URIRef):
        return str(value)
    if isinstance(value, Literal):
        return _py(value)
    return "_:" + str(value)


def _json_cypher(value: Any) -> Any:
    import neo4j.graph as g

    if isinstance(value, g.Node):
        props = dict(value)
        return {"uri": props.get("uri"), "labels": sorted(value.labels),
                "label_zh": _first(props.get("label_zh") or props.get("prefLabel_zh") or props.get("title_zh")),
                "label_en": _first(props.get("label_en") or props.get("prefLabel_en") or props.get("title_en"))}
    if isinstance(value, g.Relationship):
        return {"type": value.type,
                "start": dict(value.start_node).get("uri") if value.start_node else None,
                "end": dict(value.end_node).get("uri") if value.end_node else None,
                "properties": {k: _json_cypher(v) for k, v in dict(value).items()}}
    if isinstance(value, g.Path):
        return {"nodes": [_json_cypher(n) for n in value.nodes],
                "relationships": [_json_cypher(r) for r in value.relationships]}
    if isinstance(value, (list, tuple)):
        return [_json_cypher(v) for v in value]
    if isinstance(value, dict):
        return {k: _json_cypher(v) for k, v in value.items()}
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return _py(value) if not hasattr(value, "iso_format") else value.iso_format()


def _first(value: Any) -> Any:
    return value[0] if isinstance(value, list) and value else value


def _with_deadline(fn, timeout_s: float):
    """Run ``fn`` in a worker thread; give up waiting at the deadline (the worker is abandoned,
    it stops at its next row check)."""
    box: dict[str, Any] = {}
    stop = threading.Event()

    def work() -> None:
        try:
            box["value"] = fn(stop)
        except BaseException as exc:  # handed to the caller
            box["error"] = exc

    worker = threading.Thread(target=work, name="iprg-console", daemon=True)
    worker.start()
    worker.join(timeout_s)
    if worker.is_alive():
        stop.set()
        raise ConsoleError(f"the query ran longer than the {timeout_s:g} s time limit and was stopped")
    if "error" in box:
        raise box["error"]
    return box["value"]


def _sparql_console(store, text: str, limit: int, timeout_s: float) -> ConsoleResult:
    import pyoxigraph as ox

    started = time.perf_counter()

    def work(stop: threading.Event) -> ConsoleResult:
        try:
            result = store.query(text)
        except (SyntaxError, ValueError, OSError) as exc:
            raise ConsoleError(f"SPARQL error: {exc}") from exc
        if isinstance(result, (bool, ox.QueryBoolean)):
            return ConsoleResult(("ask",), ((bool(result),),), False, 0.0)
        rows: list[tuple[Any, ...]] = []
        truncated = False
        if isinstance(result, ox.QuerySolutions):
            columns = tuple(v.value for v in result.variables)
            for sol in result:
                if stop.is_set():
                    break
                if len(rows) >= limit:
                    truncated = True
                    break
                rows.append(tuple(_json_sparql(sol[c]) for c in columns))
        else:
            columns = ("subject", "predicate", "object")
            for triple in result:
                if stop.is_set():
                    break
                if len(rows) >= limit:
                    truncated = True
                    break
                rows.append((_json_sparql(triple.subject), _json_sparql(triple.predicate),
                             _json_sparql(triple.object)))
        return ConsoleResult(columns, tuple(rows), truncated, 0.0)

    res = _with_deadline(work, timeout_s)
    return ConsoleResult(res.columns, res.rows, res.truncated, round((time.perf_counter() - started) * 1000, 3))


def _cypher_console(driver, text: str, limit: int, timeout_s: float, database: str,
                    check: bool = True) -> ConsoleResult:
    """Run ``text`` in a READ transaction with a server-side timeout. ``check=False`` skips the
    text check (tests use it to prove the READ mode alone refuses writes)."""
    import neo4j
    from neo4j.exceptions import ClientError, Neo4jError

    if check:
        check_cypher(text)
    started = time.perf_counter()

    @neo4j.unit_of_work(timeout=timeout_s)
    def work(tx, stop: threading.Event) -> ConsoleResult:
        result = tx.run(text)
        columns = tuple(result.keys())
        rows: list[tuple[Any, ...]] = []
        truncated = False
        for record in result:
            if stop.is_set():
                break
            if len(rows) >= limit:
                truncated = True
                break
            rows.append(tuple(_json_cypher(record[c]) for c in columns))
        return ConsoleResult(columns, tuple(rows), truncated, 0.0)

    def run(stop: threading.Event) -> ConsoleResult:
        with driver.session(database=database, default_access_mode=neo4j.READ_ACCESS) as session:
            try:
                return session.execute_read(work, stop)
            except ClientError as exc:
                code = exc.code or ""
                if "AccessMode" in code or "Forbidden" in code or "WriteOnReadOnlyAccessDbException" in code:
                    raise ConsoleError(f"the Cypher console is read-only; the server refused a write: {exc.message}") from exc
                if "TransactionTimedOut" in code or "Terminated" in code:
                    raise ConsoleError(f"the query ran longer than the {timeout_s:g} s time limit: {exc.message}") from exc
                raise ConsoleError(f"Cypher error: {exc.message}") from exc
            except Neo4jError as exc:
                raise ConsoleError(f"Cypher error: {exc.message}") from exc

    res = _with_deadline(run, timeout_s + 1.0)
    return ConsoleResult(res.columns, res.rows, res.truncated, round((time.perf_counter() - started) * 1000, 3))


def run_console(
    lang: str,
    text: str,
    store=None,
    driver=None,
    limit: int = 1000,
    timeout_s: float = 10,
    database: str | None = None,
) -> ConsoleResult:
    """Run a read-only SPARQL or Cypher query typed by a user (row- and time-limited).

    SPARQL: only query forms (Oxigraph's ``query`` refuses updates as well). Cypher: write
    clauses, admin commands and unknown procedures are refused from the text (comments and
    strings stripped first), and the query runs in a READ transaction with a server timeout, so a
    write that slips past the text check is refused by the server.
    """
    if not text or not text.strip():
        raise ConsoleError("the query is empty")
    if limit <= 0:
        raise ConsoleError("the row limit must be positive")
    if lang == "sparql":
        check_sparql(text)
        if store is None:
            from kg.store import GraphStore

            store = GraphStore()
        return _sparql_console(store, text, limit, timeout_s)
    if lang == "cypher":
        own = driver is None
        drv = _default_driver() if own else driver
        try:
            return _cypher_console(drv, text, limit, timeout_s, database or config.neo4j_settings().database)
        finally:
            if own:
                drv.close()
    raise ConsoleError(f"unknown query language {lang!r}; choose 'sparql' or 'cypher'")
