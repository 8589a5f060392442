"""The explorer's answers: frozen dataclasses, equal field by field on both backends.

INTERFACE FROZEN (issue 6 part 1): these are the contract :mod:`kg.web` (REST API and UI) and
programmatic users build on; the REST API's OpenAPI schemas are generated from them, and the UI
views are typed with them.
"""

from __future__ import annotations

from dataclasses import dataclass

from kg.errors import NotFound

__all__ = [
    "NodeRef", "MeasureRef", "TopicSummary", "RuleItem", "CaseSummary", "Citation",
    "MentionItem", "TopicRules", "MeasureDetail", "RelatedCase", "CaseDetail", "LawDetail",
    "Page", "SearchHit", "GraphNode", "GraphEdge", "SubGraph", "MatrixCell", "Matrix",
    "CentralityRow", "DocumentSummary", "Overview", "NotFound",
]



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
    cases: tuple[CaseSummary, ...]    # the first page (kg.explorer.questions.CASES_PAGE)
    cases_total: int = 0              # all of them: the rest through cases(…, offset=…)


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
    cases: tuple[CaseSummary, ...]     # the first page (CASES_PAGE), newest and highest court first
    topics: tuple[NodeRef, ...]
    cases_total: int = 0               # all of them: the rest through cases(measure=…, offset=…)


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
    related: tuple[RelatedCase, ...]   # every appeal/related case; the first page of sharesArticle
    related_total: int = 0             # related entries in all (every sharesArticle counted)


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
    cases: tuple[CaseSummary, ...]     # the first page (CASES_PAGE), newest and highest court first
    cases_total: int = 0               # all of them: the rest through cases(statute=…, offset=…)


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
class DocumentSummary:
    """A policy document held in the graph (what the UI header and the API description name)."""

    iri: str
    label_zh: str | None
    label_en: str | None
    doc_number: str | None    # its 文号
    issued: str | None        # ISO date


@dataclass(frozen=True)
class Overview:
    """What the graph holds: its policy documents (newest first) and how many of each kind."""

    documents: tuple[DocumentSummary, ...]
    measures: int
    cases: int
    statutes: int
