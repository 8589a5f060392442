"""SHACL validation of a graph against ``ontology/shapes.ttl``.

Why in ``ontology/``: whether a graph is valid is a question about the shapes, not about how the
graph was made; the ingest pipeline returns a graph, and its callers (``kg ingest``,
``kg validate``, the server's first build) validate it here before anything is stored.
"""

from __future__ import annotations

from rdflib import Graph
from rdflib.namespace import RDF, SH

from ontology import path


class ValidationError(ValueError):
    """The graph breaks the shapes; the message counts the violations and shows the first."""


def validate(g: Graph) -> None:
    """Raise :class:`ValidationError` listing the violations (warnings are allowed)."""
    shapes = path("shapes.ttl")
    if not shapes.exists():
        return
    from pyshacl import validate as shacl

    sg = Graph().parse(shapes, format="turtle")
    conforms, report, _text = shacl(g, shacl_graph=sg, inference="none", advanced=True, allow_warnings=True)
    if conforms:
        return
    lines = []
    for r in report.subjects(RDF.type, SH.ValidationResult):
        if (r, SH.resultSeverity, SH.Violation) not in report:
            continue
        focus = report.value(r, SH.focusNode)
        msgs = [str(m) for m in report.objects(r, SH.resultMessage) if getattr(m, "language", None) in (None, "en")]
        lines.append(f"{focus}: {msgs[0] if msgs else report.value(r, SH.sourceShape)}")
    if not lines:
        return
    shown = "; ".join(sorted(lines)[:5])
    raise ValidationError(f"graph fails SHACL validation ({len(lines)} violations): {shown}")
