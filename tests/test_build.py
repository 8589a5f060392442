"""pipeline + emit: RDF of the seed (structure, mentions with original spans, provenance), a
judgment's case with its instances, SHACL (ontology.validate), the store replaced by kg.rebuild."""

from __future__ import annotations

from pathlib import Path

import facts
import pytest
from conftest import SEED
from rdflib import Graph, Literal
from rdflib.namespace import DCTERMS, PROV, RDF, XSD

from ingest.corpus import load_corpus
from ingest.iris import instance_iri
from ingest.pipeline import build
from kg.ns import IPRG, OA, iri
from kg.rebuild import run_ingest
from kg.store import GraphStore
from ontology.validate import ValidationError, validate

HERE = Path(__file__).resolve().parent
DN = "厦中法发〔2025〕18号"


@pytest.fixture(scope="module")
def built():
    corpus = load_corpus()
    b = build([SEED, HERE / "data" / "judgment.txt", HERE / "data" / "provincial_opinions.txt"], corpus, keep_items=True)
    return b.items, b.graph


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
    """One case with both instances: its own 案号 (二审) and the one it appeals (一审), each
    with its court and stage; its identity is the earliest instance's, not the printed first."""
    _items, g = built
    case = iri("case", "(2023)闽02民初1234号")
    assert (case, RDF.type, IPRG.Case) in g
    assert (case, IPRG.cites, iri("article", "prc_aucl_2019", "9")) in g
    assert {str(n) for n in g.objects(case, IPRG.caseNumber)} == {"（2024）闽民终888号", "（2023）闽02民初1234号"}
    second, first = instance_iri("（2024）闽民终888号"), instance_iri("（2023）闽02民初1234号")
    assert set(g.objects(case, IPRG.hasInstance)) == {second, first}
    assert (second, IPRG.court, iri("court", "福建省高级人民法院")) in g
    assert (second, IPRG.stage, Literal("second_instance")) in g
    assert (first, IPRG.court, iri("court", "福建省厦门市中级人民法院")) in g
    assert (first, IPRG.stage, Literal("first_instance")) in g
    assert (iri("court", "福建省高级人民法院"), IPRG.courtLevel, Literal("high")) in g
    assert not list(g.subjects(RDF.type, IPRG.Case)) or (iri("case", "(2024)闽民终888号"), RDF.type, IPRG.Case) not in g


def test_graph_validates_and_a_broken_graph_does_not(built):
    _items, g = built
    validate(g)
    bad = Graph()
    bad += g
    bad.add((iri("measure", DN, 99), RDF.type, IPRG.Measure))
    with pytest.raises(ValidationError, match="SHACL"):
        validate(bad)


def test_run_ingest_bundled_corpus(tmp_path):
    store = GraphStore(tmp_path / "store")
    report = run_ingest(None, store)
    assert (report.measures, report.rules, report.triples) == (facts.MEASURES, facts.RULES, facts.TRIPLES)
    assert report.validated and len(store) == report.triples


@pytest.mark.parametrize("order", [0, 1])
def test_one_case_whatever_text_arrives_and_in_which_order(tmp_path, order):
    """The first-instance judgment and the appeal judgment, ingested together in either order,
    are one case: its IRI is the first instance's 案号, and both instances keep their courts."""
    appeal = (HERE / "data" / "judgment.txt").read_text(encoding="utf-8")
    first = appeal.replace("福建省高级人民法院\n", "福建省厦门市中级人民法院\n", 1).replace(
        "（2024）闽民终888号", "（2023）闽02民初1234号", 1)
    paths = []
    for name, text in (("appeal.txt", appeal), ("first.txt", first)):
        p = tmp_path / name
        p.write_text(text, encoding="utf-8")
        paths.append(p)
    g = build(paths[::-1] if order else paths, load_corpus(), include_vocabulary=False).graph
    cases = set(g.subjects(RDF.type, IPRG.Case)) - set(build([], load_corpus(), include_vocabulary=False).graph.subjects(RDF.type, IPRG.Case))
    assert cases == {iri("case", "(2023)闽02民初1234号")}
    (case,) = cases
    assert {str(n) for n in g.objects(case, IPRG.caseNumber)} == {"（2024）闽民终888号", "（2023）闽02民初1234号"}
    assert set(g.objects(case, IPRG.court)) == {iri("court", "福建省高级人民法院"), iri("court", "福建省厦门市中级人民法院")}
