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


#: What one pass over the triples gathers, per subject: literal values under ``(predicate,
#: datatype, language)`` keys, IRI objects under the predicate itself (``rdf:type`` included).
#: Lists, not sets: a triple seen twice is removed when the node is built.
Gathered = dict[str, dict[Any, list[str]]]


def _gather_rdflib(triples: Iterable[tuple], subjects: Gathered, typed: dict[tuple, set[str]]) -> None:
    """Gather rdflib triples: lexical forms as ``str(literal)``, datatypes as given."""
    for s, p, o in triples:
        if isinstance(s, BNode) or isinstance(o, BNode):
            raise _bnode_error(s.n3(), p.n3(), o.n3())
        data = subjects.get(str(s))
        if data is None:
            data = subjects[str(s)] = {}
        if isinstance(o, Literal):
            d = o.datatype
            key: Any = (str(p), str(d) if d else None, o.language)
            if d is not None and d != XSD.string and not o.language:
                typed.setdefault(key, set()).add(str(o))
        else:
            key = str(p)
        values = data.get(key)
        if values is None:
            data[key] = [str(o)]
        else:
            values.append(str(o))


def _gather_oxigraph(triples: Iterable[Any], subjects: Gathered, typed: dict[tuple, set[str]]) -> None:
    """Gather pyoxigraph triples/quads without building an rdflib term per triple.

    The hottest loop of a sync (once per triple), so it does as little per triple as it can:
    the subject's dict is looked up only when the subject changes (triples come grouped by
    subject from Oxigraph and from Turtle), and predicate names and literal keys are cached per
    distinct predicate (and datatype/language). Typed literals other than xsd:string get
    rdflib's lexical normalisation (once per distinct value), so a graph read from Oxigraph
    projects exactly as its rdflib copy (``GraphStore.to_graph``) would."""
    import pyoxigraph as ox

    named, literal = ox.NamedNode, ox.Literal
    lexical: dict[tuple[str, str], str] = {}
    predicates: dict[Any, str] = {}
    literal_keys: dict[tuple[Any, Any], tuple[tuple, str | None]] = {}
    last = data = None
    for t in triples:
        s, o = t.subject, t.object
        kind = type(o)
        if kind is not named and kind is not literal or type(s) is not named:
            raise _bnode_error(str(s), str(t.predicate), str(o))
        if s != last:
            last = s
            data = subjects.get(s.value)
            if data is None:
                data = subjects[s.value] = {}
        p = t.predicate
        value = o.value
        if kind is named:
            key: Any = predicates.get(p)
            if key is None:
                key = predicates[p] = p.value
        else:
            lang = o.language
            cache_key = (p, lang) if lang else (p, o.datatype)
            entry = literal_keys.get(cache_key)
            if entry is None:
                if lang:
                    entry = ((p.value, None, lang), None)
                else:
                    d = cache_key[1].value
                    entry = ((p.value, None, None), None) if d == _XSD_STRING else ((p.value, d, None), d)
                literal_keys[cache_key] = entry
            key, d = entry
            if d is not None:
                lex = lexical.get((value, d))
                if lex is None:
                    lex = lexical[(value, d)] = str(Literal(value, datatype=URIRef(d)))
                value = lex
                seen = typed.get(key)
                if seen is None:
                    typed[key] = {value}
                else:
                    seen.add(value)
        values = data.get(key)
        if values is None:
            data[key] = [value]
        else:
            values.append(value)


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
    stream = ProjectionStream(graph, bnodes=bnodes)
    nodes: dict[str, Node] = {}
    edges: list[Edge] = []           # sorted: by source uri, then type, target
    with no_gc():
        for node, out in stream:
            nodes[node.uri] = node
            edges += out
    return PropertyGraph(nodes, edges, stream.mapping, stream.triples)


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


class ProjectionStream:
    """The projection node by node, for writers that need not hold the whole property graph.

    Why: the names (the :class:`Mapping`) depend on every triple, so one pass over the triples
    comes first (in the constructor); but a node is complete once its own triples are gathered,
    so nodes can be built as a writer consumes them, in uri order, each with its outgoing
    relationships, and the gathered triples of each are freed as it is built. The mirror streams
    them into Neo4j this way, so Neo4j writes the first batch while the rest are still being built.
    Iterate once; ``triples`` (distinct triples) is known when the iteration is complete.
    """

    def __init__(self, graph: Graph | Iterable[tuple] | Iterable[Any], *, bnodes: str = "reject") -> None:
        if bnodes not in ("reject", "skolemize"):
            raise ValueError("bnodes must be 'reject' or 'skolemize'")
        with no_gc():
            self._plan(_gathered(graph, bnodes))
        self.triples = 0
        self._consumed = False

    def _plan(self, gathered: tuple[Gathered, dict[tuple, set[str]]]) -> None:
        subjects, typed = gathered
        keys: set[Any] = set()
        uris = set(subjects)
        for data in subjects.values():
            keys.update(data)
            for key, values in data.items():
                if type(key) is str and key != _RDF_TYPE:
                    uris.update(values)              # objects of IRI-valued triples are nodes too
        lit_keys = [k for k in keys if type(k) is tuple]
        obj_preds = {k for k in keys if type(k) is str and k != _RDF_TYPE}
        classes = {c for data in subjects.values() for c in data.get(_RDF_TYPE, ())}

        self._columns = _columns(lit_keys, typed)
        self._labels = _label_names(classes)
        self._types = _type_names(obj_preds)
        self.mapping = Mapping(
            columns={c.key: c for c in self._columns.values()},
            rel_types={self._types[p]: p for p in obj_preds},
            labels={self._labels[c]: c for c in classes},
        )
        self._subjects = subjects
        self._uris = sorted(uris)
        self._canon = {u: u for u in self._uris}   # one string per IRI, however often an object

    def __len__(self) -> int:
        """The number of nodes."""
        return len(self._uris)

    def __iter__(self) -> Iterator[tuple[Node, list[Edge]]]:
        if self._consumed:
            raise RuntimeError("a ProjectionStream is iterated once")
        self._consumed = True
        subjects, columns, labels, types_of, canon = (
            self._subjects, self._columns, self._labels, self._types, self._canon)
        new_edge = partial(tuple.__new__, Edge)
        no_data: dict = {}
        count = 0
        for uri in self._uris:
            props: dict[str, Any] = {}
            node_labels: tuple[str, ...] = ()
            out: list[tuple[str, list[str]]] = []
            for key, values in subjects.pop(uri, no_data).items():   # freed as nodes are built
                if type(key) is tuple:
                    col = columns[key]
                    enc = col.encoding
                    if len(values) == 1:
                        props[col.key] = values[0] if enc in _PLAIN else _encode(values[0], enc)
                        count += 1
                    else:
                        vals = sorted(set(values if enc in _PLAIN else [_encode(x, enc) for x in values]))
                        props[col.key] = vals if len(vals) > 1 else vals[0]
                        count += len(vals)
                elif key == _RDF_TYPE:
                    classes_of = set(values)
                    count += len(classes_of)
                    node_labels = tuple(sorted(labels[c] for c in classes_of))
                else:
                    out.append((types_of[key], values))
            edges: list[Edge] = []
            if out:
                out.sort()
                for rtype, objects in out:
                    targets = sorted(set(objects)) if len(objects) > 1 else objects
                    count += len(targets)
                    edges += [new_edge((uri, rtype, canon[o])) for o in targets]
            yield Node(uri, node_labels, dict(sorted(props.items())) if len(props) > 1 else props), edges
        self.triples = count
        self._canon = {}


def _gathered(graph: Graph | Iterable[Any], bnodes: str) -> tuple[Gathered, dict[tuple, set[str]]]:
    """One pass over the triples: per subject, its values by key; and the distinct lexical forms
    of every typed literal column (to decide its encoding)."""
    if bnodes == "skolemize":
        graph = (graph if isinstance(graph, Graph) else _to_rdflib(graph)).skolemize()
    subjects: Gathered = {}
    typed: dict[tuple, set[str]] = {}
    if isinstance(graph, Graph):
        _gather_rdflib(graph, subjects, typed)
    else:
        items = iter(graph)
        first = next(items, None)
        if first is not None:
            gather = _gather_oxigraph if _is_oxigraph(first) else _gather_rdflib
            gather(_chain([first], items), subjects, typed)
    return subjects, typed


def _columns(lit_keys: Iterable[tuple[str, str | None, str | None]],
             typed: dict[tuple, set[str]]) -> dict[tuple[str, str | None, str | None], Column]:
    """Property keys: base name per predicate, then a suffix per language / extra datatype; a
    typed column is stored natively only when every one of its values round-trips."""
    bases = _key_bases(p for p, _, _ in lit_keys)
    columns: dict[tuple[str, str | None, str | None], Column] = {}
    used: set[str] = set(RESERVED_KEYS)
    by_pred: dict[str, list[tuple[str | None, str | None]]] = defaultdict(list)
    for p, d, lang in lit_keys:
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
            if col.encoding not in _PLAIN and not all(_round_trips(v, col) for v in typed.get((p, d, lang), ())):
                col = Column(key, p, d, lang, "lexical")
            columns[(p, d, lang)] = col
    return columns


def _chain(head: list, rest: Iterable) -> Iterable:
    yield from head
    yield from rest


# --- hashing (what the mirror stores to diff cheaply) ------------------------------------------

def _json_default(value: Any) -> Any:
    """Dates as ``{"$date": iso}`` (and a Neo4j Date as its Python date) inside the hash payload."""
    if hasattr(value, "to_native"):
        value = value.to_native()
    if isinstance(value, dt.date):
        return {"$date": value.isoformat()}
    raise TypeError(f"cannot hash a {type(value).__name__}")


_hash_json = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"),
                              default=_json_default).encode


def node_hash(node: Node) -> str:
    """SHA-1 of the labels and properties as canonical JSON (sorted keys, dates tagged).

    The C encoder does the whole walk; dates reach it through ``default`` (the same text as the
    per-value canonicalisation this replaced, so hashes stored by earlier syncs still match)."""
    return hashlib.sha1(_hash_json([list(node.labels), node.props]).encode("utf-8")).hexdigest()


def edges_hash(edges: Iterable[Edge]) -> str:
    """SHA-1 of the sorted ``TYPE<tab>target`` lines of a node's outgoing relationships."""
    lines = sorted([e[1] + "\t" + e[2] for e in edges])
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
