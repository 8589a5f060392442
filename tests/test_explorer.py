"""The explorer's answers on the real graph built from the bundled corpus (SPARQL backend;
tests/test_explorer_parity.py proves the Cypher backend gives the same answers).

Exact figures come from tests/facts.py, the one table of what the bundled corpus fixes.
"""

from __future__ import annotations

import json
from dataclasses import asdict

import facts
import pytest
from conftest import store_fingerprint
from facts import POLICY, node

from kg.explorer import NotFound, get_explorer
from kg.ns import iri


def M(n: int) -> str:
    return str(iri("measure", POLICY, n))


@pytest.fixture(scope="module")
def ex(bundled_store):
    return get_explorer("sparql", store=bundled_store)


def _ids(cases) -> list[str]:
    return [c.iri.rsplit("/", 1)[-1] for c in cases]


def test_topics_cover_the_scheme_with_counts(ex):
    topics = {t.id: t for t in ex.topics()}
    assert len(topics) == facts.TOPICS
    ts = topics["trade_secrets"]
    assert (ts.label_zh, ts.label_en) == ("商业秘密", "Trade secrets")
    assert {t.id: (t.measures, t.rules, t.cases) for t in topics.values()} == facts.TOPIC_COUNTS


def test_topic_counts_agree_with_the_topic_answers(ex):
    """The precomputable counts are the lengths of what rules_by_topic answers."""
    for t in ex.topics():
        answer = ex.rules_by_topic(t.id)
        assert (len(answer.measures), len(answer.rules), len(answer.cases)) == (t.measures, t.rules, t.cases), t.id


@pytest.mark.parametrize("topic,measures", [
    ("trade_secrets", {5, 6}),
    ("frand_sep", {15}),
    ("data_rights", {3}),
    ("aigc", {4}),
])
def test_rules_by_topic(ex, topic, measures):
    answer = ex.rules_by_topic(topic)
    if topic in facts.TOPIC_MEASURES:
        assert [m.number for m in answer.measures] == facts.TOPIC_MEASURES[topic]
    assert measures <= {m.number for m in answer.measures}
    assert answer.rules and all(r.measure is not None and r.text_zh for r in answer.rules)
    assert all(any(t.iri == answer.topic.iri for t in r.topics) for r in answer.rules)
    assert all(r.modality in {"obligation", "permission", "prohibition", "exploration", "encouragement"}
               for r in answer.rules)
    numbered = [c for c in answer.cases if c.case_numbers]
    assert numbered, "at least one case with a verified 案号"
    assert all(c.courts for c in answer.cases)


@pytest.mark.parametrize("topic", sorted(facts.TOPIC_CASES))
def test_cases_newest_and_highest_court_first(ex, topic):
    """Exact order, including the real same-year ties that only the court tie-break settles
    (frand_sep: 2020 SPC IP tribunal before Wuhan intermediate, 2018 Beijing High before
    Shenzhen intermediate; by date alone each pair would swap)."""
    expected = facts.TOPIC_CASES[topic]
    cases = ex.rules_by_topic(topic).cases
    assert _ids(cases) == expected
    years = [int(c.decided[:4]) for c in cases if c.decided]
    assert years == sorted(years, reverse=True)
    assert cases[-1].decided is None or all(c.decided for c in cases)
    # the paginated list orders by the same key (its own code path)
    assert _ids(ex.cases(topic=topic, limit=200).items) == expected
    assert _ids(ex.cases(topic=topic, offset=3, limit=2).items) == expected[3:5]


def test_same_year_ties_go_to_the_higher_court(ex):
    assert _ids(ex.cases(topic="frand_sep", year=2020).items) == ["huawei_v_conversant_asi", "xiaomi_v_interdigital_asi"]
    ranked = ex.cases(topic="frand_sep", year=2018).items
    assert _ids(ranked) == ["iwncomm_v_sony", "huawei_v_samsung_sz"]
    assert [c.courts[0].label_zh for c in ranked] == ["北京市高级人民法院", "广东省深圳市中级人民法院"]


def test_measure_detail(ex):
    m = ex.measure(15)
    assert m.iri == M(15) and m.number == 15 and m.title_zh
    assert m.doc_number == POLICY and m.source.kind == "PolicyDocument"
    assert m.section is not None and m.section.kind == "Section"
    assert m.rules and all(r.measure.number == 15 for r in m.rules)
    assert {"rules": len(m.rules), "mentions": len(m.mentions), "cases": len(m.cases),
            "citations": len(m.citations)} == facts.MEASURE15
    assert {x.body.iri for x in m.mentions} >= {str(iri("concept", "frand_principle"))}
    for x in m.mentions:
        assert x.start is not None and x.end > x.start and x.exact
        assert x.source == m.source.iri
    assert "frand_sep" in {t.iri.rsplit("/", 1)[-1] for t in m.topics}
    assert any(c.iri == str(iri("case", "huawei_v_samsung_sz")) for c in m.cases)
    assert m.citations
    assert ex.measure(M(15)) == m
    json.dumps(asdict(m), ensure_ascii=False)


def test_mentions_index_the_original_text(ex, seed_text):
    text = seed_text
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


@pytest.mark.parametrize("spec,total", sorted(facts.CASES_BY_FILTER.items()))
def test_case_filter_totals(ex, spec, total):
    kwargs = dict(part.split("=") for part in spec.split("&"))
    if "year" in kwargs:
        kwargs["year"] = int(kwargs["year"])
    if "measure" in kwargs:
        kwargs["measure"] = int(kwargs["measure"])
    if "statute" in kwargs:
        law, *article = kwargs["statute"].split("/")
        kwargs["statute"] = node(f"article/{law}/{article[0]}") if article else node(f"statute/{law}")
    page = ex.cases(limit=200, **kwargs)
    assert page.total == len(page.items) == total


def test_case_pagination(ex):
    everything = ex.cases(limit=1000)
    assert everything.total == len(everything.items) == facts.CASES
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


@pytest.mark.parametrize("q", sorted(facts.SEARCH_TOP))
def test_search_ranking(ex, q):
    """Direct hits first (measures by number, then rules, cases, articles…), then what a
    matched concept leads to; the first hits and the count are fixed by the corpus."""
    hits = ex.search(q, limit=200)
    assert len(hits) == facts.SEARCH_TOTAL[q]
    top = facts.SEARCH_TOP[q]
    assert [h.iri for h in hits[:len(top)]] == [node(x) for x in top]
    hopped = [bool(h.via) for h in hits]
    assert hopped == sorted(hopped), "a hit reached through a concept ranks above a direct hit"
    assert ex.search(q, limit=3) == hits[:3]


def test_english_words_reach_chinese_measures_through_concepts(ex):
    hits = {h.iri: h for h in ex.search("trade secret", limit=200)}
    hopped = [h for h in hits.values() if h.via]
    assert M(5) in hits and M(6) in hits
    assert hopped and all(h.fields == () for h in hopped)


# (hostile input, the plain words it amounts to, what those words find first). The words are
# the user's CJK runs and Latin words, without Lucene's stop words (or, a, …).
INJECTIONS = [
    ('商业秘密") } #', "商业秘密", ["measure/5", "measure/6"]),
    ('FRAND\\" OR "a"="a', "FRAND", ["measure/15", "rule/15/3"]),
    ("FRAND' OR '1'='1", "FRAND 1", ["rule/15/3"]),
    ('" OR 1=1', "1", []),
    ('商业秘密") } ; DROP GRAPH <x> #', "商业秘密 drop graph x", []),
    ('FRAND" } UNION { ?s ?p ?o } #', "frand union s p o", []),
    ("FRAND */ MATCH (n) DETACH DELETE n //", "frand match n detach delete n", []),
    ("", "", []),
    ("   ", "", []),
]


@pytest.mark.parametrize("q,words,first", INJECTIONS, ids=[f"{i}-{w or 'empty'}" for i, (_, w, _) in enumerate(INJECTIONS)])
def test_search_injection_is_just_words(ex, bundled_store, q, words, first):
    """Hostile input finds exactly what its words find, and nothing in the graph changes."""
    before = store_fingerprint(bundled_store)
    hits = ex.search(q, limit=200)
    assert hits == ex.search(words, limit=200)
    assert len(hits) == facts.SEARCH_TOTAL.get(words, 0)
    assert [h.iri for h in hits[:len(first)]] == [node(x) for x in first]
    assert store_fingerprint(bundled_store) == before


def test_neighbourhood(ex):
    case = str(iri("case", "tencent_v_soudao"))
    g1 = ex.neighbourhood(case, 1)
    ids = {n.iri for n in g1.nodes}
    assert (len(g1.nodes), len(g1.edges)) == facts.NEIGHBOURHOOD_TENCENT_1 and not g1.truncated
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
    assert (len(mx.topics), len(mx.measures)) == (facts.MATRIX_TOPICS, facts.MATRIX_MEASURES)
    nonzero = [c for c in mx.cells if c.count]
    assert len(nonzero) == facts.MATRIX_NONZERO and sum(c.count for c in nonzero) == facts.MATRIX_SUM
    for number, count in facts.MATRIX_TRADE_SECRETS.items():
        assert mx.count("trade_secrets", M(number)) == count
    assert mx.count("aigc", M(5)) == 0
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


def test_factory(bundled_store):
    assert get_explorer("sparql", store=bundled_store).backend == "sparql"
    with pytest.raises(ValueError):
        get_explorer("gremlin")
