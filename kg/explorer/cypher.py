"""The explorer's questions answered by Cypher on the Neo4j mirror (read transactions only).

Why: the mirror is what scales past one machine (a cluster or Aura behind ``NEO4J_URI``); the
shapes below are the same as :mod:`kg.explorer.sparql`'s, in Cypher, with every user value a
parameter. Search goes through the mirror's ``cjk`` full-text index (:data:`FULLTEXT_INDEX`).
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from rdflib import URIRef

from kg.errors import Unavailable
from kg.explorer.cache import QUESTIONS
from kg.explorer.questions import (
    _CARD_PREDICATES,
    _LABEL_BASES,
    _LABEL_FALLBACKS,
    _REL_PREDICATES,
    _SEARCH_BATCH,
    _VIA_RANKS,
    DERIVED_KEYS,
    NoDerivedData,
    _Card,
    _card_from_props,
    _Questions,
    _Reach,
)
from kg.explorer.search import SEARCH_BASES, lucene_query
from kg.mirror import FULLTEXT_INDEX
from kg.terms import py_value as _py

_CYPHER: dict[str, str] = {
    "measure_by_number": """
MATCH (m:Measure) WHERE $n = m.number OR (valueType(m.number) STARTS WITH 'LIST' AND $n IN m.number)
OPTIONAL MATCH (doc:Resource)-[:HAS_PART*1..4]->(m) WHERE doc.issued IS NOT NULL
RETURN m.uri AS m, max(toString(doc.issued)) AS issued""",
    # Neo4j's count store answers each in O(1)
    "counts": """
CALL () { MATCH (m:Measure) RETURN count(m) AS nm }
CALL () { MATCH (c:Case) RETURN count(c) AS nc }
CALL () { MATCH (s:Statute) RETURN count(s) AS ns }
RETURN nm, nc, ns""",
}
#: The ``cases`` filters, each a condition on ``c`` with its value a parameter …
_CYPHER_FILTER_CONDITIONS = {
    "topic": "EXISTS { MATCH (c)-[:ABOUT_TOPIC]->(:Resource {uri: $topic}) }",
    "court": "EXISTS { MATCH (c)-[:COURT]->(:Resource {uri: $court}) }",
    "year": """any(d IN CASE WHEN c.decided IS NULL THEN []
        WHEN valueType(c.decided) STARTS WITH 'LIST' THEN c.decided ELSE [c.decided] END
        WHERE toString(d) STARTS WITH $year)""",
    "statute": """EXISTS { MATCH (c)-[:CITES]->(a:Resource)
        WHERE a.uri = $statute OR EXISTS { MATCH (a)-[:ARTICLE_OF]->(:Resource {uri: $statute}) } }""",
    "measure": """(EXISTS { MATCH (c)-[:ILLUSTRATES]->(:Resource {uri: $measure}) }
       OR EXISTS { MATCH (c)-[:ILLUSTRATES]->(:Resource)<-[:HAS_PART]-(:Resource {uri: $measure}) })""",
}
#: … matched from the first filter given, so the server walks that node's cases, not every case
#: (all 56,000 cases with EXISTS subqueries at 1000× the corpus).
_CYPHER_FILTER_START = {
    "topic": "MATCH (c:Case)-[:ABOUT_TOPIC]->(:Resource {uri: $topic})",
    "measure": """CALL () { MATCH (c:Case)-[:ILLUSTRATES]->(:Resource {uri: $measure}) RETURN c
  UNION MATCH (c:Case)-[:ILLUSTRATES]->(:Resource)<-[:HAS_PART]-(:Resource {uri: $measure}) RETURN c }""",
    "statute": """CALL () { MATCH (c:Case)-[:CITES]->(:Resource {uri: $statute}) RETURN c
  UNION MATCH (c:Case)-[:CITES]->(:Resource)-[:ARTICLE_OF]->(:Resource {uri: $statute}) RETURN c }""",
    "court": "MATCH (c:Case)-[:COURT]->(:Resource {uri: $court})",
}
#: Sets of cases (``c``) that answers page through, by the derived ``caseOrder``.
_CYPHER_CASE_SETS: dict[str, str] = {
    "all": "MATCH (c:Case)",
    "topic_cases": """CALL () { MATCH (c:Case)-[:ABOUT_TOPIC]->(:Resource {uri: $t}) RETURN c
  UNION MATCH (c:Case)-[:ILLUSTRATES]->(:Rule)-[:ABOUT_TOPIC]->(:Resource {uri: $t}) RETURN c }""",
    "citing_cases": "MATCH (c:Case)-[:CITES]->(:Resource {uri: $law})",
    "statute_cases": """CALL () { MATCH (c:Case)-[:CITES]->(:Resource {uri: $s}) RETURN c
  UNION MATCH (c:Case)-[:CITES]->(:Article)<-[:HAS_PART]-(:Resource {uri: $s}) RETURN c
  UNION MATCH (c:Case)-[:CITES]->(:Article)-[:ARTICLE_OF]->(:Resource {uri: $s}) RETURN c }""",
    "shares_article": "MATCH (x:Resource {uri: $case})-[:CITES]->(:Article)<-[:CITES]-(c:Case) WHERE c <> x",
}
# Counted, and sorted and sliced (Top: only the page is kept), on the server, handed back as ONE
# record: the Python driver spends ~40 µs per record (5,600 URIs as rows took 220 ms at 100×, as
# one list 13 ms). Every case at once is counted from Neo4j's count store.
_CYPHER_PAGE = """CALL () {{ {cases} {distinct} RETURN count(c) AS total }}
CALL () {{ {cases} {distinct} WITH c ORDER BY c.caseOrder SKIP $offset LIMIT $limit RETURN collect(c.uri) AS page }}
RETURN total, page"""
# Any other set is found ONCE, then counted and its page taken (Top-k, only the page's uris read):
# the 1,776 cases of measure 15 in bench/mirror.py's 100× graph, p50 22.6 ms found twice (count,
# then page), 15.8 ms once (10.2 ms without re-testing the filter it started from, below).
_CYPHER_SET_PAGE = """{cases} WITH DISTINCT c WITH collect(c) AS cs
CALL (cs) {{ UNWIND cs AS c WITH c ORDER BY c.caseOrder SKIP $offset LIMIT $limit RETURN collect(c.uri) AS page }}
RETURN size(cs) AS total, page"""
# Node and relationship counts come from Neo4j's count store (O(1) at any size).
_CYPHER_GENERATION = """
CALL () { MATCH (n:Resource) RETURN count(n) AS nodes }
CALL () { MATCH ()-[r]->() RETURN count(r) AS relationships }
OPTIONAL MATCH (g:Generation)
RETURN nodes, relationships, collect([g.generation, g.expectedNodes, g.expectedRelationships]) AS gens"""
_CYPHER_DERIVED = """
MATCH (g:Generation) WHERE g[$key] IS NOT NULL
RETURN g[$key] AS v ORDER BY g.generation DESC LIMIT 1"""
# which generation's adjacency _CYPHER_DERIVED would read (the property is not read here)
_CYPHER_ADJACENCY_KEY = """
MATCH (g:Generation) WHERE g.adjacency IS NOT NULL
RETURN g.generation AS generation ORDER BY g.generation DESC LIMIT 1"""
#: Start patterns of reaches (the nodes ``h0``), as :data:`_SPARQL_REACH`.
_CYPHER_REACH: dict[str, str] = {
    "policy_documents": "MATCH (h0:PolicyDocument)",
    "self_and_parts": """MATCH (m:Resource {uri: $m})
CALL (m) { RETURN m AS h0 UNION MATCH (m)-[:HAS_PART]->(h0:Resource) RETURN h0 }""",
    "statute_parts": """CALL () { MATCH (:Resource {uri: $s})-[:HAS_PART]->(h0:Resource) RETURN h0
  UNION MATCH (h0:Resource)-[:ARTICLE_OF]->(:Resource {uri: $s}) RETURN h0 }""",
    "topic_rules": "MATCH (h0:Rule)-[:ABOUT_TOPIC]->(:Resource {uri: $t})",
    "topic_measures": """CALL () { MATCH (h0:Measure)-[:ABOUT_TOPIC]->(:Resource {uri: $t}) RETURN h0
  UNION MATCH (h0:Measure)-[:HAS_PART]->(:Rule)-[:ABOUT_TOPIC]->(:Resource {uri: $t}) RETURN h0 }""",
    "policy_citers": "MATCH (h0:Resource)-[:CITES]->(:Resource {uri: $law}) WHERE h0:Rule OR h0:Measure",
    "statute_policy_citers": """CALL () { MATCH (h0:Resource)-[:CITES]->(:Resource {uri: $s}) RETURN h0
  UNION MATCH (h0:Resource)-[:CITES]->(:Article)<-[:HAS_PART]-(:Resource {uri: $s}) RETURN h0
  UNION MATCH (h0:Resource)-[:CITES]->(:Article)-[:ARTICLE_OF]->(:Resource {uri: $s}) RETURN h0 }
WITH h0 WHERE h0:Rule OR h0:Measure""",
}
_CYPHER_NODE_DERIVED = """
UNWIND $uris AS u MATCH (n:Resource {uri: u}) WHERE n[$key] IS NOT NULL
RETURN collect([u, n[$key]]) AS rows"""
_CYPHER_CARDS = """
UNWIND $uris AS u MATCH (n:Resource {uri: u})
RETURN collect([n.uri, labels(n), properties(n)]) AS rows"""
# Graph views need a node's kind and labels only (cases carry holdings in two languages).
_CYPHER_GRAPH_NODES = """
UNWIND $uris AS u MATCH (n:Resource {uri: u})
RETURN collect([n.uri, labels(n), [k IN $keys WHERE n[k] IS NOT NULL | [k, n[k]]]]) AS rows"""
# Links of a list of nodes. With types, the pattern names them (fixed ontology names, checked
# against _REL_PREDICATES): Neo4j then reads only those relationship groups of a dense node
# (a topic's or court's thousands of cases) instead of every relationship and a filter.
_CYPHER_LINKS = """
UNWIND $uris AS u MATCH (n:Resource {{uri: u}}){arrow}(o:Resource)
RETURN collect([u, type(r), o.uri]) AS rows"""


def _typed(direction: str, types: Iterable[str] | None) -> str:
    """The relationship pattern for ``direction`` and ``types``: every type when None or when one
    is not an ontology relationship name (the caller then keeps the rows of ``types``)."""
    names = list(types or ())
    rel = f"[r:{'|'.join(names)}]" if names and all(t in _REL_PREDICATES for t in names) else "[r]"
    return f"-{rel}->" if direction == "out" else f"<-{rel}-"


# The index's hits ordered by the derived searchOrder on the server, one batch per query.
_CYPHER_SEARCH = """
CALL db.index.fulltext.queryNodes($index, $q) YIELD node
WITH node WHERE node.searchOrder IS NOT NULL
WITH node ORDER BY node.searchOrder SKIP $skip LIMIT $batch
RETURN collect([node.uri, properties(node)]) AS rows"""
_CYPHER_SCAN = """
MATCH (n:Resource) WHERE n.searchOrder IS NOT NULL
WITH n, [k IN keys(n) WHERE k IN $keys] AS ks
WHERE any(k IN ks WHERE any(v IN CASE WHEN valueType(n[k]) STARTS WITH 'LIST' THEN n[k] ELSE [n[k]] END
                            WHERE toLower(toString(v)) CONTAINS $w))
WITH n ORDER BY n.searchOrder
RETURN collect([n.uri, properties(n)]) AS rows"""
_CYPHER_VIA = """
UNWIND $concepts AS cu MATCH (c:Resource {uri: cu})
CALL (c) { MATCH (x:Resource)-[:MENTIONS|ABOUT_TOPIC|CONCEPT]->(c) RETURN x
  UNION MATCH (m:Resource)-[:HAS_BODY]->(c), (m)-[:HAS_TARGET]->(x:Resource) RETURN x }
WITH x, collect(DISTINCT c.uri) AS cs
WHERE x.searchOrder IS NOT NULL AND NOT x.uri IN $exclude AND substring(x.searchOrder, 0, 2) IN $ranks
WITH x, cs ORDER BY substring(x.searchOrder, 0, 2), size(cs) DESC, x.searchOrder LIMIT $k
RETURN collect([x.uri, cs]) AS rows"""


#: The properties :meth:`kg.explorer.questions._Card.label` reads.
_LABEL_KEYS = tuple(f"{b}_{lang}" for b in _LABEL_BASES for lang in ("zh", "en")) + _LABEL_FALLBACKS
_LABEL_BASES_ALL = _LABEL_BASES + _LABEL_FALLBACKS


@contextmanager
def _unavailable_if_down() -> Iterator[None]:
    """Neo4j down, restarting or failing over: the answer needs it, so say so (503)."""
    from neo4j.exceptions import ServiceUnavailable, SessionExpired, TransientError

    try:
        yield
    except (ServiceUnavailable, SessionExpired, TransientError) as exc:
        raise Unavailable(f"Neo4j is not reachable, so this answer cannot be read from it: {exc}") from exc


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
        self._local = threading.local()     # the answer's transaction, per serving thread

    def _run(self, text: str, params: dict[str, Any]) -> list[dict[str, Any]]:
        clean = {k: (str(v) if isinstance(v, URIRef) else v) for k, v in params.items()}
        tx = getattr(self._local, "tx", None)
        if tx is not None:      # inside an answer: its one read transaction (one round trip)
            return [dict(r) for r in tx.run(text, clean)]
        import neo4j

        with _unavailable_if_down():
            records, _, _ = self.driver.execute_query(
                text, clean, database_=self.database, routing_=neo4j.RoutingControl.READ)
        return [dict(r) for r in records]

    def answer(self, question: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """``question(*args, **kwargs)`` with every query it makes in one read transaction.

        Why: an answer is 5–25 queries; each its own managed transaction costs BEGIN and COMMIT
        round trips and the driver's session and retry set-up on top of the query's own, which
        at 100× the corpus was most of an answer's time. One transaction also reads one snapshot,
        so the parts of an answer cannot straddle a sync's commit. Nested questions (an answer
        that asks another) join the transaction that is open."""
        if getattr(self._local, "tx", None) is not None:
            return question(*args, **kwargs)
        import neo4j

        with _unavailable_if_down(), \
                self.driver.session(database=self.database, default_access_mode=neo4j.READ_ACCESS) as session, \
                session.begin_transaction() as tx:
            self._local.tx = tx
            try:
                return question(*args, **kwargs)
            finally:
                self._local.tx = None

    def _rows(self, name: str, **params: Any) -> list[dict[str, Any]]:
        return [{k: _py(v) for k, v in row.items()} for row in self._run(_CYPHER[name], params)]

    def generation(self) -> str | None:
        """The mirrored generation, or None unless the database holds exactly that generation
        (one Generation node, and the node and relationship counts it records): see
        :mod:`kg.explorer.cache` for what that protects against during a sync."""
        row = self._run(_CYPHER_GENERATION, {})[0]
        gens = [g for g in row["gens"] if g[0] is not None]
        if len(gens) != 1:
            return None
        gen, nodes, relationships = gens[0]
        return gen if (nodes, relationships) == (row["nodes"], row["relationships"]) else None

    def _adjacency_key(self):
        rows = self._run(_CYPHER_ADJACENCY_KEY, {})
        return rows[0]["generation"] if rows else None

    def _derived(self, key: str) -> str:
        if key not in DERIVED_KEYS:
            raise ValueError(f"no derived value {key!r}")
        rows = self._run(_CYPHER_DERIVED, {"key": key})
        if not rows:
            raise NoDerivedData(f"Neo4j database {self.database}")
        return rows[0]["v"]

    def _case_page(self, shape: str, params: dict[str, Any], offset: int, limit: int) -> tuple[int, list[str]]:
        if shape == "filter":
            given = [k for k in _CYPHER_FILTER_CONDITIONS if params.get(k) is not None]
            start = next((k for k in _CYPHER_FILTER_START if k in given), None)
            # only the other given filters are tested: the start already holds (re-testing it
            # on the 1,776 cases of measure 15 at 100×: p50 17.2 ms against 10.2 ms without)
            conditions = [_CYPHER_FILTER_CONDITIONS[k] for k in given if k != start]
            cases = (_CYPHER_FILTER_START[start] if start else "MATCH (c:Case)") + " WITH DISTINCT c" + (
                " WHERE " + " AND ".join(conditions) if conditions else "")
            params = {k: params[k] for k in given}
        else:
            cases = _CYPHER_CASE_SETS[shape]
        text = _CYPHER_PAGE.format(cases=cases, distinct="") if shape == "all" else _CYPHER_SET_PAGE.format(cases=cases)
        row = self._run(text, {**params, "offset": offset, "limit": limit})[0]
        return row["total"], list(row["page"])

    def _node_derived(self, iris, key):
        if not iris:
            return {}
        rows = self._run(_CYPHER_NODE_DERIVED, {"uris": list(iris), "key": key})[0]["rows"]
        return dict(rows)

    def _cards(self, iris: Iterable[str]) -> dict[str, _Card]:
        uris = sorted(set(iris))
        if not uris:
            return {}
        out = {}
        for uri, labels, props in self._run(_CYPHER_CARDS, {"uris": uris})[0]["rows"]:   # one record: see _CYPHER_PAGE
            out[uri] = _card_from_props(uri, [lbl for lbl in labels if lbl != "Resource"], _neo_props(props))
        return out

    def _graph_nodes(self, iris):
        # 200 full cards at 100× shipped ~9 ms of holdings and outcomes the view never shows
        uris = sorted(set(iris))
        if not uris:
            return {}
        out = {}
        for uri, labels, pairs in self._run(_CYPHER_GRAPH_NODES, {"uris": uris, "keys": list(_LABEL_KEYS)})[0]["rows"]:
            card = _card_from_props(uri, [lbl for lbl in labels if lbl != "Resource"],
                                    _neo_props(dict(pairs), _LABEL_BASES_ALL))
            out[uri] = (card.kind, card.label("zh"), card.label("en"))
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
        text = f"{match} RETURN collect([{x}.uri, labels({x}), properties({x})]) AS rows"
        out = {}
        for uri, labels, props in self._run(text, params)[0]["rows"]:
            out[uri] = _card_from_props(uri, [lbl for lbl in labels if lbl != "Resource"], _neo_props(props))
        return out

    def _links_at(self, reach, types, direction):
        match, params, x = self._reach_match(reach)
        text = f"{match} MATCH ({x}){_typed(direction, types)}(o:Resource) RETURN collect([{x}.uri, type(r), o.uri]) AS rows"
        rows = self._run(text, params)[0]["rows"]
        return sorted({tuple(r) for r in rows if not types or r[1] in types})

    def _links(self, iris, types, direction):
        uris = list(iris)
        if not uris:
            return []
        rows = self._run(_CYPHER_LINKS.format(arrow=_typed(direction, types)), {"uris": uris})[0]["rows"]
        return sorted({tuple(r) for r in rows if not types or r[1] in types})

    def _search_ordered(self, terms):
        query = lucene_query(terms)
        if query is None:  # only one-character CJK words: the bigram index cannot see them
            keys = [f"{b}{s}" for b in SEARCH_BASES for s in ("", "_zh", "_en")]
            batches = iter([self._run(_CYPHER_SCAN, {"keys": keys, "w": max(terms, key=len)})[0]["rows"]])
        else:
            batches = self._search_batches(query)
        for rows in batches:
            for uri, props in rows:
                yield uri, _card_from_props(uri, (), _neo_props(props, SEARCH_BASES)).props

    def _search_batches(self, query: str):
        skip, batch = 0, _SEARCH_BATCH
        while True:
            rows = self._run(_CYPHER_SEARCH, {"index": FULLTEXT_INDEX, "q": query, "skip": skip, "batch": batch})[0]["rows"]
            yield rows
            if len(rows) < batch:
                return
            skip, batch = skip + batch, batch * 4

    def _search_via(self, concepts, exclude, k):
        rows = self._run(_CYPHER_VIA, {"concepts": list(concepts), "exclude": list(exclude),
                                       "ranks": list(_VIA_RANKS), "k": k})[0]["rows"]
        return [(x, list(cs)) for x, cs in rows]


def _one_transaction(name: str) -> Callable[..., Any]:
    inherited = getattr(_Questions, name)

    @functools.wraps(inherited)
    def question(self: CypherExplorer, *args: Any, **kwargs: Any) -> Any:
        return self.answer(inherited, self, *args, **kwargs)
    return question


for _name in QUESTIONS:     # every question of the Explorer protocol answers in one transaction
    setattr(CypherExplorer, _name, _one_transaction(_name))
del _name
