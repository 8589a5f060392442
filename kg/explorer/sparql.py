"""The explorer's questions answered by SPARQL on the embedded Oxigraph store.

Why the query text lives here: the store is the source of truth and needs no server; the
shapes below are what :class:`~kg.explorer.questions._Questions` asks for, written for
Oxigraph's planner (the comments carry the measurements behind each form). Every user value is
a substitution, never text.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterable, Sequence
from functools import reduce
from pathlib import Path
from typing import Any

import numpy as np
import pyoxigraph as ox
from rdflib import Literal, URIRef
from rdflib.namespace import RDF

from kg.explorer.questions import (
    _IPRG,
    _PRED_KEY,
    _REL_PREDICATES,
    _SEARCH_BATCH,
    _VIA_RANKS,
    DERIVED_GRAPH,
    DERIVED_KEYS,
    GENERATION_TYPE,
    NoDerivedData,
    _Card,
    _card_from_props,
    _Questions,
    _Reach,
)
from kg.explorer.search import fts_query
from kg.ns import local_name
from kg.pg import relationship_types, upper_snake
from kg.terms import XSD_STRING, ox_py
from kg.terms import py_value as _py

_SPARQL: dict[str, str] = {
    "measure_by_number": """
SELECT ?n ?m (MAX(STR(?d)) AS ?issued) WHERE { ?m a iprg:Measure ; iprg:number ?n .
  OPTIONAL { ?doc iprg:hasPart+ ?m . ?doc dcterms:issued ?d } } GROUP BY ?n ?m""",
    "counts": """
SELECT ?nm ?nc ?ns WHERE {
  { SELECT (COUNT(?m) AS ?nm) WHERE { ?m a iprg:Measure } }
  { SELECT (COUNT(?c) AS ?nc) WHERE { ?c a iprg:Case } }
  { SELECT (COUNT(?s) AS ?ns) WHERE { ?s a iprg:Statute } } }""",
}
#: Start patterns of reaches: the nodes ``?h0``, joined from the bound variables. They begin at
#: the bound node (Oxigraph plans poorly when a pattern starts from a type scan: "every case,
#: then its topics" took 1.4 s at 100× the case law, "the topic, then its cases" 60 ms).
_SPARQL_REACH: dict[str, str] = {
    "policy_documents": "?h0 a iprg:PolicyDocument .",
    "statute_parts": "{ ?s iprg:hasPart ?h0 } UNION { ?h0 iprg:articleOf ?s }",
    "self_and_parts": "{ ?m ?p0 ?o0 . BIND(?m AS ?h0) } UNION { ?m iprg:hasPart ?h0 }",
    "topic_rules": "?h0 a iprg:Rule . ?h0 iprg:aboutTopic ?t .",
    "topic_measures": "{ ?h0 a iprg:Measure . ?h0 iprg:aboutTopic ?t } UNION "
                      "{ ?r0 a iprg:Rule . ?r0 iprg:aboutTopic ?t . ?h0 iprg:hasPart ?r0 . ?h0 a iprg:Measure }",
    # what a law's page lists in full is the policy side (measures and rules): start from those
    # kinds (hundreds at any scale), not from the law's citers (7,000 cases for an article at
    # 1000×; 1.1 s for the article page, 2.7 s for its statute's)
    "policy_citers": "{ SELECT ?h0 WHERE { { ?h0 a iprg:Rule } UNION { ?h0 a iprg:Measure } } } "
                     "LATERAL { ?h0 iprg:cites ?law }",
    "statute_policy_citers": "{ SELECT ?h0 WHERE { { ?h0 a iprg:Rule } UNION { ?h0 a iprg:Measure } } } LATERAL { "
                             "{ ?h0 iprg:cites ?s } UNION { ?h0 iprg:cites ?a0 . ?s iprg:hasPart ?a0 . ?a0 a iprg:Article } "
                             "UNION { ?h0 iprg:cites ?a0 . ?a0 iprg:articleOf ?s . ?a0 a iprg:Article } }",
}
#: Fixed IRIs of the derived graph (constants of the code, never user text).
_DERIVED = f"GRAPH <{DERIVED_GRAPH}>"
_SPARQL_PREDICATES = "SELECT DISTINCT ?p WHERE { ?s ?p ?o . FILTER(isIRI(?o) && ?p != rdf:type) }"


_XSD_STRING = XSD_STRING


_RDF_TYPE = str(RDF.type)


def _read_literal(p: ox.NamedNode, o: Any, types: list[str], props: dict[str, list[Any]]) -> None:
    """Add one (predicate, object) of a node to its card's types or properties, values as
    :func:`kg.terms.py_value` reads them (plain and language strings without building rdflib
    terms; typed literals through rdflib, as before)."""
    if p.value == _RDF_TYPE:
        types.append(local_name(o.value))
        return
    if not isinstance(o, ox.Literal):
        return
    base = _PRED_KEY.get(p.value)
    if base is None:
        return
    lang = o.language
    if lang:
        if lang in ("zh", "en"):
            props.setdefault(f"{base}_{lang}", []).append(o.value)
    elif o.datatype.value == _XSD_STRING:
        props.setdefault(base, []).append(o.value)
    else:
        props.setdefault(base, []).append(ox_py(o))


class CaseIndex:
    """The case index kg.explorer.derive writes beside a generation: cases in listing order and
    the sets answers page through, as sorted position arrays (see ``derive.write_case_index``)."""

    def __init__(self, folder: Path) -> None:
        text = (folder / "cases.txt").read_text(encoding="utf-8")
        self.cases = text.split("\n") if text else []
        arrays = np.load(folder / "cases.npz")
        self._ranks, starts = arrays["ranks"], arrays["starts"]
        keys = (folder / "case_sets.txt").read_text(encoding="utf-8")
        self._sets = {tuple(k.split("\t", 1)): (int(starts[i]), int(starts[i + 1]))
                      for i, k in enumerate(keys.split("\n") if keys else [])}
        self._folder = folder
        self._decided: list[list[str]] | None = None
        self._rank: dict[str, int] | None = None
        self._years: dict[str, np.ndarray] = {}

    def members(self, name: str, node: str) -> np.ndarray:
        start, end = self._sets.get((name, node), (0, 0))
        return self._ranks[start:end]

    def rank(self, case: str) -> int | None:
        if self._rank is None:
            self._rank = {c: i for i, c in enumerate(self.cases)}
        return self._rank.get(case)

    def decided_in(self, year: str) -> np.ndarray:
        """Cases with a decided value whose text starts with ``year`` (as STRSTARTS does)."""
        if year not in self._years:
            if self._decided is None:
                text = (self._folder / "decided.txt").read_text(encoding="utf-8")
                self._decided = [line.split("\t") if line else [] for line in text.split("\n")] if self.cases else []
            if len(self._years) > 256:
                self._years.clear()
            self._years[year] = np.array([r for r, ds in enumerate(self._decided) if any(d.startswith(year) for d in ds)],
                                         dtype=np.int32)
        return self._years[year]

    def page(self, sets: list[np.ndarray] | None, offset: int, limit: int) -> tuple[int, list[str]]:
        """(size, the cases at ``offset``…) of the intersection of ``sets`` (None: every case)."""
        if sets is None:
            return len(self.cases), self.cases[offset: offset + limit]
        ranks = sets[0] if len(sets) == 1 else reduce(np.intersect1d, sorted(sets, key=len))
        return len(ranks), [self.cases[int(r)] for r in ranks[offset: offset + limit]]


class SparqlExplorer(_Questions):
    """The questions answered by SPARQL on the embedded Oxigraph store (and its case index)."""

    backend = "sparql"

    def __init__(self, store) -> None:
        self.store = store
        self._names: tuple[str | None, dict[str, str]] = (None, {})
        self._index: tuple[str | None, CaseIndex | None] = (None, None)
        self._lock = threading.Lock()
        self._local = threading.local()   # one read-only SQLite connection per thread

    def generation(self) -> str | None:
        """The store generation answers come from (the atomically swapped CURRENT)."""
        return self.store.current_generation()

    def _case_index(self) -> CaseIndex:
        gen = self.store.current_generation()
        with self._lock:
            if self._index[0] != gen or self._index[1] is None:
                folder = self.store.derived_dir(gen)
                if folder is None or not (folder / "cases.npz").exists():
                    raise NoDerivedData(gen)
                self._index = (gen, CaseIndex(folder))
            return self._index[1]

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
        # From the generation's case index, not SPARQL: Oxigraph counted and ordered a statute's
        # ~900 citing cases at 100× in 0.1–0.9 s (it decodes every term it sorts), the index in µs.
        index = self._case_index()
        sets: list[np.ndarray] | None
        if shape == "all":
            sets = None
        elif shape == "filter":
            sets = [index.members(k, str(params[k])) for k in ("topic", "court", "statute", "measure") if k in params]
            if "year" in params:
                sets.append(index.decided_in(str(params["year"])))
        elif shape == "shares_article":
            case = str(params["case"])
            cited = self._cards(o for _, _, o in self._out([case], "CITES"))
            own = index.rank(case)
            sets = [np.setdiff1d(reduce(np.union1d, [index.members("citing_cases", a) for a, c in cited.items()
                                                      if c.kind == "Article"], np.empty(0, np.int32)),
                                 [own] if own is not None else [])]
        else:
            (value,) = params.values()
            sets = [index.members(shape, str(value))]
        return index.page(sets, offset, limit)

    # _cards and _links read Oxigraph's indexes directly (quads_for_pattern): no SPARQL to parse
    # and no rdflib terms to build. Reading the 1,900 cases illustrating measure 15 at 100×
    # through one SELECT per node and rdflib rows took ~0.2 s; with a predicate given, the index
    # lookup returns only the wanted links.
    def _cards(self, iris: Iterable[str]) -> dict[str, _Card]:
        store = self.store.ox()
        out = {}
        for iri_ in sorted(set(iris)):
            try:
                node = ox.NamedNode(iri_)
            except ValueError:
                continue
            types: list[str] = []
            props: dict[str, list[Any]] = {}
            for q in store.quads_for_pattern(node, None, None, ox.DefaultGraph()):
                _read_literal(q.predicate, q.object, types, props)
            if types or props:
                out[iri_] = _card_from_props(iri_, types, props)
        return out

    def _node_derived(self, iris, key):
        store, out = self.store.ox(), {}
        pred, graph = ox.NamedNode(_IPRG + key), ox.NamedNode(DERIVED_GRAPH)
        for iri_ in iris:
            for q in store.quads_for_pattern(ox.NamedNode(iri_), pred, None, graph):
                out[iri_] = q.object.value
        return out

    def _links(self, iris, types, direction):
        store = self.store.ox()
        preds = [ox.NamedNode(_REL_PREDICATES[t]) for t in types] if types and all(t in _REL_PREDICATES for t in types) else [None]
        wanted = set(types) if types else None
        out = set()
        type_name = self._namer()
        for iri_ in iris:
            node = ox.NamedNode(iri_)
            for pred in preds:
                found = (store.quads_for_pattern(node, pred, None, ox.DefaultGraph()) if direction == "out"
                         else store.quads_for_pattern(None, pred, node, ox.DefaultGraph()))
                for q in found:
                    other = q.object if direction == "out" else q.subject
                    if type(other) is not ox.NamedNode or q.predicate.value == _RDF_TYPE:
                        continue
                    t = type_name(q.predicate.value)
                    if wanted is None or t in wanted:
                        out.add((iri_, t, other.value))
        return sorted(out)

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
        for s, p, o in self._solutions(text, binds, ("x", "p", "o")):
            if isinstance(s, ox.NamedNode):
                _read_literal(p, o, types.setdefault(s.value, []), props.setdefault(s.value, {}))
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

    # -- search: the generation's FTS5 index (kg.explorer.derive.write_search_index) -----------
    def _search_db(self) -> sqlite3.Connection:
        gen = self.store.current_generation()
        local = self._local
        if getattr(local, "gen", None) != gen:
            folder = self.store.derived_dir(gen)
            if folder is None or not (folder / "search.sqlite").exists():
                raise NoDerivedData(gen)
            if getattr(local, "db", None) is not None:
                local.db.close()
            local.db = sqlite3.connect(f"file:{folder / 'search.sqlite'}?mode=ro", uri=True)
            local.gen = gen
        return local.db

    def _search_ordered(self, terms):
        db = self._search_db()
        query = fts_query(terms)
        if query is None:   # nothing the index can look up: every node, in order
            sql, args = "SELECT node FROM nodes ORDER BY sorder LIMIT ? OFFSET ?", ()
        else:
            sql = ("SELECT d.node FROM fts JOIN docs d ON d.id = fts.rowid JOIN nodes n ON n.node = d.node "
                   "WHERE fts MATCH ? GROUP BY d.node ORDER BY min(n.sorder) LIMIT ? OFFSET ?")
            args = (query,)
        offset, batch = 0, _SEARCH_BATCH
        while True:
            page = [r[0] for r in db.execute(sql, (*args, batch, offset))]
            if not page:
                return
            props: dict[str, dict[str, list[Any]]] = {n: {} for n in page}
            marks = ",".join("?" * len(page))
            for node, key, value in db.execute(f"SELECT node, key, value FROM docs WHERE node IN ({marks})", page):
                props[node].setdefault(key, []).append(value)
            yield from props.items()
            if len(page) < batch:
                return
            offset, batch = offset + batch, batch * 4

    def _graph_nodes(self, iris):
        # kind and labels of explorable nodes from the index (200 cards through Oxigraph: ~0.5 s
        # at 100× on a loaded machine); others (a mention asked about directly) from their card
        db, wanted, out = self._search_db(), list(iris), {}
        for i in range(0, len(wanted), 500):
            part = wanted[i:i + 500]
            out.update((n, (k, zh, en)) for n, k, zh, en in db.execute(
                f"SELECT node, kind, label_zh, label_en FROM nodes WHERE node IN ({','.join('?' * len(part))})", part))
        missing = [i for i in wanted if i not in out]
        if missing:
            out.update(super()._graph_nodes(missing))
        return out

    def _adjacency_key(self):
        return self.store.read_generation()

    def _search_via(self, concepts, exclude, k):
        db = self._search_db()
        cm, xm, rm = (",".join("?" * len(v)) for v in (concepts, exclude, _VIA_RANKS))
        rows = db.execute(
            "SELECT v.x, group_concat(v.concept, char(10)) FROM via v JOIN nodes n ON n.node = v.x "
            f"WHERE v.concept IN ({cm}) AND v.x NOT IN ({xm}) AND substr(n.sorder, 1, 2) IN ({rm}) "
            "GROUP BY v.x ORDER BY substr(min(n.sorder), 1, 2), count(*) DESC, min(n.sorder) LIMIT ?",
            (*concepts, *exclude, *_VIA_RANKS, k))
        return [(x, cs.split("\n")) for x, cs in rows]
