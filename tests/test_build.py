"""build: RDF of the seed (structure, mentions with original spans, provenance), SHACL, store."""

from __future__ import annotations

from pathlib import Path

import facts
import pytest
from conftest import SEED
from rdflib import Graph, Literal
from rdflib.namespace import DCTERMS, PROV, RDF, XSD

from ingest.build import build_graph, ingest_documents, run_ingest, validate
from ingest.corpus import load_corpus
from ingest.models import IngestError
from kg.ns import IPRG, OA, iri
from kg.store import GraphStore

HERE = Path(__file__).resolve().parent
DN = "厦中法发〔2025〕18号"


@pytest.fixture(scope="module")
def built():
    corpus = load_corpus()
    items = ingest_documents([SEED, HERE / "data" / "judgment.txt", HERE / "data" / "provincial_opinions.txt"], corpus)
    return items, build_graph(items, corpus)


def test_policy_document(built):
    _items, g = built
    doc = iri("policy", DN)
    assert (doc, RDF.type, IPRG.PolicyDocument) in g
    assert (doc, IPRG.docNumber, Literal(DN)) in g
    assert (doc, DCTERMS.issued, Literal("2025-04-24", datatype=XSD.date)) in g
    assert (doc, IPRG.issuer, iri("court", "厦门市中级人民法院")) in g
    length = g.value(doc, IPRG.textLength).toPython()
    assert length == len(SEED.read_text(encoding="utf-8"))
    sections = list(g.objects(doc, IPRG.hasPart))
    assert len(sections) == facts.SECTIONS
    measures = [m for s in sections for m in g.objects(s, IPRG.hasPart)]
    assert len(measures) == facts.MEASURES
    m12 = iri("measure", DN, 12)
    assert str(g.value(m12, IPRG.title)) == "对重复侵权依法严惩"
    assert (m12, IPRG.aboutTopic, iri("topic", "repeat_infringement")) in g
    rule = iri("rule", DN, 12, 1)
    assert (m12, IPRG.hasPart, rule) in g and (rule, IPRG.modality, IPRG.Permission) in g


def test_mentions_index_original_text(built):
    _items, g = built
    original = SEED.read_text(encoding="utf-8")
    doc = iri("policy", DN)
    n = 0
    for m in g.subjects(IPRG.sourceDocument, doc):
        s, e = g.value(m, OA.start).toPython(), g.value(m, OA.end).toPython()
        exact = str(g.value(m, OA.exact))
        assert original[s:e].replace("\n", "").replace(" ", "") == exact.replace(" ", "")
        assert (m, PROV.wasGeneratedBy, None) in g
        n += 1
    assert n == facts.SEED_MENTIONS
    fr = [m for m in g.subjects(OA.hasBody, iri("concept", "frand_principle"))
          if g.value(m, IPRG.sourceDocument) == doc]
    assert fr and all(g.value(m, OA.hasTarget) == iri("rule", DN, 15, 3) for m in fr)


def test_judgment_case_node(built):
    _items, g = built
    case = iri("case", "(2024)闽民终888号")
    assert (case, RDF.type, IPRG.Case) in g
    assert (case, IPRG.court, iri("court", "福建省高级人民法院")) in g
    assert (case, IPRG.cites, iri("article", "prc_aucl_2019", "9")) in g
    first = iri("case", "(2023)闽02民初1234号")
    assert (case, IPRG.appealOf, first) in g
    assert (first, IPRG.court, iri("court", "福建省厦门市中级人民法院")) in g


def test_graph_validates_and_a_broken_graph_does_not(built):
    _items, g = built
    validate(g)
    bad = Graph()
    bad += g
    bad.add((iri("measure", DN, 99), RDF.type, IPRG.Measure))
    with pytest.raises(IngestError, match="SHACL"):
        validate(bad)


def test_run_ingest_bundled_corpus(tmp_path):
    store = GraphStore(tmp_path / "store")
    report = run_ingest(None, store)
    assert (report.measures, report.rules, report.triples) == (facts.MEASURES, facts.RULES, facts.TRIPLES)
    assert report.validated and len(store) == report.triples
