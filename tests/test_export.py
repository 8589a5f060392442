"""Every export format round-trips: RDF formats give back an isomorphic graph; GraphML and the
CSV zip hold the mirror's nodes and relationships (counts, labels, typed values, mapping)."""

from __future__ import annotations

import csv
import io
import json
import zipfile

import networkx as nx
import pytest
from rdflib import Graph, Literal
from rdflib.compare import isomorphic
from test_pg import sample_graph

from kg import pg
from kg.ns import iri
from kg.store import GraphStore


def _by_value(triple):
    s, p, o = triple
    if isinstance(o, Literal):
        return s, p, (o.datatype, o.language, o.toPython())
    return s, p, o


@pytest.fixture()
def store(tmp_path):
    s = GraphStore(tmp_path / "store")
    s.replace(sample_graph())
    return s


@pytest.mark.parametrize(("fmt", "rdflib_format"), [("turtle", "turtle"), ("nt", "nt"), ("jsonld", "json-ld")])
def test_rdf_formats_round_trip(store, tmp_path, fmt, rdflib_format):
    dest = store.export(fmt, tmp_path / f"out.{fmt}")
    back = Graph().parse(dest, format=rdflib_format)
    original = sample_graph()
    # rdflib's Turtle writer prints xsd:decimal "159000000" as 159000000.0: same value, other
    # lexical form, so literals are compared by value (no blank nodes: sets of triples suffice)
    assert len(back) == len(original)
    assert {_by_value(t) for t in back} == {_by_value(t) for t in original}
    if fmt != "turtle":
        assert isomorphic(back, original)
    a, b = pg.project(back), pg.project(original)
    assert (len(a.nodes), len(a.edges)) == (len(b.nodes), len(b.edges)) == (13, 19)


def test_graphml_holds_the_projection(store, tmp_path):
    dest = store.export("graphml", tmp_path / "out.graphml")
    g = nx.read_graphml(dest)
    assert g.number_of_nodes() == 13 and g.number_of_edges() == 19
    by_uri = {data["uri"]: data for _, data in g.nodes(data=True)}
    case = by_uri[str(iri("case", "vanillin"))]
    assert case["labels"] == ":Resource:Case"
    assert case["label_zh"] == "香兰素案"
    assert json.loads(case["honour_zh"]) == ["十大影响力案件", "技术类典型案例"]
    assert by_uri[str(iri("article", "prc_aucl_2019", "9"))]["number"] == 9
    types = sorted(d["label"] for _, _, d in g.edges(data=True))
    assert types.count("CITES") == 3 and types.count("HAS_PART") == 4
    mapping = pg.Mapping.from_json(g.graph["iprg_mapping"])
    assert mapping == pg.project(sample_graph()).mapping


def _read_csv_zip(path) -> tuple[list[pg.Node], list[pg.Edge], pg.Mapping, str]:
    """Parse the zip the way neo4j-admin would (typed headers, array delimiter) into the
    projection's terms."""
    with zipfile.ZipFile(path) as zf:
        names = set(zf.namelist())
        assert names == {"nodes.csv", "edges.csv", "mapping.json", "README.txt"}
        mapping = pg.Mapping.from_json(zf.read("mapping.json").decode("utf-8"))
        readme = zf.read("README.txt").decode("utf-8")
        delim = readme.split("--array-delimiter=")[1].split(" ")[0].strip("'\"")
        rows = list(csv.reader(io.StringIO(zf.read("nodes.csv").decode("utf-8"))))
        edge_rows = list(csv.reader(io.StringIO(zf.read("edges.csv").decode("utf-8"))))
    import datetime as dt

    conv = {"string": str, "long": int, "double": float, "boolean": lambda v: v == "true",
            "date": dt.date.fromisoformat}
    header = rows[0]
    assert header[:2] == ["uri:ID", ":LABEL"]
    nodes = []
    for row in rows[1:]:
        props = {}
        for spec, cell in zip(header[2:], row[2:], strict=True):
            if cell == "":
                continue
            key, typ = spec.split(":")
            if typ.endswith("[]"):
                items = [conv[typ[:-2]](v) for v in cell.split(delim)]
                props[key] = items[0] if len(items) == 1 else sorted(items)
            else:
                props[key] = conv[typ](cell)
        labels = tuple(sorted(label for label in row[1].split(delim) if label != pg.RESOURCE))
        nodes.append(pg.Node(row[0], labels, props))
    assert edge_rows[0] == [":START_ID", ":END_ID", ":TYPE"]
    edges = [pg.Edge(s, t, o) for s, o, t in edge_rows[1:]]
    return nodes, edges, mapping, delim


def test_csv_zip_is_neo4j_admin_shaped_and_reversible(store, tmp_path):
    dest = store.export("csv", tmp_path / "out.zip")
    nodes, edges, mapping, delim = _read_csv_zip(dest)
    assert len(nodes) == 13 and len(edges) == 19
    assert delim == "|"
    with zipfile.ZipFile(dest) as zf:
        header = zf.read("nodes.csv").decode("utf-8").splitlines()[0].split(",")
    assert {"number:long", "amount:double", "effective:date", "honour_zh:string[]", "label_zh:string",
            "sealed:boolean"} <= set(header)
    assert isomorphic(pg.pg_to_rdf(nodes, edges, mapping), sample_graph())


def test_csv_zip_picks_another_delimiter_when_values_contain_the_pipe(tmp_path):
    from kg.export import write_csv_zip
    from kg.ns import IPRG

    g = sample_graph()
    g.add((iri("case", "vanillin"), IPRG.honour, Literal("A|B", lang="zh")))
    dest = write_csv_zip(g, tmp_path / "pipe.zip")
    nodes, edges, mapping, delim = _read_csv_zip(dest)
    assert delim == "¦"
    assert isomorphic(pg.pg_to_rdf(nodes, edges, mapping), g)


def test_unknown_format_is_refused(store, tmp_path):
    with pytest.raises(ValueError, match="unknown export format 'xml'"):
        store.export("xml", tmp_path / "x.xml")
