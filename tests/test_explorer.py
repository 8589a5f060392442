"""The explorer's answers on the real graph built from the bundled corpus (SPARQL backend;
tests/test_explorer_parity.py proves the Cypher backend gives the same answers)."""

from __future__ import annotations

import json
from dataclasses import asdict

import pytest
from explorer_graph import built_store

from kg.explorer import NotFound, SparqlExplorer, get_explorer
from kg.ns import iri

POLICY = "厦中法发〔2025〕18号"


def M(n: int) -> str:
    return str(iri("measure", POLICY, n))


@pytest.fixture(scope="module")
def ex() -> SparqlExplorer:
    return SparqlExplorer(built_store())


def test_topics_cover_the_scheme_with_counts(ex):
    topics = {t.id: t for t in ex.topics()}
    assert len(topics) == 22
    ts = topics["trade_secrets"]
    assert (ts.label_zh, ts.label_en) == ("商业秘密", "Trade secrets")
    assert ts.measures >= 2 and ts.rules >= 1 and ts.cases >= 1


@pytest.mark.parametrize("topic,measures", [
    ("trade_secrets", {5, 6}),
    ("frand_sep", {15}),
    ("data_rights", {3}),
    ("aigc", {4}),
])
def test_rules_by_topic(ex, topic, measures):
    answer = ex.rules_by_topic(topic)
    assert measures <= {m.number for m in answer.measures}
    assert answer.rules and all(r.measure is not None and r.text_zh for r in answer.rules)
    assert all(any(t.iri == answer.topic.iri for t in r.topics) for r in answer.rules)
    assert all(r.modality in {"obligation", "permission", "prohibition", "exploration", "encouragement"}
               for r in answer.rules)
    numbered = [c for c in answer.cases if c.case_numbers]
    assert numbered, "at least one case with a verified 案号"
    assert all(c.courts for c in answer.cases)


def test_cases_newest_and_highest_court_first(ex):
    cases = ex.rules_by_topic("trade_secrets").cases
    years = [int(c.decided[:4]) for c in cases if c.decided]
    assert years == sorted(years, reverse=True)
    assert cases[-1].decided is None or all(c.decided for c in cases)


def test_measure_detail(ex):
    m = ex.measure(15)
    assert m.iri == M(15) and m.number == 15 and m.title_zh
    assert m.doc_number == POLICY and m.source.kind == "PolicyDocument"
    assert m.section is not None and m.section.kind == "Section"
    assert m.rules and all(r.measure.number == 15 for r in m.rules)
    assert {x.body.iri for x in m.mentions} >= {str(iri("concept", "frand_principle"))}
    for x in m.mentions:
        assert x.start is not None and x.end > x.start and x.exact
        assert x.source == m.source.iri
    assert "frand_sep" in {t.iri.rsplit("/", 1)[-1] for t in m.topics}
    assert any(c.iri == str(iri("case", "huawei_v_samsung_sz")) for c in m.cases)
    assert m.citations
    assert ex.measure(M(15)) == m
    json.dumps(asdict(m), ensure_ascii=False)


def test_mentions_index_the_original_text(ex):
    from ingest.corpus import load_corpus

    text = load_corpus().policies[0].path.read_text(encoding="utf-8")
    m = ex.measure(5)
    assert m.mentions
    for x in m.mentions:
        assert "".join(text[x.start:x.end].split()) == "".join(x.exact.split())


def test_case_detail_and_related_cases(ex):
    c = ex.case(str(iri("case", "tencent_v_soudao")))
    s = c.summary
    assert s.case_numbers == ("(2019)浙8601民初1987号",) and s.verified == "yes"
    assert s.courts[0].label_zh == "杭州铁路运输法院" and s.decided == "2020-06"
    assert c.holding_zh and c.holding_en and c.honours and c.sources
    assert {x.iri for x in c.citations} == {str(iri("article", "prc_aucl_2019", "2")),
                                            str(iri("article", "prc_aucl_2019", "12"))}
    assert {m.number for m in c.measures} == {3, 15}
    relations = {(r.relation, r.case.iri) for r in c.related}
    assert ("relatedCase", str(iri("case", "douyin_v_shuabao"))) in relations
    shared = [r for r in c.related if r.relation == "sharesArticle"]
    assert shared and all(r.via for r in shared)


def test_article_and_statute(ex):
    a = ex.article(str(iri("article", "prc_aucl_2019", "2")))
    assert a.kind == "Article" and a.article_number == "2" and a.gist_zh and a.gist_en
    assert a.statute.iri == str(iri("statute", "prc_aucl_2019"))
    assert str(iri("case", "tencent_v_soudao")) in {c.iri for c in a.cases}
    s = ex.statute(str(iri("statute", "prc_aucl_2019")))
    assert s.kind == "Statute" and s.statute_kind == "law" and s.status
    assert str(iri("article", "prc_aucl_2019", "9")) in {x.iri for x in s.articles}
    assert {c.iri for c in a.cases} <= {c.iri for c in s.cases}
    assert 15 in {m.number for m in s.measures}


@pytest.mark.parametrize("kwargs,must_include", [
    ({"topic": "trade_secrets"}, "vanillin"),
    ({"year": 2020}, "tencent_v_soudao"),
    ({"court": "杭州铁路运输法院"}, "tencent_v_soudao"),
    ({"statute": str(iri("statute", "prc_aucl_2019"))}, "tencent_v_soudao"),
    ({"statute": str(iri("article", "prc_aucl_2019", "12"))}, "tencent_v_soudao"),
    ({"measure": 15}, "huawei_v_samsung_sz"),
    ({"measure": M(15)}, "huawei_v_samsung_sz"),
])
def test_case_filters(ex, kwargs, must_include):
    page = ex.cases(limit=200, **kwargs)
    assert str(iri("case", must_include)) in {c.iri for c in page.items}
    assert page.total == len(page.items) < ex.cases(limit=1).total


def test_case_pagination(ex):
    everything = ex.cases(limit=1000)
    assert everything.total >= 50
    page = ex.cases(offset=10, limit=7)
    assert page.total == everything.total and page.items == everything.items[10:17]
    assert ex.cases(year=1900).total == 0


@pytest.mark.parametrize("q,must", [
    ("商业秘密", [M(5), M(6)]),
    ("FRAND", [M(15)]),
    ("frand", [M(15)]),
    ("trade secret", [str(iri("topic", "trade_secrets"))]),
    ("(2019)浙8601民初1987号", [str(iri("case", "tencent_v_soudao"))]),
])
def test_search(ex, q, must):
    hits = {h.iri: h for h in ex.search(q, limit=200)}
    for x in must:
        assert x in hits, (q, x)


def test_english_words_reach_chinese_measures_through_concepts(ex):
    hits = {h.iri: h for h in ex.search("trade secret", limit=200)}
    hopped = [h for h in hits.values() if h.via]
    assert M(5) in hits and M(6) in hits
    assert hopped and all(h.fields == () for h in hopped)


@pytest.mark.parametrize("q", ["') } ; DROP GRAPH <x>", '" OR 1=1', "} UNION { ?s ?p ?o", "", "   "])
def test_search_injection_is_just_words(ex, q):
    before = len(ex.store)
    ex.search(q)
    assert len(ex.store) == before
    assert ex.search(q) == ex.search(q)


def test_neighbourhood(ex):
    case = str(iri("case", "tencent_v_soudao"))
    g1 = ex.neighbourhood(case, 1)
    ids = {n.iri for n in g1.nodes}
    assert case in ids and str(iri("article", "prc_aucl_2019", "2")) in ids and M(15) in ids
    assert all(e.source in ids and e.target in ids for e in g1.edges)
    assert not any("/mention/" in n.iri or "/ingestion/" in n.iri for n in g1.nodes)
    g2 = ex.neighbourhood(case, 2, limit=30)
    assert len(g2.nodes) == 30 and g2.truncated
    with pytest.raises(ValueError):
        ex.neighbourhood(case, 4)


def test_shortest_path_from_a_case_to_a_statute_article(ex):
    case, article = str(iri("case", "tencent_v_soudao")), str(iri("article", "prc_aucl_2019", "9"))
    path = ex.shortest_path(case, article)
    assert path.nodes[0].iri == case and path.nodes[-1].iri == article
    assert len(path.edges) == len(path.nodes) - 1 == 3
    for e, (a, b) in zip(path.edges, zip(path.nodes, path.nodes[1:], strict=False), strict=True):
        assert {e.source, e.target} == {a.iri, b.iri}
    assert ex.shortest_path(case, article, max_depth=2) is None


def test_matrix_and_centrality(ex):
    mx = ex.topic_measure_matrix()
    assert len(mx.measures) == 20 and len(mx.topics) == 22
    assert mx.count("trade_secrets", M(5)) >= 1 and mx.count("aigc", M(5)) == 0
    rows = ex.centrality(20)
    assert len(rows) == 20
    assert [r.degree for r in rows] == sorted((r.degree for r in rows), reverse=True)
    assert all(r.degree == r.in_degree + r.out_degree and 0 < r.pagerank < 1 for r in rows)


def test_unknown_things_are_not_found(ex):
    with pytest.raises(NotFound):
        ex.case(str(iri("case", "no_such_case")))
    with pytest.raises(NotFound):
        ex.measure(99)
    with pytest.raises(NotFound):
        ex.rules_by_topic("no_such_topic")
    with pytest.raises(NotFound):
        ex.article(str(iri("case", "tencent_v_soudao")))


def test_factory():
    assert get_explorer("sparql", store=built_store()).backend == "sparql"
    with pytest.raises(ValueError):
        get_explorer("gremlin")
