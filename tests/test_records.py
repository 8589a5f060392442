"""corpus_graph(): the curated corpus as RDF under the ontology's terms and shapes."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from rdflib import Graph, Literal, Namespace
from rdflib.namespace import DCTERMS, RDF, RDFS, XSD

from ingest.corpus import load_corpus
from ingest.emit_records import (
    corpus_graph,
    court_level,
    court_places,
    parse_citation,
)
from kg.ns import IPRG, iri

REPO = Path(__file__).resolve().parents[1]
SH = Namespace("http://www.w3.org/ns/shacl#")


@pytest.fixture(scope="module")
def corpus():
    return load_corpus()


@pytest.fixture(scope="module")
def graph(corpus):
    return corpus_graph(corpus)


def test_every_case_has_court_and_zh_label(graph, corpus):
    cases = set(graph.subjects(RDF.type, IPRG.Case))
    assert len(cases) == len(corpus.cases) == 56
    for case in cases:
        courts = list(graph.objects(case, IPRG.court))
        assert courts, case
        for court in courts:
            assert (court, RDF.type, IPRG.Court) in graph
            assert any(lbl.language == "zh" for lbl in graph.objects(court, RDFS.label))
        assert any(lbl.language == "zh" for lbl in graph.objects(case, RDFS.label)), case


def test_verification_state_kept(graph, corpus):
    for record in corpus.cases:
        node = iri("case", record.id)
        assert list(graph.objects(node, IPRG.verified)) == [Literal(record.verified)]
    assert (iri("case", "shen_qiheng_estoppel"), IPRG.verified, Literal("no")) in graph
    dianping = iri("case", "dianping_v_baidu")
    assert (dianping, IPRG.verified, Literal("partly")) in graph  # facts seen, 案号 not
    assert not list(graph.objects(dianping, IPRG.caseNumber))
    assert (dianping, IPRG.caseNumberUnverified, Literal("(2016)沪73民终242号")) in graph


def test_case_links(graph, corpus):
    taobao = iri("case", "taobao_v_meijing")
    assert (taobao, IPRG.illustrates, iri("measure", corpus.measures_policy, 3)) in graph
    assert (taobao, IPRG.aboutTopic, iri("topic", "data_rights")) in graph
    assert (taobao, IPRG.relatedCase, iri("case", "tencent_v_soudao")) in graph
    # A version with no curated record becomes a statute node of its own (minted from the
    # family in corpus/versions.yaml), cited at the article: 反不正当竞争法（1993年）第二条.
    old = iri("statute", "prc_aucl_1993")
    article2 = iri("article", "prc_aucl_1993", "2")
    assert (taobao, IPRG.cites, article2) in graph
    assert (old, RDF.type, IPRG.Statute) in graph
    assert (old, IPRG.title, Literal("中华人民共和国反不正当竞争法", lang="zh")) in graph
    assert (old, RDFS.label, Literal("反不正当竞争法（1993年通过）", lang="zh")) in graph
    assert (old, IPRG.effective, Literal("1993-12-01", datatype=XSD.date)) in graph
    assert (article2, IPRG.articleOf, old) in graph
    assert (article2, IPRG.articleNumber, Literal("2")) in graph
    vanillin = iri("case", "vanillin")
    art9 = iri("article", "prc_aucl_2019", "9")
    assert (vanillin, IPRG.cites, art9) in graph
    assert any(g.language == "en" for g in graph.objects(art9, IPRG.gist))
    assert (taobao, IPRG.holding, None) in graph
    assert {h.language for h in graph.objects(taobao, IPRG.holding)} == {"zh", "en"}


def test_statutes_and_articles(graph):
    aucl = iri("statute", "prc_aucl_2025")
    assert (aucl, DCTERMS.replaces, iri("statute", "prc_aucl_2019")) in graph
    assert (aucl, IPRG.effective, Literal("2025-10-15", datatype=XSD.date)) in graph
    assert (aucl, IPRG.hasPart, iri("article", "prc_aucl_2025", "10")) in graph
    art = iri("article", "prc_aucl_2025", "10")
    assert (art, IPRG.articleOf, aucl) in graph
    assert (art, IPRG.articleLabel, Literal("第十条", lang="zh")) in graph
    issuers = list(graph.objects(aucl, IPRG.issuer))
    assert issuers and all((i, RDF.type, IPRG.Organisation) in graph for i in issuers)
    spc_doc = iri("statute", "spc_trade_secret_civil_provisions_2020")
    (spc,) = graph.objects(spc_doc, IPRG.issuer)
    assert (spc, RDF.type, IPRG.Court) in graph and (spc, IPRG.courtLevel, Literal("supreme")) in graph
    # An article cited by a case but not listed in the record still gets its node.
    art10 = iri("article", "prc_copyright_law_2020", "10")
    assert (art10, IPRG.articleLabel, Literal("第十条", lang="zh")) in graph


@pytest.mark.parametrize(
    ("name", "level", "place"),
    [
        ("最高人民法院", "supreme", None),
        ("浙江省高级人民法院", "high", "浙江省"),
        ("浙江省杭州市中级人民法院", "intermediate", "杭州市"),
        ("北京市第一中级人民法院", "intermediate", "北京市"),
        ("北京知识产权法院", "specialised", "北京市"),
        ("杭州铁路运输法院", "specialised", "杭州市"),
        ("广州互联网法院", "specialised", "广州市"),
        ("福建省厦门市思明区人民法院", "basic", "思明区"),
        ("江苏省常熟市人民法院", "basic", "常熟市"),
        ("内蒙古自治区呼和浩特市中级人民法院", "intermediate", "呼和浩特市"),
        ("青海省西宁市中级人民法院", "intermediate", "青海省"),  # city unknown to the gazetteer
    ],
)
def test_court_level_and_place(corpus, name, level, place):
    assert court_level(name, corpus.gazetteer) == level
    places = court_places(name, corpus.gazetteer)
    assert (places[-1].name if places else None) == place


def test_court_nodes(graph):
    tribunal = iri("court", "最高人民法院知识产权法庭")
    assert (tribunal, IPRG.parentCourt, iri("court", "最高人民法院")) in graph
    assert (tribunal, IPRG.courtLevel, Literal("supreme")) in graph
    hz = iri("court", "浙江省杭州市中级人民法院")
    assert (hz, IPRG.locatedIn, iri("place", "杭州市")) in graph
    assert (iri("place", "杭州市"), IPRG.locatedIn, iri("place", "浙江省")) in graph
    assert (iri("place", "杭州市"), RDFS.label, Literal("Hangzhou", lang="en")) in graph
    for court in graph.subjects(RDF.type, IPRG.Court):
        assert len([lbl for lbl in graph.objects(court, RDFS.label) if lbl.language == "en"]) <= 1, court


def test_every_node_has_zh_label(graph):
    for cls in (IPRG.Case, IPRG.Statute, IPRG.Article, IPRG.Court, IPRG.Organisation, IPRG.Place):
        for node in graph.subjects(RDF.type, cls):
            assert any(lbl.language == "zh" for lbl in graph.objects(node, RDFS.label)), node


def test_same_records_give_the_same_graph_whatever_the_file_order(graph, tmp_path):
    """Deterministic: the records loaded afresh, from files in the reverse order, give the same
    graph (not the same object compared with itself)."""
    from rdflib.compare import isomorphic

    root = tmp_path / "corpus"
    shutil.copytree(REPO / "ingest" / "corpus", root)
    for kind in ("cases", "statutes"):
        for i, path in enumerate(sorted((root / kind).glob("*.yaml"), reverse=True)):
            path.rename(path.with_name(f"{i:03d}_{path.name}"))
    again = corpus_graph(load_corpus(root))
    assert again is not graph and len(again) == len(graph)
    assert isomorphic(again, graph)


def test_the_stored_graph_holds_the_records_graph(graph, bundled_store):
    """What `kg ingest` stored contains every triple of the curated records, unchanged."""
    stored = set(bundled_store.to_graph())
    missing = [t for t in graph if t not in stored]
    assert not missing, missing[:5]


def test_shacl(graph, corpus):
    """Valid under ontology/shapes.ttl, except links to measures that the policy parse types.

    ``iprg:illustrates`` must reach an ``iprg:Measure``; the measures are typed by the ingest
    pipeline from the policy text, not by the curated records, so on the corpus graph alone those
    results (and only those) are expected.
    """
    from pyshacl import validate

    shapes_path = REPO / "ontology" / "shapes.ttl"
    data = Graph()
    data += graph
    data.parse(REPO / "ontology" / "vocabulary.ttl")
    _, results, _ = validate(data, shacl_graph=Graph().parse(shapes_path), allow_warnings=True)
    measure_prefix = str(iri("measure", corpus.measures_policy, 1)).rsplit("/", 1)[0] + "/"
    unexpected = []
    for r in results.subjects(SH.resultSeverity, SH.Violation):
        shape = str(results.value(r, SH.sourceShape))
        value = str(results.value(r, SH.value))
        if shape.endswith("Case-illustrates") and value.startswith(measure_prefix):
            continue
        unexpected.append((str(results.value(r, SH.focusNode)), shape, str(results.value(r, SH.resultMessage))))
    assert unexpected == []


@pytest.mark.parametrize(
    ("text", "title", "articles", "versioned", "is_source"),
    [
        ("专利法（2008年）第十一条、第六十五条", "专利法（2008年）", ("11", "65"), True, True),
        ("专利法实施细则（2010年）第七十六条至第七十八条", "专利法实施细则（2010年）", ("76", "77", "78"), True, True),
        ("专利法实施细则（2010年）第十二条第一款第（三）项", "专利法实施细则（2010年）", ("12",), True, True),
        ("民事诉讼法第六十七条（谁主张谁举证）", "民事诉讼法", ("67",), False, True),
        ("民法通则第一百零六条（侵权责任，推定）", "民法通则", ("106",), False, True),
        ("反不正当竞争法第九条之一", "反不正当竞争法", ("9-1",), False, True),
        ("商标法", "商标法", (), False, True),
        ("FRAND承诺（诚实信用原则）", "FRAND承诺", (), False, False),
        ("FRAND许可承诺（ETSI知识产权政策）", "FRAND许可承诺", (), False, False),
    ],
)
def test_parse_citation(text, title, articles, versioned, is_source):
    c = parse_citation(text)
    assert (c.title, c.articles, c.versioned, c.is_source) == (title, articles, versioned, is_source)


def test_doctrines_are_not_statutes(graph):
    titles = {str(t) for s in graph.subjects(RDF.type, IPRG.Statute) for t in graph.objects(s, IPRG.title)}
    assert not any(t.startswith("FRAND") for t in titles)
    # An unversioned citation resolves to the curated version in force when the case was decided.
    assert not any(t == "商标法" for t in titles)
