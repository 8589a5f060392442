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
import hashlib
import json
import re
from collections import defaultdict
from collections.abc import Iterable
from collections.abc import Mapping as MappingABC
from dataclasses import dataclass, field
from typing import Any

from rdflib import Graph
from rdflib.namespace import RDF, XSD
from rdflib.term import BNode, Literal, URIRef

from kg.ns import PREFIXES, local_name

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


@dataclass(frozen=True, order=True)
class Edge:
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

def _encode(lit: Literal, encoding: str) -> Any:
    lex = str(lit)
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


def _round_trips(lit: Literal, column: Column) -> bool:
    try:
        return _decode(_encode(lit, column.encoding), column) == lit
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

def project(graph: Graph | Iterable[tuple], *, bnodes: str = "reject") -> PropertyGraph:
    """RDF → property graph. ``bnodes``: ``"reject"`` (default) or ``"skolemize"``."""
    if bnodes not in ("reject", "skolemize"):
        raise ValueError("bnodes must be 'reject' or 'skolemize'")
    if bnodes == "skolemize":
        if not isinstance(graph, Graph):
            g = Graph()
            for t in graph:
                g.add(t)
            graph = g
        graph = graph.skolemize()
    triples = list(graph) if not isinstance(graph, Graph) else graph

    classes: set[str] = set()
    obj_preds: set[str] = set()
    lit_columns: dict[tuple[str, str | None, str | None], list[Literal]] = defaultdict(list)
    subjects: dict[str, list[tuple[str, Any]]] = defaultdict(list)
    count = 0
    for s, p, o in triples:
        count += 1
        if isinstance(s, BNode) or isinstance(o, BNode):
            raise PgError(
                f"blank node in triple ({s.n3()} {p.n3()} {o.n3()}): the mirror needs IRIs for "
                "every node; mint one with kg.ns.iri/hashed, or project with bnodes='skolemize'"
            )
        su, pu = str(s), str(p)
        if isinstance(o, Literal):
            key = (pu, str(o.datatype) if o.datatype else None, o.language)
            lit_columns[key].append(o)
            subjects[su].append(("lit", (key, o)))
        elif p == RDF.type:
            classes.add(str(o))
            subjects[su].append(("type", str(o)))
        else:
            obj_preds.add(pu)
            subjects[su].append(("rel", (pu, str(o))))
            subjects.setdefault(str(o), [])

    # property keys: base name per predicate, then a suffix per language / extra datatype
    bases = _key_bases(p for p, _, _ in lit_columns)
    columns: dict[tuple[str, str | None, str | None], Column] = {}
    used: set[str] = set(RESERVED_KEYS)
    by_pred: dict[str, list[tuple[str | None, str | None]]] = defaultdict(list)
    for p, d, lang in lit_columns:
        by_pred[p].append((d, lang))
    for p in sorted(by_pred):
        base = bases[p]
        plain = sorted((d for d, lang in by_pred[p] if not lang),
                       key=lambda d: (d not in (None, str(XSD.string)), d or ""))
        candidates = [((d, None), base if i == 0 else f"{base}__{local_name(d or 'string')}")
                      for i, d in enumerate(plain)]
        candidates += [((None, lang), f"{base}_{lang.replace('-', '_')}")
                       for _, lang in sorted((d, lang) for d, lang in by_pred[p] if lang)]
        for (d, lang), key in candidates:
            while key in used:
                key = f"{key}_{hashlib.sha1(f'{p}{d}{lang}'.encode()).hexdigest()[:4]}"
            used.add(key)
            col = Column(key, p, d, lang, _native_encoding(d, lang))
            if col.encoding != "str" and not all(_round_trips(v, col) for v in lit_columns[(p, d, lang)]):
                col = Column(key, p, d, lang, "lexical")
            columns[(p, d, lang)] = col

    labels = _label_names(classes)
    types = _type_names(obj_preds)
    mapping = Mapping(
        columns={c.key: c for c in columns.values()},
        rel_types={types[p]: p for p in obj_preds},
        labels={labels[c]: c for c in classes},
    )

    nodes: dict[str, Node] = {}
    edges: list[Edge] = []
    for uri in sorted(subjects):
        values: dict[str, list[Any]] = defaultdict(list)
        node_labels: list[str] = []
        for kind, item in subjects[uri]:
            if kind == "lit":
                key, lit = item
                col = columns[key]
                values[col.key].append(_encode(lit, col.encoding))
            elif kind == "type":
                node_labels.append(labels[item])
            else:
                edges.append(Edge(uri, types[item[0]], item[1]))
        props = {k: (v[0] if len(v) == 1 else sorted(v)) for k, v in sorted(values.items())}
        nodes[uri] = Node(uri, tuple(sorted(node_labels)), props)
    edges.sort()
    return PropertyGraph(nodes, edges, mapping, count)


# --- hashing (what the mirror stores to diff cheaply) ------------------------------------------

def _canon(value: Any) -> Any:
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
