"""RDF terms between rdflib, Oxigraph and plain JSON values.

Why here: the store, the projection (:mod:`kg.pg`), the explorer and the console all convert
terms; one leaf module keeps them agreeing and keeps those modules from importing each other
for a three-line helper.
"""

from __future__ import annotations

from typing import Any

import pyoxigraph as ox
from rdflib.namespace import XSD
from rdflib.term import BNode, Literal, URIRef

XSD_STRING = str(XSD.string)
INT_TYPES = frozenset(str(XSD[t]) for t in (
    "integer", "int", "long", "short", "byte", "nonNegativeInteger", "positiveInteger",
    "negativeInteger", "nonPositiveInteger"))
FLOAT_TYPES = frozenset((str(XSD.decimal), str(XSD.double), str(XSD.float)))


def to_ox(term: URIRef | BNode | Literal) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    """rdflib term → Oxigraph term."""
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if term.language:
        return ox.Literal(str(term), language=term.language)
    if term.datatype:
        return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
    return ox.Literal(str(term))


def from_ox(term: ox.NamedNode | ox.BlankNode | ox.Literal | None):
    """Oxigraph term → rdflib term (None stays None, for unbound SPARQL variables)."""
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if term.language:
        return Literal(term.value, lang=term.language)
    dt = term.datatype.value
    if dt == XSD_STRING:
        return Literal(term.value)
    return Literal(term.value, datatype=URIRef(dt))


def ox_py(term: ox.Literal) -> Any:
    """What :func:`py_value` gives for an Oxigraph literal, without building an rdflib term
    (cards read thousands of literals per answer; rdflib's Literal was a third of that time)."""
    if term.language:
        return term.value
    dtype = term.datatype.value
    if dtype == XSD_STRING:
        return term.value
    for types, parse in ((INT_TYPES, int), (FLOAT_TYPES, float)):
        if dtype in types:
            try:
                return parse(term.value)
            except ValueError:
                return term.value
    # dates and URLs as written; anything else as rdflib reads it (it normalises booleans, dateTimes)
    return term.value if dtype in _AS_WRITTEN else py_value(from_ox(term))


_AS_WRITTEN = frozenset(str(XSD[t]) for t in ("date", "gYear", "gYearMonth", "anyURI"))


def py_value(value: Any) -> Any:
    """A literal value in plain JSON terms: ints, floats, bools, strings (dates as ISO text)."""
    if isinstance(value, Literal):
        dtype = str(value.datatype) if value.datatype else None
        if value.language or dtype is None or dtype == XSD_STRING:
            return str(value)
        if dtype in INT_TYPES:
            try:
                return int(str(value))
            except ValueError:
                return str(value)
        if dtype in FLOAT_TYPES:
            try:
                return float(str(value))
            except ValueError:
                return str(value)
        if dtype == str(XSD.boolean):
            return str(value) == "true"
        return str(value)
    if isinstance(value, URIRef):
        return str(value)
    if hasattr(value, "iso_format"):
        return value.iso_format()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value
