"""The RDF → property-graph projection: names, types, lists, collisions, and the way back."""

from __future__ import annotations

import datetime as dt

import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib import namespace as rns
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, SKOS

from kg import pg
from kg.ns import IPRG, OA, SCHEME_TOPICS, hashed, iri


def sample_graph() -> Graph:
    """A small graph in the project's terms: a statute with articles, a court, two cases, a
    topic, a policy measure and rule, a mention with offsets and provenance."""
    g = Graph()
    statute = iri("statute", "prc_aucl_2019")
    art9, art17 = iri("article", "prc_aucl_2019", "9"), iri("article", "prc_aucl_2019", "17")
    court = iri("court", "最高人民法院知识产权法庭")
    case = iri("case", "vanillin")
    case2 = iri("case", "geely_v_weima")
    topic = iri("topic", "trade_secrets")
    policy = iri("policy", "厦中法发〔2025〕18号")
    measure = iri("measure", "厦中法发〔2025〕18号", 5)
    rule = iri("rule", "厦中法发〔2025〕18号", 5, 1)
    mention = hashed("mention", str(rule), 3, 7)
    run = iri("ingestion", "2025-01-01T00:00:00")
    triples = [
        (statute, RDF.type, IPRG.Statute),
        (statute, RDFS.label, Literal("反不正当竞争法", lang="zh")),
        (statute, RDFS.label, Literal("Anti-Unfair Competition Law", lang="en")),
        (statute, IPRG.title, Literal("中华人民共和国反不正当竞争法", lang="zh")),
        (statute, IPRG.effective, Literal("2019-04-23", datatype=rns.XSD.date)),
        (statute, IPRG.hasPart, art9),
        (statute, IPRG.hasPart, art17),
        (art9, RDF.type, IPRG.Article),
        (art9, IPRG.articleNumber, Literal("9")),
        (art9, IPRG.articleLabel, Literal("第九条", lang="zh")),
        (art9, IPRG.number, Literal(9)),
        (art9, IPRG.gist, Literal("经营者不得实施侵犯商业秘密的行为。", lang="zh")),
        (art9, IPRG.articleOf, statute),
        (art17, RDF.type, IPRG.Article),
        (art17, IPRG.articleNumber, Literal("17")),
        (art17, IPRG.number, Literal(17)),
        (art17, IPRG.articleOf, statute),
        (court, RDF.type, IPRG.Court),
        (court, RDFS.label, Literal("最高人民法院知识产权法庭", lang="zh")),
        (court, IPRG.courtLevel, Literal("supreme")),
        (case, RDF.type, IPRG.Case),
        (case, RDFS.label, Literal("香兰素案", lang="zh")),
        (case, IPRG.caseNumber, Literal("(2020)最高法知民终1667号")),
        (case, IPRG.caseNumberUnverified, Literal("(2018)浙民初25号")),
        (case, IPRG.decided, Literal("2021-02")),
        (case, IPRG.cause, Literal("侵害技术秘密纠纷", lang="zh")),
        (case, IPRG.holding, Literal("侵权人经由权利人的离职员工成套取得工艺资料的，可以推定其使用了全部技术秘密。", lang="zh")),
        (case, IPRG.holding, Literal("Use of all technical secrets is presumed.", lang="en")),
        (case, IPRG.honour, Literal("十大影响力案件", lang="zh")),
        (case, IPRG.honour, Literal("技术类典型案例", lang="zh")),
        (case, IPRG.amount, Literal("159000000", datatype=rns.XSD.decimal)),
        (case, IPRG.verified, Literal("partly")),
        (case, IPRG.source, Literal("https://www.kqlawyer.com/zscq/79.html", datatype=rns.XSD.anyURI)),
        (case, IPRG.court, court),
        (case, IPRG.aboutTopic, topic),
        (case, IPRG.cites, art9),
        (case, IPRG.cites, art17),
        (case, IPRG.illustrates, measure),
        (case, IPRG.relatedCase, case2),
        (case2, RDF.type, IPRG.Case),
        (case2, RDFS.label, Literal("吉利诉威马案", lang="zh")),
        (topic, RDF.type, SKOS.Concept),
        (topic, SKOS.prefLabel, Literal("商业秘密", lang="zh")),
        (topic, SKOS.prefLabel, Literal("Trade secrets", lang="en")),
        (topic, SKOS.altLabel, Literal("技术秘密", lang="zh")),
        (topic, SKOS.altLabel, Literal("经营秘密", lang="zh")),
        (topic, SKOS.inScheme, SCHEME_TOPICS),
        (policy, RDF.type, IPRG.PolicyDocument),
        (policy, IPRG.docNumber, Literal("厦中法发〔2025〕18号")),
        (policy, IPRG.hasPart, measure),
        (measure, RDF.type, IPRG.Measure),
        (measure, IPRG.number, Literal(5)),
        (measure, IPRG.text, Literal("加强商业秘密司法保护，依法适用举证责任转移规则。", lang="zh")),
        (measure, IPRG.hasPart, rule),
        (measure, IPRG.aboutTopic, topic),
        (rule, RDF.type, IPRG.Rule),
        (rule, IPRG.text, Literal("依法适用举证责任转移规则", lang="zh")),
        (rule, IPRG.cites, art9),
        (mention, RDF.type, IPRG.Mention),
        (mention, OA.hasBody, topic),
        (mention, OA.hasTarget, rule),
        (mention, IPRG.sourceDocument, policy),
        (mention, OA.start, Literal(3)),
        (mention, OA.end, Literal(7)),
        (mention, OA.exact, Literal("商业秘密")),
        (mention, PROV.wasGeneratedBy, run),
        (run, RDF.type, IPRG.Ingestion),
        (run, PROV.startedAtTime, Literal("2025-01-01T00:00:00", datatype=rns.XSD.dateTime)),
        (run, IPRG.extractorVersion, Literal("0.1.0")),
        (run, IPRG.textLength, Literal(12345)),
        (run, Namespace("http://example.org/vocab#").sealed, Literal(True)),
    ]
    for t in triples:
        g.add(t)
    return g


def test_nodes_labels_and_uri():
    pgraph = pg.project(sample_graph())
    case = pgraph.nodes[str(iri("case", "vanillin"))]
    assert case.labels == ("Case",)
    # objects that are never subjects still become nodes (edge endpoints), with no labels
    scheme = pgraph.nodes[str(SCHEME_TOPICS)]
    assert scheme.labels == () and scheme.props == {}
    assert pgraph.label_counts()["Resource"] == len(pgraph.nodes) == 13
    assert pgraph.label_counts()["Case"] == 2
    assert pgraph.label_counts()["Concept"] == 1


@pytest.mark.parametrize(
    ("subject", "key", "value"),
    [
        (iri("case", "vanillin"), "label_zh", "香兰素案"),
        (iri("case", "vanillin"), "holding_en", "Use of all technical secrets is presumed."),
        (iri("case", "vanillin"), "caseNumber", "(2020)最高法知民终1667号"),
        (iri("case", "vanillin"), "honour_zh", ["十大影响力案件", "技术类典型案例"]),
        (iri("case", "vanillin"), "amount", 159000000.0),
        (iri("case", "vanillin"), "source", "https://www.kqlawyer.com/zscq/79.html"),
        (iri("statute", "prc_aucl_2019"), "effective", dt.date(2019, 4, 23)),
        (iri("statute", "prc_aucl_2019"), "label_en", "Anti-Unfair Competition Law"),
        (iri("article", "prc_aucl_2019", "9"), "number", 9),
        (iri("article", "prc_aucl_2019", "9"), "articleNumber", "9"),
        (iri("topic", "trade_secrets"), "prefLabel_zh", "商业秘密"),
        (iri("topic", "trade_secrets"), "altLabel_zh", ["技术秘密", "经营秘密"]),
        (iri("ingestion", "2025-01-01T00:00:00"), "sealed", True),
        (iri("ingestion", "2025-01-01T00:00:00"), "startedAtTime", "2025-01-01T00:00:00"),
    ],
)
def test_literal_properties(subject, key, value):
    node = pg.project(sample_graph()).nodes[str(subject)]
    assert node.props[key] == value
    assert type(node.props[key]) is type(value)


def test_mapping_records_datatype_language_and_encoding():
    mapping = pg.project(sample_graph()).mapping
    assert mapping.columns["title_zh"] == pg.Column("title_zh", str(IPRG.title), None, "zh", "str")
    assert mapping.columns["effective"].encoding == "date"
    assert mapping.columns["amount"].encoding == "decimal"
    assert mapping.columns["source"] == pg.Column("source", str(IPRG.source), str(rns.XSD.anyURI), None, "lexical")
    assert mapping.rel_types["HAS_PART"] == str(IPRG.hasPart)
    assert mapping.rel_types["WAS_GENERATED_BY"] == str(PROV.wasGeneratedBy)
    assert mapping.labels["Concept"] == str(SKOS.Concept)
    assert pg.Mapping.from_json(mapping.to_json()) == mapping


def test_relationship_types_are_upper_snake():
    types = pg.project(sample_graph()).type_counts()
    assert types == {
        "ABOUT_TOPIC": 2, "ARTICLE_OF": 2, "CITES": 3, "COURT": 1, "HAS_BODY": 1, "HAS_PART": 4,
        "HAS_TARGET": 1, "ILLUSTRATES": 1, "IN_SCHEME": 1, "RELATED_CASE": 1,
        "SOURCE_DOCUMENT": 1, "WAS_GENERATED_BY": 1,
    }


@pytest.mark.parametrize(
    ("name", "expected"),
    [("hasPart", "HAS_PART"), ("aboutTopic", "ABOUT_TOPIC"), ("wasGeneratedBy", "WAS_GENERATED_BY"),
     ("cites", "CITES"), ("HTMLSource", "HTML_SOURCE"), ("partOf2", "PART_OF2")],
)
def test_upper_snake(name, expected):
    assert pg.upper_snake(name) == expected


def test_round_trip_is_isomorphic():
    graph = sample_graph()
    pgraph = pg.project(graph)
    back = pg.pg_to_rdf(pgraph.nodes.values(), pgraph.edges, pgraph.mapping)
    assert len(back) == len(graph)
    assert isomorphic(back, graph)


def test_non_canonical_literals_stay_lexical_and_round_trip():
    g = Graph()
    s = iri("case", "x")
    g.add((s, IPRG.amount, Literal("1.50", datatype=rns.XSD.decimal, normalize=False)))
    g.add((s, IPRG.amount, Literal("3000000", datatype=rns.XSD.decimal)))
    g.add((s, IPRG.number, Literal("not-a-number", datatype=rns.XSD.integer)))
    g.add((s, IPRG.adopted, Literal("2021-02-30", datatype=rns.XSD.date)))
    g.add((s, IPRG.textLength, Literal(2**70)))
    pgraph = pg.project(g)
    cols = pgraph.mapping.columns
    assert {k: c.encoding for k, c in cols.items()} == {
        "amount": "lexical", "number": "lexical", "adopted": "lexical", "textLength": "lexical"}
    assert sorted(pgraph.nodes[str(s)].props["amount"]) == ["1.50", "3000000"]
    assert isomorphic(pg.pg_to_rdf(pgraph.nodes.values(), pgraph.edges, pgraph.mapping), g)


def test_same_local_name_from_two_namespaces_gets_a_prefix():
    other = Namespace("http://example.org/vocab#")
    g = Graph()
    s, o = iri("case", "x"), iri("case", "y")
    g.add((s, IPRG.title, Literal("标题", lang="zh")))
    g.add((s, DCTERMS.title, Literal("Title", lang="zh")))
    g.add((s, other.title, Literal("T")))
    g.add((s, RDFS.label, Literal("甲", lang="zh")))
    g.add((s, SKOS.prefLabel, Literal("乙", lang="zh")))
    g.add((s, IPRG.cites, o))
    g.add((s, other.cites, o))
    g.add((s, RDF.type, IPRG.Case))
    g.add((s, RDF.type, other.Case))
    g.add((o, RDF.type, RDFS.Resource))          # would clash with the common label
    g.add((s, other.uri, Literal("clashes with the key the mirror owns")))
    pgraph = pg.project(g)
    props = pgraph.nodes[str(s)].props
    assert props["title_zh"] == "标题" and props["dcterms_title_zh"] == "Title"
    assert props["label_zh"] == "甲" and props["prefLabel_zh"] == "乙"
    assert [k for k in props if k.endswith("_title")] and props[next(k for k in props if k.endswith("_title"))] == "T"
    assert "uri" not in props and any(k.endswith("_uri") for k in props)
    assert set(pgraph.mapping.rel_types) >= {"CITES"} and len(pgraph.mapping.rel_types) == 2
    assert pgraph.mapping.rel_types["CITES"] == str(IPRG.cites)
    assert pgraph.nodes[str(s)].labels[0] == "Case" and len(pgraph.nodes[str(s)].labels) == 2
    assert pgraph.nodes[str(o)].labels == ("rdfs_Resource",)
    # deterministic: the same graph gives the same names
    assert pg.project(g).mapping == pgraph.mapping
    assert isomorphic(pg.pg_to_rdf(pgraph.nodes.values(), pgraph.edges, pgraph.mapping), g)


def test_non_identifier_class_names_are_sanitised():
    g = Graph()
    s = iri("case", "x")
    g.add((s, RDF.type, URIRef("http://example.org/类型")))
    g.add((s, URIRef("http://example.org/has-part"), iri("case", "y")))
    pgraph = pg.project(g)
    (label,) = pgraph.nodes[str(s)].labels
    (rtype,) = pgraph.mapping.rel_types
    for name in (label, rtype):
        assert pg.IDENT.match(name), name
    assert isomorphic(pg.pg_to_rdf(pgraph.nodes.values(), pgraph.edges, pgraph.mapping), g)


def test_blank_nodes_are_refused_with_the_triple_named():
    g = sample_graph()
    from rdflib import BNode

    b = BNode()
    g.add((iri("case", "vanillin"), IPRG.mentions, b))
    with pytest.raises(pg.PgError, match="blank node in triple .*mentions"):
        pg.project(g)
    skolem = pg.project(g, bnodes="skolemize")
    assert any("genid" in uri for uri in skolem.nodes)


def test_hashes_change_only_with_content():
    a = pg.project(sample_graph())
    g = sample_graph()
    case = iri("case", "vanillin")
    g.set((case, IPRG.verified, Literal("yes")))
    b = pg.project(g)
    changed = [u for u in a.nodes if pg.node_hash(a.nodes[u]) != pg.node_hash(b.nodes[u])]
    assert changed == [str(case)]
    out_a, out_b = a.out_edges(), b.out_edges()
    assert all(pg.edges_hash(out_a[u]) == pg.edges_hash(out_b[u]) for u in a.nodes)


def test_pyoxigraph_triples_project_exactly_like_rdflib():
    """The fast path (pyoxigraph terms, cached keys per predicate/datatype/language) gives the
    same nodes, relationships, names and count as the rdflib path, duplicates counted once."""
    import pyoxigraph as ox

    graph = sample_graph()
    text = graph.serialize(format="nt")
    quads = list(ox.parse(text, format=ox.RdfFormat.N_TRIPLES))
    fast, slow = pg.project(quads + quads[:5]), pg.project(graph)
    assert fast.nodes == slow.nodes and list(fast.nodes) == list(slow.nodes)
    assert fast.edges == slow.edges and fast.mapping == slow.mapping
    assert fast.triples == slow.triples == len(graph)
    blank = ox.Quad(ox.NamedNode(str(iri("case", "vanillin"))), ox.NamedNode(str(IPRG.mentions)), ox.BlankNode())
    with pytest.raises(pg.PgError, match="blank node in triple .*mentions"):
        pg.project([*quads, blank])


def test_projection_stream_yields_each_node_once_in_uri_order():
    whole = pg.project(sample_graph())
    stream = pg.ProjectionStream(sample_graph())
    assert len(stream) == 13 and stream.mapping == whole.mapping and stream.triples == 0
    items = list(stream)
    assert [node.uri for node, _ in items] == list(whole.nodes) == sorted(whole.nodes)
    assert {node.uri: node for node, _ in items} == whole.nodes
    assert [edge for _, edges in items for edge in edges] == whole.edges
    assert stream.triples == whole.triples == len(sample_graph())
    with pytest.raises(RuntimeError, match="iterated once"):
        list(stream)
