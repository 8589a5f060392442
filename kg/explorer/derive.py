"""What the explorer precomputes once per store generation, as plain RDF both backends read.

Why: every answer is a pure function of (generation, question), and some of them are global —
topic counts, the topic × measure matrix, centrality — or need a global order (cases newest and
highest court first). Computed per question they grew with the case law (at 100× the corpus:
centrality 1.2 s on SPARQL and 2.1 s on Cypher, the matrix ~1 s on both; sorting a topic's cases
in Oxigraph ~20 µs per case). They are computed here ONCE, by one pure function of the graph's
triples, when ``GraphStore.replace`` builds a generation, and written into the generation's
named graph :data:`DERIVED_GRAPH`:

* one ``iprg:Generation`` node (``…/id/generation/<name>``) carrying the global answers as JSON
  text (``iprg:topicsJson``, ``iprg:matrixJson``, ``iprg:centralityJson``) and the node and
  relationship counts the Neo4j mirror of this generation must have;
* on every case, ``iprg:caseOrder``: an integer whose order is exactly the listing order, and
  ``iprg:caseSummary``: the case as listings show it (JSON), so a page of cases is one read;
* ``iprg:adjacency`` on the generation node: the explorable edges as integer arrays
  (:mod:`kg.explorer.adjacency`), which graph views walk instead of the hubs' rows.

The mirror projects every quad of the store, so Neo4j carries the same values as properties
(``topicsJson`` on a ``:Generation`` node, ``caseOrder`` on ``:Case`` nodes): the two backends
read the same numbers, parity by construction. The default graph keeps only source facts
(exports, SHACL and ``/sparql`` see no derived data).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np
import pyoxigraph as ox
from rdflib import Literal, URIRef
from rdflib.namespace import RDF, SKOS, XSD

from kg.explorer.adjacency import Adjacency
from kg.explorer.models import CentralityRow, Matrix, MatrixCell, MeasureRef, TopicSummary
from kg.explorer.questions import (
    _COURT_RANK,
    _HIDDEN_TYPES,
    _ID,
    _IPRG,
    _PRED_KEY,
    _SCHEME_TOPICS,
    _SEARCH_KIND_RANK,
    GENERATION_TYPE,
    _Card,
    _card_from_props,
    _case_key,
    _explorable,
    _year,
    case_item,
    case_item_json,
)
from kg.explorer.questions import (
    DERIVED_GRAPH as _DERIVED_GRAPH,
)
from kg.explorer.search import index_tokens, is_search_key
from kg.ns import OA, local_name
from kg.pg import relationship_types

#: The named graph of derived data (one per generation, replaced with it).
DERIVED_GRAPH = URIRef(_DERIVED_GRAPH)
GENERATION = URIRef(GENERATION_TYPE)
P_GENERATION = URIRef(_IPRG + "generation")
P_TOPICS = URIRef(_IPRG + "topicsJson")
P_MATRIX = URIRef(_IPRG + "matrixJson")
P_CENTRALITY = URIRef(_IPRG + "centralityJson")
P_NODES = URIRef(_IPRG + "expectedNodes")
P_RELATIONSHIPS = URIRef(_IPRG + "expectedRelationships")
P_CASE_ORDER = URIRef(_IPRG + "caseOrder")
P_SEARCH_ORDER = URIRef(_IPRG + "searchOrder")
P_ADJACENCY = URIRef(_IPRG + "adjacency")
P_CASE_SUMMARY = URIRef(_IPRG + "caseSummary")
OA_BODY, OA_TARGET = str(OA.hasBody), str(OA.hasTarget)
#: Bumped when what is derived changes: a generation derived by another version is rebuilt.
VERSION = 2
P_VERSION = URIRef(_IPRG + "derivedVersion")
#: Centrality rows kept (the REST API's largest ``limit``); ``centrality(limit)`` reads a prefix.
CENTRALITY_ROWS = 1000

_RDF_TYPE = str(RDF.type)
_IN_SCHEME = str(SKOS.inScheme)
_R = {name: _IPRG + local for name, local in (
    ("about", "aboutTopic"), ("part", "hasPart"), ("illustrates", "illustrates"), ("court", "court"),
    ("cites", "cites"), ("article_of", "articleOf"))}


def stored_version(store) -> int | None:
    """The :data:`VERSION` the store's current generation was derived with (None: not derived)."""
    found = store.ox().quads_for_pattern(None, ox.NamedNode(str(P_VERSION)), None, ox.NamedNode(str(DERIVED_GRAPH)))
    versions = {int(q.object.value) for q in found}
    return max(versions) if versions else None


def generation_iri(generation: str) -> URIRef:
    return URIRef(f"{_ID}generation/{generation}")


class _Graph:
    """The triples in the shapes derivation needs: cards, and IRI edges by predicate."""

    def __init__(self, triples: Iterable[tuple]) -> None:
        types: dict[str, list[str]] = {}
        props: dict[str, dict[str, list[Any]]] = {}
        self.out: dict[str, dict[str, list[str]]] = {}     # predicate → subject → objects
        self.nodes: set[str] = set()
        self.relationships = 0
        seen: set[tuple[str, str, str]] = set()
        for s, p, o in triples:
            s_, p_ = str(s), str(p)
            self.nodes.add(s_)
            if p_ == _RDF_TYPE:
                types.setdefault(s_, []).append(local_name(str(o)))
            elif isinstance(o, Literal):
                base = _PRED_KEY.get(p_)
                if base is None:
                    continue
                if o.language:
                    if o.language not in ("zh", "en"):
                        continue
                    key = f"{base}_{o.language}"
                else:
                    key = base
                props.setdefault(s_, {}).setdefault(key, []).append(o)
            elif isinstance(o, URIRef):
                o_ = str(o)
                if (s_, p_, o_) in seen:
                    continue
                seen.add((s_, p_, o_))
                self.nodes.add(o_)
                self.relationships += 1
                self.out.setdefault(p_, {}).setdefault(s_, []).append(o_)
        self.cards: dict[str, _Card] = {
            i: _card_from_props(i, types.get(i, ()), props.get(i, {}))
            for i in set(types) | set(props) if types.get(i) or props.get(i)}

    def objects(self, predicate: str, subject: str) -> list[str]:
        return self.out.get(predicate, {}).get(subject, [])

    def pairs(self, predicate: str) -> Iterator[tuple[str, str]]:
        for s, objects in self.out.get(predicate, {}).items():
            for o in objects:
                yield s, o

    def kind(self, iri: str) -> str | None:
        card = self.cards.get(iri)
        return card.kind if card else None


# ----------------------------------------------------------------------------- the answers

def _topics(g: _Graph) -> tuple[TopicSummary, ...]:
    """As ``topics()`` asked it of the store: measures about the topic directly or through one of
    their rules, rules about it, cases about it."""
    topics = sorted({s for s, o in g.pairs(_IN_SCHEME) if o == _SCHEME_TOPICS})
    measures: dict[str, set[str]] = {t: set() for t in topics}
    rules: dict[str, set[str]] = {t: set() for t in topics}
    cases: dict[str, set[str]] = {t: set() for t in topics}
    rule_topics: dict[str, list[str]] = {}
    for x, t in g.pairs(_R["about"]):
        if t not in measures:
            continue
        kind = g.kind(x)
        if kind == "Measure":
            measures[t].add(x)
        elif kind == "Rule":
            rules[t].add(x)
            rule_topics.setdefault(x, []).append(t)
        elif kind == "Case":
            cases[t].add(x)
    for m, r in g.pairs(_R["part"]):
        if g.kind(m) == "Measure":
            for t in rule_topics.get(r, ()):
                measures[t].add(m)
    out = []
    for t in topics:
        c = g.cards.get(t) or _card_from_props(t, (), {})
        position = c.one("position")
        out.append(((position if isinstance(position, int) else 10**9), TopicSummary(
            id=c.one("notation") or local_name(t), iri=t, label_zh=c.label("zh"), label_en=c.label("en"),
            measures=len(measures[t]), rules=len(rules[t]), cases=len(cases[t]))))
    return tuple(s for _, s in sorted(out, key=lambda ps: (ps[0], ps[1].id)))


def _measure_refs(g: _Graph) -> tuple[MeasureRef, ...]:
    refs = [MeasureRef(c.iri, c.one("number"), c.text("title", "zh"), c.text("title", "en"))
            for c in g.cards.values() if c.kind == "Measure"]
    return tuple(sorted(refs, key=lambda m: (m.number is None, m.number or 0, m.iri)))


def _matrix(g: _Graph, topics: tuple[TopicSummary, ...]) -> Matrix:
    """Per (topic, measure): the measure, its rules and the cases illustrating it (or one of
    its rules) that are about the topic."""
    ids = {t.iri: t.id for t in topics}
    about: dict[str, set[str]] = {}
    for x, t in g.pairs(_R["about"]):
        if t in ids:
            about.setdefault(x, set()).add(t)
    is_measure = {c.iri for c in g.cards.values() if c.kind == "Measure"}
    is_rule = {c.iri for c in g.cards.values() if c.kind == "Rule"}
    is_case = {c.iri for c in g.cards.values() if c.kind == "Case"}
    rules_of: dict[str, set[str]] = {}
    for m, r in g.pairs(_R["part"]):
        if m in is_measure and r in is_rule:
            rules_of.setdefault(r, set()).add(m)
    cells: dict[tuple[str, str], set[str]] = {}

    def add(x: str, m: str) -> None:
        for t in about.get(x, ()):
            cells.setdefault((t, m), set()).add(x)

    for m in is_measure:
        add(m, m)
    for r, ms in rules_of.items():
        for m in ms:
            add(r, m)
    for x, y in g.pairs(_R["illustrates"]):
        if x not in is_case:
            continue
        if y in is_measure:
            add(x, y)
        for m in rules_of.get(y, ()):
            add(x, m)
    return Matrix(topics, _measure_refs(g), tuple(sorted(
        (MatrixCell(ids[t], m, len(xs)) for (t, m), xs in cells.items()), key=lambda c: (c.topic, c.measure))))


def _pagerank(nodes: list[str], edges: list[tuple[str, str]], damping: float = 0.85,
              iterations: int = 100, tol: float = 1e-12) -> dict[str, float]:
    """Power iteration on the directed graph; dangling nodes spread their rank evenly (the
    explorer's former per-question arithmetic, vectorised: 500k edges in ~1 s, not ~30 s)."""
    n = len(nodes)
    if n == 0:
        return {}
    index = {u: i for i, u in enumerate(nodes)}
    src = np.fromiter((index[s] for s, _ in edges), dtype=np.int64, count=len(edges))
    dst = np.fromiter((index[o] for _, o in edges), dtype=np.int64, count=len(edges))
    outdeg = np.bincount(src, minlength=n).astype(float)
    sinks = outdeg == 0
    rank = np.full(n, 1.0 / n)
    for _ in range(iterations):
        share = np.where(sinks, 0.0, damping * rank / np.where(sinks, 1.0, outdeg))
        new = (1.0 - damping) / n + damping * rank[sinks].sum() / n + np.bincount(dst, weights=share[src], minlength=n)
        delta = float(np.abs(new - rank).sum())
        rank = new
        if delta < tol:
            break
    return {u: float(rank[i]) for u, i in index.items()}


def _centrality(g: _Graph, type_names: dict[str, str]) -> list[tuple[int, CentralityRow]]:
    """(position in the degree order, row) of the first :data:`CENTRALITY_ROWS` nodes that have a
    card; ``centrality(limit)`` keeps the rows whose position is below ``limit``."""
    edges = sorted({(s, t, o) for s, t, o in _view_edges(g, type_names) if _explorable(s) and _explorable(o)})
    indeg: dict[str, int] = {}
    outdeg: dict[str, int] = {}
    for s, _, o in edges:
        outdeg[s] = outdeg.get(s, 0) + 1
        indeg[o] = indeg.get(o, 0) + 1
    nodes = sorted(set(indeg) | set(outdeg))
    pr = _pagerank(nodes, [(s, o) for s, _, o in edges])
    top = sorted(nodes, key=lambda n: (-(indeg.get(n, 0) + outdeg.get(n, 0)), n))[:CENTRALITY_ROWS]
    rows = []
    for i, n in enumerate(top):
        card = g.cards.get(n)
        if card is not None:
            rows.append((i, CentralityRow(n, card.kind, card.label("zh"), card.label("en"), indeg.get(n, 0),
                                          outdeg.get(n, 0), indeg.get(n, 0) + outdeg.get(n, 0), round(pr[n], 6))))
    return rows


def _view_edges(g: _Graph, type_names: dict[str, str]) -> Iterator[tuple[str, str, str]]:
    """(source, TYPE, target) of every IRI edge whose type graph views show (centrality and the
    adjacency then keep those with explorable ends)."""
    for p, by in g.out.items():
        t = type_names[p]
        if t not in _HIDDEN_TYPES:
            for s, objs in by.items():
                for o in objs:
                    yield s, t, o


def adjacency(g: _Graph, type_names: dict[str, str]) -> Adjacency:
    """The explorable edges graph views walk (:mod:`kg.explorer.adjacency`)."""
    return Adjacency.build(_view_edges(g, type_names), _explorable)


def case_orders(g: _Graph) -> dict[str, int]:
    """Case → an integer ordered exactly as the listing order (newest year first, then the
    highest court, then the fuller/later date, then the IRI).

    Why not the dense position 0…N-1: one new case would shift the position of every later
    case, and the Neo4j mirror would rewrite half the case nodes per added case. The integer
    packs the case's own key (1 + 4 + 1 + 8 decimal digits) and, last, the case's rank among
    cases with the same key (5 digits), so adding a case changes only the cases tied with it."""
    keys: dict[tuple, list[str]] = {}
    for card in g.cards.values():
        if card.kind != "Case":
            continue
        ranks = [_COURT_RANK.get(cc.one("courtLevel"), 9) for c in set(g.objects(_R["court"], card.iri))
                 if (cc := g.cards.get(c)) is not None]
        decided = card.one("decided")
        missing, neg_year, court, neg_date, _ = _case_key(card.iri, decided, min(ranks, default=9))
        keys.setdefault((int(missing), 9999 + neg_year if _year(decided) is not None else 0, court,
                         99_999_999 + neg_date), []).append(card.iri)
    out = {}
    for (missing, year, court, date), iris in keys.items():
        if len(iris) > 99_999:
            raise ValueError(f"more than 99,999 cases share one date and court level ({len(iris)})")
        base = ((missing * 10_000 + year) * 10 + court) * 100_000_000 + date
        for tie, iri in enumerate(sorted(iris)):
            out[iri] = base * 100_000 + tie
    return out


def case_summaries(g: _Graph) -> dict[str, str]:
    """Case → its listing summary and best court rank as JSON (:func:`questions.case_item`)."""
    out = {}
    for card in g.cards.values():
        if card.kind == "Case":
            courts = [cc for c in set(g.objects(_R["court"], card.iri)) if (cc := g.cards.get(c)) is not None]
            out[card.iri] = case_item_json(case_item(card, courts))
    return out


def search_order(card: _Card) -> str:
    """A string whose order is search's order of direct hits: kind rank, number, Chinese label,
    IRI (fixed-width fields; NUL ends the label). Per node, so it never changes with others."""
    number = card.one("number")
    number = number if isinstance(number, int) and not isinstance(number, bool) else 0
    number = min(max(number, -(10**17)), 10**17) + 10**17
    label = (card.label("zh") or "").replace("\x00", "")
    return f"{_SEARCH_KIND_RANK.get(card.kind, 99):02d}{number:018d}{label}\x00{card.iri}"


# ----------------------------------------------------------------------------- the case index

def case_sets(g: _Graph, order: dict[str, int]) -> dict[tuple[str, str], list[int]]:
    """(set name, node) → sorted listing positions of the cases in the set: the sets the
    explorer pages through (``cases`` filters: topic, court, statute, measure; and the case
    lists of a topic, an article and a statute), as the queries of both backends define them."""
    parents: dict[str, list[str]] = {}
    for m, x in g.pairs(_R["part"]):
        parents.setdefault(x, []).append(m)
    sets: dict[tuple[str, str], set[int]] = {}

    def add(name: str, node: str, rank: int) -> None:
        sets.setdefault((name, node), set()).add(rank)

    for rank, c in enumerate(sorted(order, key=order.__getitem__)):
        for t in g.objects(_R["about"], c):
            add("topic", t, rank)
            add("topic_cases", t, rank)
        for court in g.objects(_R["court"], c):
            add("court", court, rank)
        for x in g.objects(_R["illustrates"], c):
            add("measure", x, rank)
            for m in parents.get(x, ()):
                add("measure", m, rank)
            if g.kind(x) == "Rule":
                for t in g.objects(_R["about"], x):
                    add("topic_cases", t, rank)
        for a in g.objects(_R["cites"], c):
            add("statute", a, rank)
            add("citing_cases", a, rank)
            add("statute_cases", a, rank)
            for s in g.objects(_R["article_of"], a):
                add("statute", s, rank)
            if g.kind(a) == "Article":
                for s in {*g.objects(_R["article_of"], a), *parents.get(a, ())}:
                    add("statute_cases", s, rank)
    return {k: sorted(v) for k, v in sets.items()}


def write_case_index(g: _Graph, order: dict[str, int], folder: Path) -> None:
    """The embedded store's case index: listing order and case sets as sorted integer arrays.

    Why a file beside the generation: Oxigraph reads terms at ~15–25 µs each on this machine and
    sorts by decoding them; a topic's ~800 cases at 100× took 50 ms to order, 8,000 at 1000×
    ~1 s. Sorted position arrays intersect in microseconds (numpy), whatever the scale."""
    cases = sorted(order, key=order.__getitem__)
    sets = case_sets(g, order)
    keys = sorted(sets)
    ranks = [sets[k] for k in keys]
    starts = np.cumsum([0] + [len(r) for r in ranks])
    np.savez(folder / "cases.npz", ranks=np.fromiter((x for r in ranks for x in r), dtype=np.int32, count=int(starts[-1])),
             starts=starts.astype(np.int64))
    (folder / "cases.txt").write_text("\n".join(cases), encoding="utf-8")
    (folder / "case_sets.txt").write_text("\n".join(f"{name}\t{node}" for name, node in keys), encoding="utf-8")
    decided = ["\t".join(str(d) for d in (g.cards[c].all("decided"))) for c in cases]
    (folder / "decided.txt").write_text("\n".join(decided), encoding="utf-8")


def write_search_index(g: _Graph, folder: Path) -> None:
    """The embedded store's search index (SQLite, ``search.sqlite``): every search field value
    of every explorable node, tokenised as :func:`kg.explorer.search.index_tokens` (FTS5), the
    nodes' search order and the links search follows from a matched concept. (Graph views walk
    the generation's :mod:`kg.explorer.adjacency` arrays, on both backends.)

    Why: SPARQL's CONTAINS scans every literal (3.7 s for 商业秘密 at 100× on this machine);
    FTS5 finds candidates by index and SQLite orders them, so only a page is read."""
    path = folder / "search.sqlite"
    db = sqlite3.connect(path)
    try:
        db.executescript("""
CREATE TABLE docs (id INTEGER PRIMARY KEY, node TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL);
CREATE VIRTUAL TABLE fts USING fts5(grams, chars, content='', tokenize="unicode61 tokenchars '_'");
CREATE TABLE nodes (node TEXT PRIMARY KEY, sorder TEXT NOT NULL, kind TEXT NOT NULL, label_zh TEXT, label_en TEXT)
  WITHOUT ROWID;
CREATE TABLE via (concept TEXT NOT NULL, x TEXT NOT NULL, PRIMARY KEY (concept, x)) WITHOUT ROWID;
""")
        docs, nodes = [], []
        for iri, card in g.cards.items():
            if not _explorable(iri):
                continue
            nodes.append((iri, search_order(card), card.kind, card.label("zh"), card.label("en")))
            for key, values in card.props.items():
                if is_search_key(key):
                    docs += [(iri, key, str(v)) for v in values]
        db.executemany("INSERT INTO docs (id, node, key, value) VALUES (?, ?, ?, ?)",
                       [(i, *d) for i, d in enumerate(docs, start=1)])
        db.executemany("INSERT INTO fts (rowid, grams, chars) VALUES (?, ?, ?)",
                       [(i, *index_tokens(d[2])) for i, d in enumerate(docs, start=1)])
        db.executemany("INSERT INTO nodes VALUES (?, ?, ?, ?, ?)", nodes)
        via = {(c, x) for p in ("mentions", "aboutTopic", "concept") for x, c in g.pairs(_IPRG + p)}
        bodies: dict[str, list[str]] = {}
        for m, c in g.pairs(OA_BODY):
            bodies.setdefault(m, []).append(c)
        via |= {(c, t) for m, t in g.pairs(OA_TARGET) for c in bodies.get(m, ())}
        db.executemany("INSERT INTO via VALUES (?, ?)", sorted(via))
        db.execute("CREATE INDEX docs_node ON docs (node)")
        db.commit()
    finally:
        db.close()


# ----------------------------------------------------------------------------- the quads

def derive(triples: Iterable[tuple], generation: str, folder: Path | None = None) -> list[tuple]:
    """The derived quads (in :data:`DERIVED_GRAPH`) of the generation named ``generation`` built
    from ``triples`` (rdflib terms): what ``GraphStore.replace(graph, derive=derive)`` stores;
    with ``folder``, also the embedded store's case index there. Same triples, same output."""
    g = _Graph(triples)
    type_names = relationship_types(sorted(g.out))
    topics = _topics(g)
    node = generation_iri(generation)
    out: list[tuple] = [
        (node, RDF.type, GENERATION),
        (node, P_GENERATION, Literal(generation)),
        (node, P_VERSION, Literal(VERSION)),
        (node, P_TOPICS, Literal(_json([asdict(t) for t in topics]))),
        (node, P_MATRIX, Literal(_json(asdict(_matrix(g, topics))))),
        (node, P_CENTRALITY, Literal(_json([[i, asdict(r)] for i, r in _centrality(g, type_names)]))),
        (node, P_ADJACENCY, Literal(adjacency(g, type_names).to_text())),
        # what Neo4j holds once this generation is fully mirrored (it projects these too)
        (node, P_NODES, Literal(len(g.nodes | {str(node)}), datatype=XSD.integer)),
        (node, P_RELATIONSHIPS, Literal(g.relationships, datatype=XSD.integer)),
    ]
    orders = case_orders(g)
    out += [(URIRef(c), P_CASE_ORDER, Literal(k, datatype=XSD.integer)) for c, k in orders.items()]
    out += [(URIRef(c), P_CASE_SUMMARY, Literal(text)) for c, text in case_summaries(g).items()]
    out += [(URIRef(i), P_SEARCH_ORDER, Literal(search_order(c))) for i, c in g.cards.items() if _explorable(i)]
    if folder is not None:
        write_case_index(g, orders, folder)
        write_search_index(g, folder)
    return [(s, p, o, DERIVED_GRAPH) for s, p, o in out]


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
