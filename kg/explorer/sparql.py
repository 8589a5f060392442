"""The explorer's questions answered by SPARQL on the embedded Oxigraph store.

Why the query text lives here: the store is the source of truth and needs no server; the
shapes below are what :class:`~kg.explorer.questions._Questions` asks for, written for
Oxigraph's planner (the comments carry the measurements behind each form). Every user value is
a substitution, never text.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import pyoxigraph as ox
from rdflib import Literal, URIRef
from rdflib.namespace import RDF

from kg.explorer.questions import (
    _CARD_PREDICATES,
    _IPRG,
    _PRED_KEY,
    _REL_PREDICATES,
    DERIVED_GRAPH,
    DERIVED_KEYS,
    GENERATION_TYPE,
    NoDerivedData,
    _Card,
    _card_from_props,
    _Questions,
    _Reach,
)
from kg.explorer.search import SEARCH_BASES
from kg.ns import local_name
from kg.pg import relationship_types, upper_snake
from kg.terms import XSD_STRING, from_ox
from kg.terms import py_value as _py

_SPARQL: dict[str, str] = {
    "measure_by_number": """
SELECT ?n ?m (MAX(STR(?d)) AS ?issued) WHERE { ?m a iprg:Measure ; iprg:number ?n .
  OPTIONAL { ?doc iprg:hasPart+ ?m . ?doc dcterms:issued ?d } } GROUP BY ?n ?m""",
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
    "policy_citers": "?h0 iprg:cites ?law . FILTER NOT EXISTS { ?h0 a iprg:Case }",
    "statute_policy_citers": "{ ?h0 iprg:cites ?s } UNION { ?s iprg:hasPart ?a0 . ?a0 a iprg:Article . ?h0 iprg:cites ?a0 } "
                             "UNION { ?a0 iprg:articleOf ?s . ?a0 a iprg:Article . ?h0 iprg:cites ?a0 } "
                             "FILTER NOT EXISTS { ?h0 a iprg:Case }",
}
#: Sets of cases (``?c``) that answers page through, by the derived ``iprg:caseOrder``.
_SPARQL_CASE_SETS: dict[str, str] = {
    "all": "?c a iprg:Case .",
    "topic_cases": "{ ?c iprg:aboutTopic ?t . ?c a iprg:Case } UNION "
                   "{ ?r0 iprg:aboutTopic ?t . ?r0 a iprg:Rule . ?c iprg:illustrates ?r0 . ?c a iprg:Case }",
    "citing_cases": "?c iprg:cites ?law . ?c a iprg:Case .",
    "statute_cases": "{ ?c iprg:cites ?s } UNION { ?s iprg:hasPart ?a0 . ?a0 a iprg:Article . ?c iprg:cites ?a0 } "
                     "UNION { ?a0 iprg:articleOf ?s . ?a0 a iprg:Article . ?c iprg:cites ?a0 } ?c a iprg:Case .",
    "shares_article": "?case iprg:cites ?a0 . ?a0 a iprg:Article . ?c iprg:cites ?a0 . ?c a iprg:Case . "
                      "FILTER(?c != ?case)",
}
#: Fixed IRIs of the derived graph (constants of the code, never user text).
_DERIVED = f"GRAPH <{DERIVED_GRAPH}>"
_SPARQL_CARD = "SELECT ?s ?p ?o WHERE { ?s ?p ?o . FILTER(?p = rdf:type || isLiteral(?o)) }"
_SPARQL_OUT = "SELECT ?s ?p ?o WHERE { ?s ?p ?o . FILTER(isIRI(?o) && ?p != rdf:type) }"
_SPARQL_IN = "SELECT ?s ?p ?o WHERE { ?o ?p ?s . FILTER(?p != rdf:type) }"
_SPARQL_PREDICATES = "SELECT DISTINCT ?p WHERE { ?s ?p ?o . FILTER(isIRI(?o) && ?p != rdf:type) }"
_SEARCH_VALUES = " ".join(f"<{_CARD_PREDICATES[b]}>" for b in SEARCH_BASES)  # fixed ontology IRIs
_SPARQL_SEARCH = (
    "SELECT ?w ?s ?p ?o WHERE { VALUES ?p { " + _SEARCH_VALUES + " } ?s ?p ?o . "
    "FILTER(isLiteral(?o) && CONTAINS(LCASE(STR(?o)), ?w)) }"
)


_XSD_STRING = XSD_STRING


def _terms(params: dict[str, Any]) -> dict[str, Any]:
    return {k: (v if isinstance(v, URIRef) else Literal(v)) for k, v in params.items()}


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
            preds = [str(r["p"]) for r in self.store.select(_SPARQL_PREDICATES)]
            self._names = (gen, relationship_types(preds))
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
        bindings = {k: (v if isinstance(v, URIRef) else Literal(v)) for k, v in params.items()}
        return [{k: _py(v) for k, v in row.items()} for row in self.store.select(_SPARQL[name], bindings)]

    def _derived(self, key: str) -> str:
        if key not in DERIVED_KEYS:
            raise ValueError(f"no derived value {key!r}")
        text = (f"SELECT ?g ?v WHERE {{ {_DERIVED} {{ ?g a <{GENERATION_TYPE}> ; <{_IPRG}{key}> ?v }} }} "
                "ORDER BY DESC(?g) LIMIT 1")
        for sol in self.store.query(text):
            return sol["v"].value
        raise NoDerivedData(self.store.current_generation())

    def _case_page(self, shape: str, params: dict[str, Any], offset: int, limit: int) -> tuple[int, list[str]]:
        if shape == "filter":
            pattern = "?c a iprg:Case . " + " ".join(
                _SPARQL_CASE_FILTERS[k] for k in ("topic", "court", "year", "statute", "measure") if k in params)
        else:
            pattern = _SPARQL_CASE_SETS[shape]
        # the bound variables must be projected for Oxigraph to substitute them
        head = " ".join("?" + k for k in params)
        count = f"SELECT {head} (COUNT(DISTINCT ?c) AS ?n) WHERE {{ {pattern} }}" + (f" GROUP BY {head}" if head else "")
        total = sum(int(sol["n"].value) for sol in self.store.query(count, _terms(params)))
        if total <= offset or limit <= 0:
            return total, []
        # Oxigraph sorts integers without reading their text (string keys were ~70× slower)
        page = (f"SELECT DISTINCT {head} ?c ?k WHERE {{ {pattern} {_DERIVED} {{ ?c iprg:caseOrder ?k }} }} "
                f"ORDER BY ?k LIMIT {int(limit)} OFFSET {int(offset)}")
        return total, [sol["c"].value for sol in self.store.query(page, _terms(params))]

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
