"""The questions users ask of the graph, written once over a handful of backend primitives.

Why here and not in each backend: each backend runs its own queries for the *shape* of an
answer (which measures, which cases, which edges), with every user-supplied value passed as a
binding (SPARQL) or a parameter (Cypher), never concatenated. Node properties are read in the
mirror's property-graph form (``title_zh``, ``number``, lists for multi-valued properties) on
both sides, and this one piece of Python turns rows into dataclasses, orders them and applies
limits, so ordering and truncation cannot drift between backends (the parity tests check every
question).
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from rdflib import URIRef
from rdflib.namespace import DCTERMS, RDFS, SKOS

from kg.errors import BadInput, NotFound, Unavailable
from kg.explorer.adjacency import Adjacency
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
from kg.explorer.search import is_search_key, matches, search_terms
from kg.ns import BASE, ID, OA, SCHEMA, SCHEME_TOPICS, local_name
from kg.ns import iri as mint_iri
from kg.terms import py_value as _py

_ID = str(ID)
_IPRG = BASE
_TOPIC_PREFIX = _ID + "topic/"
_SCHEME_TOPICS = str(SCHEME_TOPICS)
#: Nodes kept out of graph views and graph algorithms: reified mentions, provenance runs and
#: the concept schemes (hubs that would connect everything within two hops).
_HIDDEN_KINDS = ("mention/", "ingestion/", "scheme/", "generation/", "graph/")
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
#: Cases listed inline by measure, article, statute, topic and case answers (with the total;
#: the rest through ``cases(…, offset=…)``). 20: the REST API's default page, and above every
#: such list of the bundled corpus (measure 15 has 19), whose answers therefore did not change.
CASES_PAGE = 20
#: Data derived per generation (kg.explorer.derive): its named graph, the node type and keys.
DERIVED_GRAPH = _ID + "graph/derived"
GENERATION_TYPE = _IPRG + "Generation"
DERIVED_KEYS = ("topicsJson", "matrixJson", "centralityJson", "adjacency")

#: What a node's label is read from, in order (language-tagged), then (Chinese only) these.
_LABEL_BASES = ("label", "prefLabel", "title", "shortTitle", "articleLabel")
_LABEL_FALLBACKS = ("caseNumber", "docNumber", "notation", "exact")
#: Search candidates read per index query (then 4× more each time more are needed).
_SEARCH_BATCH = 64
#: Guards the first read of a generation's adjacency (one read however many threads ask).
_ADJACENCY_LOCK = threading.Lock()
#: Kinds a concept leads search to, as ``searchOrder`` prefixes (the kind's rank, two digits).
_VIA_RANKS = tuple(f"{_SEARCH_KIND_RANK[k]:02d}" for k in ("Measure", "Rule", "Case", "Statute", "Article", "PolicyDocument"))
#: Literal properties a card reads: key (as the mirror names it) → predicate IRI.
_CARD_PREDICATES: dict[str, str] = {
    "label": str(RDFS.label), "prefLabel": str(SKOS.prefLabel), "altLabel": str(SKOS.altLabel),
    # versions, dates and authority (kg.explorer.versions, similar, compare)
    "effective": _IPRG + "effective", "adopted": _IPRG + "adopted", "issued": str(DCTERMS.issued),
    "authorityRank": _IPRG + "authorityRank", "rank": _IPRG + "rank", "stage": _IPRG + "stage",
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
    "exact": str(OA.exact), "position": str(SCHEMA.position),
}
_PRED_KEY = {v: k for k, v in _CARD_PREDICATES.items()}
#: Relationship predicates the questions walk: type name → predicate IRI.
_REL_PREDICATES: dict[str, str] = {
    "HAS_PART": _IPRG + "hasPart", "ABOUT_TOPIC": _IPRG + "aboutTopic", "MENTIONS": _IPRG + "mentions",
    # statute versions, authority and case instances (kg.explorer.versions, similar, compare)
    "CORRESPONDS_TO": _IPRG + "correspondsTo", "PREVIOUS_VERSION": _IPRG + "previousVersion",
    "REPLACES": str(DCTERMS.replaces), "IS_REPLACED_BY": str(DCTERMS.isReplacedBy),
    "AUTHORITY": _IPRG + "authority", "HAS_INSTANCE": _IPRG + "hasInstance", "HOLDING_RULE": _IPRG + "holdingRule",
    "CITES": _IPRG + "cites", "ILLUSTRATES": _IPRG + "illustrates", "COURT": _IPRG + "court",
    "MODALITY": _IPRG + "modality", "ARTICLE_OF": _IPRG + "articleOf", "APPEAL_OF": _IPRG + "appealOf",
    "RELATED_CASE": _IPRG + "relatedCase", "HAS_BODY": str(OA.hasBody), "HAS_TARGET": str(OA.hasTarget),
    "SOURCE_DOCUMENT": _IPRG + "sourceDocument", "CONCEPT": _IPRG + "concept",
}


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
        for base in _LABEL_BASES:
            value = self.text(base, lang)
            if value is not None:
                return value
        if lang == "zh":
            for key in _LABEL_FALLBACKS:
                if self.one(key) is not None:
                    return str(self.one(key))
        return None

    def ref(self) -> NodeRef:
        return NodeRef(self.iri, self.kind, self.label("zh"), self.label("en"))


class NoDerivedData(Unavailable):
    """The store generation (or the Neo4j mirror of it) lacks what kg.explorer.derive computes."""

    def __init__(self, where: str | None) -> None:
        super().__init__(f"the graph ({where or 'no generation'}) has no explorer statistics, built by an older "
                         "version: run `kg ingest` again (and `kg mirror` for Neo4j)")


def _card_from_props(iri: str, types: Iterable[str], props: dict[str, list[Any]]) -> _Card:
    clean = {k: tuple(sorted((_py(v) for v in vs), key=_sortable)) for k, vs in props.items() if vs}
    return _Card(iri, frozenset(types), clean)


def _year(decided: str | None) -> int | None:
    if decided and decided[:4].isdigit():
        return int(decided[:4])
    return None


def _explorable(iri: str) -> bool:
    return iri.startswith(_ID) and not iri[len(_ID):].startswith(_HIDDEN_KINDS)



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
    ``_cards_at(reach)`` / ``_links_at(reach, types, direction)`` that read a whole
    :class:`_Reach` in one query, ``_derived(key)`` (the generation's precomputed answers) and
    ``_case_page(shape, params, offset, limit)`` (a set of cases in listing order, paged on the
    server by the derived ``caseOrder``); this class turns them into dataclasses, orders and
    pages them. Sets that can grow with the case law (a topic's cases, a statute's citing cases) are
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

    def _node_derived(self, iris: Sequence[str], key: str) -> dict[str, str]:
        """Each node's derived value ``key`` (a per-node text of :mod:`kg.explorer.derive`), for
        the nodes among ``iris`` that have one."""
        raise NotImplementedError

    def _derived(self, key: str) -> str:
        """The current generation's derived value ``key`` (one of :data:`DERIVED_KEYS`, JSON)."""
        raise NotImplementedError

    def _case_page(self, shape: str, params: dict[str, Any], offset: int, limit: int) -> tuple[int, list[str]]:
        """(how many cases the named set ``shape`` holds, the IRIs of ``limit`` of them from
        ``offset`` in listing order): shapes ``all``, ``filter`` (the ``cases`` filters),
        ``topic_cases`` (t), ``statute_cases`` (s), ``shares_article`` (case)."""
        raise NotImplementedError

    def _search_candidates(self, terms: Sequence[str]) -> dict[str, _Card]:
        raise NotImplementedError

    def _cards_at(self, reach: _Reach) -> dict[str, _Card]:
        """Cards of every node of ``reach``, in one query."""
        raise NotImplementedError

    def _search_ordered(self, terms: Sequence[str]) -> Iterator[tuple[str, dict[str, list[Any]]]]:
        """(IRI, search properties) of explorable nodes the index finds for ``terms`` (a superset
        of what :func:`matches` accepts), in ``searchOrder``, read lazily in batches."""
        raise NotImplementedError

    def _search_via(self, concepts: Sequence[str], exclude: Sequence[str], k: int) -> list[tuple[str, list[str]]]:
        """The first ``k`` nodes (not in ``exclude``) that mention, are about or are targets of
        a mention of the ``concepts``, with those concepts: explorable measures, rules, cases,
        articles, statutes and policy documents, ordered by kind, then most concepts, then
        ``searchOrder``."""
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

    def _case_summaries(self, iris: Iterable[str]) -> tuple[CaseSummary, ...]:
        """Cases newest first; within a year the highest court first; then by full date."""
        return tuple(s for s, _ in sorted(self._case_items(iris), key=_case_order))

    def _case_items(self, iris: Iterable[str]) -> list[tuple[CaseSummary, int]]:
        """Unordered (summary, best court rank) pairs of the cases among ``iris``, from the
        summaries derived per generation (:func:`case_item`): one read for a page of cases,
        where cards, court links and court cards took three (and ~0.25 ms per case card from
        Oxigraph). Other nodes have no summary and are left out."""
        wanted = sorted(set(iris))
        texts = self._node_derived(wanted, "caseSummary")
        missing = [i for i in wanted if i not in texts]
        if missing and any(c.kind == "Case" for c in self._cards(missing).values()):
            # a generation derived before summaries were (or a mirror of one): say so, never
            # list its cases as if there were none
            raise NoDerivedData(f"{self.backend}: no case summaries")
        return [case_item_from_json(i, text) for i, text in sorted(texts.items())]

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
        if topic.startswith(("http://", "https://")):
            return topic
        try:
            return str(mint_iri("topic", topic))
        except ValueError as exc:   # no IRI can be made from it, so no such topic
            raise NotFound(f"no topic {topic!r} in the topic scheme ({exc})") from exc

    # -- the questions -------------------------------------------------------------------------
    def topics(self) -> tuple[TopicSummary, ...]:
        # counted once per generation (kg.explorer.derive), in the topic scheme's own order
        return tuple(TopicSummary(**t) for t in json.loads(self._derived("topicsJson")))

    def overview(self) -> Overview:
        """The policy documents in the graph (newest first) and counts of measures, cases, statutes."""
        cards = self._cards_at(_via("policy_documents"))
        docs = [DocumentSummary(c.iri, c.label("zh"), c.label("en"), c.one("docNumber"),
                                None if c.one("issued") is None else str(c.one("issued")))
                for c in cards.values() if c.kind == "PolicyDocument"]
        docs.sort(key=lambda d: (-_date_key(d.issued), d.iri))
        counts = (self._rows("counts") or [{}])[0]
        return Overview(tuple(docs), int(counts.get("nm") or 0), int(counts.get("nc") or 0),
                        int(counts.get("ns") or 0))

    def _topic_summary(self, topic_iri: str) -> TopicSummary:
        for t in self.topics():
            if t.iri == topic_iri:
                return t
        raise NotFound(f"no topic {topic_iri} in the topic scheme")

    def rules_by_topic(self, topic_id: str) -> TopicRules:
        t = self._topic_iri(topic_id)
        summary = self._topic_summary(t)
        total, cases = self._first_cases("topic_cases", {"t": URIRef(t)})
        return TopicRules(summary, self._rule_items(_via("topic_rules", t=URIRef(t))),
                          self._measure_refs(_via("topic_measures", t=URIRef(t))), cases, total)

    def _first_cases(self, shape: str, params: dict[str, Any]) -> tuple[int, tuple[CaseSummary, ...]]:
        """(total, the first :data:`CASES_PAGE` cases in listing order) of a case set."""
        total, page = self._case_page(shape, params, 0, CASES_PAGE)
        return total, self._case_summaries(page)

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
        topics = holders.out("ABOUT_TOPIC")
        # the cases illustrating it or one of its rules: the ``measure`` filter of ``cases``
        total, cases = self._first_cases("filter", {"measure": URIRef(m)})
        return MeasureDetail(
            iri=m, number=card.one("number"), title_zh=card.text("title", "zh"),
            title_en=card.text("title", "en"), text_zh=card.text("text", "zh"),
            section=section.ref() if section else None, source=doc.ref() if doc else None,
            doc_number=doc.one("docNumber") if doc else None,
            rules=self._rule_items(_at(m).out("HAS_PART"), set(rules)), mentions=mentions, citations=self._citations(cited),
            cases=cases, topics=self._refs(topics), cases_total=total,
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
        cited_cards = self._cards(by.get("CITES", []))
        articles = {c.iri for c in cited_cards.values() if c.kind == "Article"}
        # the cases citing one of its articles can be thousands: the first page, and the total
        shares_total, page = self._case_page("shares_article", {"case": URIRef(iri_)}, 0, CASES_PAGE)
        shared: dict[str, set[str]] = {}
        for other, _, a in self._out(page, "CITES"):
            if a in articles:
                shared.setdefault(other, set()).add(a)
        items = self._case_items(set(page) | {k for k, _ in relations})
        summaries = {s.iri: s for s, _ in sorted(items, key=_case_order)}
        for other in page:
            relations[(other, "sharesArticle")] = tuple(sorted(shared.get(other, ())))
        order = {iri2: i for i, iri2 in enumerate(summaries)}
        related = tuple(
            RelatedCase(summaries[o], rel, via)
            for (o, rel), via in sorted(relations.items(),
                                         key=lambda kv: (_RELATION_RANK[kv[0][1]], order.get(kv[0][0], 0)))
            if o in summaries
        )
        related_total = sum(1 for r in related if r.relation != "sharesArticle") + shares_total
        return CaseDetail(
            summary=summary, cause=card.text("cause", "zh"),
            plaintiffs=card.all("plaintiff_zh"), defendants=card.all("defendant_zh"),
            holding_zh=card.text("holding", "zh"), holding_en=card.text("holding", "en"),
            honours=card.all("honour_zh"), sources=card.all("source"),
            citations=self._citations(by.get("CITES", [])),
            measures=self._measure_refs(measure_iris), rules=self._rule_items(rule_iris),
            topics=self._refs(by.get("ABOUT_TOPIC", [])), related=related, related_total=related_total,
        )

    def _law(self, iri_: str, kind: str) -> LawDetail:
        card = self._card(iri_)
        if card.kind != kind:
            raise NotFound(f"{iri_} is a {card.kind}, not an {kind.lower()}")
        if kind == "Article":
            statute_cards = self._cards_at(_at(iri_).out("ARTICLE_OF"))
            statute_iris = sorted(statute_cards)
            statute = self._refs(statute_iris)[0] if statute_iris else None
            articles: tuple[NodeRef, ...] = ()
            scard = statute_cards.get(statute.iri) if statute else None
            citers, cases_shape, param = _via("policy_citers", law=URIRef(iri_)), "citing_cases", "law"
        else:
            statute, scard = card.ref(), card
            art_cards = self._cards_at(_via("statute_parts", s=URIRef(iri_)))
            articles = tuple(c.ref() for c in sorted(
                (c for c in art_cards.values() if c.kind == "Article"),
                key=lambda c: (_article_key(c.one("articleNumber")), c.iri)))
            # what cites the statute or one of its articles
            citers, cases_shape, param = _via("statute_policy_citers", s=URIRef(iri_)), "statute_cases", "s"
        # measures and rules (the policy side, small) in full; cases (thousands) as a first page
        citing = self._cards_of(citers)
        total, cases = self._first_cases(cases_shape, {param: URIRef(iri_)})
        return LawDetail(
            iri=iri_, kind=kind, label_zh=card.label("zh"), label_en=card.label("en"),
            gist_zh=card.text("gist", "zh"), gist_en=card.text("gist", "en"),
            article_number=card.one("articleNumber"), statute=statute,
            statute_kind=scard.one("statuteKind") if scard else None,
            status=scard.one("status") if scard else None, articles=articles,
            measures=self._measure_refs_of(citing),
            rules=self._rule_items(citers, {c.iri for c in citing.values() if c.kind == "Rule"}, citing),
            cases=cases, cases_total=total,
        )

    def article(self, iri_: str) -> LawDetail:
        return self._law(iri_, "Article")

    def statute(self, iri_: str) -> LawDetail:
        return self._law(iri_, "Statute")

    def cases(self, topic: str | None = None, court: str | None = None, year: int | None = None,
              statute: str | None = None, measure: int | str | None = None, offset: int = 0,
              limit: int = 20) -> Page:
        if offset < 0 or limit < 0:
            raise BadInput("offset and limit must not be negative")
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
        # the server orders the matches by the derived caseOrder and hands back one page
        total, page = self._case_page("filter" if params else "all", params, offset, limit)
        return Page(total, offset, limit, self._case_summaries(page))

    def search(self, q: str, limit: int = 20) -> tuple[SearchHit, ...]:
        """Direct hits first (in the derived ``searchOrder``: kind, number, Chinese label, IRI),
        then nodes reached through a matched concept. Candidates come from the backend's index
        already in that order, so only about ``limit`` of them are read, however many match."""
        terms = search_terms(q or "")
        if not terms or limit <= 0:
            return ()
        direct: list[tuple[str, tuple[str, ...]]] = []
        for iri_, props in self._search_ordered(terms):
            fields = tuple(sorted(k for k, vs in props.items() if is_search_key(k)
                                  and any(matches(str(v), terms) for v in vs)))
            if fields:
                direct.append((iri_, fields))
                if len(direct) >= limit:
                    break
        cards = self._cards(i for i, _ in direct)
        hits = [SearchHit(i, cards[i].kind, cards[i].label("zh"), cards[i].label("en"), f)
                for i, f in direct if i in cards]
        concepts = [i for i, _ in direct if i in cards and cards[i].kind in ("Concept", "Topic")]
        if len(direct) < limit and concepts:
            refs = {r.iri: r for r in self._refs(concepts)}
            via = self._search_via(concepts, [i for i, _ in direct], limit - len(hits))
            hop = self._cards(x for x, _ in via)
            hits += [SearchHit(x, hop[x].kind, hop[x].label("zh"), hop[x].label("en"), (),
                               tuple(refs[c] for c in sorted(cs) if c in refs)) for x, cs in via if x in hop]
        return tuple(hits[:limit])

    def _adjacency_key(self) -> str | None:
        """The name of the generation whose :meth:`_adjacency` is current (cheap to read)."""
        raise NotImplementedError

    def _adjacency(self) -> Adjacency:
        """The current generation's explorable edges as arrays: read and decoded once per
        generation (~1 MB of text per 100× the corpus), then shared by every answer."""
        key = self._adjacency_key()
        held = getattr(self, "_held_adjacency", None)
        if held is not None and held[0] == key:
            return held[1]
        with _ADJACENCY_LOCK:
            held = getattr(self, "_held_adjacency", None)
            if held is None or held[0] != key:
                held = (key, Adjacency.from_text(self._derived("adjacency")))
                self._held_adjacency = held
        return held[1]

    def _graph_nodes(self, iris: Sequence[str]) -> dict[str, tuple[str, str | None, str | None]]:
        """(kind, Chinese label, English label) of nodes that have a card, for graph views."""
        return {i: (c.kind, c.label("zh"), c.label("en")) for i, c in self._cards(iris).items()}

    def _subgraph(self, nodes: Sequence[str], edges: Iterable[tuple[str, str, str]], truncated: bool) -> SubGraph:
        info = self._graph_nodes(nodes)
        keep = set(nodes)
        gnodes = tuple(GraphNode(n, info[n][1] or info[n][2], info[n][0], info[n][2]) for n in nodes if n in info)
        gedges = tuple(GraphEdge(s, t, o) for s, t, o in sorted(set(edges)) if s in keep and o in keep)
        return SubGraph(gnodes, gedges, truncated)

    def neighbourhood(self, iri_: str, depth: int = 1, limit: int = 200) -> SubGraph:
        """The nodes within ``depth`` hops, each level the first by IRI that fit in ``limit``,
        and the edges between them that touch a node of an earlier level.

        Bounded by ``limit``, not by the hubs met: each node hands over only its first
        (room + seen + 1) neighbours by IRI, enough to pick the level's first ``room`` exactly and
        to know whether more were left out. Reading every neighbour of a case's topics and
        measures at depth 2 read ~8,000 edges at 100× and ten times that at 1000×."""
        if not 1 <= depth <= 3:
            raise BadInput("depth must be 1, 2 or 3")
        self._card(iri_)
        adj = self._adjacency()
        seen = [iri_]
        seen_set = {iri_}
        expanded: list[str] = []
        frontier = [iri_]
        truncated = False
        for _ in range(depth):
            expanded += frontier
            room = max(0, limit - len(seen))
            level: set[str] = set()
            for node in frontier:
                level.update(n for n in adj.first_neighbours(node, room + len(seen) + 1) if n not in seen_set)
            new = sorted(level)
            if len(new) > room:
                new, truncated = new[:room], True
            seen += new
            seen_set.update(new)
            frontier = new
            if not frontier:
                break
        return self._subgraph(seen, adj.edges_between(expanded, seen), truncated)

    def shortest_path(self, a: str, b: str, max_depth: int = 6) -> SubGraph | None:
        """A shortest undirected path of explorable edges; among equals, the one whose IRIs sort
        first: walking back from ``b``, each node's predecessor is the least (node, edge) one step
        nearer ``a`` (:meth:`kg.explorer.adjacency.Adjacency.shortest_path`).

        Walked on the generation's adjacency arrays: at 1000× the corpus, case → article meets
        ~45,000 edges of the case's topics, court and measures; as rows handed over by SQLite or
        Neo4j that took 0.3–0.8 s, as arrays about a millisecond."""
        self._card(a)
        self._card(b)
        if a == b:
            return self._subgraph([a], [], False)
        found = self._adjacency().shortest_path(a, b, max_depth)
        if found is None:
            return None
        path, edges = found
        sub = self._subgraph(path, edges, False)
        return SubGraph(sub.nodes, tuple(GraphEdge(*e) for e in edges), False)

    def topic_measure_matrix(self) -> Matrix:
        # counted once per generation (kg.explorer.derive)
        d = json.loads(self._derived("matrixJson"))
        return Matrix(tuple(TopicSummary(**t) for t in d["topics"]), tuple(MeasureRef(**m) for m in d["measures"]),
                      tuple(MatrixCell(**c) for c in d["cells"]))

    def centrality(self, limit: int = 50) -> tuple[CentralityRow, ...]:
        """Degree and PageRank, computed once per generation (kg.explorer.derive) for the first
        ``kg.explorer.derive.CENTRALITY_ROWS`` nodes by degree (``limit`` beyond that gets those)."""
        return tuple(CentralityRow(**row) for position, row in json.loads(self._derived("centralityJson"))
                     if position < limit)


def case_item(card: _Card, courts: Iterable[_Card]) -> tuple[CaseSummary, int]:
    """A case as listed, and the rank of its highest court (what listings sort by): computed
    once per generation by :mod:`kg.explorer.derive` from the case's and its courts' cards."""
    refs = sorted(courts, key=lambda c: (_COURT_RANK.get(c.one("courtLevel"), 9), c.iri))
    return CaseSummary(
        iri=card.iri,
        label_zh=card.label("zh"),
        label_en=card.label("en"),
        case_numbers=card.all("caseNumber"),
        case_numbers_unverified=card.all("caseNumberUnverified"),
        courts=tuple(c.ref() for c in refs),
        decided=card.one("decided"),
        verified=card.one("verified"),
        outcome_zh=card.text("outcome", "zh"),
        outcome_en=card.text("outcome", "en"),
    ), min((_COURT_RANK.get(c.one("courtLevel"), 9) for c in refs), default=9)


def case_item_json(item: tuple[CaseSummary, int]) -> str:
    summary, rank = item
    d = {k: v for k, v in asdict(summary).items() if k != "iri"}
    return json.dumps({**d, "rank": rank}, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def case_item_from_json(iri_: str, text: str) -> tuple[CaseSummary, int]:
    d = json.loads(text)
    rank = d.pop("rank")
    return CaseSummary(iri=iri_, **{**d, "case_numbers": tuple(d["case_numbers"]),
                                     "case_numbers_unverified": tuple(d["case_numbers_unverified"]),
                                     "courts": tuple(NodeRef(**c) for c in d["courts"])}), rank


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
