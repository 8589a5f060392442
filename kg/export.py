"""Property-graph exports: GraphML and a neo4j-admin-ready CSV zip.

Why from :mod:`kg.pg`: a graph tool (Gephi, yEd, networkx) or ``neo4j-admin database import``
should see exactly the nodes, labels, properties and relationships the Neo4j mirror holds. Both
files carry the projection's mapping (GraphML: a graph-level ``iprg_mapping`` value; the zip:
``mapping.json``), so they can be turned back into RDF with :func:`kg.pg.pg_to_rdf`.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import zipfile
from pathlib import Path
from typing import Any
from xml.sax.saxutils import quoteattr

from rdflib import Graph

from kg import pg

#: Column encoding → (GraphML attr.type, neo4j-admin header type).
_TYPES = {
    "str": ("string", "string"), "lexical": ("string", "string"), "int": ("long", "long"),
    "float": ("double", "double"), "decimal": ("double", "double"), "bool": ("boolean", "boolean"),
    "date": ("string", "date"),
}
#: Array delimiters tried in order for the CSV zip; the first absent from every value is used.
_DELIMITERS = ("|", "¦", "\u001f")


def _columns(projection: pg.PropertyGraph) -> list[tuple[str, pg.Column, bool]]:
    """Every property key in use, its column, and whether any node holds a list for it."""
    multi: dict[str, bool] = {}
    for node in projection.nodes.values():
        for key, value in node.props.items():
            multi[key] = multi.get(key, False) or isinstance(value, list)
    return [(k, projection.mapping.columns[k], multi[k]) for k in sorted(multi)]


def _plain(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(_plain(value))


def write_graphml(graph: Graph, dest: Path | str) -> Path:
    """GraphML 1.0: nodes ``n0…`` with ``uri`` and ``labels`` (``:A:B``), one ``<key>`` per
    property (lists as JSON text with ``attr.list``), edges with ``label`` = relationship type."""
    projection = pg.project(graph)
    dest = Path(dest)
    cols = _columns(projection)
    ids = {uri: f"n{i}" for i, uri in enumerate(projection.nodes)}
    keys = {key: f"p{i}" for i, (key, _, _) in enumerate(cols)}
    with open(dest, "w", encoding="utf-8") as out:
        out.write('<?xml version="1.0" encoding="UTF-8"?>\n'
                  '<graphml xmlns="http://graphml.graphdrawing.org/xmlns" '
                  'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
                  'xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns '
                  'http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">\n')
        out.write('<key id="g_mapping" for="graph" attr.name="iprg_mapping" attr.type="string"/>\n')
        out.write('<key id="uri" for="node" attr.name="uri" attr.type="string"/>\n')
        out.write('<key id="labels" for="node" attr.name="labels" attr.type="string"/>\n')
        out.write('<key id="label" for="edge" attr.name="label" attr.type="string"/>\n')
        for key, column, multi in cols:
            gtype = _TYPES[column.encoding][0]
            extra = f' attr.list={quoteattr(gtype)}' if multi else ""
            out.write(f'<key id="{keys[key]}" for="node" attr.name={quoteattr(key)} '
                      f'attr.type="{"string" if multi else gtype}"{extra}/>\n')
        out.write('<graph id="iprg" edgedefault="directed">\n')
        out.write(f'<data key="g_mapping">{_esc(projection.mapping.to_json())}</data>\n')
        multi = {key: m for key, _, m in cols}
        for uri, node in projection.nodes.items():
            labels = "".join(f":{label}" for label in (pg.RESOURCE, *node.labels))
            out.write(f'<node id="{ids[uri]}" labels={quoteattr(labels)}>'
                      f'<data key="uri">{_esc(uri)}</data><data key="labels">{_esc(labels)}</data>')
            for key, value in node.props.items():
                if multi[key]:
                    items = value if isinstance(value, list) else [value]
                    text = json.dumps([_plain(v) for v in items], ensure_ascii=False)
                else:
                    text = _text(value)
                out.write(f'<data key="{keys[key]}">{_esc(text)}</data>')
            out.write("</node>\n")
        for i, edge in enumerate(projection.edges):
            out.write(f'<edge id="e{i}" source="{ids[edge.src]}" target="{ids[edge.dst]}" '
                      f'label={quoteattr(edge.type)}><data key="label">{_esc(edge.type)}</data></edge>\n')
        out.write("</graph>\n</graphml>\n")
    return dest


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def write_csv_zip(graph: Graph, dest: Path | str) -> Path:
    """``nodes.csv`` (``uri:ID``, ``:LABEL``, ``key:type[]``), ``edges.csv`` (``:START_ID``,
    ``:END_ID``, ``:TYPE``), ``mapping.json`` and ``README.txt`` with the import command."""
    projection = pg.project(graph)
    dest = Path(dest)
    cols = _columns(projection)
    values = (str(_plain(v)) for node in projection.nodes.values() for val in node.props.values()
              if isinstance(val, list) for v in val)
    seen = set("".join(values))
    delim = next((d for d in _DELIMITERS if d not in seen), None)
    if delim is None:
        raise ValueError("every candidate array delimiter occurs in a list value; cannot write CSV")

    nodes = io.StringIO()
    writer = csv.writer(nodes, lineterminator="\n")
    header = ["uri:ID", ":LABEL"]
    for key, column, multi in cols:
        header.append(f"{key}:{_TYPES[column.encoding][1]}{'[]' if multi else ''}")
    writer.writerow(header)
    for uri, node in projection.nodes.items():
        row = [uri, delim.join((pg.RESOURCE, *node.labels))]
        for key, _, multi in cols:
            value = node.props.get(key)
            if value is None:
                row.append("")
            elif multi:
                row.append(delim.join(_text(v) for v in (value if isinstance(value, list) else [value])))
            else:
                row.append(_text(value))
        writer.writerow(row)

    edges = io.StringIO()
    writer = csv.writer(edges, lineterminator="\n")
    writer.writerow([":START_ID", ":END_ID", ":TYPE"])
    for edge in projection.edges:
        writer.writerow([edge.src, edge.dst, edge.type])

    readme = (
        "IP Rule Graph property-graph export (the same projection as the Neo4j mirror).\n\n"
        "Import into an empty Neo4j database:\n"
        f"  neo4j-admin database import full --nodes=nodes.csv --relationships=edges.csv "
        f"--array-delimiter={delim!r} --multiline-fields=true neo4j\n\n"
        "mapping.json maps every property key, relationship type and label back to its RDF "
        "predicate/class (kg.pg.Mapping.from_json + kg.pg.pg_to_rdf).\n"
    )
    with zipfile.ZipFile(dest, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("nodes.csv", nodes.getvalue())
        zf.writestr("edges.csv", edges.getvalue())
        zf.writestr("mapping.json", projection.mapping.to_json())
        zf.writestr("README.txt", readme)
    return dest
