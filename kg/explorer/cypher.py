"""The explorer's questions answered by Cypher on the Neo4j mirror (read transactions only).

Why: the mirror is what scales past one machine (a cluster or Aura behind ``NEO4J_URI``); the
shapes below are the same as :mod:`kg.explorer.sparql`'s, in Cypher, with every user value a
parameter. Search goes through the mirror's ``cjk`` full-text index (:data:`FULLTEXT_INDEX`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rdflib import URIRef

from kg.errors import Unavailable
from kg.explorer.questions import _CARD_PREDICATES, _ID, _Card, _card_from_props, _Questions, _Reach
from kg.explorer.search import SEARCH_BASES, lucene_query
from kg.mirror import FULLTEXT_INDEX
from kg.terms import py_value as _py

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
    "counts": """
CALL () { MATCH (m:Measure) RETURN count(m) AS nm }
CALL () { MATCH (c:Case) RETURN count(c) AS nc }
CALL () { MATCH (s:Statute) RETURN count(s) AS ns }
RETURN nm, nc, ns""",
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
    "policy_documents": "MATCH (h0:PolicyDocument)",
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
        from neo4j.exceptions import ServiceUnavailable, SessionExpired, TransientError

        clean = {k: (str(v) if isinstance(v, URIRef) else v) for k, v in params.items()}
        try:
            records, _, _ = self.driver.execute_query(
                text, clean, database_=self.database, routing_=neo4j.RoutingControl.READ)
        except (ServiceUnavailable, SessionExpired, TransientError) as exc:
            # Neo4j down, restarting or failing over: the answer needs it, so say so (503)
            raise Unavailable(f"Neo4j is not reachable, so this answer cannot be read from it: {exc}") from exc
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
        query = lucene_query(terms)
        if query is None:  # only one-character CJK words: the bigram index cannot see them
            keys = [f"{b}{s}" for b in SEARCH_BASES for s in ("", "_zh", "_en")]
            rows = self._run(_CYPHER_SCAN, {"keys": keys, "w": max(terms, key=len)})
        else:
            rows = self._run(_CYPHER_SEARCH, {"index": FULLTEXT_INDEX, "q": query})
        return {r["uri"]: _card_from_props(r["uri"], (), _neo_props(r["props"], SEARCH_BASES))
                for r in rows}
