"""Project an RDF graph onto a property graph, and back.

Why one pure projection: the Neo4j mirror, the GraphML export and the CSV (neo4j-admin) export
must show the same nodes, labels, properties and relationships, and the mirror must be able to
give back exactly the RDF it was fed (``pg_to_rdf`` is isomorphic to the input). So the naming
rules live here once, and every name the projection invents is recorded in a :class:`Mapping`
(property key → predicate IRI + datatype/language + value encoding; relationship type →
predicate IRI; label → class IRI) that travels with the data.

Rules (DESIGN.md, "Neo4j mirror"):

* one node per IRI that is an RDF subject or the object of an IRI-valued triple; every node has
  the label ``Resource`` and a unique ``uri``; ``rdf:type`` objects become further labels named
  by their local name;
* a literal becomes a property ``<localname>_<lang>`` (language-tagged) or ``<localname>``;
  several values of one key become a sorted list; typed literals become native Neo4j values
  (xsd:integer → int, xsd:decimal/double → float, xsd:boolean → bool, xsd:date → date) only when
  every value of that key converts back to the identical literal, otherwise the lexical form is
  kept as a string (the mapping says which);
* an IRI-valued triple becomes one relationship, type = local name in UPPER_SNAKE;
* two IRIs with the same local name: the one whose namespace comes first in
  :data:`kg.ns.PREFIXES` keeps the bare name, the others get their prefix (``dcterms_title``);
  names that are not identifiers (``^[A-Za-z_][A-Za-z0-9_]*$``) for labels and types are
  sanitised and suffixed with a hash, so label text never comes from anything but a validated
  identifier;
* blank nodes are refused (the project mints IRIs for everything) unless ``bnodes="skolemize"``.
"""

from __future__ import annotations

import datetime as dt
import gc
import hashlib
import json
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from collections.abc import Mapping as MappingABC
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from typing import Any, NamedTuple

from rdflib import Graph
from rdflib.namespace import RDF, XSD
from rdflib.term import BNode, Literal, URIRef

from kg.ns import PREFIXES, local_name
from kg.terms import from_ox

RESOURCE = "Resource"
MAPPING_LABEL = "_IprgMapping"
#: Property keys the mirror itself uses; a predicate that would get one of these is renamed.
RESERVED_KEYS = frozenset({"uri"})
IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")

_INT_TYPES = {str(XSD[t]) for t in ("integer", "int", "long", "short", "byte", "nonNegativeInteger",
                                    "positiveInteger", "negativeInteger", "nonPositiveInteger",
                                    "unsignedLong", "unsignedInt", "unsignedShort", "unsignedByte")}
_FLOAT_TYPES = {str(XSD.double), str(XSD.float)}
_INT64 = (-(2**63), 2**63 - 1)


class PgError(ValueError):
    """The graph cannot be projected (or read back); the message names the triple or key."""


@dataclass(frozen=True)
class Column:
    """How one property key maps back to RDF: which predicate, which datatype or language,
    and how values are stored (``str``, ``int``, ``float``, ``decimal``, ``bool``, ``date`` or
    ``lexical`` = the literal's lexical form as a string)."""

    key: str
    predicate: str
    datatype: str | None
    lang: str | None
    encoding: str


@dataclass(frozen=True)
class Mapping:
    """Every name the projection invented, so that the property graph can be turned back."""

    columns: dict[str, Column] = field(default_factory=dict)
    rel_types: dict[str, str] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> str:
        return json.dumps(
            {
                "version": 1,
                "columns": {k: [c.predicate, c.datatype, c.lang, c.encoding]
                            for k, c in sorted(self.columns.items())},
                "rel_types": dict(sorted(self.rel_types.items())),
                "labels": dict(sorted(self.labels.items())),
            },
            ensure_ascii=False, sort_keys=True,
        )

    @classmethod
    def from_json(cls, text: str) -> Mapping:
        try:
            data = json.loads(text)
            columns = {k: Column(k, p, d, lang, enc) for k, (p, d, lang, enc) in data["columns"].items()}
            return cls(columns, dict(data["rel_types"]), dict(data["labels"]))
        except (ValueError, KeyError, TypeError) as exc:
            raise PgError(f"the stored property-graph mapping is not readable: {exc}") from exc


@dataclass(frozen=True)
class Node:
    uri: str
    labels: tuple[str, ...]          # sorted, without "Resource"
    props: dict[str, Any]            # key → value or sorted list; never contains "uri"


class Edge(NamedTuple):
    """A tuple, not a dataclass: a 100× corpus has ~400k edges, and tuples build and sort in C."""

    src: str
    type: str
    dst: str


@dataclass(frozen=True)
class PropertyGraph:
    nodes: dict[str, Node]           # uri → node, in uri order
    edges: list[Edge]                # sorted
    mapping: Mapping
    triples: int

    def out_edges(self) -> dict[str, list[Edge]]:
        out: dict[str, list[Edge]] = defaultdict(list)
        for edge in self.edges:
            out[edge.src].append(edge)
        return out

    def label_counts(self) -> dict[str, int]:
        counts: dict[str, int] = defaultdict(int)
        for node in self.nodes.values():
            counts[RESOURCE] += 1
            for label in node.labels:
                counts[label] += 1
        return dict(sorted(counts.items()))

    def type_counts(self) -> dict[str, int]:
        counts: dict[str, int] = defaultdict(int)
        for edge in self.edges:
            counts[edge.type] += 1
        return dict(sorted(counts.items()))


# --- value encodings ---------------------------------------------------------------------------

def _encode(lex: str, encoding: str) -> Any:
    """A lexical form (``str(literal)``) as the column's native value."""
    if encoding in ("str", "lexical"):
        return lex
    if encoding == "int":
        value = int(lex)
        if not _INT64[0] <= value <= _INT64[1]:
            raise ValueError("outside 64-bit range")
        return value
    if encoding in ("float", "decimal"):
        return float(lex)
    if encoding == "bool":
        if lex not in ("true", "false"):
            raise ValueError("not canonical")
        return lex == "true"
    if encoding == "date":
        return dt.date.fromisoformat(lex)
    raise ValueError(encoding)


def _decimal_lex(value: float) -> str:
    text = repr(float(value))
    return text[:-2] if text.endswith(".0") else text


def _decode(value: Any, column: Column) -> Literal:
    enc, dtype = column.encoding, column.datatype
    if column.lang:
        return Literal(value, lang=column.lang)
    if enc == "str" and dtype is None:
        return Literal(value)
    if enc == "int":
        lex = str(int(value))
    elif enc == "decimal":
        lex = _decimal_lex(value)
    elif enc == "float":
        lex = repr(float(value))
    elif enc == "bool":
        lex = "true" if value else "false"
    elif enc == "date":
        lex = (value.to_native() if hasattr(value, "to_native") else value).isoformat()
    else:
        lex = str(value)
    return Literal(lex, datatype=URIRef(dtype) if dtype else None)


def _native_encoding(datatype: str | None, lang: str | None) -> str:
    if lang or datatype is None or datatype == str(XSD.string):
        return "str"
    if datatype in _INT_TYPES:
        return "int"
    if datatype == str(XSD.decimal):
        return "decimal"
    if datatype in _FLOAT_TYPES:
        return "float"
    if datatype == str(XSD.boolean):
        return "bool"
    if datatype == str(XSD.date):
        return "date"
    return "lexical"


def _round_trips(lex: str, column: Column) -> bool:
    """Does the lexical form come back identical from its native value? (Literal equality is
    datatype, language and lexical form; the datatype and language are the column's.)"""
    try:
        return str(_decode(_encode(lex, column.encoding), column)) == lex
    except (ValueError, TypeError, OverflowError):
        return False


# --- naming -------------------------------------------------------------------------------------

_NS_ORDER = [str(ns) for ns in PREFIXES.values()]
_NS_PREFIX = {str(ns): p for p, ns in PREFIXES.items()}


def _namespace(iri: str) -> str:
    return iri[: len(iri) - len(local_name(iri))] if local_name(iri) else iri


def _ns_rank(iri: str) -> tuple[int, str]:
    ns = _namespace(iri)
    return (_NS_ORDER.index(ns) if ns in _NS_ORDER else len(_NS_ORDER), ns)


def _ns_prefix(iri: str) -> str:
    ns = _namespace(iri)
    return _NS_PREFIX.get(ns) or "ns" + hashlib.sha1(ns.encode("utf-8")).hexdigest()[:6]


def upper_snake(name: str) -> str:
    """``hasPart`` → ``HAS_PART``, ``wasGeneratedBy`` → ``WAS_GENERATED_BY``."""
    name = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name)
    name = re.sub(r"(?<=[A-Z])(?=[A-Z][a-z])", "_", name)
    return name.upper()


def _identifier(name: str, iri: str) -> str:
    """A validated identifier for label/type text; anything else is sanitised and hashed."""
    if IDENT.match(name):
        return name
    clean = re.sub(r"[^A-Za-z0-9_]", "_", name)
    if not clean or clean[0].isdigit():
        clean = "_" + clean
    return f"{clean}_{hashlib.sha1(iri.encode('utf-8')).hexdigest()[:6]}"


def _assign_names(iris: Iterable[str], base, reserved: frozenset[str], prefixed) -> dict[str, str]:
    """Give each IRI a unique name; on a clash the namespace earliest in PREFIXES wins."""
    groups: dict[str, list[str]] = defaultdict(list)
    for iri in sorted(set(iris)):
        groups[base(iri)].append(iri)
    names: dict[str, str] = {}
    for name, members in sorted(groups.items()):
        members.sort(key=_ns_rank)
        for i, iri in enumerate(members):
            names[iri] = name if i == 0 and name not in reserved else prefixed(iri, name)
    taken: dict[str, str] = {}
    for iri, name in sorted(names.items()):
        if name in taken or name in reserved:   # a prefixed name met a bare one: hash it apart
            name = f"{name}_{hashlib.sha1(iri.encode('utf-8')).hexdigest()[:6]}"
            names[iri] = name
        taken[name] = iri
    return names


def _label_names(classes: Iterable[str]) -> dict[str, str]:
    return _assign_names(
        classes,
        lambda iri: _identifier(local_name(iri), iri),
        frozenset({RESOURCE, MAPPING_LABEL}),
        lambda iri, name: _identifier(f"{_ns_prefix(iri)}_{name}", iri),
    )


def _type_names(predicates: Iterable[str]) -> dict[str, str]:
    return _assign_names(
        predicates,
        lambda iri: _identifier(upper_snake(local_name(iri)), iri),
        frozenset(),
        lambda iri, name: _identifier(f"{_ns_prefix(iri).upper()}_{name}", iri),
    )


def _key_bases(predicates: Iterable[str]) -> dict[str, str]:
    return _assign_names(
        predicates,
        lambda iri: local_name(iri) or "value",
        RESERVED_KEYS,
        lambda iri, name: f"{_ns_prefix(iri)}_{name}",
    )


# --- projection ---------------------------------------------------------------------------------

_RDF_TYPE = str(RDF.type)
_XSD_STRING = str(XSD.string)
_PLAIN = ("str", "lexical")


def _bnode_error(s: str, p: str, o: str) -> PgError:
    return PgError(
        f"blank node in triple ({s} {p} {o}): the mirror needs IRIs for every node; mint one with "
        "kg.ns.iri/hashed, or project with bnodes='skolemize'"
    )


def _rows_rdflib(triples: Iterable[tuple]) -> Iterable[tuple[str, str, bool, str, str | None, str | None]]:
    """(subject, predicate, is_literal, object or lexical form, datatype, language) as strings."""
    for s, p, o in triples:
        if isinstance(s, BNode) or isinstance(o, BNode):
            raise _bnode_error(s.n3(), p.n3(), o.n3())
        if isinstance(o, Literal):
            d = o.datatype
            yield str(s), str(p), True, str(o), (str(d) if d else None), o.language
        else:
            yield str(s), str(p), False, str(o), None, None


def _rows_oxigraph(triples: Iterable[Any]) -> Iterable[tuple[str, str, bool, str, str | None, str | None]]:
    """The same rows from pyoxigraph triples/quads, without building an rdflib term per triple.

    Typed literals other than xsd:string get rdflib's lexical normalisation (once per distinct
    value), so a graph read from Oxigraph projects exactly as its rdflib copy
    (``GraphStore.to_graph``) would."""
    import pyoxigraph as ox

    named, literal = ox.NamedNode, ox.Literal
    lexical: dict[tuple[str, str], str] = {}
    for t in triples:
        s, o = t.subject, t.object
        if type(s) is not named or (type(o) is not named and type(o) is not literal):
            raise _bnode_error(str(s), str(t.predicate), str(o))
        if type(o) is literal:
            lang = o.language
            if lang:
                yield s.value, t.predicate.value, True, o.value, None, lang
                continue
            d = o.datatype.value
            if d == _XSD_STRING:
                yield s.value, t.predicate.value, True, o.value, None, None
                continue
            value = o.value
            lex = lexical.get((value, d))
            if lex is None:
                lex = lexical[(value, d)] = str(Literal(value, datatype=URIRef(d)))
            yield s.value, t.predicate.value, True, lex, d, None
        else:
            yield s.value, t.predicate.value, False, o.value, None, None


def _is_oxigraph(first: Any) -> bool:
    return type(first).__module__.startswith("pyoxigraph")


def _to_rdflib(triples: Iterable[Any]) -> Graph:
    g = Graph()
    for t in triples:
        if hasattr(t, "subject"):
            g.add((from_ox(t.subject), from_ox(t.predicate), from_ox(t.object)))
        else:
            g.add(t)
    return g


def project(graph: Graph | Iterable[tuple] | Iterable[Any], *, bnodes: str = "reject") -> PropertyGraph:
    """RDF → property graph. ``bnodes``: ``"reject"`` (default) or ``"skolemize"``.

    ``graph`` is an rdflib Graph, an iterable of rdflib triples, or an iterable of pyoxigraph
    triples/quads (``pyoxigraph.parse``, ``Store.quads_for_pattern``): the last is the fast path,
    it never builds rdflib terms for IRIs or plain/language strings. Duplicate triples count once.
    """
    if bnodes not in ("reject", "skolemize"):
        raise ValueError("bnodes must be 'reject' or 'skolemize'")
    with no_gc():
        return _project(graph, bnodes)


@contextmanager
def no_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while building millions of small containers: they
    hold no cycles, and the collector's repeated full scans cost ~30% of a 100× projection."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _project(graph: Graph | Iterable[Any], bnodes: str) -> PropertyGraph:
    if bnodes == "skolemize":
        graph = (graph if isinstance(graph, Graph) else _to_rdflib(graph)).skolemize()
    if isinstance(graph, Graph):
        rows = _rows_rdflib(graph)
    else:
        items = iter(graph)
        first = next(items, None)
        head = [] if first is None else [first]
        chained = _chain(head, items)
        rows = _rows_oxigraph(chained) if first is not None and _is_oxigraph(first) else _rows_rdflib(chained)

    # one pass: literal values per subject and column, rdf:type classes, IRI-valued triples
    lits: dict[str, dict[tuple[str, str | None, str | None], list[str]]] = {}
    types: dict[str, set[str]] = {}
    outs: dict[str, set[tuple[str, str]]] = {}       # subject → {(predicate, object IRI)}
    targets: set[str] = set()
    obj_preds: set[str] = set()
    native: dict[tuple[str, str | None, str | None], set[str]] = {}   # distinct values to check
    for s, p, is_lit, o, d, lang in rows:
        if is_lit:
            key = (p, d, lang)
            per = lits.get(s)
            if per is None:
                per = lits[s] = {}
            values = per.get(key)
            if values is None:
                per[key] = [o]
                if d is not None and d != _XSD_STRING and not lang:
                    native.setdefault(key, set()).add(o)
                else:
                    native.setdefault(key, None)  # type: ignore[arg-type]
            else:
                values.append(o)
                if d is not None and d != _XSD_STRING and not lang:
                    native[key].add(o)
        elif p == _RDF_TYPE:
            types.setdefault(s, set()).add(o)
        else:
            per_out = outs.get(s)
            if per_out is None:
                outs[s] = {(p, o)}
            else:
                per_out.add((p, o))
            targets.add(o)
            obj_preds.add(p)

    classes: set[str] = set().union(*types.values()) if types else set()

    # property keys: base name per predicate, then a suffix per language / extra datatype
    bases = _key_bases(p for p, _, _ in native)
    columns: dict[tuple[str, str | None, str | None], Column] = {}
    used: set[str] = set(RESERVED_KEYS)
    by_pred: dict[str, list[tuple[str | None, str | None]]] = defaultdict(list)
    for p, d, lang in native:
        by_pred[p].append((d, lang))
    for p in sorted(by_pred):
        base = bases[p]
        plain = sorted((d for d, lang in by_pred[p] if not lang),
                       key=lambda d: (d not in (None, _XSD_STRING), d or ""))
        candidates = [((d, None), base if i == 0 else f"{base}__{local_name(d or 'string')}")
                      for i, d in enumerate(plain)]
        candidates += [((None, lang), f"{base}_{lang.replace('-', '_')}")
                       for _, lang in sorted((d, lang) for d, lang in by_pred[p] if lang)]
        for (d, lang), key in candidates:
            while key in used:
                key = f"{key}_{hashlib.sha1(f'{p}{d}{lang}'.encode()).hexdigest()[:4]}"
            used.add(key)
            col = Column(key, p, d, lang, _native_encoding(d, lang))
            if col.encoding not in _PLAIN and not all(_round_trips(v, col) for v in native[(p, d, lang)]):
                col = Column(key, p, d, lang, "lexical")
            columns[(p, d, lang)] = col

    labels = _label_names(classes)
    types_of = _type_names(obj_preds)
    mapping = Mapping(
        columns={c.key: c for c in columns.values()},
        rel_types={types_of[p]: p for p in obj_preds},
        labels={labels[c]: c for c in classes},
    )

    uris = set(lits)
    uris.update(types)
    uris.update(outs)
    uris.update(targets)
    count = 0
    nodes: dict[str, Node] = {}
    edge_rows: list[tuple[str, str, str]] = []      # sorted by construction: uri, then type, dst
    no_lits: dict = {}
    for uri in sorted(uris):
        props: dict[str, Any] = {}
        for ckey, lexes in lits.get(uri, no_lits).items():
            col = columns[ckey]
            enc = col.encoding
            if len(lexes) == 1:
                props[col.key] = lexes[0] if enc in _PLAIN else _encode(lexes[0], enc)
                count += 1
            else:
                vals = sorted(set(lexes if enc in _PLAIN else [_encode(x, enc) for x in lexes]))
                props[col.key] = vals if len(vals) > 1 else vals[0]
                count += len(vals)
        classes_of = types.get(uri)
        if classes_of:
            count += len(classes_of)
            node_labels = tuple(sorted(labels[c] for c in classes_of))
        else:
            node_labels = ()
        nodes[uri] = Node(uri, node_labels, dict(sorted(props.items())) if len(props) > 1 else props)
        out_of = outs.get(uri)
        if out_of:
            count += len(out_of)
            edge_rows.extend(sorted([(uri, types_of[p], o) for p, o in out_of]))
    # tuple.__new__ through map: ~3× faster than calling the NamedTuple constructor per edge
    edges = list(map(partial(tuple.__new__, Edge), edge_rows))
    return PropertyGraph(nodes, edges, mapping, count)


def _chain(head: list, rest: Iterable) -> Iterable:
    yield from head
    yield from rest


# --- hashing (what the mirror stores to diff cheaply) ------------------------------------------

def _canon(value: Any) -> Any:
    if isinstance(value, (str, int, float)):    # the common case first: most values are text
        return value
    if isinstance(value, list):
        return [_canon(v) for v in value]
    if hasattr(value, "to_native"):
        value = value.to_native()
    if isinstance(value, dt.date):
        return {"$date": value.isoformat()}
    return value


def node_hash(node: Node) -> str:
    payload = json.dumps([list(node.labels), {k: _canon(v) for k, v in sorted(node.props.items())}],
                         ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha1(payload.encode("utf-8")).hexdigest()


def edges_hash(edges: Iterable[Edge]) -> str:
    lines = sorted(f"{e.type}\t{e.dst}" for e in edges)
    return hashlib.sha1("\n".join(lines).encode("utf-8")).hexdigest()


EMPTY_EDGES_HASH = edges_hash([])


def normalise_value(value: Any) -> Any:
    """A value read from Neo4j, in the projection's terms (neo4j Date → date, lists sorted)."""
    if isinstance(value, (list, tuple)):
        return sorted(normalise_value(v) for v in value)
    if hasattr(value, "to_native") and not isinstance(value, dt.date):
        return value.to_native()
    return value


# --- back to RDF --------------------------------------------------------------------------------

def pg_to_rdf(
    nodes: Iterable[Node | tuple[str, Iterable[str], MappingABC[str, Any]]],
    edges: Iterable[Edge | tuple[str, str, str]],
    mapping: Mapping,
) -> Graph:
    """Property graph → RDF through ``mapping``. Keys starting with ``_`` are the mirror's own."""
    graph = Graph()
    for prefix, ns in PREFIXES.items():
        graph.bind(prefix, ns, override=True)
    for item in nodes:
        uri, labels, props = (item.uri, item.labels, item.props) if isinstance(item, Node) else item
        subject = URIRef(uri)
        for label in labels:
            if label == RESOURCE:
                continue
            if label not in mapping.labels:
                raise PgError(f"node {uri}: label {label!r} is not in the mapping")
            graph.add((subject, RDF.type, URIRef(mapping.labels[label])))
        for key, value in props.items():
            if key in RESERVED_KEYS or key.startswith("_"):
                continue
            column = mapping.columns.get(key)
            if column is None:
                raise PgError(f"node {uri}: property {key!r} is not in the mapping")
            for v in value if isinstance(value, (list, tuple)) else [value]:
                graph.add((subject, URIRef(column.predicate), _decode(v, column)))
    for item in edges:
        src, rtype, dst = (item.src, item.type, item.dst) if isinstance(item, Edge) else item
        if rtype not in mapping.rel_types:
            raise PgError(f"relationship {src} -[{rtype}]-> {dst}: type not in the mapping")
        graph.add((URIRef(src), URIRef(mapping.rel_types[rtype]), URIRef(dst)))
    return graph


def relationship_types(predicates: Iterable[str]) -> dict[str, str]:
    """Predicate IRI → relationship type name, exactly as the mirror names them (the explorer
    reads the embedded store with the same names)."""
    return _type_names(predicates)
